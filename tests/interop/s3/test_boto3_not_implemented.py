"""boto3: features Strata lacks are refused with 501 NotImplemented, never accepted and
dropped (an SSE-C object must not read back without its key; an object "under an event hold"
must not exist without one)."""

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
    {"ObjectLockEventHold": "ON"},
    {"ObjectLockEventHoldDurationDays": 1},
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


def test_object_lock_event_holds_are_refused(s3, bucket_name):
    # Object Lock is served (test_retention.py); its event holds are not.
    s3.create_bucket(Bucket=bucket_name, ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket=bucket_name, Key="k", Body=b"data")
    with expect_error(501, "NotImplemented"):
        s3.put_object_lock_configuration(Bucket=bucket_name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1,
                                          "DefaultEventHold": {"Days": 1}}}})
    with expect_error(501, "NotImplemented"):
        s3.put_object_retention(Bucket=bucket_name, Key="k", Retention={"EventHold": "ON"})
    assert s3.get_object_lock_configuration(Bucket=bucket_name)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    with expect_error(404, "NoSuchObjectLockConfiguration"):
        s3.get_object_retention(Bucket=bucket_name, Key="k")


def test_a_policy_that_may_lock_out_its_owner_is_refused(s3, bucket):
    # A bucket's owner can always read, put and delete its policy here.
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",'
              f'"Action":"s3:*","Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}')
    with expect_error(501, "NotImplemented"):
        s3.put_bucket_policy(Bucket=bucket, Policy=policy, ConfirmRemoveSelfBucketAccess=True)
    with expect_error(404, "NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)


def test_create_bucket_in_another_region_is_refused(s3, bucket_name):
    with expect_error(400, "IllegalLocationConstraintException"):
        s3.create_bucket(Bucket=bucket_name,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with expect_error(404):
        s3.head_bucket(Bucket=bucket_name)


def test_create_bucket_in_an_account_regional_namespace_is_refused(s3, bucket_name):
    """Strata has one bucket namespace: `global` is it, `account-regional` is refused."""
    with expect_error(501, "NotImplemented"):
        s3.create_bucket(Bucket=bucket_name, BucketNamespace="account-regional")
    with expect_error(404):
        s3.head_bucket(Bucket=bucket_name)
    s3.create_bucket(Bucket=bucket_name, BucketNamespace="global")
    s3.head_bucket(Bucket=bucket_name)
