"""Shared fixtures of the interop suites: one real `strata serve` per test session.

The server is the binary named by `STRATA_BIN` (default `target/debug/strata` under the
repository root), started on a fresh data directory and a free port with fixed test keys.
Every response to an OSS-signed request is recorded; a test that passes must also have seen
`x-oss-request-id` on every one of them (see `pytest_runtest_call`).
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

ACCESS_KEY = "STRATAINTEROPTESTAK1"
SECRET_KEY = "StrataInteropTestSecretKey0123456789abcd"
REGION = "cn-hangzhou"
# Seconds one lifecycle day lasts on the suites' server (`strata serve --lifecycle-day`), so
# the lifecycle tests see rules of a few days fire in seconds. Buckets without a lifecycle
# configuration are not affected.
LIFECYCLE_DAY = 2


@dataclass(frozen=True)
class InteropUser:
    """A user of `--users` besides the administrator (who acts as every bucket's owner)."""

    access_key: str
    secret_key: str
    id: str
    display_name: str


# Access-control tests act as these: buckets of one, requests of the other.
USERS = {
    "alice": InteropUser("STRATAINTEROPALICE01", "StrataInteropAliceSecret0123456789abcd",
                      "alice-0001", "alice"),
    "bob": InteropUser("STRATAINTEROPBOB0002", "StrataInteropBobSecretKey0123456789abc",
                    "bob-0002", "bob"),
}

LISTENING = re.compile(r"^strata listening on (http://(\S+)) \(data: (.*)\)$")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass
class Server:
    endpoint: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str
    region: str
    data_dir: Path
    process: subprocess.Popen
    stderr_path: Path
    users: dict  # name -> InteropUser (besides the administrator's key pair above)

    def stderr_tail(self, lines: int = 60) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError as e:
            return f"(stderr unavailable: {e})"
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            pytest.fail(
                f"strata exited with status {code} during the session; its stderr ends with:\n"
                + self.stderr_tail(),
                pytrace=False,
            )


def _binary() -> Path:
    path = Path(os.environ.get("STRATA_BIN", "target/debug/strata"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM the server if pytest itself dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _stop(proc: subprocess.Popen) -> bool:
    """SIGTERM (graceful stop), then SIGKILL after STOP_TIMEOUT. True if it had to kill."""
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
        return True


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """A running `strata serve`, stopped at the end of the session."""
    binary = _binary()
    if not binary.is_file():
        pytest.exit(
            f"strata binary not found at {binary}; build it with `cargo build -p strata` "
            "or point STRATA_BIN at it",
            returncode=1,
        )
    work = tmp_path_factory.mktemp("strata")
    data_dir = work / "data"
    stderr_path = work / "strata.stderr.log"
    users_path = work / "users.toml"
    users_path.write_text("".join(
        f'[[user]]\naccess_key = "{u.access_key}"\nsecret_key = "{u.secret_key}"\n'
        f'id = "{u.id}"\ndisplay_name = "{u.display_name}"\n'
        for u in USERS.values()))
    env = dict(os.environ)
    env.pop("STRATA_ACCESS_KEY", None)
    env.pop("STRATA_SECRET_KEY", None)
    env.setdefault("RUST_LOG", "info")
    stderr_file = open(stderr_path, "wb")
    proc = subprocess.Popen(
        [
            str(binary), "serve",
            "--data-dir", str(data_dir),
            "--listen", "127.0.0.1:0",
            "--admin-listen", "127.0.0.1:0",
            "--access-key", ACCESS_KEY,
            "--secret-key", SECRET_KEY,
            "--users", str(users_path),
            "--lifecycle-day", str(LIFECYCLE_DAY),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        env=env,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    stderr_file.close()

    # Read stdout on a thread (so a silent server cannot block us) and keep draining it.
    lines: "queue.Queue[str | None]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, name="strata-stdout", daemon=True).start()

    def fail_start(why: str) -> None:
        _stop(proc)
        tail = stderr_path.read_text(errors="replace")[-4000:]
        pytest.exit(f"strata did not start: {why}\n--- strata stderr ---\n{tail}", returncode=1)

    endpoint = None
    deadline = time.monotonic() + START_TIMEOUT
    seen = []
    while endpoint is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            fail_start(f"no listening line within {START_TIMEOUT:.0f}s (stdout: {seen!r})")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            proc.wait(timeout=STOP_TIMEOUT)
            fail_start(f"exited with status {proc.returncode} (stdout: {seen!r})")
        seen.append(line)
        m = LISTENING.match(line)
        if m:
            endpoint = m.group(1)

    srv = Server(
        endpoint=endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
        data_dir=data_dir,
        process=proc,
        stderr_path=stderr_path,
        users=USERS,
    )
    # The health check proves the listener answers before any test runs.
    try:
        health = requests.get(f"{endpoint}/_strata/health", timeout=10)
    except requests.RequestException as e:
        fail_start(f"health check failed: {e}")
    if health.status_code != 200:
        fail_start(f"health check answered {health.status_code}: {health.text[:200]}")

    try:
        yield srv
    finally:
        died = proc.poll()
        killed = _stop(proc)
    # Raised at session teardown (an error of the last test): the server crashed during the
    # run, or did not stop cleanly on SIGTERM.
    if died is not None:
        raise RuntimeError(
            f"strata exited early with status {died}; its stderr ends with:\n"
            + srv.stderr_tail()
        )
    if killed:
        raise RuntimeError(
            f"strata did not stop within {STOP_TIMEOUT:.0f}s of SIGTERM and was killed; "
            "its stderr ends with:\n" + srv.stderr_tail()
        )
    if proc.returncode != 0:
        raise RuntimeError(
            f"strata exited with status {proc.returncode} after SIGTERM; its stderr ends with:\n"
            + srv.stderr_tail()
        )


@pytest.fixture(autouse=True)
def _server_alive(request):
    """Before each test that uses the server: fail fast (with its stderr) if it has died."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").check_alive()
    yield


# --- every response to an OSS request must carry x-oss-request-id ----------------------------------------------

_recorded_lock = threading.Lock()
_recorded: list[tuple[str, str, int, str | None]] = []  # (method, url, status, request id)
_endpoint_prefix: list[str] = []

_original_send = requests.Session.send


def _is_oss_signed(request) -> bool:
    """Signed in an OSS scheme (header V1/V4 or presigned V1/V4). Anonymous requests carry no
    dialect at all, so the server may answer them in any dialect's style."""
    auth = request.headers.get("Authorization", "")
    query = request.url.partition("?")[2]
    return (auth.startswith(("OSS ", "OSS4-HMAC-SHA256 "))
            or "OSSAccessKeyId=" in query or "x-oss-signature=" in query)


def _recording_send(self, request, **kwargs):
    response = _original_send(self, request, **kwargs)
    if _endpoint_prefix and request.url.startswith(_endpoint_prefix[0]):
        if _is_oss_signed(request):
            with _recorded_lock:
                _recorded.append(
                    (request.method, request.url, response.status_code,
                     response.headers.get("x-oss-request-id"))
                )
    return response


requests.Session.send = _recording_send  # both oss2 and alibabacloud-oss-v2 send through requests


@pytest.fixture(autouse=True)
def _record_responses(request):
    if "server" in request.fixturenames:
        endpoint = request.getfixturevalue("server").endpoint
        _endpoint_prefix[:] = [endpoint + "/"]
    with _recorded_lock:
        _recorded.clear()
    yield
    _endpoint_prefix.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    # Only reached when the test body passed: it must not have seen a response without an id.
    with _recorded_lock:
        missing = [r for r in _recorded if not r[3]]
        total = len(_recorded)
    if missing:
        shown = "\n".join(f"  {m} {u} -> {s}" for m, u, s, _ in missing[:10])
        raise AssertionError(
            f"{len(missing)} of {total} responses lacked x-oss-request-id, e.g.:\n{shown}"
        )
    return result
