"""Fixtures of the BOS suite: the Python SDK client, fresh buckets, raw signed requests.

Every response to a bce-auth-v1 signed request that the Python SDK or `Raw` received is
recorded; a test that passes must also have seen, on every one of them, `x-bce-request-id` and
`Date`, and on every error with a body, `Content-Type: application/json` and a JSON body with
`code`, `message` and `requestId` equal to the header: what every BOS response carries.
"""

from __future__ import annotations

import pytest

from ..common import unique_bucket_name
from . import support
from .support import Raw, make_client


@pytest.fixture(scope="session")
def bos(server):
    """bce-python-sdk's BosClient (no retries)."""
    return make_client(server)


@pytest.fixture(scope="session")
def admin(server):
    """A second BosClient that sets up and cleans up state the test does not examine."""
    return make_client(server)


@pytest.fixture
def raw(server):
    """Raw requests signed with the SDK's bce-auth-v1 signer."""
    return Raw(server)


def empty_bucket(admin, bucket: str) -> None:
    """Best effort: delete every version, delete marker and multipart upload of `bucket`."""
    try:
        unversioned = admin.get_bucket_versioning(bucket).status == "notEnabled"
    except Exception:
        unversioned = False
    if unversioned:  # fast path: Delete Multiple Objects, 1000 keys a request
        for _ in range(100):
            try:
                keys = [o.key for o in admin.list_objects(bucket).contents or []]
                if not keys:
                    break
                admin.delete_multiple_objects(bucket, keys)
            except Exception:
                break
    for _ in range(100):  # bounded: a broken server must not loop forever
        try:
            entries = support.version_entries(admin, bucket)
        except Exception:
            break
        if not entries:
            break
        for e in entries:
            try:
                admin.delete_object(bucket, e.key, version_id=e.version_id)
            except Exception:
                pass
    for _ in range(100):  # unversioned buckets, or a server whose versions listing fails
        try:
            keys = [o.key for o in admin.list_objects(bucket).contents or []]
        except Exception:
            break
        if not keys:
            break
        for k in keys:
            try:
                admin.delete_object(bucket, k)
            except Exception:
                pass
    try:
        for u in admin.list_all_multipart_uploads(bucket):
            try:
                admin.abort_multipart_upload(bucket, u.key, u.upload_id)
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
    """A fresh, empty, unversioned bucket (created with the Python SDK)."""
    try:
        admin.create_bucket(bucket_name)
        failure = None
    except Exception as e:
        failure = f"setup: create_bucket {bucket_name} failed: {e}"
    if failure:
        pytest.fail(failure, pytrace=False)
    return bucket_name


@pytest.fixture
def versioned_bucket(bucket, admin):
    """A fresh bucket with versioning enabled (set with the Python SDK)."""
    try:
        admin.put_bucket_versioning(bucket, "enabled")
        failure = None
    except Exception as e:
        failure = f"setup: put_bucket_versioning enabled failed: {e}"
    if failure:
        pytest.fail(failure, pytrace=False)
    return bucket


@pytest.fixture(autouse=True)
def _clear_bos_recording():
    with support._recorded_lock:
        support.recorded.clear()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    # Only reached when the test body passed.
    with support._recorded_lock:
        seen = list(support.recorded)
    bad = [(r, p) for r in seen for p in [support.response_problems(r)] if p]
    if bad:
        shown = "\n".join(f"  {r['method']} {r['url']} -> {r['status']}: {'; '.join(p)}"
                          for r, p in bad[:10])
        raise AssertionError(f"{len(bad)} of {len(seen)} BOS responses were malformed, e.g.:\n{shown}")
    return result
