"""restic (Debian package `restic`) backing up to and restoring from the S3 dialect, as a
subprocess: init, two backups (the second deduplicated against the first), check with every
pack file read back, restore, forget and prune (which deletes pack files). HOME and restic's
cache are temporary. Results are checked with boto3 and by comparing trees."""

from __future__ import annotations

import json

import pytest

from .support import MiB, base_tool_env, random_bytes, require_tool, run_tool, tree_files, write_tree


@pytest.fixture
def restic(server, bucket, tmp_path):
    binary = require_tool("restic")
    env = base_tool_env(tmp_path / "restic-home")
    env.update({
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "RESTIC_PASSWORD": "strata interop",
        "RESTIC_REPOSITORY": f"s3:{server.endpoint}/{bucket}/repo",
        "RESTIC_CACHE_DIR": str(tmp_path / "restic-cache"),
    })

    def run(*args, check=True):
        return run_tool([binary, *args],
                        env, timeout=240, check=check)

    return run


def test_restic_backup_check_restore_forget_prune(restic, s3, bucket, tmp_path):
    src = tmp_path / "src"
    files = {
        "big.bin": random_bytes(9 * MiB, seed=91),
        "dir/small.txt": b"hello restic\n",
        "dir/empty": b"",
    }
    write_tree(src, files)
    restic("init")
    restic("backup", str(src))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="repo/")["Contents"]]
    assert "repo/config" in keys and any(k.startswith("repo/data/") for k in keys)

    # A second backup after a change: one more snapshot, the big file deduplicated.
    (src / "dir" / "small.txt").write_bytes(b"changed\n")
    restic("backup", str(src))
    snaps = json.loads(restic("snapshots", "--json").stdout)
    assert len(snaps) == 2

    restic("check", "--read-data")
    out = tmp_path / "out"
    restic("restore", "latest", "--target", str(out))
    restored = tree_files(out / src.relative_to("/"))
    assert restored == {**files, "dir/small.txt": b"changed\n"}

    # Forget the first snapshot and prune: pack files only it used are deleted.
    restic("forget", snaps[0]["short_id"], "--prune")
    assert len(json.loads(restic("snapshots", "--json").stdout)) == 1
    restic("check")
