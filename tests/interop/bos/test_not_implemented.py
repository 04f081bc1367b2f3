"""bce-python-sdk: what Strata lacks is refused with 501 NotImplemented, never accepted and
dropped: multi-AZ buckets, bucket tags, server-side encryption, other storage classes."""

from __future__ import annotations

import pytest

from ..common import unique_bucket_name
from .support import expect_error


@pytest.mark.parametrize("kwargs", [{"enable_maz": True}, {"tag_list": [{"tagKey": "a", "tagValue": "b"}]}])
def test_create_bucket_asking_for_missing_features_is_refused(bos, kwargs):
    name = unique_bucket_name("bos-nimpl")
    expect_error(bos.create_bucket, name, status=501, code="NotImplemented", **kwargs)
    assert not bos.does_bucket_exist(name)


def test_create_bucket_with_multi_az_off_is_accepted(bos):
    name = unique_bucket_name("bos-nimpl")
    bos.create_bucket(name, enable_maz=False)
    assert bos.does_bucket_exist(name)
    bos.delete_bucket(name)


@pytest.mark.parametrize("kwargs", [
    {"encryption": "AES256"},
    {"storage_class": "COLD"},
])
def test_object_writes_asking_for_missing_features_are_refused(bos, bucket, kwargs):
    expect_error(bos.put_object_from_string, bucket, "k", "data", status=501,
                 code="NotImplemented", **kwargs)
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)
