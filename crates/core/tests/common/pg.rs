//! The metadata engine of the core's tests: the embedded redb, or PostgreSQL when
//! `STRATA_TEST_PG` holds a server's URL (`postgres://USER@HOST:PORT/`). Then every test
//! directory ([`tempdir`]) gets a database of its own, created with a random name and dropped
//! when the directory is.

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
