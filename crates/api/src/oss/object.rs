//! Object operations: PutObject, GetObject (Range, conditionals, `response-*` overrides),
//! HeadObject, GetObjectMeta, CopyObject, DeleteObject (object ACLs are in `acl.rs`).

use super::error::OssError;
use super::{Ctx, OssResult, empty, etag, overwrite, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::{base64, http_date, iso8601, parse_md5, parse_range};
use crate::objhttp::{self, set};
use crate::xml::Xml;
use hyper::{Response, StatusCode};
use strata_core::{
    CoreError, Expect, KeyRules, MetadataDirective, ObjectMeta, ObjectVersion, Precondition,
    VersionId, Versioning,
};

/// OSS object names: the core's [`KeyRules::OSS`] (1 to 1023 bytes, not starting with `/` or
/// `\`), refused in OSS's words.
pub(super) fn validate_key(key: &str) -> Result<(), OssError> {
    if KeyRules::OSS.check(key).is_err() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object is not valid.",
        )
        .detail("Key", key));
    }
    Ok(())
}

/// The `versionId` query parameter: absent, or a valid ID (empty or malformed is an error).
const META_PREFIX: &str = "x-oss-meta-";

/// Content headers and `x-oss-meta-*` of a request.
pub(super) fn meta_from_headers(ctx: &Ctx<'_>) -> ObjectMeta {
    objhttp::meta_from_headers(&ctx.req.headers, META_PREFIX)
}

/// The version header, sent when the bucket has ever had versioning.
pub(super) fn set_version(resp: &mut Response<Body>, versioning: Versioning, id: VersionId) {
    if versioning != Versioning::Unversioned {
        set(resp, "x-oss-version-id", &id.to_string());
    }
}

/// The headers GET and HEAD share.
fn object_headers(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion) {
    let d = &v.data;
    set(resp, "etag", &etag(&d.etag));
    set(resp, "last-modified", &http_date(v.last_modified_ms));
    set(resp, "accept-ranges", "bytes");
    let kind = if d.appendable {
        set(resp, "x-oss-next-append-position", &d.size.to_string());
        "Appendable"
    } else if d.parts > 0 {
        "Multipart"
    } else {
        "Normal"
    };
    set(resp, "x-oss-object-type", kind);
    set(resp, "x-oss-storage-class", "Standard");
    set(resp, "x-oss-hash-crc64ecma", &d.crc64.to_string());
    if let Some(md5) = objhttp::etag_md5(&d.etag).filter(|_| !d.appendable) {
        set(resp, "content-md5", &base64(&md5));
    }
    objhttp::set_meta_headers(resp, &d.meta, META_PREFIX);
    set_version(resp, v.versioning, v.version_id);
    if let Some(e) = super::lifecycle::expiration_header(ctx, v) {
        set(resp, "x-oss-expiration", &e);
    }
    super::tagging::set_tag_count(ctx, resp, v);
    // `response-*` query parameters override the stored headers.
    for (param, header) in [
        ("response-content-type", "content-type"),
        ("response-content-language", "content-language"),
        ("response-expires", "expires"),
        ("response-cache-control", "cache-control"),
        ("response-content-disposition", "content-disposition"),
        ("response-content-encoding", "content-encoding"),
    ] {
        if let Some(value) = ctx.req.query_nonempty(param) {
            set(resp, header, value);
        }
    }
}

/// The `x-oss-copy-source-if-*` conditions of CopyObject and UploadPartCopy.
const COPY_CONDITIONS: [&str; 4] = [
    "x-oss-copy-source-if-match",
    "x-oss-copy-source-if-unmodified-since",
    "x-oss-copy-source-if-none-match",
    "x-oss-copy-source-if-modified-since",
];

/// The `x-oss-copy-source-if-*` conditions, for the core to evaluate against the source
/// version it copies: any that fails is 412 PreconditionFailed (OSS answers 412 for each of
/// the four).
pub(super) fn copy_condition(ctx: &Ctx<'_>) -> Precondition {
    objhttp::precondition(&ctx.req.headers, COPY_CONDITIONS)
}

/// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since against a version.
fn check_conditions(ctx: &Ctx<'_>, v: &ObjectVersion) -> Result<(), OssError> {
    objhttp::check_conditions(&ctx.req.headers, objhttp::READ_CONDITIONS, v).map_err(|c| match c {
        objhttp::Condition::PreconditionFailed => OssError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
        ),
        objhttp::Condition::NotModified => {
            OssError::new(StatusCode::NOT_MODIFIED, "NotModified", "")
        }
    })
}

pub(super) async fn get(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let version = ctx.version_id()?;
    let standard = ctx
        .req
        .header("x-oss-range-behavior")
        .is_some_and(|v| v.eq_ignore_ascii_case("standard"));
    let range = ctx
        .req
        .header("range")
        .filter(|r| !r.trim().is_empty())
        .and_then(parse_range);
    let get = |range| GetObject {
        bucket,
        key,
        version,
        range,
        cond: Precondition::default(),
    };
    let read = match ctx.run(get(range)).await {
        // OSS ignores an unsatisfiable range unless asked to behave as the standard says.
        Err(CoreError::InvalidRange { .. }) if !standard => ctx.run(get(None)).await?,
        other => other?,
    };
    check_conditions(ctx, &read.version)?;
    Ok(objhttp::object_response(read, |resp, v| {
        object_headers(ctx, resp, v)
    }))
}

pub(super) fn head(ctx: &Ctx<'_>, meta_only: bool) -> OssResult {
    let v = ctx.read(HeadObject {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    if !meta_only {
        check_conditions(ctx, &v)?;
    }
    let mut resp = empty(StatusCode::OK);
    object_headers(ctx, &mut resp, &v);
    set(&mut resp, "content-length", &v.data.size.to_string());
    Ok(resp)
}

/// `Content-MD5`, if given (InvalidDigest when it is not an MD5's base64).
pub(super) fn content_md5(ctx: &Ctx<'_>) -> Result<Option<[u8; 16]>, OssError> {
    match ctx.req.header("content-md5") {
        None => Ok(None),
        Some(v) => Ok(Some(parse_md5(v).ok_or_else(|| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            )
        })?)),
    }
}

/// What the client announced about the body: Content-MD5, Content-Length, a V4 payload hash.
pub(super) fn expectations(ctx: &Ctx<'_>) -> Result<Expect, OssError> {
    let md5 = content_md5(ctx)?;
    let size = ctx
        .req
        .header("content-length")
        .and_then(|v| v.parse().ok());
    Ok(Expect {
        md5,
        size,
        sha256: ctx.auth.payload_sha256,
        ..Default::default()
    })
}

pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let acl = super::acl::object_ask(ctx)?;
    let expect = expectations(ctx)?;
    let tags = super::tagging::write_tags(ctx)?;
    let cond = overwrite::condition(ctx, bucket)?;
    let out = ctx
        .run(PutObject {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl,
            bucket,
            key,
            meta: meta_from_headers(ctx),
            expect,
            cond: cond.clone(),
            body: crate::body::stream(body),
        })
        .await
        .map_err(|e| overwrite::refused(ctx, &cond, false, e))?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    if let Some(md5) = out.md5 {
        set(&mut resp, "content-md5", &base64(&md5));
    }
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

/// The bucket, key and version a `x-oss-copy-source` header value names.
pub fn parse_copy_source(raw: &str) -> Result<(String, String, Option<VersionId>), OssError> {
    let bad = || OssError::invalid_argument("The x-oss-copy-source header is not valid.");
    let (path, version) = match raw.split_once("?versionId=") {
        Some((p, v)) => (p, Some(VersionId::parse(v)?)),
        None => (raw, None),
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
    let decode = |s: &str| -> String {
        form_urlencoded::parse(format!("k={s}").as_bytes())
            .map(|(_, v)| v.into_owned())
            .next()
            .unwrap_or_default()
    };
    let (bucket, key) = (decode(bucket), decode(key));
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    Ok((bucket, key, version))
}

pub(super) async fn copy(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let acl = super::acl::object_ask(ctx)?;
    let copied = ctx.copy_source()?;
    let tags = super::tagging::copy_tags(ctx)?;
    let directive = match ctx
        .req
        .header("x-oss-metadata-directive")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("COPY") => MetadataDirective::Copy,
        Some("REPLACE") => MetadataDirective::Replace(meta_from_headers(ctx)),
        Some(_) => {
            return Err(OssError::invalid_argument(
                "The x-oss-metadata-directive must be COPY or REPLACE.",
            ));
        }
    };
    let cond = overwrite::condition(ctx, bucket)?;
    let source_cond = copy_condition(ctx);
    let ambiguous = !source_cond.is_none();
    let marker_source = |e| match e {
        CoreError::MethodNotAllowed { .. } => OssError::invalid_argument(
            "The versionId field in the x-oss-copy-source request header cannot be specified as a delete marker.",
        ),
        other => overwrite::refused(ctx, &cond, ambiguous, other),
    };
    let (out, source) = ctx
        .run(CopyObject {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl,
            source: Source::of(&copied),
            source_cond,
            cond: cond.clone(),
            bucket,
            key,
            directive,
            checksum: None,
        })
        .await
        .map_err(marker_source)?;
    let mut x = Xml::new("CopyObjectResult", "");
    x.leaf("ETag", &etag(&out.etag))
        .leaf("LastModified", &iso8601(out.last_modified_ms));
    let mut resp = xml(StatusCode::OK, x.finish());
    set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    if copied.2.is_some() || source.versioning != Versioning::Unversioned {
        set(
            &mut resp,
            "x-oss-copy-source-version-id",
            &source.version_id.to_string(),
        );
    }
    Ok(resp)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> OssResult {
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
    objhttp::set_delete_headers(&mut resp, &outcome, "x-oss-");
    Ok(resp)
}
