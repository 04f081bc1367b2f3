"""boto3: CreateBucket, HeadBucket, ListBuckets, GetBucketLocation, DeleteBucket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .conftest import create_bucket
from .support import expect_error, status_of


def test_create_bucket_then_head_and_list_show_it(s3, bucket_name):
    r = s3.create_bucket(Bucket=bucket_name)
    assert status_of(r) == 200
    assert s3.head_bucket(Bucket=bucket_name)["ResponseMetadata"]["HTTPStatusCode"] == 200

    listing = s3.list_buckets()
    mine = [b for b in listing["Buckets"] if b["Name"] == bucket_name]
    assert len(mine) == 1
    created = mine[0]["CreationDate"]
    now = datetime.now(timezone.utc)
    assert now - timedelta(minutes=5) < created < now + timedelta(minutes=5)
    assert listing["Owner"]["ID"], "ListBuckets names the owner"


def test_head_bucket_of_a_missing_bucket_is_bare_404(s3, bucket_name):
    with expect_error(404) as e:
        s3.head_bucket(Bucket=bucket_name)
    assert e.code == "404"  # HEAD errors have no body


def test_get_bucket_location_of_us_east_1_is_empty(s3, bucket):
    assert s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") is None


def test_create_existing_own_bucket_keeps_its_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"still here")
    try:
        s3.create_bucket(Bucket=bucket)  # us-east-1 legacy answer: 200
    except Exception as e:  # in any other region: 409 BucketAlreadyOwnedByYou
        r = e.response
        assert (status_of(r), r["Error"]["Code"]) == (409, "BucketAlreadyOwnedByYou")
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"still here"


def test_invalid_bucket_names_are_400_invalid_bucket_name(s3, new_bucket_name):
    for name in ["Upper_Case_" + new_bucket_name()[2:], "192.168.5.123", "ab",
                 "-starts-with-dash-" + new_bucket_name()[2:]]:
        with expect_error(400, "InvalidBucketName"):
            s3.create_bucket(Bucket=name)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "192.168.5.123" not in names


def test_list_buckets_pages_with_max_buckets_and_continuation_token(s3, admin, new_bucket_name):
    prefix = new_bucket_name()  # unique; the buckets below all start with it
    names = sorted(create_bucket(admin, f"{prefix}-{i}") for i in range(3))
    # The fixture removes buckets by the names it handed out: hand these out too.
    for _ in names:
        new_bucket_name()
    seen = []
    page = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    seen += [b["Name"] for b in page["Buckets"]]
    assert len(seen) == 2
    assert page.get("ContinuationToken")
    page = s3.list_buckets(Prefix=prefix, MaxBuckets=2,
                           ContinuationToken=page["ContinuationToken"])
    seen += [b["Name"] for b in page["Buckets"]]
    assert not page.get("ContinuationToken")
    assert seen == names
    paged = [b["Name"] for p in s3.get_paginator("list_buckets").paginate(
        Prefix=prefix, PaginationConfig={"PageSize": 1}) for b in p["Buckets"]]
    assert paged == names


def test_list_buckets_by_region(s3, bucket):
    """`BucketRegion` lists that region's buckets: all of them in the server's one region,
    none in another."""
    region = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] or "us-east-1"
    here = s3.list_buckets(BucketRegion=region)
    assert bucket in [b["Name"] for b in here["Buckets"]]
    assert all(b["BucketRegion"] == region for b in here["Buckets"])
    elsewhere = s3.list_buckets(BucketRegion="ap-south-2")
    assert elsewhere["Buckets"] == []


def test_delete_empty_bucket_is_204_then_missing(s3, bucket):
    r = s3.delete_bucket(Bucket=bucket)
    assert status_of(r) == 204
    with expect_error(404):
        s3.head_bucket(Bucket=bucket)
    with expect_error(404, "NoSuchBucket"):
        s3.delete_bucket(Bucket=bucket)
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_delete_bucket_with_an_object_is_409_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with expect_error(409, "BucketNotEmpty"):
        s3.delete_bucket(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="k")
    assert status_of(s3.delete_bucket(Bucket=bucket)) == 204


def test_delete_bucket_with_only_delete_markers_left_is_409_bucket_not_empty(s3, versioned_bucket):
    b = versioned_bucket
    vid = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=b, Key="k")
    assert marker["DeleteMarker"] is True
    s3.delete_object(Bucket=b, Key="k", VersionId=vid)  # only the marker is left
    listing = s3.list_object_versions(Bucket=b)
    assert "Versions" not in listing
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == [marker["VersionId"]]
    assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0

    with expect_error(409, "BucketNotEmpty"):
        s3.delete_bucket(Bucket=b)

    s3.delete_object(Bucket=b, Key="k", VersionId=marker["VersionId"])
    assert status_of(s3.delete_bucket(Bucket=b)) == 204

