"""ali-oss (npm, tests/interop/js) against the OSS dialect, path style: objects, metadata,
ranges, `multipartUpload`, `multipartUploadCopy`, copy, listing, `deleteMulti`, and
versioning (markers, reads and deletes by version, restore). The scenarios run in node
(tests/interop/js/ali_oss.mjs); results are checked here and with oss2."""

from __future__ import annotations

from ..jsrun import run_js


def scenario(server, bucket, name):
    return run_js("ali_oss.mjs", {"endpoint": server.endpoint, "accessKey": server.access_key,
                                  "secretKey": server.secret_key, "bucket": bucket,
                                  "scenario": name})


def test_ali_oss_objects_multipart_copy_and_delete(server, admin, bucket):
    out = scenario(server, bucket, "basic")
    assert out["put"]["status"] == 200 and out["put"]["crc64"]
    assert out["get"] == {"body": "hello ali-oss", "type": "text/plain", "meta": "blue"}
    assert out["range"] == "hello"
    assert out["head"] == {"status": 200, "meta": {"color": "blue"}}
    assert out["mpu"]["status"] == 200 and out["mpu_copy"] == 200
    assert out["copy_same"] is True
    assert out["keys"] == ["big.bin", "copy.bin", "dir/a.txt", "dir/b.txt"]
    assert out["prefixes"] == ["dir/"]
    assert out["deleted"] == out["keys"]
    assert out["missing"] == {"status": 404, "code": "NoSuchKey"}
    assert list(admin.bucket(bucket).list_objects_v2().object_list) == []


def test_ali_oss_versions_markers_and_restore(server, admin, bucket):
    out = scenario(server, bucket, "versions")
    v1, v2 = out["ids"]
    assert out["marker"]["flag"] == "true" and out["marker"]["id"]
    assert out["missing"] == {"status": 404, "code": "NoSuchKey"}
    assert out["old"] == "one"
    assert sorted(out["versions"]) == sorted([[v1, False], [v2, False]])
    assert out["markers"] == [["k", out["marker"]["id"]]]
    assert out["restored"] == "two"
    assert out["multi"] == [["k", v2]]
    assert out["current"] == "one"
    oss = admin.bucket(bucket)
    assert oss.get_object("k").read() == b"one"
