//! Compaction of the redb file, run by the writer thread between two batches.
//!
//! redb's `Database::compact` needs the database exclusively (`&mut`) and no read
//! transaction open. The writer empties the slot (readers arriving from then on wait in
//! [`Slot::get`]), waits for the snapshots already open to end (each holds the database's
//! `Arc`: see `RedbRead`), at most the request's `reader_wait`, then compacts and fills the slot
//! again. Snapshots still open at the bound: the database goes back into the slot untouched
//! and the answer is [`CompactOutcome::Busy`]. A snapshot is one request's read (a listing
//! reads one page per snapshot), so only a stuck reader makes a compaction give up.
//!
//! Crash safety is redb's: compaction is a sequence of ordinary durable commits (two-phase),
//! each relocating pages or freeing them and shrinking the file, so a kill at any moment leaves
//! the last commit, which holds exactly the data of the one before it
//! (`crates/core/tests/compact_crash.rs` kills it in cycles).

use super::writer::{Held, Slot};
use super::*;
use crate::compact::{CompactOutcome, CompactRequest, Compaction, Threshold};
use std::time::{Duration, Instant};

/// Runs one compaction request and answers it; returns the database the writer goes on with.
pub(super) fn run(slot: &Slot, db: Arc<Database>, req: CompactRequest) -> Arc<Database> {
    let CompactRequest {
        threshold,
        reader_wait,
        done,
    } = req;
    let (db, outcome) = compact(slot, db, threshold, reader_wait);
    if let Err(e) = &outcome {
        tracing::error!(%e, "compacting the metadata file failed");
    }
    done(outcome);
    db
}

/// Bytes of the file no allocated page uses: what a compaction can give back.
fn reclaimable(db: &Database, file_bytes: u64) -> StorageResult<u64> {
    let txn = db.begin_write().eng()?;
    let stats = txn.stats().eng()?;
    txn.abort().eng()?;
    let used = stats.allocated_pages() * stats.page_size() as u64;
    Ok(file_bytes.saturating_sub(used))
}

fn compact(
    slot: &Slot,
    mut db: Arc<Database>,
    threshold: Option<Threshold>,
    reader_wait: Duration,
) -> (Arc<Database>, StorageResult<CompactOutcome>) {
    let before = match slot.file_len() {
        Ok(n) => n,
        Err(e) => return (db, Err(e)),
    };
    if let Some(t) = threshold {
        match reclaimable(&db, before) {
            Ok(r) if t.met(before, r) => {}
            Ok(reclaimable) => {
                let outcome = CompactOutcome::NotWorthwhile {
                    file_bytes: before,
                    reclaimable,
                };
                return (db, Ok(outcome));
            }
            Err(e) => return (db, Err(e)),
        }
    }
    let start = Instant::now();
    slot.set(Held::Compacting);
    let mut pause = Duration::from_millis(1);
    let result = loop {
        if let Some(exclusive) = Arc::get_mut(&mut db) {
            break exclusive.compact();
        }
        if start.elapsed() >= reader_wait {
            slot.set(Held::Open(db.clone()));
            return (db, Ok(CompactOutcome::Busy { file_bytes: before }));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    match result {
        Ok(_) => {
            slot.set(Held::Open(db.clone()));
            let millis = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
            let outcome = slot.file_len().map(|after| {
                CompactOutcome::Compacted(Compaction {
                    before,
                    after,
                    millis,
                })
            });
            (db, outcome)
        }
        // Not expected (no snapshot holds the database, and Strata makes no savepoints), but
        // nothing was done: the same as busy.
        Err(
            redb::CompactionError::TransactionInProgress
            | redb::CompactionError::PersistentSavepointExists
            | redb::CompactionError::EphemeralSavepointExists,
        ) => {
            slot.set(Held::Open(db.clone()));
            (db, Ok(CompactOutcome::Busy { file_bytes: before }))
        }
        // An I/O error (or whatever else redb adds): as after a failed batch, the file is
        // reopened.
        Err(e) => {
            let e = StorageError::Engine(e.to_string());
            (slot.reopen(db), Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        meta: &RedbMeta,
        reader_wait: Duration,
    ) -> mpsc::Receiver<StorageResult<CompactOutcome>> {
        let (tx, rx) = mpsc::channel();
        meta.compact(CompactRequest {
            threshold: None,
            reader_wait,
            done: Box::new(move |r| {
                let _ = tx.send(r);
            }),
        })
        .unwrap();
        rx
    }

    fn counter(meta: &RedbMeta) -> u64 {
        meta.read().unwrap().counter("c").unwrap()
    }

    #[test]
    fn an_open_snapshot_makes_it_busy_and_stays_readable() {
        let dir = tempfile::tempdir().unwrap();
        let meta = RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap();
        let snapshot = meta.read().unwrap();
        let outcome = request(&meta, Duration::from_millis(100)).recv().unwrap();
        assert!(
            matches!(outcome, Ok(CompactOutcome::Busy { .. })),
            "{outcome:?}"
        );
        assert_eq!(snapshot.counter("c").unwrap(), 0);
        drop(snapshot);
        let outcome = request(&meta, Duration::from_millis(100)).recv().unwrap();
        assert!(
            matches!(outcome, Ok(CompactOutcome::Compacted(_))),
            "{outcome:?}"
        );
        assert_eq!(counter(&meta), 0);
    }

    #[test]
    fn readers_arriving_during_a_compaction_wait_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Arc::new(RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap());
        let snapshot = meta.read().unwrap();
        // The compaction waits for the snapshot (bound far away); meanwhile new readers and
        // writes queue.
        let compacted = request(&meta, Duration::from_secs(600));
        let (wrote_tx, wrote) = mpsc::channel();
        meta.submit(Box::new(move |txn: &mut dyn WriteTxn| {
            let r = txn.set_counter("c", 7);
            OpOutcome {
                poisoned: r.is_err(),
                completion: Box::new(move |c| {
                    let _ = wrote_tx.send(c.and(r));
                }),
            }
        }))
        .unwrap();
        while !meta.db.is_compacting() {
            std::thread::yield_now();
        }
        let reader = {
            let meta = meta.clone();
            std::thread::spawn(move || counter(&meta))
        };
        // The writer is in the compaction, waiting for the snapshot: the write waits, and the
        // reader too (it cannot finish while the slot is empty).
        std::thread::sleep(Duration::from_millis(50));
        assert!(!reader.is_finished());
        assert!(wrote.try_recv().is_err());
        drop(snapshot);
        let outcome = compacted.recv().unwrap();
        assert!(
            matches!(outcome, Ok(CompactOutcome::Compacted(_))),
            "{outcome:?}"
        );
        wrote.recv().unwrap().unwrap();
        // The reader read after the compaction (it waited, and did not fail), before or after
        // the write.
        assert!([0, 7].contains(&reader.join().unwrap()));
        assert_eq!(counter(&meta), 7);
    }
}
