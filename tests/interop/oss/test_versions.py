"""Versioned reads and writes: permanent and soft deletes of one object, delete-marker reads (405
for a marker version, 404 with the marker headers for a key whose current version is one), HEAD
error headers, restoring (by deleting the marker or copying an old version over the key) and
Suspended writes (which replace the null version and keep the others)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from .clients import OssError
from .support import (
    assert_crc_header,
    assert_delete_marker_header,
    assert_version_id_header,
)


# --- "Delete a single object" in the OSS Go samples ---------------------------------------------

def test_seed_permanent_delete_with_version_id_removes_that_version(client, versioned_bucket):
    """Go sample `bucket.DeleteObject(objectName, oss.VersionId(id))`: the version is gone for
    good — no marker is created, the key and the version both read as missing."""
    b = versioned_bucket
    vid = client.put_object(b, "yourObjectName", b"payload").version_id
    assert vid
    r = client.delete_object(b, "yourObjectName", version_id=vid)
    assert r.status == 204
    assert_version_id_header(r.headers, vid)  # Go's test asserts the header equals the id
    assert_delete_marker_header(r.headers, False)
    with pytest.raises(OssError) as e:
        client.get_object(b, "yourObjectName")
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    assert_delete_marker_header(e.value.headers, False)
    with pytest.raises(OssError) as e:
        client.get_object(b, "yourObjectName", version_id=vid)
    assert (e.value.status, e.value.code) == (404, "NoSuchVersion")
    assert client.list_object_versions(b).all == []


def test_seed_soft_delete_returns_marker_headers_and_get_is_404_with_them(client,
                                                                          versioned_bucket):
    """Go sample with `oss.GetResponseHeader`: it prints x-oss-version-id (the new marker's ID)
    and x-oss-delete-marker (true); GetObject then returns 404 with
    x-oss-delete-marker: true and the marker's ID in x-oss-version-id."""
    b = versioned_bucket
    vid = client.put_object(b, "yourObjectName", b"payload").version_id
    r = client.delete_object(b, "yourObjectName")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, ...)
    marker = r.headers["x-oss-version-id"]
    assert marker != vid
    assert (r.version_id, r.delete_marker) == (marker, True)  # what the SDK hands the caller

    for read in (client.get_object, client.head_object):
        with pytest.raises(OssError) as e:
            read(b, "yourObjectName")
        assert (e.value.status, e.value.code) == (404, "NoSuchKey")
        assert_delete_marker_header(e.value.headers, True)
        assert_version_id_header(e.value.headers, marker)
    # The data version itself was not deleted.
    assert client.get_object(b, "yourObjectName", version_id=vid).body == b"payload"


# --- versioned writes and reads ----------------------------------------------------------------

def test_enabled_puts_return_distinct_version_ids_and_each_version_reads_back(client,
                                                                             versioned_bucket):
    b = versioned_bucket
    datas = [b"one", b"two", b"three"]
    vids = []
    for d in datas:
        r = client.put_object(b, "k", d)
        assert_version_id_header(r.headers, ...)
        assert r.version_id == r.headers["x-oss-version-id"]
        vids.append(r.version_id)
    assert len(set(vids)) == 3 and "null" not in vids
    for d, vid in zip(datas, vids):
        g = client.get_object(b, "k", version_id=vid)
        assert g.body == d
        assert_version_id_header(g.headers, vid)
        assert_crc_header(g.headers, d)
        h = client.head_object(b, "k", version_id=vid)
        assert_version_id_header(h.headers, vid)
    latest = client.get_object(b, "k")
    assert latest.body == b"three"
    assert_version_id_header(latest.headers, vids[-1])


def test_get_and_head_of_a_marker_version_are_405_method_not_allowed(client, versioned_bucket):
    b = versioned_bucket
    client.put_object(b, "k", b"data")
    marker = client.delete_object(b, "k").headers["x-oss-version-id"]
    for read in (client.get_object, client.head_object):
        with pytest.raises(OssError) as e:
            read(b, "k", version_id=marker)
        assert (e.value.status, e.value.code) == (405, "MethodNotAllowed")
        assert_delete_marker_header(e.value.headers, True)
        assert_version_id_header(e.value.headers, marker)
        assert e.value.headers.get("Last-Modified")


def test_get_and_head_of_an_unknown_version_are_404_no_such_version(client, versioned_bucket):
    b = versioned_bucket
    gone = client.put_object(b, "k", b"gone").version_id
    client.put_object(b, "k", b"kept")
    client.delete_object(b, "k", version_id=gone)
    for read in (client.get_object, client.head_object):
        with pytest.raises(OssError) as e:
            read(b, "k", version_id=gone)
        assert (e.value.status, e.value.code) == (404, "NoSuchVersion")


@pytest.mark.parametrize("case", ["current-is-marker", "marker-version", "unknown-version",
                                  "missing-bucket"])
def test_head_error_carries_x_oss_err_decoding_to_the_code(raw, versioned_bucket, case):
    b = versioned_bucket
    raw.request("PUT", b, "k", data=b"data")
    gone = raw.request("PUT", b, "k", data=b"gone").headers["x-oss-version-id"]
    raw.request("DELETE", b, "k", params={"versionId": gone})
    marker = raw.request("DELETE", b, "k").headers["x-oss-version-id"]
    bucket, params, want = {
        "current-is-marker": (b, {}, (404, "NoSuchKey")),
        "marker-version": (b, {"versionId": marker}, (405, "MethodNotAllowed")),
        "unknown-version": (b, {"versionId": gone}, (404, "NoSuchVersion")),
        "missing-bucket": (b + "-missing", {}, (404, "NoSuchBucket")),
    }[case]
    r = raw.request("HEAD", bucket, "k", params=params)
    assert r.status == want[0]
    assert r.body == b""
    assert r.headers.get("x-oss-err"), "HEAD error without x-oss-err"
    err = ET.fromstring(base64.b64decode(r.headers["x-oss-err"]))
    assert err.tag == "Error"
    assert err.findtext("Code") == want[1]
    assert err.findtext("RequestId") == r.headers.get("x-oss-request-id")


# --- restoring a soft-deleted object ----------------------------------------------------------

def test_restore_by_deleting_the_delete_marker(client, versioned_bucket):
    b = versioned_bucket
    vid = client.put_object(b, "k", b"precious").version_id
    marker = client.delete_object(b, "k").headers["x-oss-version-id"]
    r = client.delete_object(b, "k", version_id=marker)
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, marker)
    g = client.get_object(b, "k")
    assert g.body == b"precious"
    assert_version_id_header(g.headers, vid)  # the old version is current again, no copy
    listing = client.list_object_versions(b)
    assert [(e.version_id, e.is_latest) for e in listing.all] == [(vid, True)]


def test_restore_by_copying_an_old_version_over_the_key(client, versioned_bucket):
    b = versioned_bucket
    old = client.put_object(b, "k", b"old data").version_id
    client.put_object(b, "k", b"new data")
    marker = client.delete_object(b, "k").headers["x-oss-version-id"]
    r = client.copy_object(b, "k", "k", src_version_id=old)
    assert r.status == 200
    assert r.copy_source_version_id == old  # x-oss-copy-source-version-id
    assert r.headers.get("x-oss-copy-source-version-id") == old
    assert_version_id_header(r.headers, ...)
    restored = r.headers["x-oss-version-id"]
    assert restored not in (old, marker)
    assert_crc_header(r.headers, b"old data")
    g = client.get_object(b, "k")
    assert g.body == b"old data"
    assert_version_id_header(g.headers, restored)
    # Nothing was removed: 3 data versions and the marker, the copy being the latest.
    listing = client.list_object_versions(b)
    assert len(listing.versions) == 3 and len(listing.delete_markers) == 1
    assert [e.version_id for e in listing.all if e.is_latest] == [restored]


def test_copy_of_a_version_to_another_key_keeps_the_source(client, versioned_bucket):
    b = versioned_bucket
    old = client.put_object(b, "src key+%.txt", b"v1").version_id
    client.put_object(b, "src key+%.txt", b"v2")
    r = client.copy_object(b, "src key+%.txt", "dst/copy.txt", src_version_id=old)
    assert r.copy_source_version_id == old
    assert client.get_object(b, "dst/copy.txt").body == b"v1"
    assert client.get_object(b, "src key+%.txt").body == b"v2"


def test_copy_from_a_delete_marker_version_is_rejected(client, versioned_bucket):
    """Rejected: OSS documents only the error number (EC 0016-00000307), not the status or the
    code; Strata answers 400 InvalidArgument."""
    b = versioned_bucket
    client.put_object(b, "k", b"data")
    marker = client.delete_object(b, "k").headers["x-oss-version-id"]
    with pytest.raises(OssError) as e:
        client.copy_object(b, "k", "other", src_version_id=marker)
    assert (e.value.status, e.value.code) == (400, "InvalidArgument")
    assert client.list_objects(b).keys == []


def test_copy_without_version_when_source_current_is_marker_is_404(client, versioned_bucket):
    b = versioned_bucket
    client.put_object(b, "k", b"data")
    client.delete_object(b, "k")
    with pytest.raises(OssError) as e:
        client.copy_object(b, "k", "other")
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")


# --- Suspended writes --------------------------------------------------------------------------

def test_suspended_puts_write_the_null_version_and_keep_older_versions(client, bucket):
    client.put_bucket_versioning(bucket, "Enabled")
    kept = client.put_object(bucket, "k", b"enabled-era").version_id
    client.put_bucket_versioning(bucket, "Suspended")
    first = client.put_object(bucket, "k", b"null one")
    assert_version_id_header(first.headers, "null")
    second = client.put_object(bucket, "k", b"null two")
    assert_version_id_header(second.headers, "null")
    assert client.get_object(bucket, "k").body == b"null two"
    g = client.get_object(bucket, "k", version_id="null")
    assert g.body == b"null two"
    assert_version_id_header(g.headers, "null")
    assert client.get_object(bucket, "k", version_id=kept).body == b"enabled-era"
    listing = client.list_object_versions(bucket)
    assert sorted((e.version_id, e.is_latest) for e in listing.all) == sorted(
        [("null", True), (kept, False)])
