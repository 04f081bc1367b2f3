"""Fixtures of the OSS suite: the four clients, fresh buckets, raw signed requests."""

from __future__ import annotations

import pytest

from ..common import unique_bucket_name
from .clients import CLIENT_KINDS, OssError, make_client
from .support import Raw


@pytest.fixture(scope="session")
def admin(server):
    """oss2 with V1 signing: sets up and cleans up state that a test does not examine."""
    return make_client("oss2-v1", server)


@pytest.fixture(params=CLIENT_KINDS)
def client(request, server):
    """Each test using it runs once per client: oss2 V1/V4, alibabacloud-oss-v2 V1/V4."""
    return make_client(request.param, server)


@pytest.fixture
def raw(server):
    """Raw requests signed with oss2.Auth (V1)."""
    return Raw(server, "v1")


def empty_bucket(admin, bucket: str) -> None:
    """Best effort: delete every version, delete marker and multipart upload of `bucket`."""
    b = admin.bucket(bucket)
    for _ in range(100):  # bounded: a broken server must not loop forever
        try:
            listing = admin.list_object_versions(bucket, max_keys=1000)
        except Exception:
            break
        entries = [(e.key, e.version_id) for e in listing.all]
        if not entries:
            break
        try:
            admin.delete_objects(bucket, entries)
        except Exception:
            break
        if not listing.is_truncated and len(entries) < 1000:
            break
    for _ in range(100):  # unversioned buckets, or a server whose versions listing fails
        try:
            keys = admin.list_objects(bucket, max_keys=1000).keys
        except Exception:
            break
        if not keys:
            break
        try:
            admin.delete_objects(bucket, keys)
        except Exception:
            break
    try:
        for key, upload_id in admin.list_multipart_uploads(bucket):
            try:
                b.abort_multipart_upload(key, upload_id)
            except Exception:
                pass
    except Exception:
        pass


@pytest.fixture
def bucket_name(request, admin):
    """A fresh unique bucket name; whatever the test created under it is removed afterwards."""
    name = unique_bucket_name(request.node.nodeid)
    yield name
    empty_bucket(admin, name)
    try:
        admin.delete_bucket(name)
    except Exception:
        pass


@pytest.fixture
def bucket(bucket_name, admin):
    """A fresh, empty, unversioned bucket (created with oss2 V1)."""
    try:
        admin.create_bucket(bucket_name)
        failure = None
    except OssError as e:
        failure = f"setup: PutBucket {bucket_name} failed: {e}"
    if failure:
        pytest.fail(failure, pytrace=False)
    return bucket_name


@pytest.fixture
def versioned_bucket(bucket, admin):
    """A fresh bucket with versioning Enabled (set with oss2 V1)."""
    try:
        admin.put_bucket_versioning(bucket, "Enabled")
        failure = None
    except OssError as e:
        failure = f"setup: PutBucketVersioning Enabled failed: {e}"
    if failure:
        pytest.fail(failure, pytrace=False)
    return bucket
