//! OSS request authentication: which signature scheme a request uses and whether its signature
//! is right.
//!
//! Four schemes:
//! * V1 header — `Authorization: OSS <ak>:<base64 HMAC-SHA1>`,
//! * V1 presigned — `?OSSAccessKeyId=…&Expires=…&Signature=…`,
//! * V4 header — `Authorization: OSS4-HMAC-SHA256 Credential=…,Signature=<hex HMAC-SHA256>`,
//! * V4 presigned — `?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=…&x-oss-signature=…`.
//!
//! Everything is computed from the decoded request ([`RequestParts`]): the bucket, the decoded
//! key and the form-decoded query. Checks run in this order: parse (→ [`AuthError::Malformed`]),
//! access key (→ [`AuthError::InvalidAccessKeyId`]), signature (→
//! [`AuthError::SignatureDoesNotMatch`]), then time (→ [`AuthError::RequestTimeTooSkewed`],
//! [`AuthError::Expired`] / [`AuthError::NotYetValid`]), so only a correctly signed request
//! learns about the server's clock.
//!
//! Every scheme signs every `x-oss-*` header present (V1's CanonicalizedOSSHeaders, V4's
//! canonical headers), so no `x-oss-*` header can be added to a signed request or URL.

use crate::date;
use crate::encode::PATH;
use crate::request::RequestParts;
use crate::sigutil::{ascii_digits, parse_sha256_hex, unix_seconds};
use crate::v4::OSS4;
use crate::{Credentials, Keyring};
use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use percent_encoding::utf8_percent_encode;
use sha1::Sha1;
use std::time::SystemTime;
use subtle::ConstantTimeEq as _;

/// How far a header-signed request's time may be from the server's, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 15 * 60;
/// The longest lifetime a V4 presigned URL may ask for (`x-oss-expires`), in seconds.
pub const MAX_PRESIGN_EXPIRES_SECS: u64 = 7 * 24 * 60 * 60;

const V1_PREFIX: &[u8] = b"OSS ";
const V4_ALGORITHM: &str = OSS4.algorithm;
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The query parameters that take part in a V1 signature: the union of the lists in the OSS
/// SDKs, plus the per-operation extras `cleanRestoredObject`, `policyStatus` and `seal` that
/// alibabacloud-oss-v2 signs.
/// Sorted in byte order for [`is_signed_subresource`]'s binary search.
pub const V1_SIGNED_SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cleanRestoredObject",
    "cloudboxes",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "policyStatus",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "responseHeader",
    "restore",
    "rtc",
    "seal",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "udf",
    "udfApplication",
    "udfApplicationLog",
    "udfId",
    "udfImage",
    "udfImageDesc",
    "udfName",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "withHashContext",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-access-point-name",
    "x-oss-async-process",
    "x-oss-enable-md5",
    "x-oss-enable-sha1",
    "x-oss-enable-sha256",
    "x-oss-hash-ctx",
    "x-oss-md5-ctx",
    "x-oss-process",
    "x-oss-redundancy-transition-taskid",
    "x-oss-request-payer",
    "x-oss-target-redundancy-type",
    "x-oss-traffic-limit",
    "x-oss-write-get-object-response",
];

/// The signature scheme a request uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    V1Header,
    V4Header,
    V1Query,
    V4Query,
}

/// A request whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub access_key: String,
    /// The body's SHA-256 when a V4 request signed a real digest in `x-oss-content-sha256`
    /// (rather than `UNSIGNED-PAYLOAD`); the handler must check the body against it.
    pub payload_sha256: Option<[u8; 32]>,
}

/// Why a request is not authenticated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No signature at all: allowed only where anonymous access is.
    #[error("Anonymous access is forbidden for this operation.")]
    Anonymous,
    #[error("The OSS Access Key Id you provided does not exist in our records.")]
    InvalidAccessKeyId { access_key: String },
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method."
    )]
    SignatureDoesNotMatch {
        /// What the server signed (V4: the string to sign, not the canonical request).
        string_to_sign: String,
        provided: String,
        access_key: String,
    },
    #[error("The difference between the request time and the current time is too large.")]
    RequestTimeTooSkewed,
    /// A presigned URL past its expiry.
    #[error("Request has expired.")]
    Expired,
    /// A V4 presigned URL whose `x-oss-date` is more than [`MAX_CLOCK_SKEW_SECS`] ahead of the
    /// server's clock: its validity has not begun.
    #[error("Request is not yet valid.")]
    NotYetValid,
    /// An Authorization header, credential, date or presign parameter that cannot be parsed.
    #[error("{0}")]
    Malformed(String),
}

/// The scheme a request is signed with, or `None` when it carries no OSS signature (anonymous,
/// or another dialect's). Header schemes win over presign parameters.
pub fn scheme(parts: &RequestParts) -> Option<Scheme> {
    if let Some(auth) = parts.headers.get(http::header::AUTHORIZATION) {
        let auth = auth.as_bytes();
        if auth.starts_with(V4_ALGORITHM.as_bytes()) {
            return Some(Scheme::V4Header);
        }
        if auth.starts_with(V1_PREFIX) {
            return Some(Scheme::V1Header);
        }
    }
    if parts.has_query("x-oss-signature") {
        return Some(Scheme::V4Query);
    }
    if parts.has_query("OSSAccessKeyId") && parts.has_query("Signature") {
        return Some(Scheme::V1Query);
    }
    None
}

/// Checks a request's signature against the one key pair the server accepts, and its time
/// against `now`.
pub fn authenticate(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let now = unix_seconds(now);
    match scheme(parts) {
        Some(Scheme::V1Header) => authenticate_v1_header(parts, creds, now),
        Some(Scheme::V1Query) => authenticate_v1_query(parts, creds, now),
        Some(Scheme::V4Header) => authenticate_v4_header(parts, creds, now),
        Some(Scheme::V4Query) => authenticate_v4_query(parts, creds, now),
        None => Err(unsigned_request_error(parts)),
    }
}

/// Anonymous, unless the request tried to sign and got the form wrong.
fn unsigned_request_error(parts: &RequestParts) -> AuthError {
    if parts.headers.contains_key(http::header::AUTHORIZATION) {
        return malformed("the Authorization header is not an OSS signature");
    }
    let presign_params = ["OSSAccessKeyId", "Signature", "x-oss-credential"];
    if presign_params.iter().any(|p| parts.has_query(p)) {
        return malformed("the presigned URL is missing some of its signature parameters");
    }
    AuthError::Anonymous
}

// ---------------------------------------------------------------------------------------------
// V1

fn authenticate_v1_header(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let authorization = header(parts, "authorization")?.unwrap_or_default();
    let (access_key, provided) = parse_v1_authorization(authorization)?;
    let creds = check_access_key(access_key, creds)?;
    let date_lines = v1_date_lines(parts)?;
    // Go signs with Date; oss2 and v2 with x-oss-date when it is present. Try both, in that
    // order; a mismatch reports the x-oss-date variant (what those SDKs compare against).
    let mut last_string_to_sign = String::new();
    for date_line in date_lines {
        let string_to_sign = string_to_sign_v1(parts, date_line)?;
        if signatures_match(&sign_v1(&creds.secret_key, &string_to_sign), provided) {
            check_clock_skew(parse_request_time(date_line)?, now)?;
            return Ok(authenticated(access_key, None));
        }
        last_string_to_sign = string_to_sign;
    }
    Err(signature_mismatch(
        last_string_to_sign,
        provided,
        access_key,
    ))
}

fn authenticate_v1_query(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let access_key = parts.query("OSSAccessKeyId").unwrap_or_default();
    // Base64 has no spaces: a space is a `+` that the client forgot to percent-encode.
    let provided = parts
        .query("Signature")
        .unwrap_or_default()
        .replace(' ', "+");
    let expires = parts
        .query("Expires")
        .ok_or_else(|| malformed("the presigned URL has no Expires parameter"))?;
    let expires_at = parse_expires_v1(expires)?;
    let creds = check_access_key(access_key, creds)?;
    let string_to_sign = string_to_sign_v1(parts, expires)?;
    if !signatures_match(&sign_v1(&creds.secret_key, &string_to_sign), &provided) {
        return Err(signature_mismatch(string_to_sign, &provided, access_key));
    }
    if now > expires_at {
        return Err(AuthError::Expired);
    }
    Ok(authenticated(access_key, None))
}

/// `OSS <AccessKeyId>:<Signature>` → (access key, signature).
fn parse_v1_authorization(value: &str) -> Result<(&str, &str), AuthError> {
    value
        .strip_prefix("OSS ")
        .and_then(|rest| rest.trim().split_once(':'))
        .filter(|(ak, sig)| !ak.is_empty() && !sig.is_empty())
        .ok_or_else(|| malformed("the Authorization header is not `OSS <AccessKeyId>:<Signature>`"))
}

/// The candidate Date lines of a V1 header signature: `Date`, then `x-oss-date`.
fn v1_date_lines(parts: &RequestParts) -> Result<Vec<&str>, AuthError> {
    let lines: Vec<&str> = [header(parts, "date")?, header(parts, "x-oss-date")?]
        .into_iter()
        .flatten()
        .collect();
    if lines.is_empty() {
        return Err(malformed(
            "the request has neither a Date nor an x-oss-date header",
        ));
    }
    Ok(lines)
}

/// A V1 presigned URL's `Expires`: absolute unix seconds.
fn parse_expires_v1(expires: &str) -> Result<i64, AuthError> {
    if expires.is_empty() || !expires.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("Expires is not a number of seconds"));
    }
    expires
        .parse()
        .map_err(|_| malformed("Expires is out of range"))
}

/// The V1 StringToSign, with `date_line` (the Date or x-oss-date header, or a presigned URL's
/// Expires) in the date position.
pub fn string_to_sign_v1(parts: &RequestParts, date_line: &str) -> Result<String, AuthError> {
    let content_md5 = header(parts, "content-md5")?.unwrap_or_default();
    let content_type = header(parts, "content-type")?.unwrap_or_default();
    Ok(format!(
        "{}\n{content_md5}\n{content_type}\n{date_line}\n{}{}",
        parts.method.as_str(),
        canonicalized_oss_headers_v1(parts)?,
        canonicalized_resource_v1(parts),
    ))
}

/// Every `x-oss-*` header as `name:value\n`, sorted by name, values as sent.
pub fn canonicalized_oss_headers_v1(parts: &RequestParts) -> Result<String, AuthError> {
    let mut names: Vec<&str> = parts
        .headers
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| name.starts_with("x-oss-"))
        .collect();
    names.sort_unstable();
    let mut out = String::new();
    for name in names {
        out.push_str(name);
        out.push(':');
        out.push_str(&header_text(parts, name));
        out.push('\n');
    }
    Ok(out)
}

/// `/` (service), `/<bucket>/` (bucket) or `/<bucket>/<decoded key>`, then `?` and the signed
/// sub-resources sorted by name (`name=value`, or `name` when empty).
pub fn canonicalized_resource_v1(parts: &RequestParts) -> String {
    let mut resource = match &parts.bucket {
        None => "/".to_owned(),
        Some(bucket) => format!("/{bucket}/{}", parts.key.as_deref().unwrap_or_default()),
    };
    let mut subresources: Vec<&(String, String)> = parts
        .query
        .iter()
        .filter(|(name, _)| is_signed_subresource(name))
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
    resource
}

/// Whether a query parameter takes part in a V1 signature.
pub fn is_signed_subresource(name: &str) -> bool {
    V1_SIGNED_SUBRESOURCES.binary_search(&name).is_ok()
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn sign_v1(secret_key: &str, string_to_sign: &str) -> String {
    let mut mac =
        <Hmac<Sha1>>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

// ---------------------------------------------------------------------------------------------
// V4

/// `<ak>/<yyyymmdd>/<region>/<product>/aliyun_v4_request`, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V4Credential<'a> {
    pub access_key: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub product: &'a str,
}

impl V4Credential<'_> {
    /// `<yyyymmdd>/<region>/<product>/aliyun_v4_request`.
    pub fn scope(&self) -> String {
        OSS4.scope(self.date, self.region, self.product)
    }
}

/// The parts of an `Authorization: OSS4-HMAC-SHA256 …` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V4Authorization<'a> {
    pub credential: V4Credential<'a>,
    /// The `AdditionalHeaders` list as sent ("" when absent).
    pub additional_headers: &'a str,
    pub signature: &'a str,
}

fn authenticate_v4_header(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let authorization = header(parts, "authorization")?.unwrap_or_default();
    let auth = parse_v4_authorization(authorization)?;
    let timestamp = timestamp_line_v4(parts)?;
    let request_time = parse_request_time(timestamp)?;
    let hashed_payload = header(parts, "x-oss-content-sha256")?.unwrap_or(UNSIGNED_PAYLOAD);
    let access_key = auth.credential.access_key;
    let keyring = creds;
    let creds = check_access_key(access_key, creds)?;
    let canonical_request =
        canonical_request_v4(parts, auth.additional_headers, hashed_payload, false)?;
    verify_v4(
        keyring,
        creds,
        &auth.credential,
        timestamp,
        &canonical_request,
        auth.signature,
    )?;
    check_clock_skew(request_time, now)?;
    Ok(authenticated(access_key, parse_sha256_hex(hashed_payload)))
}

fn authenticate_v4_query(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let version = parts.query("x-oss-signature-version").unwrap_or_default();
    if version != V4_ALGORITHM {
        return Err(malformed(
            "x-oss-signature-version must be OSS4-HMAC-SHA256",
        ));
    }
    let credential = parse_v4_credential(required_query(parts, "x-oss-credential")?)?;
    let timestamp = required_query(parts, "x-oss-date")?;
    let signed_at = parse_request_time(timestamp)?;
    let expires = parse_expires_v4(required_query(parts, "x-oss-expires")?)?;
    let additional_headers = parts.query("x-oss-additional-headers").unwrap_or_default();
    let provided = parts.query("x-oss-signature").unwrap_or_default();
    let keyring = creds;
    let creds = check_access_key(credential.access_key, creds)?;
    let canonical_request =
        canonical_request_v4(parts, additional_headers, UNSIGNED_PAYLOAD, true)?;
    verify_v4(
        keyring,
        creds,
        &credential,
        timestamp,
        &canonical_request,
        provided,
    )?;
    if now > signed_at.saturating_add(expires) {
        return Err(AuthError::Expired);
    }
    // A URL dated in the future would otherwise stay valid past the 7-day limit.
    if signed_at.saturating_sub(now) > MAX_CLOCK_SKEW_SECS as i64 {
        return Err(AuthError::NotYetValid);
    }
    Ok(authenticated(credential.access_key, None))
}

/// Signs `canonical_request` with the credential's scope and compares with `provided`.
fn verify_v4(
    keyring: &dyn Keyring,
    creds: &Credentials,
    credential: &V4Credential<'_>,
    timestamp: &str,
    canonical_request: &str,
    provided: &str,
) -> Result<(), AuthError> {
    let string_to_sign = string_to_sign_v4(timestamp, &credential.scope(), canonical_request);
    let key = keyring.signing_key(
        &OSS4,
        &creds.secret_key,
        credential.date,
        credential.region,
        credential.product,
    );
    let expected = sign_v4(&key, &string_to_sign);
    if crate::v4::signatures_match(&expected, provided) {
        Ok(())
    } else {
        Err(signature_mismatch(
            string_to_sign,
            provided,
            credential.access_key,
        ))
    }
}

/// Parses both spellings: `Credential=…,AdditionalHeaders=…,Signature=…` (Go, v2) and
/// `Credential=…, Signature=…, AdditionalHeaders=…` (oss2).
pub fn parse_v4_authorization(value: &str) -> Result<V4Authorization<'_>, AuthError> {
    let rest = value
        .strip_prefix(V4_ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(|| malformed("the Authorization header is not `OSS4-HMAC-SHA256 …`"))?;
    let (mut credential, mut additional_headers, mut signature) = (None, "", None);
    for field in rest.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').ok_or_else(|| {
            malformed("the Authorization header has a field that is not `name=value`")
        })?;
        match name.trim() {
            "Credential" => credential = Some(value.trim()),
            "AdditionalHeaders" => additional_headers = value.trim(),
            "Signature" => signature = Some(value.trim()),
            _ => {}
        }
    }
    let credential =
        credential.ok_or_else(|| malformed("the Authorization header has no Credential"))?;
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed("the Authorization header has no Signature"))?;
    Ok(V4Authorization {
        credential: parse_v4_credential(credential)?,
        additional_headers,
        signature,
    })
}

/// `<ak>/<yyyymmdd>/<region>/<product>/aliyun_v4_request`; any region and product are accepted.
pub fn parse_v4_credential(value: &str) -> Result<V4Credential<'_>, AuthError> {
    let bad = || {
        malformed("the credential is not `<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request`")
    };
    let mut fields = value.rsplitn(5, '/');
    let (Some(terminator), Some(product), Some(region), Some(date), Some(access_key)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(bad());
    };
    if terminator != OSS4.terminator
        || [access_key, region, product].iter().any(|f| f.is_empty())
        || date::parse_basic_date(date).is_none()
    {
        return Err(bad());
    }
    Ok(V4Credential {
        access_key,
        date,
        region,
        product,
    })
}

/// `x-oss-date` when present, otherwise the `Date` header verbatim.
fn timestamp_line_v4(parts: &RequestParts) -> Result<&str, AuthError> {
    match header(parts, "x-oss-date")? {
        Some(date) => Ok(date),
        None => header(parts, "date")?
            .ok_or_else(|| malformed("the request has neither an x-oss-date nor a Date header")),
    }
}

/// A V4 presigned URL's `x-oss-expires`: seconds after `x-oss-date`, at most 7 days.
fn parse_expires_v4(expires: &str) -> Result<i64, AuthError> {
    let seconds = ascii_digits(expires, expires.len())
        .filter(|_| !expires.is_empty())
        .ok_or_else(|| malformed("x-oss-expires is not a number of seconds"))?;
    if seconds > MAX_PRESIGN_EXPIRES_SECS {
        return Err(malformed(
            "x-oss-expires must not be more than 604800 seconds (7 days)",
        ));
    }
    // At most 604800, so it fits.
    Ok(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// The V4 canonical request. `additional_headers` is the `AdditionalHeaders` list as sent;
/// `presigned` leaves `x-oss-signature` out of the canonical query.
pub fn canonical_request_v4(
    parts: &RequestParts,
    additional_headers: &str,
    hashed_payload: &str,
    presigned: bool,
) -> Result<String, AuthError> {
    Ok(OSS4.canonical_request(
        parts.method.as_str(),
        &canonical_uri_v4(parts),
        &canonical_query_v4(parts, presigned),
        &canonical_headers_v4(parts, additional_headers)?,
        additional_headers,
        hashed_payload,
    ))
}

/// `/`, `/<bucket>/` or `/<bucket>/<key>` (bucket included for virtual-hosted requests too), with
/// every byte but RFC 3986 unreserved characters and `/` percent-encoded.
pub fn canonical_uri_v4(parts: &RequestParts) -> String {
    match &parts.bucket {
        None => "/".to_owned(),
        Some(bucket) => format!(
            "/{}/{}",
            utf8_percent_encode(bucket, PATH),
            utf8_percent_encode(parts.key.as_deref().unwrap_or_default(), PATH),
        ),
    }
}

/// Every query parameter (but `x-oss-signature` when `presigned`), name and value re-encoded
/// with `/` encoded too, sorted by encoded name (then value), `name=value` or bare `name`.
pub fn canonical_query_v4(parts: &RequestParts, presigned: bool) -> String {
    OSS4.canonical_query(&parts.query, presigned)
}

/// `content-type`, `content-md5`, every `x-oss-*` header and those named in
/// `additional_headers`, as `name:trimmed value\n`, sorted by name.
pub fn canonical_headers_v4(
    parts: &RequestParts,
    additional_headers: &str,
) -> Result<String, AuthError> {
    let additional: Vec<String> = additional_headers
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    let mut names: Vec<&str> = parts
        .headers
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| {
            matches!(*name, "content-type" | "content-md5")
                || name.starts_with("x-oss-")
                || additional.iter().any(|a| a == name)
        })
        .collect();
    names.sort_unstable();
    let mut out = String::new();
    for name in names {
        out.push_str(name);
        out.push(':');
        out.push_str(header_text(parts, name).trim());
        out.push('\n');
    }
    Ok(out)
}

/// `OSS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign_v4(timestamp: &str, scope: &str, canonical_request: &str) -> String {
    OSS4.string_to_sign(timestamp, scope, canonical_request)
}

/// kSigning = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), product),
/// "aliyun_v4_request").
pub fn signing_key_v4(secret_key: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    OSS4.signing_key(secret_key, date, region, product)
}

pub use crate::v4::sign as sign_v4;

// ---------------------------------------------------------------------------------------------
// Shared

/// A signed header's first value as text ("" when absent). Bytes that are not UTF-8 are read
/// as Latin-1: Python's `http.client` sends oss2's header strings (which it signs as UTF-8)
/// that way, e.g. user metadata with `ä`.
fn header_text<'a>(parts: &'a RequestParts, name: &str) -> std::borrow::Cow<'a, str> {
    let bytes = parts.headers.get(name).map_or(&b""[..], |v| v.as_bytes());
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => bytes
            .iter()
            .copied()
            .map(char::from)
            .collect::<String>()
            .into(),
    }
}

/// A header's first value, or `None` when absent; Malformed when it is not UTF-8.
fn header<'a>(parts: &'a RequestParts, name: &str) -> Result<Option<&'a str>, AuthError> {
    parts
        .headers
        .get(name)
        .map(|value| {
            std::str::from_utf8(value.as_bytes())
                .map_err(|_| malformed(format!("the {name} header is not UTF-8")))
        })
        .transpose()
}

fn required_query<'a>(parts: &'a RequestParts, name: &str) -> Result<&'a str, AuthError> {
    parts
        .query_nonempty(name)
        .ok_or_else(|| malformed(format!("the presigned URL has no {name} parameter")))
}

fn check_access_key<'k>(
    access_key: &str,
    keys: &'k dyn Keyring,
) -> Result<&'k Credentials, AuthError> {
    keys.find(access_key)
        .ok_or_else(|| AuthError::InvalidAccessKeyId {
            access_key: access_key.to_owned(),
        })
}

/// Constant-time comparison (lengths may differ).
fn signatures_match(expected: &str, provided: &str) -> bool {
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

fn check_clock_skew(request_time: i64, now: i64) -> Result<(), AuthError> {
    if request_time.abs_diff(now) > MAX_CLOCK_SKEW_SECS {
        Err(AuthError::RequestTimeTooSkewed)
    } else {
        Ok(())
    }
}

/// Unix seconds of an `x-oss-date` (`yyyymmddThhmmssZ`) or HTTP (RFC 1123) date.
fn parse_request_time(value: &str) -> Result<i64, AuthError> {
    date::parse_basic_iso8601(value)
        .or_else(|| date::parse_http_date(value))
        .map(|t| t.as_second())
        .ok_or_else(|| malformed(format!("the request time {value:?} is not a date")))
}

fn authenticated(access_key: &str, payload_sha256: Option<[u8; 32]>) -> Authenticated {
    Authenticated {
        access_key: access_key.to_owned(),
        payload_sha256,
    }
}

fn signature_mismatch(string_to_sign: String, provided: &str, access_key: &str) -> AuthError {
    AuthError::SignatureDoesNotMatch {
        string_to_sign,
        provided: provided.to_owned(),
        access_key: access_key.to_owned(),
    }
}

fn malformed(message: impl Into<String>) -> AuthError {
    AuthError::Malformed(message.into())
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "auth_v4_tests.rs"]
mod v4_tests;
