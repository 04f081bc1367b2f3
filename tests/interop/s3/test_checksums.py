"""boto3: flexible checksums, all five (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).

PutObject and UploadPart with each algorithm (headers and aws-chunked trailers), GET and HEAD
with ChecksumMode=ENABLED returning what was stored, multipart COMPOSITE (`base64-N`) and
FULL_OBJECT uploads, wrong checksums refused as S3 does, CopyObject computing a new
algorithm, GetObjectAttributes, GET/HEAD with PartNumber, and DeleteObjects with a CRC64NVME
integrity header.

boto3 computes CRC32C and CRC64NVME only with botocore[crt] (awscrt); the `crt_checksums`
fixture gives botocore pure-Python implementations of both in their place, so what it sends
is what boto3 with awscrt sends.
"""

from __future__ import annotations

import base64
import hashlib

import botocore.httpchecksum as httpchecksum
import pytest
from boto3.s3.transfer import TransferConfig

from .support import (
    _CRC32C,
    CHECKSUMS,
    MiB,
    capture_requests,
    crc32c,
    crc64nvme,
    expect_error,
    random_bytes,
    raw_request,
    status_of,
)

ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]


class _PyCrc32c(httpchecksum.BaseChecksum):
    def __init__(self):
        self._crc = 0

    def update(self, chunk):
        # crc32c() takes no running value; continue it by un-xoring (init 0xFFFFFFFF).
        c = self._crc ^ 0xFFFFFFFF
        table = _CRC32C
        for byte in chunk:
            c = table[(c ^ byte) & 0xFF] ^ (c >> 8)
        self._crc = c ^ 0xFFFFFFFF

    def digest(self):
        return self._crc.to_bytes(4, "big")


class _PyCrc64Nvme(httpchecksum.BaseChecksum):
    def __init__(self):
        self._crc = 0

    def update(self, chunk):
        self._crc = crc64nvme(bytes(chunk), self._crc)

    def digest(self):
        return self._crc.to_bytes(8, "big")


assert _PyCrc32c().digest() == b"\0\0\0\0"


@pytest.fixture
def crt_checksums(monkeypatch):
    """botocore as with awscrt installed: CRC32C and CRC64NVME computed by the SDK."""
    monkeypatch.setitem(httpchecksum._CHECKSUM_CLS, "crc32c", _PyCrc32c)
    monkeypatch.setitem(httpchecksum._CHECKSUM_CLS, "crc64nvme", _PyCrc64Nvme)
    monkeypatch.setattr(httpchecksum, "_SUPPORTED_CHECKSUM_ALGORITHMS",
                        list(httpchecksum._CHECKSUM_CLS))


@pytest.fixture
def trailer_checksums(monkeypatch, server):
    """boto3 sends a checksum as an aws-chunked trailer only to https endpoints; tell that
    one check the suite's plain-HTTP endpoint is https (as test_boto3_objects.py does)."""
    real = httpchecksum.urlparse

    def as_if_tls(url, *args, **kwargs):
        parsed = real(url, *args, **kwargs)
        if isinstance(url, str) and url.startswith(server.endpoint + "/"):
            return parsed._replace(scheme="https")
        return parsed

    monkeypatch.setattr(httpchecksum, "urlparse", as_if_tls)


def raw_checksum(algorithm: str, data: bytes) -> bytes:
    return base64.b64decode(CHECKSUMS[algorithm](data))


def composite(algorithm: str, parts: list[bytes]) -> str:
    """S3's COMPOSITE checksum: the algorithm over the parts' binary checksums, `-N`."""
    joined = b"".join(raw_checksum(algorithm, p) for p in parts)
    return f"{CHECKSUMS[algorithm](joined)}-{len(parts)}"


# --- single PUTs -------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_with_each_algorithm_is_stored_and_returned_by_get_and_head(
        s3, bucket, crt_checksums, algorithm):
    data = random_bytes(40_000, seed=11)
    want = CHECKSUMS[algorithm](data)
    with capture_requests(s3, "PutObject") as sent:
        r = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    assert sent[0].headers[f"x-amz-checksum-{algorithm.lower()}"] == want
    assert r[f"Checksum{algorithm}"] == want
    assert r["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got[f"Checksum{algorithm}"] == want
    assert got["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == want
    # Only the stored algorithm is shown.
    shown = [k for k in head if k.startswith("Checksum") and k != "ChecksumType"]
    assert shown == [f"Checksum{algorithm}"]


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME", "SHA256"])
def test_put_with_a_trailer_checksum_is_stored(s3, bucket, crt_checksums, trailer_checksums,
                                                algorithm):
    data = random_bytes(200_000, seed=12)
    with capture_requests(s3, "PutObject") as sent:
        s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    assert sent[0].headers["x-amz-trailer"] == f"x-amz-checksum-{algorithm.lower()}"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == CHECKSUMS[algorithm](data)


def test_a_plain_put_still_answers_its_crc32(s3, server, bucket):
    data = random_bytes(1000, seed=13)
    raw = raw_request(server, "PUT", f"/{bucket}/plain", body=data)
    assert raw.status_code == 200, raw.text
    head = s3.head_object(Bucket=bucket, Key="plain", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == CHECKSUMS["CRC32"](data)
    assert head["ChecksumType"] == "FULL_OBJECT"


def test_a_ranged_get_shows_no_checksum(s3, bucket, crt_checksums):
    data = random_bytes(10_000, seed=14)
    s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm="CRC64NVME")
    got = s3.get_object(Bucket=bucket, Key="k", Range="bytes=10-99", ChecksumMode="ENABLED")
    assert got["Body"].read() == data[10:100]
    assert "ChecksumCRC64NVME" not in got and "ChecksumCRC32" not in got


@pytest.mark.parametrize("algorithm", ["CRC64NVME", "CRC32C"])
def test_a_wrong_checksum_is_400_bad_digest_with_aws_message(s3, bucket, algorithm):
    data = random_bytes(5000, seed=15)
    wrong = CHECKSUMS[algorithm](data + b"?")
    with expect_error(400, "BadDigest") as e:
        s3.put_object(Bucket=bucket, Key="k", Body=data, **{f"Checksum{algorithm}": wrong})
    assert e.message == f"The {algorithm} you specified did not match the calculated checksum."
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k")


def test_a_malformed_checksum_is_400_invalid_request(s3, bucket):
    with expect_error(400, "InvalidRequest") as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ChecksumCRC64NVME="AAAA")
    assert "x-amz-checksum-crc64nvme" in e.message


# --- multipart ---------------------------------------------------------------------------------

def upload_parts(s3, bucket, key, parts, algorithm=None, checksum_type=None):
    create = {}
    if algorithm:
        create["ChecksumAlgorithm"] = algorithm
    if checksum_type:
        create["ChecksumType"] = checksum_type
    r = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)
    if algorithm:
        assert r["ChecksumAlgorithm"] == algorithm
        assert r["ChecksumType"] == (checksum_type or
                                     ("FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"))
    uid = r["UploadId"]
    done = []
    for n, data in enumerate(parts, 1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        p = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=n, Body=data,
                           **extra)
        entry = {"PartNumber": n, "ETag": p["ETag"]}
        if algorithm:
            assert p[f"Checksum{algorithm}"] == CHECKSUMS[algorithm](data)
            entry[f"Checksum{algorithm}"] = p[f"Checksum{algorithm}"]
        done.append(entry)
    return uid, done


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_multipart_composite_checksum_is_the_checksum_of_the_parts_checksums(
        s3, bucket, crt_checksums, algorithm):
    parts = [random_bytes(5 * MiB, seed=16), random_bytes(1234, seed=17)]
    uid, done = upload_parts(s3, bucket, "mp", parts, algorithm)
    listing = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert (listing["ChecksumAlgorithm"], listing["ChecksumType"]) == (algorithm, "COMPOSITE")
    listed = listing["Parts"]
    assert [p[f"Checksum{algorithm}"] for p in listed] == [CHECKSUMS[algorithm](p) for p in parts]
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    want = composite(algorithm, parts)
    assert r[f"Checksum{algorithm}"] == want
    assert r["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == want
    assert head["ChecksumType"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(parts)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_multipart_full_object_checksum_is_the_whole_body_s(s3, bucket, crt_checksums,
                                                             algorithm):
    parts = [random_bytes(5 * MiB, seed=18), random_bytes(777, seed=19)]
    whole = b"".join(parts)
    uid, done = upload_parts(s3, bucket, "full", parts, algorithm, "FULL_OBJECT")
    want = CHECKSUMS[algorithm](whole)
    r = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=uid,
                                     MultipartUpload={"Parts": done}, ChecksumType="FULL_OBJECT",
                                     **{f"Checksum{algorithm}": want})
    assert r[f"Checksum{algorithm}"] == want
    assert r["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert (head[f"Checksum{algorithm}"], head["ChecksumType"]) == (want, "FULL_OBJECT")


def test_a_completion_with_a_wrong_checksum_is_refused(s3, bucket, crt_checksums):
    parts = [random_bytes(5 * MiB, seed=20), random_bytes(10, seed=21)]
    uid, done = upload_parts(s3, bucket, "k", parts, "CRC64NVME")
    bad_part = [dict(done[0]), dict(done[1], ChecksumCRC64NVME=CHECKSUMS["CRC64NVME"](b"x"))]
    with expect_error(400, "InvalidPart"):
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": bad_part})
    with expect_error(400, "BadDigest"):
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": done},
                                     ChecksumCRC64NVME=CHECKSUMS["CRC64NVME"](b"other"))
    with expect_error(400, "InvalidRequest"):
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": done}, ChecksumType="COMPOSITE")
    # The upload is still there and completes with the right values.
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                 MultipartUpload={"Parts": done})


def test_a_part_with_another_algorithm_than_its_upload_s_is_refused(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k",
                                     ChecksumAlgorithm="SHA256")["UploadId"]
    with expect_error(400, "InvalidRequest") as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=b"abc",
                       ChecksumAlgorithm="CRC32")
    assert "expected checksum Type: sha256, actual checksum Type: crc32" in e.message
    with expect_error(400, "InvalidRequest"):
        s3.create_multipart_upload(Bucket=bucket, Key="k2", ChecksumAlgorithm="SHA1",
                                   ChecksumType="FULL_OBJECT")


def test_list_multipart_uploads_shows_each_upload_s_checksum_algorithm(s3, bucket):
    """An upload created with a checksum lists its algorithm and type; one without none."""
    s3.create_multipart_upload(Bucket=bucket, Key="a", ChecksumAlgorithm="SHA256")
    s3.create_multipart_upload(Bucket=bucket, Key="b", ChecksumAlgorithm="CRC32",
                               ChecksumType="FULL_OBJECT")
    s3.create_multipart_upload(Bucket=bucket, Key="c")
    uploads = {u["Key"]: u for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]}
    assert (uploads["a"]["ChecksumAlgorithm"], uploads["a"]["ChecksumType"]) == \
        ("SHA256", "COMPOSITE")
    assert (uploads["b"]["ChecksumAlgorithm"], uploads["b"]["ChecksumType"]) == \
        ("CRC32", "FULL_OBJECT")
    assert "ChecksumAlgorithm" not in uploads["c"] and "ChecksumType" not in uploads["c"]


def test_upload_file_in_parts_gets_its_checksum(s3, bucket, tmp_path):
    """s3transfer's upload_file: on its defaults CRC32 COMPOSITE (CRC32 asked at create and
    sent with every part); with a whole-file CRC32 given, FULL_OBJECT."""
    data = random_bytes(11 * MiB, seed=22)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    s3.upload_file(str(path), bucket, "f", Config=cfg)
    head = s3.head_object(Bucket=bucket, Key="f", ChecksumMode="ENABLED")
    chunks = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert (head["ChecksumType"], head["ChecksumCRC32"]) == ("COMPOSITE",
                                                             composite("CRC32", chunks))
    got = s3.get_object(Bucket=bucket, Key="f", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    s3.upload_file(str(path), bucket, "full", Config=cfg,
                   ExtraArgs={"ChecksumCRC32": CHECKSUMS["CRC32"](data)})
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert (head["ChecksumType"], head["ChecksumCRC32"]) == ("FULL_OBJECT",
                                                             CHECKSUMS["CRC32"](data))


def test_a_part_copy_gets_its_upload_s_checksum(s3, bucket, crt_checksums):
    src = random_bytes(6 * MiB, seed=29)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k",
                                     ChecksumAlgorithm="CRC64NVME")["UploadId"]
    r = s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    assert r["CopyPartResult"]["ChecksumCRC64NVME"] == CHECKSUMS["CRC64NVME"](src[:5 * MiB])
    p2 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=2, Body=b"end",
                        ChecksumAlgorithm="CRC64NVME")
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]},
                                   {"PartNumber": 2, "ETag": p2["ETag"]}]})
    assert done["ChecksumCRC64NVME"] == CHECKSUMS["CRC64NVME"](src[:5 * MiB] + b"end")


# --- copy --------------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ["CRC64NVME", "SHA1"])
def test_copy_with_a_new_algorithm_computes_it(s3, bucket, crt_checksums, algorithm):
    data = random_bytes(300_000, seed=23)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ChecksumAlgorithm="SHA256")
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                       ChecksumAlgorithm=algorithm)
    want = CHECKSUMS[algorithm](data)
    assert r["CopyObjectResult"][f"Checksum{algorithm}"] == want
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == want
    # A copy without one keeps the source's.
    s3.copy_object(Bucket=bucket, Key="same", CopySource={"Bucket": bucket, "Key": "src"})
    head = s3.head_object(Bucket=bucket, Key="same", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == CHECKSUMS["SHA256"](data)
    # Copying an object onto itself with only a new algorithm is allowed.
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   ChecksumAlgorithm="CRC32")
    head = s3.head_object(Bucket=bucket, Key="src", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == CHECKSUMS["CRC32"](data)


# --- GetObjectAttributes -----------------------------------------------------------------------

ALL_ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


def test_get_object_attributes_of_a_single_part_object(s3, versioned_bucket, crt_checksums):
    b = versioned_bucket
    data = random_bytes(1000, seed=24)
    v1 = s3.put_object(Bucket=b, Key="k", Body=data, ChecksumAlgorithm="CRC64NVME")["VersionId"]
    s3.put_object(Bucket=b, Key="k", Body=b"newer")
    r = s3.get_object_attributes(Bucket=b, Key="k", VersionId=v1,
                                 ObjectAttributes=ALL_ATTRIBUTES)
    assert r["ETag"] == hashlib.md5(data).hexdigest()
    assert r["Checksum"] == {"ChecksumCRC64NVME": CHECKSUMS["CRC64NVME"](data),
                             "ChecksumType": "FULL_OBJECT"}
    assert r["ObjectSize"] == 1000
    assert r["StorageClass"] == "STANDARD"
    assert r["VersionId"] == v1
    assert "ObjectParts" not in r
    only = s3.get_object_attributes(Bucket=b, Key="k", ObjectAttributes=["ObjectSize"])
    assert only["ObjectSize"] == 5 and "ETag" not in only


def test_get_object_attributes_pages_a_multipart_object_s_parts(s3, bucket, crt_checksums):
    parts = [random_bytes(5 * MiB, seed=25), random_bytes(5 * MiB, seed=26), b"tail"]
    uid, done = upload_parts(s3, bucket, "mp", parts, "SHA256")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    r = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL_ATTRIBUTES,
                                 MaxParts=2)
    assert r["Checksum"]["ChecksumSHA256"] == composite("SHA256", parts)
    op = r["ObjectParts"]
    assert (op["TotalPartsCount"], op["IsTruncated"], op["MaxParts"]) == (3, True, 2)
    assert [(p["PartNumber"], p["Size"], p["ChecksumSHA256"]) for p in op["Parts"]] == [
        (1, 5 * MiB, CHECKSUMS["SHA256"](parts[0])), (2, 5 * MiB, CHECKSUMS["SHA256"](parts[1]))]
    rest = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"],
                                    PartNumberMarker=op["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["ObjectParts"]["Parts"]] == [3]
    assert rest["ObjectParts"]["IsTruncated"] is False
    assert r["ObjectSize"] == 10 * MiB + 4


def test_get_object_attributes_of_a_delete_marker_is_404(s3, server, versioned_bucket):
    b = versioned_bucket
    s3.put_object(Bucket=b, Key="k", Body=b"x")
    s3.delete_object(Bucket=b, Key="k")
    with expect_error(404, "NoSuchKey") as e:
        s3.get_object_attributes(Bucket=b, Key="k", ObjectAttributes=["ETag"])
    assert e.headers.get("x-amz-delete-marker") == "true"
    s3.put_object(Bucket=b, Key="k2", Body=b"x")
    raw = raw_request(server, "GET", f"/{b}/k2", params={"attributes": ""},
                      headers={"x-amz-object-attributes": "Owner"})
    assert raw.status_code == 400 and b"<Code>InvalidArgument</Code>" in raw.content


# --- PartNumber reads --------------------------------------------------------------------------

def test_get_and_head_by_part_number(s3, bucket, crt_checksums):
    parts = [random_bytes(5 * MiB, seed=27), random_bytes(3000, seed=28)]
    uid, done = upload_parts(s3, bucket, "mp", parts, "CRC32C")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, ChecksumMode="ENABLED")
    assert got["Body"].read() == parts[1]
    assert status_of(got) == 206
    assert got["PartsCount"] == 2
    assert got["ContentRange"] == f"bytes {5 * MiB}-{5 * MiB + 2999}/{5 * MiB + 3000}"
    assert got["ChecksumCRC32C"] == CHECKSUMS["CRC32C"](parts[1])
    head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)
    assert head["ContentLength"] == 5 * MiB and head["PartsCount"] == 2
    with expect_error(416, "InvalidPartNumber"):
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    with expect_error(416):
        s3.head_object(Bucket=bucket, Key="mp", PartNumber=3)
    # A single-part object has part 1 only: all of it.
    s3.put_object(Bucket=bucket, Key="one", Body=b"hello")
    one = s3.get_object(Bucket=bucket, Key="one", PartNumber=1)
    assert one["Body"].read() == b"hello" and status_of(one) == 200
    with expect_error(416, "InvalidPartNumber"):
        s3.get_object(Bucket=bucket, Key="one", PartNumber=2)


# --- DeleteObjects -----------------------------------------------------------------------------

DELETE_DOC = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
              b"<Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>")


def test_delete_objects_takes_a_crc64nvme_integrity_header(s3, server, bucket, crt_checksums):
    for k in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    wrong = raw_request(server, "POST", f"/{bucket}", params={"delete": ""},
                        headers={"x-amz-checksum-crc64nvme": CHECKSUMS["CRC64NVME"](b"no")},
                        body=DELETE_DOC)
    assert wrong.status_code == 400 and b"<Code>BadDigest</Code>" in wrong.content
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2
    right = raw_request(server, "POST", f"/{bucket}", params={"delete": ""},
                        headers={"x-amz-checksum-crc64nvme": CHECKSUMS["CRC64NVME"](DELETE_DOC)},
                        body=DELETE_DOC)
    assert right.status_code == 200, right.text
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # And boto3's own call with CRC64NVME asked for.
    s3.put_object(Bucket=bucket, Key="c", Body=b"x")
    with capture_requests(s3, "DeleteObjects") as sent:
        r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}]},
                              ChecksumAlgorithm="CRC64NVME")
    assert "x-amz-checksum-crc64nvme" in sent[0].headers
    assert [d["Key"] for d in r["Deleted"]] == ["c"]


def test_the_pure_python_checksums_agree_with_the_catalogue():
    assert crc32c(b"123456789") == 0xE3069283
    c = _PyCrc32c()
    c.update(b"1234")
    c.update(b"56789")
    assert c.digest() == (0xE3069283).to_bytes(4, "big")
    n = _PyCrc64Nvme()
    n.update(b"12345")
    n.update(b"6789")
    assert n.digest() == (0xAE8B14860A799888).to_bytes(8, "big")


@pytest.mark.parametrize("header,value", [
    ("x-amz-checksum-sha512", "AAAA"),
    ("x-amz-checksum-xxhash64", "AAAAAAAAAAA="),
    ("x-amz-sdk-checksum-algorithm", "XXHASH128"),
])
def test_checksums_strata_lacks_are_refused_not_ignored(server, bucket, header, value):
    r = raw_request(server, "PUT", f"/{bucket}/k", headers={header: value}, body=b"abc")
    assert r.status_code == 501 and b"<Code>NotImplemented</Code>" in r.content, r.text
