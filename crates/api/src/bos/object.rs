//! Object operations: PutObject (Content-MD5, `x-bce-content-sha256`, `x-bce-content-crc32`
//! and `x-bce-content-crc64ecma` verified), GetObject (Range; an empty Range is none),
//! GetObjectMeta (HEAD), CopyObject (`x-bce-copy-source`, with `versionId`; its source and
//! conditions are UploadPartCopy's too), DeleteObject. PutObject and CopyObject take the ACL
//! headers (`x-bce-acl`, `x-bce-grant-*`); without them the new object follows its bucket's ACL.

use super::error::BosError;
use super::{BosResult, Ctx, bos_time, empty, etag, json};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::{base64, http_date, parse_md5, parse_range};
use crate::objhttp::{self, Condition, set};
use hyper::{Response, StatusCode};
use strata_core::{
    CoreError, DeleteOutcome, Expect, KeyRules, MetadataDirective, ObjectMeta, ObjectVersion,
    Precondition, VersionId, Versioning,
};

const META_PREFIX: &str = "x-bce-meta-";
/// BOS limits user metadata (names and values) to 2 KiB.
const MAX_USER_META: usize = 2048;

/// BOS object keys: the core's [`KeyRules::BOS`], refused in BOS's words.
pub(super) fn validate_key(key: &str) -> Result<(), BosError> {
    if KeyRules::BOS.check(key).is_err() {
        return Err(BosError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The object key must be 1 to 1024 bytes.",
        ));
    }
    Ok(())
}

pub(super) fn meta_from_headers(ctx: &Ctx<'_>) -> Result<ObjectMeta, BosError> {
    let meta = objhttp::meta_from_headers(&ctx.req.headers, META_PREFIX);
    let size: usize = meta.user.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_USER_META {
        return Err(BosError::new(
            StatusCode::BAD_REQUEST,
            "MetadataTooLarge",
            "The user metadata is larger than 2 KB.",
        ));
    }
    Ok(meta)
}

fn bad_digest(what: &str) -> BosError {
    BosError::new(
        StatusCode::BAD_REQUEST,
        "BadDigest",
        format!("The {what} you specified is not valid."),
    )
}

/// The digests and size a BOS client announces.
pub(super) fn expectations(ctx: &Ctx<'_>) -> Result<Expect, BosError> {
    let h = |n: &str| ctx.req.header(n).map(str::trim).filter(|v| !v.is_empty());
    let mut e = Expect {
        size: h("content-length").and_then(|v| v.parse().ok()),
        ..Default::default()
    };
    if let Some(v) = h("content-md5") {
        e.md5 = Some(parse_md5(v).ok_or_else(|| bad_digest("Content-MD5"))?);
    }
    if let Some(v) = h("x-bce-content-sha256") {
        e.sha256 = Some(
            crate::sigutil::parse_sha256_hex(v.trim())
                .ok_or_else(|| bad_digest("x-bce-content-sha256"))?,
        );
    }
    if let Some(v) = h("x-bce-content-crc32") {
        e.crc32 = Some(v.parse().map_err(|_| bad_digest("x-bce-content-crc32"))?);
    }
    if let Some(v) = h("x-bce-content-crc32c") {
        e.crc32c = Some(v.parse().map_err(|_| bad_digest("x-bce-content-crc32c"))?);
    }
    if let Some(v) = h("x-bce-content-crc64ecma") {
        e.crc64 = Some(
            v.parse()
                .map_err(|_| bad_digest("x-bce-content-crc64ecma"))?,
        );
    }
    Ok(e)
}

pub(super) fn set_version(resp: &mut Response<Body>, versioning: Versioning, id: VersionId) {
    if versioning != Versioning::Unversioned {
        set(resp, "x-bce-version-id", &id.to_string());
    }
}

fn object_headers(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion) {
    let d = &v.data;
    set(resp, "etag", &etag(&d.etag));
    set(resp, "last-modified", &http_date(v.last_modified_ms));
    set(resp, "accept-ranges", "bytes");
    set(resp, "x-bce-storage-class", "STANDARD");
    set(resp, "x-bce-content-crc32", &d.crc32.to_string());
    set(resp, "x-bce-content-crc64ecma", &d.crc64.to_string());
    if d.appendable {
        set(resp, "x-bce-object-type", "Appendable");
        set(resp, "x-bce-next-append-offset", &d.size.to_string());
    }
    if let Some(md5) = objhttp::etag_md5(&d.etag).filter(|_| !d.appendable) {
        set(resp, "content-md5", &base64(&md5));
    }
    objhttp::set_meta_headers(resp, &d.meta, META_PREFIX);
    set_version(resp, v.versioning, v.version_id);
    super::tagging::set_tag_count(ctx, resp, v);
}

fn condition_error(c: Condition) -> BosError {
    match c {
        Condition::PreconditionFailed => BosError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the preconditions you specified did not hold.",
        ),
        Condition::NotModified => {
            BosError::new(StatusCode::NOT_MODIFIED, "NotModified", "Not modified.")
        }
    }
}

/// BOS's conditional writes (PutObject, CompleteMultipartUpload): `If-Match`,
/// `If-None-Match`, `If-Unmodified-Since` (and `If-Modified-Since`) on the key's current
/// object, evaluated by the core in the write's own transaction: 412 PreconditionFailed, or
/// 404 NoSuchKey for an `If-Match` with no object.
pub(super) fn write_condition(ctx: &Ctx<'_>) -> Precondition {
    objhttp::precondition(&ctx.req.headers, objhttp::READ_CONDITIONS)
}

pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let meta = meta_from_headers(ctx)?;
    let tags = super::tagging::write_tags(ctx)?;
    let out = ctx
        .run(PutObject {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl: super::acl::write_acl(ctx)?,
            bucket,
            key,
            meta,
            expect: expectations(ctx)?,
            cond: write_condition(ctx),
            body: crate::body::stream(body),
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set(&mut resp, "x-bce-content-crc32", &out.crc32.to_string());
    set(&mut resp, "x-bce-content-crc64ecma", &out.crc64.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

pub(super) async fn get(ctx: &Ctx<'_>) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let range = match ctx
        .req
        .header("range")
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) => Some(parse_range(r).ok_or_else(|| {
            BosError::new(
                StatusCode::BAD_REQUEST,
                "InvalidRange",
                "The Range header is not valid.",
            )
        })?),
    };
    let read = ctx
        .run(GetObject {
            bucket,
            key,
            version: ctx.version_id()?,
            range,
            cond: Precondition::default(),
        })
        .await?;
    objhttp::check_conditions(&ctx.req.headers, objhttp::READ_CONDITIONS, &read.version)
        .map_err(condition_error)?;
    Ok(objhttp::object_response(read, |resp, v| {
        object_headers(ctx, resp, v)
    }))
}

pub(super) fn head(ctx: &Ctx<'_>) -> BosResult {
    let v = ctx.read(HeadObject {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    objhttp::check_conditions(&ctx.req.headers, objhttp::READ_CONDITIONS, &v)
        .map_err(condition_error)?;
    let mut resp = empty(StatusCode::OK);
    object_headers(ctx, &mut resp, &v);
    set(&mut resp, "content-length", &v.data.size.to_string());
    Ok(resp)
}

/// The bucket, key and version a `x-bce-copy-source` header value names.
pub fn parse_copy_source(raw: &str) -> Result<(String, String, Option<VersionId>), BosError> {
    let bad = || BosError::invalid_argument("The x-bce-copy-source header is not valid.");
    let (path, version) = match raw.split_once("?versionId=") {
        Some((p, v)) => (
            p,
            Some(VersionId::parse(
                &crate::request::decode(v).map_err(|_| bad())?,
            )?),
        ),
        None => (raw, None),
    };
    let path = crate::request::decode(path).map_err(|_| bad())?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    Ok((bucket.to_owned(), key.to_owned(), version))
}

const COPY_CONDITIONS: [&str; 4] = [
    "x-bce-copy-source-if-match",
    "x-bce-copy-source-if-unmodified-since",
    "x-bce-copy-source-if-none-match",
    "x-bce-copy-source-if-modified-since",
];

/// The `x-bce-copy-source-if-*` conditions, for the core to evaluate against the source
/// version it copies; they fail as 412 whichever way they fail.
pub(super) fn copy_condition(ctx: &Ctx<'_>) -> Precondition {
    objhttp::precondition(&ctx.req.headers, COPY_CONDITIONS)
}

/// A copy whose source version is a delete marker.
pub(super) fn marker_source(e: CoreError) -> BosError {
    match e {
        CoreError::MethodNotAllowed { .. } => {
            BosError::invalid_argument("The copy source is a delete marker.")
        }
        other => other.into(),
    }
}

pub(super) async fn copy(ctx: &Ctx<'_>) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let copied = ctx.copy_source()?;
    let cond = copy_condition(ctx);
    let tags = super::tagging::copy_tags(ctx)?;
    // Both SDKs send a default Content-Type on every copy: it counts only with `replace`.
    let directive = match ctx
        .req
        .header("x-bce-metadata-directive")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("copy") => MetadataDirective::Copy,
        Some("replace") => MetadataDirective::Replace(meta_from_headers(ctx)?),
        Some(_) => {
            return Err(BosError::invalid_argument(
                "The x-bce-metadata-directive must be copy or replace.",
            ));
        }
    };
    let (out, _) = ctx
        .run(CopyObject {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl: super::acl::write_acl(ctx)?,
            source: Source::of(&copied),
            source_cond: cond,
            cond: Precondition::default(),
            bucket,
            key,
            directive,
            checksum: None,
        })
        .await
        .map_err(marker_source)?;
    let mut resp =
        json(serde_json::json!({"lastModified": bos_time(out.last_modified_ms), "eTag": out.etag}));
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let outcome = ctx
        .run(DeleteObject {
            bypass_governance: false,
            bucket,
            key,
            version: ctx.version_id()?,
            cond: objhttp::precondition(&ctx.req.headers, objhttp::READ_CONDITIONS),
        })
        .await?;
    let mut resp = empty(StatusCode::NO_CONTENT);
    match outcome {
        // BOS reports a delete of nothing as NoSuchKey.
        DeleteOutcome::Removed { existed: false }
        | DeleteOutcome::VersionRemoved { existed: false, .. } => {
            return Err(BosError::no_such_key());
        }
        _ => objhttp::set_delete_headers(&mut resp, &outcome, "x-bce-"),
    }
    Ok(resp)
}
