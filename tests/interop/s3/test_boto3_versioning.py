"""boto3: bucket versioning state and the null version.

| bucket state | PutObject effect                                   | x-amz-version-id on PUT |
|--------------|----------------------------------------------------|-------------------------|
| unversioned  | replaces the one (null) object                     | absent                  |
| Enabled      | new version with a fresh ID; null version kept     | the new ID              |
| Suspended    | replaces the null version; real versions untouched | absent                  |
"""

from __future__ import annotations

import pytest

from .support import expect_error, headers_of, versions_in_xml_order


def set_versioning(s3, bucket, status):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def body(s3, bucket, key, **kw) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def test_new_bucket_versioning_has_no_status(s3, bucket):
    r = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in r
    assert "MFADelete" not in r


def test_versioning_status_round_trips_suspended_enabled_suspended(s3, bucket):
    # Suspending a never-versioned bucket is allowed.
    for status in ["Suspended", "Enabled", "Enabled", "Suspended"]:
        set_versioning(s3, bucket, status)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == status


def test_versioning_accepts_mfa_delete_disabled(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={
        "Status": "Enabled", "MFADelete": "Disabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_versioning_with_an_unknown_status_is_400_malformed_xml(s3, bucket):
    with expect_error(400, "MalformedXML"):
        set_versioning(s3, bucket, "Sometimes")
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_versioning_of_a_missing_bucket_is_404_no_such_bucket(s3, bucket_name):
    with expect_error(404, "NoSuchBucket"):
        s3.get_bucket_versioning(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        set_versioning(s3, bucket_name, "Enabled")


def test_unversioned_put_get_head_carry_no_version_id(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    assert "VersionId" not in r
    assert "x-amz-version-id" not in headers_of(r)
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")
    assert "VersionId" not in s3.head_object(Bucket=bucket, Key="k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    listing = s3.list_object_versions(Bucket=bucket)
    # A never-versioned bucket lists each object once, as the null version.
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [
        ("k", "null", True)]
    assert body(s3, bucket, "k") == b"two"


def test_null_version_is_addressable_in_a_never_versioned_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"plain")
    assert body(s3, bucket, "k", VersionId="null") == b"plain"
    assert s3.head_object(Bucket=bucket, Key="k", VersionId="null")["ContentLength"] == 5
    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)


def test_enabled_puts_return_distinct_version_ids_that_listing_and_get_agree_on(
        s3, versioned_bucket):
    b = versioned_bucket
    ids = []
    for i in range(5):
        r = s3.put_object(Bucket=b, Key="k", Body=f"v{i}".encode())
        assert headers_of(r)["x-amz-version-id"] == r["VersionId"]
        ids.append(r["VersionId"])
    assert len(set(ids)) == 5
    assert "null" not in ids
    # Newest first, strictly in write order even for back-to-back PUTs.
    listed = versions_in_xml_order(s3, b)
    assert [(k, v, m) for k, v, m, _ in listed] == [("k", v, False) for v in reversed(ids)]
    assert [latest for *_, latest in listed] == [True, False, False, False, False]
    for i, vid in enumerate(ids):
        r = s3.get_object(Bucket=b, Key="k", VersionId=vid)
        assert r["Body"].read() == f"v{i}".encode()
        assert r["VersionId"] == vid
        assert s3.head_object(Bucket=b, Key="k", VersionId=vid)["VersionId"] == vid
    current = s3.get_object(Bucket=b, Key="k")
    assert (current["VersionId"], current["Body"].read()) == (ids[-1], b"v4")


def test_pre_versioning_object_stays_as_null_version_and_becomes_current_again(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"old")
    set_versioning(s3, bucket, "Enabled")
    # In a bucket that has had versioning configured, the null version is named "null".
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"new")["VersionId"]
    assert new != "null"
    assert versions_in_xml_order(s3, bucket) == [("k", new, False, True),
                                                 ("k", "null", False, False)]
    assert body(s3, bucket, "k", VersionId="null") == b"old"

    s3.delete_object(Bucket=bucket, Key="k", VersionId=new)
    r = s3.get_object(Bucket=bucket, Key="k")
    assert (r["Body"].read(), r["VersionId"]) == (b"old", "null")

    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")
    assert versions_in_xml_order(s3, bucket) == []


def test_suspended_put_has_no_version_id_and_overwrites_only_the_null_version(s3, versioned_bucket):
    b = versioned_bucket
    real = s3.put_object(Bucket=b, Key="k", Body=b"real")["VersionId"]
    set_versioning(s3, b, "Suspended")
    for data in [b"first null", b"second null"]:
        r = s3.put_object(Bucket=b, Key="k", Body=data)
        assert "VersionId" not in r, "suspended PUT names no version"
        assert "x-amz-version-id" not in headers_of(r)
    assert versions_in_xml_order(s3, b) == [("k", "null", False, True),
                                            ("k", real, False, False)]
    r = s3.get_object(Bucket=b, Key="k")
    assert (r["Body"].read(), r["VersionId"]) == (b"second null", "null")
    assert body(s3, b, "k", VersionId=real) == b"real"


def test_suspended_put_replaces_a_pre_versioning_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"pre")
    set_versioning(s3, bucket, "Enabled")
    set_versioning(s3, bucket, "Suspended")
    s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")
    listing = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["Size"]) for v in listing["Versions"]] == [("null", 9)]
    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


def test_null_version_moves_to_the_top_when_rewritten(s3, versioned_bucket):
    """The null entry's place in the order is the time of its latest write."""
    b = versioned_bucket
    set_versioning(s3, b, "Suspended")
    s3.put_object(Bucket=b, Key="k", Body=b"null-1")
    set_versioning(s3, b, "Enabled")
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"v1")["VersionId"]
    assert [e[1] for e in versions_in_xml_order(s3, b)] == [v1, "null"]
    set_versioning(s3, b, "Suspended")
    s3.put_object(Bucket=b, Key="k", Body=b"null-2")
    assert versions_in_xml_order(s3, b) == [("k", "null", False, True), ("k", v1, False, False)]
    assert body(s3, b, "k") == b"null-2"


def test_suspended_versions_survive_a_suspend_and_reenable_cycle(s3, versioned_bucket):
    b = versioned_bucket
    enabled = [s3.put_object(Bucket=b, Key="k", Body=f"e{i}".encode())["VersionId"]
               for i in range(3)]
    set_versioning(s3, b, "Suspended")
    s3.delete_object(Bucket=b, Key="k")
    s3.put_object(Bucket=b, Key="k", Body=b"s1")
    s3.delete_object(Bucket=b, Key="k")
    s3.put_object(Bucket=b, Key="k", Body=b"s2")
    set_versioning(s3, b, "Enabled")
    later = [s3.put_object(Bucket=b, Key="k", Body=f"l{i}".encode())["VersionId"]
             for i in range(2)]
    listed = versions_in_xml_order(s3, b)
    assert [e[1] for e in listed] == list(reversed(later)) + ["null"] + list(reversed(enabled))
    assert [e[2] for e in listed] == [False] * 6
    assert body(s3, b, "k", VersionId="null") == b"s2"
    for i, vid in enumerate(enabled):
        assert body(s3, b, "k", VersionId=vid) == f"e{i}".encode()


@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_get_of_a_missing_version_id_is_404_no_such_version(s3, versioned_bucket, state):
    b = versioned_bucket
    gone = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    s3.put_object(Bucket=b, Key="k", Body=b"y")
    s3.delete_object(Bucket=b, Key="k", VersionId=gone)  # a real ID, no longer there
    set_versioning(s3, b, state)
    with expect_error(404, "NoSuchVersion"):
        s3.get_object(Bucket=b, Key="k", VersionId=gone)
    with expect_error(404) as e:
        s3.head_object(Bucket=b, Key="k", VersionId=gone)
    assert e.code == "404"


@pytest.mark.parametrize("bad", ["dsf", "not a version", ""])
def test_get_with_a_malformed_version_id_is_400_invalid_argument(s3, versioned_bucket, bad):
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    with expect_error(400, "InvalidArgument"):
        s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=bad)
    with expect_error(400):
        s3.head_object(Bucket=versioned_bucket, Key="k", VersionId=bad)
