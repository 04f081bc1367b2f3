//! `x-oss-forbid-overwrite` (a header of PutObject, CopyObject, InitiateMultipartUpload and
//! CompleteMultipartUpload, a field of PostObject): `true` asks that the write not replace an
//! object of the same name, and is refused with 409 FileAlreadyExists when one exists. OSS
//! ignores it in a bucket whose versioning is Enabled or Suspended (every write keeps the
//! object it replaces there). `false` or no header: any write; another value: InvalidArgument.
//!
//! It is the core's one conditional-write mechanism, `If-None-Match: *`
//! ([`strata_core::Precondition`]), evaluated in the write's own transaction, so two writers
//! racing for a free key cannot both succeed. An Initiate writes no object, so it only looks:
//! the Complete that publishes the object checks again if it carries the header.

use super::Ctx;
use super::error::OssError;
use crate::exec::{GetBucket, HeadObject};
use hyper::StatusCode;
use strata_core::{CoreError, Precondition, Versioning};

const HEADER: &str = "x-oss-forbid-overwrite";

/// The write's condition on the key's current object: `If-None-Match: *` when the request
/// forbids overwriting in a bucket without versioning, else none.
pub(super) fn condition(ctx: &Ctx<'_>, bucket: &str) -> Result<Precondition, OssError> {
    let forbid = match ctx.req.header(HEADER).map(str::trim) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(_) => {
            return Err(OssError::invalid_argument(
                "The x-oss-forbid-overwrite value must be true or false.",
            ));
        }
    };
    if !forbid || ctx.read(GetBucket(bucket))?.versioning != Versioning::Unversioned {
        return Ok(Precondition::default());
    }
    Ok(Precondition {
        if_none_match: Some("*".to_owned()),
        ..Precondition::default()
    })
}

/// OSS's refusal of a write that would replace an object.
pub(super) fn exists() -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileAlreadyExists",
        "The object you specified already exists and can not be overwritten.",
    )
}

/// A write's error in OSS's words: the failure of `cond` (as [`condition`] made it) is
/// [`exists`]. `ambiguous`: the write had conditions of its own (a copy's source
/// conditions), so a failed precondition is the overwrite's only if the key has an object.
pub(super) fn refused(
    ctx: &Ctx<'_>,
    cond: &Precondition,
    ambiguous: bool,
    e: CoreError,
) -> OssError {
    let ours = matches!(e, CoreError::PreconditionFailed)
        && !cond.is_none()
        && (!ambiguous || current_exists(ctx));
    if ours { exists() } else { e.into() }
}

/// For an Initiate, which writes no object: [`exists`] when the request forbids overwriting
/// and the key has an object now.
pub(super) fn check_now(ctx: &Ctx<'_>, bucket: &str) -> Result<(), OssError> {
    if !condition(ctx, bucket)?.is_none() && current_exists(ctx) {
        return Err(exists());
    }
    Ok(())
}

fn current_exists(ctx: &Ctx<'_>) -> bool {
    let (Ok(bucket), Ok(key)) = (ctx.bucket(), ctx.key()) else {
        return false;
    };
    ctx.read(HeadObject {
        bucket,
        key,
        version: None,
    })
    .is_ok()
}
