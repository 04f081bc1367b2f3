//! OSS tagging: Put/Get/DeleteObjectTagging (`?tagging`, with `versionId`), PutBucketTags,
//! GetBucketTags (an empty set when there are none, as OSS answers) and DeleteBucketTags (all,
//! or the keys `?tagging=k1,k2` names), `x-oss-tagging` on PutObject, InitiateMultipartUpload
//! and CopyObject under `x-oss-tagging-directive: Replace` (`Copy`, the default, keeps the
//! source's), and `x-oss-tagging-count` on GET and HEAD. A delete marker named by ID is 404
//! `NoSuchKey` here, as OSS documents (S3 answers 405).
//!
//! The rules tags obey are the core's (OSS's: [`TagRules::OSS_OBJECT`],
//! [`TagRules::OSS_BUCKET`]); a refusal is `InvalidTag`, a header that is not a query string
//! `InvalidArgument`, a document that is not a `<Tagging>` `MalformedXML`.

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::objhttp::set;
use crate::tagging::{Directive, parse_document, parse_header, write_document};
use hyper::{Response, StatusCode};
use strata_core::tagging::{TagRules, TaggingError, Tags};
use strata_core::{CoreError, ObjectVersion};

fn checked(pairs: Vec<(String, String)>, rules: &TagRules) -> Result<Tags, OssError> {
    Tags::checked(pairs, rules).map_err(|e| CoreError::from(e).into())
}

/// The tags a write's `x-oss-tagging` asks for (none without the header).
pub(super) fn write_tags(ctx: &Ctx<'_>) -> Result<Tags, OssError> {
    let Some(value) = ctx.req.header("x-oss-tagging") else {
        return Ok(Tags::none());
    };
    let pairs = parse_header(value).map_err(|_| {
        OssError::invalid_argument("The x-oss-tagging header must be key1=value1&key2=value2.")
    })?;
    checked(pairs, &TagRules::OSS_OBJECT)
}

/// A copy's tags: the source's under `x-oss-tagging-directive: Copy` (the default), the
/// request's `x-oss-tagging` under `Replace`.
pub(super) fn copy_tags(ctx: &Ctx<'_>) -> Result<Option<Tags>, OssError> {
    let directive = match ctx.req.header("x-oss-tagging-directive") {
        None => Directive::Copy,
        Some(v) => Directive::parse(v).ok_or_else(|| {
            OssError::invalid_argument("The x-oss-tagging-directive must be Copy or Replace.")
        })?,
    };
    match directive {
        Directive::Copy => Ok(None),
        Directive::Replace => write_tags(ctx).map(Some),
    }
}

/// `x-oss-tagging-count` on a GET or HEAD of `v`, when it has tags the requester may read.
pub(super) fn set_tag_count(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion) {
    let Ok(bucket) = ctx.bucket() else { return };
    let count = ctx.read(VisibleTagCount {
        bucket,
        key: &v.key,
        by_version: ctx.req.has_query("versionId"),
        tags: &v.data.tags,
    });
    if let Ok(Some(n)) = count {
        set(resp, "x-oss-tagging-count", &n.to_string());
    }
}

/// A delete marker named by ID has no tags: OSS answers 404 (not S3's 405).
fn marker_is_missing(e: CoreError) -> OssError {
    match e {
        CoreError::MethodNotAllowed { version_id, .. } => OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .header("x-oss-delete-marker", "true")
        .header("x-oss-version-id", version_id.to_string()),
        other => other.into(),
    }
}

fn document_tags(bytes: &[u8], rules: &TagRules) -> Result<Tags, OssError> {
    let pairs = parse_document(bytes)
        .map_err(|_| OssError::malformed_xml("The Tagging document is not valid."))?;
    checked(pairs, rules)
}

pub(super) fn get_object(ctx: &Ctx<'_>) -> OssResult {
    let version = ctx.version_id()?;
    let view = ctx
        .read(GetObjectTagging {
            bucket: ctx.bucket()?,
            key: ctx.key()?,
            version,
        })
        .map_err(marker_is_missing)?;
    let mut resp = xml(StatusCode::OK, write_document(&view.tags, ""));
    if version.is_some() || !view.version_id.is_null() {
        set(&mut resp, "x-oss-version-id", &view.version_id.to_string());
    }
    Ok(resp)
}

async fn change_object(ctx: &Ctx<'_>, tags: Tags, status: StatusCode) -> OssResult {
    let version = ctx.version_id()?;
    let version_id = ctx
        .run(PutObjectTagging {
            bucket: ctx.bucket()?,
            key: ctx.key()?,
            version,
            tags,
        })
        .await
        .map_err(marker_is_missing)?;
    let mut resp = empty(status);
    if version.is_some() || !version_id.is_null() {
        set(&mut resp, "x-oss-version-id", &version_id.to_string());
    }
    Ok(resp)
}

pub(super) async fn put_object(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    ctx.key()?;
    ctx.version_id()?;
    let bytes = ctx.read_document(body).await?;
    let tags = document_tags(&bytes, &TagRules::OSS_OBJECT)?;
    change_object(ctx, tags, StatusCode::OK).await
}

pub(super) async fn delete_object(ctx: &Ctx<'_>) -> OssResult {
    change_object(ctx, Tags::none(), StatusCode::NO_CONTENT).await
}

/// A bucket's tags; none is an empty set, not an error.
fn bucket_tags(ctx: &Ctx<'_>, bucket: &str) -> Result<Tags, OssError> {
    match ctx.read(GetBucketTagging(bucket)) {
        Ok(tags) => Ok(tags),
        Err(CoreError::Tagging(TaggingError::NoTagSet)) => Ok(Tags::none()),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn get_bucket(ctx: &Ctx<'_>) -> OssResult {
    let tags = bucket_tags(ctx, ctx.bucket()?)?;
    Ok(xml(StatusCode::OK, write_document(&tags, "")))
}

pub(super) async fn put_bucket(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let tags = document_tags(&bytes, &TagRules::OSS_BUCKET)?;
    ctx.run(PutBucketTagging { bucket, tags }).await?;
    Ok(empty(StatusCode::OK))
}

/// All of a bucket's tags, or those `?tagging=k1,k2` names.
pub(super) async fn delete_bucket(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let tags = match ctx.req.query_nonempty("tagging") {
        None => Tags::none(),
        Some(names) => {
            let gone: Vec<&str> = names.split(',').map(str::trim).collect();
            let kept = bucket_tags(ctx, bucket)?
                .pairs()
                .iter()
                .filter(|(k, _)| !gone.contains(&k.as_str()))
                .cloned()
                .collect();
            checked(kept, &TagRules::OSS_BUCKET)?
        }
    };
    ctx.run(PutBucketTagging { bucket, tags }).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
