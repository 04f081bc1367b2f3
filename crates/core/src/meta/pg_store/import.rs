//! Loading a redb store's rows into a fresh database for `strata migrate`
//! ([`crate::meta::migrate`]): one connection, one transaction holding the sequence's row
//! lock from its start (the lock every gateway's batch takes first: a gateway starting
//! meanwhile waits for the copy to end), one binary `COPY` per table. Keys get the
//! engine's conversions (`ord` for the `u64` keys, bytes for names); values are copied as
//! they are stored. The sequence's row, which the schema makes, is updated in place.

use super::conn::{Conn, Params};
use super::read::{Sql, Txn};
use super::schema::migrate;
use super::{SEQ_COUNTER, ord, pg_err};
use crate::error::StorageError;
use crate::meta::migrate::{MigrateError, Row, Table};
use crate::meta::{StorageResult, StoreStats};
use postgres::Row as PgRow;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use std::cell::RefCell;

/// A SQL text for each table: `$before`, the table's name, `$after`.
macro_rules! by_table {
    ($table:expr, $before:literal, $after:literal) => {
        match $table {
            Table::Buckets => concat!($before, "buckets", $after),
            Table::Versions => concat!($before, "versions", $after),
            Table::Objects => concat!($before, "objects", $after),
            Table::Nulls => concat!($before, "nulls", $after),
            Table::Uploads => concat!($before, "uploads", $after),
            Table::UploadKeys => concat!($before, "upload_keys", $after),
            Table::Parts => concat!($before, "parts", $after),
            Table::Completions => concat!($before, "completions", $after),
            Table::Blobs => concat!($before, "blobs", $after),
            Table::Garbage => concat!($before, "garbage", $after),
            Table::Counters => concat!($before, "counters", $after),
            Table::Settings => concat!($before, "settings", $after),
        }
    };
}

/// The `COPY` of a table: its columns (as the schema's migration 1 made them) and their types.
fn copy_of(table: Table) -> (&'static str, &'static [Type]) {
    const B: Type = Type::BYTEA;
    const I: Type = Type::INT8;
    match table {
        Table::Buckets => ("COPY buckets (name, val) FROM STDIN BINARY", &[B, B]),
        Table::Versions => (
            "COPY versions (bucket, key, inv, val) FROM STDIN BINARY",
            &[B, B, I, B],
        ),
        Table::Objects => (
            "COPY objects (bucket, key, val) FROM STDIN BINARY",
            &[B, B, B],
        ),
        Table::Nulls => (
            "COPY nulls (bucket, key, seq) FROM STDIN BINARY",
            &[B, B, I],
        ),
        Table::Uploads => (
            "COPY uploads (bucket, key, upload_id, val) FROM STDIN BINARY",
            &[B, B, B, B],
        ),
        Table::UploadKeys => (
            "COPY upload_keys (bucket, upload_id, key) FROM STDIN BINARY",
            &[B, B, B],
        ),
        Table::Parts => (
            "COPY parts (upload_id, part, val) FROM STDIN BINARY",
            &[B, I, B],
        ),
        Table::Completions => (
            "COPY completions (bucket, key, val) FROM STDIN BINARY",
            &[B, B, B],
        ),
        Table::Blobs => ("COPY blobs (id, val) FROM STDIN BINARY", &[I, B]),
        Table::Garbage => ("COPY garbage (id) FROM STDIN BINARY", &[I]),
        Table::Counters => ("COPY counters (name, value) FROM STDIN BINARY", &[B, I]),
        Table::Settings => ("COPY settings (name, val) FROM STDIN BINARY", &[B, B]),
    }
}

/// The target database, inside the migration's transaction.
pub(crate) struct Import {
    conn: Conn,
}

impl Import {
    /// Connects, brings the schema up to date (the engine's own migrations, committed on
    /// their own), begins the migration's transaction and takes the sequence's row lock.
    pub(crate) fn open(url: &str) -> Result<Import, MigrateError> {
        let mut conn = Conn::connect(url)?;
        migrate(&mut conn)?;
        conn.batch("BEGIN ISOLATION LEVEL READ COMMITTED")
            .map_err(pg_err)?;
        let rows = conn
            .query(
                "SELECT value FROM counters WHERE name = $1 FOR UPDATE",
                &vec![Box::new(SEQ_COUNTER.as_bytes().to_vec())],
            )
            .map_err(pg_err)?;
        if rows.is_empty() {
            return Err(StorageError::Corrupt("the sequence's row is missing".into()).into());
        }
        Ok(Import { conn })
    }

    /// The first table that makes the database not fresh, if any: one of the copied tables
    /// holding a row (`counters` a row but the schema's own `seq` = 0), or `gateways` (a
    /// gateway's run registered).
    pub(crate) fn first_occupied(&mut self) -> StorageResult<Option<&'static str>> {
        let occupied = |conn: &mut Conn, sql: &'static str, params: Params| {
            let rows = conn.query(sql, &params).map_err(pg_err)?;
            match rows.first() {
                Some(r) => r.try_get::<_, bool>(0).map_err(pg_err),
                None => Ok(false),
            }
        };
        for table in Table::ALL {
            let found = match table {
                Table::Counters => occupied(
                    &mut self.conn,
                    "SELECT EXISTS (SELECT 1 FROM counters WHERE name <> $1 OR value <> 0)",
                    vec![Box::new(SEQ_COUNTER.as_bytes().to_vec())],
                )?,
                _ => occupied(
                    &mut self.conn,
                    by_table!(table, "SELECT EXISTS (SELECT 1 FROM ", ")"),
                    Vec::new(),
                )?,
            };
            if found {
                return Ok(Some(table.name()));
            }
        }
        let gateways = occupied(
            &mut self.conn,
            "SELECT EXISTS (SELECT 1 FROM gateways)",
            Vec::new(),
        )?;
        Ok(gateways.then_some("gateways"))
    }

    /// Sets the sequence (its row, which the schema made, updated in place: a gateway waiting
    /// for its lock then reads the new value). Returns 1, the row written.
    pub(crate) fn set_seq(&mut self, seq: u64) -> StorageResult<u64> {
        self.conn
            .execute(
                "UPDATE counters SET value = $2 WHERE name = $1",
                &vec![
                    Box::new(SEQ_COUNTER.as_bytes().to_vec()),
                    Box::new(seq as i64),
                ],
            )
            .map_err(pg_err)
    }

    /// Starts the `COPY` of `table`'s rows.
    pub(crate) fn copy_in(&mut self, table: Table) -> StorageResult<Sink<'_>> {
        let (sql, types) = copy_of(table);
        let writer = self.conn.copy_in(sql).map_err(pg_err)?;
        Ok(Sink {
            table,
            writer: BinaryCopyInWriter::new(writer, types),
        })
    }

    /// Inserts counters (the counts of a store from before them); returns how many.
    pub(crate) fn put_counters(&mut self, counters: &[(&str, u64)]) -> StorageResult<u64> {
        for &(name, value) in counters {
            let params: Params = vec![Box::new(name.as_bytes().to_vec()), Box::new(value as i64)];
            self.conn
                .execute(
                    "INSERT INTO counters (name, value) VALUES ($1, $2)",
                    &params,
                )
                .map_err(pg_err)?;
        }
        Ok(counters.len() as u64)
    }

    /// Inserts a setting; returns 1, the row written.
    pub(crate) fn put_setting(&mut self, name: &str, val: &[u8]) -> StorageResult<u64> {
        self.conn
            .execute(
                "INSERT INTO settings (name, val) VALUES ($1, $2)",
                &vec![Box::new(name.as_bytes().to_vec()), Box::new(val.to_vec())],
            )
            .map_err(pg_err)
    }

    /// How many rows `table` holds (in this transaction).
    pub(crate) fn count(&mut self, table: Table) -> StorageResult<u64> {
        let sql = by_table!(table, "SELECT count(*) FROM ", "");
        let rows = self.conn.query(sql, &Vec::new()).map_err(pg_err)?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(pg_err)?,
            None => 0,
        };
        Ok(n as u64)
    }

    /// The store's counts as the copy keeps them (`counters`) and as a scan of the copy finds
    /// them, both through the engine's own read methods (this transaction's view).
    pub(crate) fn stats(&mut self) -> StorageResult<(StoreStats, StoreStats)> {
        let txn = Txn {
            sql: InTxn(RefCell::new(&mut self.conn)),
        };
        Ok((StoreStats::read(&txn)?, StoreStats::scan(&txn)?))
    }

    /// Commits the copy (and so gives the sequence's row lock back).
    pub(crate) fn commit(mut self) -> StorageResult<()> {
        self.conn.batch("COMMIT").map_err(pg_err)
    }
}

/// The migration's connection, read through the engine's read methods.
struct InTxn<'a>(RefCell<&'a mut Conn>);

impl Sql for InTxn<'_> {
    fn query(&self, sql: &'static str, params: Params) -> StorageResult<Vec<PgRow>> {
        self.0.borrow_mut().query(sql, &params).map_err(pg_err)
    }
}

/// The `COPY` of one table under way.
pub(crate) struct Sink<'a> {
    table: Table,
    writer: BinaryCopyInWriter<'a>,
}

impl Sink<'_> {
    /// Sends one row (of this sink's table).
    pub(crate) fn write(&mut self, row: Row<'_>) -> StorageResult<()> {
        if row.table() != self.table {
            return Err(StorageError::Engine(format!(
                "a row of {} sent to the copy of {}",
                row.table(),
                self.table
            )));
        }
        let w = &mut self.writer;
        let r = match row {
            Row::Bucket { name, val } => w.write(&[&name.as_bytes(), &val]),
            Row::Version {
                bucket,
                key,
                inv,
                val,
            } => w.write(&[&bucket.as_bytes(), &key, &ord(inv), &val]),
            Row::Object { bucket, key, val } | Row::Completion { bucket, key, val } => {
                w.write(&[&bucket.as_bytes(), &key, &val])
            }
            // The engine stores a null entry's sequence and a counter as a bigint's bits.
            Row::Null { bucket, key, seq } => w.write(&[&bucket.as_bytes(), &key, &(seq as i64)]),
            Row::Upload {
                bucket,
                key,
                upload_id,
                val,
            } => w.write(&[&bucket.as_bytes(), &key, &upload_id.as_bytes(), &val]),
            Row::UploadKey {
                bucket,
                upload_id,
                key,
            } => w.write(&[&bucket.as_bytes(), &upload_id.as_bytes(), &key]),
            Row::Part {
                upload_id,
                part,
                val,
            } => w.write(&[&upload_id.as_bytes(), &i64::from(part), &val]),
            Row::Blob { id, val } => w.write(&[&ord(id), &val]),
            Row::Garbage { id } => w.write(&[&ord(id) as &(dyn ToSql + Sync)]),
            Row::Counter { name, value } => w.write(&[&name.as_bytes(), &(value as i64)]),
            Row::Setting { name, val } => w.write(&[&name.as_bytes(), &val]),
        };
        r.map_err(pg_err)
    }

    /// Ends the `COPY`; returns how many rows PostgreSQL took.
    pub(crate) fn finish(self) -> StorageResult<u64> {
        self.writer.finish().map_err(pg_err)
    }
}
