"""Disk full: `strata serve` on a small tmpfs is filled through all three dialects until
writes fail, with the free-space reserve (`--min-free-bytes 8 MiB`) and without it (writes
run into ENOSPC itself, data files and metadata engine alike).

While full: a put gets 507 InsufficientStorage (the dialect's error) and leaves nothing
listed or readable; a multipart complete either completes whole or fails cleanly; a
multi-delete works (it frees space). Once space is back, writes and the refused completes
work again; everything acknowledged reads back as written, also after a restart.

A second test fills the tmpfs from outside (another process filling the disk) until the
metadata engine itself meets ENOSPC: multi-deletes, completes and puts each get 507 and
change nothing, reads go on, and all of them work once the filler is removed.

Needs root for the tmpfs mount; skipped otherwise. The mount is removed (`umount -l`) at the
end whatever happens.
"""

from __future__ import annotations

import errno
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


def fill_to_the_last_byte(mnt) -> int:
    """Writes a file beside the data directory until the filesystem refuses even one page:
    what another process filling the disk does. Returns the bytes written."""
    written = 0
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (MIB, 64 << 10, 4096):
            buf = b"\xff" * chunk
            while True:
                try:
                    n = os.write(fd, buf)
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
                    break
                written += n
                if n < chunk:
                    break
    finally:
        os.close(fd)
    return written


def test_enospc_in_metadata_commits_changes_nothing_and_recovers(strata_factory, tmpfs):
    """With no reserve and the disk filled by someone else, the metadata engine itself hits
    ENOSPC: multi-deletes (markers in a versioned bucket, removals in an unversioned one),
    multipart completes and small puts each get 507 in their dialect, nothing of them is
    visible, the store answers reads, and all of them work once the space is back."""
    srv = strata_factory(args=["--min-free-bytes", "0"], data_dir=tmpfs / "data")
    versioned, plain = support.bucket_name("full-v"), support.bucket_name("full-u")
    support.create_bucket(srv, "s3", versioned, versioned=True)
    support.create_bucket(srv, "oss", plain)
    uploads, objects = {}, {}
    for d in wire.DIALECTS:
        for bucket in (versioned, plain):
            for i in range(20):
                key = f"victim/{d}/{i}"
                objects[(bucket, key)] = payload(f"{bucket}/{key}", 1000 + i)
                support.ok(support.put(srv, d, bucket, key, objects[(bucket, key)]), "put")
        key = f"mpu/{d}"
        uid = support.initiate_upload(srv, d, versioned, key)
        part = payload(key, 100_000)
        a = support.ok(support.upload_part(srv, d, versioned, key, uid, 1, part), "part")
        uploads[d] = (key, uid, a.headers["etag"], part)

    assert fill_to_the_last_byte(tmpfs) > 0
    # redb reuses pages it freed earlier, so a small commit may still fit on a full disk.
    # Multi-deletes of new markers use those pages up: 1000 at a time while that succeeds,
    # then 100, 10 and 1, until a single marker no longer fits. Each either succeeds whole
    # or fails with 507 leaving nothing (checked below: the snapshot holds its markers or not).
    drained, refused_batches, size, n = 0, 0, 1000, 0
    while size >= 1:
        assert n < 2000, "the metadata engine never ran out of space"
        d = wire.DIALECTS[n % 3]
        ghosts = [f"drain/{n}/{j}" for j in range(size)]
        a = wire.send(srv, support.multi_delete(
            srv, d, versioned, support.multi_delete_body(d, ghosts)), timeout=60)
        n += 1
        if a.status == 200:
            drained += size
            continue
        support.assert_error(a, d, 507, "InsufficientStorage")
        refused_batches += 1
        snap = wire.snapshot(srv)
        assert not any(k.startswith(f"drain/{n - 1}/") for _, k, *_ in snap[versioned]["versions"])
        size //= 10
    before = wire.snapshot(srv)
    assert sum(k.startswith("drain/") for _, k, *_ in before[versioned]["versions"]) == drained

    def attempts(d):
        """Each metadata write of the test, as (what, request sender)."""
        ghosts = [f"ghost/{d}/{j}" for j in range(1000)]
        victims = [f"victim/{d}/{i}" for i in range(20)]
        key, uid, etag, _ = uploads[d]
        return [
            ("1000 new markers", lambda: wire.send(srv, support.multi_delete(
                srv, d, versioned, support.multi_delete_body(d, ghosts)), timeout=60)),
            ("20 markers", lambda: wire.send(srv, support.multi_delete(
                srv, d, versioned, support.multi_delete_body(d, victims)))),
            ("20 removals", lambda: wire.send(srv, support.multi_delete(
                srv, d, plain, support.multi_delete_body(d, victims)))),
            ("complete", lambda: support.complete_upload(
                srv, d, versioned, key, uid, [(1, etag)])),
            ("small put", lambda: support.put(srv, d, versioned, f"small/{d}", b"tiny")),
        ]

    faults = refused_batches
    for d in wire.DIALECTS:
        for what, attempt in attempts(d):
            a = attempt()
            assert a.status == 507, (d, what, a)
            support.assert_error(a, d, 507, "InsufficientStorage")
            faults += 1
    # Nothing changed, and reads are served while the disk is full.
    assert wire.snapshot(srv) == before
    for n, ((bucket, key), data) in enumerate(sorted(objects.items())):
        got = support.get(srv, wire.DIALECTS[n % 3], bucket, key)
        assert got.status == 200 and got.body == data, (bucket, key, got)

    # Space comes back: every refused write now works.
    os.unlink(tmpfs / "filler")
    for d in wire.DIALECTS:
        for what, attempt in attempts(d):
            support.ok(attempt(), f"{d}: {what} after space came back")

    def check_everything():
        snap = wire.snapshot(srv)
        latest = {(b, key): kind for b in (versioned, plain)
                  for kind, key, vid, etag, size, is_latest in snap[b]["versions"]
                  if is_latest == "true"}
        for d in wire.DIALECTS:
            for j in range(1000):
                assert latest[(versioned, f"ghost/{d}/{j}")] == "DeleteMarker"
            for i in range(20):
                assert latest[(versioned, f"victim/{d}/{i}")] == "DeleteMarker"
                assert (plain, f"victim/{d}/{i}") not in latest
            key, _, _, part = uploads[d]
            got = support.get(srv, d, versioned, key)
            assert got.status == 200 and got.body == part, (key, got)
            assert support.get(srv, d, versioned, f"small/{d}").body == b"tiny"
        # The versions under the markers are the ones written before the disk filled.
        old = {(k, v) for kind, k, v, *_ in before[versioned]["versions"] if kind == "Version"}
        now = {(k, v) for kind, k, v, *_ in snap[versioned]["versions"] if kind == "Version"}
        assert old <= now
        assert snap[versioned]["uploads"] == [] and snap[plain]["uploads"] == []

    check_everything()
    assert srv.stop() == 0
    srv.start()
    check_everything()
    print(f"\nENOSPC in the metadata engine: {faults} writes refused ({refused_batches} "
          f"multi-deletes while draining, after {drained} markers fitted; then multi-delete, "
          f"complete and put in 3 dialects), nothing visible, all done after")
