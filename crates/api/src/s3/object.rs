//! Object operations: PutObject (Content-MD5, `x-amz-content-sha256`, `x-amz-checksum-*` in
//! headers or `aws-chunked` trailers), GetObject (Range, conditionals, `response-*`
//! overrides), HeadObject, CopyObject (with `versionId`), DeleteObject.

use super::acl::write_ask;
use super::auth::Payload;
use super::batch::delete_condition;
use super::chunked::{AwsChunked, Mode};
use super::error::S3Error;
use super::{Ctx, S3Result, checksum, empty, etag, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::{http_date, iso8601, parse_md5, parse_range};
use crate::listing::S3;
use crate::objhttp::{self, Condition, set};
use crate::xml::Xml;
use futures_util::StreamExt;
use hyper::{Response, StatusCode};
use md5::Digest as _;
use std::sync::Arc;
use strata_core::{
    ByteStream, CoreError, DigestValues, Expect, MetadataDirective, ObjectMeta, ObjectVersion,
    Precondition, VersionId, Versioning,
};

const META_PREFIX: &str = "x-amz-meta-";

pub(super) fn meta_from_headers(ctx: &Ctx<'_>) -> ObjectMeta {
    let mut meta = objhttp::meta_from_headers(&ctx.req.headers, META_PREFIX);
    meta.content_encoding = meta.content_encoding.as_deref().and_then(stored_encoding);
    meta
}

/// The Content-Encoding S3 stores: `aws-chunked` describes the upload framing, not the
/// object, so it is dropped (`gzip, aws-chunked` → `gzip`; `aws-chunked` alone → none).
fn stored_encoding(header: &str) -> Option<String> {
    let kept: Vec<&str> = header
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("aws-chunked"))
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// Conditional writes (PutObject, CompleteMultipartUpload): `If-Match` needs a current object
/// with a listed ETag (none: 404 NoSuchKey; another: 412), `If-None-Match` needs no current
/// object with a listed ETag (`*`: none at all), else 412. The core evaluates them in the
/// write's own transaction.
pub(super) fn write_condition(ctx: &Ctx<'_>) -> Precondition {
    Precondition {
        if_match: ctx.req.header("if-match").map(str::to_owned),
        if_none_match: ctx.req.header("if-none-match").map(str::to_owned),
        ..Precondition::default()
    }
}

/// A request body as the core takes it (de-framed when `aws-chunked`), with everything it
/// must match: Content-MD5, the signed SHA-256, and the one flexible checksum (in a header,
/// or announced by `x-amz-trailer` and compared once the trailers have arrived), which the
/// core stores with the version or part.
pub(super) fn upload_body(ctx: &Ctx<'_>, body: Incoming) -> Result<(ByteStream, Expect), S3Error> {
    let mut expect = Expect::default();
    if let Some(v) = ctx.req.header("content-md5") {
        expect.md5 = Some(parse_md5(v).ok_or_else(|| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
        })?);
    }
    if let Payload::Sha256(h) = ctx.auth.payload {
        expect.sha256 = Some(h);
    }
    expect.checksum = checksum::named(ctx, "x-amz-sdk-checksum-algorithm")?;
    let given = checksum::from_headers(ctx)?;
    let header_given = given.is_some();
    if let Some((alg, value)) = given {
        expect.checksum = Some(alg);
        expect.late = Some(Arc::new(move |d: &DigestValues| match alg.value(d) {
            Some(v) if v == value => Ok(()),
            _ => Err(checksum::mismatch(alg)),
        }));
    }
    let stream: ByteStream = match Mode::for_request(&ctx.auth) {
        Some(mode) => {
            let decoded = ctx
                .req
                .header("x-amz-decoded-content-length")
                .and_then(|v| v.parse().ok());
            expect.size = decoded;
            let chunked = AwsChunked::new(crate::body::stream(body), mode, decoded);
            let trailers = chunked.trailers();
            // A checksum announced as a trailer is compared once the trailers have arrived.
            if let Some(alg) = ctx
                .req
                .header("x-amz-trailer")
                .and_then(checksum::from_name)
            {
                if header_given {
                    return Err(S3Error::invalid_request(
                        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                    ));
                }
                expect.checksum = Some(alg);
                let name = checksum::header(alg);
                expect.late = Some(Arc::new(move |d: &DigestValues| {
                    let sent = trailers
                        .value(name)
                        .and_then(|v| checksum::decode(alg, &v, false).ok())
                        .ok_or_else(|| {
                            CoreError::InvalidRequest(format!(
                                "Value for {name} trailing header is invalid."
                            ))
                        })?;
                    match alg.value(d) {
                        Some(v) if v == sent => Ok(()),
                        _ => Err(checksum::mismatch(alg)),
                    }
                }));
            }
            chunked.boxed()
        }
        None => {
            expect.size = ctx
                .req
                .header("content-length")
                .and_then(|v| v.parse().ok());
            crate::body::stream(body).boxed()
        }
    };
    Ok((stream, expect))
}

/// The version header: always in an Enabled bucket, and `null` versions are named only where
/// versioning has been configured (S3 omits it on suspended-bucket writes; see `put`).
fn set_version(resp: &mut Response<Body>, versioning: Versioning, id: VersionId) {
    if versioning != Versioning::Unversioned {
        set(resp, "x-amz-version-id", &id.to_string());
    }
}

/// Writes name their version (`x-amz-version-id`) only in an Enabled bucket: a write to a
/// Suspended bucket makes the `null` version and names none.
pub(super) fn set_written_version(
    resp: &mut Response<Body>,
    versioning: Versioning,
    id: VersionId,
) {
    if versioning == Versioning::Enabled {
        set(resp, "x-amz-version-id", &id.to_string());
    }
}

pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = write_ask(ctx)?;
    ctx.read(GetBucket(bucket))?;
    let lock = super::lock::write_lock(ctx, bucket, true)?;
    let tags = super::tagging::write_tags(ctx)?;
    let cond = write_condition(ctx);
    let (body, expect) = upload_body(ctx, body)?;
    let out = ctx
        .run(PutObject {
            lock,
            tags,
            acl,
            bucket,
            key,
            meta: meta_from_headers(ctx),
            expect,
            cond,
            body,
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set_written_version(&mut resp, out.versioning, out.version_id);
    let written = (out.last_modified_ms, out.size);
    super::lifecycle::set_expiration(ctx, &mut resp, key, written, &out.tags);
    if let Some(c) = &out.checksum {
        checksum::set_headers(&mut resp, c);
    }
    Ok(resp)
}

/// What a read shows of a version: all of it, a range, or one part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Whole,
    Range,
    Part(u32),
}

/// The checksum headers of a read with `x-amz-checksum-mode: ENABLED`: the stored checksum
/// (or the CRC-32 every body has) of a whole object, a multipart part's own checksum (with
/// the upload's checksum type, as ceph/s3-tests expects); none for a range.
fn set_checksum(resp: &mut Response<Body>, d: &strata_core::ObjectData, shown: Shown) {
    match (shown, &d.checksum) {
        (Shown::Range, _) => {}
        (Shown::Part(n), Some(c)) if d.parts > 0 => {
            if let Some(v) = c.part_values.get(n as usize - 1) {
                set(resp, checksum::header(c.algorithm), &checksum::b64(v));
                set(resp, "x-amz-checksum-type", c.kind.name());
            }
        }
        (Shown::Part(_), None) if d.parts > 0 => {}
        (_, Some(c)) => checksum::set_headers(resp, c),
        (_, None) => {
            set(
                resp,
                checksum::header(strata_core::ChecksumAlgorithm::Crc32),
                &checksum::b64(&d.crc32.to_be_bytes()),
            );
            set(resp, "x-amz-checksum-type", "FULL_OBJECT");
        }
    }
}

fn object_headers(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion, shown: Shown) {
    let d = &v.data;
    set(resp, "etag", &etag(&d.etag));
    set(resp, "last-modified", &http_date(v.last_modified_ms));
    set(resp, "accept-ranges", "bytes");
    objhttp::set_meta_headers(resp, &d.meta, META_PREFIX);
    set_version(resp, v.versioning, v.version_id);
    // The current object's expiration (a version named by ID is not told it).
    if !ctx.req.has_query("versionId") {
        let written = (v.last_modified_ms, d.size);
        super::lifecycle::set_expiration(ctx, resp, &v.key, written, &d.tags);
    }
    super::tagging::set_tag_count(ctx, resp, v);
    if !d.lock.is_none()
        && let Ok(bucket) = ctx.bucket()
    {
        let visible = ctx.read(crate::exec::VisibleLock {
            bucket,
            key: &v.key,
            lock: d.lock,
        });
        super::lock::set_lock_headers(resp, &visible.unwrap_or_default());
    }
    if d.parts > 0 {
        set(resp, "x-amz-mp-parts-count", &d.parts.to_string());
    }
    if checksum::mode_enabled(ctx) {
        set_checksum(resp, d, shown);
    }
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

/// A failed read condition; a 304 names the version it did not send.
fn read_condition_error(c: Condition, v: &ObjectVersion) -> S3Error {
    let e = condition_error(c);
    if e.status != StatusCode::NOT_MODIFIED {
        return e;
    }
    let e = e
        .header("etag", etag(&v.data.etag))
        .header("last-modified", http_date(v.last_modified_ms));
    if v.versioning != Versioning::Unversioned {
        e.header("x-amz-version-id", v.version_id.to_string())
    } else {
        e
    }
}

fn condition_error(c: Condition) -> S3Error {
    match c {
        Condition::PreconditionFailed => S3Error::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
        ),
        Condition::NotModified => {
            S3Error::new(StatusCode::NOT_MODIFIED, "NotModified", "Not Modified")
        }
    }
}

/// A 404 for a key in a never-versioned bucket says `x-amz-delete-marker: false`, as
/// s3-tests' `test_delete_marker_nonversioned` expects (AWS omits it; SDKs accept both).
pub(super) fn not_found(ctx: &Ctx<'_>, e: CoreError) -> S3Error {
    let plain = matches!(
        e,
        CoreError::NoSuchKey {
            delete_marker: None
        }
    );
    let err = S3Error::from(e);
    let unversioned = ctx
        .bucket()
        .ok()
        .and_then(|b| ctx.read(GetBucket(b)).ok())
        .is_some_and(|b| b.versioning == Versioning::Unversioned);
    if plain && unversioned {
        err.header("x-amz-delete-marker", "false")
    } else {
        err
    }
}

/// The part a read asks for (`partNumber`): 1 to 10000, and not with a Range.
fn part_number(ctx: &Ctx<'_>) -> Result<Option<u32>, S3Error> {
    let Some(v) = ctx.req.query("partNumber") else {
        return Ok(None);
    };
    let n = v
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=strata_core::multipart::MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            S3Error::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })?;
    if ctx.req.headers.contains_key("range") {
        return Err(S3Error::invalid_request(
            "Cannot specify both Range header and partNumber query parameter",
        ));
    }
    Ok(Some(n))
}

pub(super) async fn get(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let part = part_number(ctx)?;
    let version = ctx.version_id()?;
    let read = match part {
        Some(part) => {
            ctx.run(GetObjectPart {
                bucket,
                key,
                version,
                part,
            })
            .await
        }
        None => {
            // An unparsable Range is ignored, as S3 does.
            let range = ctx.req.header("range").and_then(parse_range);
            ctx.run(GetObject {
                bucket,
                key,
                version,
                range,
                cond: Precondition::default(),
            })
            .await
        }
    }
    .map_err(|e| not_found(ctx, e))?;
    objhttp::check_conditions(&ctx.req.headers, objhttp::READ_CONDITIONS, &read.version)
        .map_err(|c| read_condition_error(c, &read.version))?;
    let shown = match (part, read.range) {
        (Some(n), _) => Shown::Part(n),
        (None, Some(_)) => Shown::Range,
        (None, None) => Shown::Whole,
    };
    Ok(objhttp::object_response(read, |resp, v| {
        object_headers(ctx, resp, v, shown)
    }))
}

pub(super) fn head(ctx: &Ctx<'_>) -> S3Result {
    let part = part_number(ctx)?;
    let v = ctx
        .read(HeadObject {
            bucket: ctx.bucket()?,
            key: ctx.key()?,
            version: ctx.version_id()?,
        })
        .map_err(|e| not_found(ctx, e))?;
    objhttp::check_conditions(&ctx.req.headers, objhttp::READ_CONDITIONS, &v)
        .map_err(|c| read_condition_error(c, &v))?;
    let span = match part {
        Some(n) => strata_core::object::part_span(&v.data, n)?,
        None => None,
    };
    let mut resp = empty(StatusCode::OK);
    let shown = part.map_or(Shown::Whole, Shown::Part);
    object_headers(ctx, &mut resp, &v, shown);
    match span {
        Some((first, last)) => {
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
            set(
                &mut resp,
                "content-range",
                &format!("bytes {first}-{last}/{}", v.data.size),
            );
            set(&mut resp, "content-length", &(last - first + 1).to_string());
        }
        None => set(&mut resp, "content-length", &v.data.size.to_string()),
    }
    Ok(resp)
}

/// The bucket, key and version a `x-amz-copy-source` header value names.
pub fn parse_copy_source(raw: &str) -> Result<(String, String, Option<VersionId>), S3Error> {
    let bad = || {
        S3Error::invalid_argument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        )
    };
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

pub(super) const COPY_CONDITIONS: [&str; 4] = [
    "x-amz-copy-source-if-match",
    "x-amz-copy-source-if-unmodified-since",
    "x-amz-copy-source-if-none-match",
    "x-amz-copy-source-if-modified-since",
];

pub(super) fn marker_source(e: CoreError) -> S3Error {
    match e {
        CoreError::MethodNotAllowed { .. } => S3Error::invalid_request(
            "The source of a copy request may not specifically refer to a delete marker by version id.",
        ),
        other => other.into(),
    }
}

pub(super) async fn copy(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = write_ask(ctx)?;
    let copied = ctx.copy_source()?;
    let lock = super::lock::write_lock(ctx, bucket, false)?;
    let tags = super::tagging::copy_tags(ctx)?;
    let directive = match ctx
        .req
        .header("x-amz-metadata-directive")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("COPY") => MetadataDirective::Copy,
        Some("REPLACE") => MetadataDirective::Replace(meta_from_headers(ctx)),
        Some(_) => return Err(S3Error::invalid_argument("Unknown metadata directive.")),
    };
    let new_checksum = checksum::named(ctx, "x-amz-checksum-algorithm")?;
    let (sb, sk, sv) = &copied;
    if sb == bucket
        && sk == key
        && sv.is_none()
        && matches!(directive, MetadataDirective::Copy)
        && new_checksum.is_none()
    {
        return Err(S3Error::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let (out, source) = ctx
        .run(CopyObject {
            lock,
            tags,
            acl,
            source: Source::of(&copied),
            source_cond: objhttp::precondition(&ctx.req.headers, COPY_CONDITIONS),
            bucket,
            key,
            directive,
            checksum: new_checksum,
        })
        .await
        .map_err(marker_source)?;
    let mut x = Xml::new("CopyObjectResult", S3.root_attrs);
    x.leaf("LastModified", &iso8601(out.last_modified_ms))
        .leaf("ETag", &etag(&out.etag));
    if let Some(c) = &out.checksum {
        x.leaf("ChecksumType", c.kind.name())
            .leaf(checksum::element(c.algorithm), &checksum::render(c));
    }
    let mut resp = xml(StatusCode::OK, x.finish());
    set_written_version(&mut resp, out.versioning, out.version_id);
    let written = (out.last_modified_ms, out.size);
    super::lifecycle::set_expiration(ctx, &mut resp, key, written, &out.tags);
    if source.versioning != Versioning::Unversioned {
        set(
            &mut resp,
            "x-amz-copy-source-version-id",
            &source.version_id.to_string(),
        );
    }
    Ok(resp)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let outcome = ctx
        .run(DeleteObject {
            bypass_governance: super::lock::bypass_governance(ctx),
            bucket,
            key,
            version: ctx.version_id()?,
            cond: delete_condition(ctx)?,
        })
        .await?;
    let mut resp = empty(StatusCode::NO_CONTENT);
    objhttp::set_delete_headers(&mut resp, &outcome, "x-amz-");
    Ok(resp)
}

/// A small request body's integrity: Content-MD5 or an `x-amz-checksum-*` header, whichever
/// is present, must match. (A CompleteMultipartUpload's `x-amz-checksum-*` is the object's,
/// not its body's: the completion checks it.)
pub(super) fn check_small_body(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<(), S3Error> {
    if let Some(v) = ctx.req.header("content-md5") {
        let given = parse_md5(v).ok_or_else(|| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
        })?;
        if given[..] != md5::Md5::digest(bytes)[..] {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    if ctx.op != crate::operation::Operation::CompleteMultipartUpload
        && let Some((alg, value)) = checksum::from_headers(ctx)?
        && alg.digest(bytes) != value
    {
        return Err(S3Error::from(checksum::mismatch(alg)));
    }
    if let Payload::Sha256(h) = ctx.auth.payload
        && strata_core::ChecksumAlgorithm::Sha256.digest(bytes) != h
    {
        return Err(S3Error::from(CoreError::BadDigest("SHA-256")));
    }
    Ok(())
}

/// Whether a request carries an integrity header (DeleteObjects requires one).
pub(super) fn has_integrity_header(ctx: &Ctx<'_>) -> bool {
    ctx.req.headers.contains_key("content-md5")
        || strata_core::ChecksumAlgorithm::ALL
            .iter()
            .any(|a| ctx.req.headers.contains_key(checksum::header(*a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked_is_not_a_stored_content_encoding() {
        assert_eq!(stored_encoding("gzip").as_deref(), Some("gzip"));
        assert_eq!(
            stored_encoding("deflate, gzip").as_deref(),
            Some("deflate, gzip")
        );
        assert_eq!(
            stored_encoding("gzip, aws-chunked").as_deref(),
            Some("gzip")
        );
        assert_eq!(stored_encoding("aws-chunked,gzip").as_deref(), Some("gzip"));
        assert_eq!(stored_encoding("aws-chunked"), None);
        assert_eq!(stored_encoding(" AWS-Chunked "), None);
    }
}
