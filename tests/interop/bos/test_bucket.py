"""Bucket operations: create, head (`does_bucket_exist`), list, location, delete (409
BucketNotEmpty while objects, versions, delete markers or uploads remain), and the response
headers every answer carries (x-bce-request-id, Date, Server: BceBos)."""

from __future__ import annotations

import pytest

from .support import BOS_TIME_RE, assert_json_error, encode_path, expect_error, node_ok, run_node


def test_create_then_head_then_delete(bos, bucket_name):
    assert bos.does_bucket_exist(bucket_name) is False
    bos.create_bucket(bucket_name)
    assert bos.does_bucket_exist(bucket_name) is True
    bos.delete_bucket(bucket_name)
    assert bos.does_bucket_exist(bucket_name) is False


def test_create_with_multi_az_body_is_refused(bos, bucket_name):
    # Python sends {"enableMultiAz": true} with a JSON content type. Buckets here are one copy
    # on one machine, so this is NotImplemented, never a bucket that is not what was asked.
    expect_error(bos.create_bucket, bucket_name, status=501, code="NotImplemented",
                 enable_maz=True)
    assert bos.does_bucket_exist(bucket_name) is False


def test_js_create_bucket_body_is_accepted(server, bos, bucket_name):
    # JS always sends {"enableMultiAZ":false} (note the AZ spelling).
    [created, versioning] = run_node(server, [("createBucket", bucket_name),
                                              ("getBucketVersioning", bucket_name)])
    node_ok(created)
    assert node_ok(versioning).body == {"status": "notEnabled"}
    assert bos.does_bucket_exist(bucket_name) is True


def test_create_existing_bucket_is_a_conflict(bos, bucket):
    expect_error(bos.create_bucket, bucket, status=409, code="BucketAlreadyExists")


@pytest.mark.parametrize("name", ["Upper-Case", "under_score", "ab", "-leading-dash"])
def test_invalid_bucket_name_is_refused(raw, name):
    # The Python SDK refuses these client-side; JS sends them as they are. BOS names: 3 to 63
    # lower-case letters, digits and '-', starting and ending with a letter or digit.
    r = raw.request("PUT", "/" + name)
    assert_json_error(r, 400, "InvalidBucketName")


def test_list_buckets_shows_name_location_and_creation_date(bos, bucket):
    r = bos.list_buckets()
    mine = [b for b in r.buckets if b.name == bucket]
    assert len(mine) == 1
    assert BOS_TIME_RE.match(mine[0].creation_date), mine[0].creation_date
    assert mine[0].location
    assert r.owner.id and r.owner.display_name


def test_get_bucket_location(bos, bucket):
    assert bos.get_bucket_location(bucket)


def test_head_of_missing_bucket_is_404(raw, bucket_name):
    r = raw.request("HEAD", encode_path(bucket_name))
    assert r.status == 404
    assert r.body == b""
    assert r.headers.get("x-bce-request-id")


def test_operations_on_missing_bucket_are_no_such_bucket(bos, raw, bucket_name):
    expect_error(bos.list_objects, bucket_name, status=404, code="NoSuchBucket")
    expect_error(bos.put_object_from_string, bucket_name, "k", b"v", status=404,
                 code="NoSuchBucket")
    expect_error(bos.delete_bucket, bucket_name, status=404, code="NoSuchBucket")
    assert_json_error(raw.request("GET", encode_path(bucket_name), {"versioning": None}),
                      404, "NoSuchBucket")


def test_delete_empty_bucket_is_2xx(raw, bos, bucket_name):
    bos.create_bucket(bucket_name)
    r = raw.request("DELETE", encode_path(bucket_name))
    assert r.status in (200, 204), r.body
    assert r.body == b""
    assert bos.does_bucket_exist(bucket_name) is False


def test_delete_bucket_with_an_object_is_bucket_not_empty(bos, bucket):
    bos.put_object_from_string(bucket, "k", b"v")
    err = expect_error(bos.delete_bucket, bucket, status=409, code="BucketNotEmpty")
    assert str(err)
    bos.delete_object(bucket, "k")
    bos.delete_bucket(bucket)
    assert bos.does_bucket_exist(bucket) is False


def test_delete_bucket_with_only_noncurrent_versions_is_bucket_not_empty(bos, versioned_bucket):
    b = versioned_bucket
    v1 = bos.put_object_from_string(b, "k", b"v").metadata.bce_version_id
    bos.delete_object(b, "k")  # a delete marker over v1: no current object remains
    assert [o.key for o in bos.list_objects(b).contents] == []
    expect_error(bos.delete_bucket, b, status=409, code="BucketNotEmpty")
    bos.delete_object(b, "k", version_id=v1)  # only the delete marker remains
    expect_error(bos.delete_bucket, b, status=409, code="BucketNotEmpty")


def test_delete_bucket_with_only_a_delete_marker_is_bucket_not_empty(bos, versioned_bucket):
    b = versioned_bucket
    r = bos.delete_object(b, "never-existed")  # a delete marker with nothing under it
    assert r.metadata.bce_version_id
    expect_error(bos.delete_bucket, b, status=409, code="BucketNotEmpty")
    bos.delete_object(b, "never-existed", version_id=r.metadata.bce_version_id)
    bos.delete_bucket(b)
    assert bos.does_bucket_exist(b) is False


def test_delete_bucket_with_an_unfinished_upload_is_bucket_not_empty(bos, bucket):
    upload_id = bos.initiate_multipart_upload(bucket, "mp").upload_id
    expect_error(bos.delete_bucket, bucket, status=409, code="BucketNotEmpty")
    bos.abort_multipart_upload(bucket, "mp", upload_id)
    bos.delete_bucket(bucket)
    assert bos.does_bucket_exist(bucket) is False


def test_common_response_headers(raw, bucket):
    # x-bce-request-id, Date, Server: BceBos on every response.
    for method, path in [("GET", encode_path(bucket)), ("HEAD", encode_path(bucket)),
                         ("GET", "/")]:
        r = raw.request(method, path)
        assert r.status == 200, (method, path, r.body)
        assert r.headers.get("x-bce-request-id"), (method, path)
        assert r.headers.get("Date"), (method, path)
        assert r.headers.get("Server") == "BceBos", (method, path, r.headers.get("Server"))
    r = raw.request("GET", "/")
    assert r.headers["Content-Type"].startswith("application/json")
    assert any(b["name"] == bucket for b in r.json()["buckets"])
