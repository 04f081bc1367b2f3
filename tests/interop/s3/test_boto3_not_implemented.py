"""boto3: features Strata lacks are refused with 501 NotImplemented, never accepted and
dropped (an SSE-C object must not read back without its key; a bucket created "with object
lock" must not exist unlocked)."""

from __future__ import annotations

import pytest

from .support import expect_error


def test_sse_c_put_is_refused_and_stores_nothing(s3, bucket):
    with expect_error(501, "NotImplemented"):
        s3.put_object(Bucket=bucket, Key="secret", Body=b"data",
                      SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32)
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="secret")


@pytest.mark.parametrize("params", [
    {"ServerSideEncryption": "AES256"},
    {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "key-1"},
    {"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": "2099-01-01T00:00:00Z"},
    {"ObjectLockLegalHoldStatus": "ON"},
    {"Tagging": "a=b"},
    {"StorageClass": "GLACIER"},
])
def test_object_writes_asking_for_missing_features_are_refused(s3, bucket, params):
    with expect_error(501, "NotImplemented"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"data", **params)
    with expect_error(501, "NotImplemented"):
        s3.create_multipart_upload(Bucket=bucket, Key="k", **params)
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    with expect_error(501, "NotImplemented"):
        s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "src"},
                       **params)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["src"]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_create_bucket_with_object_lock_is_refused(s3, bucket_name):
    with expect_error(501, "NotImplemented"):
        s3.create_bucket(Bucket=bucket_name, ObjectLockEnabledForBucket=True)
    with expect_error(404):
        s3.head_bucket(Bucket=bucket_name)


def test_acl_grants_to_anyone_but_the_owner_are_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    own = {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}
    public = {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
              "Permission": "READ"}
    # The one ACL there is may be written back as it reads.
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": owner, "Grants": [own]})
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={"Owner": owner, "Grants": [own]})
    with expect_error(501, "NotImplemented"):
        s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": owner,
                                                              "Grants": [own, public]})
    with expect_error(501, "NotImplemented"):
        s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={"Owner": owner,
                                                                       "Grants": [public]})
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"],
                     "DisplayName": owner["DisplayName"]}, "Permission": "FULL_CONTROL"}]


def test_create_bucket_in_another_region_is_refused(s3, bucket_name):
    with expect_error(400, "IllegalLocationConstraintException"):
        s3.create_bucket(Bucket=bucket_name,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with expect_error(404):
        s3.head_bucket(Bucket=bucket_name)
