//! The group-commit writer thread of the redb engine, and the slot readers find the database
//! in (the writer reopens it after an engine failure).

use super::*;

/// Where readers find the database. The writer empties it and fills it again when it reopens
/// the file after an engine failure (redb refuses every write after an I/O error, such as a
/// full disk, until the file is reopened), and while it compacts the file. Readers arriving
/// meanwhile wait: for a reopen at most [`REOPEN_WAIT`], for a compaction until it is over
/// (it ends by itself: see `compact.rs`).
pub(super) struct Slot {
    path: std::path::PathBuf,
    cache_bytes: usize,
    db: std::sync::Mutex<Held>,
    changed: std::sync::Condvar,
    /// The snapshot readers share (`snapshot.rs`).
    snapshots: super::snapshot::Shared,
}

/// What the slot holds.
pub(super) enum Held {
    Open(Arc<Database>),
    /// The writer reopens the file after a failure.
    Reopening,
    /// The writer compacts the file.
    Compacting,
}

/// How long a reader waits for a reopen in progress before it gives up with an error.
const REOPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Slot {
    pub(super) fn new(path: &Path, cache_bytes: usize, db: Database) -> Slot {
        Slot {
            path: path.to_owned(),
            cache_bytes,
            db: std::sync::Mutex::new(Held::Open(Arc::new(db))),
            changed: std::sync::Condvar::new(),
            snapshots: Default::default(),
        }
    }

    /// The open database; during a reopen, waits for it (at most [`REOPEN_WAIT`]); during a
    /// compaction, until it is over.
    pub(super) fn get(&self) -> StorageResult<Arc<Database>> {
        let deadline = std::time::Instant::now() + REOPEN_WAIT;
        let mut guard = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            guard = match &*guard {
                Held::Open(db) => return Ok(db.clone()),
                Held::Compacting => self
                    .changed
                    .wait(guard)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Held::Reopening => {
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        return Err(StorageError::Engine(
                            "the metadata store is being reopened after a failure".into(),
                        ));
                    }
                    self.changed
                        .wait_timeout(guard, left)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    /// Changes the database readers find; the shared snapshot (of the one before) is dropped.
    pub(super) fn set(&self, held: Held) {
        *self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = held;
        self.snapshots.invalidate();
        self.changed.notify_all();
    }

    pub(super) fn snapshots(&self) -> &super::snapshot::Shared {
        &self.snapshots
    }

    #[cfg(test)]
    pub(super) fn is_compacting(&self) -> bool {
        matches!(
            *self
                .db
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            Held::Compacting
        )
    }

    /// The metadata file's size in bytes.
    pub(super) fn file_len(&self) -> StorageResult<u64> {
        Ok(std::fs::metadata(&self.path)?.len())
    }

    /// Closes the database and opens it again, waiting for readers still using the old one.
    pub(super) fn reopen(&self, old: Arc<Database>) -> Arc<Database> {
        self.set(Held::Reopening);
        drop(old);
        let mut wait = std::time::Duration::from_millis(5);
        loop {
            match open_db(&self.path, self.cache_bytes) {
                Ok(db) => {
                    let db = Arc::new(db);
                    self.set(Held::Open(db.clone()));
                    tracing::warn!("metadata store reopened after a failure");
                    return db;
                }
                Err(e) => {
                    tracing::warn!(%e, "reopening the metadata store failed; retrying");
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(std::time::Duration::from_secs(1));
                }
            }
        }
    }
}

pub(super) fn open_db(path: &Path, cache_bytes: usize) -> StorageResult<Database> {
    Database::builder()
        .set_cache_size(cache_bytes)
        .create(path)
        .eng()
}

/// Histogram (seconds) of the durable commits of write batches (redb's commit with its
/// fsync), recorded through the `metrics` facade.
pub const COMMIT_SECONDS: &str = "strata_commit_duration_seconds";
/// Histogram of how many operations each committed batch carried.
pub const BATCH_OPERATIONS: &str = "strata_commit_batch_operations";

#[derive(Default)]
pub(super) struct Stats {
    pub(super) batches: AtomicU64,
    pub(super) operations: AtomicU64,
}

/// What the writer thread is asked to do.
pub(super) enum Msg {
    Write(WriteOp),
    Compact(crate::compact::CompactRequest),
}

/// Takes every queued operation (up to [`MAX_BATCH`]), runs them in one transaction, commits
/// once, then completes them all with the commit's result. A compaction asked for runs
/// between two batches: the operations queued after it wait for it.
pub(super) fn writer_loop(
    slot: &Slot,
    rx: mpsc::Receiver<Msg>,
    mut next_seq: u64,
    stats: &Stats,
    runtime: Option<tokio::runtime::Handle>,
) {
    let Ok(mut db) = slot.get() else { return };
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(msg) => msg,
            None => match rx.recv() {
                Ok(msg) => msg,
                Err(_) => return,
            },
        };
        let first = match first {
            Msg::Write(op) => op,
            Msg::Compact(req) => {
                db = super::compact::run(slot, db, req);
                continue;
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Write(op)) => batch.push(op),
                Ok(compact @ Msg::Compact(_)) => {
                    next = Some(compact);
                    break;
                }
                Err(_) => break,
            }
        }
        // Sequence numbers handed out in a failed batch were never published; they stay used
        // anyway, so the sequence only ever grows.
        let txn = match db.begin_write().eng() {
            Ok(txn) => txn,
            Err(e) => {
                tracing::error!(%e, "metadata engine failed; reopening it");
                db = slot.reopen(db);
                // The operations never ran: dropping them (after the reopen) drops their
                // completions, which their callers see as a failed batch.
                drop(batch);
                continue;
            }
        };
        let (result, completions) = run_batch(txn, batch, &mut next_seq, stats, slot.snapshots());
        match &result {
            // Before any caller hears of the commit: readers from then on see it.
            Ok(()) => slot.snapshots().invalidate(),
            Err(BatchError::Refused(e)) => tracing::error!(%e, "metadata batch failed"),
            Err(BatchError::Engine(e)) => {
                // Reopened before the callers hear of the failure, so that their next request
                // finds a working engine.
                tracing::error!(%e, "metadata engine failed; reopening it");
                db = slot.reopen(db);
            }
        }
        let done = completions
            .into_iter()
            .map(|completion| {
                let outcome = match &result {
                    Ok(()) => Ok(()),
                    Err(BatchError::Refused(e)) => Err(StorageError::BatchFailed(e.to_string())),
                    Err(BatchError::Engine(StorageError::Full)) => Err(StorageError::Full),
                    Err(BatchError::Engine(e)) => Err(StorageError::BatchFailed(e.to_string())),
                };
                (completion, outcome)
            })
            .collect();
        complete(runtime.as_ref(), done);
    }
}

/// Tells a batch's callers its outcome. With more than one, from a task of the runtime they
/// wait on: completing each from this thread wakes a runtime worker per operation, and each
/// wake-up may preempt this thread before it begins the next batch (seen with `perf sched`:
/// half the writer's context switches under a PUT load); one task woken once completes them
/// all on a worker, where waking the callers is a local queue push.
fn complete(runtime: Option<&tokio::runtime::Handle>, done: Vec<(Completion, StorageResult<()>)>) {
    match runtime {
        Some(runtime) if done.len() > 1 => {
            // A runtime already shut down drops the task and with it the completions, which
            // their callers (gone with that runtime) would see as a dropped operation.
            runtime.spawn(async move {
                for (completion, outcome) in done {
                    completion(outcome);
                }
            });
        }
        _ => {
            for (completion, outcome) in done {
                completion(outcome);
            }
        }
    }
}

/// Why a batch did not commit.
enum BatchError {
    /// An operation failed after writing: the batch was aborted, the engine is fine.
    Refused(StorageError),
    /// The engine failed (an I/O error such as a full disk); it must be reopened.
    Engine(StorageError),
}

/// Runs `batch` in `txn` and commits it; the completions are returned for the caller to
/// complete once it has dealt with a failed engine.
fn run_batch(
    txn: redb::WriteTransaction,
    batch: Vec<WriteOp>,
    next_seq: &mut u64,
    stats: &Stats,
    snapshots: &super::snapshot::Shared,
) -> (Result<(), BatchError>, Vec<Completion>) {
    let n = batch.len() as u64;
    let seq_start = *next_seq;
    let mut completions = Vec::with_capacity(batch.len());
    let mut poisoned = false;
    {
        let tables = match WriteTables::open(&txn) {
            Ok(tables) => tables,
            Err(e) => {
                drop(batch);
                return (Err(BatchError::Engine(e)), Vec::new());
            }
        };
        let mut w = RedbWrite {
            tables,
            next_seq,
            writes: Cell::new(0),
            delta: StatDelta::default(),
            blob_changes: Default::default(),
        };
        for op in batch {
            // A panicking operation fails its batch instead of the writer thread.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(&mut w))) {
                Ok(outcome) => {
                    poisoned |= outcome.poisoned;
                    completions.push(outcome.completion);
                }
                Err(_) => poisoned = true,
            }
        }
        if *w.next_seq != seq_start && !poisoned {
            let seq = *w.next_seq;
            if let Err(e) = w.set_counter(SEQ_COUNTER, seq) {
                tracing::error!(%e, "persisting the sequence failed");
                poisoned = true;
            }
        }
        if !poisoned && let Err(e) = w.finish() {
            tracing::error!(%e, "finishing the batch (removed blobs, the store's counts) failed");
            poisoned = true;
        }
    }
    let result = if poisoned {
        let _ = txn.abort();
        Err(BatchError::Refused(StorageError::BatchFailed(
            "an operation failed after writing".into(),
        )))
    } else {
        // A snapshot alive during the commit keeps the pages the batch frees from the free
        // list until a later commit; the shared one need not be (it is dropped again after).
        snapshots.invalidate();
        let started = std::time::Instant::now();
        let committed = txn
            .commit()
            .map_err(|e| BatchError::Engine(commit_error(e)));
        // The durable commit: redb writes the batch and fsyncs it.
        metrics::histogram!(COMMIT_SECONDS).record(started.elapsed().as_secs_f64());
        committed
    };
    if result.is_ok() {
        // Counted before anyone hears of the commit, so a caller sees its own batch counted.
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.operations.fetch_add(n, Ordering::Relaxed);
        metrics::histogram!(BATCH_OPERATIONS).record(n as f64);
    }
    (result, completions)
}

/// A commit that ran out of disk space is told apart from other engine failures.
fn commit_error(e: redb::CommitError) -> StorageError {
    let full = match &e {
        redb::CommitError::Storage(redb::StorageError::Io(io)) => {
            io.kind() == std::io::ErrorKind::StorageFull
        }
        _ => false,
    };
    if full {
        StorageError::Full
    } else {
        StorageError::BatchFailed(e.to_string())
    }
}
