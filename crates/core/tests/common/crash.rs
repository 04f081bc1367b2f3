//! The SIGKILL harness the crash tests share: the test binary runs itself again as a child
//! (only the child test, with an environment variable naming the data directory, which the
//! child test reads; without it that test does nothing), waits for the child to say `READY`
//! (or for lines of the test's choice), lets it work for a while, kills it with SIGKILL and
//! returns every line it printed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The child test of one crash test: its name, and the variable that hands it the data
/// directory.
pub struct Child {
    pub test: &'static str,
    pub env: &'static str,
}

impl Child {
    /// The multi-threaded runtime a child (or the parent's checks) runs the store on.
    pub fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    /// One cycle: starts the child on `dir`, waits for its `READY` (two minutes at most: a
    /// child that never starts fails the test), lets it run `work`, SIGKILLs it, and returns
    /// its lines (the test harness's own first).
    pub fn run_and_kill(&self, dir: &Path, work: Duration) -> Vec<String> {
        self.kill_after(dir, |line| line.ends_with("READY"), 1, work)
    }

    /// [`Child::run_and_kill`], but the `work` begins once the child has printed `marks`
    /// lines for which `mark` holds (two minutes at most for each).
    pub fn kill_after(
        &self,
        dir: &Path,
        mark: fn(&str) -> bool,
        marks: usize,
        work: Duration,
    ) -> Vec<String> {
        wait_for_lock(dir);
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new(exe)
            .args(["--exact", self.test, "--nocapture", "--test-threads", "1"])
            .env(self.env, dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (ready_tx, ready_rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if mark(&line) {
                    let _ = ready_tx.send(());
                }
                lines.push(line);
            }
            lines
        });
        for n in 0..marks {
            ready_rx
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("the child did not print its mark {n}"));
        }
        std::thread::sleep(work);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap()
    }
}

/// Waits (a minute at most) until no store holds `dir`'s lock: the parent's checks open the
/// store too, and its background tasks may still hold it for a moment after the checks end,
/// which would make the child's own open fail (it would then exit before its first mark).
fn wait_for_lock(dir: &Path) {
    let path = dir.join("LOCK");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let Ok(file) = std::fs::File::options().write(true).open(&path) else {
            return; // no store has opened the directory yet
        };
        match file.try_lock() {
            Ok(()) => return, // released when `file` is dropped
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("{} stayed locked for a minute: {e}", path.display()),
        }
    }
}
