"""Shared fixtures of the interop suites: one real `strata serve` per test session.

The server is the binary named by `STRATA_BIN` (default `target/debug/strata` under the
repository root), started on a fresh data directory and a free port with fixed test keys.
With `STRATA_GATEWAYS=N` and `STRATA_METADATA=postgres://USER@HOST:PORT/`, N of them share a
fresh PostgreSQL database and one data directory behind nginx, whose endpoint the tests use
(gateways.py); tests marked `single_server` are skipped then, and the session ends by
checking that every gateway served requests.
Every response to an OSS-signed request is recorded; a test that passes must also have seen
`x-oss-request-id` on every one of them (see `pytest_runtest_call`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .gateways import (Database, Gateway, GatewaySetupError, Nginx, StartError, gateway_count,
                       metadata_server, requests_served, start_strata, stop_gateways)

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


@dataclass
class Server:
    endpoint: str  # http://127.0.0.1:PORT: the one server's, or nginx's in front of the gateways
    access_key: str
    secret_key: str
    region: str
    data_dir: Path
    gateways: list[Gateway]  # one, or STRATA_GATEWAYS of them sharing data_dir and a database
    users: dict  # name -> InteropUser (besides the administrator's key pair above)
    proxy: Nginx | None = None  # nginx, with several gateways

    def stderr_tail(self, lines: int = 60) -> str:
        if len(self.gateways) == 1:
            return self.gateways[0].stderr_tail(lines)
        return "\n".join(f"--- {g.name} ---\n{g.stderr_tail(lines)}" for g in self.gateways)

    def check_alive(self) -> None:
        for g in self.gateways:
            code = g.process.poll()
            if code is not None:
                pytest.fail(
                    f"strata ({g.name}) exited with status {code} during the session; its "
                    "stderr ends with:\n" + g.stderr_tail(),
                    pytrace=False,
                )
        if self.proxy is not None and not self.proxy.alive():
            pytest.fail("nginx exited during the session; its logs end with:\n"
                        + self.proxy.log_tail(), pytrace=False)


def _binary() -> Path:
    path = Path(os.environ.get("STRATA_BIN", "target/debug/strata"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


# What the session's gateways served, for the terminal summary (several gateways only).
_spread: list[str] = []


def pytest_collection_modifyitems(config, items):
    """With several gateways, tests that need the one server process itself are skipped."""
    try:
        count = gateway_count()
    except GatewaySetupError:
        return  # reported by the server fixture
    if count is None:
        return
    skip = pytest.mark.skip(
        reason=f"single_server: needs the one server process itself, and STRATA_GATEWAYS={count} "
               "runs the gateways behind nginx")
    for item in items:
        if item.get_closest_marker("single_server"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    for line in _spread:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """A running `strata serve`, stopped at the end of the session; or, with
    `STRATA_GATEWAYS=N` and `STRATA_METADATA=postgres://USER@HOST:PORT/`, N of them over one
    fresh database and one data directory behind nginx (gateways.py)."""
    binary = _binary()
    if not binary.is_file():
        pytest.exit(
            f"strata binary not found at {binary}; build it with `cargo build -p strata` "
            "or point STRATA_BIN at it",
            returncode=1,
        )
    try:
        count = gateway_count()
        pg = metadata_server() if count is not None else None
    except GatewaySetupError as e:
        pytest.exit(str(e), returncode=1)
    work = tmp_path_factory.mktemp("strata")
    data_dir = work / "data"
    users_path = work / "users.toml"
    users_path.write_text("".join(
        f'[[user]]\naccess_key = "{u.access_key}"\nsecret_key = "{u.secret_key}"\n'
        f'id = "{u.id}"\ndisplay_name = "{u.display_name}"\n'
        for u in USERS.values()))
    args = [
        "--data-dir", str(data_dir),
        "--listen", "127.0.0.1:0",
        "--admin-listen", "127.0.0.1:0",
        "--access-key", ACCESS_KEY,
        "--secret-key", SECRET_KEY,
        "--users", str(users_path),
        "--lifecycle-day", str(LIFECYCLE_DAY),
    ]

    database = proxy = None
    gateways: list[Gateway] = []

    def abandon(why: str) -> None:
        if proxy is not None:
            proxy.stop()
        stop_gateways(gateways)
        if database is not None:
            try:
                database.drop()
            except GatewaySetupError as e:
                why += f"\n(and the session's database was not dropped: {e})"
        pytest.exit(why, returncode=1)

    if count is None:
        try:
            gateways.append(start_strata(binary, args, "strata", work / "strata.stderr.log"))
        except StartError as e:
            abandon(str(e))
        endpoint = gateways[0].endpoint
    else:
        try:
            database = Database.create(pg)
        except GatewaySetupError as e:
            pytest.exit(str(e), returncode=1)
        # One after another: each stores the --users file at start.
        for i in range(1, count + 1):
            name = f"gw{i}"
            try:
                gateways.append(start_strata(
                    binary, [*args, "--metadata", database.url, "--gateway-name", name],
                    name, work / f"{name}.stderr.log"))
            except StartError as e:
                abandon(str(e))
        try:
            proxy = Nginx(work / "nginx", [g.endpoint.removeprefix("http://") for g in gateways])
        except GatewaySetupError as e:
            abandon(str(e))
        endpoint = proxy.endpoint

    srv = Server(
        endpoint=endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
        data_dir=data_dir,
        gateways=gateways,
        users=USERS,
        proxy=proxy,
    )
    if proxy is not None:
        try:
            health = requests.get(f"{endpoint}/_strata/health", timeout=10)
        except requests.RequestException as e:
            abandon(f"health check through nginx failed: {e}")
        if health.status_code != 200:
            abandon(f"health check through nginx answered {health.status_code}: "
                    f"{health.text[:200]}\n{proxy.log_tail()}")

    problems = []
    try:
        yield srv
    finally:
        if proxy is not None:
            served = {}
            for g in gateways:
                try:
                    served[g.name] = requests_served(g.admin_endpoint)
                except (OSError, ValueError) as e:
                    problems.append(f"{g.name}'s /metrics could not be read: {e}")
            _spread.append(f"requests served per gateway ({len(gateways)} behind nginx): "
                           + ", ".join(f"{n}={c}" for n, c in served.items()))
            proxy.stop()
            idle = [n for n, c in served.items() if c == 0]
            if idle and sum(served.values()) >= 10 * len(gateways):
                problems.append(f"gateways {idle} served no request of the session: {served}")
        problems += stop_gateways(gateways)
        if database is not None:
            try:
                database.drop()
            except GatewaySetupError as e:
                problems.append(str(e))
    # Raised at session teardown (an error of the last test): a server crashed during the
    # run, or did not stop cleanly on SIGTERM.
    if problems:
        raise RuntimeError("\n\n".join(problems))


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
