"""Multipart upload: the SDKs' own resumable uploaders on a 20 MiB file
with CRC checks on, and the individual Initiate / UploadPart / UploadPartCopy / Complete / Abort
calls."""

from __future__ import annotations

import os

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from .clients import OssError, make_client
from .support import (
    assert_crc_header,
    assert_quoted_etag,
    assert_version_id_header,
    crc64,
    md5_hex_upper,
    multipart_etag,
)

MiB = 1024 * 1024
BIG = 20 * MiB
PART = 1 * MiB


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """20 MiB of random bytes on disk, with their CRC-64."""
    data = os.urandom(BIG)
    path = tmp_path_factory.mktemp("big") / "20mib.bin"
    path.write_bytes(data)
    return path, data, crc64(data)


def _check_downloaded(client, bucket, key, data, crc, parts):
    head = client.head_object(bucket, key)
    assert head.headers.get("Content-Length") == str(len(data))
    assert head.headers.get("x-oss-object-type") == "Multipart"
    assert head.headers.get("x-oss-hash-crc64ecma") == str(crc)
    assert head.headers.get("ETag", "").endswith(f'-{parts}"')
    get = client.get_object(bucket, key)
    assert get.headers.get("x-oss-hash-crc64ecma") == str(crc)
    assert len(get.body) == len(data)
    assert get.body == data
    assert crc64(get.body) == crc


@pytest.mark.parametrize("signature", ["v1", "v4"])
def test_oss2_resumable_upload_of_20mib_with_crc_checks(server, bucket, big_file, tmp_path,
                                                       signature):
    path, data, crc = big_file
    client = make_client(f"oss2-{signature}", server)
    b = client.bucket(bucket)
    assert b.enable_crc
    result = oss2.resumable_upload(
        b, "big/oss2.bin", str(path),
        store=oss2.ResumableStore(root=str(tmp_path)),
        multipart_threshold=PART, part_size=PART, num_threads=2)
    # oss2 compared the Complete response's x-oss-hash-crc64ecma with the CRC it combined
    # from the parts; it only does so when the header is present, so require it.
    assert result.crc == crc
    assert result.headers.get("x-oss-hash-crc64ecma") == str(crc)

    # get_object_to_file checks the whole-object CRC against the GET header.
    out = tmp_path / "download.bin"
    got = b.get_object_to_file("big/oss2.bin", str(out))
    assert got.server_crc == crc
    assert out.read_bytes() == data
    _check_downloaded(client, bucket, "big/oss2.bin", data, crc, BIG // PART)


@pytest.mark.parametrize("signature", ["v1", "v4"])
def test_v2_uploader_of_20mib_with_crc_checks(server, bucket, big_file, tmp_path, signature):
    path, data, crc = big_file
    client = make_client(f"v2-{signature}", server)
    uploader = client.client.uploader(part_size=PART, parallel_num=2)
    # The Uploader compares its combined part CRC with Complete's x-oss-hash-crc64ecma.
    result = uploader.upload_file(ossv2.models.PutObjectRequest(bucket=bucket, key="big/v2.bin"),
                                  str(path))
    assert result.hash_crc64 == str(crc)
    assert result.etag and result.etag.endswith(f'-{BIG // PART}"')

    out = tmp_path / "download.bin"
    got = client.client.get_object_to_file(
        ossv2.models.GetObjectRequest(bucket=bucket, key="big/v2.bin"), str(out))
    assert got.hash_crc64 == str(crc)  # and get_object_to_file checked it against the bytes
    assert out.read_bytes() == data
    _check_downloaded(client, bucket, "big/v2.bin", data, crc, BIG // PART)


def test_multipart_parts_and_complete_report_etag_crc_and_version(client, versioned_bucket):
    b = versioned_bucket
    key = "mp/obj 1+%.bin"
    parts = [os.urandom(100 * 1024), os.urandom(150 * 1024), os.urandom(1234)]
    upload_id = client.init_multipart(b, key)
    assert upload_id
    uploaded = []
    for n, data in enumerate(parts, start=1):
        r = client.upload_part(b, key, upload_id, n, data)
        assert r.status == 200
        assert_quoted_etag(r.headers, data)
        assert_crc_header(r.headers, data)  # the part's own CRC
        uploaded.append((n, r.headers["ETag"], data))
    assert (key, upload_id) in client.list_multipart_uploads(b)

    whole = b"".join(parts)
    done = client.complete_multipart(b, key, upload_id, uploaded)
    assert done.status == 200
    assert_crc_header(done.headers, whole)  # CRC of the whole object, not of a part
    assert_version_id_header(done.headers, ...)
    head = client.head_object(b, key)
    assert head.headers.get("ETag") == multipart_etag(parts)
    assert head.headers.get("x-oss-object-type") == "Multipart"
    assert_version_id_header(head.headers, done.headers["x-oss-version-id"])
    get = client.get_object(b, key)
    assert get.body == whole
    assert_crc_header(get.headers, whole)
    assert client.list_multipart_uploads(b) == []


def test_abort_multipart_upload_answers_204_and_forgets_the_upload(client, bucket):
    upload_id = client.init_multipart(bucket, "mp/aborted")
    client.upload_part(bucket, "mp/aborted", upload_id, 1, b"part")
    r = client.abort_multipart(bucket, "mp/aborted", upload_id)
    assert r.status == 204
    assert client.list_multipart_uploads(bucket) == []
    with pytest.raises(OssError) as e:
        client.upload_part(bucket, "mp/aborted", upload_id, 2, b"late")
    assert (e.value.status, e.value.code) == (404, "NoSuchUpload")
    assert client.list_objects(bucket).keys == []


def test_complete_with_a_wrong_part_etag_is_400_invalid_part(client, bucket):
    upload_id = client.init_multipart(bucket, "mp/bad")
    data = b"only part"
    client.upload_part(bucket, "mp/bad", upload_id, 1, data)
    wrong = f'"{md5_hex_upper(b"something else")}"'
    with pytest.raises(OssError) as e:
        client.complete_multipart(bucket, "mp/bad", upload_id, [(1, wrong, data)])
    assert (e.value.status, e.value.code) == (400, "InvalidPart")
    client.abort_multipart(bucket, "mp/bad", upload_id)


def test_upload_part_copy_parts_complete_byte_exact(client, versioned_bucket):
    # Parts copied whole and in ranges, one from an older version of its source: each answer
    # carries the part's ETag as a header (oss2 reads only that) and in its body (the v2 SDK
    # reads that), and the completed object is exactly the bytes asked for.
    b = versioned_bucket
    old = os.urandom(300 * 1024 + 5)
    v1 = client.put_object(b, "src/a b+c.bin", old).version_id
    assert v1
    client.put_object(b, "src/a b+c.bin", b"newer")
    other = os.urandom(2048)
    client.put_object(b, "other", other)
    upload_id = client.init_multipart(b, "dst")
    pieces = [(1, "src/a b+c.bin", (0, 200 * 1024 - 1), v1, old[:200 * 1024]),
              (2, "src/a b+c.bin", (200 * 1024, 300 * 1024 + 4), v1, old[200 * 1024:]),
              (3, "other", None, None, other)]
    uploaded = []
    for n, src, rng, version, data in pieces:
        r = client.upload_part_copy(b, "dst", upload_id, n, src, rng, src_version_id=version)
        assert r.status == 200
        assert_quoted_etag(r.headers, data)
        assert r.etag and r.etag.strip('"').upper() == md5_hex_upper(data), r.etag
        if version is not None:
            assert r.copy_source_version_id == version
        uploaded.append((n, r.etag, data))
    whole = b"".join(data for *_, data in pieces)
    done = client.complete_multipart(b, "dst", upload_id, uploaded)
    assert done.status == 200
    assert_crc_header(done.headers, whole)
    assert client.get_object(b, "dst").body == whole
    assert client.get_object(b, "src/a b+c.bin").body == b"newer"
