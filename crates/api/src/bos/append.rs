//! AppendObject (`POST /bucket/key?append&offset=N`): the core's appendable objects in BOS's
//! words (refused in versioned buckets), and the refusals of appends (and of copies of
//! appendable objects) mapped once.

use super::error::BosError;
use super::object::{expectations, meta_from_headers, set_version, validate_key};
use super::{BosResult, Ctx, empty, etag};
use crate::body::Incoming;
use crate::exec::AppendObject;
use crate::httpfmt::base64;
use crate::objhttp::set;
use hyper::StatusCode;
use strata_core::{AppendError, AppendRules};

/// An append refused, in BOS's codes.
pub fn error(e: AppendError) -> BosError {
    let msg = e.to_string();
    match e {
        AppendError::PositionNotEqualToLength { length } => BosError::new(
            StatusCode::CONFLICT,
            "OffsetIncorrect",
            format!("The offset is not equal to the object's length {length}."),
        ),
        AppendError::NotAppendable => BosError::new(
            StatusCode::FORBIDDEN,
            "ObjectUnappendable",
            "The object is not appendable.",
        ),
        AppendError::Versioned => BosError::new(StatusCode::BAD_REQUEST, "InvalidRequest", msg),
        AppendError::CopySource => BosError::new(
            StatusCode::BAD_REQUEST,
            "NotAllowCopy",
            "An appendable object cannot be copied.",
        ),
    }
}

/// The `offset` query parameter: a decimal byte offset; absent is 0 (the SDKs leave it out
/// for the first append).
fn offset(ctx: &Ctx<'_>) -> Result<u64, BosError> {
    match ctx.req.query("offset") {
        None => Ok(0),
        Some(o) => o.parse().map_err(|_| {
            BosError::new(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "The offset parameter is not valid.",
            )
        }),
    }
}

pub(super) async fn append(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let offset = offset(ctx)?;
    let out = ctx
        .run(AppendObject {
            bucket,
            key,
            position: offset,
            meta: meta_from_headers(ctx)?,
            acl: super::acl::write_acl(ctx)?,
            expect: expectations(ctx)?,
            rules: AppendRules {
                refuse_versioned: true,
            },
            body: crate::body::stream(body),
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set(&mut resp, "content-md5", &base64(&out.md5));
    set(&mut resp, "x-bce-next-append-offset", &out.size.to_string());
    set(&mut resp, "x-bce-content-crc32", &out.crc32.to_string());
    set(&mut resp, "x-bce-content-crc64ecma", &out.crc64.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_bos_codes() {
        let cases = [
            (
                AppendError::PositionNotEqualToLength { length: 3 },
                StatusCode::CONFLICT,
                "OffsetIncorrect",
            ),
            (
                AppendError::NotAppendable,
                StatusCode::FORBIDDEN,
                "ObjectUnappendable",
            ),
            (
                AppendError::CopySource,
                StatusCode::BAD_REQUEST,
                "NotAllowCopy",
            ),
            (
                AppendError::Versioned,
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
            ),
        ];
        for (e, status, code) in cases {
            let got = error(e);
            assert_eq!((got.status, got.code), (status, code));
        }
    }
}
