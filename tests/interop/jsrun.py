"""Runs the JavaScript SDK scenarios of tests/interop/js (installed there by `npm ci`, which
scripts/test runs) with node: a JSON document on stdin, the scenario's JSON on stdout."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"


def run_js(script: str, doc: dict, timeout: float = 180) -> dict:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH (install Node.js 18+; scripts/test needs it too)",
                    pytrace=False)
    if not (JS_DIR / "node_modules").is_dir():
        pytest.fail(f"{JS_DIR}/node_modules is missing: run `npm ci` there (scripts/test does)",
                    pytrace=False)
    p = subprocess.run(["node", str(JS_DIR / script)], input=json.dumps(doc).encode(),
                       capture_output=True, timeout=timeout, cwd=JS_DIR)
    if p.returncode != 0:
        raise AssertionError(f"node {script} failed ({p.returncode}):\n"
                             f"{p.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(p.stdout)
