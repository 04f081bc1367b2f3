"""oss2 and alibabacloud-oss-v2: what Strata lacks is refused with 501 NotImplemented, never
accepted and dropped: a bucket of another storage class or redundancy, server-side encryption,
ObjectWorm (per-object retention and legal hold)."""

from __future__ import annotations

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from ..common import unique_bucket_name
from .clients import make_client


def test_create_bucket_of_another_storage_class_or_redundancy_is_refused(admin, server):
    for config in (oss2.models.BucketCreateConfig(oss2.BUCKET_STORAGE_CLASS_ARCHIVE),
                   oss2.models.BucketCreateConfig(oss2.BUCKET_STORAGE_CLASS_STANDARD,
                                                  oss2.BUCKET_DATA_REDUNDANCY_TYPE_ZRS)):
        name = unique_bucket_name("oss-nimpl")
        b = admin.bucket(name)
        with pytest.raises(oss2.exceptions.ServerError) as e:
            b.create_bucket(input=config)
        assert (e.value.status, e.value.code) == (501, "NotImplemented")
        with pytest.raises(oss2.exceptions.NoSuchBucket):
            b.get_bucket_info()
    name = unique_bucket_name("oss-nimpl")
    b = admin.bucket(name)
    b.create_bucket(input=oss2.models.BucketCreateConfig(oss2.BUCKET_STORAGE_CLASS_STANDARD,
                                                         oss2.BUCKET_DATA_REDUNDANCY_TYPE_LRS))
    b.delete_bucket()


@pytest.mark.parametrize("headers", [
    {"x-oss-server-side-encryption": "AES256"},
    {"x-oss-storage-class": "IA"},
])
def test_object_writes_asking_for_missing_features_are_refused(admin, bucket, headers):
    b = admin.bucket(bucket)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("k", b"data", headers=headers)
    assert (e.value.status, e.value.code) == (501, "NotImplemented")
    assert not b.object_exists("k")


def test_object_worm_is_refused(admin, bucket, server):
    """OSS's ObjectWorm (S3-like per-object retention and legal hold, alibabacloud-oss-v2
    only) is not served: 501, and nothing is set. BucketWorm is (`test_worm.py`)."""
    admin.put_object(bucket, "k", b"data")
    v2 = make_client("v2-v4", server)
    m = ossv2.models
    calls = [
        lambda: v2.client.put_bucket_object_worm_configuration(
            m.PutBucketObjectWormConfigurationRequest(
                bucket=bucket, object_worm_configuration=m.ObjectWormConfiguration(
                    object_worm_enabled="Enabled"))),
        lambda: v2.client.get_bucket_object_worm_configuration(
            m.GetBucketObjectWormConfigurationRequest(bucket=bucket)),
        lambda: v2.client.put_object_retention(m.PutObjectRetentionRequest(
            bucket=bucket, key="k", retention=m.Retention(
                mode="COMPLIANCE", retain_until_date="2099-01-01T00:00:00.000Z"))),
        lambda: v2.client.get_object_retention(m.GetObjectRetentionRequest(bucket=bucket,
                                                                           key="k")),
        lambda: v2.client.put_object_legal_hold(m.PutObjectLegalHoldRequest(
            bucket=bucket, key="k", legal_hold=m.LegalHold(status="ON"))),
        lambda: v2.client.get_object_legal_hold(m.GetObjectLegalHoldRequest(bucket=bucket,
                                                                            key="k")),
    ]
    for call in calls:
        with pytest.raises(ossv2.exceptions.OperationError) as e:
            call()
        inner = e.value.unwrap()
        assert (inner.status_code, inner.code) == (501, "NotImplemented")
    # Nothing protects the object.
    admin.delete_object(bucket, "k")
    assert not admin.bucket(bucket).object_exists("k")
