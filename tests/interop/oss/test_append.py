"""AppendObject (`POST /key?append&position=N`) with oss2 and alibabacloud-oss-v2, and ali-oss
`append` (tests/interop/js/ali_oss.mjs): positions, `x-oss-next-append-position`, the
CRC-64 chained across appends (the SDKs check it: oss2 with `init_crc`, v2 with
`init_hash_crc64`), PositionNotEqualToLength with the length to resume at, ObjectNotAppendable,
the Appendable type on HEAD and in listings, PUT over an appendable object, copies refused,
and OSS's rules in versioned buckets."""

from __future__ import annotations

import crcmod
import alibabacloud_oss_v2 as ossv2
import oss2
import pytest

from ..fsrun import run_fs
from ..jsrun import run_js
from .clients import make_client

crc64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=0xFFFFFFFFFFFFFFFF, rev=True)


def oss2_bucket(admin, bucket):
    b = admin.bucket(bucket)
    b.enable_crc = True
    return b


def test_oss2_appends_chain_positions_and_crc(admin, bucket):
    b = oss2_bucket(admin, bucket)
    first = b.append_object("log", 0, b"hello ", headers={"Content-Type": "text/plain",
                                                           "x-oss-meta-color": "blue",
                                                           "x-oss-object-acl": "public-read"})
    assert first.next_position == 6
    assert first.crc == crc64(b"hello ")
    # oss2 checks the chained CRC itself when given the previous one (enable_crc).
    second = b.append_object("log", first.next_position, b"world", init_crc=first.crc)
    assert second.next_position == 11
    assert second.crc == crc64(b"hello world")
    got = b.get_object("log")
    assert got.read() == b"hello world"
    assert got.headers["x-oss-object-type"] == "Appendable"
    assert got.headers["x-oss-next-append-position"] == "11"
    assert int(got.headers["x-oss-hash-crc64ecma"]) == crc64(b"hello world")
    # The first append's metadata is kept; a later append's is ignored.
    b.append_object("log", 11, b"!", headers={"Content-Type": "image/png",
                                              "x-oss-meta-color": "red"})
    head = b.head_object("log")
    assert head.content_length == 12
    assert head.headers["content-type"] == "text/plain"
    assert head.headers["x-oss-meta-color"] == "blue"
    assert head.object_type == "Appendable"
    # So is its ACL.
    assert b.get_object_acl("log").acl == "public-read"
    listed = list(b.list_objects_v2().object_list)
    assert [(o.key, o.type, o.size) for o in listed] == [("log", "Appendable", 12)]
    assert listed[0].etag == head.etag


def test_oss2_wrong_position_says_where_to_resume(admin, bucket):
    b = oss2_bucket(admin, bucket)
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as e:
        b.append_object("k", 5, b"x")
    assert e.value.status == 409
    assert e.value.headers["x-oss-next-append-position"] == "0"
    b.append_object("k", 0, b"abc")
    for wrong in (0, 2, 4):
        with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as e:
            b.append_object("k", wrong, b"zz")
        assert e.value.headers["x-oss-next-append-position"] == "3"
    assert b.get_object("k").read() == b"abc"


def test_oss2_normal_and_multipart_objects_are_not_appendable(admin, bucket):
    b = oss2_bucket(admin, bucket)
    b.put_object("normal", b"abc")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable) as e:
        b.append_object("normal", 3, b"d")
    assert e.value.status == 409
    assert b.get_object("normal").read() == b"abc"
    # A PUT over an appendable object replaces it with a Normal one.
    b.append_object("a", 0, b"one")
    b.put_object("a", b"two")
    assert b.head_object("a").object_type == "Normal"
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        b.append_object("a", 3, b"x")


def test_copy_of_an_appendable_object_is_refused(admin, bucket):
    b = oss2_bucket(admin, bucket)
    b.append_object("a", 0, b"one")
    with pytest.raises(oss2.exceptions.OssError) as e:
        b.copy_object(bucket, "a", "b")
    assert e.value.status == 400
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object("b")


def test_v2_append_object_with_init_crc(server, bucket):
    c = make_client("v2-v4", server).client
    r1 = c.append_object(ossv2.AppendObjectRequest(bucket=bucket, key="v2", position=0,
                                                    body=b"abc"))
    assert r1.next_position == 3
    assert int(r1.hash_crc64) == crc64(b"abc")
    r2 = c.append_object(ossv2.AppendObjectRequest(bucket=bucket, key="v2", position=3,
                                                    body=b"defg", init_hash_crc64=r1.hash_crc64))
    assert r2.next_position == 7
    assert int(r2.hash_crc64) == crc64(b"abcdefg")
    with pytest.raises(ossv2.exceptions.OperationError) as e:
        c.append_object(ossv2.AppendObjectRequest(bucket=bucket, key="v2", position=1,
                                                   body=b"x"))
    err = e.value.unwrap()
    assert (err.status_code, err.code) == (409, "PositionNotEqualToLength")
    got = c.get_object(ossv2.GetObjectRequest(bucket=bucket, key="v2"))
    assert got.body.read() == b"abcdefg"
    assert got.object_type == "Appendable"


def test_versioned_bucket_appends_in_place_and_put_keeps_it(admin, versioned_bucket):
    b = oss2_bucket(admin, versioned_bucket)
    first = b.append_object("k", 0, b"ab")
    assert first.versionid and first.versionid != "null"
    second = b.append_object("k", 2, b"cd")
    # Appending creates no previous version: the same version grows.
    assert second.versionid == first.versionid
    versions = b.list_object_versions().versions
    assert [(v.key, v.versionid, v.size) for v in versions] == [("k", first.versionid, 4)]
    # A PUT keeps the appendable version as a previous one, no longer appendable.
    put = b.put_object("k", b"new")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        b.append_object("k", 3, b"x")
    assert b.get_object("k", params={"versionId": first.versionid}).read() == b"abcd"
    # After a delete marker, position 0 starts a new appendable version.
    b.delete_object("k")
    third = b.append_object("k", 0, b"z")
    assert third.versionid not in (first.versionid, put.versionid)
    assert b.get_object("k").read() == b"z"
    listing = b.list_object_versions()
    assert len(listing.versions) == 3 and len(listing.delete_marker) == 1


def test_append_with_a_version_id_is_refused(raw, bucket):
    r = raw.request("POST", bucket, "k", params={"append": "", "position": "0",
                                                 "versionId": "null"}, data=b"x")
    assert r.status == 400, r.body


def test_ali_oss_append(server, admin, bucket):
    out = run_js("ali_oss.mjs", {"endpoint": server.endpoint, "accessKey": server.access_key,
                                 "secretKey": server.secret_key, "bucket": bucket,
                                 "scenario": "append"})
    assert out["first"] == {"status": 200, "next": "5"}
    assert out["second"] == {"status": 200, "next": "11"}
    assert out["wrong"] == {"status": 409, "code": "PositionNotEqualToLength"}
    assert out["body"] == "hello world"
    assert out["type"] == "Appendable"
    assert admin.bucket(bucket).get_object("a.log").read() == b"hello world"


def test_ossfs_open_wb_and_ab_append(server, admin, bucket):
    out = run_fs("ossfs_scenarios.py", {"endpoint": server.endpoint,
                                        "accessKey": server.access_key,
                                        "secretKey": server.secret_key, "bucket": bucket,
                                        "scenario": "append"})
    assert out.get("md5") is True, out
    assert out["size"] == 3 * 1024 * 1024 + 5
    assert out["tail"].endswith(b"more".hex())
    assert out["fresh"] == "fresh"
    head = admin.bucket(bucket).head_object("w.bin")
    assert head.object_type == "Appendable"
