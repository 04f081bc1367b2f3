//! S3 request authentication: AWS Signature Version 4, in the `Authorization` header or in a
//! presigned URL's query (Signature Version 2 is in `super::v2`; [`authenticate`] takes both).
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

use crate::date;
use crate::encode::UNRESERVED;
use crate::request::RequestParts;
use crate::sigutil::{ascii_digits, parse_sha256_hex, unix_seconds};
use crate::v4::AWS4;
use crate::{Credentials, Keyring};
use percent_encoding::{percent_decode_str, percent_encode};
use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

/// How far a header-signed request's time may be from the server's, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 15 * 60;
/// The longest lifetime a presigned URL may ask for (`X-Amz-Expires`), in seconds.
pub const MAX_PRESIGN_EXPIRES_SECS: u64 = 7 * 24 * 60 * 60;

/// The signing algorithm, in `Authorization`, `X-Amz-Algorithm` and the string to sign.
pub const ALGORITHM: &str = AWS4.algorithm;
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

const SERVICE: &str = "s3";

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
    /// Signature V2: the signature does not match (S3 names the access key, the string to
    /// sign and the signature provided).
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method."
    )]
    SignatureDoesNotMatchV2 {
        access_key: String,
        string_to_sign: String,
        provided: String,
    },
    /// Signature V2: no usable date, or presign parameters missing or unreadable (S3: 403
    /// `AccessDenied`).
    #[error("{0}")]
    AccessDenied(String),
    /// Signature V2: an `Authorization: AWS …` header that is not `AWS <ak>:<signature>`, or
    /// what V2 cannot carry (S3: 400 `InvalidArgument`).
    #[error("{0}")]
    InvalidArgument(String),
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
/// SigV4 here; Signature V2 (`Authorization: AWS …`, `?AWSAccessKeyId=…&Signature=…`) in
/// [`super::v2`]. A request with neither an `Authorization` header nor presign parameters is
/// [`AuthError::Anonymous`]; one with another `Authorization` header is
/// [`AuthError::AuthorizationHeaderMalformed`]; one with more than one mechanism is refused.
pub fn authenticate(
    parts: &RequestParts,
    creds: &dyn Keyring,
    now: SystemTime,
) -> Result<Authenticated, AuthError> {
    let presign_params = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"];
    let query_auth = presign_params.iter().any(|p| parts.has_query(p));
    let v2_query = super::v2::is_query(parts);
    let has_header = parts.headers.contains_key(http::header::AUTHORIZATION);
    if usize::from(has_header) + usize::from(query_auth) + usize::from(v2_query) > 1 {
        return Err(query_error(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified",
        ));
    }
    if header_auth(parts) {
        authenticate_header(parts, creds, unix_seconds(now))
    } else if super::v2::is_header(parts) {
        super::v2::authenticate_header(parts, creds, now)
    } else if query_auth {
        authenticate_presigned(parts, creds, unix_seconds(now))
    } else if v2_query {
        super::v2::authenticate_query(parts, creds, now)
    } else if has_header {
        Err(header_error(
            "Unsupported Authorization Type: AWS4-HMAC-SHA256 and AWS are accepted",
        ))
    } else {
        Err(AuthError::Anonymous)
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
    let keyring = creds;
    let creds = check_access_key(auth.credential.access_key, creds)?;
    let canonical_request = canonical_request(parts, auth.signed_headers, hashed_payload, false);
    let signing = verify(
        keyring,
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
    let keyring = creds;
    let creds = check_access_key(credential.access_key, creds)?;
    let canonical_request = canonical_request(parts, signed_headers, hashed_payload, true);
    let signing = verify(
        keyring,
        creds,
        &credential,
        timestamp,
        canonical_request,
        provided,
    )?;
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
    keyring: &dyn Keyring,
    creds: &Credentials,
    credential: &Credential<'_>,
    timestamp: &str,
    canonical_request: String,
    provided: &str,
) -> Result<ChunkSigning, AuthError> {
    let scope = credential.scope();
    let string_to_sign = string_to_sign(timestamp, &scope, &canonical_request);
    let signing_key = keyring.signing_key(
        &AWS4,
        &creds.secret_key,
        credential.date,
        credential.region,
        SERVICE,
    );
    let expected = sign(&signing_key, &string_to_sign);
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
        AWS4.scope(self.date, self.region, SERVICE)
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
    if access_key.is_empty() || region.is_empty() || date::parse_basic_date(date).is_none() {
        return Err(bad());
    }
    if terminator != AWS4.terminator {
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
    let time = parse_date_header(value).ok_or_else(invalid)?;
    Ok((date::basic_iso8601(time), time.as_second()))
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
    AWS4.canonical_request(
        parts.method.as_str(),
        &canonical_uri(&parts.raw_path),
        &canonical_query(&parts.query, presigned),
        &canonical_headers(parts, signed_headers),
        signed_headers,
        hashed_payload,
    )
}

/// The path as sent, each `/`-separated segment percent-decoded and re-encoded with only RFC
/// 3986 unreserved characters kept — so `%20`, `%24` and a bare `$` all come out as sent by
/// botocore, and nothing is encoded twice. `/` for an empty path.
pub fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(raw_path.len() + 16);
    for (i, segment) in raw_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let bytes: Cow<'_, [u8]> = percent_decode_str(segment).into();
        out.extend(percent_encode(&bytes, UNRESERVED));
    }
    out
}

/// Every query parameter (but `X-Amz-Signature` when `presigned`) as `name=value`, names and
/// values URI-encoded, sorted by name then value.
pub fn canonical_query(query: &[(String, String)], presigned: bool) -> String {
    AWS4.canonical_query(query, presigned)
}

/// `name:value\n` for each header in `signed_headers` (in that order), names lower-cased, each
/// value trimmed with inner runs of blanks collapsed, repeated headers joined with `,`.
///
/// Values that are not UTF-8 are read as Latin-1, which is how Python's `http.client` puts
/// botocore's (UTF-8-signed) header strings on the wire.
pub fn canonical_headers(parts: &RequestParts, signed_headers: &str) -> String {
    let mut out = String::with_capacity(256);
    for name in signed_headers.split(';') {
        let name = name.trim();
        let name: Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        out.push_str(&name);
        out.push(':');
        for (i, value) in parts.headers.get_all(name.as_ref()).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_collapsed(&mut out, &header_text(value.as_bytes()));
        }
        out.push('\n');
    }
    out
}

/// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &str) -> String {
    AWS4.string_to_sign(timestamp, scope, canonical_request)
}

/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
pub fn signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    AWS4.signing_key(secret_key, date, region, service)
}

pub use crate::v4::{sign, signatures_match};

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

/// Appends `value` trimmed of spaces and tabs, every inner run of them turned into one space.
fn push_collapsed(out: &mut String, value: &str) {
    if !value.contains([' ', '\t']) {
        // Nearly every value: nothing to trim or collapse.
        out.push_str(value);
        return;
    }
    for (i, word) in value
        .split([' ', '\t'])
        .filter(|word| !word.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
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
    date::parse_basic_iso8601(value).map(|t| t.as_second())
}

/// An RFC 2822 date (`Sat, 21 Nov 2026 13:20:05 -0000` as botocore writes it, or `… GMT`), or any
/// HTTP date form.
fn parse_date_header(value: &str) -> Option<jiff::Timestamp> {
    date::parse_rfc2822(value).or_else(|| date::parse_http_date(value))
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
#[path = "auth_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "auth_refusal_tests.rs"]
mod refusal_tests;
