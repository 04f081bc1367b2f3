//! Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
//! ListMultipartUploads.

use super::acl::write_ask;
use super::error::S3Error;
use super::list::max_param;
use super::object::{
    COPY_CONDITIONS, marker_source, meta_from_headers, set_written_version, upload_body,
    write_condition,
};
use super::{Ctx, S3Result, checksum, empty, etag, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::iso8601;
use crate::listing::{self, PartsQuery, S3, UploadsQuery};
use crate::objhttp::{precondition, set};
use crate::partcopy::{self, PastEnd, RangeForm};
use crate::xml::{Xml, parse};
use hyper::StatusCode;
use strata_core::checksum::CompletionChecksums;
use strata_core::{ChecksumAlgorithm as Alg, CoreError, Expect, UploadChecksum, Versioning};

/// S3's smallest part (all but the last): 5 MiB.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

pub(super) async fn initiate(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = write_ask(ctx)?;
    let lock = super::lock::write_lock(ctx, bucket, false)?;
    let kind = checksum::named_type(ctx)?;
    let asked = match checksum::named(ctx, "x-amz-checksum-algorithm")? {
        Some(a) => Some(UploadChecksum::new(a, kind)?),
        None if kind.is_some() => {
            return Err(S3Error::invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            ));
        }
        None => None,
    };
    let tags = super::tagging::write_tags(ctx)?;
    let id = ctx
        .run(CreateUpload {
            lock,
            tags,
            acl,
            bucket,
            key,
            meta: meta_from_headers(ctx),
            checksum: asked,
        })
        .await?;
    let mut x = Xml::new("InitiateMultipartUploadResult", S3.root_attrs);
    x.leaf("Bucket", bucket)
        .leaf("Key", key)
        .leaf("UploadId", &id);
    let mut resp = xml(StatusCode::OK, x.finish());
    if let Some(c) = asked {
        set(&mut resp, "x-amz-checksum-algorithm", c.algorithm.name());
        set(&mut resp, "x-amz-checksum-type", c.kind.name());
    }
    Ok(resp)
}

/// UploadPartCopy: the source, or a range wholly inside it, becomes the part.
pub(super) async fn upload_part_copy(ctx: &Ctx<'_>) -> S3Result {
    let (upload, part) = ctx.part_address()?;
    let copied = ctx.copy_source()?;
    let range = partcopy::parse_range(
        ctx.req.header("x-amz-copy-source-range"),
        RangeForm::FirstLast,
    )
    .map_err(|_| {
        S3Error::invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
        )
    })?;
    let (out, source) = ctx
        .run(UploadPartCopy {
            upload,
            part,
            source: Source::of(&copied),
            range,
            past_end: PastEnd::Refuse,
            cond: precondition(&ctx.req.headers, COPY_CONDITIONS),
        })
        .await
        .map_err(marker_source)?;
    let mut x = Xml::new("CopyPartResult", S3.root_attrs);
    x.leaf("LastModified", &iso8601(strata_core::store::now_ms()))
        .leaf("ETag", &etag(&out.etag));
    if let Some(c) = &out.checksum {
        x.leaf(checksum::element(c.algorithm), &checksum::render(c));
    }
    let mut resp = xml(StatusCode::OK, x.finish());
    if source.versioning != Versioning::Unversioned {
        set(
            &mut resp,
            "x-amz-copy-source-version-id",
            &source.version_id.to_string(),
        );
    }
    Ok(resp)
}

pub(super) async fn upload_part(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (upload, part) = ctx.part_address()?;
    super::lock::check_part(ctx, upload)?;
    let (body, expect) = upload_body(ctx, body)?;
    let out = ctx
        .run(UploadPart {
            upload,
            part,
            expect,
            body,
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set(&mut resp, "etag", &etag(&out.etag));
    if let Some(c) = &out.checksum {
        set(
            &mut resp,
            checksum::header(c.algorithm),
            &checksum::render(c),
        );
    }
    Ok(resp)
}

/// Reads a CompleteMultipartUpload body: `<CompleteMultipartUpload>` with at least one `Part`,
/// each with a `PartNumber` (a `u32`, surrounding whitespace allowed) and an `ETag`, as
/// (part number, lower-case unquoted ETag) in document order. Anything else is MalformedXML;
/// the numbers' range, order and the ETags are the core's to check.
pub fn parse_complete_request(bytes: &[u8]) -> Result<Vec<(u32, String)>, S3Error> {
    let doc = parse(bytes, 8 * 10_000 + 8).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "CompleteMultipartUpload" {
        return Err(S3Error::malformed_xml());
    }
    let mut parts = Vec::new();
    for p in doc.children("Part") {
        let n = p
            .child_text("PartNumber")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .ok_or_else(S3Error::malformed_xml)?;
        let tag = p.child_text("ETag").ok_or_else(S3Error::malformed_xml)?;
        parts.push((n, tag.trim().trim_matches('"').to_ascii_lowercase()));
    }
    if parts.is_empty() {
        return Err(S3Error::malformed_xml());
    }
    Ok(parts)
}

/// The parts' checksums a CompleteMultipartUpload body states (`<ChecksumCRC32>`... in a
/// `Part`), decoded; the body has been read by [`parse_complete_request`].
pub fn parse_complete_checksums(bytes: &[u8]) -> Result<Vec<(u32, Alg, Vec<u8>)>, S3Error> {
    let doc = parse(bytes, 8 * 10_000 + 8).map_err(|_| S3Error::malformed_xml())?;
    let mut out = Vec::new();
    for p in doc.children("Part") {
        let n = p
            .child_text("PartNumber")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .ok_or_else(S3Error::malformed_xml)?;
        for a in Alg::ALL {
            if let Some(v) = p.child_text(checksum::element(a)) {
                out.push((n, a, checksum::decode(a, v, false)?));
            }
        }
    }
    Ok(out)
}

/// The checksums a completion states: the parts' in its body, the whole object's in an
/// `x-amz-checksum-*` header (a COMPOSITE value with its `-N`), and `x-amz-checksum-type`.
fn completion_checksums(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<CompletionChecksums, S3Error> {
    let mut object = None;
    for a in Alg::ALL {
        if let Some(v) = ctx.req.header(checksum::header(a)) {
            if object.is_some() {
                return Err(S3Error::invalid_request(
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                ));
            }
            object = Some((a, checksum::decode(a, v, true)?));
        }
    }
    Ok(CompletionChecksums {
        parts: parse_complete_checksums(bytes)?,
        object,
        kind: checksum::named_type(ctx)?,
    })
}

pub(super) async fn complete(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    // No check_upload: the core answers a repeat of a completed upload.
    let upload = ctx.upload()?;
    let cond = write_condition(ctx);
    // `x-amz-mp-object-size`: the object's size as the client expects it, checked before
    // anything is written.
    let size = match ctx.req.header("x-amz-mp-object-size") {
        None => None,
        Some(v) => Some(v.trim().parse::<u64>().map_err(|_| {
            S3Error::invalid_argument("The x-amz-mp-object-size header must be a size in bytes")
        })?),
    };
    let bytes = ctx.read_document(body).await?;
    let parts = parse_complete_request(&bytes)?;
    let expect = Expect {
        size,
        completion: completion_checksums(ctx, &bytes)?,
        ..Expect::default()
    };
    let (_, out) = ctx
        .run(CompleteUpload {
            upload,
            parts,
            min_part_size: MIN_PART_SIZE,
            expect,
            cond,
        })
        .await
        .map_err(|e| match e {
            CoreError::IncompleteBody { expected, got } => S3Error::invalid_request(format!(
                "The provided 'x-amz-mp-object-size' header value {expected} does not match what was computed: {got}"
            )),
            other => other.into(),
        })?;
    let host = ctx.req.header("host").unwrap_or("localhost");
    let mut x = Xml::new("CompleteMultipartUploadResult", S3.root_attrs);
    x.leaf(
        "Location",
        &format!(
            "http://{host}/{bucket}/{}",
            percent_encoding::utf8_percent_encode(key, strata_wire::encode::PATH)
        ),
    )
    .leaf("Bucket", bucket)
    .leaf("Key", key)
    .leaf("ETag", &etag(&out.etag));
    if let Some(c) = &out.checksum {
        x.leaf(checksum::element(c.algorithm), &checksum::render(c))
            .leaf("ChecksumType", c.kind.name());
    }
    let mut resp = xml(StatusCode::OK, x.finish());
    set_written_version(&mut resp, out.versioning, out.version_id);
    let written = (out.last_modified_ms, out.size);
    super::lifecycle::set_expiration(ctx, &mut resp, key, written, &out.tags);
    Ok(resp)
}

pub(super) async fn abort(ctx: &Ctx<'_>) -> S3Result {
    ctx.run(AbortUpload(ctx.upload()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn list_parts(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    ctx.check_upload()?;
    let upload_id = ctx.upload_id()?;
    let marker = match ctx.req.query_nonempty("part-number-marker") {
        None => 0,
        Some(m) => m
            .parse::<u32>()
            .map_err(|_| S3Error::invalid_argument("part-number-marker must be an integer"))?,
    };
    let max = max_param(ctx, "max-parts")?;
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
        url: ctx.url_encoding()?,
    };
    Ok(xml(
        StatusCode::OK,
        listing::parts(&S3, &q, &l, &ctx.owner()),
    ))
}

pub(super) fn list_uploads(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    let p = listing::uploads_params(&ctx.req, max_param(ctx, "max-uploads")?);
    let l = ctx.read(ListUploads(bucket, &p))?;
    let q = UploadsQuery::of(bucket, &p, ctx.url_encoding()?);
    Ok(xml(
        StatusCode::OK,
        listing::uploads(&S3, &q, &l, &ctx.owners()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &[u8]) -> &'static str {
        parse_complete_request(body).unwrap_err().code
    }

    #[test]
    fn reads_parts_in_document_order_with_etags_unquoted_and_lower_case() {
        let doc = br#"<?xml version="1.0"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"ABC"</ETag><PartNumber> 2 </PartNumber></Part><Part><PartNumber>1</PartNumber><ETag>&quot;def&quot;</ETag><ChecksumCRC32>x</ChecksumCRC32></Part></CompleteMultipartUpload>"#;
        assert_eq!(
            parse_complete_request(doc).unwrap(),
            [(2, "abc".to_owned()), (1, "def".to_owned())]
        );
    }

    #[test]
    fn parts_checksums_are_read_by_algorithm_and_bad_values_refused() {
        let doc = br#"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag><ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME></Part><Part><PartNumber>2</PartNumber><ETag>b</ETag></Part><Part><PartNumber>3</PartNumber><ETag>c</ETag><ChecksumCRC32>y/Q5Jg==</ChecksumCRC32></Part></CompleteMultipartUpload>"#;
        assert_eq!(
            parse_complete_checksums(doc).unwrap(),
            [
                (
                    1,
                    Alg::Crc64Nvme,
                    0xae8b_1486_0a79_9888u64.to_be_bytes().to_vec()
                ),
                (3, Alg::Crc32, vec![0xcb, 0xf4, 0x39, 0x26]),
            ]
        );
        let bad = br#"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag><ChecksumSHA256>y/Q5Jg==</ChecksumSHA256></Part></CompleteMultipartUpload>"#;
        assert_eq!(
            parse_complete_checksums(bad).unwrap_err().code,
            "InvalidRequest"
        );
    }

    #[test]
    fn part_numbers_are_read_as_written_and_the_core_judges_their_range() {
        let one = |n: &str| {
            format!(
                "<CompleteMultipartUpload><Part><PartNumber>{n}</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"
            )
        };
        assert_eq!(parse_complete_request(one("0").as_bytes()).unwrap()[0].0, 0);
        assert_eq!(
            parse_complete_request(one("4294967295").as_bytes()).unwrap()[0].0,
            u32::MAX
        );
        for bad in ["", "-1", "4294967296", "1.0", "x"] {
            assert_eq!(code(one(bad).as_bytes()), "MalformedXML", "{bad:?}");
        }
    }

    #[test]
    fn a_part_without_etag_or_part_number_is_malformed_xml() {
        assert_eq!(
            code(b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>"),
            "MalformedXML"
        );
        assert_eq!(
            code(b"<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>"),
            "MalformedXML"
        );
    }

    #[test]
    fn no_part_a_wrong_root_or_broken_xml_is_malformed_xml() {
        assert_eq!(code(b"<CompleteMultipartUpload/>"), "MalformedXML");
        assert_eq!(
            code(b"<Complete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Complete>"),
            "MalformedXML"
        );
        assert_eq!(code(b"<CompleteMultipartUpload><Part>"), "MalformedXML");
    }
}
