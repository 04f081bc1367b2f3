//! BOS request authentication: bce-auth-v1 (wire rules in `spec/bos.md` §2).
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
//! Checks run in the order of §2.4: parse (→ [`AuthError::InvalidHttpAuthHeader`],
//! [`AuthError::HeadersNotSigned`]), access key (→ [`AuthError::InvalidAccessKeyId`]), time (→
//! [`AuthError::RequestTimeTooSkewed`] / [`AuthError::RequestExpired`]), then signature (→
//! [`AuthError::SignatureDoesNotMatch`]).
//!
//! Everything is computed from what was sent: the raw path (decoded to bytes and re-encoded, so
//! `/v1` and a trailing slash stay in), the form-decoded query and the raw header bytes.

use crate::Keyring;
use crate::request::RequestParts;
use crate::sigutil::{hex, hmac_sha256, unix_seconds};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
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

/// `E(x)`: RFC 3986 unreserved characters stay; every other byte becomes `%XX` (uppercase).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// `E(x)` with `/` kept (the canonical URI).
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

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
/// time against `now`, then its signature (§2.4).
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
    let signed_at = parse_timestamp(timestamp).ok_or_else(|| {
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

/// `YYYY-MM-DDTHH:MM:SSZ`, exactly, and a real instant → unix seconds.
fn parse_timestamp(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        let digits = value.get(range)?;
        if !digits.bytes().all(|d| d.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let small = |range| number(range).and_then(|n| i8::try_from(n).ok());
    let date = jiff::civil::Date::new(number(0..4)?, small(5..7)?, small(8..10)?).ok()?;
    let time = jiff::civil::Time::new(small(11..13)?, small(14..16)?, small(17..19)?, 0).ok()?;
    let timestamp = jiff::tz::TimeZone::UTC
        .to_timestamp(date.to_datetime(time))
        .ok()?;
    Some(timestamp.as_second())
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
    percent_encode(&bytes, UNRESERVED_AND_SLASH).to_string()
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
    hex(&hmac_sha256(
        secret_key.as_bytes(),
        auth_string_prefix.as_bytes(),
    ))
}

/// Lower-case hex HMAC-SHA256(the signing key's 64 hex characters, canonical request).
pub fn sign(signing_key: &str, canonical_request: &str) -> String {
    hex(&hmac_sha256(
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
mod tests {
    use super::*;
    use crate::Credentials;
    use http::{HeaderMap, HeaderName, HeaderValue, Method};
    use std::time::Duration;
    use std::time::UNIX_EPOCH;

    fn creds(access_key: &str, secret_key: &str) -> Credentials {
        Credentials {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
        }
    }

    fn my_creds() -> Credentials {
        creds("myak", "mysk")
    }

    fn at(unix: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
    }

    /// A request as the front door builds it, from the URI as sent (raw bytes for values).
    fn request(method: Method, uri: &str, headers: &[(&str, &[u8])]) -> RequestParts {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        RequestParts::new(method, &uri.parse().unwrap(), map, &[]).unwrap()
    }

    fn with_authorization(mut parts: RequestParts, authorization: &str) -> RequestParts {
        parts.headers.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(authorization).unwrap(),
        );
        parts
    }

    fn is_malformed(result: Result<Authenticated, AuthError>) -> bool {
        matches!(result, Err(AuthError::InvalidHttpAuthHeader(_)))
    }

    // --- §2.5 test vectors ---

    const V1_TIME: i64 = 1430123029; // 2015-04-27T08:23:49Z
    const V1_SIGNATURE: &str = "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e";
    const V1_CANONICAL_REQUEST: &str = "PUT\n/v1/test/myfolder/readme.txt\n\
        partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\n\
        content-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\ncontent-type:text%2Fplain\n\
        host:bj.bcebos.com\nx-bce-date:2015-04-27T08%3A23%3A49Z";

    fn v1_creds() -> Credentials {
        creds(&"a".repeat(32), &"b".repeat(32))
    }

    fn v1_request(signed_headers: &str) -> RequestParts {
        let parts = request(
            Method::PUT,
            "/v1/test/myfolder/readme.txt?partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851",
            &[
                ("host", b"bj.bcebos.com"),
                ("date", b"Mon, 27 Apr 2015 16:23:49 +0800"),
                ("content-type", b"text/plain"),
                ("content-length", b"8"),
                ("content-md5", b"NFzcPqhviddjRNnSOGo4rw=="),
                ("x-bce-date", b"2015-04-27T08:23:49Z"),
            ],
        );
        let a32 = "a".repeat(32);
        with_authorization(
            parts,
            &format!("bce-auth-v1/{a32}/2015-04-27T08:23:49Z/1800/{signed_headers}/{V1_SIGNATURE}"),
        )
    }

    #[test]
    fn v1_official_doc_vector_with_default_signed_headers() {
        let parts = v1_request("");
        let prefix = auth_string_prefix(&"a".repeat(32), "2015-04-27T08:23:49Z", "1800");
        let key = signing_key(&"b".repeat(32), &prefix);
        assert_eq!(
            key,
            "1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"
        );
        assert_eq!(canonical_request(&parts, ""), V1_CANONICAL_REQUEST);
        assert_eq!(sign(&key, V1_CANONICAL_REQUEST), V1_SIGNATURE);
        assert!(is_bce(&parts));
        let auth = authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
        assert_eq!(auth.access_key, "a".repeat(32));
    }

    #[test]
    fn v1_official_doc_vector_with_the_five_headers_listed() {
        let signed = "content-length;content-md5;content-type;host;x-bce-date";
        let parts = v1_request(signed);
        assert_eq!(canonical_request(&parts, signed), V1_CANONICAL_REQUEST);
        authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
    }

    const V2_TIME: i64 = 1402639056; // 2014-06-13T05:57:36Z

    fn v2_request(authorization: &str) -> RequestParts {
        let parts = request(
            Method::PUT,
            "/v1/bucket/object1?A&b=&C=d",
            &[
                ("host", b"bce.baidu.com"),
                ("abc", b"123"),
                ("x-bce-meta-key1", b"ABC"),
            ],
        );
        with_authorization(parts, authorization)
    }

    #[test]
    fn v2_js_auth_spec_vector_with_listed_and_with_default_headers() {
        let signature = "80c9672aca2ea9af4bb40b9a8ff458d72df94e97d550840727f3a929af271d25";
        let js =
            format!("bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/host;x-bce-meta-key1/{signature}");
        let parts = v2_request(&js);
        assert_eq!(
            canonical_request(&parts, "host;x-bce-meta-key1"),
            "PUT\n/v1/bucket/object1\nA=&C=d&b=\nhost:bce.baidu.com\nx-bce-meta-key1:ABC"
        );
        assert_eq!(
            canonical_request(&parts, ""),
            canonical_request(&parts, "host;x-bce-meta-key1")
        );
        authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
        let python = format!("bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800//{signature}");
        let parts = v2_request(&python);
        authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
    }

    #[test]
    fn v3_js_auth_spec_delete_vector() {
        let parts = request(
            Method::DELETE,
            "/v1/test-bucket1361199862",
            &[
                ("content-type", b"application/json; charset=utf-8"),
                ("content-length", b"0"),
                ("user-agent", b"bce-sdk-nodejs/1.0.7"),
            ],
        );
        let signed = "content-length;content-type";
        assert_eq!(
            canonical_request(&parts, signed),
            "DELETE\n/v1/test-bucket1361199862\n\n\
             content-length:0\ncontent-type:application%2Fjson%3B%20charset%3Dutf-8"
        );
        let parts = with_authorization(
            parts,
            "bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/content-length;content-type/\
             c9386b15d585960ae5e6972f73ed92a9a682dc81025480ba5b41206d3e489822",
        );
        authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
    }

    const V4_TIME: i64 = 1700000000; // 2023-11-14T22:13:20Z

    fn multi_delete_request(extra: &[(&str, &[u8])]) -> RequestParts {
        let mut headers: Vec<(&str, &[u8])> = vec![
            ("host", b"127.0.0.1:8080"),
            ("content-length", b"55"),
            ("x-bce-date", b"2023-11-14T22:13:20Z"),
        ];
        headers.extend_from_slice(extra);
        request(Method::POST, "/my-bucket?delete=", &headers)
    }

    #[test]
    fn v4_python_multi_delete_vector() {
        let parts = multi_delete_request(&[]);
        let prefix = auth_string_prefix("myak", "2023-11-14T22:13:20Z", "1800");
        assert_eq!(
            signing_key("mysk", &prefix),
            "072689cf36581289e6481bd776b739a22ebe7e5b04c332239455c8bab7135f76"
        );
        assert_eq!(
            canonical_request(&parts, ""),
            "POST\n/my-bucket\ndelete=\ncontent-length:55\nhost:127.0.0.1%3A8080\n\
             x-bce-date:2023-11-14T22%3A13%3A20Z"
        );
        let parts = with_authorization(
            parts,
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
             2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b",
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    #[test]
    fn v5_js_multi_delete_vector() {
        let parts = multi_delete_request(&[("content-type", b"application/json; charset=UTF-8")]);
        let parts = with_authorization(
            parts,
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/content-length;content-type;host;\
             x-bce-date/e34eeedeca772fa36d4662d181c4f5c7d7643cd64dacd57c6bdc7bc4b0acc10a",
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    /// What curl sends when fetching a presigned URL.
    fn fetch(method: Method, url: &str) -> RequestParts {
        request(
            method,
            url,
            &[
                ("host", b"127.0.0.1:8080"),
                ("user-agent", b"curl/8.5.0"),
                ("accept", b"*/*"),
            ],
        )
    }

    const V6_URL: &str = "/my-bucket/dir/a%20b%2Bc~%21.txt?authorization=bce-auth-v1%2Fmyak%2F\
        2023-11-14T22%3A13%3A20Z%2F600%2F%2F\
        eb837d8285eba0200c30acfd1bf61dcfc67194c944ee99db70f8fee737b29e3b";

    #[test]
    fn v6_python_presigned_get_verifies_with_the_default_headers() {
        let parts = fetch(Method::GET, V6_URL);
        assert!(is_bce(&parts));
        assert_eq!(
            canonical_request(&parts, ""),
            "GET\n/my-bucket/dir/a%20b%2Bc~%21.txt\n\nhost:127.0.0.1%3A8080"
        );
        authenticate(&parts, &my_creds(), at(V4_TIME + 600)).unwrap();
        assert_eq!(
            authenticate(&parts, &my_creds(), at(V4_TIME + 601)),
            Err(AuthError::RequestExpired)
        );
    }

    #[test]
    fn v7_python_presigned_put_signs_host() {
        let mut parts = fetch(
            Method::PUT,
            "/my-bucket/k?authorization=bce-auth-v1%2Fmyak%2F2023-11-14T22%3A13%3A20Z%2F600%2F\
             host%2Fdcee30b1a8689f01f4096c67729054d76b9fe9c122e9056178fb52d7bbe30260",
        );
        parts
            .headers
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("11"));
        assert_eq!(
            canonical_request(&parts, "host"),
            "PUT\n/my-bucket/k\n\nhost:127.0.0.1%3A8080"
        );
        authenticate(&parts, &my_creds(), at(V4_TIME + 1)).unwrap();
    }

    #[test]
    fn v8_js_presigned_get_signs_the_v1_path() {
        let parts = fetch(
            Method::GET,
            "/v1/my-bucket/dir/a%20b%2Bc~%21.txt?authorization=bce-auth-v1%2Fmyak%2F\
             2023-11-14T22%3A13%3A20Z%2F600%2Fhost%2F\
             5ba9cc372a58fdfa83707a260f37a4199312b25d7b0f81bdb5318b5b68d4ced9",
        );
        assert_eq!(
            canonical_request(&parts, "host"),
            "GET\n/v1/my-bucket/dir/a%20b%2Bc~%21.txt\n\nhost:127.0.0.1%3A8080"
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    // --- SDK request shapes (signatures computed with an independent Python implementation) ---

    #[test]
    fn js_query_with_unreserved_characters_percent_encoded_in_the_url_verifies() {
        let parts = request(
            Method::GET,
            "/js-bucket?maxKeys=2&prefix=%7Ea%2Eb%2Dc%5Fd&delimiter=%2F",
            &[
                ("x-bce-date", b"2023-11-14T22:13:20Z"),
                ("connection", b"close"),
                ("content-type", b"application/json; charset=UTF-8"),
                ("host", b"127.0.0.1:8081"),
            ],
        );
        assert_eq!(
            canonical_query(&parts),
            "delimiter=%2F&maxKeys=2&prefix=~a.b-c_d"
        );
        let parts = with_authorization(
            parts,
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/content-type;host;x-bce-date/\
             7499a64614fc8dabb2df4f21eddcaf64ba0d89c6588686f33f78bebc44376695",
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    const JS_GET_SIGNATURE: &str =
        "0881c49833629322cc59aeccc937225453ee696c807e889437e4e11326ac8df8";

    fn js_get_with_empty_range(signed_headers: &str) -> RequestParts {
        let parts = request(
            Method::GET,
            "/js-bucket/k2",
            &[
                ("x-bce-date", b"2023-11-14T22:13:20Z"),
                ("connection", b"close"),
                ("content-type", b"application/json; charset=UTF-8"),
                ("host", b"127.0.0.1:8081"),
                ("range", b""),
            ],
        );
        with_authorization(
            parts,
            &format!(
                "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/{signed_headers}/{JS_GET_SIGNATURE}"
            ),
        )
    }

    #[test]
    fn empty_range_header_is_skipped_even_when_listed() {
        let parts = js_get_with_empty_range("content-type;host;x-bce-date");
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
        let listed = "content-type;host;range;x-bce-date";
        let parts = js_get_with_empty_range(listed);
        assert!(!canonical_headers(&parts, listed).contains("range"));
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    #[test]
    fn python_put_with_empty_signed_headers_signs_the_default_set_with_utf8_metadata() {
        let parts = request(
            Method::PUT,
            "/my-bucket/dir/a%20b%2Bc~%21.txt",
            &[
                ("content-length", b"11"),
                ("content-type", b"application/octet-stream"),
                ("x-bce-content-crc32", b"222957957"),
                ("x-bce-meta-foo", "bär".as_bytes()),
                ("user-agent", b"bce-sdk-python/0.9.79/3.12"),
                ("host", b"127.0.0.1:18080"),
                ("x-bce-date", b"2023-11-14T22:13:20Z"),
            ],
        );
        assert_eq!(
            canonical_headers(&parts, ""),
            "content-length:11\ncontent-type:application%2Foctet-stream\n\
             host:127.0.0.1%3A18080\nx-bce-content-crc32:222957957\n\
             x-bce-date:2023-11-14T22%3A13%3A20Z\nx-bce-meta-foo:b%C3%A4r"
        );
        let parts = with_authorization(
            parts,
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
             764ed7d84043b0eee75f877f921f67ee93053a811635271516d48d6b3a948bfa",
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    #[test]
    fn never_expiring_presigned_url_verifies_years_later() {
        let parts = fetch(
            Method::GET,
            "/my-bucket/k?authorization=bce-auth-v1%2Fmyak%2F2023-11-14T22%3A13%3A20Z%2F-1%2F%2F\
             12096534b02837f8477a9fe5cfb497c42c8052939dc8710cd6f9edaa34999840",
        );
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
        authenticate(&parts, &my_creds(), at(V4_TIME + 20 * 365 * 86400)).unwrap();
    }

    // --- Canonicalisation ---

    #[test]
    fn canonical_uri_re_encodes_the_raw_path_keeping_v1_slashes_and_plus() {
        let cases = [
            ("/", "/"),
            ("/b/", "/b/"),
            ("/v1/b/", "/v1/b/"),
            ("/b/a+b", "/b/a%2Bb"),
            ("/b/a%2bb%7e!%c3%a4", "/b/a%2Bb~%21%C3%A4"),
            ("/b/a%zz%", "/b/a%25zz%25"),
            ("/b/%FF", "/b/%FF"),
        ];
        for (raw, canonical) in cases {
            let mut parts = fetch(Method::GET, "/");
            parts.raw_path = raw.to_owned();
            assert_eq!(canonical_uri(&parts), canonical, "{raw}");
        }
    }

    #[test]
    fn differently_encoded_path_still_verifies() {
        // V6, with lowercase hex and an unescaped `!`.
        let url = V6_URL.replace("%2Bc~%21", "%2bc%7E!");
        let parts = fetch(Method::GET, &url);
        authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    }

    #[test]
    fn canonical_query_drops_authorization_in_any_case_and_keeps_empty_values() {
        let parts = fetch(
            Method::GET,
            "/b?uploads&prefix=&AUTHORIZATION=x&Authorization=y&a%20b=c+d&Z=%E4",
        );
        assert_eq!(
            canonical_query(&parts),
            "Z=%EF%BF%BD&a%20b=c%20d&prefix=&uploads="
        );
    }

    #[test]
    fn canonical_headers_take_lowercase_trimmed_names_from_the_list_once() {
        let parts = request(
            Method::GET,
            "/",
            &[
                ("host", b"h"),
                ("x-bce-a", b"a/b:c"),
                ("content-md5", b"MD5"),
            ],
        );
        assert_eq!(
            canonical_headers(&parts, " Host ;x-bce-a;host;;content-md5;missing"),
            "content-md5:MD5\nhost:h\nx-bce-a:a%2Fb%3Ac"
        );
    }

    #[test]
    fn python_unit_test_canonical_headers() {
        // test_client.py TestAuthorization: the empty header C is dropped.
        let parts = request(
            Method::GET,
            "/",
            &[
                ("host", b"localhost"),
                ("x-bce-a", b"a/b:c"),
                ("c", b""),
                ("content-md5", b"MD5"),
            ],
        );
        assert_eq!(
            canonical_headers(&parts, "host;content-md5;x-bce-a;c"),
            "content-md5:MD5\nhost:localhost\nx-bce-a:a%2Fb%3Ac"
        );
        assert_eq!(
            canonical_headers(&parts, ""),
            "content-md5:MD5\nhost:localhost\nx-bce-a:a%2Fb%3Ac"
        );
    }

    // --- Failures ---

    fn v4_authorization(expiration: &str, signed_headers: &str, signature: &str) -> String {
        format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/{expiration}/{signed_headers}/{signature}")
    }

    #[test]
    fn no_authorization_is_anonymous() {
        let parts = fetch(Method::GET, "/b/k?acl");
        assert!(!is_bce(&parts));
        assert_eq!(
            authenticate(&parts, &my_creds(), at(V4_TIME)),
            Err(AuthError::Anonymous)
        );
    }

    #[test]
    fn malformed_authorization_strings_are_invalid_http_auth_header() {
        let sig = "2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b";
        let bad = [
            String::new(),
            "Bearer x".to_owned(),
            "bce-auth-v1".to_owned(),
            "bce-auth-v1/".to_owned(),
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/".to_owned(),
            format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/{sig}"),
            format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//{sig}/extra"),
            format!("bce-auth-v2/myak/2023-11-14T22:13:20Z/1800//{sig}"),
            format!("BCE-AUTH-V1/myak/2023-11-14T22:13:20Z/1800//{sig}"),
            format!("bce-auth-v1//2023-11-14T22:13:20Z/1800//{sig}"),
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//".to_owned(),
            format!("bce-auth-v1/myak/2023-11-14 22:13:20Z/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-11-14T22:13:20/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-11-14T22:13:20.000Z/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-13-14T22:13:20Z/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-02-30T22:13:20Z/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-11-14T24:13:20Z/1800//{sig}"),
            format!("bce-auth-v1/myak/+023-11-14T22:13:20Z/1800//{sig}"),
            format!("bce-auth-v1/myak/2023-11-14Té:00:00Z/1800//{sig}"),
            v4_authorization("", "", sig),
            v4_authorization("abc", "", sig),
            v4_authorization("-2", "", sig),
            v4_authorization("+5", "", sig),
            v4_authorization("1.5", "", sig),
            v4_authorization("99999999999999999999", "", sig),
        ];
        for authorization in &bad {
            let parts = multi_delete_request(&[("authorization", authorization.as_bytes())]);
            assert!(
                is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))),
                "{authorization:?}"
            );
        }
    }

    #[test]
    fn non_utf8_authorization_header_is_malformed() {
        let parts = multi_delete_request(&[("authorization", b"bce-auth-v1/\xff/x")]);
        assert!(is_bce(&parts));
        assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
    }

    #[test]
    fn malformed_presigned_authorization_is_malformed() {
        let parts = fetch(Method::GET, "/b/k?Authorization=bce-auth-v1%2Fmyak");
        assert!(is_bce(&parts));
        assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
    }

    #[test]
    fn unknown_access_key_is_invalid_access_key_id() {
        let parts = v2_request(
            "bce-auth-v1/other/2014-06-13T05:57:36Z/1800//\
             80c9672aca2ea9af4bb40b9a8ff458d72df94e97d550840727f3a929af271d25",
        );
        assert_eq!(
            authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)),
            Err(AuthError::InvalidAccessKeyId)
        );
    }

    #[test]
    fn request_after_timestamp_plus_expiration_is_expired() {
        let parts = v1_request("");
        authenticate(&parts, &v1_creds(), at(V1_TIME + 1800)).unwrap();
        assert_eq!(
            authenticate(&parts, &v1_creds(), at(V1_TIME + 1801)),
            Err(AuthError::RequestExpired)
        );
    }

    #[test]
    fn timestamp_more_than_15_minutes_ahead_is_too_skewed() {
        let parts = v1_request("");
        authenticate(&parts, &v1_creds(), at(V1_TIME - 900)).unwrap();
        assert_eq!(
            authenticate(&parts, &v1_creds(), at(V1_TIME - 901)),
            Err(AuthError::RequestTimeTooSkewed)
        );
    }

    #[test]
    fn wrong_secret_or_tampered_request_does_not_match() {
        let parts = v1_request("");
        let Err(AuthError::SignatureDoesNotMatch { canonical_request }) =
            authenticate(&parts, &creds(&"a".repeat(32), "wrong"), at(V1_TIME))
        else {
            panic!("expected SignatureDoesNotMatch");
        };
        assert_eq!(canonical_request, V1_CANONICAL_REQUEST);
        let mut parts = v1_request("");
        parts.headers.insert(
            HeaderName::from_static("x-bce-meta-added"),
            HeaderValue::from_static("1"),
        );
        assert!(matches!(
            authenticate(&parts, &v1_creds(), at(V1_TIME)),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
        let mut parts = fetch(Method::GET, V6_URL);
        parts.method = Method::HEAD;
        assert!(matches!(
            authenticate(&parts, &my_creds(), at(V4_TIME)),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
    }

    #[test]
    fn uppercase_hex_signature_is_accepted() {
        let parts = v1_request("");
        let upper = V1_SIGNATURE.to_ascii_uppercase();
        let authorization = format!(
            "bce-auth-v1/{}/2015-04-27T08:23:49Z/1800//{upper}",
            "a".repeat(32)
        );
        let parts = with_authorization(parts, &authorization);
        authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
    }

    #[test]
    fn header_authorization_wins_over_the_query_parameter() {
        let parts = fetch(Method::GET, V6_URL);
        let parts = with_authorization(parts, "Bearer x");
        assert!(is_bce(&parts));
        assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
    }

    #[test]
    fn is_bce_needs_the_bce_auth_v1_prefix() {
        let parts = fetch(Method::GET, "/b?authorization=OSS+x");
        assert!(!is_bce(&parts));
        let parts = with_authorization(fetch(Method::GET, "/b"), "OSS ak:sig");
        assert!(!is_bce(&parts));
        let parts = with_authorization(fetch(Method::GET, "/b"), "bce-auth-v1/x");
        assert!(is_bce(&parts));
    }

    #[test]
    fn every_truncation_or_one_character_change_of_a_valid_authorization_is_refused() {
        let valid = "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
                     2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b";
        let check = |authorization: &str| {
            let parts = multi_delete_request(&[("authorization", authorization.as_bytes())]);
            authenticate(&parts, &my_creds(), at(V4_TIME))
        };
        check(valid).unwrap();
        for end in 0..valid.len() {
            assert!(check(&valid[..end]).is_err(), "{}", &valid[..end]);
        }
        for (i, original) in valid.char_indices() {
            for replacement in ['z', '/', '-', ' ', 'é'] {
                if original == replacement {
                    continue;
                }
                let mut changed = valid.to_owned();
                changed.replace_range(i..i + 1, replacement.encode_utf8(&mut [0; 4]));
                assert!(check(&changed).is_err(), "{changed}");
            }
        }
    }

    #[test]
    fn huge_and_extreme_inputs_do_not_panic() {
        let huge = format!("bce-auth-v1/{}/x", "/".repeat(100_000));
        let parts = with_authorization(fetch(Method::GET, "/b"), &huge);
        assert!(is_malformed(authenticate(&parts, &my_creds(), at(0))));
        let long_ak = format!(
            "bce-auth-v1/{}/2023-11-14T22:13:20Z/1800/{}/{}",
            "a".repeat(100_000),
            ";".repeat(100_000),
            "f".repeat(100_000)
        );
        let parts = with_authorization(fetch(Method::GET, "/b"), &long_ak);
        assert_eq!(
            authenticate(&parts, &my_creds(), at(V4_TIME)),
            Err(AuthError::InvalidAccessKeyId)
        );
        // Extreme timestamps and expirations against extreme clocks.
        for (timestamp, expiration) in [
            ("9999-12-31T23:59:59Z", "999999999999999999"),
            ("0000-01-01T00:00:00Z", "999999999999999999"),
            ("0000-01-01T00:00:00Z", "0"),
        ] {
            let authorization = format!("bce-auth-v1/myak/{timestamp}/{expiration}//00");
            let parts = with_authorization(fetch(Method::GET, "/b"), &authorization);
            for now in [
                UNIX_EPOCH,
                at(V4_TIME),
                SystemTime::UNIX_EPOCH - Duration::from_secs(1),
            ] {
                assert!(authenticate(&parts, &my_creds(), now).is_err());
            }
        }
        let parts = with_authorization(
            fetch(Method::GET, "/b"),
            "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/x-bce-\u{1F600};;/00",
        );
        assert!(authenticate(&parts, &my_creds(), at(V4_TIME)).is_err());
    }
}
