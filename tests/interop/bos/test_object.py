"""Object operations: put (Content-MD5, `x-bce-content-sha256`,
`x-bce-content-crc32` verified: a wrong value is 400 BadDigest), get (Range; an empty Range
header means none), head (`get_object_meta_data`: user metadata and content headers round-trip),
copy (`x-bce-copy-source`, metadata directive copy/replace), delete (204; 404 NoSuchKey)."""

from __future__ import annotations

import os

import pytest

from .support import (
    BOS_TIME_RE,
    SPECIAL_KEYS,
    assert_json_error,
    content_md5,
    crc32,
    crc32c,
    crc64ecma,
    encode_path,
    expect_error,
    get_bytes,
    md5_hex,
    node_ok,
    run_node,
    sha256_hex,
)

DATA = b"This is a string."  # the Python SDK's own test: etag 13562b471182311b6eea8d241103e8f0


# --- put ----------------------------------------------------------------------------------------


def test_put_returns_md5_etag_and_crc32(bos, bucket):
    r = bos.put_object_from_string(bucket, "k", DATA)
    assert r.metadata.etag == "13562b471182311b6eea8d241103e8f0" == md5_hex(DATA)
    assert r.metadata.bce_content_crc_32 == str(crc32(DATA))
    assert r.metadata.bce_version_id is None  # unversioned bucket: no version id
    assert get_bytes(bos, bucket, "k") == DATA


def test_put_sends_crc32_by_default_and_hello_world_matches(raw, bos, bucket):
    # The SDK sends x-bce-content-crc32 by default; for "hello world" it is 222957957.
    assert crc32(b"hello world") == 222957957
    r = raw.request("PUT", encode_path(bucket, "hw"), headers={"x-bce-content-crc32": "222957957"},
                    body=b"hello world")
    assert r.status == 200, r.body
    assert r.headers["x-bce-content-crc32"] == "222957957"
    assert r.headers["ETag"] == f'"{md5_hex(b"hello world")}"'
    assert r.body == b""


@pytest.mark.parametrize("digest", ["md5", "sha256", "crc32", "all"])
def test_put_with_correct_digests_is_accepted(bos, bucket, digest):
    kw = {}
    if digest in ("md5", "all"):
        kw["content_md5"] = content_md5(DATA)
    if digest in ("sha256", "all"):
        kw["content_sha256"] = sha256_hex(DATA)
    if digest in ("crc32", "all"):
        kw["content_crc32"] = str(crc32(DATA))
    r = bos.put_object_from_string(bucket, "k", DATA, **kw)
    assert r.metadata.etag == md5_hex(DATA)
    assert get_bytes(bos, bucket, "k") == DATA


WRONG = b"This is a strinG."


@pytest.mark.parametrize("digest", ["md5", "sha256", "crc32"])
def test_put_with_wrong_digest_is_bad_digest_and_stores_nothing(bos, bucket, digest):
    kw = {"md5": {"content_md5": content_md5(WRONG)},
          "sha256": {"content_sha256": sha256_hex(WRONG)},
          "crc32": {"content_crc32": str(crc32(WRONG))}}[digest]
    bos.put_object_from_string(bucket, "k", b"previous content")
    expect_error(bos.put_object_from_string, bucket, "k", DATA, status=400, code="BadDigest", **kw)
    expect_error(bos.put_object_from_string, bucket, "new", DATA, status=400, code="BadDigest", **kw)
    assert get_bytes(bos, bucket, "k") == b"previous content"
    expect_error(bos.get_object_meta_data, bucket, "new", status=404, code=None)


def test_put_with_correct_crc32c_and_crc64ecma_is_accepted(bos, bucket):
    r = bos.put_object_from_string(bucket, "k", DATA, content_crc32c=str(crc32c(DATA)),
                                   content_crc64ecma=str(crc64ecma(DATA)))
    assert r.metadata.etag == md5_hex(DATA)
    assert get_bytes(bos, bucket, "k") == DATA


def test_put_with_wrong_crc64ecma_is_bad_digest(bos, bucket):
    expect_error(bos.put_object_from_string, bucket, "k", DATA,
                 content_crc64ecma=str(crc64ecma(WRONG)), status=400, code="BadDigest")
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)


def test_put_with_wrong_crc32c_is_bad_digest(bos, bucket):
    expect_error(bos.put_object_from_string, bucket, "k", DATA,
                 content_crc32c=str(crc32c(WRONG)), status=400, code="BadDigest")
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)


def test_crc64ecma_response_header_is_correct_when_sent(raw, bos, bucket):
    # The Go SDK fails a call whose response carries a wrong x-bce-content-crc64ecma.
    data = os.urandom(4096)
    put = raw.request("PUT", encode_path(bucket, "k"), body=data)
    get = raw.request("GET", encode_path(bucket, "k"))
    head = raw.request("HEAD", encode_path(bucket, "k"))
    ranged = raw.request("GET", encode_path(bucket, "k"), headers={"Range": "bytes=0-9"})
    for r in (put, get, head, ranged):
        assert r.status in (200, 206)
        value = r.headers.get("x-bce-content-crc64ecma")
        assert value is None or value == str(crc64ecma(data)), value
    assert get.headers.get("x-bce-content-crc32") == str(crc32(data))


def test_user_metadata_over_2kb_is_refused(raw, bos, bucket):
    # User metadata is limited to 2 KiB: the Python SDK refuses more client-side, the server
    # must too.
    r = raw.request("PUT", encode_path(bucket, "k"), headers={"x-bce-meta-big": "v" * 2100},
                    body=b"data")
    assert_json_error(r, 400, "MetadataTooLarge")
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)


def test_empty_success_bodies_are_sent_with_content_length_0(raw, bucket_name):
    # BOS sends empty bodies with Content-Length: 0, never as an empty chunked body.
    b = bucket_name
    for method, path, params, body in [
        ("PUT", encode_path(b), None, b""),
        ("PUT", encode_path(b), {"versioning": None}, b'{"status": "enabled"}'),
        ("PUT", encode_path(b, "k"), None, b"data"),
    ]:
        r = raw.request(method, path, params, body=body)
        assert r.status == 200, (method, path, params, r.body)
        assert r.body == b""
        assert r.headers.get("Content-Length") == "0", (method, path, params, r.headers)
        assert "Transfer-Encoding" not in r.headers


def test_conditional_get(raw, bos, bucket):
    bos.put_object_from_string(bucket, "k", DATA)
    etag = f'"{md5_hex(DATA)}"'
    path = encode_path(bucket, "k")
    assert raw.request("GET", path, headers={"If-Match": etag}).body == DATA
    assert_json_error(raw.request("GET", path, headers={"If-Match": '"0000"'}),
                      412, "PreconditionFailed")
    r = raw.request("GET", path, headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b""
    assert raw.request("GET", path, headers={"If-None-Match": '"0000"'}).status == 200


def test_range_past_the_end_is_invalid_range(raw, bos, bucket):
    bos.put_object_from_string(bucket, "k", b"x" * 1000)
    r = raw.request("GET", encode_path(bucket, "k"), headers={"Range": "bytes=2000-3000"})
    assert_json_error(r, 416, "InvalidRange")


def test_put_from_file_guesses_content_type(bos, bucket, tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes(b"<p>hi</p>")
    bos.put_object_from_file(bucket, "page.html", str(f))
    meta = bos.get_object_meta_data(bucket, "page.html").metadata
    assert meta.content_type == "text/html"
    assert get_bytes(bos, bucket, "page.html") == b"<p>hi</p>"


def test_empty_object(bos, bucket):
    r = bos.put_object_from_string(bucket, "empty", b"")
    assert r.metadata.etag == md5_hex(b"")
    assert get_bytes(bos, bucket, "empty") == b""
    assert bos.get_object_meta_data(bucket, "empty").metadata.content_length == "0"


# --- get and head -------------------------------------------------------------------------------


def test_get_range_is_206_with_content_range(bos, bucket):
    data = os.urandom(1000)
    bos.put_object_from_string(bucket, "r", data)
    r = bos.get_object(bucket, "r", range=[0, 99])
    body = r.data.read()
    r.data.close()
    assert body == data[:100]
    assert r.metadata.content_range == "bytes 0-99/1000"
    assert r.metadata.content_length == "100"
    assert get_bytes(bos, bucket, "r", range=[990, 999]) == data[990:]


def test_get_range_status_is_206(raw, bos, bucket):
    data = bytes(range(256)) * 4
    bos.put_object_from_string(bucket, "r", data)
    r = raw.request("GET", encode_path(bucket, "r"), headers={"Range": "bytes=9-19"})
    assert r.status == 206
    assert r.headers["Content-Range"] == f"bytes 9-19/{len(data)}"
    assert r.body == data[9:20]


def test_empty_range_header_means_the_whole_object(raw, bos, bucket):
    data = os.urandom(500)
    bos.put_object_from_string(bucket, "r", data)
    r = raw.request("GET", encode_path(bucket, "r"), headers={"Range": ""})
    assert r.status == 200, r.body[:200]
    assert r.body == data
    assert "Content-Range" not in r.headers


def test_js_get_without_range_sends_empty_range_and_gets_everything(server, bos, bucket):
    data = os.urandom(3000)
    bos.put_object_from_string(bucket, "js-r", data)
    whole, part = run_node(server, [("getObject", bucket, "js-r"),
                                    ("getObject", bucket, "js-r", "9-19")])
    assert node_ok(whole).data() == data
    assert node_ok(part).data() == data[9:20]
    assert part.headers["content-range"] == f"bytes 9-19/{len(data)}"


def test_non_ascii_user_metadata_comes_back_byte_for_byte(bos, bucket):
    """The SDK sends metadata as raw UTF-8 and decodes the response's header bytes as UTF-8."""
    value = "b\u00e4r \u4e2d\u6587 \U0001f600"
    bos.put_object_from_string(bucket, "utf8", DATA, user_metadata={"note": value})
    assert bos.get_object_meta_data(bucket, "utf8").metadata.bce_meta_note == value


def test_head_round_trips_metadata_and_content_headers(bos, bucket):
    user_headers = {
        "Cache-Control": "private",
        "Content-Disposition": 'attachment; filename="abc.txt"',
        "Expires": "123456",
        "Content-Encoding": "identity",
    }
    bos.put_object_from_string(bucket, "meta", DATA, content_type="text/plain",
                               user_metadata={"private": "This is private.", "utf8": "bär"},
                               user_headers=user_headers)
    meta = bos.get_object_meta_data(bucket, "meta").metadata
    assert meta.bce_meta_private == "This is private."
    assert meta.bce_meta_utf8 == "bär"
    assert meta.content_type == "text/plain"
    assert meta.content_length == str(len(DATA))
    assert meta.etag == md5_hex(DATA)
    assert meta.content_md5 == content_md5(DATA)
    assert meta.bce_content_crc_32 == str(crc32(DATA))
    assert meta.cache_control == "private"
    assert meta.content_disposition == 'attachment; filename="abc.txt"'
    assert meta.expires == "123456"
    assert meta.content_encoding == "identity"
    assert meta.bce_storage_class == "STANDARD"
    assert meta.last_modified.endswith(" GMT"), meta.last_modified

    got = bos.get_object(bucket, "meta")
    assert got.data.read() == DATA
    got.data.close()
    # get_object's user_metadata keeps http.client's latin-1 view of the raw UTF-8 header bytes
    # (bce-python-sdk 0.9.79 _parse_bos_object does not re-decode them, unlike metadata.*).
    user = {k: v.encode("latin-1").decode("utf-8") for k, v in got.metadata.user_metadata.items()}
    assert user == {"private": "This is private.", "utf8": "bär"}
    assert got.metadata.content_type == "text/plain"
    assert got.metadata.cache_control == "private"
    assert got.metadata.accept_ranges == "bytes"


def test_get_missing_key_is_no_such_key(raw, bos, bucket):
    expect_error(bos.get_object_as_string, bucket, "missing", status=404, code="NoSuchKey")
    assert_json_error(raw.request("GET", encode_path(bucket, "missing")), 404, "NoSuchKey")


def test_head_missing_key_is_404_without_body(raw, bos, bucket):
    expect_error(bos.get_object_meta_data, bucket, "missing", status=404, code=None)
    r = raw.request("HEAD", encode_path(bucket, "missing"))
    assert r.status == 404 and r.body == b""


# --- copy ---------------------------------------------------------------------------------------


def test_copy_keeps_metadata_and_content_type_with_copy_directive(bos, bucket):
    bos.put_object_from_string(bucket, "src", DATA, content_type="text/plain",
                               user_metadata={"a": "1"})
    # The SDK sends x-bce-metadata-directive: copy with Content-Type: application/octet-stream.
    r = bos.copy_object(bucket, "src", bucket, "dst")
    assert r.etag == md5_hex(DATA)
    assert BOS_TIME_RE.match(r.last_modified), r.last_modified
    meta = bos.get_object_meta_data(bucket, "dst").metadata
    assert meta.bce_meta_a == "1"
    assert meta.content_type == "text/plain"
    assert get_bytes(bos, bucket, "dst") == DATA


def test_copy_with_replace_directive_replaces_metadata(bos, bucket):
    bos.put_object_from_string(bucket, "src", DATA, content_type="text/plain",
                               user_metadata={"a": "1"})
    bos.copy_object(bucket, "src", bucket, "dst", content_type="application/x-new",
                    user_metadata={"b": "2"})
    meta = bos.get_object_meta_data(bucket, "dst").metadata
    assert meta.bce_meta_b == "2"
    assert meta.bce_meta_a is None
    assert meta.content_type == "application/x-new"
    assert get_bytes(bos, bucket, "dst") == DATA
    # The source is untouched.
    assert bos.get_object_meta_data(bucket, "src").metadata.bce_meta_a == "1"


def test_copy_across_buckets_with_special_keys(bos, bucket, admin, bucket_name):
    other = bucket_name[:-1] + ("0" if bucket_name[-1] != "0" else "1")
    admin.create_bucket(other)
    try:
        for key in SPECIAL_KEYS:
            bos.put_object_from_string(bucket, key, key.encode())
            bos.copy_object(bucket, key, other, "copy/" + key)
            assert get_bytes(bos, other, "copy/" + key) == key.encode()
    finally:
        for key in SPECIAL_KEYS:
            try:
                admin.delete_object(other, "copy/" + key)
            except Exception:
                pass
        admin.delete_bucket(other)


def test_copy_of_missing_source_is_no_such_key(bos, bucket):
    expect_error(bos.copy_object, bucket, "missing", bucket, "dst", status=404, code="NoSuchKey")


def test_copy_with_if_match_of_another_etag_is_precondition_failed(bos, bucket):
    bos.put_object_from_string(bucket, "src", DATA)
    expect_error(bos.copy_object, bucket, "src", bucket, "dst", etag=md5_hex(b"other"),
                 status=412, code="PreconditionFailed")
    bos.copy_object(bucket, "src", bucket, "dst", etag=md5_hex(DATA))
    assert get_bytes(bos, bucket, "dst") == DATA


# --- delete -------------------------------------------------------------------------------------


def test_delete_is_204_then_object_is_gone(raw, bos, bucket):
    bos.put_object_from_string(bucket, "k", DATA)
    r = raw.request("DELETE", encode_path(bucket, "k"))
    assert r.status == 204
    assert r.body == b""
    expect_error(bos.get_object_as_string, bucket, "k", status=404, code="NoSuchKey")


def test_sdk_delete_then_get_is_no_such_key(bos, bucket):
    bos.put_object_from_string(bucket, "k", DATA)
    bos.delete_object(bucket, "k")
    expect_error(bos.get_object_as_string, bucket, "k", status=404, code="NoSuchKey")


def test_delete_missing_key_in_unversioned_bucket_is_no_such_key(raw, bos, bucket):
    expect_error(bos.delete_object, bucket, "missing", status=404, code="NoSuchKey")
    assert_json_error(raw.request("DELETE", encode_path(bucket, "missing")), 404, "NoSuchKey")


def test_js_put_with_content_md5_and_metadata(server, bos, bucket):
    # putObjectFromString sends Content-MD5 and signs x-bce-meta-* explicitly.
    put, meta = run_node(server, [
        ("putObjectFromString", bucket, "js.txt", "from js", {"x-bce-meta-origin": "node"}),
        ("getObjectMetadata", bucket, "js.txt"),
    ])
    assert node_ok(put).headers["etag"] == md5_hex(b"from js")
    assert node_ok(meta).headers["x-bce-meta-origin"] == "node"
    assert meta.headers["content-md5"] == content_md5(b"from js")
    assert get_bytes(bos, bucket, "js.txt") == b"from js"


def test_conditional_put_and_complete(raw, bos, bucket):
    """PutObject and CompleteMultipartUpload take BOS's documented write conditions
    (If-Match, If-None-Match, If-Unmodified-Since) on the key's current object; a failed one
    writes nothing."""
    path = encode_path(bucket, "k")
    assert raw.request("PUT", path, body=b"first", headers={"If-None-Match": "*"}).status == 200
    assert_json_error(raw.request("PUT", path, body=b"second", headers={"If-None-Match": "*"}),
                      412, "PreconditionFailed")
    assert_json_error(raw.request("PUT", path, body=b"second", headers={"If-Match": '"0000"'}),
                      412, "PreconditionFailed")
    assert_json_error(raw.request("PUT", path, body=b"second", headers={
        "If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}), 412, "PreconditionFailed")
    assert_json_error(raw.request("PUT", encode_path(bucket, "none"), body=b"x",
                                  headers={"If-Match": f'"{md5_hex(b"first")}"'}),
                      404, "NoSuchKey")
    assert get_bytes(bos, bucket, "k") == b"first"
    r = raw.request("PUT", path, body=b"second", headers={"If-Match": f'"{md5_hex(b"first")}"'})
    assert r.status == 200
    assert get_bytes(bos, bucket, "k") == b"second"
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    part = raw.request("PUT", path, {"partNumber": "1", "uploadId": upload_id}, body=b"part")
    assert part.status == 200, part.body
    etag = part.headers["ETag"].strip('"')
    body = ('{"parts":[{"partNumber":1,"eTag":"%s"}]}' % etag).encode()
    assert_json_error(raw.request("POST", path, {"uploadId": upload_id}, body=body,
                                  headers={"If-None-Match": "*"}), 412, "PreconditionFailed")
    assert get_bytes(bos, bucket, "k") == b"second"
    r = raw.request("POST", path, {"uploadId": upload_id}, body=body,
                    headers={"If-Match": f'"{md5_hex(b"second")}"'})
    assert r.status == 200, r.body
    assert get_bytes(bos, bucket, "k") == b"part"
