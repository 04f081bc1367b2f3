"""The aws CLI (v1, PyPI `awscli`, pinned in requirements.txt) as a subprocess.

`aws s3 cp` up and down (over the multipart threshold, and from stdin), `aws s3 sync` both
ways, `aws s3 rm --recursive`, and `aws s3api` for versioning. Credentials come from the
environment; AWS_CONFIG_FILE names a temporary config (path-style addressing, 5 MiB multipart
threshold and chunks, one attempt per request); HOME is a temporary directory, so nothing is
read from or written to ~/.aws. The results are checked with boto3.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from .support import (
    MiB,
    base_tool_env,
    expect_error,
    keys_v2,
    random_bytes,
    run_tool,
    tree_files,
    write_tree,
)

CONFIG = """\
[default]
region = us-east-1
max_attempts = 1
s3 =
    addressing_style = path
    multipart_threshold = 5MB
    multipart_chunksize = 5MB
    max_concurrent_requests = 4
"""


@pytest.fixture
def aws(server, tmp_path):
    """aws(*args, input=None, check=True) runs `python -m awscli ... --endpoint-url ...`."""
    home = tmp_path / "aws-home"
    env = base_tool_env(home)
    config = tmp_path / "aws-config"
    config.write_text(CONFIG)
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("")
    env.update({
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
    })

    def run(*args, input=None, check=True):
        return run_tool([sys.executable, "-m", "awscli", *args, "--endpoint-url",
                         server.endpoint], env, input=input, check=check)

    yield run
    assert not (home / ".aws").exists(), "the aws CLI wrote into ~/.aws"


def test_aws_cli_is_the_pinned_v1(aws):
    pins = (Path(__file__).parents[1] / "requirements.txt").read_text().splitlines()
    (pinned,) = [line.split("==")[1] for line in pins if line.startswith("awscli==")]
    ran = aws("--version")
    out = ran.stdout + ran.stderr
    assert out.startswith(f"aws-cli/{pinned} "), out


def test_aws_s3_cp_up_and_down_over_the_multipart_threshold(aws, s3, bucket, tmp_path):
    data = random_bytes(12 * MiB + 7, seed=21)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    aws("s3", "cp", str(src), f"s3://{bucket}/dir/big.bin")
    head = s3.head_object(Bucket=bucket, Key="dir/big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"'), "12 MiB in 5 MiB chunks: a three-part upload"
    dst = tmp_path / "down.bin"
    aws("s3", "cp", f"s3://{bucket}/dir/big.bin", str(dst))
    assert dst.read_bytes() == data


def test_aws_s3_cp_small_file_and_from_stdin(aws, s3, bucket, tmp_path):
    small = tmp_path / "small name.txt"
    small.write_bytes(b"hello from the aws cli\n")
    aws("s3", "cp", str(small), f"s3://{bucket}/small name.txt", "--content-type", "text/x-cli")
    got = s3.get_object(Bucket=bucket, Key="small name.txt")
    assert got["Body"].read() == b"hello from the aws cli\n"
    assert got["ContentType"] == "text/x-cli"
    # `-` reads a non-seekable stream (stdin) and uploads it in parts.
    piped = random_bytes(7 * MiB, seed=22)
    aws("s3", "cp", "-", f"s3://{bucket}/piped.bin", input=piped)
    assert s3.get_object(Bucket=bucket, Key="piped.bin")["Body"].read() == piped
    out = aws("s3", "cp", f"s3://{bucket}/small name.txt", "-").stdout
    assert out == "hello from the aws cli\n"


def test_aws_s3_ls_lists_prefixes_and_objects(aws, s3, bucket):
    for key in ["top.txt", "dir/a.txt", "dir/b.txt"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"12345")
    out = aws("s3", "ls", f"s3://{bucket}/").stdout
    assert "PRE dir/" in out
    assert "top.txt" in out and "a.txt" not in out
    rec = aws("s3", "ls", f"s3://{bucket}/", "--recursive").stdout
    assert [line.split()[-1] for line in rec.splitlines()] == ["dir/a.txt", "dir/b.txt", "top.txt"]
    buckets = aws("s3", "ls").stdout
    assert bucket in buckets


TREE = {
    "a.txt": b"alpha\n",
    "with space.txt": b"space\n",
    "sub/b.bin": random_bytes(100_000, seed=23),
    "sub/deep/c+plus.txt": b"plus\n",
    "sub/deep/ü.txt": "unicode\n".encode(),
}


def test_aws_s3_sync_local_to_bucket_to_local(aws, s3, bucket, tmp_path):
    up = tmp_path / "up"
    write_tree(up, TREE)
    # sync compares sizes and times (local mtime vs LastModified, whole seconds): make the
    # local files clearly older than the upload.
    an_hour_ago = time.time() - 3600
    for p in up.rglob("*"):
        os.utime(p, (an_hour_ago, an_hour_ago))
    aws("s3", "sync", str(up), f"s3://{bucket}/tree")
    assert keys_v2(s3, bucket) == sorted((f"tree/{k}" for k in TREE), key=lambda k: k.encode())
    down = tmp_path / "down"
    aws("s3", "sync", f"s3://{bucket}/tree", str(down))
    assert tree_files(down) == TREE

    # A second sync with --delete makes the bucket mirror the changed local tree.
    (up / "a.txt").unlink()
    (up / "new.txt").write_bytes(b"new\n")
    out = aws("s3", "sync", str(up), f"s3://{bucket}/tree", "--delete").stdout
    assert "delete: s3://" in out and "new.txt" in out
    assert "b.bin" not in out, "unchanged files are not uploaded again"
    expected = {k: v for k, v in TREE.items() if k != "a.txt"} | {"new.txt": b"new\n"}
    assert keys_v2(s3, bucket) == sorted((f"tree/{k}" for k in expected),
                                         key=lambda k: k.encode())
    again = tmp_path / "again"
    aws("s3", "sync", f"s3://{bucket}/tree", str(again))
    assert tree_files(again) == expected


def test_aws_s3_rm_recursive_removes_only_the_prefix(aws, s3, bucket):
    keys = [f"gone/{i}.txt" for i in range(30)] + ["gone/sub/x", "kept/1", "gone-not/2"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    out = aws("s3", "rm", f"s3://{bucket}/gone/", "--recursive").stdout
    assert out.count("delete: s3://") == 31
    assert keys_v2(s3, bucket) == ["gone-not/2", "kept/1"]


def test_aws_s3api_versioning_round_trip(aws, s3, bucket):
    aws("s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Enabled")
    got = json.loads(aws("s3api", "get-bucket-versioning", "--bucket", bucket,
                         "--output", "json").stdout)
    assert got["Status"] == "Enabled"

    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    listed = json.loads(aws("s3api", "list-object-versions", "--bucket", bucket,
                            "--output", "json").stdout)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        (v2, False), (v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]

    out = json.loads(aws("s3api", "delete-object", "--bucket", bucket, "--key", "k",
                         "--version-id", marker, "--output", "json").stdout)
    assert out == {"DeleteMarker": True, "VersionId": marker}
    out = json.loads(aws("s3api", "delete-object", "--bucket", bucket, "--key", "k",
                         "--version-id", v2, "--output", "json").stdout)
    assert out == {"VersionId": v2}
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"

    aws("s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_aws_s3api_errors_exit_non_zero_with_the_s3_code(aws, bucket):
    ran = aws("s3api", "get-object", "--bucket", bucket, "--key", "missing", "/dev/null",
              check=False)
    assert ran.returncode != 0
    assert "NoSuchKey" in ran.stderr


def test_aws_s3_mb_and_rb(aws, s3, bucket_name):
    aws("s3", "mb", f"s3://{bucket_name}")
    s3.head_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="k", Body=b"x")
    ran = aws("s3", "rb", f"s3://{bucket_name}", check=False)
    assert ran.returncode != 0 and "BucketNotEmpty" in ran.stderr
    aws("s3", "rb", f"s3://{bucket_name}", "--force")
    with expect_error(404):
        s3.head_bucket(Bucket=bucket_name)
