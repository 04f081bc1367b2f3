"""s3cmd (Debian package `s3cmd`) against the S3 dialect, as a subprocess.

Configured only by a temporary `-c` file: host_base and host_bucket are 127.0.0.1:PORT (no
`%(bucket)s`, so path-style requests), use_https False, signature_v2 False (SigV4), region
us-east-1. HOME is temporary: ~/.s3cfg is neither read nor written. Results are checked with
boto3.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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
def s3cmd(server, tmp_path):
    """s3cmd(*args, check=True) runs s3cmd with a temporary config."""
    binary = require_tool("s3cmd")
    home = tmp_path / "s3cmd-home"
    env = base_tool_env(home)
    host = urlsplit(server.endpoint).netloc
    config = tmp_path / "s3cfg"
    config.write_text(
        "[default]\n"
        f"access_key = {server.access_key}\n"
        f"secret_key = {server.secret_key}\n"
        f"host_base = {host}\n"
        f"host_bucket = {host}\n"
        "bucket_location = us-east-1\n"
        "use_https = False\n"
        "signature_v2 = False\n"
        "check_ssl_certificate = False\n"
        "guess_mime_type = False\n"
        "max_retries = 1\n"
        "progress_meter = False\n"
    )

    def run(*args, check=True):
        return run_tool([binary, "-c", str(config), "--no-progress", *args], env, check=check)

    yield run
    assert not (home / ".s3cfg").exists(), "s3cmd wrote ~/.s3cfg"


def test_s3cmd_put_ls_get_del_round_trip(s3cmd, s3, bucket, tmp_path):
    data = random_bytes(200_000, seed=41)
    src = tmp_path / "file.bin"
    src.write_bytes(data)
    s3cmd("put", str(src), f"s3://{bucket}/dir/file.bin")
    assert s3.get_object(Bucket=bucket, Key="dir/file.bin")["Body"].read() == data

    listing = s3cmd("--debug", "ls", f"s3://{bucket}/")
    assert "AWS4-HMAC-SHA256" in listing.stderr, "signature_v2 = False: s3cmd signs with SigV4"
    top = listing.stdout
    assert "DIR" in top and f"s3://{bucket}/dir/" in top
    inner = s3cmd("ls", f"s3://{bucket}/dir/").stdout.splitlines()
    assert len(inner) == 1
    assert inner[0].split()[-2:] == [str(len(data)), f"s3://{bucket}/dir/file.bin"]

    back = tmp_path / "back.bin"
    s3cmd("get", f"s3://{bucket}/dir/file.bin", str(back))
    assert back.read_bytes() == data

    s3cmd("del", f"s3://{bucket}/dir/file.bin")
    assert keys_v2(s3, bucket) == []


def test_s3cmd_multipart_put_and_get(s3cmd, s3, bucket, tmp_path):
    data = random_bytes(12 * MiB + 9, seed=42)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    s3cmd("put", "--multipart-chunk-size-mb=5", str(src), f"s3://{bucket}/big.bin")
    chunk = 5 * MiB
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"] == multipart_etag([data[i:i + chunk] for i in range(0, len(data), chunk)])
    back = tmp_path / "back.bin"
    s3cmd("get", f"s3://{bucket}/big.bin", str(back))
    assert back.read_bytes() == data
    info = s3cmd("info", f"s3://{bucket}/big.bin").stdout
    assert str(len(data)) in info
    s3cmd("del", f"s3://{bucket}/big.bin")
    assert keys_v2(s3, bucket) == []


def test_s3cmd_sync_and_recursive_delete(s3cmd, s3, bucket, tmp_path):
    tree = {"a.txt": b"a", "sub/b.txt": b"bb", "sub/c d.txt": b"ccc"}
    up = tmp_path / "up"
    write_tree(up, tree)
    s3cmd("sync", f"{up}/", f"s3://{bucket}/t/")
    assert keys_v2(s3, bucket) == sorted(f"t/{k}" for k in tree)
    down = tmp_path / "down"
    down.mkdir()
    s3cmd("sync", f"s3://{bucket}/t/", f"{down}/")
    assert tree_files(down) == tree
    s3cmd("del", "--recursive", "--force", f"s3://{bucket}/t/")
    assert keys_v2(s3, bucket) == []


def test_s3cmd_mb_and_rb(s3cmd, s3, bucket_name):
    s3cmd("mb", f"s3://{bucket_name}")
    s3.head_bucket(Bucket=bucket_name)
    assert f"s3://{bucket_name}" in s3cmd("ls").stdout
    s3cmd("rb", f"s3://{bucket_name}")
    assert bucket_name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
