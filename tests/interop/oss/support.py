"""Helpers for the OSS interop tests: checksums, header assertions, raw signed requests.

Raw requests are signed by oss2's own signers (`oss2.Auth` for V1, `oss2.AuthV4` for V4) but
let a test choose exactly what goes on the wire (a missing Content-MD5, a quiet batch delete,
no encoding-type) and see the status, headers and body as the server sent them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

import oss2
import oss2.http
from requests.structures import CaseInsensitiveDict

# Keys the issue asks for: spaces, '+', '%', unicode, '/' runs.
SPECIAL_KEYS = [
    "with space.txt",
    "plus+sign.txt",
    "per%cent%2Fnot-a-slash.txt",
    "unicode-ü-测试-😀.txt",
    "a//b///c",
    "dir/a b+c%d~ü.txt",
]

MAX_KEY_BYTES = 1023  # OSS: a key empty or longer than 1023 bytes is 400 InvalidObjectName


def crc64(data: bytes) -> int:
    """CRC-64/XZ as the SDK computes it (oss2.utils.Crc64)."""
    c = oss2.utils.Crc64(0)
    c.update(data)
    return c.crc


def md5_hex_upper(data: bytes) -> str:
    return hashlib.md5(data).hexdigest().upper()


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def multipart_etag(parts: list[bytes]) -> str:
    """`"<UPPER MD5 of the concatenated binary part MD5s>-<N>"`: OSS writes hex ETags upper-case."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest().upper()
    return f'"{digest}-{len(parts)}"'


def key_of_bytes(n: int, prefix: str = "long/") -> str:
    """A key of exactly `n` UTF-8 bytes, mixing multi-byte characters and ASCII."""
    body = prefix + "é" * ((n - len(prefix.encode())) // 2)
    body += "x" * (n - len(body.encode()))
    assert len(body.encode()) == n
    return body


# --- header assertions -------------------------------------------------------------------------

VERSION_ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")  # OSS clients put version IDs in URLs unencoded


def assert_delete_marker_header(headers, expected: bool) -> None:
    """x-oss-delete-marker is either absent or exactly "true", never "false" (oss2 reads any
    non-empty value as True)."""
    value = headers.get("x-oss-delete-marker")
    if expected:
        assert value == "true", f"x-oss-delete-marker should be 'true', got {value!r}"
    else:
        assert value is None, f"x-oss-delete-marker should be absent, got {value!r}"


def assert_version_id_header(headers, expected) -> None:
    """expected: None = header absent; a str = that exact value; ... = present, well-formed."""
    value = headers.get("x-oss-version-id")
    if expected is None:
        assert value is None, f"x-oss-version-id should be absent, got {value!r}"
    elif expected is ...:
        assert value, "x-oss-version-id should be present"
        assert VERSION_ID_RE.match(value), f"version id {value!r} outside [A-Za-z0-9._-]"
    else:
        assert value == expected, f"x-oss-version-id should be {expected!r}, got {value!r}"


def assert_quoted_etag(headers, data: bytes | None = None) -> str:
    etag = headers.get("ETag")
    assert etag is not None, "ETag header missing"
    assert re.match(r'^"[0-9A-F]{32}(-\d+)?"$', etag), f"ETag not a quoted upper-hex MD5: {etag!r}"
    if data is not None:
        assert etag == f'"{md5_hex_upper(data)}"'
    return etag


def assert_crc_header(headers, data: bytes) -> None:
    value = headers.get("x-oss-hash-crc64ecma")
    assert value is not None, "x-oss-hash-crc64ecma header missing"
    assert value == str(crc64(data)), f"x-oss-hash-crc64ecma {value} != crc64 {crc64(data)}"


def assert_request_id(headers) -> None:
    assert headers.get("x-oss-request-id"), "x-oss-request-id header missing"


# --- raw requests ------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: CaseInsensitiveDict
    body: bytes

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def error_code(self) -> str | None:
        """Code from the body, or from the base64 x-oss-err header when the body is empty."""
        body = self.body
        if not body and self.headers.get("x-oss-err"):
            body = base64.b64decode(self.headers["x-oss-err"])
        if not body:
            return None
        try:
            return ET.fromstring(body).findtext("Code")
        except ET.ParseError:
            return None


class Raw:
    """Signed (or anonymous) requests built by hand, signed with oss2's signers."""

    def __init__(self, server, signature: str = "v1", access_key=None, secret_key=None,
                 anonymous: bool = False):
        self.server = server
        ak = access_key or server.access_key
        sk = secret_key or server.secret_key
        if anonymous:
            self.auth = oss2.AnonymousAuth()
        elif signature == "v1":
            self.auth = oss2.Auth(ak, sk)
        elif signature == "v4":
            self.auth = oss2.AuthV4(ak, sk)
        else:
            raise ValueError(signature)
        self.session = oss2.http.Session()

    def url(self, bucket: str | None, key: str | None) -> str:
        if not bucket:
            return self.server.endpoint + "/"
        return f"{self.server.endpoint}/{bucket}/{quote(key or '', safe='')}"

    def request(self, method: str, bucket: str | None = None, key: str | None = None,
                params: dict | None = None, headers: dict | None = None,
                data: bytes | None = None) -> RawResponse:
        req = oss2.http.Request(method, self.url(bucket, key), data=data, params=params or {},
                                headers=headers or {}, region=self.server.region, product="oss")
        self.auth._sign_request(req, bucket or "", key or "")
        resp = self.session.do_request(req, timeout=60)
        body = resp.read()
        return RawResponse(resp.status, CaseInsensitiveDict(resp.headers), body)

    def batch_delete(self, bucket: str, objects, quiet: bool, with_md5: bool = True,
                     md5: str | None = None, root: str = "Delete",
                     encoding_url: bool = True) -> RawResponse:
        body = delete_xml(objects, quiet, root)
        headers = {"Content-Type": "application/xml"}
        if with_md5:
            headers["Content-MD5"] = md5 or content_md5(body)
        params = {"delete": ""}
        if encoding_url:
            params["encoding-type"] = "url"
        return self.request("POST", bucket, params=params, headers=headers, data=body)


def delete_xml(objects, quiet: bool, root: str = "Delete") -> bytes:
    """<Delete><Quiet>..</Quiet><Object><Key>..</Key>[<VersionId>..</VersionId>]</Object>..."""
    node = ET.Element(root)
    ET.SubElement(node, "Quiet").text = "true" if quiet else "false"
    for item in objects:
        key, version_id = item if isinstance(item, tuple) else (item, None)
        obj = ET.SubElement(node, "Object")
        ET.SubElement(obj, "Key").text = key
        if version_id is not None:
            ET.SubElement(obj, "VersionId").text = version_id
    return ET.tostring(node, encoding="utf-8")


def children_names(node: ET.Element) -> list[str]:
    return [c.tag for c in node]
