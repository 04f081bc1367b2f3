"""ListObjects: the JSON shape, marker / nextMarker pagination, delimiter and
commonPrefixes, byte-order sorting and `list_all_objects`."""

from __future__ import annotations

from .support import BOS_TIME_RE, encode_path, md5_hex, put_many


def page_through(bos, bucket, max_keys, **kw):
    """Every page of list_objects, following next_marker: [(keys, prefixes), ...]."""
    pages = []
    marker = None
    for _ in range(100):
        r = bos.list_objects(bucket, max_keys=max_keys, marker=marker, **kw)
        pages.append(([o.key for o in r.contents],
                      [p.prefix for p in (r.common_prefixes or [])]))
        if not r.is_truncated:
            return pages
        assert r.next_marker, "a truncated listing needs nextMarker"
        marker = r.next_marker
    raise AssertionError("the listing never ended")


def test_listing_json_shape(raw, bos, bucket):
    bos.put_object_from_string(bucket, "k1", b"abc")
    bos.put_object_from_string(bucket, "k2", b"defg")
    r = raw.request("GET", encode_path(bucket))
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["name"] == bucket
    assert doc["prefix"] == "" and doc["marker"] == ""
    assert doc["maxKeys"] == 1000
    assert doc["isTruncated"] is False
    assert "nextMarker" not in doc
    assert "commonPrefixes" not in doc  # only with a delimiter
    c1, c2 = doc["contents"]
    assert (c1["key"], c1["size"], c1["eTag"].strip('"')) == ("k1", 3, md5_hex(b"abc"))
    assert (c2["key"], c2["size"]) == ("k2", 4)
    assert BOS_TIME_RE.match(c1["lastModified"]), c1["lastModified"]
    assert c1["storageClass"] == "STANDARD"
    assert c1["owner"]["id"] and "displayName" in c1["owner"]


def test_sdk_listing_defaults(bos, bucket):
    bos.put_object_from_string(bucket, "k", b"v")
    r = bos.list_objects(bucket)
    assert r.name == bucket
    assert r.prefix == ""
    assert r.max_keys == 1000
    assert r.is_truncated is False
    assert [(o.key, o.size, o.etag) for o in r.contents] == [("k", 1, md5_hex(b"v"))]


def test_marker_pagination(bos, bucket):
    keys = [f"k{i}" for i in range(1, 6)]
    put_many(bos, bucket, keys)
    pages = page_through(bos, bucket, 2)
    assert [p[0] for p in pages] == [["k1", "k2"], ["k3", "k4"], ["k5"]]
    r = bos.list_objects(bucket, max_keys=2)
    assert r.is_truncated is True and r.next_marker == "k2"
    # The marker is exclusive, and need not be an existing key.
    assert [o.key for o in bos.list_objects(bucket, marker="k2").contents] == ["k3", "k4", "k5"]
    assert [o.key for o in bos.list_objects(bucket, marker="k25").contents] == ["k3", "k4", "k5"]


def test_delimiter_gives_common_prefixes(bos, bucket):
    put_many(bos, bucket, ["a/1", "a/2", "b/x/1", "b/y", "c", "d"])
    r = bos.list_objects(bucket, delimiter="/")
    assert [o.key for o in r.contents] == ["c", "d"]
    assert [p.prefix for p in r.common_prefixes] == ["a/", "b/"]
    assert r.delimiter == "/"
    r = bos.list_objects(bucket, prefix="b/", delimiter="/")
    assert r.prefix == "b/"
    assert [o.key for o in r.contents] == ["b/y"]
    assert [p.prefix for p in r.common_prefixes] == ["b/x/"]
    r = bos.list_objects(bucket, prefix="a/")
    assert [o.key for o in r.contents] == ["a/1", "a/2"]


def test_pagination_over_common_prefixes_lists_each_once(bos, bucket):
    # A page can end on a common prefix: its nextMarker must skip the whole prefix.
    put_many(bos, bucket, ["a/1", "a/2", "a/3", "b/1", "c", "d/1", "e"])
    pages = page_through(bos, bucket, 1, delimiter="/")
    keys = [k for p in pages for k in p[0]]
    prefixes = [c for p in pages for c in p[1]]
    assert keys == ["c", "e"]
    assert prefixes == ["a/", "b/", "d/"]
    assert all(len(k) + len(c) == 1 for k, c in pages)


def test_keys_sort_in_utf8_byte_order(bos, bucket):
    keys = ["é", "z", "a", "B", "~", "a/b", "a-b"]
    put_many(bos, bucket, keys)
    listed = [o.key for o in bos.list_objects(bucket).contents]
    assert listed == sorted(keys, key=lambda k: k.encode())
    assert listed == ["B", "a", "a-b", "a/b", "z", "~", "é"]


def test_list_all_objects_pages_past_1000(bos, bucket):
    keys = [f"many/{i:04d}" for i in range(1005)]
    put_many(bos, bucket, keys)
    first = bos.list_objects(bucket)
    assert len(first.contents) == 1000 and first.is_truncated is True
    assert first.next_marker == "many/0999"
    listed = [o.key for o in bos.list_all_objects(bucket)]
    assert listed == keys
    assert [o.key for o in bos.list_all_objects(bucket, prefix="many/100")] == \
        [f"many/{i}" for i in range(1000, 1005)]
