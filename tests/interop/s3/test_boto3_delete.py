"""boto3: DeleteObject, delete markers (on GET/HEAD, as versions, un-deleting), DeleteObjects.

DeleteObject is always 204:

| bucket      | request           | effect                                  | headers                                |
|-------------|-------------------|-----------------------------------------|----------------------------------------|
| unversioned | DELETE /k         | removes it (missing: not an error)      | none                                   |
| Enabled     | DELETE /k         | new marker, even when one is current    | delete-marker: true, version-id: <new> |
| Suspended   | DELETE /k         | null entry replaced by a null marker    | delete-marker: true, version-id: null  |
| any         | ?versionId=V      | V removed for good, no marker           | version-id: V (+ delete-marker if V was one) |
| any         | ?versionId=absent | nothing                                 | version-id: V                          |
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest

from .support import (
    capture_requests,
    expect_error,
    headers_of,
    status_of,
    versions_in_xml_order,
)


def set_versioning(s3, bucket, status):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def gone_version_id(s3, bucket) -> str:
    """A real, server-made version ID that no longer exists (well-formed, but unknown)."""
    vid = s3.put_object(Bucket=bucket, Key="scratch", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="scratch", VersionId=vid)
    return vid


# --- DeleteObject ------------------------------------------------------------------------------

def test_unversioned_delete_removes_the_object_with_a_plain_204(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    r = s3.delete_object(Bucket=bucket, Key="k")
    assert status_of(r) == 204
    assert "DeleteMarker" not in r and "VersionId" not in r
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=bucket)


def test_delete_of_a_missing_key_is_204(s3, bucket):
    r = s3.delete_object(Bucket=bucket, Key="never-existed")
    assert status_of(r) == 204
    assert "DeleteMarker" not in r


def test_delete_in_a_missing_bucket_is_404_no_such_bucket(s3, bucket_name):
    with expect_error(404, "NoSuchBucket"):
        s3.delete_object(Bucket=bucket_name, Key="k")


def test_unversioned_delete_of_version_null_removes_the_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert status_of(s3.delete_object(Bucket=bucket, Key="k", VersionId="null")) == 204
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


def test_enabled_simple_deletes_stack_delete_markers(s3, versioned_bucket):
    b = versioned_bucket
    vid = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    markers = []
    for _ in range(3):
        r = s3.delete_object(Bucket=b, Key="k")
        assert status_of(r) == 204
        assert r["DeleteMarker"] is True
        assert headers_of(r)["x-amz-delete-marker"] == "true"
        assert r["VersionId"] not in markers + [vid, "null"]
        markers.append(r["VersionId"])
    listed = versions_in_xml_order(s3, b)
    assert listed == [("k", markers[2], True, True), ("k", markers[1], True, False),
                      ("k", markers[0], True, False), ("k", vid, False, False)]


def test_enabled_delete_of_a_never_existing_key_creates_a_marker(s3, versioned_bucket):
    r = s3.delete_object(Bucket=versioned_bucket, Key="ghost")
    assert r["DeleteMarker"] is True
    assert versions_in_xml_order(s3, versioned_bucket) == [("ghost", r["VersionId"], True, True)]


def test_delete_by_version_id_removes_that_version_and_the_previous_becomes_current(
        s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    r = s3.delete_object(Bucket=b, Key="k", VersionId=v2)
    assert status_of(r) == 204
    assert r["VersionId"] == v2
    assert "DeleteMarker" not in r, "deleting a plain version sends no x-amz-delete-marker"
    assert "x-amz-delete-marker" not in headers_of(r)
    got = s3.get_object(Bucket=b, Key="k")
    assert (got["Body"].read(), got["VersionId"]) == (b"one", v1)
    assert versions_in_xml_order(s3, b) == [("k", v1, False, True)]


def test_delete_of_the_current_marker_by_id_undeletes_the_object(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    r = s3.delete_object(Bucket=b, Key="k", VersionId=marker)
    assert (r["VersionId"], r.get("DeleteMarker")) == (marker, True)
    got = s3.get_object(Bucket=b, Key="k")
    assert (got["Body"].read(), got["VersionId"]) == (b"one", v1)


def test_delete_of_a_noncurrent_marker_keeps_the_key_deleted(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"one")
    first = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    second = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    r = s3.delete_object(Bucket=b, Key="k", VersionId=first)
    assert r.get("DeleteMarker") is True
    with expect_error(404, "NoSuchKey") as e:
        s3.get_object(Bucket=b, Key="k")
    assert e.headers["x-amz-version-id"] == second


def test_delete_of_a_well_formed_but_absent_version_is_204_echoing_it(s3, versioned_bucket):
    gone = gone_version_id(s3, versioned_bucket)
    r = s3.delete_object(Bucket=versioned_bucket, Key="scratch", VersionId=gone)
    assert status_of(r) == 204
    assert r["VersionId"] == gone
    assert "DeleteMarker" not in r
    assert versions_in_xml_order(s3, versioned_bucket) == []


def test_delete_with_a_malformed_version_id_is_400_invalid_argument(s3, versioned_bucket):
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    with expect_error(400, "InvalidArgument"):
        s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId="dsf")
    assert s3.get_object(Bucket=versioned_bucket, Key="k")["Body"].read() == b"x"


def test_suspended_delete_replaces_the_null_version_with_a_null_marker(s3, versioned_bucket):
    b = versioned_bucket
    real = s3.put_object(Bucket=b, Key="k", Body=b"real")["VersionId"]
    set_versioning(s3, b, "Suspended")
    s3.put_object(Bucket=b, Key="k", Body=b"null version")
    r = s3.delete_object(Bucket=b, Key="k")
    assert status_of(r) == 204
    assert r["DeleteMarker"] is True
    assert r["VersionId"] == "null"
    # The null object is gone (replaced by the marker); the real version is untouched.
    assert versions_in_xml_order(s3, b) == [("k", "null", True, True), ("k", real, False, False)]
    assert s3.get_object(Bucket=b, Key="k", VersionId=real)["Body"].read() == b"real"
    # A second suspended delete replaces the null marker: still one null entry.
    s3.delete_object(Bucket=b, Key="k")
    assert versions_in_xml_order(s3, b) == [("k", "null", True, True), ("k", real, False, False)]


# --- delete markers on GET / HEAD --------------------------------------------------------------

@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_get_and_head_of_a_key_whose_current_version_is_a_marker(s3, versioned_bucket, state):
    b = versioned_bucket
    set_versioning(s3, b, state)
    s3.put_object(Bucket=b, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    with expect_error(404, "NoSuchKey") as e:
        s3.get_object(Bucket=b, Key="k")
    assert e.headers["x-amz-delete-marker"] == "true"
    assert e.headers["x-amz-version-id"] == marker
    with expect_error(404) as e:
        s3.head_object(Bucket=b, Key="k")
    assert e.headers["x-amz-delete-marker"] == "true"
    assert e.headers["x-amz-version-id"] == marker
    assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0, "markers hide the key from listings"
    assert "Contents" not in s3.list_objects(Bucket=b)


def test_get_and_head_by_a_marker_version_id_are_405(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    listed = s3.list_object_versions(Bucket=b)["DeleteMarkers"][0]
    with expect_error(405, "MethodNotAllowed") as e:
        s3.get_object(Bucket=b, Key="k", VersionId=marker)
    assert e.headers["x-amz-delete-marker"] == "true"
    assert e.headers["x-amz-version-id"] == marker
    assert "last-modified" in e.headers
    with expect_error(405) as e:
        s3.head_object(Bucket=b, Key="k", VersionId=marker)
    assert e.headers["x-amz-delete-marker"] == "true"
    assert e.headers["x-amz-version-id"] == marker
    assert parsedate_to_datetime(e.headers["last-modified"]) == listed["LastModified"].replace(
        microsecond=0)


def test_get_of_a_key_that_never_existed_in_a_versioned_bucket_has_no_marker_header(
        s3, versioned_bucket):
    with expect_error(404, "NoSuchKey") as e:
        s3.get_object(Bucket=versioned_bucket, Key="never")
    assert "x-amz-delete-marker" not in e.headers
    assert "x-amz-version-id" not in e.headers


# --- DeleteObjects -----------------------------------------------------------------------------

def objects(*keys):
    return [{"Key": k} for k in keys]


def test_delete_objects_verbose_unversioned_reports_missing_keys_as_deleted(s3, bucket):
    for k in ["a", "b"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a", "b", "missing")})
    assert status_of(r) == 200
    assert "Errors" not in r
    assert sorted(d["Key"] for d in r["Deleted"]) == ["a", "b", "missing"]
    for d in r["Deleted"]:
        assert set(d) == {"Key"}, f"unversioned simple delete reports only Key: {d}"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # Repeating it is not an error either.
    again = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a", "b", "missing")})
    assert sorted(d["Key"] for d in again["Deleted"]) == ["a", "b", "missing"]
    assert "Errors" not in again


def test_delete_objects_quiet_returns_no_deleted_elements(s3, bucket):
    for k in ["a", "b", "c"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a", "b", "zz"),
                                                  "Quiet": True})
    assert status_of(r) == 200
    assert "Deleted" not in r and "Errors" not in r
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]


def test_delete_objects_quiet_still_reports_errors(s3, versioned_bucket):
    s3.put_object(Bucket=versioned_bucket, Key="a", Body=b"x")
    r = s3.delete_objects(Bucket=versioned_bucket, Delete={"Quiet": True, "Objects": [
        {"Key": "a"}, {"Key": "b", "VersionId": "dsf"}]})
    assert "Deleted" not in r
    assert [(e["Key"], e.get("VersionId"), e["Code"]) for e in r["Errors"]] == [
        ("b", "dsf", "NoSuchVersion")]
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=versioned_bucket, Key="a")


def test_delete_objects_enabled_simple_deletes_create_markers(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="a", Body=b"x")
    r = s3.delete_objects(Bucket=b, Delete={"Objects": objects("a", "never")})
    assert "Errors" not in r
    by_key = {d["Key"]: d for d in r["Deleted"]}
    assert set(by_key) == {"a", "never"}
    listed = {k: v for k, v, marker, latest in versions_in_xml_order(s3, b) if marker and latest}
    for key, d in by_key.items():
        assert d["DeleteMarker"] is True
        assert d["DeleteMarkerVersionId"] == listed[key]
        assert "VersionId" not in d


def test_delete_objects_suspended_simple_delete_reports_a_null_marker(s3, versioned_bucket):
    set_versioning(s3, versioned_bucket, "Suspended")
    s3.put_object(Bucket=versioned_bucket, Key="a", Body=b"x")
    r = s3.delete_objects(Bucket=versioned_bucket, Delete={"Objects": objects("a")})
    (d,) = r["Deleted"]
    assert (d["Key"], d["DeleteMarker"], d["DeleteMarkerVersionId"]) == ("a", True, "null")
    assert versions_in_xml_order(s3, versioned_bucket) == [("a", "null", True, True)]


def test_delete_objects_by_version_id_of_a_version_and_of_a_marker(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    request = {"Objects": [{"Key": "k", "VersionId": v2}, {"Key": "k", "VersionId": marker}]}
    r = s3.delete_objects(Bucket=b, Delete=request)
    assert "Errors" not in r
    by_version = {d["VersionId"]: d for d in r["Deleted"]}
    assert by_version[v2] == {"Key": "k", "VersionId": v2}, "a plain version: no DeleteMarker"
    assert by_version[marker] == {"Key": "k", "VersionId": marker, "DeleteMarker": True,
                                  "DeleteMarkerVersionId": marker}
    assert versions_in_xml_order(s3, b) == [("k", v1, False, True)]
    # The same request again: the versions are gone, and that still counts as deleted.
    again = s3.delete_objects(Bucket=b, Delete=request)
    assert "Errors" not in again
    assert sorted(d["VersionId"] for d in again["Deleted"]) == sorted([v2, marker])
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"one"


def test_delete_objects_accepts_exactly_1000_keys(s3, bucket):
    real = [f"key-{i:04d}" for i in range(0, 1000, 100)]
    for k in real:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    keys = [f"key-{i:04d}" for i in range(1000)]
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert "Errors" not in r
    assert sorted(d["Key"] for d in r["Deleted"]) == keys
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_with_1001_keys_is_400_malformed_xml(s3, bucket):
    s3.put_object(Bucket=bucket, Key="key-0000", Body=b"x")
    with expect_error(400, "MalformedXML"):
        s3.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": f"key-{i:04d}"} for i in range(1001)]})
    assert s3.get_object(Bucket=bucket, Key="key-0000")["Body"].read() == b"x"


def test_delete_objects_with_no_objects_is_400_malformed_xml(s3, bucket):
    with expect_error(400, "MalformedXML"):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": []})


def test_delete_objects_is_sent_with_crc32_and_no_content_md5(s3, bucket):
    """boto3 1.44.5 sends x-amz-checksum-crc32, not Content-MD5, with DeleteObjects; it must
    pass."""
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    with capture_requests(s3, "DeleteObjects") as sent:
        r = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a")})
    assert "content-md5" not in sent[0].headers
    assert "x-amz-checksum-crc32" in sent[0].headers
    assert [d["Key"] for d in r["Deleted"]] == ["a"]


def _rewrite_integrity_headers(s3, change):
    """Edits the integrity headers of DeleteObjects just before boto3 signs it."""

    def hook(request, **_):
        change(request.headers)

    s3.meta.events.register_first("before-sign.s3.DeleteObjects", hook)


def test_delete_objects_without_any_integrity_header_is_400_invalid_request(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")

    def strip(h):
        for name in [n for n in h.keys() if n.lower().startswith("x-amz-checksum-")
                     or n.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm")]:
            del h[name]

    _rewrite_integrity_headers(s3, strip)
    with expect_error(400, "InvalidRequest"):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a")})
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"


@pytest.mark.parametrize("header", ["Content-MD5", "x-amz-checksum-crc32"])
def test_delete_objects_with_a_wrong_digest_is_400_bad_digest(s3, bucket, header):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    wrong = {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==", "x-amz-checksum-crc32": "AAAAAA=="}

    def corrupt(h):
        del h["x-amz-checksum-crc32"]  # (HTTPHeaders' item assignment adds, not replaces)
        h[header] = wrong[header]

    _rewrite_integrity_headers(s3, corrupt)
    with expect_error(400, "BadDigest"):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects("a")})
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"
