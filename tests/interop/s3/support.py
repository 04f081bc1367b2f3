"""Helpers for the S3 interop tests: checksums, error assertions, request capture, tools.

boto3 raises `botocore.exceptions.ClientError` for every service error; `expect_error` checks
its HTTP status and S3 error code and hands back the response headers (HEAD errors carry no
body, so botocore reports the status as the code, e.g. '404').
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import shutil
import subprocess
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

MiB = 1024 * 1024

# Keys that need escaping in a URL or in XML: space, '+', '%', unicode, '/' runs, '&'.
SPECIAL_KEYS = [
    "with space.txt",
    "plus+sign.txt",
    "per%cent%2Fnot-a-slash.txt",
    "unicode-ü-测试-😀.txt",
    "a//b///c",
    "dir/a b+c%d~ü&<x>.txt",
]


# --- checksums (base64 of the big-endian digest, as x-amz-checksum-* carry them) -----------------

def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def md5_b64(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def crc32_b64(data: bytes) -> str:
    return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"))


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), reflected, init and xorout 0xFFFFFFFF."""
    c = 0xFFFFFFFF
    for byte in data:
        c = _CRC32C[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the CRC catalogue's check value


def crc32c_b64(data: bytes) -> str:
    return b64(crc32c(data).to_bytes(4, "big"))


def _crc64nvme_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x9A6C9329AC4BC9B5 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC64NVME = _crc64nvme_table()


def crc64nvme(data: bytes, crc: int = 0) -> int:
    """CRC-64/NVME, reflected, init and xorout all ones; `crc` continues an earlier value."""
    c = crc ^ 0xFFFFFFFFFFFFFFFF
    table = _CRC64NVME
    for byte in data:
        c = table[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFFFFFFFFF


assert crc64nvme(b"123456789") == 0xAE8B14860A799888  # the CRC catalogue's check value


def crc64nvme_b64(data: bytes) -> str:
    return b64(crc64nvme(data).to_bytes(8, "big"))


def sha1_b64(data: bytes) -> str:
    return b64(hashlib.sha1(data).digest())


def sha256_b64(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


CHECKSUMS = {  # boto3's member suffix -> function of the body
    "CRC32": crc32_b64,
    "CRC32C": crc32c_b64,
    "CRC64NVME": crc64nvme_b64,
    "SHA1": sha1_b64,
    "SHA256": sha256_b64,
}


def etag_of(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def multipart_etag(parts: list[bytes]) -> str:
    """`"<md5 of the concatenated binary part MD5s>-<N>"`, S3's multipart ETag."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def random_bytes(n: int, seed: int = 0) -> bytes:
    """Deterministic pseudo-random bytes."""
    return random.Random(seed).randbytes(n)


# --- errors ------------------------------------------------------------------------------------

@dataclass
class CaughtError:
    status: int = 0
    code: str | None = None
    message: str | None = None
    headers: dict = field(default_factory=dict)
    response: dict = field(default_factory=dict)


@contextmanager
def expect_error(status: int, code: str | None = None):
    """The block must raise a ClientError with this HTTP status (and S3 error code)."""
    caught = CaughtError()
    with pytest.raises(ClientError) as info:
        yield caught
    r = info.value.response
    caught.response = r
    caught.status = r["ResponseMetadata"]["HTTPStatusCode"]
    caught.code = r.get("Error", {}).get("Code")
    caught.message = r.get("Error", {}).get("Message")
    caught.headers = r["ResponseMetadata"].get("HTTPHeaders", {})
    error = r.get("Error")
    assert caught.status == status, f"expected HTTP {status}, got {caught.status}: {error}"
    if code is not None:
        assert caught.code == code, f"expected error code {code}, got {caught.code}: {error}"


def status_of(response: dict) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


def headers_of(response: dict) -> dict:
    """Lower-cased response headers of a boto3 result."""
    return response["ResponseMetadata"]["HTTPHeaders"]


# --- watching what boto3 sends and receives ---------------------------------------------------

@dataclass
class Sent:
    method: str
    url: str
    headers: dict  # lower-case names


@contextmanager
def capture_requests(client, operation: str = "*"):
    """Records every request `client` sends for `operation` (e.g. 'PutObject'), as sent."""
    sent: list[Sent] = []
    event = "before-send.s3" if operation == "*" else f"before-send.s3.{operation}"

    def record(request, **_):
        sent.append(Sent(request.method, request.url,
                         {k.lower(): (v.decode() if isinstance(v, bytes) else v)
                          for k, v in request.headers.items()}))

    client.meta.events.register(event, record)
    try:
        yield sent
    finally:
        client.meta.events.unregister(event, record)


@contextmanager
def capture_raw_body(client, operation: str):
    """The raw HTTP body of each response to `operation` (to see XML element order)."""
    bodies: list[bytes] = []

    def record(http_response, **_):
        bodies.append(http_response.content)

    event = f"after-call.s3.{operation}"
    client.meta.events.register(event, record)
    try:
        yield bodies
    finally:
        client.meta.events.unregister(event, record)


# --- listings ----------------------------------------------------------------------------------

def versions_in_xml_order(client, bucket: str, **params) -> list[tuple[str, str, bool, bool]]:
    """Every entry of ListObjectVersions (all pages, through boto3's paginator) as
    (key, version_id, is_marker, is_latest) in the order of the XML: boto3 splits the
    interleaved <Version>/<DeleteMarker> elements into two lists, losing that order."""
    import xml.etree.ElementTree as ET

    with capture_raw_body(client, "ListObjectVersions") as bodies:
        for _ in client.get_paginator("list_object_versions").paginate(Bucket=bucket, **params):
            pass
    out = []
    for body in bodies:
        root = ET.fromstring(body)
        encoded = root.findtext("{*}EncodingType") == "url"
        for el in root:
            tag = el.tag.rsplit("}", 1)[-1]
            if tag in ("Version", "DeleteMarker"):
                def text(name, el=el):
                    child = el.find(f"{{*}}{name}")
                    return child.text if child is not None else None
                key = unquote_plus(text("Key")) if encoded else text("Key")
                out.append((key, text("VersionId"), tag == "DeleteMarker",
                            text("IsLatest") == "true"))
    return out


def keys_v2(client, bucket: str, **params) -> list[str]:
    out = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, **params):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


# --- command-line tools ------------------------------------------------------------------------

@dataclass
class Ran:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"$ {' '.join(self.args)}\n(exit {self.returncode})\n--- stdout ---\n"
                f"{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-6000:]}")


def run_tool(args: list[str], env: dict, timeout: float = 90, check: bool = True,
             cwd: Path | None = None, input: bytes | None = None) -> Ran:
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, timeout=timeout,
                          **({"input": input} if input is not None
                             else {"stdin": subprocess.DEVNULL}))
    ran = Ran(args, proc.returncode, proc.stdout.decode(errors="replace"),
              proc.stderr.decode(errors="replace"))
    if check:
        assert ran.returncode == 0, "command failed:\n" + ran.describe()
    return ran


def base_tool_env(home: Path) -> dict:
    """A minimal environment: PATH and a private HOME (no ~/.aws, ~/.config, ~/.s3cfg)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": str(home)}
    return env


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed; scripts/test installs it "
                    f"(apt-get install -y {name})", pytrace=False)
    return path


def tree_files(root: Path) -> dict[str, bytes]:
    """{relative posix path: contents} of every file under root."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


# --- raw signed requests -----------------------------------------------------------------------

def raw_request(server, method: str, path: str, params: dict | None = None,
                headers: dict | None = None, body: bytes = b"",
                send_instead: bytes | None = None, user=None):
    """One request signed with botocore's SigV4 signer (header auth), sent with `requests`:
    for what boto3 cannot show (unparsed XML) or will not send. `send_instead` sends other
    bytes than the signed `body`. Signed by the server's key pair, or by `user` (a
    `conftest.User`)."""
    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest(method=method, url=server.endpoint + path, params=params or {},
                     headers=dict(headers or {}), data=body)
    req.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    keys = (user.access_key, user.secret_key) if user else (server.access_key, server.secret_key)
    S3SigV4Auth(Credentials(*keys), "s3", "us-east-1").add_auth(req)
    prepared = req.prepare()
    data = body if send_instead is None else send_instead
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=data,
                            timeout=30)
