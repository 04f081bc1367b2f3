//! What the client-command tests share: a real `strata serve` on a free port with known keys
//! in a temporary directory, a `strata_client::Client` to populate and inspect it over HTTP,
//! and running `strata rm|restore|bench|user` against it. For `gateways.rs`: several
//! gateways over one PostgreSQL database (`gateway`, `pg`), the load they carry (`load`) and
//! the checks of its history (`history`).
//!
//! Waits are for events (the listening line, an exit); the timeout only stops a broken build
//! from hanging the run.

#![allow(dead_code)]

pub mod gateway;
pub mod history;
pub mod load;
pub mod pg;

use bytes::Bytes;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use strata_client::{Client, Config, Credentials, Dialect, ObjectId, VersionEntry};

pub const ACCESS_KEY: &str = "AKIDSTRATATEST000001";
pub const SECRET_KEY: &str = "strataTestSecretKey0000000000000000000001";

const TIMEOUT: Duration = Duration::from_secs(120);
const LISTENING: &str = "strata listening on http://";
const ADMIN_LISTENING: &str = "strata admin listening on http://";

/// A running `strata serve`; killed and reaped when dropped (its data directory goes too,
/// unless it was given: [`Server::start_in`]).
pub struct Server {
    child: Child,
    pub endpoint: String,
    /// The admin listener's address, HOST:PORT (`/metrics`, `/health`, `/ready`).
    pub admin: String,
    /// Where its log is (`server.log`).
    log: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start_in(dir.path(), &[]);
        server._dir = Some(dir);
        server
    }

    /// A server that logs every request it serves (one `served` line each, naming its
    /// operation): for tests that count the requests a command sends.
    pub fn start_logging_requests() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::spawn(dir.path(), &[], "strata_api=info,warn");
        server._dir = Some(dir);
        server
    }

    /// A server over `dir/data` (logging to `dir/server.log`) with `extra` arguments, which
    /// leaves `dir` in place when dropped: another can be started over the same data.
    pub fn start_in(dir: &std::path::Path, extra: &[&str]) -> Server {
        // One log line per request is too many for most tests.
        Server::spawn(dir, extra, "warn")
    }

    fn spawn(dir: &std::path::Path, extra: &[&str], log_filter: &str) -> Server {
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--listen", "127.0.0.1:0"])
            .args(["--admin-listen", "127.0.0.1:0"])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .args(extra)
            .env_remove("STRATA_ACCESS_KEY")
            .env_remove("STRATA_SECRET_KEY")
            .env("RUST_LOG", log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn strata serve");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut admin = String::new();
        let endpoint = loop {
            match rx.recv_timeout(TIMEOUT) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(ADMIN_LISTENING) {
                        admin = rest.split(' ').next().unwrap().to_owned();
                    }
                    if let Some(rest) = line.strip_prefix(LISTENING) {
                        break format!("http://{}", rest.split(' ').next().unwrap());
                    }
                }
                Err(e) => {
                    let log = std::fs::read_to_string(dir.join("server.log"));
                    panic!("strata serve did not start ({e}); log: {log:?}");
                }
            }
        };
        Server {
            child,
            endpoint,
            admin,
            log: dir.join("server.log"),
            _dir: None,
        }
    }

    /// How many requests of `operation` (as the request log names it) it has served.
    pub fn served(&self, operation: &str) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let field = format!("operation=\"{operation}\"");
        log.lines()
            .map(strip_ansi)
            .filter(|l| l.contains(" served ") && l.contains(&field))
            .count()
    }

    pub fn client(&self, dialect: Dialect) -> Client {
        self.client_as(dialect, ACCESS_KEY, SECRET_KEY)
    }

    /// A client signing with another key pair.
    pub fn client_as(&self, dialect: Dialect, access_key: &str, secret_key: &str) -> Client {
        Client::new(Config {
            endpoint: self.endpoint.clone(),
            dialect,
            credentials: Credentials {
                access_key: access_key.into(),
                secret_key: secret_key.into(),
            },
            region: None,
        })
        .unwrap()
    }

    /// `strata COMMAND ARGS… --endpoint … --dialect DIALECT`, keys from the environment.
    pub fn strata(&self, dialect: Dialect, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(args)
            .args(["--endpoint", &self.endpoint, "--dialect", dialect.as_str()])
            .env("STRATA_ACCESS_KEY", ACCESS_KEY)
            .env("STRATA_SECRET_KEY", SECRET_KEY)
            .env_remove("STRATA_ENDPOINT")
            .stdin(Stdio::null())
            .output()
            .expect("run strata");
        Run::from(output)
    }
}

/// `strata ARGS… --endpoint …` for an administrator's command (`user`, `compact`), signed
/// with `keys` given in the environment (none: no keys).
pub fn admin_command(server: &Server, args: &[&str], keys: Option<(&str, &str)>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .args(["--endpoint", &server.endpoint])
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .env_remove("STRATA_ENDPOINT")
        .stdin(Stdio::null());
    if let Some((ak, sk)) = keys {
        cmd.env("STRATA_ACCESS_KEY", ak)
            .env("STRATA_SECRET_KEY", sk);
    }
    Run::from(cmd.output().expect("run strata"))
}

/// A finished client command.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn assert_success(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The summary line starting with `prefix`.
    pub fn line(&self, prefix: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{}\n{}", self.stdout, self.stderr))
    }

    /// Each `(label, n)`: `n` after `label` in the line starting with `prefix`.
    pub fn assert_counts(&self, prefix: &str, expected: &[(&str, u64)]) {
        for &(label, n) in expected {
            assert_eq!(self.count(prefix, label), n, "{label}: {}", self.stdout);
        }
    }

    /// The number after `label` in the line starting with `prefix` (`deleted 5`, …).
    pub fn count(&self, prefix: &str, label: &str) -> u64 {
        let line = self.line(prefix);
        let (_, rest) = line
            .split_once(&format!("{label} "))
            .unwrap_or_else(|| panic!("no {label:?} in {line:?}"));
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no number after {label:?} in {line:?}"))
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `f(i)` for every `i` in `0..n`, `concurrency` at a time; panics on the first error.
pub async fn for_each<F, Fut>(n: usize, concurrency: usize, f: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), strata_client::Error>> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                if let Err(e) = f(i).await {
                    panic!("operation {i}: {e}");
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Puts `n` objects `k00000`, `k00001`, … holding `body` into `bucket`, 32 at a time.
pub async fn put_numbered(c: &Client, bucket: &str, n: usize, body: &'static [u8]) {
    let (c, bucket) = (c.clone(), bucket.to_owned());
    for_each(n, 32, move |i| {
        let (c, bucket) = (c.clone(), bucket.clone());
        async move {
            c.put_object(&bucket, &format!("k{i:05}"), Bytes::from_static(body))
                .await
                .map(drop)
        }
    })
    .await;
}

/// Every version and delete marker under `prefix`, in listing order.
pub async fn all_versions(c: &Client, bucket: &str, prefix: &str) -> Vec<VersionEntry> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = c
            .list_versions(bucket, prefix, marker.as_ref(), 1000)
            .await
            .unwrap();
        out.extend(page.entries);
        marker = page.next;
        if marker.is_none() {
            return out;
        }
    }
}

/// Every current key under `prefix`.
pub async fn all_keys(c: &Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = c
            .list_objects(bucket, prefix, next.as_deref(), 1000)
            .await
            .unwrap();
        out.extend(page.entries.into_iter().map(|e| e.key));
        next = page.next;
        if next.is_none() {
            return out;
        }
    }
}

/// Multi-deletes `keys` without version IDs (a delete marker each in a versioned bucket), up
/// to 1000 per request, `concurrency` requests at a time.
pub async fn stack_markers(c: &Client, bucket: &str, keys: Arc<Vec<String>>, concurrency: usize) {
    let batches = keys.len().div_ceil(1000);
    let (c, bucket) = (c.clone(), bucket.to_owned());
    for_each(batches, concurrency, move |b| {
        let (c, bucket, keys) = (c.clone(), bucket.clone(), keys.clone());
        async move {
            let ids: Vec<ObjectId> = keys[b * 1000..((b + 1) * 1000).min(keys.len())]
                .iter()
                .map(|k| ObjectId {
                    key: k.clone(),
                    version_id: None,
                })
                .collect();
            let failures = c.delete_objects(&bucket, &ids).await?;
            assert!(failures.is_empty(), "{failures:?}");
            Ok(())
        }
    })
    .await;
}

/// `line` without its terminal colour sequences (`ESC [ … m`), which the server's log has.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
