"""boto3: PutObject / GetObject / HeadObject / CopyObject.

Ranges, conditional reads, user metadata, Content-MD5 and the flexible checksums
(x-amz-checksum-crc32/crc32c/sha1/sha256: a wrong value is 400 BadDigest), streaming
uploads of non-seekable data, and copies that name a source version.
"""

from __future__ import annotations

import io
from datetime import timedelta

import botocore.httpchecksum as httpchecksum
import pytest
from boto3.s3.transfer import TransferConfig

from .support import (
    CHECKSUMS,
    MiB,
    SPECIAL_KEYS,
    crc32_b64,
    capture_requests,
    etag_of,
    expect_error,
    headers_of,
    md5_b64,
    random_bytes,
    status_of,
)

DATA = b"0123456789"


# --- put / get / head --------------------------------------------------------------------------

def test_put_get_head_round_trip_with_metadata_and_content_type(s3, bucket):
    data = random_bytes(100_000, seed=1)
    r = s3.put_object(Bucket=bucket, Key="obj", Body=data, ContentType="image/png",
                      Metadata={"color": "Blue", "with-dash": "a value"},
                      CacheControl="no-cache", ContentDisposition='attachment; filename="x.png"')
    assert r["ETag"] == etag_of(data)
    got = s3.get_object(Bucket=bucket, Key="obj")
    assert got["Body"].read() == data
    assert got["ETag"] == etag_of(data)
    assert got["ContentLength"] == len(data)
    assert got["ContentType"] == "image/png"
    assert got["Metadata"] == {"color": "Blue", "with-dash": "a value"}
    assert got["CacheControl"] == "no-cache"
    assert got["ContentDisposition"] == 'attachment; filename="x.png"'
    head = s3.head_object(Bucket=bucket, Key="obj")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == etag_of(data)
    assert head["Metadata"] == {"color": "Blue", "with-dash": "a value"}
    assert head["LastModified"] == got["LastModified"]
    assert head["AcceptRanges"] == "bytes"


def test_put_overwrites_and_empty_object_round_trips(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b""
    assert got["ContentLength"] == 0
    assert got["ETag"] == etag_of(b"")


def test_get_and_head_of_a_missing_key_are_404(s3, bucket):
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="missing")
    with expect_error(404) as e:
        s3.head_object(Bucket=bucket, Key="missing")
    assert e.code == "404"
    assert e.headers.get("x-amz-delete-marker") != "true"


def test_put_into_a_missing_bucket_is_404_no_such_bucket(s3, bucket_name):
    with expect_error(404, "NoSuchBucket"):
        s3.put_object(Bucket=bucket_name, Key="k", Body=b"x")


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_keys_that_need_escaping_round_trip(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(key.encode())
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    s3.copy_object(Bucket=bucket, Key=key + ".copy", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key=key + ".copy")["Body"].read() == key.encode()
    assert status_of(s3.delete_object(Bucket=bucket, Key=key)) == 204
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key=key)


# --- ranges ------------------------------------------------------------------------------------

@pytest.mark.parametrize("header,first,last", [
    ("bytes=2-5", 2, 5),
    ("bytes=7-", 7, 9),
    ("bytes=-3", 7, 9),
    ("bytes=8-100", 8, 9),
    ("bytes=0-0", 0, 0),
])
def test_range_get_is_206_with_content_range(s3, bucket, header, first, last):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA)
    r = s3.get_object(Bucket=bucket, Key="k", Range=header)
    assert status_of(r) == 206
    assert r["Body"].read() == DATA[first:last + 1]
    assert r["ContentRange"] == f"bytes {first}-{last}/{len(DATA)}"
    assert r["ContentLength"] == last - first + 1


def test_unsatisfiable_range_is_416_invalid_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA)
    with expect_error(416, "InvalidRange") as e:
        s3.get_object(Bucket=bucket, Key="k", Range="bytes=20-30")
    assert e.headers.get("content-range") == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header,first,last", [("bytes=2-5", 2, 5), ("bytes=-3", 7, 9)])
def test_range_head_is_206_with_content_range(s3, bucket, header, first, last):
    """HeadObject takes Range as GetObject does (boto3's HeadObject has it)."""
    s3.put_object(Bucket=bucket, Key="k", Body=DATA)
    r = s3.head_object(Bucket=bucket, Key="k", Range=header)
    assert status_of(r) == 206
    assert r["ContentRange"] == f"bytes {first}-{last}/{len(DATA)}"
    assert r["ContentLength"] == last - first + 1
    with expect_error(416):
        s3.head_object(Bucket=bucket, Key="k", Range="bytes=20-30")
    assert status_of(s3.head_object(Bucket=bucket, Key="k", Range="lines=1-2")) == 200


# --- conditional reads -------------------------------------------------------------------------

def test_get_if_match_and_if_none_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=DATA)["ETag"]
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == DATA
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch="*")["Body"].read() == DATA
    with expect_error(412, "PreconditionFailed"):
        s3.get_object(Bucket=bucket, Key="k", IfMatch='"0123456789abcdef0123456789abcdef"')
    with expect_error(304) as e:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert e.headers.get("etag") == etag
    assert s3.get_object(Bucket=bucket, Key="k",
                         IfNoneMatch='"0123456789abcdef0123456789abcdef"')["Body"].read() == DATA


def test_head_if_match_and_if_none_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=DATA)["ETag"]
    assert s3.head_object(Bucket=bucket, Key="k", IfMatch=etag)["ETag"] == etag
    with expect_error(412) as e:
        s3.head_object(Bucket=bucket, Key="k", IfMatch='"ffffffffffffffffffffffffffffffff"')
    assert e.code == "412"
    with expect_error(304):
        s3.head_object(Bucket=bucket, Key="k", IfNoneMatch=etag)


def test_get_if_modified_since_and_if_unmodified_since(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA)
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    earlier = modified - timedelta(hours=1)
    later = modified + timedelta(seconds=1)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=earlier)["Body"].read() == DATA
    with expect_error(304):
        s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=modified)
    assert s3.get_object(Bucket=bucket, Key="k", IfUnmodifiedSince=later)["Body"].read() == DATA
    with expect_error(412, "PreconditionFailed"):
        s3.get_object(Bucket=bucket, Key="k", IfUnmodifiedSince=earlier)




@pytest.mark.parametrize("method", ["get", "head"])
def test_true_if_match_overrides_a_false_if_unmodified_since(s3, bucket, method):
    """AWS GetObject/HeadObject: If-Match true + If-Unmodified-Since false → 200 OK."""
    etag = s3.put_object(Bucket=bucket, Key="k", Body=DATA)["ETag"]
    earlier = s3.head_object(Bucket=bucket, Key="k")["LastModified"] - timedelta(hours=1)
    r = getattr(s3, f"{method}_object")(Bucket=bucket, Key="k", IfMatch=etag,
                                        IfUnmodifiedSince=earlier)
    assert status_of(r) == 200
    assert r["ETag"] == etag


def test_false_if_none_match_with_true_if_modified_since_is_304(s3, bucket):
    """AWS GetObject: If-None-Match false + If-Modified-Since true → 304 Not Modified."""
    etag = s3.put_object(Bucket=bucket, Key="k", Body=DATA)["ETag"]
    earlier = s3.head_object(Bucket=bucket, Key="k")["LastModified"] - timedelta(hours=1)
    with expect_error(304):
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag, IfModifiedSince=earlier)


def test_conditional_put_if_none_match_star_refuses_to_overwrite(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    with expect_error(412, "PreconditionFailed"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"


def test_conditional_put_if_match_overwrites_only_the_named_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"first")["ETag"]
    with expect_error(412, "PreconditionFailed"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"lost", IfMatch=etag_of(b"other"))
    s3.put_object(Bucket=bucket, Key="k", Body=b"second", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"
    with expect_error(404, "NoSuchKey"):
        s3.put_object(Bucket=bucket, Key="missing", Body=b"x", IfMatch=etag)


# --- integrity: Content-MD5 and flexible checksums ---------------------------------------------

def test_put_with_correct_content_md5_succeeds(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="k", Body=DATA, ContentMD5=md5_b64(DATA))
    assert r["ETag"] == etag_of(DATA)


def test_put_with_wrong_content_md5_is_400_bad_digest_and_stores_nothing(s3, bucket):
    with expect_error(400, "BadDigest"):
        s3.put_object(Bucket=bucket, Key="k", Body=DATA, ContentMD5=md5_b64(b"other"))
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


def test_put_with_malformed_content_md5_is_400(s3, bucket):
    with expect_error(400, "InvalidDigest"):
        s3.put_object(Bucket=bucket, Key="k", Body=DATA, ContentMD5="not-an-md5")


def test_put_sends_crc32_by_default_and_get_returns_it(s3, bucket):
    data = random_bytes(50_000, seed=2)
    with capture_requests(s3, "PutObject") as sent:
        r = s3.put_object(Bucket=bucket, Key="k", Body=data)
    assert sent[0].headers["x-amz-checksum-crc32"] == crc32_b64(data)
    assert r["ChecksumCRC32"] == crc32_b64(data)
    # boto3 asks for the checksum (x-amz-checksum-mode: ENABLED) and validates the body with it.
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32_b64(data)
    assert got["Body"].read() == data


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_put_with_sdk_computed_checksum_is_verified_and_echoed(s3, bucket, algorithm):
    data = random_bytes(30_000, seed=3)
    expected = CHECKSUMS[algorithm](data)
    with capture_requests(s3, "PutObject") as sent:
        r = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    assert sent[0].headers[f"x-amz-checksum-{algorithm.lower()}"] == expected
    assert r[f"Checksum{algorithm}"] == expected
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == data


@pytest.mark.parametrize("algorithm", list(CHECKSUMS))
def test_put_with_given_correct_checksum_succeeds(s3, bucket, algorithm):
    data = random_bytes(20_000, seed=4)
    value = CHECKSUMS[algorithm](data)
    r = s3.put_object(Bucket=bucket, Key="k", Body=data, **{f"Checksum{algorithm}": value})
    assert r[f"Checksum{algorithm}"] == value
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == data


@pytest.mark.parametrize("algorithm", list(CHECKSUMS))
def test_put_with_wrong_checksum_is_400_bad_digest_and_stores_nothing(s3, bucket, algorithm):
    data = random_bytes(20_000, seed=5)
    wrong = CHECKSUMS[algorithm](data + b"!")
    with capture_requests(s3, "PutObject") as sent:
        with expect_error(400, "BadDigest"):
            s3.put_object(Bucket=bucket, Key="k", Body=data, **{f"Checksum{algorithm}": wrong})
    assert sent[0].headers[f"x-amz-checksum-{algorithm.lower()}"] == wrong
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


# --- streaming uploads of non-seekable data ----------------------------------------------------

class OneWayStream:
    """A readable stream that cannot seek or tell (a pipe, a socket, a generator)."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)
        self.reads = 0

    def read(self, n: int = -1) -> bytes:
        self.reads += 1
        return self._data.read(n)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


def test_upload_fileobj_of_a_non_seekable_stream_round_trips(s3, bucket):
    """boto3's default over plain HTTP: each chunk is buffered and sent with CRC32 headers."""
    data = random_bytes(7 * MiB + 123, seed=6)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                         max_concurrency=2)
    s3.upload_fileobj(OneWayStream(data), bucket, "stream", Config=cfg)
    got = s3.get_object(Bucket=bucket, Key="stream")
    assert got["Body"].read() == data
    assert got["ETag"].endswith('-2"'), "7 MiB in 5 MiB chunks is a two-part upload"


@pytest.fixture
def trailer_checksums(monkeypatch, server):
    """boto3 1.44.5 sends a checksum as an aws-chunked *trailer* (STREAMING-UNSIGNED-PAYLOAD-
    TRAILER) only to https endpoints (botocore.httpchecksum.resolve_request_checksum_algorithm
    looks at the URL scheme). The suite's server speaks plain HTTP, so tell that one check the
    endpoint is https: the request is then exactly what boto3 sends to AWS over TLS."""
    real = httpchecksum.urlparse

    def as_if_tls(url, *args, **kwargs):
        parsed = real(url, *args, **kwargs)
        if isinstance(url, str) and url.startswith(server.endpoint + "/"):
            return parsed._replace(scheme="https")
        return parsed

    monkeypatch.setattr(httpchecksum, "urlparse", as_if_tls)


def test_upload_fileobj_of_a_non_seekable_stream_sends_aws_chunked_with_trailer(
        s3, bucket, trailer_checksums):
    data = random_bytes(12 * MiB + 5, seed=7)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                         max_concurrency=2)
    with capture_requests(s3) as sent:
        s3.upload_fileobj(OneWayStream(data), bucket, "chunked", Config=cfg)
    parts = [r for r in sent if "partNumber=" in r.url]
    assert len(parts) == 3
    for r in parts:
        assert "aws-chunked" in r.headers.get("content-encoding", "")
        assert r.headers["x-amz-trailer"] == "x-amz-checksum-crc32"
        assert r.headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert r.headers.get("transfer-encoding") == "chunked"
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["Body"].read() == data
    assert got["ETag"].endswith('-3"')


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_put_object_with_trailer_checksum_is_verified_and_echoed(
        s3, bucket, trailer_checksums, algorithm):
    data = random_bytes(300_000, seed=8)
    with capture_requests(s3, "PutObject") as sent:
        r = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    h = sent[0].headers
    assert h["x-amz-trailer"] == f"x-amz-checksum-{algorithm.lower()}"
    assert h["x-amz-decoded-content-length"] == str(len(data))
    assert "content-length" not in h
    assert r[f"Checksum{algorithm}"] == CHECKSUMS[algorithm](data)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == data


def test_put_object_with_wrong_trailer_checksum_is_400_bad_digest(
        s3, bucket, trailer_checksums, monkeypatch):
    class WrongCrc32(httpchecksum.Crc32Checksum):
        def digest(self):
            return (int.from_bytes(super().digest(), "big") ^ 1).to_bytes(4, "big")

    monkeypatch.setitem(httpchecksum._CHECKSUM_CLS, "crc32", WrongCrc32)
    with capture_requests(s3, "PutObject") as sent:
        with expect_error(400, "BadDigest"):
            s3.put_object(Bucket=bucket, Key="k", Body=random_bytes(100_000, seed=9))
    assert sent[0].headers["x-amz-trailer"] == "x-amz-checksum-crc32"
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


# --- copy --------------------------------------------------------------------------------------

def test_copy_object_with_version_id_copies_that_version(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="src", Body=b"one", Metadata={"n": "1"})["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="src", Body=b"two", Metadata={"n": "2"})["VersionId"]

    r = s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1
    assert headers_of(r)["x-amz-copy-source-version-id"] == v1
    assert r["VersionId"] not in (v1, v2, "null")
    assert r["CopyObjectResult"]["ETag"] == etag_of(b"one")
    got = s3.get_object(Bucket=b, Key="dst")
    assert (got["Body"].read(), got["Metadata"], got["VersionId"]) == (b"one", {"n": "1"},
                                                                       r["VersionId"])

    latest = s3.copy_object(Bucket=b, Key="dst2", CopySource={"Bucket": b, "Key": "src"})
    assert latest["CopySourceVersionId"] == v2
    assert s3.get_object(Bucket=b, Key="dst2")["Body"].read() == b"two"


def test_copy_of_an_old_version_across_buckets(s3, versioned_bucket, other_bucket):
    v1 = s3.put_object(Bucket=versioned_bucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="src", Body=b"new")
    r = s3.copy_object(Bucket=other_bucket, Key="dst",
                       CopySource={"Bucket": versioned_bucket, "Key": "src", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1
    assert "VersionId" not in r, "a write into a never-versioned bucket names no version"
    assert s3.get_object(Bucket=other_bucket, Key="dst")["Body"].read() == b"old"


def test_copy_with_metadata_directive_replace(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Metadata={"a": "1"},
                  ContentType="text/plain")
    s3.copy_object(Bucket=bucket, Key="same", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.head_object(Bucket=bucket, Key="same")["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/csv")
    head = s3.head_object(Bucket=bucket, Key="src")
    assert (head["Metadata"], head["ContentType"]) == ({"b": "2"}, "text/csv")


def test_copy_onto_itself_without_changes_is_400_invalid_request(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with expect_error(400, "InvalidRequest"):
        s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"})


def test_copy_from_a_delete_marker(s3, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="src", Body=b"x")
    marker = s3.delete_object(Bucket=b, Key="src")["VersionId"]
    # Current version is a marker: the source is missing.
    with expect_error(404, "NoSuchKey"):
        s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src"})
    # Naming the marker's version: AWS refuses with 400 InvalidRequest.
    with expect_error(400, "InvalidRequest"):
        s3.copy_object(Bucket=b, Key="dst",
                       CopySource={"Bucket": b, "Key": "src", "VersionId": marker})


def test_copy_source_conditions(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"x")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="src")["LastModified"]
    s3.copy_object(Bucket=bucket, Key="ok", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="ok")["Body"].read() == b"x"
    for condition in [{"CopySourceIfNoneMatch": etag},
                      {"CopySourceIfMatch": '"ffffffffffffffffffffffffffffffff"'},
                      {"CopySourceIfUnmodifiedSince": modified - timedelta(hours=1)},
                      {"CopySourceIfModifiedSince": modified},
                      # AWS: if-none-match false + if-modified-since true → 412
                      {"CopySourceIfNoneMatch": etag,
                       "CopySourceIfModifiedSince": modified - timedelta(hours=1)}]:
        with expect_error(412, "PreconditionFailed"):
            s3.copy_object(Bucket=bucket, Key="no", CopySource={"Bucket": bucket, "Key": "src"},
                           **condition)
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="no")


def test_copy_with_true_if_match_overrides_a_false_if_unmodified_since(s3, bucket):
    """AWS CopyObject: x-amz-copy-source-if-match true + if-unmodified-since false → 200."""
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"x")["ETag"]
    earlier = s3.head_object(Bucket=bucket, Key="src")["LastModified"] - timedelta(hours=1)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=earlier)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"x"
