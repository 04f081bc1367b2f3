"""minio-py (PyPI `minio`) against the S3 dialect: buckets, objects, multipart uploads,
versioning and deletes, as its users call it. Results are checked with boto3."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from minio import Minio
from minio.commonconfig import CopySource
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.versioningconfig import ENABLED, SUSPENDED, VersioningConfig

from .support import MiB, multipart_etag, random_bytes


@pytest.fixture
def mc(server) -> Minio:
    return Minio(urlsplit(server.endpoint).netloc, access_key=server.access_key,
                 secret_key=server.secret_key, secure=False, region="us-east-1")


def test_minio_bucket_object_round_trip(mc, s3, bucket_name):
    mc.make_bucket(bucket_name)
    assert mc.bucket_exists(bucket_name)
    w = mc.put_object(bucket_name, "dir/a.txt", io.BytesIO(b"hello"), 5,
                      content_type="text/plain", metadata={"x-amz-meta-color": "blue"})
    st = mc.stat_object(bucket_name, "dir/a.txt")
    assert (st.size, st.etag, st.content_type) == (5, w.etag, "text/plain")
    assert st.metadata["x-amz-meta-color"] == "blue"
    resp = mc.get_object(bucket_name, "dir/a.txt", offset=1, length=3)
    assert resp.read() == b"ell"
    resp.close()
    resp.release_conn()
    assert [o.object_name for o in mc.list_objects(bucket_name, prefix="dir/")] == ["dir/a.txt"]
    assert [o.object_name for o in mc.list_objects(bucket_name)] == ["dir/"]
    mc.copy_object(bucket_name, "b.txt", CopySource(bucket_name, "dir/a.txt"))
    assert s3.get_object(Bucket=bucket_name, Key="b.txt")["Body"].read() == b"hello"
    mc.remove_object(bucket_name, "dir/a.txt")
    mc.remove_object(bucket_name, "b.txt")
    with pytest.raises(S3Error) as e:
        mc.stat_object(bucket_name, "b.txt")
    assert e.value.code == "NoSuchKey"
    mc.remove_bucket(bucket_name)
    assert not mc.bucket_exists(bucket_name)


def test_minio_multipart_put_and_ranged_get(mc, s3, bucket):
    data = random_bytes(12 * MiB + 123, seed=71)
    w = mc.put_object(bucket, "big.bin", io.BytesIO(data), len(data), part_size=5 * MiB)
    parts = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert w.etag == multipart_etag(parts).strip('"')
    got = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert got == data
    resp = mc.get_object(bucket, "big.bin", offset=5 * MiB - 10, length=20)
    assert resp.read() == data[5 * MiB - 10:5 * MiB + 10]
    resp.close()
    resp.release_conn()


def test_minio_versioning_deletes_and_restores(mc, s3, bucket):
    mc.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    assert mc.get_bucket_versioning(bucket).status == ENABLED
    v1 = mc.put_object(bucket, "k", io.BytesIO(b"one"), 3).version_id
    v2 = mc.put_object(bucket, "k", io.BytesIO(b"two"), 3).version_id
    assert v1 and v2 and v1 != v2
    mc.remove_object(bucket, "k")  # a delete marker on top
    listed = [(o.object_name, o.version_id, o.is_delete_marker)
              for o in mc.list_objects(bucket, include_version=True)]
    markers = [v for _, v, dm in listed if dm]
    assert len(markers) == 1
    assert {v for _, v, dm in listed if not dm} == {v1, v2}
    with pytest.raises(S3Error):
        mc.stat_object(bucket, "k")
    # Restore: remove the marker by its version ID.
    mc.remove_object(bucket, "k", version_id=markers[0])
    assert mc.get_object(bucket, "k").read() == b"two"
    # An old version by ID, copied back on top.
    assert mc.stat_object(bucket, "k", version_id=v1).version_id == v1
    mc.copy_object(bucket, "k", CopySource(bucket, "k", version_id=v1))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    # A permanent delete of one version leaves the others.
    mc.remove_object(bucket, "k", version_id=v2)
    ids = {v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]}
    assert v2 not in ids and v1 in ids
    mc.set_bucket_versioning(bucket, VersioningConfig(SUSPENDED))
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_minio_remove_objects_markers_then_versions(mc, s3, versioned_bucket):
    ids = [mc.put_object(versioned_bucket, f"k{i}", io.BytesIO(b"x"), 1).version_id
           for i in range(5)]
    # Without version IDs: a delete marker on each key.
    assert list(mc.remove_objects(versioned_bucket,
                                  [DeleteObject(f"k{i}") for i in range(5)])) == []
    listed = s3.list_object_versions(Bucket=versioned_bucket)
    assert sorted(m["Key"] for m in listed["DeleteMarkers"]) == [f"k{i}" for i in range(5)]
    markers = [(m["Key"], m["VersionId"]) for m in listed["DeleteMarkers"]]
    # With them: every version and marker permanently gone.
    assert list(mc.remove_objects(
        versioned_bucket,
        [DeleteObject(f"k{i}", version_id=v) for i, v in enumerate(ids)]
        + [DeleteObject(k, version_id=v) for k, v in markers],
    )) == []
    listed = s3.list_object_versions(Bucket=versioned_bucket)
    assert (listed.get("Versions", []), listed.get("DeleteMarkers", [])) == ([], [])
