//! Object versions: writing (put, copy) and reading (get, head). The mechanisms every write
//! shares are in [`crate::entry`].

use crate::access::ObjectAccess;
use crate::blob::{DigestValues, Extra, Source, Written};
use crate::checksum::{Checksum, ChecksumAlgorithm, CompletionChecksums, UploadChecksum};
pub(crate) use crate::entry::{
    publish, release, release_segments, remove_null, sync_current, sync_current_to,
};
use crate::error::{CoreError, Result, StorageError};
use crate::meta::{
    BlobBody, EntryKind, ObjectData, ObjectMeta, ReadTxn, Segment, StorageResult, VersionRecord,
};
use crate::precondition::{Failed, Precondition, Target};
use crate::retention::{Guard, ObjectLock};
use crate::store::{Store, blocking, current_entry, validate_key};
use crate::tagging::Tags;
use crate::version::{VersionId, Versioning};
use bytes::Bytes;
use futures_core::Stream;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

/// The largest body one write takes: a single PUT, or one part of a multipart upload (5 GiB,
/// as in all three services). Larger objects are written in parts.
pub const MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// Refuses a body announced as larger than [`MAX_OBJECT_SIZE`] before any of it is read.
pub(crate) fn check_size(announced: Option<u64>) -> Result<()> {
    match announced {
        Some(size) if size > MAX_OBJECT_SIZE => Err(CoreError::EntityTooLarge {
            size,
            max: MAX_OBJECT_SIZE,
        }),
        _ => Ok(()),
    }
}

/// A body streamed back to a client.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A check of a body's digests that can only run once the body has been read (S3's trailing
/// checksums arrive after the data). An error refuses the write.
pub type LateCheck = Arc<dyn Fn(&DigestValues) -> Result<()> + Send + Sync>;

/// Digests and size the client announced; each one given is checked against the body before
/// the write commits.
#[derive(Clone, Default)]
pub struct Expect {
    pub md5: Option<[u8; 16]>,
    pub crc64: Option<u64>,
    pub crc32: Option<u32>,
    pub crc32c: Option<u32>,
    pub sha256: Option<[u8; 32]>,
    pub sha1: Option<[u8; 20]>,
    pub size: Option<u64>,
    /// Digests to compute (and report in the outcome) without an expected value.
    pub compute: Extra,
    pub late: Option<LateCheck>,
    /// The flexible checksum to store with the version or part (the client named it).
    pub checksum: Option<ChecksumAlgorithm>,
    /// A completion's stated checksums.
    pub completion: CompletionChecksums,
}

impl std::fmt::Debug for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expect")
            .field("md5", &self.md5)
            .field("crc64", &self.crc64)
            .field("crc32", &self.crc32)
            .field("crc32c", &self.crc32c)
            .field("sha256", &self.sha256)
            .field("sha1", &self.sha1)
            .field("size", &self.size)
            .field("compute", &self.compute)
            .field("late", &self.late.is_some())
            .field("checksum", &self.checksum)
            .finish()
    }
}

impl Expect {
    /// The optional digests the body must be hashed with.
    pub(crate) fn extra(&self) -> Extra {
        let asked = Extra {
            sha256: self.compute.sha256 || self.sha256.is_some(),
            sha1: self.compute.sha1 || self.sha1.is_some(),
            crc32c: self.compute.crc32c || self.crc32c.is_some(),
            crc64nvme: self.compute.crc64nvme,
        };
        match self.checksum {
            Some(c) => asked.or(c.extra()),
            None => asked,
        }
    }
}

/// What a write reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutOutcome {
    pub version_id: VersionId,
    /// The bucket's state when the write happened (dialects omit version headers when
    /// unversioned).
    pub versioning: Versioning,
    pub etag: String,
    pub size: u64,
    pub crc64: u64,
    pub crc32: u32,
    pub md5: Option<[u8; 16]>,
    pub last_modified_ms: i64,
    /// The optional digests computed for the body (none for copies and completions).
    pub digests: Option<DigestValues>,
    /// The flexible checksum stored with the version, if any.
    pub checksum: Option<Checksum>,
    /// The tags the new version has.
    pub tags: Tags,
}

/// One object version as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectVersion {
    pub key: String,
    pub version_id: VersionId,
    pub versioning: Versioning,
    pub last_modified_ms: i64,
    pub data: ObjectData,
}

/// A byte range as a client asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `first-last`, both inclusive.
    Span { first: u64, last: u64 },
    /// `first-`
    From(u64),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The inclusive byte positions this range selects in an object of `size` bytes, or
    /// `None` when it selects nothing (unsatisfiable).
    pub fn resolve(self, size: u64) -> Option<(u64, u64)> {
        match self {
            ByteRange::Span { first, last } if first <= last && first < size => {
                Some((first, last.min(size - 1)))
            }
            ByteRange::From(first) if first < size => Some((first, size - 1)),
            ByteRange::Suffix(n) if n > 0 && size > 0 => Some((size - n.min(size), size - 1)),
            _ => None,
        }
    }
}

/// What a read selects of a version besides all of it.
#[derive(Clone, Copy, Debug)]
enum Select {
    Range(ByteRange),
    Part(u32),
}

/// The inclusive byte positions of part `n` of an object: a multipart object's part (its
/// segment), or `None` (all of it) for part 1 of any other object; any other number is
/// [`CoreError::InvalidPartNumber`].
pub fn part_span(data: &ObjectData, n: u32) -> Result<Option<(u64, u64)>> {
    if data.parts == 0 || data.parts as usize != data.segments.len() {
        return if n == 1 {
            Ok(None)
        } else {
            Err(CoreError::InvalidPartNumber)
        };
    }
    if n == 0 || n > data.parts {
        return Err(CoreError::InvalidPartNumber);
    }
    let before = &data.segments[..n as usize - 1];
    let first: u64 = before.iter().map(|s| s.len).sum();
    let len = data.segments[n as usize - 1].len;
    if len == 0 {
        // An empty part has no byte to name; S3 answers it as the whole (empty) range.
        return Ok(None);
    }
    Ok(Some((first, first + len - 1)))
}

pub struct ObjectRead {
    pub version: ObjectVersion,
    /// The inclusive range served, when a range was asked for.
    pub range: Option<(u64, u64)>,
    pub body: ByteStream,
}

/// What a write gives a new object besides its body: its metadata, its access (owner, ACL),
/// the lock it asks for (none: the bucket's default retention, if any) and its tags. An
/// [`ObjectMeta`] alone is an untagged object of the bucket's owner with a private ACL.
#[derive(Clone, Debug, Default)]
pub struct NewObject {
    pub meta: ObjectMeta,
    pub access: ObjectAccess,
    pub lock: ObjectLock,
    /// The checksum algorithm and type a multipart upload asks for (a single write's
    /// checksum is named in its [`Expect`]).
    pub checksum: Option<UploadChecksum>,
    pub tags: Tags,
}

impl From<ObjectMeta> for NewObject {
    fn from(meta: ObjectMeta) -> NewObject {
        NewObject {
            meta,
            ..NewObject::default()
        }
    }
}

/// How a copy sets the new version's metadata.
#[derive(Clone, Debug)]
pub enum MetadataDirective {
    Copy,
    Replace(ObjectMeta),
}

impl Store {
    /// Writes an object from a streaming body under the bucket's versioning rules.
    pub async fn put_object<S>(
        &self,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        expect: Expect,
        body: S,
    ) -> Result<PutOutcome>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin,
    {
        self.put_object_if(bucket, key, meta, expect, Precondition::default(), body)
            .await
    }

    /// [`Store::put_object`] if `cond` holds for the key's current object (a delete marker
    /// counts as none), evaluated in the write's transaction: of concurrent puts with
    /// `If-None-Match: *` exactly one succeeds. An `If-Match` with no current object is
    /// [`CoreError::NoSuchKey`]; any other failure [`CoreError::PreconditionFailed`].
    /// The new version has the metadata and the access (owner, ACL) of `meta`.
    pub async fn put_object_if<S>(
        &self,
        bucket: &str,
        key: &str,
        new: impl Into<NewObject>,
        expect: Expect,
        cond: Precondition,
        body: S,
    ) -> Result<PutOutcome>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin,
    {
        let NewObject {
            meta,
            access,
            lock,
            tags,
            ..
        } = new.into();
        validate_key(key)?;
        self.bucket(bucket)?;
        check_size(expect.size)?;
        self.check_room(expect.size)?;
        let written = self.ingest(body, expect.extra()).await?;
        if let Err(e) = check_expectations(&written, &expect) {
            self.inner.blobs.discard(&written);
            return Err(e);
        }
        let checksum = expect
            .checksum
            .and_then(|a| Checksum::of(a, &written.digests));
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        let clock = self.inner.clock.clone();
        let outcome = self
            .write_with_blob(
                written,
                move |txn| {
                    let guard = Guard::of(txn, &cb, clock.now_ms(), false)?;
                    check_current(txn, &cb, &ck, &cond)?;
                    let lock = guard.lock_for(lock)?;
                    guard.check_removal(txn, &cb, &ck, None)?;
                    Ok((guard, lock))
                },
                move |txn, (guard, lock), w| {
                    txn.put_blob(w.id, &w.blob_record())?;
                    let data = ObjectData {
                        size: w.digests.len,
                        etag: hex::encode(w.digests.md5),
                        crc64: w.digests.crc64,
                        crc32: w.digests.crc32,
                        parts: 0,
                        meta,
                        segments: vec![Segment {
                            blob: w.id,
                            len: w.digests.len,
                        }],
                        access,
                        lock,
                        checksum: checksum.clone(),
                        appendable: false,
                        tags: tags.clone(),
                    };
                    let etag = data.etag.clone();
                    let (version_id, last_modified_ms) =
                        publish(txn, &bucket, &key, &guard, EntryKind::Object(data))?;
                    Ok(PutOutcome {
                        version_id,
                        versioning: guard.versioning,
                        etag,
                        size: w.digests.len,
                        crc64: w.digests.crc64,
                        crc32: w.digests.crc32,
                        md5: Some(w.digests.md5),
                        last_modified_ms,
                        digests: Some(w.digests.clone()),
                        checksum,
                        tags,
                    })
                },
            )
            .await?;
        self.freed_space();
        Ok(outcome)
    }

    /// The metadata of the current version, or of the version asked for.
    pub fn head_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<ObjectVersion> {
        let txn = self.read()?;
        resolve(&*txn, bucket, key, version).map(|(v, _)| v)
    }

    /// Reads an object (or a range of it). A range that selects nothing is
    /// [`CoreError::InvalidRange`].
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        range: Option<ByteRange>,
    ) -> Result<ObjectRead> {
        self.get_object_if(bucket, key, version, range, &Precondition::default())
            .await
    }

    /// [`Store::get_object`] of a version for which `cond` holds, evaluated in the snapshot
    /// the version is resolved in: the body is exactly the bytes of the version checked (its
    /// files are open before this returns), never those of a version written since. A failure
    /// is [`CoreError::PreconditionFailed`] (a part copy's source conditions all fail so).
    pub async fn get_object_if(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        range: Option<ByteRange>,
        cond: &Precondition,
    ) -> Result<ObjectRead> {
        self.get_selected(bucket, key, version, range.map(Select::Range), cond)
            .await
    }

    /// Part `part` of a version (S3's GET with `partNumber`): a multipart object's part, as
    /// a range of the object; part 1 of any other object is all of it. Another number is
    /// [`CoreError::InvalidPartNumber`].
    pub async fn get_object_part(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        part: u32,
    ) -> Result<ObjectRead> {
        self.get_selected(
            bucket,
            key,
            version,
            Some(Select::Part(part)),
            &Precondition::default(),
        )
        .await
    }

    async fn get_selected(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        range: Option<Select>,
        cond: &Precondition,
    ) -> Result<ObjectRead> {
        // A concurrent delete can remove a file between the snapshot and the open; the next
        // snapshot then no longer shows the version, and the conditions are evaluated again
        // against whatever it shows.
        let mut attempts = 0;
        loop {
            let (version, blobs) = {
                let txn = self.read()?;
                resolve(&*txn, bucket, key, version)?
            };
            cond.evaluate(Some(Target {
                etag: Some(&version.data.etag),
                last_modified_ms: version.last_modified_ms,
                size: version.data.size,
            }))
            .map_err(|_| CoreError::PreconditionFailed)?;
            let size = version.data.size;
            let span = match range {
                None => None,
                Some(Select::Range(r)) => {
                    Some(r.resolve(size).ok_or(CoreError::InvalidRange { size })?)
                }
                Some(Select::Part(n)) => part_span(&version.data, n)?,
            };
            let (first, last) = span.unwrap_or((0, size.saturating_sub(1)));
            let store = self.inner.blobs.clone();
            let segments = version.data.segments.clone();
            // Inline bodies are in memory already: only files are opened on the blocking
            // pool (a hop there costs a GET of 4 KiB more than the rest of its work).
            let opened = if blobs.iter().all(|b| matches!(b, BlobBody::Inline(_))) {
                // Such a read meets no await point that could yield: it takes its turn in
                // the runtime's cooperative budget, so a task reading in a loop cannot keep
                // the others (whose writes it may wait to see) off its worker.
                tokio::task::coop::consume_budget().await;
                open_sources(&store, &segments, &blobs, first, last, size)
                    .map_err(|e| CoreError::from(StorageError::from(e)))
            } else {
                blocking(move || open_sources(&store, &segments, &blobs, first, last, size)).await
            };
            match opened {
                Ok(sources) => {
                    return Ok(ObjectRead {
                        version,
                        range: span,
                        body: stream_sources(sources),
                    });
                }
                Err(CoreError::Storage(StorageError::Io(e)))
                    if e.kind() == io::ErrorKind::NotFound && attempts < 3 =>
                {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Evaluates a write's precondition against the key's current object (a delete marker counts
/// as none): an `If-Match` with none is [`CoreError::NoSuchKey`], any other failure
/// [`CoreError::PreconditionFailed`].
pub(crate) fn check_current(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    cond: &Precondition,
) -> Result<()> {
    if cond.is_none() {
        return Ok(());
    }
    let current = current_entry(txn, bucket, key)?.filter(|r| !r.is_delete_marker());
    cond.evaluate(current.as_ref().map(Target::of))
        .map_err(|f| match f {
            Failed::Missing => CoreError::NoSuchKey {
                delete_marker: None,
            },
            Failed::PreconditionFailed | Failed::NotModified => CoreError::PreconditionFailed,
        })
}

pub(crate) fn check_expectations(w: &Written, expect: &Expect) -> Result<()> {
    let d = &w.digests;
    if let Some(size) = expect.size
        && size != d.len
    {
        return Err(CoreError::IncompleteBody {
            expected: size,
            got: d.len,
        });
    }
    if expect.md5.is_some_and(|m| m != d.md5) {
        return Err(CoreError::BadDigest("MD5"));
    }
    if expect.crc64.is_some_and(|c| c != d.crc64) {
        return Err(CoreError::BadDigest("CRC-64"));
    }
    if expect.crc32.is_some_and(|c| c != d.crc32) {
        return Err(CoreError::BadDigest("CRC-32"));
    }
    if expect.sha256.is_some() && expect.sha256 != d.sha256 {
        return Err(CoreError::BadDigest("SHA-256"));
    }
    if expect.sha1.is_some() && expect.sha1 != d.sha1 {
        return Err(CoreError::BadDigest("SHA-1"));
    }
    if expect.crc32c.is_some() && expect.crc32c != d.crc32c {
        return Err(CoreError::BadDigest("CRC-32C"));
    }
    if let Some(late) = &expect.late {
        late(d)?;
    }
    Ok(())
}

pub(crate) fn missing_blob(id: u64) -> StorageError {
    StorageError::Corrupt(format!("blob {id:016x} is referred to but not recorded"))
}

/// Finds the version a read addresses, with the blob records of its data.
pub(crate) fn resolve(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
) -> Result<(ObjectVersion, Vec<BlobBody>)> {
    let (rec, versioning) = resolve_entry(txn, bucket, key, version)?;
    let EntryKind::Object(data) = rec.kind else {
        unreachable!("resolve_entry refuses delete markers")
    };
    let mut blobs = Vec::with_capacity(data.segments.len());
    for seg in &data.segments {
        blobs.push(
            txn.blob(seg.blob)?
                .ok_or_else(|| missing_blob(seg.blob))?
                .body,
        );
    }
    let version = ObjectVersion {
        key: key.to_owned(),
        version_id: rec.id,
        versioning,
        last_modified_ms: rec.last_modified_ms,
        data,
    };
    Ok((version, blobs))
}

/// The object version a read addresses (the key's current one, or the one named), with its
/// bucket's versioning; the errors of a missing key or version, or of a delete marker.
pub(crate) fn resolve_entry(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
) -> Result<(VersionRecord, Versioning)> {
    let versioning = txn
        .bucket(bucket)?
        .ok_or(CoreError::NoSuchBucket)?
        .versioning;
    let rec = match version {
        None => {
            let rec = current_entry(txn, bucket, key)?.ok_or(CoreError::NoSuchKey {
                delete_marker: None,
            })?;
            if rec.is_delete_marker() {
                return Err(CoreError::NoSuchKey {
                    delete_marker: Some((rec.id, rec.last_modified_ms)),
                });
            }
            rec
        }
        Some(id) => {
            let rec = find_version(txn, bucket, key, id)?.ok_or(CoreError::NoSuchVersion)?;
            if rec.is_delete_marker() {
                return Err(CoreError::MethodNotAllowed {
                    version_id: rec.id,
                    last_modified_ms: rec.last_modified_ms,
                });
            }
            rec
        }
    };
    Ok((rec, versioning))
}

/// The entry with this ID, if the key has it.
pub(crate) fn find_version(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    id: VersionId,
) -> StorageResult<Option<VersionRecord>> {
    let seq = match id {
        VersionId::Null => match txn.null_seq(bucket, key)? {
            Some(seq) => seq,
            None => return Ok(None),
        },
        VersionId::Stamp { seq, .. } => seq,
    };
    Ok(txn.version(bucket, key, seq)?.filter(|rec| rec.id == id))
}

/// Opens what serves bytes `first..=last` of an object made of `segments`.
fn open_sources(
    store: &crate::blob::BlobStore,
    segments: &[Segment],
    blobs: &[BlobBody],
    first: u64,
    last: u64,
    size: u64,
) -> io::Result<Vec<Source>> {
    let mut out = Vec::new();
    if size == 0 {
        return Ok(out);
    }
    let mut pos = 0u64;
    for (seg, body) in segments.iter().zip(blobs) {
        let (start, end) = (pos, pos + seg.len); // [start, end)
        pos = end;
        if end <= first || start > last {
            continue;
        }
        let from = first.max(start) - start;
        let to = (last + 1).min(end) - start;
        out.push(match body {
            BlobBody::Inline(bytes) => {
                Source::Inline(Bytes::copy_from_slice(&bytes[from as usize..to as usize]))
            }
            BlobBody::File => {
                let file = std::fs::File::open(store.path(seg.blob))?;
                Source::File {
                    file: Arc::new(file),
                    offset: from,
                    len: to - from,
                }
            }
        });
    }
    Ok(out)
}

const READ_CHUNK: u64 = 256 * 1024;

fn stream_sources(sources: Vec<Source>) -> ByteStream {
    let state = (sources.into_iter(), None::<(Arc<std::fs::File>, u64, u64)>);
    Box::pin(futures_util::stream::unfold(
        state,
        |(mut rest, mut file)| async move {
            loop {
                if let Some((f, offset, left)) = file.take() {
                    if left == 0 {
                        continue;
                    }
                    let n = left.min(READ_CHUNK);
                    let f2 = f.clone();
                    let read = tokio::task::spawn_blocking(move || {
                        use std::os::unix::fs::FileExt;
                        let mut buf = vec![0u8; n as usize];
                        f2.read_exact_at(&mut buf, offset).map(|_| Bytes::from(buf))
                    })
                    .await
                    .unwrap_or_else(|e| Err(io::Error::other(e.to_string())));
                    return match read {
                        Ok(bytes) => Some((Ok(bytes), (rest, Some((f, offset + n, left - n))))),
                        Err(e) => Some((Err(e), (Vec::new().into_iter(), None))),
                    };
                }
                match rest.next()? {
                    Source::Inline(bytes) => return Some((Ok(bytes), (rest, None))),
                    Source::File {
                        file: f,
                        offset,
                        len,
                    } => file = Some((f, offset, len)),
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_like_http_says() {
        let r = |x: ByteRange| x.resolve(10);
        assert_eq!(r(ByteRange::Span { first: 0, last: 4 }), Some((0, 4)));
        assert_eq!(
            r(ByteRange::Span {
                first: 5,
                last: 100
            }),
            Some((5, 9))
        );
        assert_eq!(
            r(ByteRange::Span {
                first: 10,
                last: 12
            }),
            None
        );
        assert_eq!(r(ByteRange::Span { first: 4, last: 3 }), None);
        assert_eq!(r(ByteRange::From(3)), Some((3, 9)));
        assert_eq!(r(ByteRange::From(10)), None);
        assert_eq!(r(ByteRange::Suffix(3)), Some((7, 9)));
        assert_eq!(r(ByteRange::Suffix(30)), Some((0, 9)));
        assert_eq!(r(ByteRange::Suffix(0)), None);
        assert_eq!(ByteRange::Suffix(1).resolve(0), None);
    }

    #[test]
    fn a_body_over_5_gib_is_refused_from_its_announced_size() {
        assert!(check_size(None).is_ok());
        assert!(check_size(Some(MAX_OBJECT_SIZE)).is_ok());
        assert!(matches!(
            check_size(Some(MAX_OBJECT_SIZE + 1)),
            Err(CoreError::EntityTooLarge { size, max })
                if size == MAX_OBJECT_SIZE + 1 && max == MAX_OBJECT_SIZE
        ));
    }
}
