"""s3fs (fsspec's S3 file system, PyPI `s3fs`; pyarrow, pandas and dask use it) against the S3
dialect: files written with `open('wb')` (multipart when larger than a block), seeks, listings,
copy, move, recursive delete, and its version-aware mode. It runs in .venv-fs
(tests/interop/fs/s3fs_scenarios.py); results are checked with boto3."""

from __future__ import annotations

from ..fsrun import run_fs


def scenario(server, bucket, name, tmp_path):
    return run_fs("s3fs_scenarios.py", {"endpoint": server.endpoint,
                                        "accessKey": server.access_key,
                                        "secretKey": server.secret_key, "bucket": bucket,
                                        "scenario": name, "home": str(tmp_path)})


def test_s3fs_files_multipart_seek_copy_move_and_delete(server, s3, bucket, tmp_path):
    out = scenario(server, bucket, "files", tmp_path)
    assert out["cat"] == "hello s3fs"
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"].strip('"').endswith("-3"), "expected a 3-part upload"
    assert out["size"] == 12 * 1024 * 1024 + 3 == head["ContentLength"]
    assert out["seek_read"] is True
    assert out["ls"] == [f"{bucket}/big.bin", f"{bucket}/dir"]
    assert out["find"] == [f"{bucket}/big.bin", f"{bucket}/dir/a.txt"]
    assert out["after_mv"] == [f"{bucket}/big.bin", f"{bucket}/c.txt", f"{bucket}/dir/a.txt"]
    assert out["after_rm"] == [f"{bucket}/big.bin", f"{bucket}/c.txt"]
    import hashlib
    body = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert hashlib.md5(body).hexdigest() == out["big_md5"]


def test_s3fs_version_aware_reads_old_versions(server, s3, versioned_bucket, tmp_path):
    out = scenario(server, versioned_bucket, "versions", tmp_path)
    listed = s3.list_object_versions(Bucket=versioned_bucket)["Versions"]
    assert sorted(out["versions"]) == sorted(v["VersionId"] for v in listed)
    assert len(out["versions"]) == 2
    assert (out["old"], out["old_open"], out["latest"]) == ("one", "one", "two")
