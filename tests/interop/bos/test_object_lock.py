"""Object lock (BOS's bucket-wide compliance retention) with bce-python-sdk:
`init_bucket_object_lock` (`POST ?objectlock`, `{"retentionDays": N}`),
`get_bucket_object_lock` (`{"lockStatus","createDate","expirationDate","retentionDays"}`, dates
in Unix seconds), `delete_bucket_object_lock`, `complete_bucket_object_lock` and
`extend_bucket_object_lock` (`{"extendRetentionDays": N}`); every error they document; and what a
lock in progress or locked protects: no object written within its days may be deleted or
overwritten (409 `FileImmutable`), new keys and reads stay allowed, a multi-delete lists the
protected keys as failures. In a versioned bucket a plain delete still adds a delete marker,
while a protected version cannot be deleted by its versionId.

Not tested here: what time does. A lock in progress lapses (`EXPIRED`) 24 hours after it was
initiated and an object stops being protected `retentionDays` after it was written; neither can
be waited for over HTTP. The core's tests cover both (its clock is driven there).
"""

from __future__ import annotations

import io
import time

import pytest

from ..common import unique_bucket_name
from ..conftest import USERS
from .conftest import empty_bucket
from .support import (
    assert_empty_200,
    assert_json_error,
    encode_path,
    expect_error,
    get_bytes,
    make_client,
    node_ok,
    run_node,
    version_entries,
)

DAY = 86_400
# The longest lock the server takes (70 years, as OSS's BucketWorm); one more day is refused.
MAX_DAYS = 70 * 365 + 17
LOCK = {"objectlock": None}


@pytest.fixture
def lock_bucket(request, admin):
    """A fresh unversioned bucket for a lock. Afterwards its lock is deleted if it is still in
    progress, and the bucket emptied and deleted if nothing protects it any more; a locked
    bucket holding objects stays (nothing may remove them before their days are over)."""
    name = unique_bucket_name(request.node.nodeid)
    admin.create_bucket(name)
    yield name
    try:
        admin.delete_bucket_object_lock(name)
    except Exception:
        pass
    try:
        status = admin.get_bucket_object_lock(name).lock_status
    except Exception:
        status = None
    if status != "LOCKED":
        empty_bucket(admin, name)
    try:
        admin.delete_bucket(name)
    except Exception:
        pass


@pytest.fixture
def versioned_lock_bucket(lock_bucket, admin):
    admin.put_bucket_versioning(lock_bucket, "enabled")
    return lock_bucket


def lock_of(bos, bucket):
    r = bos.get_bucket_object_lock(bucket)
    return r.lock_status, r.create_date, r.expiration_date, r.retention_days


def locked(bos, bucket, days=3):
    bos.init_bucket_object_lock(bucket, days)
    bos.complete_bucket_object_lock(bucket)
    assert bos.get_bucket_object_lock(bucket).lock_status == "LOCKED"


def upload_part(bos, bucket, key, upload_id, data: bytes) -> str:
    """Part 1 of an upload; its ETag."""
    return bos.upload_part(bucket, key, upload_id, 1, len(data), io.BytesIO(data)).metadata.etag


def keys_in(bos, bucket) -> list[str]:
    return sorted(o.key for o in bos.list_all_objects(bucket))


# --- the lock's states ----------------------------------------------------------------------------


def test_init_get_complete_extend(bos, lock_bucket):
    b = lock_bucket
    before = int(time.time())
    bos.init_bucket_object_lock(b, 3)
    after = int(time.time())
    status, created, expires, days = lock_of(bos, b)
    assert (status, days) == ("IN_PROGRESS", 3)
    assert isinstance(created, int) and before - 5 <= created <= after + 5, (created, before)
    assert expires == created + DAY  # a lock in progress lapses a day after it was initiated

    bos.complete_bucket_object_lock(b)
    status, created2, _, days = lock_of(bos, b)
    assert (status, created2, days) == ("LOCKED", created, 3)

    bos.extend_bucket_object_lock(b, 3)  # the same period: not shorter
    bos.extend_bucket_object_lock(b, 10)
    status, created3, _, days = lock_of(bos, b)
    assert (status, created3, days) == ("LOCKED", created, 10)


def test_delete_in_progress_removes_the_lock(bos, lock_bucket):
    bos.init_bucket_object_lock(lock_bucket, 1)
    bos.delete_bucket_object_lock(lock_bucket)
    expect_error(bos.get_bucket_object_lock, lock_bucket, status=404, code="NoSuchObjectLock")
    # And a new one can be initiated.
    bos.init_bucket_object_lock(lock_bucket, 2)
    assert lock_of(bos, lock_bucket)[::3] == ("IN_PROGRESS", 2)


def test_wire_shapes(raw, lock_bucket):
    path = encode_path(lock_bucket)
    assert_empty_200(raw.post_json(path, LOCK, {"retentionDays": 5}))
    r = raw.request("GET", path, LOCK)
    assert r.status == 200, r.body
    assert r.headers.get("Content-Type", "").startswith("application/json")
    doc = r.json()
    assert set(doc) == {"lockStatus", "createDate", "expirationDate", "retentionDays"}, doc
    assert all(type(doc[k]) is int for k in ("createDate", "expirationDate", "retentionDays")), doc
    assert (doc["lockStatus"], doc["retentionDays"]) == ("IN_PROGRESS", 5)
    assert_empty_200(raw.request("POST", path, {"completeobjectlock": None}))
    assert_empty_200(raw.post_json(path, {"extendobjectlock": None}, {"extendRetentionDays": 6}))
    assert raw.request("GET", path, LOCK).json()["retentionDays"] == 6


def test_go_sdk_key_spelling_is_accepted(raw, bos, lock_bucket):
    # bce-sdk-go marshals InitBucketObjectLockArgs as {"RetentionDays": N}.
    path = encode_path(lock_bucket)
    assert_empty_200(raw.post_json(path, LOCK, {"RetentionDays": 4}))
    assert lock_of(bos, lock_bucket)[::3] == ("IN_PROGRESS", 4)
    bos.complete_bucket_object_lock(lock_bucket)
    assert_empty_200(raw.post_json(path, {"extendobjectlock": None}, {"ExtendRetentionDays": 7}))
    assert lock_of(bos, lock_bucket)[::3] == ("LOCKED", 7)


def test_js_sdk_lock_cycle(server, bos, lock_bucket):
    b = lock_bucket
    init, got, done, ext, got2, delete = run_node(server, [
        ("initBucketObjectLock", b, {"retentionDays": 2}),
        ("getBucketObjectLock", b),
        ("completeBucketObjectLock", b),
        ("extendBucketObjectLock", b, {"extendRetentionDays": 5}),
        ("getBucketObjectLock", b),
        ("deleteBucketObjectLock", b),
    ])
    node_ok(init)
    assert (node_ok(got).body["lockStatus"], got.body["retentionDays"]) == ("IN_PROGRESS", 2)
    node_ok(done)
    node_ok(ext)
    assert (node_ok(got2).body["lockStatus"], got2.body["retentionDays"]) == ("LOCKED", 5)
    assert (delete.ok, delete.status, delete.code) == (False, 409, "ObjectLockAlreadyLocked")
    assert lock_of(bos, b)[::3] == ("LOCKED", 5)


# --- the lock's errors ----------------------------------------------------------------------------


def test_no_lock_is_404_everywhere(bos, lock_bucket):
    b = lock_bucket
    expect_error(bos.get_bucket_object_lock, b, status=404, code="NoSuchObjectLock")
    expect_error(bos.delete_bucket_object_lock, b, status=404, code="NoSuchObjectLock")
    expect_error(bos.complete_bucket_object_lock, b, status=404, code="NoSuchObjectLock")
    expect_error(bos.extend_bucket_object_lock, b, 5, status=404, code="NoSuchObjectLock")


def test_lock_operations_on_a_missing_bucket_are_no_such_bucket(bos):
    b = unique_bucket_name("bos-lock-missing")
    expect_error(bos.init_bucket_object_lock, b, 3, status=404, code="NoSuchBucket")
    expect_error(bos.get_bucket_object_lock, b, status=404, code="NoSuchBucket")
    expect_error(bos.complete_bucket_object_lock, b, status=404, code="NoSuchBucket")
    assert not bos.does_bucket_exist(b)


@pytest.mark.parametrize("days", [0, MAX_DAYS + 1, 10**12, -3, "30", 1.5, None])
def test_init_with_bad_days_is_invalid_argument(raw, bos, lock_bucket, days):
    r = raw.post_json(encode_path(lock_bucket), LOCK, {"retentionDays": days})
    assert_json_error(r, 400, "InvalidArgument")
    expect_error(bos.get_bucket_object_lock, lock_bucket, status=404, code="NoSuchObjectLock")


def test_init_through_the_sdk_with_zero_days_is_invalid_argument(bos, lock_bucket):
    expect_error(bos.init_bucket_object_lock, lock_bucket, 0, status=400, code="InvalidArgument")
    bos.init_bucket_object_lock(lock_bucket, MAX_DAYS)  # the longest is taken
    assert lock_of(bos, lock_bucket)[3] == MAX_DAYS


@pytest.mark.parametrize("body", [b"", b"{}", b'{"days": 3}', b"[3]"])
def test_init_without_days_is_invalid_argument(raw, lock_bucket, body):
    r = raw.request("POST", encode_path(lock_bucket), LOCK, {"Content-Type": "application/json"}, body)
    assert_json_error(r, 400, "InvalidArgument")


@pytest.mark.parametrize("body", [b'{"retentionDays": 3', b"retentionDays=3", b"\xff\xfe"])
def test_init_with_bad_json_is_malformed_json(raw, bos, lock_bucket, body):
    r = raw.request("POST", encode_path(lock_bucket), LOCK, {"Content-Type": "application/json"}, body)
    assert_json_error(r, 400, "MalformedJSON")
    expect_error(bos.get_bucket_object_lock, lock_bucket, status=404, code="NoSuchObjectLock")


def test_init_twice_is_refused(bos, lock_bucket):
    bos.init_bucket_object_lock(lock_bucket, 3)
    expect_error(bos.init_bucket_object_lock, lock_bucket, 5, status=409,
                 code="ObjectLockAlreadyExists")
    bos.complete_bucket_object_lock(lock_bucket)
    expect_error(bos.init_bucket_object_lock, lock_bucket, 5, status=409,
                 code="ObjectLockAlreadyExists")
    assert lock_of(bos, lock_bucket)[::3] == ("LOCKED", 3)


def test_locked_lock_cannot_be_deleted_or_completed_again(bos, lock_bucket):
    locked(bos, lock_bucket)
    expect_error(bos.delete_bucket_object_lock, lock_bucket, status=409,
                 code="ObjectLockAlreadyLocked")
    expect_error(bos.complete_bucket_object_lock, lock_bucket, status=409,
                 code="ObjectLockAlreadyLocked")
    assert lock_of(bos, lock_bucket)[0] == "LOCKED"


def test_extend_before_complete_is_not_locked(bos, lock_bucket):
    bos.init_bucket_object_lock(lock_bucket, 3)
    expect_error(bos.extend_bucket_object_lock, lock_bucket, 5, status=400,
                 code="ObjectLockNotLocked")
    assert lock_of(bos, lock_bucket)[::3] == ("IN_PROGRESS", 3)


def test_extend_may_not_shorten(bos, lock_bucket):
    locked(bos, lock_bucket, days=5)
    expect_error(bos.extend_bucket_object_lock, lock_bucket, 4, status=400,
                 code="NotAllowShortenRetentionday")
    assert lock_of(bos, lock_bucket)[3] == 5


@pytest.mark.parametrize("days", [0, MAX_DAYS + 1])
def test_extend_with_bad_days_is_invalid_argument(bos, lock_bucket, days):
    locked(bos, lock_bucket, days=5)
    expect_error(bos.extend_bucket_object_lock, lock_bucket, days, status=400,
                 code="InvalidArgument")
    assert lock_of(bos, lock_bucket)[3] == 5


def test_extend_with_bad_json_is_malformed_json(raw, bos, lock_bucket):
    locked(bos, lock_bucket, days=5)
    path = encode_path(lock_bucket)
    r = raw.request("POST", path, {"extendobjectlock": None}, {}, b'{"extendRetentionDays":')
    assert_json_error(r, 400, "MalformedJSON")
    # The init key is not the extend key.
    assert_json_error(raw.post_json(path, {"extendobjectlock": None}, {"retentionDays": 9}),
                      400, "InvalidArgument")
    assert lock_of(bos, lock_bucket)[3] == 5


def test_another_user_is_refused_every_lock_operation(server, bos, lock_bucket):
    bob = make_client(server, USERS["bob"].access_key, USERS["bob"].secret_key)
    b = lock_bucket
    expect_error(bob.init_bucket_object_lock, b, 3, status=403, code="AccessDenied")
    expect_error(bob.get_bucket_object_lock, b, status=403, code="AccessDenied")
    bos.init_bucket_object_lock(b, 3)
    expect_error(bob.get_bucket_object_lock, b, status=403, code="AccessDenied")
    expect_error(bob.complete_bucket_object_lock, b, status=403, code="AccessDenied")
    expect_error(bob.delete_bucket_object_lock, b, status=403, code="AccessDenied")
    assert lock_of(bos, b)[0] == "IN_PROGRESS"
    bos.complete_bucket_object_lock(b)
    expect_error(bob.extend_bucket_object_lock, b, 9, status=403, code="AccessDenied")
    assert lock_of(bos, b)[::3] == ("LOCKED", 3)


# --- versioning and the lock ----------------------------------------------------------------------


def test_versioning_cannot_be_suspended_under_a_lock(bos, versioned_lock_bucket):
    b = versioned_lock_bucket
    bos.init_bucket_object_lock(b, 3)
    expect_error(bos.put_bucket_versioning, b, "suspended", status=409, code="InvalidBucketState")
    assert bos.get_bucket_versioning(b).status == "enabled"
    bos.delete_bucket_object_lock(b)
    bos.put_bucket_versioning(b, "suspended")
    assert bos.get_bucket_versioning(b).status == "suspended"


def test_no_lock_on_a_suspended_bucket(bos, lock_bucket):
    bos.put_bucket_versioning(lock_bucket, "enabled")
    bos.put_bucket_versioning(lock_bucket, "suspended")
    expect_error(bos.init_bucket_object_lock, lock_bucket, 3, status=409,
                 code="InvalidBucketState")
    expect_error(bos.get_bucket_object_lock, lock_bucket, status=404, code="NoSuchObjectLock")


# --- what a lock protects (unversioned bucket) ----------------------------------------------------


@pytest.fixture(params=["IN_PROGRESS", "LOCKED"])
def protected(request, bos, lock_bucket):
    """`lock_bucket` holding `p1` and `p2` (written before the lock), under a lock in each
    state."""
    bos.put_object_from_string(lock_bucket, "p1", b"one")
    bos.init_bucket_object_lock(lock_bucket, 3)
    bos.put_object_from_string(lock_bucket, "p2", b"two")  # new keys are allowed
    if request.param == "LOCKED":
        bos.complete_bucket_object_lock(lock_bucket)
    assert lock_of(bos, lock_bucket)[0] == request.param
    return lock_bucket


def test_protected_objects_cannot_be_deleted(bos, protected):
    for key in ("p1", "p2"):
        expect_error(bos.delete_object, protected, key, status=409, code="FileImmutable")
    assert keys_in(bos, protected) == ["p1", "p2"]
    assert get_bytes(bos, protected, "p1") == b"one"
    assert get_bytes(bos, protected, "p2") == b"two"


def test_protected_objects_cannot_be_overwritten_by_put(bos, protected):
    expect_error(bos.put_object_from_string, protected, "p1", b"changed", status=409,
                 code="FileImmutable")
    assert get_bytes(bos, protected, "p1") == b"one"


def test_protected_objects_cannot_be_overwritten_by_copy(bos, protected):
    bos.put_object_from_string(protected, "src", b"source")
    expect_error(bos.copy_object, protected, "src", protected, "p1", status=409,
                 code="FileImmutable")
    # A copy onto itself (new metadata) is an overwrite too.
    expect_error(bos.copy_object, protected, "p1", protected, "p1", status=409,
                 code="FileImmutable", user_metadata={"k": "v"})
    assert get_bytes(bos, protected, "p1") == b"one"
    bos.copy_object(protected, "p1", protected, "fresh")  # a copy to a new key is allowed
    assert get_bytes(bos, protected, "fresh") == b"one"


def test_protected_objects_cannot_be_overwritten_by_multipart(bos, protected):
    upload_id = bos.initiate_multipart_upload(protected, "p1").upload_id
    etag = upload_part(bos, protected, "p1", upload_id, b"multipart")
    parts = [{"partNumber": 1, "eTag": etag}]
    expect_error(bos.complete_multipart_upload, protected, "p1", upload_id, parts, status=409,
                 code="FileImmutable")
    assert get_bytes(bos, protected, "p1") == b"one"
    bos.abort_multipart_upload(protected, "p1", upload_id)
    # The same upload to a new key completes.
    upload_id = bos.initiate_multipart_upload(protected, "mp").upload_id
    etag = upload_part(bos, protected, "mp", upload_id, b"multipart")
    bos.complete_multipart_upload(protected, "mp", upload_id, [{"partNumber": 1, "eTag": etag}])
    assert get_bytes(bos, protected, "mp") == b"multipart"


def test_reads_and_listings_are_allowed(bos, protected):
    meta = bos.get_object_meta_data(protected, "p1").metadata
    assert int(meta.content_length) == 3
    assert keys_in(bos, protected) == ["p1", "p2"]


def test_multi_delete_lists_protected_keys_and_deletes_nothing_protected(bos, protected):
    resp = bos.delete_multiple_objects(protected, ["p1", "absent", "p2"])
    errors = sorted((e.key, e.code) for e in resp.errors or [])
    # Every object here was written within the lock's days, so every one is protected; a key
    # that does not exist is reported as usual.
    assert errors == [("absent", "NoSuchKey"), ("p1", "FileImmutable"), ("p2", "FileImmutable")]
    assert all(e.message for e in resp.errors)
    assert keys_in(bos, protected) == ["p1", "p2"]


def test_deleting_a_lock_in_progress_frees_its_objects(bos, lock_bucket):
    bos.put_object_from_string(lock_bucket, "k", b"v")
    bos.init_bucket_object_lock(lock_bucket, 3)
    expect_error(bos.delete_object, lock_bucket, "k", status=409, code="FileImmutable")
    bos.delete_bucket_object_lock(lock_bucket)
    bos.put_object_from_string(lock_bucket, "k", b"w")
    assert get_bytes(bos, lock_bucket, "k") == b"w"
    bos.delete_object(lock_bucket, "k")
    assert keys_in(bos, lock_bucket) == []


def test_a_locked_bucket_with_objects_cannot_be_deleted(bos, lock_bucket):
    bos.put_object_from_string(lock_bucket, "k", b"v")
    locked(bos, lock_bucket)
    expect_error(bos.delete_bucket, lock_bucket, status=409, code="BucketNotEmpty")
    assert bos.does_bucket_exist(lock_bucket)


def test_an_empty_locked_bucket_can_be_deleted(bos, lock_bucket):
    locked(bos, lock_bucket)
    bos.delete_bucket(lock_bucket)
    assert not bos.does_bucket_exist(lock_bucket)


# --- what a lock protects (versioned bucket) ------------------------------------------------------


def test_versioned_delete_adds_a_marker_and_the_version_stays(bos, versioned_lock_bucket):
    b = versioned_lock_bucket
    v1 = bos.put_object_from_string(b, "k", b"one").metadata.bce_version_id
    locked(bos, b)
    bos.delete_object(b, "k")  # a delete marker: nothing is removed
    expect_error(bos.get_object, b, "k", status=404, code="NoSuchKey")
    entries = version_entries(bos, b)
    markers = [e for e in entries if getattr(e, "delete_marker", False)]
    assert len(markers) == 1 and markers[0].is_latest, entries
    assert get_bytes(bos, b, "k", version_id=v1) == b"one"

    expect_error(bos.delete_object, b, "k", version_id=v1, status=409, code="FileImmutable")
    # Delete markers are never protected: removing it brings the object back.
    bos.delete_object(b, "k", version_id=markers[0].version_id)
    assert get_bytes(bos, b, "k") == b"one"
    assert [(e.key, e.version_id) for e in version_entries(bos, b)] == [("k", v1)]


def test_versioned_put_adds_a_version_over_a_protected_one(bos, versioned_lock_bucket):
    b = versioned_lock_bucket
    v1 = bos.put_object_from_string(b, "k", b"one").metadata.bce_version_id
    bos.init_bucket_object_lock(b, 3)
    v2 = bos.put_object_from_string(b, "k", b"two").metadata.bce_version_id
    assert v2 and v2 != v1
    assert get_bytes(bos, b, "k") == b"two"
    for v in (v1, v2):
        expect_error(bos.delete_object, b, "k", version_id=v, status=409, code="FileImmutable")
    assert sorted(e.version_id for e in version_entries(bos, b)) == sorted([v1, v2])


def test_versioned_multi_delete_refuses_protected_versions_only(raw, bos, versioned_lock_bucket):
    b = versioned_lock_bucket
    va = bos.put_object_from_string(b, "a", b"a").metadata.bce_version_id
    bos.put_object_from_string(b, "c", b"c")
    locked(bos, b)
    bos.delete_object(b, "c")
    [marker] = [e.version_id for e in version_entries(bos, b) if getattr(e, "delete_marker", False)]
    r = raw.post_json(f"/{b}", {"delete": None}, {"objects": [
        {"key": "a", "versionId": va}, {"key": "c", "versionId": marker}, {"key": "a"}]})
    assert r.status == 200, r.body
    errors = r.json()["errors"]
    assert [(e["key"], e["code"]) for e in errors] == [("a", "FileImmutable")], errors
    assert errors[0].get("versionId", va) == va
    # The marker of c is gone (c is back); a plain delete of a added a marker.
    assert get_bytes(bos, b, "c") == b"c"
    expect_error(bos.get_object, b, "a", status=404, code="NoSuchKey")
    assert get_bytes(bos, b, "a", version_id=va) == b"a"
