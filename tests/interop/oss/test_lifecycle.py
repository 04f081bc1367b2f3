"""A bucket's lifecycle configuration through oss2 and alibabacloud-oss-v2, each with both
signature versions: PutBucketLifecycle, GetBucketLifecycle, DeleteBucketLifecycle, what OSS
refuses, the `x-oss-expiration` header of GET and HEAD, and what the rules do.

Round trips put every element both SDKs write (Days, CreatedBeforeDate, the older Date,
ExpiredObjectDeleteMarker as oss2 writes it, `True`, AbortMultipartUpload, Tag,
NoncurrentVersionExpiration, Filter with Not and the size bounds) and compare what each
SDK parses back. oss2's own tests (run against real OSS) fix the shapes of the errors: none
is 404 `NoSuchLifecycle` and a delete of none succeeds (`test_lifecycle_days`), two rules
with overlapping prefixes and one action type are refused with the message "Overlap for
same action type Expiration" (`test_lifecycle_overlap_exception`) unless
`x-oss-allow-same-action-overlap: true` is sent (`test_lifecycle_overlap`), a document that
is not XML is `MalformedXML` (`test_malformed_xml`). Transitions are refused with 501.

The suite's server runs with a lifecycle day of `LIFECYCLE_DAY` seconds, so the executor's
effects are polled for: a rule of N days fires about N days after the object's time; each
test waits for the state it expects and fails after a generous deadline.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from typing import Optional

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest
from alibabacloud_oss_v2.models.structs import Tag as V2Tag

from ..conftest import LIFECYCLE_DAY
from .clients import Client, OssError

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
# How long an effect of the executor may take to show: many lifecycle days.
DEADLINE = max(30.0, 15 * LIFECYCLE_DAY)


@dataclass(frozen=True)
class R:
    """A rule as the tests write it and as each SDK reads it back."""

    id: str
    prefix: str = ""
    enabled: bool = True
    days: Optional[int] = None
    before: Optional[datetime.date] = None  # Expiration/CreatedBeforeDate
    date: Optional[datetime.date] = None  # Expiration/Date (older form; oss2 only)
    marker: bool = False  # Expiration/ExpiredObjectDeleteMarker
    abort_days: Optional[int] = None
    abort_before: Optional[datetime.date] = None
    tags: tuple = ()
    noncurrent_days: Optional[int] = None
    not_prefix: Optional[str] = None
    not_tag: Optional[tuple] = None
    gt: Optional[int] = None
    lt: Optional[int] = None
    # Only written, for what the server refuses:
    empty_expiration: bool = False
    transition: bool = False
    noncurrent_transition: bool = False


def _v2_time(d) -> datetime.datetime:
    if isinstance(d, datetime.datetime):
        return d if d.tzinfo else d.replace(tzinfo=UTC)
    return datetime.datetime(d.year, d.month, d.day, tzinfo=UTC)


def _oss2_rule(r: R) -> oss2.models.LifecycleRule:
    m = oss2.models
    exp = None
    if r.days is not None:
        exp = m.LifecycleExpiration(days=r.days)
    elif r.before is not None:
        exp = m.LifecycleExpiration(created_before_date=r.before)
    elif r.date is not None:
        exp = m.LifecycleExpiration(date=r.date)
    elif r.marker:
        exp = m.LifecycleExpiration(expired_detete_marker=True)
    elif r.empty_expiration:
        exp = m.LifecycleExpiration()
    rule = m.LifecycleRule(r.id, r.prefix, status="Enabled" if r.enabled else "Disabled",
                           expiration=exp)
    if r.abort_days is not None:
        rule.abort_multipart_upload = m.AbortMultipartUpload(days=r.abort_days)
    elif r.abort_before is not None:
        rule.abort_multipart_upload = m.AbortMultipartUpload(created_before_date=r.abort_before)
    if r.tags:
        tagging = m.TaggingRule()
        for k, v in r.tags:
            tagging.add(k, v)
        rule.tagging = m.Tagging(tagging)
    if r.noncurrent_days is not None:
        rule.noncurrent_version_expiration = m.NoncurrentVersionExpiration(r.noncurrent_days)
    if r.not_prefix is not None or r.gt is not None or r.lt is not None:
        nots = []
        if r.not_prefix is not None:
            tag = m.FilterNotTag(*r.not_tag) if r.not_tag else None
            nots.append(m.FilterNot(r.not_prefix, tag))
        rule.filter = m.LifecycleFilter(nots, r.gt, r.lt)
    if r.transition:
        rule.storage_transitions = [m.StorageTransition(days=30, storage_class="IA")]
    if r.noncurrent_transition:
        rule.noncurrent_version_sotrage_transitions = [
            m.NoncurrentVersionStorageTransition(10, "Archive")]
    return rule


def _v2_rule(r: R) -> ossv2.models.LifecycleRule:
    m = ossv2.models
    assert r.date is None, "alibabacloud-oss-v2 has no Expiration/Date"
    exp = None
    if r.days is not None or r.before is not None or r.marker or r.empty_expiration:
        exp = m.LifecycleRuleExpiration(
            days=r.days,
            created_before_date=_v2_time(r.before) if r.before is not None else None,
            expired_object_delete_marker=True if r.marker else None)
    abort = None
    if r.abort_days is not None or r.abort_before is not None:
        abort = m.LifecycleRuleAbortMultipartUpload(
            days=r.abort_days,
            created_before_date=_v2_time(r.abort_before) if r.abort_before else None)
    flt = None
    if r.not_prefix is not None or r.gt is not None or r.lt is not None:
        nots = None
        if r.not_prefix is not None:
            tag = V2Tag(key=r.not_tag[0], value=r.not_tag[1]) if r.not_tag else None
            nots = [m.LifecycleRuleNot(prefix=r.not_prefix, tag=tag)]
        flt = m.LifecycleRuleFilter(nots=nots, object_size_greater_than=r.gt,
                                    object_size_less_than=r.lt)
    return m.LifecycleRule(
        id=r.id, prefix=r.prefix, status="Enabled" if r.enabled else "Disabled",
        expiration=exp, abort_multipart_upload=abort,
        tags=[V2Tag(key=k, value=v) for k, v in r.tags] or None,
        noncurrent_version_expiration=(m.NoncurrentVersionExpiration(
            noncurrent_days=r.noncurrent_days) if r.noncurrent_days is not None else None),
        filter=flt,
        transitions=[m.LifecycleRuleTransition(days=30, storage_class="IA")]
        if r.transition else None,
        noncurrent_version_transitions=[m.NoncurrentVersionTransition(
            noncurrent_days=10, storage_class="Archive")] if r.noncurrent_transition else None)


def _from_oss2(rule) -> R:
    e, a, f = rule.expiration, rule.abort_multipart_upload, rule.filter
    nots = f.filter_not if f else []
    not_tag = None
    if nots and nots[0].tag is not None and nots[0].tag.key is not None:
        not_tag = (nots[0].tag.key, nots[0].tag.value)
    return R(
        id=rule.id, prefix=rule.prefix, enabled=rule.status == "Enabled",
        days=e.days if e else None, before=e.created_before_date if e else None,
        date=e.date if e else None, marker=bool(e and e.expired_detete_marker),
        abort_days=a.days if a else None, abort_before=a.created_before_date if a else None,
        tags=tuple(sorted(rule.tagging.tag_set.tagging_rule.items())) if rule.tagging else (),
        noncurrent_days=(rule.noncurrent_version_expiration.noncurrent_days
                         if rule.noncurrent_version_expiration else None),
        not_prefix=nots[0].prefix if nots else None, not_tag=not_tag,
        gt=f.object_size_greater_than if f else None, lt=f.object_size_less_than if f else None)


def _from_v2(rule) -> R:
    e, a, f = rule.expiration, rule.abort_multipart_upload, rule.filter
    nots = (f.nots or []) if f else []
    not_tag = (nots[0].tag.key, nots[0].tag.value) if nots and nots[0].tag else None
    day = lambda t: t.astimezone(UTC).date() if t is not None else None  # noqa: E731
    return R(
        id=rule.id, prefix=rule.prefix or "", enabled=rule.status == "Enabled",
        days=e.days if e else None, before=day(e.created_before_date) if e else None,
        marker=bool(e and e.expired_object_delete_marker),
        abort_days=a.days if a else None, abort_before=day(a.created_before_date) if a else None,
        tags=tuple(sorted((t.key, t.value) for t in rule.tags or [])),
        noncurrent_days=(rule.noncurrent_version_expiration.noncurrent_days
                         if rule.noncurrent_version_expiration else None),
        not_prefix=nots[0].prefix if nots else None, not_tag=not_tag,
        gt=f.object_size_greater_than if f else None, lt=f.object_size_less_than if f else None)


# --- the three operations, through each SDK ---------------------------------------------------

def put_lc(c: Client, bucket: str, rules: list[R], allow_overlap: bool = False) -> int:
    with c._errors():
        if c.sdk == "oss2":
            headers = {"x-oss-allow-same-action-overlap": "true"} if allow_overlap else None
            return c.bucket(bucket).put_bucket_lifecycle(
                oss2.models.BucketLifecycle([_oss2_rule(r) for r in rules]), headers).status
        return c.client.put_bucket_lifecycle(ossv2.models.PutBucketLifecycleRequest(
            bucket=bucket, allow_same_action_overlap="true" if allow_overlap else None,
            lifecycle_configuration=ossv2.models.LifecycleConfiguration(
                rules=[_v2_rule(r) for r in rules]))).status_code


def get_lc(c: Client, bucket: str) -> list[R]:
    with c._errors():
        if c.sdk == "oss2":
            return [_from_oss2(r) for r in c.bucket(bucket).get_bucket_lifecycle().rules]
        cfg = c.client.get_bucket_lifecycle(
            ossv2.models.GetBucketLifecycleRequest(bucket=bucket)).lifecycle_configuration
        return [_from_v2(r) for r in cfg.rules or []]


def delete_lc(c: Client, bucket: str) -> int:
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).delete_bucket_lifecycle().status
        return c.client.delete_bucket_lifecycle(
            ossv2.models.DeleteBucketLifecycleRequest(bucket=bucket)).status_code


def put_document(c: Client, bucket: str, xml: str, headers: Optional[dict] = None):
    """PUT /?lifecycle with a document written by hand: oss2 sends it as it is (with its
    Content-MD5); for alibabacloud-oss-v2, whose request takes only its model, a raw request
    signed like the client. Returns (status, code)."""
    if c.sdk == "oss2":
        try:
            with c._errors():
                return c.bucket(bucket).put_bucket_lifecycle(xml, headers).status, None
        except OssError as e:
            return e.status, e.code
    r = c.raw().request("PUT", bucket, params={"lifecycle": ""}, headers=headers,
                        data=xml.encode())
    return r.status, r.error_code()


def refused(call, status, code) -> OssError:
    with pytest.raises(OssError) as e:
        call()
    assert (e.value.status, e.value.code) == (status, code), e.value
    return e.value


def no_lifecycle(c: Client, bucket: str) -> None:
    e = refused(lambda: get_lc(c, bucket), 404, "NoSuchLifecycle")
    if c.sdk == "oss2":
        assert isinstance(e.cause, oss2.exceptions.NoSuchLifecycle)


def tomorrow() -> datetime.date:
    return datetime.datetime.now(UTC).date() + DAY


def doc(*rules: str) -> str:
    return "<LifecycleConfiguration>" + "".join(rules) + "</LifecycleConfiguration>"


def rule_xml(body: str, rid: str = "r", prefix: str = "p/") -> str:
    return (f"<Rule><ID>{rid}</ID><Prefix>{prefix}</Prefix><Status>Enabled</Status>"
            f"{body}</Rule>")


# --- configuration ----------------------------------------------------------------------------

def test_full_configurations_round_trip(client, bucket):
    no_lifecycle(client, bucket)
    rules = [
        R("days", "logs/", days=30, abort_days=7, noncurrent_days=5),
        R("before", "tmp/", before=datetime.date(2016, 12, 25),
          abort_before=datetime.date(2016, 12, 20)),
        R("marker", "gone/", marker=True, noncurrent_days=1),
        R("tagged", "tagged/", enabled=False, days=356,
          tags=(("k1", "v1"), ("k2", "a b+c=d.e_f:g/h"))),
        R("filtered", "中文前缀/", days=2, not_prefix="中文前缀/not-prefix",
          not_tag=("key-arg", "value-arg"), gt=203, lt=311),
        R("not-prefix-only", "data/", days=3, not_prefix="data/keep/"),
        R("sizes", "sized/", noncurrent_days=4, gt=1),
    ]
    if client.sdk == "oss2":
        # The older Expiration/Date, which only oss2 writes.
        rules.append(R("date", "old/", date=datetime.date(2016, 12, 25)))
    assert put_lc(client, bucket, rules) == 200
    assert get_lc(client, bucket) == rules
    # A put replaces the whole configuration.
    assert put_lc(client, bucket, [R("only", "", days=1)]) == 200
    assert get_lc(client, bucket) == [R("only", "", days=1)]
    assert delete_lc(client, bucket) == 204
    no_lifecycle(client, bucket)
    assert delete_lc(client, bucket) == 204


def test_expired_object_delete_marker_as_oss2_writes_it(client, bucket):
    # oss2 writes str(True); GET answers `true`, which oss2's parser requires.
    status, code = put_document(client, bucket, doc(rule_xml(
        "<Expiration><ExpiredObjectDeleteMarker>True</ExpiredObjectDeleteMarker></Expiration>")))
    assert (status, code) == (200, None)
    assert get_lc(client, bucket) == [R("r", "p/", marker=True)]


def test_generated_ids_and_a_missing_prefix(client, bucket):
    status, code = put_document(client, bucket, doc(
        "<Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"))
    assert (status, code) == (200, None)
    [r] = get_lc(client, bucket)
    assert (r.id, r.prefix, r.days) == ("rule-1", "", 1)


def test_validation_errors_through_the_sdk_models(client, bucket):
    put_lc(client, bucket, [R("kept", "kept/", days=9)])
    cases = [
        # Expiration asking for nothing (EC 0014-00000060), days of 0.
        [R("r", "p/", empty_expiration=True)],
        [R("r", "p/", days=0)],
        [R("r", "p/", noncurrent_days=0)],
        [R("r", "p/", abort_days=0)],
        # Dates not at midnight UTC.
        [R("r", "p/", before=datetime.datetime(2016, 12, 25, 8, 0, tzinfo=UTC))],
        [R("r", "p/", abort_before=datetime.datetime(2016, 12, 25, 0, 30, tzinfo=UTC))],
        # Tags of characters OSS does not take (oss2's test_lifecycle_object_tagging_*).
        [R("r", "p/", days=1, tags=(("%&", "test"),))],
        [R("r", "p/", days=1, tags=(("test", ")%"),))],
        # IDs used twice; a rule without action; Not beside AbortMultipartUpload.
        [R("same", "a/", days=1), R("same", "b/", days=1)],
        [R("r", "p/")],
        [R("r", "p/", abort_days=1, not_prefix="p/keep")],
        [R("r", "p/", days=1, not_prefix="p/x", not_tag=("k", "1"), tags=(("k", "2"),))],
        # Size bounds out of order, or both beside the abort of uploads.
        [R("r", "p/", days=1, gt=10, lt=10)],
        [R("r", "p/", abort_days=1, gt=1, lt=10)],
        # Tags beside the abort of uploads.
        [R("r", "p/", abort_days=1, tags=(("k", "v"),))],
    ]
    for rules in cases:
        refused(lambda: put_lc(client, bucket, rules), 400, "InvalidArgument")
    # Nothing refused replaced what was there.
    assert get_lc(client, bucket) == [R("kept", "kept/", days=9)]


def test_overlapping_prefixes_of_one_action_type(client, bucket):
    date = datetime.date(2016, 12, 25)
    # oss2's test_lifecycle_overlap_exception, with Days: its Date is oss2's alone.
    rules = [R("one", "前缀/", days=1), R("two", "前缀/2", days=2)]
    e = refused(lambda: put_lc(client, bucket, rules), 400, "InvalidArgument")
    assert e.message == "Overlap for same action type Expiration"
    # ... which x-oss-allow-same-action-overlap: true permits (oss2's test_lifecycle_overlap).
    assert put_lc(client, bucket, rules, allow_overlap=True) == 200
    assert get_lc(client, bucket) == rules
    # The whole bucket overlaps everything; other action types are their own.
    for rules, kind in [
        ([R("all", "", before=date), R("x", "x/", days=1)], "Expiration"),
        ([R("a", "x/", noncurrent_days=1), R("b", "x/y", noncurrent_days=2)],
         "NoncurrentVersionExpiration"),
        ([R("a", "x/", abort_days=1), R("b", "", abort_days=2)], "AbortMultipartUpload"),
    ]:
        e = refused(lambda: put_lc(client, bucket, rules), 400, "InvalidArgument")
        assert e.message == f"Overlap for same action type {kind}"
    # Rules aborting uploads never overlap, whatever the header says.
    e = refused(lambda: put_lc(client, bucket, [R("a", "x/", abort_days=1),
                                               R("b", "x/y", abort_days=2)], True),
                400, "InvalidArgument")
    assert e.message == "Overlap for same action type AbortMultipartUpload"
    # Disjoint prefixes, or different action types, are no overlap.
    fine = [R("a", "x/", days=1), R("b", "y/", days=1), R("c", "x/y", noncurrent_days=1),
            R("d", "", abort_days=1)]
    assert put_lc(client, bucket, fine) == 200
    assert get_lc(client, bucket) == fine


def test_transitions_are_not_implemented(client, bucket):
    for rules in [
        [R("r", "p/", transition=True)],
        [R("r", "p/", days=60, transition=True)],
        [R("r", "p/", noncurrent_days=30, noncurrent_transition=True)],
    ]:
        refused(lambda: put_lc(client, bucket, rules), 501, "NotImplemented")
    no_lifecycle(client, bucket)


def test_validation_errors_of_documents(client, bucket):
    date = "<CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate>"
    cases = [
        # ExpiredObjectDeleteMarker beside Days or CreatedBeforeDate (EC 0014-00000059);
        # false alone (0014-00000060).
        (rule_xml("<Expiration><Days>1</Days>"
                  "<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"),
         400, "InvalidArgument"),
        (rule_xml(f"<Expiration>{date}"
                  "<ExpiredObjectDeleteMarker>True</ExpiredObjectDeleteMarker></Expiration>"),
         400, "InvalidArgument"),
        (rule_xml("<Expiration><ExpiredObjectDeleteMarker>False</ExpiredObjectDeleteMarker>"
                  "</Expiration>"), 400, "InvalidArgument"),
        (rule_xml(f"<Expiration><Days>1</Days>{date}</Expiration>"), 400, "InvalidArgument"),
        (rule_xml("<Expiration><Date>2016-12-25T10:00:00.000Z</Date></Expiration>"),
         400, "InvalidArgument"),
        (rule_xml("<Expiration><Days>abc</Days></Expiration>"), 400, "InvalidArgument"),
        # Status is Enabled or Disabled, and required.
        (rule_xml("<Expiration><Days>1</Days></Expiration>").replace("Enabled", "enabled"),
         400, "MalformedXML"),
        ("<Rule><ID>r</ID><Prefix>p/</Prefix><Expiration><Days>1</Days></Expiration></Rule>",
         400, "MalformedXML"),
        # More than one Not is invitation-only at Alibaba: not carried out here.
        (rule_xml("<Expiration><Days>1</Days></Expiration><Filter><Not><Prefix>p/a</Prefix>"
                  "</Not><Not><Prefix>p/b</Prefix></Not></Filter>"), 501, "NotImplemented"),
    ]
    for body, status, code in cases:
        assert put_document(client, bucket, doc(body)) == (status, code), body
    # oss2's test_malformed_xml, and a configuration without rules.
    for text in ["<This is a bad xml></bad as I am>", doc()]:
        assert put_document(client, bucket, text) == (400, "MalformedXML")
    no_lifecycle(client, bucket)


def test_malformed_xml_is_oss2_s_exception(admin, bucket):
    with pytest.raises(oss2.exceptions.MalformedXml):
        admin.bucket(bucket).put_bucket_lifecycle("<This is a bad xml></bad as I am>")


# --- x-oss-expiration -------------------------------------------------------------------------

EXPIRATION = re.compile(r'^expiry-date="([^"]+)", rule-id="([^"]+)"$')


def test_expiration_header_on_get_and_head(client, bucket):
    put_lc(client, bucket, [R("year rule", "dated/", days=365), R("later", "other/", days=1000)])
    client.put_object(bucket, "dated/a", b"data")
    client.put_object(bucket, "undated", b"data")
    for result in [client.head_object(bucket, "dated/a"), client.get_object(bucket, "dated/a")]:
        m = EXPIRATION.match(result.headers.get("x-oss-expiration", ""))
        assert m, result.headers
        assert m.group(2) == "year%20rule"
        expiry = datetime.datetime.strptime(m.group(1), "%a, %d %b %Y %H:%M:%S GMT")
        modified = datetime.datetime.strptime(result.headers["last-modified"],
                                              "%a, %d %b %Y %H:%M:%S GMT")
        # Last modification plus the rule's days, rounded up to midnight UTC (real days,
        # whatever the suite's lifecycle day).
        assert expiry == datetime.datetime.combine((modified + 365 * DAY).date() + DAY,
                                                   datetime.time())
    for result in [client.head_object(bucket, "undated"), client.get_object(bucket, "undated")]:
        assert "x-oss-expiration" not in result.headers
    if client.sdk == "v2":
        r = client.client.head_object(ossv2.models.HeadObjectRequest(bucket=bucket,
                                                                    key="dated/a"))
        assert EXPIRATION.match(r.expiration)


# --- what the rules do ------------------------------------------------------------------------

def wait_for(what: str, probe, expected):
    """Polls `probe()` until it returns `expected`; fails after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while True:
        got = probe()
        if got == expected:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: after {DEADLINE:.0f} s, {got!r}, expected {expected!r}")
        time.sleep(0.25)


def keys(admin, bucket) -> list[str]:
    return sorted(admin.list_objects(bucket, max_keys=1000).keys)


def history(admin, bucket) -> list[tuple[str, bool]]:
    """(key, is_delete_marker) of every version and marker, sorted."""
    listing = admin.list_object_versions(bucket, max_keys=1000)
    return sorted((e.key, e.is_delete_marker) for e in listing.all)


def test_days_remove_objects_under_the_prefix_of_an_unversioned_bucket(admin, bucket):
    for key in ["expire/a", "expire/b", "keep/c", "expirex"]:
        admin.put_object(bucket, key, b"data")
    put_lc(admin, bucket, [R("rule", "expire/", days=1)])
    wait_for("objects under expire/", lambda: keys(admin, bucket), ["expirex", "keep/c"])
    assert history(admin, bucket) == [("expirex", False), ("keep/c", False)]


def test_filters_not_and_sizes_spare_what_they_exclude(admin, bucket):
    admin.put_object(bucket, "logs/big", b"0123456789")
    admin.put_object(bucket, "logs/keep/big", b"0123456789")
    admin.put_object(bucket, "logs/small", b"01")
    put_lc(admin, bucket, [R("rule", "logs/", days=1, not_prefix="logs/keep/", gt=5)])
    wait_for("logs/big", lambda: keys(admin, bucket), ["logs/keep/big", "logs/small"])


def test_days_make_a_delete_marker_in_a_versioned_bucket(admin, versioned_bucket):
    bucket = versioned_bucket
    admin.put_object(bucket, "v/a", b"data")
    put_lc(admin, bucket, [R("rule", "v/", days=1)])
    wait_for("v/a", lambda: history(admin, bucket), [("v/a", False), ("v/a", True)])
    assert keys(admin, bucket) == []
    # The current delete marker does not expire again: no second marker after more days.
    time.sleep(2 * LIFECYCLE_DAY)
    assert history(admin, bucket) == [("v/a", False), ("v/a", True)]


def test_noncurrent_versions_expire(admin, versioned_bucket):
    bucket = versioned_bucket
    admin.put_object(bucket, "n/a", b"one")
    current = admin.put_object(bucket, "n/a", b"two").version_id
    put_lc(admin, bucket, [R("rule", "n/", noncurrent_days=1)])
    wait_for("the noncurrent version of n/a", lambda: history(admin, bucket), [("n/a", False)])
    assert admin.get_object(bucket, "n/a").version_id == current


def test_lone_delete_markers_are_removed(admin, versioned_bucket):
    bucket = versioned_bucket
    admin.put_object(bucket, "m/a", b"one")
    admin.delete_object(bucket, "m/a")
    assert history(admin, bucket) == [("m/a", False), ("m/a", True)]
    # The noncurrent version goes after a day; then the marker is alone, and goes too.
    put_lc(admin, bucket, [R("rule", "m/", marker=True, noncurrent_days=1)])
    wait_for("m/a's history", lambda: history(admin, bucket), [])


def test_created_before_date_expires_at_once(admin, bucket):
    for key in ["before/a", "past/a", "date/a"]:
        admin.put_object(bucket, key, b"data")
    put_lc(admin, bucket, [
        # Written before tomorrow's midnight: due now.
        R("before", "before/", before=tomorrow()),
        # The older Date: every object from that midnight on.
        R("date", "date/", date=datetime.date(2016, 12, 25)),
        # Written after that midnight: never.
        R("past", "past/", before=datetime.date(2016, 12, 25)),
    ])
    wait_for("before/a and date/a", lambda: keys(admin, bucket), ["past/a"])


def test_abort_multipart_upload(admin, bucket):
    admin.init_multipart(bucket, "mp/a")
    admin.init_multipart(bucket, "mpb/a")
    kept = admin.init_multipart(bucket, "other/a")
    put_lc(admin, bucket, [R("days", "mp/", abort_days=1),
                           R("before", "mpb/", abort_before=tomorrow())])
    wait_for("uploads under mp/ and mpb/", lambda: admin.list_multipart_uploads(bucket),
             [("other/a", kept)])


def test_disabled_rules_and_deleted_configurations_do_nothing(admin, bucket):
    admin.put_object(bucket, "a/x", b"data")
    admin.put_object(bucket, "b/x", b"data")
    put_lc(admin, bucket, [R("off", "a/", enabled=False, before=tomorrow()),
                           R("on", "b/", before=tomorrow())])
    wait_for("b/x", lambda: keys(admin, bucket), ["a/x"])
    assert delete_lc(admin, bucket) == 204
    admin.put_object(bucket, "b/y", b"data")
    time.sleep(2 * LIFECYCLE_DAY)
    assert keys(admin, bucket) == ["a/x", "b/y"]

