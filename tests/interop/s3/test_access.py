"""boto3: access control as two users and an anonymous client see it.

Alice and Bob are the users the session server is given with `--users` (neither is the
administrator, which acts as every bucket's owner and only cleans up here). Every path that
grants or refuses: canned ACLs, grant headers and `AccessControlPolicy` documents on buckets
and objects (per version), what another user and an anonymous (unsigned) client may and may
not do, bucket policies (users, anonymous, `aws:SourceIp` and `s3:prefix` conditions), the
policy status, public access blocks, Object Ownership controls, and presigned URLs.
"""

from __future__ import annotations

import json

import pytest
import requests
from botocore import UNSIGNED

from .support import expect_error, headers_of, raw_request, status_of

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


@pytest.fixture
def users(server):
    alice, bob = server.users["alice"], server.users["bob"]
    return alice, bob


@pytest.fixture
def alice(make_s3, users):
    return make_s3(access_key=users[0].access_key, secret_key=users[0].secret_key)


@pytest.fixture
def bob(make_s3, users):
    return make_s3(access_key=users[1].access_key, secret_key=users[1].secret_key)


@pytest.fixture
def anon(make_s3):
    return make_s3(signature_version=UNSIGNED)


@pytest.fixture
def abucket(alice, new_bucket_name):
    """A fresh bucket Alice owns."""
    name = new_bucket_name()
    alice.create_bucket(Bucket=name)
    return name


@pytest.fixture
def bbucket(bob, new_bucket_name):
    """A fresh bucket Bob owns."""
    name = new_bucket_name()
    bob.create_bucket(Bucket=name)
    return name


def grant(grantee: str, permission: str, name: str | None = None) -> dict:
    """A grant as boto3 reads it: a group URI, or a user ID with its display name."""
    if grantee.startswith("http://"):
        return {"Grantee": {"Type": "Group", "URI": grantee}, "Permission": permission}
    return {"Grantee": {"Type": "CanonicalUser", "ID": grantee, "DisplayName": name},
            "Permission": permission}


def owner_grant(user) -> dict:
    return grant(user.id, "FULL_CONTROL", user.display_name)


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(effect, principal, action, resource, condition=None) -> dict:
    s = {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def can(call, **params) -> bool:
    """Whether the call succeeds; an AccessDenied (403) is False, anything else fails."""
    try:
        call(**params)
        return True
    except Exception as e:  # botocore's ClientError
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]  # type: ignore[attr-defined]
        assert status == 403, f"expected success or 403, got {status}: {e}"
        return False


# --- ACLs: canned, grant headers, documents -----------------------------------------------------

def test_what_a_user_creates_is_its_own_alone(alice, bob, anon, users, abucket):
    a, _ = users
    alice.put_object(Bucket=abucket, Key="k", Body=b"data")
    for acl in (alice.get_bucket_acl(Bucket=abucket),
                alice.get_object_acl(Bucket=abucket, Key="k")):
        assert acl["Owner"] == {"ID": a.id, "DisplayName": a.display_name}
        assert acl["Grants"] == [owner_grant(a)]
    for client in (bob, anon):
        assert not can(client.get_object, Bucket=abucket, Key="k")
        assert not can(client.list_objects_v2, Bucket=abucket)
        assert not can(client.put_object, Bucket=abucket, Key="k2", Body=b"x")


def test_the_acl_document_is_s3s_shape(server, users, abucket, alice):
    a, _ = users
    alice.put_bucket_acl(Bucket=abucket, ACL="public-read")
    r = raw_request(server, "GET", f"/{abucket}", params={"acl": ""}, user=a)
    assert r.status_code == 200 and r.headers["content-type"] == "application/xml"
    xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    assert r.text.endswith(
        '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Owner><ID>{a.id}</ID><DisplayName>{a.display_name}</DisplayName></Owner>"
        f'<AccessControlList><Grant><Grantee {xsi} xsi:type="Group"><URI>{ALL_USERS}</URI>'
        "</Grantee><Permission>READ</Permission></Grant>"
        f'<Grant><Grantee {xsi} xsi:type="CanonicalUser"><ID>{a.id}</ID>'
        f"<DisplayName>{a.display_name}</DisplayName></Grantee>"
        "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>"
    ), r.text


@pytest.mark.parametrize("how", ["create", "put"])
@pytest.mark.parametrize("canned,grants,anon_lists,bob_lists,bob_writes", [
    ("private", [], False, False, False),
    ("public-read", [(ALL_USERS, "READ")], True, True, False),
    ("public-read-write", [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")], True, True, True),
    ("authenticated-read", [(AUTHENTICATED_USERS, "READ")], False, True, False),
    ("log-delivery-write", [(LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")],
     False, False, False),
])
def test_canned_bucket_acls(alice, bob, anon, users, new_bucket_name, how, canned, grants,
                            anon_lists, bob_lists, bob_writes):
    a, _ = users
    name = new_bucket_name()
    if how == "create":
        alice.create_bucket(Bucket=name, ACL=canned)
    else:
        alice.create_bucket(Bucket=name)
        assert status_of(alice.put_bucket_acl(Bucket=name, ACL=canned)) == 200
    acl = alice.get_bucket_acl(Bucket=name)
    assert acl["Grants"] == [grant(g, p) for g, p in grants] + [owner_grant(a)]
    assert can(anon.list_objects, Bucket=name) == anon_lists
    assert can(bob.list_objects_v2, Bucket=name) == bob_lists
    assert can(bob.put_object, Bucket=name, Key="by-bob", Body=b"b") == bob_writes
    assert can(anon.put_object, Bucket=name, Key="by-anon", Body=b"a") == (canned == "public-read-write")
    # Nobody but the owner reads or changes the ACL (no READ_ACP/WRITE_ACP was granted).
    assert not can(bob.get_bucket_acl, Bucket=name)
    assert not can(bob.put_bucket_acl, Bucket=name, ACL="public-read-write")


@pytest.mark.parametrize("canned,bob_reads,anon_reads", [
    ("private", False, False),
    ("public-read", True, True),
    ("public-read-write", True, True),
    ("authenticated-read", True, False),
    ("bucket-owner-read", False, False),
    ("bucket-owner-full-control", False, False),
    ("aws-exec-read", False, False),
])
def test_canned_object_acls_on_put_copy_and_multipart(alice, bob, anon, abucket, canned,
                                                      bob_reads, anon_reads):
    alice.put_object(Bucket=abucket, Key="put", Body=b"p", ACL=canned)
    alice.put_object(Bucket=abucket, Key="src", Body=b"s")
    alice.copy_object(Bucket=abucket, Key="copy", CopySource={"Bucket": abucket, "Key": "src"},
                      ACL=canned)
    up = alice.create_multipart_upload(Bucket=abucket, Key="mpu", ACL=canned)["UploadId"]
    etag = alice.upload_part(Bucket=abucket, Key="mpu", UploadId=up, PartNumber=1,
                             Body=b"m")["ETag"]
    alice.complete_multipart_upload(Bucket=abucket, Key="mpu", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    for key in ("put", "copy", "mpu"):
        assert can(bob.get_object, Bucket=abucket, Key=key) == bob_reads, key
        assert can(anon.get_object, Bucket=abucket, Key=key) == anon_reads, key
        # Object WRITE means nothing: writes need the bucket's WRITE.
        assert not can(bob.put_object, Bucket=abucket, Key=key, Body=b"x")
    assert not can(bob.get_object, Bucket=abucket, Key="src")


def test_an_object_another_user_writes_is_its_writers(alice, bob, users, abucket):
    a, b = users
    alice.put_bucket_acl(Bucket=abucket, ACL="public-read-write")
    bob.put_object(Bucket=abucket, Key="bobs", Body=b"b", ACL="bucket-owner-read")
    acl = bob.get_object_acl(Bucket=abucket, Key="bobs")
    assert acl["Owner"] == {"ID": b.id, "DisplayName": b.display_name}
    # AWS's canned ACL table: the owner's FULL_CONTROL first, then the bucket owner's grant.
    assert acl["Grants"] == [owner_grant(b), grant(a.id, "READ", a.display_name)]
    bob.put_object(Bucket=abucket, Key="full", Body=b"b", ACL="bucket-owner-full-control")
    assert alice.get_object_acl(Bucket=abucket, Key="full")["Grants"] == [
        owner_grant(b), grant(a.id, "FULL_CONTROL", a.display_name)]


def test_grant_headers_on_buckets(alice, bob, anon, users, new_bucket_name):
    a, b = users
    name = new_bucket_name()
    alice.create_bucket(Bucket=name, GrantRead=f'id="{b.id}"', GrantReadACP=f"id={b.id}")
    # Stored and shown literally: grant headers list no grant to the owner, so none shows
    # (the owner may still do everything).
    assert alice.get_bucket_acl(Bucket=name)["Grants"] == [
        grant(b.id, "READ", b.display_name), grant(b.id, "READ_ACP", b.display_name)]
    assert can(bob.list_objects_v2, Bucket=name) and can(bob.get_bucket_acl, Bucket=name)
    assert not can(bob.put_object, Bucket=name, Key="k", Body=b"b")
    # A new ACL replaces the old one.
    alice.put_bucket_acl(Bucket=name, GrantWrite=f'id="{b.id}"', GrantRead=f'uri="{ALL_USERS}"')
    assert can(bob.put_object, Bucket=name, Key="k", Body=b"b")
    assert can(anon.list_objects, Bucket=name)
    assert not can(bob.get_bucket_acl, Bucket=name)
    assert not can(bob.put_bucket_acl, Bucket=name, ACL="private")
    alice.put_bucket_acl(Bucket=name, GrantFullControl=f'id="{b.id}"')
    assert can(bob.put_bucket_acl, Bucket=name, ACL="private")
    assert not can(bob.list_objects_v2, Bucket=name)
    # An owner's grants to itself are kept as given.
    alice.put_bucket_acl(Bucket=name, GrantFullControl=f'id="{a.id}"', GrantRead=f'id="{a.id}"')
    assert alice.get_bucket_acl(Bucket=name)["Grants"] == [
        grant(a.id, "READ", a.display_name), owner_grant(a)]
    # An empty list revokes every grant; the owner still reads and changes its ACL.
    alice.put_bucket_acl(Bucket=name, AccessControlPolicy={
        "Owner": {"ID": a.id}, "Grants": []})
    assert alice.get_bucket_acl(Bucket=name)["Grants"] == []
    assert can(alice.put_object, Bucket=name, Key="still", Body=b"x")


def test_grant_headers_on_objects(alice, bob, users, abucket):
    _, b = users
    alice.put_object(Bucket=abucket, Key="r", Body=b"r", GrantRead=f'id="{b.id}"')
    alice.put_object(Bucket=abucket, Key="f", Body=b"f", GrantFullControl=f'id="{b.id}"')
    up = alice.create_multipart_upload(Bucket=abucket, Key="m",
                                       GrantReadACP=f'id="{b.id}"')["UploadId"]
    etag = alice.upload_part(Bucket=abucket, Key="m", UploadId=up, PartNumber=1,
                             Body=b"m")["ETag"]
    alice.complete_multipart_upload(Bucket=abucket, Key="m", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert can(bob.get_object, Bucket=abucket, Key="r")
    assert not can(bob.get_object_acl, Bucket=abucket, Key="r")
    assert can(bob.get_object_acl, Bucket=abucket, Key="m")
    assert not can(bob.get_object, Bucket=abucket, Key="m")
    assert can(bob.get_object, Bucket=abucket, Key="f")
    bob.put_object_acl(Bucket=abucket, Key="f", ACL="public-read")
    assert alice.get_object_acl(Bucket=abucket, Key="f")["Grants"][0] == grant(ALL_USERS, "READ")


@pytest.mark.parametrize("params,status,code", [
    ({"ACL": "public-ready"}, 400, "InvalidArgument"),
    ({"GrantRead": 'emailAddress="bob@example.com"'}, 400, "UnresolvableGrantByEmailAddress"),
    ({"GrantRead": 'uri="http://acs.amazonaws.com/groups/global/Nobody"'}, 400,
     "InvalidArgument"),
    ({"GrantRead": 'id="nobody-has-this-id"'}, 400, "InvalidArgument"),
    ({"GrantRead": "bob"}, 400, "InvalidArgument"),
    ({"ACL": "private", "GrantRead": 'id="bob-id"'}, 400, "InvalidRequest"),
])
def test_bad_acl_headers_are_refused_and_change_nothing(alice, users, abucket, new_bucket_name,
                                                        params, status, code):
    a, _ = users
    with expect_error(status, code):
        alice.put_bucket_acl(Bucket=abucket, **params)
    with expect_error(status, code):
        alice.put_object(Bucket=abucket, Key="k", Body=b"x", **params)
    name = new_bucket_name()
    with expect_error(status, code):
        alice.create_bucket(Bucket=name, **params)
    with expect_error(404):
        alice.head_bucket(Bucket=name)
    assert alice.get_bucket_acl(Bucket=abucket)["Grants"] == [owner_grant(a)]
    assert alice.list_objects_v2(Bucket=abucket)["KeyCount"] == 0


def test_acl_documents(server, alice, bob, anon, users, abucket):
    a, b = users
    alice.put_object(Bucket=abucket, Key="k", Body=b"k")
    owner = {"ID": a.id, "DisplayName": a.display_name}
    doc = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": a.id}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "CanonicalUser", "ID": b.id}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ_ACP"}]}
    alice.put_bucket_acl(Bucket=abucket, AccessControlPolicy=doc)
    got = alice.get_bucket_acl(Bucket=abucket)
    # Groups first, then users, each in the order put.
    assert got["Grants"] == [grant(ALL_USERS, "READ_ACP"), owner_grant(a),
                             grant(b.id, "READ", b.display_name)]
    assert can(bob.list_objects_v2, Bucket=abucket) and can(anon.get_bucket_acl, Bucket=abucket)
    # What GetBucketAcl answers can be put back as it is.
    alice.put_bucket_acl(Bucket=abucket, AccessControlPolicy={"Owner": got["Owner"],
                                                              "Grants": got["Grants"]})
    assert alice.get_bucket_acl(Bucket=abucket)["Grants"] == got["Grants"]
    # Object documents: Bob gets full control of Alice's object (but not its ownership).
    alice.put_object_acl(Bucket=abucket, Key="k", AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": b.id}, "Permission": "FULL_CONTROL"}]})
    assert bob.get_object(Bucket=abucket, Key="k")["Body"].read() == b"k"
    bob.put_object_acl(Bucket=abucket, Key="k", AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": b.id}, "Permission": "READ_ACP"}]})
    assert bob.get_object_acl(Bucket=abucket, Key="k")["Owner"] == owner
    assert not can(bob.get_object, Bucket=abucket, Key="k")
    # Refused documents.
    with expect_error(400, "InvalidArgument"):  # an ACL does not change who owns
        alice.put_bucket_acl(Bucket=abucket, AccessControlPolicy={
            "Owner": {"ID": b.id}, "Grants": []})
    with expect_error(400, "UnresolvableGrantByEmailAddress"):
        alice.put_bucket_acl(Bucket=abucket, AccessControlPolicy={"Owner": owner, "Grants": [
            {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "b@example.com"},
             "Permission": "READ"}]})
    with expect_error(400, "UnexpectedContent"):
        alice.put_bucket_acl(Bucket=abucket, ACL="private",
                             AccessControlPolicy={"Owner": owner, "Grants": []})
    for body in (b"<AccessControlPolicy><AccessControlList><Grant><Permission>READ"
                 b"</Permission></Grant></AccessControlList></AccessControlPolicy>",
                 b"<NotAnAcl/>", b"<AccessControlPolicy>", b""):
        r = raw_request(server, "PUT", f"/{abucket}", params={"acl": ""}, body=body, user=a)
        assert r.status_code == 400 and "<Code>MalformedACLError</Code>" in r.text, r.text
    assert alice.get_bucket_acl(Bucket=abucket)["Grants"] == got["Grants"]


def test_object_acls_are_per_version(alice, anon, users, new_bucket_name):
    a, _ = users
    name = new_bucket_name()
    alice.create_bucket(Bucket=name)
    alice.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    v1 = alice.put_object(Bucket=name, Key="k", Body=b"one")["VersionId"]
    v2 = alice.put_object(Bucket=name, Key="k", Body=b"two")["VersionId"]
    r = alice.put_object_acl(Bucket=name, Key="k", VersionId=v1, ACL="public-read")
    assert headers_of(r)["x-amz-version-id"] == v1
    assert anon.get_object(Bucket=name, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert not can(anon.get_object, Bucket=name, Key="k")
    assert not can(anon.get_object, Bucket=name, Key="k", VersionId=v2)
    assert alice.get_object_acl(Bucket=name, Key="k", VersionId=v1)["Grants"] == [
        grant(ALL_USERS, "READ"), owner_grant(a)]
    assert alice.get_object_acl(Bucket=name, Key="k")["Grants"] == [owner_grant(a)]
    # Without a version, PutObjectAcl acts on the current one; no new version is made.
    r = alice.put_object_acl(Bucket=name, Key="k", ACL="public-read")
    assert headers_of(r)["x-amz-version-id"] == v2
    assert anon.get_object(Bucket=name, Key="k")["Body"].read() == b"two"
    assert len(alice.list_object_versions(Bucket=name)["Versions"]) == 2
    # A delete marker has no ACL.
    marker = alice.delete_object(Bucket=name, Key="k")["VersionId"]
    with expect_error(405, "MethodNotAllowed"):
        alice.put_object_acl(Bucket=name, Key="k", VersionId=marker, ACL="private")
    with expect_error(405, "MethodNotAllowed"):
        alice.get_object_acl(Bucket=name, Key="k", VersionId=marker)
    with expect_error(404, "NoSuchKey"):
        alice.put_object_acl(Bucket=name, Key="k", ACL="private")
    with expect_error(404, "NoSuchKey"):
        alice.put_object_acl(Bucket=name, Key="missing", ACL="private")


def test_put_object_acl_names_no_version_in_an_unversioned_bucket(alice, abucket):
    alice.put_object(Bucket=abucket, Key="k", Body=b"k")
    r = alice.put_object_acl(Bucket=abucket, Key="k", ACL="public-read")
    assert "x-amz-version-id" not in headers_of(r)


# --- what another user and anonymous clients may do --------------------------------------------

def test_another_user_may_do_nothing_in_a_private_bucket(alice, bob, abucket):
    alice.put_bucket_versioning(Bucket=abucket, VersioningConfiguration={"Status": "Enabled"})
    v = alice.put_object(Bucket=abucket, Key="k", Body=b"k")["VersionId"]
    up = alice.create_multipart_upload(Bucket=abucket, Key="m")["UploadId"]
    b = abucket
    for call, params in [
        (bob.get_object, {"Key": "k"}), (bob.get_object, {"Key": "k", "VersionId": v}),
        (bob.get_object, {"Key": "missing"}),
        (bob.put_object, {"Key": "k", "Body": b"x"}), (bob.put_object, {"Key": "new", "Body": b""}),
        (bob.delete_object, {"Key": "k"}), (bob.delete_object, {"Key": "k", "VersionId": v}),
        (bob.list_objects, {}), (bob.list_objects_v2, {}), (bob.list_object_versions, {}),
        (bob.list_multipart_uploads, {}), (bob.list_parts, {"Key": "m", "UploadId": up}),
        (bob.abort_multipart_upload, {"Key": "m", "UploadId": up}),
        (bob.create_multipart_upload, {"Key": "m2"}),
        (bob.get_bucket_versioning, {}),
        (bob.put_bucket_versioning, {"VersioningConfiguration": {"Status": "Suspended"}}),
        (bob.get_bucket_acl, {}), (bob.put_bucket_acl, {"ACL": "public-read"}),
        (bob.get_object_acl, {"Key": "k"}), (bob.put_object_acl, {"Key": "k", "ACL": "private"}),
        (bob.get_bucket_policy, {}), (bob.delete_bucket_policy, {}),
        (bob.get_bucket_policy_status, {}), (bob.get_public_access_block, {}),
        (bob.delete_public_access_block, {}), (bob.get_bucket_ownership_controls, {}),
        (bob.delete_bucket_ownership_controls, {}), (bob.delete_bucket, {}),
    ]:
        with expect_error(403, "AccessDenied"):
            call(Bucket=b, **params)
    with expect_error(403):
        bob.head_object(Bucket=b, Key="k")
    with expect_error(403):
        bob.head_bucket(Bucket=b)
    assert b not in [x["Name"] for x in bob.list_buckets()["Buckets"]]
    assert [x["VersionId"] for x in alice.list_object_versions(Bucket=b)["Versions"]] == [v]
    assert alice.list_multipart_uploads(Bucket=b)["Uploads"][0]["UploadId"] == up
    assert alice.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"


def test_multi_delete_is_decided_entry_by_entry(alice, bob, users, abucket):
    _, b = users
    for key in ("public/a", "private/b"):
        alice.put_object(Bucket=abucket, Key=key, Body=b"x")
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", {"AWS": f"arn:aws:iam::{b.id}:root"}, "s3:DeleteObject",
        f"arn:aws:s3:::{abucket}/public/*")))
    r = bob.delete_objects(Bucket=abucket, Delete={"Objects": [{"Key": "public/a"},
                                                               {"Key": "private/b"}]})
    assert [d["Key"] for d in r["Deleted"]] == ["public/a"]
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("private/b", "AccessDenied")]
    assert [o["Key"] for o in alice.list_objects_v2(Bucket=abucket)["Contents"]] == ["private/b"]


def test_copies_need_read_on_their_source(alice, bob, abucket, bbucket):
    alice.put_object(Bucket=abucket, Key="src", Body=b"s" * 1024)
    src = {"Bucket": abucket, "Key": "src"}
    up = bob.create_multipart_upload(Bucket=bbucket, Key="mpu")["UploadId"]
    with expect_error(403, "AccessDenied"):
        bob.copy_object(Bucket=bbucket, Key="copy", CopySource=src)
    with expect_error(403, "AccessDenied"):
        bob.upload_part_copy(Bucket=bbucket, Key="mpu", UploadId=up, PartNumber=1,
                             CopySource=src)
    # Nor may Alice copy into Bob's bucket, though she may read the source.
    with expect_error(403, "AccessDenied"):
        alice.copy_object(Bucket=bbucket, Key="copy", CopySource=src)
    alice.put_object_acl(Bucket=abucket, Key="src", ACL="authenticated-read")
    bob.copy_object(Bucket=bbucket, Key="copy", CopySource=src)
    etag = bob.upload_part_copy(Bucket=bbucket, Key="mpu", UploadId=up, PartNumber=1,
                                CopySource=src)["CopyPartResult"]["ETag"]
    bob.complete_multipart_upload(Bucket=bbucket, Key="mpu", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    for key in ("copy", "mpu"):
        assert bob.get_object(Bucket=bbucket, Key=key)["Body"].read() == b"s" * 1024


def test_anonymous_reads_of_public_objects_and_listings(alice, anon, abucket):
    alice.put_object(Bucket=abucket, Key="public", Body=b"p", ACL="public-read")
    alice.put_object(Bucket=abucket, Key="private", Body=b"q")
    assert anon.get_object(Bucket=abucket, Key="public")["Body"].read() == b"p"
    assert anon.head_object(Bucket=abucket, Key="public")["ContentLength"] == 1
    with expect_error(403, "AccessDenied"):
        anon.get_object(Bucket=abucket, Key="private")
    # Without the right to list, a missing key is not told from a refused one.
    with expect_error(403, "AccessDenied"):
        anon.get_object(Bucket=abucket, Key="missing")
    with expect_error(403, "AccessDenied"):
        anon.list_objects_v2(Bucket=abucket)
    alice.put_bucket_acl(Bucket=abucket, ACL="public-read")
    assert [o["Key"] for o in anon.list_objects(Bucket=abucket)["Contents"]] == [
        "private", "public"]
    assert anon.list_objects_v2(Bucket=abucket)["KeyCount"] == 2
    with expect_error(404, "NoSuchKey"):
        anon.get_object(Bucket=abucket, Key="missing")
    with expect_error(403, "AccessDenied"):
        anon.get_object(Bucket=abucket, Key="private")
    with expect_error(403, "AccessDenied"):
        anon.put_object(Bucket=abucket, Key="new", Body=b"n")
    with expect_error(403, "AccessDenied"):
        anon.list_buckets()
    with expect_error(403, "AccessDenied"):
        anon.create_bucket(Bucket=abucket + "-anon")


# --- bucket policies -------------------------------------------------------------------------

def test_policy_documents_are_kept_verbatim(server, alice, users, abucket):
    a, _ = users
    text = ('{ "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Principal": "*",'
            f' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{abucket}/*"}}]  }}')
    with expect_error(404, "NoSuchBucketPolicy"):
        alice.get_bucket_policy(Bucket=abucket)
    assert status_of(alice.put_bucket_policy(Bucket=abucket, Policy=text)) == 204
    assert alice.get_bucket_policy(Bucket=abucket)["Policy"] == text
    r = raw_request(server, "GET", f"/{abucket}", params={"policy": ""}, user=a)
    assert r.content == text.encode() and r.headers["content-type"] == "application/json"
    for bad in ("{", '{"Statement": []', policy(statement(
            "Allow", "*", "s3:GetObject", "arn:aws:s3:::another-bucket/*"))):
        with expect_error(400, "MalformedPolicy"):
            alice.put_bucket_policy(Bucket=abucket, Policy=bad)
    assert alice.get_bucket_policy(Bucket=abucket)["Policy"] == text
    assert status_of(alice.delete_bucket_policy(Bucket=abucket)) == 204
    with expect_error(404, "NoSuchBucketPolicy"):
        alice.get_bucket_policy(Bucket=abucket)
    assert status_of(alice.delete_bucket_policy(Bucket=abucket)) == 204


def test_a_policy_allows_and_denies_another_user(alice, bob, anon, users, abucket):
    _, b = users
    bob_principal = {"AWS": f"arn:aws:iam::{b.id}:root"}
    for key in ("open", "secret/k"):
        alice.put_object(Bucket=abucket, Key=key, Body=key.encode(), ACL="public-read")
    alice.put_object(Bucket=abucket, Key="private", Body=b"p")
    assert not can(bob.get_object, Bucket=abucket, Key="private")
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(
        statement("Allow", bob_principal, ["s3:GetObject", "s3:ListBucket"],
                  [f"arn:aws:s3:::{abucket}", f"arn:aws:s3:::{abucket}/*"]),
        statement("Deny", bob_principal, "s3:GetObject", f"arn:aws:s3:::{abucket}/secret/*")))
    assert bob.get_object(Bucket=abucket, Key="private")["Body"].read() == b"p"
    assert bob.list_objects_v2(Bucket=abucket)["KeyCount"] == 3
    # A Deny wins over the policy's Allow and over the object's public-read.
    with expect_error(403, "AccessDenied"):
        bob.get_object(Bucket=abucket, Key="secret/k")
    assert anon.get_object(Bucket=abucket, Key="secret/k")["Body"].read() == b"secret/k"
    assert not can(bob.put_object, Bucket=abucket, Key="new", Body=b"n")
    assert not can(anon.get_object, Bucket=abucket, Key="private")


def test_get_object_attributes_needs_its_own_action_and_get_object(alice, bob, users,
                                                                   abucket):
    """AWS: GetObjectAttributes needs s3:GetObjectAttributes and s3:GetObject (a version:
    s3:GetObjectVersionAttributes and s3:GetObjectVersion), each granted on its own."""
    _, b = users
    bob_principal = {"AWS": f"arn:aws:iam::{b.id}:root"}
    alice.put_object(Bucket=abucket, Key="k", Body=b"attributes")
    objects = f"arn:aws:s3:::{abucket}/*"

    def allow(*actions):
        alice.put_bucket_policy(Bucket=abucket, Policy=policy(
            statement("Allow", bob_principal, list(actions), objects)))

    def attributes():
        return can(bob.get_object_attributes, Bucket=abucket, Key="k",
                   ObjectAttributes=["ObjectSize"])

    allow("s3:GetObject")
    assert can(bob.get_object, Bucket=abucket, Key="k")
    assert not attributes()
    allow("s3:GetObjectAttributes")
    assert not attributes()
    allow("s3:GetObject", "s3:GetObjectAttributes")
    assert attributes()
    r = bob.get_object_attributes(Bucket=abucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert r["ObjectSize"] == len(b"attributes")
    # A version named needs the version's actions.
    assert not can(bob.get_object_attributes, Bucket=abucket, Key="k", VersionId="null",
                   ObjectAttributes=["ObjectSize"])
    allow("s3:GetObjectVersion", "s3:GetObjectVersionAttributes")
    assert can(bob.get_object_attributes, Bucket=abucket, Key="k", VersionId="null",
               ObjectAttributes=["ObjectSize"])


def test_a_policy_for_anonymous_requests_with_conditions(alice, anon, abucket):
    for key in ("public/a", "private/b"):
        alice.put_object(Bucket=abucket, Key=key, Body=b"x")
    objects = f"arn:aws:s3:::{abucket}/*"
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", "*", "s3:GetObject", objects, {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    assert anon.get_object(Bucket=abucket, Key="private/b")["Body"].read() == b"x"
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", "*", "s3:GetObject", objects, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    assert not can(anon.get_object, Bucket=abucket, Key="private/b")
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", {"AWS": "*"}, "s3:ListBucket", f"arn:aws:s3:::{abucket}",
        {"StringLike": {"s3:prefix": "public/*"}})))
    assert [o["Key"] for o in anon.list_objects_v2(Bucket=abucket, Prefix="public/")[
        "Contents"]] == ["public/a"]
    assert not can(anon.list_objects_v2, Bucket=abucket)
    assert not can(anon.list_objects_v2, Bucket=abucket, Prefix="private/")
    assert not can(anon.get_object, Bucket=abucket, Key="public/a")


def test_policy_status(alice, users, abucket):
    _, b = users

    def public() -> bool:
        return alice.get_bucket_policy_status(Bucket=abucket)["PolicyStatus"]["IsPublic"]

    assert public() is False
    alice.put_bucket_acl(Bucket=abucket, ACL="authenticated-read")
    assert public() is True
    alice.put_bucket_acl(Bucket=abucket, ACL="private")
    objects = f"arn:aws:s3:::{abucket}/*"
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(
        statement("Allow", "*", "s3:GetObject", objects)))
    assert public() is True
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", "*", "s3:GetObject", objects, {"IpAddress": {"aws:SourceIp": "10.0.0.0/32"}})))
    assert public() is False
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", {"AWS": f"arn:aws:iam::{b.id}:root"}, "s3:GetObject", objects)))
    assert public() is False


# --- public access blocks and ownership controls ----------------------------------------------

def test_public_access_blocks(alice, bob, anon, users, abucket):
    _, b = users
    with expect_error(404, "NoSuchPublicAccessBlockConfiguration"):
        alice.get_public_access_block(Bucket=abucket)
    alice.put_object(Bucket=abucket, Key="pub", Body=b"p", ACL="public-read")
    public_policy = policy(statement("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{abucket}/*"))

    def block(**flags):
        conf = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
                "BlockPublicPolicy": False, "RestrictPublicBuckets": False, **flags}
        r = alice.put_public_access_block(Bucket=abucket, PublicAccessBlockConfiguration=conf)
        assert status_of(r) == 200
        got = alice.get_public_access_block(Bucket=abucket)
        assert got["PublicAccessBlockConfiguration"] == conf

    block(BlockPublicAcls=True)
    for call, params in [
        (alice.put_bucket_acl, {"ACL": "public-read"}),
        (alice.put_bucket_acl, {"GrantRead": f'uri="{AUTHENTICATED_USERS}"'}),
        (alice.put_object, {"Key": "k", "Body": b"k", "ACL": "public-read-write"}),
        (alice.put_object_acl, {"Key": "pub", "ACL": "authenticated-read"}),
    ]:
        with expect_error(403, "AccessDenied"):
            call(Bucket=abucket, **params)
    alice.put_bucket_acl(Bucket=abucket, ACL="private")
    alice.put_object(Bucket=abucket, Key="k", Body=b"k", GrantRead=f'id="{b.id}"')
    assert anon.get_object(Bucket=abucket, Key="pub")["Body"].read() == b"p"  # set before
    block(BlockPublicPolicy=True)
    with expect_error(403, "AccessDenied"):
        alice.put_bucket_policy(Bucket=abucket, Policy=public_policy)
    alice.put_bucket_policy(Bucket=abucket, Policy=policy(statement(
        "Allow", {"AWS": f"arn:aws:iam::{b.id}:root"}, "s3:GetObject",
        f"arn:aws:s3:::{abucket}/*")))
    block(IgnorePublicAcls=True)
    assert not can(anon.get_object, Bucket=abucket, Key="pub")
    assert can(bob.get_object, Bucket=abucket, Key="pub")  # by the policy, not the ACL
    alice.put_bucket_policy(Bucket=abucket, Policy=public_policy)
    assert can(anon.get_object, Bucket=abucket, Key="pub")
    assert can(anon.get_object, Bucket=abucket, Key="k")  # by the public policy
    block(RestrictPublicBuckets=True)
    assert not can(anon.get_object, Bucket=abucket, Key="k")
    assert alice.get_object(Bucket=abucket, Key="k")["Body"].read() == b"k"
    assert status_of(alice.delete_public_access_block(Bucket=abucket)) == 204
    with expect_error(404, "NoSuchPublicAccessBlockConfiguration"):
        alice.get_public_access_block(Bucket=abucket)
    assert anon.get_object(Bucket=abucket, Key="k")["Body"].read() == b"k"


def test_ownership_controls(alice, bob, users, abucket, new_bucket_name):
    a, b = users
    with expect_error(404, "OwnershipControlsNotFoundError"):
        alice.get_bucket_ownership_controls(Bucket=abucket)

    def own(mode):
        r = alice.put_bucket_ownership_controls(Bucket=abucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": mode}]})
        assert status_of(r) == 200
        assert alice.get_bucket_ownership_controls(Bucket=abucket)["OwnershipControls"] == {
            "Rules": [{"ObjectOwnership": mode}]}

    alice.put_bucket_acl(Bucket=abucket, GrantWrite=f'id="{b.id}"')
    with expect_error(400, "InvalidBucketAclWithObjectOwnership"):
        own("BucketOwnerEnforced")
    own("BucketOwnerPreferred")
    bob.put_object(Bucket=abucket, Key="given", Body=b"g", ACL="bucket-owner-full-control")
    bob.put_object(Bucket=abucket, Key="kept", Body=b"k")
    assert alice.get_object_acl(Bucket=abucket, Key="given")["Owner"]["ID"] == a.id
    assert bob.get_object_acl(Bucket=abucket, Key="kept")["Owner"]["ID"] == b.id
    alice.put_bucket_acl(Bucket=abucket, ACL="private")
    own("BucketOwnerEnforced")
    # ACLs are off: setting one is refused, reading one shows the bucket owner's control only.
    for call, params in [
        (alice.put_bucket_acl, {"ACL": "private"}),
        (alice.put_object_acl, {"Key": "kept", "ACL": "private"}),
        (alice.put_object, {"Key": "k", "Body": b"k", "ACL": "public-read"}),
        (alice.put_object, {"Key": "k", "Body": b"k", "GrantRead": f'id="{b.id}"'}),
    ]:
        with expect_error(400, "AccessControlListNotSupported"):
            call(Bucket=abucket, **params)
    alice.put_object(Bucket=abucket, Key="k", Body=b"k")
    alice.put_object(Bucket=abucket, Key="k", Body=b"k", ACL="bucket-owner-full-control")
    acl = alice.get_object_acl(Bucket=abucket, Key="kept")
    assert acl["Owner"]["ID"] == a.id and acl["Grants"] == [owner_grant(a)]
    assert not can(bob.put_object, Bucket=abucket, Key="k2", Body=b"b")  # ACL grants are off
    assert status_of(alice.delete_bucket_ownership_controls(Bucket=abucket)) == 204
    with expect_error(404, "OwnershipControlsNotFoundError"):
        alice.get_bucket_ownership_controls(Bucket=abucket)
    assert status_of(alice.delete_bucket_ownership_controls(Bucket=abucket)) == 204
    # At creation.
    name = new_bucket_name()
    alice.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    assert alice.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    with expect_error(400, "InvalidArgument"):
        alice.create_bucket(Bucket=new_bucket_name(), ObjectOwnership="Nobody")
    with expect_error(400, "InvalidBucketAclWithObjectOwnership"):
        alice.create_bucket(Bucket=new_bucket_name(), ObjectOwnership="BucketOwnerEnforced",
                            ACL="public-read")


# --- presigned URLs ------------------------------------------------------------------------------

def test_presigned_urls_act_with_the_signers_rights(alice, bob, users, abucket):
    _, b = users
    alice.put_object(Bucket=abucket, Key="k", Body=b"secret")
    params = {"Bucket": abucket, "Key": "k"}
    assert requests.get(bob.generate_presigned_url("get_object", Params=params),
                        timeout=30).status_code == 403
    r = requests.get(alice.generate_presigned_url("get_object", Params=params), timeout=30)
    assert r.status_code == 200 and r.content == b"secret"
    put = {"Bucket": abucket, "Key": "by-bob"}
    assert requests.put(bob.generate_presigned_url("put_object", Params=put), data=b"b",
                        timeout=30).status_code == 403
    alice.put_object_acl(Bucket=abucket, Key="k", GrantRead=f'id="{b.id}"')
    alice.put_bucket_acl(Bucket=abucket, GrantWrite=f'id="{b.id}"')
    r = requests.get(bob.generate_presigned_url("get_object", Params=params), timeout=30)
    assert r.status_code == 200 and r.content == b"secret"
    assert requests.put(bob.generate_presigned_url("put_object", Params=put), data=b"b",
                        timeout=30).status_code == 200
    assert bob.get_object_acl(Bucket=abucket, Key="by-bob")["Owner"]["ID"] == b.id
