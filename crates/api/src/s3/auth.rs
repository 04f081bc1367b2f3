//! S3 request authentication: AWS Signature Version 4, in the `Authorization` header or in a
//! presigned URL's query.
//!
//! * Header — `Authorization: AWS4-HMAC-SHA256 Credential=<ak>/<yyyymmdd>/<region>/s3/aws4_request,
//!   SignedHeaders=<h1;h2;…>, Signature=<hex>`, plus `x-amz-date` (or `Date`) and the required
//!   `x-amz-content-sha256`,
//! * presigned — `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=…
//!   &X-Amz-SignedHeaders=…&X-Amz-Signature=…`.
//!
//! Any region is accepted in the credential scope (boto3 signs for `us-east-1` unless told
//! otherwise); the service must be `s3`. The canonical request follows botocore's S3 signer: the
//! path as sent, re-encoded segment by segment and never double-encoded; every query parameter
//! but `X-Amz-Signature` as `name=value` (valueless ones as `name=`), re-encoded and sorted; the
//! signed headers with trimmed values whose inner runs of blanks collapse to one space.
//!
//! Every `x-amz-*` header sent must be among the signed headers, as S3 requires (otherwise a
//! presigned PUT plus an unsigned `x-amz-copy-source` would become a copy of anything the signer
//! can read). The only exemptions are headers whose value the signature covers anyway:
//! `x-amz-content-sha256` when it is the payload hash in the canonical request (always, for
//! header auth), and, for header auth, `x-amz-date` (the string to sign's timestamp).
//! Presigned URLs carry their date in `X-Amz-Date` and their token in `X-Amz-Security-Token`
//! (query parameters, signed), so an `x-amz-date` or `x-amz-security-token` header is refused
//! there like any other.
//!
//! Checks run in this order: parse (→ [`AuthError::AuthorizationHeaderMalformed`],
//! [`AuthError::AuthorizationQueryParametersError`], [`AuthError::MissingSecurityHeader`],
//! [`AuthError::HeadersNotSigned`]), access key (→ [`AuthError::InvalidAccessKeyId`]),
//! signature (→ [`AuthError::SignatureDoesNotMatch`]), then time (→
//! [`AuthError::RequestTimeTooSkewed`], [`AuthError::Expired`], [`AuthError::NotYetValid`]), so
//! only a correctly signed request learns about the server's clock.
//!
//! What the signature says about the body is in [`Authenticated::payload`]: a digest the handler
//! must check the body against, `UNSIGNED-PAYLOAD`, or one of the `aws-chunked` streaming modes
//! that `super::chunked` decodes (with [`Authenticated::signing`] for the chunk signatures).

use crate::request::RequestParts;
use crate::sigutil::{
    ascii_digits, hex, hmac_sha256, parse_scope_date, parse_sha256_hex, unix_seconds,
};
use crate::{Credentials, Keyring};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
use sha2::{Digest as _, Sha256};
use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;
use subtle::ConstantTimeEq as _;

/// How far a header-signed request's time may be from the server's, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 15 * 60;
/// The longest lifetime a presigned URL may ask for (`X-Amz-Expires`), in seconds.
pub const MAX_PRESIGN_EXPIRES_SECS: u64 = 7 * 24 * 60 * 60;

/// The signing algorithm, in `Authorization`, `X-Amz-Algorithm` and the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// `x-amz-content-sha256` when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `x-amz-content-sha256` of an `aws-chunked` body with chunk signatures.
pub const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` of an `aws-chunked` body with chunk signatures and signed trailers.
pub const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` of an `aws-chunked` body without signatures, with trailers.
pub const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// Hex SHA-256 of nothing.
pub const EMPTY_SHA256_HEX: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const TERMINATOR: &str = "aws4_request";
const SERVICE: &str = "s3";
const SECRET_PREFIX: &str = "AWS4";

/// RFC 3986 unreserved characters stay; everything else becomes `%XX` (path segments and query
/// names and values alike; `/` is kept in paths by encoding segment by segment).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What the signature says about the request body (`x-amz-content-sha256`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// A hex digest: the body must hash to this (the handler checks; `BadDigest`-style
    /// `XAmzContentSHA256Mismatch` when it does not).
    Sha256([u8; 32]),
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an `aws-chunked` body with chunk signatures.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same plus a signed trailer section.
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an `aws-chunked` body without signatures, with
    /// trailers (boto3's default for streamed uploads with a checksum).
    StreamingUnsignedTrailer,
}

impl Payload {
    /// The meaning of an `x-amz-content-sha256` value; `None` for anything S3 refuses (the
    /// ECDSA/SigV4a streaming modes among them).
    pub fn parse(value: &str) -> Option<Payload> {
        match value {
            UNSIGNED_PAYLOAD => Some(Payload::Unsigned),
            STREAMING_SIGNED => Some(Payload::StreamingSigned),
            STREAMING_SIGNED_TRAILER => Some(Payload::StreamingSignedTrailer),
            STREAMING_UNSIGNED_TRAILER => Some(Payload::StreamingUnsignedTrailer),
            _ => parse_sha256_hex(value).map(Payload::Sha256),
        }
    }

    /// Whether the body is `aws-chunked` and must go through `super::chunked`.
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            Payload::StreamingSigned
                | Payload::StreamingSignedTrailer
                | Payload::StreamingUnsignedTrailer
        )
    }
}

/// What verifying `aws-chunked` chunk and trailer signatures needs: the request's signing key,
/// scope and time, and the signature that seeds the chain (the request's own).
#[derive(Clone, PartialEq, Eq)]
pub struct ChunkSigning {
    /// HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request").
    pub signing_key: [u8; 32],
    /// `<yyyymmdd>/<region>/s3/aws4_request`.
    pub scope: String,
    /// The request time as signed, `yyyymmddThhmmssZ`.
    pub amz_date: String,
    /// The request's signature, lower-case hex: the "previous signature" of the first chunk.
    pub seed_signature: String,
}

impl fmt::Debug for ChunkSigning {
    /// Never prints the signing key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigning")
            .field("signing_key", &"<redacted>")
            .field("scope", &self.scope)
            .field("amz_date", &self.amz_date)
            .field("seed_signature", &self.seed_signature)
            .finish()
    }
}

/// A request whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub access_key: String,
    pub payload: Payload,
    /// Set for [`Payload::StreamingSigned`] and [`Payload::StreamingSignedTrailer`] only.
    pub signing: Option<ChunkSigning>,
}

/// Why a request is not authenticated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No signature at all: allowed only where anonymous access is.
    #[error("Access Denied")]
    Anonymous,
    #[error("The AWS Access Key Id you provided does not exist in our records.")]
    InvalidAccessKeyId,
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method."
    )]
    SignatureDoesNotMatch {
        /// What the server signed.
        string_to_sign: String,
        /// What it hashed into the string to sign.
        canonical_request: String,
    },
    #[error("The difference between the request time and the current time is too large.")]
    RequestTimeTooSkewed,
    /// A presigned URL past `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired")]
    Expired,
    /// A presigned URL whose `X-Amz-Date` is more than [`MAX_CLOCK_SKEW_SECS`] ahead of the
    /// server's clock (S3: 403 `AccessDenied`, "Request is not yet valid").
    #[error("Request is not yet valid")]
    NotYetValid,
    /// `x-amz-*` headers that the signature does not cover (lower-case, sorted).
    #[error("There were headers present in the request which were not signed")]
    HeadersNotSigned(Vec<String>),
    /// An `Authorization` header, credential, date or `x-amz-content-sha256` that cannot be
    /// used.
    #[error("{0}")]
    AuthorizationHeaderMalformed(String),
    /// Presign parameters that are missing or cannot be used.
    #[error("{0}")]
    AuthorizationQueryParametersError(String),
    /// A header-signed request without `x-amz-content-sha256`.
    #[error("Missing required header for this request: x-amz-content-sha256")]
    MissingSecurityHeader,
}

/// Whether a request carries (or tries to carry) a SigV4 signature: an `AWS4-HMAC-SHA256`
/// `Authorization` header, or `X-Amz-Algorithm=AWS4-HMAC-SHA256` / `X-Amz-Signature` in the
/// query.
pub fn is_sigv4(parts: &RequestParts) -> bool {
    header_auth(parts)
        || parts.query("X-Amz-Algorithm") == Some(ALGORITHM)
        || parts.has_query("X-Amz-Signature")
}

/// Checks a request's signature against the one key pair the server accepts, and its time
/// against `now`.
///
/// A request with neither an `Authorization` header nor presign parameters is
/// [`AuthError::Anonymous`]; one with a non-SigV4 `Authorization` header (SigV2's `AWS …`,
/// anything else) is [`AuthError::AuthorizationHeaderMalformed`].
pub fn authenticate(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let now = unix_seconds(now);
    let presign_params = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"];
    let query_auth = presign_params.iter().any(|p| parts.has_query(p));
    match (header_auth(parts), query_auth) {
        (true, true) => Err(query_error(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified",
        )),
        (true, false) => authenticate_header(parts, creds, now),
        (false, true) => authenticate_presigned(parts, creds, now),
        (false, false) if parts.headers.contains_key(http::header::AUTHORIZATION) => Err(
            header_error("Unsupported Authorization Type: only AWS4-HMAC-SHA256 is accepted"),
        ),
        (false, false) => Err(AuthError::Anonymous),
    }
}

fn header_auth(parts: &RequestParts) -> bool {
    parts
        .headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(ALGORITHM.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Header and presigned authentication

fn authenticate_header(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let authorization = header_str(parts, "authorization")?.unwrap_or_default();
    let auth = parse_authorization(authorization)?;
    let (timestamp, request_time) = request_time(parts)?;
    if auth.credential.date != &timestamp[..8] {
        return Err(header_error(format!(
            "Invalid credential date \"{}\". This date is not the same as X-Amz-Date: \"{}\".",
            auth.credential.date,
            &timestamp[..8]
        )));
    }
    check_signed_headers(auth.signed_headers).map_err(header_error)?;
    let hashed_payload =
        header_str(parts, "x-amz-content-sha256")?.ok_or(AuthError::MissingSecurityHeader)?;
    let payload = Payload::parse(hashed_payload).ok_or_else(|| {
        header_error(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, \
             STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or \
             a valid sha256 value.",
        )
    })?;
    check_amz_headers_signed(
        parts,
        auth.signed_headers,
        &[
            ("x-amz-content-sha256", hashed_payload),
            ("x-amz-date", &timestamp),
        ],
    )?;
    let creds = check_access_key(auth.credential.access_key, creds)?;
    let canonical_request = canonical_request(parts, auth.signed_headers, hashed_payload, false);
    let signing = verify(
        creds,
        &auth.credential,
        &timestamp,
        canonical_request,
        auth.signature,
    )?;
    if request_time.abs_diff(now) > MAX_CLOCK_SKEW_SECS {
        return Err(AuthError::RequestTimeTooSkewed);
    }
    Ok(authenticated(&auth.credential, payload, signing))
}

fn authenticate_presigned(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: i64,
) -> Result<Authenticated, AuthError> {
    let algorithm = required_query(parts, "X-Amz-Algorithm")?;
    let credential = required_query(parts, "X-Amz-Credential")?;
    let timestamp = required_query(parts, "X-Amz-Date")?;
    let expires = required_query(parts, "X-Amz-Expires")?;
    let signed_headers = required_query(parts, "X-Amz-SignedHeaders")?;
    let provided = required_query(parts, "X-Amz-Signature")?;
    if algorithm != ALGORITHM {
        return Err(query_error(
            "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
        ));
    }
    let credential = parse_credential(credential).map_err(|e| match e {
        AuthError::AuthorizationHeaderMalformed(m) => {
            AuthError::AuthorizationQueryParametersError(m)
        }
        other => other,
    })?;
    let signed_at = parse_amz_date(timestamp).ok_or_else(|| {
        query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    })?;
    if credential.date != &timestamp[..8] {
        return Err(query_error(format!(
            "Invalid credential date \"{}\". This date is not the same as X-Amz-Date: \"{}\".",
            credential.date,
            &timestamp[..8]
        )));
    }
    let expires = parse_expires(expires)?;
    check_signed_headers(signed_headers).map_err(query_error)?;
    let hashed_payload = match parts.query("X-Amz-Content-Sha256") {
        Some(value) => Some(value),
        None => header_str(parts, "x-amz-content-sha256")?,
    }
    .unwrap_or(UNSIGNED_PAYLOAD);
    let payload = Payload::parse(hashed_payload).ok_or_else(|| {
        query_error("X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
    })?;
    check_amz_headers_signed(
        parts,
        signed_headers,
        &[("x-amz-content-sha256", hashed_payload)],
    )?;
    let creds = check_access_key(credential.access_key, creds)?;
    let canonical_request = canonical_request(parts, signed_headers, hashed_payload, true);
    let signing = verify(creds, &credential, timestamp, canonical_request, provided)?;
    if now > signed_at.saturating_add(expires) {
        return Err(AuthError::Expired);
    }
    if signed_at.saturating_sub(now) > MAX_CLOCK_SKEW_SECS as i64 {
        return Err(AuthError::NotYetValid);
    }
    Ok(authenticated(&credential, payload, signing))
}

/// Signs `canonical_request` with the credential's scope and compares with `provided` (in
/// constant time). Returns what chunk signatures need.
fn verify(
    creds: &Credentials,
    credential: &Credential<'_>,
    timestamp: &str,
    canonical_request: String,
    provided: &str,
) -> Result<ChunkSigning, AuthError> {
    let scope = credential.scope();
    let string_to_sign = string_to_sign(timestamp, &scope, &canonical_request);
    let signing_key = signing_key(
        &creds.secret_key,
        credential.date,
        credential.region,
        SERVICE,
    );
    let expected = hex(&hmac_sha256(&signing_key, string_to_sign.as_bytes()));
    if !signatures_match(&expected, provided) {
        return Err(AuthError::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request,
        });
    }
    Ok(ChunkSigning {
        signing_key,
        scope,
        amz_date: timestamp.to_owned(),
        seed_signature: expected,
    })
}

fn authenticated(
    credential: &Credential<'_>,
    payload: Payload,
    signing: ChunkSigning,
) -> Authenticated {
    let chunk_signed = matches!(
        payload,
        Payload::StreamingSigned | Payload::StreamingSignedTrailer
    );
    Authenticated {
        access_key: credential.access_key.to_owned(),
        payload,
        signing: chunk_signed.then_some(signing),
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub credential: Credential<'a>,
    /// The `SignedHeaders` list as sent.
    pub signed_headers: &'a str,
    pub signature: &'a str,
}

/// `<ak>/<yyyymmdd>/<region>/s3/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential<'a> {
    pub access_key: &'a str,
    pub date: &'a str,
    pub region: &'a str,
}

impl Credential<'_> {
    /// `<yyyymmdd>/<region>/s3/aws4_request`.
    pub fn scope(&self) -> String {
        format!("{}/{}/{SERVICE}/{TERMINATOR}", self.date, self.region)
    }
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (fields in any order,
/// spaces after the commas optional).
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, AuthError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with([' ', '\t']))
        .ok_or_else(|| header_error("The authorization header is not `AWS4-HMAC-SHA256 …`"))?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in rest.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').ok_or_else(|| {
            header_error(format!(
                "The authorization header is malformed; the field {field:?} is not name=value."
            ))
        })?;
        match name.trim() {
            "Credential" => credential = Some(value.trim()),
            "SignedHeaders" => signed_headers = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            _ => {}
        }
    }
    let missing = |what: &str| {
        header_error(format!(
            "The authorization header is malformed; it has no {what}."
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Signature"))?;
    Ok(Authorization {
        credential: parse_credential(credential)?,
        signed_headers,
        signature,
    })
}

/// `<ak>/<yyyymmdd>/<region>/s3/aws4_request`; any region is accepted, the service must be `s3`.
pub fn parse_credential(value: &str) -> Result<Credential<'_>, AuthError> {
    let bad = || {
        header_error(
            "The authorization header is malformed; the Credential is mal-formed; expecting \
             \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
        )
    };
    let mut fields = value.rsplitn(5, '/');
    let (Some(terminator), Some(service), Some(region), Some(date), Some(access_key)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(bad());
    };
    if access_key.is_empty() || region.is_empty() || parse_scope_date(date).is_none() {
        return Err(bad());
    }
    if terminator != TERMINATOR {
        return Err(header_error(format!(
            "The authorization header is malformed; incorrect terminal \"{terminator}\". This \
             endpoint uses \"aws4_request\"."
        )));
    }
    if service != SERVICE {
        return Err(header_error(format!(
            "The authorization header is malformed; incorrect service \"{service}\". This \
             endpoint belongs to \"s3\"."
        )));
    }
    Ok(Credential {
        access_key,
        date,
        region,
    })
}

/// The `SignedHeaders` list must name `host` and nothing empty.
fn check_signed_headers(signed_headers: &str) -> Result<(), String> {
    let names: Vec<&str> = signed_headers.split(';').collect();
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(format!("SignedHeaders {signed_headers:?} is malformed."));
    }
    if !names.iter().any(|n| n.trim().eq_ignore_ascii_case("host")) {
        return Err("SignedHeaders must include host.".to_owned());
    }
    Ok(())
}

/// Refuses a request with an `x-amz-*` header that `signed_headers` does not name, unless the
/// header is one of `covered`: (name, the value the string to sign carries), and every value
/// it was sent with is that one.
fn check_amz_headers_signed(
    parts: &RequestParts,
    signed_headers: &str,
    covered: &[(&str, &str)],
) -> Result<(), AuthError> {
    let signed: Vec<String> = signed_headers
        .split(';')
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut unsigned: Vec<String> = parts
        .headers
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| name.starts_with("x-amz-") && !signed.iter().any(|s| s == name))
        .filter(|name| {
            !covered.iter().any(|(covered, value)| {
                covered == name
                    && parts
                        .headers
                        .get_all(*name)
                        .iter()
                        .all(|v| v.as_bytes() == value.as_bytes())
            })
        })
        .map(str::to_owned)
        .collect();
    if unsigned.is_empty() {
        return Ok(());
    }
    unsigned.sort_unstable();
    Err(AuthError::HeadersNotSigned(unsigned))
}

/// The time a header-signed request was signed at: `x-amz-date` (`yyyymmddThhmmssZ`), else the
/// `Date` header (RFC 2822 / HTTP date), as the string-to-sign timestamp and unix seconds.
fn request_time(parts: &RequestParts) -> Result<(String, i64), AuthError> {
    let invalid = || header_error("AWS authentication requires a valid Date or x-amz-date header");
    if let Some(value) = header_str(parts, "x-amz-date")? {
        let seconds = parse_amz_date(value).ok_or_else(invalid)?;
        return Ok((value.to_owned(), seconds));
    }
    let value = header_str(parts, "date")?.ok_or_else(invalid)?;
    let seconds = parse_http_date(value).ok_or_else(invalid)?;
    Ok((format_amz_date(seconds).ok_or_else(invalid)?, seconds))
}

/// `X-Amz-Expires`: whole seconds, 1 to 604800.
fn parse_expires(value: &str) -> Result<i64, AuthError> {
    if value.starts_with('-') {
        return Err(query_error("X-Amz-Expires must be non-negative"));
    }
    let seconds = ascii_digits(value, value.len())
        .filter(|_| !value.is_empty())
        .ok_or_else(|| query_error("X-Amz-Expires should be a number"))?;
    if seconds == 0 {
        return Err(query_error("X-Amz-Expires must be at least 1 second"));
    }
    if seconds > MAX_PRESIGN_EXPIRES_SECS {
        return Err(query_error(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ));
    }
    Ok(i64::try_from(seconds).unwrap_or(i64::MAX))
}

// ---------------------------------------------------------------------------------------------
// Canonical request and signing

/// The canonical request. `signed_headers` is the `SignedHeaders` list as sent; `presigned`
/// leaves `X-Amz-Signature` out of the canonical query.
pub fn canonical_request(
    parts: &RequestParts,
    signed_headers: &str,
    hashed_payload: &str,
    presigned: bool,
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{signed_headers}\n{hashed_payload}",
        parts.method.as_str(),
        canonical_uri(&parts.raw_path),
        canonical_query(&parts.query, presigned),
        canonical_headers(parts, signed_headers),
    )
}

/// The path as sent, each `/`-separated segment percent-decoded and re-encoded with only RFC
/// 3986 unreserved characters kept — so `%20`, `%24` and a bare `$` all come out as sent by
/// botocore, and nothing is encoded twice. `/` for an empty path.
pub fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    let segments: Vec<String> = raw_path
        .split('/')
        .map(|segment| {
            let bytes: Cow<'_, [u8]> = percent_decode_str(segment).into();
            percent_encode(&bytes, ENCODE).to_string()
        })
        .collect();
    segments.join("/")
}

/// Every query parameter (but `X-Amz-Signature` when `presigned`) as `name=value`, names and
/// values URI-encoded, sorted by name then value.
pub fn canonical_query(query: &[(String, String)], presigned: bool) -> String {
    let mut params: Vec<(String, String)> = query
        .iter()
        .filter(|(name, _)| !(presigned && name == "X-Amz-Signature"))
        .map(|(name, value)| {
            (
                percent_encode(name.as_bytes(), ENCODE).to_string(),
                percent_encode(value.as_bytes(), ENCODE).to_string(),
            )
        })
        .collect();
    params.sort_unstable();
    let params: Vec<String> = params
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    params.join("&")
}

/// `name:value\n` for each header in `signed_headers` (in that order), names lower-cased, each
/// value trimmed with inner runs of blanks collapsed, repeated headers joined with `,`.
///
/// Values that are not UTF-8 are read as Latin-1, which is how Python's `http.client` puts
/// botocore's (UTF-8-signed) header strings on the wire.
pub fn canonical_headers(parts: &RequestParts, signed_headers: &str) -> String {
    let mut out = String::new();
    for name in signed_headers.split(';') {
        let name = name.trim().to_ascii_lowercase();
        let values: Vec<String> = parts
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|value| collapse_blanks(&header_text(value.as_bytes())))
            .collect();
        out.push_str(&name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &str) -> String {
    let hash = Sha256::digest(canonical_request.as_bytes());
    format!("{ALGORITHM}\n{timestamp}\n{scope}\n{}", hex(&hash))
}

/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
pub fn signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_secret = format!("{SECRET_PREFIX}{secret_key}");
    let k_date = hmac_sha256(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

/// Lower-case hex HMAC-SHA256(signing key, string to sign).
pub fn sign(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Constant-time comparison of an expected lower-case hex signature with a provided one
/// (either case; lengths may differ).
pub(crate) fn signatures_match(expected: &str, provided: &str) -> bool {
    let provided = provided.to_ascii_lowercase();
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

// ---------------------------------------------------------------------------------------------
// Shared

/// A header's first value, or `None` when absent; malformed when it is not UTF-8.
fn header_str<'a>(parts: &'a RequestParts, name: &str) -> Result<Option<&'a str>, AuthError> {
    parts
        .headers
        .get(name)
        .map(|value| {
            std::str::from_utf8(value.as_bytes())
                .map_err(|_| header_error(format!("The {name} header is not UTF-8.")))
        })
        .transpose()
}

fn header_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().copied().map(char::from).collect()),
    }
}

/// Trims spaces and tabs and turns every inner run of them into one space.
fn collapse_blanks(value: &str) -> String {
    value
        .split([' ', '\t'])
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn required_query<'a>(parts: &'a RequestParts, name: &str) -> Result<&'a str, AuthError> {
    parts.query_nonempty(name).ok_or_else(|| {
        query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and \
             X-Amz-Expires parameters.",
        )
    })
}

fn check_access_key<'k>(
    access_key: &str,
    keys: &'k dyn Keyring,
) -> Result<&'k Credentials, AuthError> {
    keys.find(access_key).ok_or(AuthError::InvalidAccessKeyId)
}

/// `yyyymmddThhmmssZ` → unix seconds.
pub fn parse_amz_date(value: &str) -> Option<i64> {
    let (date, time) = value.strip_suffix('Z')?.split_once('T')?;
    let date = parse_scope_date(date)?;
    let hms = ascii_digits(time, 6)?;
    let hour = i8::try_from(hms / 10_000).ok()?;
    let minute = i8::try_from(hms / 100 % 100).ok()?;
    let second = i8::try_from(hms % 100).ok()?;
    let time = jiff::civil::Time::new(hour, minute, second, 0).ok()?;
    let timestamp = jiff::tz::TimeZone::UTC
        .to_timestamp(date.to_datetime(time))
        .ok()?;
    Some(timestamp.as_second())
}

/// Unix seconds → `yyyymmddThhmmssZ`.
fn format_amz_date(seconds: i64) -> Option<String> {
    let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
    let dt = jiff::tz::TimeZone::UTC.to_datetime(timestamp);
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ))
}

/// An RFC 2822 date (`Sat, 21 Nov 2026 13:20:05 -0000` as botocore writes it, or `… GMT`), or any
/// HTTP date form, → unix seconds.
fn parse_http_date(value: &str) -> Option<i64> {
    static RFC2822: jiff::fmt::rfc2822::DateTimeParser =
        jiff::fmt::rfc2822::DateTimeParser::new().relaxed_weekday(true);
    RFC2822
        .parse_timestamp(value)
        .map(|t| t.as_second())
        .ok()
        .or_else(|| httpdate::parse_http_date(value).ok().map(unix_seconds))
}

fn header_error(message: impl Into<String>) -> AuthError {
    AuthError::AuthorizationHeaderMalformed(message.into())
}

fn query_error(message: impl Into<String>) -> AuthError {
    AuthError::AuthorizationQueryParametersError(message.into())
}

#[cfg(test)]
#[path = "auth_signed_tests.rs"]
mod signed_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderName, HeaderValue, Method};
    use std::time::Duration;
    use std::time::UNIX_EPOCH;

    /// The AWS documentation's example key pair.
    fn aws_creds() -> Credentials {
        Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    /// s3-tests' main user, which the botocore vectors below are signed with.
    fn s3tests_creds() -> Credentials {
        Credentials {
            access_key: "0555b35654ad1656d804".into(),
            secret_key: "h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==".into(),
        }
    }

    fn at(unix: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
    }

    /// 2013-05-24T00:00:00Z, the time of every AWS documentation example.
    const AWS_EXAMPLE_TIME: i64 = 1_369_353_600;
    /// 2026-11-21T13:20:05Z, the time the botocore vectors were signed at.
    const BOTO_TIME: i64 = 1_795_267_205;

    /// A request as the front door would split it (`target` is path and query as sent).
    fn request(method: Method, target: &str, headers: &[(&str, &str)]) -> RequestParts {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        RequestParts::new(method, &target.parse().unwrap(), map, &[]).unwrap()
    }

    fn set_header(parts: &mut RequestParts, name: &'static str, value: &str) {
        parts
            .headers
            .insert(name, HeaderValue::from_str(value).unwrap());
    }

    /// Signs `parts` (header auth) with `creds` for `region`, at `timestamp`.
    fn sign_header(parts: &mut RequestParts, creds: &Credentials, timestamp: &str, signed: &str) {
        let payload = parts.header("x-amz-content-sha256").unwrap().to_owned();
        let canonical = canonical_request(parts, signed, &payload, false);
        let scope = format!("{}/us-east-1/s3/aws4_request", &timestamp[..8]);
        let key = signing_key(&creds.secret_key, &timestamp[..8], "us-east-1", "s3");
        let signature = sign(&key, &string_to_sign(timestamp, &scope, &canonical));
        set_header(
            parts,
            "authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, \
                 Signature={signature}",
                creds.access_key
            ),
        );
    }

    // --- AWS documentation: "Signature Calculations for the Authorization Header: Transferring
    // Payload in a Single Chunk" ---

    fn aws_get_object(signature: &str) -> RequestParts {
        request(
            Method::GET,
            "/test.txt",
            &[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("range", "bytes=0-9"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
                ("x-amz-date", "20130524T000000Z"),
                (
                    "authorization",
                    &format!(
                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                         aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
                         Signature={signature}"
                    ),
                ),
            ],
        )
    }

    const AWS_GET_OBJECT_SIGNATURE: &str =
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

    #[test]
    fn aws_example_get_object_with_range() {
        let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        assert!(is_sigv4(&parts));
        let canonical = canonical_request(
            &parts,
            "host;range;x-amz-content-sha256;x-amz-date",
            EMPTY_SHA256_HEX,
            false,
        );
        assert_eq!(
            canonical,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
             x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            string_to_sign(
                "20130524T000000Z",
                "20130524/us-east-1/s3/aws4_request",
                &canonical
            ),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
             7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        );
        let auth = authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
        assert_eq!(
            auth,
            Authenticated {
                access_key: "AKIAIOSFODNN7EXAMPLE".into(),
                payload: Payload::Sha256(Sha256::digest(b"").into()),
                signing: None,
            }
        );
    }

    #[test]
    fn aws_example_put_object_signs_date_and_storage_class() {
        let body = b"Welcome to Amazon S3.";
        for path in ["/test%24file.text", "/test$file.text"] {
            let parts = request(
                Method::PUT,
                path,
                &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                    ("x-amz-date", "20130524T000000Z"),
                    ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                    (
                        "x-amz-content-sha256",
                        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
                    ),
                    (
                        "authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                         aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;\
                         x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
                    ),
                ],
            );
            assert_eq!(canonical_uri(&parts.raw_path), "/test%24file.text");
            let auth = authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
            assert_eq!(auth.payload, Payload::Sha256(Sha256::digest(body).into()));
        }
    }

    #[test]
    fn aws_example_get_bucket_lifecycle_signs_a_valueless_parameter_as_name_equals() {
        let parts = request(
            Method::GET,
            "/?lifecycle",
            &[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                     aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,\
                     Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
                ),
            ],
        );
        assert_eq!(canonical_query(&parts.query, false), "lifecycle=");
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
    }

    #[test]
    fn aws_example_list_objects_sorts_the_query() {
        let parts = request(
            Method::GET,
            "/?prefix=J&max-keys=2",
            &[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                     aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,\
                     Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
                ),
            ],
        );
        assert_eq!(canonical_query(&parts.query, false), "max-keys=2&prefix=J");
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
    }

    // --- AWS documentation: "Authenticating Requests: Using Query Parameters" ---

    const AWS_PRESIGNED: &str = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\
        AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z\
        &X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=\
        aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    fn aws_presigned(target: &str) -> RequestParts {
        request(
            Method::GET,
            target,
            &[("host", "examplebucket.s3.amazonaws.com")],
        )
    }

    #[test]
    fn aws_example_presigned_get() {
        let parts = aws_presigned(AWS_PRESIGNED);
        assert!(is_sigv4(&parts));
        assert_eq!(
            canonical_query(&parts.query, true),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F\
             us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&\
             X-Amz-SignedHeaders=host"
        );
        let auth = authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 3600)).unwrap();
        assert_eq!(auth.payload, Payload::Unsigned);
        assert_eq!(auth.signing, None);
    }

    #[test]
    fn presigned_url_expires_after_date_plus_expires() {
        let parts = aws_presigned(AWS_PRESIGNED);
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 86400)).unwrap();
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 86401)),
            Err(AuthError::Expired)
        );
        // Signed well in the future of the server's clock.
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME - 900)).unwrap();
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME - 901)),
            Err(AuthError::NotYetValid)
        );
    }

    #[test]
    fn presigned_expires_outside_one_second_to_a_week_is_refused() {
        for expires in ["0", "604801", "-1", "ten", "99999999999999999999999"] {
            let target =
                AWS_PRESIGNED.replace("X-Amz-Expires=86400", &format!("X-Amz-Expires={expires}"));
            let parts = aws_presigned(&target);
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::AuthorizationQueryParametersError(_))
                ),
                "{expires}"
            );
        }
        let week = AWS_PRESIGNED.replace("X-Amz-Expires=86400", "X-Amz-Expires=604800");
        // Well-formed, so it gets as far as the signature (which covers X-Amz-Expires).
        assert!(matches!(
            authenticate(&aws_presigned(&week), &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
    }

    #[test]
    fn presigned_without_a_parameter_or_with_another_algorithm_is_refused() {
        for param in [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
        ] {
            let mut parts = aws_presigned(AWS_PRESIGNED);
            parts.query.retain(|(k, _)| k != param);
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::AuthorizationQueryParametersError(_))
                ),
                "{param}"
            );
        }
        let target = AWS_PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
        assert!(matches!(
            authenticate(&aws_presigned(&target), &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::AuthorizationQueryParametersError(_))
        ));
    }

    #[test]
    fn presigned_with_a_tampered_parameter_does_not_match() {
        let target = format!("{AWS_PRESIGNED}&versionId=null");
        let err = authenticate(&aws_presigned(&target), &aws_creds(), at(AWS_EXAMPLE_TIME));
        assert!(
            matches!(&err, Err(AuthError::SignatureDoesNotMatch { canonical_request, .. })
                if canonical_request.contains("&versionId=null\n")),
            "{err:?}"
        );
    }

    #[test]
    fn presigned_and_header_auth_together_are_refused() {
        let mut parts = aws_presigned(AWS_PRESIGNED);
        let header = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        parts.headers = header.headers;
        assert!(matches!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::AuthorizationQueryParametersError(_))
        ));
    }

    // --- AWS documentation: chunked uploads (seed signatures) ---

    fn aws_chunked_put(
        content_sha256: &str,
        extra: &[(&str, &str)],
        authorization: &str,
    ) -> RequestParts {
        let mut headers = vec![
            ("host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", content_sha256),
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("authorization", authorization),
        ];
        headers.extend_from_slice(extra);
        request(Method::PUT, "/examplebucket/chunkObject.txt", &headers)
    }

    /// The request of "Signature Calculations for the Authorization Header: Transferring Payload
    /// in Multiple Chunks".
    fn aws_chunked_example() -> RequestParts {
        aws_chunked_put(
            STREAMING_SIGNED,
            &[("content-length", "66824")],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
             x-amz-decoded-content-length;x-amz-storage-class,\
             Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        )
    }

    /// The request of "Signature calculations for trailing headers (chunked uploads)".
    fn aws_chunked_trailer_example() -> RequestParts {
        aws_chunked_put(
            STREAMING_SIGNED_TRAILER,
            &[("x-amz-trailer", "x-amz-checksum-crc32c")],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;\
             x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,\
             Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
        )
    }

    #[test]
    fn aws_example_chunked_upload_seed_signature() {
        let auth =
            authenticate(&aws_chunked_example(), &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
        assert_eq!(auth.payload, Payload::StreamingSigned);
        let signing = auth.signing.unwrap();
        assert_eq!(
            signing.seed_signature,
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        );
        assert_eq!(signing.scope, "20130524/us-east-1/s3/aws4_request");
        assert_eq!(signing.amz_date, "20130524T000000Z");
        assert_eq!(
            signing.signing_key,
            signing_key(&aws_creds().secret_key, "20130524", "us-east-1", "s3")
        );
        assert!(!format!("{signing:?}").contains("signing_key: ["));
    }

    #[test]
    fn aws_example_chunked_upload_with_trailer_seed_signature() {
        let auth = authenticate(
            &aws_chunked_trailer_example(),
            &aws_creds(),
            at(AWS_EXAMPLE_TIME),
        )
        .unwrap();
        assert_eq!(auth.payload, Payload::StreamingSignedTrailer);
        assert_eq!(
            auth.signing.unwrap().seed_signature,
            "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
        );
    }

    #[test]
    fn unsigned_trailer_payload_needs_no_chunk_signing() {
        let mut parts = request(
            Method::PUT,
            "/b/k",
            &[
                ("host", "localhost:9000"),
                ("x-amz-date", "20261121T132005Z"),
                ("x-amz-content-sha256", STREAMING_UNSIGNED_TRAILER),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
            ],
        );
        let creds = s3tests_creds();
        sign_header(
            &mut parts,
            &creds,
            "20261121T132005Z",
            "host;x-amz-content-sha256;x-amz-date;x-amz-trailer",
        );
        let auth = authenticate(&parts, &creds, at(BOTO_TIME)).unwrap();
        assert_eq!(auth.payload, Payload::StreamingUnsignedTrailer);
        assert!(auth.payload.is_streaming());
        assert_eq!(auth.signing, None);
    }

    // --- botocore 1.44.5 (S3SigV4Auth / S3SigV4QueryAuth at 2026-11-21T13:20:05Z) ---

    #[test]
    fn botocore_put_with_an_awkward_key_and_blank_runs_in_a_header() {
        let parts = request(
            Method::PUT,
            "/bkt/dir/a%20b%2Bc%25d~%C3%BC%281%29%2A%21%27.txt",
            &[
                ("host", "127.0.0.1:9000"),
                ("content-type", "text/plain"),
                ("x-amz-meta-note", "  two   spaces  here "),
                ("x-amz-checksum-crc32", "NhCmhg=="),
                ("x-amz-date", "20261121T132005Z"),
                (
                    "x-amz-content-sha256",
                    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                ),
                ("content-length", "5"),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/us-east-1/s3/\
                     aws4_request, SignedHeaders=content-type;host;x-amz-checksum-crc32;\
                     x-amz-content-sha256;x-amz-date;x-amz-meta-note, \
                     Signature=82ad3149d748be1bf0eded3bcbbe49521990b860eb3771bb223263946b055f82",
                ),
            ],
        );
        assert_eq!(parts.key.as_deref(), Some("dir/a b+c%d~ü(1)*!'.txt"));
        assert!(
            canonical_headers(&parts, "x-amz-meta-note")
                .contains("x-amz-meta-note:two spaces here\n")
        );
        let auth = authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
        assert_eq!(
            auth.payload,
            Payload::Sha256(Sha256::digest(b"hello").into())
        );
    }

    #[test]
    fn botocore_list_objects_v2_in_another_region() {
        let parts = request(
            Method::GET,
            "/bkt?list-type=2&prefix=a%20b%2Bc&delimiter=%2F&encoding-type=url&fetch-owner",
            &[
                ("host", "127.0.0.1:9000"),
                ("x-amz-date", "20261121T132005Z"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/eu-west-3/s3/\
                     aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                     Signature=e80b06bfccbc5e3b3f16c9464b2663440857a95d58578894cb233bc2d380dd32",
                ),
            ],
        );
        assert_eq!(
            canonical_query(&parts.query, false),
            "delimiter=%2F&encoding-type=url&fetch-owner=&list-type=2&prefix=a%20b%2Bc"
        );
        authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
    }

    #[test]
    fn botocore_date_header_without_x_amz_date() {
        let parts = request(
            Method::GET,
            "/bkt?versioning",
            &[
                ("host", "localhost:9000"),
                ("date", "Sat, 21 Nov 2026 13:20:05 -0000"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/us-east-1/s3/\
                     aws4_request, SignedHeaders=date;host;x-amz-content-sha256, \
                     Signature=996ac94f062252afe4e8544c3f929bac659cd3dc60d16077fd50ed5d325a44d8",
                ),
            ],
        );
        authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
        assert_eq!(
            authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 901)),
            Err(AuthError::RequestTimeTooSkewed)
        );
        // The string to sign carries the date as yyyymmddThhmmssZ whichever way Date spells it.
        let mut gmt = request(
            Method::GET,
            "/bkt?versioning",
            &[
                ("host", "localhost:9000"),
                ("date", "Sat, 21 Nov 2026 13:20:05 GMT"),
                ("x-amz-content-sha256", EMPTY_SHA256_HEX),
            ],
        );
        sign_header(
            &mut gmt,
            &s3tests_creds(),
            "20261121T132005Z",
            "date;host;x-amz-content-sha256",
        );
        authenticate(&gmt, &s3tests_creds(), at(BOTO_TIME)).unwrap();
    }

    #[test]
    fn botocore_presigned_get_of_a_key_with_a_space() {
        let parts = request(
            Method::GET,
            "/bkt/a%20key/%C3%BC.txt?versionId=null&X-Amz-Algorithm=AWS4-HMAC-SHA256&\
             X-Amz-Credential=0555b35654ad1656d804%2F20261121%2Fus-east-1%2Fs3%2Faws4_request&\
             X-Amz-Date=20261121T132005Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&\
             X-Amz-Signature=acfde8fd8dd4dd26ee3876fd9381cfeec4404a2677cb94465a1fad966bae186e",
            &[("host", "127.0.0.1:9000")],
        );
        let auth = authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 3600)).unwrap();
        assert_eq!(auth.access_key, "0555b35654ad1656d804");
        assert_eq!(
            authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 3601)),
            Err(AuthError::Expired)
        );
    }

    // --- Canonical forms ---

    #[test]
    fn canonical_uri_reencodes_without_double_encoding() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/bkt/"), "/bkt/");
        assert_eq!(canonical_uri("/bkt/a b"), "/bkt/a%20b");
        assert_eq!(canonical_uri("/bkt/a%20b"), "/bkt/a%20b");
        assert_eq!(canonical_uri("/bkt/a%2fb"), "/bkt/a%2Fb");
        assert_eq!(canonical_uri("/bkt/a//b"), "/bkt/a//b");
        assert_eq!(canonical_uri("/bkt/%7e~+"), "/bkt/~~%2B");
        assert_eq!(canonical_uri("/bkt/%C3%BC%FF"), "/bkt/%C3%BC%FF");
        assert_eq!(canonical_uri("/bkt/_ "), "/bkt/_%20");
    }

    #[test]
    fn canonical_headers_join_repeats_and_read_latin1() {
        let mut parts = request(Method::GET, "/", &[("x-a", " 1 "), ("x-a", "2\t\t3")]);
        parts.headers.insert(
            "x-amz-meta-name",
            HeaderValue::from_bytes(b"M\xfcller").unwrap(),
        );
        assert_eq!(
            canonical_headers(&parts, "X-A;x-amz-meta-name;x-missing"),
            "x-a:1,2 3\nx-amz-meta-name:Müller\nx-missing:\n"
        );
    }

    // --- Refusals ---

    #[test]
    fn wrong_signature_reports_the_string_to_sign_and_canonical_request() {
        let parts = aws_get_object(&AWS_GET_OBJECT_SIGNATURE.replace('f', "e"));
        let err = authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap_err();
        let AuthError::SignatureDoesNotMatch {
            string_to_sign,
            canonical_request,
        } = err
        else {
            panic!("{err:?}");
        };
        assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20130524T000000Z\n"));
        assert!(canonical_request.starts_with("GET\n/test.txt\n"));
    }

    #[test]
    fn signature_in_upper_case_hex_matches() {
        let parts = aws_get_object(&AWS_GET_OBJECT_SIGNATURE.to_ascii_uppercase());
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
    }

    #[test]
    fn wrong_secret_does_not_match_and_unknown_key_is_refused() {
        let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        let other_secret = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "x".into(),
        };
        assert!(matches!(
            authenticate(&parts, &other_secret, at(AWS_EXAMPLE_TIME)),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
        assert_eq!(
            authenticate(&parts, &s3tests_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::InvalidAccessKeyId)
        );
    }

    #[test]
    fn header_auth_more_than_15_minutes_off_is_too_skewed() {
        let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        for offset in [-900, 900] {
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + offset)).unwrap();
        }
        for offset in [-901, 901] {
            assert_eq!(
                authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + offset)),
                Err(AuthError::RequestTimeTooSkewed)
            );
        }
    }

    #[test]
    fn header_auth_without_content_sha256_is_missing_a_security_header() {
        let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        parts.headers.remove("x-amz-content-sha256");
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::MissingSecurityHeader)
        );
    }

    #[test]
    fn unknown_content_sha256_values_are_malformed() {
        for value in [
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
            "abc",
            "unsigned-payload",
        ] {
            let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
            set_header(&mut parts, "x-amz-content-sha256", value);
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::AuthorizationHeaderMalformed(_))
                ),
                "{value}"
            );
        }
    }

    #[test]
    fn malformed_authorization_headers_are_refused() {
        for value in [
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256Credential=a/20130524/us-east-1/s3/aws4_request",
            "AWS4-HMAC-SHA256 garbage",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             Signature=abc",
            "AWS4-HMAC-SHA256 SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/iam/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20131324/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            // The credential's date is not the request's.
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130525/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            // host is not signed.
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=range;x-amz-date,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;;x-amz-date,Signature=abc",
        ] {
            let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
            set_header(&mut parts, "authorization", value);
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::AuthorizationHeaderMalformed(_))
                ),
                "{value}"
            );
        }
    }

    #[test]
    fn bad_or_missing_request_dates_are_malformed() {
        for date in [
            "20130524",
            "2013-05-24T00:00:00Z",
            "20130524T250000Z",
            "yesterday",
        ] {
            let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
            set_header(&mut parts, "x-amz-date", date);
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::AuthorizationHeaderMalformed(_))
                ),
                "{date}"
            );
        }
        let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        parts.headers.remove("x-amz-date");
        assert!(matches!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::AuthorizationHeaderMalformed(_))
        ));
    }

    #[test]
    fn x_amz_date_wins_over_date() {
        let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        parts.headers.insert(
            "date",
            HeaderValue::from_static("Tue, 07 Jul 2010 21:53:04 GMT"),
        );
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)).unwrap();
    }

    #[test]
    fn unsigned_request_is_anonymous_and_foreign_authorization_is_malformed() {
        let parts = request(Method::GET, "/bkt?acl", &[("host", "localhost")]);
        assert!(!is_sigv4(&parts));
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(0)),
            Err(AuthError::Anonymous)
        );
        let v2 = request(
            Method::GET,
            "/bkt",
            &[
                ("host", "localhost"),
                ("authorization", "AWS ak:c2lnbmF0dXJl"),
            ],
        );
        assert!(!is_sigv4(&v2));
        assert!(matches!(
            authenticate(&v2, &aws_creds(), at(0)),
            Err(AuthError::AuthorizationHeaderMalformed(_))
        ));
        let partial = request(
            Method::GET,
            "/bkt?X-Amz-Credential=x",
            &[("host", "localhost")],
        );
        assert!(matches!(
            authenticate(&partial, &aws_creds(), at(0)),
            Err(AuthError::AuthorizationQueryParametersError(_))
        ));
    }

    #[test]
    fn signed_header_names_that_are_not_header_names_do_not_panic() {
        for signed in ["host;bad header", "host;ü", "host;x:y", "HOST;Range"] {
            let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
            set_header(
                &mut parts,
                "authorization",
                &format!(
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                     aws4_request,SignedHeaders={signed},Signature={AWS_GET_OBJECT_SIGNATURE}"
                ),
            );
            assert!(
                matches!(
                    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
                    Err(AuthError::SignatureDoesNotMatch { .. })
                ),
                "{signed}"
            );
        }
    }

    #[test]
    fn huge_authorization_values_do_not_panic() {
        let huge = format!("AWS4-HMAC-SHA256 {}", "Credential=/,".repeat(100_000));
        let parts = request(Method::GET, "/", &[("authorization", &huge)]);
        assert!(authenticate(&parts, &aws_creds(), at(0)).is_err());
        let huge = format!(
            "AWS4-HMAC-SHA256 Credential={}/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature={}",
            "a".repeat(100_000),
            "b".repeat(100_000)
        );
        let parts = request(
            Method::GET,
            "/",
            &[
                ("authorization", &huge),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
            ],
        );
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME)),
            Err(AuthError::InvalidAccessKeyId)
        );
    }
}
