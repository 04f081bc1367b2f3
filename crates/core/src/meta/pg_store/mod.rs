//! The PostgreSQL metadata engine (`strata serve --metadata postgres://...`): the same tables,
//! key orders and record encodings as [`super::redb_store`], one SQL table per redb table.
//!
//! Every key column is `bytea` (names and object keys as their UTF-8 bytes), which PostgreSQL
//! orders bytewise, as redb orders byte strings; a composite primary key orders column by
//! column, as redb orders tuples. `u64` keys (blob IDs, the versions table's
//! `u64::MAX - seq`) are `bigint` through [`ord`], which keeps their unsigned order. Values
//! are the records of [`crate::meta::records`], as `bytea`.
//!
//! | table | primary key | value |
//! |---|---|---|
//! | `buckets` | name | `val` [`BucketRecord`] |
//! | `versions` | (bucket, key, inv = ord(`u64::MAX - seq`)) | `val` [`VersionRecord`] |
//! | `objects` | (bucket, key) | `val` [`ObjectSummary`] |
//! | `nulls` | (bucket, key) | `seq` |
//! | `uploads` | (bucket, key, upload_id) | `val` [`UploadRecord`] |
//! | `upload_keys` | (bucket, upload_id) | `key` |
//! | `parts` | (upload_id, part) | `val` [`PartRecord`] |
//! | `completions` | (bucket, key) | `val` [`CompletionRecord`] |
//! | `blobs` | id = ord(blob ID) | `val` [`BlobRecord`] |
//! | `garbage` | id = ord(blob ID) | |
//! | `counters` | name | `value` (u64 as bigint's bits) |
//! | `settings` | name | `val` bytes |
//! | `gateways` | epoch | name, host, pid, started, seen (the live runs: `writer.rs`) |
//! | `schema_migrations` | version | when it was applied |
//!
//! Threads (see `conn.rs` for why): a writer thread owns one connection and commits each batch
//! of operations as one transaction (`writer.rs`); a read is a `REPEATABLE READ, READ ONLY`
//! transaction (a snapshot, as redb's read transactions) on a connection owned by a reader
//! thread of a small pool. Durability is PostgreSQL's: a batch is acknowledged after its
//! `COMMIT` returned, which with the default `synchronous_commit = on` means its WAL is on disk.
//! A connection found dead when a transaction begins (PostgreSQL restarted, or ended it) is
//! made again once, invisibly; one that dies inside a transaction fails that read or batch
//! (its callers get [`StorageError::Unavailable`], a 503; the next transaction reconnects).
//!
//! Many gateways write one database (`writer.rs`): each batch first locks the sequence's
//! row, so batches of all gateways commit one at a time, and each gateway's run is a row of
//! `gateways` that its batches keep fresh (a lease) and that fences it once removed.
//! There is no file to compact: [`MetaStore::compact`] answers `NotWorthwhile` (PostgreSQL's
//! autovacuum reuses the space of deleted rows).

use super::*;
use conn::{Conn, Pool, Reader, ReaderState};
use postgres::error::SqlState;
use read::{Sql, Txn};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

mod conn;
mod read;
mod schema;
mod writer;

const SEQ_COUNTER: &str = "seq";

/// A `u64` as a `bigint` of the same order (the sign bit flipped).
pub(super) fn ord(v: u64) -> i64 {
    (v ^ (1 << 63)) as i64
}

/// The inverse of [`ord`].
pub(super) fn from_ord(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

/// A PostgreSQL failure as the storage layer's error: a full disk, and a server out of reach
/// (refusing connections, restarting, shutting down, or the connection lost), are told apart.
pub(super) fn pg_err(e: postgres::Error) -> StorageError {
    match e.as_db_error() {
        Some(db) if db.code() == &SqlState::DISK_FULL => StorageError::Full,
        Some(db) if unreachable_state(db.code()) => {
            StorageError::Unavailable(format!("postgres {}: {}", db.code().code(), db.message()))
        }
        Some(db) => {
            StorageError::Engine(format!("postgres {}: {}", db.code().code(), db.message()))
        }
        None if e.is_closed() || lost_connection(&e) => {
            StorageError::Unavailable(format!("postgres: {e}"))
        }
        None => StorageError::Engine(format!("postgres: {e}")),
    }
}

/// Errors of the server's state rather than of the statement: connection exceptions (class
/// 08), an administrator's or a crash's shutdown, a server still starting, too many
/// connections.
fn unreachable_state(code: &SqlState) -> bool {
    code.code().starts_with("08")
        || [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
        ]
        .contains(code)
}

/// A client-side error caused by the connection (refused, reset, timed out): its source is
/// an I/O error.
fn lost_connection(e: &postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

#[derive(Default)]
pub(super) struct Stats {
    batches: AtomicU64,
    operations: AtomicU64,
}

/// A snapshot on a reader connection, taken from the pool for the snapshot's life.
struct Snapshot<'a> {
    pool: &'a Pool,
    reader: Option<Reader>,
    begun: std::cell::Cell<bool>,
}

impl Sql for Snapshot<'_> {
    fn query(&self, sql: &'static str, params: conn::Params) -> StorageResult<Vec<postgres::Row>> {
        let Some(reader) = self.reader.as_ref() else {
            return Err(StorageError::Engine("snapshot already ended".into()));
        };
        let begin = !self.begun.replace(true);
        reader.call(move |s: &mut ReaderState| s.query(begin, sql, &params))
    }
}

impl Drop for Snapshot<'_> {
    /// Ends the transaction without waiting for it (the next user of the connection queues
    /// behind the `COMMIT`) and gives the connection back.
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            if self.begun.get() {
                reader.post(ReaderState::end);
            }
            self.pool.give_back(reader);
        }
    }
}

/// The PostgreSQL engine.
pub struct PgMeta {
    pool: Pool,
    stats: std::sync::Arc<Stats>,
    queue: Option<mpsc::Sender<WriteOp>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for PgMeta {
    /// Closes the queue and waits for the writer to finish its last batch.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl PgMeta {
    /// Connects to the database at `url` (a `postgres://` URL), brings its schema up to date
    /// and starts the writer. Blocks the calling thread for the connection and migrations
    /// (they run on the writer thread, never on a runtime's).
    pub fn open(url: &str) -> StorageResult<PgMeta> {
        let (queue, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let stats = std::sync::Arc::new(Stats::default());
        let writer_stats = stats.clone();
        let writer_url = url.to_owned();
        let writer = std::thread::Builder::new()
            .name("strata-meta-pg-writer".into())
            .spawn(move || {
                let opened = Conn::connect(&writer_url).and_then(|mut conn| {
                    schema::migrate(&mut conn)?;
                    Ok(conn)
                });
                match opened {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        writer::writer_loop(&writer_url, Some(conn), rx, &writer_stats);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(StorageError::Io)?;
        let ready = ready_rx.recv().unwrap_or(Err(StorageError::WriterGone));
        if let Err(e) = ready {
            let _ = writer.join();
            return Err(e);
        }
        Ok(PgMeta {
            pool: Pool::new(url),
            stats,
            queue: Some(queue),
            writer: Some(writer),
        })
    }
}

impl MetaStore for PgMeta {
    fn read(&self) -> StorageResult<Box<dyn ReadTxn + '_>> {
        Ok(Box::new(Txn {
            sql: Snapshot {
                pool: &self.pool,
                reader: Some(self.pool.take()?),
                begun: std::cell::Cell::new(false),
            },
        }))
    }

    fn submit(&self, op: WriteOp) -> StorageResult<()> {
        let queue = self.queue.as_ref().ok_or(StorageError::WriterGone)?;
        queue.send(op).map_err(|_| StorageError::WriterGone)
    }

    fn commit_stats(&self) -> CommitStats {
        CommitStats {
            batches: self.stats.batches.load(Ordering::Relaxed),
            operations: self.stats.operations.load(Ordering::Relaxed),
        }
    }

    /// Nothing to compact: there is no file of ours; PostgreSQL's (auto)vacuum reuses the
    /// space of deleted rows.
    fn compact(&self, req: crate::compact::CompactRequest) -> StorageResult<()> {
        (req.done)(Ok(crate::compact::CompactOutcome::NotWorthwhile {
            file_bytes: 0,
            reclaimable: 0,
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ord_keeps_the_unsigned_order() {
        let values = [
            0,
            1,
            2,
            (1 << 63) - 1,
            1 << 63,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        for w in values.windows(2) {
            assert!(ord(w[0]) < ord(w[1]), "{} {}", w[0], w[1]);
        }
        for v in values {
            assert_eq!(from_ord(ord(v)), v);
        }
    }
}
