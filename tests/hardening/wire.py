"""Raw HTTP for the hardening suite: the three signature schemes written out by hand (so a
test can sign a request and then break its framing, its body or its signature), a socket
exchange that tolerates a server closing on it, and a snapshot of everything stored.

Signers (all path-style, `/bucket/key`):
- S3 SigV4, header (`UNSIGNED-PAYLOAD`, signing `host` and every `x-amz-*` header) and
  presigned query (signing `host`);
- OSS V1, header and presigned query;
- BOS bce-auth-v1, header (signing `host` and every `x-bce-*` header, or the names given) and
  presigned query (signing `host`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import socket
import time
import urllib.parse
from dataclasses import dataclass, field

DIALECTS = ("s3", "oss", "bos")

UNRESERVED = "-_.~"


def q(s: str, safe: str = "") -> str:
    return urllib.parse.quote(s, safe=UNRESERVED + safe)


def path_of(bucket: str | None, key: str | None) -> str:
    if not bucket:
        return "/"
    if key is None:
        return "/" + q(bucket)
    return "/" + q(bucket) + "/" + q(key, safe="/")


def query_string(params: dict | list | None) -> str:
    if not params:
        return ""
    items = params.items() if isinstance(params, dict) else params
    return "&".join(q(k) if v is None else f"{q(k)}={q(str(v))}" for k, v in items)


def amz_now(offset: float = 0) -> tuple[str, str]:
    t = dt.datetime.fromtimestamp(time.time() + offset, dt.timezone.utc)
    return t.strftime("%Y%m%dT%H%M%SZ"), t.strftime("%Y%m%d")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


@dataclass
class Req:
    """A request before it goes on the wire: `target` is path plus query as sent."""
    method: str
    target: str
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    def head_bytes(self, host: str, content_length: int | None = None,
                   extra: dict | None = None) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", f"Host: {host}"]
        headers = dict(self.headers)
        headers.update(extra or {})
        if content_length is not None and not any(k.lower() == "transfer-encoding"
                                                  for k in headers):
            headers.setdefault("Content-Length", str(content_length))
        for k, v in headers.items():
            if k.lower() == "host":
                continue
            lines.append(f"{k}: {v}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def wire(self, host: str) -> bytes:
        return self.head_bytes(host, len(self.body)) + self.body


class Signer:
    def __init__(self, server, dialect: str, access_key=None, secret_key=None):
        self.server = server
        self.dialect = dialect
        self.access_key = access_key or server.access_key
        self.secret_key = secret_key or server.secret_key
        self.host = f"{server.host}:{server.port}"

    # -- the three schemes ----------------------------------------------------------------
    def sign(self, method: str, bucket=None, key=None, params=None, headers=None,
             body: bytes = b"", skew: float = 0, bad_signature: bool = False,
             raw_path: str | None = None, bos_signed: list[str] | None = None) -> Req:
        """`bos_signed`: the header names a BOS signature lists (default: host and every
        x-bce-* header)."""
        headers = dict(headers or {})
        path = raw_path or path_of(bucket, key)
        qs = query_string(params)
        target = path + ("?" + qs if qs else "")
        if self.dialect == "s3":
            self._sign_s3(method, path, params, headers, skew)
        elif self.dialect == "oss":
            self._sign_oss(method, bucket, key, params, headers, skew)
        else:
            self._sign_bos(method, path, params, headers, skew, signed=bos_signed)
        if bad_signature:
            self._break_signature(headers)
        return Req(method, target, headers, body)

    def _break_signature(self, headers: dict) -> None:
        auth = headers["Authorization"]
        last = auth[-1]
        headers["Authorization"] = auth[:-1] + ("0" if last != "0" else "1")

    def _sign_s3(self, method, path, params, headers, skew):
        amz_date, day = amz_now(skew)
        headers["x-amz-date"] = amz_date
        payload = headers.setdefault("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        signed = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()
                  if k.lower().startswith("x-amz-")}
        signed["host"] = self.host
        names = sorted(signed)
        canonical = "\n".join([
            method, path, self._s3_query(params),
            "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), payload,
        ])
        scope = f"{day}/{self.server.region}/s3/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        k = _hmac(("AWS4" + self.secret_key).encode(), day)
        for part in (self.server.region, "s3", "aws4_request"):
            k = _hmac(k, part)
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={sig}")

    @staticmethod
    def _s3_query(params) -> str:
        if not params:
            return ""
        items = params.items() if isinstance(params, dict) else params
        return "&".join(sorted(f"{q(k)}={q('' if v is None else str(v))}" for k, v in items))

    def presign_s3(self, method, bucket, key, expires: int, skew: float = 0) -> str:
        amz_date, day = amz_now(skew)
        scope = f"{day}/{self.server.region}/s3/aws4_request"
        params = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"{self.access_key}/{scope}",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": str(expires),
            "X-Amz-SignedHeaders": "host",
        }
        path = path_of(bucket, key)
        canonical = "\n".join([method, path, self._s3_query(params), f"host:{self.host}\n",
                               "host", "UNSIGNED-PAYLOAD"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        k = _hmac(("AWS4" + self.secret_key).encode(), day)
        for part in (self.server.region, "s3", "aws4_request"):
            k = _hmac(k, part)
        params["X-Amz-Signature"] = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        return path + "?" + query_string(params)

    def _sign_oss(self, method, bucket, key, params, headers, skew):
        date = http_date(time.time() + skew)
        headers["Date"] = date
        sts = self._oss_string_to_sign(method, bucket, key, params, headers, date)
        sig = base64.b64encode(hmac.new(self.secret_key.encode(), sts.encode(),
                                        hashlib.sha1).digest()).decode()
        headers["Authorization"] = f"OSS {self.access_key}:{sig}"

    @staticmethod
    def _oss_string_to_sign(method, bucket, key, params, headers, date_line) -> str:
        lower = {k.lower(): v for k, v in headers.items()}
        oss_headers = "".join(f"{k}:{lower[k]}\n" for k in sorted(lower) if k.startswith("x-oss-"))
        resource = "/" if not bucket else f"/{bucket}/{key or ''}"
        sub = []
        items = (params.items() if isinstance(params, dict) else params) if params else []
        for k, v in items:
            if k in OSS_SUBRESOURCES:
                sub.append(k if v in (None, "") else f"{k}={v}")
        if sub:
            resource += "?" + "&".join(sorted(sub))
        return (f"{method}\n{lower.get('content-md5', '')}\n{lower.get('content-type', '')}\n"
                f"{date_line}\n{oss_headers}{resource}")

    def presign_oss(self, method, bucket, key, expires_at: int) -> str:
        sts = self._oss_string_to_sign(method, bucket, key, None, {}, str(expires_at))
        sig = base64.b64encode(hmac.new(self.secret_key.encode(), sts.encode(),
                                        hashlib.sha1).digest()).decode()
        return path_of(bucket, key) + "?" + query_string(
            {"OSSAccessKeyId": self.access_key, "Expires": str(expires_at), "Signature": sig})

    def _sign_bos(self, method, path, params, headers, skew, expiration: int = 1800,
                  signed: list[str] | None = None):
        ts = dt.datetime.fromtimestamp(time.time() + skew, dt.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        headers["x-bce-date"] = ts
        if signed is None:
            signed = ["host"] + [k.lower() for k in headers if k.lower().startswith("x-bce-")]
        values = {k.lower(): str(v) for k, v in headers.items()}
        values["host"] = self.host
        names = sorted(set(signed))
        prefix = f"bce-auth-v1/{self.access_key}/{ts}/{expiration}"
        headers["Authorization"] = prefix + "/" + ";".join(names) + "/" + self._bos_signature(
            prefix, method, path, params, {n: values[n] for n in names if n in values})

    def _bos_signature(self, prefix, method, path, params, signed: dict | None = None) -> str:
        """`signed`: the signed headers' values by lower-case name (default: host only)."""
        items = (params.items() if isinstance(params, dict) else params) if params else []
        query = "&".join(sorted(f"{q(k)}={q('' if v is None else str(v))}" for k, v in items
                                if k.lower() != "authorization"))
        canonical_uri = urllib.parse.quote(urllib.parse.unquote_to_bytes(path),
                                           safe="/" + UNRESERVED)
        signed = {"host": self.host} if signed is None else signed
        headers = "\n".join(sorted(f"{q(k)}:{q(v.strip())}" for k, v in signed.items()
                                   if v.strip()))
        canonical = f"{method}\n{canonical_uri}\n{query}\n{headers}"
        signing_key = hmac.new(self.secret_key.encode(), prefix.encode(),
                               hashlib.sha256).hexdigest()
        return hmac.new(signing_key.encode(), canonical.encode(), hashlib.sha256).hexdigest()

    def presign_bos(self, method, bucket, key, expiration: int, skew: float = 0) -> str:
        ts = dt.datetime.fromtimestamp(time.time() + skew, dt.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        prefix = f"bce-auth-v1/{self.access_key}/{ts}/{expiration}"
        path = path_of(bucket, key)
        auth = prefix + "/host/" + self._bos_signature(prefix, method, path, None)
        return path + "?" + query_string({"authorization": auth})


OSS_SUBRESOURCES = {
    "acl", "uploads", "location", "cors", "logging", "website", "referer", "lifecycle",
    "delete", "append", "tagging", "objectMeta", "uploadId", "partNumber", "security-token",
    "position", "img", "style", "styleName", "replication", "replicationProgress",
    "replicationLocation", "cname", "bucketInfo", "comp", "qos", "live", "status", "vod",
    "startTime", "endTime", "symlink", "x-oss-process", "response-content-type",
    "response-content-language", "response-expires", "response-cache-control",
    "response-content-disposition", "response-content-encoding", "udf", "udfName",
    "udfImage", "udfId", "udfImageDesc", "udfApplication", "udfApplicationLog",
    "restore", "callback", "callback-var", "continuation-token", "versioning", "versions",
    "versionId", "policy", "requestPayment", "x-oss-traffic-limit", "encryption",
    "worm", "wormId", "wormExtend", "inventory", "inventoryId", "stat", "objectInfo",
}


def http_date(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


# -- the wire -----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None  # None: the server closed without answering
    headers: dict
    body: bytes
    closed: bool  # the server closed the connection after the answer (or instead of one)

    def code(self, dialect: str) -> str | None:
        """The error code in the dialect's error body (XML `<Code>` or JSON `code`)."""
        if not self.body:
            return None
        if dialect == "bos":
            try:
                return json.loads(self.body).get("code")
            except ValueError:
                return None
        text = self.body.decode("utf-8", "replace")
        start = text.find("<Code>")
        end = text.find("</Code>")
        return text[start + 6:end] if start >= 0 and end > start else None


def connect(server, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=timeout)


def exchange(server, data: bytes | list, timeout: float = 15.0, method: str = "GET",
             shut_write: bool = False, pause: float = 0.0, probe_close: bool = True) -> Answer:
    """Sends `data` (or each piece of a list, `pause` seconds apart), optionally half-closes,
    and reads one response. A reset or a close without a response is `status=None`. With
    `probe_close`, waits up to a second to see whether the server closes the connection after
    its answer (`Answer.closed`)."""
    sock = connect(server, timeout)
    try:
        pieces = data if isinstance(data, list) else [data]
        try:
            for i, piece in enumerate(pieces):
                if i and pause:
                    time.sleep(pause)
                sock.sendall(piece)
            if shut_write:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        answer = read_answer(sock, method)
        if probe_close and answer.status is not None and not answer.closed:
            answer.closed = closes_soon(sock)
        return answer
    finally:
        sock.close()


def closes_soon(sock: socket.socket, within: float = 1.0) -> bool:
    """Whether the server closes the connection (EOF or reset) within `within` seconds with
    nothing more to say."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (socket.timeout, TimeoutError):
        return False


def read_answer(sock: socket.socket, method: str = "GET") -> Answer:
    resp = http.client.HTTPResponse(sock, method=method)
    try:
        resp.begin()
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
        return Answer(None, {}, b"", True)
    try:
        body = resp.read()
    except (http.client.IncompleteRead, ConnectionResetError) as e:
        body = getattr(e, "partial", b"") or b""
    headers = {k.lower(): v for k, v in resp.getheaders()}
    closed = resp.will_close
    return Answer(resp.status, headers, body, closed)


def send(server, req: Req, timeout: float = 15.0) -> Answer:
    host = f"{server.host}:{server.port}"
    return exchange(server, req.wire(host), timeout=timeout, method=req.method,
                    probe_close=False)


# -- what is stored -----------------------------------------------------------------------


def snapshot(server) -> dict:
    """Every bucket, every version and delete marker (key, version, ETag, size) and every
    multipart upload, through S3 listings; plus the object bytes' digests of current versions
    are not needed: a changed object has a new version or ETag."""
    s = Signer(server, "s3")
    out = {}
    listing = send(server, s.sign("GET"))
    assert listing.status == 200, listing
    buckets = sorted(_xml_all(listing.body, "Name"))
    for b in buckets:
        versions = []
        marker = None
        while True:
            # encoding-type=url: keys with control characters (even NUL) list as %XX.
            params = {"versions": "", "max-keys": "1000", "encoding-type": "url"}
            if marker:
                params.update({"key-marker": marker[0], "version-id-marker": marker[1]})
            a = send(server, s.sign("GET", b, params=params))
            assert a.status == 200, (b, a)
            versions += _version_entries(a.body)
            if b"<IsTruncated>true</IsTruncated>" not in a.body:
                break
            marker = (urllib.parse.unquote(_xml_all(a.body, "NextKeyMarker")[0]),
                      _xml_all(a.body, "NextVersionIdMarker")[0])
        uploads = send(server, s.sign("GET", b, params={"uploads": ""}))
        assert uploads.status == 200, (b, uploads)
        out[b] = {"versions": versions, "uploads": sorted(_xml_all(uploads.body, "UploadId"))}
    return out


def _xml_all(body: bytes, tag: str) -> list[str]:
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    return [el.text or "" for el in root.iter() if el.tag.rsplit("}", 1)[-1] == tag]


def _version_entries(body: bytes) -> list[tuple]:
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    out = []
    for el in root:
        kind = el.tag.rsplit("}", 1)[-1]
        if kind not in ("Version", "DeleteMarker"):
            continue
        f = {c.tag.rsplit("}", 1)[-1]: (c.text or "") for c in el}
        out.append((kind, urllib.parse.unquote(f.get("Key") or ""), f.get("VersionId"),
                    f.get("ETag"), f.get("Size"),
                    f.get("IsLatest")))
    return out
