//! Gateways: several `strata serve` processes over one PostgreSQL database and one data
//! directory, each with its own `--gateway-name`, that a test may SIGKILL and start again
//! under the same name.

use super::{ACCESS_KEY, SECRET_KEY};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use strata_client::{Client, Config, Credentials, Dialect};

/// How long a start may take before the test fails (only a broken build gets near it).
const START_TIMEOUT: Duration = Duration::from_secs(120);
const LISTENING: &str = "strata listening on http://";

/// One running gateway; SIGKILLed and reaped when dropped.
pub struct Gateway {
    child: Child,
    pub name: String,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The listen address, kept across restarts so clients keep their endpoint.
    pub listen: String,
    runs: u32,
    dir: PathBuf,
    metadata: String,
}

impl Gateway {
    /// Starts gateway `name` with its metadata at `metadata` (a PostgreSQL URL) and its data
    /// under `dir/data` (shared with the other gateways); its log is `dir/NAME.N.log`.
    pub fn start(dir: &Path, metadata: &str, name: &str) -> Gateway {
        let listen = format!("127.0.0.1:{}", free_port());
        let (child, endpoint) = spawn(dir, metadata, name, &listen, 0);
        Gateway {
            child,
            name: name.to_owned(),
            endpoint,
            listen,
            runs: 1,
            dir: dir.to_owned(),
            metadata: metadata.to_owned(),
        }
    }

    /// SIGKILL, and wait until the process is gone.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Starts it again with the same name and address, after [`Gateway::kill`].
    pub fn restart(&mut self) {
        let (child, endpoint) = spawn(
            &self.dir,
            &self.metadata,
            &self.name,
            &self.listen,
            self.runs,
        );
        self.child = child;
        self.endpoint = endpoint;
        self.runs += 1;
    }

    pub fn client(&self, dialect: Dialect) -> Client {
        Client::new(Config {
            endpoint: format!("http://{}", self.listen),
            dialect,
            credentials: Credentials {
                access_key: ACCESS_KEY.into(),
                secret_key: SECRET_KEY.into(),
            },
            region: None,
        })
        .unwrap()
    }

    /// Every log line of every run of this gateway.
    pub fn logs(&self) -> String {
        (0..self.runs)
            .map(|n| {
                std::fs::read_to_string(self.dir.join(format!("{}.{n}.log", self.name)))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `strata serve` and waits for its listening line. The port was free when chosen;
/// a restart on the same port binds again once the killed process is reaped.
fn spawn(dir: &Path, metadata: &str, name: &str, listen: &str, run: u32) -> (Child, String) {
    let log_path = dir.join(format!("{name}.{run}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--metadata", metadata])
        .args(["--listen", listen])
        .args(["--admin-listen", "off"])
        .args(["--gateway-name", name])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .env_remove("STRATA_METADATA")
        .env_remove("STRATA_CONFIG")
        .env("RUST_LOG", "warn")
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
    loop {
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(LISTENING) {
                    let endpoint = format!("http://{}", rest.split(' ').next().unwrap());
                    return (child, endpoint);
                }
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&log_path);
                panic!("gateway {name} did not start ({e}); log: {log:?}");
            }
        }
    }
}
