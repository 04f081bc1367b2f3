"""Helpers shared by the interop suites (not fixtures)."""

from __future__ import annotations

import hashlib
import secrets


def unique_bucket_name(nodeid: str) -> str:
    """`t-<hash of the test id>-<random>`: lowercase, 3-63 chars, unique per call."""
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:10]
    return f"t-{digest}-{secrets.token_hex(4)}"
