"""boto3: conditional writes are evaluated inside the write, not by a read before it. Of
clients racing to create one key with `If-None-Match: *` (PutObject or
CompleteMultipartUpload), exactly one succeeds and the others get 412 PreconditionFailed; the
key holds the winner's bytes. A copy with `CopySourceIfMatch` racing an overwrite of its
source either fails with 412 or copies exactly the version it was conditioned on.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

WRITERS = 6
ROUNDS = 12


def race(n, fn):
    """Runs fn(0..n) in n threads released together; returns each one's result or error."""
    gate = threading.Barrier(n)

    def run(i):
        gate.wait()
        try:
            return i, fn(i), None
        except ClientError as e:
            return i, None, e

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def winners_of(results):
    winners = [i for i, ok, err in results if err is None]
    for _, _, err in results:
        if err is not None:
            assert err.response["Error"]["Code"] == "PreconditionFailed", err.response
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    return winners


def test_racing_if_none_match_puts_have_exactly_one_winner(s3, bucket):
    for r in range(ROUNDS):
        key = f"put-{r}"
        results = race(WRITERS, lambda i: s3.put_object(
            Bucket=bucket, Key=key, Body=bytes([i]) * 200_000, IfNoneMatch="*"))
        winners = winners_of(results)
        assert len(winners) == 1, (r, winners)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body == bytes([winners[0]]) * 200_000


def test_racing_if_none_match_completions_have_exactly_one_winner(s3, bucket):
    for r in range(ROUNDS // 2):
        key = f"mp-{r}"
        uploads = []
        for i in range(WRITERS):
            uid = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
            etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=1,
                                  Body=bytes([i]) * 1000)["ETag"]
            uploads.append((uid, etag))
        results = race(WRITERS, lambda i: s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=uploads[i][0], IfNoneMatch="*",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": uploads[i][1]}]}))
        winners = winners_of(results)
        assert len(winners) == 1, (r, winners)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body == bytes([winners[0]]) * 1000


def test_a_conditional_copy_racing_an_overwrite_copies_only_the_version_checked(s3, bucket):
    a, b = b"a" * 100_000, b"b" * 100_000
    for r in range(ROUNDS):
        etag = s3.put_object(Bucket=bucket, Key="src", Body=a)["ETag"]
        dst = f"dst-{r}"

        def act(i):
            if i == 0:
                return s3.copy_object(Bucket=bucket, Key=dst, CopySource=f"{bucket}/src",
                                      CopySourceIfMatch=etag)
            return s3.put_object(Bucket=bucket, Key="src", Body=b)

        results = race(2, act)
        _, copied, err = results[0]
        if err is None:
            assert copied["CopyObjectResult"]["ETag"] == etag
            assert s3.get_object(Bucket=bucket, Key=dst)["Body"].read() == a
        else:
            assert err.response["Error"]["Code"] == "PreconditionFailed"
