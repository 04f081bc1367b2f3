//! The embedded metadata engine: redb, with a group-commit writer thread.
//!
//! Every redb call of the project is in this module (this file: tables, reads and writes;
//! `writer.rs`: the group-commit writer thread; `snapshot.rs`: the snapshots readers share;
//! `blobs.rs`: a batch's changes of `blobs`; `many.rs`: removals of many keys at once).
//! Tables (all keys ordered as redb orders tuples: element by element, byte strings
//! bytewise):
//!
//! | table | key | value |
//! |---|---|---|
//! | `buckets` | name | [`BucketRecord`] |
//! | `versions` | (bucket, key, `u64::MAX - seq`) | [`VersionRecord`] (newest first within a key) |
//! | `objects` | (bucket, key) | [`ObjectSummary`] of keys whose current entry is an object |
//! | `nulls` | (bucket, key) | seq of the key's `null` entry |
//! | `uploads` | (bucket, key, upload ID) | [`UploadRecord`] |
//! | `upload_keys` | (bucket, upload ID) | key |
//! | `parts` | (upload ID, part number) | [`PartRecord`] |
//! | `completions` | (bucket, key) | [`CompletionRecord`] of the key's last multipart upload |
//! | `blobs` | blob ID | [`BlobRecord`] |
//! | `garbage` | blob ID | () |
//! | `counters` | name | u64 |
//! | `settings` | name (`user/ACCESS-KEY`, ...) | bytes (a record of the setting's kind) |

use super::keyrange::{bound, key_str, lower_bound, prefix_successor};
use super::stats::{STATS_PRESENT, StatDelta};
use super::*;
use blobs::BlobChanges;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::cell::{Cell, RefCell};
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use writer::{Msg, Slot, Stats, open_db, writer_loop};

mod blobs;
mod compact;
pub(crate) mod export;
mod many;
mod writer;
pub use writer::{BATCH_OPERATIONS, COMMIT_SECONDS};

type VersionKey = (&'static str, &'static [u8], u64);
/// `(bucket, key)`, the key of `objects` and `nulls`.
type BucketKey = (&'static str, &'static [u8]);
/// `(bucket, key, upload ID)`, the key of `uploads`.
type UploadKey = (&'static str, &'static [u8], &'static str);

/// Every table once, with its key and value types: the `TableDefinition`s, the tables a write
/// batch opens ([`WriteTables`]) and those a snapshot keeps ([`SnapshotTables`]).
macro_rules! tables {
    ($($table:ident $name:literal: $k:ty => $v:ty,)*) => {
        $(const $table: TableDefinition<$k, $v> = TableDefinition::new($name);)*

        /// The tables of a write batch, opened once when the batch begins: opening a table
        /// costs a lookup in redb's table tree, which repeated for every operation was a third
        /// of a 1000-key multi-delete. RefCells because reads (`&self`) and writes share them;
        /// an operation never holds one across a call into another.
        #[allow(non_snake_case)]
        struct WriteTables<'a> {
            $($table: RefCell<redb::Table<'a, $k, $v>>,)*
        }

        impl<'a> WriteTables<'a> {
            fn open(txn: &'a redb::WriteTransaction) -> StorageResult<WriteTables<'a>> {
                Ok(WriteTables {
                    $($table: RefCell::new(txn.open_table($table).eng()?),)*
                })
            }
        }

        /// The tables of a snapshot (those its reads have needed so far).
        #[allow(non_snake_case)]
        #[derive(Default)]
        struct SnapshotTables {
            $($table: snapshot::Lazy<$k, $v>,)*
        }
    };
}

tables! {
    BUCKETS "buckets": &'static str => &'static [u8],
    VERSIONS "versions": VersionKey => &'static [u8],
    OBJECTS "objects": BucketKey => &'static [u8],
    NULLS "nulls": BucketKey => u64,
    UPLOADS "uploads": UploadKey => &'static [u8],
    UPLOAD_KEYS "upload_keys": (&'static str, &'static str) => &'static [u8],
    PARTS "parts": (&'static str, u32) => &'static [u8],
    COMPLETIONS "completions": BucketKey => &'static [u8],
    BLOBS "blobs": u64 => &'static [u8],
    GARBAGE "garbage": u64 => (),
    COUNTERS "counters": &'static str => u64,
    SETTINGS "settings": &'static str => &'static [u8],
}

const SEQ_COUNTER: &str = "seq";
/// Most operations one batch takes; the rest wait for the next commit.
const MAX_BATCH: usize = 512;

trait Eng<T> {
    fn eng(self) -> StorageResult<T>;
}
impl<T, E: std::fmt::Display> Eng<T> for Result<T, E> {
    fn eng(self) -> StorageResult<T> {
        self.map_err(|e| StorageError::Engine(e.to_string()))
    }
}

/// A table key that starts with (bucket, object key).
trait BucketKeyed: redb::Key {
    fn bucket_key(key: Self::SelfType<'_>) -> (&str, &[u8]);
}
impl BucketKeyed for VersionKey {
    fn bucket_key((bucket, key, _): Self::SelfType<'_>) -> (&str, &[u8]) {
        (bucket, key)
    }
}
impl BucketKeyed for BucketKey {
    fn bucket_key(key: Self::SelfType<'_>) -> (&str, &[u8]) {
        key
    }
}

/// One pass of a scan of `bucket` that can jump past a prefix (`scan_versions`, `scan_objects`):
/// hands each entry of `range` to `visit`. When the visitor skips a prefix, the key the next
/// pass starts at (the first one past the prefix); `None` when the scan is over.
fn scan_pass<K: BucketKeyed + 'static, T: Versioned>(
    range: redb::Range<'_, K, &'static [u8]>,
    bucket: &str,
    visit: &mut dyn FnMut(&str, T) -> Flow,
) -> StorageResult<Option<Vec<u8>>> {
    for item in range {
        let (k, v) = item.eng()?;
        let (b, kb) = K::bucket_key(k.value());
        if b != bucket {
            return Ok(None);
        }
        match visit(key_str(kb)?, decode(v.value())?) {
            Flow::Continue => {}
            Flow::Stop => return Ok(None),
            Flow::SkipPrefix(p) => return Ok(prefix_successor(p.as_bytes())),
        }
    }
    Ok(None)
}

/// The read methods, identical for read-only and read-write transactions (their tables are
/// different types with the same `ReadableTable` interface).
macro_rules! impl_read {
    ($ty:ty, $open:ident) => {
        impl ReadTxn for $ty {
            fn bucket(&self, name: &str) -> StorageResult<Option<BucketRecord>> {
                let t = $open!(self, BUCKETS);
                t.get(name).eng()?.map(|v| decode(v.value())).transpose()
            }

            fn buckets(&self) -> StorageResult<Vec<(String, BucketRecord)>> {
                let t = $open!(self, BUCKETS);
                let mut out = Vec::new();
                for item in t.iter().eng()? {
                    let (k, v) = item.eng()?;
                    out.push((k.value().to_owned(), decode(v.value())?));
                }
                Ok(out)
            }

            fn bucket_is_empty(&self, name: &str) -> StorageResult<bool> {
                let versions = $open!(self, VERSIONS);
                let from: (&str, &[u8], u64) = (name, &[], 0);
                if let Some(item) = versions.range(from..).eng()?.next() {
                    if item.eng()?.0.value().0 == name {
                        return Ok(false);
                    }
                }
                let uploads = $open!(self, UPLOAD_KEYS);
                let from: (&str, &str) = (name, "");
                if let Some(item) = uploads.range(from..).eng()?.next() {
                    if item.eng()?.0.value().0 == name {
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            fn version(
                &self,
                bucket: &str,
                key: &str,
                seq: u64,
            ) -> StorageResult<Option<VersionRecord>> {
                let t = $open!(self, VERSIONS);
                t.get((bucket, key.as_bytes(), u64::MAX - seq))
                    .eng()?
                    .map(|v| decode(v.value()))
                    .transpose()
            }

            fn scan_versions(
                &self,
                bucket: &str,
                start: Start<'_>,
                visit: &mut dyn FnMut(&str, VersionRecord) -> Flow,
            ) -> StorageResult<()> {
                let t = $open!(self, VERSIONS);
                let (mut key, mut inv, mut exclusive) = lower_bound(start);
                loop {
                    let from: (&str, &[u8], u64) = (bucket, &key, inv);
                    let range = t.range((bound(from, exclusive), Bound::Unbounded)).eng()?;
                    match scan_pass(range, bucket, visit)? {
                        Some(k) => (key, inv, exclusive) = (k, 0, false),
                        None => return Ok(()),
                    }
                }
            }

            fn current_version(
                &self,
                bucket: &str,
                key: &str,
            ) -> StorageResult<Option<VersionRecord>> {
                // Only this key's entries, newest first: a key without any (one just removed)
                // costs no decoding of the next key's entry.
                let t = $open!(self, VERSIONS);
                let from: (&str, &[u8], u64) = (bucket, key.as_bytes(), 0);
                let to: (&str, &[u8], u64) = (bucket, key.as_bytes(), u64::MAX);
                match t.range(from..=to).eng()?.next() {
                    Some(item) => Ok(Some(decode(item.eng()?.1.value())?)),
                    None => Ok(None),
                }
            }

            fn scan_objects(
                &self,
                bucket: &str,
                start: Start<'_>,
                visit: &mut dyn FnMut(&str, ObjectSummary) -> Flow,
            ) -> StorageResult<()> {
                let t = $open!(self, OBJECTS);
                let (mut key, _, mut exclusive) = lower_bound(start);
                loop {
                    let from: (&str, &[u8]) = (bucket, &key);
                    let range = t.range((bound(from, exclusive), Bound::Unbounded)).eng()?;
                    match scan_pass(range, bucket, visit)? {
                        Some(k) => (key, exclusive) = (k, false),
                        None => return Ok(()),
                    }
                }
            }

            fn null_seq(&self, bucket: &str, key: &str) -> StorageResult<Option<u64>> {
                let t = $open!(self, NULLS);
                Ok(t.get((bucket, key.as_bytes())).eng()?.map(|v| v.value()))
            }

            fn upload(&self, bucket: &str, upload_id: &str) -> StorageResult<Option<UploadRecord>> {
                let keys = $open!(self, UPLOAD_KEYS);
                let Some(key) = keys.get((bucket, upload_id)).eng()? else {
                    return Ok(None);
                };
                let t = $open!(self, UPLOADS);
                t.get((bucket, key.value(), upload_id))
                    .eng()?
                    .map(|v| decode(v.value()))
                    .transpose()
            }

            fn scan_uploads(
                &self,
                bucket: &str,
                start_after: Option<(&str, &str)>,
                visit: &mut dyn FnMut(&str, UploadRecord) -> Flow,
            ) -> StorageResult<()> {
                let t = $open!(self, UPLOADS);
                let (key, id, exclusive) = match start_after {
                    Some((k, id)) => (k.as_bytes(), id, true),
                    None => (&b""[..], "", false),
                };
                let from: (&str, &[u8], &str) = (bucket, key, id);
                for item in t.range((bound(from, exclusive), Bound::Unbounded)).eng()? {
                    let (k, v) = item.eng()?;
                    let (b, _, id) = k.value();
                    if b != bucket {
                        break;
                    }
                    if visit(id, decode(v.value())?) != Flow::Continue {
                        break;
                    }
                }
                Ok(())
            }

            fn scan_parts(
                &self,
                upload_id: &str,
                after: u32,
                visit: &mut dyn FnMut(u32, PartRecord) -> Flow,
            ) -> StorageResult<()> {
                let t = $open!(self, PARTS);
                for item in t
                    .range((Bound::Excluded((upload_id, after)), Bound::Unbounded))
                    .eng()?
                {
                    let (k, v) = item.eng()?;
                    let (id, n) = k.value();
                    if id != upload_id {
                        break;
                    }
                    if visit(n, decode(v.value())?) != Flow::Continue {
                        break;
                    }
                }
                Ok(())
            }

            fn part(&self, upload_id: &str, part: u32) -> StorageResult<Option<PartRecord>> {
                let t = $open!(self, PARTS);
                t.get((upload_id, part))
                    .eng()?
                    .map(|v| decode(v.value()))
                    .transpose()
            }

            fn completion(
                &self,
                bucket: &str,
                key: &str,
            ) -> StorageResult<Option<CompletionRecord>> {
                let t = $open!(self, COMPLETIONS);
                let v = t.get((bucket, key.as_bytes())).eng()?;
                v.map(|v| decode(v.value())).transpose()
            }

            fn blob(&self, id: u64) -> StorageResult<Option<BlobRecord>> {
                let stored = {
                    let t = $open!(self, BLOBS);
                    t.get(id).eng()?.map(|v| decode(v.value())).transpose()?
                };
                Ok(self.blob_seen(id, stored))
            }

            fn garbage(&self, limit: usize) -> StorageResult<Vec<u64>> {
                let t = $open!(self, GARBAGE);
                let mut out = Vec::new();
                for item in t.iter().eng()?.take(limit) {
                    out.push(item.eng()?.0.value());
                }
                Ok(out)
            }

            fn counter(&self, name: &str) -> StorageResult<u64> {
                let t = $open!(self, COUNTERS);
                Ok(t.get(name).eng()?.map(|v| v.value()).unwrap_or(0))
            }

            fn setting(&self, name: &str) -> StorageResult<Option<Vec<u8>>> {
                let t = $open!(self, SETTINGS);
                Ok(t.get(name).eng()?.map(|v| v.value().to_vec()))
            }

            fn scan_settings(
                &self,
                prefix: &str,
                visit: &mut dyn FnMut(&str, &[u8]) -> Flow,
            ) -> StorageResult<()> {
                let t = $open!(self, SETTINGS);
                for item in t.range(prefix..).eng()? {
                    let (k, v) = item.eng()?;
                    if !k.value().starts_with(prefix)
                        || visit(k.value(), v.value()) != Flow::Continue
                    {
                        break;
                    }
                }
                Ok(())
            }
        }
    };
}

// The snapshots (`snapshot.rs`) read with `impl_read!`, so the module comes after it.
mod snapshot;
use snapshot::RedbRead;

/// A write batch reads through the tables it opened.
macro_rules! open_batch_table {
    ($s:expr, $table:ident) => {
        $s.tables.$table.borrow()
    };
}

struct RedbWrite<'a> {
    tables: WriteTables<'a>,
    next_seq: &'a mut u64,
    writes: Cell<u64>,
    /// What this batch changed of the store's counts ([`stats`](super::stats)).
    delta: StatDelta,
    /// Blobs removed or released by this batch, carried out in `blobs` all at once before it
    /// commits ([`RedbWrite::finish`], `blobs.rs`); reads of the batch see them already.
    blob_changes: BlobChanges,
}
impl_read!(RedbWrite<'_>, open_batch_table);

impl RedbWrite<'_> {
    fn wrote<T>(&self, r: Result<T, redb::StorageError>) -> StorageResult<()> {
        self.writes.set(self.writes.get() + 1);
        r.map(|_| ()).eng()
    }

    /// Counts a write, and returns whether it found a record under the key (the old value
    /// that redb's `insert` and `remove` hand back).
    fn wrote_over<V: redb::Value>(
        &self,
        r: Result<Option<redb::AccessGuard<'_, V>>, redb::StorageError>,
    ) -> StorageResult<bool> {
        self.writes.set(self.writes.get() + 1);
        Ok(r.eng()?.is_some())
    }

    /// Counts a write of a version record, and tells the counts about the record it replaced
    /// or removed, which it returns.
    fn wrote_version(
        &self,
        r: Result<Option<redb::AccessGuard<'_, &'static [u8]>>, redb::StorageError>,
    ) -> StorageResult<Option<VersionRecord>> {
        self.writes.set(self.writes.get() + 1);
        let Some(old) = r.eng()? else {
            return Ok(None);
        };
        let old: VersionRecord = decode(old.value())?;
        self.delta.version(&old, -1);
        Ok(Some(old))
    }

    fn blob_seen(&self, id: u64, stored: Option<BlobRecord>) -> Option<BlobRecord> {
        self.blob_changes.seen(id, stored)
    }

    /// What a batch does before it commits: its changes of `blobs` are carried out, and its
    /// changes of the counts are stored.
    fn finish(&mut self) -> StorageResult<()> {
        self.apply_blob_changes()?;
        self.store_stats()
    }

    /// Stores the batch's changes of the counts (before the commit, in its transaction).
    fn store_stats(&mut self) -> StorageResult<()> {
        if self.delta.is_empty() {
            return Ok(());
        }
        let after = self.delta.applied_to(StoreStats::read(self)?);
        for (name, value) in after.counters() {
            self.set_counter(name, value)?;
        }
        Ok(())
    }
}

impl WriteTxn for RedbWrite<'_> {
    fn next_seq(&mut self) -> u64 {
        *self.next_seq += 1;
        *self.next_seq
    }

    fn writes(&self) -> u64 {
        self.writes.get()
    }

    fn set_counter(&mut self, name: &str, value: u64) -> StorageResult<()> {
        let mut t = self.tables.COUNTERS.borrow_mut();
        let r = t.insert(name, value);
        self.wrote(r)
    }

    fn put_setting(&mut self, name: &str, value: &[u8]) -> StorageResult<()> {
        let mut t = self.tables.SETTINGS.borrow_mut();
        let r = t.insert(name, value);
        self.wrote(r)
    }

    fn remove_setting(&mut self, name: &str) -> StorageResult<()> {
        let mut t = self.tables.SETTINGS.borrow_mut();
        let r = t.remove(name);
        self.wrote(r)
    }

    fn put_bucket(&mut self, name: &str, rec: &BucketRecord) -> StorageResult<()> {
        let mut t = self.tables.BUCKETS.borrow_mut();
        let existed = self.wrote_over(t.insert(name, encode(rec).as_slice()))?;
        self.delta.bucket(existed, false);
        Ok(())
    }

    fn remove_bucket(&mut self, name: &str) -> StorageResult<()> {
        let mut t = self.tables.BUCKETS.borrow_mut();
        let existed = self.wrote_over(t.remove(name))?;
        self.delta.bucket(existed, true);
        Ok(())
    }

    fn put_version(&mut self, bucket: &str, key: &str, rec: &VersionRecord) -> StorageResult<()> {
        let mut t = self.tables.VERSIONS.borrow_mut();
        let r = t.insert(
            (bucket, key.as_bytes(), u64::MAX - rec.seq),
            encode(rec).as_slice(),
        );
        self.wrote_version(r)?;
        self.delta.version(rec, 1);
        Ok(())
    }

    fn remove_version(
        &mut self,
        bucket: &str,
        key: &str,
        seq: u64,
    ) -> StorageResult<Option<VersionRecord>> {
        let mut t = self.tables.VERSIONS.borrow_mut();
        let r = t.remove((bucket, key.as_bytes(), u64::MAX - seq));
        self.wrote_version(r)
    }

    fn put_object(&mut self, bucket: &str, key: &str, rec: &ObjectSummary) -> StorageResult<()> {
        let mut t = self.tables.OBJECTS.borrow_mut();
        let existed =
            self.wrote_over(t.insert((bucket, key.as_bytes()), encode(rec).as_slice()))?;
        self.delta.object(existed, false);
        Ok(())
    }

    fn remove_object(&mut self, bucket: &str, key: &str) -> StorageResult<()> {
        let mut t = self.tables.OBJECTS.borrow_mut();
        let existed = self.wrote_over(t.remove((bucket, key.as_bytes())))?;
        self.delta.object(existed, true);
        Ok(())
    }

    fn set_null_seq(&mut self, bucket: &str, key: &str, seq: Option<u64>) -> StorageResult<()> {
        let mut t = self.tables.NULLS.borrow_mut();
        let r = match seq {
            Some(seq) => t.insert((bucket, key.as_bytes()), seq).map(|_| ()),
            None => t.remove((bucket, key.as_bytes())).map(|_| ()),
        };
        self.wrote(r)
    }

    fn take_null_seq(&mut self, bucket: &str, key: &str) -> StorageResult<Option<u64>> {
        let mut t = self.tables.NULLS.borrow_mut();
        let old = t.remove((bucket, key.as_bytes())).eng()?.map(|v| v.value());
        self.writes.set(self.writes.get() + 1);
        Ok(old)
    }

    fn take_null_seqs(&mut self, bucket: &str, keys: &[&str]) -> StorageResult<Vec<Option<u64>>> {
        self.take_null_seqs_at_once(bucket, keys)
    }

    fn remove_versions(
        &mut self,
        bucket: &str,
        entries: &[(&str, u64)],
    ) -> StorageResult<Vec<Option<VersionRecord>>> {
        self.remove_versions_at_once(bucket, entries)
    }

    fn remove_objects(&mut self, bucket: &str, keys: &[&str]) -> StorageResult<()> {
        self.remove_objects_at_once(bucket, keys)
    }

    fn put_upload(
        &mut self,
        bucket: &str,
        upload_id: &str,
        rec: &UploadRecord,
    ) -> StorageResult<()> {
        let mut keys = self.tables.UPLOAD_KEYS.borrow_mut();
        let r = keys.insert((bucket, upload_id), rec.key.as_bytes());
        self.wrote(r)?;
        let mut t = self.tables.UPLOADS.borrow_mut();
        let r = t.insert(
            (bucket, rec.key.as_bytes(), upload_id),
            encode(rec).as_slice(),
        );
        self.wrote(r)
    }

    fn remove_upload(&mut self, bucket: &str, upload_id: &str) -> StorageResult<()> {
        let mut keys = self.tables.UPLOAD_KEYS.borrow_mut();
        let key = keys
            .remove((bucket, upload_id))
            .eng()?
            .map(|k| k.value().to_vec());
        self.writes.set(self.writes.get() + 1);
        if let Some(key) = key {
            let mut t = self.tables.UPLOADS.borrow_mut();
            let r = t.remove((bucket, key.as_slice(), upload_id));
            self.wrote(r)?;
        }
        Ok(())
    }

    fn put_part(&mut self, upload_id: &str, part: u32, rec: &PartRecord) -> StorageResult<()> {
        let mut t = self.tables.PARTS.borrow_mut();
        let r = t.insert((upload_id, part), encode(rec).as_slice());
        self.wrote(r)
    }

    fn remove_part(&mut self, upload_id: &str, part: u32) -> StorageResult<()> {
        let mut t = self.tables.PARTS.borrow_mut();
        let r = t.remove((upload_id, part));
        self.wrote(r)
    }

    fn put_completion(&mut self, b: &str, k: &str, rec: &CompletionRecord) -> StorageResult<()> {
        let mut t = self.tables.COMPLETIONS.borrow_mut();
        let r = t.insert((b, k.as_bytes()), encode(rec).as_slice());
        self.wrote(r)
    }

    fn remove_completion(&mut self, bucket: &str, key: &str) -> StorageResult<()> {
        let mut t = self.tables.COMPLETIONS.borrow_mut();
        let r = t.remove((bucket, key.as_bytes()));
        self.wrote(r)
    }

    fn put_blob(&mut self, id: u64, rec: &BlobRecord) -> StorageResult<()> {
        self.blob_changes.written(id);
        let mut t = self.tables.BLOBS.borrow_mut();
        let r = t.insert(id, encode(rec).as_slice());
        self.wrote(r)
    }

    fn remove_blob(&mut self, id: u64) -> StorageResult<()> {
        // Removed from the table with the batch's other changed blobs (`finish`).
        self.blob_changes.removed(id);
        self.wrote(Ok::<(), redb::StorageError>(()))
    }

    fn release_blob(&mut self, id: u64) -> StorageResult<()> {
        // The record is read, and changed or removed, with the batch's other changed blobs
        // (`finish`): a blob page read once per batch, not once more per reference dropped.
        self.blob_changes.released(id)?;
        self.wrote(Ok::<(), redb::StorageError>(()))
    }

    fn add_garbage(&mut self, id: u64) -> StorageResult<()> {
        let mut t = self.tables.GARBAGE.borrow_mut();
        let existed = self.wrote_over(t.insert(id, ()))?;
        self.delta.garbage(existed, false);
        Ok(())
    }

    fn remove_garbage(&mut self, id: u64) -> StorageResult<()> {
        let mut t = self.tables.GARBAGE.borrow_mut();
        let existed = self.wrote_over(t.remove(id))?;
        self.delta.garbage(existed, true);
        Ok(())
    }
}

/// The redb engine. Reads open MVCC snapshots on the caller's thread; writes queue for the
/// writer thread, which commits them in batches.
pub struct RedbMeta {
    /// The open database; empty while the writer reopens it after an I/O failure.
    db: Arc<Slot>,
    stats: Arc<Stats>,
    queue: Option<mpsc::Sender<Msg>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RedbMeta {
    /// Closes the queue and waits for the writer to finish its last batch, so that the
    /// database is closed when the store is.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl RedbMeta {
    /// Opens (creating if needed) the database at `path`, caching at most `cache_bytes` of it
    /// in memory.
    pub fn open(path: &Path, cache_bytes: usize) -> StorageResult<RedbMeta> {
        let db = open_db(path, cache_bytes)?;
        let next_seq = {
            let txn = db.begin_write().eng()?;
            // Creates every table of a new store.
            let (mut seq, counted) = {
                let tables = WriteTables::open(&txn)?;
                let counters = tables.COUNTERS.borrow();
                let seq = counters.get(SEQ_COUNTER).eng()?.map(|v| v.value());
                let counted = counters.get(STATS_PRESENT).eng()?.is_some();
                (seq.unwrap_or(0), counted)
            };
            if !counted {
                // A store from before the counts: they are counted once, here, while
                // nothing else writes (the data directory's lock is held).
                let mut w = RedbWrite {
                    tables: WriteTables::open(&txn)?,
                    next_seq: &mut seq,
                    writes: Cell::new(0),
                    delta: StatDelta::default(),
                    blob_changes: BlobChanges::default(),
                };
                let found = StoreStats::scan(&w)?;
                for (name, value) in found.counters() {
                    w.set_counter(name, value)?;
                }
            }
            txn.commit().eng()?;
            seq
        };
        let (queue, rx) = mpsc::channel();
        let db = Arc::new(Slot::new(path, cache_bytes, db));
        let writer_db = db.clone();
        let stats = Arc::new(Stats::default());
        let writer_stats = stats.clone();
        let runtime = tokio::runtime::Handle::try_current().ok();
        let writer = std::thread::Builder::new()
            .name("strata-meta-writer".into())
            .spawn(move || writer_loop(&writer_db, rx, next_seq, &writer_stats, runtime))
            .map_err(StorageError::Io)?;
        Ok(RedbMeta {
            db,
            stats,
            queue: Some(queue),
            writer: Some(writer),
        })
    }
}

impl MetaStore for RedbMeta {
    fn read(&self) -> StorageResult<Box<dyn ReadTxn + '_>> {
        Ok(Box::new(snapshot::read(&self.db)?))
    }

    fn submit(&self, op: WriteOp) -> StorageResult<()> {
        let queue = self.queue.as_ref().ok_or(StorageError::WriterGone)?;
        queue
            .send(Msg::Write(op))
            .map_err(|_| StorageError::WriterGone)
    }

    fn compact(&self, req: crate::compact::CompactRequest) -> StorageResult<()> {
        let queue = self.queue.as_ref().ok_or(StorageError::WriterGone)?;
        queue
            .send(Msg::Compact(req))
            .map_err(|_| StorageError::WriterGone)
    }

    fn commit_stats(&self) -> CommitStats {
        CommitStats {
            batches: self.stats.batches.load(Ordering::Relaxed),
            operations: self.stats.operations.load(Ordering::Relaxed),
        }
    }
}
