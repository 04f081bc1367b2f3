//! The store's counts (buckets, objects, versions, delete markers, bytes, the reclaim
//! backlog), kept exact in the `counters` table by the engine itself.
//!
//! Every write of a bucket, version, listing summary or garbage entry passes through the
//! engine's [`WriteTxn`] methods, which know whether a record was new, replaced or removed;
//! the engine adds up the changes of a batch ([`StatDelta`]) and stores the new counts in the
//! same transaction before it commits. So the counts are as durable and as exact as what they
//! count, a crash included, and reading them costs a few lookups, not a scan. A store written
//! before the counts existed gets them once, by [`StoreStats::scan`], when it is opened.

use super::{Flow, ReadTxn, Start, StorageResult, VersionRecord};
use std::cell::Cell;

/// The counter that says the counts below exist (a store made before them lacks it).
pub const STATS_PRESENT: &str = "stats/present";
const BUCKETS: &str = "stats/buckets";
const OBJECTS: &str = "stats/objects";
const VERSIONS: &str = "stats/versions";
const DELETE_MARKERS: &str = "stats/delete-markers";
const BYTES: &str = "stats/bytes";
const GARBAGE: &str = "stats/garbage";

/// What a store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub buckets: u64,
    /// Keys whose current entry is an object (what ListObjects lists).
    pub objects: u64,
    /// Object versions, current and noncurrent (delete markers not included).
    pub versions: u64,
    pub delete_markers: u64,
    /// The sizes of all object versions added up (what clients stored, not disk usage).
    pub bytes: u64,
    /// Blobs whose last reference is gone and whose files wait for the reclaimer.
    pub garbage: u64,
}

impl StoreStats {
    /// The counts kept in the `counters` table.
    pub fn read(txn: &dyn ReadTxn) -> StorageResult<StoreStats> {
        Ok(StoreStats {
            buckets: txn.counter(BUCKETS)?,
            objects: txn.counter(OBJECTS)?,
            versions: txn.counter(VERSIONS)?,
            delete_markers: txn.counter(DELETE_MARKERS)?,
            bytes: txn.counter(BYTES)?,
            garbage: txn.counter(GARBAGE)?,
        })
    }

    /// The counts found by reading everything: for a store that lacks them, and for checks
    /// that the kept counts are right (`fsck`).
    pub fn scan(txn: &dyn ReadTxn) -> StorageResult<StoreStats> {
        let mut s = StoreStats::default();
        for (bucket, _) in txn.buckets()? {
            s.buckets += 1;
            txn.scan_versions(&bucket, Start::First, &mut |_, rec| {
                s.add_version(&rec, 1);
                Flow::Continue
            })?;
            txn.scan_objects(&bucket, Start::First, &mut |_, _| {
                s.objects += 1;
                Flow::Continue
            })?;
        }
        s.garbage = txn.garbage(usize::MAX)?.len() as u64;
        Ok(s)
    }

    /// The counters to store: (name, value).
    pub fn counters(&self) -> [(&'static str, u64); 7] {
        [
            (BUCKETS, self.buckets),
            (OBJECTS, self.objects),
            (VERSIONS, self.versions),
            (DELETE_MARKERS, self.delete_markers),
            (BYTES, self.bytes),
            (GARBAGE, self.garbage),
            (STATS_PRESENT, 1),
        ]
    }

    fn add_version(&mut self, rec: &VersionRecord, n: u64) {
        match rec.object() {
            Some(o) => {
                self.versions += n;
                self.bytes += o.size * n;
            }
            None => self.delete_markers += n,
        }
    }
}

/// The changes a write batch made to the counts, added up as the engine writes.
#[derive(Debug, Default)]
pub struct StatDelta {
    buckets: Cell<i64>,
    objects: Cell<i64>,
    versions: Cell<i64>,
    delete_markers: Cell<i64>,
    bytes: Cell<i64>,
    garbage: Cell<i64>,
}

fn add(cell: &Cell<i64>, by: i64) {
    cell.set(cell.get().wrapping_add(by));
}

impl StatDelta {
    /// A bucket record was written (`existed`: over an older one) or removed.
    pub fn bucket(&self, existed: bool, removed: bool) {
        add(&self.buckets, presence(existed, removed));
    }
    /// A listing summary was written or removed.
    pub fn object(&self, existed: bool, removed: bool) {
        add(&self.objects, presence(existed, removed));
    }
    /// A garbage entry was written or removed.
    pub fn garbage(&self, existed: bool, removed: bool) {
        add(&self.garbage, presence(existed, removed));
    }
    /// A version record came (`sign` 1) or went (`sign` -1).
    pub fn version(&self, rec: &VersionRecord, sign: i64) {
        match rec.object() {
            Some(o) => {
                add(&self.versions, sign);
                add(&self.bytes, sign.wrapping_mul(o.size as i64));
            }
            None => add(&self.delete_markers, sign),
        }
    }

    pub fn is_empty(&self) -> bool {
        [
            &self.buckets,
            &self.objects,
            &self.versions,
            &self.delete_markers,
            &self.bytes,
            &self.garbage,
        ]
        .iter()
        .all(|c| c.get() == 0)
    }

    /// `before` with these changes made.
    pub fn applied_to(&self, before: StoreStats) -> StoreStats {
        let f = |v: u64, d: &Cell<i64>| v.saturating_add_signed(d.get());
        StoreStats {
            buckets: f(before.buckets, &self.buckets),
            objects: f(before.objects, &self.objects),
            versions: f(before.versions, &self.versions),
            delete_markers: f(before.delete_markers, &self.delete_markers),
            bytes: f(before.bytes, &self.bytes),
            garbage: f(before.garbage, &self.garbage),
        }
    }
}

/// How a record's count changes: a write adds one unless it replaced a record; a removal
/// takes one away if there was one.
fn presence(existed: bool, removed: bool) -> i64 {
    match (removed, existed) {
        (false, false) => 1,
        (true, true) => -1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_counts_only_changes() {
        assert_eq!(presence(false, false), 1);
        assert_eq!(presence(true, false), 0);
        assert_eq!(presence(true, true), -1);
        assert_eq!(presence(false, true), 0);
    }

    #[test]
    fn deltas_apply_and_never_go_below_zero() {
        let d = StatDelta::default();
        assert!(d.is_empty());
        d.bucket(false, false);
        d.object(false, false);
        d.object(true, true);
        d.garbage(true, true);
        assert!(!d.is_empty());
        let before = StoreStats {
            objects: 4,
            ..Default::default()
        };
        let after = d.applied_to(before);
        assert_eq!(after.buckets, 1);
        assert_eq!(after.objects, 4);
        assert_eq!(after.garbage, 0);
    }
}
