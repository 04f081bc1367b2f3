//! Multipart uploads: Initiate, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
//! ListMultipartUploads.

use super::error::BosError;
use super::list::max_param;
use super::object::{
    copy_condition, expectations, marker_source, meta_from_headers, set_version, validate_key,
};
use super::{BosResult, Ctx, bos_time, empty, etag, json};
use crate::body::Incoming;
use crate::exec::*;
use crate::objhttp::set;
use crate::partcopy::{self, PastEnd, RangeForm};
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use strata_core::{CoreError, Expect, ListUploadsParams};

/// The smallest part but the last: BOS's SDK helpers upload 1 MiB parts.
pub const MIN_PART_SIZE: u64 = 1024 * 1024;

pub(super) async fn initiate(ctx: &Ctx<'_>) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let tags = super::tagging::write_tags(ctx)?;
    let id = ctx
        .run(CreateUpload {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl: super::acl::write_acl(ctx)?,
            bucket,
            key,
            meta: meta_from_headers(ctx)?,
            checksum: None,
        })
        .await?;
    Ok(json(json!({"bucket": bucket, "key": key, "uploadId": id})))
}

pub(super) async fn upload_part(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let (upload, part) = ctx.part_address()?;
    let out = ctx
        .run(UploadPart {
            upload,
            part,
            expect: expectations(ctx)?,
            body: crate::body::stream(body),
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    set(&mut resp, "x-bce-content-crc32", &out.crc32.to_string());
    Ok(resp)
}

/// UploadPartCopy: the source named by `x-bce-copy-source` (as CopyObject names it), or the
/// range `x-bce-copy-source-range` selects, which must lie inside it, becomes the part.
pub(super) async fn upload_part_copy(ctx: &Ctx<'_>) -> BosResult {
    let (upload, part) = ctx.part_address()?;
    let copied = ctx.copy_source()?;
    let bad_range =
        |detail: &str| BosError::invalid_argument(format!("The x-bce-copy-source-range {detail}."));
    let range = partcopy::parse_range(ctx.req.header("x-bce-copy-source-range"), RangeForm::Any)
        .map_err(|_| bad_range("must be of the form bytes=first-last"))?;
    let (out, _) = ctx
        .run(UploadPartCopy {
            upload,
            part,
            source: Source::of(&copied),
            range,
            past_end: PastEnd::Refuse,
            cond: copy_condition(ctx),
        })
        .await
        .map_err(|e| match e {
            CoreError::InvalidRange { size } => {
                bad_range(&format!("is not inside the source object of {size} bytes"))
            }
            other => marker_source(other),
        })?;
    let mut resp =
        json(json!({"lastModified": bos_time(strata_core::store::now_ms()), "eTag": out.etag}));
    set(&mut resp, "etag", &etag(&out.etag));
    Ok(resp)
}

#[derive(Deserialize)]
struct CompleteRequest {
    parts: Option<Vec<CompletePart>>,
}

#[derive(Deserialize)]
struct CompletePart {
    #[serde(rename = "partNumber")]
    part_number: Option<u32>,
    #[serde(rename = "eTag")]
    etag: Option<String>,
}

/// The parts of a CompleteMultipartUpload body: `{"parts": [{"partNumber": n, "eTag": …}]}`
/// as (part number, lower-case unquoted ETag).
pub fn parse_complete_request(bytes: &[u8]) -> Result<Vec<(u32, String)>, BosError> {
    let req: CompleteRequest = super::document::read(bytes)?;
    let mut parts = Vec::new();
    for p in req.parts.unwrap_or_default() {
        match (p.part_number, p.etag) {
            (Some(n), Some(t)) => parts.push((n, t.trim().trim_matches('"').to_ascii_lowercase())),
            _ => {
                return Err(BosError::invalid_argument(
                    "Every part needs a partNumber and an eTag.",
                ));
            }
        }
    }
    Ok(parts)
}

pub(super) async fn complete(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    ctx.check_upload()?;
    let upload = ctx.upload()?;
    let bytes = ctx.read_document(body).await?;
    let parts = parse_complete_request(&bytes)?;
    // Metadata sent with Complete wins over Initiate's (Python's `user_metadata`).
    let user = meta_from_headers(ctx)?.user;
    ctx.run(MergeUploadMeta { upload, user }).await?;
    // The whole object's CRC-32 (Python's super-file upload sends it) is checked before commit.
    let whole = Expect {
        crc32: expectations(ctx)?.crc32,
        ..Default::default()
    };
    let (_, out) = ctx
        .run(CompleteUpload {
            upload,
            parts,
            min_part_size: MIN_PART_SIZE,
            expect: whole,
            cond: super::object::write_condition(ctx),
        })
        .await?;
    let host = ctx.req.header("host").unwrap_or("localhost");
    let mut resp = json(
        json!({"location": format!("http://{host}/{bucket}/{key}"), "bucket": bucket, "key": key, "eTag": out.etag}),
    );
    set(&mut resp, "x-bce-content-crc32", &out.crc32.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

pub(super) async fn abort(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(AbortUpload(ctx.upload()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn list_parts(ctx: &Ctx<'_>) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let id = ctx.upload_id()?;
    let upload = ctx.read(GetUpload(ctx.upload()?))?;
    let marker = match ctx.req.query_nonempty("partNumberMarker") {
        None => 0,
        Some(m) => m
            .parse::<u32>()
            .map_err(|_| BosError::invalid_argument("partNumberMarker must be an integer."))?,
    };
    let max = max_param(ctx, "maxParts")?;
    let l = ctx.read(ListParts {
        bucket,
        key,
        upload_id: id,
        after: marker,
        max,
    })?;
    let parts: Vec<Value> = l
        .parts
        .iter()
        .map(|p| json!({"partNumber": p.part_number, "lastModified": bos_time(p.part.last_modified_ms), "eTag": p.part.etag, "size": p.part.size}))
        .collect();
    let next = l.parts.last().map(|p| p.part_number).unwrap_or(marker);
    Ok(json(
        json!({"bucket": bucket, "key": key, "uploadId": id, "initiated": bos_time(upload.initiated_ms),
                   "owner": ctx.owner_json(), "storageClass": "STANDARD", "partNumberMarker": marker,
                   "nextPartNumberMarker": next, "maxParts": max, "isTruncated": l.is_truncated, "parts": parts}),
    ))
}

pub(super) fn list_uploads(ctx: &Ctx<'_>) -> BosResult {
    let bucket = ctx.bucket()?;
    let q = |n: &str| ctx.req.query_nonempty(n);
    let max = max_param(ctx, "maxUploads")?;
    let p = ListUploadsParams {
        prefix: q("prefix").unwrap_or("").into(),
        delimiter: q("delimiter").map(Into::into),
        key_marker: q("keyMarker").map(Into::into),
        upload_id_marker: None,
        max_uploads: max,
    };
    let l = ctx.read(ListUploads(bucket, &p))?;
    let owner = ctx.owner_json();
    let uploads: Vec<Value> = l
        .uploads
        .iter()
        .map(|u| json!({"key": u.key, "uploadId": u.upload_id, "owner": owner, "initiated": bos_time(u.initiated_ms), "storageClass": "STANDARD"}))
        .collect();
    let prefixes: Vec<Value> = l
        .common_prefixes
        .iter()
        .map(|c| json!({"prefix": c}))
        .collect();
    Ok(json(
        json!({"bucket": bucket, "keyMarker": p.key_marker.unwrap_or_default(),
                   "nextKeyMarker": l.next_key_marker.unwrap_or_default(), "prefix": p.prefix,
                   "delimiter": p.delimiter.unwrap_or_default(), "maxUploads": max, "isTruncated": l.is_truncated,
                   "uploads": uploads, "commonPrefixes": prefixes}),
    ))
}
