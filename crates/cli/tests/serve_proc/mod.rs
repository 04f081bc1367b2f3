//! What the config, logs and client-credentials tests share: `strata serve` with a clean
//! environment and exactly the arguments a test gives, its stderr in a file the test reads,
//! a plain HTTP/1.1 request, and a finished command's output.
//!
//! Waits are for events (the listening line, an exit); the timeout only stops a broken build
//! from hanging the run.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const LISTENING: &str = "strata listening on http://";

/// `strata ARGS` with none of strata's environment variables set.
pub fn strata(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .env_remove("STRATA_ENDPOINT")
        .env_remove("STRATA_CONFIG")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    cmd
}

/// A running `strata serve`, killed and reaped when dropped.
pub struct Serve {
    child: Child,
    /// `127.0.0.1:PORT` of the data listener.
    pub addr: String,
    /// The data directory the listening line names.
    pub data: String,
    /// What it printed on stdout up to its listening line.
    pub stdout: Vec<String>,
    stderr: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `cmd` (a `strata serve` command) with its stderr going to `stderr`, and waits for
    /// its listening line.
    pub fn start(mut cmd: Command, stderr: &Path) -> Serve {
        let file = std::fs::File::create(stderr).unwrap();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::from(file))
            .spawn()
            .expect("start strata serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            match rx.recv_timeout(TIMEOUT) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(LISTENING) {
                        let (addr, data) = rest.split_once(" (data: ").unwrap();
                        let data = data.strip_suffix(')').unwrap().to_owned();
                        return Serve {
                            addr: addr.to_owned(),
                            data,
                            stdout: printed,
                            child,
                            stderr: stderr.to_owned(),
                        };
                    }
                    printed.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "strata serve did not listen; stdout {printed:?}; stderr:\n{}",
                        std::fs::read_to_string(stderr).unwrap_or_default()
                    );
                }
            }
        }
    }

    /// Everything written to stderr so far. A request's log line is written before its answer
    /// is sent, so it is there once the answer has arrived.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT` of the admin listener, from its listening line.
    pub fn admin(&self) -> String {
        self.stdout
            .iter()
            .find_map(|l| l.strip_prefix("strata admin listening on http://"))
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no admin listening line in {:?}", self.stdout))
            .to_owned()
    }
}

/// A response: status and headers (names lowercased).
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One unsigned HTTP/1.1 request on its own connection.
pub fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> Response {
    http_with(addr, method, path, &[], body)
}

/// [`http`] with more headers.
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    Response {
        status: status.parse().unwrap(),
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect(),
    }
}

/// A command run to its end: exit code, stdout, stderr.
pub fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
