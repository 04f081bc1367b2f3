"""Helpers of the hardening tests: dialect-neutral operations over the raw signers."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

from . import wire


def bucket_name(tag: str) -> str:
    return f"h-{tag}-{secrets.token_hex(4)}"


def acl_header(dialect: str) -> str:
    """The header that sets a canned ACL on a bucket in the dialect."""
    return {"s3": "x-amz-acl", "oss": "x-oss-acl", "bos": "x-bce-acl"}[dialect]


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def ok(answer: wire.Answer, what: str = "") -> wire.Answer:
    assert answer.status is not None and 200 <= answer.status < 300, (what, answer)
    return answer


def create_bucket(server, dialect: str, bucket: str, versioned: bool = False) -> None:
    s = wire.Signer(server, dialect)
    ok(wire.send(server, s.sign("PUT", bucket)), f"create {bucket}")
    if versioned:
        set_versioning(server, bucket)


def set_versioning(server, bucket: str) -> None:
    s = wire.Signer(server, "s3")
    body = (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<Status>Enabled</Status></VersioningConfiguration>")
    ok(wire.send(server, s.sign("PUT", bucket, params={"versioning": ""}, body=body,
                                headers={"Content-MD5": content_md5(body)})), "versioning")


def put(server, dialect: str, bucket: str, key: str, data: bytes, headers=None) -> wire.Answer:
    s = wire.Signer(server, dialect)
    return wire.send(server, s.sign("PUT", bucket, key, headers=headers, body=data))


def get(server, dialect: str, bucket: str, key: str, params=None) -> wire.Answer:
    s = wire.Signer(server, dialect)
    return wire.send(server, s.sign("GET", bucket, key, params=params))


def delete_versions(server, bucket: str, keep_bucket: bool = True) -> None:
    """Removes every version and marker (and upload) of `bucket` through S3."""
    s = wire.Signer(server, "s3")
    snap = wire.snapshot(server).get(bucket, {"versions": [], "uploads": []})
    for kind, key, vid, *_ in snap["versions"]:
        ok(wire.send(server, s.sign("DELETE", bucket, key, params={"versionId": vid})))
    if not keep_bucket:
        ok(wire.send(server, s.sign("DELETE", bucket)))


def multi_delete_body(dialect: str, keys: list[str], pad_to: int | None = None) -> bytes:
    """A multi-delete request body of the dialect, padded with spaces to `pad_to` bytes."""
    if dialect == "bos":
        head = b'{"objects": [' + b", ".join(
            json.dumps({"key": k}).encode() for k in keys) + b"]"
        tail = b"}"
    else:
        head = b"<Delete><Quiet>false</Quiet>" + b"".join(
            b"<Object><Key>" + k.encode() + b"</Key></Object>" for k in keys)
        tail = b"</Delete>"
    if pad_to is not None:
        assert len(head) + len(tail) <= pad_to, "too many keys for the size"
        head += b" " * (pad_to - len(head) - len(tail))
    return head + tail


def multi_delete(server, dialect: str, bucket: str, body: bytes, content_length=None,
                 extra_headers=None) -> wire.Req:
    """A signed multi-delete request (not sent)."""
    s = wire.Signer(server, dialect)
    headers = {"Content-MD5": content_md5(body)}
    if dialect == "bos":
        headers["Content-Type"] = "application/json"
    headers.update(extra_headers or {})
    return s.sign("POST", bucket, params={"delete": ""}, headers=headers, body=body)


def assert_error(answer: wire.Answer, dialect: str, status: int | tuple, codes) -> None:
    """The dialect's error: the status, and a code from `codes` in its XML or JSON body."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert answer.status in statuses, (dialect, answer)
    codes = (codes,) if isinstance(codes, str) else tuple(codes)
    got = answer.code(dialect)
    assert got in codes, f"{dialect}: code {got!r} not in {codes}: {answer}"
    if dialect == "bos":
        assert answer.headers.get("content-type", "").startswith("application/json"), answer
    else:
        assert "xml" in answer.headers.get("content-type", ""), answer


def initiate_upload(server, dialect: str, bucket: str, key: str) -> str:
    s = wire.Signer(server, dialect)
    a = ok(wire.send(server, s.sign("POST", bucket, key, params={"uploads": ""})), "initiate")
    return upload_id_of(dialect, a)


def upload_id_of(dialect: str, answer: wire.Answer) -> str:
    """The upload ID an initiate answered."""
    if dialect == "bos":
        return json.loads(answer.body)["uploadId"]
    return wire._xml_all(answer.body, "UploadId")[0]


def upload_part(server, dialect: str, bucket: str, key: str, upload_id: str, n: int,
                data: bytes) -> wire.Answer:
    s = wire.Signer(server, dialect)
    return wire.send(server, s.sign("PUT", bucket, key, body=data,
                                    params={"partNumber": str(n), "uploadId": upload_id}))


def complete_upload(server, dialect: str, bucket: str, key: str, upload_id: str,
                    parts: list[tuple[int, str]]) -> wire.Answer:
    """`parts`: (number, ETag as answered)."""
    s = wire.Signer(server, dialect)
    if dialect == "bos":
        body = json.dumps({"parts": [{"partNumber": n, "eTag": e.strip('"')}
                                     for n, e in parts]}).encode()
        headers = {"Content-Type": "application/json"}
    else:
        body = ("<CompleteMultipartUpload>" + "".join(
            f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in parts)
            + "</CompleteMultipartUpload>").encode()
        headers = {}
    return wire.send(server, s.sign("POST", bucket, key, body=body, headers=headers,
                                    params={"uploadId": upload_id}), timeout=60)


def current_keys(server, bucket: str) -> set[str]:
    """Keys whose newest entry is a version (not a delete marker)."""
    return {key for kind, key, vid, etag, size, latest in wire.snapshot(server)[bucket]["versions"]
            if latest == "true" and kind == "Version"}
