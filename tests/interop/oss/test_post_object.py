"""requests and oss2: PostObject (browser uploads) with OSS's documented form fields.

Neither oss2 nor alibabacloud-oss-v2 builds PostObject forms (ali-oss, the JavaScript SDK,
does), so each form is built from OSS's documented fields and signed here: V1 (`OSSAccessKeyId`,
`Signature` = base64 HMAC-SHA1 of the base64 policy) and V4 (`x-oss-signature-version`,
`x-oss-credential`, `x-oss-date`, `x-oss-signature` = hex HMAC-SHA256 of the policy with the
`aliyun_v4` signing key of the credential's scope). `requests` posts it as a browser does;
oss2 (V1) reads back what was stored.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import oss2
import pytest
import requests


def policy_of(bucket: str, conditions: list, expires_in: int = 600) -> str:
    expiration = (datetime.datetime.now(datetime.timezone.utc)
                  + datetime.timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    doc = {"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions]}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def v1_form(server, bucket: str, conditions: list, fields: dict, expires_in: int = 600):
    policy = policy_of(bucket, conditions, expires_in)
    signature = base64.b64encode(
        hmac.new(server.secret_key.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    return {**fields, "OSSAccessKeyId": server.access_key, "policy": policy,
            "Signature": signature}


def v4_form(server, bucket: str, conditions: list, fields: dict):
    now = datetime.datetime.now(datetime.timezone.utc)
    date = now.strftime("%Y%m%dT%H%M%SZ")
    credential = f"{server.access_key}/{date[:8]}/{server.region}/oss/aliyun_v4_request"
    policy = policy_of(bucket, [{"x-oss-signature-version": "OSS4-HMAC-SHA256"},
                                {"x-oss-credential": credential}, {"x-oss-date": date},
                                *conditions])
    key = ("aliyun_v4" + server.secret_key).encode()
    for part in (date[:8], server.region, "oss", "aliyun_v4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
    return {**fields, "x-oss-signature-version": "OSS4-HMAC-SHA256",
            "x-oss-credential": credential, "x-oss-date": date, "policy": policy,
            "x-oss-signature": signature}


def post(server, bucket: str, fields: dict, content: bytes, **kw):
    return requests.post(f"{server.endpoint}/{bucket}", data=fields,
                         files={"file": ("local name.txt", content)}, timeout=30, **kw)


def error_code(r) -> str:
    assert r.headers.get("x-oss-request-id"), r.headers
    return ET.fromstring(r.content).findtext("Code")


def test_v1_form_stores_the_file_metadata_and_acl(server, admin, bucket):
    fields = {"key": "photos/${filename}", "success_action_status": "201",
              "Content-Type": "text/plain", "x-oss-meta-author": "form",
              "x-oss-object-acl": "public-read"}
    form = v1_form(server, bucket, [["starts-with", "$key", "photos/"],
                                    ["content-length-range", 1, 1024]], fields)
    r = post(server, bucket, form, b"posted through a form")
    assert r.status_code == 201, r.text
    assert r.headers["x-oss-request-id"]
    doc = ET.fromstring(r.content)
    assert doc.findtext("Bucket") == bucket
    assert doc.findtext("Key") == "photos/local name.txt"
    b = admin.bucket(bucket)
    got = b.get_object("photos/local name.txt")
    assert got.read() == b"posted through a form"
    assert got.headers["Content-Type"] == "text/plain"
    assert got.headers["x-oss-meta-author"] == "form"
    assert got.headers["ETag"] == r.headers["ETag"] == doc.findtext("ETag")
    assert b.get_object_acl("photos/local name.txt").acl == oss2.OBJECT_ACL_PUBLIC_READ


def test_v4_form_in_a_versioned_bucket_answers_204_with_the_version(server, admin,
                                                                     versioned_bucket):
    b = versioned_bucket
    form = v4_form(server, b, [["eq", "$key", "doc.bin"]], {"key": "doc.bin"})
    r = post(server, b, form, b"\x00v4 form")
    assert r.status_code == 204, r.text
    head = admin.bucket(b).head_object("doc.bin")
    assert r.headers["x-oss-version-id"] == head.versionid
    assert int(r.headers["x-oss-hash-crc64ecma"]) == head.server_crc


def test_success_action_redirect(server, admin, bucket):
    target = "http://example.com/uploaded"
    form = v1_form(server, bucket, [], {"key": "r.txt", "success_action_redirect": target})
    r = post(server, bucket, form, b"x", allow_redirects=False)
    assert r.status_code == 303, r.text
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == target
    etag = admin.bucket(bucket).head_object("r.txt").etag
    assert parse_qs(location.query) == {"bucket": [bucket], "key": ["r.txt"],
                                        "etag": [f'"{etag}"']}


def test_anonymous_forms_need_a_public_read_write_bucket(server, admin, bucket):
    fields = {"key": "anon.txt", "x-oss-meta-from": "anonymous"}
    r = post(server, bucket, fields, b"anonymous")
    assert r.status_code == 403, r.text
    assert error_code(r) == "AccessDenied"
    admin.bucket(bucket).put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ_WRITE)
    r = post(server, bucket, fields, b"anonymous")
    assert r.status_code == 204, r.text
    got = admin.bucket(bucket).get_object("anon.txt")
    assert got.read() == b"anonymous"
    assert got.headers["x-oss-meta-from"] == "anonymous"


@pytest.mark.parametrize("case,status,code", [
    ("expired", 403, "AccessDenied"),
    ("condition fails", 403, "AccessDenied"),
    ("too large", 400, "EntityTooLarge"),
    ("bad V1 signature", 403, "SignatureDoesNotMatch"),
    ("bad V4 signature", 403, "SignatureDoesNotMatch"),
    ("no Signature", 400, "InvalidArgument"),
    ("unknown key", 403, "InvalidAccessKeyId"),
    ("callback", 501, "NotImplemented"),
])
def test_refused_forms_store_nothing(server, admin, bucket, case, status, code):
    conditions = [["starts-with", "$key", "in/"], ["content-length-range", 0, 4]]
    fields = {"key": "in/file"}
    content = b"1234"
    if case == "condition fails":
        fields["key"] = "out/file"
    elif case == "too large":
        content = b"12345"
    elif case == "callback":
        fields["callback"] = base64.b64encode(b'{"callbackUrl":"http://127.0.0.1:1"}').decode()
    if case == "bad V4 signature":
        form = v4_form(server, bucket, conditions, fields)
        form["x-oss-signature"] = "0" * 64
    else:
        form = v1_form(server, bucket, conditions, fields, -60 if case == "expired" else 600)
    if case == "bad V1 signature":
        form["Signature"] = base64.b64encode(b"0" * 20).decode()
    elif case == "no Signature":
        del form["Signature"]
    elif case == "unknown key":
        form["OSSAccessKeyId"] = "NOSUCHKEY0000000"
    r = post(server, bucket, form, content)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    assert admin.list_objects(bucket).keys == []
