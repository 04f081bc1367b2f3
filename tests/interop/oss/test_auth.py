"""Authentication failures: every client signs, the server must check. A wrong secret is 403
SignatureDoesNotMatch, an unknown key 403 InvalidAccessKeyId, an anonymous request to a private
bucket 403 AccessDenied; errors are XML with Code and RequestId (for HEAD, in x-oss-err)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from .clients import OssError, make_client
from .support import Raw, assert_request_id

WRONG_SECRET = "ThisIsNotTheSecretKey0000000000000000000"


@pytest.fixture
def wrong_secret(client, server):
    """The parametrized client's kind, but signing with a wrong secret key."""
    return make_client(client.kind, server, secret_key=WRONG_SECRET)


def test_right_keys_are_accepted(client, bucket):
    assert client.put_object(bucket, "k", b"ok").status == 200
    assert client.get_object(bucket, "k").body == b"ok"


def test_wrong_secret_is_403_signature_does_not_match(wrong_secret, admin, bucket):
    admin.put_object(bucket, "k", b"data")
    calls = {
        "put": lambda: wrong_secret.put_object(bucket, "k", b"evil"),
        "get": lambda: wrong_secret.get_object(bucket, "k"),
        "head": lambda: wrong_secret.head_object(bucket, "k"),  # code from x-oss-err
        "delete": lambda: wrong_secret.delete_object(bucket, "k"),
        "list": lambda: wrong_secret.list_objects(bucket),
        "batch-delete": lambda: wrong_secret.delete_objects(bucket, ["k"]),
    }
    for name, call in calls.items():
        with pytest.raises(OssError) as e:
            call()
        assert (e.value.status, e.value.code) == (403, "SignatureDoesNotMatch"), name
        assert_request_id(e.value.headers)
    assert admin.get_object(bucket, "k").body == b"data"  # nothing was changed


def test_unknown_access_key_is_403_invalid_access_key_id(client, server, admin, bucket):
    stranger = make_client(client.kind, server, access_key="UNKNOWNACCESSKEY0000")
    with pytest.raises(OssError) as e:
        stranger.put_object(bucket, "k", b"x")
    assert (e.value.status, e.value.code) == (403, "InvalidAccessKeyId")
    with pytest.raises(OssError) as e:
        stranger.head_object(bucket, "k")
    assert (e.value.status, e.value.code) == (403, "InvalidAccessKeyId")
    assert admin.list_objects(bucket).keys == []


def test_signature_error_is_xml_with_code_and_request_id(server, bucket):
    r = Raw(server, "v1", secret_key=WRONG_SECRET).request("GET", bucket, "k")
    assert r.status == 403
    assert r.headers.get("Content-Type", "").startswith("application/xml")
    root = ET.fromstring(r.body)
    assert root.tag == "Error"
    assert root.findtext("Code") == "SignatureDoesNotMatch"
    assert root.findtext("Message")
    assert root.findtext("RequestId") == r.headers["x-oss-request-id"]


@pytest.mark.parametrize("signature", ["v1", "v4"])
def test_head_with_wrong_secret_puts_the_error_in_x_oss_err(server, bucket, signature):
    r = Raw(server, signature, secret_key=WRONG_SECRET).request("HEAD", bucket, "k")
    assert r.status == 403
    assert r.body == b""
    err = ET.fromstring(base64.b64decode(r.headers["x-oss-err"]))
    assert err.findtext("Code") == "SignatureDoesNotMatch"


def test_anonymous_requests_to_a_private_bucket_are_403_access_denied(server, admin, bucket):
    """Unsigned requests carry no dialect, so only status and code are checked (not which
    dialect's request-id header comes back)."""
    admin.put_object(bucket, "k", b"private")
    anon = Raw(server, anonymous=True)
    for method, data in (("GET", None), ("PUT", b"x"), ("DELETE", None)):
        r = anon.request(method, bucket, "k", data=data)
        assert (r.status, r.error_code()) == (403, "AccessDenied"), method
    r = anon.request("GET", bucket)
    assert (r.status, r.error_code()) == (403, "AccessDenied")
    assert admin.get_object(bucket, "k").body == b"private"
