"""A bucket's retention policy (BucketWorm) through oss2 and alibabacloud-oss-v2, each with
both signature versions: InitiateBucketWorm, CompleteBucketWorm, ExtendBucketWorm,
AbortBucketWorm, GetBucketWorm, and what a rule in force protects.

The sequence of oss2's own `tests/test_bucket_worm.py` (run against real OSS): initiate
(InProgress), complete (Locked), extend (2 days), abort refused once locked (403
`WORMConfigurationLocked`), none read as 404 `NoSuchWORMConfiguration`, extend of a rule in
progress 400 `InvalidWORMConfiguration`. Under a rule (in progress or locked) every object is
protected for the rule's days from its last modification: a delete or an overwrite of it is
409 `FileImmutable` (OSS documents the refusal, not its code); reads and new keys are allowed.

Time itself cannot be waited for over HTTP: an in-progress rule lapsing after 24 hours, and
an object's protection ending after the rule's days, are covered by the core's tests (an
injected clock), not here.
"""

from __future__ import annotations

import datetime
import re

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from . import access_clients as ac
from .clients import CLIENT_KINDS, Client, OssError
from .support import content_md5

# --- the five operations, through each SDK ----------------------------------------------------


def init_worm(c: Client, bucket: str, days: int) -> str:
    """InitiateBucketWorm; the ID the SDK read from `x-oss-worm-id`."""
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).init_bucket_worm(days).worm_id
        return c.client.initiate_bucket_worm(ossv2.models.InitiateBucketWormRequest(
            bucket=bucket,
            initiate_worm_configuration=ossv2.models.InitiateWormConfiguration(
                retention_period_in_days=days))).worm_id


def abort_worm(c: Client, bucket: str) -> int:
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).abort_bucket_worm().status
        return c.client.abort_bucket_worm(
            ossv2.models.AbortBucketWormRequest(bucket=bucket)).status_code


def complete_worm(c: Client, bucket: str, worm_id: str) -> int:
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).complete_bucket_worm(worm_id).status
        return c.client.complete_bucket_worm(ossv2.models.CompleteBucketWormRequest(
            bucket=bucket, worm_id=worm_id)).status_code


def extend_worm(c: Client, bucket: str, worm_id: str, days: int) -> int:
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).extend_bucket_worm(worm_id, days).status
        return c.client.extend_bucket_worm(ossv2.models.ExtendBucketWormRequest(
            bucket=bucket, worm_id=worm_id,
            extend_worm_configuration=ossv2.models.ExtendWormConfiguration(
                retention_period_in_days=days))).status_code


def get_worm(c: Client, bucket: str) -> dict:
    """What the SDK parsed: id, state, days, creation (and, v2 only, expiration) date."""
    with c._errors():
        if c.sdk == "oss2":
            r = c.bucket(bucket).get_bucket_worm()
            # oss2 declares `worm_state` but its parser sets `state`.
            return {"id": r.worm_id, "state": r.state, "days": r.retention_period_days,
                    "created": r.creation_date, "expires": None}
        w = c.client.get_bucket_worm(
            ossv2.models.GetBucketWormRequest(bucket=bucket)).worm_configuration
        return {"id": w.worm_id, "state": w.state, "days": w.retention_period_in_days,
                "created": w.creation_date, "expires": w.expiration_date}


def refused(call, status, code):
    with pytest.raises(OssError) as e:
        call()
    assert (e.value.status, e.value.code) == (status, code), e.value
    return e.value


def no_worm(c: Client, bucket: str) -> None:
    refused(lambda: get_worm(c, bucket), 404, "NoSuchWORMConfiguration")


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def parse_iso(text: str) -> datetime.datetime:
    assert ISO.match(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def locked(c: Client, bucket: str, days: int = 1) -> str:
    worm_id = init_worm(c, bucket, days)
    assert complete_worm(c, bucket, worm_id) == 200
    return worm_id


# --- the rule's life --------------------------------------------------------------------------

def test_initiate_complete_extend_and_the_refusals_of_a_locked_rule(client, bucket):
    no_worm(client, bucket)
    worm_id = init_worm(client, bucket, 1)
    assert worm_id
    w = get_worm(client, bucket)
    assert (w["id"], w["state"], w["days"]) == (worm_id, "InProgress", 1)
    created = parse_iso(w["created"])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 300
    if client.sdk == "v2":
        assert parse_iso(w["expires"]) - created == datetime.timedelta(hours=24)

    assert complete_worm(client, bucket, worm_id) == 200
    w = get_worm(client, bucket)
    assert (w["id"], w["state"], w["days"]) == (worm_id, "Locked", 1)
    assert parse_iso(w["created"]) == created
    assert w["expires"] is None  # only a rule in progress lapses

    assert extend_worm(client, bucket, worm_id, 2) == 200
    w = get_worm(client, bucket)
    assert (w["id"], w["state"], w["days"]) == (worm_id, "Locked", 2)

    # A locked rule is never removed, shortened or completed again.
    refused(lambda: abort_worm(client, bucket), 403, "WORMConfigurationLocked")
    refused(lambda: extend_worm(client, bucket, worm_id, 1), 400, "InvalidWORMConfiguration")
    refused(lambda: complete_worm(client, bucket, worm_id), 403, "WORMConfigurationLocked")
    refused(lambda: init_worm(client, bucket, 3), 400, "InvalidWORMConfiguration")
    # Another ID names no rule.
    refused(lambda: extend_worm(client, bucket, "0" * 16, 3), 404, "NoSuchWORMConfiguration")
    assert extend_worm(client, bucket, worm_id, 2) == 200  # the same length is no shortening
    w = get_worm(client, bucket)
    assert (w["id"], w["state"], w["days"]) == (worm_id, "Locked", 2)


def test_a_rule_in_progress_is_aborted_and_not_extended(client, bucket):
    refused(lambda: abort_worm(client, bucket), 404, "NoSuchWORMConfiguration")
    refused(lambda: complete_worm(client, bucket, "0" * 16), 404, "NoSuchWORMConfiguration")
    worm_id = init_worm(client, bucket, 30)
    refused(lambda: extend_worm(client, bucket, worm_id, 40), 400, "InvalidWORMConfiguration")
    refused(lambda: complete_worm(client, bucket, worm_id + "x"), 404, "NoSuchWORMConfiguration")
    refused(lambda: init_worm(client, bucket, 2), 400, "InvalidWORMConfiguration")
    w = get_worm(client, bucket)
    assert (w["id"], w["state"], w["days"]) == (worm_id, "InProgress", 30)

    assert abort_worm(client, bucket) == 204
    no_worm(client, bucket)
    refused(lambda: complete_worm(client, bucket, worm_id), 404, "NoSuchWORMConfiguration")
    # A new rule after the abort has a new ID.
    again = init_worm(client, bucket, 5)
    assert again and again != worm_id
    assert get_worm(client, bucket)["days"] == 5


def test_the_get_document(raw, bucket, admin):
    worm_id = init_worm(admin, bucket, 7)
    r = raw.request("GET", bucket, params={"worm": ""})
    assert r.status == 200, r.body
    assert r.headers["Content-Type"] == "application/xml"
    doc = r.xml()
    assert doc.tag == "WormConfiguration"
    assert [c.tag for c in doc] == ["WormId", "State", "RetentionPeriodInDays", "CreationDate",
                                    "ExpirationDate"]
    assert doc.findtext("WormId") == worm_id
    assert doc.findtext("State") == "InProgress"
    assert doc.findtext("RetentionPeriodInDays") == "7"
    created = parse_iso(doc.findtext("CreationDate"))
    assert parse_iso(doc.findtext("ExpirationDate")) - created == datetime.timedelta(hours=24)

    r = raw.request("POST", bucket, params={"wormId": worm_id})
    assert (r.status, r.body) == (200, b"")
    doc = raw.request("GET", bucket, params={"worm": ""}).xml()
    assert [c.tag for c in doc] == ["WormId", "State", "RetentionPeriodInDays", "CreationDate"]
    assert doc.findtext("State") == "Locked"


def worm_doc(root: str, days: str) -> bytes:
    return (f"<{root}><RetentionPeriodInDays>{days}</RetentionPeriodInDays></{root}>").encode()


@pytest.mark.parametrize("body, code", [
    (worm_doc("InitiateWormConfiguration", "0"), "InvalidArgument"),
    (worm_doc("InitiateWormConfiguration", "25568"), "InvalidArgument"),  # past 70 years
    (worm_doc("InitiateWormConfiguration", "-1"), "InvalidArgument"),
    (worm_doc("InitiateWormConfiguration", "ten"), "InvalidArgument"),
    (worm_doc("ExtendWormConfiguration", "1"), "MalformedXML"),
    (b"<InitiateWormConfiguration/>", "MalformedXML"),
    (b"<InitiateWormConfiguration>", "MalformedXML"),
    (b"", "MalformedXML"),
])
def test_initiate_with_a_bad_retention_is_refused(raw, admin, bucket, body, code):
    headers = {"Content-MD5": content_md5(body), "Content-Type": "application/xml"}
    r = raw.request("POST", bucket, params={"worm": ""}, headers=headers, data=body)
    assert (r.status, r.error_code()) == (400, code), r.body
    assert "x-oss-worm-id" not in r.headers
    no_worm(admin, bucket)


def test_extend_with_a_bad_retention_is_refused(raw, admin, bucket):
    worm_id = locked(admin, bucket, 3)
    for body, code in [(worm_doc("ExtendWormConfiguration", "x"), "InvalidArgument"),
                       (worm_doc("ExtendWormConfiguration", "25568"), "InvalidArgument"),
                       (worm_doc("InitiateWormConfiguration", "9"), "MalformedXML")]:
        r = raw.request("POST", bucket, params={"wormId": worm_id, "wormExtend": ""}, data=body)
        assert (r.status, r.error_code()) == (400, code), r.body
    assert get_worm(admin, bucket)["days"] == 3


def test_the_operations_on_a_missing_bucket(client, bucket_name):
    for call in (lambda: init_worm(client, bucket_name, 1),
                 lambda: get_worm(client, bucket_name),
                 lambda: abort_worm(client, bucket_name),
                 lambda: complete_worm(client, bucket_name, "0" * 16),
                 lambda: extend_worm(client, bucket_name, "0" * 16, 2)):
        refused(call, 404, "NoSuchBucket")


# --- what a rule protects (unversioned bucket) ------------------------------------------------

@pytest.fixture(params=["InProgress", "Locked"])
def worm_bucket(request, bucket, admin):
    """An unversioned bucket holding `k` (written before the rule) and `src`, under a rule of
    1 day in the given state."""
    admin.put_object(bucket, "k", b"protected")
    admin.put_object(bucket, "src", b"source")
    worm_id = init_worm(admin, bucket, 1)
    if request.param == "Locked":
        complete_worm(admin, bucket, worm_id)
    assert get_worm(admin, bucket)["state"] == request.param
    return bucket


def immutable(call):
    refused(call, 409, "FileImmutable")


def test_a_protected_object_is_neither_deleted_nor_overwritten(client, worm_bucket):
    b = worm_bucket
    immutable(lambda: client.delete_object(b, "k"))
    immutable(lambda: client.put_object(b, "k", b"overwrite"))
    immutable(lambda: client.copy_object(b, "src", "k"))
    immutable(lambda: client.copy_object(b, "k", "k"))
    assert client.get_object(b, "k").body == b"protected"
    assert client.head_object(b, "k").status == 200
    # Reads and new keys are allowed; copying from a protected object is a read.
    assert client.put_object(b, "new", b"fresh").status == 200
    assert client.copy_object(b, "k", "copy").status == 200
    assert client.get_object(b, "copy").body == b"protected"
    # What is written under the rule is protected from then on too.
    immutable(lambda: client.delete_object(b, "new"))
    immutable(lambda: client.put_object(b, "copy", b"again"))
    # Deleting a key that does not exist removes nothing.
    assert client.delete_object(b, "absent").status == 204
    assert sorted(client.list_objects(b).keys) == ["copy", "k", "new", "src"]


def test_a_multipart_upload_does_not_complete_over_a_protected_object(client, worm_bucket):
    b = worm_bucket
    upload_id = client.init_multipart(b, "k")
    part = client.upload_part(b, "k", upload_id, 1, b"part one")
    parts = [(1, part.headers["ETag"], b"part one")]
    immutable(lambda: client.complete_multipart(b, "k", upload_id, parts))
    assert client.get_object(b, "k").body == b"protected"
    assert client.abort_multipart(b, "k", upload_id).status == 204
    # A multipart upload to a new key completes.
    upload_id = client.init_multipart(b, "mp")
    part = client.upload_part(b, "mp", upload_id, 1, b"whole")
    assert client.complete_multipart(b, "mp", upload_id,
                                     [(1, part.headers["ETag"], b"whole")]).status == 200
    assert client.get_object(b, "mp").body == b"whole"


def test_an_append_never_modifies_a_protected_object(worm_bucket, admin):
    """OSS: AppendObject is refused on an object a retention policy protects. A new key may
    be created by an append; it is protected from then on, so the next append is refused."""
    b = admin.bucket(worm_bucket)
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        b.append_object("k", 9, b"more")
    assert b.append_object("log", 0, b"first").next_position == 5
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.append_object("log", 5, b"second")
    assert (e.value.status, e.value.code) == (409, "FileImmutable")
    assert admin.get_object(worm_bucket, "k").body == b"protected"
    assert admin.get_object(worm_bucket, "log").body == b"first"


def test_a_batch_delete_with_a_protected_key_deletes_nothing(client, worm_bucket, admin):
    """OSS's DeleteMultipleObjects answer has no per-key errors: one protected key refuses
    the whole request."""
    b = worm_bucket
    immutable(lambda: client.delete_objects(b, ["absent", "k"]))
    immutable(lambda: client.delete_objects(b, ["src", "k"], quiet=True))
    assert sorted(admin.list_objects(b).keys) == ["k", "src"]
    # A batch that removes nothing protected goes through.
    _, deleted = client.delete_objects(b, ["absent", "gone"])
    assert sorted(d.key for d in deleted) == ["absent", "gone"]


def test_an_aborted_rule_protects_nothing(client, bucket, admin):
    admin.put_object(bucket, "k", b"briefly protected")
    init_worm(admin, bucket, 1)
    immutable(lambda: client.delete_object(bucket, "k"))
    assert abort_worm(admin, bucket) == 204
    assert client.put_object(bucket, "k", b"overwritten").status == 200
    assert client.delete_object(bucket, "k").status == 204
    assert admin.list_objects(bucket).keys == []


def test_a_bucket_under_a_locked_rule(admin, bucket_name):
    """An empty bucket is deleted with its rule (OSS: the owner deletes the policy only this
    way); one that holds a protected object is not."""
    admin.create_bucket(bucket_name)
    locked(admin, bucket_name)
    assert admin.delete_bucket(bucket_name).status == 204
    refused(lambda: get_worm(admin, bucket_name), 404, "NoSuchBucket")
    admin.create_bucket(bucket_name)
    no_worm(admin, bucket_name)  # a new bucket of the same name has no rule
    admin.put_object(bucket_name, "k", b"kept")
    locked(admin, bucket_name)
    refused(lambda: admin.delete_bucket(bucket_name), 409, "BucketNotEmpty")
    immutable(lambda: admin.delete_object(bucket_name, "k"))


# --- versioning -------------------------------------------------------------------------------

def test_a_versioned_bucket_under_a_rule(client, versioned_bucket, admin):
    b = versioned_bucket
    v1 = admin.put_object(b, "k", b"first").version_id
    locked(admin, b)
    # A plain delete hides the object behind a delete marker; the version stays.
    r = client.delete_object(b, "k")
    assert r.status == 204 and r.delete_marker
    marker = r.version_id
    assert marker and marker != v1
    refused(lambda: client.get_object(b, "k"), 404, "NoSuchKey")
    immutable(lambda: client.delete_object(b, "k", version_id=v1))
    # A delete marker is never protected.
    assert client.delete_object(b, "k", version_id=marker).status == 204
    assert client.get_object(b, "k").body == b"first"
    # A write adds a version; the protected one stays.
    v2 = client.put_object(b, "k", b"second").version_id
    assert v2 and v2 != v1
    assert client.get_object(b, "k", version_id=v1).body == b"first"
    immutable(lambda: client.delete_object(b, "k", version_id=v2))
    immutable(lambda: client.delete_objects(b, [("k", v1)]))
    versions = {v.version_id for v in admin.list_object_versions(b).versions}
    assert versions == {v1, v2}


@pytest.mark.parametrize("state", ["InProgress", "Locked"])
def test_versioning_is_not_suspended_under_a_rule(client, versioned_bucket, state):
    b = versioned_bucket
    worm_id = init_worm(client, b, 1)
    if state == "Locked":
        complete_worm(client, b, worm_id)
    refused(lambda: client.put_bucket_versioning(b, "Suspended"), 409, "InvalidBucketState")
    assert client.get_bucket_versioning(b) == "Enabled"
    if state == "InProgress":
        abort_worm(client, b)
        assert client.put_bucket_versioning(b, "Suspended").status == 200


def test_an_unversioned_bucket_under_a_rule_may_enable_versioning(client, bucket):
    locked(client, bucket)
    assert client.put_bucket_versioning(bucket, "Enabled").status == 200
    refused(lambda: client.put_bucket_versioning(bucket, "Suspended"), 409, "InvalidBucketState")
    assert client.get_bucket_versioning(bucket) == "Enabled"


def test_initiate_is_refused_while_versioning_is_suspended(client, bucket):
    """OSS: versioning Enabled or never enabled, not Suspended (409 `InvalidBucketState`:
    the code is Strata's choice; OSS documents only the rule)."""
    client.put_bucket_versioning(bucket, "Enabled")
    client.put_bucket_versioning(bucket, "Suspended")
    refused(lambda: init_worm(client, bucket, 1), 409, "InvalidBucketState")
    no_worm(client, bucket)
    client.put_bucket_versioning(bucket, "Enabled")
    assert init_worm(client, bucket, 1)


# --- access -----------------------------------------------------------------------------------

@pytest.fixture(params=CLIENT_KINDS)
def bob(request, server):
    return ac.user_client(request.param, server, server.users["bob"])


def test_another_user_is_refused_every_operation(bob, admin, bucket, server):
    """The rule is the owner's alone, even on a public-read-write bucket; a bucket policy
    may grant it (`oss:GetBucketWorm`, ...)."""
    ac.put_bucket_acl(admin, bucket, "public-read-write")
    denied = (403, "AccessDenied")
    refused(lambda: init_worm(bob, bucket, 1), *denied)
    no_worm(admin, bucket)
    worm_id = init_worm(admin, bucket, 1)
    refused(lambda: get_worm(bob, bucket), *denied)
    refused(lambda: complete_worm(bob, bucket, worm_id), *denied)
    refused(lambda: abort_worm(bob, bucket), *denied)
    assert get_worm(admin, bucket)["state"] == "InProgress"
    complete_worm(admin, bucket, worm_id)
    refused(lambda: extend_worm(bob, bucket, worm_id, 5), *denied)
    assert get_worm(admin, bucket)["days"] == 1

    bob_id = server.users["bob"].id
    resource = [f"acs:oss:*:*:{bucket}"]
    ac.put_bucket_policy(admin, bucket, (
        '{"Version":"1","Statement":[{"Effect":"Allow","Principal":["%s"],'
        '"Action":["oss:GetBucketWorm","oss:ExtendBucketWorm"],"Resource":["%s"]}]}'
        % (bob_id, resource[0])))
    assert get_worm(bob, bucket)["id"] == worm_id
    assert extend_worm(bob, bucket, worm_id, 5) == 200
    assert get_worm(admin, bucket)["days"] == 5
    refused(lambda: abort_worm(bob, bucket), *denied)


def test_an_anonymous_request_is_refused(server, bucket, admin):
    anon = ac.anonymous_client("oss2-v1", server)
    ac.put_bucket_acl(admin, bucket, "public-read-write")
    refused(lambda: init_worm(anon, bucket, 1), 403, "AccessDenied")
    refused(lambda: get_worm(anon, bucket), 403, "AccessDenied")
    no_worm(admin, bucket)


def test_oss2_names_the_codes(bucket, admin):
    """oss2 raises its own exception classes for the WORM codes."""
    b = admin.bucket(bucket)
    with pytest.raises(oss2.exceptions.NoSuchWORMConfiguration):
        b.get_bucket_worm()
    worm_id = b.init_bucket_worm(1).worm_id
    with pytest.raises(oss2.exceptions.InvalidWORMConfiguration):
        b.extend_bucket_worm(worm_id, 2)
    b.complete_bucket_worm(worm_id)
    with pytest.raises(oss2.exceptions.WORMConfigurationLocked):
        b.abort_bucket_worm()
    b.put_object("k", b"x")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.delete_object("k")
    assert (e.value.status, e.value.code) == (409, "FileImmutable")

