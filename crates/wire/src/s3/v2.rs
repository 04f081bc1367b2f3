//! S3 request authentication with AWS Signature Version 2, in the `Authorization` header or in a
//! presigned URL's query.
//!
//! * Header — `Authorization: AWS <ak>:<base64 HMAC-SHA1(secret, StringToSign)>` with `Date`
//!   or `x-amz-date`,
//! * presigned — `?AWSAccessKeyId=<ak>&Expires=<unix seconds>&Signature=<base64>`.
//!
//! ```text
//! StringToSign = VERB \n Content-MD5 \n Content-Type \n Date-or-Expires \n
//!                CanonicalizedAmzHeaders CanonicalizedResource
//! ```
//!
//! CanonicalizedAmzHeaders: every `x-amz-*` header, lower-case, sorted, `name:value\n` with the
//! values of a repeated header trimmed and joined by `,`. CanonicalizedResource: `/bucket` for
//! a virtual-hosted request, then the path as sent (still percent-encoded), then the
//! sub-resources of [`SIGNED_SUBRESOURCES`] present, sorted by name, their values decoded,
//! `name` alone when the value is empty.
//!
//! What the clients disagree on is accepted in each client's form, never anything unsigned:
//!
//! * The Date line of a header-signed request with `x-amz-date`: empty, as the specification
//!   says and s3cmd and aws-sdk-js v2 sign; the `Date` header, as botocore signs; or the
//!   `x-amz-date` value with `x-amz-date` left out of the amz headers, as AWS's documented
//!   DELETE example signs. The time checked is always `x-amz-date`'s.
//! * The sub-resources that newer APIs added ([`OPTIONAL_SUBRESOURCES`]): botocore signs
//!   `object-lock` but not `retention` or `legal-hold`, minio-go the other way round, s3cmd and
//!   aws-sdk-js v2 none of them, and no client signs `publicAccessBlock`, `ownershipControls`
//!   or `policyStatus`. A signature that leaves them out is accepted only where the operation
//!   they select cannot be told from one the signer did sign without harm: a read (GET or
//!   HEAD), or a write whose body is pinned by a signed digest (`Content-MD5`, an
//!   `x-amz-checksum-*` or `x-amz-content-sha256` digest), which a document these operations
//!   take can never share with a signed object upload. So a DeleteBucket signature cannot
//!   become DELETE `?publicAccessBlock`.
//! * Presigned URLs: botocore and aws-sdk-js v2 move `Content-Type`, `Content-MD5` and every
//!   `x-amz-*` header into the query (`content-type=…`, `x-amz-meta-a=…`). Such a parameter
//!   stands for the header when the request does not send it: it is signed as the header, and
//!   [`hoist_query_headers`] makes it the request's header once the signature checked out, so
//!   the request does what was signed (S3 honours them alike).
//!
//! Every `x-amz-*` header is covered by the signature in both forms (the header form signs
//! them all, and a presigned URL's string to sign is built from the request's own headers), as
//! SigV4 requires them to be signed. `Content-MD5` and `Content-Type` are signed; the other
//! standard headers (`Range`, `If-*`, `Content-Encoding`, `Cache-Control`, …) are not, in V2
//! as in S3.
//!
//! Checks run in the order S3 (and Ceph RGW) answer in: header form — parse (→
//! [`AuthError::InvalidArgument`]), date (absent, unreadable or before 1970 →
//! [`AuthError::AccessDenied`]; more than 15 minutes off → [`AuthError::RequestTimeTooSkewed`]),
//! access key, signature; query form — parameters and `Expires` (→ `AccessDenied`), access
//! key, signature, then expiry ([`AuthError::Expired`]).

use super::auth::{AuthError, Authenticated, MAX_CLOCK_SKEW_SECS, Payload};
use crate::date;
use crate::request::RequestParts;
use crate::sigutil::unix_seconds;
use crate::{Credentials, Keyring};
use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use sha1::Sha1;
use std::borrow::Cow;
use std::time::SystemTime;
use subtle::ConstantTimeEq as _;

/// What an `Authorization` header of this scheme starts with.
pub const HEADER_PREFIX: &str = "AWS ";
/// The value of the `s3:signatureversion` policy condition key for these requests.
pub const SIGNATURE_VERSION: &str = "AWS";

/// The query parameters every V2 signer (botocore's `HmacV1Auth`, s3cmd, aws-sdk-js v2,
/// minio-go) puts in the canonical resource, and the specification names.
pub const SIGNED_SUBRESOURCES: &[&str] = &[
    "acl",
    "cors",
    "delete",
    "lifecycle",
    "location",
    "logging",
    "notification",
    "partNumber",
    "policy",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// Sub-resources of newer APIs that some signers put in the canonical resource and others
/// leave out (see the module documentation for when a signature without them is accepted).
pub const OPTIONAL_SUBRESOURCES: &[&str] = &[
    "accelerate",
    "analytics",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "metrics",
    "object-lock",
    "ownershipControls",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "restore",
    "retention",
    "select",
    "select-type",
    "storageClass",
];

/// The query parameters of a presigned URL.
const QUERY_PARAMS: [&str; 3] = ["AWSAccessKeyId", "Signature", "Expires"];

/// Whether the request carries (or tries to carry) a V2 signature in its `Authorization`
/// header.
pub fn is_header(parts: &RequestParts) -> bool {
    parts
        .headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(HEADER_PREFIX.as_bytes()))
}

/// Whether the request carries (or tries to carry) a V2 presigned signature: `AWSAccessKeyId`
/// or `Signature` in the query.
pub fn is_query(parts: &RequestParts) -> bool {
    QUERY_PARAMS[..2].iter().any(|p| parts.has_query(p))
}

/// Checks a header-signed request (`Authorization: AWS …`).
pub fn authenticate_header(
    parts: &RequestParts,
    keys: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let authorization = header_str(parts, "authorization")?.unwrap_or_default();
    let (access_key, provided) = parse_authorization(authorization)?;
    let amz_date = header_str(parts, "x-amz-date")?;
    let date = header_str(parts, "date")?;
    let signed_at = parse_request_time(amz_date.or(date))?;
    if signed_at.abs_diff(unix_seconds(now)) > MAX_CLOCK_SKEW_SECS {
        return Err(AuthError::RequestTimeTooSkewed);
    }
    let creds = find(keys, access_key)?;
    let headers = &parts.headers;
    let date_forms = match amz_date {
        None => vec![(date.unwrap_or_default(), true)],
        Some(amz) => {
            let mut forms = vec![("", true)];
            forms.extend(date.map(|d| (d, true)));
            forms.push((amz, false));
            forms
        }
    };
    let mut candidates = Vec::new();
    for (date_line, with_amz_date) in date_forms {
        for resource in resources(parts, headers) {
            candidates.push(string_to_sign_with(
                parts,
                headers,
                date_line,
                with_amz_date,
                &resource,
            ));
        }
    }
    verify(creds, candidates, provided)?;
    payload(headers, access_key)
}

/// Checks a presigned request (`?AWSAccessKeyId=…&Expires=…&Signature=…`).
pub fn authenticate_query(
    parts: &RequestParts,
    keys: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let [access_key, signature, expires] = QUERY_PARAMS.map(|p| parts.query_nonempty(p));
    let (Some(access_key), Some(signature), Some(expires)) = (access_key, signature, expires)
    else {
        return Err(AuthError::AccessDenied(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId \
             parameters"
                .to_owned(),
        ));
    };
    let expires_at = parse_expires(expires)?;
    // Base64 has no spaces: a space is a `+` that the client left unencoded.
    let provided = signature.replace(' ', "+");
    let creds = find(keys, access_key)?;
    let headers = effective_headers(parts)?;
    let candidates = resources(parts, &headers)
        .iter()
        .map(|resource| string_to_sign_with(parts, &headers, expires, true, resource))
        .collect();
    verify(creds, candidates, &provided)?;
    if unix_seconds(now) > expires_at {
        return Err(AuthError::Expired);
    }
    payload(&headers, access_key)
}

/// `AWS <ak>:<signature>` → (access key, signature); anything else is S3's 400
/// `InvalidArgument`.
pub fn parse_authorization(value: &str) -> Result<(&str, &str), AuthError> {
    value
        .strip_prefix(HEADER_PREFIX)
        .and_then(|rest| rest.trim().split_once(':'))
        .filter(|(ak, sig)| !ak.is_empty() && !sig.is_empty() && !ak.contains(' '))
        .ok_or_else(|| {
            AuthError::InvalidArgument(
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"
                    .to_owned(),
            )
        })
}

/// The StringToSign of a header-signed request as the specification writes it (an empty Date
/// line when `x-amz-date` is sent) and of a presigned one (with `date_line`, its `Expires`),
/// with every sub-resource of [`SIGNED_SUBRESOURCES`] and [`OPTIONAL_SUBRESOURCES`] present.
/// For a presigned request the query's stand-ins for headers count (see
/// [`hoist_query_headers`]); values that cannot be headers are left out.
pub fn string_to_sign(parts: &RequestParts, date_line: &str) -> String {
    let headers = if is_query(parts) {
        effective_headers(parts).unwrap_or_else(|_| parts.headers.clone())
    } else {
        parts.headers.clone()
    };
    let resource = canonicalized_resource(parts, true);
    string_to_sign_with(parts, &headers, date_line, true, &resource)
}

/// The StringToSign of a header-signed request whose Date line is `date_line` (what a signer
/// puts there), the canonicalized amz headers with or without `x-amz-date`.
fn string_to_sign_with(
    parts: &RequestParts,
    headers: &HeaderMap,
    date_line: &str,
    with_amz_date: bool,
    resource: &str,
) -> String {
    let first = |name: &str| {
        headers
            .get(name)
            .map(|v| text(v.as_bytes()).trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = format!(
        "{}\n{}\n{}\n{date_line}\n",
        parts.method.as_str(),
        first("content-md5"),
        first("content-type"),
    );
    out.push_str(&canonicalized_amz_headers(headers, with_amz_date));
    out.push_str(resource);
    out
}

/// Every `x-amz-*` header as `name:value\n`, sorted by name, the values of a repeated header
/// trimmed and joined by `,` (`x-amz-date` only when `with_amz_date`).
pub fn canonicalized_amz_headers(headers: &HeaderMap, with_amz_date: bool) -> String {
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|name| name.starts_with("x-amz-"))
        .filter(|name| with_amz_date || *name != "x-amz-date")
        .collect();
    names.sort_unstable();
    let mut out = String::new();
    for name in names {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| text(v.as_bytes()).trim().to_owned())
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// `[/bucket]` + the path as sent (a path-style bucket's `/bucket` as `/bucket/`, as S3 and
/// botocore have it) + `?` and the signed sub-resources present, sorted by name (`name=value`,
/// decoded, or `name` when empty); the [`OPTIONAL_SUBRESOURCES`] only when `optional`.
pub fn canonicalized_resource(parts: &RequestParts, optional: bool) -> String {
    let mut resource = canonical_path(parts);
    if needs_slash(parts) {
        resource.push('/');
    }
    push_subresources(&mut resource, parts, optional);
    resource
}

/// `[/bucket]` + the path as sent.
fn canonical_path(parts: &RequestParts) -> String {
    let mut resource = String::new();
    if parts.virtual_hosted
        && let Some(bucket) = &parts.bucket
    {
        resource.push('/');
        resource.push_str(bucket);
    }
    if parts.raw_path.is_empty() {
        resource.push('/');
    } else {
        resource.push_str(&parts.raw_path);
    }
    resource
}

/// A path-style request for a bucket sent as `/bucket`, without the slash botocore signs.
fn needs_slash(parts: &RequestParts) -> bool {
    !parts.virtual_hosted
        && parts.key.is_none()
        && parts.bucket.is_some()
        && !parts.raw_path.ends_with('/')
}

/// `?` and the signed sub-resources present (see [`canonicalized_resource`]).
fn push_subresources(resource: &mut String, parts: &RequestParts, optional: bool) {
    let mut subresources: Vec<&(String, String)> = parts
        .query
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            SIGNED_SUBRESOURCES.contains(&name)
                || (optional && OPTIONAL_SUBRESOURCES.contains(&name))
        })
        .collect();
    // Stable: repeated names keep their wire order.
    subresources.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (name, value)) in subresources.into_iter().enumerate() {
        resource.push(if i == 0 { '?' } else { '&' });
        resource.push_str(name);
        if !value.is_empty() {
            resource.push('=');
            resource.push_str(value);
        }
    }
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn sign(secret_key: &str, string_to_sign: &str) -> String {
    let mut mac =
        <Hmac<Sha1>>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Makes a presigned request's query stand-ins for headers (`content-type`, `content-md5`,
/// `x-amz-*`, in any case, for a header the request does not send) its headers, as they were
/// signed. Call it once the request is authenticated; a request that is not presigned in V2
/// is left as it is.
pub fn hoist_query_headers(parts: &mut RequestParts) {
    if !is_query(parts) || is_header(parts) {
        return;
    }
    if let Ok(headers) = effective_headers(parts) {
        parts.headers = headers;
    }
}

/// The request's headers with the query's stand-ins added (see [`hoist_query_headers`]). A
/// stand-in that cannot be a header value is refused.
fn effective_headers(parts: &RequestParts) -> Result<HeaderMap, AuthError> {
    let mut headers = parts.headers.clone();
    for (name, value) in &parts.query {
        let name = name.to_ascii_lowercase();
        let stands_in =
            name == "content-type" || name == "content-md5" || name.starts_with("x-amz-");
        if !stands_in || parts.headers.contains_key(name.as_str()) {
            continue;
        }
        let bad = || {
            AuthError::InvalidArgument(format!(
                "The query parameter {name:?} cannot stand for a header."
            ))
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        let value = HeaderValue::from_str(value).map_err(|_| bad())?;
        headers.append(header, value);
    }
    Ok(headers)
}

/// The canonical resources a signer may have signed: with every sub-resource, and, when the
/// request names an optional one and may be signed without it (see the module
/// documentation), without the optional ones; a path-style bucket as `/bucket/`, and as sent.
fn resources(parts: &RequestParts, headers: &HeaderMap) -> Vec<String> {
    let names_optional = parts
        .query
        .iter()
        .any(|(name, _)| OPTIONAL_SUBRESOURCES.contains(&name.as_str()));
    let without_optional = names_optional && (is_read(&parts.method) || body_pinned(headers));
    let sent = canonical_path(parts);
    let mut paths = Vec::new();
    if needs_slash(parts) {
        paths.push(format!("{sent}/"));
    }
    paths.push(sent);
    let mut out = Vec::new();
    for path in paths {
        for optional in [true, false] {
            if optional || without_optional {
                let mut resource = path.clone();
                push_subresources(&mut resource, parts, optional);
                out.push(resource);
            }
        }
    }
    out
}

fn is_read(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}

/// Whether the body is pinned by a digest the signature covers and the server checks.
fn body_pinned(headers: &HeaderMap) -> bool {
    let present = |name: &str| headers.get(name).is_some_and(|v| !v.is_empty());
    present("content-md5")
        || headers
            .keys()
            .any(|name| name.as_str().starts_with("x-amz-checksum-"))
        || matches!(
            headers
                .get("x-amz-content-sha256")
                .and_then(|v| v.to_str().ok())
                .and_then(Payload::parse),
            Some(Payload::Sha256(_))
        )
}

/// Compares `provided` with the signature of each candidate StringToSign (in constant time);
/// a mismatch reports the first candidate.
fn verify(creds: &Credentials, candidates: Vec<String>, provided: &str) -> Result<(), AuthError> {
    let matches = |sts: &String| {
        bool::from(
            sign(&creds.secret_key, sts)
                .as_bytes()
                .ct_eq(provided.as_bytes()),
        )
    };
    if candidates.iter().any(matches) {
        return Ok(());
    }
    Err(AuthError::SignatureDoesNotMatchV2 {
        access_key: creds.access_key.clone(),
        string_to_sign: candidates.into_iter().next().unwrap_or_default(),
        provided: provided.to_owned(),
    })
}

/// What a signed `x-amz-content-sha256` says of the body: V2 has no chunk signatures, so only
/// a digest, `UNSIGNED-PAYLOAD` and the unsigned-trailer stream are taken.
fn payload(headers: &HeaderMap, access_key: &str) -> Result<Authenticated, AuthError> {
    let payload = match headers.get("x-amz-content-sha256") {
        None => Payload::Unsigned,
        Some(value) => match value.to_str().ok().and_then(Payload::parse) {
            Some(Payload::StreamingSigned | Payload::StreamingSignedTrailer) => {
                return Err(AuthError::InvalidArgument(
                    "Chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) need AWS Signature \
                     Version 4."
                        .to_owned(),
                ));
            }
            Some(p) => p,
            None => {
                return Err(AuthError::InvalidArgument(
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, \
                     STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value."
                        .to_owned(),
                ));
            }
        },
    };
    Ok(Authenticated {
        access_key: access_key.to_owned(),
        payload,
        signing: None,
    })
}

/// The time a header-signed request was made: `x-amz-date` when sent, else `Date`; an RFC 2822
/// or HTTP date, or ISO 8601's basic form. Absent, unreadable or before 1970 is S3's
/// `AccessDenied`.
fn parse_request_time(value: Option<&str>) -> Result<i64, AuthError> {
    value
        .and_then(|v| {
            let v = v.trim();
            date::parse_rfc2822(v)
                .or_else(|| date::parse_http_date(v))
                .or_else(|| date::parse_basic_iso8601(v))
        })
        .map(|t| t.as_second())
        .filter(|seconds| *seconds >= 0)
        .ok_or_else(|| {
            AuthError::AccessDenied(
                "AWS authentication requires a valid Date or x-amz-date header".to_owned(),
            )
        })
}

/// A presigned URL's `Expires`: absolute unix seconds.
fn parse_expires(value: &str) -> Result<i64, AuthError> {
    Some(value)
        .filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            AuthError::AccessDenied(format!(
                "Invalid date (should be seconds since epoch): {value}"
            ))
        })
}

fn find<'k>(keys: &'k dyn Keyring, access_key: &str) -> Result<&'k Credentials, AuthError> {
    keys.find(access_key).ok_or(AuthError::InvalidAccessKeyId)
}

/// A header's first value, or `None` when absent; `InvalidArgument` when it is not UTF-8.
fn header_str<'a>(parts: &'a RequestParts, name: &str) -> Result<Option<&'a str>, AuthError> {
    parts
        .headers
        .get(name)
        .map(|value| {
            std::str::from_utf8(value.as_bytes())
                .map_err(|_| AuthError::InvalidArgument(format!("The {name} header is not UTF-8.")))
        })
        .transpose()
}

/// A header value as text: UTF-8, or else Latin-1, which is how Python's `http.client` puts
/// botocore's (UTF-8-signed) header strings on the wire.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().copied().map(char::from).collect()),
    }
}

#[cfg(test)]
#[path = "v2_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "v2_refusal_tests.rs"]
mod refusal_tests;
