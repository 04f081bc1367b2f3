"""boto3: a repeated CompleteMultipartUpload answers the same result (ceph/s3-tests
`test_multipart_upload` completes twice); DeleteObject and DeleteObjects with `If-Match`,
`x-amz-if-match-last-modified-time` and `x-amz-if-match-size` (ceph/s3-tests
`test_delete_object*_if_match*`): 412 PreconditionFailed when the addressed entry does not
match, success when there is none; DeleteBucket of a bucket holding only incomplete multipart
uploads deletes it and aborts them (s3-tests' own clean-up relies on it); CopyObject's
IfMatch / IfNoneMatch on its destination.
"""

from __future__ import annotations

import datetime

from .support import expect_error

BAD_TIME = datetime.datetime(2015, 1, 1)


def two_part_upload(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for n, body in [(1, b"a" * (5 * 1024 * 1024)), (2, b"tail")]:
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n,
                              Body=body)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    return upload_id, parts


def complete(s3, bucket, key, upload_id, parts):
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})


def test_a_repeated_complete_answers_the_same_result(s3, versioned_bucket):
    upload_id, parts = two_part_upload(s3, versioned_bucket, "mp")
    first = complete(s3, versioned_bucket, "mp", upload_id, parts)
    again = complete(s3, versioned_bucket, "mp", upload_id, parts)
    for field in ("ETag", "VersionId", "Key", "Bucket"):
        assert again[field] == first[field], field
    listed = s3.list_object_versions(Bucket=versioned_bucket)["Versions"]
    assert len(listed) == 1 and listed[0]["Size"] == 5 * 1024 * 1024 + 4
    # Another part list is not a repeat; neither is a repeat once the version is gone.
    with expect_error(404, "NoSuchUpload"):
        complete(s3, versioned_bucket, "mp", upload_id, parts[:1])
    s3.delete_object(Bucket=versioned_bucket, Key="mp", VersionId=first["VersionId"])
    with expect_error(404, "NoSuchUpload"):
        complete(s3, versioned_bucket, "mp", upload_id, parts)


def test_delete_object_if_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    with expect_error(412, "PreconditionFailed"):
        s3.delete_object(Bucket=bucket, Key="k", IfMatch="badetag")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    s3.delete_object(Bucket=bucket, Key="k", IfMatch=etag)
    # Nothing left to delete: the condition does not fail.
    r = s3.delete_object(Bucket=bucket, Key="k", IfMatch="badetag")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    s3.delete_object(Bucket=bucket, Key="k", IfMatch="*")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_delete_object_conditions_on_the_current_entry_and_on_a_version(s3, versioned_bucket):
    b = versioned_bucket
    put = s3.put_object(Bucket=b, Key="k", Body=b"")
    mtime = s3.head_object(Bucket=b, Key="k")["LastModified"]
    with expect_error(412, "PreconditionFailed"):
        s3.delete_object(Bucket=b, Key="k", IfMatchLastModifiedTime=BAD_TIME)
    with expect_error(412, "PreconditionFailed"):
        s3.delete_object(Bucket=b, Key="k", IfMatchSize=9999)
    r = s3.delete_object(Bucket=b, Key="k", IfMatch=put["ETag"], IfMatchLastModifiedTime=mtime,
                         IfMatchSize=0)
    assert r["DeleteMarker"]
    # A delete marker is current now: it exists, and has no ETag.
    with expect_error(412, "PreconditionFailed"):
        s3.delete_object(Bucket=b, Key="k", IfMatch="badetag")
    s3.delete_object(Bucket=b, Key="k", IfMatch="*")
    # By version ID, the condition is on that version.
    with expect_error(412, "PreconditionFailed"):
        s3.delete_object(Bucket=b, Key="k", VersionId=put["VersionId"], IfMatch="badetag")
    r = s3.delete_object(Bucket=b, Key="k", VersionId=put["VersionId"], IfMatch=put["ETag"])
    assert "DeleteMarker" not in r
    r = s3.delete_object(Bucket=b, Key="k", VersionId=put["VersionId"], IfMatch="badetag")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_objects_fails_only_the_entries_whose_condition_fails(s3, versioned_bucket):
    b = versioned_bucket
    a = s3.put_object(Bucket=b, Key="a", Body=b"a")
    s3.put_object(Bucket=b, Key="b", Body=b"bb")
    mtime = s3.head_object(Bucket=b, Key="b")["LastModified"]
    r = s3.delete_objects(Bucket=b, Delete={"Objects": [
        {"Key": "a", "ETag": "badetag"},
        {"Key": "b", "LastModifiedTime": BAD_TIME},
        {"Key": "b", "Size": 9999},
        {"Key": "a", "VersionId": a["VersionId"], "ETag": "badetag"},
    ]})
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [
        ("a", "PreconditionFailed"), ("b", "PreconditionFailed"), ("b", "PreconditionFailed"),
        ("a", "PreconditionFailed")]
    assert "Deleted" not in r
    r = s3.delete_objects(Bucket=b, Delete={"Objects": [
        {"Key": "a", "VersionId": a["VersionId"], "ETag": a["ETag"]},
        {"Key": "b", "LastModifiedTime": mtime, "Size": 2},
    ]})
    assert "Errors" not in r
    deleted = {e["Key"]: e for e in r["Deleted"]}
    assert deleted["a"]["VersionId"] == a["VersionId"] and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"]


def test_delete_bucket_aborts_its_incomplete_uploads(s3, bucket_name, admin):
    s3.create_bucket(Bucket=bucket_name)
    two_part_upload(s3, bucket_name, "left/behind")
    s3.create_multipart_upload(Bucket=bucket_name, Key="no-parts")
    s3.delete_bucket(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        s3.list_multipart_uploads(Bucket=bucket_name)
    # The name is free, and a bucket made with it holds no upload.
    s3.create_bucket(Bucket=bucket_name)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket_name)


def test_delete_bucket_with_objects_is_still_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.create_multipart_upload(Bucket=bucket, Key="u")
    with expect_error(409, "BucketNotEmpty"):
        s3.delete_bucket(Bucket=bucket)
    assert len(s3.list_multipart_uploads(Bucket=bucket)["Uploads"]) == 1


def test_copy_object_if_match_and_if_none_match_are_on_the_destination(s3, bucket):
    """CopyObject's IfMatch / IfNoneMatch condition the destination, as PutObject's do (the
    source's are the x-amz-copy-source-if-* ones); a failed one copies nothing."""
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    taken = s3.put_object(Bucket=bucket, Key="dst", Body=b"kept")["ETag"]
    src = {"Bucket": bucket, "Key": "src"}
    with expect_error(412, "PreconditionFailed"):
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, IfNoneMatch="*")
    with expect_error(412, "PreconditionFailed"):
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=src,
                       IfMatch='"0123456789abcdef0123456789abcdef"')
    with expect_error(404, "NoSuchKey"):
        s3.copy_object(Bucket=bucket, Key="absent", CopySource=src, IfMatch=taken)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"kept"
    s3.copy_object(Bucket=bucket, Key="new", CopySource=src, IfNoneMatch="*")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, IfMatch=taken)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"source"
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"source"
