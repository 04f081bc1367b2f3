"""bce-auth-v1: the Python SDK's header signature, explicit signed-header lists, presigned URLs
(Python GET/PUT, JS with `/v1`), refusals (wrong secret, unknown key, expired, tampered, malformed,
skewed), and the optional `/v1` path prefix (`/v1/bucket/key` is `/bucket/key`)."""

from __future__ import annotations

import time

import requests
from baidubce.http import http_methods

from .support import (
    SPECIAL_KEYS,
    assert_json_error,
    encode_path,
    expect_error,
    get_bytes,
    make_client,
    node_ok,
    run_node,
)

WRONG_SECRET = "NotTheSecretKeyOfStrataInteropTests000000"


def test_sdk_signed_requests_are_accepted(bos, bucket):
    # The Python SDK signs with an empty signedHeaders (the default set) on every request.
    bos.put_object_from_string(bucket, "k", b"signed by the sdk")
    assert get_bytes(bos, bucket, "k") == b"signed by the sdk"
    assert bucket in [b.name for b in bos.list_buckets().buckets]


def test_explicit_signed_headers_list_is_accepted(raw, bucket, bos):
    # JS and Go sign an explicit header list; Content-Type and a metadata header
    # are covered here too.
    path = encode_path(bucket, "explicit.txt")
    r = raw.request("PUT", path, headers={"Content-Type": "text/plain", "x-bce-meta-who": "js"},
                    body=b"explicit list",
                    headers_to_sign=["host", "content-length", "content-type", "x-bce-date",
                                     "x-bce-meta-who"])
    assert r.status == 200, r.body
    meta = bos.get_object_meta_data(bucket, "explicit.txt").metadata
    assert meta.bce_meta_who == "js"
    assert get_bytes(bos, bucket, "explicit.txt") == b"explicit list"


def test_special_keys_sign_and_round_trip(bos, bucket):
    for key in SPECIAL_KEYS:
        data = key.encode() * 3
        bos.put_object_from_string(bucket, key, data)
        assert get_bytes(bos, bucket, key) == data, key
        assert int(bos.get_object_meta_data(bucket, key).metadata.content_length) == len(data)


def test_path_encoded_differently_from_the_sdks_still_verifies(raw, bos, bucket):
    # The server decodes the path and re-encodes it with E() (every byte but A-Z a-z 0-9 - . _ ~
    # as upper-case %XX, '/' kept): lowercase hex and an
    # unescaped '!' on the wire sign the same as the canonical form.
    bos.put_object_from_string(bucket, "a+b!c.txt", b"odd encoding")
    canonical = encode_path(bucket, "a+b!c.txt")
    assert canonical.endswith("/a%2Bb%21c.txt")
    r = raw.request("GET", canonical, send_path=f"/{bucket}/a%2bb!c.txt")
    assert r.status == 200, r.body
    assert r.body == b"odd encoding"


def test_query_encoded_and_ordered_differently_still_verifies(raw, bos, bucket):
    # JS puts parameters unsorted and %-encodes `~ . - _` in the URL but not in the signature:
    # the server decodes and re-encodes the query before it computes the signature.
    put_keys = ["a~b.c-d_e/1", "a~b.c-d_e/2", "other"]
    for k in put_keys:
        bos.put_object_from_string(bucket, k, b"v")
    params = {"prefix": "a~b.c-d_e/", "maxKeys": "1", "delimiter": "/"}
    h = raw.headers_for("GET", encode_path(bucket), params)
    url = (f"{raw.server.endpoint}/{bucket}"
           "?maxKeys=1&prefix=a%7Eb%2Ec%2Dd%5Fe%2F&delimiter=%2F")
    resp = requests.get(url, headers=h, timeout=30)
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert [c["key"] for c in doc["contents"]] == ["a~b.c-d_e/1"]
    assert doc["prefix"] == "a~b.c-d_e/" and doc["isTruncated"] is True


def test_empty_valued_header_is_left_out_of_the_signature(raw, bos, bucket):
    # SDKs skip headers whose trimmed value is empty when signing, e.g. the
    # empty `Range:` JS sends; an x-bce-* header is in the default signed set.
    bos.put_object_from_string(bucket, "k", b"content")
    path = encode_path(bucket, "k")
    h = raw.headers_for("GET", path, headers={"x-bce-empty": "", "Range": ""})
    assert h["x-bce-empty"] == ""
    resp = requests.get(raw.url(path), headers=h, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"content"


def test_a_tampered_signed_header_is_refused(raw, bucket, bos):
    # The default signed set takes in every x-bce-* header: changing one after signing breaks it.
    path = encode_path(bucket, "tampered")
    h = raw.headers_for("PUT", path, headers={"x-bce-meta-a": "signed"}, content_length=4)
    h["x-bce-meta-a"] = "changed"
    resp = requests.put(raw.url(path), headers=h, data=b"data", timeout=30)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "SignatureDoesNotMatch"
    expect_error(bos.get_object_meta_data, bucket, "tampered", status=404, code=None)


def test_wrong_secret_key_is_refused(server, bucket, bos):
    # SignatureDoesNotMatch is 400 in BCE's table of common error codes.
    wrong = make_client(server, secret_key=WRONG_SECRET)
    err = expect_error(wrong.put_object_from_string, bucket, "nope", b"data",
                       status=400, code="SignatureDoesNotMatch")
    assert str(err)
    expect_error(wrong.list_objects, bucket, status=400, code="SignatureDoesNotMatch")
    expect_error(bos.get_object_meta_data, bucket, "nope", status=404, code=None)


def test_unknown_access_key_is_refused(server, bucket):
    stranger = make_client(server, access_key="NOSUCHACCESSKEY00000", secret_key=WRONG_SECRET)
    expect_error(stranger.list_objects, bucket, status=403, code="InvalidAccessKeyId")


def test_malformed_authorization_is_refused(raw, bucket):
    path = encode_path(bucket)
    resp = requests.get(raw.url(path), timeout=30, headers={
        "Authorization": "bce-auth-v1/" + raw.server.access_key + "/2024-01-01T00:00:00Z"})
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "InvalidHTTPAuthHeader", body
    assert body["requestId"] == resp.headers["x-bce-request-id"]


def test_expired_header_signature_is_refused(raw, bucket):
    r = raw.request("GET", encode_path(bucket), timestamp=int(time.time()) - 3600, expiration=60)
    assert_json_error(r, 400, "RequestExpired")


def test_timestamp_far_in_the_future_is_refused(raw, bucket):
    r = raw.request("GET", encode_path(bucket), timestamp=int(time.time()) + 3600)
    assert_json_error(r, 403, "RequestTimeTooSkewed")


def test_python_presigned_get_is_fetched_with_requests(bos, bucket):
    key = SPECIAL_KEYS[0]
    bos.put_object_from_string(bucket, key, b"presigned body")
    url = bos.generate_pre_signed_url(bucket, key, expiration_in_seconds=600).decode()
    assert "authorization=bce-auth-v1" in url
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"presigned body"
    assert resp.headers.get("x-bce-request-id")


def test_python_presigned_put_uploads(bos, bucket):
    url = bos.generate_pre_signed_url(bucket, "via-presigned-put", expiration_in_seconds=600,
                                      httpmethod=http_methods.PUT).decode()
    resp = requests.put(url, data=b"uploaded through a presigned url", timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("ETag")
    assert get_bytes(bos, bucket, "via-presigned-put") == b"uploaded through a presigned url"


def test_presigned_url_for_another_key_is_refused(bos, bucket):
    bos.put_object_from_string(bucket, "a", b"a")
    bos.put_object_from_string(bucket, "b", b"b")
    url = bos.generate_pre_signed_url(bucket, "a", expiration_in_seconds=600).decode()
    resp = requests.get(url.replace(f"/{bucket}/a?", f"/{bucket}/b?"), timeout=30)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "SignatureDoesNotMatch"


def test_expired_presigned_url_is_refused(bos, bucket):
    bos.put_object_from_string(bucket, "k", b"data")
    url = bos.generate_pre_signed_url(bucket, "k", timestamp=int(time.time()) - 3600,
                                      expiration_in_seconds=60).decode()
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "RequestExpired", body
    assert body["message"] and body["requestId"] == resp.headers["x-bce-request-id"]


def test_presigned_url_that_never_expires(raw, bos, bucket):
    # An expiration of -1 never expires; Strata accepts it.
    bos.put_object_from_string(bucket, "forever", b"no expiry")
    url = raw.presign("GET", encode_path(bucket, "forever"), timestamp=int(time.time()) - 86400,
                      expiration=-1)
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"no expiry"


def test_v1_prefix_is_optional(raw, bos, bucket):
    bos.put_object_from_string(bucket, "dir/obj", b"reached through /v1")
    r = raw.request("GET", "/v1" + encode_path(bucket, "dir/obj"))
    assert r.status == 200, r.body
    assert r.body == b"reached through /v1"

    r = raw.request("PUT", "/v1" + encode_path(bucket, "dir/put-v1"), body=b"written via /v1")
    assert r.status == 200, r.body
    assert get_bytes(bos, bucket, "dir/put-v1") == b"written via /v1"

    for path in (f"/v1/{bucket}", f"/v1/{bucket}/"):
        r = raw.request("GET", path, params={"prefix": "dir/"})
        assert r.status == 200, (path, r.body)
        assert [c["key"] for c in r.json()["contents"]] == ["dir/obj", "dir/put-v1"], path
        assert r.json()["name"] == bucket

    r = raw.request("HEAD", "/v1" + encode_path(bucket, "dir/obj"))
    assert r.status == 200
    assert r.headers["Content-Length"] == str(len(b"reached through /v1"))

    r = raw.request("DELETE", "/v1" + encode_path(bucket, "dir/put-v1"))
    assert r.status == 204, r.body
    expect_error(bos.get_object_meta_data, bucket, "dir/put-v1", status=404, code=None)


def test_v1_presigned_get_is_accepted(raw, bos, bucket):
    # The JS SDK's presigned URLs keep /v1; the signature covers /v1 as sent.
    key = SPECIAL_KEYS[0]
    bos.put_object_from_string(bucket, key, b"v1 presigned")
    url = raw.presign("GET", "/v1" + encode_path(bucket, key), expiration=600)
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"v1 presigned"


def test_js_presigned_url_with_v1_is_fetched_with_requests(server, bos, bucket):
    key = SPECIAL_KEYS[0]
    bos.put_object_from_string(bucket, key, b"made by the js sdk")
    [r] = run_node(server, [("generatePresignedUrl", bucket, key, None, 600)])
    url = node_ok(r).body
    assert url.startswith(f"{server.endpoint}/v1/{bucket}/"), url
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"made by the js sdk"


def test_js_sdk_requests_are_accepted(server, bos, bucket):
    # JS signs an explicit list incl. content-type, sends `Connection: close`, and an empty
    # `Range:` on GET.
    results = run_node(server, [
        ("putObjectFromString", bucket, "js/k.txt", "from node"),
        ("getObject", bucket, "js/k.txt"),
        ("getObjectMetadata", bucket, "js/k.txt"),
        ("listObjects", bucket, {"prefix": "js/"}),
        ("deleteObject", bucket, "js/k.txt"),
    ])
    for r in results:
        node_ok(r)
    assert results[1].data() == b"from node"
    assert results[2].headers["content-length"] == str(len(b"from node"))
    assert [c["key"] for c in results[3].body["contents"]] == ["js/k.txt"]
    expect_error(bos.get_object_meta_data, bucket, "js/k.txt", status=404, code=None)


def test_js_sdk_with_wrong_secret_is_refused(server, bucket):
    [r] = run_node(server, [("listObjects", bucket)], secret_key=WRONG_SECRET)
    assert not r.ok
    assert (r.status, r.code) == (400, "SignatureDoesNotMatch"), r
