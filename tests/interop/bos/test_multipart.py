"""Multipart uploads: initiate, upload part (1 MiB parts accepted), list parts,
list uploads, complete (whole-object CRC-32 checked), abort, the SDK's
`put_super_object_from_file` helper, and upload part copy (ranges, source conditions)."""

from __future__ import annotations

import os

import pytest

from .support import (
    BOS_TIME_RE,
    assert_json_error,
    crc32,
    encode_path,
    expect_error,
    get_bytes,
    md5_hex,
    node_ok,
    run_node,
)

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """About 5 MiB (5 MiB + 12345 bytes) of random data: six 1 MiB parts, the last short."""
    path = tmp_path_factory.mktemp("mp") / "big.bin"
    data = os.urandom(5 * MiB + 12345)
    path.write_bytes(data)
    return path, data


def upload_parts(bos, bucket, key, upload_id, path, size, part_size=MiB):
    parts = []
    offset, n = 0, 1
    while offset < size:
        length = min(part_size, size - offset)
        r = bos.upload_part_from_file(bucket, key, upload_id, n, length, str(path), offset)
        parts.append({"partNumber": n, "eTag": r.metadata.etag})
        offset += length
        n += 1
    return parts


def test_full_multipart_flow_with_1_mib_parts(bos, bucket, big_file):
    path, data = big_file
    init = bos.initiate_multipart_upload(bucket, "big.bin", content_type="application/x-big")
    assert (init.bucket, init.key) == (bucket, "big.bin")
    upload_id = init.upload_id
    assert upload_id

    parts = upload_parts(bos, bucket, "big.bin", upload_id, path, len(data))
    assert len(parts) == 6
    for p in parts:
        start = (p["partNumber"] - 1) * MiB
        assert p["eTag"] == md5_hex(data[start:start + MiB])

    lp = bos.list_parts(bucket, "big.bin", upload_id)
    assert (lp.bucket, lp.key, lp.upload_id) == (bucket, "big.bin", upload_id)
    assert lp.part_number_marker == 0
    assert lp.next_part_number_marker == 6
    assert lp.max_parts == 1000
    assert lp.is_truncated is False
    assert BOS_TIME_RE.match(lp.initiated), lp.initiated
    assert [(p.part_number, p.size, p.etag) for p in lp.parts] == [
        (n, MiB if n < 6 else 12345, parts[n - 1]["eTag"]) for n in range(1, 7)]
    assert all(BOS_TIME_RE.match(p.last_modified) for p in lp.parts)

    uploads = bos.list_multipart_uploads(bucket)
    assert [(u.key, u.upload_id) for u in uploads.uploads] == [("big.bin", upload_id)]
    assert BOS_TIME_RE.match(uploads.uploads[0].initiated)

    done = bos.complete_multipart_upload(bucket, "big.bin", upload_id, parts)
    assert (done.bucket, done.key) == (bucket, "big.bin")
    assert done.etag
    assert done.location and done.location.endswith(f"/{bucket}/big.bin")
    assert done.metadata.bce_content_crc_32 == str(crc32(data))

    assert get_bytes(bos, bucket, "big.bin") == data
    meta = bos.get_object_meta_data(bucket, "big.bin").metadata
    assert meta.content_length == str(len(data))
    assert meta.etag == done.etag
    assert meta.bce_content_crc_32 == str(crc32(data))
    # The object's type comes from Initiate, not from Complete's JSON body.
    assert meta.content_type == "application/x-big"
    assert bos.list_multipart_uploads(bucket).uploads == []


def test_js_initiate_metadata_and_content_type_reach_the_object(server, bos, bucket, big_file):
    # JS guesses the type from the key's extension and sends x-bce-meta-* on Initiate; its
    # Complete is JSON with Content-Type application/json, which must not become the object's.
    path, data = big_file
    [init] = run_node(server, [("initiateMultipartUpload", bucket, "js/obj.txt",
                                {"x-bce-meta-from": "initiate"})])
    upload_id = node_ok(init).body["uploadId"]
    assert init.body["bucket"] == bucket and init.body["key"] == "js/obj.txt"
    parts = upload_parts(bos, bucket, "js/obj.txt", upload_id, path, MiB + 7)
    [done] = run_node(server, [("completeMultipartUpload", bucket, "js/obj.txt", upload_id, parts)])
    assert node_ok(done).body["eTag"]
    meta = bos.get_object_meta_data(bucket, "js/obj.txt").metadata
    assert meta.content_type == "text/plain"
    assert meta.bce_meta_from == "initiate"
    assert get_bytes(bos, bucket, "js/obj.txt") == data[:MiB + 7]


def test_complete_user_metadata_is_applied_over_initiate(raw, bos, bucket, big_file):
    # Python sends user_metadata on Complete too; Complete's takes precedence.
    path, data = big_file
    r = raw.request("POST", encode_path(bucket, "k"), {"uploads": None},
                    {"x-bce-meta-both": "initiate", "x-bce-meta-only-init": "i"})
    assert r.status == 200, r.body
    upload_id = r.json()["uploadId"]
    parts = upload_parts(bos, bucket, "k", upload_id, path, MiB)
    bos.complete_multipart_upload(bucket, "k", upload_id, parts,
                                  user_metadata={"both": "complete", "via": "complete"})
    meta = bos.get_object_meta_data(bucket, "k").metadata
    assert meta.bce_meta_only_init == "i"
    assert meta.bce_meta_via == "complete"
    assert meta.bce_meta_both == "complete"


def test_put_super_object_from_file_with_1_mib_chunks(bos, bucket, big_file):
    # The helper uploads parts on threads and sends the whole object's CRC-32 on Complete.
    path, data = big_file
    assert bos.put_super_object_from_file(bucket, "super.bin", str(path), chunk_size=1,
                                          thread_num=2) is True
    assert get_bytes(bos, bucket, "super.bin") == data
    meta = bos.get_object_meta_data(bucket, "super.bin").metadata
    assert meta.content_length == str(len(data))
    assert meta.bce_content_crc_32 == str(crc32(data))
    assert list(bos.list_all_multipart_uploads(bucket)) == []


def test_complete_with_wrong_whole_object_crc32_is_bad_digest(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    parts = upload_parts(bos, bucket, "k", upload_id, path, 2 * MiB)
    expect_error(bos.complete_multipart_upload, bucket, "k", upload_id, parts,
                 content_crc32=str(crc32(b"not the object")), status=400, code="BadDigest")
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)
    # The upload is still there and completes with the right value.
    bos.complete_multipart_upload(bucket, "k", upload_id, parts,
                                  content_crc32=str(crc32(data[:2 * MiB])))
    assert get_bytes(bos, bucket, "k") == data[:2 * MiB]


def test_upload_part_with_wrong_crc32_is_bad_digest(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    expect_error(bos.upload_part_from_file, bucket, "k", upload_id, 1, MiB, str(path), 0,
                 part_crc32=str(crc32(data[1:MiB + 1])), status=400, code="BadDigest")
    assert list(bos.list_all_parts(bucket, "k", upload_id)) == []


def test_complete_with_wrong_etag_is_invalid_part(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    parts = upload_parts(bos, bucket, "k", upload_id, path, MiB + 10)
    parts[1]["eTag"] = md5_hex(b"something else")
    expect_error(bos.complete_multipart_upload, bucket, "k", upload_id, parts,
                 status=400, code="InvalidPart")


def test_complete_with_descending_parts_is_invalid_part_order(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    parts = upload_parts(bos, bucket, "k", upload_id, path, MiB + 10)
    expect_error(bos.complete_multipart_upload, bucket, "k", upload_id, list(reversed(parts)),
                 status=400, code="InvalidPartOrder")


def test_complete_with_non_contiguous_parts(bos, bucket, big_file):
    # Part numbers must ascend; gaps are allowed.
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    e1 = bos.upload_part_from_file(bucket, "k", upload_id, 1, MiB, str(path), 0).metadata.etag
    e3 = bos.upload_part_from_file(bucket, "k", upload_id, 3, 100, str(path), MiB).metadata.etag
    bos.complete_multipart_upload(bucket, "k", upload_id, [{"partNumber": 1, "eTag": e1},
                                                           {"partNumber": 3, "eTag": e3}])
    assert get_bytes(bos, bucket, "k") == data[:MiB + 100]


def test_complete_listing_a_part_never_uploaded_is_invalid_part(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    parts = upload_parts(bos, bucket, "k", upload_id, path, MiB)
    parts.append({"partNumber": 2, "eTag": md5_hex(b"never uploaded")})
    expect_error(bos.complete_multipart_upload, bucket, "k", upload_id, parts,
                 status=400, code="InvalidPart")


def test_abort_removes_the_upload(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    upload_parts(bos, bucket, "k", upload_id, path, MiB)
    bos.abort_multipart_upload(bucket, "k", upload_id)
    assert bos.list_multipart_uploads(bucket).uploads == []
    expect_error(bos.list_parts, bucket, "k", upload_id, status=404, code="NoSuchUpload")
    expect_error(bos.abort_multipart_upload, bucket, "k", upload_id, status=404,
                 code="NoSuchUpload")
    expect_error(bos.get_object_meta_data, bucket, "k", status=404, code=None)


def test_unknown_upload_id_is_no_such_upload(bos, bucket):
    bogus = "0123456789abcdef0123456789abcdef"
    expect_error(bos.abort_multipart_upload, bucket, "k", bogus, status=404, code="NoSuchUpload")
    expect_error(bos.list_parts, bucket, "k", bogus, status=404, code="NoSuchUpload")


def test_list_parts_pages_with_next_part_number_marker(bos, bucket, big_file):
    path, data = big_file
    upload_id = bos.initiate_multipart_upload(bucket, "k").upload_id
    upload_parts(bos, bucket, "k", upload_id, path, 3 * MiB + 1)  # parts 1-4
    first = bos.list_parts(bucket, "k", upload_id, max_parts=3)
    assert [p.part_number for p in first.parts] == [1, 2, 3]
    assert first.is_truncated is True
    assert first.next_part_number_marker == 3
    rest = bos.list_parts(bucket, "k", upload_id, part_number_marker=3)
    assert [p.part_number for p in rest.parts] == [4]
    assert rest.is_truncated is False
    assert [p.part_number for p in bos.list_all_parts(bucket, "k", upload_id)] == [1, 2, 3, 4]


def test_list_uploads_with_prefix_and_pagination(bos, bucket):
    ids = {k: bos.initiate_multipart_upload(bucket, k).upload_id
           for k in ["a/1", "a/2", "b/1", "c"]}
    r = bos.list_multipart_uploads(bucket, prefix="a/")
    assert sorted((u.key, u.upload_id) for u in r.uploads) == [("a/1", ids["a/1"]),
                                                                ("a/2", ids["a/2"])]
    r = bos.list_multipart_uploads(bucket, delimiter="/")
    assert [u.key for u in r.uploads] == ["c"]
    assert [p.prefix for p in r.common_prefixes] == ["a/", "b/"]
    r = bos.list_multipart_uploads(bucket, max_uploads=2)
    assert r.is_truncated is True and len(r.uploads) == 2
    assert sorted(u.key for u in bos.list_all_multipart_uploads(bucket)) == ["a/1", "a/2", "b/1", "c"]


def test_complete_in_a_versioned_bucket_returns_a_version_id(bos, versioned_bucket, big_file):
    path, data = big_file
    b = versioned_bucket
    upload_id = bos.initiate_multipart_upload(b, "k").upload_id
    parts = upload_parts(bos, b, "k", upload_id, path, MiB + 100)
    done = bos.complete_multipart_upload(b, "k", upload_id, parts)
    assert done.metadata.bce_version_id
    assert bos.get_object_meta_data(b, "k").metadata.bce_version_id == done.metadata.bce_version_id
    assert get_bytes(bos, b, "k") == data[:MiB + 100]


# --- UploadPartCopy: `x-bce-copy-source` on PUT ?partNumber&uploadId ---------------------------

def put_source(bos, bucket, key, data):
    bos.put_object_from_string(bucket, key, data)
    return md5_hex(data)


def copy_part(bos, src_bucket, src_key, bucket, key, upload_id, n, first, last, **kwargs):
    """bce-python-sdk's upload_part_copy of bytes first..last (it always sends
    `x-bce-copy-source-range: bytes=first-last`)."""
    return bos.upload_part_copy(src_bucket, src_key, bucket, key, upload_id, n,
                                last - first + 1, first, **kwargs)


def test_upload_part_copy_whole_and_ranged_parts_complete_byte_exact(bos, bucket):
    # Parts copied from two sources (one with a key that needs encoding), whole and in ranges:
    # each answers the JSON eTag of exactly the bytes asked for, and the completed object is
    # those bytes in order.
    src = os.urandom(2 * MiB + 333)
    small = os.urandom(1000)
    put_source(bos, bucket, "src/a b+c~!.bin", src)
    put_source(bos, bucket, "small", small)
    upload_id = bos.initiate_multipart_upload(bucket, "dst").upload_id
    pieces = [("src/a b+c~!.bin", 0, MiB - 1), ("src/a b+c~!.bin", MiB, 2 * MiB + 332),
              ("small", 0, 999)]
    parts, expected = [], b""
    for n, (key, first, last) in enumerate(pieces, start=1):
        data = (src if key.startswith("src") else small)[first:last + 1]
        r = copy_part(bos, bucket, key, bucket, "dst", upload_id, n, first, last)
        assert r.etag == md5_hex(data), (n, r.etag)
        assert BOS_TIME_RE.match(r.last_modified), r.last_modified
        parts.append({"partNumber": n, "eTag": r.etag})
        expected += data
    listed = bos.list_parts(bucket, "dst", upload_id).parts
    assert [(p.part_number, p.size, p.etag) for p in listed] == [
        (n, last - first + 1, parts[n - 1]["eTag"]) for n, (_, first, last) in enumerate(pieces, 1)]
    done = bos.complete_multipart_upload(bucket, "dst", upload_id, parts)
    assert done.metadata.bce_content_crc_32 == str(crc32(expected))
    assert get_bytes(bos, bucket, "dst") == expected
    # The sources are untouched.
    assert get_bytes(bos, bucket, "src/a b+c~!.bin") == src


def test_js_upload_part_copy_without_a_range_copies_the_whole_source(server, bos, bucket):
    # The JS SDK sends `x-bce-copy-source-range:` empty when no range is given.
    src = os.urandom(300 * 1024 + 7)
    put_source(bos, bucket, "src", src)
    upload_id = bos.initiate_multipart_upload(bucket, "dst").upload_id
    [r] = run_node(server, [("uploadPartCopy", bucket, "src", bucket, "dst", upload_id, 1, "")])
    assert node_ok(r).body["eTag"] == md5_hex(src)
    bos.complete_multipart_upload(bucket, "dst", upload_id, [{"partNumber": 1, "eTag": md5_hex(src)}])
    assert get_bytes(bos, bucket, "dst") == src


def test_upload_part_copy_conditions_on_the_source(raw, bos, bucket):
    src = os.urandom(4096)
    tag = put_source(bos, bucket, "src", src)
    upload_id = bos.initiate_multipart_upload(bucket, "dst").upload_id
    # The SDK's `etag` argument is x-bce-copy-source-if-match.
    r = copy_part(bos, bucket, "src", bucket, "dst", upload_id, 1, 0, 4095, etag=tag)
    assert r.etag == tag
    expect_error(copy_part, bos, bucket, "src", bucket, "dst", upload_id, 2, 0, 4095,
                 etag=md5_hex(b"other"), status=412, code="PreconditionFailed")
    path, params = encode_path(bucket, "dst"), {"partNumber": 3, "uploadId": upload_id}
    base = {"x-bce-copy-source": encode_path(bucket, "src")}
    past, future = "Mon, 01 Jan 2001 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"
    for failing in [{"x-bce-copy-source-if-none-match": f'"{tag}"'},
                    {"x-bce-copy-source-if-modified-since": future},
                    {"x-bce-copy-source-if-unmodified-since": past}]:
        assert_json_error(raw.request("PUT", path, params, {**base, **failing}), 412,
                          "PreconditionFailed")
    for holding in [{"x-bce-copy-source-if-none-match": '"0123"'},
                    {"x-bce-copy-source-if-modified-since": past},
                    {"x-bce-copy-source-if-unmodified-since": future}]:
        r = raw.request("PUT", path, params, {**base, **holding})
        assert r.status == 200, r.body
        assert r.json()["eTag"] == tag
    # Only the parts whose conditions held were stored.
    assert [p.part_number for p in bos.list_parts(bucket, "dst", upload_id).parts] == [1, 3]


def test_upload_part_copy_with_a_malformed_or_outside_range_is_400(raw, bos, bucket):
    src = os.urandom(1000)
    put_source(bos, bucket, "src", src)
    upload_id = bos.initiate_multipart_upload(bucket, "dst").upload_id
    # Past the end (the SDK's offset + part_size beyond the source), or starting past it.
    expect_error(copy_part, bos, bucket, "src", bucket, "dst", upload_id, 1, 0, 1000,
                 status=400, code="InvalidArgument")
    expect_error(copy_part, bos, bucket, "src", bucket, "dst", upload_id, 1, 1000, 1009,
                 status=400, code="InvalidArgument")
    path, params = encode_path(bucket, "dst"), {"partNumber": 1, "uploadId": upload_id}
    for bad in ["0-9", "bytes=", "bytes=a-b", "bytes=0-1,5-6", "items=0-9", "bytes=9-2"]:
        r = raw.request("PUT", path, params, {"x-bce-copy-source": encode_path(bucket, "src"),
                                              "x-bce-copy-source-range": bad})
        assert_json_error(r, 400, "InvalidArgument")
    assert bos.list_parts(bucket, "dst", upload_id).parts == []
    # The last byte exactly is inside.
    r = copy_part(bos, bucket, "src", bucket, "dst", upload_id, 1, 990, 999)
    assert r.etag == md5_hex(src[990:])


def test_upload_part_copy_of_a_missing_source_is_404(bos, bucket):
    upload_id = bos.initiate_multipart_upload(bucket, "dst").upload_id
    expect_error(copy_part, bos, bucket, "nope", bucket, "dst", upload_id, 1, 0, 9,
                 status=404, code="NoSuchKey")
    assert bos.list_parts(bucket, "dst", upload_id).parts == []
