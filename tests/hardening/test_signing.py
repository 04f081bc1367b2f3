"""A signature covers what it says, and nothing can be added to it on the way.

- S3 (SigV4, header and presigned): an `x-amz-*` header the signature does not name is refused
  with 403 AccessDenied and `<HeadersNotSigned>`, as S3 does. Without that, a presigned PUT URL
  (signed over `host` only) plus an `x-amz-copy-source` header is a server-side copy of anything
  the signer can read, and `x-amz-meta-*` / `x-amz-metadata-directive` can be slipped in.
- BOS (bce-auth-v1): an explicit signed-headers list must name `host` and every `x-bce-*` header
  sent (403 AccessDenied): the same attack with `x-bce-copy-source`, and a request signed
  without `host` that could be replayed elsewhere.
- OSS: every scheme (V1, V4; header and presigned) signs every `x-oss-*` header, so adding one
  breaks the signature (403 SignatureDoesNotMatch).
- A V4 presigned URL dated more than 15 minutes in the future is refused (403 AccessDenied,
  "Request is not yet valid"), in OSS as in S3, so the 7-day limit on its lifetime holds.

Every refusal leaves the store exactly as it was (every version, marker and upload, through
listings); the same URL or request without the added header is then accepted, so the header
(not something else) was what was refused.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from urllib.parse import urlsplit

import boto3
import oss2
import pytest
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.http import http_methods
from baidubce.services.bos.bos_client import BosClient
from botocore.config import Config

from . import support, wire
from .support import assert_error


@pytest.fixture(scope="module")
def buckets(server):
    """Per dialect: a source bucket holding `secret` (which the signer can read) and an empty
    destination bucket, both versioned so that any write would show."""
    names = {}
    for d in wire.DIALECTS:
        src, dst = support.bucket_name(f"sig-src-{d}"), support.bucket_name(f"sig-dst-{d}")
        for b in (src, dst):
            support.create_bucket(server, d, b, versioned=True)
        support.ok(support.put(server, d, src, "secret", b"the signer may read this"))
        names[d] = (src, dst)
    return names


def hostport(server) -> str:
    return f"{server.host}:{server.port}"


def target_of(url: str) -> str:
    """Path and query of a presigned URL, as sent."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def send_target(server, method: str, target: str, headers: dict | None = None,
                body: bytes = b"") -> wire.Answer:
    return wire.send(server, wire.Req(method, target, dict(headers or {}), body))


def refused_and_unchanged(server, send) -> wire.Answer:
    """Sends (through `send()`) and checks that the store did not change."""
    before = wire.snapshot(server)
    answer = send()
    assert wire.snapshot(server) == before, answer
    return answer


def stored(server, bucket: str, key: str) -> bytes:
    return support.ok(support.get(server, "s3", bucket, key), f"get {bucket}/{key}").body


# -- S3 -----------------------------------------------------------------------------------


def s3_presigned_put(server, presigner: str, bucket: str, key: str) -> str:
    if presigner == "wire":
        return wire.Signer(server, "s3").presign_s3("PUT", bucket, key, expires=600)
    client = boto3.client(
        "s3", endpoint_url=server.endpoint, region_name=server.region,
        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key},
                                        ExpiresIn=600)
    assert "X-Amz-SignedHeaders=host&" in url or url.endswith("X-Amz-SignedHeaders=host"), url
    return target_of(url)


S3_EXTRAS = {
    "copy-source": lambda src: {"x-amz-copy-source": f"/{src}/secret"},
    "copy-source-and-directive": lambda src: {"x-amz-copy-source": f"/{src}/secret",
                                              "x-amz-metadata-directive": "REPLACE",
                                              "x-amz-meta-owner": "mallory"},
    "metadata": lambda src: {"x-amz-meta-owner": "mallory"},
    "metadata-directive": lambda src: {"x-amz-metadata-directive": "REPLACE"},
}


@pytest.mark.parametrize("presigner", ["wire", "boto3"])
@pytest.mark.parametrize("extra", sorted(S3_EXTRAS))
def test_s3_presigned_put_with_unsigned_amz_headers_is_refused(server, buckets, presigner,
                                                               extra):
    src, dst = buckets["s3"]
    key = f"presigned/{presigner}/{extra}"
    target = s3_presigned_put(server, presigner, dst, key)
    headers = S3_EXTRAS[extra](src)
    answer = refused_and_unchanged(
        server, lambda: send_target(server, "PUT", target, headers, b"uploaded"))
    assert_error(answer, "s3", 403, "AccessDenied")
    assert b"There were headers present in the request which were not signed" in answer.body
    listed = ", ".join(sorted(headers))
    assert f"<HeadersNotSigned>{listed}</HeadersNotSigned>".encode() in answer.body, answer
    # The URL itself is good: without the added headers it uploads what it was made for.
    support.ok(send_target(server, "PUT", target, {}, b"uploaded"))
    assert stored(server, dst, key) == b"uploaded"


def test_s3_header_signed_request_with_an_unsigned_amz_header_is_refused(server, buckets):
    src, dst = buckets["s3"]
    s = wire.Signer(server, "s3")
    for extra in ({"x-amz-copy-source": f"/{src}/secret"}, {"x-amz-meta-owner": "mallory"},
                  {"x-amz-storage-class": "STANDARD"}):
        req = s.sign("PUT", dst, "header/k", body=b"signed body")
        req.headers.update(extra)
        answer = refused_and_unchanged(server, lambda: wire.send(server, req))
        assert_error(answer, "s3", 403, "AccessDenied")
        name = next(iter(extra))
        assert f"<HeadersNotSigned>{name}</HeadersNotSigned>".encode() in answer.body, answer
    # Also for a read: an unsigned header is refused whatever the operation.
    req = s.sign("GET", src, "secret")
    req.headers["x-amz-checksum-mode"] = "ENABLED"
    assert_error(wire.send(server, req), "s3", 403, "AccessDenied")
    # The same headers, signed, are accepted.
    req = s.sign("PUT", dst, "header/k", body=b"signed body",
                 headers={"x-amz-meta-owner": "alice"})
    support.ok(wire.send(server, req))
    head = support.ok(wire.send(server, s.sign("HEAD", dst, "header/k")))
    assert head.headers.get("x-amz-meta-owner") == "alice"


# -- BOS ----------------------------------------------------------------------------------


def bos_presigned_put(server, presigner: str, bucket: str, key: str) -> str:
    if presigner == "wire":
        return wire.Signer(server, "bos").presign_bos("PUT", bucket, key, expiration=600)
    client = BosClient(BceClientConfiguration(
        credentials=BceCredentials(server.access_key, server.secret_key),
        endpoint=server.endpoint))
    url = client.generate_pre_signed_url(bucket, key, expiration_in_seconds=600,
                                         httpmethod=http_methods.PUT).decode()
    assert "%2F600%2Fhost%2F" in url, url  # signed over host only
    return target_of(url)


@pytest.mark.parametrize("presigner", ["wire", "bce-sdk"])
@pytest.mark.parametrize("extra", ["copy-source", "metadata"])
def test_bos_presigned_put_with_unsigned_bce_headers_is_refused(server, buckets, presigner,
                                                                extra):
    src, dst = buckets["bos"]
    key = f"presigned/{presigner}/{extra}"
    target = bos_presigned_put(server, presigner, dst, key)
    headers = ({"x-bce-copy-source": f"/{src}/secret"} if extra == "copy-source"
               else {"x-bce-meta-owner": "mallory"})
    answer = refused_and_unchanged(
        server, lambda: send_target(server, "PUT", target, headers, b"uploaded"))
    assert_error(answer, "bos", 403, "AccessDenied")
    assert next(iter(headers)).encode() in answer.body, answer
    support.ok(send_target(server, "PUT", target, {}, b"uploaded"))
    assert stored(server, dst, key) == b"uploaded"


def test_bos_header_signed_request_with_an_unsigned_bce_header_is_refused(server, buckets):
    src, dst = buckets["bos"]
    s = wire.Signer(server, "bos")
    for extra in ({"x-bce-copy-source": f"/{src}/secret"}, {"x-bce-meta-owner": "mallory"},
                  {"x-bce-storage-class": "STANDARD"}):
        req = s.sign("PUT", dst, "header/k", body=b"signed body")
        req.headers.update(extra)
        answer = refused_and_unchanged(server, lambda: wire.send(server, req))
        assert_error(answer, "bos", 403, "AccessDenied")
        assert next(iter(extra)).encode() in answer.body, answer
    # A signed x-bce-date left off the list is refused too.
    req = s.sign("PUT", dst, "header/k", body=b"signed body", bos_signed=["host"])
    answer = refused_and_unchanged(server, lambda: wire.send(server, req))
    assert_error(answer, "bos", 403, "AccessDenied")
    # Listed, they are accepted.
    req = s.sign("PUT", dst, "header/k", body=b"signed body",
                 headers={"x-bce-meta-owner": "alice"})
    support.ok(wire.send(server, req))


def test_bos_request_signed_without_host_is_refused(server, buckets):
    src, dst = buckets["bos"]
    s = wire.Signer(server, "bos")
    for method, bucket, key, body in (("PUT", dst, "no-host", b"x"), ("GET", src, "secret", b""),
                                      ("DELETE", src, "secret", b"")):
        req = s.sign(method, bucket, key, body=body, bos_signed=["x-bce-date"])
        assert "/x-bce-date/" in req.headers["Authorization"]
        answer = refused_and_unchanged(server, lambda: wire.send(server, req))
        assert_error(answer, "bos", 403, "AccessDenied")
        assert b"host" in answer.body, answer
    # With host, the same read is accepted.
    support.ok(wire.send(server, s.sign("GET", src, "secret", bos_signed=["host", "x-bce-date"])))


# -- OSS ----------------------------------------------------------------------------------


OSS_EXTRAS = {
    "metadata": lambda src: {"x-oss-meta-owner": "mallory"},
    "copy-source": lambda src: {"x-oss-copy-source": f"/{src}/secret"},
}


def oss_v4_header_request(server, method: str, bucket: str, key: str, body: bytes) -> wire.Req:
    """A request signed by oss2's V4 signer (x-oss-date, x-oss-content-sha256, Authorization)."""
    path = wire.path_of(bucket, key)
    req = oss2.http.Request(method, server.endpoint + path, data=body, params={}, headers={},
                            region=server.region, product="oss")
    oss2.AuthV4(server.access_key, server.secret_key)._sign_request(req, bucket, key)
    headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host",
                                                                          "content-length")}
    return wire.Req(method, path, headers, body)


def oss_v4_bucket(server, bucket: str) -> oss2.Bucket:
    return oss2.Bucket(oss2.AuthV4(server.access_key, server.secret_key), server.endpoint,
                       bucket, region=server.region)


@pytest.mark.parametrize("scheme", ["v1-header", "v1-presigned", "v4-header", "v4-presigned"])
@pytest.mark.parametrize("extra", sorted(OSS_EXTRAS))
def test_oss_requests_with_an_unsigned_oss_header_are_refused(server, buckets, scheme, extra):
    src, dst = buckets["oss"]
    key = f"{scheme}/{extra}"
    headers = OSS_EXTRAS[extra](src)
    s = wire.Signer(server, "oss")
    body = b"uploaded"
    if scheme == "v1-header":
        req = s.sign("PUT", dst, key, body=body)
    elif scheme == "v4-header":
        req = oss_v4_header_request(server, "PUT", dst, key, body)
    elif scheme == "v1-presigned":
        req = wire.Req("PUT", s.presign_oss("PUT", dst, key, int(time.time()) + 600), {}, body)
    else:
        req = wire.Req("PUT", target_of(oss_v4_bucket(server, dst).sign_url("PUT", key, 600)),
                       {}, body)
    tampered = wire.Req(req.method, req.target, {**req.headers, **headers}, body)
    answer = refused_and_unchanged(server, lambda: wire.send(server, tampered))
    assert_error(answer, "oss", 403, "SignatureDoesNotMatch")
    support.ok(wire.send(server, req))
    assert stored(server, dst, key) == body


# -- presigned URLs dated in the future ----------------------------------------------------


class _FastDatetime(datetime.datetime):
    ahead = datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return datetime.datetime.utcnow() + cls.ahead

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) + cls.ahead


@contextlib.contextmanager
def oss2_clock_ahead(seconds: float):
    """oss2 signs with a clock `seconds` ahead (it reads `datetime.utcnow()`)."""
    saved = oss2.auth.datetime
    oss2.auth.datetime = type("FastDatetime", (_FastDatetime,),
                              {"ahead": datetime.timedelta(seconds=seconds)})
    try:
        yield
    finally:
        oss2.auth.datetime = saved


def future_presigned_put(server, dialect: str, bucket: str, key: str, ahead: float) -> str:
    if dialect == "s3":
        return wire.Signer(server, "s3").presign_s3("PUT", bucket, key, expires=600,
                                                    skew=ahead)
    with oss2_clock_ahead(ahead):
        return target_of(oss_v4_bucket(server, bucket).sign_url("PUT", key, 600))


@pytest.mark.parametrize("dialect", ["s3", "oss"])
@pytest.mark.parametrize("ahead", ["20min", "30days", "2099"])
def test_v4_presigned_url_dated_in_the_future_is_refused(server, buckets, dialect, ahead):
    _, dst = buckets[dialect]
    key = f"future/{ahead}"
    seconds = {"20min": 20 * 60, "30days": 30 * 86400}.get(ahead)
    if seconds is None:  # x-oss-date / X-Amz-Date = 20990101T000000Z
        seconds = (datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
                   - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    target = future_presigned_put(server, dialect, dst, key, seconds)
    if ahead == "2099":
        assert "ate=20990101T0000" in target, target
    answer = refused_and_unchanged(
        server, lambda: send_target(server, "PUT", target, {}, b"from the future"))
    assert_error(answer, dialect, 403, "AccessDenied")
    assert b"Request is not yet valid" in answer.body, answer


@pytest.mark.parametrize("dialect", ["s3", "oss"])
def test_v4_presigned_url_a_little_ahead_is_accepted(server, buckets, dialect):
    # 15 minutes of clock skew are allowed, as for header-signed requests.
    _, dst = buckets[dialect]
    target = future_presigned_put(server, dialect, dst, "future/near", 5 * 60)
    support.ok(send_target(server, "PUT", target, {}, b"nearly now"))
    assert stored(server, dst, "future/near") == b"nearly now"
