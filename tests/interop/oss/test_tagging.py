"""oss2 and alibabacloud-oss-v2 (each with signature V1 and V4): OSS object and bucket tagging.

Put/Get/DeleteObjectTagging by version (each version keeps its own tags; a delete marker named
by ID is 404, as OSS documents), `x-oss-tagging` on PutObject, InitiateMultipartUpload (the
object gets them at Complete) and CopyObject with `x-oss-tagging-directive` Copy (the default)
and Replace, `x-oss-tagging-count` on GET and HEAD, OSS's limits (10 tags, keys of 128 and
values of 256 characters, letters, digits, space and `+-=._:/`), PutBucketTags, GetBucketTags
(an empty set when there are none) and DeleteBucketTags (all, or the keys named), and a
lifecycle rule with a tag filter expiring only the tagged object.
"""

from __future__ import annotations

import time

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from ..conftest import LIFECYCLE_DAY
from .clients import make_client

DEADLINE = max(30.0, 15 * LIFECYCLE_DAY)
M = ossv2.models


@pytest.fixture(params=["oss2-v1", "oss2-v4"])
def o2(request, server):
    """An oss2 client of each signature version."""
    return make_client(request.param, server)


@pytest.fixture(params=["v2-v1", "v2-v4"])
def v2(request, server):
    """An alibabacloud-oss-v2 client of each signature version."""
    return make_client(request.param, server).client


def tagging(**tags) -> oss2.models.Tagging:
    rule = oss2.models.TaggingRule()
    for k, v in tags.items():
        rule.add(k, v)
    return oss2.models.Tagging(rule)


def tags_of(b: oss2.Bucket, key: str, version: str | None = None) -> dict:
    params = {"versionId": version} if version else None
    return b.get_object_tagging(key, params=params).tag_set.tagging_rule


def test_each_version_keeps_its_own_tags(o2, versioned_bucket):
    b = o2.bucket(versioned_bucket)
    v1 = b.put_object("k", b"1", headers={"x-oss-tagging": "team=a&stage=old"}).versionid
    v2 = b.put_object("k", b"2").versionid
    assert tags_of(b, "k", v1) == {"team": "a", "stage": "old"}
    assert tags_of(b, "k") == {}
    r = b.put_object_tagging("k", tagging(team="b"))
    assert (r.status, r.headers["x-oss-version-id"]) == (200, v2)
    assert tags_of(b, "k") == {"team": "b"}
    assert tags_of(b, "k", v1) == {"team": "a", "stage": "old"}
    b.put_object_tagging("k", tagging(x="1"), params={"versionId": v1})
    assert tags_of(b, "k", v1) == {"x": "1"}
    r = b.delete_object_tagging("k", params={"versionId": v1})
    assert r.status == 204
    assert tags_of(b, "k", v1) == {}
    assert tags_of(b, "k") == {"team": "b"}
    # A delete marker has none: 404, by ID or as the current entry.
    marker = b.delete_object("k").versionid
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object_tagging("k", params={"versionId": marker})
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.put_object_tagging("k", tagging(a="1"), params={"versionId": marker})
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object_tagging("k")


def test_headers_of_writes_and_the_tag_count(o2, bucket):
    b = o2.bucket(bucket)
    b.put_object("src", b"data", headers={"x-oss-tagging": "from=source&b=two%20words"})
    assert tags_of(b, "src") == {"from": "source", "b": "two words"}
    assert b.head_object("src").headers["x-oss-tagging-count"] == "2"
    assert b.get_object("src").headers["x-oss-tagging-count"] == "2"
    b.copy_object(bucket, "src", "default")
    b.copy_object(bucket, "src", "replaced", headers={"x-oss-tagging-directive": "Replace",
                                                      "x-oss-tagging": "new=tags"})
    b.copy_object(bucket, "src", "cleared", headers={"x-oss-tagging-directive": "Replace"})
    assert tags_of(b, "default") == {"from": "source", "b": "two words"}
    assert tags_of(b, "replaced") == {"new": "tags"}
    assert tags_of(b, "cleared") == {}
    assert "x-oss-tagging-count" not in b.head_object("cleared").headers
    up = b.init_multipart_upload("mp", headers={"x-oss-tagging": "kind=multipart"}).upload_id
    part = b.upload_part("mp", up, 1, b"part")
    b.complete_multipart_upload("mp", up, [oss2.models.PartInfo(1, part.etag)])
    assert tags_of(b, "mp") == {"kind": "multipart"}


def test_the_v2_sdk_round_trips_tags(v2, bucket):
    v2.put_object(M.PutObjectRequest(bucket=bucket, key="k", body=b"x", tagging="a=1&b=2"))
    got = v2.get_object_tagging(M.GetObjectTaggingRequest(bucket=bucket, key="k"))
    assert {t.key: t.value for t in got.tag_set.tags} == {"a": "1", "b": "2"}
    assert v2.head_object(M.HeadObjectRequest(bucket=bucket, key="k")).tagging_count == 2
    v2.put_object_tagging(M.PutObjectTaggingRequest(bucket=bucket, key="k", tagging=M.Tagging(
        tag_set=M.TagSet(tags=[M.Tag(key="c", value="3")]))))
    got = v2.get_object_tagging(M.GetObjectTaggingRequest(bucket=bucket, key="k"))
    assert [(t.key, t.value) for t in got.tag_set.tags] == [("c", "3")]
    v2.copy_object(M.CopyObjectRequest(bucket=bucket, key="copy", source_bucket=bucket,
                                       source_key="k", tagging_directive="Replace",
                                       tagging="d=4"))
    got = v2.get_object_tagging(M.GetObjectTaggingRequest(bucket=bucket, key="copy"))
    assert [(t.key, t.value) for t in got.tag_set.tags] == [("d", "4")]
    v2.delete_object_tagging(M.DeleteObjectTaggingRequest(bucket=bucket, key="k"))
    got = v2.get_object_tagging(M.GetObjectTaggingRequest(bucket=bucket, key="k"))
    assert not (got.tag_set and got.tag_set.tags)
    # Bucket tags.
    got = v2.get_bucket_tags(M.GetBucketTagsRequest(bucket=bucket))
    assert not (got.tagging and got.tagging.tag_set and got.tagging.tag_set.tags)
    v2.put_bucket_tags(M.PutBucketTagsRequest(bucket=bucket, tagging=M.Tagging(
        tag_set=M.TagSet(tags=[M.Tag(key="team", value="x")]))))
    got = v2.get_bucket_tags(M.GetBucketTagsRequest(bucket=bucket))
    assert [(t.key, t.value) for t in got.tagging.tag_set.tags] == [("team", "x")]
    v2.delete_bucket_tags(M.DeleteBucketTagsRequest(bucket=bucket))
    got = v2.get_bucket_tags(M.GetBucketTagsRequest(bucket=bucket))
    assert not (got.tagging and got.tagging.tag_set and got.tagging.tag_set.tags)


def test_bucket_tags(o2, bucket):
    b = o2.bucket(bucket)
    assert b.get_bucket_tagging().tag_set.tagging_rule == {}
    b.put_bucket_tagging(tagging(k1="v1", k2="v2", k3="v3"))
    assert b.get_bucket_tagging().tag_set.tagging_rule == {"k1": "v1", "k2": "v2", "k3": "v3"}
    # DeleteBucketTags of some keys keeps the others.
    b.delete_bucket_tagging(params={"tagging": "k1,k3"})
    assert b.get_bucket_tagging().tag_set.tagging_rule == {"k2": "v2"}
    b.delete_bucket_tagging()
    assert b.get_bucket_tagging().tag_set.tagging_rule == {}
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_bucket_tagging(tagging(**{"aliyun-reserved": "v"}))
    assert (e.value.status, e.value.code) == (400, "InvalidTag")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_bucket_tagging(tagging(**{f"k{i}": "v" for i in range(21)}))
    assert (e.value.status, e.value.code) == (400, "InvalidTag")


@pytest.mark.parametrize("tags", [
    pytest.param({str(i): "v" for i in range(11)}, id="11-tags"),
    pytest.param({"a#b": "v"}, id="key-character"),
    pytest.param({"k": "a@b"}, id="value-character"),
    pytest.param({"名前": "v"}, id="non-ascii-letter"),
])
def test_what_oss_refuses_is_invalid_tag(o2, bucket, tags):
    b = o2.bucket(bucket)
    b.put_object("k", b"x", headers={"x-oss-tagging": "kept=yes"})
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object_tagging("k", tagging(**tags))
    assert (e.value.status, e.value.code) == (400, "InvalidTag")
    assert tags_of(b, "k") == {"kept": "yes"}


def test_the_longest_keys_and_values_are_taken(o2, bucket):
    b = o2.bucket(bucket)
    b.put_object("k", b"x")
    most = {f"{i:0>128}": "v" * 256 for i in range(10)}
    b.put_object_tagging("k", tagging(**most))
    assert tags_of(b, "k") == most


def test_bad_tagging_headers_store_nothing(o2, bucket):
    b = o2.bucket(bucket)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("k", b"x", headers={"x-oss-tagging": "aa=bb=cc"})
    assert (e.value.status, e.value.code) == (400, "InvalidArgument")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("k", b"x", headers={"x-oss-tagging": "a%23b=v"})
    assert (e.value.status, e.value.code) == (400, "InvalidTag")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.copy_object(bucket, "k", "c", headers={"x-oss-tagging-directive": "Move"})
    assert e.value.status in (400, 404)
    assert not b.object_exists("k")


def test_a_tag_filter_expires_only_the_tagged_object(o2, bucket):
    b = o2.bucket(bucket)
    rule = oss2.models.LifecycleRule("tagged", "", status=oss2.models.LifecycleRule.ENABLED,
                                     expiration=oss2.models.LifecycleExpiration(days=1))
    rule.tagging = tagging(expire="yes")
    b.put_bucket_lifecycle(oss2.models.BucketLifecycle([rule]))
    b.put_object("tagged", b"x", headers={"x-oss-tagging": "expire=yes"})
    b.put_object("other", b"x", headers={"x-oss-tagging": "expire=no"})
    b.put_object("later", b"x")
    b.put_object_tagging("later", tagging(expire="yes"))
    deadline = time.monotonic() + DEADLINE
    while True:
        left = sorted(o.key for o in b.list_objects().object_list)
        if left == ["other"]:
            break
        assert time.monotonic() < deadline, f"left: {left}"
        time.sleep(0.2)
    time.sleep(3 * LIFECYCLE_DAY)
    assert [o.key for o in b.list_objects().object_list] == ["other"]
