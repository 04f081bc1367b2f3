"""Bad input over HTTP, in every dialect: broken framing, oversized and malformed bodies,
hostile keys and bucket names, missing, wrong, expired and skewed signatures.

Each case gets the dialect's error (its status and code, in its XML or JSON) or, where the
HTTP layer itself refuses the bytes, a clean answer-and-close; the server stays up; and the
store is exactly as it was before (every version, marker and upload of every bucket, compared
through listings). Weird but legal keys (`..`, `./`, a leading `/`, control characters) are
stored under exactly that name and never become a path outside the data directory.
"""

from __future__ import annotations

import json

import hashlib
import os
import time
from pathlib import Path

import pytest

from . import support, wire
from .support import assert_error

MB2 = 2 * 1024 * 1024

SIGNATURE_CODES = {"s3": "SignatureDoesNotMatch", "oss": "SignatureDoesNotMatch",
                   "bos": "SignatureDoesNotMatch"}


@pytest.fixture(scope="module")
def buckets(server):
    """A versioned bucket per dialect holding a few objects (so a stray write or delete
    would show as a new version, marker or a missing one)."""
    names = {}
    for d in wire.DIALECTS:
        names[d] = support.bucket_name(f"bad-{d}")
        support.create_bucket(server, d, names[d], versioned=True)
        for i in range(3):
            support.ok(support.put(server, d, names[d], f"keep/{i}", f"{d}-{i}".encode()))
    return names


@pytest.fixture(autouse=True)
def unchanged(request, server, buckets):
    """Every test here leaves the store exactly as it found it (unless it says otherwise by
    using the `changes_expected` marker) and the server answering."""
    before = wire.snapshot(server)
    yield
    server.check_alive()
    if "changes_expected" not in request.keywords:
        assert wire.snapshot(server) == before


def hostport(server) -> str:
    return f"{server.host}:{server.port}"


# -- HTTP framing -------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_an_oversized_header_is_refused(server, buckets, dialect):
    req = wire.Signer(server, dialect).sign("PUT", buckets[dialect], "huge/header",
                                            headers={"x-pad": "a" * (1 << 20)}, body=b"x")
    answer = wire.exchange(server, req.wire(hostport(server)), method="PUT")
    # hyper refuses the head itself: 431 and close (or a reset while we were still sending).
    assert answer.status in (None, 431, 400), answer
    assert answer.closed


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_too_many_headers_are_refused(server, buckets, dialect):
    extra = {f"x-many-{i}": "v" for i in range(500)}
    req = wire.Signer(server, dialect).sign("PUT", buckets[dialect], "many/headers",
                                            headers=extra, body=b"x")
    answer = wire.exchange(server, req.wire(hostport(server)), method="PUT")
    assert answer.status in (None, 431, 400), answer
    assert answer.closed


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_body_shorter_than_content_length_stores_nothing(server, buckets, dialect):
    req = wire.Signer(server, dialect).sign("PUT", buckets[dialect], "short/body")
    data = req.head_bytes(hostport(server), 1000) + b"y" * 400
    answer = wire.exchange(server, data, method="PUT", shut_write=True)
    if answer.status is not None:
        assert_error(answer, dialect, 400, ("IncompleteBody", "RequestTimeout"))
    assert answer.closed


@pytest.mark.changes_expected
@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_body_longer_than_content_length_stores_only_the_declared_bytes(
        server, buckets, dialect):
    """The extra bytes are the start of a next request, which is garbage: refused, closed."""
    before = wire.snapshot(server)
    req = wire.Signer(server, dialect).sign("PUT", buckets[dialect], "long/body",
                                            body=b"hello")
    data = req.head_bytes(hostport(server), 5) + b"hello" + b"EXTRA BYTES\r\n\r\n"
    sock = wire.connect(server)
    try:
        sock.sendall(data)
        first = wire.read_answer(sock, "PUT")
        second = wire.read_answer(sock, "GET")
    finally:
        sock.close()
    assert first.status == 200, first
    assert second.status in (None, 400), second
    got = support.ok(support.get(server, dialect, buckets[dialect], "long/body"))
    assert got.body == b"hello"
    after = wire.snapshot(server)
    new = [v for v in after[buckets[dialect]]["versions"]
           if v not in before[buckets[dialect]]["versions"]]
    assert [(v[0], v[1], v[4]) for v in new] == [("Version", "long/body", "5")], new
    s = wire.Signer(server, "s3")
    support.ok(wire.send(server, s.sign("DELETE", buckets[dialect], "long/body",
                                        params={"versionId": new[0][2]})))
    assert wire.snapshot(server) == before


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("tail", [b"5\r\nhello\r\n", b"5\r\nhel", b"zz\r\nhello\r\n0\r\n\r\n",
                                  b"5\r\nhelloXX0\r\n\r\n"],
                         ids=["no-final-chunk", "cut-mid-chunk", "bad-size", "no-crlf"])
def test_a_broken_chunked_body_stores_nothing(server, buckets, dialect, tail):
    req = wire.Signer(server, dialect).sign(
        "PUT", buckets[dialect], "chunked/body", headers={"Transfer-Encoding": "chunked"})
    data = req.head_bytes(hostport(server)) + tail
    answer = wire.exchange(server, data, method="PUT", shut_write=True)
    if answer.status is not None and answer.body:
        assert_error(answer, dialect, 400, ("IncompleteBody", "RequestTimeout"))
    else:
        assert answer.status in (None, 400), answer
    assert answer.closed


AWS_CHUNKED_CASES = {
    "truncated-data": (b"a\r\n01234", 10),
    "no-final-chunk": (b"a\r\n0123456789\r\n", 10),
    "bad-size": (b"xyz\r\n0123456789\r\n0\r\n\r\n", 10),
    "longer-than-declared": (b"a\r\n0123456789\r\n0\r\n\r\n", 5),
    "trailer-garbage": (b"a\r\n0123456789\r\n0\r\nno colon here\r\n\r\n", 10),
    "bytes-after-end": (b"a\r\n0123456789\r\n0\r\n\r\nmore", 10),
    "line-too-long": (b"a" * 5000 + b"\r\n", 10),
}


@pytest.mark.parametrize("case", sorted(AWS_CHUNKED_CASES))
def test_a_broken_aws_chunked_body_stores_nothing(server, buckets, case):
    body, declared = AWS_CHUNKED_CASES[case]
    req = wire.Signer(server, "s3").sign(
        "PUT", buckets["s3"], "aws-chunked/body", body=body,
        headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                 "Content-Encoding": "aws-chunked",
                 "x-amz-decoded-content-length": str(declared)})
    answer = wire.send(server, req)
    assert_error(answer, "s3", 400, ("IncompleteBody", "InvalidRequest", "MalformedTrailerError",
                                     "InvalidArgument"))


def test_a_signed_aws_chunked_body_with_a_forged_chunk_signature_stores_nothing(
        server, buckets):
    sig = "0" * 64
    body = (f"a;chunk-signature={sig}\r\n0123456789\r\n0;chunk-signature={sig}\r\n\r\n").encode()
    req = wire.Signer(server, "s3").sign(
        "PUT", buckets["s3"], "aws-chunked/signed", body=body,
        headers={"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                 "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "10"})
    assert_error(wire.send(server, req), "s3", 403, "SignatureDoesNotMatch")


# -- multi-delete bounds -------------------------------------------------------------------

MULTI_DELETE_TOO_MANY = {"s3": ("MalformedXML",), "oss": ("MalformedXML", "InvalidArgument"),
                         "bos": ("InvalidArgument",)}
MULTI_DELETE_TOO_LARGE = {"s3": ("MalformedXML", "EntityTooLarge"),
                          "oss": ("MalformedXML", "EntityTooLarge", "InvalidArgument"),
                          "bos": ("MaxMessageLengthExceeded", "InvalidArgument")}


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_1001_entry_multi_delete_deletes_nothing(server, buckets, dialect):
    keys = [f"keep/{i % 3}" for i in range(1001)]
    req = support.multi_delete(server, dialect, buckets[dialect],
                               support.multi_delete_body(dialect, keys))
    assert_error(wire.send(server, req), dialect, 400, MULTI_DELETE_TOO_MANY[dialect])


@pytest.mark.changes_expected
@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_1000_entry_multi_delete_is_accepted(server, buckets, dialect):
    """The bound is exact: 1000 entries (of keys that do not exist) are fine. In a versioned
    bucket each adds a delete marker (S3, OSS), which are removed again afterwards."""
    before = wire.snapshot(server)
    keys = [f"absent/{i}" for i in range(1000)]
    req = support.multi_delete(server, dialect, buckets[dialect],
                               support.multi_delete_body(dialect, keys))
    answer = wire.send(server, req)
    assert answer.status == 200, answer
    s = wire.Signer(server, "s3")
    for kind, key, vid, *_ in wire.snapshot(server)[buckets[dialect]]["versions"]:
        if key.startswith("absent/"):
            assert kind == "DeleteMarker"
            support.ok(wire.send(server, s.sign("DELETE", buckets[dialect], key,
                                                params={"versionId": vid})))
    assert wire.snapshot(server) == before


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_multi_delete_body_of_2mb_plus_one_deletes_nothing(server, buckets, dialect,
                                                             declared):
    body = support.multi_delete_body(dialect, ["keep/0", "keep/1"], pad_to=MB2 + 1)
    assert len(body) == MB2 + 1
    req = support.multi_delete(server, dialect, buckets[dialect], body)
    if declared:
        answer = wire.send(server, req)
    else:
        head = req.head_bytes(hostport(server), extra={"Transfer-Encoding": "chunked"})
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                          for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
        answer = wire.exchange(server, head + chunks, method="POST")
    assert_error(answer, dialect, 400, MULTI_DELETE_TOO_LARGE[dialect])


# -- malformed documents ---------------------------------------------------------------------

MALFORMED_XML = {
    "truncated": b"<Delete><Object><Key>keep/0</Key></Object>",
    "unbalanced": b"<Delete><Object><Key>keep/0</Object></Key></Delete>",
    "not-xml": b"this is not xml at all",
    "empty": b"",
    "not-utf8": b"<Delete><Object><Key>\xff\xfe</Key></Object></Delete>",
    "dtd-bomb": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                 b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                 b"<Delete><Object><Key>&lol2;</Key></Object></Delete>"),
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b"<Delete><Object><Key>&x;</Key></Object></Delete>"),
    "unknown-entity": b"<Delete><Object><Key>&nope;</Key></Object></Delete>",
    "deep-nesting": b"<a>" * 200_000 + b"</a>" * 200_000,
    "two-roots": b"<Delete><Object><Key>keep/0</Key></Object></Delete><Delete/>",
    "nul-char-ref": b"<Delete><Object><Key>a&#0;b</Key></Object></Delete>",
    "huge-char-ref": b"<Delete><Object><Key>&#x110000;</Key></Object></Delete>",
}


@pytest.mark.parametrize("dialect", ["s3", "oss"])
@pytest.mark.parametrize("case", sorted(MALFORMED_XML))
def test_a_malformed_multi_delete_document_deletes_nothing(server, buckets, dialect, case):
    req = support.multi_delete(server, dialect, buckets[dialect], MALFORMED_XML[case])
    assert_error(wire.send(server, req), dialect, 400,
                 ("MalformedXML", "InvalidArgument", "InvalidRequest"))


@pytest.mark.parametrize("dialect", ["s3", "oss"])
@pytest.mark.parametrize("case", ["truncated", "not-xml", "dtd-bomb", "deep-nesting",
                                  "two-roots"])
def test_a_malformed_complete_multipart_document_completes_nothing(server, buckets, dialect,
                                                                   case):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    init = support.ok(wire.send(server, s.sign("POST", bucket, "mpu/bad", params={"uploads": ""})))
    upload_id = wire._xml_all(init.body, "UploadId")[0]
    try:
        support.ok(wire.send(server, s.sign("PUT", bucket, "mpu/bad", body=b"part",
                                            params={"partNumber": "1", "uploadId": upload_id})))
        body = MALFORMED_XML[case]
        answer = wire.send(server, s.sign("POST", bucket, "mpu/bad", body=body,
                                          params={"uploadId": upload_id}))
        assert_error(answer, dialect, 400, ("MalformedXML", "InvalidArgument", "InvalidRequest",
                                            "InvalidPart"))
        assert support.get(server, dialect, bucket, "mpu/bad").status == 404
    finally:
        support.ok(wire.send(server, s.sign("DELETE", bucket, "mpu/bad",
                                            params={"uploadId": upload_id})))


@pytest.mark.parametrize("dialect", ["s3", "oss"])
@pytest.mark.parametrize("case", ["truncated", "not-xml", "dtd-bomb", "deep-nesting"])
def test_a_malformed_versioning_document_changes_nothing(server, buckets, dialect, case):
    s = wire.Signer(server, dialect)
    body = MALFORMED_XML[case]
    answer = wire.send(server, s.sign("PUT", buckets[dialect], params={"versioning": ""},
                                      body=body, headers={"Content-MD5": support.content_md5(body)}))
    assert_error(answer, dialect, 400, ("MalformedXML", "InvalidArgument", "IllegalVersioningConfigurationException"))
    got = support.ok(wire.send(server, s.sign("GET", buckets[dialect], params={"versioning": ""})))
    assert b"Enabled" in got.body


MALFORMED_JSON = {
    "truncated": b'{"objects": [{"key": "keep/0"}',
    "not-json": b"not json",
    "empty": b"",
    "not-utf8": b'{"objects": [{"key": "\xff\xfe"}]}',
    "wrong-types": b'{"objects": {"key": "keep/0"}}',
    "key-not-string": b'{"objects": [{"key": 7}]}',
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
    "empty-list": b'{"objects": []}',
    "no-list": b"{}",
    "huge-number": b'{"objects": [{"key": "keep/0", "versionId": 1e999999}]}',
    "lone-surrogate": b'{"objects": [{"key": "\\ud800"}]}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED_JSON))
def test_a_malformed_bos_multi_delete_document_deletes_nothing(server, buckets, case):
    req = support.multi_delete(server, "bos", buckets["bos"], MALFORMED_JSON[case])
    assert_error(wire.send(server, req), "bos", 400, ("MalformedJSON", "InvalidArgument"))


@pytest.mark.parametrize("case", ["truncated", "not-json", "deep-nesting", "wrong-types",
                                  "lone-surrogate", "empty"])
def test_a_malformed_bos_complete_multipart_document_completes_nothing(server, buckets, case):
    s = wire.Signer(server, "bos")
    bucket = buckets["bos"]
    init = support.ok(wire.send(server, s.sign("POST", bucket, "mpu/bad", params={"uploads": ""})))
    import json
    upload_id = json.loads(init.body)["uploadId"]
    try:
        support.ok(wire.send(server, s.sign("PUT", bucket, "mpu/bad", body=b"part",
                                            params={"partNumber": "1", "uploadId": upload_id})))
        answer = wire.send(server, s.sign("POST", bucket, "mpu/bad", body=MALFORMED_JSON[case],
                                          params={"uploadId": upload_id}))
        assert_error(answer, "bos", 400, ("MalformedJSON", "InvalidArgument", "InvalidPart"))
        assert support.get(server, "bos", bucket, "mpu/bad").status == 404
    finally:
        support.ok(wire.send(server, s.sign("DELETE", bucket, "mpu/bad",
                                            params={"uploadId": upload_id})))


@pytest.mark.parametrize("case", ["truncated", "not-json", "deep-nesting", "wrong-types"])
def test_a_malformed_bos_versioning_document_changes_nothing(server, buckets, case):
    s = wire.Signer(server, "bos")
    answer = wire.send(server, s.sign("PUT", buckets["bos"], params={"versioning": ""},
                                      body=MALFORMED_JSON[case]))
    assert_error(answer, "bos", 400, ("MalformedJSON", "InvalidArgument",
                                      "MaxMessageLengthExceeded"))


TAGGING_XML = {
    **{c: MALFORMED_XML[c] for c in ("truncated", "not-xml", "dtd-bomb", "deep-nesting",
                                     "two-roots", "unknown-entity")},
    "no-tag-set": b"<Tagging/>",
    "key-without-value": b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
    "other-root": b"<Delete><TagSet/></Delete>",
    "too-many-elements": b"<Tagging><TagSet>" + b"<Tag><Key>k</Key><Value/></Tag>" * 5000
                         + b"</TagSet></Tagging>",
}
TAGGED = {"s3": b"<Tagging><TagSet><Tag><Key>kept</Key><Value>yes</Value></Tag></TagSet>"
                b"</Tagging>"}
TAGGED["oss"] = TAGGED["s3"]
TAGGED["bos"] = b'{"tagSet":[{"tagInfo":[{"key":"kept","value":"yes"}]}]}'
TAGGING_JSON = {c: MALFORMED_JSON[c] for c in ("truncated", "not-json", "deep-nesting",
                                                "lone-surrogate", "empty", "no-list")}
TAGGING_JSON["tag-info-map"] = b'{"tagSet":[{"tagInfo":{"k":"v"}}]}'


def tagging_cases():
    for d in ("s3", "oss"):
        for c in sorted(TAGGING_XML):
            yield pytest.param(d, TAGGING_XML[c], id=f"{d}-{c}")
    for c in sorted(TAGGING_JSON):
        yield pytest.param("bos", TAGGING_JSON[c], id=f"bos-{c}")


@pytest.mark.parametrize("dialect,body", list(tagging_cases()))
def test_a_malformed_tagging_document_changes_no_tags(server, buckets, dialect, body):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    tagging = {"tagging": ""}
    md5 = {"Content-MD5": support.content_md5(TAGGED[dialect])}
    support.ok(wire.send(server, s.sign("PUT", bucket, "keep/1", params=tagging,
                                        body=TAGGED[dialect], headers=md5)))
    answer = wire.send(server, s.sign("PUT", bucket, "keep/1", params=tagging, body=body,
                                      headers={"Content-MD5": support.content_md5(body)}))
    assert_error(answer, dialect, 400, ("MalformedXML", "MalformedJSON", "InvalidArgument",
                                        "EntityTooLarge", "MaxMessageLengthExceeded"))
    got = support.ok(wire.send(server, s.sign("GET", bucket, "keep/1", params=tagging)))
    assert b"kept" in got.body and b"yes" in got.body, got.body
    # The bucket's tags refuse the same documents.
    answer = wire.send(server, s.sign("PUT", bucket, params=tagging, body=body,
                                      headers={"Content-MD5": support.content_md5(body)}))
    assert answer.status == 400, answer.body


# -- keys and bucket names -------------------------------------------------------------------


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("raw_key", ["%FF", "a%C3%28b", "%ED%A0%80", "ok/%80"],
                         ids=["ff", "bad-continuation", "surrogate", "lone-continuation"])
def test_a_key_that_is_not_utf8_is_refused(server, buckets, dialect, raw_key):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    req = s.sign("PUT", bucket, raw_path=f"/{bucket}/{raw_key}", body=b"x")
    answer = wire.send(server, req)
    assert_error(answer, dialect, 400, ("InvalidURI", "InvalidObjectName", "InvalidArgument"))


def listed_keys(server, bucket: str) -> set[str]:
    return {v[1] for v in wire.snapshot(server)[bucket]["versions"]}


@pytest.mark.changes_expected
@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_keys_that_look_like_paths_stay_keys(server, buckets, dialect, tmp_path):
    """`..`, `./`, a leading `/`, NUL and control characters: stored (or refused with the
    dialect's error) under exactly that name; no file ever appears outside the data
    directory, and a read gives back exactly what was written."""
    bucket = buckets[dialect]
    data_dir = Path(server.data_dir).resolve()
    parent = data_dir.parent
    outside_before = {p for p in parent.rglob("*") if data_dir not in p.parents and p != data_dir}
    keys = ["../escape", "../../../../../../tmp/strata-escape", "./dot", "a/./b", "a/../b",
            "/leading", "//double", "..", ".", "dir/..", "nul\x00byte", "ctl\x01\x1f\x7f",
            "new\nline", "back\\slash\\..\\..", "%2e%2e/literal-percent"]
    stored = []
    for key in keys:
        answer = support.put(server, dialect, bucket, key, key.encode("utf-8", "surrogatepass"))
        if answer.status == 200:
            stored.append(key)
            got = support.get(server, dialect, bucket, key)
            assert got.status == 200 and got.body == key.encode(), (key, got)
        else:
            assert_error(answer, dialect, 400, ("InvalidObjectName", "InvalidArgument",
                                                "InvalidURI", "KeyTooLongError"))
    assert set(stored) <= listed_keys(server, bucket)
    outside_after = {p for p in parent.rglob("*") if data_dir not in p.parents and p != data_dir}
    assert outside_after == outside_before
    assert not Path("/tmp/strata-escape").exists()
    for p in data_dir.rglob("*"):
        assert p.resolve().is_relative_to(data_dir), p
    # Clean up every version written here.
    s = wire.Signer(server, "s3")
    for kind, key, vid, *_ in wire.snapshot(server)[bucket]["versions"]:
        if key in stored:
            support.ok(wire.send(server, s.sign("DELETE", bucket, key, params={"versionId": vid})))


LISTINGS = {  # dialect: the listing requests, as query parameters
    "s3": [{}, {"list-type": "2"}, {"versions": ""}],
    "oss": [{}, {"list-type": "2"}, {"versions": ""}],
    "bos": [{}, {"versions": ""}],
}


def listing_pages(server, dialect: str, bucket: str, prefix: str) -> list[bytes]:
    s = wire.Signer(server, dialect)
    pages = []
    for params in LISTINGS[dialect]:
        a = wire.send(server, s.sign("GET", bucket, params={**params, "prefix": prefix}))
        assert a.status == 200, (dialect, params, a)
        pages.append(a.body)
    return pages


def keys_in_page(dialect: str, body: bytes) -> set[str]:
    if dialect == "bos":
        doc = json.loads(body)
        return {e["key"] for e in doc.get("contents", doc.get("versions", []))}
    return set(wire._xml_all(body, "Key"))


@pytest.mark.changes_expected
@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_listings_without_url_encoding_never_write_control_characters_raw(
        server, buckets, dialect):
    """Without `encoding-type=url`, a key with CR, LF or TAB lists as exactly that key (they
    are written as `&#13;` `&#10;` `&#9;`, which end-of-line normalization leaves alone), and
    a key with other C0 controls is written with `&#x1;`-style references like S3 does, never
    as raw bytes. BOS's JSON escapes them all."""
    bucket = buckets[dialect]
    legal = ["ctlxml/cr\rkey", "ctlxml/lf\nkey", "ctlxml/crlf\r\nkey", "ctlxml/tab\tkey"]
    illegal = ["ctlbad/one\x01key", "ctlbad/us\x1fkey"]
    for key in legal + illegal:
        support.ok(support.put(server, dialect, bucket, key, key.encode()), repr(key))
    for body in listing_pages(server, dialect, bucket, "ctlxml/"):
        assert keys_in_page(dialect, body) == set(legal), body
    for body in listing_pages(server, dialect, bucket, "ctlbad/"):
        head, _, rest = body.partition(b"\n") if dialect != "bos" else (b"", b"", body)
        assert not any(b < 0x20 for b in rest), body
        if dialect == "bos":
            assert keys_in_page(dialect, body) == set(illegal), body
        else:
            assert b"one&#x1;key" in body and b"us&#x1F;key" in body, body
    s = wire.Signer(server, "s3")
    for kind, key, vid, *_ in wire.snapshot(server)[bucket]["versions"]:
        if key in legal + illegal:
            support.ok(wire.send(server, s.sign("DELETE", bucket, key, params={"versionId": vid})))


BAD_BUCKET_NAMES = ["ab", "a" * 64, "Upper", "-lead", "trail-", "a..b", "a_b", "192.168.1.1",
                    "a b", "%FF%FE%FD", "bucket%00nul", "_strata", "..."]


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("name", BAD_BUCKET_NAMES)
def test_an_invalid_bucket_name_creates_nothing(server, dialect, name):
    import urllib.parse
    s = wire.Signer(server, dialect)
    req = s.sign("PUT", urllib.parse.unquote(name, errors="replace"),
                 raw_path="/" + name.replace(" ", "%20"))
    answer = wire.send(server, req)
    assert_error(answer, dialect, 400, ("InvalidBucketName", "InvalidURI", "InvalidArgument"))


# -- signatures and time ------------------------------------------------------------------


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("op", ["put", "delete", "multi-delete"])
def test_a_wrongly_signed_request_changes_nothing(server, buckets, dialect, op):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    if op == "put":
        req = s.sign("PUT", bucket, "keep/0", body=b"overwrite", bad_signature=True)
    elif op == "delete":
        req = s.sign("DELETE", bucket, "keep/0", bad_signature=True)
    else:
        body = support.multi_delete_body(dialect, ["keep/0", "keep/1"])
        req = support.multi_delete(server, dialect, bucket, body)
        s._break_signature(req.headers)
    status = 400 if dialect == "bos" else 403
    assert_error(wire.send(server, req), dialect, (status, 403), SIGNATURE_CODES[dialect])


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_wrong_secret_key_changes_nothing(server, buckets, dialect):
    s = wire.Signer(server, dialect, secret_key="not-the-secret-key-at-all")
    req = s.sign("PUT", buckets[dialect], "keep/0", body=b"overwrite")
    assert_error(wire.send(server, req), dialect, (400, 403), SIGNATURE_CODES[dialect])


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_an_unknown_access_key_changes_nothing(server, buckets, dialect):
    s = wire.Signer(server, dialect, access_key="NOSUCHACCESSKEY00000")
    req = s.sign("DELETE", buckets[dialect], "keep/0")
    assert_error(wire.send(server, req), dialect, 403,
                 ("InvalidAccessKeyId", "InvalidAccessKeyId.NotFound", "AccessDenied"))


@pytest.mark.parametrize("method", ["PUT", "DELETE", "GET", "POST"])
def test_an_unsigned_request_changes_nothing(server, buckets, method):
    """Unsigned requests on S3's address form are S3's, anonymous: AccessDenied on a private
    bucket (a POST of `?delete` to a key is no operation at all: MethodNotAllowed)."""
    for d in wire.DIALECTS:
        target = f"/{buckets[d]}/keep/0" + ("?delete" if method == "POST" else "")
        data = (f"{method} {target} HTTP/1.1\r\nHost: {hostport(server)}\r\n"
                f"Content-Length: 3\r\n\r\nabc").encode()
        if method == "POST":
            expected = (405, "MethodNotAllowed")
        else:
            expected = (403, "AccessDenied")
        assert_error(wire.exchange(server, data, method=method), "s3", *expected)


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("case", ["garbage", "empty", "truncated", "wrong-scheme-shape"])
def test_a_malformed_authorization_changes_nothing(server, buckets, dialect, case):
    s = wire.Signer(server, dialect)
    req = s.sign("PUT", buckets[dialect], "keep/0", body=b"overwrite")
    auth = req.headers["Authorization"]
    req.headers["Authorization"] = {
        "garbage": auth.split(" ")[0] + " \x01\x02garbage" if dialect != "bos" else "bce-auth-v1/garbage",
        "empty": auth.split(" ")[0] + " " if dialect != "bos" else "bce-auth-v1/",
        "truncated": auth[: len(auth) // 2],
        "wrong-scheme-shape": (auth.split(" ")[0] + " Credential=/,,,=") if dialect != "bos"
        else "bce-auth-v1/ak/notatime/abc//sig",
    }[case]
    answer = wire.exchange(server, req.wire(hostport(server)), method="PUT")
    if case == "garbage" and dialect != "bos":
        # Control characters make the header invalid HTTP: hyper refuses it and closes.
        assert answer.status in (None, 400) and answer.closed, answer
    else:
        assert answer.status in (400, 403), answer
        assert answer.code(dialect) or answer.code("s3"), answer


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_request_outside_the_clock_skew_window_changes_nothing(server, buckets, dialect):
    s = wire.Signer(server, dialect)
    # S3 and OSS allow 15 minutes either way; BOS refuses timestamps in the future.
    for skew in (-3600, 3600) if dialect != "bos" else (3600,):
        req = s.sign("PUT", buckets[dialect], "keep/0", body=b"overwrite", skew=skew)
        assert_error(wire.send(server, req), dialect, (400, 403),
                     ("RequestTimeTooSkewed", "RequestExpired", "AccessDenied"))


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_an_expired_presigned_url_changes_nothing(server, buckets, dialect):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    if dialect == "s3":
        target = s.presign_s3("PUT", bucket, "keep/0", expires=10, skew=-60)
    elif dialect == "oss":
        target = s.presign_oss("PUT", bucket, "keep/0", expires_at=int(time.time()) - 10)
    else:
        target = s.presign_bos("PUT", bucket, "keep/0", expiration=10, skew=-60)
    data = (f"PUT {target} HTTP/1.1\r\nHost: {hostport(server)}\r\n"
            f"Content-Length: 9\r\n\r\noverwrite").encode()
    answer = wire.exchange(server, data, method="PUT")
    assert_error(answer, dialect, (400, 403), ("AccessDenied", "RequestExpired", "ExpiredToken"))


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_presigned_url_with_a_forged_signature_changes_nothing(server, buckets, dialect):
    s = wire.Signer(server, dialect)
    bucket = buckets[dialect]
    if dialect == "s3":
        target = s.presign_s3("GET", bucket, "keep/0", expires=600)
    elif dialect == "oss":
        target = s.presign_oss("GET", bucket, "keep/0", expires_at=int(time.time()) + 600)
    else:
        target = s.presign_bos("GET", bucket, "keep/0", expiration=600)
    # Signed for GET, used for DELETE: the signature does not cover it.
    data = f"DELETE {target} HTTP/1.1\r\nHost: {hostport(server)}\r\n\r\n".encode()
    answer = wire.exchange(server, data, method="DELETE")
    assert_error(answer, dialect, (400, 403), SIGNATURE_CODES[dialect])


def test_garbage_instead_of_http_is_refused(server):
    for junk in [b"\x00\x01\x02\x03" * 100, b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"PUT /a/b HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                 b"PUT /a/b HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                 b"PUT /a/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
                 b"GET /\x00/ HTTP/1.1\r\n\r\n", b"\r\n" * 10000]:
        answer = wire.exchange(server, junk, shut_write=True)
        # 403/404: hyper took it as an (empty, chunked) anonymous PUT to a bucket that does
        # not exist.
        assert answer.status in (None, 400, 403, 404, 431), (junk[:40], answer)
        assert answer.closed or answer.status in (403, 404), (junk[:40], answer)


def other_scheme(server, bucket: str, scheme: str) -> tuple[str, bytes]:
    """A PUT of keep/0 in a scheme the suite's signers do not produce, with a wrong
    signature: (dialect it belongs to, the request)."""
    amz_date, day = wire.amz_now()
    ak = server.access_key
    path = f"/{bucket}/keep/0"
    head = f"PUT {{target}} HTTP/1.1\r\nHost: {hostport(server)}\r\nContent-Length: 9\r\n"
    if scheme == "s3-sigv2-header":
        return "s3", (head.format(target=path) + f"Date: {wire.http_date(time.time())}\r\n"
                      f"Authorization: AWS {ak}:bm90IGEgc2lnbmF0dXJl\r\n\r\noverwrite").encode()
    if scheme == "s3-sigv2-presigned":
        target = f"{path}?AWSAccessKeyId={ak}&Expires={int(time.time()) + 600}&Signature=abc%3D"
        return "s3", (head.format(target=target) + "\r\noverwrite").encode()
    if scheme == "oss-v4-header":
        auth = (f"OSS4-HMAC-SHA256 Credential={ak}/{day}/{server.region}/oss/aliyun_v4_request,"
                f"Signature={'0' * 64}")
        return "oss", (head.format(target=path) + f"x-oss-date: {amz_date}\r\n"
                       f"x-oss-content-sha256: UNSIGNED-PAYLOAD\r\nAuthorization: {auth}\r\n"
                       "\r\noverwrite").encode()
    if scheme == "oss-v4-presigned":
        cred = wire.q(f"{ak}/{day}/{server.region}/oss/aliyun_v4_request")
        target = (f"{path}?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential={cred}"
                  f"&x-oss-date={amz_date}&x-oss-expires=600&x-oss-signature={'0' * 64}")
        return "oss", (head.format(target=target) + "\r\noverwrite").encode()
    if scheme == "s3-sigv4-presigned-put":
        s = wire.Signer(server, "s3")
        target = s.presign_s3("PUT", bucket, "keep/0", expires=600)
        target = target[:-1] + ("1" if target[-1] == "0" else "0")
        return "s3", (head.format(target=target) + "\r\noverwrite").encode()
    raise AssertionError(scheme)


@pytest.mark.parametrize("scheme", ["s3-sigv2-header", "s3-sigv2-presigned", "oss-v4-header",
                                    "oss-v4-presigned", "s3-sigv4-presigned-put"])
def test_other_signature_schemes_wrongly_signed_change_nothing(server, buckets, scheme):
    dialect, data = other_scheme(server, buckets["s3" if scheme.startswith("s3") else "oss"],
                                 scheme)
    answer = wire.exchange(server, data, method="PUT")
    assert_error(answer, dialect, (400, 403), ("SignatureDoesNotMatch", "AccessDenied",
                                               "AuthorizationHeaderMalformed", "InvalidRequest",
                                               "InvalidArgument"))
