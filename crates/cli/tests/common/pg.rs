//! PostgreSQL for the tests that run `strata serve --metadata`: a database of its own on the
//! server `STRATA_TEST_PG` names ([`Database`]), or a throwaway cluster of this machine's
//! PostgreSQL programs that a test may stop and restart ([`Cluster`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The server `STRATA_TEST_PG` names (`postgres://USER@HOST:PORT/`).
pub fn server() -> String {
    std::env::var("STRATA_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
        .expect("STRATA_TEST_PG=postgres://USER@HOST:PORT/")
}

/// `url` (`postgres://USER@HOST:PORT/…`) with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    format!("{}/{name}", &url[..host_end])
}

/// Runs `sql` on the maintenance database of `server`, on a thread of its own (the synchronous
/// client refuses to run inside a tokio runtime).
pub fn try_admin(server: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (with_database(server, "postgres"), sql.to_owned());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls)
            .map_err(|e| format!("connecting to {url}: {e}"))?;
        c.batch_execute(&sql).map_err(|e| format!("{sql}: {e}"))
    })
    .join()
    .unwrap_or_else(|_| Err("the admin thread panicked".into()))
}

/// [`try_admin`], which must succeed.
pub fn admin(server: &str, sql: &str) {
    try_admin(server, sql).unwrap_or_else(|e| panic!("{e}"));
}

/// Rows of `sql`'s first column (a `bigint`) in the database at `url`.
pub fn query_i64(url: &str, sql: &str) -> Vec<i64> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        c.query(&sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get::<_, i64>(0))
            .collect()
    })
    .join()
    .unwrap()
}

/// Runs one statement in the database at `url`; the rows it affected.
pub fn execute(url: &str, sql: &str) -> u64 {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        c.execute(&sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    })
    .join()
    .unwrap()
}

/// A database of its own with a random name, dropped with the guard.
pub struct Database {
    server: String,
    name: String,
    /// Its URL, for `--metadata`.
    pub url: String,
}

impl Database {
    /// A new database on `server`.
    pub fn create_on(server: &str) -> Database {
        let name = format!("strata_gw_{:016x}", rand::random::<u64>());
        admin(server, &format!("CREATE DATABASE {name}"));
        Database {
            server: server.to_owned(),
            url: with_database(server, &name),
            name,
        }
    }

    /// A new database on `STRATA_TEST_PG`'s server.
    pub fn create() -> Database {
        Database::create_on(&server())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Not while panicking for another reason: that one is the message to see.
        if let Err(e) = try_admin(&self.server, &sql)
            && !std::thread::panicking()
        {
            panic!("{e}");
        }
    }
}

/// A PostgreSQL cluster of its own: `initdb` into a temporary directory and `pg_ctl` on a
/// free port, as `nobody` when running as root (PostgreSQL refuses root), as
/// `scripts/test-pg` does. Stopped (immediately) and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    /// `postgres://postgres@127.0.0.1:PORT/`.
    pub url: String,
}

/// The directory of the newest installed PostgreSQL's programs.
fn pg_bin() -> PathBuf {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs in /usr/lib/postgresql/*/bin (Debian's postgresql)")
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop()
        .expect("no /usr/lib/postgresql/*/bin/initdb (install Debian's postgresql)")
        .1
}

fn is_root() -> bool {
    // The effective user owns the files it creates.
    let probe = tempfile::tempfile().unwrap();
    std::os::unix::fs::MetadataExt::uid(&probe.metadata().unwrap()) == 0
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    pub fn start() -> Cluster {
        let bin = pg_bin();
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .arg("nobody")
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown nobody {}", dir.path().display());
        }
        let port = free_port();
        let cluster = Cluster {
            bin,
            url: format!("postgres://postgres@127.0.0.1:{port}/"),
            dir,
            port,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&["start"]);
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of PostgreSQL's programs (as `nobody` when we are root); panics with its
    /// output when it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(self.bin.join(program));
            c
        } else {
            Command::new(self.bin.join(program))
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}\n{}\nserver.log:\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl -D DATA -w ARGS…` with the cluster's port and socket directory; fsync off (a
    /// throwaway cluster for tests, not a test of PostgreSQL's durability).
    pub fn pg_ctl(&self, args: &[&str]) {
        let data = self.data();
        let log = self.dir.path().join("server.log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let mut all = vec![
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-o",
            &options,
        ];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    /// Where the cluster lives.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let _ = cmd
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
