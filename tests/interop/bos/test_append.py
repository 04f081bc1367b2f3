"""AppendObject (`POST /bucket/key?append&offset=N`) with bce-python-sdk (`append_object`,
`append_object_from_string`) and @baiducloud/sdk (`appendObject`): offsets,
`x-bce-next-append-offset`, the whole object's CRC-32 and CRC-64 after appends,
`x-bce-object-type: Appendable`, OffsetIncorrect, ObjectUnappendable, NotAllowCopy, and the
refusal in versioned buckets."""

from __future__ import annotations

from .support import b64, crc32, crc64ecma, expect_error, get_bytes, node_ok, run_node


def test_python_sdk_appends_and_reads_the_whole(bos, bucket):
    r1 = bos.append_object_from_string(bucket, "log", "hello ", content_type="text/plain",
                                       user_metadata={"color": "blue"})
    assert int(r1.metadata.bce_next_append_offset) == 6
    r2 = bos.append_object_from_string(bucket, "log", "world", offset=6,
                                       user_metadata={"color": "red"})
    assert int(r2.metadata.bce_next_append_offset) == 11
    assert get_bytes(bos, bucket, "log") == b"hello world"
    meta = bos.get_object_meta_data(bucket, "log").metadata
    assert meta.bce_object_type == "Appendable"
    assert int(meta.bce_next_append_offset) == 11
    assert int(meta.content_length) == 11
    assert int(meta.bce_content_crc_32) == crc32(b"hello world")
    assert int(meta.bce_content_crc_64ecma) == crc64ecma(b"hello world")
    # The first append's metadata is kept.
    assert meta.content_type == "text/plain"
    assert meta.bce_meta_color == "blue"


def test_python_sdk_wrong_offset_and_normal_objects(bos, bucket):
    expect_error(bos.append_object_from_string, bucket, "k", "x", offset=3,
                 status=409, code="OffsetIncorrect")
    bos.append_object_from_string(bucket, "k", "abc")
    expect_error(bos.append_object_from_string, bucket, "k", "x", offset=1,
                 status=409, code="OffsetIncorrect")
    assert get_bytes(bos, bucket, "k") == b"abc"
    bos.put_object_from_string(bucket, "normal", "abc")
    expect_error(bos.append_object_from_string, bucket, "normal", "d", offset=3,
                 status=403, code="ObjectUnappendable")
    # A PUT over an appendable object makes it a normal one.
    bos.put_object_from_string(bucket, "k", "new")
    expect_error(bos.append_object_from_string, bucket, "k", "d", offset=3,
                 status=403, code="ObjectUnappendable")


def test_copy_of_an_appendable_object_is_refused(bos, bucket):
    bos.append_object_from_string(bucket, "a", "one")
    expect_error(bos.copy_object, bucket, "a", bucket, "b", status=400, code="NotAllowCopy")


def test_append_in_a_versioned_bucket_is_refused(bos, versioned_bucket):
    expect_error(bos.append_object_from_string, versioned_bucket, "k", "x",
                 status=400, code="InvalidRequest")
    assert [o.key for o in bos.list_objects(versioned_bucket).contents or []] == []


def test_js_sdk_append_object(server, bos, bucket):
    out = run_node(server, [
        ("appendObject", bucket, "js", b64(b"abc")),
        ("appendObject", bucket, "js", b64(b"defg"), 3),
        ("appendObject", bucket, "js", b64(b"x"), 1),
        ("getObjectMetadata", bucket, "js"),
    ])
    first, second, wrong, head = out
    assert node_ok(first).headers["x-bce-next-append-offset"] == "3"
    assert node_ok(second).headers["x-bce-next-append-offset"] == "7"
    assert (wrong.ok, wrong.status, wrong.code) == (False, 409, "OffsetIncorrect")
    assert node_ok(head).headers["x-bce-object-type"] == "Appendable"
    assert get_bytes(bos, bucket, "js") == b"abcdefg"
