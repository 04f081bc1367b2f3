"""Buckets: PutBucket, the versioning state (no Status until set, then Enabled or Suspended) and
DeleteBucket (204 when empty; 409 BucketNotEmpty while an object, a delete marker or an
unfinished multipart upload is left)."""

from __future__ import annotations

import pytest

from .clients import OssError
from .support import assert_request_id


def test_create_bucket_answers_200_and_new_bucket_is_unversioned(client, bucket_name):
    r = client.create_bucket(bucket_name)
    assert r.status == 200
    assert_request_id(r.headers)
    # A never-configured bucket has no Status (oss2/v2 report None).
    assert client.get_bucket_versioning(bucket_name) is None


def test_get_versioning_of_new_bucket_has_no_status_element(raw, bucket):
    r = raw.request("GET", bucket, params={"versioning": ""})
    assert r.status == 200
    root = r.xml()
    assert root.tag == "VersioningConfiguration"
    assert root.find("Status") is None


def test_versioning_moves_between_enabled_and_suspended(client, bucket):
    r = client.put_bucket_versioning(bucket, "Enabled")
    assert r.status == 200
    assert client.get_bucket_versioning(bucket) == "Enabled"
    r = client.put_bucket_versioning(bucket, "Suspended")
    assert r.status == 200
    assert client.get_bucket_versioning(bucket) == "Suspended"
    client.put_bucket_versioning(bucket, "Enabled")
    assert client.get_bucket_versioning(bucket) == "Enabled"


@pytest.mark.parametrize("status", ["Disabled", ""])
def test_put_versioning_with_invalid_status_is_400_malformed_xml(client, bucket, status):
    with pytest.raises(OssError) as e:
        client.put_bucket_versioning(bucket, status)
    assert (e.value.status, e.value.code) == (400, "MalformedXML")
    assert client.get_bucket_versioning(bucket) is None


def test_delete_empty_bucket_answers_204_and_bucket_is_gone(client, bucket_name):
    client.create_bucket(bucket_name)
    r = client.delete_bucket(bucket_name)
    assert r.status == 204
    with pytest.raises(OssError) as e:
        client.list_objects(bucket_name)
    assert (e.value.status, e.value.code) == (404, "NoSuchBucket")


def test_delete_bucket_with_an_object_is_409_bucket_not_empty(client, bucket):
    client.put_object(bucket, "k", b"x")
    with pytest.raises(OssError) as e:
        client.delete_bucket(bucket)
    assert (e.value.status, e.value.code) == (409, "BucketNotEmpty")
    assert client.get_object(bucket, "k").body == b"x"


def test_delete_bucket_with_only_a_delete_marker_left_is_409(client, versioned_bucket):
    b = versioned_bucket
    vid = client.put_object(b, "k", b"x").version_id
    marker = client.delete_object(b, "k").version_id
    client.delete_object(b, "k", version_id=vid)  # only the marker remains
    with pytest.raises(OssError) as e:
        client.delete_bucket(b)
    assert (e.value.status, e.value.code) == (409, "BucketNotEmpty")
    client.delete_object(b, "k", version_id=marker)
    assert client.delete_bucket(b).status == 204


def test_delete_bucket_with_unfinished_multipart_upload_is_409(client, bucket):
    upload_id = client.init_multipart(bucket, "mp")
    with pytest.raises(OssError) as e:
        client.delete_bucket(bucket)
    assert (e.value.status, e.value.code) == (409, "BucketNotEmpty")
    client.abort_multipart(bucket, "mp", upload_id)
    assert client.delete_bucket(bucket).status == 204


def test_object_requests_to_missing_bucket_are_404_no_such_bucket(client, bucket_name):
    for call in (lambda: client.get_object(bucket_name, "k"),
                 lambda: client.head_object(bucket_name, "k"),  # code from x-oss-err
                 lambda: client.put_object(bucket_name, "k", b"x")):
        with pytest.raises(OssError) as e:
            call()
        assert (e.value.status, e.value.code) == (404, "NoSuchBucket")
