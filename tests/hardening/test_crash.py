"""SIGKILL under load: clients of all three dialects write and delete (puts inline and
file-backed, deletes that add markers, S3 multi-deletes, multipart uploads) while the server
is killed at a random moment. Half the clients are the vendors' SDKs (boto3, oss2, bce-python-sdk, none
retrying), half the suite's raw signers; it is restarted on the same data directory, and the ledger is checked:

- every acknowledged write is there: its version lists with its ETag and reads back whole;
- every acknowledged delete marker is there;
- nothing appears that no client sent: each listed version is acknowledged or was in flight
  at the kill, and an in-flight one is whole (its ETag is that of the body sent);
- version lists are a strict order; no partial write is left in tmp/ (the dead runs'
  tmp/EPOCH/, removed by the start-up sweep);
- every acknowledged multipart initiate is still listed unless its complete was sent; an
  acknowledged complete is a version like a put; an upload whose parts were all acknowledged
  completes after the restart into exactly the bytes sent (acknowledged parts survive), and
  the rest are aborted.

CRASH_CYCLES (default 5) sets the number of kill cycles.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from dataclasses import dataclass, field

from . import support, wire

CYCLES = int(os.environ.get("CRASH_CYCLES", "5"))
WORKERS_PER_DIALECT = 4
KEYS = [f"k/{i}" for i in range(12)]
VERSION_HEADER = {"s3": "x-amz-version-id", "oss": "x-oss-version-id", "bos": "x-bce-version-id"}
# Part sizes of the multipart uploads: every part but the last at the dialect's minimum.
PART_SIZES = {"s3": [200_000], "oss": [100 * 1024, 30_000], "bos": [1 << 20, 10_000]}


@dataclass
class Upload:
    dialect: str
    key: str
    parts: list  # the part bodies
    acked: dict = field(default_factory=dict)  # part number -> ETag answered
    complete_sent: bool = False

    @property
    def etag(self) -> str:
        """The multipart ETag as S3 lists it."""
        digests = b"".join(hashlib.md5(p).digest() for p in self.parts)
        return f'"{hashlib.md5(digests).hexdigest()}-{len(self.parts)}"'


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (key, version id) -> ("Version", etag) | ("DeleteMarker", None)
    acked: dict = field(default_factory=dict)
    # key -> set of ETags of puts sent but not acknowledged (in flight at a kill)
    in_flight_etags: dict = field(default_factory=dict)
    # keys with a delete (or multi-delete) in flight at a kill
    in_flight_deletes: set = field(default_factory=set)
    # upload id -> Upload, for uploads initiated (acknowledged) and not yet completed
    uploads: dict = field(default_factory=dict)
    # multipart ETag -> MD5 of the whole body
    multipart_md5: dict = field(default_factory=dict)
    multipart_acked: int = 0
    multipart_after_restart: int = 0
    ops: int = 0
    sdk_ops: int = 0


class Sdk:
    """put and delete through the dialect's SDK; each returns the version ID answered."""

    def __init__(self, srv, dialect: str, bucket: str):
        self.dialect, self.bucket = dialect, bucket
        if dialect == "s3":
            import boto3
            from botocore.config import Config
            self.client = boto3.client(
                "s3", endpoint_url=srv.endpoint, region_name=srv.region,
                aws_access_key_id=srv.access_key, aws_secret_access_key=srv.secret_key,
                config=Config(s3={"addressing_style": "path"}, connect_timeout=5,
                              read_timeout=30, retries={"total_max_attempts": 1}))
        elif dialect == "oss":
            import oss2
            oss2.defaults.request_retries = 0
            self.client = oss2.Bucket(oss2.Auth(srv.access_key, srv.secret_key), srv.endpoint,
                                      bucket, connect_timeout=30)
        else:
            from baidubce.auth.bce_credentials import BceCredentials
            from baidubce.bce_client_configuration import BceClientConfiguration
            from baidubce.retry.retry_policy import NoRetryPolicy
            from baidubce.services.bos.bos_client import BosClient
            self.client = BosClient(BceClientConfiguration(
                credentials=BceCredentials(srv.access_key, srv.secret_key),
                endpoint=srv.endpoint, retry_policy=NoRetryPolicy(),
                connection_timeout_in_mills=30_000))

    def put(self, key: str, body: bytes) -> str | None:
        if self.dialect == "s3":
            return self.client.put_object(Bucket=self.bucket, Key=key, Body=body)["VersionId"]
        if self.dialect == "oss":
            return self.client.put_object(key, body).versionid
        return self.client.put_object_from_string(self.bucket, key, body).metadata.bce_version_id

    def delete(self, key: str) -> str | None:
        if self.dialect == "s3":
            r = self.client.delete_object(Bucket=self.bucket, Key=key)
            assert r.get("DeleteMarker") is True, r
            return r["VersionId"]
        if self.dialect == "oss":
            r = self.client.delete_object(key)
            assert r.delete_marker, r.headers
            return r.versionid
        return self.client.delete_object(self.bucket, key).metadata.bce_version_id


def sdk_worker(srv, dialect: str, n: int, bucket: str, ledger: Ledger, stop: threading.Event):
    sdk = Sdk(srv, dialect, bucket)
    rng = random.Random(f"sdk{dialect}{n}{time.time()}")
    while not stop.is_set():
        key = rng.choice(KEYS)
        put = rng.random() < 0.65
        body = etag = None
        if put:
            body = os.urandom(16) * (rng.choice([10, 1000, 40_000, 300_000]) // 16)
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
        with ledger.lock:
            if put:
                ledger.in_flight_etags.setdefault(key, set()).add(etag)
            else:
                ledger.in_flight_deletes.add(key)
        try:
            vid = sdk.put(key, body) if put else sdk.delete(key)
        except Exception:  # noqa: BLE001 - any SDK failure: the server is gone
            return
        assert vid, (dialect, key)
        with ledger.lock:
            ledger.ops += 1
            ledger.sdk_ops += 1
            ledger.acked[(key, vid)] = ("Version", etag) if put else ("DeleteMarker", None)


def worker(srv, dialect: str, n: int, bucket: str, ledger: Ledger, stop: threading.Event):
    if n % 2 == 0:
        return sdk_worker(srv, dialect, n, bucket, ledger, stop)
    s = wire.Signer(srv, dialect)
    rng = random.Random(f"{dialect}{n}{time.time()}")
    while not stop.is_set():
        key = rng.choice(KEYS)
        r = rng.random()
        if r >= 0.92:
            if not multipart(srv, dialect, bucket, key, ledger):
                return
            continue
        if r < 0.6:
            size = rng.choice([10, 1000, 40_000, 300_000])
            body = os.urandom(16) * (size // 16)
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            req = s.sign("PUT", bucket, key, body=body)
            with ledger.lock:
                ledger.in_flight_etags.setdefault(key, set()).add(etag)
        elif r < 0.85 or dialect != "s3":
            etag = None
            req = s.sign("DELETE", bucket, key)
            with ledger.lock:
                ledger.in_flight_deletes.add(key)
        else:
            keys = rng.sample(KEYS, 3)
            body = support.multi_delete_body("s3", keys)
            req = support.multi_delete(srv, "s3", bucket, body)
            with ledger.lock:
                ledger.in_flight_deletes.update(keys)
            try:
                a = wire.send(srv, req, timeout=30)
            except OSError:
                return
            if a.status != 200:
                return
            import xml.etree.ElementTree as ET
            root = ET.fromstring(a.body)
            with ledger.lock:
                ledger.ops += 1
                for el in root:
                    if el.tag.rsplit("}", 1)[-1] != "Deleted":
                        continue
                    f = {c.tag.rsplit("}", 1)[-1]: c.text for c in el}
                    if f.get("DeleteMarkerVersionId"):
                        ledger.acked[(f["Key"], f["DeleteMarkerVersionId"])] = ("DeleteMarker", None)
            continue
        try:
            a = wire.send(srv, req, timeout=30)
        except OSError:
            return  # the server is gone
        if a.status not in (200, 204):
            return
        vid = a.headers.get(VERSION_HEADER[dialect])
        assert vid, (dialect, a)
        with ledger.lock:
            ledger.ops += 1
            ledger.acked[(key, vid)] = ("Version", etag) if etag else ("DeleteMarker", None)


def multipart(srv, dialect: str, bucket: str, key: str, ledger: Ledger) -> bool:
    """Initiate, parts, complete, with the ledger told of each step before its request is
    sent and after its answer. False when the server is gone (or answered an error)."""
    s = wire.Signer(srv, dialect)
    up = Upload(dialect, key, [os.urandom(16) * (n // 16) + os.urandom(n % 16)
                               for n in PART_SIZES[dialect]])
    try:
        a = wire.send(srv, s.sign("POST", bucket, key, params={"uploads": ""}), timeout=30)
        if a.status != 200:
            return False
        uid = support.upload_id_of(dialect, a)
        with ledger.lock:
            ledger.uploads[uid] = up
            ledger.ops += 1
        for n, body in enumerate(up.parts, start=1):
            a = support.upload_part(srv, dialect, bucket, key, uid, n, body)
            if a.status != 200:
                return False
            with ledger.lock:
                up.acked[n] = a.headers["etag"]
                ledger.ops += 1
        with ledger.lock:
            up.complete_sent = True
            ledger.in_flight_etags.setdefault(key, set()).add(up.etag)
            ledger.multipart_md5[up.etag] = hashlib.md5(b"".join(up.parts)).hexdigest()
        a = support.complete_upload(srv, dialect, bucket, key, uid, sorted(up.acked.items()))
    except OSError:
        return False
    if a.status != 200:
        return False
    vid = a.headers.get(VERSION_HEADER[dialect])
    assert vid, (dialect, a)
    with ledger.lock:
        ledger.ops += 1
        ledger.multipart_acked += 1
        ledger.acked[(key, vid)] = ("Version", up.etag)
        del ledger.uploads[uid]
    return True


def settle_uploads(srv, bucket: str, ledger: Ledger, listed_uploads: set) -> None:
    """After a restart: every acknowledged initiate whose complete was not sent is listed.
    Uploads with every part acknowledged are completed now (into exactly the bytes sent),
    the others aborted; either way they leave the ledger."""
    for uid, up in list(ledger.uploads.items()):
        if not up.complete_sent:
            assert uid in listed_uploads, f"acknowledged upload {uid} ({up.dialect}) lost"
        if uid not in listed_uploads:
            # Its complete was in flight and happened: a version with its ETag (the in-flight
            # rule of check() accepts it).
            del ledger.uploads[uid]
            continue
        s = wire.Signer(srv, up.dialect)
        if len(up.acked) == len(up.parts):
            a = support.ok(support.complete_upload(srv, up.dialect, bucket, up.key, uid,
                                                   sorted(up.acked.items())), "complete")
            vid = a.headers[VERSION_HEADER[up.dialect]]
            got = wire.send(srv, s.sign("GET", bucket, up.key, params={"versionId": vid}))
            assert got.status == 200 and got.body == b"".join(up.parts), (up.key, vid)
            ledger.acked[(up.key, vid)] = ("Version", up.etag)
            ledger.multipart_md5[up.etag] = hashlib.md5(got.body).hexdigest()
            ledger.multipart_after_restart += 1
        else:
            support.ok(wire.send(srv, s.sign("DELETE", bucket, up.key,
                                             params={"uploadId": uid})), "abort")
        del ledger.uploads[uid]


def check(srv, bucket: str, ledger: Ledger) -> None:
    settle_uploads(srv, bucket, ledger, set(wire.snapshot(srv)[bucket]["uploads"]))
    snap = wire.snapshot(srv)[bucket]
    listed = {}
    per_key: dict[str, list] = {}
    for kind, key, vid, etag, size, latest in snap["versions"]:
        assert (key, vid) not in listed, f"{key} {vid} listed twice"
        listed[(key, vid)] = (kind, etag if kind == "Version" else None)
        per_key.setdefault(key, []).append(vid)
    for key, vids in per_key.items():
        seqs = [int(v[:16], 16) for v in vids]
        assert seqs == sorted(set(seqs), reverse=True), f"{key}: versions out of order"
    lost = {k: v for k, v in ledger.acked.items() if listed.get(k) != v}
    assert not lost, f"acknowledged but lost or changed: {list(lost.items())[:5]}"
    for (key, vid), (kind, etag) in listed.items():
        if (key, vid) in ledger.acked:
            continue
        if kind == "Version":
            assert etag in ledger.in_flight_etags.get(key, set()), \
                f"{key} {vid}: a version nobody sent ({etag})"
        else:
            assert key in ledger.in_flight_deletes, f"{key} {vid}: a marker nobody sent"
    # Acknowledged versions read back whole (a sample per check, all keys' newest).
    s = wire.Signer(srv, "s3")
    for key, vids in per_key.items():
        kind, etag = listed[(key, vids[0])]
        got = wire.send(srv, s.sign("GET", bucket, key, params={"versionId": vids[0]}))
        if kind == "Version":
            assert got.status == 200, (key, got)
            md5 = hashlib.md5(got.body).hexdigest()
            assert ledger.multipart_md5.get(etag, etag.strip('"')) == md5, key
    # Each run writes its partial writes under tmp/EPOCH/; the killed runs' go with the
    # start-up sweep, which runs in the background: poll for it.
    tmp = srv.data_dir / "tmp"
    deadline = time.monotonic() + 30
    while True:
        left = [p for p in tmp.rglob("*") if p.is_file()] if tmp.exists() else []
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"partial writes left in {tmp}: {left[:5]}"


def test_sigkill_under_load_loses_nothing_acknowledged(strata_factory):
    srv = strata_factory()
    bucket = support.bucket_name("crash")
    support.create_bucket(srv, "s3", bucket, versioned=True)
    ledger = Ledger()
    rng = random.Random()
    for cycle in range(CYCLES):
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(srv, d, n, bucket, ledger, stop))
                   for d in wire.DIALECTS for n in range(WORKERS_PER_DIALECT)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.5, 2.0))
        srv.kill()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        srv.start()
        check(srv, bucket, ledger)
    acked_versions = sum(1 for v in ledger.acked.values() if v[0] == "Version")
    print(f"\ncrash: {CYCLES} SIGKILL cycles, {ledger.ops} acknowledged operations "
          f"({ledger.sdk_ops} through the SDKs; {acked_versions} versions, "
          f"{len(ledger.acked) - acked_versions} markers; {ledger.multipart_acked} multipart "
          f"uploads completed under load, {ledger.multipart_after_restart} after a restart "
          f"from acknowledged parts), 0 lost")
    assert ledger.sdk_ops > 0 and ledger.ops > ledger.sdk_ops
    assert ledger.multipart_acked + ledger.multipart_after_restart > 0
