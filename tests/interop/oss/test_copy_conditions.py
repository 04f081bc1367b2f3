"""oss2: CopyObject and UploadPartCopy honour x-oss-copy-source-if-* (any that fails is 412
PreconditionFailed); a failed condition copies nothing."""

from __future__ import annotations

import oss2
import pytest

FAR_PAST = "Mon, 01 Jan 2001 00:00:00 GMT"
FAR_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


def conditions(etag: str) -> list[tuple[dict, bool]]:
    """(headers, whether the copy goes ahead) for a source whose ETag is `etag`."""
    return [
        ({"x-oss-copy-source-if-match": etag}, True),
        ({"x-oss-copy-source-if-match": '"0123456789ABCDEF0123456789ABCDEF"'}, False),
        ({"x-oss-copy-source-if-none-match": etag}, False),
        ({"x-oss-copy-source-if-none-match": '"0123456789ABCDEF0123456789ABCDEF"'}, True),
        ({"x-oss-copy-source-if-modified-since": FAR_FUTURE}, False),
        ({"x-oss-copy-source-if-modified-since": FAR_PAST}, True),
        ({"x-oss-copy-source-if-unmodified-since": FAR_PAST}, False),
        ({"x-oss-copy-source-if-unmodified-since": FAR_FUTURE}, True),
    ]


def test_copy_object_checks_the_source_conditions(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    etag = '"' + b.put_object("src", b"source bytes").etag + '"'
    for i, (headers, goes) in enumerate(conditions(etag)):
        key = f"dst-{i}"
        if goes:
            b.copy_object(bucket, "src", key, headers=headers)
            assert b.get_object(key).read() == b"source bytes", headers
        else:
            with pytest.raises(oss2.exceptions.PreconditionFailed):
                b.copy_object(bucket, "src", key, headers=headers)
            assert not b.object_exists(key), headers


def test_upload_part_copy_checks_the_source_conditions(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    etag = '"' + b.put_object("src", b"source bytes").etag + '"'
    upload_id = b.init_multipart_upload("dst").upload_id
    for headers, goes in conditions(etag):
        if goes:
            b.upload_part_copy(bucket, "src", None, "dst", upload_id, 1, headers=headers)
        else:
            with pytest.raises(oss2.exceptions.PreconditionFailed):
                b.upload_part_copy(bucket, "src", None, "dst", upload_id, 2, headers=headers)
    parts = [p.part_number for p in b.list_parts("dst", upload_id).parts]
    assert parts == [1]
    b.abort_multipart_upload("dst", upload_id)
