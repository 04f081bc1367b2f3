"""The interop suites over several gateways (`STRATA_GATEWAYS=N`, see conftest.py).

N `strata serve` processes share one PostgreSQL database, created fresh for the session and
dropped at its end, and one data directory; nginx in front of them balances per request,
round-robin, and is the endpoint the tests talk to. `STRATA_METADATA` names the PostgreSQL
server: `postgres://USER@HOST:PORT/` (a database named in the URL is the one connected to
for CREATE and DROP DATABASE; default `postgres`). `psql` creates and drops the database.

nginx passes requests through as they came: the request URI unchanged (`proxy_pass` without
a URI part), the client's `Host` (signatures cover it), header names with underscores and
ones nginx would call invalid, bodies of any size streamed both ways (no request or response
buffering), and the gateways' own `Server` and `Date` headers. The upstream connections are
HTTP/1.1 and kept alive for less time than a gateway's idle limit (`--header-timeout`, 30 s),
so nginx never reuses a connection the gateway is closing.

Also used by scripts/bench-gateways (so: the standard library only, no pytest here).
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

LISTENING = re.compile(r"^strata listening on (http://(\S+)) \(data: (.*)\)$")
ADMIN_LISTENING = re.compile(r"^strata admin listening on (http://\S+) ")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class GatewaySetupError(Exception):
    """The multi-gateway environment could not be set up (nginx, PostgreSQL, psql)."""


def gateway_count() -> int | None:
    """N from `STRATA_GATEWAYS`, or None for the single server of the default mode."""
    raw = os.environ.get("STRATA_GATEWAYS", "").strip()
    if not raw:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise GatewaySetupError(f"STRATA_GATEWAYS={raw!r} is not a number") from None
    if n < 1:
        raise GatewaySetupError(f"STRATA_GATEWAYS={n}: at least one gateway")
    return n


def metadata_server() -> str:
    url = os.environ.get("STRATA_METADATA", "").strip()
    if not url.startswith(("postgres://", "postgresql://")):
        raise GatewaySetupError(
            "STRATA_GATEWAYS needs STRATA_METADATA=postgres://USER@HOST:PORT/ (the PostgreSQL "
            f"server a fresh database is made on), got {url!r}")
    return url


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead of its own (query kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _maintenance_url(url: str) -> str:
    db = urlsplit(url).path.strip("/")
    return with_database(url, db or "postgres")


def _psql(url: str, sql: str) -> None:
    psql = shutil.which("psql")
    if psql is None:
        raise GatewaySetupError("psql not found (Debian: apt-get install postgresql-client)")
    run = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise GatewaySetupError(f"psql {sql!r} on {url} failed: {run.stderr.strip()}")


@dataclass
class Database:
    """A database of its own for the session, on the server of `STRATA_METADATA`."""

    server: str
    name: str

    @classmethod
    def create(cls, server: str) -> "Database":
        db = cls(server, f"strata_interop_{os.getpid()}_{secrets.token_hex(4)}")
        _psql(_maintenance_url(server), f'CREATE DATABASE "{db.name}"')
        return db

    @property
    def url(self) -> str:
        return with_database(self.server, self.name)

    def drop(self) -> None:
        # FORCE: a gateway that was killed may leave a connection the server has not reaped.
        _psql(_maintenance_url(self.server), f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(work: Path, port: int, upstreams: list[str], workers: int = 1,
                 access_log: bool = True) -> str:
    """nginx's configuration: listen on 127.0.0.1:`port`, balance over `upstreams`
    (`HOST:PORT`) round-robin, one request at a time, passing requests through unchanged."""
    servers = "".join(f"        server {u} max_fails=0;\n" for u in upstreams)
    temp = "".join(f"    {kind}_temp_path {work}/{kind}_temp;\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    log = (f"    log_format upstream '$request_method $request_uri $status "
           f"upstream=$upstream_addr ($upstream_status) $request_time';\n"
           f"    access_log {work}/nginx.access.log upstream;\n"
           if access_log else "    access_log off;\n")
    return f"""# The gateways of the interop suites behind one endpoint (tests/interop/gateways.py).
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/nginx.error.log warn;
events {{
    worker_connections 4096;
}}
http {{
{temp}{log}    upstream strata {{
{servers}        keepalive 64;
        keepalive_requests 1000000;
        keepalive_timeout 20s;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        client_max_body_size 0;
        client_header_buffer_size 16k;
        large_client_header_buffers 8 64k;
        underscores_in_headers on;
        ignore_invalid_headers off;
        merge_slashes off;
        keepalive_requests 1000000;
        keepalive_timeout 75s;
        location / {{
            proxy_pass http://strata;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_pass_header Server;
            proxy_pass_header Date;
            proxy_connect_timeout 10s;
            proxy_send_timeout 300s;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


class Nginx:
    """nginx in the foreground (`daemon off`), on a configuration of `nginx_config`."""

    def __init__(self, work: Path, upstreams: list[str], workers: int = 1,
                 access_log: bool = True):
        binary = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
            None)
        if binary is None:
            raise GatewaySetupError("nginx not found (Debian: apt-get install nginx)")
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.error_log = work / "nginx.error.log"
        self.access_log = work / "nginx.access.log"
        last = ""
        # The free port is found by binding and releasing it; another process may take it in
        # between, so a start that fails is tried again on another port.
        for _ in range(5):
            self.port = free_port()
            conf = work / "nginx.conf"
            conf.write_text(nginx_config(work, self.port, upstreams, workers, access_log))
            self.process = subprocess.Popen(
                [binary, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(work / "nginx.stderr.log", "wb"))
            if self._wait_ready():
                self.endpoint = f"http://127.0.0.1:{self.port}"
                return
            self.stop()
            last = self.log_tail()
        raise GatewaySetupError(f"nginx did not start; its logs end with:\n{last}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def log_tail(self, lines: int = 30) -> str:
        out = []
        for path in (self.work / "nginx.stderr.log", self.error_log):
            try:
                out += path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                pass
        return "\n".join(out)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Graceful stop (SIGQUIT: in-flight requests finish), SIGKILL after STOP_TIMEOUT."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def upstream_counts(self) -> dict[str, int]:
        """Requests per upstream address, from the access log."""
        counts: dict[str, int] = {}
        try:
            text = self.access_log.read_text(errors="replace")
        except OSError:
            return counts
        for m in re.finditer(r"upstream=(\S+)", text):
            for addr in m.group(1).split(","):  # a retried request names each it tried
                addr = addr.strip()
                if addr != "-":
                    counts[addr] = counts.get(addr, 0) + 1
        return counts


_REQUESTS_TOTAL = re.compile(r"^strata_requests_total\{[^}]*\}\s+([0-9.eE+-]+)$", re.M)


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    """GET `url`: its status and body (an error status is an answer, not an exception)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def requests_served(admin_endpoint: str) -> int:
    """The requests a gateway has answered: the sum of its `strata_requests_total`."""
    status, text = http_get(f"{admin_endpoint}/metrics")
    if status != 200:
        raise OSError(f"{admin_endpoint}/metrics answered {status}")
    return int(sum(float(v) for v in _REQUESTS_TOTAL.findall(text)))


@dataclass
class Gateway:
    """One `strata serve` process."""

    name: str
    endpoint: str  # its own data listener, http://127.0.0.1:PORT
    admin_endpoint: str | None  # its admin listener (/metrics, /health), if it has one
    process: subprocess.Popen
    stderr_path: Path

    def stderr_tail(self, lines: int = 60) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError as e:
            return f"(stderr unavailable: {e})"
        return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM the server if its parent dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def stop_process(proc: subprocess.Popen) -> bool:
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


class StartError(Exception):
    """A `strata serve` did not start (the message says why, with its stderr)."""


def start_strata(binary: Path, args: list[str], name: str, stderr_path: Path) -> Gateway:
    """Starts `strata serve ARGS` and waits for its listening line (and the admin listener's
    before it, if it has one), then for its health check to answer."""
    env = dict(os.environ)
    for var in ("STRATA_ACCESS_KEY", "STRATA_SECRET_KEY", "STRATA_METADATA", "STRATA_CONFIG"):
        env.pop(var, None)
    env.setdefault("RUST_LOG", "info")
    stderr_file = open(stderr_path, "wb")
    proc = subprocess.Popen(
        [str(binary), "serve", *args],
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

    threading.Thread(target=pump, name=f"strata-stdout-{name}", daemon=True).start()

    def fail_start(why: str) -> StartError:
        stop_process(proc)
        tail = stderr_path.read_text(errors="replace")[-4000:]
        return StartError(f"strata ({name}) did not start: {why}\n"
                          f"--- strata stderr ---\n{tail}")

    endpoint = admin_endpoint = None
    deadline = time.monotonic() + START_TIMEOUT
    seen = []
    while endpoint is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise fail_start(f"no listening line within {START_TIMEOUT:.0f}s (stdout: {seen!r})")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            proc.wait(timeout=STOP_TIMEOUT)
            raise fail_start(f"exited with status {proc.returncode} (stdout: {seen!r})")
        seen.append(line)
        if m := ADMIN_LISTENING.match(line):
            admin_endpoint = m.group(1)
        if m := LISTENING.match(line):
            endpoint = m.group(1)
    gateway = Gateway(name, endpoint, admin_endpoint, proc, stderr_path)
    # The health check proves the listener answers before anything is sent to it.
    try:
        status, text = http_get(f"{endpoint}/_strata/health")
    except OSError as e:
        raise fail_start(f"health check failed: {e}") from None
    if status != 200:
        raise fail_start(f"health check answered {status}: {text[:200]}")
    return gateway


def stop_gateways(gateways: list[Gateway]) -> list[str]:
    """Stops every gateway; what went wrong (an early exit, a kill, a bad status), per gateway."""
    died = {g.name: g.process.poll() for g in gateways}
    killed = {g.name: stop_process(g.process) for g in gateways}
    problems = []
    for g in gateways:
        if died[g.name] is not None:
            problems.append(f"strata ({g.name}) exited early with status {died[g.name]}; "
                            f"its stderr ends with:\n{g.stderr_tail()}")
        elif killed[g.name]:
            problems.append(f"strata ({g.name}) did not stop within {STOP_TIMEOUT:.0f}s of "
                            f"SIGTERM and was killed; its stderr ends with:\n{g.stderr_tail()}")
        elif g.process.returncode != 0:
            problems.append(f"strata ({g.name}) exited with status {g.process.returncode} after "
                            f"SIGTERM; its stderr ends with:\n{g.stderr_tail()}")
    return problems


