//! `strata migrate --from DIR --to postgres://…`: an embedded store's metadata (`DIR/meta.redb`)
//! copied into a fresh PostgreSQL database, so that a server started with `--metadata URL
//! --data-dir DIR` serves what the embedded one served (object data stays in `DIR`).
//!
//! One redb read transaction is copied in ONE PostgreSQL transaction: every table of the redb
//! engine (none of PostgreSQL's own, such as `schema_migrations`), in key order, by binary
//! `COPY`, each record as its stored bytes (the same encodings). Before `COMMIT`, in the same
//! transaction, the copy is verified: each table's row count equals redb's, and the store's
//! counts (`counters`) equal both redb's and a scan of the copy through the PostgreSQL
//! engine's own reads. A failure anywhere rolls everything back, so the target is either
//! untouched (but for the schema, which the engine's migrations create first) or complete; a
//! migration that failed is simply run again.
//!
//! The PostgreSQL store gets an ID (the `store/id` setting, in the same transaction); once
//! the copy is committed, `DIR/STORE` says the directory's files are that store's
//! ([`crate::dirmark`]), which gateways check before they serve the directory. Until then
//! they refuse it (it holds `meta.redb`, or its mark says `embedded`), so a migration that
//! fails anywhere leaves no gateway serving the directory with the wrong metadata.
//!
//! The sequence (`counters`' `seq`, whose row the schema makes) is updated in place rather
//! than copied, under the row lock every gateway's batch takes first, which the migration
//! holds from its first statement: a gateway started on the database meanwhile (from another
//! directory: this one's `LOCK` is held) waits, then reads the migrated sequence and store
//! ID, which is not its directory's, and refuses to start.
//!
//! Refused: a data directory without `meta.redb`, or whose mark says its files are a
//! PostgreSQL store's already; one a server runs on (the directory's `LOCK`
//! is taken for the copy, exclusively: a server holds it, a gateway over PostgreSQL shares
//! it); a target that is not a PostgreSQL URL, or not fresh: a row in any copied table (but
//! the schema's own sequence at 0), or a gateway's run registered in `gateways`.

use super::StoreStats;
use super::pg_store::import::Import;
use super::redb_store::export::Export;
use crate::dirmark::{self, Mark, STORE_ID_SETTING};
use crate::error::StorageError;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The tables of the redb engine, each with its namesake in PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Buckets,
    Versions,
    Objects,
    Nulls,
    Uploads,
    UploadKeys,
    Parts,
    Completions,
    Blobs,
    Garbage,
    Counters,
    Settings,
}

impl Table {
    /// Every table, in the order they are copied.
    pub const ALL: [Table; 12] = [
        Table::Buckets,
        Table::Versions,
        Table::Objects,
        Table::Nulls,
        Table::Uploads,
        Table::UploadKeys,
        Table::Parts,
        Table::Completions,
        Table::Blobs,
        Table::Garbage,
        Table::Counters,
        Table::Settings,
    ];

    /// Its name, in both engines.
    pub fn name(self) -> &'static str {
        match self {
            Table::Buckets => "buckets",
            Table::Versions => "versions",
            Table::Objects => "objects",
            Table::Nulls => "nulls",
            Table::Uploads => "uploads",
            Table::UploadKeys => "upload_keys",
            Table::Parts => "parts",
            Table::Completions => "completions",
            Table::Blobs => "blobs",
            Table::Garbage => "garbage",
            Table::Counters => "counters",
            Table::Settings => "settings",
        }
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One row of a table as redb keeps it: its key's parts and its value's bytes (`inv` is the
/// versions table's `u64::MAX - seq`).
#[derive(Clone, Copy, Debug)]
pub enum Row<'a> {
    Bucket {
        name: &'a str,
        val: &'a [u8],
    },
    Version {
        bucket: &'a str,
        key: &'a [u8],
        inv: u64,
        val: &'a [u8],
    },
    Object {
        bucket: &'a str,
        key: &'a [u8],
        val: &'a [u8],
    },
    Null {
        bucket: &'a str,
        key: &'a [u8],
        seq: u64,
    },
    Upload {
        bucket: &'a str,
        key: &'a [u8],
        upload_id: &'a str,
        val: &'a [u8],
    },
    UploadKey {
        bucket: &'a str,
        upload_id: &'a str,
        key: &'a [u8],
    },
    Part {
        upload_id: &'a str,
        part: u32,
        val: &'a [u8],
    },
    Completion {
        bucket: &'a str,
        key: &'a [u8],
        val: &'a [u8],
    },
    Blob {
        id: u64,
        val: &'a [u8],
    },
    Garbage {
        id: u64,
    },
    Counter {
        name: &'a str,
        value: u64,
    },
    Setting {
        name: &'a str,
        val: &'a [u8],
    },
}

impl Row<'_> {
    /// The table the row belongs to.
    pub fn table(&self) -> Table {
        match self {
            Row::Bucket { .. } => Table::Buckets,
            Row::Version { .. } => Table::Versions,
            Row::Object { .. } => Table::Objects,
            Row::Null { .. } => Table::Nulls,
            Row::Upload { .. } => Table::Uploads,
            Row::UploadKey { .. } => Table::UploadKeys,
            Row::Part { .. } => Table::Parts,
            Row::Completion { .. } => Table::Completions,
            Row::Blob { .. } => Table::Blobs,
            Row::Garbage { .. } => Table::Garbage,
            Row::Counter { .. } => Table::Counters,
            Row::Setting { .. } => Table::Settings,
        }
    }
}

/// Why a migration did not happen (nothing was written to the target but its schema).
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{} holds no meta.redb: there is no embedded store to migrate", .0.display())]
    NoStore(PathBuf),
    #[error(
        "the data directory {} is in use (a strata server is running on it): stop it first",
        .0.display()
    )]
    DataDirLocked(PathBuf),
    #[error(
        "the files of {} belong to a PostgreSQL store already (its STORE file says so): it \
         was migrated before",
        .0.display()
    )]
    AlreadyMigrated(PathBuf),
    #[error(
        "the copy is committed (store ID {id}), but {} could not be marked as that store's: \
         {source}; write the line `postgres {id}` into its STORE file to serve it with \
         --metadata",
        dir.display()
    )]
    Mark {
        dir: PathBuf,
        id: String,
        source: std::io::Error,
    },
    #[error("the target must be a postgres:// (or postgresql://) URL")]
    NotPostgres,
    #[error(
        "the target database is not empty (its table {0} holds rows): migrate needs a fresh \
         database"
    )]
    TargetNotEmpty(&'static str),
    #[error("the copy did not verify, nothing was committed: {0}")]
    Mismatch(String),
    #[error("data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl MigrateError {
    /// Whether the migration was refused for what it was asked (exit 2) rather than failed.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            MigrateError::NoStore(_)
                | MigrateError::AlreadyMigrated(_)
                | MigrateError::DataDirLocked(_)
                | MigrateError::NotPostgres
                | MigrateError::TargetNotEmpty(_)
        )
    }
}

/// What was copied.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Rows per table, in [`Table::ALL`]'s order.
    pub rows: Vec<(Table, u64)>,
    /// The store's counts, as both engines now keep them.
    pub stats: StoreStats,
    /// The PostgreSQL store's ID (the `store/id` setting, and `DIR/STORE`).
    pub store_id: String,
    /// The whole migration's time (connecting and verifying included).
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: u64 = self.rows.iter().map(|(_, n)| n).sum();
        writeln!(
            f,
            "{total} rows copied and verified in {:.2} s:",
            self.seconds
        )?;
        for (table, n) in &self.rows {
            writeln!(f, "  {:<12} {n}", table.name())?;
        }
        let s = &self.stats;
        writeln!(
            f,
            "store: {} buckets, {} objects, {} versions, {} delete markers, {} bytes, {} blobs \
             awaiting reclaim",
            s.buckets, s.objects, s.versions, s.delete_markers, s.bytes, s.garbage
        )?;
        writeln!(
            f,
            "store ID {} (in the database and in STORE)",
            self.store_id
        )
    }
}

/// The sequence's counter (both engines).
const SEQ: &str = "seq";
/// Memory redb may use for its pages during the copy.
const CACHE_BYTES: usize = 64 << 20;

/// Copies the metadata of the store in `dir` into the PostgreSQL database at `url` (see the
/// module's documentation). Blocks until done; runs its database work on a thread of its
/// own, so it may be called from anywhere, a runtime's thread included.
pub fn migrate(dir: &Path, url: &str) -> Result<Summary, MigrateError> {
    let started = Instant::now();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(MigrateError::NotPostgres);
    }
    let redb = dir.join("meta.redb");
    if !redb.is_file() {
        return Err(MigrateError::NoStore(dir.to_owned()));
    }
    let _lock = lock(dir)?;
    let data_dir = |source| MigrateError::DataDir {
        path: dir.to_owned(),
        source,
    };
    if let Some(Mark::Postgres(_)) = dirmark::read(dir).map_err(data_dir)? {
        return Err(MigrateError::AlreadyMigrated(dir.to_owned()));
    }
    let url = url.to_owned();
    let store_id = dirmark::new_store_id();
    let copied = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("strata-migrate".into())
            .spawn_scoped(s, || copy(&redb, &url, &store_id))
            .map_err(|e| MigrateError::Storage(StorageError::Io(e)))?
            .join()
            .unwrap_or_else(|_| {
                Err(MigrateError::Storage(StorageError::Engine(
                    "the migration thread panicked".into(),
                )))
            })
    })?;
    let (rows, stats) = copied;
    dirmark::mark_postgres(dir, &store_id).map_err(|source| MigrateError::Mark {
        dir: dir.to_owned(),
        id: store_id.clone(),
        source,
    })?;
    Ok(Summary {
        rows,
        stats,
        store_id,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Takes the data directory's lock as a server does (an exclusive `flock` of `DIR/LOCK`), for
/// as long as the returned file lives.
fn lock(dir: &Path) -> Result<File, MigrateError> {
    let dir_err = |source| MigrateError::DataDir {
        path: dir.to_owned(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("LOCK"))
        .map_err(dir_err)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(MigrateError::DataDirLocked(dir.to_owned())),
        Err(fs::TryLockError::Error(e)) => Err(dir_err(e)),
    }
}

type Copied = (Vec<(Table, u64)>, StoreStats);

/// The copy itself, on the migration's thread.
fn copy(redb: &Path, url: &str, store_id: &str) -> Result<Copied, MigrateError> {
    let started = Instant::now();
    let mut import = Import::open(url)?;
    if let Some(table) = import.first_occupied()? {
        return Err(MigrateError::TargetNotEmpty(table));
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(seconds, "target ready");
    let started = Instant::now();
    let export = Export::open(redb, CACHE_BYTES)?;
    let has_stats = export.has_stats()?;
    // A store from before the counts gets them now, as opening it would have made them.
    let stats = match has_stats {
        true => StoreStats::read(export.reader())?,
        false => StoreStats::scan(export.reader())?,
    };
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(seconds, "store opened");
    let mut rows = Vec::with_capacity(Table::ALL.len());
    for table in Table::ALL {
        let started = Instant::now();
        let mut sink = import.copy_in(table)?;
        let mut seq = None;
        let visited = export.rows(table, &mut |row| match row {
            Row::Counter { name: SEQ, value } => {
                seq = Some(value);
                Ok(())
            }
            row => sink.write(row),
        })?;
        let mut written = sink.finish()?;
        let in_redb = export.len(table)?;
        let mut expected = in_redb;
        if table == Table::Counters {
            // The sequence's row is there already (0 when redb has none).
            written += import.set_seq(seq.unwrap_or(0))?;
            expected += u64::from(seq.is_none());
            if !has_stats {
                written += import.put_counters(&stats.counters())?;
                expected += stats.counters().len() as u64;
            }
        }
        if table == Table::Settings {
            written += import.put_setting(STORE_ID_SETTING, store_id.as_bytes())?;
            expected += 1;
        }
        if visited != in_redb || written != expected {
            return Err(MigrateError::Mismatch(format!(
                "{table}: {visited} rows read, {written} written, {expected} expected"
            )));
        }
        rows.push((table, expected));
        let seconds = started.elapsed().as_secs_f64();
        tracing::debug!(%table, rows = expected, seconds, "table copied");
    }
    let started = Instant::now();
    verify(&mut import, &rows, stats)?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(seconds, "copy verified");
    let started = Instant::now();
    import.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(seconds, "copy committed");
    Ok((rows, stats))
}

/// Checks the copy in its own transaction, before it commits: every table's row count, and
/// the store's counts (kept, and found by scanning the copy through the engine's reads).
fn verify(
    import: &mut Import,
    rows: &[(Table, u64)],
    stats: StoreStats,
) -> Result<(), MigrateError> {
    for &(table, expected) in rows {
        let found = import.count(table)?;
        if found != expected {
            return Err(MigrateError::Mismatch(format!(
                "{table}: {found} rows in PostgreSQL, {expected} in redb"
            )));
        }
    }
    let (kept, scanned) = import.stats()?;
    if kept != stats || scanned != stats {
        return Err(MigrateError::Mismatch(format!(
            "the store's counts: redb {stats:?}, PostgreSQL kept {kept:?}, scanned {scanned:?}"
        )));
    }
    Ok(())
}
