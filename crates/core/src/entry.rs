//! The mechanisms every write path shares: [`publish`] (add an entry under the bucket's
//! versioning rules), [`remove_null`], [`release`] (drop an entry's references to its blobs)
//! and [`sync_current`] (keep the listing summary equal to the key's newest entry).
//!
//! Nothing here asks retention: a path that removes an entry has asked
//! [`Guard::check_removal`](crate::retention::Guard::check_removal) in its check step, before
//! it writes.

use crate::meta::{EntryKind, ObjectSummary, Segment, StorageResult, VersionRecord, WriteTxn};
use crate::retention::Guard;
use crate::store::{current_entry, persist_clock};
use crate::version::{VersionId, Versioning};

/// Adds an entry (object version or delete marker) to a key under the bucket's versioning
/// rules: Enabled gets a fresh stamped ID; Unversioned and Suspended replace the key's `null`
/// entry. Returns the new entry's ID and time.
pub(crate) fn publish(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
    guard: &Guard,
    kind: EntryKind,
) -> StorageResult<(VersionId, i64)> {
    let rec = put_entry(txn, bucket, key, guard, kind)?;
    let (id, now) = (rec.id, rec.last_modified_ms);
    // The new entry has the store's newest sequence number: it is the key's current one.
    sync_current_to(txn, bucket, key, Some(rec))?;
    Ok((id, now))
}

/// [`publish`] but for the key's listing summary and lifecycle filing, which the caller brings
/// in line afterwards (a delete-many's markers: all of its keys at once). Returns the entry.
pub(crate) fn put_entry(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
    guard: &Guard,
    kind: EntryKind,
) -> StorageResult<VersionRecord> {
    let seq = txn.next_seq();
    let id = match guard.versioning {
        Versioning::Enabled => VersionId::Stamp {
            seq,
            salt: rand::random(),
        },
        Versioning::Unversioned | Versioning::Suspended => VersionId::Null,
    };
    if id.is_null() {
        remove_null(txn, bucket, key)?;
        txn.set_null_seq(bucket, key, Some(seq))?;
    }
    let now = guard.now_ms;
    if guard.retention.is_active() {
        persist_clock(txn, now)?;
    }
    let rec = VersionRecord {
        seq,
        id,
        last_modified_ms: now,
        kind,
    };
    txn.put_version(bucket, key, &rec)?;
    Ok(rec)
}

/// Removes the key's `null` entry, if it has one. Returns it.
pub(crate) fn remove_null(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
) -> StorageResult<Option<VersionRecord>> {
    let Some(seq) = txn.take_null_seq(bucket, key)? else {
        return Ok(None);
    };
    let old = txn.remove_version(bucket, key, seq)?;
    if let Some(old) = &old {
        release(txn, bucket, key, old)?;
    }
    Ok(old)
}

/// Drops a removed entry's references to its blobs (a blob left with none is removed, and a
/// file blob queued as garbage for the reclaimer), and the key's record of the multipart
/// completion that produced it.
pub(crate) fn release(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
    rec: &VersionRecord,
) -> StorageResult<()> {
    if let EntryKind::Object(data) = &rec.kind {
        release_segments(txn, &data.segments)?;
        if data.parts > 0
            && txn
                .completion(bucket, key)?
                .is_some_and(|c| c.seq == rec.seq)
        {
            txn.remove_completion(bucket, key)?;
        }
    }
    Ok(())
}

pub(crate) fn release_segments(txn: &mut dyn WriteTxn, segments: &[Segment]) -> StorageResult<()> {
    for seg in segments {
        txn.release_blob(seg.blob)?;
    }
    Ok(())
}

/// Brings the key's listing summary in line with its newest entry: present when that entry is
/// an object, absent when it is a delete marker or there is none; and the key's place in
/// lifecycle's due index in line with its history. Every change to a key's history ends here.
pub(crate) fn sync_current(txn: &mut dyn WriteTxn, bucket: &str, key: &str) -> StorageResult<()> {
    let current = current_entry(&*txn, bucket, key)?;
    sync_current_to(txn, bucket, key, current)
}

/// [`sync_current`] when the caller knows the key's newest entry (`None`: it has none), so it
/// need not be read again.
pub(crate) fn sync_current_to(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
    current: Option<VersionRecord>,
) -> StorageResult<()> {
    match current {
        Some(VersionRecord {
            seq,
            id,
            last_modified_ms,
            kind: EntryKind::Object(data),
        }) => {
            let summary = ObjectSummary {
                seq,
                id,
                last_modified_ms,
                size: data.size,
                etag: data.etag,
                owner: data.access.owner,
                appendable: data.appendable,
            };
            txn.put_object(bucket, key, &summary)?;
        }
        _ => txn.remove_object(bucket, key)?,
    }
    crate::lifecycle::key_changed(txn, bucket, key)
}
