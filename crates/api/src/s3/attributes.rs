//! GetObjectAttributes (`GET /bucket/key?attributes`): the attributes named in
//! `x-amz-object-attributes` (ETag, Checksum, ObjectParts, StorageClass, ObjectSize) of the
//! current version or the one named, without its body. A multipart object's parts are paged
//! by `x-amz-part-number-marker` and `x-amz-max-parts`.

use super::error::S3Error;
use super::{Ctx, S3Result, checksum, xml};
use crate::exec::HeadObject;
use crate::httpfmt::http_date;
use crate::listing::S3;
use crate::objhttp::set;
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::{ChecksumAlgorithm, ObjectData, Versioning};

/// The attributes a request asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Asked {
    pub etag: bool,
    pub checksum: bool,
    pub parts: bool,
    pub storage_class: bool,
    pub size: bool,
}

/// Reads `x-amz-object-attributes` (names separated by commas, any case). None named, or an
/// unknown name, is AWS's InvalidArgument.
pub fn parse_attributes(header: Option<&str>) -> Result<Asked, S3Error> {
    let invalid = || S3Error::invalid_argument("Invalid attribute name specified.");
    let mut asked = Asked::default();
    let mut any = false;
    for name in header.unwrap_or("").split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        any = true;
        match name.to_ascii_lowercase().as_str() {
            "etag" => asked.etag = true,
            "checksum" => asked.checksum = true,
            "objectparts" => asked.parts = true,
            "storageclass" => asked.storage_class = true,
            "objectsize" => asked.size = true,
            _ => return Err(invalid()),
        }
    }
    if any { Ok(asked) } else { Err(invalid()) }
}

fn number_header(ctx: &Ctx<'_>, name: &str, default: u32) -> Result<u32, S3Error> {
    match ctx.req.header(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<u32>().map_err(|_| {
            S3Error::invalid_argument(format!(
                "Provided {name} not an integer or within integer range"
            ))
        }),
    }
}

pub(super) fn get(ctx: &Ctx<'_>) -> S3Result {
    let asked = parse_attributes(ctx.req.header("x-amz-object-attributes"))?;
    let marker = number_header(ctx, "x-amz-part-number-marker", 0)?;
    let max = number_header(ctx, "x-amz-max-parts", 1000)?.min(1000);
    let v = ctx
        .read(HeadObject {
            bucket: ctx.bucket()?,
            key: ctx.key()?,
            version: ctx.version_id()?,
        })
        .map_err(|e| super::object::not_found(ctx, e))?;
    let body = render(&v.data, asked, marker, max);
    let mut resp = xml(StatusCode::OK, body);
    set(&mut resp, "last-modified", &http_date(v.last_modified_ms));
    if v.versioning != Versioning::Unversioned {
        set(&mut resp, "x-amz-version-id", &v.version_id.to_string());
    }
    Ok(resp)
}

/// The `GetObjectAttributesResponse` document.
pub fn render(d: &ObjectData, asked: Asked, marker: u32, max: u32) -> String {
    let mut x = Xml::new("GetObjectAttributesResponse", S3.root_attrs);
    if asked.etag {
        x.leaf("ETag", &d.etag);
    }
    if asked.checksum {
        x.open("Checksum");
        match &d.checksum {
            Some(c) => {
                x.leaf(checksum::element(c.algorithm), &checksum::render(c))
                    .leaf("ChecksumType", c.kind.name());
            }
            None => {
                x.leaf(
                    checksum::element(ChecksumAlgorithm::Crc32),
                    &checksum::b64(&d.crc32.to_be_bytes()),
                )
                .leaf("ChecksumType", "FULL_OBJECT");
            }
        }
        x.close();
    }
    if asked.parts && d.parts > 0 {
        let first = marker.saturating_add(1);
        let last = d.parts.min(marker.saturating_add(max));
        let truncated = last < d.parts;
        x.open("ObjectParts")
            .leaf("PartsCount", &d.parts.to_string())
            .leaf("PartNumberMarker", &marker.to_string())
            .leaf("NextPartNumberMarker", &last.max(marker).to_string())
            .leaf("MaxParts", &max.to_string())
            .leaf("IsTruncated", if truncated { "true" } else { "false" });
        for n in first..=last {
            let Some(seg) = d.segments.get(n as usize - 1) else {
                break;
            };
            x.open("Part").leaf("PartNumber", &n.to_string());
            x.leaf("Size", &seg.len.to_string());
            if let Some(c) = &d.checksum
                && let Some(v) = c.part_values.get(n as usize - 1)
            {
                x.leaf(checksum::element(c.algorithm), &checksum::b64(v));
            }
            x.close();
        }
        x.close();
    }
    if asked.storage_class {
        x.leaf("StorageClass", "STANDARD");
    }
    if asked.size {
        x.leaf("ObjectSize", &d.size.to_string());
    }
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::meta::Segment;
    use strata_core::{Checksum, ChecksumType};

    #[test]
    fn attribute_names_are_read_in_any_case_and_unknown_ones_refused() {
        let a = parse_attributes(Some("ETag, objectsize,ObjectParts")).unwrap();
        assert!(a.etag && a.size && a.parts && !a.checksum && !a.storage_class);
        for bad in [None, Some(""), Some("ETag,Owner")] {
            assert_eq!(parse_attributes(bad).unwrap_err().code, "InvalidArgument");
        }
    }

    fn multipart() -> ObjectData {
        ObjectData {
            size: 12,
            etag: "abc-3".into(),
            crc64: 0,
            crc32: 0x01020304,
            parts: 3,
            meta: Default::default(),
            segments: [5, 5, 2].map(|len| Segment { blob: 1, len }).to_vec(),
            access: Default::default(),
            lock: Default::default(),
            checksum: Some(Checksum {
                algorithm: ChecksumAlgorithm::Crc32,
                kind: ChecksumType::Composite,
                value: vec![0xcb, 0xf4, 0x39, 0x26],
                parts: 3,
                part_values: vec![vec![0; 4], vec![1; 4], vec![2; 4]],
            }),
            tags: Default::default(),
            appendable: false,
        }
    }

    #[test]
    fn parts_are_paged_with_their_sizes_and_checksums() {
        let all = Asked {
            etag: true,
            checksum: true,
            parts: true,
            storage_class: true,
            size: true,
        };
        let doc = render(&multipart(), all, 1, 1);
        assert!(doc.contains("<ETag>abc-3</ETag>"), "{doc}");
        assert!(
            doc.contains(
                "<ChecksumCRC32>y/Q5Jg==-3</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType>"
            ),
            "{doc}"
        );
        assert!(doc.contains("<PartsCount>3</PartsCount><PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1</MaxParts><IsTruncated>true</IsTruncated>"), "{doc}");
        assert!(doc.contains("<Part><PartNumber>2</PartNumber><Size>5</Size><ChecksumCRC32>AQEBAQ==</ChecksumCRC32></Part>"), "{doc}");
        assert!(
            !doc.contains("<PartNumber>1</PartNumber>")
                && !doc.contains("<PartNumber>3</PartNumber>")
        );
        assert!(doc.contains("<StorageClass>STANDARD</StorageClass><ObjectSize>12</ObjectSize>"));
        let rest = render(&multipart(), all, 2, 1000);
        assert!(rest.contains("<IsTruncated>false</IsTruncated>"));
        assert!(rest.contains("<PartNumber>3</PartNumber><Size>2</Size>"));
        // A single-part object without a stored checksum: its CRC-32, no parts.
        let single = ObjectData {
            parts: 0,
            checksum: None,
            segments: vec![Segment { blob: 1, len: 12 }],
            ..multipart()
        };
        let doc = render(&single, all, 0, 1000);
        assert!(
            doc.contains(
                "<ChecksumCRC32>AQIDBA==</ChecksumCRC32><ChecksumType>FULL_OBJECT</ChecksumType>"
            ),
            "{doc}"
        );
        assert!(!doc.contains("ObjectParts"));
    }
}
