"""Disk full: `strata serve` on a small tmpfs is filled through all three dialects until
writes fail, with the free-space reserve (`--min-free-bytes 8 MiB`) and without it (writes
run into ENOSPC itself, data files and metadata engine alike).

While full: a put gets 507 InsufficientStorage (the dialect's error) and leaves nothing
listed or readable; a multipart complete either completes whole or fails cleanly; a
multi-delete works (it frees space). Once space is back, writes and the refused completes
work again; everything acknowledged reads back as written, also after a restart.

Needs root for the tmpfs mount; skipped otherwise. The mount is removed (`umount -l`) at the
end whatever happens.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time

import pytest

from . import support, wire

MIB = 1 << 20


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.decode(errors='replace')}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def payload(tag: str, size: int) -> bytes:
    seed = hashlib.sha256(tag.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


@pytest.mark.parametrize("reserve", [8 * MIB, 0], ids=["reserve", "enospc"])
def test_a_full_disk_refuses_cleanly_and_recovers(strata_factory, tmpfs, reserve):
    srv = strata_factory(args=["--min-free-bytes", str(reserve)], data_dir=tmpfs / "data")
    bucket = support.bucket_name("full")
    support.create_bucket(srv, "s3", bucket)
    faults = 0

    # Multipart uploads with their part in place before the disk fills.
    uploads = {}
    for d in wire.DIALECTS:
        key = f"mpu/{d}"
        uid = support.initiate_upload(srv, d, bucket, key)
        part = payload(key, 2 * MIB)
        a = support.ok(support.upload_part(srv, d, bucket, key, uid, 1, part), "part")
        uploads[d] = (key, uid, a.headers["etag"], part)

    # Fill it.
    stored: dict[str, bytes] = {}
    refused: list[str] = []
    for i in range(200):
        d = wire.DIALECTS[i % 3]
        key = f"fill/{d}/{i}"
        data = payload(key, MIB)
        a = support.put(srv, d, bucket, key, data)
        if a.status == 200:
            stored[key] = data
            continue
        support.assert_error(a, d, 507, "InsufficientStorage")
        faults += 1
        refused.append(key)
        if len({k.split("/")[1] for k in refused}) == 3 and len(refused) >= 6:
            break
    assert refused, "the disk never filled"
    assert set(wire.DIALECTS) <= {k.split("/")[1] for k in refused}

    # Nothing refused is visible.
    listed = support.current_keys(srv, bucket)
    assert not set(refused) & listed
    assert set(stored) <= listed
    for key in refused[:6]:
        assert support.get(srv, key.split("/")[1], bucket, key).status == 404

    # Completing while full: whole or not at all.
    pending = {}
    for d, (key, uid, etag, part) in uploads.items():
        a = support.complete_upload(srv, d, bucket, key, uid, [(1, etag)])
        if a.status == 200:
            stored[key] = part
        else:
            support.assert_error(a, d, 507, "InsufficientStorage")
            faults += 1
            pending[d] = (key, uid, etag, part)
            assert key not in support.current_keys(srv, bucket)
            assert support.get(srv, d, bucket, key).status == 404

    # Multi-delete while full frees space (in every dialect).
    fill_keys = sorted(k for k in stored if k.startswith("fill/"))
    for n, d in enumerate(wire.DIALECTS):
        victims = fill_keys[n::3][: max(1, len(fill_keys) // 4)]
        body = support.multi_delete_body(d, victims)
        a = wire.send(srv, support.multi_delete(srv, d, bucket, body))
        if a.status == 200:
            for k in victims:
                stored.pop(k)
        else:
            support.assert_error(a, d, 507, "InsufficientStorage")
            faults += 1
            assert set(victims) <= support.current_keys(srv, bucket)

    # Space comes back (deleted data is reclaimed in the background): writes work again.
    deadline = time.monotonic() + 30
    for d in wire.DIALECTS:
        key = f"after/{d}"
        data = payload(key, MIB)
        while True:
            a = support.put(srv, d, bucket, key, data)
            if a.status == 200:
                stored[key] = data
                break
            support.assert_error(a, d, 507, "InsufficientStorage")
            assert time.monotonic() < deadline, "writes still refused 30 s after deleting"
            time.sleep(0.5)
    for d, (key, uid, etag, part) in pending.items():
        support.ok(support.complete_upload(srv, d, bucket, key, uid, [(1, etag)]), "complete")
        stored[key] = part

    def check_everything():
        listed = support.current_keys(srv, bucket)
        assert listed == set(stored), (f"lost {set(stored) - listed}, "
                                       f"unexpected {listed - set(stored)}")
        for n, (key, data) in enumerate(sorted(stored.items())):
            got = support.get(srv, wire.DIALECTS[n % 3], bucket, key)
            assert got.status == 200 and got.body == data, key
        assert wire.snapshot(srv)[bucket]["uploads"] == []

    check_everything()
    assert srv.stop() == 0
    srv.start()
    check_everything()
    print(f"\ndisk full ({'reserve' if reserve else 'ENOSPC'}): {faults} writes refused, "
          f"{len(stored)} objects intact")
