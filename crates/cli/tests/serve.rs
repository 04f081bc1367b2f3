//! Runs the real `strata` binary: `strata serve --listen 127.0.0.1:0` in a temporary data
//! directory, talking plain HTTP/1.1 to it over a `TcpStream`.
//!
//! No test depends on timing: every wait is for an event (a line of output, an exit), and the
//! timeout below only stops a broken build from hanging the run.

use std::fs;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Only to avoid hanging forever; nothing here should come close to it.
const TIMEOUT: Duration = Duration::from_secs(120);

const LISTENING: &str = "strata listening on http://";

/// A `strata serve` command with a clean environment, listening on a free port.
fn strata_serve(data_dir: &Path) -> Command {
    strata_serve_on(data_dir, "127.0.0.1:0")
}

/// A `strata serve` command with a clean environment, listening on `listen`.
fn strata_serve_on(data_dir: &Path, listen: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", listen])
        .args(["--admin-listen", "127.0.0.1:0"])
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A running `strata` process; killed (and reaped) when dropped.
struct Proc {
    child: Child,
    stdout: Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a server printed up to and including its listening line.
struct Started {
    addr: String,
    line: String,
    before: Vec<String>,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        let mut child = cmd.spawn().expect("spawn strata");
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, stdout) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(err).read_to_string(&mut s);
            s
        });
        Proc {
            child,
            stdout,
            stderr: Some(stderr),
        }
    }

    /// Waits for the listening line; panics with the server's stderr if it exits first.
    fn wait_listening(&mut self) -> Started {
        let deadline = Instant::now() + TIMEOUT;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(LISTENING) {
                        let addr = rest.split(' ').next().unwrap().to_owned();
                        return Started { addr, line, before };
                    }
                    // The admin listener's line comes first; `before` is what else was printed.
                    if !line.starts_with("strata admin listening on http://") {
                        before.push(line);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.wait_exit();
                    panic!(
                        "strata exited ({status}) before listening; stdout: {before:?}; stderr:\n{}",
                        self.stderr()
                    );
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("strata did not start listening within {TIMEOUT:?}")
                }
            }
        }
    }

    /// Waits for the process to exit by itself.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "strata did not exit within {TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything written to stderr; call after the process exited.
    fn stderr(&mut self) -> String {
        self.stderr
            .take()
            .map(|h| h.join().unwrap())
            .unwrap_or_default()
    }

    /// The rest of stdout; call after the process exited.
    fn stdout_rest(&mut self) -> Vec<String> {
        self.stdout.iter().collect()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Runs a command that must fail; returns its exit code, stdout and stderr.
fn run_to_failure(cmd: &mut Command) -> (i32, Vec<String>, String) {
    let mut p = Proc::spawn(cmd);
    let status = p.wait_exit();
    let (out, err) = (p.stdout_rest(), p.stderr());
    assert!(
        !status.success(),
        "strata should have failed; stdout: {out:?}; stderr:\n{err}"
    );
    (status.code().expect("exited by a signal"), out, err)
}

struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection, read until the server closes it.
fn http(addr: &str, method: &str, path: &str) -> HttpResponse {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    let raw = String::from_utf8(raw).expect("UTF-8 response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let mut parts = status_line.splitn(3, ' ');
    assert_eq!(parts.next(), Some("HTTP/1.1"), "{status_line}");
    let status = parts.next().unwrap().parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("a header line");
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn data_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("data")
}

/// The value after `label` in the line that has it.
fn printed(lines: &[String], label: &str) -> Option<String> {
    lines
        .iter()
        .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()))
}

fn assert_mode_0600(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode of {} is {mode:o}", path.display());
}

#[test]
fn health_check_answers_200_with_json() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Proc::spawn(&mut strata_serve(&data_dir(&tmp)));
    let started = server.wait_listening();

    let get = http(&started.addr, "GET", "/_strata/health");
    assert_eq!(get.status, 200);
    assert_eq!(get.header("content-type"), Some("application/json"));
    assert_eq!(get.body, r#"{"status":"ok"}"#);

    let head = http(&started.addr, "HEAD", "/_strata/health");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("content-length"), Some("15"));
    assert_eq!(head.body, "");
}

#[test]
fn listening_line_names_the_bound_port_and_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut server = Proc::spawn(&mut strata_serve(&dir));
    let started = server.wait_listening();
    let port: u16 = started
        .addr
        .strip_prefix("127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    assert!(
        started
            .line
            .ends_with(&format!("(data: {})", dir.display())),
        "{}",
        started.line
    );
}

#[test]
fn unsigned_requests_are_anonymous() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Proc::spawn(&mut strata_serve(&data_dir(&tmp)));
    let started = server.wait_listening();
    for (method, path, status, code) in [
        ("GET", "/", 403, "AccessDenied"),
        ("PUT", "/some-bucket", 403, "AccessDenied"),
        ("GET", "/some-bucket/some/key", 404, "NoSuchBucket"),
    ] {
        let resp = http(&started.addr, method, path);
        assert_eq!(resp.status, status, "{method} {path}");
        assert!(
            resp.body.contains(&format!("<Code>{code}</Code>")),
            "{method} {path}: {}",
            resp.body
        );
    }
}

#[test]
fn first_start_creates_credentials_file_0600_and_prints_the_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut server = Proc::spawn(&mut strata_serve(&dir));
    let started = server.wait_listening();

    let access = printed(&started.before, "access key:").expect("access key printed");
    let secret = printed(&started.before, "secret key:").expect("secret key printed");
    assert_eq!(access.len(), 20, "{access}");
    assert!(
        access
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{access}"
    );
    assert_eq!(secret.len(), 40, "{secret}");
    assert!(
        secret.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{secret}"
    );

    let file = dir.join("credentials");
    assert_mode_0600(&file);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("access_key = {access}\n")), "{text}");
    assert!(text.contains(&format!("secret_key = {secret}\n")), "{text}");
}

#[test]
fn second_start_reuses_the_saved_keys_and_prints_none() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let file = dir.join("credentials");

    let mut first = Proc::spawn(&mut strata_serve(&dir));
    let started = first.wait_listening();
    assert!(printed(&started.before, "secret key:").is_some());
    let saved = fs::read_to_string(&file).unwrap();
    drop(first); // killed, lock released

    let mut second = Proc::spawn(&mut strata_serve(&dir));
    let started = second.wait_listening();
    assert_eq!(
        printed(&started.before, "access key:"),
        None,
        "{:?}",
        started.before
    );
    assert_eq!(
        printed(&started.before, "secret key:"),
        None,
        "{:?}",
        started.before
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), saved);
    assert_mode_0600(&file);
    assert_eq!(http(&started.addr, "GET", "/_strata/health").status, 200);
}

#[test]
fn flag_credentials_override_and_write_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut server = Proc::spawn(strata_serve(&dir).args([
        "--access-key",
        "FLAGACCESSKEY",
        "--secret-key",
        "flagsecretkey",
    ]));
    let started = server.wait_listening();
    assert!(started.before.is_empty(), "{:?}", started.before);
    assert!(!dir.join("credentials").exists());
    assert_eq!(http(&started.addr, "GET", "/_strata/health").status, 200);
}

#[test]
fn env_credentials_override_and_write_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut server = Proc::spawn(
        strata_serve(&dir)
            .env("STRATA_ACCESS_KEY", "ENVACCESSKEY")
            .env("STRATA_SECRET_KEY", "envsecretkey"),
    );
    let started = server.wait_listening();
    assert!(started.before.is_empty(), "{:?}", started.before);
    assert!(!dir.join("credentials").exists());
}

#[test]
fn given_credentials_leave_an_existing_file_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    let saved = "access_key = SAVEDACCESSKEY\nsecret_key = savedsecret\n";
    fs::write(&file, saved).unwrap();

    let mut server =
        Proc::spawn(strata_serve(&dir).args(["--access-key", "A1", "--secret-key", "S1"]));
    let started = server.wait_listening();
    assert!(started.before.is_empty(), "{:?}", started.before);
    assert_eq!(fs::read_to_string(&file).unwrap(), saved);
}

#[test]
fn only_one_of_access_and_secret_key_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut access_flag_only = strata_serve(&dir);
    access_flag_only.args(["--access-key", "A1"]);
    let mut secret_flag_only = strata_serve(&dir);
    secret_flag_only.args(["--secret-key", "S1"]);
    let mut access_env_only = strata_serve(&dir);
    access_env_only.env("STRATA_ACCESS_KEY", "A1");
    let mut secret_env_only = strata_serve(&dir);
    secret_env_only.env("STRATA_SECRET_KEY", "S1");

    for mut cmd in [
        access_flag_only,
        secret_flag_only,
        access_env_only,
        secret_env_only,
    ] {
        let (code, out, err) = run_to_failure(&mut cmd);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out:?}");
        assert!(err.contains("give both or neither"), "{err}");
    }
    assert!(
        !dir.exists(),
        "a usage error must not create the data directory"
    );
}

#[test]
fn second_server_on_the_same_data_dir_fails_while_the_first_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut first = Proc::spawn(&mut strata_serve(&dir));
    let started = first.wait_listening();

    let (code, out, err) = run_to_failure(&mut strata_serve(&dir));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out:?}");
    assert!(err.contains("already in use by another process"), "{err}");
    assert!(err.contains(&dir.display().to_string()), "{err}");

    assert_eq!(http(&started.addr, "GET", "/_strata/health").status, 200);
}

#[test]
fn data_dir_under_a_regular_file_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    fs::write(&file, "not a directory").unwrap();
    let dir = file.join("data");

    let (code, out, err) = run_to_failure(&mut strata_serve(&dir));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out:?}");
    let line = err
        .lines()
        .find(|l| l.starts_with("strata: error:"))
        .expect(&err);
    assert!(
        line.contains(&format!(
            "the data directory {} cannot be used",
            dir.display()
        )),
        "{line}"
    );
}

#[test]
fn address_that_cannot_be_bound_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();

    let (code, out, err) = run_to_failure(&mut strata_serve_on(&data_dir(&tmp), &addr));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.is_empty(),
        "a failed start prints no credentials: {out:?}"
    );
    assert!(
        err.contains(&format!("strata: error: cannot listen on {addr}")),
        "{err}"
    );
}

#[test]
fn sigterm_shuts_down_gracefully_and_releases_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(&tmp);
    let mut server = Proc::spawn(&mut strata_serve(&dir));
    let started = server.wait_listening();
    assert_eq!(http(&started.addr, "GET", "/_strata/health").status, 200);

    let kill = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", server.pid())])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = server.wait_exit();
    assert!(status.success(), "{status}; stderr:\n{}", server.stderr());

    let mut again = Proc::spawn(&mut strata_serve(&dir));
    again.wait_listening();
}
