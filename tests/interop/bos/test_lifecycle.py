"""Lifecycle with bce-python-sdk (`put_bucket_lifecycle`, `get_bucket_lifecycle`,
`delete_bucket_lifecycle`) and the JS SDK (`putBucketLifecycle`, `getBucketLifecycle`,
`deleteBucketLifecycle`): PUT `?lifecycle` with `{"rule": [...]}` (200), GET echoing the rules
(404 `NoLifecycleConfiguration` when there are none), DELETE (204); the documents' errors; the
`Transition` action refused with 501; and what the rules do, on a server whose lifecycle day
lasts `LIFECYCLE_DAY` seconds: `DeleteObject` after `$(lastModified)+P1D` removes the objects
under the rule's resource and no others, an absolute date in the past removes them at once,
`AbortMultipartUpload` aborts uploads, `ExpiredObjectDeleteMarker` removes lone delete markers.
Every wait polls until the expected state and fails after a generous deadline.
"""

from __future__ import annotations

import json
import time

import pytest

from ..common import unique_bucket_name
from ..conftest import LIFECYCLE_DAY, USERS
from .support import (
    assert_json_error,
    encode_path,
    expect_error,
    make_client,
    node_ok,
    put_many,
    run_node,
    version_entries,
)

LIFECYCLE = {"lifecycle": None}
JSON = {"Content-Type": "application/json; charset=utf-8"}
# Long enough for a rule of a few lifecycle days, the executor's runs and a loaded machine.
DEADLINE = 60 + 10 * LIFECYCLE_DAY


def rule(bucket, *prefixes, id="r1", when="$(lastModified)+P1D", action="DeleteObject",
         status="enabled", **extra) -> dict:
    """A BOS rule on `bucket/PREFIX*` for each prefix (none: the whole bucket)."""
    r = {
        "id": id,
        "status": status,
        "resource": [f"{bucket}/{p}*" for p in prefixes or ("",)],
        "condition": {"time": {"dateGreaterThan": when}} if when else {},
        "action": {"name": action},
    }
    r.update(extra)
    return r


def put_doc(raw, bucket, doc):
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return raw.request("PUT", encode_path(bucket), LIFECYCLE, JSON, body)


def get_doc(raw, bucket) -> dict:
    r = raw.request("GET", encode_path(bucket), LIFECYCLE)
    assert r.status == 200, r.body
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    return r.json()


def no_lifecycle(bos, bucket):
    expect_error(bos.get_bucket_lifecycle, bucket, status=404, code="NoLifecycleConfiguration")


def wait_until(what: str, probe, timeout: float = DEADLINE):
    """Calls probe() until it returns (True, state); fails with the last state after timeout."""
    end = time.monotonic() + timeout
    while True:
        done, state = probe()
        if done:
            return state
        if time.monotonic() > end:
            pytest.fail(f"{what}: not so after {timeout:.0f}s; last seen {state!r}", pytrace=False)
        time.sleep(0.25)


def keys(bos, bucket) -> list[str]:
    return sorted(o.key for o in bos.list_objects(bucket).contents or [])


def uploads(bos, bucket) -> list[str]:
    return sorted(u.key for u in bos.list_multipart_uploads(bucket).uploads or [])


# --- configuration --------------------------------------------------------------------------------


def test_sdk_round_trip_as_the_sdk_s_own_test(bos, bucket):
    # bce-python-sdk's TestGetBucketLifecycle, with DeleteObject for its Transition (refused
    # below): every field it checks comes back unchanged.
    r = {
        "id": "rule1",
        "status": "enabled",
        "action": {"name": "DeleteObject"},
        "resource": [bucket + "/*"],
        "condition": {"time": {"dateGreaterThan": "2017-04-07T00:00:00Z"}},
    }
    put = bos.put_bucket_lifecycle(bucket, [r])
    assert put.metadata.bce_request_id
    got = bos.get_bucket_lifecycle(bucket)
    assert got.metadata.bce_request_id
    assert len(got.rule) == 1
    assert got.rule[0].status == "enabled"
    assert got.rule[0].action.name == "DeleteObject"
    assert got.rule[0].action.storage_class is None
    assert got.rule[0].resource == [bucket + "/*"]
    assert got.rule[0].id == "rule1"
    assert got.rule[0].condition.time.date_greater_than == "2017-04-07T00:00:00Z"


def test_the_sdk_s_transition_rule_is_not_implemented(raw, bos, bucket):
    transition = rule(bucket, when="2017-04-07T00:00:00Z", action="Transition")
    transition["action"]["storageClass"] = "STANDARD_IA"
    expect_error(bos.put_bucket_lifecycle, bucket, [transition], status=501,
                 code="NotImplemented")
    no_lifecycle(bos, bucket)
    # Beside a valid rule, the whole document is refused; what was there stays.
    bos.put_bucket_lifecycle(bucket, [rule(bucket, "a/", id="kept")])
    assert_json_error(put_doc(raw, bucket, {"rule": [rule(bucket, "b/", id="new"), transition]}),
                      501, "NotImplemented")
    assert [r["id"] for r in get_doc(raw, bucket)["rule"]] == ["kept"]


def test_every_field_round_trips_on_the_wire(raw, bucket):
    b = bucket
    doc = {"rule": [
        rule(b, "logs/", "tmp/a", id="logs", status="disabled",
             condition={"time": {"dateGreaterThan": "$(lastModified)+P7D"},
                        "objectSize": {"minSize": 1024, "maxSize": 2048}},
             **{"not": {"resource": f"{b}/logs/keep*", "tag": {"k": "v"}}}),
        rule(b, id="markers", when=None, ExpiredObjectDeleteMarker="true"),
        rule(b, "up/", id="uploads", when="$(lastModified)+P3D", action="AbortMultipartUpload"),
        rule(b, id="old", when="$(lastModified)+P5D", action="NonCurrentVersionDeleteObject"),
        rule(b, id="tagged", condition={"time": {"dateGreaterThan": "$(lastModified)+P1D"},
                                        "tag": {"a": "1", "b": "2"}}),
        rule(b, "x/", id="dated", when="2030-01-01T00:00:00Z"),
    ]}
    r = put_doc(raw, b, doc)
    assert (r.status, r.body) == (200, b""), r.body
    assert get_doc(raw, b) == doc


def test_go_sdk_s_empty_members_are_absent(raw, bos, bucket):
    # bce-sdk-go marshals a rule without time, size or exclusion so, and "id": "" without an ID.
    go = {"id": "", "status": "enabled", "resource": [f"{bucket}/x/*"],
          "condition": {"time": {"dateGreaterThan": ""}, "objectSize": {}},
          "action": {"name": "DeleteObject"}, "ExpiredObjectDeleteMarker": "true", "not": {}}
    r = put_doc(raw, bucket, {"rule": [go]})
    assert r.status == 200, r.body
    [got] = get_doc(raw, bucket)["rule"]
    assert got == {"id": "rule-1", "status": "enabled", "resource": [f"{bucket}/x/*"],
                   "condition": {}, "action": {"name": "DeleteObject"},
                   "ExpiredObjectDeleteMarker": "true"}
    # The Python SDK reads the marker member as any other.
    assert bos.get_bucket_lifecycle(bucket).rule[0].expired_object_delete_marker == "true"


def test_put_replaces_and_delete_removes(raw, bos, bucket):
    no_lifecycle(bos, bucket)
    # Deleting what is not there succeeds.
    r = raw.request("DELETE", encode_path(bucket), LIFECYCLE)
    assert (r.status, r.body) == (204, b"")
    bos.put_bucket_lifecycle(bucket, [rule(bucket, "a/", id="one"), rule(bucket, "b/", id="two")])
    assert [x.id for x in bos.get_bucket_lifecycle(bucket).rule] == ["one", "two"]
    bos.put_bucket_lifecycle(bucket, [rule(bucket, "c/", id="three")])
    got = bos.get_bucket_lifecycle(bucket).rule
    assert [(x.id, x.resource) for x in got] == [("three", [f"{bucket}/c/*"])]
    r = raw.request("DELETE", encode_path(bucket), LIFECYCLE)
    assert (r.status, r.body) == (204, b"")
    no_lifecycle(bos, bucket)
    bos.delete_bucket_lifecycle(bucket)
    no_lifecycle(bos, bucket)


def test_js_sdk_round_trip(server, bos, bucket):
    r = rule(bucket, "logs/", id="js-rule", when="$(lastModified)+P30D")
    transition = rule(bucket, action="Transition")
    transition["action"]["storageClass"] = "COLD"
    put, got, refused, delete, gone = run_node(server, [
        ("putBucketLifecycle", bucket, {"rule": [r]}),
        ("getBucketLifecycle", bucket),
        ("putBucketLifecycle", bucket, {"rule": [transition]}),
        ("deleteBucketLifecycle", bucket),
        ("getBucketLifecycle", bucket),
    ])
    node_ok(put)
    assert node_ok(got).body == {"rule": [r]}
    assert (refused.ok, refused.status, refused.code) == (False, 501, "NotImplemented")
    node_ok(delete)
    assert (gone.ok, gone.status, gone.code) == (False, 404, "NoLifecycleConfiguration")
    assert gone.request_id
    no_lifecycle(bos, bucket)


def test_missing_bucket_is_no_such_bucket(bos):
    b = unique_bucket_name("bos-lifecycle-missing")
    expect_error(bos.put_bucket_lifecycle, b, [rule(b)], status=404, code="NoSuchBucket")
    expect_error(bos.get_bucket_lifecycle, b, status=404, code="NoSuchBucket")
    expect_error(bos.delete_bucket_lifecycle, b, status=404, code="NoSuchBucket")
    assert not bos.does_bucket_exist(b)


def test_another_user_is_refused(server, bos, bucket):
    bob = make_client(server, USERS["bob"].access_key, USERS["bob"].secret_key)
    expect_error(bob.put_bucket_lifecycle, bucket, [rule(bucket)], status=403,
                 code="AccessDenied")
    no_lifecycle(bos, bucket)
    bos.put_bucket_lifecycle(bucket, [rule(bucket)])
    expect_error(bob.get_bucket_lifecycle, bucket, status=403, code="AccessDenied")
    expect_error(bob.delete_bucket_lifecycle, bucket, status=403, code="AccessDenied")
    assert [x.id for x in bos.get_bucket_lifecycle(bucket).rule] == ["r1"]


def _bad_rules(b):
    """(name, rule) pairs the server refuses with 400 InvalidArgument."""
    base = rule(b)
    def w(**kw):
        return {**base, **kw}
    return [
        ("other bucket", w(resource=["someone-else/*"])),
        ("no final star", w(resource=[f"{b}/logs/"])),
        ("one key", w(resource=[f"{b}/exact.txt"])),
        ("star inside", w(resource=[f"{b}/a*b*"])),
        ("no resource", w(resource=[])),
        ("status case", w(status="Enabled")),
        ("no status", w(status="")),
        ("zero days", w(condition={"time": {"dateGreaterThan": "$(lastModified)+P0D"}})),
        ("weeks", w(condition={"time": {"dateGreaterThan": "$(lastModified)+P1W"}})),
        ("not midnight", w(condition={"time": {"dateGreaterThan": "2030-01-01T08:00:00Z"}})),
        ("date only", w(condition={"time": {"dateGreaterThan": "2030-01-01"}})),
        ("no time", w(condition={})),
        ("unknown action", w(action={"name": "Archive"})),
        ("storage class", w(action={"name": "DeleteObject", "storageClass": "COLD"})),
        ("abort by date", w(action={"name": "AbortMultipartUpload"},
                            condition={"time": {"dateGreaterThan": "2020-01-01T00:00:00Z"}})),
        ("marker and days", w(ExpiredObjectDeleteMarker="true")),
        ("marker value", w(ExpiredObjectDeleteMarker="maybe")),
        ("sizes", w(condition={"time": {"dateGreaterThan": "$(lastModified)+P1D"},
                               "objectSize": {"minSize": 10, "maxSize": 5}})),
        ("not elsewhere", {**base, "not": {"resource": "someone-else/*"}}),
        ("unknown member", w(filter={"prefix": "a"})),
        ("long id", w(id="x" * 256)),
    ]


@pytest.mark.parametrize("name", [n for n, _ in _bad_rules("b")])
def test_bad_rules_are_invalid_argument(raw, bos, bucket, name):
    [bad] = [r for n, r in _bad_rules(bucket) if n == name]
    expect_error(bos.put_bucket_lifecycle, bucket, [bad], status=400, code="InvalidArgument")
    assert_json_error(put_doc(raw, bucket, {"rule": [bad]}), 400, "InvalidArgument")
    no_lifecycle(bos, bucket)


@pytest.mark.parametrize("body, code", [
    (b"", "InvalidArgument"),
    (b"{}", "InvalidArgument"),
    (b'{"rule": []}', "InvalidArgument"),
    (b'{"rule": {"id": "x"}}', "InvalidArgument"),
    (b'{"rule": [', "MalformedJSON"),
    (b"rule=1", "MalformedJSON"),
    (b'{"rule": [' + b"[" * 40 + b"]" * 40 + b"]}", "MalformedJSON"),
])
def test_bad_documents_are_refused(raw, bos, bucket, body, code):
    bos.put_bucket_lifecycle(bucket, [rule(bucket, id="kept")])
    assert_json_error(put_doc(raw, bucket, body), 400, code)
    assert [x.id for x in bos.get_bucket_lifecycle(bucket).rule] == ["kept"]


def test_duplicate_ids_are_invalid_argument(bos, bucket):
    expect_error(bos.put_bucket_lifecycle, bucket, [rule(bucket, "a/"), rule(bucket, "b/")],
                 status=400, code="InvalidArgument")
    no_lifecycle(bos, bucket)


# --- what the rules do ----------------------------------------------------------------------------


def test_delete_object_after_a_day_removes_only_what_the_rule_names(bos, bucket):
    b = bucket
    doomed = ["expire/a", "expire/b/c", "also/x"]
    spared = ["expire/keep/1", "expired", "other/a", "off/a", "big/a"]
    put_many(bos, b, doomed + spared)
    bos.put_object_from_string(b, "big/b", b"y" * 100)
    bos.put_bucket_lifecycle(b, [
        rule(b, "expire/", "also/", id="expire", **{"not": {"resource": f"{b}/expire/keep*"}}),
        # Disabled: does nothing, though due as soon as the first.
        rule(b, "off/", id="off", status="disabled"),
        # Sizes 50..1000 only: big/b (100 bytes) goes, big/a (1 byte) stays.
        rule(b, "big/", id="big", condition={"time": {"dateGreaterThan": "$(lastModified)+P1D"},
                                             "objectSize": {"minSize": 50, "maxSize": 1000}}),
    ])
    want = sorted(spared)
    left = wait_until("the expired objects are gone", lambda: (
        (ks := keys(bos, b)) == want, ks))
    assert left == want
    # Everything was written before the rules, so what is still there was not due.
    assert keys(bos, b) == want


def test_a_date_in_the_past_expires_at_once(bos, bucket):
    b = bucket
    put_many(bos, b, ["old/1", "old/2", "new/1"])
    bos.put_bucket_lifecycle(b, [rule(b, "old/", when="2020-01-01T00:00:00Z")])
    wait_until("old/ is emptied", lambda: ((ks := keys(bos, b)) == ["new/1"], ks))
    # The rule keeps acting: an object written now under old/ goes too.
    bos.put_object_from_string(b, "old/3", b"late")
    wait_until("old/3 is gone", lambda: ((ks := keys(bos, b)) == ["new/1"], ks))


def test_abort_multipart_upload_aborts_uploads(bos, bucket):
    b = bucket
    for key in ["up/a", "up/b", "stay/c"]:
        bos.initiate_multipart_upload(b, key)
    bos.put_bucket_lifecycle(b, [rule(b, "up/", action="AbortMultipartUpload")])
    wait_until("the uploads under up/ are aborted", lambda: (
        (us := uploads(bos, b)) == ["stay/c"], us))
    # Only the uploads: objects are not touched by an abort rule.
    bos.put_object_from_string(b, "up/object", b"x")
    u = bos.initiate_multipart_upload(b, "up/new").upload_id
    wait_until("the new upload is aborted", lambda: ((us := uploads(bos, b)) == ["stay/c"], us))
    expect_error(bos.list_parts, b, "up/new", u, status=404, code="NoSuchUpload")
    assert keys(bos, b) == ["up/object"]


def test_delete_object_in_a_versioned_bucket_adds_a_delete_marker(bos, versioned_bucket):
    b = versioned_bucket
    vid = bos.put_object_from_string(b, "v/k", b"one").metadata.bce_version_id
    bos.put_bucket_lifecycle(b, [rule(b, "v/")])

    def state():
        entries = version_entries(bos, b)
        return [(bool(getattr(e, "delete_marker", False)), e.is_latest) for e in entries], entries

    def expired():
        shape, entries = state()
        return shape == [(True, True), (False, False)], entries

    entries = wait_until("v/k has a delete marker on top", expired)
    assert entries[1].version_id == vid
    assert keys(bos, b) == []
    assert bos.get_object_as_string(b, "v/k", version_id=vid) == b"one"


def test_expired_object_delete_marker_removes_lone_markers(bos, versioned_bucket):
    b = versioned_bucket
    # A lone marker (its version removed), and a marker with a version under it.
    v1 = bos.put_object_from_string(b, "lone", b"x").metadata.bce_version_id
    bos.delete_object(b, "lone")
    bos.delete_object(b, "lone", version_id=v1)
    kept = bos.put_object_from_string(b, "covered", b"y").metadata.bce_version_id
    bos.delete_object(b, "covered")
    bos.put_bucket_lifecycle(b, [rule(b, when=None, ExpiredObjectDeleteMarker="true")])

    def lone_gone():
        entries = version_entries(bos, b)
        return [e.key for e in entries] == ["covered", "covered"], entries

    entries = wait_until("the lone delete marker is removed", lone_gone)
    assert {e.version_id for e in entries} >= {kept}
