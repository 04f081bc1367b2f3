"""Versioning: `put_bucket_versioning` enabled/suspended, `get_bucket_versioning`
(incl. `notEnabled`), `x-bce-version-id`, `versionId` on get/head/delete/copy, delete markers,
and the `?versions` listing with nextMarker/nextVersionIdMarker pagination."""

from __future__ import annotations

import requests

from .support import (
    assert_json_error,
    encode_path,
    expect_error,
    get_bytes,
    node_ok,
    run_node,
    version_entries,
)


def is_marker(e) -> bool:
    return bool(getattr(e, "delete_marker", False))


def put(bos, bucket, key, data: bytes) -> str:
    vid = bos.put_object_from_string(bucket, key, data).metadata.bce_version_id
    assert vid, f"no x-bce-version-id on a put into versioned bucket {bucket}"
    return vid


# --- bucket versioning state ----------------------------------------------------------------------


def test_new_bucket_is_not_enabled(raw, bos, bucket):
    assert bos.get_bucket_versioning(bucket).status == "notEnabled"
    r = raw.request("HEAD", encode_path(bucket))
    assert r.headers.get("x-bce-versioning") == "notEnabled"


def test_enable_then_suspend(raw, bos, bucket):
    bos.put_bucket_versioning(bucket, "enabled")
    assert bos.get_bucket_versioning(bucket).status == "enabled"
    assert raw.request("HEAD", encode_path(bucket)).headers.get("x-bce-versioning") == "enabled"
    bos.put_bucket_versioning(bucket, "suspended")
    assert bos.get_bucket_versioning(bucket).status == "suspended"
    assert raw.request("HEAD", encode_path(bucket)).headers.get("x-bce-versioning") == "suspended"
    bos.put_bucket_versioning(bucket, "enabled")
    assert bos.get_bucket_versioning(bucket).status == "enabled"


def test_js_sets_and_reads_versioning(server, bos, bucket):
    put_r, get_r = run_node(server, [("putBucketVersioning", bucket, "enabled"),
                                     ("getBucketVersioning", bucket)])
    node_ok(put_r)
    assert node_ok(get_r).body == {"status": "enabled"}
    assert bos.get_bucket_versioning(bucket).status == "enabled"


def test_invalid_versioning_status_is_refused(raw, bos, bucket):
    r = raw.request("PUT", encode_path(bucket), {"versioning": None},
                    {"Content-Type": "application/json"}, b'{"status": "sometimes"}')
    assert_json_error(r, 400, {"InvalidArgument", "InappropriateJSON", "MalformedJSON"})
    assert bos.get_bucket_versioning(bucket).status == "notEnabled"


# --- version ids on objects -----------------------------------------------------------------------


def test_puts_get_distinct_version_ids_and_each_stays_readable(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    v2 = put(bos, b, "k", b"two")
    assert v1 != v2
    assert get_bytes(bos, b, "k") == b"two"
    assert get_bytes(bos, b, "k", version_id=v1) == b"one"
    assert get_bytes(bos, b, "k", version_id=v2) == b"two"

    latest = bos.get_object(b, "k")
    latest.data.read()
    latest.data.close()
    assert latest.metadata.bce_version_id == v2

    head = bos.get_object_meta_data(b, "k", version_id=v1).metadata
    assert head.bce_version_id == v1
    assert head.content_length == "3"
    assert bos.get_object_meta_data(b, "k").metadata.bce_version_id == v2


def test_unknown_version_id_is_no_such_key(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    put(bos, b, "k", b"two")
    bos.delete_object(b, "k", version_id=v1)
    expect_error(bos.get_object_as_string, b, "k", version_id=v1, status=404, code="NoSuchKey")
    expect_error(bos.get_object_meta_data, b, "k", version_id=v1, status=404, code=None)


def test_delete_without_version_id_creates_a_delete_marker(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    r = raw.request("DELETE", encode_path(b, "k"))
    assert r.status == 204
    marker_id = r.headers.get("x-bce-version-id")
    assert marker_id and marker_id != v1

    # BOS does not document GET/HEAD of a deleted key: 404 NoSuchKey, as for any missing key.
    expect_error(bos.get_object_as_string, b, "k", status=404, code="NoSuchKey")
    expect_error(bos.get_object_meta_data, b, "k", status=404, code=None)
    assert [o.key for o in bos.list_objects(b).contents] == []

    entries = version_entries(bos, b)
    assert [(e.version_id, is_marker(e), e.is_latest) for e in entries] == [
        (marker_id, True, True), (v1, False, False)]
    assert get_bytes(bos, b, "k", version_id=v1) == b"one"


def test_deleting_the_delete_marker_restores_the_object(bos, versioned_bucket):
    b = versioned_bucket
    put(bos, b, "k", b"one")
    v2 = put(bos, b, "k", b"two")
    marker_id = bos.delete_object(b, "k").metadata.bce_version_id
    assert marker_id
    expect_error(bos.get_object_as_string, b, "k", status=404, code="NoSuchKey")
    bos.delete_object(b, "k", version_id=marker_id)
    assert get_bytes(bos, b, "k") == b"two"
    assert bos.get_object_meta_data(b, "k").metadata.bce_version_id == v2
    assert [o.key for o in bos.list_objects(b).contents] == ["k"]


def test_delete_with_version_id_removes_that_version_for_good(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    v2 = put(bos, b, "k", b"two")
    r = raw.request("DELETE", encode_path(b, "k"), {"versionId": v2})
    assert r.status == 204
    assert r.headers.get("x-bce-version-id") == v2
    assert [e.version_id for e in version_entries(bos, b)] == [v1]
    assert get_bytes(bos, b, "k") == b"one"  # the older version is current again
    bos.delete_object(b, "k", version_id=v1)
    assert version_entries(bos, b) == []
    expect_error(bos.get_object_as_string, b, "k", status=404, code="NoSuchKey")


def test_copy_from_a_version(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "src", b"old content")
    put(bos, b, "src", b"new content")
    r = bos.copy_object(b, "src", b, "dst", source_version_id=v1)
    assert r.etag
    assert r.metadata.bce_version_id
    assert get_bytes(bos, b, "dst") == b"old content"
    assert get_bytes(bos, b, "src") == b"new content"


def test_copy_of_a_deleted_version_is_no_such_key(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "src", b"one")
    put(bos, b, "src", b"two")
    bos.delete_object(b, "src", version_id=v1)
    expect_error(bos.copy_object, b, "src", b, "dst", source_version_id=v1,
                 status=404, code="NoSuchKey")


def test_suspended_puts_overwrite_one_null_version(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"versioned")
    bos.put_bucket_versioning(b, "suspended")
    bos.put_object_from_string(b, "k", b"suspended 1")
    bos.put_object_from_string(b, "k", b"suspended 2")
    entries = version_entries(bos, b)
    assert sorted(e.version_id for e in entries) == sorted([v1, "null"])
    assert [e.is_latest for e in entries if e.version_id == "null"] == [True]
    assert get_bytes(bos, b, "k") == b"suspended 2"
    assert get_bytes(bos, b, "k", version_id="null") == b"suspended 2"
    assert get_bytes(bos, b, "k", version_id=v1) == b"versioned"


def test_presigned_get_of_a_version(bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    put(bos, b, "k", b"two")
    url = bos.generate_pre_signed_url(b, "k", params={"versionId": v1},
                                      expiration_in_seconds=600).decode()
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.content == b"one"
    assert resp.headers.get("x-bce-version-id") == v1


def test_js_get_head_and_delete_with_version_id(server, bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    v2 = put(bos, b, "k", b"two")
    got, head, deleted = run_node(server, [
        ("getObject", b, "k", None, {"versionId": v1}),
        ("getObjectMetadata", b, "k", {"versionId": v1}),
        ("deleteObject", b, "k", {"versionId": v1}),
    ])
    assert node_ok(got).data() == b"one"
    assert got.headers["x-bce-version-id"] == v1
    assert node_ok(head).headers["x-bce-version-id"] == v1
    node_ok(deleted)
    assert [e.version_id for e in version_entries(bos, b)] == [v2]


# --- the ?versions listing ------------------------------------------------------------------------


def test_versions_listing_fields(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1 = put(bos, b, "k", b"one")
    v2 = put(bos, b, "k", b"two!")
    r = raw.request("GET", encode_path(b), {"versions": None})
    assert r.status == 200
    doc = r.json()
    assert doc["name"] == b and doc["isTruncated"] is False
    assert "nextMarker" not in doc and "nextVersionIdMarker" not in doc
    newest, oldest = doc["contents"]
    assert (newest["key"], newest["versionId"], newest["isLatest"], newest["size"]) == ("k", v2, True, 4)
    assert (oldest["key"], oldest["versionId"], oldest["isLatest"], oldest["size"]) == ("k", v1, False, 3)
    assert newest["eTag"].strip('"') and newest["lastModified"].endswith("Z")
    assert not newest.get("deleteMarker")


def test_versions_listing_paginates_with_next_markers(bos, versioned_bucket):
    b = versioned_bucket
    expected = []  # (key, version id, is marker), keys ascending, each key newest first
    for key in ["a", "b", "c"]:
        ids = [(put(bos, b, key, f"{key}{i}".encode()), False) for i in range(2)]
        if key == "b":
            ids.append((bos.delete_object(b, key).metadata.bce_version_id, True))
        expected += [(key, vid, m) for vid, m in reversed(ids)]
    assert len(expected) == 7

    pages = []
    marker = version_marker = None
    for _ in range(10):
        r = bos.list_objects_versions(b, max_keys=2, marker=marker, version_marker=version_marker)
        pages.append([(e.key, e.version_id, is_marker(e)) for e in r.contents])
        if not r.is_truncated:
            break
        assert r.next_marker and r.next_version_id_marker, "a truncated page needs both markers"
        marker, version_marker = r.next_marker, r.next_version_id_marker
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [e for p in pages for e in p] == expected

    latest = {(e.key, e.version_id) for e in version_entries(bos, b) if e.is_latest}
    assert latest == {("a", expected[0][1]), ("b", expected[2][1]), ("c", expected[5][1])}


def test_versions_listing_with_prefix_and_delimiter(bos, versioned_bucket):
    b = versioned_bucket
    for key in ["dir/a", "dir/b", "top"]:
        put(bos, b, key, b"1")
        put(bos, b, key, b"2")
    r = bos.list_objects_versions(b, delimiter="/")
    assert [p.prefix for p in r.common_prefixes] == ["dir/"]
    assert [e.key for e in r.contents] == ["top", "top"]
    r = bos.list_objects_versions(b, prefix="dir/")
    assert [e.key for e in r.contents] == ["dir/a", "dir/a", "dir/b", "dir/b"]
