//! Appendable objects (OSS and BOS AppendObject), once for both dialects.
//!
//! The first append (position 0, the key has no current object or a delete marker) publishes
//! a new version marked `appendable`, like a PUT. A later append at the object's current
//! length adds the body's blob as one more segment of that same version, in place: the old
//! bytes are not copied, and no previous version is kept (OSS: "OSS does not create previous
//! versions for this Appendable object"). The stored CRC-64 and CRC-32 stay those of the whole
//! body (chained with [`combine_crc64`]/[`combine_crc32`]); the ETag is chained too (see
//! [`chained_etag`]). A PUT or a delete over an appendable object treats it as any version:
//! it is replaced, or kept as a previous version, and no longer appended to.

use crate::blob::{Written, combine_crc32, combine_crc64};
use crate::entry::{publish, sync_current};
use crate::error::Result;
use crate::meta::{EntryKind, ObjectData, ReadTxn, Segment, VersionRecord};
use crate::object::{Expect, MAX_OBJECT_SIZE, NewObject, check_expectations};
use crate::retention::{Guard, ObjectLock};
use crate::store::{Store, current_entry, persist_clock, validate_key};
use crate::version::{VersionId, Versioning};
use crate::{CoreError, StorageError};
use bytes::Bytes;
use futures_core::Stream;
use md5::{Digest, Md5};
use std::io;

/// The largest an appendable object grows (OSS: 5 GB).
pub const MAX_APPENDABLE_SIZE: u64 = MAX_OBJECT_SIZE;

/// Why an append was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppendError {
    /// The position is not the object's current length (0 when there is none).
    #[error("the position is not equal to the object's length {length}")]
    PositionNotEqualToLength { length: u64 },
    /// The key's current object was not written by appends (a PUT, copy or multipart upload).
    #[error("the object is not appendable")]
    NotAppendable,
    /// The dialect refuses appends in a bucket whose versioning is Enabled or Suspended (BOS).
    #[error("appends are not allowed in a versioned bucket")]
    Versioned,
    /// A copy whose source is an appendable object (refused by OSS and BOS alike).
    #[error("an appendable object cannot be copied")]
    CopySource,
}

/// The rules of the dialect an append comes from.
#[derive(Clone, Copy, Debug, Default)]
pub struct AppendRules {
    /// Appends are refused in a bucket whose versioning is Enabled or Suspended (BOS);
    /// otherwise (OSS) the appendable object is the current version, appended in place.
    pub refuse_versioned: bool,
}

/// What an accepted append reports.
#[derive(Clone, Debug)]
pub struct AppendOutcome {
    pub version_id: VersionId,
    pub versioning: Versioning,
    /// The whole object's ETag, size (the next append's position) and checksums.
    pub etag: String,
    pub size: u64,
    pub crc64: u64,
    pub crc32: u32,
    /// The MD5 of this append's body.
    pub md5: [u8; 16],
    pub last_modified_ms: i64,
}

/// An appendable object's ETag after an append whose body has MD5 `md5`: the MD5 of the body
/// for the first append (so a one-append object's ETag is its content's MD5), then the MD5 of
/// the previous ETag's 16 bytes followed by the append's MD5. Content-derived and changed by
/// every append, without reading the old bytes again (MD5 does not combine). As OSS says of its
/// own, an appendable object's ETag is not the MD5 of the whole body.
pub fn chained_etag(previous: Option<&str>, md5: [u8; 16]) -> String {
    match previous.and_then(|p| hex::decode(p).ok()) {
        None => hex::encode(md5),
        Some(prev) => {
            let mut h = Md5::new();
            h.update(&prev);
            h.update(md5);
            hex::encode(h.finalize())
        }
    }
}

/// What the check step found: a new appendable version, or the current one to extend.
enum Plan {
    Create {
        guard: Guard,
        lock: ObjectLock,
    },
    Extend {
        guard: Guard,
        current: Box<VersionRecord>,
    },
}

/// The check of an append at `position` of `len` bytes against the key's current entry.
#[allow(clippy::too_many_arguments)]
fn plan(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    position: u64,
    len: Option<u64>,
    rules: AppendRules,
    guard: Guard,
    lock: ObjectLock,
) -> Result<Plan> {
    if rules.refuse_versioned && guard.versioning != Versioning::Unversioned {
        return Err(AppendError::Versioned.into());
    }
    let current = current_entry(txn, bucket, key)?.filter(|r| !r.is_delete_marker());
    let length = current
        .as_ref()
        .and_then(|r| r.object())
        .map_or(0, |d| d.size);
    if let Some(data) = current.as_ref().and_then(|r| r.object())
        && !data.appendable
    {
        return Err(AppendError::NotAppendable.into());
    }
    if position != length {
        return Err(AppendError::PositionNotEqualToLength { length }.into());
    }
    if let Some(len) = len
        && length.saturating_add(len) > MAX_APPENDABLE_SIZE
    {
        return Err(CoreError::EntityTooLarge {
            size: length.saturating_add(len),
            max: MAX_APPENDABLE_SIZE,
        });
    }
    match current {
        None => {
            let lock = guard.lock_for(lock)?;
            guard.check_removal(txn, bucket, key, None)?;
            Ok(Plan::Create { guard, lock })
        }
        Some(current) => {
            // Appending changes the version's bytes: retention that protects it refuses.
            guard.check_removal(txn, bucket, key, Some(current.id))?;
            Ok(Plan::Extend {
                guard,
                current: Box::new(current),
            })
        }
    }
}

impl Store {
    /// Appends `body` to the appendable object at `key`, at `position`, which must equal its
    /// current length (0 creates it, when the key has no current object). `new` (metadata,
    /// owner and ACL, lock) applies to the version the first append creates; later appends
    /// keep the version's own. Of concurrent appends at the same position exactly one is
    /// accepted: the others find the new length in the check of their own write.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_object<S>(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        new: NewObject,
        expect: Expect,
        rules: AppendRules,
        body: S,
    ) -> Result<AppendOutcome>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin,
    {
        // An appendable object keeps no flexible checksum: each append would change it (its
        // CRCs are kept chained instead); OSS and BOS ask for none.
        let NewObject {
            meta,
            access,
            lock,
            tags,
            ..
        } = new;
        validate_key(key)?;
        self.bucket(bucket)?;
        let now = self.inner.clock.now_ms();
        {
            // Refuse early, before the body is read; the write checks again.
            let txn = self.read()?;
            let guard = Guard::of(&*txn, bucket, now, false)?;
            plan(
                &*txn,
                bucket,
                key,
                position,
                expect.size,
                rules,
                guard,
                lock,
            )?;
        }
        self.check_room(expect.size)?;
        let written = self.ingest(body, expect.extra()).await?;
        if let Err(e) = check_expectations(&written, &expect) {
            self.inner.blobs.discard(&written);
            return Err(e);
        }
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        let clock = self.inner.clock.clone();
        let len = written.digests.len;
        let outcome = self
            .write_with_blob(
                written,
                move |txn| {
                    let guard = Guard::of(txn, &cb, clock.now_ms(), false)?;
                    plan(txn, &cb, &ck, position, Some(len), rules, guard, lock)
                },
                move |txn, plan, w| {
                    txn.put_blob(w.id, &w.blob_record())?;
                    let segment = Segment {
                        blob: w.id,
                        len: w.digests.len,
                    };
                    match plan {
                        Plan::Create { guard, lock } => {
                            let data = ObjectData {
                                size: w.digests.len,
                                etag: chained_etag(None, w.digests.md5),
                                crc64: w.digests.crc64,
                                crc32: w.digests.crc32,
                                parts: 0,
                                meta,
                                segments: vec![segment],
                                access,
                                lock,
                                checksum: None,
                                tags,
                                appendable: true,
                            };
                            let outcome = outcome_of(&data, &guard, w);
                            let (version_id, last_modified_ms) =
                                publish(txn, &bucket, &key, &guard, EntryKind::Object(data))?;
                            Ok(AppendOutcome {
                                version_id,
                                last_modified_ms,
                                ..outcome
                            })
                        }
                        Plan::Extend { guard, current } => {
                            let current = *current;
                            let EntryKind::Object(mut data) = current.kind else {
                                return Err(StorageError::Corrupt(
                                    "an append planned over a delete marker".into(),
                                ));
                            };
                            let d = &w.digests;
                            data.crc64 = combine_crc64(data.crc64, d.crc64, d.len);
                            data.crc32 = combine_crc32(data.crc32, d.crc32, d.len);
                            data.etag = chained_etag(Some(&data.etag), d.md5);
                            data.size += d.len;
                            data.segments.push(segment);
                            let now = guard.now_ms;
                            if guard.retention.is_active() {
                                persist_clock(txn, now)?;
                            }
                            let outcome = outcome_of(&data, &guard, w);
                            txn.put_version(
                                &bucket,
                                &key,
                                &VersionRecord {
                                    last_modified_ms: now,
                                    kind: EntryKind::Object(data),
                                    ..current
                                },
                            )?;
                            sync_current(txn, &bucket, &key)?;
                            Ok(AppendOutcome {
                                version_id: current.id,
                                last_modified_ms: now,
                                ..outcome
                            })
                        }
                    }
                },
            )
            .await?;
        Ok(outcome)
    }
}

fn outcome_of(data: &ObjectData, guard: &Guard, w: &Written) -> AppendOutcome {
    AppendOutcome {
        version_id: VersionId::Null,
        versioning: guard.versioning,
        etag: data.etag.clone(),
        size: data.size,
        crc64: data.crc64,
        crc32: data.crc32,
        md5: w.digests.md5,
        last_modified_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_etag_of_one_append_is_its_md5_and_every_append_changes_it() {
        let a: [u8; 16] = Md5::digest(b"abc").into();
        let b: [u8; 16] = Md5::digest(b"def").into();
        let first = chained_etag(None, a);
        assert_eq!(first, "900150983cd24fb0d6963f7d28e17f72");
        let second = chained_etag(Some(&first), b);
        assert_ne!(second, first);
        assert_ne!(second, hex::encode(Md5::digest(b"abcdef")));
        assert_eq!(second.len(), 32);
        // The same appends give the same ETag; other appends another.
        assert_eq!(chained_etag(Some(&first), b), second);
        assert_ne!(chained_etag(Some(&first), a), second);
    }
}
