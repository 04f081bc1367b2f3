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
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

STOP_TIMEOUT = 10.0
START_TIMEOUT = 30.0


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
        deadline = time.monotonic() + START_TIMEOUT
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


def requests_served(admin_endpoint: str) -> int:
    """The requests a gateway has answered: the sum of its `strata_requests_total`."""
    r = requests.get(f"{admin_endpoint}/metrics", timeout=10)
    r.raise_for_status()
    return int(sum(float(v) for v in _REQUESTS_TOTAL.findall(r.text)))
