"""boto3 and requests: browser uploads (POST Object) with a POST policy.

boto3's `generate_presigned_post` signs the V4 form (x-amz-algorithm, x-amz-credential,
x-amz-date, x-amz-signature over the base64 policy); the V2 form (AWSAccessKeyId, signature =
base64 HMAC-SHA1 of the policy) is signed by hand, as s3-tests and older browser code sign
it. Every form is sent by `requests` as `multipart/form-data`, as a browser sends it, and
what was stored is read back with boto3.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from botocore import UNSIGNED


def post(url: str, fields: dict, content: bytes, filename: str = "upload.txt", **kw):
    return requests.post(url, data=fields, files={"file": (filename, content)}, timeout=30,
                         **kw)


def error_code(r) -> str:
    return ET.fromstring(r.content).findtext("Code")


def v2_form(server, bucket: str, conditions: list, fields: dict, expires_in: int = 600):
    """A V2 form: the policy, signed with HMAC-SHA1 of the secret key."""
    expiration = (datetime.datetime.now(datetime.timezone.utc)
                  + datetime.timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    policy = base64.b64encode(json.dumps(
        {"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions]}).encode())
    signature = base64.b64encode(
        hmac.new(server.secret_key.encode(), policy, hashlib.sha1).digest())
    return {**fields, "AWSAccessKeyId": server.access_key, "policy": policy.decode(),
            "signature": signature.decode()}


def test_presigned_post_v4_stores_the_file_with_the_forms_fields(s3, bucket):
    form = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-color": "blue",
                "success_action_status": "201", "Cache-Control": "max-age=60"},
        Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"},
                    {"x-amz-meta-color": "blue"}, {"success_action_status": "201"},
                    {"Cache-Control": "max-age=60"}, ["content-length-range", 1, 1024]],
        ExpiresIn=300)
    assert form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    r = post(form["url"], form["fields"], b"hello from a browser", filename="photo.txt")
    assert r.status_code == 201, r.text
    doc = ET.fromstring(r.content)
    assert doc.tag == "PostResponse"
    assert doc.findtext("Bucket") == bucket
    assert doc.findtext("Key") == "uploads/photo.txt"
    got = s3.get_object(Bucket=bucket, Key="uploads/photo.txt")
    assert got["Body"].read() == b"hello from a browser"
    assert got["ContentType"] == "text/plain"
    assert got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"color": "blue"}
    assert doc.findtext("ETag") == got["ETag"] == r.headers["ETag"]
    assert doc.findtext("Location").endswith(f"/{bucket}/uploads/photo.txt")


def test_v2_form_uploads_and_answers_204_by_default(server, s3, bucket):
    fields = v2_form(server, bucket, [["starts-with", "$key", ""], {"acl": "public-read"}],
                     {"key": "v2.bin", "acl": "public-read"})
    r = post(f"{server.endpoint}/{bucket}", fields, b"\x00\x01binary")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert s3.get_object(Bucket=bucket, Key="v2.bin")["Body"].read() == b"\x00\x01binary"
    grants = s3.get_object_acl(Bucket=bucket, Key="v2.bin")["Grants"]
    assert {"Grantee": {"Type": "Group",
                        "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ"} in grants


def test_success_action_redirect_is_a_303_with_bucket_key_and_etag(s3, bucket):
    target = "https://example.com/done?from=form"
    form = s3.generate_presigned_post(
        bucket, "r.txt", Fields={"success_action_redirect": target},
        Conditions=[{"success_action_redirect": target}])
    r = post(form["url"], form["fields"], b"redirected", allow_redirects=False)
    assert r.status_code == 303, r.text
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://example.com/done"
    query = parse_qs(location.query)
    etag = s3.head_object(Bucket=bucket, Key="r.txt")["ETag"]
    assert query == {"from": ["form"], "bucket": [bucket], "key": ["r.txt"], "etag": [etag]}


def test_a_post_to_a_versioned_bucket_makes_a_version(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"first")
    form = s3.generate_presigned_post(b, "k")
    r = post(form["url"], form["fields"], b"second")
    assert r.status_code == 204, r.text
    versions = s3.list_object_versions(Bucket=b)["Versions"]
    assert len(versions) == 2
    latest = [v for v in versions if v["IsLatest"]][0]
    assert r.headers["x-amz-version-id"] == latest["VersionId"]
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"second"


def test_anonymous_posts_need_a_bucket_anyone_may_write(server, s3, admin, bucket):
    url = f"{server.endpoint}/{bucket}"
    r = post(url, {"key": "anon.txt"}, b"anonymous")
    assert r.status_code == 403, r.text
    assert error_code(r) == "AccessDenied"
    admin.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    r = post(url, {"key": "anon.txt", "Content-Type": "text/x-anon"}, b"anonymous")
    assert r.status_code == 204, r.text
    got = s3.get_object(Bucket=bucket, Key="anon.txt")
    assert got["Body"].read() == b"anonymous"
    assert got["ContentType"] == "text/x-anon"


def test_a_signer_without_write_permission_is_refused(server, make_s3, new_bucket_name):
    alice_keys, bob_keys = server.users["alice"], server.users["bob"]
    alice = make_s3(access_key=alice_keys.access_key, secret_key=alice_keys.secret_key)
    bob = make_s3(access_key=bob_keys.access_key, secret_key=bob_keys.secret_key)
    name = new_bucket_name()
    alice.create_bucket(Bucket=name)
    form = bob.generate_presigned_post(name, "intruder.txt")
    r = post(form["url"], form["fields"], b"no")
    assert r.status_code == 403, r.text
    assert error_code(r) == "AccessDenied"
    form = alice.generate_presigned_post(name, "owner.txt")
    assert post(form["url"], form["fields"], b"yes").status_code == 204


@pytest.mark.parametrize("case,status,code", [
    ("expired", 403, "AccessDenied"),
    ("field not in the policy", 403, "AccessDenied"),
    ("condition fails", 403, "AccessDenied"),
    ("too large", 400, "EntityTooLarge"),
    ("too small", 400, "EntityTooSmall"),
    ("bad signature", 403, "SignatureDoesNotMatch"),
    ("unknown key", 403, "InvalidAccessKeyId"),
    ("no key field", 400, "InvalidArgument"),
    ("malformed policy", 400, "InvalidPolicyDocument"),
    ("malformed tagging", 400, "MalformedXML"),
])
def test_forms_the_policy_does_not_allow_are_refused(server, s3, bucket, case, status, code):
    conditions = [["starts-with", "$key", "ok/"], ["content-length-range", 2, 8]]
    fields = {"key": "ok/file"}
    expires_in = 600
    content = b"12345"
    if case == "expired":
        expires_in = -60
    elif case == "field not in the policy":
        fields["x-amz-meta-extra"] = "1"
    elif case == "condition fails":
        fields["key"] = "elsewhere/file"
    elif case == "too large":
        content = b"123456789"
    elif case == "too small":
        content = b"1"
    elif case == "no key field":
        del fields["key"]
    elif case == "malformed tagging":
        conditions.append(["starts-with", "$tagging", ""])
        fields["tagging"] = "<Tagging><TagSet><Tag><Key>k</Key>"
    form = v2_form(server, bucket, conditions, fields, expires_in)
    if case == "bad signature":
        form["signature"] = base64.b64encode(b"0" * 20).decode()
    elif case == "unknown key":
        form["AWSAccessKeyId"] = "NOSUCHACCESSKEY00000"
    elif case == "malformed policy":
        form["policy"] = base64.b64encode(b'{"conditions": []}').decode()
        form["signature"] = base64.b64encode(hmac.new(
            server.secret_key.encode(), form["policy"].encode(), hashlib.sha1).digest()).decode()
    r = post(f"{server.endpoint}/{bucket}", form, content)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_a_tagging_field_tags_the_uploaded_version(server, s3, versioned_bucket):
    """S3 takes a browser upload's tags as a `<Tagging>` document in its `tagging` field."""
    doc = ("<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag>"
           "<Tag><Key>tier</Key><Value>1</Value></Tag></TagSet></Tagging>")
    conditions = [["starts-with", "$key", "t/"], ["eq", "$tagging", doc]]
    form = v2_form(server, versioned_bucket, conditions, {"key": "t/file", "tagging": doc}, 600)
    r = post(f"{server.endpoint}/{versioned_bucket}", form, b"tagged")
    assert r.status_code == 204, r.text
    got = s3.get_object_tagging(Bucket=versioned_bucket, Key="t/file",
                                VersionId=r.headers["x-amz-version-id"])
    assert got["TagSet"] == [{"Key": "team", "Value": "web"}, {"Key": "tier", "Value": "1"}]
    head = s3.head_object(Bucket=versioned_bucket, Key="t/file")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"


def test_a_form_signed_with_boto3s_unsigned_client_is_anonymous(server, make_s3, admin, bucket):
    """An unsigned client's presigned post carries no signature: an anonymous upload."""
    anon = make_s3(signature_version=UNSIGNED)
    admin.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    form = anon.generate_presigned_post(bucket, "via-unsigned")
    assert "x-amz-signature" not in form["fields"]
    r = post(form["url"], form["fields"], b"unsigned")
    assert r.status_code == 204, r.text


def test_bodies_that_are_not_forms_are_refused(server, s3, bucket):
    url = f"{server.endpoint}/{bucket}"
    r = requests.post(url, data=b"--nope\r\nnot a form at all",
                      headers={"Content-Type": "multipart/form-data; boundary=XyZ"}, timeout=30)
    assert r.status_code == 400, r.text
    assert error_code(r) == "MalformedPOSTRequest"
    # The fields before the file: at most 20 KB.
    r = post(url, {"key": "k", "x-ignore-padding": "p" * (21 * 1024)}, b"x")
    assert r.status_code == 400, r.text
    assert error_code(r) == "MaxPostPreDataLengthExceeded"
    # No file field.
    r = requests.post(url, files={"key": (None, "k")}, timeout=30)
    assert r.status_code == 400, r.text
    assert error_code(r) == "InvalidArgument"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def crc32(content: bytes) -> str:
    import zlib
    return b64(zlib.crc32(content).to_bytes(4, "big"))


@pytest.mark.parametrize("field,good", [
    ("Content-MD5", lambda c: b64(hashlib.md5(c).digest())),
    ("x-amz-checksum-crc32", crc32),
    ("x-amz-checksum-sha256", lambda c: b64(hashlib.sha256(c).digest())),
    ("x-amz-checksum-sha1", lambda c: b64(hashlib.sha1(c).digest())),
])
def test_a_digest_field_is_checked_as_putobjects_header_is(server, s3, bucket, field, good):
    """A form's Content-MD5 and x-amz-checksum-* fields are verified: a body that does not
    match is BadDigest and nothing is stored; one that matches is stored, the flexible
    checksum with it (GetObject with ChecksumMode shows it)."""
    content = b"form body to verify"
    url = f"{server.endpoint}/{bucket}"
    conditions = [["starts-with", "$key", "d/"], ["starts-with", f"${field}", ""]]
    bad = v2_form(server, bucket, conditions, {"key": "d/bad", field: good(b"another body")})
    r = post(url, bad, content)
    assert r.status_code == 400, r.text
    assert error_code(r) == "BadDigest"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    fine = v2_form(server, bucket, conditions, {"key": "d/good", field: good(content)})
    r = post(url, fine, content)
    assert r.status_code == 204, r.text
    got = s3.get_object(Bucket=bucket, Key="d/good", ChecksumMode="ENABLED")
    assert got["Body"].read() == content
    if field.startswith("x-amz-checksum-"):
        name = "Checksum" + field.removeprefix("x-amz-checksum-").upper()
        assert got[name] == good(content)
        assert r.headers[field] == good(content)


def test_an_algorithm_field_stores_that_checksum(server, s3, bucket):
    """`x-amz-checksum-algorithm` alone: the checksum is computed and stored."""
    content = b"computed by the server"
    conditions = [["eq", "$key", "alg"], ["eq", "$x-amz-checksum-algorithm", "CRC32"]]
    form = v2_form(server, bucket, conditions,
                   {"key": "alg", "x-amz-checksum-algorithm": "CRC32"})
    r = post(f"{server.endpoint}/{bucket}", form, content)
    assert r.status_code == 204, r.text
    got = s3.head_object(Bucket=bucket, Key="alg", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32(content)


@pytest.mark.parametrize("field,value,code", [
    ("Content-MD5", "not an md5", "InvalidDigest"),
    ("x-amz-checksum-crc32", "!!", "InvalidRequest"),
    ("x-amz-checksum-algorithm", "MD4", "InvalidRequest"),
])
def test_malformed_digest_fields_are_refused(server, s3, bucket, field, value, code):
    conditions = [["eq", "$key", "m"], ["starts-with", f"${field}", ""]]
    form = v2_form(server, bucket, conditions, {"key": "m", field: value})
    r = post(f"{server.endpoint}/{bucket}", form, b"body")
    assert r.status_code == 400, r.text
    assert error_code(r) == code
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
