"""SIGKILL under load: clients of all three dialects write and delete (puts inline and
file-backed, deletes that add markers, S3 multi-deletes) while the server is killed at a
random moment. Half the clients are the vendors' SDKs (boto3, oss2, bce-python-sdk, none
retrying), half the suite's raw signers; it is restarted on the same data directory, and the ledger is checked:

- every acknowledged write is there: its version lists with its ETag and reads back whole;
- every acknowledged delete marker is there;
- nothing appears that no client sent: each listed version is acknowledged or was in flight
  at the kill, and an in-flight one is whole (its ETag is that of the body sent);
- version lists are a strict order; no partial write is left in tmp/.

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


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (key, version id) -> ("Version", etag) | ("DeleteMarker", None)
    acked: dict = field(default_factory=dict)
    # key -> set of ETags of puts sent but not acknowledged (in flight at a kill)
    in_flight_etags: dict = field(default_factory=dict)
    # keys with a delete (or multi-delete) in flight at a kill
    in_flight_deletes: set = field(default_factory=set)
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
        if r < 0.6:
            size = rng.choice([10, 1000, 40_000, 300_000])
            body = os.urandom(16) * (size // 16)
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            req = s.sign("PUT", bucket, key, body=body)
            with ledger.lock:
                ledger.in_flight_etags.setdefault(key, set()).add(etag)
        elif r < 0.9 or dialect != "s3":
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


def check(srv, bucket: str, ledger: Ledger) -> None:
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
            assert '"' + hashlib.md5(got.body).hexdigest() + '"' == etag, key
    tmp = srv.data_dir / "tmp"
    if tmp.exists():
        assert not any(tmp.iterdir()), f"partial writes left in {tmp}"


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
          f"{len(ledger.acked) - acked_versions} markers), "
          f"0 lost")
    assert ledger.sdk_ops > 0 and ledger.ops > ledger.sdk_ops
