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
use crate::meta::*;
use postgres::Row;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::sync::mpsc;

/// Most operations one batch takes (as the redb engine).
const MAX_BATCH: usize = 512;

/// Buffered writes are sent once they reach this many bytes of SQL (else before the next read
/// and with the `COMMIT`).
const FLUSH_BYTES: usize = 1 << 20;

/// The writer's connection inside a batch.
///
/// Writes are buffered: each becomes a statement with its values written in (see [`inline`]),
/// and the buffer goes to the server as one multi-statement message before the batch's next
/// read, or with its `COMMIT`: one round trip for all the writes between two reads instead of
/// one each. A write that fails therefore fails at that flush, which fails the whole batch
/// (`failed`), as a failed write does anyway.
pub(super) struct WriterSql<'a> {
    conn: RefCell<&'a mut Conn>,
    next_seq: u64,
    writes: Cell<u64>,
    pending: RefCell<String>,
    /// A statement failed: PostgreSQL has aborted the transaction, so the batch must not be
    /// reported committed (its `COMMIT` would silently roll back).
    failed: Cell<bool>,
}

impl Sql for WriterSql<'_> {
    fn query(&self, sql: &'static str, params: Params) -> StorageResult<Vec<Row>> {
        self.flush()?;
        let r = self.conn.borrow_mut().query(sql, &params);
        r.map_err(|e| {
            self.failed.set(true);
            pg_err(e)
        })
    }
}

impl WriterSql<'_> {
    fn exec(&self, sql: &'static str, params: Vec<Lit>) -> StorageResult<()> {
        self.writes.set(self.writes.get() + 1);
        let full = {
            let mut pending = self.pending.borrow_mut();
            inline(sql, &params, &mut pending);
            pending.push_str(";\n");
            pending.len() >= FLUSH_BYTES
        };
        if full { self.flush() } else { Ok(()) }
    }

    /// Sends the buffered writes, followed by `then` (the `COMMIT`, or nothing).
    fn flush_with(&self, then: &str) -> StorageResult<()> {
        let mut sql = std::mem::take(&mut *self.pending.borrow_mut());
        sql.push_str(then);
        if sql.is_empty() || self.failed.get() {
            return if self.failed.get() {
                Err(StorageError::BatchFailed(
                    "an earlier statement failed".into(),
                ))
            } else {
                Ok(())
            };
        }
        let r = self.conn.borrow_mut().batch(&sql);
        r.map_err(|e| {
            self.failed.set(true);
            pg_err(e)
        })
    }

    fn flush(&self) -> StorageResult<()> {
        self.flush_with("")
    }
}

/// A value of a buffered write.
enum Lit {
    Bytes(Vec<u8>),
    Int(i64),
}

fn b(s: &str) -> Lit {
    Lit::Bytes(s.as_bytes().to_vec())
}

fn i(v: i64) -> Lit {
    Lit::Int(v)
}

fn val<T: Versioned>(rec: &T) -> Lit {
    Lit::Bytes(encode(rec))
}

/// Appends `sql` to `out` with each `$N` replaced by `params[N - 1]` as a literal: integers in
/// decimal, bytes as `decode('HEX', 'hex')`, which holds only hex digits whatever the bytes
/// and whatever the server's string settings, so no value can end the literal. Written by
/// hand: the simple-query protocol (one round trip for many statements) takes no parameters,
/// and the statements here are this module's own with `$N` in no other place.
fn inline(sql: &str, params: &[Lit], out: &mut String) {
    use std::fmt::Write as _;
    let bytes = sql.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'$' {
            let digits = bytes[at + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let n: usize = sql[at + 1..at + 1 + digits].parse().unwrap_or(0);
            match n.checked_sub(1).and_then(|n| params.get(n)) {
                Some(Lit::Int(v)) => {
                    let _ = write!(out, "{v}");
                }
                Some(Lit::Bytes(v)) => {
                    out.push_str("decode('");
                    out.push_str(&hex::encode(v));
                    out.push_str("', 'hex')");
                }
                // Every statement here numbers its parameters from 1; a gap would be a bug
                // of this module, which makes the statement fail at the server.
                None => out.push_str("NULL"),
            }
            at += 1 + digits;
        } else {
            let next = bytes[at..]
                .iter()
                .position(|&c| c == b'$')
                .map_or(bytes.len(), |p| at + p);
            out.push_str(&sql[at..next]);
            at = next;
        }
    }
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
            vec![b(name), Lit::Bytes(value.to_vec())],
        )
    }

    fn remove_setting(&mut self, name: &str) -> StorageResult<()> {
        self.sql
            .exec("DELETE FROM settings WHERE name = $1", vec![b(name)])
    }

    fn put_bucket(&mut self, name: &str, rec: &BucketRecord) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO buckets (name, val) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET val = EXCLUDED.val",
            vec![b(name), val(rec)],
        )
    }

    fn remove_bucket(&mut self, name: &str) -> StorageResult<()> {
        self.sql
            .exec("DELETE FROM buckets WHERE name = $1", vec![b(name)])
    }

    fn put_version(&mut self, bucket: &str, key: &str, rec: &VersionRecord) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO versions (bucket, key, inv, val) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (bucket, key, inv) DO UPDATE SET val = EXCLUDED.val",
            vec![b(bucket), b(key), i(ord(u64::MAX - rec.seq)), val(rec)],
        )
    }

    fn remove_version(&mut self, bucket: &str, key: &str, seq: u64) -> StorageResult<()> {
        self.sql.exec(
            "DELETE FROM versions WHERE bucket = $1 AND key = $2 AND inv = $3",
            vec![b(bucket), b(key), i(ord(u64::MAX - seq))],
        )
    }

    fn put_object(&mut self, bucket: &str, key: &str, rec: &ObjectSummary) -> StorageResult<()> {
        self.sql.exec(
            "INSERT INTO objects (bucket, key, val) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, key) DO UPDATE SET val = EXCLUDED.val",
            vec![b(bucket), b(key), val(rec)],
        )
    }

    fn remove_object(&mut self, bucket: &str, key: &str) -> StorageResult<()> {
        self.sql.exec(
            "DELETE FROM objects WHERE bucket = $1 AND key = $2",
            vec![b(bucket), b(key)],
        )
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
            vec![
                Box::new(bucket.as_bytes().to_vec()),
                Box::new(upload_id.as_bytes().to_vec()),
            ],
        )?;
        if let Some(row) = rows.first() {
            let key: Vec<u8> = row
                .try_get(0)
                .map_err(|e| StorageError::Corrupt(format!("metadata row: {e}")))?;
            self.sql.exec(
                "DELETE FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id = $3",
                vec![b(bucket), Lit::Bytes(key), b(upload_id)],
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
        self.sql.exec(
            "INSERT INTO garbage (id) VALUES ($1) ON CONFLICT (id) DO NOTHING",
            vec![i(ord(id))],
        )
    }

    fn remove_garbage(&mut self, id: u64) -> StorageResult<()> {
        self.sql
            .exec("DELETE FROM garbage WHERE id = $1", vec![i(ord(id))])
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
    let (committed, seq) = {
        let mut w = Txn {
            sql: WriterSql {
                conn: RefCell::new(conn),
                next_seq: seq_start,
                writes: Cell::new(0),
                pending: RefCell::new(String::new()),
                failed: Cell::new(false),
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
        let seq = w.sql.next_seq;
        if seq != seq_start
            && !poisoned
            && let Err(e) = w.set_counter(SEQ_COUNTER, seq)
        {
            tracing::error!(%e, "persisting the sequence failed");
        }
        // The buffered writes and the COMMIT in one message: a failing write stops it
        // before the COMMIT.
        let committed = if poisoned || w.sql.failed.get() {
            None
        } else {
            Some(w.sql.flush_with("COMMIT"))
        };
        (committed, seq)
    };
    // Sequence numbers handed out in a failed batch were never published; they stay used
    // anyway, so the sequence only ever grows.
    *next_seq = seq;
    let result = match committed {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => {
            let _ = conn.batch("ROLLBACK");
            Err(e)
        }
        None => {
            let _ = conn.batch("ROLLBACK");
            Err(StorageError::BatchFailed(if poisoned {
                "an operation failed after writing".into()
            } else {
                "a statement of the batch failed".into()
            }))
        }
    };
    if result.is_ok() {
        // Counted before anyone hears of the commit, so a caller sees its own batch counted.
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.operations.fetch_add(n, Ordering::Relaxed);
    }
    (result, completions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_as_literals() {
        let mut out = String::new();
        inline(
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3) -- $10",
            &[b("x'); DROP TABLE t; --"), i(-5), Lit::Bytes(vec![0, 255])],
            &mut out,
        );
        assert_eq!(
            out,
            "INSERT INTO t (a, b, c) VALUES (decode('7827293b2044524f50205441424c4520743b202d2d', \
             'hex'), -5, decode('00ff', 'hex')) -- NULL"
        );
    }
}
