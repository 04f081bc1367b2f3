//! Versioned schema migrations, run when the engine opens: `schema_migrations` holds the
//! versions applied; the missing ones run in order, all in one transaction that first locks
//! `schema_migrations`, so gateways starting together apply each migration once.

use super::conn::Conn;
use super::pg_err;
use crate::error::StorageError;
use crate::meta::StorageResult;
use postgres::error::SqlState;

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
    // 2: many gateways over one database. Every write batch locks the sequence's row first
    // (so it must exist), and each gateway's run has a row here while it lives (see
    // `writer.rs`). Runs of an earlier schema (one server per database) held an advisory
    // lock instead, and kept their sequence in the row too.
    "INSERT INTO counters (name, value) VALUES (convert_to('seq', 'UTF8'), 0)
         ON CONFLICT (name) DO NOTHING;
     CREATE TABLE gateways (epoch bigint PRIMARY KEY, name text NOT NULL, host text NOT NULL,
         pid bigint NOT NULL, started timestamptz NOT NULL DEFAULT now(),
         seen timestamptz NOT NULL DEFAULT now());
     CREATE INDEX gateways_by_name ON gateways (name);",
];

/// Brings the database's schema up to date.
pub(super) fn migrate(conn: &mut Conn) -> StorageResult<()> {
    // Gateways starting together may race to create the table: `IF NOT EXISTS` does not
    // stop two creations at once (the loser meets a duplicate type or key), and the loser
    // then finds it made.
    let create = "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, \
                  applied_at timestamptz NOT NULL DEFAULT now())";
    let mut tries = 0;
    while let Err(e) = conn.batch(create) {
        let duplicate = e.code().is_some_and(|c| {
            [
                SqlState::DUPLICATE_OBJECT,
                SqlState::DUPLICATE_TABLE,
                SqlState::UNIQUE_VIOLATION,
            ]
            .contains(c)
        });
        tries += 1;
        if !duplicate || tries > 3 {
            return Err(pg_err(e));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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
