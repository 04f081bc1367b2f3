//! Flexible checksums (S3's `x-amz-checksum-*`): the five algorithms, the two multipart
//! checksum types, and the checksum stored with each version and part.
//!
//! A single-part body's checksum is its algorithm over the body (FULL_OBJECT). A multipart
//! object's is either COMPOSITE (the algorithm over the concatenated binary checksums of
//! its parts, shown as `base64-N`) or FULL_OBJECT (CRC types only: the parts' CRCs combined
//! into the CRC of the whole body).

use crate::blob::{DigestValues, Extra};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChecksumAlgorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

/// How a multipart object's checksum is made from its parts'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChecksumType {
    #[default]
    FullObject,
    Composite,
}

impl ChecksumType {
    pub fn name(self) -> &'static str {
        match self {
            ChecksumType::FullObject => "FULL_OBJECT",
            ChecksumType::Composite => "COMPOSITE",
        }
    }

    pub fn parse(s: &str) -> Option<ChecksumType> {
        [ChecksumType::FullObject, ChecksumType::Composite]
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// The checksum of one version or part, as stored: the binary value, and for a COMPOSITE
/// multipart object the number of parts it was made of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksum {
    pub algorithm: ChecksumAlgorithm,
    pub kind: ChecksumType,
    pub value: Vec<u8>,
    /// The number of parts of a COMPOSITE checksum (shown as `-N`); 0 otherwise.
    pub parts: u32,
    /// A multipart object's parts' checksums, in part order (GetObjectAttributes and
    /// `partNumber` reads show them); empty otherwise.
    pub part_values: Vec<Vec<u8>>,
}

/// The checksums a CompleteMultipartUpload states: the parts' (by part number), the whole
/// object's (a COMPOSITE value without its `-N`), and the type; each given is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletionChecksums {
    pub parts: Vec<(u32, ChecksumAlgorithm, Vec<u8>)>,
    pub object: Option<(ChecksumAlgorithm, Vec<u8>)>,
    pub kind: Option<ChecksumType>,
}

impl UploadChecksum {
    /// The checksum an upload asks for, if its algorithm and type go together (CRC64NVME is
    /// FULL_OBJECT only, the SHA algorithms COMPOSITE only).
    pub fn new(algorithm: ChecksumAlgorithm, kind: Option<ChecksumType>) -> Result<Self> {
        let kind = kind.unwrap_or(algorithm.default_type());
        match (algorithm, kind) {
            (ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256, ChecksumType::FullObject) => {
                Err(full_object_refused(algorithm))
            }
            (ChecksumAlgorithm::Crc64Nvme, ChecksumType::Composite) => {
                Err(CoreError::InvalidRequest(
                    "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."
                        .into(),
                ))
            }
            _ => Ok(UploadChecksum { algorithm, kind }),
        }
    }
}

/// The checksum a multipart upload was started with (CreateMultipartUpload's algorithm and
/// type), kept with the upload: every part gets it and the completion combines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadChecksum {
    pub algorithm: ChecksumAlgorithm,
    pub kind: ChecksumType,
}

impl ChecksumAlgorithm {
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The name S3 gives it (`CRC32`, `CRC64NVME`, `SHA256`...).
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The algorithm a name gives, in any case.
    pub fn parse(s: &str) -> Option<ChecksumAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The length of its binary value.
    pub fn value_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    pub fn is_crc(self) -> bool {
        !matches!(self, ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256)
    }

    /// The type a multipart upload gets when it names none: FULL_OBJECT for CRC64NVME (the
    /// only type it has), COMPOSITE for the others.
    pub fn default_type(self) -> ChecksumType {
        match self {
            ChecksumAlgorithm::Crc64Nvme => ChecksumType::FullObject,
            _ => ChecksumType::Composite,
        }
    }

    /// The optional digest a body must be hashed with for this checksum.
    pub fn extra(self) -> Extra {
        Extra {
            sha256: self == ChecksumAlgorithm::Sha256,
            sha1: self == ChecksumAlgorithm::Sha1,
            crc32c: self == ChecksumAlgorithm::Crc32c,
            crc64nvme: self == ChecksumAlgorithm::Crc64Nvme,
        }
    }

    /// This checksum of a body, from its digests (none when it was not computed).
    pub fn value(self, d: &DigestValues) -> Option<Vec<u8>> {
        match self {
            ChecksumAlgorithm::Crc32 => Some(d.crc32.to_be_bytes().to_vec()),
            ChecksumAlgorithm::Crc32c => d.crc32c.map(|c| c.to_be_bytes().to_vec()),
            ChecksumAlgorithm::Crc64Nvme => d.crc64nvme.map(|c| c.to_be_bytes().to_vec()),
            ChecksumAlgorithm::Sha1 => d.sha1.map(|s| s.to_vec()),
            ChecksumAlgorithm::Sha256 => d.sha256.map(|s| s.to_vec()),
        }
    }

    /// This checksum over `bytes`.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        let mut d = crate::blob::Digests::new(self.extra());
        d.update(bytes);
        self.value(&d.finish()).expect("the digest was asked for")
    }

    fn crc(self) -> Option<crc_fast::CrcAlgorithm> {
        match self {
            ChecksumAlgorithm::Crc32 => Some(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
            ChecksumAlgorithm::Crc32c => Some(crc_fast::CrcAlgorithm::Crc32Iscsi),
            ChecksumAlgorithm::Crc64Nvme => Some(crc_fast::CrcAlgorithm::Crc64Nvme),
            _ => None,
        }
    }

    /// The checksum of a body of `value` followed by one of `len_b` bytes whose checksum is
    /// `b` (CRC types only).
    fn combine(self, a: &[u8], b: &[u8], len_b: u64) -> Option<Vec<u8>> {
        let crc = self.crc()?;
        let num = |v: &[u8]| v.iter().fold(0u64, |n, &x| (n << 8) | x as u64);
        let c = crc_fast::checksum_combine(crc, num(a), num(b), len_b);
        let bytes = c.to_be_bytes();
        Some(bytes[8 - self.value_len()..].to_vec())
    }
}

impl Checksum {
    /// The FULL_OBJECT checksum `algorithm` of a body.
    pub fn of(algorithm: ChecksumAlgorithm, d: &DigestValues) -> Option<Checksum> {
        Some(Checksum {
            algorithm,
            kind: ChecksumType::FullObject,
            value: algorithm.value(d)?,
            parts: 0,
            part_values: Vec::new(),
        })
    }

    /// A multipart object's checksum of `kind` from its parts' checksums and sizes, in order.
    /// COMPOSITE: the algorithm over the concatenated part values; FULL_OBJECT: the part CRCs
    /// combined (refused for SHA algorithms).
    pub fn multipart(
        algorithm: ChecksumAlgorithm,
        kind: ChecksumType,
        parts: &[(&[u8], u64)],
    ) -> Result<Checksum> {
        let value = match kind {
            ChecksumType::Composite => {
                let cat: Vec<u8> = parts.iter().flat_map(|(v, _)| v.iter().copied()).collect();
                algorithm.digest(&cat)
            }
            ChecksumType::FullObject => {
                let mut whole: Option<Vec<u8>> = None;
                for (v, len) in parts {
                    whole = Some(match whole {
                        None => v.to_vec(),
                        Some(w) => algorithm
                            .combine(&w, v, *len)
                            .ok_or_else(|| full_object_refused(algorithm))?,
                    });
                }
                if !algorithm.is_crc() {
                    return Err(full_object_refused(algorithm));
                }
                whole.unwrap_or_else(|| algorithm.digest(b""))
            }
        };
        Ok(Checksum {
            algorithm,
            kind,
            value,
            parts: match kind {
                ChecksumType::Composite => parts.len() as u32,
                ChecksumType::FullObject => 0,
            },
            part_values: parts.iter().map(|(v, _)| v.to_vec()).collect(),
        })
    }
}

/// The refusal of a FULL_OBJECT type for an algorithm that cannot be combined.
pub fn full_object_refused(algorithm: ChecksumAlgorithm) -> CoreError {
    CoreError::InvalidRequest(format!(
        "The FULL_OBJECT checksum type cannot be used with the {} checksum algorithm.",
        algorithm.name().to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChecksumAlgorithm::*;

    fn hex(v: &[u8]) -> String {
        hex::encode(v)
    }

    #[test]
    fn each_algorithm_matches_its_check_value() {
        // The catalogue's check values over "123456789".
        let b = b"123456789";
        assert_eq!(hex(&Crc32.digest(b)), "cbf43926");
        assert_eq!(hex(&Crc32c.digest(b)), "e3069283");
        assert_eq!(hex(&Crc64Nvme.digest(b)), "ae8b14860a799888");
        assert_eq!(
            hex(&Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(a.digest(b).len(), a.value_len());
            assert_eq!(ChecksumAlgorithm::parse(&a.name().to_lowercase()), Some(a));
        }
        assert_eq!(ChecksumAlgorithm::parse("crc64"), None);
    }

    #[test]
    fn full_object_combines_part_crcs_into_the_whole_body_s() {
        let body: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (a, b, c) = (&body[..4000], &body[4000..9000], &body[9000..]);
        for alg in [Crc32, Crc32c, Crc64Nvme] {
            let parts = [
                (alg.digest(a), a.len() as u64),
                (alg.digest(b), b.len() as u64),
                (alg.digest(c), c.len() as u64),
            ];
            let refs: Vec<(&[u8], u64)> = parts.iter().map(|(v, l)| (v.as_slice(), *l)).collect();
            let whole = Checksum::multipart(alg, ChecksumType::FullObject, &refs).unwrap();
            assert_eq!(whole.value, alg.digest(&body), "{alg:?}");
            assert_eq!(whole.parts, 0);
        }
        for alg in [Sha1, Sha256] {
            let v = alg.digest(a);
            let err = Checksum::multipart(alg, ChecksumType::FullObject, &[(&v, 4000)]);
            assert!(matches!(err, Err(CoreError::InvalidRequest(_))));
        }
    }

    #[test]
    fn composite_is_the_checksum_of_the_concatenated_part_checksums() {
        let (a, b) = (b"hello ".as_slice(), b"world".as_slice());
        for alg in ChecksumAlgorithm::ALL {
            let (va, vb) = (alg.digest(a), alg.digest(b));
            let got =
                Checksum::multipart(alg, ChecksumType::Composite, &[(&va, 6), (&vb, 5)]).unwrap();
            let mut cat = va.clone();
            cat.extend(&vb);
            assert_eq!(got.value, alg.digest(&cat));
            assert_eq!(got.parts, 2);
        }
    }
}
