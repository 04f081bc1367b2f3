"""boto3: ListObjects (v1), ListObjectsV2 and ListObjectVersions.

boto3 adds `encoding-type=url` to every listing it sends and URL-decodes the keys, prefixes
and markers it gets back (unless the caller names an EncodingType itself): a server that
does not really encode breaks keys with '+' or '%' in every plain boto3 listing.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from .support import (
    SPECIAL_KEYS,
    capture_requests,
    expect_error,
    keys_v2,
    versions_in_xml_order,
)

TREE = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e.txt", "f/5.txt"]


@pytest.fixture
def tree(s3, bucket):
    for k in TREE:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


# --- ListObjects v1 ----------------------------------------------------------------------------

def test_list_v1_prefix_and_delimiter(s3, tree):
    r = s3.list_objects(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a.txt", "e.txt"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/", "d/", "f/"]
    assert r["IsTruncated"] is False
    r = s3.list_objects(Bucket=tree, Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/c/"]
    assert r["Prefix"] == "b/"
    r = s3.list_objects(Bucket=tree, Prefix="b/")
    assert [o["Key"] for o in r["Contents"]] == ["b/1.txt", "b/2.txt", "b/c/3.txt"]
    assert r["Contents"][0]["Size"] == len("b/1.txt")
    assert r["Contents"][0]["ETag"].startswith('"')


def test_list_v1_marker_pagination(s3, tree):
    r = s3.list_objects(Bucket=tree, MaxKeys=3)
    assert [o["Key"] for o in r["Contents"]] == TREE[:3]
    assert r["IsTruncated"] is True
    r = s3.list_objects(Bucket=tree, MaxKeys=3, Marker="b/2.txt")
    assert [o["Key"] for o in r["Contents"]] == TREE[3:6]
    assert r["Marker"] == "b/2.txt"
    keys = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
        Bucket=tree, PaginationConfig={"PageSize": 2}) for o in page.get("Contents", [])]
    assert keys == TREE


def test_list_v1_paginator_with_delimiter_uses_next_marker(s3, tree):
    contents, prefixes = [], []
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=tree, Delimiter="/", PaginationConfig={"PageSize": 2}))
    for page in pages:
        contents += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if page["IsTruncated"]:
            assert page["NextMarker"], "v1 with a delimiter names NextMarker when truncated"
    assert contents == ["a.txt", "e.txt"]
    assert prefixes == ["b/", "d/", "f/"]
    assert len(pages) == 3  # five entries, two per page


# --- ListObjectsV2 -----------------------------------------------------------------------------

def test_list_v2_prefix_delimiter_and_key_count(s3, tree):
    r = s3.list_objects_v2(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a.txt", "e.txt"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/", "d/", "f/"]
    assert r["KeyCount"] == 5
    r = s3.list_objects_v2(Bucket=tree, Prefix="b/c/")
    assert [o["Key"] for o in r["Contents"]] == ["b/c/3.txt"]
    assert r["KeyCount"] == 1
    assert "Owner" not in r["Contents"][0]
    r = s3.list_objects_v2(Bucket=tree, Prefix="b/c/", FetchOwner=True)
    assert r["Contents"][0]["Owner"]["ID"]


def test_list_v2_continuation_tokens_and_start_after(s3, tree):
    r = s3.list_objects_v2(Bucket=tree, MaxKeys=3)
    assert [o["Key"] for o in r["Contents"]] == TREE[:3]
    assert r["IsTruncated"] is True and r["KeyCount"] == 3
    token = r["NextContinuationToken"]
    r = s3.list_objects_v2(Bucket=tree, MaxKeys=3, ContinuationToken=token)
    assert r["ContinuationToken"] == token
    assert [o["Key"] for o in r["Contents"]] == TREE[3:6]
    r = s3.list_objects_v2(Bucket=tree, StartAfter="b/c/3.txt")
    assert [o["Key"] for o in r["Contents"]] == TREE[4:]
    assert r["StartAfter"] == "b/c/3.txt"
    assert keys_v2(s3, tree, PaginationConfig={"PageSize": 2}) == TREE


def test_list_v2_paginator_with_delimiter_spanning_pages(s3, tree):
    contents, prefixes, pages = [], [], 0
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=tree, Delimiter="/", PaginationConfig={"PageSize": 1}):
        pages += 1
        assert page["KeyCount"] <= 1
        contents += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert contents == ["a.txt", "e.txt"]
    assert prefixes == ["b/", "d/", "f/"]
    assert pages == 5, "each common prefix is rolled up once, whatever the page size"


def test_list_v2_max_keys_zero_and_a_bad_continuation_token(s3, tree):
    r = s3.list_objects_v2(Bucket=tree, MaxKeys=0)
    assert "Contents" not in r
    assert r["KeyCount"] == 0
    with expect_error(400, "InvalidArgument"):
        s3.list_objects_v2(Bucket=tree, ContinuationToken="not-a-token!")


def test_list_of_a_missing_bucket_is_404_no_such_bucket(s3, bucket_name):
    with expect_error(404, "NoSuchBucket"):
        s3.list_objects_v2(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        s3.list_objects(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        s3.list_object_versions(Bucket=bucket_name)


# --- encoding-type=url -------------------------------------------------------------------------

@pytest.fixture
def special(s3, bucket):
    for k in SPECIAL_KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    return bucket


def test_boto3_listings_send_encoding_type_url_and_decode_special_keys(s3, special):
    expected = sorted(SPECIAL_KEYS, key=lambda k: k.encode())
    with capture_requests(s3) as sent:
        v2 = [o["Key"] for o in s3.list_objects_v2(Bucket=special)["Contents"]]
        v1 = [o["Key"] for o in s3.list_objects(Bucket=special)["Contents"]]
        versions = [v["Key"] for v in s3.list_object_versions(Bucket=special)["Versions"]]
    assert all("encoding-type=url" in r.url for r in sent)
    assert v2 == expected
    assert v1 == expected
    assert versions == expected


@pytest.mark.parametrize("version", ["v1", "v2", "versions"])
def test_encoded_keys_are_url_encoded_on_the_wire(s3, special, version):
    """With EncodingType given explicitly boto3 leaves the values as the server sent them."""
    call = {"v1": s3.list_objects, "v2": s3.list_objects_v2,
            "versions": s3.list_object_versions}[version]
    r = call(Bucket=special, EncodingType="url")
    assert r["EncodingType"] == "url"
    raw = [o["Key"] for o in r["Contents" if version != "versions" else "Versions"]]
    for encoded in raw:
        assert encoded.isascii() and " " not in encoded, f"not URL-encoded: {encoded!r}"
    assert sorted(unquote_plus(k) for k in raw) == sorted(SPECIAL_KEYS)
    assert "plus%2Bsign.txt" in raw
    assert any(k.startswith("per%25cent%252F") for k in raw)


def test_encoded_prefix_delimiter_and_common_prefixes_round_trip(s3, bucket):
    keys = ["dir a/x", "dir a/y", "dir+b/z", "dir%c/w", "ü/1"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["dir a/", "dir%c/", "dir+b/", "ü/"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="dir a/", StartAfter="dir a/x")
    assert [o["Key"] for o in r["Contents"]] == ["dir a/y"]
    assert (r["Prefix"], r["StartAfter"]) == ("dir a/", "dir a/x")
    assert keys_v2(s3, bucket, PaginationConfig={"PageSize": 1}) == sorted(
        keys, key=lambda k: k.encode())


# --- ListObjectVersions ------------------------------------------------------------------------

@pytest.fixture
def history(s3, versioned_bucket):
    """a: v1, v2, marker (current) | b: v1 | c: v1, v2 — returns the IDs, oldest first."""
    b = versioned_bucket
    ids = {"a": [], "b": [], "c": []}
    for key, n in [("a", 2), ("b", 1), ("c", 2)]:
        for i in range(n):
            ids[key].append(s3.put_object(Bucket=b, Key=key, Body=f"{key}{i}".encode())
                            ["VersionId"])
    ids["a"].append(s3.delete_object(Bucket=b, Key="a")["VersionId"])
    return b, ids


def expected_order(ids):
    """(key, version, is_marker, is_latest): keys ascending, newest first within a key."""
    out = []
    for key in sorted(ids):
        newest_first = list(reversed(ids[key]))
        for i, v in enumerate(newest_first):
            out.append((key, v, key == "a" and i == 0, i == 0))
    return out


def test_versions_and_markers_are_interleaved_in_one_order(s3, history):
    b, ids = history
    assert versions_in_xml_order(s3, b) == expected_order(ids)
    r = s3.list_object_versions(Bucket=b)
    assert [m["VersionId"] for m in r["DeleteMarkers"]] == [ids["a"][2]]
    assert len(r["Versions"]) == 5


def test_is_latest_is_true_for_exactly_one_entry_per_key(s3, history):
    b, _ = history
    latest = {}
    for key, _, _, is_latest in versions_in_xml_order(s3, b):
        latest[key] = latest.get(key, 0) + is_latest
    assert latest == {"a": 1, "b": 1, "c": 1}


def test_version_and_marker_entries_carry_their_fields(s3, history):
    b, ids = history
    r = s3.list_object_versions(Bucket=b)
    for v in r["Versions"]:
        assert v["ETag"].startswith('"') and v["Size"] == 2
        assert v["StorageClass"] == "STANDARD"
        assert v["Owner"]["ID"]
        assert v["LastModified"]
    (m,) = r["DeleteMarkers"]
    assert (m["Key"], m["VersionId"], m["IsLatest"]) == ("a", ids["a"][2], True)
    assert "ETag" not in m and "Size" not in m
    assert m["Owner"]["ID"]
    head = s3.head_object(Bucket=b, Key="c")
    newest_c = [v for v in r["Versions"] if v["Key"] == "c" and v["IsLatest"]][0]
    assert (newest_c["ETag"], newest_c["VersionId"]) == (head["ETag"], head["VersionId"])


def test_max_keys_pages_with_next_markers_naming_the_last_entry_returned(s3, history):
    b, ids = history
    everything = expected_order(ids)
    r = s3.list_object_versions(Bucket=b, MaxKeys=2)
    assert r["IsTruncated"] is True
    assert (r["NextKeyMarker"], r["NextVersionIdMarker"]) == everything[1][:2]
    for size in (1, 2, 4):
        assert versions_in_xml_order(s3, b, PaginationConfig={"PageSize": size}) == everything


def test_key_marker_alone_is_exclusive(s3, history):
    b, ids = history
    r = s3.list_object_versions(Bucket=b, KeyMarker="a")
    assert r["KeyMarker"] == "a"
    listed = [(v["Key"], v["VersionId"]) for v in r.get("Versions", [])]
    assert "DeleteMarkers" not in r, "every version of the marker key is skipped"
    assert listed == [("b", ids["b"][0]), ("c", ids["c"][1]), ("c", ids["c"][0])]


def test_key_and_version_id_markers_resume_after_that_version(s3, history):
    b, ids = history
    everything = expected_order(ids)
    # After a's marker (its newest entry): a's two versions, then b and c.
    resumed = versions_in_xml_order(s3, b, KeyMarker="a", VersionIdMarker=ids["a"][2])
    assert resumed == everything[1:]
    resumed = versions_in_xml_order(s3, b, KeyMarker="c", VersionIdMarker=ids["c"][1])
    assert resumed == [("c", ids["c"][0], False, False)]
    r = s3.list_object_versions(Bucket=b, KeyMarker="c", VersionIdMarker=ids["c"][1])
    assert (r["KeyMarker"], r["VersionIdMarker"]) == ("c", ids["c"][1])


def test_markers_are_positions_even_after_the_marked_version_is_deleted(s3, history):
    b, ids = history
    s3.delete_object(Bucket=b, Key="a", VersionId=ids["a"][1])
    resumed = versions_in_xml_order(s3, b, KeyMarker="a", VersionIdMarker=ids["a"][1])
    assert resumed == [("a", ids["a"][0], False, False),
                       ("b", ids["b"][0], False, True),
                       ("c", ids["c"][1], False, True),
                       ("c", ids["c"][0], False, False)]


def test_version_id_marker_without_key_marker_is_400_invalid_argument(s3, history):
    b, ids = history
    with expect_error(400, "InvalidArgument"):
        s3.list_object_versions(Bucket=b, VersionIdMarker=ids["b"][0])


def test_versions_listing_with_prefix_and_delimiter(s3, versioned_bucket):
    b = versioned_bucket
    for k in ["x/1", "x/1", "x/2", "y/1", "z"]:
        s3.put_object(Bucket=b, Key=k, Body=b"x")
    r = s3.list_object_versions(Bucket=b, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["x/", "y/"]
    assert [v["Key"] for v in r["Versions"]] == ["z"]
    r = s3.list_object_versions(Bucket=b, Prefix="x/")
    assert [(v["Key"], v["IsLatest"]) for v in r["Versions"]] == [
        ("x/1", True), ("x/1", False), ("x/2", True)]
    # max-keys counts versions, markers and common prefixes together.
    r = s3.list_object_versions(Bucket=b, Delimiter="/", MaxKeys=2)
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["x/", "y/"]
    assert "Versions" not in r
    assert r["IsTruncated"] is True
    pages = list(s3.get_paginator("list_object_versions").paginate(
        Bucket=b, Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert [[c["Prefix"] for c in p.get("CommonPrefixes", [])] for p in pages] == [
        ["x/", "y/"], []]
    assert [v["Key"] for p in pages for v in p.get("Versions", [])] == ["z"]
