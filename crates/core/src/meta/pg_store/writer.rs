//! The writer thread: it owns one connection and runs each batch of queued operations as one
//! SQL transaction (READ COMMITTED), committed once (group commit, as the redb engine).
//!
//! No retry: operations are `FnOnce` (they hand their completion over), so a batch cannot be
//! run twice. None is needed while this thread is the only writer of the database: PostgreSQL's
//! snapshots never make a read-only transaction fail a writer or one another, so a READ
//! COMMITTED batch without competing writers meets no serialization failure (40001) and no
//! deadlock (40P01). Many gateways over one database will need the batch's operations to be
//! re-runnable (or each key locked before its check step) and the sequence taken under a lock
//! (`SELECT ... FOR UPDATE` of the counter row) instead of this thread's memory.

use super::conn::{Conn, Params};
use super::read::{Sql, Txn};
use super::{SEQ_COUNTER, Stats, ord, pg_err};
use crate::error::StorageError;
use crate::meta::stats::StatDelta;
use crate::meta::*;
use postgres::Row;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::sync::mpsc;

/// Most operations one batch takes (as the redb engine).
const MAX_BATCH: usize = 512;

/// The writer's connection inside a batch.
pub(super) struct WriterSql<'a> {
    conn: RefCell<&'a mut Conn>,
    next_seq: u64,
    writes: Cell<u64>,
    /// A statement failed: PostgreSQL has aborted the transaction, so the batch must not be
    /// reported committed (its `COMMIT` would silently roll back).
    failed: Cell<bool>,
    /// What this batch changed of the store's counts ([`stats`](crate::meta::stats)), as the
    /// redb engine keeps them: each write statement returns what it replaced or removed.
    delta: StatDelta,
}

impl Sql for WriterSql<'_> {
    fn query(&self, sql: &'static str, params: Params) -> StorageResult<Vec<Row>> {
        let r = self.conn.borrow_mut().query(sql, &params);
        r.map_err(|e| {
            self.failed.set(true);
            pg_err(e)
        })
    }
}

impl WriterSql<'_> {
    fn exec(&self, sql: &'static str, params: Params) -> StorageResult<()> {
        self.writes.set(self.writes.get() + 1);
        let r = self.conn.borrow_mut().execute(sql, &params);
        r.map(|_| ()).map_err(|e| {
            self.failed.set(true);
            pg_err(e)
        })
    }

    /// A write whose statement returns rows (what it replaced or removed).
    fn write(&self, sql: &'static str, params: Params) -> StorageResult<Vec<Row>> {
        self.writes.set(self.writes.get() + 1);
        self.query(sql, params)
    }

    /// A write whose statement returns one row with a boolean: whether a record was there.
    fn write_existed(&self, sql: &'static str, params: Params) -> StorageResult<bool> {
        let rows = self.write(sql, params)?;
        match rows.first() {
            Some(r) => r.try_get::<_, bool>(0).map_err(pg_err),
            None => Ok(false),
        }
    }

    /// A version record written over or removed: the counts lose it.
    fn version_gone(&self, rows: &[Row]) -> StorageResult<()> {
        if let Some(r) = rows.first()
            && let Some(old) = r.try_get::<_, Option<Vec<u8>>>(0).map_err(pg_err)?
        {
            let old: VersionRecord = decode(&old)?;
            self.delta.version(&old, -1);
        }
        Ok(())
    }
}

impl Txn<WriterSql<'_>> {
    /// Stores the batch's changes of the counts (before the commit, in its transaction).
    fn store_stats(&mut self) -> StorageResult<()> {
        if self.sql.delta.is_empty() {
            return Ok(());
        }
        let after = self.sql.delta.applied_to(StoreStats::read(self)?);
        for (name, value) in after.counters() {
            self.set_counter(name, value)?;
        }
        Ok(())
    }
}

fn b(s: &str) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(s.as_bytes().to_vec())
}

fn i(v: i64) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(v)
}

fn val<T: Versioned>(rec: &T) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(encode(rec))
}

impl WriteTxn for Txn<WriterSql<'_>> {
    fn next_seq(&mut self) -> u64 {
        self.sql.next_seq += 1;
        self.sql.next_seq
    }

    fn writes(&self) -> u64 {
        self.sql.writes.get()
    }

    fn set_counter(&mut self, name: &str, value: u64) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO counters (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            vec![b(name), i(value as i64)],
        )
    }

    fn put_setting(&mut self, name: &str, value: &[u8]) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO settings (name, val) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET val = EXCLUDED.val",
            vec![b(name), Box::new(value.to_vec())],
        )
    }

    fn remove_setting(&mut self, name: &str) -> StorageResult<()> {
        self.sql
            .exec("DELETE FROM settings WHERE name = $1", vec![b(name)])
    }

    // The writes the counts follow return what they replaced or removed: an upsert reads the
    // old row in a CTE (the statement's snapshot, taken before its insert), a delete returns
    // it. Plain SQL, no `xmax` trick, so CockroachDB and YugabyteDB run it too.
    fn put_bucket(&mut self, name: &str, rec: &BucketRecord) -> StorageResult<()> {
        let existed = self.sql.write_existed(
            "WITH old AS (SELECT 1 FROM buckets WHERE name = $1) \
             INSERT INTO buckets (name, val) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET val = EXCLUDED.val \
             RETURNING EXISTS (SELECT 1 FROM old)",
            vec![b(name), val(rec)],
        )?;
        self.sql.delta.bucket(existed, false);
        Ok(())
    }

    fn remove_bucket(&mut self, name: &str) -> StorageResult<()> {
        let rows = self.sql.write(
            "DELETE FROM buckets WHERE name = $1 RETURNING true",
            vec![b(name)],
        )?;
        self.sql.delta.bucket(!rows.is_empty(), true);
        Ok(())
    }

    fn put_version(&mut self, bucket: &str, key: &str, rec: &VersionRecord) -> StorageResult<()> {
        let rows = self.sql.write(
            "WITH old AS (SELECT val FROM versions WHERE bucket = $1 AND key = $2 AND inv = $3) \
             INSERT INTO versions (bucket, key, inv, val) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (bucket, key, inv) DO UPDATE SET val = EXCLUDED.val \
             RETURNING (SELECT val FROM old)",
            vec![b(bucket), b(key), i(ord(u64::MAX - rec.seq)), val(rec)],
        )?;
        self.sql.version_gone(&rows)?;
        self.sql.delta.version(rec, 1);
        Ok(())
    }

    fn remove_version(&mut self, bucket: &str, key: &str, seq: u64) -> StorageResult<()> {
        let rows = self.sql.write(
            "DELETE FROM versions WHERE bucket = $1 AND key = $2 AND inv = $3 RETURNING val",
            vec![b(bucket), b(key), i(ord(u64::MAX - seq))],
        )?;
        self.sql.version_gone(&rows)
    }

    fn put_object(&mut self, bucket: &str, key: &str, rec: &ObjectSummary) -> StorageResult<()> {
        let existed = self.sql.write_existed(
            "WITH old AS (SELECT 1 FROM objects WHERE bucket = $1 AND key = $2) \
             INSERT INTO objects (bucket, key, val) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, key) DO UPDATE SET val = EXCLUDED.val \
             RETURNING EXISTS (SELECT 1 FROM old)",
            vec![b(bucket), b(key), val(rec)],
        )?;
        self.sql.delta.object(existed, false);
        Ok(())
    }

    fn remove_object(&mut self, bucket: &str, key: &str) -> StorageResult<()> {
        let rows = self.sql.write(
            "DELETE FROM objects WHERE bucket = $1 AND key = $2 RETURNING true",
            vec![b(bucket), b(key)],
        )?;
        self.sql.delta.object(!rows.is_empty(), true);
        Ok(())
    }

    fn set_null_seq(&mut self, bucket: &str, key: &str, seq: Option<u64>) -> StorageResult<()> {
        match seq {
            Some(seq) => self.sql.exec(
                "INSERT INTO nulls (bucket, key, seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (bucket, key) DO UPDATE SET seq = EXCLUDED.seq",
                vec![b(bucket), b(key), i(seq as i64)],
            ),
            None => self.sql.exec(
                "DELETE FROM nulls WHERE bucket = $1 AND key = $2",
                vec![b(bucket), b(key)],
            ),
        }
    }

    fn put_upload(
        &mut self,
        bucket: &str,
        upload_id: &str,
        rec: &UploadRecord,
    ) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO upload_keys (bucket, upload_id, key) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, upload_id) DO UPDATE SET key = EXCLUDED.key",
            vec![b(bucket), b(upload_id), b(&rec.key)],
        )?;
        self.sql.exec(
            "INSERT INTO uploads (bucket, key, upload_id, val) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (bucket, key, upload_id) DO UPDATE SET val = EXCLUDED.val",
            vec![b(bucket), b(&rec.key), b(upload_id), val(rec)],
        )
    }

    fn remove_upload(&mut self, bucket: &str, upload_id: &str) -> StorageResult<()> {
        self.sql.writes.set(self.sql.writes.get() + 1);
        let rows = self.sql.query(
            "DELETE FROM upload_keys WHERE bucket = $1 AND upload_id = $2 RETURNING key",
            vec![b(bucket), b(upload_id)],
        )?;
        if let Some(row) = rows.first() {
            let key: Vec<u8> = row
                .try_get(0)
                .map_err(|e| StorageError::Corrupt(format!("metadata row: {e}")))?;
            self.sql.exec(
                "DELETE FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id = $3",
                vec![b(bucket), Box::new(key), b(upload_id)],
            )?;
        }
        Ok(())
    }

    fn put_part(&mut self, upload_id: &str, part: u32, rec: &PartRecord) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO parts (upload_id, part, val) VALUES ($1, $2, $3) \
             ON CONFLICT (upload_id, part) DO UPDATE SET val = EXCLUDED.val",
            vec![b(upload_id), i(i64::from(part)), val(rec)],
        )
    }

    fn remove_part(&mut self, upload_id: &str, part: u32) -> StorageResult<()> {
        self.sql.exec(
            "DELETE FROM parts WHERE upload_id = $1 AND part = $2",
            vec![b(upload_id), i(i64::from(part))],
        )
    }

    fn put_completion(
        &mut self,
        bkt: &str,
        key: &str,
        rec: &CompletionRecord,
    ) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO completions (bucket, key, val) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, key) DO UPDATE SET val = EXCLUDED.val",
            vec![b(bkt), b(key), val(rec)],
        )
    }

    fn remove_completion(&mut self, bucket: &str, key: &str) -> StorageResult<()> {
        self.sql.exec(
            "DELETE FROM completions WHERE bucket = $1 AND key = $2",
            vec![b(bucket), b(key)],
        )
    }

    fn put_blob(&mut self, id: u64, rec: &BlobRecord) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO blobs (id, val) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET val = EXCLUDED.val",
            vec![i(ord(id)), val(rec)],
        )
    }

    fn remove_blob(&mut self, id: u64) -> StorageResult<()> {
        self.sql
            .exec("DELETE FROM blobs WHERE id = $1", vec![i(ord(id))])
    }

    fn add_garbage(&mut self, id: u64) -> StorageResult<()> {
        // A row comes back only when the entry is new.
        let rows = self.sql.write(
            "INSERT INTO garbage (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING true",
            vec![i(ord(id))],
        )?;
        self.sql.delta.garbage(rows.is_empty(), false);
        Ok(())
    }

    fn remove_garbage(&mut self, id: u64) -> StorageResult<()> {
        let rows = self.sql.write(
            "DELETE FROM garbage WHERE id = $1 RETURNING true",
            vec![i(ord(id))],
        )?;
        self.sql.delta.garbage(!rows.is_empty(), true);
        Ok(())
    }
}

/// Takes every queued operation (up to [`MAX_BATCH`]), runs them in one transaction, commits
/// once, then completes them all with the commit's result. A lost connection is made again
/// before the next batch.
pub(super) fn writer_loop(
    url: &str,
    mut conn: Option<Conn>,
    rx: mpsc::Receiver<WriteOp>,
    mut next_seq: u64,
    stats: &Stats,
) {
    let mut wait = std::time::Duration::from_millis(5);
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        if let Err(e) = begin(url, &mut conn) {
            tracing::error!(%e, "starting a metadata transaction failed");
            // The operations never ran: dropping them drops their completions, which their
            // callers see as a failed write. The next batch tries again, after a pause
            // growing up to a second.
            drop(batch);
            std::thread::sleep(wait);
            wait = (wait * 2).min(std::time::Duration::from_secs(1));
            continue;
        }
        wait = std::time::Duration::from_millis(5);
        let Some(c) = conn.as_mut() else { continue };
        let (result, completions) = run_batch(c, batch, &mut next_seq, stats);
        if let Err(e) = &result {
            tracing::error!(%e, "metadata batch failed");
        }
        for completion in completions {
            completion(match &result {
                Ok(()) => Ok(()),
                Err(StorageError::Full) => Err(StorageError::Full),
                Err(e) => Err(StorageError::BatchFailed(e.to_string())),
            });
        }
    }
    if let Some(c) = conn.as_mut() {
        super::schema::unlock_writer(c);
    }
}

/// Begins a batch's transaction, connecting first if needed. A connection found dead (the
/// server restarted, or ended it) is made again once: nothing has run on it yet.
fn begin(url: &str, conn: &mut Option<Conn>) -> StorageResult<()> {
    let mut retried = false;
    loop {
        if conn.as_ref().is_none_or(Conn::is_closed) {
            // The writer lock went with the old connection: another server may hold it now.
            let mut c = Conn::connect(url)?;
            super::schema::lock_writer(&mut c, std::time::Duration::ZERO)?;
            *conn = Some(c);
        }
        let Some(c) = conn.as_mut() else { continue };
        match c.batch("BEGIN ISOLATION LEVEL READ COMMITTED") {
            Ok(()) => return Ok(()),
            Err(_) if c.is_closed() && !retried => {
                retried = true;
                *conn = None;
            }
            Err(e) => return Err(pg_err(e)),
        }
    }
}

/// Runs `batch` in the transaction [`begin`] began and commits it; the completions are returned for the
/// caller to complete with the result.
fn run_batch(
    conn: &mut Conn,
    batch: Vec<WriteOp>,
    next_seq: &mut u64,
    stats: &Stats,
) -> (StorageResult<()>, Vec<Completion>) {
    let n = batch.len() as u64;
    let seq_start = *next_seq;
    let mut completions = Vec::with_capacity(batch.len());
    let mut poisoned = false;
    let (failed, seq) = {
        let mut w = Txn {
            sql: WriterSql {
                conn: RefCell::new(conn),
                next_seq: seq_start,
                writes: Cell::new(0),
                failed: Cell::new(false),
                delta: StatDelta::default(),
            },
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
        if !poisoned && let Err(e) = w.store_stats() {
            tracing::error!(%e, "storing the store's counts failed");
        }
        let seq = w.sql.next_seq;
        if seq != seq_start
            && !poisoned
            && let Err(e) = w.set_counter(SEQ_COUNTER, seq)
        {
            tracing::error!(%e, "persisting the sequence failed");
        }
        (w.sql.failed.get(), seq)
    };
    // Sequence numbers handed out in a failed batch were never published; they stay used
    // anyway, so the sequence only ever grows.
    *next_seq = seq;
    let result = if poisoned || failed {
        let _ = conn.batch("ROLLBACK");
        Err(StorageError::BatchFailed(if failed {
            "a statement of the batch failed".into()
        } else {
            "an operation failed after writing".into()
        }))
    } else {
        conn.batch("COMMIT").map_err(pg_err)
    };
    if result.is_ok() {
        // Counted before anyone hears of the commit, so a caller sees its own batch counted.
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.operations.fetch_add(n, Ordering::Relaxed);
    }
    (result, completions)
}
