"""Presigned URLs (V1 `Expires`/`Signature`, V4 `x-oss-*` query parameters): made by oss2
(`sign_url` with Auth / AuthV4) and by alibabacloud-oss-v2 (`presign`, V1 and V4), fetched with
plain `requests`."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests

from .clients import make_client
from .support import assert_crc_header, assert_quoted_etag, assert_request_id


def _error_code(resp: requests.Response) -> str | None:
    body = resp.content
    if not body and resp.headers.get("x-oss-err"):
        body = base64.b64decode(resp.headers["x-oss-err"])
    return ET.fromstring(body).findtext("Code") if body else None


def _signature_params(client) -> set[str]:
    return {"OSSAccessKeyId", "Expires", "Signature"} if client.signature == "v1" else {
        "x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires",
        "x-oss-signature"}


@pytest.mark.parametrize("key", ["plain.txt", "dir/a b+c%d~ü.txt"])
def test_presigned_get_downloads_the_object(client, admin, bucket, key):
    data = b"presigned payload"
    admin.put_object(bucket, key, data)
    url, headers = client.presign(bucket, "GET", key, expires=600)
    assert _signature_params(client) <= set(parse_qs(urlsplit(url).query))
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == data
    assert_request_id(r.headers)
    assert_quoted_etag(r.headers, data)
    assert_crc_header(r.headers, data)


def test_presigned_get_of_a_version(client, admin, versioned_bucket):
    b = versioned_bucket
    old = admin.put_object(b, "k", b"old").version_id
    admin.put_object(b, "k", b"new")
    url, headers = client.presign(b, "GET", "k", version_id=old)
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"old"
    assert r.headers.get("x-oss-version-id") == old


def test_presigned_put_uploads_the_object(client, admin, bucket):
    data = b"uploaded through a presigned URL"
    url, headers = client.presign(bucket, "PUT", "up/load.txt",
                                  headers={"Content-Type": "text/plain"})
    headers = dict(headers)
    headers.setdefault("Content-Type", "text/plain")
    r = requests.put(url, data=data, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert_quoted_etag(r.headers, data)
    assert_crc_header(r.headers, data)
    got = admin.get_object(bucket, "up/load.txt")
    assert got.body == data
    assert got.headers.get("Content-Type") == "text/plain"


def test_expired_presigned_url_is_403_access_denied(client, admin, bucket):
    admin.put_object(bucket, "k", b"data")
    url, headers = client.presign(bucket, "GET", "k", expired=True)
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 403
    assert _error_code(r) == "AccessDenied"
    assert_request_id(r.headers)
    # The same request, freshly signed, works: the expiry (not the signature) was refused.
    url, headers = client.presign(bucket, "GET", "k")
    assert requests.get(url, headers=headers, timeout=30).content == b"data"


def test_expired_presigned_put_changes_nothing(client, admin, bucket):
    url, headers = client.presign(bucket, "PUT", "k", expired=True)
    r = requests.put(url, data=b"late", headers=headers, timeout=30)
    assert (r.status_code, _error_code(r)) == (403, "AccessDenied")
    assert admin.list_objects(bucket).keys == []


def test_tampered_presigned_url_is_403_signature_does_not_match(client, admin, bucket):
    admin.put_object(bucket, "k", b"data")
    admin.put_object(bucket, "other", b"secret")
    url, headers = client.presign(bucket, "GET", "k")
    parts = urlsplit(url)
    # Same signature, different object: the signature no longer matches the request.
    tampered = urlunsplit(parts._replace(path=parts.path[: -len("k")] + "other"))
    r = requests.get(tampered, headers=headers, timeout=30)
    assert (r.status_code, _error_code(r)) == (403, "SignatureDoesNotMatch")
    assert r.content != b"secret"


def test_presigned_url_with_wrong_secret_is_403_signature_does_not_match(client, server, admin,
                                                                       bucket):
    admin.put_object(bucket, "k", b"data")
    forger = make_client(client.kind, server, secret_key="NotTheSecret000000000000000000000000000")
    url, headers = forger.presign(bucket, "GET", "k")
    r = requests.get(url, headers=headers, timeout=30)
    assert (r.status_code, _error_code(r)) == (403, "SignatureDoesNotMatch")

