"""ossfs scenarios for tests/interop/oss/test_append.py, run in .venv-fs's python: reads
{endpoint, accessKey, secretKey, bucket, scenario} as JSON on stdin, prints JSON. ossfs writes
a file opened with 'wb' or 'ab' by AppendObject, one append per flushed block."""

import hashlib
import json
import sys

import ossfs

doc = json.load(sys.stdin)
fs = ossfs.OSSFileSystem(endpoint=doc["endpoint"], key=doc["accessKey"],
                         secret=doc["secretKey"])
b = doc["bucket"]
out = {}
_orig = fs.append_object
trace = []


def _traced(path, loc, value):
    trace.append([loc, len(value)])
    r = _orig(path, loc, value)
    trace.append(r)
    return r


fs.append_object = _traced


def data(n, seed):
    out, block = bytearray(), str(seed).encode()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


try:
    if doc["scenario"] == "append":
        # Written in pieces within one block: ossfs appends it when the file is closed. (ossfs
        # 2025.5.0 keeps its append position in fsspec's own write position `loc`, which every
        # write advances too, so a file of more than one block asks for a wrong position after
        # its first append, against OSS as well.)
        big = data(3 * 1024 * 1024 + 5, 1)
        with fs.open(f"{b}/w.bin", "wb", block_size=8 * 1024 * 1024) as f:
            for i in range(0, len(big), 300 * 1024):
                f.write(big[i:i + 300 * 1024])
        out["md5"] = hashlib.md5(fs.cat(f"{b}/w.bin")).hexdigest() == hashlib.md5(big).hexdigest()
        out["size"] = fs.size(f"{b}/w.bin")
        with fs.open(f"{b}/w.bin", "ab") as f:
            f.write(b"more")
        out["tail"] = fs.cat(f"{b}/w.bin")[-8:].hex()
        # 'wb' over an existing file starts it anew.
        with fs.open(f"{b}/w.bin", "wb") as f:
            f.write(b"fresh")
        out["fresh"] = fs.cat(f"{b}/w.bin").decode()
    else:
        raise SystemExit(f"unknown scenario {doc['scenario']}")
except Exception as e:  # the test fails on this, showing the appends ossfs asked for
    print(json.dumps({"trace": trace, "e": str(e)[:300]}))
    raise SystemExit(0)
print(json.dumps(out))
