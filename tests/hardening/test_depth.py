"""Request documents nested deep, in every dialect: S3's and OSS's XML (multi-delete, complete
multipart, versioning) and BOS's JSON (the same three).

An element (or array/object) nested past the readers' bound of 32 levels is refused with 400
MalformedXML / MalformedJSON wherever it sits, the server stays up and serves the next request,
and the store is exactly as it was. A document nested 35,000 deep (245 KB, under every size
limit) once built a tree whose recursive drop overflowed a worker's stack and aborted the whole
process; BOS's JSON reader skipped deep unknown members and carried the request out. A document
exactly at the bound is still read.

These tests run against a server of their own, so that a crash cannot take the suite's shared
server down with it.
"""

from __future__ import annotations

import json

import pytest

from . import support, wire
from .conftest import SHORT_TIMEOUT, StrataProcess
from .support import assert_error

MAX_DEPTH = 32  # strata_wire::xml::MAX_DEPTH and strata_api::bos::document::MAX_DEPTH
DEEP = 35_000
# The versioning readers take at most 64 KiB: as deep as fits in that.
DEEP_VERSIONING_XML = 9_000  # 7 bytes a level
DEEP_VERSIONING_JSON = 30_000  # 2 bytes a level
CONFIG_LIMIT = 64 * 1024
BODY_LIMIT = 1024 * 1024  # the smallest of the multi-delete and complete limits (BOS's complete)

CODES = {"s3": "MalformedXML", "oss": "MalformedXML", "bos": "MalformedJSON"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("strata-depth")
    s = StrataProcess(work / "data", work / "logs",
                      ["--header-timeout", str(SHORT_TIMEOUT), "--body-timeout", str(SHORT_TIMEOUT)])
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def buckets(server):
    """Per dialect a versioned bucket holding keep/0..2 (a stray delete or versioning change
    would show) and an unversioned one (for the documents at the bound that are carried out)."""
    out = {}
    for d in wire.DIALECTS:
        versioned = support.bucket_name(f"deep-{d}")
        plain = support.bucket_name(f"deepp-{d}")
        support.create_bucket(server, d, versioned, versioned=True)
        support.create_bucket(server, d, plain)
        for i in range(3):
            support.ok(support.put(server, d, versioned, f"keep/{i}", f"{d}-{i}".encode()))
        out[d] = {"versioned": versioned, "plain": plain}
    return out


@pytest.fixture(autouse=True)
def unchanged(server, buckets):
    before = wire.snapshot(server)
    yield
    server.check_alive()
    assert wire.snapshot(server) == before


def still_serving(server, dialect: str, buckets) -> None:
    server.check_alive()
    got = support.ok(support.get(server, dialect, buckets[dialect]["versioned"], "keep/0"))
    assert got.body == f"{dialect}-0".encode()


# -- the documents ---------------------------------------------------------------------------


def nest(dialect: str, levels: int) -> bytes:
    """`levels` values, each the only child of the one before."""
    if dialect == "bos":
        return b"[" * levels + b"]" * levels
    return b"<a>" * levels + b"</a>" * levels


def delete_doc(dialect: str, depth: int, where: str, key: str = "keep/0") -> bytes:
    """A multi-delete of `key` whose deepest value is at `depth` (the root is at 1): nesting
    beside the entries (`root`) or inside the one entry (`entry`)."""
    if dialect == "bos":
        if where == "root":
            return (b'{"objects": [{"key": ' + json.dumps(key).encode() + b'}], "x": '
                    + nest(dialect, depth - 1) + b"}")
        # {"objects": [{"x": ...}]}: the object of the entry is at depth 3.
        return (b'{"objects": [{"key": ' + json.dumps(key).encode() + b', "x": '
                + nest(dialect, depth - 3) + b"}]}")
    if where == "root":
        return (b"<Delete><Object><Key>" + key.encode() + b"</Key></Object>"
                + nest(dialect, depth - 1) + b"</Delete>")
    return (b"<Delete><Object><Key>" + key.encode() + b"</Key>" + nest(dialect, depth - 2)
            + b"</Object></Delete>")


def complete_doc(dialect: str, depth: int, where: str, etag: str) -> bytes:
    etag = etag.strip('"')
    if dialect == "bos":
        part = b'{"partNumber": 1, "eTag": "' + etag.encode() + b'"'
        if where == "root":
            return b'{"parts": [' + part + b'}], "x": ' + nest(dialect, depth - 1) + b"}"
        return b'{"parts": [' + part + b', "x": ' + nest(dialect, depth - 3) + b"}]}"
    part = b"<Part><PartNumber>1</PartNumber><ETag>" + etag.encode() + b"</ETag>"
    if where == "root":
        return (b"<CompleteMultipartUpload>" + part + b"</Part>" + nest(dialect, depth - 1)
                + b"</CompleteMultipartUpload>")
    return (b"<CompleteMultipartUpload>" + part + nest(dialect, depth - 2)
            + b"</Part></CompleteMultipartUpload>")


def versioning_doc(dialect: str, depth: int, status: str = "Enabled") -> bytes:
    if dialect == "bos":
        return (b'{"status": "' + status.lower().encode() + b'", "x": '
                + nest(dialect, depth - 1) + b"}")
    return (b"<VersioningConfiguration><Status>" + status.encode() + b"</Status>"
            + nest(dialect, depth - 1) + b"</VersioningConfiguration>")


def test_the_documents_are_as_deep_as_they_say():
    """The bodies' nesting, measured independently of the builders above (and their sizes
    within every reader's limit, so that depth is what the tests exercise)."""
    def depth(body: bytes, dialect: str) -> int:
        opening, closing = (b"[{", b"]}") if dialect == "bos" else (b"<", b"</")
        deepest = level = 0
        if dialect == "bos":  # (no string in these bodies holds a bracket)
            for c in body:
                level += c in opening
                level -= c in closing
                deepest = max(deepest, level)
            return deepest
        i = 0
        while (i := body.find(b"<", i)) >= 0:
            level += -1 if body.startswith(b"</", i) else 1
            deepest = max(deepest, level)
            i += 1
        return deepest

    for d in wire.DIALECTS:
        for where in ("root", "entry"):
            for n in (MAX_DEPTH, MAX_DEPTH + 1, 30_000, DEEP):
                assert depth(delete_doc(d, n, where), d) == n
                assert depth(complete_doc(d, n, where, "e"), d) == n
                assert len(delete_doc(d, n, where)) < BODY_LIMIT
                assert len(complete_doc(d, n, where, "e" * 32)) < BODY_LIMIT
        for n in (MAX_DEPTH, MAX_DEPTH + 1):
            assert depth(versioning_doc(d, n), d) == n
    assert depth(versioning_doc("s3", DEEP_VERSIONING_XML), "s3") == DEEP_VERSIONING_XML
    assert len(versioning_doc("s3", DEEP_VERSIONING_XML)) < CONFIG_LIMIT
    assert depth(versioning_doc("bos", DEEP_VERSIONING_JSON), "bos") == DEEP_VERSIONING_JSON
    assert len(versioning_doc("bos", DEEP_VERSIONING_JSON)) < CONFIG_LIMIT


# -- past the bound --------------------------------------------------------------------------

TOO_DEEP = {"35000-deep": DEEP, "just-past-the-bound": MAX_DEPTH + 1}
# OSS's complete reader refuses more than 30,008 elements, so 35,000 levels never became a tree
# there; 30,000 did (and aborted the server just the same).
TOO_DEEP_COMPLETE = {**TOO_DEEP, "30000-deep": 30_000}


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("where", ["root", "entry"])
@pytest.mark.parametrize("depth", sorted(TOO_DEEP))
def test_a_deeply_nested_multi_delete_deletes_nothing(server, buckets, dialect, where, depth):
    body = delete_doc(dialect, TOO_DEEP[depth], where)
    req = support.multi_delete(server, dialect, buckets[dialect]["versioned"], body)
    assert_error(wire.send(server, req), dialect, 400, CODES[dialect])
    still_serving(server, dialect, buckets)


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("where", ["root", "entry"])
@pytest.mark.parametrize("depth", sorted(TOO_DEEP_COMPLETE))
def test_a_deeply_nested_complete_multipart_completes_nothing(server, buckets, dialect, where,
                                                              depth):
    bucket = buckets[dialect]["versioned"]
    upload_id = support.initiate_upload(server, dialect, bucket, "mpu/deep")
    s = wire.Signer(server, dialect)
    try:
        part = support.ok(support.upload_part(server, dialect, bucket, "mpu/deep", upload_id, 1,
                                              b"part"))
        body = complete_doc(dialect, TOO_DEEP_COMPLETE[depth], where, part.headers["etag"])
        headers = {"Content-Type": "application/json"} if dialect == "bos" else {}
        answer = wire.send(server, s.sign("POST", bucket, "mpu/deep", body=body, headers=headers,
                                          params={"uploadId": upload_id}))
        assert_error(answer, dialect, 400, CODES[dialect])
        still_serving(server, dialect, buckets)
        assert support.get(server, dialect, bucket, "mpu/deep").status == 404
    finally:
        if server.alive():
            support.ok(wire.send(server, s.sign("DELETE", bucket, "mpu/deep",
                                                params={"uploadId": upload_id})))


def put_versioning(server, dialect: str, bucket: str, body: bytes) -> wire.Answer:
    s = wire.Signer(server, dialect)
    headers = ({"Content-Type": "application/json"} if dialect == "bos"
               else {"Content-MD5": support.content_md5(body)})
    return wire.send(server, s.sign("PUT", bucket, params={"versioning": ""}, body=body,
                                    headers=headers))


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("depth", ["as-deep-as-fits", "just-past-the-bound"])
def test_a_deeply_nested_versioning_document_changes_nothing(server, buckets, dialect, depth):
    """The deepest body a versioning reader takes in is 64 KiB (9,000 levels of XML, 30,000 of
    JSON). S3 and OSS also refuse more than 16 elements, so only BOS's reader meets depth."""
    deepest = DEEP_VERSIONING_JSON if dialect == "bos" else DEEP_VERSIONING_XML
    n = deepest if depth == "as-deep-as-fits" else MAX_DEPTH + 1
    # Suspended would change the bucket if it were carried out.
    body = versioning_doc(dialect, n, "Suspended")
    bucket = buckets[dialect]["versioned"]
    assert_error(put_versioning(server, dialect, bucket, body), dialect, 400, CODES[dialect])
    still_serving(server, dialect, buckets)
    got = support.ok(support.get(server, "s3", bucket, None, params={"versioning": ""}))
    assert b"<Status>Enabled</Status>" in got.body


# -- at the bound ----------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("where", ["root", "entry"])
def test_a_multi_delete_nested_to_the_bound_is_carried_out(server, buckets, dialect, where):
    """An unversioned bucket and an absent key: carried out, and nothing changes."""
    body = delete_doc(dialect, MAX_DEPTH, where, key="absent/at-the-bound")
    req = support.multi_delete(server, dialect, buckets[dialect]["plain"], body)
    support.ok(wire.send(server, req))


@pytest.mark.parametrize("dialect", wire.DIALECTS)
@pytest.mark.parametrize("where", ["root", "entry"])
def test_a_complete_multipart_nested_to_the_bound_is_carried_out(server, buckets, dialect,
                                                                 where):
    bucket = buckets[dialect]["plain"]
    upload_id = support.initiate_upload(server, dialect, bucket, "mpu/at-the-bound")
    s = wire.Signer(server, dialect)
    part = support.ok(support.upload_part(server, dialect, bucket, "mpu/at-the-bound", upload_id,
                                          1, b"part"))
    body = complete_doc(dialect, MAX_DEPTH, where, part.headers["etag"])
    headers = {"Content-Type": "application/json"} if dialect == "bos" else {}
    support.ok(wire.send(server, s.sign("POST", bucket, "mpu/at-the-bound", body=body,
                                        headers=headers, params={"uploadId": upload_id})))
    got = support.ok(support.get(server, dialect, bucket, "mpu/at-the-bound"))
    assert got.body == b"part"
    support.ok(wire.send(server, s.sign("DELETE", bucket, "mpu/at-the-bound")))


def test_a_bos_versioning_document_nested_to_the_bound_is_carried_out(server, buckets):
    """(S3's and OSS's readers take at most 16 elements, too few to nest 32 deep.)"""
    bucket = buckets["bos"]["versioned"]
    support.ok(put_versioning(server, "bos", bucket, versioning_doc("bos", MAX_DEPTH)))
    got = support.ok(support.get(server, "s3", bucket, None, params={"versioning": ""}))
    assert b"<Status>Enabled</Status>" in got.body
