"""ListObjects (v1), ListObjectsV2 and ListObjectVersions: prefix, delimiter, pagination,
encoding-type=url and the XML details the SDKs depend on."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from .clients import OssError
from .support import SPECIAL_KEYS

KEYS = ["a/1", "a/2", "a/b/3", "b", "c/x", "d"]
MAX_PAGES = 20  # a broken marker must fail the test, not loop
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$")


def _put_all(client, bucket, keys):
    for k in keys:
        client.put_object(bucket, k, k.encode())


def _enc(s: str) -> str:
    """encoding-type=url: every byte outside A-Z a-z 0-9 - _ . ~ as %XX, upper-case hex."""
    return quote(s, safe="-_.~")


# --- ListObjects (v1) --------------------------------------------------------------------------

def test_list_objects_with_prefix_and_delimiter(client, bucket):
    _put_all(client, bucket, KEYS)
    r = client.list_objects(bucket)
    assert r.keys == KEYS and r.prefixes == [] and not r.is_truncated
    r = client.list_objects(bucket, delimiter="/")
    assert (r.keys, r.prefixes) == (["b", "d"], ["a/", "c/"])
    r = client.list_objects(bucket, prefix="a/", delimiter="/")
    assert (r.keys, r.prefixes) == (["a/1", "a/2"], ["a/b/"])
    r = client.list_objects(bucket, prefix="a/")
    assert (r.keys, r.prefixes) == (["a/1", "a/2", "a/b/3"], [])
    sizes = {e.key: e.size for e in client.list_objects(bucket).entries}
    assert sizes == {k: len(k) for k in KEYS}


def test_list_objects_paginates_with_marker(client, bucket):
    _put_all(client, bucket, KEYS)
    got, marker = [], ""
    for _ in range(MAX_PAGES):
        page = client.list_objects(bucket, marker=marker, max_keys=2)
        assert len(page.keys) <= 2
        got += page.keys
        if not page.is_truncated:
            break
        assert page.next_marker, "IsTruncated=true without NextMarker"
        marker = page.next_marker
    else:
        pytest.fail("pagination did not end")
    assert got == KEYS
    page = client.list_objects(bucket, marker="b")
    assert page.keys == ["c/x", "d"]


def test_list_objects_pagination_counts_common_prefixes(client, bucket):
    _put_all(client, bucket, KEYS)
    keys, prefixes, marker, pages = [], [], "", 0
    for _ in range(MAX_PAGES):
        page = client.list_objects(bucket, delimiter="/", marker=marker, max_keys=1)
        pages += 1
        assert len(page.keys) + len(page.prefixes) == 1
        keys += page.keys
        prefixes += page.prefixes
        if not page.is_truncated:
            break
        marker = page.next_marker
    assert (keys, prefixes, pages) == (["b", "d"], ["a/", "c/"], 4)


# --- ListObjectsV2 -----------------------------------------------------------------------------

def test_list_objects_v2_with_prefix_delimiter_and_start_after(client, bucket):
    _put_all(client, bucket, KEYS)
    r = client.list_objects_v2(bucket, delimiter="/")
    assert (r.keys, r.prefixes) == (["b", "d"], ["a/", "c/"])
    if r.key_count is not None:  # v2 parses KeyCount (keys + common prefixes)
        assert r.key_count == 4
    r = client.list_objects_v2(bucket, prefix="a/", delimiter="/")
    assert (r.keys, r.prefixes) == (["a/1", "a/2"], ["a/b/"])
    r = client.list_objects_v2(bucket, start_after="b")
    assert r.keys == ["c/x", "d"]


def test_list_objects_v2_paginates_with_continuation_token(client, bucket):
    _put_all(client, bucket, KEYS)
    got, token = [], ""
    for _ in range(MAX_PAGES):
        page = client.list_objects_v2(bucket, continuation_token=token, max_keys=2)
        assert len(page.keys) <= 2
        got += page.keys
        if not page.is_truncated:
            break
        assert page.next_marker, "IsTruncated=true without NextContinuationToken"
        token = page.next_marker
    else:
        pytest.fail("pagination did not end")
    assert got == KEYS


def test_v2_continuation_tokens_are_url_safe(raw, bucket):
    for k in ["x y+%/1", "x y+%/2"]:
        raw.request("PUT", bucket, k, data=b"x")
    r = raw.request("GET", bucket, params={"list-type": "2", "max-keys": "1",
                                           "encoding-type": "url"})
    token = r.xml().findtext("NextContinuationToken")
    assert token and re.match(r"^[A-Za-z0-9_-]+$", token), token


# --- versioned listings ------------------------------------------------------------------------

def test_list_objects_hides_keys_whose_current_version_is_a_marker(client, versioned_bucket):
    b = versioned_bucket
    _put_all(client, b, ["alive", "dead"])
    client.delete_object(b, "dead")
    assert client.list_objects(b).keys == ["alive"]
    assert client.list_objects_v2(b).keys == ["alive"]
    assert sorted({e.key for e in client.list_object_versions(b).all}) == ["alive", "dead"]


def test_list_object_versions_with_prefix_and_delimiter(client, versioned_bucket):
    b = versioned_bucket
    _put_all(client, b, KEYS)
    client.delete_object(b, "a/1")
    r = client.list_object_versions(b, delimiter="/")
    assert sorted(e.key for e in r.all) == ["b", "d"]
    assert r.prefixes == ["a/", "c/"]
    r = client.list_object_versions(b, prefix="a/", delimiter="/")
    assert sorted((e.key, e.is_delete_marker) for e in r.all) == [
        ("a/1", False), ("a/1", True), ("a/2", False)]
    assert r.prefixes == ["a/b/"]
    latest = {(e.key, e.is_delete_marker): e.is_latest for e in r.all}
    assert latest == {("a/1", False): False, ("a/1", True): True, ("a/2", False): True}


def _build_history(client, b):
    """k1: v1, marker, v2 (current); k2: one version; k3: version then marker (current)."""
    client.put_object(b, "k1", b"1")
    client.delete_object(b, "k1")
    client.put_object(b, "k1", b"2")
    client.put_object(b, "k2", b"x")
    client.put_object(b, "k3", b"y")
    client.delete_object(b, "k3")


def test_list_object_versions_paginates_with_key_and_version_id_markers(client,
                                                                       versioned_bucket):
    b = versioned_bucket
    _build_history(client, b)
    full = client.list_object_versions(b)
    assert not full.is_truncated
    expected = sorted((e.key, e.version_id, e.is_delete_marker, e.is_latest) for e in full.all)
    assert len(expected) == 6

    got, key_marker, vid_marker, pages = [], "", "", 0
    for _ in range(MAX_PAGES):
        page = client.list_object_versions(b, key_marker=key_marker,
                                           version_id_marker=vid_marker, max_keys=2)
        pages += 1
        assert len(page.all) <= 2
        got += [(e.key, e.version_id, e.is_delete_marker, e.is_latest) for e in page.all]
        if not page.is_truncated:
            break
        assert page.next_key_marker and page.next_version_id_marker
        key_marker, vid_marker = page.next_key_marker, page.next_version_id_marker
    else:
        pytest.fail("pagination did not end")
    assert sorted(got) == expected  # every entry exactly once
    assert pages == 3


def test_list_object_versions_orders_keys_then_newest_first_interleaved(raw, versioned_bucket):
    b = versioned_bucket
    raw.request("PUT", b, "k1", data=b"1")
    raw.request("DELETE", b, "k1")
    raw.request("PUT", b, "k1", data=b"2")
    raw.request("PUT", b, "k0", data=b"0")
    r = raw.request("GET", b, params={"versions": "", "encoding-type": "url"})
    assert r.status == 200
    root = r.xml()
    assert root.tag == "ListVersionsResult"
    entries = [(c.tag, c.findtext("Key"), c.findtext("IsLatest"))
               for c in root if c.tag in ("Version", "DeleteMarker")]
    assert entries == [
        ("Version", "k0", "true"),
        ("Version", "k1", "true"),
        ("DeleteMarker", "k1", "false"),
        ("Version", "k1", "false"),
    ]
    # Elements oss2 requires (parse_list_object_versions raises without them).
    for name in ("Name", "Prefix", "KeyMarker", "VersionIdMarker", "MaxKeys", "Delimiter",
                 "IsTruncated"):
        assert root.find(name) is not None, name
    for v in root.findall("Version"):
        for name in ("Key", "VersionId", "IsLatest", "LastModified", "ETag", "Type", "Size",
                     "StorageClass", "Owner/ID", "Owner/DisplayName"):
            assert v.find(name) is not None, name
        assert re.match(r'^"[0-9A-F]{32}"$', v.findtext("ETag"))
    for m in root.findall("DeleteMarker"):
        for name in ("Key", "VersionId", "IsLatest", "LastModified", "Owner/ID",
                     "Owner/DisplayName"):
            assert m.find(name) is not None, name


def test_list_object_versions_max_keys_over_1000_is_400_invalid_argument(client,
                                                                       versioned_bucket):
    with pytest.raises(OssError) as e:
        client.list_object_versions(versioned_bucket, max_keys=1001)
    assert (e.value.status, e.value.code) == (400, "InvalidArgument")


# --- encoding-type=url and special keys ----------------------------------------------------------

def test_special_keys_round_trip_through_every_listing(client, versioned_bucket):
    b = versioned_bucket
    _put_all(client, b, SPECIAL_KEYS)
    want = sorted(SPECIAL_KEYS, key=lambda k: k.encode())  # ascending byte order
    assert client.list_objects(b).keys == want
    assert client.list_objects_v2(b).keys == want
    assert sorted(e.key for e in client.list_object_versions(b).all) == sorted(SPECIAL_KEYS)
    r = client.list_objects(b, prefix="dir/", delimiter="/")
    assert r.keys == ["dir/a b+c%d~ü.txt"]
    r = client.list_objects(b, delimiter="/")
    assert r.prefixes == ["a/", "dir/"]
    r = client.list_objects_v2(b, prefix="plus+", delimiter="/")
    assert r.keys == ["plus+sign.txt"]
    r = client.list_object_versions(b, prefix="per%")
    assert [e.key for e in r.all] == ["per%cent%2Fnot-a-slash.txt"]
    r = client.list_objects(b, marker="per%cent%2Fnot-a-slash.txt")
    assert r.keys == [k for k in want if k.encode() > b"per%cent%2Fnot-a-slash.txt"]


@pytest.mark.parametrize("api", ["v1", "v2", "versions"])
def test_listing_with_encoding_type_url_percent_encodes_keys_and_prefixes(raw, bucket, api):
    for k in SPECIAL_KEYS:
        raw.request("PUT", bucket, k, data=b"x")
    params = {"v1": {}, "v2": {"list-type": "2"}, "versions": {"versions": ""}}[api]
    params = dict(params, **{"encoding-type": "url", "prefix": "dir/", "delimiter": "/"})
    r = raw.request("GET", bucket, params=params)
    assert r.status == 200
    root = r.xml()
    assert root.findtext("EncodingType") == "url"
    assert root.findtext("Prefix") == "dir%2F"
    assert root.findtext("Delimiter") == "%2F"
    entry = "Version" if api == "versions" else "Contents"
    assert [c.findtext("Key") for c in root.findall(entry)] == ["dir%2Fa%20b%2Bc%25d~%C3%BC.txt"]

    params.pop("prefix")
    params.pop("delimiter")
    root = raw.request("GET", bucket, params=params).xml()
    got = sorted(c.findtext("Key") for c in root.findall(entry))
    assert got == sorted(_enc(k) for k in SPECIAL_KEYS)


@pytest.mark.parametrize("api", ["v1", "v2", "versions"])
def test_listing_without_encoding_type_returns_plain_keys(raw, bucket, api):
    for k in SPECIAL_KEYS:
        raw.request("PUT", bucket, k, data=b"x")
    params = {"v1": {}, "v2": {"list-type": "2"}, "versions": {"versions": ""}}[api]
    r = raw.request("GET", bucket, params=params)
    assert r.status == 200
    root = r.xml()
    assert root.find("EncodingType") is None
    entry = "Version" if api == "versions" else "Contents"
    assert sorted(c.findtext("Key") for c in root.findall(entry)) == sorted(SPECIAL_KEYS)


def test_listing_timestamps_end_with_000Z(raw, versioned_bucket):
    b = versioned_bucket
    raw.request("PUT", b, "k", data=b"x")
    raw.request("PUT", b, "gone", data=b"x")
    raw.request("DELETE", b, "gone")
    stamps = []
    for params in ({"encoding-type": "url"}, {"list-type": "2", "encoding-type": "url"},
                   {"versions": "", "encoding-type": "url"}):
        root = raw.request("GET", b, params=params).xml()
        found = [e.text for e in root.iter("LastModified")]
        assert found, f"no LastModified in {params}"
        stamps += found
    assert len(stamps) == 1 + 1 + 3
    for s in stamps:
        assert TIMESTAMP.match(s or ""), s
