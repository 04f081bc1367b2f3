//! Read snapshots of the redb engine: the tables each one opens, kept with it, and the latest
//! snapshot, which readers share until the next commit.
//!
//! A read transaction is cheap; opening a table in it is not: each open looks the table up in
//! redb's table tree and decodes its definition (type names as strings). A 4 KiB GET opens
//! three tables (its bucket, its key's versions, its blob): 11.4k of its 170k instructions
//! (callgrind). So a snapshot keeps every table it opened, and readers share one snapshot for
//! as long as nothing was committed since it began: under reads alone, tables are opened once.
//!
//! The shared snapshot is exact: a read sees every write acknowledged before it began.
//! - The writer, after each commit and before it completes any caller of the batch, moves the
//!   [`Shared`] generation on and drops the shared snapshot ([`Shared::invalidate`]), under
//!   the lock readers file snapshots with; so does every change of the slot's database (a
//!   reopen after a failure, a compaction).
//! - A reader that finds no shared snapshot notes the generation, begins its own read
//!   transaction, and files it only if the generation has not moved ([`Shared::offer`]).
//!
//! So a snapshot taken before a commit never outlives its invalidation as the shared one, and
//! a reader arriving after a commit was acknowledged either begins a transaction of its own or
//! finds one begun after the commit.
//!
//! A shared snapshot pins no more than a request's own would. redb keeps the pages a commit
//! frees out of the free list until a later commit when a reader older than the commit is
//! alive during it; so the writer drops the shared snapshot just before each commit too (a
//! snapshot some reader files meanwhile is dropped after). Without that, the pages freed by
//! the last commit of a burst stayed in use until the next write (a compaction's threshold
//! then saw a fifth of a file of deleted versions free instead of most of it:
//! `crates/core/tests/compaction.rs`).

use super::writer::Slot;
use super::*;
use redb::{Key, ReadOnlyTable, Value};
use std::sync::{Mutex, OnceLock, PoisonError};

/// A table of a snapshot, opened when a read first needs it.
pub(super) struct Lazy<K: Key + 'static, V: Value + 'static>(OnceLock<ReadOnlyTable<K, V>>);

impl<K: Key + 'static, V: Value + 'static> Default for Lazy<K, V> {
    fn default() -> Self {
        Lazy(OnceLock::new())
    }
}

impl<K: Key + 'static, V: Value + 'static> Lazy<K, V> {
    pub(super) fn get(
        &self,
        txn: &redb::ReadTransaction,
        def: TableDefinition<K, V>,
    ) -> StorageResult<&ReadOnlyTable<K, V>> {
        if let Some(table) = self.0.get() {
            return Ok(table);
        }
        // Two readers opening it at once both open it; one of the two is kept.
        let opened = txn.open_table(def).eng()?;
        Ok(self.0.get_or_init(|| opened))
    }
}

/// A snapshot reads through the tables it keeps.
macro_rules! open_snapshot_table {
    ($s:expr, $table:ident) => {
        $s.tables.$table.get(&$s.txn, $table)?
    };
}

/// A snapshot, with the database it reads: a compaction waits until no snapshot holds it.
/// Fields drop in order: the tables, then the transaction, then the database.
pub(super) struct RedbRead {
    tables: SnapshotTables,
    pub(super) txn: redb::ReadTransaction,
    _db: Arc<Database>,
}
impl_read!(Arc<RedbRead>, open_snapshot_table);

impl RedbRead {
    pub(super) fn begin(db: Arc<Database>) -> StorageResult<Arc<RedbRead>> {
        Ok(Arc::new(RedbRead {
            tables: SnapshotTables::default(),
            txn: db.begin_read().eng()?,
            _db: db,
        }))
    }

    /// A snapshot has no changes pending.
    fn blob_seen(&self, _id: u64, stored: Option<BlobRecord>) -> Option<BlobRecord> {
        stored
    }
}

/// The snapshot readers share, and the generation that moves past it at every commit.
#[derive(Default)]
pub(super) struct Shared(Mutex<SharedState>);

#[derive(Default)]
struct SharedState {
    generation: u64,
    snapshot: Option<Arc<RedbRead>>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, SharedState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The shared snapshot, or the generation under which to offer a new one.
    fn get(&self) -> Result<Arc<RedbRead>, u64> {
        let state = self.state();
        state.snapshot.clone().ok_or(state.generation)
    }

    /// Files `snapshot`, begun after `generation` was read, as the shared one, unless the
    /// generation has moved since (it may not hold what was committed meanwhile).
    fn offer(&self, generation: u64, snapshot: &Arc<RedbRead>) {
        let mut state = self.state();
        if state.generation == generation && state.snapshot.is_none() {
            state.snapshot = Some(snapshot.clone());
        }
    }

    /// After a commit, or a change of the slot's database, and before anyone hears of it: the
    /// shared snapshot is no longer current.
    pub(super) fn invalidate(&self) {
        let dropped = {
            let mut state = self.state();
            state.generation = state.generation.wrapping_add(1);
            state.snapshot.take()
        };
        // Outside the lock: dropping the last handle ends the read transaction.
        drop(dropped);
    }
}

/// A snapshot for a reader: the shared one, or a new one (then shared, when nothing was
/// committed while it began).
pub(super) fn read(slot: &Slot) -> StorageResult<Arc<RedbRead>> {
    let shared = slot.snapshots();
    match shared.get() {
        Ok(snapshot) => Ok(snapshot),
        Err(generation) => {
            let snapshot = RedbRead::begin(slot.get()?)?;
            shared.offer(generation, &snapshot);
            Ok(snapshot)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &tempfile::TempDir) -> RedbMeta {
        RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap()
    }

    /// Sets counter `c` to `value` and waits until the writer acknowledges it.
    fn set_c(meta: &RedbMeta, value: u64) {
        crate::meta::run_blocking(meta, move |txn| txn.set_counter("c", value)).unwrap();
    }

    #[test]
    fn readers_share_a_snapshot_until_a_commit_and_then_see_it() {
        let dir = tempfile::tempdir().unwrap();
        let meta = open(&dir);
        set_c(&meta, 1);
        let first = read(&meta.db).unwrap();
        let second = read(&meta.db).unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "no commit between: one snapshot"
        );
        assert_eq!(first.counter("c").unwrap(), 1);
        set_c(&meta, 2);
        // Acknowledged: every read from now on sees it; the snapshots held keep their view.
        let third = read(&meta.db).unwrap();
        assert!(!Arc::ptr_eq(&first, &third));
        assert_eq!(third.counter("c").unwrap(), 2);
        assert_eq!(meta.read().unwrap().counter("c").unwrap(), 2);
        assert_eq!(first.counter("c").unwrap(), 1);
        assert!(Arc::ptr_eq(&third, &read(&meta.db).unwrap()));
    }

    #[test]
    fn a_snapshot_begun_before_a_commit_is_not_shared_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let meta = open(&dir);
        set_c(&meta, 1);
        // A reader finds no shared snapshot and begins one; a commit is acknowledged before
        // it offers it.
        let shared = meta.db.snapshots();
        let generation = shared.get().err().expect("none shared yet");
        let early = RedbRead::begin(meta.db.get().unwrap()).unwrap();
        set_c(&meta, 2);
        shared.offer(generation, &early);
        assert_eq!(early.counter("c").unwrap(), 1);
        let later = read(&meta.db).unwrap();
        assert!(!Arc::ptr_eq(&early, &later), "the early snapshot was filed");
        assert_eq!(later.counter("c").unwrap(), 2);
    }

    #[test]
    fn writers_racing_readers_are_always_seen_once_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Arc::new(open(&dir));
        set_c(&meta, 0);
        let acked = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (meta, acked) = (meta.clone(), acked.clone());
                std::thread::spawn(move || {
                    let mut reads = 0u64;
                    loop {
                        let floor = acked.load(Ordering::Acquire);
                        let seen = meta.read().unwrap().counter("c").unwrap();
                        assert!(seen >= floor, "read {seen} after {floor} was acknowledged");
                        reads += 1;
                        if floor == 200 {
                            return reads;
                        }
                    }
                })
            })
            .collect();
        for value in 1..=200 {
            set_c(&meta, value);
            acked.store(value, Ordering::Release);
        }
        for reader in readers {
            assert!(reader.join().unwrap() > 0);
        }
    }
}
