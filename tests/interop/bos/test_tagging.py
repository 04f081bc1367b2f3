"""BOS tagging, as its SDKs have it: bce-python-sdk's `put_object_tagging` (the JSON
`{"tagSet":[{"tagInfo":[{"key","value"}]}]}`), `put_object_tagging_canned` (`x-bce-tagging`),
`get_object_tagging` (`{"tagSet":[{"tagInfo":{key: value}}]}`, the map bce-sdk-go reads),
`delete_object_tagging`, the bucket's `put/get/delete_bucket_tagging`
(`{"tags":[{"tagKey","tagValue"}]}`, answered as `{"tag":[…]}`, 404 `NoSuchTagSet` without
tags), `object_tagging=` on `put_object*` and `copy_object` (which sends no directive: the
copy then takes those tags), `x-bce-tagging` on the multipart initiation, `x-bce-tagging-directive`
(bce-sdk-go's), `x-bce-tagging-count` on HEAD and GET; @baiducloud/sdk's `x-bce-tagging` on
putObject; BOS's limits; a lifecycle rule with a `tag` condition expiring only the tagged
object. Every version keeps its own tags (by `versionId`, which the Python SDK's calls do not
take: sent raw).
"""

from __future__ import annotations

import json
import time

import pytest

from ..conftest import LIFECYCLE_DAY
from .support import assert_json_error, encode_path, expect_error, node_ok, run_node

TAGGING = {"tagging": None}
JSON = {"Content-Type": "application/json; charset=utf-8"}
DEADLINE = 60 + 10 * LIFECYCLE_DAY


def tag_doc(**tags) -> dict:
    return {"tagSet": [{"tagInfo": [{"key": k, "value": v} for k, v in tags.items()]}]}


def tags_of(raw, bucket: str, key: str, version: str | None = None) -> dict:
    """The tags as the wire carries them (bce-python-sdk pythonizes the map's keys)."""
    params = dict(TAGGING, **({"versionId": version} if version else {}))
    r = raw.request("GET", encode_path(bucket, key), params)
    assert r.status == 200, r.body
    doc = r.json()
    assert len(doc["tagSet"]) == 1, doc
    return doc["tagSet"][0]["tagInfo"]


def test_the_python_sdk_s_object_tagging_calls(bos, raw, bucket):
    bos.put_object_from_string(bucket, "k", "data")
    r = bos.put_object_tagging(bucket, "k", tag_doc(env="test", owner="sdk"))
    assert r.metadata.bce_request_id
    assert tags_of(raw, bucket, "k") == {"env": "test", "owner": "sdk"}
    got = bos.get_object_tagging(bucket, "k")
    assert len(got.tag_set) == 1
    assert bos.get_object_meta_data(bucket, "k").metadata.bce_tagging_count == "2"
    bos.put_object_tagging_canned(bucket, "k", "a=1&b=two%20words")
    assert tags_of(raw, bucket, "k") == {"a": "1", "b": "two words"}
    bos.delete_object_tagging(bucket, "k")
    assert tags_of(raw, bucket, "k") == {}
    assert getattr(bos.get_object_meta_data(bucket, "k").metadata, "bce_tagging_count",
                   None) is None


def test_writes_take_object_tagging(server, bos, raw, bucket, tmp_path):
    bos.put_object_from_string(bucket, "put", "x", object_tagging="k1=v1&k2=v2")
    assert tags_of(raw, bucket, "put") == {"k1": "v1", "k2": "v2"}
    # The Python SDK's copy sends the tags without a directive: the copy takes them; without
    # tags it keeps the source's.
    bos.copy_object(bucket, "put", bucket, "kept")
    bos.copy_object(bucket, "put", bucket, "retagged", object_tagging="new=tags")
    assert tags_of(raw, bucket, "kept") == {"k1": "v1", "k2": "v2"}
    assert tags_of(raw, bucket, "retagged") == {"new": "tags"}
    # bce-sdk-go's directive, both ways.
    src = encode_path(bucket, "put")
    for key, directive, want in (("copy", "copy", {"k1": "v1", "k2": "v2"}),
                                 ("replace", "replace", {"r": "1"})):
        r = raw.request("PUT", encode_path(bucket, key), None,
                        {"x-bce-copy-source": src, "x-bce-tagging-directive": directive,
                         "x-bce-tagging": "r=1"})
        assert r.status == 200, r.body
        assert tags_of(raw, bucket, key) == want
    # 0.9.79's initiate takes the header as a user header (later versions: object_tagging=).
    up = bos.initiate_multipart_upload(bucket, "mp",
                                       user_headers={"x-bce-tagging": "kind=mp"}).upload_id
    path = tmp_path / "part"
    path.write_bytes(b"part")
    part = bos.upload_part_from_file(bucket, "mp", up, 1, 4, str(path), 0)
    bos.complete_multipart_upload(bucket, "mp", up,
                                  [{"partNumber": 1, "eTag": part.metadata.etag}])
    assert tags_of(raw, bucket, "mp") == {"kind": "mp"}
    # @baiducloud/sdk: x-bce-tagging on putObject.
    node_ok(run_node(server, [("putObjectFromString", bucket, "js", "from js",
                               {"x-bce-tagging": "from=js"})])[0])
    assert tags_of(raw, bucket, "js") == {"from": "js"}


def test_each_version_keeps_its_own_tags(raw, bos, versioned_bucket):
    b = versioned_bucket
    v1 = bos.put_object_from_string(b, "k", "1", object_tagging="v=1").metadata.bce_version_id
    bos.put_object_from_string(b, "k", "2", object_tagging="v=2")
    assert tags_of(raw, b, "k") == {"v": "2"}
    assert tags_of(raw, b, "k", v1) == {"v": "1"}
    r = raw.request("PUT", encode_path(b, "k"), dict(TAGGING, versionId=v1), JSON,
                    json.dumps(tag_doc(changed="yes")).encode())
    assert r.status == 200, r.body
    assert tags_of(raw, b, "k", v1) == {"changed": "yes"}
    assert tags_of(raw, b, "k") == {"v": "2"}
    r = raw.request("DELETE", encode_path(b, "k"), dict(TAGGING, versionId=v1))
    assert r.status == 200, r.body
    assert tags_of(raw, b, "k", v1) == {}
    marker = bos.delete_object(b, "k").metadata.bce_version_id
    r = raw.request("GET", encode_path(b, "k"), dict(TAGGING, versionId=marker))
    assert_json_error(r, 405, "MethodNotAllowed")
    expect_error(bos.get_object_tagging, b, "k", status=404, code="NoSuchKey")


def test_bucket_tagging_as_the_sdk_s_own_test(bos, bucket):
    expect_error(bos.get_bucket_tagging, bucket, status=404, code="NoSuchTagSet")
    tag_conf = {"tags": [{"tagKey": "key1", "tagValue": "value123"},
                         {"tagKey": "ttt2", "tagValue": "6863gerg"}]}
    bos.put_bucket_tagging(bucket, tag_conf=tag_conf)
    got = bos.get_bucket_tagging(bucket)
    assert [(t.tag_key, t.tag_value) for t in got.tag] == [("key1", "value123"),
                                                           ("ttt2", "6863gerg")]
    bos.delete_bucket_tagging(bucket)
    expect_error(bos.get_bucket_tagging, bucket, status=404, code="NoSuchTagSet")


@pytest.mark.parametrize("tags", [
    pytest.param({str(i): "v" for i in range(11)}, id="11-tags"),
    pytest.param({"k" * 129: "v"}, id="key-129"),
    pytest.param({"k": "v" * 257}, id="value-257"),
    pytest.param({"a#b": "v"}, id="key-character"),
])
def test_what_bos_refuses_is_invalid_argument(bos, raw, bucket, tags):
    bos.put_object_from_string(bucket, "k", "x", object_tagging="kept=yes")
    expect_error(bos.put_object_tagging, bucket, "k", tag_doc(**tags), status=400,
                 code="InvalidArgument")
    assert tags_of(raw, bucket, "k") == {"kept": "yes"}


def test_bad_documents_are_malformed_json(raw, bos, bucket):
    bos.put_object_from_string(bucket, "k", "x")
    for body in (b'{"tagSet":[{"tagInfo":{"k":"v"}}]}', b"not json", b'{"tags": []}'):
        r = raw.request("PUT", encode_path(bucket, "k"), TAGGING, JSON, body)
        assert_json_error(r, 400, "MalformedJSON")
    r = raw.request("PUT", encode_path(bucket), TAGGING, JSON, b'{"tag": []}')
    assert_json_error(r, 400, "MalformedJSON")


def test_a_tag_condition_expires_only_the_tagged_object(bos, raw, bucket):
    rule = {"id": "tagged", "status": "enabled", "resource": [f"{bucket}/*"],
            "condition": {"time": {"dateGreaterThan": "$(lastModified)+P1D"},
                          "tag": {"expire": "yes"}},
            "action": {"name": "DeleteObject"}}
    bos.put_bucket_lifecycle(bucket, [rule])
    bos.put_object_from_string(bucket, "tagged", "x", object_tagging="expire=yes")
    bos.put_object_from_string(bucket, "other", "x", object_tagging="expire=no")
    bos.put_object_from_string(bucket, "later", "x")
    bos.put_object_tagging_canned(bucket, "later", "expire=yes")
    end = time.monotonic() + DEADLINE
    while True:
        left = sorted(o.key for o in bos.list_objects(bucket).contents or [])
        if left == ["other"]:
            break
        assert time.monotonic() < end, f"left: {left}"
        time.sleep(0.25)
    time.sleep(3 * LIFECYCLE_DAY)
    assert [o.key for o in bos.list_objects(bucket).contents] == ["other"]
