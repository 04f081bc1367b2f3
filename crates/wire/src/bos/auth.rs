//! BOS request authentication: bce-auth-v1.
//!
//! The authorization string
//! `bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}/{signedHeaders}/{signature}`
//! arrives in the `Authorization` header or, for presigned URLs, in the `authorization` query
//! parameter. The signature is
//! `hex(HMAC-SHA256(hex(HMAC-SHA256(SK, "bce-auth-v1/{ak}/{timestamp}/{expiration}")),
//! canonicalRequest))`, where the canonical request is the method, the canonical URI, the
//! canonical query and the canonical headers joined by `\n`.
//!
//! An empty `signedHeaders` means the default set: `host`, `content-length`, `content-type`,
//! `content-md5` and every `x-bce-*` header present (the BOS documentation's default; the Python
//! SDK signs every request that way, and the Python and JS SDKs both put every `x-bce-*` header
//! into the canonical headers whatever list they are given). An explicit list must name `host`
//! and every `x-bce-*` header sent (→ [`AuthError::HeadersNotSigned`]): otherwise a presigned PUT
//! signed over `host` alone plus an unsigned `x-bce-copy-source` would become a copy, and a
//! virtual-hosted request signed without `host` (whose canonical URI has no bucket) could be
//! replayed against another bucket. Headers whose trimmed value is empty are exempt: no SDK can
//! sign them (the canonical headers leave them out), so listing them would change nothing.
//!
//! Checks run in the order BOS documents: parse (→ [`AuthError::InvalidHttpAuthHeader`],
//! [`AuthError::HeadersNotSigned`]), access key (→ [`AuthError::InvalidAccessKeyId`]), time (→
//! [`AuthError::RequestTimeTooSkewed`] / [`AuthError::RequestExpired`]), then signature (→
//! [`AuthError::SignatureDoesNotMatch`]).
//!
//! Everything is computed from what was sent: the raw path (decoded to bytes and re-encoded, so
//! `/v1` and a trailing slash stay in), the form-decoded query and the raw header bytes.

use crate::Keyring;
use crate::encode::{PATH, UNRESERVED};
use crate::request::RequestParts;
use crate::sigutil::{hmac_sha256, unix_seconds};
use percent_encoding::{percent_decode_str, percent_encode};
use std::time::SystemTime;
use subtle::ConstantTimeEq as _;

/// How far in the future a request's timestamp may be, in seconds.
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

/// The first field of every authorization string.
const AUTH_VERSION: &str = "bce-auth-v1";
/// What an authorization string starts with.
const AUTH_PREFIX: &[u8] = b"bce-auth-v1/";
/// The name of the presigned URL's query parameter, compared case-insensitively.
const AUTHORIZATION: &str = "authorization";
/// The expiration that never expires.
const NEVER_EXPIRES: &str = "-1";
/// Signed when `signedHeaders` is empty, with every `x-bce-*` header present.
const DEFAULT_SIGNED_HEADERS: [&str; 4] = ["content-length", "content-md5", "content-type", "host"];
const BCE_HEADER_PREFIX: &str = "x-bce-";

/// A request whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub access_key: String,
}

/// Why a request is not authenticated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No authorization at all: allowed only where anonymous access is.
    #[error("Anonymous access is forbidden for this operation.")]
    Anonymous,
    /// An authorization string that cannot be parsed (400 `InvalidHTTPAuthHeader`).
    #[error("{0}")]
    InvalidHttpAuthHeader(String),
    #[error("The Access Key Id you provided does not exist in our records.")]
    InvalidAccessKeyId,
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your Secret Access Key and signing method."
    )]
    SignatureDoesNotMatch {
        /// What the server signed.
        canonical_request: String,
    },
    /// `now` is past `timestamp + expirationPeriodInSeconds`.
    #[error("Request has expired.")]
    RequestExpired,
    /// The timestamp is more than [`MAX_CLOCK_SKEW_SECS`] in the future.
    #[error("The difference between the request time and the current time is too large.")]
    RequestTimeTooSkewed,
    /// `host` or `x-bce-*` headers sent but left out of an explicit `signedHeaders` list
    /// (lower-case, sorted).
    #[error("There were headers present in the request which were not signed: {}", .0.join(", "))]
    HeadersNotSigned(Vec<String>),
}

/// A parsed authorization string; the fields are as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BceAuthorization<'a> {
    pub access_key: &'a str,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: &'a str,
    /// Decimal seconds, or `-1`.
    pub expiration: &'a str,
    /// `;`-separated header names; empty means the default set.
    pub signed_headers: &'a str,
    pub signature: &'a str,
    /// `timestamp` in unix seconds.
    pub signed_at: i64,
    /// `expiration` in seconds; `None` for `-1` (never expires).
    pub expires_in: Option<i64>,
}

impl BceAuthorization<'_> {
    /// `bce-auth-v1/{ak}/{timestamp}/{expiration}`, the message of the signing key.
    pub fn auth_string_prefix(&self) -> String {
        auth_string_prefix(self.access_key, self.timestamp, self.expiration)
    }
}

/// Whether a request carries a bce-auth-v1 signature: an `Authorization` header, or an
/// `authorization` query parameter (any case), starting with `bce-auth-v1/`.
pub fn is_bce(parts: &RequestParts) -> bool {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes().starts_with(AUTH_PREFIX));
    header
        || parts.query.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case(AUTHORIZATION) && value.as_bytes().starts_with(AUTH_PREFIX)
        })
}

/// Checks a request's authorization string against the one key pair the server accepts, its
/// time against `now`, then its signature, in that order.
pub fn authenticate(
    parts: &RequestParts,
    keys: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let authorization = authorization_string(parts)?.ok_or(AuthError::Anonymous)?;
    let auth = parse_authorization(authorization)?;
    check_headers_signed(parts, auth.signed_headers)?;
    let creds = keys
        .find(auth.access_key)
        .ok_or(AuthError::InvalidAccessKeyId)?;
    check_time(&auth, unix_seconds(now))?;
    let canonical_request = canonical_request(parts, auth.signed_headers);
    let key = signing_key(&creds.secret_key, &auth.auth_string_prefix());
    let expected = sign(&key, &canonical_request);
    let provided = auth.signature.to_ascii_lowercase();
    if bool::from(expected.as_bytes().ct_eq(provided.as_bytes())) {
        Ok(Authenticated {
            access_key: auth.access_key.to_owned(),
        })
    } else {
        Err(AuthError::SignatureDoesNotMatch { canonical_request })
    }
}

/// The `Authorization` header when present, otherwise the first `authorization` query parameter
/// (any case); `None` when neither is there.
fn authorization_string(parts: &RequestParts) -> Result<Option<&str>, AuthError> {
    if let Some(value) = parts.headers.get(http::header::AUTHORIZATION) {
        return std::str::from_utf8(value.as_bytes())
            .map(Some)
            .map_err(|_| malformed("the Authorization header is not UTF-8"));
    }
    Ok(parts
        .query
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(AUTHORIZATION))
        .map(|(_, value)| value.as_str()))
}

/// Splits `bce-auth-v1/{ak}/{timestamp}/{expiration}/{signedHeaders}/{signature}` and checks
/// the timestamp and expiration formats.
pub fn parse_authorization(value: &str) -> Result<BceAuthorization<'_>, AuthError> {
    let fields: Vec<&str> = value.splitn(7, '/').collect();
    let [
        version,
        access_key,
        timestamp,
        expiration,
        signed_headers,
        signature,
    ] = fields[..]
    else {
        return Err(malformed(
            "the authorization string is not `bce-auth-v1/{accessKeyId}/{timestamp}/\
             {expirationPeriodInSeconds}/{signedHeaders}/{signature}`",
        ));
    };
    if version != AUTH_VERSION {
        return Err(malformed(
            "the authorization string does not start with bce-auth-v1/",
        ));
    }
    if access_key.is_empty() {
        return Err(malformed("the authorization string has no access key id"));
    }
    if signature.is_empty() {
        return Err(malformed("the authorization string has no signature"));
    }
    let signed_at = crate::date::parse_iso8601_seconds(timestamp)
        .map(|t| t.as_second())
        .ok_or_else(|| {
            malformed("the authorization timestamp is not `YYYY-MM-DDTHH:MM:SSZ` (UTC)")
        })?;
    let expires_in = parse_expiration(expiration)?;
    Ok(BceAuthorization {
        access_key,
        timestamp,
        expiration,
        signed_headers,
        signature,
        signed_at,
        expires_in,
    })
}

/// Decimal seconds (`Some`), or `-1` for never (`None`).
fn parse_expiration(value: &str) -> Result<Option<i64>, AuthError> {
    if value == NEVER_EXPIRES {
        return Ok(None);
    }
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            "the authorization expiration is not a number of seconds or -1",
        ));
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| malformed("the authorization expiration is out of range"))
}

/// With an explicit `signed_headers` list, `host` and every `x-bce-*` header must be in it (the
/// default set, an empty list, covers them all); headers with an empty trimmed value are exempt.
fn check_headers_signed(parts: &RequestParts, signed_headers: &str) -> Result<(), AuthError> {
    let signed: Vec<String> = signed_headers
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    if signed.is_empty() {
        return Ok(());
    }
    let mut unsigned: Vec<String> = parts
        .headers
        .iter()
        .filter(|(name, value)| {
            let name = name.as_str();
            (name == "host" || name.starts_with(BCE_HEADER_PREFIX))
                && !value.as_bytes().trim_ascii().is_empty()
                && !signed.iter().any(|s| s == name)
        })
        .map(|(name, _)| name.as_str().to_owned())
        .collect();
    if unsigned.is_empty() {
        return Ok(());
    }
    unsigned.sort_unstable();
    unsigned.dedup();
    Err(AuthError::HeadersNotSigned(unsigned))
}

/// Too far in the future → skewed; past `timestamp + expiration` → expired.
fn check_time(auth: &BceAuthorization<'_>, now: i64) -> Result<(), AuthError> {
    if auth.signed_at.saturating_sub(now) > MAX_CLOCK_SKEW_SECS {
        return Err(AuthError::RequestTimeTooSkewed);
    }
    match auth.expires_in {
        Some(seconds) if now > auth.signed_at.saturating_add(seconds) => {
            Err(AuthError::RequestExpired)
        }
        _ => Ok(()),
    }
}

/// `bce-auth-v1/{ak}/{timestamp}/{expiration}`.
pub fn auth_string_prefix(access_key: &str, timestamp: &str, expiration: &str) -> String {
    format!("{AUTH_VERSION}/{access_key}/{timestamp}/{expiration}")
}

/// `METHOD\nCanonicalURI\nCanonicalQueryString\nCanonicalHeaders` (no trailing newline).
/// `signed_headers` is the authorization string's list as sent ("" for the default set).
pub fn canonical_request(parts: &RequestParts, signed_headers: &str) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        parts.method.as_str(),
        canonical_uri(parts),
        canonical_query(parts),
        canonical_headers(parts, signed_headers),
    )
}

/// The raw path (with `/v1` and any trailing slash) percent-decoded to bytes and re-encoded
/// with `E`, `/` kept; `+` stays `+` (→ `%2B`), never a space.
pub fn canonical_uri(parts: &RequestParts) -> String {
    if parts.raw_path.is_empty() {
        return "/".to_owned();
    }
    let bytes: Vec<u8> = percent_decode_str(&parts.raw_path).collect();
    percent_encode(&bytes, PATH).to_string()
}

/// Every query parameter but `authorization` (any case) as `E(name)=E(value)`, sorted
/// bytewise and joined with `&`.
pub fn canonical_query(parts: &RequestParts) -> String {
    let mut params: Vec<String> = parts
        .query
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case(AUTHORIZATION))
        .map(|(name, value)| {
            format!(
                "{}={}",
                uri_encode(name.as_bytes()),
                uri_encode(value.as_bytes())
            )
        })
        .collect();
    params.sort_unstable();
    params.join("&")
}

/// The signed headers as `E(name):E(trimmed value)`, sorted and joined with `\n`; headers that
/// are absent or whose trimmed value is empty are left out. `signed_headers` is the list as sent;
/// when it names nothing, the default set is signed: `host`, `content-length`, `content-type`,
/// `content-md5` and every `x-bce-*` header present. Values are the raw bytes (UTF-8 allowed);
/// of a repeated header, the first.
pub fn canonical_headers(parts: &RequestParts, signed_headers: &str) -> String {
    let mut names: Vec<String> = signed_headers
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        names = parts
            .headers
            .keys()
            .map(http::HeaderName::as_str)
            .filter(|name| {
                DEFAULT_SIGNED_HEADERS.contains(name) || name.starts_with(BCE_HEADER_PREFIX)
            })
            .map(str::to_owned)
            .collect();
    }
    names.sort_unstable();
    names.dedup();
    let mut entries: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let value = parts.headers.get(name.as_str())?.as_bytes().trim_ascii();
            (!value.is_empty())
                .then(|| format!("{}:{}", uri_encode(name.as_bytes()), uri_encode(value)))
        })
        .collect();
    entries.sort_unstable();
    entries.join("\n")
}

/// `E(x)`: the bytes with everything but `A-Z a-z 0-9 - . _ ~` as `%XX` (uppercase hex).
pub fn uri_encode(bytes: &[u8]) -> String {
    percent_encode(bytes, UNRESERVED).to_string()
}

/// Lower-case hex HMAC-SHA256(secret key, `bce-auth-v1/{ak}/{timestamp}/{expiration}`).
pub fn signing_key(secret_key: &str, auth_string_prefix: &str) -> String {
    crate::sigutil::hex_lower(&hmac_sha256(
        secret_key.as_bytes(),
        auth_string_prefix.as_bytes(),
    ))
}

/// Lower-case hex HMAC-SHA256(the signing key's 64 hex characters, canonical request).
pub fn sign(signing_key: &str, canonical_request: &str) -> String {
    crate::sigutil::hex_lower(&hmac_sha256(
        signing_key.as_bytes(),
        canonical_request.as_bytes(),
    ))
}

fn malformed(message: impl Into<String>) -> AuthError {
    AuthError::InvalidHttpAuthHeader(message.into())
}

#[cfg(test)]
#[path = "auth_signed_tests.rs"]
mod signed_tests;

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
