"""boto3: S3 Object Lock — enabling it, the bucket's default retention, a version's retention
and legal hold, the lock headers of writes and reads, and what they protect.

| request on a locked version (retention in the future, or legal hold ON) | answer           |
|--------------------------------------------------------------------------|------------------|
| DELETE /k (no versionId)                                                 | 204, new marker  |
| DELETE ?versionId=V                                                      | 403 AccessDenied |
| same, x-amz-bypass-governance-retention (GOVERNANCE, no hold, permitted) | 204              |
| PUT /k                                                                   | a new version    |
| DeleteObjects with versionIds                                            | per entry        |

Object Lock is enabled at creation (`ObjectLockEnabledForBucket`) or by a configuration on a
bucket whose versioning is Enabled; it can never be turned off, nor versioning suspended.
Requests that set a lock carry a digest of their body (Content-MD5 or `x-amz-checksum-*`),
as AWS requires.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from .support import (
    capture_requests,
    crc32_b64,
    expect_error,
    headers_of,
    md5_b64,
    raw_request,
    status_of,
)
from .test_boto3_objects import trailer_checksums  # noqa: F401 (a fixture)

FAR = datetime(2099, 1, 1, tzinfo=timezone.utc)
FARTHER = datetime(2099, 6, 1, tzinfo=timezone.utc)
GOVERNANCE_FAR = {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}
# How long the tests' COMPLIANCE retentions last (nobody can remove them before).
COMPLIANCE_SECONDS = 4


def soon(seconds: float = COMPLIANCE_SECONDS) -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def to_ms(t: datetime) -> datetime:
    """`t` as the server keeps it: to the millisecond."""
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def release(admin, bucket: str) -> None:
    """Teardown: lifts every legal hold and deletes every version with the governance bypass,
    waiting out the tests' short COMPLIANCE retentions (bounded)."""
    deadline = time.monotonic() + 3 * COMPLIANCE_SECONDS + 10
    while time.monotonic() < deadline:
        try:
            page = admin.list_object_versions(Bucket=bucket)
        except Exception:
            return
        versions = page.get("Versions", [])
        entries = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                   for v in versions + page.get("DeleteMarkers", [])]
        if not entries:
            return
        for v in versions:
            try:
                admin.put_object_legal_hold(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"],
                                            LegalHold={"Status": "OFF"})
            except Exception:
                pass
        r = admin.delete_objects(Bucket=bucket, Delete={"Objects": entries, "Quiet": True},
                                 BypassGovernanceRetention=True)
        if r.get("Errors"):
            time.sleep(1)


@pytest.fixture
def lock_bucket(admin, new_bucket_name):
    """make(**create_bucket params) creates a bucket with Object Lock enabled; every bucket
    made is released after the test (then new_bucket_name removes it)."""
    names = []

    def make(client=None, **params) -> str:
        name = new_bucket_name()
        (client or admin).create_bucket(Bucket=name, ObjectLockEnabledForBucket=True, **params)
        names.append(name)
        return name

    yield make
    for name in names:
        release(admin, name)


@pytest.fixture
def locked(lock_bucket):
    """A fresh bucket with Object Lock enabled and no default retention."""
    return lock_bucket()


def default_rule(mode="GOVERNANCE", **period) -> dict:
    return {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": mode, **period}}}


def retention_of(s3, bucket, key, version_id=None):
    params = {"VersionId": version_id} if version_id else {}
    return s3.get_object_retention(Bucket=bucket, Key=key, **params)["Retention"]


def versions_of(s3, bucket, key="k") -> list[str]:
    return [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])
            if v["Key"] == key]


# --- enabling ---------------------------------------------------------------------------------

def test_enabled_at_create_turns_versioning_on_with_no_default(s3, locked):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    v = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    with expect_error(404, "NoSuchObjectLockConfiguration"):
        s3.get_object_retention(Bucket=locked, Key="k", VersionId=v)
    assert s3.get_object_legal_hold(Bucket=locked, Key="k")["LegalHold"] == {"Status": "OFF"}


def test_enabled_on_an_existing_bucket_only_while_versioning_is_enabled(s3, bucket,
                                                                         new_bucket_name):
    conf = default_rule(Days=1)
    with expect_error(404, "ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=bucket)
    with expect_error(409, "InvalidBucketState"):
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    with expect_error(409, "InvalidBucketState"):
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    with expect_error(404, "ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert status_of(s3.put_object_lock_configuration(
        Bucket=bucket, ObjectLockConfiguration=conf)) == 200
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
    # A configuration without a rule keeps Object Lock on and drops the default.
    s3.put_object_lock_configuration(Bucket=bucket,
                                     ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    # `false` at creation is a bucket without Object Lock.
    plain = new_bucket_name()
    s3.create_bucket(Bucket=plain, ObjectLockEnabledForBucket=False)
    with expect_error(404, "ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=plain)
    assert "Status" not in s3.get_bucket_versioning(Bucket=plain)


def test_an_unreadable_enable_header_is_refused(server, new_bucket_name, s3):
    name = new_bucket_name()
    r = raw_request(server, "PUT", f"/{name}", headers={"x-amz-bucket-object-lock-enabled": "yes"})
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text
    with expect_error(404):
        s3.head_bucket(Bucket=name)
    r = raw_request(server, "PUT", f"/{name}", headers={"x-amz-bucket-object-lock-enabled": "TRUE"})
    assert r.status_code == 200
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}


def test_versioning_cannot_be_suspended_once_enabled(s3, locked):
    with expect_error(409, "InvalidBucketState"):
        s3.put_bucket_versioning(Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=locked, VersioningConfiguration={"Status": "Enabled"})


@pytest.mark.parametrize("rule, code", [
    ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
    ({"Mode": "GOVERNANCE"}, "MalformedXML"),
    ({"Mode": "governance", "Days": 1}, "MalformedXML"),
    ({"Mode": "abc", "Years": 1}, "MalformedXML"),
    ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidRetentionPeriod"),
    ({"Mode": "GOVERNANCE", "Years": -1}, "InvalidRetentionPeriod"),
    ({"Mode": "COMPLIANCE", "Years": 71}, "InvalidRetentionPeriod"),
])
def test_a_bad_default_retention_is_refused_and_changes_nothing(s3, locked, rule, code):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=default_rule(Days=2))
    with expect_error(400, code):
        s3.put_object_lock_configuration(
            Bucket=locked,
            ObjectLockConfiguration={"ObjectLockEnabled": "Enabled",
                                     "Rule": {"DefaultRetention": rule}})
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == \
        default_rule(Days=2)


def test_object_lock_enabled_must_say_enabled(s3, locked):
    with expect_error(400, "MalformedXML"):
        s3.put_object_lock_configuration(
            Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Disabled"})


# --- default retention, explicit headers --------------------------------------------------------

@pytest.mark.parametrize("period, days", [({"Days": 1}, 1), ({"Years": 1}, 365)])
def test_the_default_retention_applies_to_new_versions(s3, locked, period, days):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=default_rule(**period))
    before = datetime.now(timezone.utc)
    v = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    after = datetime.now(timezone.utc)
    r = retention_of(s3, locked, "k", v)
    assert r["Mode"] == "GOVERNANCE"
    slack = timedelta(seconds=2)
    assert before + timedelta(days=days) - slack <= r["RetainUntilDate"] <= \
        after + timedelta(days=days) + slack
    head = s3.head_object(Bucket=locked, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] == r["RetainUntilDate"]
    with expect_error(403, "AccessDenied"):
        s3.delete_object(Bucket=locked, Key="k", VersionId=v)


def test_explicit_headers_override_the_default(s3, locked):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=default_rule(Days=1))
    v = s3.put_object(Bucket=locked, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=FAR)["VersionId"]
    assert retention_of(s3, locked, "k", v) == GOVERNANCE_FAR
    # A legal hold alone still gets the default retention.
    v2 = s3.put_object(Bucket=locked, Key="k", Body=b"y",
                       ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert retention_of(s3, locked, "k", v2)["RetainUntilDate"] < FAR
    assert s3.get_object_legal_hold(Bucket=locked, Key="k", VersionId=v2)["LegalHold"] == {
        "Status": "ON"}


def test_get_and_head_show_the_lock_headers(s3, locked):
    s3.put_object(Bucket=locked, Key="k", Body=b"data", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=FAR, ObjectLockLegalHoldStatus="ON")
    for r in (s3.get_object(Bucket=locked, Key="k"), s3.head_object(Bucket=locked, Key="k")):
        assert r["ObjectLockMode"] == "GOVERNANCE"
        assert r["ObjectLockRetainUntilDate"] == FAR
        assert r["ObjectLockLegalHoldStatus"] == "ON"
        assert headers_of(r)["x-amz-object-lock-retain-until-date"] == "2099-01-01T00:00:00.000Z"
    s3.put_object(Bucket=locked, Key="plain", Body=b"data")
    r = s3.head_object(Bucket=locked, Key="plain")
    assert not [h for h in headers_of(r) if h.startswith("x-amz-object-lock-")]


def test_lock_headers_are_validated(s3, locked):
    for params in ({"ObjectLockMode": "GOVERNANCE"},
                   {"ObjectLockRetainUntilDate": FAR},
                   {"ObjectLockMode": "governance", "ObjectLockRetainUntilDate": FAR},
                   {"ObjectLockLegalHoldStatus": "on"},
                   {"ObjectLockMode": "COMPLIANCE",
                    "ObjectLockRetainUntilDate": datetime(2001, 1, 1, tzinfo=timezone.utc)}):
        with expect_error(400, "InvalidArgument"):
            s3.put_object(Bucket=locked, Key="k", Body=b"x", **params)
    assert versions_of(s3, locked) == []


def test_lock_headers_on_a_bucket_without_object_lock_are_refused(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="src", Body=b"x")
    for params in ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": FAR},
                   {"ObjectLockLegalHoldStatus": "OFF"}):
        with expect_error(400, "InvalidRequest"):
            s3.put_object(Bucket=b, Key="k", Body=b"x", **params)
        with expect_error(400, "InvalidRequest"):
            s3.create_multipart_upload(Bucket=b, Key="k", **params)
        with expect_error(400, "InvalidRequest"):
            s3.copy_object(Bucket=b, Key="k", CopySource={"Bucket": b, "Key": "src"}, **params)
    assert versions_of(s3, b) == []
    assert s3.list_multipart_uploads(Bucket=b).get("Uploads", []) == []
    for call, extra in ((s3.get_object_retention, {}), (s3.get_object_legal_hold, {}),
                        (s3.put_object_retention, {"Retention": GOVERNANCE_FAR}),
                        (s3.put_object_legal_hold, {"LegalHold": {"Status": "ON"}})):
        with expect_error(400, "InvalidRequest"):
            call(Bucket=b, Key="src", **extra)


# --- what a lock protects ---------------------------------------------------------------------

def test_a_locked_version_survives_deletes_and_overwrites(s3, locked):
    v1 = s3.put_object(Bucket=locked, Key="k", Body=b"one", ObjectLockMode="GOVERNANCE",
                       ObjectLockRetainUntilDate=FAR)["VersionId"]
    with expect_error(403, "AccessDenied"):
        s3.delete_object(Bucket=locked, Key="k", VersionId=v1)
    # Without a versionId: a delete marker, which is never protected.
    d = s3.delete_object(Bucket=locked, Key="k")
    assert d["DeleteMarker"] is True
    with expect_error(404):
        s3.head_object(Bucket=locked, Key="k")
    assert status_of(s3.delete_object(Bucket=locked, Key="k", VersionId=d["VersionId"])) == 204
    assert s3.get_object(Bucket=locked, Key="k")["Body"].read() == b"one"
    # An overwrite makes a new version; the old one stays, still locked.
    v2 = s3.put_object(Bucket=locked, Key="k", Body=b"two")["VersionId"]
    assert versions_of(s3, locked) == [v2, v1]
    assert retention_of(s3, locked, "k", v1) == GOVERNANCE_FAR
    with expect_error(403, "AccessDenied"):
        s3.delete_object(Bucket=locked, Key="k", VersionId=v1)
    assert status_of(s3.delete_object(Bucket=locked, Key="k", VersionId=v2)) == 204
    # The governance bypass removes it.
    r = s3.delete_object(Bucket=locked, Key="k", VersionId=v1, BypassGovernanceRetention=True)
    assert status_of(r) == 204 and versions_of(s3, locked) == []


def test_the_bypass_never_lifts_compliance_or_a_legal_hold(s3, locked):
    until = soon()
    vc = s3.put_object(Bucket=locked, Key="c", Body=b"c", ObjectLockMode="COMPLIANCE",
                       ObjectLockRetainUntilDate=until)["VersionId"]
    vh = s3.put_object(Bucket=locked, Key="h", Body=b"h", ObjectLockMode="GOVERNANCE",
                       ObjectLockRetainUntilDate=FAR, ObjectLockLegalHoldStatus="ON")["VersionId"]
    for key, v in (("c", vc), ("h", vh)):
        with expect_error(403, "AccessDenied"):
            s3.delete_object(Bucket=locked, Key=key, VersionId=v, BypassGovernanceRetention=True)
    # The hold lifted, the bypass works on the governance retention.
    s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": "OFF"})
    assert status_of(s3.delete_object(Bucket=locked, Key="h", VersionId=vh,
                                      BypassGovernanceRetention=True)) == 204
    # COMPLIANCE ends at its date, not before.
    time.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.5)
    assert status_of(s3.delete_object(Bucket=locked, Key="c", VersionId=vc)) == 204


def test_multi_delete_reports_protected_entries_and_deletes_the_others(s3, locked):
    v1 = s3.put_object(Bucket=locked, Key="a", Body=b"a", ObjectLockMode="GOVERNANCE",
                       ObjectLockRetainUntilDate=FAR)["VersionId"]
    v2 = s3.put_object(Bucket=locked, Key="b", Body=b"b")["VersionId"]
    v3 = s3.put_object(Bucket=locked, Key="c", Body=b"c",
                       ObjectLockLegalHoldStatus="ON")["VersionId"]
    objects = [{"Key": "a", "VersionId": v1}, {"Key": "b", "VersionId": v2},
               {"Key": "c", "VersionId": v3}]
    r = s3.delete_objects(Bucket=locked, Delete={"Objects": objects})
    assert [(d["Key"], d["VersionId"]) for d in r["Deleted"]] == [("b", v2)]
    assert sorted((e["Key"], e["VersionId"], e["Code"]) for e in r["Errors"]) == [
        ("a", v1, "AccessDenied"), ("c", v3, "AccessDenied")]
    # The bypass applies to the whole batch: the governance retention gives way, the hold not.
    r = s3.delete_objects(Bucket=locked, Delete={"Objects": objects[::2]},
                          BypassGovernanceRetention=True)
    assert [(d["Key"], d["VersionId"]) for d in r["Deleted"]] == [("a", v1)]
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("c", "AccessDenied")]
    assert versions_of(s3, locked, "c") == [v3]


# --- changing a version's retention -------------------------------------------------------------

def test_governance_is_extended_freely_and_shortened_only_with_the_bypass(s3, locked):
    v = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    s3.put_object_retention(Bucket=locked, Key="k", Retention=GOVERNANCE_FAR)
    longer = {"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER}
    assert status_of(s3.put_object_retention(Bucket=locked, Key="k", Retention=longer)) == 200
    assert retention_of(s3, locked, "k") == longer
    with expect_error(403, "AccessDenied"):
        s3.put_object_retention(Bucket=locked, Key="k", Retention=GOVERNANCE_FAR)
    s3.put_object_retention(Bucket=locked, Key="k", Retention=GOVERNANCE_FAR,
                            BypassGovernanceRetention=True)
    assert retention_of(s3, locked, "k", v) == GOVERNANCE_FAR
    # Removing it (an empty Retention) needs the bypass as well.
    with expect_error(403, "AccessDenied"):
        s3.put_object_retention(Bucket=locked, Key="k", Retention={})
    s3.put_object_retention(Bucket=locked, Key="k", Retention={}, BypassGovernanceRetention=True)
    with expect_error(404, "NoSuchObjectLockConfiguration"):
        s3.get_object_retention(Bucket=locked, Key="k")
    assert status_of(s3.delete_object(Bucket=locked, Key="k", VersionId=v)) == 204


def test_governance_becomes_compliance_only_with_the_bypass_and_compliance_only_grows(s3, locked):
    until = soon()
    s3.put_object(Bucket=locked, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=until)
    compliance = {"Mode": "COMPLIANCE", "RetainUntilDate": until}
    with expect_error(403, "AccessDenied"):
        s3.put_object_retention(Bucket=locked, Key="k", Retention=compliance)
    s3.put_object_retention(Bucket=locked, Key="k", Retention=compliance,
                            BypassGovernanceRetention=True)
    assert retention_of(s3, locked, "k")["Mode"] == "COMPLIANCE"
    for weaker in ({"Mode": "GOVERNANCE", "RetainUntilDate": until},
                   {"Mode": "COMPLIANCE", "RetainUntilDate": until - timedelta(milliseconds=1)}):
        for bypass in (False, True):
            with expect_error(403, "AccessDenied"):
                s3.put_object_retention(Bucket=locked, Key="k", Retention=weaker,
                                        BypassGovernanceRetention=bypass)
    later = {"Mode": "COMPLIANCE", "RetainUntilDate": until + timedelta(seconds=1)}
    s3.put_object_retention(Bucket=locked, Key="k", Retention=later)
    assert retention_of(s3, locked, "k") == {"Mode": "COMPLIANCE",
                                             "RetainUntilDate": to_ms(later["RetainUntilDate"])}


def test_retention_by_version_id_and_its_refusals(s3, locked):
    v1 = s3.put_object(Bucket=locked, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=locked, Key="k", Body=b"two")
    s3.put_object_retention(Bucket=locked, Key="k", VersionId=v1, Retention=GOVERNANCE_FAR)
    assert retention_of(s3, locked, "k", v1) == GOVERNANCE_FAR
    with expect_error(404, "NoSuchObjectLockConfiguration"):
        s3.get_object_retention(Bucket=locked, Key="k")
    with expect_error(400, "InvalidArgument"):
        s3.put_object_retention(Bucket=locked, Key="k", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": datetime(2001, 1, 1, tzinfo=timezone.utc)})
    for mode in ("governance", "abc"):
        with expect_error(400, "MalformedXML"):
            s3.put_object_retention(Bucket=locked, Key="k",
                                    Retention={"Mode": mode, "RetainUntilDate": FAR})
    with expect_error(404, "NoSuchKey"):
        s3.put_object_retention(Bucket=locked, Key="absent", Retention=GOVERNANCE_FAR)


# --- legal hold ---------------------------------------------------------------------------------

def test_a_legal_hold_goes_on_and_off(s3, locked):
    v = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    assert status_of(s3.put_object_legal_hold(Bucket=locked, Key="k",
                                              LegalHold={"Status": "ON"})) == 200
    assert s3.get_object_legal_hold(Bucket=locked, Key="k", VersionId=v)["LegalHold"] == {
        "Status": "ON"}
    assert s3.head_object(Bucket=locked, Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    with expect_error(403, "AccessDenied"):
        s3.delete_object(Bucket=locked, Key="k", VersionId=v)
    with expect_error(400, "MalformedXML"):
        s3.put_object_legal_hold(Bucket=locked, Key="k", LegalHold={"Status": "abc"})
    s3.put_object_legal_hold(Bucket=locked, Key="k", VersionId=v, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="k")["LegalHold"] == {"Status": "OFF"}
    assert "ObjectLockLegalHoldStatus" not in s3.head_object(Bucket=locked, Key="k")
    assert status_of(s3.delete_object(Bucket=locked, Key="k", VersionId=v)) == 204


# --- multipart and copy -------------------------------------------------------------------------

def test_a_multipart_upload_gets_the_lock_it_asked_for(s3, locked):
    up = s3.create_multipart_upload(Bucket=locked, Key="k", ObjectLockMode="GOVERNANCE",
                                    ObjectLockRetainUntilDate=FAR,
                                    ObjectLockLegalHoldStatus="ON")["UploadId"]
    etag = s3.upload_part(Bucket=locked, Key="k", UploadId=up, PartNumber=1, Body=b"p")["ETag"]
    v = s3.complete_multipart_upload(Bucket=locked, Key="k", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})["VersionId"]
    head = s3.head_object(Bucket=locked, Key="k", VersionId=v)
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"],
            head["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", FAR, "ON")
    with expect_error(403, "AccessDenied"):
        s3.delete_object(Bucket=locked, Key="k", VersionId=v, BypassGovernanceRetention=True)


def test_a_copy_gets_its_own_lock_never_the_sources(s3, locked):
    s3.put_object(Bucket=locked, Key="src", Body=b"data", ObjectLockLegalHoldStatus="ON")
    src = {"Bucket": locked, "Key": "src"}
    v = s3.copy_object(Bucket=locked, Key="locked", CopySource=src, ObjectLockMode="GOVERNANCE",
                       ObjectLockRetainUntilDate=FAR)["VersionId"]
    assert retention_of(s3, locked, "locked", v) == GOVERNANCE_FAR
    assert s3.get_object_legal_hold(Bucket=locked, Key="locked")["LegalHold"] == {"Status": "OFF"}
    v = s3.copy_object(Bucket=locked, Key="plain", CopySource=src)["VersionId"]
    head = s3.head_object(Bucket=locked, Key="plain")
    assert "ObjectLockLegalHoldStatus" not in head and "ObjectLockMode" not in head
    assert status_of(s3.delete_object(Bucket=locked, Key="plain", VersionId=v)) == 204


# --- a digest of the body is required ------------------------------------------------------------

def test_lock_requests_without_a_body_digest_are_refused(server, s3, locked):
    lock = {"x-amz-object-lock-mode": "GOVERNANCE",
            "x-amz-object-lock-retain-until-date": "2099-01-01T00:00:00Z"}
    r = raw_request(server, "PUT", f"/{locked}/k", headers=lock, body=b"x")
    assert r.status_code == 400 and "<Code>InvalidRequest</Code>" in r.text
    assert "Content-MD5 OR x-amz-checksum- HTTP header is required" in r.text
    assert versions_of(s3, locked) == []
    r = raw_request(server, "PUT", f"/{locked}/k", headers={**lock, "Content-MD5": md5_b64(b"x")},
                    body=b"x")
    assert r.status_code == 200
    v = r.headers["x-amz-version-id"]
    docs = {
        "retention": b"<Retention><Mode>GOVERNANCE</Mode>"
                     b"<RetainUntilDate>2099-06-01T00:00:00Z</RetainUntilDate></Retention>",
        "legal-hold": b"<LegalHold><Status>ON</Status></LegalHold>",
    }
    for sub, doc in docs.items():
        r = raw_request(server, "PUT", f"/{locked}/k", params={sub: ""}, body=doc)
        assert r.status_code == 400 and "<Code>InvalidRequest</Code>" in r.text
    conf = (b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
            b"<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention>"
            b"</Rule></ObjectLockConfiguration>")
    r = raw_request(server, "PUT", f"/{locked}", params={"object-lock": ""}, body=conf)
    assert r.status_code == 400 and "<Code>InvalidRequest</Code>" in r.text
    assert retention_of(s3, locked, "k", v) == GOVERNANCE_FAR
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    # With Content-MD5 they go through.
    for sub, doc in docs.items():
        r = raw_request(server, "PUT", f"/{locked}/k", params={sub: ""}, body=doc,
                        headers={"Content-MD5": md5_b64(doc)})
        assert r.status_code == 200, r.text
    r = raw_request(server, "PUT", f"/{locked}", params={"object-lock": ""}, body=conf,
                    headers={"Content-MD5": md5_b64(conf)})
    assert r.status_code == 200, r.text
    # Under a default retention, a plain upload needs one too.
    r = raw_request(server, "PUT", f"/{locked}/plain", body=b"x")
    assert r.status_code == 400 and "<Code>InvalidRequest</Code>" in r.text
    r = raw_request(server, "PUT", f"/{locked}/plain", body=b"x",
                    headers={"x-amz-checksum-crc32": crc32_b64(b"x")})
    assert r.status_code == 200, r.text


def test_an_sdk_that_sends_no_checksum_is_refused_a_locked_upload(make_s3, s3, locked):
    bare = make_s3(request_checksum_calculation="when_required")
    with expect_error(400, "InvalidRequest"):
        bare.put_object(Bucket=locked, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")
    bare.put_object(Bucket=locked, Key="plain", Body=b"x")
    # Its parts of an upload that asked for a lock are refused as well; with a digest they go.
    up = bare.create_multipart_upload(Bucket=locked, Key="k", ObjectLockLegalHoldStatus="ON")
    with expect_error(400, "InvalidRequest"):
        bare.upload_part(Bucket=locked, Key="k", UploadId=up["UploadId"], PartNumber=1, Body=b"p")
    r = bare.upload_part(Bucket=locked, Key="k", UploadId=up["UploadId"], PartNumber=1, Body=b"p",
                         ContentMD5=md5_b64(b"p"))
    assert status_of(r) == 200
    s3.abort_multipart_upload(Bucket=locked, Key="k", UploadId=up["UploadId"])
    assert versions_of(s3, locked) == []


def test_a_checksum_in_an_aws_chunked_trailer_counts(s3, locked, trailer_checksums):
    # boto3 to an https endpoint: the CRC32 goes in the trailer, no digest header is sent.
    with capture_requests(s3) as sent:
        v = s3.put_object(Bucket=locked, Key="k", Body=b"x" * 70_000, ObjectLockMode="GOVERNANCE",
                          ObjectLockRetainUntilDate=FAR)["VersionId"]
        up = s3.create_multipart_upload(Bucket=locked, Key="k", ObjectLockLegalHoldStatus="ON")
        s3.upload_part(Bucket=locked, Key="k", UploadId=up["UploadId"], PartNumber=1,
                       Body=b"p" * 70_000)
    put, part = sent[0].headers, sent[2].headers
    for h in (put, part):
        assert h["x-amz-trailer"] == "x-amz-checksum-crc32"
        assert "content-md5" not in h and "x-amz-checksum-crc32" not in h
    assert retention_of(s3, locked, "k", v) == GOVERNANCE_FAR
    s3.abort_multipart_upload(Bucket=locked, Key="k", UploadId=up["UploadId"])


# --- who may bypass -----------------------------------------------------------------------------

def test_only_a_user_allowed_to_bypass_governance_may(server, make_s3, lock_bucket, admin):
    alice_user, bob_user = server.users["alice"], server.users["bob"]
    alice = make_s3(access_key=alice_user.access_key, secret_key=alice_user.secret_key)
    bob = make_s3(access_key=bob_user.access_key, secret_key=bob_user.secret_key)
    b = lock_bucket(alice)
    v = alice.put_object(Bucket=b, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                         ObjectLockRetainUntilDate=FARTHER)["VersionId"]

    def allow(*actions):
        alice.put_bucket_policy(Bucket=b, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow",
                           "Principal": {"AWS": f"arn:aws:iam::{bob_user.id}:root"},
                           "Action": list(actions), "Resource": f"arn:aws:s3:::{b}/*"}]}))

    allow("s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:GetObjectRetention")
    # Bob may delete versions: an unlocked one goes.
    free = alice.put_object(Bucket=b, Key="free", Body=b"x")["VersionId"]
    assert status_of(bob.delete_object(Bucket=b, Key="free", VersionId=free)) == 204
    with expect_error(403, "AccessDenied"):
        bob.delete_object(Bucket=b, Key="k", VersionId=v, BypassGovernanceRetention=True)
    with expect_error(403, "AccessDenied"):
        bob.put_object_retention(Bucket=b, Key="k", Retention=GOVERNANCE_FAR,
                                 BypassGovernanceRetention=True)
    r = bob.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v}]},
                           BypassGovernanceRetention=True)
    assert [e["Code"] for e in r["Errors"]] == ["AccessDenied"]
    assert retention_of(bob, b, "k", v)["RetainUntilDate"] == FARTHER
    allow("s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:GetObjectRetention",
          "s3:BypassGovernanceRetention")
    bob.put_object_retention(Bucket=b, Key="k", Retention=GOVERNANCE_FAR,
                             BypassGovernanceRetention=True)
    assert retention_of(bob, b, "k", v) == GOVERNANCE_FAR
    assert status_of(bob.delete_object(Bucket=b, Key="k", VersionId=v,
                                       BypassGovernanceRetention=True)) == 204
    assert versions_of(admin, b) == []


def test_get_and_head_show_the_lock_only_to_who_may_read_it(server, make_s3, lock_bucket):
    """As AWS: the retention headers need s3:GetObjectRetention, the legal hold's
    s3:GetObjectLegalHold; reading the object alone shows neither."""
    alice_user, bob_user = server.users["alice"], server.users["bob"]
    alice = make_s3(access_key=alice_user.access_key, secret_key=alice_user.secret_key)
    bob = make_s3(access_key=bob_user.access_key, secret_key=bob_user.secret_key)
    b = lock_bucket(alice)
    alice.put_object(Bucket=b, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                     ObjectLockRetainUntilDate=FAR, ObjectLockLegalHoldStatus="ON")

    def allow(*actions):
        alice.put_bucket_policy(Bucket=b, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow",
                           "Principal": {"AWS": f"arn:aws:iam::{bob_user.id}:root"},
                           "Action": ["s3:GetObject", *actions],
                           "Resource": f"arn:aws:s3:::{b}/*"}]}))

    def shown(client):
        head = client.head_object(Bucket=b, Key="k")
        get = client.get_object(Bucket=b, Key="k")
        fields = ("ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus")
        seen = {f: head.get(f) for f in fields}
        assert {f: get.get(f) for f in fields} == seen
        return seen

    full = {"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": FAR,
            "ObjectLockLegalHoldStatus": "ON"}
    assert shown(alice) == full
    allow()
    assert shown(bob) == dict.fromkeys(full)
    allow("s3:GetObjectRetention")
    assert shown(bob) == {**full, "ObjectLockLegalHoldStatus": None}
    allow("s3:GetObjectRetention", "s3:GetObjectLegalHold")
    assert shown(bob) == full
    alice.put_object_legal_hold(Bucket=b, Key="k", LegalHold={"Status": "OFF"})
