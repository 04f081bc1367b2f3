"""BOS access control with bce-python-sdk, on a server with two users (alice, bob) besides the
administrator (the session's server, `conftest.USERS`):

- bucket ACLs: `x-bce-acl` (`private`, `public-read`, `public-read-write`) on PutBucket and
  `PUT /{bucket}?acl`, or an `accessControlList` document (grantees, permissions, resources,
  `effect`, `condition` as an object or an array), read back with GetBucketAcl as
  `{"accessControlList": [...], "owner": {"id": ...}}` (`set_bucket_canned_acl`,
  `set_bucket_acl`, `get_bucket_acl`);
- object ACLs: exactly one of `x-bce-acl` (`private`, `public-read`), `x-bce-grant-read`,
  `x-bce-grant-full-control` (`id="..."` lists) or a document of READ / FULL_CONTROL grants;
  GetObjectAcl, DeleteObjectAcl (back to the bucket's ACL); the same headers on PutObject,
  CopyObject and InitiateMultipartUpload (as the Go SDK sends them);
- another user's requests are refused (403 AccessDenied) unless an ACL grants them, and so are
  each entry of a multi-delete and a copy's source;
- anonymous requests (no signature; a `/v1/` path or an `x-bce-` header makes them BOS's) are
  answered as the ACLs say, in BOS's JSON shape.
"""

from __future__ import annotations

import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ..common import unique_bucket_name
from .conftest import empty_bucket
from ..conftest import USERS


def _keys(user) -> dict:
    return {"access_key": user.access_key, "secret_key": user.secret_key, "id": user.id,
            "display_name": user.display_name}


ALICE, BOB = _keys(USERS["alice"]), _keys(USERS["bob"])
from .support import (
    TIMEOUT,
    Raw,
    RawResponse,
    assert_empty_200,
    assert_json_error,
    encode_path,
    expect_error,
    get_bytes,
    make_client,
    node_ok,
    record,
    run_node,
)

# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def multi(server):
    """The session's server, which has alice and bob besides the administrator."""
    return server


def client(srv, user):
    return make_client(srv, user["access_key"], user["secret_key"])


@pytest.fixture
def alice(multi):
    return client(multi, ALICE)


@pytest.fixture
def bob(multi):
    return client(multi, BOB)


@pytest.fixture
def alice_raw(multi):
    return Raw(multi, ALICE["access_key"], ALICE["secret_key"])


@pytest.fixture
def bob_raw(multi):
    return Raw(multi, BOB["access_key"], BOB["secret_key"])


@pytest.fixture
def names(request, multi):
    """Fresh bucket names; whatever was created under them is removed (by the administrator)."""
    made = []

    def make():
        made.append(unique_bucket_name(request.node.nodeid))
        return made[-1]

    yield make
    admin = make_client(multi)
    for name in made:
        empty_bucket(admin, name)
        try:
            admin.delete_bucket(name)
        except Exception:
            pass


@pytest.fixture
def abucket(names, alice):
    """A fresh private bucket of alice's."""
    name = names()
    alice.create_bucket(name)
    return name


def anon(srv, method, path, headers=None, body=None) -> RawResponse:
    """An unsigned request (recorded: it must carry BOS's request id and date too)."""
    r = requests.request(method, srv.endpoint + path, headers=headers or {}, data=body,
                         timeout=TIMEOUT, allow_redirects=False)
    out = RawResponse(r.status_code, CaseInsensitiveDict(r.headers), r.content)
    record(method, srv.endpoint + path, out.status, out.headers,
           out.body if out.status >= 400 and method != "HEAD" else None)
    return out


def entries(resp) -> list[tuple[list[str], list[str]]]:
    """An SDK ACL response's list as ([grantee ids], [permissions]) pairs."""
    return [([g.id for g in e.grantee], list(e.permission)) for e in resp.access_control_list]


def grant(ids, permissions, **more) -> dict:
    return {"grantee": [{"id": i} for i in ids], "permission": permissions, **more}


OWNER_ONLY = ([ALICE["id"]], ["FULL_CONTROL"])

# --- bucket ACLs ----------------------------------------------------------------------------------


def test_canned_bucket_acls_set_and_read_back(multi, alice, abucket, alice_raw):
    acl = alice.get_bucket_acl(abucket)
    assert acl.owner.id == ALICE["id"]
    assert entries(acl) == [OWNER_ONLY]
    alice.set_bucket_canned_acl(abucket, b"public-read")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY, (["*"], ["READ"])]
    alice.set_bucket_canned_acl(abucket, b"public-read-write")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY, (["*"], ["READ", "WRITE"])]
    r = alice_raw.request("GET", encode_path(abucket), {"acl": ""})
    assert r.status == 200 and r.headers.get("x-bce-acl") == "public-read-write"
    assert r.json() == {"accessControlList": [grant([ALICE["id"]], ["FULL_CONTROL"]),
                                              grant(["*"], ["READ", "WRITE"])],
                        "owner": {"id": ALICE["id"]}}
    alice.set_bucket_canned_acl(abucket, b"private")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY]
    # The values are case-sensitive; anything else is InvalidArgument.
    for bad in ["Public-Read", "public", "authenticated-read"]:
        r = alice_raw.request("PUT", encode_path(abucket), {"acl": ""}, {"x-bce-acl": bad})
        assert_json_error(r, 400, "InvalidArgument")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY]


def test_put_bucket_takes_x_bce_acl(multi, names, alice, alice_raw):
    name = names()
    assert_empty_200(alice_raw.request("PUT", encode_path(name), headers={"x-bce-acl": "public-read"}))
    assert entries(alice.get_bucket_acl(name)) == [OWNER_ONLY, (["*"], ["READ"])]
    alice.put_object_from_string(name, "k", b"open")
    assert anon(multi, "GET", f"/v1/{name}/k").body == b"open"
    bad = names()
    r = alice_raw.request("PUT", encode_path(bad), headers={"x-bce-acl": "public"})
    assert_json_error(r, 400, "InvalidArgument")
    assert bad not in [b.name for b in alice.list_buckets().buckets]


def test_json_bucket_acl_round_trip_grants_another_user(alice, bob, abucket, alice_raw):
    alice.put_object_from_string(abucket, "doc.txt", b"shared")
    expect_error(get_bytes, bob, abucket, "doc.txt", status=403, code="AccessDenied")
    expect_error(bob.list_objects, abucket, status=403, code="AccessDenied")
    acl = [grant([BOB["id"]], ["READ", "LIST"])]
    alice.set_bucket_acl(abucket, acl)
    got = alice.get_bucket_acl(abucket)
    assert got.owner.id == ALICE["id"]
    assert entries(got) == [([BOB["id"]], ["READ", "LIST"])]
    assert get_bytes(bob, abucket, "doc.txt") == b"shared"
    assert [o.key for o in bob.list_objects(abucket).contents] == ["doc.txt"]
    # READ and LIST do not write, delete or read the ACL.
    expect_error(bob.put_object_from_string, abucket, "new", b"x", status=403, code="AccessDenied")
    expect_error(bob.delete_object, abucket, "doc.txt", status=403, code="AccessDenied")
    expect_error(bob.get_bucket_acl, abucket, status=403, code="AccessDenied")
    expect_error(bob.set_bucket_acl, abucket, [grant([BOB["id"]], ["FULL_CONTROL"])],
                 status=403, code="AccessDenied")
    # What GetBucketAcl answered, put back as the SDK parsed it, is the same ACL.
    alice.set_bucket_acl(abucket, got.access_control_list)
    assert entries(alice.get_bucket_acl(abucket)) == [([BOB["id"]], ["READ", "LIST"])]
    # The canned header replaces the document.
    alice.set_bucket_canned_acl(abucket, b"private")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY]
    expect_error(get_bytes, bob, abucket, "doc.txt", status=403, code="AccessDenied")
    r = alice_raw.request("GET", encode_path(abucket), {"acl": ""})
    assert "x-bce-acl" in r.headers  # a canned ACL again


def test_json_bucket_acl_document_is_answered_as_put(alice, abucket, alice_raw):
    acl = [grant([BOB["id"]], ["READ"], resource=[f"{abucket}/pub/*"],
                 condition={"ipAddress": ["127.0.0.1/32"], "referer": {}}),
           grant(["*"], ["LIST"], effect="Allow")]
    alice.set_bucket_acl(abucket, acl)
    r = alice_raw.request("GET", encode_path(abucket), {"acl": ""})
    assert r.status == 200
    assert r.json() == {"accessControlList": acl, "owner": {"id": ALICE["id"]}}
    assert "x-bce-acl" not in r.headers


def test_deny_with_a_resource_prefix_wins_over_allow(alice, bob, abucket):
    for key in ["pub/a", "secret/a"]:
        alice.put_object_from_string(abucket, key, key.encode())
    alice.set_bucket_acl(abucket, [
        grant([BOB["id"]], ["READ", "LIST"]),
        grant([BOB["id"]], ["READ"], resource=[f"{abucket}/secret/*"], effect="Deny"),
    ])
    assert get_bytes(bob, abucket, "pub/a") == b"pub/a"
    expect_error(get_bytes, bob, abucket, "secret/a", status=403, code="AccessDenied")
    assert sorted(o.key for o in bob.list_objects(abucket).contents) == ["pub/a", "secret/a"]
    # The Deny names bob only.
    assert get_bytes(alice, abucket, "secret/a") == b"secret/a"


def test_ip_address_condition_that_excludes_the_client_grants_nothing(alice, bob, abucket):
    alice.put_object_from_string(abucket, "k", b"v")
    alice.set_bucket_acl(abucket, [grant([BOB["id"]], ["READ"],
                                         condition={"ipAddress": ["10.0.0.0/8"]})])
    expect_error(get_bytes, bob, abucket, "k", status=403, code="AccessDenied")
    # The same as an array of condition objects (the Go SDK documentation's form), with the
    # client's address: granted.
    alice.set_bucket_acl(abucket, [grant([BOB["id"]], ["READ"],
                                         condition=[{"ipAddress": ["127.0.0.1/32"]}])])
    assert get_bytes(bob, abucket, "k") == b"v"
    alice.set_bucket_acl(abucket, [grant([BOB["id"]], ["READ"],
                                         condition={"notIpAddress": ["127.0.0.0/8"]})])
    expect_error(get_bytes, bob, abucket, "k", status=403, code="AccessDenied")


def test_js_sdk_sets_and_reads_bucket_acls(multi, abucket):
    acl = [grant([BOB["id"]], ["READ", "LIST"])]
    steps = [("setBucketAcl", abucket, acl), ("getBucketAcl", abucket),
             ("setBucketCannedAcl", abucket, "public-read"), ("getBucketAcl", abucket)]
    results = run_node(multi, steps, ALICE["access_key"], ALICE["secret_key"])
    for r in results:
        node_ok(r)
    owner = {"id": ALICE["id"]}
    assert results[1].body == {"accessControlList": acl, "owner": owner}
    assert results[3].body == {"accessControlList": [grant([ALICE["id"]], ["FULL_CONTROL"]),
                                                     grant(["*"], ["READ"])],
                               "owner": owner}


def test_bad_bucket_acl_requests(alice, abucket, alice_raw):
    path = encode_path(abucket)
    body = json.dumps({"accessControlList": [grant(["*"], ["READ"])]}).encode()
    r = alice_raw.request("PUT", path, {"acl": ""}, {"x-bce-acl": "private"}, body)
    assert_json_error(r, 400, "InvalidArgument")
    assert_json_error(alice_raw.request("PUT", path, {"acl": ""}), 400, "InvalidArgument")
    assert_json_error(alice_raw.request("PUT", path, {"acl": ""}, body=b"{not json"), 400,
                      "MalformedJSON")
    for doc in [{"accessControlList": [grant(["*"], ["EVERYTHING"])]},
                {"accessControlList": [grant(["*"], ["READ"], effect="Maybe")]},
                {"accessControlList": [grant(["*"], ["READ"], resource=["other-bucket/*"])]},
                {"accessControlList": [{"permission": ["READ"]}]},
                {"accessControlList": [grant(["*"], ["READ"], condition={"nosuch": ["x"]})]},
                {"grants": []}]:
        r = alice_raw.request("PUT", path, {"acl": ""}, body=json.dumps(doc).encode())
        assert_json_error(r, 400, {"MalformedJSON", "InvalidArgument"})
    # Grants by header are an object's; a bucket's are not carried out.
    r = alice_raw.request("PUT", path, {"acl": ""}, {"x-bce-grant-read": f'id="{BOB["id"]}"'})
    assert_json_error(r, 501, "NotImplemented")
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY]


# --- object ACLs ----------------------------------------------------------------------------------


def test_object_canned_acls(multi, alice, bob, abucket, alice_raw):
    alice.put_object_from_string(abucket, "k", b"object")
    assert entries(alice.get_object_acl(abucket, "k")) == []  # the bucket's ACL decides
    alice.set_object_canned_acl(abucket, "k", canned_acl=b"public-read")
    # Stored literally: the canned ACL is the owner's FULL_CONTROL and the public READ.
    assert entries(alice.get_object_acl(abucket, "k")) == [OWNER_ONLY, (["*"], ["READ"])]
    assert get_bytes(bob, abucket, "k") == b"object"
    assert anon(multi, "GET", f"/v1/{abucket}/k").body == b"object"
    # READ on an object is not its ACL, nor the bucket's writes.
    expect_error(bob.get_object_acl, abucket, "k", status=403, code="AccessDenied")
    expect_error(bob.put_object_from_string, abucket, "k", b"x", status=403, code="AccessDenied")
    alice.set_object_canned_acl(abucket, "k", canned_acl=b"private")
    assert entries(alice.get_object_acl(abucket, "k")) == [OWNER_ONLY]
    expect_error(get_bytes, bob, abucket, "k", status=403, code="AccessDenied")
    assert_json_error(anon(multi, "GET", f"/v1/{abucket}/k"), 403, "AccessDenied")
    # Objects have no public-read-write.
    r = alice_raw.request("PUT", encode_path(abucket, "k"), {"acl": ""},
                          {"x-bce-acl": "public-read-write"})
    assert_json_error(r, 400, "InvalidArgument")


def test_object_grant_headers(alice, bob, abucket):
    alice.put_object_from_string(abucket, "k", b"object")
    alice.set_object_canned_acl(abucket, "k", grant_read=f'id="{BOB["id"]}",id="{ALICE["id"]}"'.encode())
    assert entries(alice.get_object_acl(abucket, "k")) == [([BOB["id"], ALICE["id"]], ["READ"])]
    assert get_bytes(bob, abucket, "k") == b"object"
    expect_error(bob.get_object_acl, abucket, "k", status=403, code="AccessDenied")
    expect_error(bob.set_object_canned_acl, abucket, "k", canned_acl=b"public-read",
                 status=403, code="AccessDenied")
    alice.set_object_canned_acl(abucket, "k", grant_full_control=f'id="{BOB["id"]}"'.encode())
    assert entries(alice.get_object_acl(abucket, "k")) == [([BOB["id"]], ["FULL_CONTROL"])]
    # FULL_CONTROL of an object: read it, read and write its ACL; not delete it (a bucket write).
    assert get_bytes(bob, abucket, "k") == b"object"
    assert entries(bob.get_object_acl(abucket, "k")) == [([BOB["id"]], ["FULL_CONTROL"])]
    expect_error(bob.delete_object, abucket, "k", status=403, code="AccessDenied")
    bob.set_object_canned_acl(abucket, "k", canned_acl=b"private")
    expect_error(get_bytes, bob, abucket, "k", status=403, code="AccessDenied")
    # A grant to a user that does not exist is refused.
    expect_error(alice.set_object_canned_acl, abucket, "k", grant_read=b'id="nobody-at-all"',
                 status=400, code="InvalidArgument")


def test_object_acl_document_round_trip(multi, alice, bob, abucket):
    alice.put_object_from_string(abucket, "k", b"object")
    alice.set_object_acl(abucket, "k", [grant([BOB["id"], "*"], ["READ"]),
                                        grant([ALICE["id"]], ["FULL_CONTROL"])])
    got = alice.get_object_acl(abucket, "k")
    assert entries(got) == [([BOB["id"], "*"], ["READ"]), ([ALICE["id"]], ["FULL_CONTROL"])]
    assert anon(multi, "GET", f"/v1/{abucket}/k").body == b"object"
    assert get_bytes(bob, abucket, "k") == b"object"
    alice.set_object_acl(abucket, "k", got.access_control_list)
    assert entries(alice.get_object_acl(abucket, "k")) == entries(got)
    # Object ACLs hold READ and FULL_CONTROL grants; a bucket ACL's effects and conditions are
    # not carried out on objects.
    expect_error(alice.set_object_acl, abucket, "k", [grant(["*"], ["WRITE"])],
                 status=400, code="InvalidArgument")
    expect_error(alice.set_object_acl, abucket, "k", [grant(["*"], ["READ"], effect="Deny")],
                 status=501, code="NotImplemented")
    assert entries(alice.get_object_acl(abucket, "k")) == entries(got)


def test_delete_object_acl_goes_back_to_the_bucket_acl(multi, alice, abucket):
    alice.put_object_from_string(abucket, "k", b"object")
    alice.set_object_canned_acl(abucket, "k", canned_acl=b"public-read")
    assert anon(multi, "GET", f"/v1/{abucket}/k").status == 200
    alice.delete_object_acl(abucket, "k")
    assert entries(alice.get_object_acl(abucket, "k")) == []
    assert_json_error(anon(multi, "GET", f"/v1/{abucket}/k"), 403, "AccessDenied")
    alice.set_bucket_canned_acl(abucket, b"public-read")
    assert anon(multi, "GET", f"/v1/{abucket}/k").body == b"object"
    expect_error(alice.delete_object_acl, abucket, "missing", status=404, code="NoSuchKey")


def test_bad_object_acl_requests(alice, abucket, alice_raw):
    alice.put_object_from_string(abucket, "k", b"object")
    path = encode_path(abucket, "k")
    body = json.dumps({"accessControlList": [grant(["*"], ["READ"])]}).encode()
    for headers, body_, status, code in [
        ({"x-bce-acl": "public-read"}, body, 400, "InvalidArgument"),
        ({}, b"", 400, "InvalidArgument"),
        ({"x-bce-acl": "private", "x-bce-grant-read": f'id="{BOB["id"]}"'}, b"", 400,
         "InvalidArgument"),
        ({"x-bce-grant-read": "bob"}, b"", 400, "InvalidArgument"),
        ({"x-bce-grant-write": f'id="{BOB["id"]}"'}, b"", 501, "NotImplemented"),
        ({"x-bce-object-acl": "public-read"}, b"", 501, "NotImplemented"),
    ]:
        r = alice_raw.request("PUT", path, {"acl": ""}, headers, body_)
        assert_json_error(r, status, code)
    assert entries(alice.get_object_acl(abucket, "k")) == []


def test_object_writes_take_acl_headers(multi, alice, bob, abucket, alice_raw):
    # PutObject with x-bce-acl (the Go SDK's PutObjectArgs.CannedAcl).
    r = alice_raw.request("PUT", encode_path(abucket, "pub"), headers={"x-bce-acl": "public-read"},
                          body=b"public")
    assert r.status == 200
    assert anon(multi, "GET", f"/v1/{abucket}/pub").body == b"public"
    # CopyObject with a grant header.
    r = alice_raw.request("PUT", encode_path(abucket, "copy"),
                          headers={"x-bce-copy-source": encode_path(abucket, "pub"),
                                   "x-bce-grant-read": f'id="{BOB["id"]}"'})
    assert r.status == 200, r.body
    assert entries(alice.get_object_acl(abucket, "copy")) == [([BOB["id"]], ["READ"])]
    assert get_bytes(bob, abucket, "copy") == b"public"
    # InitiateMultipartUpload with a grant header: the completed object carries it.
    r = alice_raw.request("POST", encode_path(abucket, "mpu"), {"uploads": ""},
                          {"x-bce-grant-full-control": f'id="{BOB["id"]}"'})
    assert r.status == 200, r.body
    upload_id = r.json()["uploadId"]
    r = alice_raw.request("PUT", encode_path(abucket, "mpu"),
                          {"partNumber": 1, "uploadId": upload_id}, body=b"multipart")
    assert r.status == 200, r.body
    etag = r.headers["ETag"].strip('"')
    alice.complete_multipart_upload(abucket, "mpu", upload_id, [{"partNumber": 1, "eTag": etag}])
    assert entries(alice.get_object_acl(abucket, "mpu")) == [([BOB["id"]], ["FULL_CONTROL"])]
    assert get_bytes(bob, abucket, "mpu") == b"multipart"
    # Without ACL headers a new object follows the bucket's ACL.
    alice.put_object_from_string(abucket, "plain", b"plain")
    assert entries(alice.get_object_acl(abucket, "plain")) == []
    # Bad values are refused and nothing is written.
    r = alice_raw.request("PUT", encode_path(abucket, "bad"), headers={"x-bce-acl": "public"},
                          body=b"x")
    assert_json_error(r, 400, "InvalidArgument")
    expect_error(alice.get_object_meta_data, abucket, "bad", status=404, code=None)


def test_acl_headers_where_nothing_carries_them_out_are_refused(alice, abucket, alice_raw):
    alice.put_object_from_string(abucket, "k", b"object")
    for method, key, params, headers in [
        ("GET", "k", None, {"x-bce-acl": "public-read"}),
        ("DELETE", "k", None, {"x-bce-grant-read": f'id="{BOB["id"]}"'}),
        ("PUT", "k2", None, {"x-bce-object-acl": "public-read"}),
        ("PUT", "k2", None, {"x-bce-object-grant-read": f'id="{BOB["id"]}"'}),
        ("GET", None, None, {"x-bce-acl": "public-read"}),
    ]:
        path = encode_path(abucket, key) if key else encode_path(abucket)
        r = alice_raw.request(method, path, params, headers)
        assert_json_error(r, 501, "NotImplemented")
    assert get_bytes(alice, abucket, "k") == b"object"
    expect_error(alice.get_object_meta_data, abucket, "k2", status=404, code=None)


# --- other users ----------------------------------------------------------------------------------


def test_another_users_requests_are_refused(names, alice, bob, abucket):
    alice.put_object_from_string(abucket, "k1", b"one")
    alice.put_object_from_string(abucket, "k2", b"two")
    denied = dict(status=403, code="AccessDenied")
    expect_error(get_bytes, bob, abucket, "k1", **denied)
    expect_error(bob.get_object_meta_data, abucket, "k1", status=403, code=None)
    expect_error(bob.put_object_from_string, abucket, "k3", b"x", **denied)
    expect_error(bob.delete_object, abucket, "k1", **denied)
    expect_error(bob.list_objects, abucket, **denied)
    expect_error(bob.initiate_multipart_upload, abucket, "mpu", **denied)
    expect_error(bob.get_bucket_acl, abucket, **denied)
    expect_error(bob.set_bucket_canned_acl, abucket, b"public-read-write", **denied)
    expect_error(bob.get_object_acl, abucket, "k1", **denied)
    expect_error(bob.delete_object_acl, abucket, "k1", **denied)
    expect_error(bob.delete_bucket, abucket, **denied)
    # A multi-delete is judged entry by entry.
    resp = bob.delete_multiple_objects(abucket, ["k1", "k2"])
    assert sorted((e.key, e.code) for e in resp.errors) == [("k1", "AccessDenied"),
                                                           ("k2", "AccessDenied")]
    # A copy needs read on its source.
    bbucket = names()
    bob.create_bucket(bbucket)
    expect_error(bob.copy_object, abucket, "k1", bbucket, "copied", **denied)
    alice.set_object_canned_acl(abucket, "k1", grant_read=f'id="{BOB["id"]}"'.encode())
    bob.copy_object(abucket, "k1", bbucket, "copied")
    assert get_bytes(bob, bbucket, "copied") == b"one"
    expect_error(bob.copy_object, abucket, "k2", bbucket, "copied2", **denied)
    # Nothing of alice's changed.
    assert sorted(o.key for o in alice.list_objects(abucket).contents) == ["k1", "k2"]
    assert get_bytes(alice, abucket, "k2") == b"two"
    assert entries(alice.get_bucket_acl(abucket)) == [OWNER_ONLY]


# --- anonymous requests ---------------------------------------------------------------------------


def test_anonymous_reads_follow_the_acls(multi, alice, abucket, alice_raw):
    alice.put_object_from_string(abucket, "k", b"anonymous")
    obj, bucket_path = f"/v1/{abucket}/k", f"/v1/{abucket}"
    for r in [anon(multi, "GET", obj), anon(multi, "GET", bucket_path)]:
        assert_json_error(r, 403, "AccessDenied")
    assert anon(multi, "HEAD", obj).status == 403
    assert_json_error(anon(multi, "GET", "/v1/"), 403, "AccessDenied")  # ListBuckets
    alice.set_bucket_canned_acl(abucket, b"public-read")
    r = anon(multi, "GET", obj)
    assert (r.status, r.body) == (200, b"anonymous")
    h = anon(multi, "HEAD", obj)
    assert h.status == 200 and h.headers["Content-Length"] == "9"
    r = anon(multi, "GET", bucket_path)
    assert r.status == 200, r.body
    assert [o["key"] for o in r.json()["contents"]] == ["k"]
    # Without `/v1`, an `x-bce-` header makes an unsigned request BOS's.
    r = anon(multi, "GET", f"/{abucket}/k", headers={"x-bce-date": "2026-01-01T00:00:00Z"})
    assert r.status == 200 and r.headers.get("x-bce-request-id")
    # public-read does not write.
    r = anon(multi, "PUT", f"/v1/{abucket}/new", body=b"x")
    assert_json_error(r, 403, "AccessDenied")
    # An accessControlList grant to "*" is public too.
    alice.set_bucket_acl(abucket, [grant(["*"], ["READ"])])
    assert anon(multi, "GET", obj).body == b"anonymous"
    assert_json_error(anon(multi, "GET", bucket_path), 403, "AccessDenied")  # READ is not LIST


def test_anonymous_writes_to_a_public_read_write_bucket(multi, alice, abucket):
    r = anon(multi, "PUT", f"/v1/{abucket}/anon.txt", body=b"from nobody")
    assert_json_error(r, 403, "AccessDenied")
    alice.set_bucket_canned_acl(abucket, b"public-read-write")
    r = anon(multi, "PUT", f"/v1/{abucket}/anon.txt", body=b"from nobody")
    assert r.status == 200, r.body
    assert get_bytes(alice, abucket, "anon.txt") == b"from nobody"
    assert anon(multi, "GET", f"/v1/{abucket}/anon.txt").body == b"from nobody"
    # The ACL itself stays the owner's.
    r = anon(multi, "PUT", f"/v1/{abucket}?acl", headers={"x-bce-acl": "private"})
    assert_json_error(r, 403, "AccessDenied")
    assert entries(alice.get_bucket_acl(abucket))[1] == (["*"], ["READ", "WRITE"])
