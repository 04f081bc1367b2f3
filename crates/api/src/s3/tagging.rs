//! S3 tagging: Get/Put/DeleteObjectTagging (`?tagging`, with `versionId`; the version is
//! named in `x-amz-version-id`), Get/Put/DeleteBucketTagging, `x-amz-tagging` on PutObject,
//! CreateMultipartUpload (the object gets them at Complete) and CopyObject under
//! `x-amz-tagging-directive: REPLACE` (`COPY`, the default, keeps the source's), and
//! `x-amz-tagging-count` on GET and HEAD.
//!
//! The rules tags obey are the core's (S3's: [`TagRules::S3_OBJECT`], [`TagRules::S3_BUCKET`]);
//! a refusal is `InvalidTag`, a header that is not a query string `InvalidArgument`, a
//! document that is not a `<Tagging>` `MalformedXML`.

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::listing::S3;
use crate::objhttp::set;
use crate::tagging::{Directive, parse_document, parse_header, write_document};
use hyper::{Response, StatusCode};
use strata_core::ObjectVersion;
use strata_core::tagging::{TagRules, Tags};

const HEADER: &str = "x-amz-tagging";

fn checked(pairs: Vec<(String, String)>, rules: &TagRules) -> Result<Tags, S3Error> {
    Tags::checked(pairs, rules).map_err(|e| strata_core::CoreError::from(e).into())
}

/// The tags a write's `x-amz-tagging` asks for (none without the header).
pub(super) fn write_tags(ctx: &Ctx<'_>) -> Result<Tags, S3Error> {
    let Some(value) = ctx.req.header(HEADER) else {
        return Ok(Tags::none());
    };
    let pairs = parse_header(value).map_err(|_| {
        S3Error::invalid_argument(
            "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
        )
    })?;
    checked(pairs, &TagRules::S3_OBJECT)
}

/// A copy's tags: the source's under `x-amz-tagging-directive: COPY` (the default), the
/// request's `x-amz-tagging` under `REPLACE`.
pub(super) fn copy_tags(ctx: &Ctx<'_>) -> Result<Option<Tags>, S3Error> {
    let directive = match ctx.req.header("x-amz-tagging-directive") {
        None => Directive::Copy,
        Some(v) => Directive::parse(v)
            .ok_or_else(|| S3Error::invalid_argument("Unknown tagging directive."))?,
    };
    match directive {
        Directive::Copy => Ok(None),
        Directive::Replace => write_tags(ctx).map(Some),
    }
}

/// `x-amz-tagging-count` on a GET or HEAD of `v`, when it has tags the requester may read.
pub(super) fn set_tag_count(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion) {
    let Ok(bucket) = ctx.bucket() else { return };
    let count = ctx.read(VisibleTagCount {
        bucket,
        key: &v.key,
        by_version: ctx.req.has_query("versionId"),
        tags: &v.data.tags,
    });
    if let Ok(Some(n)) = count {
        set(resp, "x-amz-tagging-count", &n.to_string());
    }
}

/// The tags of a browser upload's `tagging` field (a `<Tagging>` document, as S3 takes it).
pub(super) fn form_tags(doc: &str) -> Result<Tags, S3Error> {
    document_tags(doc.as_bytes(), &TagRules::S3_OBJECT)
}

fn document_tags(bytes: &[u8], rules: &TagRules) -> Result<Tags, S3Error> {
    let pairs = parse_document(bytes).map_err(|_| S3Error::malformed_xml())?;
    checked(pairs, rules)
}

pub(super) fn get_object(ctx: &Ctx<'_>) -> S3Result {
    let view = ctx.read(GetObjectTagging {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    let mut resp = xml(StatusCode::OK, write_document(&view.tags, S3.root_attrs));
    set(&mut resp, "x-amz-version-id", &view.version_id.to_string());
    Ok(resp)
}

async fn change_object(ctx: &Ctx<'_>, tags: Tags, status: StatusCode) -> S3Result {
    let version_id = ctx
        .run(PutObjectTagging {
            bucket: ctx.bucket()?,
            key: ctx.key()?,
            version: ctx.version_id()?,
            tags,
        })
        .await?;
    let mut resp = empty(status);
    set(&mut resp, "x-amz-version-id", &version_id.to_string());
    Ok(resp)
}

pub(super) async fn put_object(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    // The address is checked before the body is read.
    ctx.key()?;
    ctx.version_id()?;
    let bytes = ctx.read_document(body).await?;
    let tags = document_tags(&bytes, &TagRules::S3_OBJECT)?;
    change_object(ctx, tags, StatusCode::OK).await
}

pub(super) async fn delete_object(ctx: &Ctx<'_>) -> S3Result {
    change_object(ctx, Tags::none(), StatusCode::NO_CONTENT).await
}

pub(super) fn get_bucket(ctx: &Ctx<'_>) -> S3Result {
    let tags = ctx.read(GetBucketTagging(ctx.bucket()?))?;
    Ok(xml(StatusCode::OK, write_document(&tags, S3.root_attrs)))
}

pub(super) async fn put_bucket(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let tags = document_tags(&bytes, &TagRules::S3_BUCKET)?;
    ctx.run(PutBucketTagging { bucket, tags }).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) async fn delete_bucket(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.run(PutBucketTagging {
        bucket,
        tags: Tags::none(),
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
