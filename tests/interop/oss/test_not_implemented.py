"""oss2: what Strata lacks is refused with 501 NotImplemented, never accepted and dropped:
a bucket of another storage class or redundancy, server-side encryption, tagging."""

from __future__ import annotations

import oss2
import pytest

from ..common import unique_bucket_name


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
    {"x-oss-tagging": "a=b"},
    {"x-oss-storage-class": "IA"},
])
def test_object_writes_asking_for_missing_features_are_refused(admin, bucket, headers):
    b = admin.bucket(bucket)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("k", b"data", headers=headers)
    assert (e.value.status, e.value.code) == (501, "NotImplemented")
    assert not b.object_exists("k")
