"""One namespace: buckets, objects, versioning state and uploads are the same whichever dialect
wrote them. The OSS side uses oss2 (V1 signatures) with the server fixture's keys."""

from __future__ import annotations

import io

import oss2
import pytest

from .support import crc32, expect_error, get_bytes, md5_hex


@pytest.fixture(scope="module")
def oss_auth(server):
    return oss2.Auth(server.access_key, server.secret_key)


@pytest.fixture
def oss_bucket(oss_auth, server, bucket):
    """The test's bucket, through oss2."""
    return oss2.Bucket(oss_auth, server.endpoint, bucket, connect_timeout=60)


def test_object_written_through_oss_is_read_and_deleted_through_bos(bos, bucket, oss_bucket):
    data = b"written by oss2"
    oss_bucket.put_object("from-oss/k.txt", data, headers={"Content-Type": "text/plain",
                                                           "x-oss-meta-origin": "oss"})
    assert get_bytes(bos, bucket, "from-oss/k.txt") == data
    meta = bos.get_object_meta_data(bucket, "from-oss/k.txt").metadata
    assert meta.content_length == str(len(data))
    assert meta.etag.lower() == md5_hex(data)
    assert meta.content_type == "text/plain"
    assert meta.bce_meta_origin == "oss"
    assert meta.bce_content_crc_32 == str(crc32(data))
    assert [o.key for o in bos.list_objects(bucket, prefix="from-oss/").contents] == ["from-oss/k.txt"]

    bos.delete_object(bucket, "from-oss/k.txt")
    with pytest.raises(oss2.exceptions.NoSuchKey):
        oss_bucket.get_object("from-oss/k.txt")


def test_object_written_through_bos_is_read_and_deleted_through_oss(bos, bucket, oss_bucket):
    data = b"written by the bce sdk"
    bos.put_object_from_string(bucket, "from-bos/k.txt", data, content_type="text/plain",
                               user_metadata={"origin": "bos"})
    got = oss_bucket.get_object("from-bos/k.txt")
    assert got.read() == data
    assert got.headers["x-oss-meta-origin"] == "bos"
    assert got.headers["Content-Type"] == "text/plain"
    assert got.etag.lower() == md5_hex(data)
    assert [o.key for o in oss_bucket.list_objects(prefix="from-bos/").object_list] == ["from-bos/k.txt"]

    oss_bucket.delete_object("from-bos/k.txt")
    expect_error(bos.get_object_as_string, bucket, "from-bos/k.txt", status=404, code="NoSuchKey")


def test_multi_delete_through_bos_of_objects_written_through_oss(bos, bucket, oss_bucket):
    for k in ["a", "b"]:
        oss_bucket.put_object(k, k.encode())
    resp = bos.delete_multiple_objects(bucket, ["a", "b", "c"])
    assert [(e.key, e.code) for e in resp.errors] == [("c", "NoSuchKey")]
    assert [o.key for o in oss_bucket.list_objects().object_list] == []


def test_versioning_set_through_bos_is_seen_through_oss(bos, bucket, oss_bucket):
    assert oss_bucket.get_bucket_versioning().status is None  # never enabled
    bos.put_bucket_versioning(bucket, "enabled")
    assert oss_bucket.get_bucket_versioning().status == "Enabled"
    bos.put_bucket_versioning(bucket, "suspended")
    assert oss_bucket.get_bucket_versioning().status == "Suspended"


def test_versioning_set_through_oss_is_seen_through_bos(bos, bucket, oss_bucket):
    oss_bucket.put_bucket_versioning(oss2.models.BucketVersioningConfig("Enabled"))
    assert bos.get_bucket_versioning(bucket).status == "enabled"
    oss_bucket.put_bucket_versioning(oss2.models.BucketVersioningConfig("Suspended"))
    assert bos.get_bucket_versioning(bucket).status == "suspended"


def test_versions_are_shared_between_dialects(bos, versioned_bucket, oss_auth, server):
    oss_b = oss2.Bucket(oss_auth, server.endpoint, versioned_bucket, connect_timeout=60)
    v_oss = oss_b.put_object("k", b"from oss").versionid
    v_bos = bos.put_object_from_string(versioned_bucket, "k", b"from bos").metadata.bce_version_id
    assert v_oss and v_bos and v_oss != v_bos
    assert get_bytes(bos, versioned_bucket, "k", version_id=v_oss) == b"from oss"
    assert oss_b.get_object("k", params={"versionId": v_bos}).read() == b"from bos"
    # A delete marker made through BOS hides the object from OSS too.
    marker = bos.delete_object(versioned_bucket, "k").metadata.bce_version_id
    with pytest.raises(oss2.exceptions.NoSuchKey):
        oss_b.get_object("k")
    oss_b.delete_object("k", params={"versionId": marker})
    assert get_bytes(bos, versioned_bucket, "k") == b"from bos"


def test_buckets_created_in_one_dialect_are_listed_in_the_other(bos, oss_auth, server, bucket_name):
    oss2.Bucket(oss_auth, server.endpoint, bucket_name, connect_timeout=60).create_bucket()
    assert bos.does_bucket_exist(bucket_name) is True
    assert bucket_name in [b.name for b in bos.list_buckets().buckets]
    bos.delete_bucket(bucket_name)
    service = oss2.Service(oss_auth, server.endpoint, connect_timeout=60)
    assert bucket_name not in [b.name for b in service.list_buckets().buckets]


def test_upload_started_through_bos_is_completed_through_oss(bos, bucket, oss_bucket):
    data = b"p" * (1024 * 1024) + b"q" * 100
    upload_id = bos.initiate_multipart_upload(bucket, "mp").upload_id
    assert [u.upload_id for u in oss_bucket.list_multipart_uploads().upload_list] == [upload_id]
    e1 = bos.upload_part(bucket, "mp", upload_id, 1, 1024 * 1024,
                         io.BytesIO(data[:1024 * 1024])).metadata.etag
    r2 = oss_bucket.upload_part("mp", upload_id, 2, data[1024 * 1024:])
    oss_bucket.complete_multipart_upload("mp", upload_id, [oss2.models.PartInfo(1, e1.upper()),
                                                           oss2.models.PartInfo(2, r2.etag)])
    assert get_bytes(bos, bucket, "mp") == data

