//! The metadata engine of the core's tests: the embedded redb, or PostgreSQL when
//! `STRATA_TEST_PG` holds a server's URL (`postgres://USER@HOST:PORT/`). Then every test
//! directory ([`tempdir`]) gets a database of its own, created with a random name and dropped
//! when the directory is. And another writer of the same database, played by plain SQL
//! ([`other_gateway`]), for the tests of what one gateway's caches see of changes made
//! elsewhere (the core's `shared_caches` suite and the API's behaviour suite, which includes
//! this file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The URL of the server the tests run their metadata on, if any.
pub fn server() -> Option<String> {
    std::env::var("STRATA_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The database of each live test directory.
static DATABASES: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);

/// The metadata location for a store in `dir`: with `STRATA_TEST_PG`, the database created
/// for `dir` by [`tempdir`]; else, and for directories made otherwise (the suites about
/// redb's file: compaction, disk full, the crash tests' child processes), `None` (redb).
pub fn metadata(dir: &Path) -> Option<String> {
    server()?;
    let dbs = DATABASES.lock().unwrap_or_else(PoisonError::into_inner);
    dbs.as_ref().and_then(|m| m.get(dir)).cloned()
}

/// A temporary data directory and, with `STRATA_TEST_PG`, its database; both removed on drop.
pub struct TestDir {
    dir: tempfile::TempDir,
    db: Option<(String, String)>,
}

impl TestDir {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// Runs `sql` on the server's maintenance database, on a thread of its own (the synchronous
/// client refuses to run inside a tokio runtime, where the tests are).
fn admin(server: &str, sql: String) -> Result<(), String> {
    let url = with_database(server, "postgres");
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls)
            .map_err(|e| format!("connecting to {url}: {e}"))?;
        c.batch_execute(&sql).map_err(|e| format!("{sql}: {e}"))
    })
    .join()
    .unwrap_or_else(|_| Err("the admin thread panicked".into()))
}

pub fn tempdir() -> TestDir {
    let dir = tempfile::tempdir().unwrap();
    let db = server().map(|server| {
        let name = format!("strata_test_{:016x}", rand::random::<u64>());
        admin(&server, format!("CREATE DATABASE {name}")).unwrap();
        let url = with_database(&server, &name);
        DATABASES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_default()
            .insert(dir.path().to_owned(), url);
        (server, name)
    });
    TestDir { dir, db }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if let Some((server, name)) = self.db.take() {
            if let Some(m) = DATABASES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
            {
                m.remove(self.dir.path());
            }
            // FORCE: a store of the test may still hold connections.
            let dropped = admin(
                &server,
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
            if let Err(e) = dropped {
                eprintln!("dropping the test database {name}: {e}");
            }
        }
    }
}

/// One write of another gateway over the same database (see [`other_gateway`]).
pub enum Write {
    PutBucket(&'static str, Vec<u8>),
    RemoveBucket(&'static str),
    PutSetting(&'static str, Vec<u8>),
    RemoveSetting(&'static str),
    /// The configuration generation moved, as every configuration change moves it.
    Changed,
}

/// Runs `f` with a connection of its own to `url`, on a thread of its own (the synchronous
/// client refuses to run inside the tests' runtime).
fn sql<T: Send + 'static>(
    url: &str,
    f: impl FnOnce(&mut postgres::Client) -> T + Send + 'static,
) -> T {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        f(&mut c)
    })
    .join()
    .unwrap()
}

/// Another gateway commits `writes` in one transaction: the rows its write would make, or
/// (without [`Write::Changed`]) a row changed as no gateway changes one, to show that the
/// caches answer from memory until the generation moves.
pub fn other_gateway(url: &str, writes: Vec<Write>) {
    sql(url, move |c| {
        let mut t = c.transaction().unwrap();
        for w in writes {
            let n = match w {
                Write::PutBucket(name, val) => t.execute(
                    "INSERT INTO buckets (name, val) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET val = EXCLUDED.val",
                    &[&name.as_bytes(), &val],
                ),
                Write::RemoveBucket(name) => {
                    t.execute("DELETE FROM buckets WHERE name = $1", &[&name.as_bytes()])
                }
                Write::PutSetting(name, val) => t.execute(
                    "INSERT INTO settings (name, val) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET val = EXCLUDED.val",
                    &[&name.as_bytes(), &val],
                ),
                Write::RemoveSetting(name) => {
                    t.execute("DELETE FROM settings WHERE name = $1", &[&name.as_bytes()])
                }
                Write::Changed => t.execute(
                    "UPDATE counters SET value = value + 1 WHERE name = $1",
                    &[&"config/generation".as_bytes()],
                ),
            };
            assert_eq!(n.unwrap(), 1, "one row written");
        }
        t.commit().unwrap();
    });
}

/// A row's value as the store wrote it (`table` is `buckets` or `settings`).
pub fn stored_row(url: &str, table: &'static str, name: &'static str) -> Vec<u8> {
    sql(url, move |c| {
        let q = match table {
            "buckets" => "SELECT val FROM buckets WHERE name = $1",
            _ => "SELECT val FROM settings WHERE name = $1",
        };
        c.query_one(q, &[&name.as_bytes()]).unwrap().get(0)
    })
}
