//! Versioned schema migrations, run when the engine opens: `schema_migrations` holds the
//! versions applied; the missing ones run in order, all in one transaction that first locks
//! `schema_migrations`, so gateways starting together apply each migration once.

use super::conn::Conn;
use super::pg_err;
use crate::error::StorageError;
use crate::meta::StorageResult;

/// The migrations, in order: migration `n` is `MIGRATIONS[n - 1]`. Never edit one that has
/// shipped; add the next.
const MIGRATIONS: &[&str] = &[
    // 1: the tables of the redb engine (see the module's table of tables).
    "CREATE TABLE buckets (name bytea PRIMARY KEY, val bytea NOT NULL);
     CREATE TABLE versions (bucket bytea NOT NULL, key bytea NOT NULL, inv bigint NOT NULL,
         val bytea NOT NULL, PRIMARY KEY (bucket, key, inv));
     CREATE TABLE objects (bucket bytea NOT NULL, key bytea NOT NULL, val bytea NOT NULL,
         PRIMARY KEY (bucket, key));
     CREATE TABLE nulls (bucket bytea NOT NULL, key bytea NOT NULL, seq bigint NOT NULL,
         PRIMARY KEY (bucket, key));
     CREATE TABLE uploads (bucket bytea NOT NULL, key bytea NOT NULL, upload_id bytea NOT NULL,
         val bytea NOT NULL, PRIMARY KEY (bucket, key, upload_id));
     CREATE TABLE upload_keys (bucket bytea NOT NULL, upload_id bytea NOT NULL,
         key bytea NOT NULL, PRIMARY KEY (bucket, upload_id));
     CREATE TABLE parts (upload_id bytea NOT NULL, part bigint NOT NULL, val bytea NOT NULL,
         PRIMARY KEY (upload_id, part));
     CREATE TABLE completions (bucket bytea NOT NULL, key bytea NOT NULL, val bytea NOT NULL,
         PRIMARY KEY (bucket, key));
     CREATE TABLE blobs (id bigint PRIMARY KEY, val bytea NOT NULL);
     CREATE TABLE garbage (id bigint PRIMARY KEY);
     CREATE TABLE counters (name bytea PRIMARY KEY, value bigint NOT NULL);
     CREATE TABLE settings (name bytea PRIMARY KEY, val bytea NOT NULL);",
];

/// Brings the database's schema up to date.
pub(super) fn migrate(conn: &mut Conn) -> StorageResult<()> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, \
         applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .map_err(pg_err)?;
    conn.batch("BEGIN; LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
        .map_err(pg_err)?;
    let r = apply_missing(conn);
    let end = if r.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.batch(end).map_err(pg_err);
    r.and(ended)
}

fn apply_missing(conn: &mut Conn) -> StorageResult<()> {
    let rows = conn
        .query(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &Vec::new(),
        )
        .map_err(pg_err)?;
    let applied: i32 = rows
        .first()
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(pg_err)?
        .unwrap_or(0);
    let known = MIGRATIONS.len() as i32;
    if applied > known {
        return Err(StorageError::Engine(format!(
            "the metadata database's schema is version {applied}, newer than this \
             server's {known}"
        )));
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        conn.batch(sql).map_err(pg_err)?;
        conn.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &vec![Box::new(n as i32 + 1)],
        )
        .map_err(pg_err)?;
        tracing::info!(version = n + 1, "metadata schema migrated");
    }
    Ok(())
}

/// A counter's value outside any batch (0 when absent).
pub(super) fn counter(conn: &mut Conn, name: &str) -> StorageResult<u64> {
    let rows = conn
        .query(
            "SELECT value FROM counters WHERE name = $1",
            &vec![Box::new(name.as_bytes().to_vec())],
        )
        .map_err(pg_err)?;
    match rows.first() {
        Some(r) => Ok(r.try_get::<_, i64>(0).map_err(pg_err)? as u64),
        None => Ok(0),
    }
}

/// The advisory lock key the one writer of a database holds ("Strata" and 1).
pub(super) const WRITER_LOCK: i64 = 0x5374_7261_7461_0001;

/// Takes the database's writer lock for this connection's life: one server writes a database
/// at a time (its sequence lives in the writer's memory between batches). A session-level
/// advisory lock, released by PostgreSQL when the connection ends (a killed server's too,
/// once its backend has noticed: hence `wait`). Many gateways over one database will replace
/// it (see `writer.rs`).
pub(super) fn lock_writer(conn: &mut Conn, wait: std::time::Duration) -> StorageResult<()> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let rows = conn
            .query(
                "SELECT pg_try_advisory_lock($1)",
                &vec![Box::new(WRITER_LOCK)],
            )
            .map_err(pg_err)?;
        let locked: bool = match rows.first() {
            Some(r) => r.try_get(0).map_err(pg_err)?,
            None => false,
        };
        if locked {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(StorageError::Engine(
                "the metadata database is in use by another strata server".into(),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Gives the writer lock back (at a clean close, so that the next server need not wait for
/// the connection's end to be noticed).
pub(super) fn unlock_writer(conn: &mut Conn) {
    let _ = conn.query(
        "SELECT pg_advisory_unlock($1)",
        &vec![Box::new(WRITER_LOCK)],
    );
}
