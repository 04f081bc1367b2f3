"""boto3: multipart uploads, through boto3's managed transfer and by hand.

CreateMultipartUpload, UploadPart (also with a copy source), ListParts, ListMultipartUploads,
CompleteMultipartUpload (ETag `"<md5 of the part MD5s>-<N>"`, version IDs as for PutObject),
AbortMultipartUpload.
"""

from __future__ import annotations

import hashlib

import pytest

from boto3.s3.transfer import TransferConfig

from .support import (
    MiB,
    capture_requests,
    crc32_b64,
    expect_error,
    multipart_etag,
    random_bytes,
    status_of,
)

FIVE_MIB = 5 * MiB


def complete(s3, bucket, key, upload_id, *parts):
    """CompleteMultipartUpload with (part number, ETag) pairs, in the order given."""
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": tag} for n, tag in parts]})


def test_managed_transfer_of_20_mib_uploads_in_parts_and_downloads_identically(
        s3, bucket, tmp_path):
    data = random_bytes(20 * MiB, seed=11)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=FIVE_MIB, multipart_chunksize=FIVE_MIB,
                         max_concurrency=4)
    with capture_requests(s3) as sent:
        s3.upload_file(str(src), bucket, "big.bin", Config=cfg)
    parts = [r for r in sent if r.method == "PUT" and "partNumber=" in r.url]
    assert len(parts) == 4
    assert all(r.headers.get("x-amz-checksum-crc32") for r in parts)
    expected = multipart_etag([data[i:i + FIVE_MIB] for i in range(0, len(data), FIVE_MIB)])
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == expected

    dst = tmp_path / "back.bin"
    with capture_requests(s3, "GetObject") as gets:
        s3.download_file(bucket, "big.bin", str(dst), Config=cfg)
    assert len(gets) >= 4 and all("range" in g.headers for g in gets), "ranged, parallel GETs"
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_manual_multipart_upload_lists_parts_and_completes(s3, bucket):
    part1 = random_bytes(FIVE_MIB, seed=12)
    part2 = random_bytes(1234, seed=13)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/x-test",
                                    Metadata={"origin": "parts"})
    uid = up["UploadId"]
    assert (up["Bucket"], up["Key"]) == (bucket, "mp")
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("mp", uid)]

    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=part1)
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=part2)
    assert e1["ETag"] == f'"{hashlib.md5(part1).hexdigest()}"'
    assert e1["ChecksumCRC32"] == crc32_b64(part1)
    # ListParts one part per page (a truncated listing names NextPartNumberMarker).
    page = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid, MaxParts=1)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in page["Parts"]] == [
        (1, e1["ETag"], len(part1))]
    assert page["IsTruncated"] is True
    assert page["NextPartNumberMarker"] == 1
    # (The last page is not truncated: see test_list_parts_of_a_whole_upload_in_one_page.)

    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1["ETag"]},
                                   {"PartNumber": 2, "ETag": e2["ETag"]}]})
    assert done["ETag"] == multipart_etag([part1, part2])
    assert (done["Bucket"], done["Key"]) == (bucket, "mp")
    assert "VersionId" not in done
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == part1 + part2
    assert (got["ContentType"], got["Metadata"]) == ("text/x-test", {"origin": "parts"})
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []




def test_list_parts_of_a_whole_upload_in_one_page(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"one")
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"two!")
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts["Parts"]] == [
        (1, e1["ETag"], 3), (2, e2["ETag"], 4)]
    assert parts["IsTruncated"] is False


def test_list_parts_of_an_upload_without_parts_is_empty(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert parts.get("Parts", []) == [] and parts["IsTruncated"] is False


def test_reuploading_a_part_replaces_it(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"first")
    e = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"second")
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"unused")
    page = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid, MaxParts=1)  # truncated
    assert [(p["Size"], p["ETag"]) for p in page["Parts"]] == [(6, e["ETag"])]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"second"


def test_complete_in_a_versioned_bucket_returns_a_version_id(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="mp", Body=b"older")
    uid = s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    e = s3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1, Body=b"only part")
    done = s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e["ETag"]}]})
    assert done["VersionId"] not in (None, "null")
    listed = s3.list_object_versions(Bucket=b)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed][0] == (done["VersionId"], True)
    assert len(listed) == 2
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    uid = s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    e = s3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1, Body=b"suspended")
    done = s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e["ETag"]}]})
    assert "VersionId" not in done, "a suspended-bucket write names no version"
    assert s3.head_object(Bucket=b, Key="mp")["VersionId"] == "null"


def test_abort_removes_the_upload_and_its_parts(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"x" * 100)
    r = s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid)
    assert status_of(r) == 204
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with expect_error(404, "NoSuchUpload"):
        s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    with expect_error(404, "NoSuchUpload"):
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"late")
    with expect_error(404, "NoSuchUpload"):
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="mp")


def test_list_multipart_uploads_with_prefix_and_several_uploads_of_one_key(s3, bucket):
    a1 = s3.create_multipart_upload(Bucket=bucket, Key="logs/a")["UploadId"]
    a2 = s3.create_multipart_upload(Bucket=bucket, Key="logs/a")["UploadId"]
    s3.create_multipart_upload(Bucket=bucket, Key="other")
    r = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/")
    assert sorted(u["UploadId"] for u in r["Uploads"]) == sorted([a1, a2])
    assert all(u["Key"] == "logs/a" for u in r["Uploads"])
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["logs/"]
    assert [u["Key"] for u in r["Uploads"]] == ["other"]
    every = [u["UploadId"] for page in s3.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 1}) for u in page.get("Uploads", [])]
    assert len(every) == 3 and set([a1, a2]) <= set(every)


def test_complete_with_a_small_middle_part_is_400_entity_too_small(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"tiny")
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"tail")
    with expect_error(400, "EntityTooSmall"):
        complete(s3, bucket, "mp", uid, (1, e1["ETag"]), (2, e2["ETag"]))


def test_complete_with_a_wrong_etag_or_order_is_rejected(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1,
                        Body=random_bytes(FIVE_MIB, seed=14))
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"end")
    with expect_error(400, "InvalidPart"):
        complete(s3, bucket, "mp", uid, (1, e1["ETag"]),
                 (2, '"0123456789abcdef0123456789abcdef"'))
    with expect_error(400, "InvalidPart"):
        complete(s3, bucket, "mp", uid, (1, e1["ETag"]), (3, e2["ETag"]))
    with expect_error(400, "InvalidPartOrder"):
        complete(s3, bucket, "mp", uid, (2, e2["ETag"]), (1, e1["ETag"]))
    # The upload survives a refused completion.
    done = complete(s3, bucket, "mp", uid, (1, e1["ETag"]), (2, e2["ETag"]))
    assert done["ETag"].endswith('-2"')


def test_upload_part_with_a_wrong_checksum_is_400_bad_digest(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    with expect_error(400, "BadDigest"):
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"data",
                       ChecksumCRC32=crc32_b64(b"other"))
    # The refused part was not stored: completing with it names a missing part.
    with expect_error(400, "InvalidPart"):
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": f'"{hashlib.md5(b"data").hexdigest()}"'}]})


def test_upload_part_copy_from_an_old_version_with_a_range(s3, versioned_bucket):
    b = versioned_bucket
    old = random_bytes(FIVE_MIB + 10, seed=15)
    v1 = s3.put_object(Bucket=b, Key="src", Body=old)["VersionId"]
    s3.put_object(Bucket=b, Key="src", Body=b"newer")
    uid = s3.create_multipart_upload(Bucket=b, Key="dst")["UploadId"]
    c1 = s3.upload_part_copy(Bucket=b, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": b, "Key": "src", "VersionId": v1},
                             CopySourceRange=f"bytes=0-{FIVE_MIB - 1}")
    assert c1["CopySourceVersionId"] == v1
    c2 = s3.upload_part_copy(Bucket=b, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": b, "Key": "src"})
    s3.complete_multipart_upload(Bucket=b, Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": c1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": c2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=b, Key="dst")["Body"].read() == old[:FIVE_MIB] + b"newer"


def test_upload_part_copy_with_a_range_past_the_source_is_416_and_stores_nothing(s3, bucket):
    # The range must lie inside the source (ceph/s3-tests' test_multipart_copy_invalid_range:
    # InvalidRange); a part shorter than asked for is never stored.
    src = random_bytes(1000, seed=16)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    for rng in ["bytes=0-1000", "bytes=990-2000", "bytes=1000-1009"]:
        with expect_error(416, "InvalidRange"):
            s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=rng)
    # Only bytes=first-last is a copy-source range (the forms AWS refuses as InvalidArgument).
    for rng in ["0-9", "bytes=0", "bytes=0-", "bytes=-10", "bytes=a-b", "bytes=0-2,3-5"]:
        with expect_error(400, "InvalidArgument"):
            s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=rng)
    assert s3.list_parts(Bucket=bucket, Key="dst", UploadId=uid).get("Parts", []) == []
    # Up to the last byte exactly is inside.
    c = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange="bytes=990-999")
    complete(s3, bucket, "dst", uid, (1, c["CopyPartResult"]["ETag"]))
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == src[990:]


def test_complete_checks_the_object_size_the_client_expects(s3, bucket):
    """`MpuObjectSize` (x-amz-mp-object-size): a size that does not match the parts' is refused
    and completes nothing; the right one completes."""
    first, last = b"a" * (5 * 1024 * 1024), b"tail"
    up = s3.create_multipart_upload(Bucket=bucket, Key="sized")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="sized", UploadId=up,
                                                      PartNumber=n, Body=data)["ETag"]}
             for n, data in ((1, first), (2, last))]
    with expect_error(400, "InvalidRequest"):
        s3.complete_multipart_upload(Bucket=bucket, Key="sized", UploadId=up,
                                     MultipartUpload={"Parts": parts},
                                     MpuObjectSize=len(first) + len(last) + 1)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [up]
    s3.complete_multipart_upload(Bucket=bucket, Key="sized", UploadId=up,
                                 MultipartUpload={"Parts": parts},
                                 MpuObjectSize=len(first) + len(last))
    assert s3.head_object(Bucket=bucket, Key="sized")["ContentLength"] == len(first) + len(last)
