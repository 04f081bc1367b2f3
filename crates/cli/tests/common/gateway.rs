//! Gateways: several `strata serve` processes over one PostgreSQL database and one data
//! directory, each with its own `--gateway-name`, that a test may SIGKILL and start again
//! under the same name; and the traces runs leave in the data directory (`tmp/EPOCH/`, blob
//! files named after their run's epoch).

use super::pg::query_i64;
use super::{ACCESS_KEY, SECRET_KEY};
use std::collections::BTreeSet;
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

    /// Sends it a signal by name (`STOP`, `CONT`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -s {signal} {}", self.child.id());
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

// Runs' traces in the shared data directory: `tmp/EPOCH/` and `blobs/XX/ID` (ID's high 24
// bits are its run's epoch).

/// The entries of `data/tmp`.
pub fn tmp_dirs(data: &Path) -> BTreeSet<String> {
    match std::fs::read_dir(data.join("tmp")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
        Err(e) => panic!("{}: {e}", data.display()),
    }
}

/// The `tmp/` entry a gateway that just started made (its epoch).
pub fn new_tmp_dir(data: &Path, before: &BTreeSet<String>) -> String {
    let new: Vec<String> = tmp_dirs(data).difference(before).cloned().collect();
    assert_eq!(new.len(), 1, "tmp/ before {before:?}, new {new:?}");
    new.into_iter().next().unwrap()
}

/// The epoch a `tmp/` directory is named after (6 hex digits).
pub fn epoch_of(dir_name: &str) -> u64 {
    u64::from_str_radix(dir_name, 16)
        .ok()
        .filter(|_| dir_name.len() == 6)
        .unwrap_or_else(|| panic!("tmp/{dir_name} is not named after an epoch"))
}

/// What a crash between a blob's rename and its commit leaves, and a partial write: a blob
/// file of the killed run `run` that no metadata refers to, and a file in its `tmp/` (so the
/// sweep has something to remove whatever the kill hit).
pub fn plant_leftovers(data: &Path, run: &str) {
    let id = (epoch_of(run) << 40) | (1 << 39);
    let blob = data
        .join("blobs")
        .join(format!("{:02x}", id & 0xff))
        .join(format!("{id:016x}"));
    std::fs::write(blob, b"left over").unwrap();
    std::fs::write(data.join("tmp").join(run).join("partial"), b"part").unwrap();
}

/// What the killed runs (`killed`, their `tmp/` names) left that should be gone: their tmp
/// directories, and their blob files no metadata refers to.
pub fn leftovers(data: &Path, metadata: &str, killed: &[&String]) -> Vec<String> {
    let tmp = tmp_dirs(data);
    let mut out: Vec<String> = killed
        .iter()
        .filter(|k| tmp.contains(k.as_str()))
        .map(|k| format!("tmp/{k}"))
        .collect();
    let killed: BTreeSet<u64> = killed.iter().map(|k| epoch_of(k)).collect();
    // The blobs table: u64 IDs as bigints with the sign bit flipped.
    let referenced: BTreeSet<u64> = query_i64(metadata, "SELECT id FROM blobs")
        .into_iter()
        .map(|id| (id as u64) ^ (1 << 63))
        .collect();
    for sub in std::fs::read_dir(data.join("blobs")).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            let Ok(id) = u64::from_str_radix(&name, 16) else {
                continue;
            };
            if killed.contains(&(id >> 40)) && !referenced.contains(&id) {
                out.push(format!("blobs/{name}"));
            }
        }
    }
    out
}
