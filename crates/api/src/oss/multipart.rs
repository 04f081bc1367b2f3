//! Multipart uploads: Initiate, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
//! ListMultipartUploads.

use super::batch::parse_doc;
use super::bucket::parse_max;
use super::error::OssError;
use super::object::{expectations, meta_from_headers, set_version, validate_key};
use super::{Ctx, OssResult, empty, etag, overwrite, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::{base64, iso8601};
use crate::listing::{self, OSS, PartsQuery, UploadsQuery};
use crate::objhttp::set;
use crate::partcopy::{self, PastEnd, RangeForm};
use crate::xml::{Xml, maybe_encode};
use hyper::StatusCode;
use strata_core::{CoreError, Expect, Versioning};

/// OSS's smallest part (all but the last): 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;

pub(super) async fn initiate(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let acl = super::acl::object_ask(ctx)?;
    let url = ctx.url_encoding()?;
    let tags = super::tagging::write_tags(ctx)?;
    overwrite::check_now(ctx, bucket)?;
    let id = ctx
        .run(CreateUpload {
            lock: strata_core::retention::ObjectLock::default(),
            tags,
            acl,
            bucket,
            key,
            meta: meta_from_headers(ctx),
            checksum: None,
        })
        .await?;
    let mut x = Xml::new("InitiateMultipartUploadResult", "");
    x.leaf("Bucket", bucket)
        .leaf("Key", &maybe_encode(key, url))
        .leaf("UploadId", &id);
    if url {
        x.leaf("EncodingType", "url");
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

/// UploadPartCopy: the source (or a range of it) streamed into the part.
pub(super) async fn upload_part_copy(ctx: &Ctx<'_>) -> OssResult {
    let (upload, part) = ctx.part_address()?;
    let copied = ctx.copy_source()?;
    let range = partcopy::parse_range(ctx.req.header("x-oss-copy-source-range"), RangeForm::Any)
        .map_err(|_| OssError::invalid_argument("The x-oss-copy-source-range is not valid."))?;
    let (out, source) = ctx
        .run(UploadPartCopy {
            upload,
            part,
            source: Source::of(&copied),
            range,
            past_end: PastEnd::Clamp,
            cond: super::object::copy_condition(ctx),
        })
        .await
        .map_err(|e| match e {
            CoreError::MethodNotAllowed { .. } => {
                OssError::invalid_argument("The copy source is a delete marker.")
            }
            other => other.into(),
        })?;
    let mut x = Xml::new("CopyPartResult", "");
    x.leaf("LastModified", &iso8601(strata_core::store::now_ms()))
        .leaf("ETag", &etag(&out.etag));
    let mut resp = xml(StatusCode::OK, x.finish());
    // The ETag is in the body, and also a header: oss2's upload_part_copy and ali-oss's
    // multipartUploadCopy read only the header.
    set(&mut resp, "etag", &etag(&out.etag));
    if source.versioning != Versioning::Unversioned || copied.2.is_some() {
        set(
            &mut resp,
            "x-oss-copy-source-version-id",
            &source.version_id.to_string(),
        );
    }
    Ok(resp)
}

pub(super) async fn upload_part(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
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
    set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    set(&mut resp, "content-md5", &base64(&out.md5));
    Ok(resp)
}

/// Reads a CompleteMultipartUpload body: `<CompleteMultipartUpload>` with `Part`s, each with a
/// `PartNumber` (a `u32`, surrounding whitespace allowed) and an `ETag`, as (part number,
/// lower-case unquoted ETag) in document order. No part at all is not refused here: the core
/// judges the list (numbers, order, ETags).
pub fn parse_complete_request(bytes: &[u8]) -> Result<Vec<(u32, String)>, OssError> {
    let doc = parse_doc(bytes, "CompleteMultipartUpload", 3 * 10_000 + 8)?;
    let mut parts = Vec::new();
    for p in doc.children("Part") {
        let n = p
            .child_text("PartNumber")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .ok_or_else(|| OssError::malformed_xml("A Part has no valid PartNumber."))?;
        let tag = p
            .child_text("ETag")
            .ok_or_else(|| OssError::malformed_xml("A Part has no ETag."))?;
        parts.push((n, tag.trim().trim_matches('"').to_ascii_lowercase()));
    }
    Ok(parts)
}

pub(super) async fn complete(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let url = ctx.url_encoding()?;
    let upload = ctx.upload()?;
    let record = ctx.read(GetUpload(ctx.upload()?))?;
    super::acl::check_complete_acl(ctx, &record.access)?;
    let parts: Vec<(u32, String)> = if ctx
        .req
        .header("x-oss-complete-all")
        .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
    {
        let listed = ctx.read(ListParts {
            bucket,
            key,
            upload_id: upload.upload_id,
            after: 0,
            max: 10_000,
        })?;
        listed
            .parts
            .into_iter()
            .map(|p| (p.part_number, p.part.etag))
            .collect()
    } else {
        let bytes = ctx.read_document(body).await?;
        parse_complete_request(&bytes)?
    };
    let cond = overwrite::condition(ctx, bucket)?;
    let (_, out) = ctx
        .run(CompleteUpload {
            upload,
            parts,
            min_part_size: MIN_PART_SIZE,
            expect: Expect::default(),
            cond: cond.clone(),
        })
        .await
        .map_err(|e| overwrite::refused(ctx, &cond, false, e))?;
    let mut x = Xml::new("CompleteMultipartUploadResult", "");
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("Location", &format!("/{bucket}/{}", maybe_encode(key, url)))
        .leaf("Bucket", bucket)
        .leaf("Key", &maybe_encode(key, url))
        .leaf("ETag", &etag(&out.etag));
    let mut resp = xml(StatusCode::OK, x.finish());
    set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

pub(super) async fn abort(ctx: &Ctx<'_>) -> OssResult {
    ctx.run(AbortUpload(ctx.upload()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn list_parts(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let url = ctx.url_encoding()?;
    ctx.check_upload()?;
    let upload_id = ctx.upload_id()?;
    let marker = match ctx.req.query_nonempty("part-number-marker") {
        None => 0,
        Some(m) => m
            .parse::<u32>()
            .map_err(|_| OssError::invalid_argument("part-number-marker must be an integer."))?,
    };
    let max = parse_max(ctx.req.query("max-parts"), 1000)?;
    let l = ctx.read(ListParts {
        bucket,
        key,
        upload_id,
        after: marker,
        max,
    })?;
    let q = PartsQuery {
        bucket,
        key,
        upload_id,
        marker,
        max,
        url,
    };
    Ok(xml(
        StatusCode::OK,
        listing::parts(&OSS, &q, &l, &ctx.owner()),
    ))
}

pub(super) fn list_uploads(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let url = ctx.url_encoding()?;
    let p = listing::uploads_params(&ctx.req, parse_max(ctx.req.query("max-uploads"), 1000)?);
    let l = ctx.read(ListUploads(bucket, &p))?;
    let q = UploadsQuery::of(bucket, &p, url);
    Ok(xml(
        StatusCode::OK,
        listing::uploads(&OSS, &q, &l, &ctx.owners()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &[u8]) -> OssError {
        parse_complete_request(body).unwrap_err()
    }

    #[test]
    fn reads_parts_in_document_order_with_etags_unquoted_and_lower_case() {
        let doc = br#"<?xml version="1.0"?><CompleteMultipartUpload><Part><ETag>"ABC"</ETag><PartNumber> 2 </PartNumber></Part><Part><PartNumber>1</PartNumber><ETag>&quot;def&quot;</ETag></Part></CompleteMultipartUpload>"#;
        assert_eq!(
            parse_complete_request(doc).unwrap(),
            [(2, "abc".to_owned()), (1, "def".to_owned())]
        );
    }

    #[test]
    fn no_part_is_read_as_an_empty_list_for_the_core_to_refuse() {
        assert_eq!(
            parse_complete_request(b"<CompleteMultipartUpload/>").unwrap(),
            []
        );
    }

    #[test]
    fn a_part_without_etag_or_valid_part_number_is_malformed_xml() {
        let e = err(b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>");
        assert_eq!(
            (e.code, e.message.as_str()),
            ("MalformedXML", "A Part has no ETag.")
        );
        for n in ["", "-1", "4294967296", "x"] {
            let doc = format!(
                "<CompleteMultipartUpload><Part><PartNumber>{n}</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"
            );
            let e = err(doc.as_bytes());
            assert_eq!(
                (e.code, e.message.as_str()),
                ("MalformedXML", "A Part has no valid PartNumber."),
                "{n:?}"
            );
        }
    }

    #[test]
    fn a_wrong_root_is_malformed_xml() {
        let e = err(b"<Complete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Complete>");
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "MalformedXML",
                "the root node is not named CompleteMultipartUpload."
            )
        );
    }
}
