//! The writer thread: it owns one connection and runs each batch of queued operations as one
//! SQL transaction (READ COMMITTED), committed once (group commit, as the redb engine).
//!
//! **Many gateways, one order.** A batch's first statement locks the row of the `seq` counter
//! (`SELECT ... FOR UPDATE`) and holds it until its `COMMIT`: the batches of all gateways over
//! one database commit one at a time, each reading (READ COMMITTED: every statement sees all
//! that committed before it) what the previous one wrote, exactly as the redb engine's single
//! writer does. So a key's versions order by commit even when gateways write it at once (the
//! sequence is taken under the lock), a read-check-write of an operation sees no concurrent
//! change, multi-object deletes stay one transaction, and no batch meets a serialization
//! failure (40001) or a deadlock (40P01): there is one lock, always taken first. The cost is
//! that metadata commits do not run in parallel across gateways; blob files (the bulk of a
//! write), reads and request handling do. Finer locks (per key) would need operations that
//! can be run again after a deadlock, which `FnOnce` operations (they hand their completion
//! over) cannot.
//!
//! **Runs, leases and fencing.** Each gateway's run (its epoch, which its blob IDs carry) has
//! a row in `gateways`, written in the same transaction that takes the epoch
//! ([`WriteTxn::register_run`]). Every batch refreshes the row's `seen` (`UPDATE ... WHERE
//! epoch = $me`), and an idle writer runs an empty batch every [`HEARTBEAT`]. A run whose
//! `seen` is older than [`LEASE`] is declared dead: a gateway that has itself been up for
//! two leases deletes such rows (a gateway that just reconnected after an outage waits, so
//! that the others have had time to renew theirs). Once its row is gone a run can commit
//! nothing (its batches find no row and fail with [`StorageError::Fenced`]), so the others may
//! remove its unreferenced blob files and partial writes (`Store::sweep`). The row lock
//! orders the two: a renewal and a removal of one row never both succeed. Times are the
//! database server's (`now()`), so gateways' clocks do not matter.

use super::conn::{Conn, Params};
use super::read::{Sql, Txn};
use super::{SEQ_COUNTER, Stats, lost_connection, ord, pg_err};
use crate::error::StorageError;
use crate::meta::stats::StatDelta;
use crate::meta::*;
use postgres::Row;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Most operations one batch takes (as the redb engine).
const MAX_BATCH: usize = 512;
/// How often an idle writer renews its run's lease.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long a run's lease lasts without renewal (in SQL below: keep the two equal).
pub(super) const LEASE: Duration = Duration::from_secs(30);

/// The writer's connection inside a batch.
pub(super) struct WriterSql<'a> {
    conn: RefCell<&'a mut Conn>,
    next_seq: u64,
    writes: Cell<u64>,
    /// A statement failed: PostgreSQL has aborted the transaction, so the batch must not be
    /// reported committed (its `COMMIT` would silently roll back). Whether it failed because
    /// the server was out of reach (the batch's callers get a 503).
    failed: Cell<Option<bool>>,
    /// The run this batch registered ([`WriteTxn::register_run`]), the writer's own once the
    /// batch commits.
    registered: Cell<Option<u64>>,
    /// What this batch changed of the store's counts ([`stats`](crate::meta::stats)), as the
    /// redb engine keeps them: each write statement returns what it replaced or removed.
    delta: StatDelta,
}

impl Sql for WriterSql<'_> {
    fn query(&self, sql: &'static str, params: Params) -> StorageResult<Vec<Row>> {
        let r = self.conn.borrow_mut().query(sql, &params);
        r.map_err(|e| self.fail(pg_err(e)))
    }
}

impl WriterSql<'_> {
    fn exec(&self, sql: &'static str, params: Params) -> StorageResult<()> {
        self.writes.set(self.writes.get() + 1);
        let r = self.conn.borrow_mut().execute(sql, &params);
        r.map(|_| ()).map_err(|e| self.fail(pg_err(e)))
    }

    /// Notes that a statement failed (the first failure says whether the server was lost).
    fn fail(&self, e: StorageError) -> StorageError {
        if self.failed.get().is_none() {
            self.failed.set(Some(e.is_unavailable()));
        }
        e
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

    /// A version record written over or removed: the counts lose it. Returns it.
    fn version_gone(&self, rows: &[Row]) -> StorageResult<Option<VersionRecord>> {
        if let Some(r) = rows.first()
            && let Some(old) = r.try_get::<_, Option<Vec<u8>>>(0).map_err(pg_err)?
        {
            let old: VersionRecord = decode(&old)?;
            self.delta.version(&old, -1);
            return Ok(Some(old));
        }
        Ok(None)
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

    fn remove_version(
        &mut self,
        bucket: &str,
        key: &str,
        seq: u64,
    ) -> StorageResult<Option<VersionRecord>> {
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

    fn take_null_seq(&mut self, bucket: &str, key: &str) -> StorageResult<Option<u64>> {
        let rows = self.sql.write(
            "DELETE FROM nulls WHERE bucket = $1 AND key = $2 RETURNING seq",
            vec![b(bucket), b(key)],
        )?;
        match rows.first() {
            Some(r) => Ok(Some(r.try_get::<_, i64>(0).map_err(pg_err)? as u64)),
            None => Ok(None),
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

    fn register_run(&mut self, epoch: u64, name: &str) -> StorageResult<()> {
        let fenced = self.sql.write(
            "DELETE FROM gateways WHERE name = $1 RETURNING epoch",
            vec![Box::new(name.to_owned())],
        )?;
        for row in fenced {
            let old: i64 = row.try_get(0).map_err(pg_err)?;
            tracing::info!(
                epoch = old,
                name,
                "an earlier run of this gateway is declared dead: its leftovers will be swept"
            );
        }
        self.sql.exec(
            "INSERT INTO gateways (epoch, name, host, pid) VALUES ($1, $2, $3, $4)",
            vec![
                i(epoch as i64),
                Box::new(name.to_owned()),
                Box::new(crate::store::host_name()),
                i(i64::from(std::process::id())),
            ],
        )?;
        self.sql.registered.set(Some(epoch));
        Ok(())
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

/// What the writer knows of its run between batches.
#[derive(Default)]
struct Run {
    /// The run's epoch, once the batch registering it committed.
    epoch: Option<u64>,
    /// The run's lease was taken away: no batch may commit again.
    fenced: bool,
    /// Since when batches have begun without a failure to reach the server.
    up_since: Option<Instant>,
    /// When this writer last removed expired runs.
    expired_at: Option<Instant>,
}

/// Takes every queued operation (up to [`MAX_BATCH`]), runs them in one transaction, commits
/// once, then completes them all with the commit's result; an idle writer commits an empty
/// batch every [`HEARTBEAT`] (the lease). A lost connection is made again before the next
/// batch. Operations of a batch that cannot begin are dropped: their callers see the store
/// as unavailable (503).
pub(super) fn writer_loop(
    url: &str,
    mut conn: Option<Conn>,
    rx: mpsc::Receiver<WriteOp>,
    stats: &Stats,
) {
    let mut wait = Duration::from_millis(5);
    let mut run = Run::default();
    loop {
        let mut batch = Vec::new();
        match rx.recv_timeout(HEARTBEAT) {
            Ok(first) => batch.push(first),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        while !batch.is_empty() && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        if run.fenced {
            drop(batch);
            continue;
        }
        let seq = match begin(url, &mut conn, &mut run) {
            Ok(seq) => seq,
            Err(e) => {
                if matches!(e, StorageError::Fenced) {
                    tracing::error!(
                        epoch = run.epoch,
                        "this gateway's lease expired and another declared it dead: it \
                         refuses every write from now on; restart it"
                    );
                } else {
                    tracing::error!(%e, "starting a metadata transaction failed");
                }
                // The operations never ran: dropping them drops their completions, which their
                // callers see as an unavailable store. The next batch tries again, after a
                // pause growing up to a second.
                drop(batch);
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        wait = Duration::from_millis(5);
        let Some(c) = conn.as_mut() else { continue };
        let (result, completions) = run_batch(c, batch, seq, stats, &mut run);
        if let Err(e) = &result {
            tracing::error!(%e, "metadata batch failed");
            if e.is_unavailable() {
                run.up_since = None;
            }
        }
        for completion in completions {
            completion(match &result {
                Ok(()) => Ok(()),
                Err(StorageError::Full) => Err(StorageError::Full),
                Err(StorageError::Unavailable(m)) => Err(StorageError::Unavailable(m.clone())),
                Err(StorageError::CommitUnknown(m)) => Err(StorageError::CommitUnknown(m.clone())),
                Err(e) => Err(StorageError::BatchFailed(e.to_string())),
            });
        }
    }
}

/// Begins a batch's transaction, connecting first if needed (a connection found dead, the
/// server restarted or ended it, is made again once: nothing has run on it yet), takes the
/// store's write lock and its sequence, renews the run's lease and, now and then, ends the
/// runs whose lease expired. Returns the sequence.
fn begin(url: &str, conn: &mut Option<Conn>, run: &mut Run) -> StorageResult<u64> {
    let r = begin_locked(url, conn, run);
    match &r {
        Ok(_) => {
            run.up_since.get_or_insert_with(Instant::now);
        }
        Err(e) => {
            if e.is_unavailable() {
                run.up_since = None;
            }
            if let Some(c) = conn.as_mut()
                && !c.is_closed()
            {
                let _ = c.batch("ROLLBACK");
            }
        }
    }
    r
}

fn begin_locked(url: &str, conn: &mut Option<Conn>, run: &mut Run) -> StorageResult<u64> {
    let mut retried = false;
    let c = loop {
        if conn.as_ref().is_none_or(Conn::is_closed) {
            *conn = Some(Conn::connect(url)?);
        }
        let Some(c) = conn.as_mut() else { continue };
        match c.batch("BEGIN ISOLATION LEVEL READ COMMITTED") {
            Ok(()) => break c,
            Err(_) if c.is_closed() && !retried => {
                retried = true;
                *conn = None;
            }
            Err(e) => return Err(pg_err(e)),
        }
    };
    let rows = c
        .query(
            "SELECT value FROM counters WHERE name = $1 FOR UPDATE",
            &vec![Box::new(SEQ_COUNTER.as_bytes().to_vec())],
        )
        .map_err(pg_err)?;
    let seq = match rows.first() {
        Some(r) => r.try_get::<_, i64>(0).map_err(pg_err)? as u64,
        None => {
            return Err(StorageError::Corrupt(
                "the sequence's row is missing".into(),
            ));
        }
    };
    if let Some(epoch) = run.epoch {
        let renewed = c
            .execute(
                "UPDATE gateways SET seen = now() WHERE epoch = $1",
                &vec![Box::new(epoch as i64)],
            )
            .map_err(pg_err)?;
        if renewed == 0 {
            run.fenced = true;
            return Err(StorageError::Fenced);
        }
        let up_long = run.up_since.is_some_and(|t| t.elapsed() > 2 * LEASE);
        let due = run.expired_at.is_none_or(|t| t.elapsed() > HEARTBEAT);
        if up_long && due {
            run.expired_at = Some(Instant::now());
            let ended = c
                .query(
                    "DELETE FROM gateways WHERE seen < now() - interval '30 seconds' \
                     RETURNING epoch, name",
                    &Vec::new(),
                )
                .map_err(pg_err)?;
            for row in ended {
                let (epoch, name): (i64, String) = (
                    row.try_get(0).map_err(pg_err)?,
                    row.try_get(1).map_err(pg_err)?,
                );
                tracing::warn!(
                    epoch,
                    name,
                    "a gateway's lease expired: it is declared dead"
                );
            }
        }
    }
    Ok(seq)
}

/// Runs `batch` in the transaction [`begin`] began and commits it; the completions are
/// returned for the caller to complete with the result.
fn run_batch(
    conn: &mut Conn,
    batch: Vec<WriteOp>,
    seq_start: u64,
    stats: &Stats,
    run: &mut Run,
) -> (StorageResult<()>, Vec<Completion>) {
    let n = batch.len() as u64;
    let mut completions = Vec::with_capacity(batch.len());
    let mut poisoned = false;
    let (failed, registered) = {
        let mut w = Txn {
            sql: WriterSql {
                conn: RefCell::new(conn),
                next_seq: seq_start,
                writes: Cell::new(0),
                failed: Cell::new(None),
                registered: Cell::new(None),
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
        (w.sql.failed.get(), w.sql.registered.get())
    };
    let result = if poisoned || failed.is_some() {
        let _ = conn.batch("ROLLBACK");
        Err(match failed {
            Some(true) => StorageError::Unavailable("the connection was lost in a batch".into()),
            Some(false) => StorageError::BatchFailed("a statement of the batch failed".into()),
            None => StorageError::BatchFailed("an operation failed after writing".into()),
        })
    } else {
        conn.batch("COMMIT").map_err(|e| {
            if conn.is_closed() || lost_connection(&e) {
                StorageError::CommitUnknown(e.to_string())
            } else {
                pg_err(e)
            }
        })
    };
    if result.is_ok() {
        // Counted before anyone hears of the commit, so a caller sees its own batch counted.
        if n > 0 {
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.operations.fetch_add(n, Ordering::Relaxed);
        }
        if let Some(epoch) = registered {
            run.epoch = Some(epoch);
        }
    }
    (result, completions)
}
