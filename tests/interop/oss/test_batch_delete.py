"""DeleteMultipleObjects (`POST /?delete`): deleting versions by ID, deleting delete markers by ID
(which restores the object) and deleting without IDs (which adds markers), mixed batches in verbose
and quiet mode, the 1000-object limit, Content-MD5, and URL-encoded keys."""

from __future__ import annotations

import concurrent.futures
from urllib.parse import quote

import pytest

from .clients import Deleted, OssError
from .support import (
    SPECIAL_KEYS,
    assert_delete_marker_header,
    assert_request_id,
    assert_version_id_header,
    children_names,
)


def _by_key(deleted: list[Deleted]) -> dict:
    out = {}
    for d in deleted:
        out.setdefault(d.key, []).append(d)
    return out


def _assert_404_marker(client, bucket, key, marker_id):
    with pytest.raises(OssError) as e:
        client.get_object(bucket, key)
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    assert_delete_marker_header(e.value.headers, True)
    assert_version_id_header(e.value.headers, marker_id)


# --- the three versioned flows of "Delete multiple objects" in the OSS Go samples --------------

def test_seed_batch_delete_of_versions_by_version_id_is_permanent(client, versioned_bucket):
    """Go sample 1: DeleteObjectVersions with {Key, VersionId} pairs; each Deleted entry echoes
    the Key and VersionId; nothing is left, not even a marker."""
    b = versioned_bucket
    v1 = client.put_object(b, "objectName1", b"1").version_id
    v2 = client.put_object(b, "objectName2", b"2").version_id
    r, deleted = client.delete_objects(b, [("objectName1", v1), ("objectName2", v2)])
    assert r.status == 200
    assert_request_id(r.headers)
    assert sorted(deleted, key=lambda d: d.key) == [
        Deleted("objectName1", v1, False, None),
        Deleted("objectName2", v2, False, None),
    ]
    assert client.list_object_versions(b).all == []
    for key in ("objectName1", "objectName2"):
        with pytest.raises(OssError) as e:
            client.get_object(b, key)
        assert (e.value.status, e.value.code) == (404, "NoSuchKey")
        assert_delete_marker_header(e.value.headers, False)


def test_seed_batch_delete_of_delete_markers_by_version_id_restores(client, versioned_bucket):
    """Go sample 2: deleting markers by their version IDs; each entry carries Key, VersionId,
    DeleteMarker=true and DeleteMarkerVersionId = that same ID; the objects are back."""
    b = versioned_bucket
    data = {"objectName1": b"1", "objectName2": b"2"}
    for k, d in data.items():
        client.put_object(b, k, d)
    markers = {k: client.delete_object(b, k).headers["x-oss-version-id"] for k in data}
    r, deleted = client.delete_objects(b, [(k, m) for k, m in markers.items()])
    assert r.status == 200
    assert sorted(deleted, key=lambda d: d.key) == [
        Deleted(k, markers[k], True, markers[k]) for k in sorted(data)
    ]
    for k, d in data.items():
        assert client.get_object(b, k).body == d
    assert client.list_object_versions(b).delete_markers == []


def test_seed_batch_soft_delete_without_version_ids_creates_markers(client, versioned_bucket):
    """Go sample 3: no VersionId; each entry has DeleteMarker=true and the new marker's ID in
    DeleteMarkerVersionId (no VersionId); GetObject then answers 404 with that marker."""
    b = versioned_bucket
    vids = {k: client.put_object(b, k, k.encode()).version_id
            for k in ("objectName1", "objectName2")}
    r, deleted = client.delete_objects(b, list(vids))
    assert r.status == 200
    by_key = _by_key(deleted)
    assert sorted(by_key) == sorted(vids)
    for k, entries in by_key.items():
        assert len(entries) == 1
        d = entries[0]
        assert d.delete_marker is True
        assert d.version_id is None
        assert d.delete_marker_version_id and d.delete_marker_version_id != vids[k]
        _assert_404_marker(client, b, k, d.delete_marker_version_id)
        assert client.get_object(b, k, version_id=vids[k]).body == k.encode()


# --- mixed batches -----------------------------------------------------------------------------

def test_unversioned_verbose_batch_lists_present_and_missing_keys(client, bucket):
    for k in ("present1", "present2"):
        client.put_object(bucket, k, b"x")
    keys = ["present1", "missing1", "present2", "missing2"]
    r, deleted = client.delete_objects(bucket, keys)
    assert r.status == 200
    # One Deleted entry per requested object, missing ones included, with nothing but the Key.
    assert sorted(deleted, key=lambda d: d.key) == sorted(
        [Deleted(k, None, False, None) for k in keys], key=lambda d: d.key)
    assert client.list_objects(bucket).keys == []


def test_unversioned_verbose_batch_entries_carry_only_key(raw, bucket):
    raw.request("PUT", bucket, "present", data=b"x")
    r = raw.batch_delete(bucket, ["present", "missing"], quiet=False)
    assert r.status == 200
    assert r.headers.get("Content-Type", "").startswith("application/xml")
    root = r.xml()
    assert root.tag == "DeleteResult"
    assert root.findtext("EncodingType") == "url"
    deleted = root.findall("Deleted")
    assert sorted(d.findtext("Key") for d in deleted) == ["missing", "present"]
    for d in deleted:
        assert children_names(d) == ["Key"]


def _mixed_setup(client, b):
    """A versioned bucket holding: a plain key, a key with two versions, a key whose current
    version is a marker. Returns the request list and what each request targets."""
    client.put_object(b, "plain", b"p")
    old = client.put_object(b, "two", b"old").version_id
    client.put_object(b, "two", b"new")
    client.put_object(b, "marked", b"m")
    marker = client.delete_object(b, "marked").headers["x-oss-version-id"]
    objects = ["plain", "missing", ("two", old), ("marked", marker)]
    return objects, old, marker


def test_versioned_verbose_batch_with_keys_versions_and_markers(client, versioned_bucket):
    b = versioned_bucket
    objects, old, marker = _mixed_setup(client, b)
    r, deleted = client.delete_objects(b, objects)
    assert r.status == 200
    by_key = _by_key(deleted)
    assert sorted(by_key) == ["marked", "missing", "plain", "two"]
    assert all(len(v) == 1 for v in by_key.values())
    plain, missing = by_key["plain"][0], by_key["missing"][0]
    for d in (plain, missing):  # no VersionId given: a new marker each, missing key included
        assert d.delete_marker is True and d.version_id is None and d.delete_marker_version_id
    assert plain.delete_marker_version_id != missing.delete_marker_version_id
    assert by_key["two"][0] == Deleted("two", old, False, None)
    assert by_key["marked"][0] == Deleted("marked", marker, True, marker)
    # Effects: plain and missing are now markers; two's old version is gone; marked is back.
    _assert_404_marker(client, b, "plain", plain.delete_marker_version_id)
    _assert_404_marker(client, b, "missing", missing.delete_marker_version_id)
    assert client.get_object(b, "two").body == b"new"
    remaining = client.list_object_versions(b, prefix="two").all
    assert len(remaining) == 1
    assert remaining[0].version_id != old and remaining[0].is_latest
    assert client.get_object(b, "marked").body == b"m"


def test_versioned_quiet_batch_returns_no_entries_but_deletes(client, versioned_bucket):
    b = versioned_bucket
    objects, old, marker = _mixed_setup(client, b)
    r, deleted = client.delete_objects(b, objects, quiet=True)
    assert r.status == 200
    assert deleted == []
    with pytest.raises(OssError) as e:
        client.get_object(b, "plain")
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    assert_delete_marker_header(e.value.headers, True)
    remaining = client.list_object_versions(b, prefix="two").all
    assert len(remaining) == 1 and remaining[0].version_id != old
    assert client.get_object(b, "marked").body == b"m"
    assert sorted(e.key for e in client.list_object_versions(b).delete_markers) == [
        "missing", "plain"]


def test_unversioned_quiet_batch_deletes_and_answers_empty_delete_result(raw, bucket):
    for k in ("a", "b"):
        raw.request("PUT", bucket, k, data=b"x")
    r = raw.batch_delete(bucket, ["a", "b", "missing"], quiet=True)
    assert r.status == 200
    if r.body.strip():  # quiet: an empty <DeleteResult/> (perhaps with EncodingType), or no body
        root = r.xml()
        assert root.tag == "DeleteResult"
        assert root.findall("Deleted") == []
    listing = raw.request("GET", bucket, params={"encoding-type": "url"})
    assert listing.xml().findall("Contents") == []


def test_batch_delete_of_already_deleted_version_succeeds(client, versioned_bucket):
    b = versioned_bucket
    gone = client.put_object(b, "k", b"gone").version_id
    client.put_object(b, "k", b"kept")
    client.delete_objects(b, [("k", gone)])
    r, deleted = client.delete_objects(b, [("k", gone)])
    assert r.status == 200
    assert deleted == [Deleted("k", gone, False, None)]
    assert client.get_object(b, "k").body == b"kept"


# --- encoding-type=url -------------------------------------------------------------------------

def test_batch_delete_of_special_keys_round_trips_key_names(client, bucket):
    for k in SPECIAL_KEYS:
        client.put_object(bucket, k, b"x")
    r, deleted = client.delete_objects(bucket, SPECIAL_KEYS)
    assert sorted(d.key for d in deleted) == sorted(SPECIAL_KEYS)
    assert client.list_objects(bucket).keys == []


def test_batch_delete_response_url_encodes_keys(raw, bucket):
    keys = ["dir/a b+c%d~ü.txt", "plus+sign.txt"]
    r = raw.batch_delete(bucket, keys, quiet=False)
    assert r.status == 200
    root = r.xml()
    assert root.findtext("EncodingType") == "url"
    got = sorted(d.findtext("Key") for d in root.findall("Deleted"))
    # Every byte outside A-Z a-z 0-9 - _ . ~ is %XX (upper hex): '/' %2F, ' ' %20, '+' %2B.
    assert got == sorted(quote(k, safe="-_.~") for k in keys)
    assert "dir%2Fa%20b%2Bc%25d~%C3%BC.txt" in got


# --- limits and request validation ---------------------------------------------------------------

def test_batch_delete_of_1000_keys_succeeds_and_1001_is_malformed_xml(admin, bucket):
    keys = [f"many/{i:04d}" for i in range(1000)]
    b = admin.bucket(bucket)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: b.put_object(k, b"x"), keys))

    with pytest.raises(OssError) as e:
        admin.delete_objects(bucket, keys + ["many/extra"])
    assert (e.value.status, e.value.code) == (400, "MalformedXML")
    first = admin.list_objects(bucket, max_keys=1000)
    assert len(first.keys) == 1000  # the refused request deleted nothing

    r, deleted = admin.delete_objects(bucket, keys)
    assert r.status == 200
    assert sorted(d.key for d in deleted) == keys
    assert admin.list_objects(bucket).keys == []


def test_batch_delete_without_content_md5_is_rejected_and_deletes_nothing(raw, bucket):
    raw.request("PUT", bucket, "k", data=b"x")
    r = raw.batch_delete(bucket, ["k"], quiet=False, with_md5=False)
    # OSS documents only the error number (EC 0016-00000606), not the code: either is taken.
    assert (r.status, r.error_code() in ("InvalidRequest", "InvalidArgument")) == (400, True), (
        r.status, r.body[:300])
    assert raw.request("GET", bucket, "k").status == 200


def test_batch_delete_with_wrong_content_md5_is_400_invalid_digest(raw, bucket):
    raw.request("PUT", bucket, "k", data=b"x")
    r = raw.batch_delete(bucket, ["k"], quiet=False, md5="1B2M2Y8AsgTpgAmY7PhCfg==")
    assert (r.status, r.error_code()) == (400, "InvalidDigest")
    assert raw.request("GET", bucket, "k").status == 200


def test_batch_delete_with_wrong_root_element_is_400_malformed_xml(raw, bucket):
    raw.request("PUT", bucket, "k", data=b"x")
    r = raw.batch_delete(bucket, ["k"], quiet=False, root="Remove")
    assert (r.status, r.error_code()) == (400, "MalformedXML")
    assert raw.request("GET", bucket, "k").status == 200
