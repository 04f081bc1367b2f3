//! The records kept in the metadata store, and their versioned on-disk encoding.
//!
//! Every stored value starts with one format byte, then the postcard encoding of that format's
//! struct. A record type that changes raises its [`Versioned::FORMAT`] and reads the older
//! formats in [`Versioned::from_older`]; old records are read as they are and rewritten in the
//! new format when touched. [`BucketRecord`] went from format 1 to 2 this way (it gained
//! `owner`).

use crate::access::{Grant, ObjectAccess};
use crate::checksum::{Checksum, UploadChecksum};
use crate::error::StorageError;
use crate::retention::{BucketRetention, ObjectLock};
use crate::tagging::Tags;
use crate::version::{VersionId, Versioning};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The first format of every record.
pub const FORMAT_V1: u8 = 1;

/// A stored record: its current format byte, and how older formats are read.
pub trait Versioned: Serialize + DeserializeOwned {
    const FORMAT: u8 = FORMAT_V1;

    /// Reads a record written in an older format (`format` < [`Self::FORMAT`]).
    fn from_older(format: u8, _payload: &[u8]) -> Result<Self, StorageError> {
        Err(StorageError::Corrupt(format!(
            "no reader for record format {format}"
        )))
    }
}

fn postcard_decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, StorageError> {
    postcard::from_bytes(payload).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Reads `payload`, written before `T` gained a last field whose default encodes as `trailer`.
/// A record whose last encoded part is not the one that gained the field (a delete marker's
/// entry kind has no object data) leaves the trailer unread, which is fine.
fn decode_with_trailer<T: DeserializeOwned>(
    payload: &[u8],
    trailer: &[u8],
) -> Result<T, StorageError> {
    let mut bytes = Vec::with_capacity(payload.len() + trailer.len());
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(trailer);
    postcard::take_from_bytes(&bytes)
        .map(|(v, _)| v)
        .map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn default_encoding<T: Serialize + Default>() -> Vec<u8> {
    postcard::to_stdvec(&T::default()).expect("records always serialize")
}

pub fn encode<T: Versioned>(value: &T) -> Vec<u8> {
    let mut out = vec![T::FORMAT];
    // Encoding into a Vec cannot fail for these plain structs.
    out.extend(postcard::to_stdvec(value).expect("records always serialize"));
    out
}

pub fn decode<T: Versioned>(bytes: &[u8]) -> Result<T, StorageError> {
    match bytes.split_first() {
        Some((&f, rest)) if f == T::FORMAT => postcard_decode(rest),
        Some((&f, rest)) if f >= FORMAT_V1 && f < T::FORMAT => T::from_older(f, rest),
        Some((v, _)) => Err(StorageError::Corrupt(format!("unknown record format {v}"))),
        None => Err(StorageError::Corrupt("empty record".into())),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRecord {
    pub created_ms: i64,
    pub versioning: Versioning,
    /// The owner ID of the user who created it ("" for buckets of format 1, which belong to
    /// everyone).
    pub owner: String,
    /// Who else may act on it (format 3).
    pub access: BucketAccessRecord,
    /// Object Lock and the WORM rule (format 4; the last field).
    pub retention: BucketRetention,
}

/// A bucket's access configuration as stored: its ACL, public access block, object
/// ownership, and its policies' texts exactly as they were put.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketAccessRecord {
    /// Grants besides the owner's full control.
    pub acl: Vec<Grant>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub ownership: Option<ObjectOwnership>,
    /// An S3 or OSS bucket policy.
    pub policy: Option<String>,
    /// A BOS `accessControlList` document (BOS ACLs with resources, effects or conditions).
    pub bos_acl: Option<String>,
}

/// S3's four Block Public Access flags (OSS's one `BlockPublicAccess` sets all four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// S3's Object Ownership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    /// ACLs are off: the bucket owner owns every object.
    BucketOwnerEnforced,
    /// Objects written with `bucket-owner-full-control` belong to the bucket owner.
    BucketOwnerPreferred,
    /// The writer owns what it writes.
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectOwnership> {
        Some(match s {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            _ => return None,
        })
    }
}

/// Format 1 of [`BucketRecord`], before buckets had owners.
#[derive(Deserialize)]
struct BucketRecordV1 {
    created_ms: i64,
    versioning: Versioning,
}

fn default_encodings(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

impl Versioned for BucketRecord {
    const FORMAT: u8 = 4;

    fn from_older(format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        match format {
            FORMAT_V1 => {
                let v1: BucketRecordV1 = postcard_decode(payload)?;
                Ok(BucketRecord {
                    created_ms: v1.created_ms,
                    versioning: v1.versioning,
                    owner: String::new(),
                    access: BucketAccessRecord::default(),
                    retention: BucketRetention::default(),
                })
            }
            2 => {
                // Before access control, a bucket was its owner's alone: its ACL, stored
                // literally, is the owner's full control.
                let trailer = default_encodings(&[
                    default_encoding::<BucketAccessRecord>(),
                    default_encoding::<BucketRetention>(),
                ]);
                let mut rec: BucketRecord = decode_with_trailer(payload, &trailer)?;
                rec.access.acl = crate::access::acl::private(&rec.owner);
                Ok(rec)
            }
            3 => decode_with_trailer(payload, &default_encoding::<BucketRetention>()),
            f => Err(StorageError::Corrupt(format!(
                "no reader for bucket record format {f}"
            ))),
        }
    }
}

/// The default encodings of the last fields an object's record gained after `format`:
/// format 2 its access, format 3 its lock, format 4 its checksum and tags (an upload's: the
/// checksum it asked for; `None` either way, encoded alike).
fn object_trailer(format: u8) -> Vec<u8> {
    let mut parts = Vec::new();
    if format < 2 {
        parts.push(default_encoding::<ObjectAccess>());
    }
    if format < 3 {
        parts.push(default_encoding::<ObjectLock>());
    }
    if format < 4 {
        parts.push(default_encoding::<Option<Checksum>>());
        parts.push(default_encoding::<Tags>());
    }
    default_encodings(&parts)
}

/// The default encodings of the last fields an object version's record gained after
/// `format`: those of [`object_trailer`], then format 4 its appendable flag.
fn version_trailer(format: u8) -> Vec<u8> {
    let mut parts = vec![object_trailer(format)];
    if format < 4 {
        parts.push(default_encoding::<bool>());
    }
    default_encodings(&parts)
}

impl Versioned for VersionRecord {
    const FORMAT: u8 = 4;

    fn from_older(format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        decode_with_trailer(payload, &version_trailer(format))
    }
}

impl Versioned for UploadRecord {
    const FORMAT: u8 = 4;

    fn from_older(format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        debug_assert_eq!(
            default_encoding::<Option<UploadChecksum>>(),
            default_encoding::<Option<Checksum>>()
        );
        decode_with_trailer(payload, &object_trailer(format))
    }
}

impl Versioned for ObjectSummary {
    const FORMAT: u8 = 3;

    fn from_older(format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        let mut parts = Vec::new();
        if format < 2 {
            parts.push(default_encoding::<Option<String>>());
        }
        parts.push(default_encoding::<bool>());
        decode_with_trailer(payload, &default_encodings(&parts))
    }
}
/// Parts and completions gained their checksum (format 2; the last field).
impl Versioned for PartRecord {
    const FORMAT: u8 = 2;

    fn from_older(_format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        decode_with_trailer(payload, &default_encoding::<Option<Checksum>>())
    }
}
impl Versioned for BlobRecord {}
impl Versioned for CompletionRecord {
    const FORMAT: u8 = 2;

    fn from_older(_format: u8, payload: &[u8]) -> Result<Self, StorageError> {
        decode_with_trailer(payload, &default_encoding::<Option<Checksum>>())
    }
}

/// Standard content headers and user metadata, stored as given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
    /// User metadata, names lowercased without the dialect's prefix, sorted; values are the
    /// header's bytes as sent (clients send UTF-8 or Latin-1). Postcard encodes a byte vector
    /// like the string this was before, so older records read unchanged.
    pub user: Vec<(String, Vec<u8>)>,
}

/// A run of an object's bytes held by one blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub blob: u64,
    pub len: u64,
}

/// What an object version holds beyond its identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectData {
    pub size: u64,
    /// Hex MD5 of the body, or `hex(md5 of the parts' MD5s)-N` for a multipart object.
    pub etag: String,
    /// CRC-64/XZ of the whole body (OSS `x-oss-hash-crc64ecma`).
    pub crc64: u64,
    /// CRC-32 (ISO-HDLC) of the whole body (BOS `x-bce-content-crc32`, S3 `x-amz-checksum-crc32`).
    pub crc32: u32,
    /// Number of parts for a multipart object, 0 otherwise.
    pub parts: u32,
    pub meta: ObjectMeta,
    pub segments: Vec<Segment>,
    /// Its owner and ACL (format 2).
    pub access: ObjectAccess,
    /// Its S3 Object Lock retention and legal hold (format 3).
    pub lock: ObjectLock,
    /// The flexible checksum it was written with (format 4). Without one, S3 answers the
    /// CRC-32 every body has.
    pub checksum: Option<Checksum>,
    /// Its tags (format 4).
    pub tags: Tags,
    /// Written by appends (OSS and BOS AppendObject): later appends add segments to it in
    /// place (version format 4; the last field, see [`decode_with_trailer`]).
    pub appendable: bool,
}

// Records are decoded one at a time and never stored in bulk, so the variants' size
// difference costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Object(ObjectData),
    DeleteMarker,
}

/// One entry in a key's history: an object version or a delete marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// Position in the bucket's write order; larger is newer.
    pub seq: u64,
    pub id: VersionId,
    pub last_modified_ms: i64,
    pub kind: EntryKind,
}

impl VersionRecord {
    pub fn is_delete_marker(&self) -> bool {
        matches!(self.kind, EntryKind::DeleteMarker)
    }
    pub fn object(&self) -> Option<&ObjectData> {
        match &self.kind {
            EntryKind::Object(o) => Some(o),
            EntryKind::DeleteMarker => None,
        }
    }
}

/// The listing summary of a key whose current entry is an object: what ListObjects prints,
/// kept apart from the version history so that listing never reads hidden keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectSummary {
    pub seq: u64,
    pub id: VersionId,
    pub last_modified_ms: i64,
    pub size: u64,
    pub etag: String,
    /// The current version's owner when it is not the bucket's (format 2).
    pub owner: Option<String>,
    /// The current version is appendable (format 3; the last field).
    pub appendable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRecord {
    pub key: String,
    pub initiated_ms: i64,
    pub meta: ObjectMeta,
    /// The owner and ACL of the object it completes into (format 2).
    pub access: ObjectAccess,
    /// The lock it asked for (format 3).
    pub lock: ObjectLock,
    /// The checksum algorithm and type it was created with (format 4).
    pub checksum: Option<UploadChecksum>,
    /// The tags it asked for, which the completed object gets (format 4; the last field).
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRecord {
    pub size: u64,
    pub etag: String,
    pub md5: [u8; 16],
    pub crc64: u64,
    pub crc32: u32,
    pub last_modified_ms: i64,
    pub segment: Segment,
    /// Its flexible checksum (format 2; the last field).
    pub checksum: Option<Checksum>,
}

/// The last multipart completion of a key, kept while the version it produced exists, so that
/// a repeated CompleteMultipartUpload of that upload with the same parts answers the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionRecord {
    pub upload_id: String,
    /// MD5 of the completion's part list (numbers and ETags).
    pub parts_md5: [u8; 16],
    /// The version it published.
    pub seq: u64,
    pub id: VersionId,
    pub versioning: Versioning,
    pub last_modified_ms: i64,
    pub etag: String,
    pub size: u64,
    pub crc64: u64,
    pub crc32: u32,
    /// The checksum of the version it published (format 2; the last field).
    pub checksum: Option<Checksum>,
}

/// Where a blob's bytes are, and how many versions or parts refer to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRecord {
    pub refs: u32,
    pub body: BlobBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlobBody {
    /// Small bodies live in the metadata store itself. Encoded as one byte string (postcard:
    /// a length, then the bytes, exactly as a sequence of `u8` is), so encoding and decoding
    /// copy it at once instead of visiting it byte by byte.
    Inline(#[serde(with = "byte_string")] Vec<u8>),
    /// A file under the data directory's `blobs/`, named by the blob ID.
    File,
}

/// A `Vec<u8>` (de)serialized as serde's byte string rather than a sequence of `u8`. In
/// postcard both are a varint length followed by the bytes, so records written either way
/// read the same; only the work differs (one copy instead of one call per byte).
mod byte_string {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket() -> BucketRecord {
        BucketRecord {
            created_ms: 7,
            versioning: Versioning::Suspended,
            owner: "alice".into(),
            access: BucketAccessRecord::default(),
            retention: BucketRetention::default(),
        }
    }

    #[test]
    fn records_carry_their_format_byte_and_round_trip() {
        let bytes = encode(&bucket());
        assert_eq!(bytes[0], 4);
        assert_eq!(decode::<BucketRecord>(&bytes).unwrap(), bucket());
        // Format 3: everything but the retention.
        let mut v3 = encode(&bucket());
        v3.truncate(v3.len() - default_encoding::<BucketRetention>().len());
        v3[0] = 3;
        assert_eq!(decode::<BucketRecord>(&v3).unwrap(), bucket());
        let blob = BlobRecord {
            refs: 2,
            body: BlobBody::File,
        };
        assert_eq!(encode(&blob)[0], FORMAT_V1);
        assert_eq!(decode::<BlobRecord>(&encode(&blob)).unwrap(), blob);
    }

    #[test]
    fn inline_bodies_encode_as_they_did_as_a_sequence_of_bytes() {
        // BlobBody as it was declared before its body became a byte string.
        #[derive(Serialize, Deserialize)]
        enum SeqBody {
            Inline(Vec<u8>),
            #[allow(dead_code)]
            File,
        }
        #[derive(Serialize, Deserialize)]
        struct SeqRecord {
            refs: u32,
            body: SeqBody,
        }
        for len in [0usize, 1, 127, 128, 4096, 16 * 1024] {
            let body: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let old = postcard::to_stdvec(&SeqRecord {
                refs: 3,
                body: SeqBody::Inline(body.clone()),
            })
            .unwrap();
            let new = BlobRecord {
                refs: 3,
                body: BlobBody::Inline(body.clone()),
            };
            assert_eq!(encode(&new)[1..], old[..], "{len} bytes");
            let mut stored = vec![FORMAT_V1];
            stored.extend(&old);
            assert_eq!(decode::<BlobRecord>(&stored).unwrap(), new);
            let back: SeqRecord = postcard::from_bytes(&encode(&new)[1..]).unwrap();
            assert!(matches!(back.body, SeqBody::Inline(b) if b == body));
        }
    }

    #[test]
    fn format_1_bucket_records_are_migrated_on_read() {
        #[derive(Serialize)]
        struct V1 {
            created_ms: i64,
            versioning: Versioning,
        }
        let mut bytes = vec![FORMAT_V1];
        bytes.extend(
            postcard::to_stdvec(&V1 {
                created_ms: 5,
                versioning: Versioning::Enabled,
            })
            .unwrap(),
        );
        let rec = decode::<BucketRecord>(&bytes).unwrap();
        assert_eq!(
            rec,
            BucketRecord {
                created_ms: 5,
                versioning: Versioning::Enabled,
                owner: String::new(),
                access: BucketAccessRecord::default(),
                retention: BucketRetention::default(),
            }
        );
    }

    #[test]
    fn records_from_before_access_read_as_their_owner_s_alone() {
        // Format 2 bucket records: the three fields of format 3 before `access`.
        #[derive(Serialize)]
        struct BucketV2 {
            created_ms: i64,
            versioning: Versioning,
            owner: String,
        }
        let mut bytes = vec![2];
        let v2 = BucketV2 {
            created_ms: 9,
            versioning: Versioning::Enabled,
            owner: "bob".into(),
        };
        bytes.extend(postcard::to_stdvec(&v2).unwrap());
        let rec = decode::<BucketRecord>(&bytes).unwrap();
        assert_eq!((rec.created_ms, rec.owner.as_str()), (9, "bob"));
        // The ACL, stored literally, is the owner's full control; nothing else is configured.
        let private = BucketAccessRecord {
            acl: crate::access::acl::private("bob"),
            ..Default::default()
        };
        assert_eq!(rec.access, private);

        // Format 1 version records, of an object and of a delete marker.
        let object = VersionRecord {
            seq: 4,
            id: VersionId::Null,
            last_modified_ms: 11,
            kind: EntryKind::Object(ObjectData {
                size: 3,
                etag: "e".into(),
                crc64: 1,
                crc32: 2,
                parts: 0,
                meta: ObjectMeta::default(),
                segments: vec![Segment { blob: 8, len: 3 }],
                access: ObjectAccess::default(),
                lock: ObjectLock::default(),
                checksum: None,
                tags: Tags::default(),
                appendable: false,
            }),
        };
        let marker = VersionRecord {
            kind: EntryKind::DeleteMarker,
            ..object.clone()
        };
        // Format 1 listing summaries: no owner.
        let summary = ObjectSummary {
            seq: 4,
            id: VersionId::Null,
            last_modified_ms: 11,
            size: 3,
            etag: "e".into(),
            owner: None,
            appendable: false,
        };
        // Format 1 lacks the owner and the appendable flag, format 2 the flag.
        for (format, cut) in [(FORMAT_V1, 2), (2, 1)] {
            let mut old = postcard::to_stdvec(&summary).unwrap();
            old.truncate(old.len() - cut);
            let mut bytes = vec![format];
            bytes.extend(old);
            assert_eq!(decode::<ObjectSummary>(&bytes).unwrap(), summary);
        }
        for rec in [object, marker] {
            // Formats 1 to 3 lack the trailing default access, lock, checksum, tags and
            // appendable flag; the lock and the rest; or the checksum, tags and flag.
            for format in [FORMAT_V1, 2, 3] {
                let mut old = postcard::to_stdvec(&rec).unwrap();
                if !rec.is_delete_marker() {
                    old.truncate(old.len() - version_trailer(format).len());
                }
                let mut bytes = vec![format];
                bytes.extend(old);
                assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), rec);
            }
        }
    }

    #[test]
    fn parts_uploads_and_completions_from_before_checksums_read_without_one() {
        let part = PartRecord {
            size: 3,
            etag: "e".into(),
            md5: [1; 16],
            crc64: 2,
            crc32: 3,
            last_modified_ms: 4,
            segment: Segment { blob: 5, len: 3 },
            checksum: None,
        };
        let mut old = postcard::to_stdvec(&part).unwrap();
        old.pop();
        let mut bytes = vec![FORMAT_V1];
        bytes.extend(old);
        assert_eq!(decode::<PartRecord>(&bytes).unwrap(), part);
        let upload = UploadRecord {
            key: "k".into(),
            initiated_ms: 1,
            meta: ObjectMeta::default(),
            access: ObjectAccess::default(),
            lock: ObjectLock::default(),
            checksum: None,
            tags: Tags::none(),
        };
        let mut old = postcard::to_stdvec(&upload).unwrap();
        old.truncate(old.len() - object_trailer(3).len());
        let mut bytes = vec![3];
        bytes.extend(old);
        assert_eq!(decode::<UploadRecord>(&bytes).unwrap(), upload);
        // And the new formats keep what they hold.
        let with = PartRecord {
            checksum: Some(Checksum {
                algorithm: crate::checksum::ChecksumAlgorithm::Crc64Nvme,
                kind: crate::checksum::ChecksumType::FullObject,
                value: vec![9; 8],
                parts: 0,
                part_values: Vec::new(),
            }),
            ..part
        };
        assert_eq!(encode(&with)[0], 2);
        assert_eq!(decode::<PartRecord>(&encode(&with)).unwrap(), with);
    }

    #[test]
    fn versions_and_uploads_keep_their_tags_and_older_ones_read_untagged() {
        let rules = crate::tagging::TagRules::S3_OBJECT;
        let tags = Tags::checked(vec![("team".into(), "a b".into())], &rules).unwrap();
        let data = ObjectData {
            size: 1,
            etag: "e".into(),
            crc64: 0,
            crc32: 0,
            parts: 0,
            meta: ObjectMeta::default(),
            segments: vec![],
            access: ObjectAccess::default(),
            lock: ObjectLock::default(),
            checksum: None,
            tags: tags.clone(),
            appendable: false,
        };
        let rec = VersionRecord {
            seq: 1,
            id: VersionId::Null,
            last_modified_ms: 2,
            kind: EntryKind::Object(data),
        };
        let bytes = encode(&rec);
        assert_eq!(bytes[0], 4);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), rec);
        // A format 3 record is the same bytes without the checksum, tags and appendable flag:
        // it reads untagged.
        let untagged = VersionRecord {
            kind: EntryKind::Object(ObjectData {
                tags: Tags::none(),
                ..rec.object().unwrap().clone()
            }),
            ..rec.clone()
        };
        let mut v3 = encode(&untagged);
        v3.truncate(v3.len() - version_trailer(3).len());
        v3[0] = 3;
        assert_eq!(decode::<VersionRecord>(&v3).unwrap(), untagged);

        let upload = UploadRecord {
            key: "k".into(),
            initiated_ms: 3,
            meta: ObjectMeta::default(),
            access: ObjectAccess::default(),
            lock: ObjectLock::default(),
            checksum: None,
            tags,
        };
        assert_eq!(decode::<UploadRecord>(&encode(&upload)).unwrap(), upload);
        let plain = UploadRecord {
            tags: Tags::none(),
            ..upload
        };
        for format in [FORMAT_V1, 2, 3] {
            let mut old = postcard::to_stdvec(&plain).unwrap();
            old.truncate(old.len() - object_trailer(format).len());
            let mut bytes = vec![format];
            bytes.extend(old);
            assert_eq!(decode::<UploadRecord>(&bytes).unwrap(), plain);
        }
    }

    #[test]
    fn string_metadata_values_of_older_records_read_as_bytes() {
        #[derive(Serialize)]
        struct OldMeta {
            content_type: Option<String>,
            content_encoding: Option<String>,
            content_disposition: Option<String>,
            content_language: Option<String>,
            cache_control: Option<String>,
            expires: Option<String>,
            user: Vec<(String, String)>,
        }
        let old = OldMeta {
            content_type: Some("text/plain".into()),
            content_encoding: None,
            content_disposition: None,
            content_language: None,
            cache_control: None,
            expires: None,
            user: vec![("color".into(), "bär".into())],
        };
        let meta: ObjectMeta = postcard::from_bytes(&postcard::to_stdvec(&old).unwrap()).unwrap();
        assert_eq!(meta.user, vec![("color".into(), "bär".as_bytes().to_vec())]);
        assert_eq!(meta.content_type.as_deref(), Some("text/plain"));
    }

    #[test]
    fn unknown_format_is_reported_not_misread() {
        let mut bytes = encode(&bucket());
        bytes[0] = 99;
        assert!(matches!(
            decode::<BucketRecord>(&bytes),
            Err(StorageError::Corrupt(_))
        ));
        bytes[0] = 0;
        assert!(matches!(
            decode::<BucketRecord>(&bytes),
            Err(StorageError::Corrupt(_))
        ));
        assert!(decode::<BucketRecord>(&[]).is_err());
    }
}
