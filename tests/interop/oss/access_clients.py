"""Access control through both OSS SDKs: canned ACLs, object ACLs, bucket policies, the public
access block, and anonymous clients.

Each function takes a client of `clients.py` (oss2 or alibabacloud-oss-v2, any signature
version, any user's keys) and goes through that SDK's own request building and parsing.
Service errors come out as `clients.OssError`. Where an SDK has no call for an operation (oss2
has no GetBucketPolicyStatus), the request is sent raw, signed like the client.
"""

from __future__ import annotations

import alibabacloud_oss_v2 as ossv2
import oss2

from .clients import Client, OssError, make_client
from .support import Raw


def user_client(kind: str, server, user) -> Client:
    """A client of `kind` signing with `user`'s keys (a conftest `InteropUser`)."""
    return make_client(kind, server, user.access_key, user.secret_key)


def anonymous_client(kind: str, server) -> Client:
    """A client of `kind`'s SDK that signs nothing: oss2's `AnonymousAuth`, v2's
    `AnonymousCredentialsProvider`."""
    c = make_client(kind, server)
    if c.sdk == "oss2":
        c.auth = oss2.AnonymousAuth()
        c._buckets.clear()
    else:
        c.cfg.credentials_provider = ossv2.credentials.AnonymousCredentialsProvider()
        c.client = ossv2.Client(c.cfg)
    c.kind = f"{c.kind}-anonymous"
    return c


def _oss2(c: Client) -> bool:
    return c.sdk == "oss2"


# --- buckets -----------------------------------------------------------------------------------

def create_bucket(c: Client, bucket: str, acl: str | None = None):
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).create_bucket(acl)
        return c.client.put_bucket(ossv2.models.PutBucketRequest(bucket=bucket, acl=acl))


def put_bucket_acl(c: Client, bucket: str, acl: str):
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).put_bucket_acl(acl)
        return c.client.put_bucket_acl(ossv2.models.PutBucketAclRequest(bucket=bucket, acl=acl))


def get_bucket_acl(c: Client, bucket: str) -> tuple[str, str | None]:
    """(the canned ACL, the owner ID the SDK parsed; oss2 parses no owner)."""
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).get_bucket_acl().acl, None
        r = c.client.get_bucket_acl(ossv2.models.GetBucketAclRequest(bucket=bucket))
        return r.acl, r.owner.id if r.owner else None


def bucket_info_acl(c: Client, bucket: str) -> str:
    """The ACL GetBucketInfo shows."""
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).get_bucket_info().acl.grant
        r = c.client.get_bucket_info(ossv2.models.GetBucketInfoRequest(bucket=bucket))
        return r.bucket_info.acl


# --- objects -----------------------------------------------------------------------------------

def put_object(c: Client, bucket: str, key: str, data: bytes, acl: str | None = None):
    """PutObject with `x-oss-object-acl` (or without, when `acl` is None)."""
    with c._errors():
        if _oss2(c):
            headers = {"x-oss-object-acl": acl} if acl is not None else None
            return c.bucket(bucket).put_object(key, data, headers=headers)
        return c.client.put_object(
            ossv2.models.PutObjectRequest(bucket=bucket, key=key, body=data, acl=acl))


def copy_object(c: Client, bucket: str, src_key: str, dst_key: str, acl: str | None = None,
                src_bucket: str | None = None):
    with c._errors():
        if _oss2(c):
            headers = {"x-oss-object-acl": acl} if acl is not None else None
            return c.bucket(bucket).copy_object(src_bucket or bucket, src_key, dst_key,
                                                headers=headers)
        return c.client.copy_object(ossv2.models.CopyObjectRequest(
            bucket=bucket, key=dst_key, source_bucket=src_bucket or bucket, source_key=src_key,
            acl=acl))


def multipart_upload(c: Client, bucket: str, key: str, data: bytes, acl: str | None,
                     complete_acl: str | None = None):
    """Initiate (with `acl`), one part, Complete (with `complete_acl`). v2's Initiate model has
    no ACL field: its request's extra `headers` carry it."""
    init_headers = {"x-oss-object-acl": acl} if acl is not None else None
    complete_headers = {"x-oss-object-acl": complete_acl} if complete_acl is not None else None
    with c._errors():
        if _oss2(c):
            b = c.bucket(bucket)
            upload_id = b.init_multipart_upload(key, headers=init_headers).upload_id
            part = b.upload_part(key, upload_id, 1, data)
            return b.complete_multipart_upload(
                key, upload_id, [oss2.models.PartInfo(1, part.etag)], headers=complete_headers)
        init = ossv2.models.InitiateMultipartUploadRequest(bucket=bucket, key=key)
        if init_headers:
            init.headers = init_headers
        upload_id = c.client.initiate_multipart_upload(init).upload_id
        part = c.client.upload_part(ossv2.models.UploadPartRequest(
            bucket=bucket, key=key, upload_id=upload_id, part_number=1, body=data))
        return c.client.complete_multipart_upload(ossv2.models.CompleteMultipartUploadRequest(
            bucket=bucket, key=key, upload_id=upload_id, acl=complete_acl,
            complete_multipart_upload=ossv2.models.CompleteMultipartUpload(
                parts=[ossv2.models.UploadPart(part_number=1, etag=part.etag)])))


def put_object_acl(c: Client, bucket: str, key: str, acl: str,
                   version_id: str | None = None) -> str | None:
    """PutObjectACL; returns the `x-oss-version-id` of the answer."""
    with c._errors():
        if _oss2(c):
            params = {"versionId": version_id} if version_id is not None else None
            r = c.bucket(bucket).put_object_acl(key, acl, params=params)
            return r.headers.get("x-oss-version-id")
        r = c.client.put_object_acl(ossv2.models.PutObjectAclRequest(
            bucket=bucket, key=key, acl=acl, version_id=version_id))
        return r.version_id


def get_object_acl(c: Client, bucket: str, key: str,
                   version_id: str | None = None) -> tuple[str, str | None]:
    """(the ACL, the `x-oss-version-id` of the answer)."""
    with c._errors():
        if _oss2(c):
            params = {"versionId": version_id} if version_id is not None else None
            r = c.bucket(bucket).get_object_acl(key, params=params)
            return r.acl, r.headers.get("x-oss-version-id")
        r = c.client.get_object_acl(ossv2.models.GetObjectAclRequest(
            bucket=bucket, key=key, version_id=version_id))
        return r.acl, r.version_id


# --- bucket policies ---------------------------------------------------------------------------

def put_bucket_policy(c: Client, bucket: str, text: str) -> int:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).put_bucket_policy(text).status
        return c.client.put_bucket_policy(
            ossv2.models.PutBucketPolicyRequest(bucket=bucket, body=text)).status_code


def get_bucket_policy(c: Client, bucket: str) -> str:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).get_bucket_policy().policy
        return c.client.get_bucket_policy(
            ossv2.models.GetBucketPolicyRequest(bucket=bucket)).body


def delete_bucket_policy(c: Client, bucket: str) -> int:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).delete_bucket_policy().status
        return c.client.delete_bucket_policy(
            ossv2.models.DeleteBucketPolicyRequest(bucket=bucket)).status_code


def get_bucket_policy_status(c: Client, bucket: str) -> bool:
    """v2's GetBucketPolicyStatus. oss2 has none: the same request, raw, signed by oss2's V4
    signer with `c`'s keys (oss2's V1 signer leaves `policyStatus` out of the string to sign,
    which OSS, like alibabacloud-oss-v2's V1 signer, includes)."""
    if _oss2(c):
        raw = Raw(c.server, "v4", c.access_key, c.secret_key)
        r = raw.request("GET", bucket, params={"policyStatus": ""})
        if r.status != 200:
            raise OssError(c.kind, r.status, r.error_code() or "", "",
                           r.headers.get("x-oss-request-id", ""), "", r.headers, None)
        assert r.xml().tag == "PolicyStatus"
        return {"true": True, "false": False}[r.xml().findtext("IsPublic")]
    with c._errors():
        r = c.client.get_bucket_policy_status(
            ossv2.models.GetBucketPolicyStatusRequest(bucket=bucket))
        return r.policy_status.is_public


# --- public access block -----------------------------------------------------------------------

def put_public_access_block(c: Client, bucket: str, block: bool) -> int:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).put_bucket_public_access_block(block).status
        return c.client.put_bucket_public_access_block(
            ossv2.models.PutBucketPublicAccessBlockRequest(
                bucket=bucket,
                public_access_block_configuration=ossv2.models.PublicAccessBlockConfiguration(
                    block_public_access=block))).status_code


def get_public_access_block(c: Client, bucket: str) -> bool | None:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).get_bucket_public_access_block().block_public_access
        r = c.client.get_bucket_public_access_block(
            ossv2.models.GetBucketPublicAccessBlockRequest(bucket=bucket))
        return r.public_access_block_configuration.block_public_access


def delete_public_access_block(c: Client, bucket: str) -> int:
    with c._errors():
        if _oss2(c):
            return c.bucket(bucket).delete_bucket_public_access_block().status
        return c.client.delete_bucket_public_access_block(
            ossv2.models.DeleteBucketPublicAccessBlockRequest(bucket=bucket)).status_code
