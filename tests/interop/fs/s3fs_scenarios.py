"""s3fs scenarios for tests/interop/s3/test_s3fs.py, run in .venv-fs's python: reads
{endpoint, accessKey, secretKey, bucket, scenario} as JSON on stdin, prints JSON."""

import hashlib
import json
import sys

import s3fs

doc = json.load(sys.stdin)
fs = s3fs.S3FileSystem(key=doc["accessKey"], secret=doc["secretKey"],
                       client_kwargs={"endpoint_url": doc["endpoint"], "region_name": "us-east-1"},
                       version_aware=doc["scenario"] == "versions", use_listings_cache=False)
b = doc["bucket"]
out = {}


def data(n, seed):
    out, block = bytearray(), str(seed).encode()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


if doc["scenario"] == "files":
    fs.pipe(f"{b}/dir/a.txt", b"hello s3fs")
    out["cat"] = fs.cat(f"{b}/dir/a.txt").decode()
    big = data(12 * 1024 * 1024 + 3, 4)
    with fs.open(f"{b}/big.bin", "wb", block_size=5 * 1024 * 1024) as f:
        for i in range(0, len(big), 1 << 20):
            f.write(big[i:i + (1 << 20)])
    out["big_md5"] = hashlib.md5(big).hexdigest()
    with fs.open(f"{b}/big.bin", "rb", block_size=1 << 20) as f:
        f.seek(5 * 1024 * 1024 - 4)
        out["seek_read"] = f.read(8) == big[5 * 1024 * 1024 - 4:5 * 1024 * 1024 + 4]
    out["ls"] = sorted(fs.ls(b))
    out["find"] = sorted(fs.find(b))
    out["size"] = fs.size(f"{b}/big.bin")
    fs.copy(f"{b}/dir/a.txt", f"{b}/dir/b.txt")
    fs.mv(f"{b}/dir/b.txt", f"{b}/c.txt")
    out["after_mv"] = sorted(fs.find(b))
    fs.rm(f"{b}/dir", recursive=True)
    out["after_rm"] = sorted(fs.find(b))
elif doc["scenario"] == "versions":
    fs.pipe(f"{b}/k", b"one")
    fs.pipe(f"{b}/k", b"two")
    versions = fs.object_version_info(f"{b}/k")
    out["versions"] = [v["VersionId"] for v in versions]
    old = [v["VersionId"] for v in versions if not v["IsLatest"]][0]
    # cat_file: fs.cat would expand "?" as a glob character.
    out["old"] = fs.cat_file(f"{b}/k?versionId={old}").decode()
    with fs.open(f"{b}/k", "rb", version_id=old) as f:
        out["old_open"] = f.read().decode()
    out["latest"] = fs.cat(f"{b}/k").decode()
else:
    raise SystemExit(f"unknown scenario {doc['scenario']}")
print(json.dumps(out))
