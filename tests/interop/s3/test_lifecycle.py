"""boto3 (and the aws CLI): S3 lifecycle — the configuration's round trip in both forms
(`Filter`, and the older `Prefix` directly under `Rule`), the errors AWS answers, the
`x-amz-expiration` header, and what the executor does by the bucket's versioning state.

The suite's server runs with a lifecycle day of `LIFECYCLE_DAY` seconds (2): a rule of N days
fires about 2·N seconds after the object's time. The executor's effects are awaited by polling
until the expected state, with a generous deadline; nothing depends on how fast it runs.

| versioning | Expiration (Days/Date)                      | NoncurrentVersionExpiration |
|------------|---------------------------------------------|-----------------------------|
| never      | the object is removed                       | —                           |
| Enabled    | a delete marker on top (never on a marker)  | noncurrent versions removed, the newest N kept |
| Suspended  | a `null` delete marker replaces the `null` version | same                 |
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest

from ..conftest import LIFECYCLE_DAY
from .support import (
    MiB,
    base_tool_env,
    capture_raw_body,
    expect_error,
    headers_of,
    md5_b64,
    raw_request,
    run_tool,
    status_of,
)

# How long the executor's effects are awaited (many lifecycle days).
DEADLINE = 30 * LIFECYCLE_DAY

PAST = datetime(2015, 1, 1, tzinfo=timezone.utc)
FUTURE = datetime(2099, 1, 1, tzinfo=timezone.utc)


def put_rules(s3, bucket: str, *rules: dict) -> dict:
    return s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})


def poll(what: str, probe, done):
    """Calls probe() until done(result) holds; fails after DEADLINE with the last result."""
    deadline = time.monotonic() + DEADLINE
    while True:
        got = probe()
        if done(got):
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not reached within {DEADLINE}s; last seen: {got!r}",
                        pytrace=False)
        time.sleep(0.2)


def history(s3, bucket: str) -> list[tuple[str, str, bool, bool]]:
    """Every entry of the bucket, newest first per key: (key, version id, is marker, latest)."""
    r = s3.list_object_versions(Bucket=bucket)
    out = [(v["Key"], v["VersionId"], False, v["IsLatest"]) for v in r.get("Versions", [])]
    out += [(m["Key"], m["VersionId"], True, m["IsLatest"]) for m in r.get("DeleteMarkers", [])]
    return sorted(out, key=lambda e: (e[0], not e[3]))


def keys(s3, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def lifecycle_xml(rules: str) -> bytes:
    return ('<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"{rules}</LifecycleConfiguration>").encode()


def raw_put(server, bucket: str, body: bytes, digest: bool = True):
    headers = {"Content-MD5": md5_b64(body)} if digest else {}
    return raw_request(server, "PUT", f"/{bucket}", params={"lifecycle": ""},
                       headers=headers, body=body)


# --- the configuration ---------------------------------------------------------------------

FULL = [
    {"ID": "logs", "Status": "Enabled",
     "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}],
                        "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
     "Expiration": {"Days": 30},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 2, "NewerNoncurrentVersions": 5}},
    {"ID": "tagged", "Status": "Disabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
     "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=timezone.utc)}},
    {"ID": "big", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 1048576},
     "Expiration": {"Days": 365}},
    {"ID": "small", "Status": "Enabled", "Filter": {"ObjectSizeLessThan": 100},
     "Expiration": {"Days": 1}},
    {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    {"ID": "markers", "Status": "Enabled", "Filter": {},
     "Expiration": {"ExpiredObjectDeleteMarker": True}},
]


def test_a_full_configuration_round_trips(s3, bucket):
    r = put_rules(s3, bucket, *FULL)
    assert status_of(r) == 200
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got == FULL


def test_put_replaces_the_whole_configuration(s3, bucket):
    put_rules(s3, bucket, *FULL)
    put_rules(s3, bucket, {"ID": "only", "Status": "Enabled", "Filter": {"Prefix": ""},
                           "Expiration": {"Days": 3}})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [
        {"ID": "only", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Expiration": {"Days": 3}}]


def test_rules_without_an_id_get_one(s3, bucket):
    put_rules(s3, bucket,
              {"Status": "Enabled", "Filter": {"Prefix": "a/"}, "Expiration": {"Days": 1}},
              {"Status": "Enabled", "Filter": {"Prefix": "b/"}, "Expiration": {"Days": 2}})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    ids = [r["ID"] for r in got]
    assert all(ids) and len(set(ids)) == 2, got
    assert [r["Filter"] for r in got] == [{"Prefix": "a/"}, {"Prefix": "b/"}]


def test_the_older_form_reads_back_as_it_was_put(s3, bucket):
    rules = [{"ID": "old", "Prefix": "logs/", "Status": "Enabled", "Expiration": {"Days": 3}},
             {"ID": "all", "Prefix": "", "Status": "Disabled",
              "NoncurrentVersionExpiration": {"NoncurrentDays": 4}}]
    # The deprecated PutBucketLifecycle call, and its GetBucketLifecycle.
    assert status_of(s3.put_bucket_lifecycle(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules})) == 200
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == rules
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    # PutBucketLifecycleConfiguration with a rule-level Prefix (as s3-tests sends it).
    put_rules(s3, bucket, rules[0])
    with capture_raw_body(s3, "GetBucketLifecycleConfiguration") as bodies:
        assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [rules[0]]
    assert (b"<Rule><ID>old</ID><Prefix>logs/</Prefix><Status>Enabled</Status>"
            b"<Expiration><Days>3</Days></Expiration></Rule>") in bodies[0]


def test_no_configuration_is_404_and_delete_is_204(s3, bucket):
    with expect_error(404, "NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    # Deleting when there is none succeeds too.
    assert status_of(s3.delete_bucket_lifecycle(Bucket=bucket)) == 204
    put_rules(s3, bucket, FULL[0])
    assert status_of(s3.delete_bucket_lifecycle(Bucket=bucket)) == 204
    with expect_error(404, "NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


def test_a_missing_bucket_is_404(s3, bucket_name):
    with expect_error(404, "NoSuchBucket"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        put_rules(s3, bucket_name, FULL[0])
    with expect_error(404, "NoSuchBucket"):
        s3.delete_bucket_lifecycle(Bucket=bucket_name)


def rule(**fields) -> dict:
    base = {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "a/"},
            "Expiration": {"Days": 1}}
    base.update(fields)
    return base


@pytest.mark.parametrize("rules, code", [
    pytest.param([rule(ID="a" * 256)], "InvalidArgument", id="id-too-long"),
    pytest.param([rule(ID="x"), rule(ID="x")], "InvalidArgument", id="same-id"),
    pytest.param([rule(Status="enabled")], "MalformedXML", id="status-lower-case"),
    pytest.param([rule(Status="disabled")], "MalformedXML", id="status-disabled-lower-case"),
    pytest.param([rule(Expiration={"Days": 0})], "InvalidArgument", id="days-0"),
    pytest.param([rule(Expiration={"Date": datetime(2030, 1, 1, 12, tzinfo=timezone.utc)})],
                 "InvalidArgument", id="date-not-midnight"),
    # boto3 reads '20200101' as Unix seconds: 1970-08-22T19:08:21Z, not midnight.
    pytest.param([rule(Expiration={"Date": "20200101"})], "InvalidArgument", id="date-20200101"),
    pytest.param([rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True})],
                 "InvalidArgument", id="marker-with-days"),
    pytest.param([rule(Filter={"Tag": {"Key": "k", "Value": "v"}}, Expiration=None,
                       AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})],
                 "InvalidArgument", id="abort-with-tag-filter"),
    pytest.param([rule(NoncurrentVersionExpiration={"NoncurrentDays": 1,
                                                    "NewerNoncurrentVersions": 101})],
                 "InvalidArgument", id="newer-noncurrent-101"),
    pytest.param([rule(Filter={"Prefix": "a/", "And": {
                     "Prefix": "b/", "Tags": [{"Key": "k", "Value": "v"}]}})],
                 "MalformedXML", id="prefixes-that-cannot-both-hold"),
    pytest.param([rule(Filter={"And": {"Prefix": "a/"}})], "MalformedXML", id="and-of-one"),
    pytest.param([rule(ID=f"r{i}") for i in range(1001)], None, id="1001-rules"),
])
def test_invalid_configurations_are_refused(s3, bucket, rules, code):
    for r in rules:
        if r.get("Expiration") is None:
            r.pop("Expiration", None)
    with expect_error(400, code):
        put_rules(s3, bucket, *rules)
    with expect_error(404, "NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


def test_predicates_side_by_side_are_read_as_one_conjunction(s3, bucket):
    # AWS refuses this form; Ceph's RGW takes it, and ceph/s3-tests sends it: every predicate
    # must hold. It reads back in AWS's form.
    put_rules(s3, bucket, rule(Filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}}))
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0]["Filter"] == {"And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}]}}


def test_the_older_call_refuses_a_lower_case_status(s3, bucket):
    with expect_error(400, "MalformedXML"):
        s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "r", "Prefix": "a/", "Status": "disabled", "Expiration": {"Days": 2}}]})


def test_an_empty_filter_with_expired_object_delete_marker_is_accepted(s3, bucket):
    r = put_rules(s3, bucket, {"ID": "r", "Status": "Enabled", "Filter": {},
                               "Expiration": {"ExpiredObjectDeleteMarker": True}})
    assert status_of(r) == 200


@pytest.mark.parametrize("body", [
    pytest.param(b"<LifecycleConfiguration><Rule>", id="not-xml"),
    pytest.param(lifecycle_xml("<Rule><ID>r</ID><Prefix>a/</Prefix>"
                               "<Expiration><Days>1</Days></Expiration></Rule>"),
                 id="no-status"),
    pytest.param(lifecycle_xml(""), id="no-rule"),
    pytest.param(lifecycle_xml("<Rule><ID>r</ID><Status>Enabled</Status>"
                               "<Expiration><Days>1</Days></Expiration></Rule>"),
                 id="neither-filter-nor-prefix"),
    pytest.param(lifecycle_xml("<Rule><ID>r</ID><Prefix/><Status>Enabled</Status>"
                               "<Expiration><Days>1</Days></Expiration><Colour>red</Colour>"
                               "</Rule>"),
                 id="unknown-element"),
])
def test_malformed_documents_are_malformed_xml(server, bucket, body):
    r = raw_put(server, bucket, body)
    assert r.status_code == 400, r.text
    assert "<Code>MalformedXML</Code>" in r.text, r.text


def test_a_digest_of_the_body_is_required(server, s3, bucket):
    body = lifecycle_xml("<Rule><ID>r</ID><Prefix>a/</Prefix><Status>Enabled</Status>"
                         "<Expiration><Days>1</Days></Expiration></Rule>")
    r = raw_put(server, bucket, body, digest=False)
    assert r.status_code == 400, r.text
    assert "<Code>InvalidRequest</Code>" in r.text, r.text
    assert "Content-MD5" in r.text
    r = raw_put(server, bucket, body)
    assert r.status_code == 200, r.text
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == "r"
    # A digest that does not match.
    r = raw_request(server, "PUT", f"/{bucket}", params={"lifecycle": ""},
                    headers={"Content-MD5": md5_b64(b"other")}, body=body)
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text, r.text


@pytest.mark.parametrize("transition", [
    pytest.param({"Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}, id="days"),
    pytest.param({"Transitions": [{"Date": datetime(2030, 1, 1, tzinfo=timezone.utc),
                                   "StorageClass": "GLACIER"}]}, id="date"),
    pytest.param({"NoncurrentVersionTransitions": [{"NoncurrentDays": 3,
                                                    "StorageClass": "GLACIER"}]},
                 id="noncurrent"),
])
def test_transitions_are_not_implemented(s3, bucket, transition):
    with expect_error(501, "NotImplemented"):
        put_rules(s3, bucket, rule(**transition))
    with expect_error(404, "NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


# --- x-amz-expiration ------------------------------------------------------------------------

def expected_expiry(last_modified: datetime, days: int) -> datetime:
    """last_modified + days, rounded up to the next midnight UTC (real days)."""
    t = last_modified + timedelta(days=days)
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == t else midnight + timedelta(days=1)


def parse_expiration(value: str) -> tuple[datetime, str]:
    date, rule_id = value.split('", rule-id="')
    assert date.startswith('expiry-date="') and rule_id.endswith('"'), value
    return parsedate_to_datetime(date[len('expiry-date="'):]), rule_id[:-1]


def test_the_expiration_header_on_put_get_head_copy_and_complete(s3, bucket):
    put_rules(s3, bucket,
              {"ID": "expire logs/ ü", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
               "Expiration": {"Days": 3}},
              {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "off/"},
               "Expiration": {"Days": 1}},
              {"ID": "fixed", "Status": "Enabled", "Filter": {"Prefix": "fixed/"},
               "Expiration": {"Date": FUTURE}})
    encoded = quote("expire logs/ ü", safe="")

    def check(response, key):
        last_modified = s3.head_object(Bucket=bucket, Key=key)["LastModified"]
        expiry, rule_id = parse_expiration(response["Expiration"])
        assert rule_id == encoded
        assert expiry == expected_expiry(last_modified, 3)
        assert headers_of(response)["x-amz-expiration"] == response["Expiration"]

    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"a")
    check(put, "logs/a")
    check(s3.get_object(Bucket=bucket, Key="logs/a"), "logs/a")
    check(s3.head_object(Bucket=bucket, Key="logs/a"), "logs/a")
    check(s3.copy_object(Bucket=bucket, Key="logs/b",
                         CopySource={"Bucket": bucket, "Key": "logs/a"}), "logs/b")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/c")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="logs/c", UploadId=upload, PartNumber=1,
                          Body=b"c" * MiB)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="logs/c", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    check(done, "logs/c")
    # A Date rule names its date.
    r = s3.put_object(Bucket=bucket, Key="fixed/a", Body=b"a")
    assert parse_expiration(r["Expiration"]) == (FUTURE, "fixed")
    # No rule for the key, or a disabled one: no header.
    for key in ("other/a", "off/a"):
        assert "Expiration" not in s3.put_object(Bucket=bucket, Key=key, Body=b"a")
        assert "x-amz-expiration" not in headers_of(s3.head_object(Bucket=bucket, Key=key))
    # Without a configuration, none either.
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="logs/a")


# --- the executor ----------------------------------------------------------------------------

def test_unversioned_objects_are_removed(s3, bucket):
    for key in ("expire/a", "expire/b", "keep/a", "dated/a", "big/a", "big/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * (200 if key == "big/b" else 10))
    put_rules(s3, bucket,
              {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "expire/"},
               "Expiration": {"Days": 2}},
              # Disabled and of one day: had it applied, keep/a would go before expire/*.
              {"ID": "keep", "Status": "Disabled", "Filter": {"Prefix": "keep/"},
               "Expiration": {"Days": 1}},
              {"ID": "dated", "Status": "Enabled", "Filter": {"Prefix": "dated/"},
               "Expiration": {"Date": PAST}},
              {"ID": "big", "Status": "Enabled",
               "Filter": {"And": {"Prefix": "big/", "ObjectSizeGreaterThan": 100}},
               "Expiration": {"Days": 1}})
    poll("the expired objects removed", lambda: keys(s3, bucket),
         lambda k: k == ["big/a", "keep/a"])
    assert s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", []) == []


def test_enabled_versioning_gets_a_delete_marker_then_noncurrent_expiry(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "k"},
                      "Expiration": {"Days": 1}})
    got = poll("a delete marker on top", lambda: history(s3, b),
               lambda h: len(h) == 2 and h[0][2] and h[0][3])
    assert got[1] == ("k", v1, False, False)
    marker = got[0][1]
    assert marker not in (v1, "null")
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=b, Key="k")
    # Now the noncurrent version goes too; the marker stays (never a second one).
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "k"},
                      "Expiration": {"Days": 1},
                      "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    poll("the noncurrent version removed", lambda: history(s3, b),
         lambda h: h == [("k", marker, True, True)])


def test_suspended_versioning_gets_a_null_delete_marker(s3, versioned_bucket):
    b = versioned_bucket
    kept = s3.put_object(Bucket=b, Key="k", Body=b"enabled")["VersionId"]
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=b, Key="k", Body=b"null")
    assert [e[1] for e in history(s3, b)] == ["null", kept]
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                      "Expiration": {"Days": 1}})
    # The null version is replaced by a null delete marker; the older version stays.
    poll("a null delete marker", lambda: history(s3, b),
         lambda h: h == [("k", "null", True, True), ("k", kept, False, False)])


def test_expired_object_delete_markers_are_removed(s3, versioned_bucket):
    b = versioned_bucket
    for key in ("lone", "covered"):
        s3.put_object(Bucket=b, Key=key, Body=b"x")
        s3.delete_object(Bucket=b, Key=key)
    lone = history(s3, b)
    old = next(e[1] for e in lone if e[0] == "lone" and not e[2])
    s3.delete_object(Bucket=b, Key="lone", VersionId=old)
    covered = [e for e in history(s3, b) if e[0] == "covered"]
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {},
                      "Expiration": {"ExpiredObjectDeleteMarker": True}})
    # The lone marker goes; the one with a version under it stays.
    poll("the lone delete marker removed", lambda: history(s3, b), lambda h: h == covered)


def test_noncurrent_expiry_then_the_orphan_marker(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"1")
    s3.put_object(Bucket=b, Key="k", Body=b"2")
    s3.delete_object(Bucket=b, Key="k")
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                      "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                      "Expiration": {"ExpiredObjectDeleteMarker": True}})
    poll("every entry removed", lambda: history(s3, b), lambda h: h == [])


def test_newer_noncurrent_versions_are_kept(s3, versioned_bucket):
    b = versioned_bucket
    ids = [s3.put_object(Bucket=b, Key="k", Body=str(i).encode())["VersionId"]
           for i in range(5)]
    put_rules(s3, b, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "k"},
                      "NoncurrentVersionExpiration": {"NoncurrentDays": 1,
                                                      "NewerNoncurrentVersions": 2}})
    got = poll("two noncurrent versions kept", lambda: history(s3, b), lambda h: len(h) == 3)
    assert [e[1] for e in got] == ids[:1:-1]
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"4"


def test_incomplete_multipart_uploads_are_aborted(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="tmp/a")
    kept = s3.create_multipart_upload(Bucket=bucket, Key="data/a")["UploadId"]
    put_rules(s3, bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                           "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    got = poll("the upload under tmp/ aborted",
               lambda: [(u["Key"], u["UploadId"]) for u in
                        s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])],
               lambda u: len(u) == 1)
    assert got == [("data/a", kept)]


# --- the aws CLI ---------------------------------------------------------------------------

def test_aws_cli_puts_gets_and_deletes_a_configuration(server, s3, bucket, tmp_path):
    env = base_tool_env(tmp_path / "home")
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\nmax_attempts = 1\n"
                      "s3 =\n    addressing_style = path\n")
    (tmp_path / "credentials").write_text("")
    env.update({"AWS_ACCESS_KEY_ID": server.access_key,
                "AWS_SECRET_ACCESS_KEY": server.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true"})

    def aws(*args, check=True):
        return run_tool([sys.executable, "-m", "awscli", "s3api", *args, "--bucket", bucket,
                         "--endpoint-url", server.endpoint, "--output", "json"], env,
                        check=check)

    doc = tmp_path / "lifecycle.json"
    rules = [{"ID": "cli", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
              "Expiration": {"Days": 7},
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]
    doc.write_text(json.dumps({"Rules": rules}))
    aws("put-bucket-lifecycle-configuration", "--lifecycle-configuration", f"file://{doc}")
    assert json.loads(aws("get-bucket-lifecycle-configuration").stdout)["Rules"] == rules
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    aws("delete-bucket-lifecycle")
    ran = aws("get-bucket-lifecycle-configuration", check=False)
    assert ran.returncode != 0 and "NoSuchLifecycleConfiguration" in ran.stderr, ran.describe()
