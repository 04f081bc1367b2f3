"""What Strata does not carry out is refused, never accepted and dropped.

Server-side encryption (SSE-C, SSE-S3, SSE-KMS), S3 Object Lock event holds, OSS ObjectWorm,
storage classes, traffic limits and the other features of the three dialects that
Strata lacks: a request that asks for one gets 501 NotImplemented in the dialect's format, and
nothing is stored (an SSE-C object would otherwise read back without its key; an object under
an event hold would not be held).
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from . import support, wire

SSE_C_KEY = b"k" * 32
SSE_C = {
    "x-amz-server-side-encryption-customer-algorithm": "AES256",
    "x-amz-server-side-encryption-customer-key": base64.b64encode(SSE_C_KEY).decode(),
    "x-amz-server-side-encryption-customer-key-MD5":
        base64.b64encode(hashlib.md5(SSE_C_KEY).digest()).decode(),
}

# (dialect, what, headers) of object writes that must be refused.
OBJECT_HEADERS = [
    ("s3", "SSE-C", SSE_C),
    ("s3", "SSE-S3", {"x-amz-server-side-encryption": "AES256"}),
    ("s3", "SSE-KMS", {"x-amz-server-side-encryption": "aws:kms",
                       "x-amz-server-side-encryption-aws-kms-key-id": "key-1"}),
    ("s3", "object lock event hold", {"x-amz-object-lock-event-hold": "ON"}),
    ("s3", "storage class", {"x-amz-storage-class": "GLACIER"}),
    ("s3", "website redirect", {"x-amz-website-redirect-location": "/elsewhere"}),
    ("oss", "SSE", {"x-oss-server-side-encryption": "AES256"}),
    ("oss", "SSE-KMS", {"x-oss-server-side-encryption": "KMS",
                        "x-oss-server-side-encryption-key-id": "key-1"}),
    ("oss", "storage class", {"x-oss-storage-class": "Archive"}),
    ("oss", "traffic limit", {"x-oss-traffic-limit": "819200"}),
    ("bos", "SSE", {"x-bce-server-side-encryption": "AES256"}),
    ("bos", "storage class", {"x-bce-storage-class": "COLD"}),
    ("bos", "object ACL", {"x-bce-object-acl": "public-read"}),
    ("bos", "object expiry", {"x-bce-object-expires": "3"}),
    ("bos", "traffic limit", {"x-bce-traffic-limit": "819200"}),
    ("bos", "forbid overwrite", {"x-bce-forbid-overwrite": "true"}),
]

COPY_SOURCE = {"s3": "x-amz-copy-source", "oss": "x-oss-copy-source",
               "bos": "x-bce-copy-source"}


def send(server, dialect, method, bucket=None, key=None, **kw) -> wire.Answer:
    return wire.send(server, wire.Signer(server, dialect).sign(method, bucket, key, **kw))


def refused(answer: wire.Answer, dialect: str, what) -> None:
    support.assert_error(answer, dialect, 501, "NotImplemented")


@pytest.fixture(scope="module")
def bucket(server):
    name = support.bucket_name("nimpl")
    support.create_bucket(server, "s3", name, versioned=True)
    support.ok(support.put(server, "s3", name, "source", b"source bytes"))
    return name


@pytest.mark.parametrize("dialect,what,headers", OBJECT_HEADERS,
                         ids=[f"{d}-{w}" for d, w, _ in OBJECT_HEADERS])
def test_object_writes_asking_for_a_missing_feature_are_refused(server, bucket, dialect, what,
                                                                 headers):
    before = wire.snapshot(server)[bucket]
    key = f"{dialect}-{what}"
    refused(send(server, dialect, "PUT", bucket, key, headers=headers, body=b"secret"),
            dialect, what)
    copy = {**headers, COPY_SOURCE[dialect]: f"/{bucket}/source"}
    refused(send(server, dialect, "PUT", bucket, key, headers=copy), dialect, what)
    refused(send(server, dialect, "POST", bucket, key, params={"uploads": ""}, headers=headers),
            dialect, what)
    assert wire.snapshot(server)[bucket] == before, (dialect, what)


def test_sse_c_reads_are_refused_too(server, bucket):
    refused(send(server, "s3", "GET", bucket, "source", headers=SSE_C), "s3", "SSE-C read")
    refused(send(server, "s3", "PUT", bucket, "copy",
                 headers={"x-amz-copy-source": f"/{bucket}/source",
                          **{k.replace("x-amz-", "x-amz-copy-source-"): v
                             for k, v in SSE_C.items()}}), "s3", "SSE-C copy source")


@pytest.mark.parametrize("dialect,headers", [
    ("s3", {"x-amz-server-side-encryption": "AES256"}),
    ("oss", {"x-oss-server-side-encryption": "AES256"}),
    ("bos", {"x-bce-grant-read": 'id="someone"'}),
])
def test_bucket_creation_asking_for_a_missing_feature_is_refused(server, dialect, headers):
    name = support.bucket_name("nimpl-b")
    refused(send(server, dialect, "PUT", name, headers=headers), dialect, headers)
    assert name not in wire.snapshot(server)


def test_bucket_creation_saying_no_to_a_feature_is_accepted(server):
    name = support.bucket_name("nimpl-ok")
    support.ok(send(server, "s3", "PUT", name,
                    headers={"x-amz-bucket-object-lock-enabled": "false",
                             "x-amz-object-ownership": "BucketOwnerEnforced"}))
    support.ok(send(server, "s3", "PUT", name, "k", body=b"x",
                    headers={"x-amz-storage-class": "STANDARD"}))
    support.ok(send(server, "oss", "PUT", name, "k2", body=b"x",
                    headers={"x-oss-storage-class": "Standard",
                             "x-oss-forbid-overwrite": "false"}))
    support.ok(send(server, "bos", "PUT", name, "k3", body=b"x",
                    headers={"x-bce-storage-class": "STANDARD"}))


@pytest.mark.parametrize("dialect,method,key,params", [
    ("s3", "GET", "k", {"torrent": ""}),
    ("s3", "POST", "k", {"restore": ""}),
    ("oss", "PUT", None, {"objectWorm": ""}),
    ("oss", "PUT", "k", {"retention": ""}),
    ("oss", "PUT", "k", {"legalHold": ""}),
    ("oss", "GET", "k", {"x-oss-process": "image/resize,w_10"}),
    ("oss", "PUT", "k", {"symlink": ""}),
    ("oss", "GET", None, {"stat": ""}),
    ("bos", "POST", "k", {"fetch": ""}),
    ("bos", "PUT", None, {"quota": ""}),
    ("bos", "GET", None, {"website": ""}),
    ("bos", "GET", "k", {"responseContentType": "text/plain"}),
])
def test_sub_resources_not_served_are_refused(server, bucket, dialect, method, key, params):
    before = wire.snapshot(server)
    refused(send(server, dialect, method, bucket, key, params=params, body=b"<x/>"),
            dialect, params)
    assert wire.snapshot(server) == before


@pytest.mark.parametrize("dialect,method,key,params", [
    ("s3", "DELETE", None, {"object-lock": ""}),
    ("s3", "POST", None, {"object-lock": ""}),
    ("s3", "DELETE", "source", {"retention": ""}),
    ("s3", "POST", "source", {"legal-hold": ""}),
    ("oss", "PUT", None, {"worm": ""}),
    ("oss", "DELETE", None, {"wormId": "1"}),
    ("bos", "PUT", None, {"objectlock": ""}),
    ("bos", "DELETE", None, {"completeobjectlock": ""}),
])
def test_other_methods_on_retention_sub_resources_do_nothing(server, bucket, dialect, method,
                                                              key, params):
    """Retention's sub-resources are served by their own methods only: any other method is
    405, never the bucket's or the object's own PUT or DELETE with the sub-resource ignored."""
    before = wire.snapshot(server)
    answer = send(server, dialect, method, bucket, key, params=params, body=b"<x/>")
    support.assert_error(answer, dialect, 405, "MethodNotAllowed")
    assert wire.snapshot(server) == before


@pytest.mark.parametrize("dialect", ["oss", "bos"])
def test_deletes_honour_if_match_in_every_dialect(server, bucket, dialect):
    """A DELETE with If-Match is carried out only when the ETag matches (412 otherwise, and the
    object stays): the condition is never accepted and dropped."""
    key = f"cond-delete-{dialect}"
    put = support.ok(support.put(server, dialect, bucket, key, b"keep me"))
    etag = put.headers["etag"]
    wrong = send(server, dialect, "DELETE", bucket, key,
                 headers={"If-Match": '"0123456789abcdef0123456789abcdef"'})
    support.assert_error(wrong, dialect, 412, "PreconditionFailed")
    assert support.get(server, dialect, bucket, key).body == b"keep me"
    support.ok(send(server, dialect, "DELETE", bucket, key, headers={"If-Match": etag}))
    assert key not in support.current_keys(server, bucket)
