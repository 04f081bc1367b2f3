"""rclone (Debian package `rclone`) against the S3 dialect, as a subprocess.

The remote `strata:` is defined only through RCLONE_CONFIG_STRATA_* variables (type s3,
provider Other, the endpoint, path-style addressing); RCLONE_CONFIG names an empty temporary
file and HOME/XDG directories are temporary, so nothing is read from or written to
~/.config. Every command runs with one try and one low-level try: a failing request fails
the command. Results are checked with boto3.
"""

from __future__ import annotations

import json

import pytest

from .support import (
    MiB,
    base_tool_env,
    keys_v2,
    multipart_etag,
    random_bytes,
    require_tool,
    run_tool,
    tree_files,
    write_tree,
)


@pytest.fixture
def rclone(server, tmp_path):
    """rclone(*args, check=True) runs rclone with the `strata:` remote."""
    binary = require_tool("rclone")
    home = tmp_path / "rclone-home"
    env = base_tool_env(home)
    config = tmp_path / "rclone.conf"
    config.write_text("")
    env.update({
        "RCLONE_CONFIG": str(config),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "RCLONE_CONFIG_STRATA_TYPE": "s3",
        "RCLONE_CONFIG_STRATA_PROVIDER": "Other",
        "RCLONE_CONFIG_STRATA_ENV_AUTH": "false",
        "RCLONE_CONFIG_STRATA_ACCESS_KEY_ID": server.access_key,
        "RCLONE_CONFIG_STRATA_SECRET_ACCESS_KEY": server.secret_key,
        "RCLONE_CONFIG_STRATA_ENDPOINT": server.endpoint,
        "RCLONE_CONFIG_STRATA_REGION": "us-east-1",
        "RCLONE_CONFIG_STRATA_FORCE_PATH_STYLE": "true",
    })

    def run(*args, check=True):
        return run_tool([binary, *args, "--retries", "1", "--low-level-retries", "1",
                         "--contimeout", "10s", "--timeout", "60s"], env, check=check)

    yield run
    assert config.read_text() == "", "rclone rewrote its config file"
    assert not (home / ".config").exists(), "rclone wrote into ~/.config"


def test_rclone_copy_up_list_copy_down_delete_round_trip(rclone, s3, bucket, tmp_path):
    data = random_bytes(300_000, seed=31)
    src = tmp_path / "file.bin"
    src.write_bytes(data)
    rclone("copyto", str(src), f"strata:{bucket}/dir/file.bin")
    assert s3.get_object(Bucket=bucket, Key="dir/file.bin")["Body"].read() == data

    listed = json.loads(rclone("lsjson", "-R", f"strata:{bucket}").stdout)
    files = {e["Path"]: e for e in listed if not e["IsDir"]}
    assert set(files) == {"dir/file.bin"}
    assert files["dir/file.bin"]["Size"] == len(data)
    assert rclone("lsf", f"strata:{bucket}").stdout.split() == ["dir/"]

    back = tmp_path / "back.bin"
    rclone("copyto", f"strata:{bucket}/dir/file.bin", str(back))
    assert back.read_bytes() == data
    # rclone compares the MD5 it computes with the ETag the server lists.
    check = rclone("check", str(tmp_path), f"strata:{bucket}/dir", "--include", "file.bin")
    assert "0 differences found" in check.stderr

    rclone("deletefile", f"strata:{bucket}/dir/file.bin")
    assert keys_v2(s3, bucket) == []


def test_rclone_multipart_upload_over_the_cutoff_and_download(rclone, s3, bucket, tmp_path):
    data = random_bytes(12 * MiB + 3, seed=32)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    rclone("copyto", str(src), f"strata:{bucket}/big.bin",
           "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    chunk = 5 * MiB
    assert head["ETag"] == multipart_etag([data[i:i + chunk] for i in range(0, len(data), chunk)])
    # rclone records the whole file's MD5 in metadata for multipart uploads.
    assert "md5chksum" in head["Metadata"]
    back = tmp_path / "back.bin"
    rclone("copyto", f"strata:{bucket}/big.bin", str(back), "--multi-thread-streams", "0")
    assert back.read_bytes() == data
    rclone("deletefile", f"strata:{bucket}/big.bin")
    assert keys_v2(s3, bucket) == []


def test_rclone_sync_tree_both_ways_and_purge(rclone, s3, bucket, tmp_path):
    tree = {"a.txt": b"a", "sub/b.txt": b"bb", "sub/deep/c d+e.txt": b"ccc",
            "ü/f.txt": b"unicode"}
    up = tmp_path / "up"
    write_tree(up, tree)
    rclone("sync", str(up), f"strata:{bucket}/t")
    assert keys_v2(s3, bucket) == sorted((f"t/{k}" for k in tree), key=lambda k: k.encode())
    down = tmp_path / "down"
    rclone("sync", f"strata:{bucket}/t", str(down))
    assert tree_files(down) == tree
    rclone("purge", f"strata:{bucket}/t")
    assert keys_v2(s3, bucket) == []


def test_rclone_mkdir_and_rmdir_create_and_delete_a_bucket(rclone, s3, bucket_name):
    rclone("mkdir", f"strata:{bucket_name}")
    s3.head_bucket(Bucket=bucket_name)
    assert bucket_name in rclone("lsf", "strata:").stdout.split("/\n")
    rclone("rmdir", f"strata:{bucket_name}")
    assert bucket_name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_rclone_versions_listing_time_travel_and_cleanup(rclone, s3, bucket, tmp_path):
    """rclone's S3 versioning features: `backend versioning`, `--s3-versions` (old versions
    shown as `name-vTIMESTAMP.ext`), `--s3-version-at` (the bucket as it was at a time),
    and `backend cleanup-hidden` (permanently removes every noncurrent version)."""
    import time

    assert rclone("backend", "versioning", f"strata:{bucket}").stdout.strip() == "Unversioned"
    rclone("backend", "versioning", f"strata:{bucket}", "Enabled")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    f = tmp_path / "f.txt"
    f.write_bytes(b"one\n")
    rclone("copyto", str(f), f"strata:{bucket}/f.txt")
    time.sleep(1.1)  # rclone names versions by their time to the second
    middle = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    time.sleep(1.1)
    f.write_bytes(b"two two\n")
    rclone("copyto", str(f), f"strata:{bucket}/f.txt")
    rclone("deletefile", f"strata:{bucket}/f.txt")

    assert rclone("ls", f"strata:{bucket}").stdout.strip() == ""
    listed = rclone("--s3-versions", "ls", f"strata:{bucket}").stdout.split("\n")
    rows = [line.split() for line in listed if line.strip()]
    assert sorted(size for size, _ in rows) == ["4", "8"]
    assert all(name.startswith("f-v") and name.endswith(".txt") for _, name in rows)
    # The bucket at `middle`: the first version.
    assert rclone("--s3-version-at", middle, "cat", f"strata:{bucket}/f.txt").stdout == "one\n"

    rclone("backend", "cleanup-hidden", f"strata:{bucket}")
    listed = s3.list_object_versions(Bucket=bucket)
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []
