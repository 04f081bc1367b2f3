"""Delete Multiple Objects: `POST /v1/{bucket}/?delete` (and without
`/v1`, and `/{bucket}?delete` as the SDKs send it), JSON `{"objects":[{"key"[,"versionId"]}]}`;
200 with no body when everything was deleted, else `{"errors":[{key,code,message}]}` listing only
the failures; at most 1000 objects and 2 MB of body; clear JSON errors for bad requests."""

from __future__ import annotations

import json
import re

import pytest

from .support import (
    assert_empty_200,
    assert_json_error,
    expect_error,
    get_bytes,
    node_ok,
    put_many,
    run_node,
    socket_exchange,
    version_entries,
)

MAX_BODY = 2 * 1024 * 1024  # BOS documents "2 MB"; taken as 2 MiB, inclusive
SIZE_MESSAGE = re.compile(r"2097152|2 ?MB|2 ?MiB", re.IGNORECASE)


def keys_in(bos, bucket) -> list[str]:
    return sorted(o.key for o in bos.list_all_objects(bucket))


def padded_body(objects: list[dict], size: int) -> bytes:
    """Valid JSON of exactly `size` bytes: the document, then whitespace."""
    doc = json.dumps({"objects": objects}).encode()
    assert len(doc) <= size
    return doc + b" " * (size - len(doc))


# --- success ------------------------------------------------------------------------------------


def test_1000_keys_all_deleted_sdk_reports_no_errors(bos, bucket):
    keys = [f"bulk/{i:04d}" for i in range(1000)]
    put_many(bos, bucket, keys)
    assert len(keys_in(bos, bucket)) == 1000
    resp = bos.delete_multiple_objects(bucket, keys)
    assert resp.errors is None  # no body at all: the SDK's response has no errors attribute
    assert resp.metadata.content_length == "0"
    assert keys_in(bos, bucket) == []


def test_all_deleted_is_200_with_content_length_0(raw, bos, bucket):
    put_many(bos, bucket, ["a", "b", "c"])
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None},
                      {"objects": [{"key": "a"}, {"key": "b"}, {"key": "c"}]})
    assert_empty_200(r)
    assert keys_in(bos, bucket) == []


@pytest.mark.parametrize("path", ["/v1/{b}/", "/v1/{b}", "/{b}/", "/{b}"])
def test_every_path_form_is_accepted(raw, bos, bucket, path):
    put_many(bos, bucket, ["one", "two"])
    r = raw.post_json(path.format(b=bucket), {"delete": None},
                      {"objects": [{"key": "one"}]})
    assert_empty_200(r)
    assert keys_in(bos, bucket) == ["two"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json; charset=UTF-8"])
def test_any_or_no_content_type_is_accepted(raw, bos, bucket, content_type):
    # Python sends none, JS application/json, the BOS documentation's example text/plain.
    bos.put_object_from_string(bucket, "k", b"v")
    headers = {"Content-Type": content_type} if content_type else {}
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None}, {"objects": [{"key": "k"}]}, headers)
    assert_empty_200(r)
    assert keys_in(bos, bucket) == []


def test_unicode_keys_escaped_by_python_json_are_deleted(bos, bucket):
    # json.dumps writes non-ASCII as \\uXXXX escapes.
    keys = ["unicode-ü-测试.txt", "emoji-😀", "dir/a b+c~!.txt"]
    put_many(bos, bucket, keys)
    resp = bos.delete_multiple_objects(bucket, keys)
    assert resp.errors is None
    assert keys_in(bos, bucket) == []


# --- partial failure ----------------------------------------------------------------------------


def test_missing_keys_are_the_only_errors(bos, bucket):
    present = ["p1", "p2", "p3"]
    missing = ["m1", "does-not-exist"]
    put_many(bos, bucket, present + ["kept"])
    resp = bos.delete_multiple_objects(bucket, ["p1", "m1", "p2", "does-not-exist", "p3"])
    errors = resp.errors
    assert errors is not None, "missing keys must be reported"
    assert sorted(e.key for e in errors) == sorted(missing)
    for e in errors:
        assert e.code == "NoSuchKey", e
        assert e.message
    assert keys_in(bos, bucket) == ["kept"]


def test_partial_failure_body_is_json_with_only_errors(raw, bos, bucket):
    bos.put_object_from_string(bucket, "here", b"v")
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None},
                      {"objects": [{"key": "here"}, {"key": "gone"}]})
    assert r.status == 200, r.body
    assert r.headers.get("Content-Type", "").startswith("application/json")
    doc = r.json()
    assert list(doc) == ["errors"], doc
    assert len(doc["errors"]) == 1
    e = doc["errors"][0]
    assert (e["key"], e["code"]) == ("gone", "NoSuchKey")
    assert isinstance(e["message"], str) and e["message"]
    assert keys_in(bos, bucket) == []


def test_all_missing_keys_reported(bos, bucket):
    resp = bos.delete_multiple_objects(bucket, ["x", "y"])
    assert sorted((e.key, e.code) for e in resp.errors) == [("x", "NoSuchKey"), ("y", "NoSuchKey")]


def test_duplicate_key_is_deleted_once_then_reported_missing(bos, bucket):
    # BOS does not document duplicates; processed in order, the second finds nothing.
    put_many(bos, bucket, ["dup", "other"])
    resp = bos.delete_multiple_objects(bucket, ["dup", "dup", "other"])
    assert [(e.key, e.code) for e in resp.errors or []] == [("dup", "NoSuchKey")]
    assert keys_in(bos, bucket) == []


# --- refused requests ---------------------------------------------------------------------------


def test_1001_keys_are_refused_and_nothing_is_deleted(raw, bos, bucket):
    put_many(bos, bucket, ["k0000", "k0500", "k1000"])
    keys = [f"k{i:04d}" for i in range(1001)]
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None}, {"objects": [{"key": k} for k in keys]})
    doc = assert_json_error(r, 400, "InvalidArgument")
    assert "1000" in doc["message"], doc
    assert keys_in(bos, bucket) == ["k0000", "k0500", "k1000"]
    # The SDK sees the same refusal.
    expect_error(bos.delete_multiple_objects, bucket, keys, status=400, code="InvalidArgument")
    assert keys_in(bos, bucket) == ["k0000", "k0500", "k1000"]


def test_body_over_2mb_is_refused(raw, bos, bucket):
    bos.put_object_from_string(bucket, "survivor", b"v")
    body = padded_body([{"key": "survivor"}], MAX_BODY + 1)
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None}, body)
    doc = assert_json_error(r, 400, "MaxMessageLengthExceeded")
    assert SIZE_MESSAGE.search(doc["message"]), doc
    assert keys_in(bos, bucket) == ["survivor"]


def test_body_over_2mb_is_refused_before_it_is_read(raw, bos, bucket):
    # Only the first KiB of a declared 2 MB + 1 body is sent: the answer must come without the
    # rest, i.e. the server refuses on the declared length instead of buffering.
    bos.put_object_from_string(bucket, "survivor", b"v")
    path = f"/v1/{bucket}/"
    params = {"delete": None}
    h = raw.headers_for("POST", path, params, {"Content-Type": "application/json"},
                        content_length=MAX_BODY + 1)
    head = (f"POST {path}?delete= HTTP/1.1\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode()
    first_kib = padded_body([{"key": "survivor"}], MAX_BODY + 1)[:1024]
    status, headers, body, elapsed = socket_exchange(raw.server, head, first_kib, wait=10)
    assert status == 400, body
    assert headers.get("Content-Type", "").startswith("application/json")
    doc = json.loads(body)
    assert doc["code"] == "MaxMessageLengthExceeded", doc
    assert doc["requestId"] == headers.get("x-bce-request-id")
    assert elapsed < 10
    assert keys_in(bos, bucket) == ["survivor"]


def test_chunked_body_over_2mb_is_refused(raw, bos, bucket):
    # No Content-Length: the limit holds on the bytes that arrive.
    bos.put_object_from_string(bucket, "survivor", b"v")
    body = padded_body([{"key": "survivor"}], MAX_BODY + 1)

    def chunks():
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]

    r = raw.request("POST", f"/v1/{bucket}/", {"delete": None}, body=chunks())
    assert_json_error(r, 400, "MaxMessageLengthExceeded")
    assert keys_in(bos, bucket) == ["survivor"]


def test_body_of_exactly_2mb_is_accepted(raw, bos, bucket):
    bos.put_object_from_string(bucket, "edge", b"v")
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None},
                      padded_body([{"key": "edge"}], MAX_BODY))
    assert_empty_200(r)
    assert keys_in(bos, bucket) == []


BAD_BODIES = {
    # BOS's error codes: MalformedJSON for invalid JSON, InappropriateJSON or InvalidArgument for
    # valid JSON that is not a usable request; either of the two is accepted for those.
    "malformed-json": (b'{"objects": [{"key": "a"}', {"MalformedJSON"}),
    "not-json": (b"key=a", {"MalformedJSON"}),
    "empty-body": (b"", {"MalformedJSON", "InappropriateJSON", "InvalidArgument"}),
    "empty-list": (b'{"objects": []}', {"InappropriateJSON", "InvalidArgument"}),
    "no-objects-field": (b'{"keys": ["a"]}', {"InappropriateJSON", "InvalidArgument"}),
    "objects-not-a-list": (b'{"objects": {"key": "a"}}',
                           {"MalformedJSON", "InappropriateJSON", "InvalidArgument"}),
    "entry-without-key": (b'{"objects": [{"key": "a"}, {"versionId": "x"}]}',
                          {"InappropriateJSON", "InvalidArgument"}),
    "key-not-a-string": (b'{"objects": [{"key": "a"}, {"key": 7}]}',
                         {"MalformedJSON", "InappropriateJSON", "InvalidArgument"}),
    "empty-key": (b'{"objects": [{"key": "a"}, {"key": ""}]}',
                  {"InappropriateJSON", "InvalidArgument", "InvalidObjectName"}),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_request_body_gets_a_clear_json_error(raw, bos, bucket, case):
    body, codes = BAD_BODIES[case]
    bos.put_object_from_string(bucket, "a", b"v")
    r = raw.post_json(f"/v1/{bucket}/", {"delete": None}, body)
    assert_json_error(r, 400, codes)
    # The whole request is refused: not even the valid entries are deleted.
    assert keys_in(bos, bucket) == ["a"]


def test_missing_bucket_is_no_such_bucket(raw, bucket_name):
    r = raw.post_json(f"/v1/{bucket_name}/", {"delete": None}, {"objects": [{"key": "a"}]})
    assert_json_error(r, 404, "NoSuchBucket")


# --- versioned buckets: per-entry versionId -------------------------------------------------------


def _two_versions(bos, bucket, key):
    v1 = bos.put_object_from_string(bucket, key, b"first").metadata.bce_version_id
    v2 = bos.put_object_from_string(bucket, key, b"second").metadata.bce_version_id
    assert v1 and v2 and v1 != v2
    return v1, v2


def test_entry_with_version_id_deletes_that_version(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1, v2 = _two_versions(bos, b, "k")
    r = raw.post_json(f"/v1/{b}/", {"delete": None}, {"objects": [{"key": "k", "versionId": v1}]})
    assert_empty_200(r)
    assert [(e.key, e.version_id) for e in version_entries(bos, b)] == [("k", v2)]
    assert get_bytes(bos, b, "k") == b"second"
    expect_error(bos.get_object, b, "k", version_id=v1, status=404, code="NoSuchKey")


def test_entry_with_unknown_version_id_is_reported(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1, v2 = _two_versions(bos, b, "k")
    bos.delete_object(b, "k", version_id=v1)  # v1 is gone now
    r = raw.post_json(f"/{b}", {"delete": None}, {"objects": [
        {"key": "k", "versionId": v1}, {"key": "k", "versionId": v2}]})
    assert r.status == 200, r.body
    errors = r.json()["errors"]
    assert [(e["key"], e["code"]) for e in errors] == [("k", "NoSuchKey")], errors
    assert errors[0].get("versionId", v1) == v1
    assert version_entries(bos, b) == []


def test_entry_without_version_id_creates_a_delete_marker(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1, v2 = _two_versions(bos, b, "k")
    r = raw.post_json(f"/v1/{b}/", {"delete": None}, {"objects": [{"key": "k"}]})
    assert_empty_200(r)
    expect_error(bos.get_object, b, "k", status=404, code="NoSuchKey")
    entries = version_entries(bos, b)
    markers = [e for e in entries if getattr(e, "delete_marker", False)]
    assert len(markers) == 1 and markers[0].is_latest
    assert sorted(e.version_id for e in entries if not getattr(e, "delete_marker", False)) == sorted([v1, v2])
    assert get_bytes(bos, b, "k", version_id=v2) == b"second"


def test_js_sdk_multi_delete_with_version_ids(server, bos, versioned_bucket):
    b = versioned_bucket
    a1, a2 = _two_versions(bos, b, "a")
    c1, _ = _two_versions(bos, b, "c")
    ok, partial = run_node(server, [
        ("deleteMultipleObjects", b, [{"key": "a", "versionId": a1}, {"key": "c", "versionId": c1}]),
        ("deleteMultipleObjects", b, [{"key": "a", "versionId": a1}, {"key": "a", "versionId": a2}]),
    ])
    assert node_ok(ok).body == {}  # the JS SDK's parse of an empty body
    assert node_ok(partial).body["errors"][0]["key"] == "a"
    assert [(e["key"], e["code"]) for e in partial.body["errors"]] == [("a", "NoSuchKey")]
    assert sorted(e.key for e in version_entries(bos, b)) == ["c"]
    assert get_bytes(bos, b, "c") == b"second"


def test_js_sdk_multi_delete_reports_missing_keys(server, bos, bucket):
    bos.put_object_from_string(bucket, "present", b"v")
    [r] = run_node(server, [("deleteMultipleObjects", bucket, ["present", "absent"])])
    errors = node_ok(r).body["errors"]
    assert [(e["key"], e["code"]) for e in errors] == [("absent", "NoSuchKey")]
    assert all(e["message"] for e in errors)
    assert keys_in(bos, bucket) == []
