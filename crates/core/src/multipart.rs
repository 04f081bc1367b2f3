//! Multipart uploads: initiate, upload parts, complete (the parts' blobs become the new
//! version's segments, untouched), abort, and listing of parts and uploads.

use crate::blob::{combine_crc32, combine_crc64};
use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumType, UploadChecksum};
use crate::error::{CoreError, Result, StorageError};
use crate::meta::{
    CompletionRecord, EntryKind, Flow, ObjectData, PartRecord, ReadTxn, Segment, StorageResult,
    UploadRecord, WriteTxn,
};
use crate::object::{Expect, NewObject, PutOutcome, check_current, publish, release_segments};
use crate::precondition::Precondition;
use crate::retention::Guard;
use crate::store::{Store, now_ms, validate_key};
use bytes::Bytes;
use futures_core::Stream;
use md5::{Digest, Md5};
use std::io;

pub const MAX_PART_NUMBER: u32 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartOutcome {
    pub etag: String,
    pub size: u64,
    pub crc64: u64,
    pub crc32: u32,
    pub md5: [u8; 16],
    /// Every digest computed for the part (the optional ones as asked for).
    pub digests: crate::blob::DigestValues,
    /// The part's flexible checksum (its upload's algorithm, or the one the client named).
    pub checksum: Option<Checksum>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPart {
    pub part_number: u32,
    pub part: PartRecord,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartListing {
    pub parts: Vec<ListedPart>,
    pub is_truncated: bool,
    pub next_part_number_marker: Option<u32>,
    /// The checksum algorithm and type the upload was created with.
    pub checksum: Option<UploadChecksum>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated_ms: i64,
    /// Who initiated it (the owner of the object it completes into) when it is not the
    /// bucket's owner.
    pub owner: Option<String>,
    /// The checksum algorithm and type it was created with.
    pub checksum: Option<UploadChecksum>,
}

#[derive(Clone, Debug, Default)]
pub struct ListUploadsParams {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub upload_id_marker: Option<String>,
    pub max_uploads: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadListing {
    pub uploads: Vec<ListedUpload>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_upload_id_marker: Option<String>,
}

/// Strips the quotes clients put around ETags.
fn bare_etag(s: &str) -> &str {
    s.trim().trim_matches('"')
}

/// The MD5 of a completion's part list, to tell a repeat of it from another list.
fn parts_md5(parts: &[(u32, String)]) -> [u8; 16] {
    let mut h = Md5::new();
    for (n, etag) in parts {
        h.update(n.to_be_bytes());
        h.update(bare_etag(etag).to_ascii_lowercase().as_bytes());
        h.update([0]);
    }
    h.finalize().into()
}

/// The upload `upload_id` of `key`: the one check, for every dialect and operation, that an
/// upload ID belongs to the key a request names. Another key's upload is
/// [`CoreError::NoSuchUpload`], as is an unknown ID.
pub(crate) fn upload_of(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<UploadRecord> {
    txn.upload(bucket, upload_id)?
        .filter(|u| u.key == key)
        .ok_or(CoreError::NoSuchUpload)
}

/// Removes an upload and its parts, releasing the parts' blobs.
pub(crate) fn drop_upload(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    upload_id: &str,
) -> StorageResult<()> {
    let mut stored = Vec::new();
    txn.scan_parts(upload_id, 0, &mut |n, p| {
        stored.push((n, p));
        Flow::Continue
    })?;
    for (n, p) in stored {
        txn.remove_part(upload_id, n)?;
        release_segments(txn, &[p.segment])?;
    }
    txn.remove_upload(bucket, upload_id)?;
    Ok(())
}

/// The answer to a CompleteMultipartUpload of an upload that no longer exists: the same as
/// the first time if that upload was the key's last completion, with the same part list, and
/// the version it produced is still there (S3 answers repeats while the object exists); else
/// NoSuchUpload.
fn repeated_completion(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    upload_id: &str,
    parts_md5: [u8; 16],
) -> Result<PutOutcome> {
    let c = txn
        .completion(bucket, key)?
        .filter(|c| c.upload_id == upload_id && c.parts_md5 == parts_md5)
        .ok_or(CoreError::NoSuchUpload)?;
    let version = txn
        .version(bucket, key, c.seq)?
        .filter(|v| v.id == c.id)
        .ok_or(CoreError::NoSuchUpload)?;
    let tags = version.object().map(|d| d.tags.clone()).unwrap_or_default();
    Ok(PutOutcome {
        version_id: c.id,
        versioning: c.versioning,
        etag: c.etag,
        size: c.size,
        crc64: c.crc64,
        crc32: c.crc32,
        md5: None,
        last_modified_ms: c.last_modified_ms,
        digests: None,
        checksum: c.checksum,
        tags,
    })
}

/// Refuses a completion whose whole-object digests or size differ from those announced.
fn check_whole(expect: &Expect, crc64: u64, crc32: u32, size: u64) -> Result<()> {
    if expect.crc64.is_some_and(|c| c != crc64) {
        return Err(CoreError::BadDigest("CRC-64"));
    }
    if expect.crc32.is_some_and(|c| c != crc32) {
        return Err(CoreError::BadDigest("CRC-32"));
    }
    if expect.size.is_some_and(|s| s != size) {
        return Err(CoreError::IncompleteBody {
            expected: expect.size.unwrap_or(0),
            got: size,
        });
    }
    Ok(())
}

/// What a completion's check found: a repeat to answer as before, or the version to write.
enum Completion {
    Repeat(Box<PutOutcome>),
    Fresh(Box<Fresh>),
}

struct Fresh {
    guard: Guard,
    data: ObjectData,
    /// Every part the upload holds (the chosen ones and the rest, to release).
    stored: Vec<(u32, PartRecord)>,
}

/// The check step of a completion: the bucket, the conditions on the key, the upload (or the
/// repeat of the key's last completion), the listed parts and the whole-object digests.
#[allow(clippy::too_many_arguments)]
fn plan_completion(
    txn: &dyn ReadTxn,
    (bucket, key, upload_id): (&str, &str, &str),
    parts: &[(u32, String)],
    min_part_size: u64,
    expect: &Expect,
    cond: &Precondition,
    parts_md5: [u8; 16],
    now_ms: i64,
) -> Result<Completion> {
    let guard = Guard::of(txn, bucket, now_ms, false)?;
    check_current(txn, bucket, key, cond)?;
    let Ok(upload) = upload_of(txn, bucket, key, upload_id) else {
        let out = repeated_completion(txn, bucket, key, upload_id, parts_md5)?;
        check_whole(expect, out.crc64, out.crc32, out.size)?;
        return Ok(Completion::Repeat(Box::new(out)));
    };
    let mut stored = Vec::new();
    txn.scan_parts(upload_id, 0, &mut |n, p| {
        stored.push((n, p));
        Flow::Continue
    })?;
    let mut chosen = Vec::with_capacity(parts.len());
    for (i, (n, etag)) in parts.iter().enumerate() {
        let part = stored
            .iter()
            .find(|(sn, _)| sn == n)
            .map(|(_, p)| p)
            .filter(|p| p.etag == bare_etag(etag))
            .ok_or(CoreError::InvalidPart(*n))?;
        if i + 1 < parts.len() && part.size < min_part_size {
            return Err(CoreError::EntityTooSmall {
                part: *n,
                size: part.size,
                min: min_part_size,
            });
        }
        chosen.push(part.clone());
    }
    let mut md5s = Md5::new();
    let (mut size, mut crc64, mut crc32) = (0u64, 0u64, 0u32);
    for p in &chosen {
        md5s.update(p.md5);
        crc64 = if size == 0 {
            p.crc64
        } else {
            combine_crc64(crc64, p.crc64, p.size)
        };
        crc32 = if size == 0 {
            p.crc32
        } else {
            combine_crc32(crc32, p.crc32, p.size)
        };
        size += p.size;
    }
    check_whole(expect, crc64, crc32, size)?;
    let checksum = completion_checksum(upload.checksum, &expect.completion, parts, &chosen, crc32)?;
    guard.check_removal(txn, bucket, key, None)?;
    let data = ObjectData {
        size,
        etag: format!("{}-{}", hex::encode(md5s.finalize()), chosen.len()),
        crc64,
        crc32,
        parts: chosen.len() as u32,
        meta: upload.meta,
        segments: chosen.iter().map(|p| p.segment).collect(),
        access: upload.access,
        lock: guard.with_default(upload.lock),
        checksum,
        appendable: false,
        tags: upload.tags,
    };
    Ok(Completion::Fresh(Box::new(Fresh {
        guard,
        data,
        stored,
    })))
}

/// The checksum of a completed object: the parts' checksums stated in the completion checked
/// against the stored ones, the type (if stated) against the upload's, the parts' checksums
/// combined as the upload asked, and a stated whole-object checksum checked. An upload
/// created without an algorithm gets the FULL_OBJECT CRC the completion states, if every
/// part has one (CRC-32 every part has), else none.
fn completion_checksum(
    asked: Option<UploadChecksum>,
    stated: &crate::checksum::CompletionChecksums,
    listed: &[(u32, String)],
    chosen: &[PartRecord],
    crc32: u32,
) -> Result<Option<Checksum>> {
    if let Some(kind) = stated.kind
        && asked.map(|a| a.kind) != Some(kind)
    {
        return Err(CoreError::InvalidRequest(format!(
            "The upload was created using the {} checksum mode. The complete request must use the same checksum mode.",
            asked.map_or("null", |a| a.kind.name())
        )));
    }
    for (n, algorithm, value) in &stated.parts {
        let held = listed
            .iter()
            .position(|(ln, _)| ln == n)
            .and_then(|i| chosen[i].checksum.as_ref());
        if held.is_none_or(|c| c.algorithm != *algorithm || c.value != *value) {
            return Err(CoreError::InvalidPart(*n));
        }
    }
    let of_parts = |algorithm: ChecksumAlgorithm, kind: ChecksumType| -> Result<Option<Checksum>> {
        let mut values = Vec::with_capacity(chosen.len());
        for p in chosen {
            match &p.checksum {
                Some(c) if c.algorithm == algorithm => values.push((c.value.as_slice(), p.size)),
                _ if algorithm == ChecksumAlgorithm::Crc32 => return Ok(None),
                _ => {
                    return Err(CoreError::InvalidRequest(format!(
                        "The upload's parts have no {} checksum.",
                        algorithm.name().to_ascii_lowercase()
                    )));
                }
            }
        }
        Checksum::multipart(algorithm, kind, &values).map(Some)
    };
    let checksum = match (asked, &stated.object) {
        (Some(a), _) => of_parts(a.algorithm, a.kind)?,
        (None, Some((algorithm, _))) if algorithm.is_crc() => {
            of_parts(*algorithm, ChecksumType::FullObject)?.or_else(|| {
                (*algorithm == ChecksumAlgorithm::Crc32).then(|| Checksum {
                    algorithm: *algorithm,
                    kind: ChecksumType::FullObject,
                    value: crc32.to_be_bytes().to_vec(),
                    parts: 0,
                    part_values: Vec::new(),
                })
            })
        }
        (None, Some((algorithm, _))) => {
            return Err(crate::checksum::full_object_refused(*algorithm));
        }
        (None, None) => None,
    };
    if let Some((algorithm, value)) = &stated.object {
        match &checksum {
            Some(c) if c.algorithm == *algorithm => {
                if c.value != *value {
                    return Err(CoreError::BadDigest(algorithm.name()));
                }
            }
            _ => {
                return Err(CoreError::InvalidRequest(format!(
                    "The upload was created using the {} checksum algorithm, not {}.",
                    checksum
                        .as_ref()
                        .map_or("null", |c| c.algorithm.name())
                        .to_ascii_lowercase(),
                    algorithm.name().to_ascii_lowercase()
                )));
            }
        }
    }
    Ok(checksum)
}

impl Store {
    /// Starts an upload of an object that will have the metadata and access of `meta`.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        new: impl Into<NewObject>,
    ) -> Result<String> {
        let NewObject {
            meta,
            access,
            lock,
            checksum,
            tags,
        } = new.into();
        validate_key(key)?;
        self.check_room(None)?;
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let cb = bucket.clone();
        let clock = self.inner.clock.clone();
        self.write(
            move |txn| {
                let guard = Guard::of(txn, &cb, clock.now_ms(), false)?;
                guard.check_asked(lock)?;
                Ok(guard.now_ms)
            },
            move |txn, now| {
                let seq = txn.next_seq();
                let upload_id = format!("{seq:016x}{:016x}", rand::random::<u64>());
                let rec = UploadRecord {
                    key,
                    initiated_ms: now,
                    meta,
                    access,
                    lock,
                    checksum,
                    tags,
                };
                txn.put_upload(&bucket, &upload_id, &rec)?;
                crate::lifecycle::upload_started(txn, &bucket, &upload_id, &rec)?;
                Ok(upload_id)
            },
        )
        .await
    }

    /// Stores part `part_number` of the upload `upload_id` of `key` (another key's upload is
    /// [`CoreError::NoSuchUpload`]), replacing a part of that number.
    pub async fn upload_part<S>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        expect: Expect,
        body: S,
    ) -> Result<PartOutcome>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin,
    {
        if !(1..=MAX_PART_NUMBER).contains(&part_number) {
            return Err(CoreError::InvalidArgument(format!(
                "part number must be 1 to {MAX_PART_NUMBER}"
            )));
        }
        let upload = upload_of(&*self.read()?, bucket, key, upload_id)?;
        let algorithm = match (upload.checksum, expect.checksum) {
            (Some(u), Some(c)) if u.algorithm != c => {
                return Err(CoreError::InvalidRequest(format!(
                    "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                    u.algorithm.name().to_ascii_lowercase(),
                    c.name().to_ascii_lowercase()
                )));
            }
            (Some(u), _) => Some(u.algorithm),
            (None, c) => c,
        };
        crate::object::check_size(expect.size)?;
        self.check_room(expect.size)?;
        let extra = match algorithm {
            Some(a) => expect.extra().or(a.extra()),
            None => expect.extra(),
        };
        let written = self.ingest(body, extra).await?;
        if let Err(e) = crate::object::check_expectations(&written, &expect) {
            self.inner.blobs.discard(&written);
            return Err(e);
        }
        let checksum = algorithm.and_then(|a| Checksum::of(a, &written.digests));
        let (bucket, key, upload_id) = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        let outcome = self
            .write_with_blob(
                written,
                move |txn| {
                    upload_of(txn, &bucket, &key, &upload_id)?;
                    Ok((upload_id.clone(), txn.part(&upload_id, part_number)?))
                },
                move |txn, (upload_id, old), w| {
                    txn.put_blob(w.id, &w.blob_record())?;
                    let d = &w.digests;
                    let rec = PartRecord {
                        size: d.len,
                        etag: hex::encode(d.md5),
                        md5: d.md5,
                        crc64: d.crc64,
                        crc32: d.crc32,
                        last_modified_ms: now_ms(),
                        segment: Segment {
                            blob: w.id,
                            len: d.len,
                        },
                        checksum,
                    };
                    txn.put_part(&upload_id, part_number, &rec)?;
                    if let Some(old) = old {
                        release_segments(txn, &[old.segment])?;
                    }
                    Ok(PartOutcome {
                        etag: rec.etag,
                        size: d.len,
                        crc64: d.crc64,
                        crc32: d.crc32,
                        md5: d.md5,
                        digests: d.clone(),
                        checksum: rec.checksum,
                    })
                },
            )
            .await?;
        self.freed_space();
        Ok(outcome)
    }

    /// Completes the upload of `key` from the listed parts (ascending part numbers, ETags as
    /// returned by upload_part). Every part but the last must be at least `min_part_size`
    /// bytes. The ETag is `hex(md5 of the parts' binary MD5s)-N`; the CRCs are combined from
    /// the parts'. `cond` (on the key's current object, as for
    /// [`Store::put_object_if`]) and a whole-object CRC or size in `expect` are checked in the
    /// completion's transaction before anything is written. The key's last completion is
    /// remembered while its version exists, and a repeat of it with the same parts answers
    /// the same outcome without writing.
    #[allow(clippy::too_many_arguments)]
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<(u32, String)>,
        min_part_size: u64,
        expect: Expect,
        cond: Precondition,
    ) -> Result<(String, PutOutcome)> {
        if parts.is_empty() {
            return Err(CoreError::InvalidArgument(
                "a completion lists at least one part".into(),
            ));
        }
        if parts.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(CoreError::InvalidPartOrder);
        }
        let (bucket, key, upload_id) = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        let parts_md5 = parts_md5(&parts);
        let (cb, ck, cu) = (bucket.clone(), key.clone(), upload_id.clone());
        let clock = self.inner.clock.clone();
        let outcome = self
            .write(
                move |txn| {
                    plan_completion(
                        txn,
                        (&cb, &ck, &cu),
                        &parts,
                        min_part_size,
                        &expect,
                        &cond,
                        parts_md5,
                        clock.now_ms(),
                    )
                },
                move |txn, plan| {
                    let fresh = match plan {
                        Completion::Repeat(out) => return Ok((key, *out)),
                        Completion::Fresh(fresh) => *fresh,
                    };
                    let Fresh {
                        guard,
                        data,
                        stored,
                    } = fresh;
                    let versioning = guard.versioning;
                    let (etag, size, crc64, crc32) =
                        (data.etag.clone(), data.size, data.crc64, data.crc32);
                    let checksum = data.checksum.clone();
                    let tags = data.tags.clone();
                    let kept: Vec<u64> = data.segments.iter().map(|s| s.blob).collect();
                    for (n, p) in stored {
                        txn.remove_part(&upload_id, n)?;
                        if !kept.contains(&p.segment.blob) {
                            release_segments(txn, &[p.segment])?;
                        }
                    }
                    txn.remove_upload(&bucket, &upload_id)?;
                    let (version_id, last_modified_ms) =
                        publish(txn, &bucket, &key, &guard, EntryKind::Object(data))?;
                    let seq = match version_id {
                        crate::version::VersionId::Stamp { seq, .. } => seq,
                        crate::version::VersionId::Null => txn
                            .null_seq(&bucket, &key)?
                            .ok_or_else(|| StorageError::Corrupt("a null version lost".into()))?,
                    };
                    let completion = CompletionRecord {
                        upload_id: upload_id.clone(),
                        parts_md5,
                        seq,
                        id: version_id,
                        versioning,
                        last_modified_ms,
                        etag: etag.clone(),
                        size,
                        crc64,
                        crc32,
                        checksum: checksum.clone(),
                    };
                    txn.put_completion(&bucket, &key, &completion)?;
                    let put = PutOutcome {
                        version_id,
                        versioning,
                        etag,
                        size,
                        crc64,
                        crc32,
                        md5: None,
                        last_modified_ms,
                        digests: None,
                        checksum,
                        tags,
                    };
                    Ok((key, put))
                },
            )
            .await?;
        self.freed_space();
        Ok(outcome)
    }

    /// Aborts the upload `upload_id` of `key`, releasing its parts.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<()> {
        let (bucket, key, upload_id) = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        let cb = bucket.clone();
        self.write(
            move |txn| {
                txn.bucket(&cb)?.ok_or(CoreError::NoSuchBucket)?;
                upload_of(txn, &cb, &key, &upload_id)?;
                Ok(upload_id)
            },
            move |txn, upload_id| drop_upload(txn, &bucket, &upload_id),
        )
        .await?;
        self.freed_space();
        Ok(())
    }

    /// Sets user metadata entries on the upload `upload_id` of `key` (an entry with the same
    /// name is replaced), for dialects whose Complete request carries metadata that wins over
    /// Initiate's (BOS).
    pub async fn merge_upload_user_meta(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        user: Vec<(String, Vec<u8>)>,
    ) -> Result<()> {
        if user.is_empty() {
            return Ok(());
        }
        let (bucket, key, upload_id) = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        let (cb, cu) = (bucket.clone(), upload_id.clone());
        self.write(
            move |txn| upload_of(txn, &cb, &key, &cu),
            move |txn, mut rec| {
                for (name, value) in user {
                    rec.meta.user.retain(|(n, _)| *n != name);
                    rec.meta.user.push((name, value));
                }
                rec.meta.user.sort();
                txn.put_upload(&bucket, &upload_id, &rec)
            },
        )
        .await
    }

    /// The record (key, initiation time, metadata) of the upload `upload_id` of `key`.
    pub fn multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<UploadRecord> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        upload_of(&*txn, bucket, key, upload_id)
    }

    /// The parts of the upload `upload_id` of `key` numbered above `after`.
    pub fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        after: u32,
        max_parts: usize,
    ) -> Result<PartListing> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        let upload = upload_of(&*txn, bucket, key, upload_id)?;
        let mut out = PartListing {
            checksum: upload.checksum,
            ..PartListing::default()
        };
        let max = max_parts.min(1000);
        txn.scan_parts(upload_id, after, &mut |n, part| {
            if out.parts.len() == max {
                out.is_truncated = max > 0;
                return Flow::Stop;
            }
            out.next_part_number_marker = Some(n);
            out.parts.push(ListedPart {
                part_number: n,
                part,
            });
            Flow::Continue
        })?;
        if !out.is_truncated {
            out.next_part_number_marker = None;
        }
        Ok(out)
    }

    pub fn list_multipart_uploads(
        &self,
        bucket: &str,
        p: &ListUploadsParams,
    ) -> Result<UploadListing> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        let mut out = UploadListing::default();
        let max = p.max_uploads.min(1000);
        let key_marker = p.key_marker.as_deref().filter(|k| !k.is_empty());
        // With only a key marker, resume after every upload of that key.
        let start_after =
            key_marker.map(
                |k| match p.upload_id_marker.as_deref().filter(|u| !u.is_empty()) {
                    Some(u) => (k, u),
                    None => (k, "\u{10ffff}"),
                },
            );
        let delimiter = p.delimiter.as_deref().filter(|d| !d.is_empty());
        let mut count = 0;
        txn.scan_uploads(bucket, start_after, &mut |upload_id, rec| {
            let key = rec.key.as_str();
            if !key.starts_with(p.prefix.as_str()) {
                return if key < p.prefix.as_str() {
                    Flow::Continue
                } else {
                    Flow::Stop
                };
            }
            let common = delimiter.and_then(|d| {
                key[p.prefix.len()..]
                    .find(d)
                    .map(|i| key[..p.prefix.len() + i + d.len()].to_owned())
            });
            if let Some(cp) = &common
                && (out.common_prefixes.last() == Some(cp)
                    || key_marker.is_some_and(|m| cp.as_str() <= m))
            {
                return Flow::Continue;
            }
            if count == max {
                out.is_truncated = max > 0;
                return Flow::Stop;
            }
            count += 1;
            match common {
                Some(cp) => {
                    out.next_key_marker = Some(cp.clone());
                    out.next_upload_id_marker = None;
                    out.common_prefixes.push(cp);
                }
                None => {
                    out.next_key_marker = Some(key.to_owned());
                    out.next_upload_id_marker = Some(upload_id.to_owned());
                    out.uploads.push(ListedUpload {
                        key: key.to_owned(),
                        upload_id: upload_id.to_owned(),
                        initiated_ms: rec.initiated_ms,
                        owner: rec.access.owner.clone(),
                        checksum: rec.checksum,
                    });
                }
            }
            Flow::Continue
        })?;
        if !out.is_truncated {
            out.next_key_marker = None;
            out.next_upload_id_marker = None;
        }
        Ok(out)
    }
}
