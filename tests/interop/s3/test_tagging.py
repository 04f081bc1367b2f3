"""boto3: S3 object and bucket tagging — Put/Get/DeleteObjectTagging by version (each version
keeps its own tags), `Tagging` (`x-amz-tagging`) on PutObject, CreateMultipartUpload (the
object gets them at Complete) and CopyObject with `TaggingDirective` COPY (the default) and
REPLACE, `TagCount` (`x-amz-tagging-count`) on GET and HEAD, the errors S3 answers, bucket
tagging, a lifecycle rule with a tag filter expiring only the tagged object (with the suite's
short lifecycle day), and bucket policies on `s3:ExistingObjectTag` and
`s3:RequestObjectTag`.
"""

from __future__ import annotations

import json
import time

import pytest

from ..conftest import LIFECYCLE_DAY
from .support import MiB, expect_error, headers_of, md5_b64, raw_request, status_of


def tag_set(**tags) -> dict:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def tags_of(s3, bucket, key, **kw) -> dict:
    return {t["Key"]: t["Value"]
            for t in s3.get_object_tagging(Bucket=bucket, Key=key, **kw)["TagSet"]}


def test_each_version_keeps_its_own_tags(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"1", Tagging="team=a&stage=old")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"2")["VersionId"]
    assert tags_of(s3, b, "k", VersionId=v1) == {"team": "a", "stage": "old"}
    r = s3.get_object_tagging(Bucket=b, Key="k")
    assert (r["TagSet"], r["VersionId"]) == ([], v2)

    # Tag the current version; the older one keeps its own.
    r = s3.put_object_tagging(Bucket=b, Key="k", Tagging=tag_set(team="b"))
    assert (status_of(r), r["VersionId"]) == (200, v2)
    assert tags_of(s3, b, "k") == {"team": "b"}
    assert tags_of(s3, b, "k", VersionId=v1) == {"team": "a", "stage": "old"}

    # Replace and delete the older one's by ID.
    r = s3.put_object_tagging(Bucket=b, Key="k", VersionId=v1, Tagging=tag_set(x="1"))
    assert r["VersionId"] == v1
    assert tags_of(s3, b, "k", VersionId=v1) == {"x": "1"}
    r = s3.delete_object_tagging(Bucket=b, Key="k", VersionId=v1)
    assert (status_of(r), r["VersionId"]) == (204, v1)
    assert tags_of(s3, b, "k", VersionId=v1) == {}
    assert tags_of(s3, b, "k") == {"team": "b"}
    # Tagging changes neither the version nor its time.
    versions = s3.list_object_versions(Bucket=b)["Versions"]
    assert [v["VersionId"] for v in versions] == [v2, v1]


def test_tags_read_back_in_key_order_with_their_characters(s3, bucket):
    tagging = tag_set(**{"z": "last", "Grüße 1": "a+b-c=d.e_f:g/h@i", "empty": ""})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagging)
    got = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert got == sorted(tagging["TagSet"], key=lambda t: t["Key"])


def test_tagging_on_put_and_the_tag_count(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1&b=two%20words&c=")
    assert tags_of(s3, bucket, "k") == {"a": "1", "b": "two words", "c": ""}
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 3
    assert headers_of(s3.head_object(Bucket=bucket, Key="k"))["x-amz-tagging-count"] == "3"
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")
    assert "x-amz-tagging-count" not in headers_of(s3.head_object(Bucket=bucket, Key="k"))


def test_copy_keeps_the_source_tags_unless_replaced(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", Tagging="from=source")
    src = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="default", CopySource=src)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=src, TaggingDirective="COPY",
                   Tagging="ignored=yes")
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=src, TaggingDirective="REPLACE",
                   Tagging="new=tags")
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource=src, TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "default") == {"from": "source"}
    assert tags_of(s3, bucket, "copy") == {"from": "source"}
    assert tags_of(s3, bucket, "replaced") == {"new": "tags"}
    assert tags_of(s3, bucket, "cleared") == {}
    with expect_error(400, "InvalidArgument"):
        s3.copy_object(Bucket=bucket, Key="bad", CopySource=src, TaggingDirective="MOVE")


def test_multipart_uploads_tag_the_object_at_completion(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="kind=multipart")
    parts = []
    for n, size in ((1, 5 * MiB), (2, 1)):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=n,
                           Body=b"p" * size)
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    # Not an object yet.
    with expect_error(404, "NoSuchKey"):
        s3.get_object_tagging(Bucket=bucket, Key="mp")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    assert tags_of(s3, bucket, "mp") == {"kind": "multipart"}
    assert s3.get_object(Bucket=bucket, Key="mp")["TagCount"] == 1


@pytest.mark.parametrize("tagging", [
    pytest.param(tag_set(**{str(i): "v" for i in range(11)}), id="11-tags"),
    pytest.param(tag_set(**{"k" * 129: "v"}), id="key-129"),
    pytest.param(tag_set(k="v" * 257), id="value-257"),
    pytest.param(tag_set(**{"a#b": "v"}), id="key-character"),
    pytest.param(tag_set(**{"aws:reserved": "v"}), id="aws-prefix"),
    pytest.param({"TagSet": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]},
                 id="same-key-twice"),
])
def test_invalid_tags_are_invalid_tag(s3, bucket, tagging):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="kept=yes")
    with expect_error(400, "InvalidTag"):
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagging)
    assert tags_of(s3, bucket, "k") == {"kept": "yes"}


def test_limits_are_inclusive(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    most = tag_set(**{f"{i:0>128}": "v" * 256 for i in range(10)})
    assert status_of(s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=most)) == 200
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == most["TagSet"]


def test_bad_tagging_headers_store_nothing(s3, bucket):
    with expect_error(400, "InvalidTag"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                      Tagging="&".join(f"k{i}=v" for i in range(11)))
    with expect_error(400, "InvalidArgument"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=b=c")
    with expect_error(400, "InvalidTag"):
        s3.create_multipart_upload(Bucket=bucket, Key="k", Tagging="a%23b=v")
    assert s3.list_objects_v2(Bucket=bucket).get("Contents", []) == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_malformed_documents_are_malformed_xml(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for body in (b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
                 b"<Tagging/>", b"not xml"):
        r = raw_request(server, "PUT", f"/{bucket}/k", params={"tagging": ""},
                        headers={"Content-MD5": md5_b64(body)}, body=body)
        assert r.status_code == 400, r.text
        assert "<Code>MalformedXML</Code>" in r.text, r.text


def test_delete_markers_and_missing_objects(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"x", Tagging="a=1")
    marker = s3.delete_object(Bucket=b, Key="k")["VersionId"]
    # A delete marker by ID: 405, as for any read of it.
    with expect_error(405, "MethodNotAllowed"):
        s3.get_object_tagging(Bucket=b, Key="k", VersionId=marker)
    with expect_error(405, "MethodNotAllowed"):
        s3.put_object_tagging(Bucket=b, Key="k", VersionId=marker, Tagging=tag_set(a="2"))
    # The current entry a marker: the key does not exist.
    with expect_error(404, "NoSuchKey"):
        s3.get_object_tagging(Bucket=b, Key="k")
    with expect_error(404, "NoSuchKey"):
        s3.put_object_tagging(Bucket=b, Key="never", Tagging=tag_set(a="1"))
    with expect_error(404, "NoSuchVersion"):
        s3.get_object_tagging(Bucket=b, Key="k", VersionId="0000000000000001000000ff")


def test_bucket_tagging(s3, bucket):
    with expect_error(404, "NoSuchTagSet"):
        s3.get_bucket_tagging(Bucket=bucket)
    tags = tag_set(**{f"k{i}": f"v{i}" for i in range(50)})
    assert status_of(s3.put_bucket_tagging(Bucket=bucket, Tagging=tags)) == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == sorted(tags["TagSet"],
                                                                    key=lambda t: t["Key"])
    with expect_error(400, "InvalidTag"):
        s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(**{f"k{i}": "v" for i in range(51)}))
    with expect_error(400, "InvalidTag"):
        s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(**{"aws:x": "v"}))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    assert status_of(s3.delete_bucket_tagging(Bucket=bucket)) == 204
    with expect_error(404, "NoSuchTagSet"):
        s3.get_bucket_tagging(Bucket=bucket)


def test_bucket_tags_go_with_their_bucket(s3, new_bucket_name):
    name = new_bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging=tag_set(old="yes"))
    s3.delete_bucket(Bucket=name)
    with expect_error(404, "NoSuchBucket"):
        s3.get_bucket_tagging(Bucket=name)
    s3.create_bucket(Bucket=name)
    with expect_error(404, "NoSuchTagSet"):
        s3.get_bucket_tagging(Bucket=name)


def test_a_tag_filter_expires_only_the_tagged_object(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "expire", "Value": "yes"}},
         "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="expire=yes")
    s3.put_object(Bucket=bucket, Key="other", Body=b"x", Tagging="expire=no")
    s3.put_object(Bucket=bucket, Key="later", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="later", Tagging=tag_set(expire="yes"))
    # x-amz-expiration follows the object's tags.
    assert "x-amz-expiration" in headers_of(s3.head_object(Bucket=bucket, Key="tagged"))
    assert "x-amz-expiration" not in headers_of(s3.head_object(Bucket=bucket, Key="other"))
    deadline = time.monotonic() + 30 * LIFECYCLE_DAY
    while True:
        left = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
        if left == ["other"]:
            break
        assert time.monotonic() < deadline, f"left: {left}"
        time.sleep(0.2)
    # Several lifecycle days more: the untagged one stays.
    time.sleep(3 * LIFECYCLE_DAY)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["other"]


@pytest.fixture
def alice(make_s3, server):
    u = server.users["alice"]
    return make_s3(access_key=u.access_key, secret_key=u.secret_key)


@pytest.fixture
def bob(make_s3, server):
    u = server.users["bob"]
    return make_s3(access_key=u.access_key, secret_key=u.secret_key)


def allow(server, action: str, resource: str, condition: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": [server.users["bob"].id]}, "Action": action,
        "Resource": resource, "Condition": condition}]})


def test_a_policy_on_existing_tags_grants_reads_of_tagged_objects(server, alice, bob,
                                                                  new_bucket_name):
    b = new_bucket_name()
    alice.create_bucket(Bucket=b)
    alice.put_object(Bucket=b, Key="public", Body=b"p", Tagging="security=public")
    alice.put_object(Bucket=b, Key="private", Body=b"q", Tagging="security=private")
    alice.put_bucket_policy(Bucket=b, Policy=allow(
        server, "s3:GetObject", f"arn:aws:s3:::{b}/*",
        {"StringEquals": {"s3:ExistingObjectTag/security": "public"}}))
    assert bob.get_object(Bucket=b, Key="public")["Body"].read() == b"p"
    with expect_error(403, "AccessDenied"):
        bob.get_object(Bucket=b, Key="private")
    # Retagged: the decision follows the tags as they are now.
    alice.put_object_tagging(Bucket=b, Key="private", Tagging=tag_set(security="public"))
    assert bob.get_object(Bucket=b, Key="private")["Body"].read() == b"q"
    # The tags themselves are another action.
    with expect_error(403, "AccessDenied"):
        bob.get_object_tagging(Bucket=b, Key="public")


def test_a_policy_on_request_tags_grants_tagged_uploads(server, alice, bob, new_bucket_name):
    b = new_bucket_name()
    alice.create_bucket(Bucket=b)
    alice.put_bucket_policy(Bucket=b, Policy=allow(
        server, "s3:PutObject", f"arn:aws:s3:::{b}/*",
        {"StringEquals": {"s3:RequestObjectTag/security": "public"}}))
    with expect_error(403, "AccessDenied"):
        bob.put_object(Bucket=b, Key="untagged", Body=b"x")
    with expect_error(403, "AccessDenied"):
        bob.put_object(Bucket=b, Key="wrong", Body=b"x", Tagging="security=private")
    bob.put_object(Bucket=b, Key="tagged", Body=b"x", Tagging="security=public")
    assert tags_of(alice, b, "tagged") == {"security": "public"}
    assert [o["Key"] for o in alice.list_objects_v2(Bucket=b)["Contents"]] == ["tagged"]
