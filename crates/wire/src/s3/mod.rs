//! The Amazon S3 dialect on the wire: SigV4 (header, presigned), Signature V2 (header,
//! presigned) and `aws-chunked` bodies.

pub mod auth;
pub mod chunked;
pub mod v2;

use crate::request::RequestParts;

/// The `s3:signatureversion` of a request signed in S3's schemes: `AWS4-HMAC-SHA256` (SigV4) or
/// `AWS` (V2); `None` for anything else.
pub fn signature_version(parts: &RequestParts) -> Option<&'static str> {
    if auth::is_sigv4(parts) {
        Some(auth::ALGORITHM)
    } else if v2::is_header(parts) || v2::is_query(parts) {
        Some(v2::SIGNATURE_VERSION)
    } else {
        None
    }
}

/// The `s3:authType` of a request signed in S3's schemes: `REST-HEADER` or
/// `REST-QUERY-STRING`; `None` for anything else.
pub fn auth_type(parts: &RequestParts) -> Option<&'static str> {
    signature_version(parts)?;
    Some(if parts.headers.contains_key(http::header::AUTHORIZATION) {
        "REST-HEADER"
    } else {
        "REST-QUERY-STRING"
    })
}
