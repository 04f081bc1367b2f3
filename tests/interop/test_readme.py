"""The README's quick start, run as written against the session's server.

The fenced blocks of the README's "Quick start" section are taken as they are, with the
documented endpoint `http://127.0.0.1:9000` replaced by the server's, in a directory whose
`strata-data/credentials` holds the server's keys in `strata serve`'s format (as a fresh
server would have written them): the `sh` block (the aws CLI) runs in bash, and the `python`
blocks run in order in one namespace. Each prints the object it stored.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from .conftest import REPO_ROOT

DOCUMENTED_ENDPOINT = "http://127.0.0.1:9000"
HELLO = "Hello, Strata"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def quick_start_blocks() -> list[tuple[str, str]]:
    text = (REPO_ROOT / "README.md").read_text()
    start = text.index("\n## Quick start\n")
    end = text.index("\n## ", start + 1)
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text[start:end])]


@pytest.fixture
def workdir(tmp_path, server):
    data = tmp_path / "strata-data"
    data.mkdir()
    (data / "credentials").write_text(
        "# Strata's key pair. Created by `strata serve`; keep it private (mode 0600).\n"
        f"access_key = {server.access_key}\nsecret_key = {server.secret_key}\n")
    yield tmp_path
    # The snippets' buckets go again, so other suites' listings do not see them.
    s3 = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=server.access_key,
                      aws_secret_access_key=server.secret_key, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))
    for bucket in ("cli-quickstart", "boto3-quickstart", "oss2-quickstart", "bce-quickstart"):
        with contextlib.suppress(Exception):
            s3.delete_object(Bucket=bucket, Key="hello.txt")
            s3.delete_bucket(Bucket=bucket)


def local(code: str, server) -> str:
    assert DOCUMENTED_ENDPOINT in code, code
    return code.replace(DOCUMENTED_ENDPOINT, server.endpoint)


def test_the_blocks_are_there():
    langs = [lang for lang, _ in quick_start_blocks()]
    assert langs.count("sh") == 1 and langs.count("python") == 4, langs


def test_aws_cli_quick_start(server, workdir):
    (code,) = [c for lang, c in quick_start_blocks() if lang == "sh"]
    home = workdir / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # The venv's `aws`, a home of its own (nothing read from or written to ~/.aws).
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               HOME=str(home), AWS_EC2_METADATA_DISABLED="true")
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", local(code, server)], cwd=workdir,
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == HELLO, run.stdout


def test_python_quick_starts(server, workdir, monkeypatch):
    blocks = [c for lang, c in quick_start_blocks() if lang == "python"]
    monkeypatch.chdir(workdir)
    namespace: dict = {}
    printed = []
    for code in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(local(code, server) if DOCUMENTED_ENDPOINT in code else code,
                         "README.md", "exec"), namespace)
        printed.append(out.getvalue())
    assert namespace["ACCESS_KEY"] == server.access_key
    assert namespace["SECRET_KEY"] == server.secret_key
    # The keys block prints nothing; boto3, oss2 and bce-python-sdk each print the object.
    assert printed == ["", f"{HELLO}\n", f"{HELLO}\n", f"{HELLO}\n"], printed
