"""Helpers for the BOS interop tests: the Python SDK client, raw bce-auth-v1 requests, the
Node.js SDK driver, checksums and assertions.

Raw requests are signed by the SDK's own signer (`baidubce.auth.bce_v1_signer.sign`) over
exactly the headers that go on the wire, so a test can send what the SDK cannot (a `/v1` path, a
body over 2 MB, per-entry `versionId`, a malformed body) and see the status, headers and body as
the server sent them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import urlsplit

import pytest
import requests
from baidubce import utils as bce_utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError, BceServerError
from baidubce.retry.retry_policy import NoRetryPolicy
from baidubce.services.bos.bos_client import BosClient
from requests.structures import CaseInsensitiveDict

TIMEOUT = 60
JS_DIR = Path(__file__).resolve().parent / "js"

# BOS's JSON times are `YYYY-MM-DDTHH:MM:SSZ`, UTC, no fraction.
BOS_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Keys that exercise the URI encoding (every byte but A-Z a-z 0-9 - . _ ~ as %XX, '/' kept in
# paths): space, '+', '~', '!', UTF-8.
SPECIAL_KEYS = ["dir/a b+c~!.txt", "unicode-ü-测试.txt", "per%cent(1)*'x'.bin"]

# --- response recording (checked after every test by conftest.py) ----------------------------------

_recorded_lock = threading.Lock()
recorded: list[dict] = []


def record(method: str, url: str, status: int, headers, body: Optional[bytes]) -> None:
    """One response to a bce-auth-v1 signed request. body None: not examined (HEAD, streams)."""
    with _recorded_lock:
        recorded.append({"method": method, "url": url, "status": status,
                         "headers": CaseInsensitiveDict(dict(headers)), "body": body})


def response_problems(r: dict) -> list[str]:
    """What a response to a BOS request lacks: x-bce-request-id and Date on every one; on an
    error with a body, a JSON body (`application/json`) with code, message and the request ID."""
    h = r["headers"]
    out = []
    rid = h.get("x-bce-request-id")
    if not rid:
        out.append("no x-bce-request-id")
    if not h.get("Date"):
        out.append("no Date")
    if r["status"] >= 400 and r["method"] != "HEAD" and r["body"] is not None:
        ctype = h.get("Content-Type", "")
        if not ctype.startswith("application/json"):
            out.append(f"error Content-Type {ctype!r} is not application/json")
        try:
            doc = json.loads(r["body"])
        except ValueError:
            out.append(f"error body is not JSON: {r['body'][:200]!r}")
        else:
            missing = [k for k in ("code", "message", "requestId")
                       if not isinstance(doc, dict) or not doc.get(k)]
            if missing:
                out.append(f"error body lacks {missing}: {doc!r}")
            elif rid and doc["requestId"] != rid:
                out.append(f"error requestId {doc['requestId']!r} != x-bce-request-id {rid!r}")
    return out


def _install_sdk_recorder() -> None:
    """Wraps the SDK's one send function: every response it gets is recorded (error bodies are
    read here and handed back to the SDK unchanged)."""
    from baidubce.http import bce_http_client

    if getattr(bce_http_client._send_http_request, "_strata_recording", False):
        return
    original = bce_http_client._send_http_request

    def recording(conn, http_method, uri, headers, body, send_buf_size):
        resp = original(conn, http_method, uri, headers, body, send_buf_size)
        method = http_method.decode() if isinstance(http_method, bytes) else http_method
        url = uri.decode() if isinstance(uri, bytes) else uri
        err_body = None
        if resp.status >= 400 and method != "HEAD":
            err_body = resp.read()
            pending = [err_body]
            resp.read = lambda amt=None: pending.pop() if pending else b""
        record(method, url, resp.status, resp.getheaders(), err_body)
        return resp

    recording._strata_recording = True
    bce_http_client._send_http_request = recording


_install_sdk_recorder()

# --- the Python SDK -------------------------------------------------------------------------------


def make_client(server, access_key=None, secret_key=None) -> BosClient:
    """bce-python-sdk's BosClient at the server, path style (IPv4 endpoint), never retrying a
    failure (the SDK still retries a 403 once by itself)."""
    cfg = BceClientConfiguration(
        credentials=BceCredentials(access_key or server.access_key,
                                   secret_key or server.secret_key),
        endpoint=server.endpoint,
        retry_policy=NoRetryPolicy(),
        connection_timeout_in_mills=TIMEOUT * 1000,
    )
    return BosClient(cfg)


def server_error(exc: BaseException) -> BceServerError:
    """The BceServerError inside what the SDK raised."""
    if isinstance(exc, BceHttpClientError) and isinstance(exc.last_error, BceServerError):
        return exc.last_error
    if isinstance(exc, BceServerError):
        return exc
    raise AssertionError(f"not a service error: {exc!r}")


def expect_error(fn, *args, status: int, code: Optional[str] = "", **kwargs) -> BceServerError:
    """Calls an SDK method that must fail with `status` (and `code`, unless code == "": any;
    None: no code, as for a HEAD error)."""
    try:
        result = fn(*args, **kwargs)
    except (BceHttpClientError, BceServerError) as e:
        err = server_error(e)
    else:
        raise AssertionError(f"expected HTTP {status} {code or ''}, got success: {result!r}")
    assert err.status_code == status, f"expected HTTP {status}, got {err.status_code} {err.code}: {err}"
    if code != "":
        assert err.code == code, f"expected code {code!r}, got {err.code!r} (HTTP {status}): {err}"
    assert err.request_id, "the error carries no request id"
    return err


def get_bytes(bos: BosClient, bucket: str, key: str, **kwargs) -> bytes:
    return bos.get_object_as_string(bucket, key, **kwargs)


def put_many(bos: BosClient, bucket: str, keys: Iterable[str], data: bytes = b"x") -> None:
    """Puts every key (4 threads: the SDK opens one connection per request)."""
    keys = list(keys)

    def put(k):
        bos.put_object_from_string(bucket, k, data)

    with ThreadPoolExecutor(4) as ex:
        list(ex.map(put, keys))


def version_entries(bos: BosClient, bucket: str, prefix: Optional[str] = None) -> list:
    """Every entry of the `?versions` listing (versions and delete markers), all pages."""
    out = []
    marker = version_marker = None
    for _ in range(1000):
        r = bos.list_objects_versions(bucket, prefix=prefix, marker=marker,
                                      version_marker=version_marker)
        out.extend(r.contents or [])
        if not r.is_truncated:
            return out
        marker, version_marker = r.next_marker, r.next_version_id_marker
    raise AssertionError("the ?versions listing never ended")


# --- checksums ------------------------------------------------------------------------------------


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as `x-bce-content-crc32c` carries it (decimal)."""
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def crc64ecma(data: bytes) -> int:
    """CRC-64/XZ, as `x-bce-content-crc64ecma` carries it (decimal): oss2's implementation."""
    import oss2.utils

    c = oss2.utils.Crc64(0)
    c.update(data)
    return c.crc


# --- raw signed requests --------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: int
    headers: CaseInsensitiveDict
    body: bytes

    def json(self):
        return json.loads(self.body)


def encode_path(*components: str) -> str:
    """`/comp1/comp2`, each component encoded as the SDKs do (`/` kept, RFC 3986 unreserved)."""
    return "/" + "/".join(bce_utils.normalize_string(c, False).decode() for c in components)


def query_string(params: Optional[dict]) -> str:
    if not params:
        return ""
    return bce_utils.get_canonical_querystring(
        {k.encode(): (b"" if v is None else str(v).encode()) for k, v in params.items()},
        False).decode()


class Raw:
    """Requests built by hand and signed with the SDK's signer (bce-auth-v1)."""

    def __init__(self, server, access_key=None, secret_key=None):
        self.server = server
        self.creds = BceCredentials(access_key or server.access_key,
                                    secret_key or server.secret_key)
        self.host = urlsplit(server.endpoint).netloc  # 127.0.0.1:PORT, as requests sends it
        self.session = requests.Session()

    def authorization(self, method: str, path: str, params: Optional[dict], headers: dict,
                      timestamp: int = 0, expiration: int = 1800,
                      headers_to_sign: Optional[Iterable[str]] = None) -> str:
        """The authorization string for exactly these headers (which must include Host)."""
        hb = {k.encode(): str(v).encode() for k, v in headers.items()}
        pb = {k.encode(): (b"" if v is None else str(v).encode())
              for k, v in (params or {}).items()}
        sign_set = {h.lower().encode() for h in headers_to_sign} if headers_to_sign else None
        return bce_v1_signer.sign(self.creds, method.encode(), path.encode(), hb, pb,
                                  timestamp, expiration, sign_set).decode()

    def headers_for(self, method: str, path: str, params: Optional[dict] = None,
                    headers: Optional[dict] = None, content_length: Optional[int] = 0,
                    timestamp: int = 0, expiration: int = 1800,
                    headers_to_sign: Optional[Iterable[str]] = None,
                    sign_path: Optional[str] = None) -> dict:
        """The headers to send, Authorization included. content_length None: none is sent
        (chunked). sign_path: the canonical URI to sign when it differs from `path`."""
        h = {"Host": self.host,
             "x-bce-date": bce_utils.get_canonical_time(timestamp).decode()}
        if content_length is not None:
            h["Content-Length"] = str(content_length)
        h.update(headers or {})
        h["Authorization"] = self.authorization(method, sign_path or path, params, h,
                                                timestamp, expiration, headers_to_sign)
        return h

    def url(self, path: str, params: Optional[dict] = None) -> str:
        qs = query_string(params)
        return f"{self.server.endpoint}{path}" + (f"?{qs}" if qs else "")

    def request(self, method: str, path: str, params: Optional[dict] = None,
                headers: Optional[dict] = None, body=b"", *, timestamp: int = 0,
                expiration: int = 1800, headers_to_sign: Optional[Iterable[str]] = None,
                sign_path: Optional[str] = None, send_path: Optional[str] = None) -> RawResponse:
        """body: bytes (sent with Content-Length) or an iterator of bytes (sent chunked).
        send_path: the path put on the wire when it differs from the signed `path`."""
        chunked = not isinstance(body, (bytes, bytearray))
        h = self.headers_for(method, path, params, headers,
                             None if chunked else len(body), timestamp, expiration,
                             headers_to_sign, sign_path)
        url = self.url(send_path or path, params)
        resp = self.session.request(method, url, headers=h, data=body if body != b"" else None,
                                    timeout=TIMEOUT, allow_redirects=False)
        out = RawResponse(resp.status_code, CaseInsensitiveDict(resp.headers), resp.content)
        record(method, url, out.status, out.headers,
               out.body if out.status >= 400 and method != "HEAD" else None)
        return out

    def post_json(self, path: str, params: dict, doc, headers: Optional[dict] = None) -> RawResponse:
        body = doc if isinstance(doc, (bytes, bytearray)) else json.dumps(doc).encode()
        return self.request("POST", path, params, headers, body)

    def presign(self, method: str, path: str, params: Optional[dict] = None,
                timestamp: int = 0, expiration: int = 1800,
                headers_to_sign: Optional[Iterable[str]] = ("host",)) -> str:
        """A presigned URL (authorization in the query), signed over Host only, as the JS SDK
        does."""
        auth = self.authorization(method, path, params, {"Host": self.host}, timestamp,
                                  expiration, headers_to_sign)
        p = dict(params or {})
        p["authorization"] = auth
        return self.url(path, p)


def assert_json_error(resp: RawResponse, status: int, code) -> dict:
    """A BOS error: the status, `Content-Type: application/json`, and a JSON body with `code`,
    `message` and `requestId` (= the x-bce-request-id header). code: a str or a set of str."""
    assert resp.status == status, (
        f"expected HTTP {status}, got {resp.status}: {resp.body[:300]!r}")
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.startswith("application/json"), f"error Content-Type {ctype!r}"
    doc = resp.json()
    codes = {code} if isinstance(code, str) else set(code)
    assert doc.get("code") in codes, f"expected code in {sorted(codes)}, got {doc!r}"
    assert isinstance(doc.get("message"), str) and doc["message"].strip(), f"no message: {doc!r}"
    assert doc.get("requestId"), f"no requestId: {doc!r}"
    assert doc["requestId"] == resp.headers.get("x-bce-request-id"), (
        f"requestId {doc['requestId']!r} != header {resp.headers.get('x-bce-request-id')!r}")
    return doc


def assert_empty_200(resp: RawResponse) -> None:
    """200 with no body, sent with Content-Length: 0 (not chunked), as BOS answers."""
    assert resp.status == 200, f"expected 200, got {resp.status}: {resp.body[:300]!r}"
    assert resp.body == b"", f"expected no body, got {resp.body[:300]!r}"
    assert resp.headers.get("Content-Length") == "0", (
        f"expected Content-Length: 0, got {resp.headers.get('Content-Length')!r} "
        f"(Transfer-Encoding {resp.headers.get('Transfer-Encoding')!r})")


def socket_exchange(server, head: bytes, body_part: bytes, wait: float = 10.0) -> tuple[int, dict, bytes, float]:
    """Sends `head` (request line and headers) and `body_part`, then reads one response without
    sending anything more. Returns (status, headers, body, seconds until the response)."""
    u = urlsplit(server.endpoint)
    start = time.monotonic()
    with socket.create_connection((u.hostname, u.port), timeout=wait) as s:
        s.sendall(head + body_part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        elapsed = time.monotonic() - start
        head_part, _, rest = data.partition(b"\r\n\r\n")
        lines = head_part.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = CaseInsensitiveDict()
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip()] = v.strip()
        length = int(headers.get("Content-Length", "0"))
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    return status, headers, rest, elapsed


# --- the Node.js SDK ------------------------------------------------------------------------------


def node_available() -> Optional[str]:
    """Why the Node.js SDK cannot run, or None."""
    if shutil.which("node") is None:
        return "node is not on PATH (install Node.js 18+; scripts/test needs it too)"
    if not (JS_DIR / "node_modules" / "@baiducloud" / "sdk").is_dir():
        return ("@baiducloud/sdk is not installed: run "
                "`npm ci --prefix tests/interop/bos/js` (scripts/test does)")
    return None


@dataclass
class NodeResult:
    ok: bool
    headers: dict
    body: object
    status: Optional[int] = None
    code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None

    def data(self) -> bytes:
        assert isinstance(self.body, dict) and "$b64" in self.body, f"not a buffer: {self.body!r}"
        return base64.b64decode(self.body["$b64"])


def b64(data: bytes) -> dict:
    """A Buffer argument for run_node."""
    return {"$b64": base64.b64encode(data).decode()}


def run_node(server, steps: list[tuple], access_key=None, secret_key=None) -> list[NodeResult]:
    """Runs BosClient methods of @baiducloud/sdk in order: steps are (method, arg, ...)."""
    why = node_available()
    if why:
        pytest.fail(why, pytrace=False)
    doc = {
        "endpoint": server.endpoint,  # an IPv4 endpoint: the JS SDK then uses path style
        "ak": access_key or server.access_key,
        "sk": secret_key or server.secret_key,
        "steps": [{"op": s[0], "args": list(s[1:])} for s in steps],
    }
    env = dict(os.environ, NODE_NO_WARNINGS="1")
    p = subprocess.run(["node", str(JS_DIR / "run.js")], input=json.dumps(doc).encode(),
                       capture_output=True, timeout=TIMEOUT, cwd=JS_DIR, env=env)
    if p.returncode != 0:
        raise AssertionError(f"node run.js failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
    out = []
    for r in json.loads(p.stdout):
        if r["ok"]:
            out.append(NodeResult(True, r.get("headers") or {}, r.get("body")))
        else:
            out.append(NodeResult(False, {}, None, r.get("status"), r.get("code"),
                                  r.get("message"), r.get("requestId")))
    return out


def node_ok(r: NodeResult) -> NodeResult:
    assert r.ok, f"the JS SDK call failed: HTTP {r.status} {r.code}: {r.message}"
    return r
