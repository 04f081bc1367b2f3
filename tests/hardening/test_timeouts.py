"""Clients that stall or idle: a body that stops mid-way, a head sent byte by byte, thousands
of idle connections, more connections than the server has file descriptors for, and clients
that stop reading a large response. The server times each out (the dialect's error or a clean
close), stays up, keeps serving others, and stores nothing from the stalled requests.

The session server runs with `--header-timeout 2 --body-timeout 2` (conftest.SHORT_TIMEOUT);
the send-timeout tests start their own server with `--send-timeout` and few connection slots.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path

import pytest

from . import support, wire
from .conftest import SHORT_TIMEOUT, StrataProcess

# How long past the timeout a closed connection may take to be seen.
MARGIN = 6.0

TIMEOUT_CODES = {"s3": "RequestTimeout", "oss": "RequestTimeout", "bos": "RequestTimeout"}


@pytest.fixture(scope="module")
def buckets(server):
    names = {}
    for d in wire.DIALECTS:
        names[d] = support.bucket_name(f"to-{d}")
        support.create_bucket(server, d, names[d], versioned=True)
    return names


def stall_after(server, head_and_part: bytes) -> tuple[wire.Answer, float]:
    """Sends the bytes, then nothing (keeping the socket open), and reads the answer."""
    sock = wire.connect(server, timeout=SHORT_TIMEOUT + 30)
    started = time.monotonic()
    try:
        sock.sendall(head_and_part)
        answer = wire.read_answer(sock, "PUT")
        if answer.status is not None and not answer.closed:
            # The answer came: the connection must not be kept for another request.
            sock.settimeout(MARGIN)
            try:
                answer.closed = sock.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                answer.closed = False
        return answer, time.monotonic() - started
    finally:
        sock.close()


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_put_body_that_stops_mid_way_times_out(server, buckets, dialect):
    bucket = buckets[dialect]
    before = wire.snapshot(server)
    req = wire.Signer(server, dialect).sign("PUT", bucket, "stalled/put")
    host = f"{server.host}:{server.port}"
    answer, took = stall_after(server, req.head_bytes(host, 1 << 20) + b"x" * 100_000)
    assert took < SHORT_TIMEOUT + MARGIN, f"no answer for {took:.1f}s: {answer}"
    assert answer.status is not None, "closed without an answer"
    support.assert_error(answer, dialect, 400, TIMEOUT_CODES[dialect])
    assert answer.closed
    assert wire.snapshot(server) == before
    assert support.get(server, dialect, bucket, "stalled/put").status == 404


@pytest.mark.parametrize("dialect", wire.DIALECTS)
def test_a_multi_delete_body_that_stops_mid_way_times_out(server, buckets, dialect):
    bucket = buckets[dialect]
    support.ok(support.put(server, dialect, bucket, "keep/me", b"data"))
    before = wire.snapshot(server)
    body = support.multi_delete_body(dialect, ["keep/me"])
    req = support.multi_delete(server, dialect, bucket, body)
    host = f"{server.host}:{server.port}"
    answer, took = stall_after(server, req.head_bytes(host, len(body)) + body[:len(body) // 2])
    assert took < SHORT_TIMEOUT + MARGIN, f"no answer for {took:.1f}s: {answer}"
    support.assert_error(answer, dialect, 400, TIMEOUT_CODES[dialect])
    assert wire.snapshot(server) == before


def test_an_aws_chunked_body_that_stops_mid_chunk_times_out(server, buckets):
    bucket = buckets["s3"]
    before = wire.snapshot(server)
    req = wire.Signer(server, "s3").sign(
        "PUT", bucket, "stalled/chunked",
        headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                 "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "4096"})
    host = f"{server.host}:{server.port}"
    answer, took = stall_after(server, req.head_bytes(host, 5000) + b"1000\r\n" + b"a" * 100)
    assert took < SHORT_TIMEOUT + MARGIN, f"no answer for {took:.1f}s: {answer}"
    support.assert_error(answer, "s3", 400, "RequestTimeout")
    assert wire.snapshot(server) == before


def test_a_multipart_part_body_that_stops_mid_way_times_out(server, buckets):
    bucket = buckets["s3"]
    s = wire.Signer(server, "s3")
    init = support.ok(wire.send(server, s.sign("POST", bucket, "stalled/mpu",
                                               params={"uploads": ""})))
    upload_id = wire._xml_all(init.body, "UploadId")[0]
    req = s.sign("PUT", bucket, "stalled/mpu", params={"partNumber": "1", "uploadId": upload_id})
    host = f"{server.host}:{server.port}"
    answer, took = stall_after(server, req.head_bytes(host, 1 << 20) + b"p" * 1000)
    assert took < SHORT_TIMEOUT + MARGIN, f"no answer for {took:.1f}s: {answer}"
    support.assert_error(answer, "s3", 400, "RequestTimeout")
    parts = support.ok(wire.send(server, s.sign("GET", bucket, "stalled/mpu",
                                                params={"uploadId": upload_id})))
    assert b"<Part>" not in parts.body, parts.body
    support.ok(wire.send(server, s.sign("DELETE", bucket, "stalled/mpu",
                                        params={"uploadId": upload_id})))


def test_a_head_sent_byte_by_byte_is_cut_off(server):
    """Slowloris: a byte a second never completes a head; the connection is closed at the
    header timeout, not when the client gives up."""
    sock = wire.connect(server, timeout=30)
    started = time.monotonic()
    closed_after = None
    try:
        for byte in b"GET /_strata/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
            sock.settimeout(0.5)
            try:
                sock.recv(4096)  # EOF, or an error answer before the close: cut off
                closed_after = time.monotonic() - started
                break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed_after = time.monotonic() - started
                break
    finally:
        sock.close()
    assert closed_after is not None, "the server kept a head-dribbling client for a minute"
    assert closed_after < SHORT_TIMEOUT + MARGIN, closed_after


def open_idle(server, n: int, kinds=("silent", "partial", "kept")) -> list[socket.socket]:
    """`n` idle connections: some that never send, some with half a head, some kept alive
    after one answered request."""
    socks = []
    host = f"{server.host}:{server.port}"
    for i in range(n):
        kind = kinds[i % len(kinds)]
        try:
            s = socket.create_connection((server.host, server.port), timeout=10)
        except OSError:
            break
        socks.append(s)
        if kind == "partial":
            s.sendall(b"PUT /some/key HTTP/1.1\r\nHost: " + host.encode() + b"\r\n")
        elif kind == "kept":
            s.sendall(b"GET /_strata/health HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
    for i, s in enumerate(socks):
        if kinds[i % len(kinds)] == "kept":
            ans = wire.read_answer(s)
            assert ans.status == 200, ans
    return socks


def closed_by_server(socks: list[socket.socket], deadline: float) -> int:
    """How many of `socks` the server has closed (EOF or reset) by `deadline`."""
    closed = 0
    for s in socks:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            while True:
                data = s.recv(65536)
                if data == b"":
                    closed += 1
                    break
                # A 408 or 400 the server wrote before closing is fine; read on to the EOF.
        except (ConnectionResetError, BrokenPipeError):
            closed += 1
        except socket.timeout:
            pass
    return closed


def test_thousands_of_idle_connections_do_not_stop_other_clients(server, buckets):
    idle = open_idle(server, 3000)
    try:
        assert len(idle) == 3000
        started = time.monotonic()
        for d in wire.DIALECTS:
            support.ok(support.put(server, d, buckets[d], "while/idle", b"served"), d)
            got = support.ok(support.get(server, d, buckets[d], "while/idle"), d)
            assert got.body == b"served"
        assert time.monotonic() - started < SHORT_TIMEOUT + MARGIN
        # Idle connections do not last: each is closed at the header timeout.
        closed = closed_by_server(idle, time.monotonic() + SHORT_TIMEOUT + 2 * MARGIN)
        assert closed == len(idle), f"{len(idle) - closed} idle connections still open"
    finally:
        for s in idle:
            s.close()
    support.ok(support.get(server, "s3", buckets["s3"], "while/idle"))


def test_more_connections_than_descriptors_wait_and_the_store_keeps_working(strata_factory):
    """With an open-file limit of 320 the server takes 64 connections at a time (the rest of
    its descriptors stay for the store). 300 idle clients fill that; a new client is served
    once the idle ones time out, and writes (which open data files) never fail for want of
    descriptors."""
    srv = strata_factory(args=["--header-timeout", str(SHORT_TIMEOUT),
                               "--body-timeout", str(SHORT_TIMEOUT)], nofile=320)
    bucket = support.bucket_name("fd")
    support.create_bucket(srv, "s3", bucket)
    idle = open_idle(srv, 300, kinds=("silent", "partial"))
    try:
        started = time.monotonic()
        big = b"z" * (256 * 1024)  # larger than the inline limit: a data file
        ans = support.put(srv, "s3", bucket, "after/idle", big)
        took = time.monotonic() - started
        support.ok(ans, "put while the connection limit is full")
        assert took < 4 * (SHORT_TIMEOUT + MARGIN), took
        for i in range(20):
            support.ok(support.put(srv, "s3", bucket, f"more/{i}", big))
        assert support.get(srv, "s3", bucket, "after/idle").body == big
    finally:
        for s in idle:
            s.close()
    srv.check_alive()
    assert "Too many open files" not in srv.stderr_path.read_text(errors="replace")


# -- clients that stop reading -------------------------------------------------------------

# The send-timeout server: a response that makes no progress for SEND_TIMEOUT seconds closes
# its connection; SEND_SLOTS connections at a time.
SEND_TIMEOUT = 3.0
SEND_SLOTS = 3
# Far larger than every buffer between the server's file and a client that does not read (the
# client's receive buffer, the server's send buffer, hyper's write buffer): a few MiB.
BIG = 64 << 20
# How long past the send timeout a stalled connection may take to be dropped: generous, for a
# loaded machine (the buffers fill first, then the timeout runs).
DROP_MARGIN = 20.0


@pytest.fixture(scope="module")
def sending(tmp_path_factory):
    """A server with a short send timeout and SEND_SLOTS connection slots, holding one BIG
    object `big` in bucket; yields (server, bucket, SHA-256 of the object)."""
    work = tmp_path_factory.mktemp("strata-send")
    srv = StrataProcess(work / "data", work / "logs", [
        "--header-timeout", str(SHORT_TIMEOUT), "--body-timeout", str(SHORT_TIMEOUT),
        "--send-timeout", str(SEND_TIMEOUT), "--max-connections", str(SEND_SLOTS)])
    srv.start()
    try:
        bucket = support.bucket_name("send")
        support.create_bucket(srv, "s3", bucket)
        data = os.urandom(BIG)
        digest = hashlib.sha256(data).hexdigest()
        req = wire.Signer(srv, "s3").sign("PUT", bucket, "big", body=data)
        del data
        support.ok(wire.send(srv, req, timeout=300), "put the big object")
        del req
        yield srv, bucket, digest
        srv.check_alive()
    finally:
        srv.stop()


def start_get(server, bucket: str, key: str, rcvbuf: int | None = None) -> socket.socket:
    """Connects (with a receive buffer of `rcvbuf` bytes if given) and sends a signed S3 GET;
    reads nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect((server.host, server.port))
    req = wire.Signer(server, "s3").sign("GET", bucket, key)
    sock.sendall(req.wire(f"{server.host}:{server.port}"))
    return sock


def read_head(sock: socket.socket) -> tuple[int, dict, bytes]:
    """The response's status and headers (names lower-case), and body bytes read past them."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, f"closed before the end of the response head: {buf!r}"
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def drain(sock: socket.socket, deadline: float) -> tuple[int, bool]:
    """Reads until the server closes (EOF or reset) or `deadline`: (bytes read, closed)."""
    got = 0
    while True:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            return got, True
        except (socket.timeout, TimeoutError):
            return got, False
        if not chunk:
            return got, True
        got += len(chunk)


def open_blob_files(server) -> int | None:
    """How many of the server's file descriptors are open on its data files (None: no /proc)."""
    fds = Path(f"/proc/{server.proc.pid}/fd")
    if not fds.is_dir():
        return None
    blobs = str(server.data_dir.resolve() / "blobs") + os.sep
    n = 0
    for fd in fds.iterdir():
        try:
            n += os.readlink(fd).startswith(blobs)
        except OSError:
            pass  # closed meanwhile
    return n


def test_clients_that_stop_reading_a_large_get_are_dropped_and_free_their_slots(sending):
    """SEND_SLOTS clients each GET a 64 MiB object and never read: they fill every connection
    slot. Once their socket buffers are full the server's writes make no progress; at the send
    timeout it closes those connections (dropping the responses and their open data files), so
    a new client, waiting in the backlog for a slot, is served again, and the stalled clients
    see their responses cut short by a close."""
    srv, bucket, _ = sending
    stalled = []
    try:
        for _ in range(SEND_SLOTS):
            sock = start_get(srv, bucket, "big", rcvbuf=64 << 10)
            stalled.append(sock)
            # The response has begun (so this connection holds a slot); peeking consumes
            # nothing, so the client still has read none of it.
            assert sock.recv(16, socket.MSG_PEEK).startswith(b"HTTP/1.1 200"), "no answer"
        started = time.monotonic()
        # Every slot is held by a client that does not read: this one waits in the backlog
        # until the server drops one of them.
        probe = wire.connect(srv, timeout=SEND_TIMEOUT + DROP_MARGIN)
        try:
            probe.sendall(b"GET /_strata/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try:
                answer = wire.read_answer(probe)
            except (socket.timeout, TimeoutError):
                pytest.fail(f"no slot freed {time.monotonic() - started:.1f}s after "
                            f"{SEND_SLOTS} clients stopped reading (send timeout "
                            f"{SEND_TIMEOUT}s): the stalled connections were kept")
        finally:
            probe.close()
        assert answer.status == 200, answer
        # One slot freed is enough for the probe; the other stalled clients reach their own
        # send timeout a little later (more so on a loaded machine). Wait, without reading,
        # until the server has dropped every stalled response (its data files are closed):
        # reading earlier would make progress on a connection not yet dropped.
        deadline = time.monotonic() + SEND_TIMEOUT + DROP_MARGIN
        while open_blob_files(srv) and time.monotonic() < deadline:
            time.sleep(0.1)
        # The stalled clients' connections were closed: reading now gets what the kernel
        # buffers held, then EOF (or a reset), never the whole object.
        for i, sock in enumerate(stalled):
            got, closed = drain(sock, deadline)
            assert closed, f"stalled client {i}: still open after reading {got} bytes"
            assert got < BIG, f"stalled client {i}: got the whole object ({got} bytes)"
    finally:
        for sock in stalled:
            sock.close()
    srv.check_alive()
    # Their responses were dropped with them: no data file stays open (a read already on the
    # blocking pool may hold one for a moment).
    deadline = time.monotonic() + DROP_MARGIN
    while (still_open := open_blob_files(srv)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not still_open, f"{still_open} data files still open"
    # The slots are free again: a whole GET of the big object goes through.
    sock = start_get(srv, bucket, "big")
    try:
        status, headers, rest = read_head(sock)
        assert status == 200
        got = len(rest)
        while got < BIG:
            chunk = sock.recv(min(1 << 20, BIG - got))
            assert chunk, f"closed after {got} of {BIG} bytes"
            got += len(chunk)
    finally:
        sock.close()


def test_a_slow_reader_that_keeps_reading_gets_the_whole_object(sending):
    """The send timeout counts from the last progress, not from the start of the response: a
    client that reads 2 MiB, pauses a sixth of the timeout, and so on, takes several times
    the timeout for the whole object and still gets every byte intact."""
    srv, bucket, digest = sending
    pause = SEND_TIMEOUT / 6
    burst = 2 << 20
    sock = start_get(srv, bucket, "big")
    started = time.monotonic()
    try:
        status, headers, rest = read_head(sock)
        assert status == 200, headers
        assert int(headers["content-length"]) == BIG
        h = hashlib.sha256(rest)
        got = len(rest)
        sock.settimeout(SEND_TIMEOUT + DROP_MARGIN)
        while got < BIG:
            time.sleep(pause)
            in_burst = 0
            while in_burst < burst and got < BIG:
                try:
                    chunk = sock.recv(min(1 << 20, BIG - got))
                except ConnectionResetError:
                    chunk = b""
                assert chunk, (f"cut off after {got} of {BIG} bytes, "
                               f"{time.monotonic() - started:.1f}s into the download")
                h.update(chunk)
                got += len(chunk)
                in_burst += len(chunk)
        took = time.monotonic() - started
        assert h.hexdigest() == digest, "the object came back changed"
        # It did take longer than the send timeout (the pauses alone add up to more).
        assert took > SEND_TIMEOUT, took
    finally:
        sock.close()
    srv.check_alive()
