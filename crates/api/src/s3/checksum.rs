//! S3's flexible checksums on the wire: the `x-amz-checksum-*` headers (and trailers), their
//! base64 values (a COMPOSITE multipart checksum as `base64-N`), `x-amz-checksum-type`, and
//! `x-amz-checksum-mode`. What they mean is the core's (`strata_core::checksum`).

use super::Ctx;
use super::error::S3Error;
use crate::Body;
use crate::objhttp::set;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hyper::Response;
use strata_core::{Checksum, ChecksumAlgorithm as Alg, ChecksumType, CoreError};

/// The header (and trailer) that carries an algorithm's value.
pub fn header(a: Alg) -> &'static str {
    match a {
        Alg::Crc32 => "x-amz-checksum-crc32",
        Alg::Crc32c => "x-amz-checksum-crc32c",
        Alg::Crc64Nvme => "x-amz-checksum-crc64nvme",
        Alg::Sha1 => "x-amz-checksum-sha1",
        Alg::Sha256 => "x-amz-checksum-sha256",
    }
}

/// The XML element that carries an algorithm's value (`ChecksumCRC32`...).
pub fn element(a: Alg) -> &'static str {
    match a {
        Alg::Crc32 => "ChecksumCRC32",
        Alg::Crc32c => "ChecksumCRC32C",
        Alg::Crc64Nvme => "ChecksumCRC64NVME",
        Alg::Sha1 => "ChecksumSHA1",
        Alg::Sha256 => "ChecksumSHA256",
    }
}

/// The algorithm a header name or an algorithm name gives (`x-amz-checksum-crc32`,
/// `CRC32`; any case).
pub fn from_name(name: &str) -> Option<Alg> {
    let name = name.trim();
    Alg::ALL
        .into_iter()
        .find(|a| header(*a).eq_ignore_ascii_case(name) || a.name().eq_ignore_ascii_case(name))
}

/// A checksum's base64 value, with `-N` for a COMPOSITE multipart one.
pub fn render(c: &Checksum) -> String {
    let v = B64.encode(&c.value);
    match c.kind {
        ChecksumType::Composite if c.parts > 0 => format!("{v}-{}", c.parts),
        _ => v,
    }
}

pub fn b64(v: &[u8]) -> String {
    B64.encode(v)
}

/// The binary value of a base64 checksum `value` of `a` (a `-N` suffix dropped when
/// `composite_ok`); AWS's InvalidRequest when it is not one.
pub fn decode(a: Alg, value: &str, composite_ok: bool) -> Result<Vec<u8>, S3Error> {
    let value = value.trim();
    let value = match value.rsplit_once('-') {
        Some((v, n)) if composite_ok && n.parse::<u32>().is_ok() => v,
        _ => value,
    };
    B64.decode(value)
        .ok()
        .filter(|v| v.len() == a.value_len())
        .ok_or_else(|| {
            S3Error::invalid_request(format!("Value for {} header is invalid.", header(a)))
        })
}

/// The refusal of a body whose checksum is not the one given: "The CRC32 you specified did
/// not match the calculated checksum."
pub fn mismatch(a: Alg) -> CoreError {
    CoreError::BadDigest(a.name())
}

/// The one `x-amz-checksum-*` header a request carries, decoded. More than one is AWS's
/// InvalidRequest.
pub(crate) fn from_headers(ctx: &Ctx<'_>) -> Result<Option<(Alg, Vec<u8>)>, S3Error> {
    let mut found = None;
    for a in Alg::ALL {
        if let Some(v) = ctx.req.header(header(a)) {
            if found.is_some() {
                return Err(S3Error::invalid_request(
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                ));
            }
            found = Some((a, decode(a, v, false)?));
        }
    }
    Ok(found)
}

/// The algorithms S3 has that Strata does not compute: asking for one is refused (501).
const LACKING: [&str; 5] = ["SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"];

/// The refusal of an algorithm named (or of a header or trailer of one) that S3 has and
/// Strata does not compute; `None` for anything else.
pub fn lacking(name: &str) -> Option<S3Error> {
    let name = name.trim();
    let name = name
        .get(..15)
        .filter(|p| p.eq_ignore_ascii_case("x-amz-checksum-"))
        .map_or(name, |_| &name[15..]);
    LACKING
        .iter()
        .find(|l| l.eq_ignore_ascii_case(name))
        .map(|l| S3Error::not_implemented(&format!("The {l} checksum")))
}

/// The algorithm a request names in `x-amz-checksum-algorithm` (CreateMultipartUpload,
/// CopyObject) or `x-amz-sdk-checksum-algorithm`.
pub(crate) fn named(ctx: &Ctx<'_>, name: &str) -> Result<Option<Alg>, S3Error> {
    match ctx.req.header(name) {
        None => Ok(None),
        Some(v) => from_name(v).map(Some).ok_or_else(|| {
            lacking(v).unwrap_or_else(|| {
                S3Error::invalid_request(format!("Value for {name} header is invalid."))
            })
        }),
    }
}

/// `x-amz-checksum-type`, if given.
pub(crate) fn named_type(ctx: &Ctx<'_>) -> Result<Option<ChecksumType>, S3Error> {
    match ctx.req.header("x-amz-checksum-type") {
        None => Ok(None),
        Some(v) => ChecksumType::parse(v).map(Some).ok_or_else(|| {
            S3Error::invalid_request("Value for x-amz-checksum-type header is invalid.")
        }),
    }
}

/// Whether a read asks for the checksum (`x-amz-checksum-mode: ENABLED`).
pub(crate) fn mode_enabled(ctx: &Ctx<'_>) -> bool {
    ctx.req
        .header("x-amz-checksum-mode")
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("enabled"))
}

/// The checksum header and `x-amz-checksum-type` of a stored checksum.
pub fn set_headers(resp: &mut Response<Body>, c: &Checksum) {
    set(resp, header(c.algorithm), &render(c));
    set(resp, "x-amz-checksum-type", c.kind.name());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_read_as_aws_writes_them() {
        assert_eq!(from_name("x-amz-checksum-crc64nvme"), Some(Alg::Crc64Nvme));
        assert_eq!(from_name("CRC32C"), Some(Alg::Crc32c));
        assert_eq!(from_name("sha256"), Some(Alg::Sha256));
        assert_eq!(from_name("md5"), None);
        assert_eq!(
            lacking("x-amz-checksum-xxhash3").unwrap().code,
            "NotImplemented"
        );
        assert_eq!(lacking("SHA512").unwrap().code, "NotImplemented");
        assert!(lacking("crc32").is_none() && lacking("x-amz-meta-a").is_none());
        // CRC32 of "123456789" is cbf43926.
        assert_eq!(
            decode(Alg::Crc32, "y/Q5Jg==", false).unwrap(),
            [0xcb, 0xf4, 0x39, 0x26]
        );
        assert_eq!(decode(Alg::Crc32, " y/Q5Jg==-3", true).unwrap().len(), 4);
        assert!(decode(Alg::Crc32, "y/Q5Jg==-3", false).is_err());
        assert!(decode(Alg::Crc64Nvme, "y/Q5Jg==", false).is_err());
        assert!(decode(Alg::Sha1, "not base64!", false).is_err());
        let c = Checksum {
            algorithm: Alg::Crc32,
            kind: ChecksumType::Composite,
            value: vec![0xcb, 0xf4, 0x39, 0x26],
            parts: 3,
            part_values: Vec::new(),
        };
        assert_eq!(render(&c), "y/Q5Jg==-3");
        let full = Checksum {
            kind: ChecksumType::FullObject,
            parts: 0,
            ..c
        };
        assert_eq!(render(&full), "y/Q5Jg==");
    }
}
