//! The client's side of each dialect's signature: the `Authorization` value of a request that
//! already carries its date (and payload) headers, computed with the canonicalization the server
//! verifies with, applied to the [`RequestParts`] the server will see.

use crate::Credentials;
use crate::request::RequestParts;
use crate::v4::{AWS4, OSS4, sign};
use crate::{bos, oss, s3};

/// SigV4 (header), signing every header `parts` carries. `amz_date` (`yyyymmddThhmmssZ`) and
/// `hashed_payload` must be the request's `x-amz-date` and `x-amz-content-sha256`.
pub fn s3_authorization(
    parts: &RequestParts,
    credentials: &Credentials,
    region: &str,
    amz_date: &str,
    hashed_payload: &str,
) -> String {
    let mut names: Vec<&str> = parts.headers.keys().map(http::HeaderName::as_str).collect();
    names.sort_unstable();
    let signed_headers = names.join(";");
    let canonical = s3::auth::canonical_request(parts, &signed_headers, hashed_payload, false);
    let date = amz_date.get(..8).unwrap_or(amz_date);
    let scope = AWS4.scope(date, region, "s3");
    let key = AWS4.signing_key(&credentials.secret_key, date, region, "s3");
    let signature = sign(&key, &AWS4.string_to_sign(amz_date, &scope, &canonical));
    format!(
        "{} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        AWS4.algorithm, credentials.access_key
    )
}

/// OSS V4 (header) with no additional headers: `content-type`, `content-md5` and every
/// `x-oss-*` header are signed. `oss_date` (`yyyymmddThhmmssZ`) and `hashed_payload` must be
/// the request's `x-oss-date` and `x-oss-content-sha256`.
pub fn oss_authorization(
    parts: &RequestParts,
    credentials: &Credentials,
    region: &str,
    oss_date: &str,
    hashed_payload: &str,
) -> Result<String, oss::auth::AuthError> {
    let canonical = oss::auth::canonical_request_v4(parts, "", hashed_payload, false)?;
    let date = oss_date.get(..8).unwrap_or(oss_date);
    let scope = OSS4.scope(date, region, "oss");
    let key = OSS4.signing_key(&credentials.secret_key, date, region, "oss");
    let signature = sign(&key, &OSS4.string_to_sign(oss_date, &scope, &canonical));
    Ok(format!(
        "{} Credential={}/{scope},Signature={signature}",
        OSS4.algorithm, credentials.access_key
    ))
}

/// bce-auth-v1 with an empty signed-headers list: `host`, `content-length`, `content-type`,
/// `content-md5` and every `x-bce-*` header are signed (as the Python SDK does). `timestamp`
/// (`yyyy-mm-ddThh:mm:ssZ`) must be the request's `x-bce-date`; `expiration` is in seconds.
pub fn bos_authorization(
    parts: &RequestParts,
    credentials: &Credentials,
    timestamp: &str,
    expiration: &str,
) -> String {
    let prefix = bos::auth::auth_string_prefix(&credentials.access_key, timestamp, expiration);
    let canonical = bos::auth::canonical_request(parts, "");
    let key = bos::auth::signing_key(&credentials.secret_key, &prefix);
    let signature = bos::auth::sign(&key, &canonical);
    format!("{prefix}//{signature}")
}
