"""Runs the fsspec scenarios of tests/interop/fs in the python of `.venv-fs` (filled from
tests/interop/fs-requirements.txt by scripts/test: s3fs and ossfs pin versions of botocore
and oss2 that differ from the SDK suites'): a JSON document on stdin, the scenario's JSON on
stdout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FS_DIR = Path(__file__).resolve().parent / "fs"
PYTHON = ROOT / ".venv-fs" / "bin" / "python"


def run_fs(script: str, doc: dict, timeout: float = 180) -> dict:
    if not PYTHON.exists():
        pytest.fail(f"{PYTHON} is missing: scripts/test makes it from "
                    "tests/interop/fs-requirements.txt", pytrace=False)
    p = subprocess.run([str(PYTHON), str(FS_DIR / script)], input=json.dumps(doc).encode(),
                       capture_output=True, timeout=timeout,
                       env={"PATH": "/usr/bin:/bin", "HOME": doc.get("home", "/nonexistent"),
                            "AWS_CONFIG_FILE": "/dev/null",
                            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                            "NO_PROXY": "127.0.0.1,localhost"})
    if p.returncode != 0:
        raise AssertionError(f"{script} failed ({p.returncode}):\n"
                             f"{p.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(p.stdout)
