"""@aws-sdk/client-s3 v3 and @aws-sdk/lib-storage's `Upload` (npm, tests/interop/js) on their
defaults against the S3 dialect: they send a CRC32 checksum with every PutObject, UploadPart
and DeleteObjects. The scenarios run in node (tests/interop/js/s3_v3.mjs); results are checked
here and with boto3."""

from __future__ import annotations


from ..jsrun import run_js


def scenario(server, bucket, name):
    return run_js("s3_v3.mjs", {"endpoint": server.endpoint, "accessKey": server.access_key,
                                "secretKey": server.secret_key, "bucket": bucket,
                                "scenario": name})


def test_aws_sdk_js_v3_objects_upload_copy_and_delete(server, s3, bucket):
    out = scenario(server, bucket, "basic")
    assert out["put"]["crc32"], "the SDK's CRC32 was not answered"
    assert out["get"] == {"body": "hello v3", "type": "text/plain", "meta": {"color": "blue"},
                          "crc32": out["put"]["crc32"]}
    assert out["range"] == "hello"
    assert out["upload"]["etag"].strip('"').endswith("-3")
    assert out["big_same"] is True
    assert out["copy"] == {"length": 8, "meta": {"color": "blue"}}
    assert out["keys"] == ["a.txt", "big.bin", "copy.txt"]
    assert (out["deleted"], out["errors"]) == (["a.txt", "big.bin", "copy.txt"], [])
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_aws_sdk_js_v3_versions_markers_and_restore(server, s3, bucket):
    out = scenario(server, bucket, "versions")
    v1, v2 = out["ids"]
    assert out["marker"]["deleteMarker"] is True and out["marker"]["id"]
    assert out["get_after_delete"] == "NoSuchKey"
    assert out["old"] == "one"
    assert sorted(out["versions"]) == sorted([[v1, False], [v2, False]])
    assert out["markers"] == [[out["marker"]["id"], True]]
    assert out["restored"] == "two"
    assert out["quiet"] == {"deleted": [], "errors": []}
    assert out["current"] == "one"
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert ids == [v1]
