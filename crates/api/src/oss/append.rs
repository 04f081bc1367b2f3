//! AppendObject (`POST /key?append&position=N`): the core's appendable objects in OSS's
//! words, and the refusals of appends (and of copies of appendable objects) mapped once.

use super::error::OssError;
use super::object::{expectations, meta_from_headers, set_version, validate_key};
use super::{Ctx, OssResult, empty, etag};
use crate::body::Incoming;
use crate::exec::AppendObject;
use crate::httpfmt::base64;
use crate::objhttp::set;
use hyper::StatusCode;
use strata_core::{AppendError, AppendRules};

/// An append refused, in OSS's codes: the position's refusal carries the object's length in
/// `x-oss-next-append-position`, as OSS's does, so a client can resume.
pub fn error(e: AppendError) -> OssError {
    let msg = e.to_string();
    match e {
        AppendError::PositionNotEqualToLength { length } => OssError::new(
            StatusCode::CONFLICT,
            "PositionNotEqualToLength",
            "Position is not equal to file length",
        )
        .header("x-oss-next-append-position", length.to_string()),
        AppendError::NotAppendable => OssError::new(
            StatusCode::CONFLICT,
            "ObjectNotAppendable",
            "The object is not appendable",
        ),
        AppendError::Versioned => OssError::new(StatusCode::CONFLICT, "OperationNotSupported", msg),
        AppendError::CopySource => {
            OssError::new(StatusCode::BAD_REQUEST, "OperationNotSupported", msg)
        }
    }
}

/// The `position` query parameter: a decimal byte offset.
fn position(ctx: &Ctx<'_>) -> Result<u64, OssError> {
    ctx.req
        .query("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            OssError::invalid_argument("The position parameter is missing or not valid.")
        })
}

pub(super) async fn append(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    if ctx.req.has_query("versionId") {
        // OSS: AppendObject does not take a version (EC 0016-00000504).
        return Err(OssError::invalid_argument(
            "AppendObject does not support the versionId parameter.",
        ));
    }
    let position = position(ctx)?;
    let acl = super::acl::object_ask(ctx)?;
    let out = ctx
        .run(AppendObject {
            bucket,
            key,
            position,
            meta: meta_from_headers(ctx),
            acl,
            expect: expectations(ctx)?,
            rules: AppendRules::default(),
            body: crate::body::stream(body),
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set(
        &mut resp,
        "x-oss-next-append-position",
        &out.size.to_string(),
    );
    set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    set(&mut resp, "content-md5", &base64(&out.md5));
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_oss_codes_and_the_length_to_resume_at() {
        let e = error(AppendError::PositionNotEqualToLength { length: 42 });
        assert_eq!(
            (e.status, e.code),
            (StatusCode::CONFLICT, "PositionNotEqualToLength")
        );
        assert_eq!(
            e.headers,
            vec![("x-oss-next-append-position", "42".to_string())]
        );
        let e = error(AppendError::NotAppendable);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::CONFLICT, "ObjectNotAppendable")
        );
        assert_eq!(
            error(AppendError::CopySource).status,
            StatusCode::BAD_REQUEST
        );
    }
}
