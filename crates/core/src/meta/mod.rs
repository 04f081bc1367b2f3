//! The metadata store: a small transactional interface over an ordered key-value engine.
//!
//! The domain (versioning, deletes, listing, multipart) is written once against [`ReadTxn`] and
//! [`WriteTxn`]; an engine only stores and orders. [`redb_store`] is the embedded engine;
//! [`pg_store`] implements the same traits over PostgreSQL, one table per record kind, each of
//! [`MetaStore::submit`]'s batches one SQL transaction.
//!
//! Writes go through [`MetaStore::submit`]: operations queue up, and the engine applies a whole
//! batch of them in one transaction with one durable commit (group commit), then completes
//! each. `Store::write` splits every operation into a check step (reads only, may refuse) and
//! an apply step (writes, fails only with a storage error), so an operation that fails after
//! writing, which aborts the whole batch, is one whose engine failed.

mod keyrange;
pub mod migrate;
pub mod pg_store;
pub mod records;
pub mod redb_store;
pub mod stats;

use crate::error::StorageError;
pub use records::*;
pub use stats::StoreStats;

pub type StorageResult<T> = Result<T, StorageError>;

/// Where a scan over a bucket's keys starts.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a> {
    /// At the bucket's first key.
    First,
    /// At this key (all its entries), or the first key after it.
    AtKey(&'a str),
    /// After every entry of this key.
    AfterKey(&'a str),
    /// At the entries of this key older than `seq`, then the following keys (versions only).
    AfterVersion(&'a str, u64),
}

/// What a scan visitor wants next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
    /// Jump past every key that starts with this prefix.
    SkipPrefix(String),
}

/// Reads, inside a snapshot. Write transactions read through the same interface.
pub trait ReadTxn {
    fn bucket(&self, name: &str) -> StorageResult<Option<BucketRecord>>;
    fn buckets(&self) -> StorageResult<Vec<(String, BucketRecord)>>;
    /// True when the bucket holds no version, delete marker or multipart upload.
    fn bucket_is_empty(&self, name: &str) -> StorageResult<bool>;

    fn version(&self, bucket: &str, key: &str, seq: u64) -> StorageResult<Option<VersionRecord>>;
    /// Visits the bucket's entries: keys ascending, each key's entries newest first.
    fn scan_versions(
        &self,
        bucket: &str,
        start: Start<'_>,
        visit: &mut dyn FnMut(&str, VersionRecord) -> Flow,
    ) -> StorageResult<()>;
    /// The key's newest entry (its current one: an object or a delete marker), if it has any.
    /// Engines that can look at one key's entries alone override this scan, which also
    /// decodes the first entry of the next key when this one has none.
    fn current_version(&self, bucket: &str, key: &str) -> StorageResult<Option<VersionRecord>> {
        let mut found = None;
        self.scan_versions(bucket, Start::AtKey(key), &mut |k, rec| {
            if k == key {
                found = Some(rec);
            }
            Flow::Stop
        })?;
        Ok(found)
    }
    /// Visits the keys whose current entry is an object, ascending.
    fn scan_objects(
        &self,
        bucket: &str,
        start: Start<'_>,
        visit: &mut dyn FnMut(&str, ObjectSummary) -> Flow,
    ) -> StorageResult<()>;
    /// The sequence number of the key's `null` entry, if it has one.
    fn null_seq(&self, bucket: &str, key: &str) -> StorageResult<Option<u64>>;

    fn upload(&self, bucket: &str, upload_id: &str) -> StorageResult<Option<UploadRecord>>;
    /// Visits the bucket's multipart uploads ordered by (key, upload ID).
    fn scan_uploads(
        &self,
        bucket: &str,
        start_after: Option<(&str, &str)>,
        visit: &mut dyn FnMut(&str, UploadRecord) -> Flow,
    ) -> StorageResult<()>;
    /// Visits an upload's parts with a number above `after`, ascending.
    fn scan_parts(
        &self,
        upload_id: &str,
        after: u32,
        visit: &mut dyn FnMut(u32, PartRecord) -> Flow,
    ) -> StorageResult<()>;
    fn part(&self, upload_id: &str, part: u32) -> StorageResult<Option<PartRecord>>;
    /// The key's last multipart completion, if the version it produced still exists.
    fn completion(&self, bucket: &str, key: &str) -> StorageResult<Option<CompletionRecord>>;

    fn blob(&self, id: u64) -> StorageResult<Option<BlobRecord>>;
    /// Blobs whose last reference is gone and whose files wait to be removed.
    fn garbage(&self, limit: usize) -> StorageResult<Vec<u64>>;
    fn counter(&self, name: &str) -> StorageResult<u64>;
    /// The runs (epochs, see [`crate::blob`]) of the gateways sharing this store that may
    /// still be writing blob files, or `None` when the store is this process's alone (the
    /// embedded engine: only the current run is alive).
    fn live_runs(&self) -> StorageResult<Option<Vec<u64>>> {
        Ok(None)
    }
    /// A setting (store-wide configuration such as users) by name.
    fn setting(&self, name: &str) -> StorageResult<Option<Vec<u8>>>;
    /// Visits the settings whose names start with `prefix`, ascending.
    fn scan_settings(
        &self,
        prefix: &str,
        visit: &mut dyn FnMut(&str, &[u8]) -> Flow,
    ) -> StorageResult<()>;
}

/// Reads and writes inside one transaction of a batch.
pub trait WriteTxn: ReadTxn {
    /// The next number of the store-wide write sequence.
    fn next_seq(&mut self) -> u64;
    /// How many writes this transaction has made so far (to tell whether a failed operation
    /// left anything behind).
    fn writes(&self) -> u64;
    fn set_counter(&mut self, name: &str, value: u64) -> StorageResult<()>;
    fn put_setting(&mut self, name: &str, value: &[u8]) -> StorageResult<()>;
    fn remove_setting(&mut self, name: &str) -> StorageResult<()>;

    fn put_bucket(&mut self, name: &str, rec: &BucketRecord) -> StorageResult<()>;
    fn remove_bucket(&mut self, name: &str) -> StorageResult<()>;

    fn put_version(&mut self, bucket: &str, key: &str, rec: &VersionRecord) -> StorageResult<()>;
    /// Removes an entry; returns it, if there was one (the engine reads it anyway, to count it).
    fn remove_version(
        &mut self,
        bucket: &str,
        key: &str,
        seq: u64,
    ) -> StorageResult<Option<VersionRecord>>;
    fn put_object(&mut self, bucket: &str, key: &str, rec: &ObjectSummary) -> StorageResult<()>;
    fn remove_object(&mut self, bucket: &str, key: &str) -> StorageResult<()>;
    fn set_null_seq(&mut self, bucket: &str, key: &str, seq: Option<u64>) -> StorageResult<()>;
    /// Removes the key's record of its `null` entry and returns it: [`ReadTxn::null_seq`] and
    /// `set_null_seq(.., None)` in one step.
    fn take_null_seq(&mut self, bucket: &str, key: &str) -> StorageResult<Option<u64>>;

    // Many keys of one bucket at once (a delete-many's), given sorted and each once: what the
    // one-key methods do, with one result per key, in the order given. An engine may do them
    // by fewer, larger steps (redb: one scan of a table where the keys are close together).

    /// [`WriteTxn::take_null_seq`] of each of `keys`.
    fn take_null_seqs(&mut self, bucket: &str, keys: &[&str]) -> StorageResult<Vec<Option<u64>>> {
        keys.iter().map(|k| self.take_null_seq(bucket, k)).collect()
    }
    /// [`WriteTxn::remove_version`] of each `(key, seq)` (at most one entry a key).
    fn remove_versions(
        &mut self,
        bucket: &str,
        entries: &[(&str, u64)],
    ) -> StorageResult<Vec<Option<VersionRecord>>> {
        entries
            .iter()
            .map(|(key, seq)| self.remove_version(bucket, key, *seq))
            .collect()
    }
    /// [`WriteTxn::remove_object`] of each of `keys`.
    fn remove_objects(&mut self, bucket: &str, keys: &[&str]) -> StorageResult<()> {
        keys.iter().try_for_each(|k| self.remove_object(bucket, k))
    }

    /// Uploads are keyed by (bucket, key, upload ID) for listing, and found by upload ID.
    fn put_upload(
        &mut self,
        bucket: &str,
        upload_id: &str,
        rec: &UploadRecord,
    ) -> StorageResult<()>;
    fn remove_upload(&mut self, bucket: &str, upload_id: &str) -> StorageResult<()>;
    fn put_part(&mut self, upload_id: &str, part: u32, rec: &PartRecord) -> StorageResult<()>;
    fn remove_part(&mut self, upload_id: &str, part: u32) -> StorageResult<()>;
    fn put_completion(
        &mut self,
        bucket: &str,
        key: &str,
        rec: &CompletionRecord,
    ) -> StorageResult<()>;
    fn remove_completion(&mut self, bucket: &str, key: &str) -> StorageResult<()>;

    /// Registers this process's run `epoch` as a live gateway named `name` of a shared store,
    /// and declares dead (fences) the earlier runs of the same name: they crashed, since a
    /// gateway of that name starts now. Nothing to do for a store that is this process's alone.
    fn register_run(&mut self, epoch: u64, name: &str) -> StorageResult<()> {
        let _ = (epoch, name);
        Ok(())
    }

    fn put_blob(&mut self, id: u64, rec: &BlobRecord) -> StorageResult<()>;
    fn remove_blob(&mut self, id: u64) -> StorageResult<()>;
    /// Drops one reference to a blob: a blob left with none is removed, and a file blob
    /// queued as garbage for the reclaimer. A blob not recorded is a corrupt store (an error,
    /// here or, where the engine defers the work, when the batch commits).
    fn release_blob(&mut self, id: u64) -> StorageResult<()> {
        let Some(mut blob) = self.blob(id)? else {
            return Err(crate::object::missing_blob(id));
        };
        if blob.refs > 1 {
            blob.refs -= 1;
            self.put_blob(id, &blob)
        } else {
            self.remove_blob(id)?;
            if blob.body == BlobBody::File {
                self.add_garbage(id)?;
            }
            Ok(())
        }
    }
    fn add_garbage(&mut self, id: u64) -> StorageResult<()>;
    fn remove_garbage(&mut self, id: u64) -> StorageResult<()>;
}

/// Called once the batch an operation was part of has committed (or failed to).
pub type Completion = Box<dyn FnOnce(StorageResult<()>) + Send>;
/// An operation of a write batch.
pub type WriteOp = Box<dyn FnOnce(&mut dyn WriteTxn) -> OpOutcome + Send>;

/// What an operation reports to the batch: whether it may be committed with the others.
pub struct OpOutcome {
    pub completion: Completion,
    /// The operation failed after it had written: the batch must not commit.
    pub poisoned: bool,
}

/// Runs `f` as one operation of a batch of `meta` and waits for the batch, blocking the
/// thread (for tests and tools off the runtime): `f`'s result once the batch committed, the
/// batch's error otherwise.
pub fn run_blocking<T: Send + 'static>(
    meta: &dyn MetaStore,
    f: impl FnOnce(&mut dyn WriteTxn) -> StorageResult<T> + Send + 'static,
) -> StorageResult<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    meta.submit(Box::new(move |txn: &mut dyn WriteTxn| {
        let r = f(txn);
        OpOutcome {
            poisoned: r.is_err(),
            completion: Box::new(move |c| {
                let _ = tx.send(c.and(r));
            }),
        }
    }))?;
    rx.recv().map_err(|_| StorageError::WriterGone)?
}

pub trait MetaStore: Send + Sync + 'static {
    fn read(&self) -> StorageResult<Box<dyn ReadTxn + '_>>;
    /// Queues an operation for the next batch.
    fn submit(&self, op: WriteOp) -> StorageResult<()>;
    /// How many batches were committed, and how many operations they held.
    fn commit_stats(&self) -> CommitStats;
    /// Queues a compaction of the file, run between two batches (see [`crate::compact`]).
    fn compact(&self, req: crate::compact::CompactRequest) -> StorageResult<()>;
    /// Whether other processes may write this metadata too (several gateways over one
    /// database), so that what this process caches of it must be checked against the stored
    /// configuration generation (see `owners.rs`). An embedded engine's file belongs to
    /// one process: `false`.
    fn shared(&self) -> bool {
        false
    }
    /// A counter's committed value, read on its own (what the caches of a shared engine read
    /// per lookup): through a snapshot, unless the engine has a cheaper way.
    fn read_counter(&self, name: &str) -> StorageResult<u64> {
        self.read()?.counter(name)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    pub batches: u64,
    pub operations: u64,
}
