"""@baiducloud/sdk and requests: PostObject (browser uploads).

The JavaScript SDK's `postObject` sends the form itself: with a `policy` option it signs it
(`signPostObjectPolicy`: `policy` = base64 of the JSON, `signature` = hex HMAC-SHA256 of it
with the secret key) and adds `accessKey`; without one it sends `accessKey` alone and signs
the request (bce-auth-v1). Forms the SDK would not send (a bad signature, a policy its
conditions refuse, an anonymous form) are posted with `requests`. bce-python-sdk reads back
what was stored.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json

import pytest
import requests

from .support import b64, get_bytes, node_ok, run_node


def expiration(seconds: int = 600) -> str:
    return (datetime.datetime.now(datetime.timezone.utc)
            + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def form(server, bucket: str, conditions: list, fields: dict, expires_in: int = 600):
    policy = base64.b64encode(json.dumps(
        {"expiration": expiration(expires_in),
         "conditions": [{"bucket": bucket}, *conditions]}).encode()).decode()
    signature = hmac.new(server.secret_key.encode(), policy.encode(), hashlib.sha256).hexdigest()
    return {"accessKey": server.access_key, "policy": policy, "signature": signature, **fields}


def post(server, bucket: str, fields: dict, content: bytes):
    return requests.post(f"{server.endpoint}/v1/{bucket}", data=fields,
                         files={"file": ("f.bin", content)}, timeout=30)


def test_js_post_object_with_a_policy(server, bos, bucket):
    policy = {"expiration": expiration(),
              "conditions": [{"bucket": bucket}, {"key": "photos/*"},
                             ["content-length-range", 1, 1024]]}
    (r,) = run_node(server, [("postObject", bucket, "photos/a.jpg", b64(b"jpeg bytes"),
                              {"policy": policy, "Content-Type": "image/jpeg",
                               "x-bce-meta-album": "summer"})])
    node_ok(r)
    assert get_bytes(bos, bucket, "photos/a.jpg") == b"jpeg bytes"
    meta = bos.get_object_meta_data(bucket, "photos/a.jpg").metadata
    assert meta.content_type == "image/jpeg"
    assert meta.bce_meta_album == "summer"
    assert meta.etag == hashlib.md5(b"jpeg bytes").hexdigest()


def test_js_post_object_signed_by_the_request(server, bos, bucket):
    """No policy: the SDK signs the request itself, and that signature is checked."""
    (r,) = run_node(server, [("postObject", bucket, "plain.txt", b64(b"signed request"), {})])
    node_ok(r)
    assert get_bytes(bos, bucket, "plain.txt") == b"signed request"
    (bad,) = run_node(server, [("postObject", bucket, "plain2.txt", b64(b"x"), {})],
                      secret_key="not-the-secret-key-0123456789")
    # BOS answers a signature that does not match with 400, as for every request.
    assert not bad.ok and bad.status == 400 and bad.code == "SignatureDoesNotMatch", bad


def test_js_policy_outside_its_conditions_is_refused(server, bos, bucket):
    policy = {"expiration": expiration(), "conditions": [{"key": "photos/*"}]}
    (r,) = run_node(server, [("postObject", bucket, "docs/a.txt", b64(b"x"),
                              {"policy": policy})])
    assert not r.ok and r.status == 403 and r.code == "AccessDenied", r
    assert list(bos.list_objects(bucket).contents) == []


@pytest.mark.parametrize("case,status,code", [
    ("anonymous", 403, "AccessDenied"),
    ("bad signature", 400, "SignatureDoesNotMatch"),
    ("expired", 403, "AccessDenied"),
    ("too large", 400, "EntityTooLarge"),
    ("malformed policy", 400, "InvalidPolicyDocument"),
])
def test_refused_forms_store_nothing(server, bos, bucket, case, status, code):
    fields = form(server, bucket, [["content-length-range", 0, 4]], {"key": "k"},
                  -60 if case == "expired" else 600)
    content = b"1234"
    if case == "anonymous":
        fields = {"key": "k"}
    elif case == "bad signature":
        fields["signature"] = "0" * 64
    elif case == "too large":
        content = b"12345"
    elif case == "malformed policy":
        fields["policy"] = base64.b64encode(b'{"expiration": "tomorrow"}').decode()
        fields["signature"] = hmac.new(server.secret_key.encode(), fields["policy"].encode(),
                                       hashlib.sha256).hexdigest()
    r = post(server, bucket, fields, content)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.headers["x-bce-request-id"]
    assert list(bos.list_objects(bucket).contents) == []


def test_success_redirect_url_is_a_303_with_bucket_key_and_etag(server, bos, bucket):
    """BOS's redirect field is `success-redirect-url`: once the file is stored, 303 to it."""
    from urllib.parse import parse_qs, urlsplit
    target = "http://demo.test.com/upload_success?object=o&userid=7"
    fields = form(server, bucket, [{"key": "r.txt"}],
                  {"key": "r.txt", "success-redirect-url": target})
    r = requests.post(f"{server.endpoint}/v1/{bucket}", data=fields,
                      files={"file": ("f.bin", b"redirected")}, timeout=30,
                      allow_redirects=False)
    assert r.status_code == 303, r.text
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == \
        "http://demo.test.com/upload_success"
    etag = bos.get_object_meta_data(bucket, "r.txt").metadata.etag
    assert parse_qs(location.query) == {"object": ["o"], "userid": ["7"], "bucket": [bucket],
                                        "key": ["r.txt"], "etag": [f'"{etag}"']}
    assert get_bytes(bos, bucket, "r.txt") == b"redirected"


@pytest.mark.parametrize("field", ["Content-MD5", "x-bce-content-crc32",
                                   "x-bce-content-sha256"])
def test_a_digest_field_is_checked_as_putobjects_header_is(server, bos, bucket, field):
    import zlib
    content = b"form body"

    def digest(data: bytes) -> str:
        if field == "Content-MD5":
            return base64.b64encode(hashlib.md5(data).digest()).decode()
        if field == "x-bce-content-crc32":
            return str(zlib.crc32(data))
        return hashlib.sha256(data).hexdigest()

    r = post(server, bucket, form(server, bucket, [], {"key": "bad", field: digest(b"other")}),
             content)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "BadDigest"
    assert list(bos.list_objects(bucket).contents) == []
    r = post(server, bucket, form(server, bucket, [], {"key": "good", field: digest(content)}),
             content)
    assert r.status_code == 200, r.text
    assert get_bytes(bos, bucket, "good") == content
