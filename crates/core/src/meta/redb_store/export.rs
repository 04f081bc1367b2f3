//! Reading a whole redb store for `strata migrate` ([`crate::meta::migrate`]): every table's
//! rows, in key order, as [`Row`]s of the table's key shape and its values' stored bytes, all
//! from one read transaction.

use super::*;
use crate::meta::migrate::{Row, Table};
use redb::{ReadableTableMetadata, TableError};

/// One snapshot of a redb store, read table by table.
pub struct Export {
    snapshot: Arc<RedbRead>,
}

impl Export {
    /// Opens the existing database at `path` (never creating one; a file left by a killed
    /// server is repaired, as a start would) and takes one read transaction of it.
    pub fn open(path: &Path, cache_bytes: usize) -> StorageResult<Export> {
        let db = Database::builder()
            .set_cache_size(cache_bytes)
            .open(path)
            .eng()?;
        let db = Arc::new(db);
        Ok(Export {
            snapshot: RedbRead::begin(db)?,
        })
    }

    /// The snapshot, read as the store reads (for the counts: [`StoreStats`]).
    pub fn reader(&self) -> &dyn ReadTxn {
        &self.snapshot
    }

    /// Whether the store keeps its counts (a store from before them lacks `stats/present`).
    pub fn has_stats(&self) -> StorageResult<bool> {
        match self.snapshot.txn.open_table(COUNTERS) {
            Ok(t) => Ok(t.get(STATS_PRESENT).eng()?.is_some()),
            Err(TableError::TableDoesNotExist(_)) => Ok(false),
            Err(e) => Err(StorageError::Engine(e.to_string())),
        }
    }

    /// How many rows `table` holds (redb's own count; 0 for a table the store never made).
    pub fn len(&self, table: Table) -> StorageResult<u64> {
        macro_rules! len {
            ($def:expr) => {
                match self.snapshot.txn.open_table($def) {
                    Ok(t) => t.len().eng(),
                    Err(TableError::TableDoesNotExist(_)) => Ok(0),
                    Err(e) => Err(StorageError::Engine(e.to_string())),
                }
            };
        }
        match table {
            Table::Buckets => len!(BUCKETS),
            Table::Versions => len!(VERSIONS),
            Table::Objects => len!(OBJECTS),
            Table::Nulls => len!(NULLS),
            Table::Uploads => len!(UPLOADS),
            Table::UploadKeys => len!(UPLOAD_KEYS),
            Table::Parts => len!(PARTS),
            Table::Completions => len!(COMPLETIONS),
            Table::Blobs => len!(BLOBS),
            Table::Garbage => len!(GARBAGE),
            Table::Counters => len!(COUNTERS),
            Table::Settings => len!(SETTINGS),
        }
    }

    /// Hands every row of `table` to `visit`, in key order; returns how many it handed.
    pub fn rows(
        &self,
        table: Table,
        visit: &mut dyn FnMut(Row<'_>) -> StorageResult<()>,
    ) -> StorageResult<u64> {
        // Opens the table (none: no rows), then visits each (key, value) as the row `$row`.
        macro_rules! each {
            ($def:expr, |$k:pat_param, $v:pat_param| $row:expr) => {{
                let t = match self.snapshot.txn.open_table($def) {
                    Ok(t) => t,
                    Err(TableError::TableDoesNotExist(_)) => return Ok(0),
                    Err(e) => return Err(StorageError::Engine(e.to_string())),
                };
                let mut n = 0;
                for item in t.iter().eng()? {
                    let (k, v) = item.eng()?;
                    let ($k, $v) = (k.value(), v.value());
                    visit($row)?;
                    n += 1;
                }
                Ok(n)
            }};
        }
        match table {
            Table::Buckets => each!(BUCKETS, |name, val| Row::Bucket { name, val }),
            Table::Versions => each!(VERSIONS, |(bucket, key, inv), val| Row::Version {
                bucket,
                key,
                inv,
                val
            }),
            Table::Objects => each!(OBJECTS, |(bucket, key), val| Row::Object {
                bucket,
                key,
                val
            }),
            Table::Nulls => each!(NULLS, |(bucket, key), seq| Row::Null { bucket, key, seq }),
            Table::Uploads => each!(UPLOADS, |(bucket, key, upload_id), val| Row::Upload {
                bucket,
                key,
                upload_id,
                val
            }),
            Table::UploadKeys => each!(UPLOAD_KEYS, |(bucket, upload_id), key| {
                Row::UploadKey {
                    bucket,
                    upload_id,
                    key,
                }
            }),
            Table::Parts => each!(PARTS, |(upload_id, part), val| Row::Part {
                upload_id,
                part,
                val
            }),
            Table::Completions => each!(COMPLETIONS, |(bucket, key), val| Row::Completion {
                bucket,
                key,
                val
            }),
            Table::Blobs => each!(BLOBS, |id, val| Row::Blob { id, val }),
            Table::Garbage => each!(GARBAGE, |id, ()| Row::Garbage { id }),
            Table::Counters => each!(COUNTERS, |name, value| Row::Counter { name, value }),
            Table::Settings => each!(SETTINGS, |name, val| Row::Setting { name, val }),
        }
    }
}
