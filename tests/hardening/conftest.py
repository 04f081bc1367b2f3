"""Fixtures of the hardening suite: real `strata serve` processes, each on its own data
directory, started and stopped (or killed) by the tests.

The binary is `STRATA_BIN` (default `target/debug/strata` under the repository root). The
session server runs with short timeouts (`--header-timeout`/`--body-timeout` of
`SHORT_TIMEOUT` seconds) so that the stalled-client tests finish quickly.
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

ACCESS_KEY = "STRATAHARDENINGTESTK1"
SECRET_KEY = "StrataHardeningTestSecretKey0123456789ab"
REGION = "us-east-1"
SHORT_TIMEOUT = 2.0

LISTENING = re.compile(r"^strata listening on (http://(\S+)) \(data: (.*)\)$")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def binary() -> Path:
    path = Path(os.environ.get("STRATA_BIN", "target/debug/strata"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


class StrataProcess:
    """One `strata serve` on `data_dir`; `start()` may be called again after `kill()`/`stop()`
    to restart on the same directory."""

    def __init__(self, data_dir: Path, log_dir: Path, args: list[str] | None = None,
                 nofile: int | None = None):
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.args = list(args or [])
        self.nofile = nofile
        self.proc: subprocess.Popen | None = None
        self.endpoint = ""
        self.host = ""
        self.port = 0
        self.starts = 0
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY
        self.region = REGION

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"strata.{self.starts}.stderr.log"

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError as e:
            return f"(stderr unavailable: {e})"
        return "\n".join(text.splitlines()[-lines:])

    def _preexec(self) -> None:
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: never outlive pytest
        except OSError:
            pass
        if self.nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def start(self, listen: str | None = None) -> "StrataProcess":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.pop("STRATA_ACCESS_KEY", None)
        env.pop("STRATA_SECRET_KEY", None)
        env.setdefault("RUST_LOG", "info")
        # A restart reuses the port, so clients (and ledgers) keep their endpoint.
        listen = listen or (f"127.0.0.1:{self.port}" if self.port else "127.0.0.1:0")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [str(binary()), "serve", "--data-dir", str(self.data_dir), "--listen", listen,
                 "--admin-listen", "127.0.0.1:0",
                 "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--region", REGION,
                 *self.args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env,
                preexec_fn=self._preexec if sys.platform.startswith("linux") else None,
            )
        lines: "queue.Queue[str | None]" = queue.Queue()
        proc = self.proc

        def pump() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise RuntimeError("strata did not start in time:\n" + self.stderr_tail())
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                proc.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError(
                    f"strata exited with {proc.returncode} at start:\n" + self.stderr_tail())
            m = LISTENING.match(line)
            if m:
                self.endpoint = m.group(1)
                self.host, _, port = m.group(2).rpartition(":")
                self.port = int(port)
                break
        # The listener answers before any test uses it.
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(f"{self.endpoint}/_strata/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("strata's health check failed:\n" + self.stderr_tail())
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            code = self.proc.returncode if self.proc else None
            pytest.fail(f"strata is not running (exit status {code}); stderr ends with:\n"
                        + self.stderr_tail(), pytrace=False)

    def kill(self) -> None:
        """SIGKILL: no graceful anything, like a power cut for the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
        return self.proc.returncode


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not binary().is_file():
        pytest.exit(f"strata binary not found at {binary()}; build it with "
                    "`cargo build -p strata` or point STRATA_BIN at it", returncode=1)


@pytest.fixture
def strata_factory(tmp_path):
    """Starts servers on demand: `strata_factory(args=[...], data_dir=..., nofile=...)`. All of
    them are stopped at the end of the test; a server that had died fails the test."""
    started: list[StrataProcess] = []

    def make(args=None, data_dir=None, nofile=None, start=True) -> StrataProcess:
        n = len(started)
        s = StrataProcess(data_dir or tmp_path / f"data{n}", tmp_path / f"logs{n}", args, nofile)
        started.append(s)
        return s.start() if start else s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> StrataProcess:
    """The shared server of the bad-input and timeout tests, with short timeouts."""
    work = tmp_path_factory.mktemp("strata")
    s = StrataProcess(work / "data", work / "logs",
                      ["--header-timeout", str(SHORT_TIMEOUT), "--body-timeout", str(SHORT_TIMEOUT)])
    s.start()
    yield s
    died = s.proc.poll()
    code = s.stop()
    if died is not None:
        raise RuntimeError(f"strata exited early with status {died}:\n" + s.stderr_tail())
    if code != 0:
        raise RuntimeError(f"strata exited with status {code} after SIGTERM:\n" + s.stderr_tail())


@pytest.fixture(autouse=True)
def _server_alive(request):
    """The shared server must be up before and after every test that uses it."""
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        srv.check_alive()
        yield
        srv.check_alive()
    else:
        yield
