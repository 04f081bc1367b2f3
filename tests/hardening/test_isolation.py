"""Users are isolated: without grants (ACLs, policies), a bucket and everything in it belongs
to its owner alone.

With `--users`, every request of another user on a bucket, or naming it as a copy source, is
403 AccessDenied in the dialect's shape and changes nothing (an S3 or BOS multi-delete answers
each of its entries AccessDenied, each key being judged on its own; OSS's answer has no
per-entry errors, so it refuses the whole request); the administrator (the key pair
the server was started with) may act on every bucket. Listings and ACLs name the bucket's owner
as the owner, not the requester.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from . import support, wire

DIALECTS = ["s3", "oss", "bos"]

ALICE = {"access_key": "ALICEACCESSKEY000001", "secret_key": "alice-secret-key-0123456789abcdefghijklm",
         "id": "alice-owner-id-0001", "display_name": "Alice"}
BOB = {"access_key": "BOBACCESSKEY00000002", "secret_key": "bob-secret-key-0123456789abcdefghijklmno",
       "id": "bob-owner-id-0002", "display_name": "Bob"}


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """A server with two users besides the administrator."""
    from .conftest import StrataProcess

    work = tmp_path_factory.mktemp("isolation")
    users = work / "users.toml"
    users.write_text("".join(
        "[[user]]\n" + "".join(f'{k} = "{v}"\n' for k, v in u.items()) + "\n"
        for u in (ALICE, BOB)))
    s = StrataProcess(work / "data", work / "logs", ["--users", str(users)])
    s.start()
    yield s
    s.stop()


def signer(server, dialect: str, user: dict | None) -> wire.Signer:
    if user is None:
        return wire.Signer(server, dialect)
    return wire.Signer(server, dialect, user["access_key"], user["secret_key"])


def send(server, dialect, user, method, bucket=None, key=None, **kw) -> wire.Answer:
    return wire.send(server, signer(server, dialect, user).sign(method, bucket, key, **kw))


def versioning_body(dialect: str, status: str) -> tuple[bytes, dict]:
    if dialect == "bos":
        body = json.dumps({"status": status.lower()}).encode()
        return body, {"Content-Type": "application/json"}
    body = (f"<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>"
            .encode())
    return body, {"Content-MD5": support.content_md5(body)}


def state_of(server, bucket: str) -> dict:
    """Every version, marker and upload of `bucket`, and its versioning, read by the
    administrator."""
    s = wire.Signer(server, "s3")
    a = wire.send(server, s.sign("GET", bucket, params={"versions": "", "encoding-type": "url"}))
    assert a.status == 200, a
    uploads = wire.send(server, s.sign("GET", bucket, params={"uploads": ""}))
    assert uploads.status == 200, uploads
    versioning = wire.send(server, s.sign("GET", bucket, params={"versioning": ""}))
    assert versioning.status == 200, versioning
    return {"versions": wire._version_entries(a.body),
            "uploads": sorted(wire._xml_all(uploads.body, "UploadId")),
            "versioning": wire._xml_all(versioning.body, "Status")}


def copy_header(dialect: str, bucket: str, key: str) -> dict:
    name = {"s3": "x-amz-copy-source", "oss": "x-oss-copy-source",
            "bos": "x-bce-copy-source"}[dialect]
    return {name: f"/{bucket}/{key}"}


def setup_pair(server, dialect: str, tag: str) -> tuple[str, str, str]:
    """Alice's versioned bucket with one object and one open upload, and Bob's own bucket."""
    a_bucket = support.bucket_name(f"{tag}-a")
    b_bucket = support.bucket_name(f"{tag}-b")
    support.ok(send(server, dialect, ALICE, "PUT", a_bucket))
    body, headers = versioning_body(dialect, "Enabled")
    support.ok(send(server, dialect, ALICE, "PUT", a_bucket, params={"versioning": ""},
                    headers=headers, body=body))
    support.ok(send(server, dialect, ALICE, "PUT", a_bucket, "secret.txt", body=b"alice's data"))
    up = support.ok(send(server, dialect, ALICE, "POST", a_bucket, "up.bin",
                         params={"uploads": ""}))
    upload_id = support.upload_id_of(dialect, up)
    support.ok(send(server, dialect, BOB, "PUT", b_bucket))
    return a_bucket, b_bucket, upload_id


def attempts(dialect: str, a: str, b: str, upload_id: str, version_id: str) -> list:
    """(what, method, bucket, key, kwargs) of every kind of request Bob must not make."""
    suspend, suspend_headers = versioning_body(dialect, "Suspended")
    md_body = support.multi_delete_body(dialect, ["secret.txt"])
    md_headers = {"Content-MD5": support.content_md5(md_body)}
    if dialect == "bos":
        md_headers["Content-Type"] = "application/json"
    out = [
        ("head bucket", "HEAD", a, None, {}),
        ("list objects", "GET", a, None, {}),
        ("list versions", "GET", a, None, {"params": {"versions": ""}}),
        ("list uploads", "GET", a, None, {"params": {"uploads": ""}}),
        ("get versioning", "GET", a, None, {"params": {"versioning": ""}}),
        ("suspend versioning", "PUT", a, None,
         {"params": {"versioning": ""}, "headers": suspend_headers, "body": suspend}),
        ("delete bucket", "DELETE", a, None, {}),
        ("multi-delete", "POST", a, None,
         {"params": {"delete": ""}, "headers": md_headers, "body": md_body}),
        ("get object", "GET", a, "secret.txt", {}),
        ("get version", "GET", a, "secret.txt", {"params": {"versionId": version_id}}),
        ("head object", "HEAD", a, "secret.txt", {}),
        ("overwrite", "PUT", a, "secret.txt", {"body": b"bob was here"}),
        ("new object", "PUT", a, "bob.txt", {"body": b"bob was here"}),
        ("delete object", "DELETE", a, "secret.txt", {}),
        ("delete version", "DELETE", a, "secret.txt", {"params": {"versionId": version_id}}),
        ("initiate upload", "POST", a, "bob.bin", {"params": {"uploads": ""}}),
        ("upload part", "PUT", a, "up.bin",
         {"params": {"partNumber": "1", "uploadId": upload_id}, "body": b"x" * 10}),
        ("list parts", "GET", a, "up.bin", {"params": {"uploadId": upload_id}}),
        ("abort upload", "DELETE", a, "up.bin", {"params": {"uploadId": upload_id}}),
        ("copy into alice's bucket", "PUT", a, "copied.txt",
         {"headers": copy_header(dialect, b, "mine.txt")}),
        ("copy out of alice's bucket", "PUT", b, "stolen.txt",
         {"headers": copy_header(dialect, a, "secret.txt")}),
    ]
    out.append(("get bucket acl", "GET", a, None, {"params": {"acl": ""}}))
    out.append(("get object acl", "GET", a, "secret.txt", {"params": {"acl": ""}}))
    out.append(("put bucket acl", "PUT", a, None,
                {"params": {"acl": ""}, "headers": {support.acl_header(dialect): "public-read"}}))
    if dialect != "bos":
        out.append(("get bucket policy", "GET", a, None, {"params": {"policy": ""}}))
    return out


@pytest.mark.parametrize("dialect", DIALECTS)
def test_another_user_can_do_nothing_in_a_bucket(multi, dialect):
    a, b, upload_id = setup_pair(multi, dialect, f"iso-{dialect}")
    support.ok(send(multi, dialect, BOB, "PUT", b, "mine.txt", body=b"bob's own"))
    version_id = state_of(multi, a)["versions"][0][2]
    before = state_of(multi, a)
    for what, method, bucket, key, kw in attempts(dialect, a, b, upload_id, version_id):
        answer = send(multi, dialect, BOB, method, bucket, key, **kw)
        if method == "HEAD":
            assert answer.status == 403, (dialect, what, answer)
        elif what == "multi-delete" and dialect != "oss":
            assert answer.status == 200 and b"AccessDenied" in answer.body, (dialect, answer)
        else:
            support.assert_error(answer, dialect, 403, "AccessDenied")
        assert state_of(multi, a) == before, (dialect, what)
    # Bob's part copy out of Alice's bucket into an upload of his own.
    up = support.ok(send(multi, dialect, BOB, "POST", b, "big.bin", params={"uploads": ""}))
    bob_upload = support.upload_id_of(dialect, up)
    answer = send(multi, dialect, BOB, "PUT", b, "big.bin",
                  params={"partNumber": "1", "uploadId": bob_upload},
                  headers=copy_header(dialect, a, "secret.txt"))
    support.assert_error(answer, dialect, 403, "AccessDenied")
    parts = send(multi, dialect, BOB, "GET", b, "big.bin", params={"uploadId": bob_upload})
    assert b"alice" not in parts.body and parts.status == 200, parts
    # Nothing of Alice's reached Bob's bucket.
    bob_keys = {v[1] for v in state_of(multi, b)["versions"]}
    assert bob_keys == {"mine.txt"}, bob_keys
    # Re-creating Alice's bucket is refused as BucketAlreadyExists, not taken over.
    answer = send(multi, dialect, BOB, "PUT", a)
    assert answer.status == 409, answer
    assert state_of(multi, a) == before
    # Bob does not see it listed; Alice does.
    assert a.encode() not in send(multi, dialect, BOB, "GET").body
    assert a.encode() in send(multi, dialect, ALICE, "GET").body
    # Alice herself still reads her object.
    got = support.ok(send(multi, dialect, ALICE, "GET", a, "secret.txt"))
    assert got.body == b"alice's data"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_administrator_acts_on_every_bucket(multi, dialect):
    a, b, _ = setup_pair(multi, dialect, f"adm-{dialect}")
    got = support.ok(send(multi, dialect, None, "GET", a, "secret.txt"))
    assert got.body == b"alice's data"
    support.ok(send(multi, dialect, None, "PUT", a, "from-admin.txt", body=b"ops"))
    support.ok(send(multi, dialect, None, "PUT", b, "copied.txt",
                    headers=copy_header(dialect, a, "secret.txt")))
    assert support.ok(send(multi, dialect, BOB, "GET", b, "copied.txt")).body == b"alice's data"
    # The administrator's ListBuckets still shows only its own buckets.
    assert a.encode() not in send(multi, dialect, None, "GET").body


def test_expected_bucket_owner_is_checked(multi):
    a, b, _ = setup_pair(multi, "s3", "expected")
    ok = send(multi, "s3", ALICE, "GET", a, "secret.txt",
              headers={"x-amz-expected-bucket-owner": ALICE["id"]})
    assert ok.status == 200, ok
    wrong = send(multi, "s3", None, "GET", a, "secret.txt",
                 headers={"x-amz-expected-bucket-owner": BOB["id"]})
    support.assert_error(wrong, "s3", 403, "AccessDenied")
    wrong_source = send(multi, "s3", None, "PUT", b, "c.txt",
                        headers={**copy_header("s3", a, "secret.txt"),
                                 "x-amz-source-expected-bucket-owner": BOB["id"]})
    support.assert_error(wrong_source, "s3", 403, "AccessDenied")
    assert "c.txt" not in {v[1] for v in state_of(multi, b)["versions"]}


def owner_ids(body: bytes) -> set[str]:
    root = ET.fromstring(body)
    out = set()
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] in ("Owner", "Grantee", "Initiator"):
            for c in el:
                if c.tag.rsplit("}", 1)[-1] == "ID":
                    out.add(c.text)
    return out


@pytest.mark.parametrize("dialect", ["s3", "oss"])
def test_acls_and_listings_name_the_bucket_owner_not_the_requester(multi, dialect):
    a, _, _ = setup_pair(multi, dialect, f"own-{dialect}")
    requests = [
        ("GET", None, {"params": {"acl": ""}}),
        ("GET", "secret.txt", {"params": {"acl": ""}}),
        ("GET", None, {"params": {"versions": ""}}),
        ("GET", None, {"params": {"uploads": ""}}),
    ]
    if dialect == "s3":
        requests.append(("GET", None, {"params": {"list-type": "2", "fetch-owner": "true"}}))
        requests.append(("GET", None, {}))
    else:
        requests.append(("GET", None, {}))
    for method, key, kw in requests:
        answer = support.ok(send(multi, dialect, None, method, a, key, **kw))
        assert owner_ids(answer.body) == {ALICE["id"]}, (dialect, key, kw, answer.body)


def test_bos_listings_name_the_bucket_owner(multi):
    a, _, _ = setup_pair(multi, "bos", "own-bos")
    for params in ({}, {"versions": ""}, {"uploads": ""}):
        answer = support.ok(send(multi, "bos", None, "GET", a, params=params))
        doc = json.loads(answer.body)
        owners = {e["owner"]["id"] for field in ("contents", "versions", "uploads")
                  for e in doc.get(field, []) if "owner" in e}
        assert owners == {ALICE["id"]}, (params, doc)
