"""DeleteObject: every case of the table below, through each client.

Always 204. `x-oss-delete-marker` is either absent or exactly "true" (oss2 turns any
non-empty value, "false" included, into True). What each row promises:

| bucket     | versionId       | headers                                               |
|------------|-----------------|-------------------------------------------------------|
| unversioned| none            | neither header                                        |
| Enabled    | none            | delete-marker: true, version-id: <new marker id>      |
| Suspended  | none            | delete-marker: true, version-id: null                 |
| versioned  | data version    | version-id: <id>, no delete-marker                    |
| versioned  | delete marker   | delete-marker: true, version-id: <id>                 |
| versioned  | unknown id      | version-id: <id>, no delete-marker                    |
"""

from __future__ import annotations

import pytest

from .clients import OssError
from .support import (
    assert_delete_marker_header,
    assert_request_id,
    assert_version_id_header,
)


def _versions(client, bucket, key):
    """[(version_id, is_delete_marker, is_latest)] of `key`, newest first within each kind."""
    listing = client.list_object_versions(bucket, prefix=key)
    return [(e.version_id, e.is_delete_marker, e.is_latest) for e in listing.all if e.key == key]


def _assert_gone_without_marker(client, bucket, key):
    with pytest.raises(OssError) as e:
        client.get_object(bucket, key)
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    assert_delete_marker_header(e.value.headers, False)


def _make_versioned(client, bucket, state):
    """Enabled, or Suspended after having been Enabled (the only ways to be versioned)."""
    client.put_bucket_versioning(bucket, "Enabled")
    if state == "Suspended":
        client.put_bucket_versioning(bucket, "Suspended")


# --- unversioned -------------------------------------------------------------------------------

def test_unversioned_delete_removes_object_with_plain_204(client, bucket):
    client.put_object(bucket, "k", b"data")
    r = client.delete_object(bucket, "k")
    assert r.status == 204
    assert_request_id(r.headers)
    assert_delete_marker_header(r.headers, False)
    assert_version_id_header(r.headers, None)
    assert not r.delete_marker
    _assert_gone_without_marker(client, bucket, "k")
    assert client.list_objects(bucket).keys == []


def test_unversioned_delete_of_missing_key_is_204(client, bucket):
    r = client.delete_object(bucket, "never-existed")
    assert r.status == 204
    assert_delete_marker_header(r.headers, False)
    assert_version_id_header(r.headers, None)


# --- Enabled, no versionId ---------------------------------------------------------------------

def test_enabled_delete_without_version_id_inserts_a_delete_marker(client, versioned_bucket):
    b = versioned_bucket
    data_vid = client.put_object(b, "k", b"data").version_id
    r = client.delete_object(b, "k")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, ...)
    marker = r.headers["x-oss-version-id"]
    assert marker != data_vid
    assert r.delete_marker is True and r.version_id == marker  # as the SDK parsed them
    # The data version is kept, not current; the marker is current.
    assert sorted(_versions(client, b, "k")) == sorted([(data_vid, False, False),
                                                        (marker, True, True)])
    assert client.get_object(b, "k", version_id=data_vid).body == b"data"


def test_enabled_delete_of_missing_key_still_inserts_a_marker(client, versioned_bucket):
    b = versioned_bucket
    r = client.delete_object(b, "never-existed")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, ...)
    assert _versions(client, b, "never-existed") == [(r.headers["x-oss-version-id"], True, True)]


def test_enabled_delete_when_current_is_a_marker_stacks_another_marker(client, versioned_bucket):
    b = versioned_bucket
    client.put_object(b, "k", b"data")
    first = client.delete_object(b, "k").headers["x-oss-version-id"]
    r = client.delete_object(b, "k")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    second = r.headers["x-oss-version-id"]
    assert second not in (first, None)
    markers = [(vid, latest) for vid, is_marker, latest in _versions(client, b, "k") if is_marker]
    assert sorted(markers) == sorted([(first, False), (second, True)])


# --- Suspended, no versionId -------------------------------------------------------------------

def test_suspended_delete_replaces_null_version_with_null_marker(client, bucket):
    b = bucket
    client.put_bucket_versioning(b, "Enabled")
    kept = client.put_object(b, "k", b"enabled-era").version_id
    client.put_bucket_versioning(b, "Suspended")
    put = client.put_object(b, "k", b"null-version")
    assert_version_id_header(put.headers, "null")
    r = client.delete_object(b, "k")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, "null")
    # The null data version is gone, replaced by a null marker; the Enabled-era version stays.
    assert sorted(_versions(client, b, "k")) == sorted([(kept, False, False),
                                                        ("null", True, True)])
    assert client.get_object(b, "k", version_id=kept).body == b"enabled-era"


def test_suspended_delete_of_missing_key_inserts_null_marker(client, bucket):
    _make_versioned(client, bucket, "Suspended")
    r = client.delete_object(bucket, "never-existed")
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, "null")
    assert _versions(client, bucket, "never-existed") == [("null", True, True)]


# --- explicit versionId (Enabled and Suspended) ------------------------------------------------

@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_delete_current_data_version_makes_previous_current(client, bucket, state):
    client.put_bucket_versioning(bucket, "Enabled")
    old = client.put_object(bucket, "k", b"old").version_id
    new = client.put_object(bucket, "k", b"new").version_id
    if state == "Suspended":
        client.put_bucket_versioning(bucket, "Suspended")
    r = client.delete_object(bucket, "k", version_id=new)
    assert r.status == 204
    assert_version_id_header(r.headers, new)
    assert_delete_marker_header(r.headers, False)
    assert not r.delete_marker
    assert client.get_object(bucket, "k").body == b"old"
    assert _versions(client, bucket, "k") == [(old, False, True)]


@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_delete_noncurrent_data_version_leaves_current_alone(client, bucket, state):
    client.put_bucket_versioning(bucket, "Enabled")
    old = client.put_object(bucket, "k", b"old").version_id
    new = client.put_object(bucket, "k", b"new").version_id
    if state == "Suspended":
        client.put_bucket_versioning(bucket, "Suspended")
    r = client.delete_object(bucket, "k", version_id=old)
    assert r.status == 204
    assert_version_id_header(r.headers, old)
    assert_delete_marker_header(r.headers, False)
    assert client.get_object(bucket, "k").body == b"new"
    assert _versions(client, bucket, "k") == [(new, False, True)]
    with pytest.raises(OssError) as e:
        client.get_object(bucket, "k", version_id=old)
    assert (e.value.status, e.value.code) == (404, "NoSuchVersion")


def test_suspended_delete_of_null_version_by_id(client, bucket):
    _make_versioned(client, bucket, "Suspended")
    client.put_object(bucket, "k", b"null-data")
    r = client.delete_object(bucket, "k", version_id="null")
    assert r.status == 204
    assert_version_id_header(r.headers, "null")
    assert_delete_marker_header(r.headers, False)
    assert _versions(client, bucket, "k") == []
    _assert_gone_without_marker(client, bucket, "k")


@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_delete_of_a_marker_by_id_removes_it_and_undeletes(client, bucket, state):
    client.put_bucket_versioning(bucket, "Enabled")
    vid = client.put_object(bucket, "k", b"data").version_id
    marker = client.delete_object(bucket, "k").headers["x-oss-version-id"]
    if state == "Suspended":
        client.put_bucket_versioning(bucket, "Suspended")
    r = client.delete_object(bucket, "k", version_id=marker)
    assert r.status == 204
    assert_delete_marker_header(r.headers, True)
    assert_version_id_header(r.headers, marker)
    assert r.delete_marker is True
    assert client.get_object(bucket, "k").body == b"data"
    assert _versions(client, bucket, "k") == [(vid, False, True)]


@pytest.mark.parametrize("state", ["Enabled", "Suspended"])
def test_delete_of_unknown_version_id_is_204_noop(client, bucket, state):
    client.put_bucket_versioning(bucket, "Enabled")
    # A genuine, well-formed ID that no longer names anything: delete a version, then reuse it.
    gone = client.put_object(bucket, "k", b"gone").version_id
    keep = client.put_object(bucket, "k", b"keep").version_id
    client.delete_object(bucket, "k", version_id=gone)
    if state == "Suspended":
        client.put_bucket_versioning(bucket, "Suspended")
    r = client.delete_object(bucket, "k", version_id=gone)
    assert r.status == 204
    assert_version_id_header(r.headers, gone)
    assert_delete_marker_header(r.headers, False)
    assert client.get_object(bucket, "k").body == b"keep"
    assert _versions(client, bucket, "k") == [(keep, False, True)]


def test_delete_marker_header_is_only_ever_true(client, bucket):
    """Across every kind of delete, x-oss-delete-marker is 'true' or absent, never 'false'."""
    seen = []
    seen.append(client.delete_object(bucket, "a").headers)  # unversioned, missing
    client.put_object(bucket, "a", b"1")
    seen.append(client.delete_object(bucket, "a").headers)  # unversioned, present
    client.put_bucket_versioning(bucket, "Enabled")
    v = client.put_object(bucket, "a", b"2").version_id
    m = client.delete_object(bucket, "a")
    seen.append(m.headers)
    seen.append(client.delete_object(bucket, "a", version_id=v).headers)
    seen.append(client.delete_object(bucket, "a", version_id=m.headers["x-oss-version-id"]).headers)
    client.put_bucket_versioning(bucket, "Suspended")
    seen.append(client.delete_object(bucket, "a").headers)
    values = [h.get("x-oss-delete-marker") for h in seen]
    assert set(values) <= {None, "true"}, values
    assert values == [None, None, "true", None, "true", "true"]
