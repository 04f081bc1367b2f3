"""Access control in OSS's words, through oss2 and alibabacloud-oss-v2 (each signature version):
canned bucket ACLs (`x-oss-acl`), object ACLs (`x-oss-object-acl`, `default` inheriting the
bucket's), per-version object ACLs, other users refused, anonymous clients (the SDKs'
`AnonymousAuth` / `AnonymousCredentialsProvider`) on public and private buckets, bucket
policies (another user, anonymous with `acs:SourceIp`, explicit Deny), the policy status and
the public access block.

`alice` owns the buckets (a user of `--users`, not the administrator, who acts as every
bucket's owner); `bob` is another user; `anon` signs nothing.
"""

from __future__ import annotations

import json

import pytest

from ..common import unique_bucket_name
from . import access_clients as ac
from .clients import CLIENT_KINDS, OssError
from .conftest import empty_bucket
from .support import crc64

OBJECT_ACLS = ["default", "private", "public-read", "public-read-write"]


@pytest.fixture(params=CLIENT_KINDS)
def kind(request):
    return request.param


@pytest.fixture
def alice(kind, server):
    return ac.user_client(kind, server, server.users["alice"])


@pytest.fixture
def bob(kind, server):
    return ac.user_client(kind, server, server.users["bob"])


@pytest.fixture
def anon(kind, server):
    return ac.anonymous_client(kind, server)


@pytest.fixture
def new_bucket(request, admin):
    """`new_bucket(owner, acl=None)`: a fresh bucket created by `owner` with `x-oss-acl`;
    every one is emptied and deleted afterwards (by the administrator)."""
    made = []

    def make(owner, acl=None):
        name = unique_bucket_name(request.node.nodeid)
        made.append(name)
        ac.create_bucket(owner, name, acl)
        return name

    yield make
    for name in made:
        empty_bucket(admin, name)
        try:
            admin.delete_bucket(name)
        except OssError:
            pass


def refused(call, status=403, code="AccessDenied"):
    with pytest.raises(OssError) as e:
        call()
    assert (e.value.status, e.value.code) == (status, code), e.value
    return e.value


def policy(*statements) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


def statement(effect, principals, actions, resources, condition=None):
    s = {"Effect": effect, "Principal": principals, "Action": actions, "Resource": resources}
    if condition:
        s["Condition"] = condition
    return s


# --- canned ACLs -------------------------------------------------------------------------------

def test_bucket_canned_acls(alice, bob, new_bucket, server):
    private = new_bucket(alice)
    acl, owner = ac.get_bucket_acl(alice, private)
    assert acl == "private"
    assert owner in (None, server.users["alice"].id)  # oss2 parses no owner
    bucket = new_bucket(alice, "public-read")
    assert ac.get_bucket_acl(alice, bucket)[0] == "public-read"
    assert ac.bucket_info_acl(alice, bucket) == "public-read"
    for value in ("public-read-write", "private", "public-read"):
        ac.put_bucket_acl(alice, bucket, value)
        assert ac.get_bucket_acl(alice, bucket)[0] == value
    # Only the owner reads or changes it.
    refused(lambda: ac.get_bucket_acl(bob, bucket))
    refused(lambda: ac.put_bucket_acl(bob, bucket, "public-read-write"))
    assert ac.get_bucket_acl(alice, bucket)[0] == "public-read"


def test_bad_bucket_acls_are_400(alice, new_bucket):
    bucket = new_bucket(alice)
    raw = alice.raw()
    for headers in ({"x-oss-acl": "public"}, {"x-oss-acl": "default"}, {}):
        r = raw.request("PUT", bucket, params={"acl": ""}, headers=headers)
        assert (r.status, r.error_code()) == (400, "InvalidArgument"), headers
    r = raw.request("PUT", unique_bucket_name("bad-acl"), headers={"x-oss-acl": "authenticated-read"})
    assert (r.status, r.error_code()) == (400, "InvalidArgument")
    assert ac.get_bucket_acl(alice, bucket)[0] == "private"


def test_object_acls_and_default_inheriting_the_bucket(alice, anon, new_bucket):
    bucket = new_bucket(alice)
    for value in OBJECT_ACLS:
        ac.put_object(alice, bucket, f"put-{value}", b"x", acl=value)
        assert ac.get_object_acl(alice, bucket, f"put-{value}")[0] == value
    ac.put_object(alice, bucket, "k", b"data")
    assert ac.get_object_acl(alice, bucket, "k")[0] == "default"
    refused(lambda: anon.get_object(bucket, "k"))
    # `default` follows the bucket's ACL as it changes.
    ac.put_bucket_acl(alice, bucket, "public-read")
    assert anon.get_object(bucket, "k").body == b"data"
    # An object's own ACL wins over its bucket's, both ways.
    ac.put_object_acl(alice, bucket, "k", "private")
    assert ac.get_object_acl(alice, bucket, "k")[0] == "private"
    refused(lambda: anon.get_object(bucket, "k"))
    ac.put_bucket_acl(alice, bucket, "private")
    assert anon.get_object(bucket, "put-public-read").body == b"x"
    refused(lambda: anon.get_object(bucket, "put-default"))
    ac.put_object_acl(alice, bucket, "k", "default")
    assert ac.get_object_acl(alice, bucket, "k")[0] == "default"


def test_bad_object_acls_are_400(alice, new_bucket):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "k", b"x")
    raw = alice.raw()
    r = raw.request("PUT", bucket, "k", headers={"x-oss-object-acl": "public"}, data=b"y")
    assert (r.status, r.error_code()) == (400, "InvalidArgument")
    for headers in ({"x-oss-object-acl": "authenticated-read"}, {"x-oss-object-acl": ""}, {}):
        r = raw.request("PUT", bucket, "k", params={"acl": ""}, headers=headers)
        assert (r.status, r.error_code()) == (400, "InvalidArgument"), headers
    assert alice.get_object(bucket, "k").body == b"x"
    assert ac.get_object_acl(alice, bucket, "k")[0] == "default"


def test_copy_and_multipart_set_the_acl_asked_for(alice, anon, new_bucket):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "src", b"source")
    ac.copy_object(alice, bucket, "src", "copied", acl="public-read")
    assert ac.get_object_acl(alice, bucket, "copied")[0] == "public-read"
    assert anon.get_object(bucket, "copied").body == b"source"
    ac.copy_object(alice, bucket, "copied", "copied-default")
    assert ac.get_object_acl(alice, bucket, "copied-default")[0] == "default"
    part = b"p" * 1024
    ac.multipart_upload(alice, bucket, "mp", part, "public-read")
    assert ac.get_object_acl(alice, bucket, "mp")[0] == "public-read"
    assert anon.get_object(bucket, "mp").body == part
    # oss2's resumable upload repeats Initiate's header at Complete: the same value is
    # accepted; another one is refused, not dropped.
    ac.multipart_upload(alice, bucket, "mp2", part, "private", complete_acl="private")
    assert ac.get_object_acl(alice, bucket, "mp2")[0] == "private"
    refused(lambda: ac.multipart_upload(alice, bucket, "mp3", part, "private",
                                        complete_acl="public-read"), 501, "NotImplemented")


def test_object_acls_are_per_version(alice, anon, new_bucket):
    bucket = new_bucket(alice)
    alice.put_bucket_versioning(bucket, "Enabled")
    v1 = ac.put_object(alice, bucket, "k", b"one").headers["x-oss-version-id"]
    v2 = ac.put_object(alice, bucket, "k", b"two").headers["x-oss-version-id"]
    assert ac.put_object_acl(alice, bucket, "k", "public-read", version_id=v1) == v1
    assert ac.get_object_acl(alice, bucket, "k", version_id=v1) == ("public-read", v1)
    assert ac.get_object_acl(alice, bucket, "k") == ("default", v2)
    # Setting an ACL makes no version.
    assert [v.version_id for v in alice.list_object_versions(bucket).versions] == [v2, v1]
    assert anon.get_object(bucket, "k", version_id=v1).body == b"one"
    refused(lambda: anon.get_object(bucket, "k"))
    refused(lambda: anon.get_object(bucket, "k", version_id=v2))
    # A delete marker has no ACL: 404 when it is current, 405 when named.
    marker = alice.delete_object(bucket, "k").version_id
    refused(lambda: ac.get_object_acl(alice, bucket, "k"), 404, "NoSuchKey")
    refused(lambda: ac.put_object_acl(alice, bucket, "k", "private"), 404, "NoSuchKey")
    refused(lambda: ac.put_object_acl(alice, bucket, "k", "private", version_id=marker),
            405, "MethodNotAllowed")
    refused(lambda: ac.get_object_acl(alice, bucket, "k", version_id=marker),
            405, "MethodNotAllowed")
    assert ac.get_object_acl(alice, bucket, "k", version_id=v1)[0] == "public-read"


# --- other users -------------------------------------------------------------------------------

def test_other_users_are_refused(alice, bob, new_bucket):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "k", b"alice's")
    theirs = new_bucket(bob)
    refused(lambda: bob.get_object(bucket, "k"))
    refused(lambda: bob.head_object(bucket, "k"))  # the code from x-oss-err
    refused(lambda: bob.put_object(bucket, "k", b"bob's"))
    refused(lambda: bob.put_object(bucket, "new", b"bob's"))
    refused(lambda: bob.delete_object(bucket, "k"))
    refused(lambda: bob.delete_objects(bucket, ["k"]))
    refused(lambda: bob.list_objects(bucket))
    refused(lambda: ac.get_object_acl(bob, bucket, "k"))
    refused(lambda: ac.put_object_acl(bob, bucket, "k", "public-read"))
    # Copying needs read on the source, whatever the destination.
    refused(lambda: bob.copy_object(theirs, "k", "stolen", src_bucket=bucket))
    assert bob.list_objects(theirs).keys == []
    assert alice.list_objects(bucket).keys == ["k"]
    assert alice.get_object(bucket, "k").body == b"alice's"
    assert ac.get_object_acl(alice, bucket, "k")[0] == "default"


def test_public_read_lets_other_users_read_only(alice, bob, new_bucket):
    bucket = new_bucket(alice, "public-read")
    ac.put_object(alice, bucket, "k", b"shared")
    theirs = new_bucket(bob)
    assert bob.get_object(bucket, "k").body == b"shared"
    assert bob.list_objects(bucket).keys == ["k"]
    bob.copy_object(theirs, "k", "copy", src_bucket=bucket)
    assert bob.get_object(theirs, "copy").body == b"shared"
    refused(lambda: bob.put_object(bucket, "k", b"bob's"))
    refused(lambda: bob.delete_object(bucket, "k"))
    refused(lambda: ac.get_bucket_acl(bob, bucket))


# --- anonymous clients -------------------------------------------------------------------------

def test_anonymous_reads_of_public_read_buckets_and_objects(alice, anon, new_bucket):
    """The SDKs' anonymous requests carry no `x-oss-` header; they are told by their
    User-Agent and answered in OSS's words (the CRC-64 header oss2 checks the body against, a
    listing without S3's namespace)."""
    data = b"public bytes" * 100
    bucket = new_bucket(alice, "public-read")
    ac.put_object(alice, bucket, "dir/k", data)
    got = anon.get_object(bucket, "dir/k")
    assert got.body == data
    assert got.crc64 == crc64(data)
    assert got.headers.get("x-oss-request-id")
    assert anon.head_object(bucket, "dir/k").headers["Content-Length"] == str(len(data))
    listing = anon.list_objects(bucket, prefix="dir/")
    assert listing.keys == ["dir/k"]
    assert anon.list_objects_v2(bucket).keys == ["dir/k"]
    refused(lambda: anon.put_object(bucket, "dir/k", b"vandal"))
    refused(lambda: anon.delete_object(bucket, "dir/k"))
    refused(lambda: ac.get_bucket_acl(anon, bucket))
    refused(lambda: ac.put_bucket_acl(anon, bucket, "public-read-write"))
    assert alice.get_object(bucket, "dir/k").body == data


def test_anonymous_requests_to_private_buckets_are_refused(alice, anon, new_bucket):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "k", b"private")
    ac.put_object(alice, bucket, "open", b"open", acl="public-read")
    refused(lambda: anon.get_object(bucket, "k"))
    refused(lambda: anon.head_object(bucket, "k"))
    refused(lambda: anon.list_objects(bucket))
    refused(lambda: anon.put_object(bucket, "new", b"x"))
    # A public-read object of a private bucket is readable, the bucket still not listable.
    assert anon.get_object(bucket, "open").body == b"open"
    assert alice.list_objects(bucket).keys == ["k", "open"]


def test_anonymous_put_into_a_public_read_write_bucket(alice, anon, new_bucket):
    bucket = new_bucket(alice, "public-read-write")
    anon.put_object(bucket, "dropped", b"from nobody")
    assert alice.get_object(bucket, "dropped").body == b"from nobody"
    assert anon.get_object(bucket, "dropped").body == b"from nobody"
    assert anon.list_objects(bucket).keys == ["dropped"]
    refused(lambda: ac.put_bucket_acl(anon, bucket, "private"))


# --- bucket policies ---------------------------------------------------------------------------

def test_policy_put_get_delete(alice, bob, new_bucket, server):
    bucket = new_bucket(alice)
    bob_id = server.users["bob"].id
    refused(lambda: ac.get_bucket_policy(alice, bucket), 404, "NoSuchBucketPolicy")
    # Kept verbatim: spacing and key order as put.
    text = ('{"Version":"1",  "Statement": [{"Effect":"Allow","Action":["oss:GetObject"],'
            f'"Principal":["{bob_id}"],"Resource":["acs:oss:*:*:{bucket}/*"]}}]}}')
    assert ac.put_bucket_policy(alice, bucket, text) == 200
    assert ac.get_bucket_policy(alice, bucket) == text
    refused(lambda: ac.get_bucket_policy(bob, bucket))
    refused(lambda: ac.delete_bucket_policy(bob, bucket))
    assert ac.delete_bucket_policy(alice, bucket) == 204
    refused(lambda: ac.get_bucket_policy(alice, bucket), 404, "NoSuchBucketPolicy")
    for bad in ('{"Version":1,"Statement":[]}', "not json", '{"Version":"1","Statement":[]}'):
        refused(lambda: ac.put_bucket_policy(alice, bucket, bad), 400, "InvalidPolicyDocument")


def test_policy_allows_another_user(alice, bob, new_bucket, server):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "shared/k", b"for bob")
    ac.put_object(alice, bucket, "private/k", b"alice only")
    bob_id = server.users["bob"].id
    ac.put_bucket_policy(alice, bucket, policy(
        statement("Allow", [bob_id], ["oss:GetObject"], [f"acs:oss:*:*:{bucket}/shared/*"]),
        statement("Allow", [bob_id], ["oss:ListObjects"], [f"acs:oss:*:*:{bucket}"]),
    ))
    assert bob.get_object(bucket, "shared/k").body == b"for bob"
    assert bob.list_objects(bucket).keys == ["private/k", "shared/k"]
    refused(lambda: bob.get_object(bucket, "private/k"))
    refused(lambda: bob.put_object(bucket, "shared/k", b"bob's"))
    refused(lambda: bob.delete_object(bucket, "shared/k"))


def test_policy_for_anonymous_requests_with_a_source_ip(alice, anon, new_bucket):
    bucket = new_bucket(alice)
    ac.put_object(alice, bucket, "k", b"local only")
    resource = [f"acs:oss:*:*:{bucket}/*"]
    ac.put_bucket_policy(alice, bucket, policy(statement(
        "Allow", ["*"], ["oss:GetObject"], resource,
        {"IpAddress": {"acs:SourceIp": ["127.0.0.1/32"]}})))
    assert anon.get_object(bucket, "k").body == b"local only"
    refused(lambda: anon.list_objects(bucket))
    ac.put_bucket_policy(alice, bucket, policy(statement(
        "Allow", ["*"], ["oss:GetObject"], resource,
        {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8"]}})))
    refused(lambda: anon.get_object(bucket, "k"))


def test_policy_explicit_deny_wins(alice, bob, anon, new_bucket, server):
    bucket = new_bucket(alice, "public-read")
    for key in ("k", "secret/k", "closed/k"):
        ac.put_object(alice, bucket, key, b"data")
    ac.put_bucket_policy(alice, bucket, policy(
        statement("Deny", [server.users["bob"].id], ["oss:GetObject"],
                  [f"acs:oss:*:*:{bucket}/*"]),
        statement("Deny", ["*"], ["oss:*"], [f"acs:oss:*:*:{bucket}/secret/*"]),
        statement("Deny", [server.users["alice"].id], ["oss:GetObject"],
                  [f"acs:oss:*:*:{bucket}/closed/*"]),
    ))
    refused(lambda: bob.get_object(bucket, "k"))
    assert anon.get_object(bucket, "k").body == b"data"
    refused(lambda: anon.get_object(bucket, "secret/k"))
    # OSS: a `*` statement without a condition does not apply to the bucket's owner; one that
    # names the owner does, except on the policy itself.
    assert alice.get_object(bucket, "secret/k").body == b"data"
    refused(lambda: alice.get_object(bucket, "closed/k"))
    assert ac.delete_bucket_policy(alice, bucket) == 204
    assert alice.get_object(bucket, "closed/k").body == b"data"
    assert bob.get_object(bucket, "k").body == b"data"
    assert anon.get_object(bucket, "secret/k").body == b"data"


def test_policy_status(alice, bob, new_bucket):
    bucket = new_bucket(alice)
    assert ac.get_bucket_policy_status(alice, bucket) is False
    resource = [f"acs:oss:*:*:{bucket}/*"]
    ac.put_bucket_policy(alice, bucket, policy(
        statement("Allow", ["*"], ["oss:GetObject"], resource)))
    assert ac.get_bucket_policy_status(alice, bucket) is True
    ac.put_bucket_policy(alice, bucket, policy(statement(
        "Allow", ["*"], ["oss:GetObject"], resource,
        {"IpAddress": {"acs:SourceIp": ["192.168.1.1/32"]}})))
    assert ac.get_bucket_policy_status(alice, bucket) is False
    ac.delete_bucket_policy(alice, bucket)
    assert ac.get_bucket_policy_status(alice, bucket) is False
    refused(lambda: ac.get_bucket_policy_status(bob, bucket))


# --- public access block -----------------------------------------------------------------------

def test_public_access_block_refuses_public_acls_and_policies(alice, bob, anon, new_bucket):
    bucket = new_bucket(alice, "public-read")
    ac.put_object(alice, bucket, "k", b"was public")
    assert anon.get_object(bucket, "k").body == b"was public"
    # None set: OSS answers false, not 404 (both SDKs' own tests read it so after a delete).
    assert ac.get_public_access_block(alice, bucket) is False
    assert ac.put_public_access_block(alice, bucket, True) == 200
    assert ac.get_public_access_block(alice, bucket) is True
    refused(lambda: ac.get_public_access_block(bob, bucket))
    refused(lambda: ac.put_public_access_block(bob, bucket, False))
    # Public ACLs and policies are refused; those already there count for nothing.
    refused(lambda: anon.get_object(bucket, "k"))
    refused(lambda: ac.put_bucket_acl(alice, bucket, "public-read-write"))
    refused(lambda: ac.put_object(alice, bucket, "new", b"x", acl="public-read"))
    refused(lambda: ac.put_object_acl(alice, bucket, "k", "public-read-write"))
    refused(lambda: ac.put_bucket_policy(alice, bucket, policy(statement(
        "Allow", ["*"], ["oss:GetObject"], [f"acs:oss:*:*:{bucket}/*"]))))
    ac.put_bucket_acl(alice, bucket, "private")
    ac.put_object(alice, bucket, "new", b"x", acl="private")
    assert ac.delete_public_access_block(alice, bucket) == 204
    assert ac.get_public_access_block(alice, bucket) is False
    ac.put_bucket_acl(alice, bucket, "public-read")
    assert anon.get_object(bucket, "k").body == b"was public"
    assert ac.put_public_access_block(alice, bucket, False) == 200
    assert ac.get_public_access_block(alice, bucket) is False
    ac.put_object_acl(alice, bucket, "k", "public-read-write")
