"""A second `strata serve` with users besides the administrator (`--users FILE`), for the access
tests: the session's server has the administrator alone, who acts as the owner of every bucket.

It is started as the session's server is (the same binary, keys and stop), on its own data
directory, and stopped at the end of the module that asks for it.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from ..conftest import (
    ACCESS_KEY,
    LISTENING,
    REGION,
    SECRET_KEY,
    START_TIMEOUT,
    Server,
    _binary,
    _die_with_parent,
    _stop,
)

# Owner IDs are 32 hex digits, as BOS's are.
ALICE = {"access_key": "BOSALICEACCESSKEY001", "secret_key": "bos-alice-secret-0123456789abcdefghijklm",
         "id": "a11ce000000000000000000000000001", "display_name": "alice"}
BOB = {"access_key": "BOSBOBACCESSKEY00002", "secret_key": "bos-bob-secret-0123456789abcdefghijklmno",
       "id": "b0b00000000000000000000000000002", "display_name": "bob"}


def start(work: Path, users: list[dict]) -> Server:
    """A running server with the administrator and `users`."""
    users_file = work / "users.toml"
    users_file.write_text("".join(
        "[[user]]\n" + "".join(f'{k} = "{v}"\n' for k, v in u.items()) + "\n" for u in users))
    stderr_path = work / "strata.stderr.log"
    with open(stderr_path, "wb") as stderr_file:
        proc = subprocess.Popen(
            [str(_binary()), "serve", "--data-dir", str(work / "data"),
             "--listen", "127.0.0.1:0", "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
             "--users", str(users_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    lines: "queue.Queue[str | None]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, name="strata-multiuser-stdout", daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    endpoint = None
    while endpoint is None:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            _stop(proc)
            pytest.fail("the multi-user strata did not start:\n"
                        + stderr_path.read_text(errors="replace")[-4000:], pytrace=False)
        m = LISTENING.match(line)
        if m:
            endpoint = m.group(1)
    srv = Server(endpoint=endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY, region=REGION,
                 data_dir=work / "data", process=proc, stderr_path=stderr_path)
    if requests.get(f"{endpoint}/_strata/health", timeout=10).status_code != 200:
        _stop(proc)
        pytest.fail("the multi-user strata's health check failed", pytrace=False)
    return srv


def stop(srv: Server) -> None:
    """Stops the server; a crash during the module, or a slow stop, fails it."""
    died = srv.process.poll()
    killed = _stop(srv.process)
    assert died is None, f"the multi-user strata exited early ({died}):\n{srv.stderr_tail()}"
    assert not killed, f"the multi-user strata did not stop on SIGTERM:\n{srv.stderr_tail()}"
    assert srv.process.returncode == 0, srv.stderr_tail()
