"""One interface over the four OSS clients the suite drives.

* `oss2-v1`: oss2 with `oss2.Auth` (signature V1)
* `oss2-v4`: oss2 with `oss2.AuthV4`, region cn-hangzhou
* `v2-v1`:   alibabacloud-oss-v2 with `signature_version = "v1"`
* `v2-v4`:   alibabacloud-oss-v2 with `signature_version = "v4"` (its default)

Every method goes through the SDK's own request building, signing and response parsing and
returns what the SDK parsed *and* the raw response headers. Service errors (any HTTP error
status) come out as `OssError` with the status and code the SDK extracted (for HEAD, from the
`x-oss-err` header); client-side SDK failures (e.g. CRC mismatch) propagate unchanged.
"""

from __future__ import annotations

import contextlib
import datetime
import types
from dataclasses import dataclass, field
from typing import Optional

import alibabacloud_oss_v2 as ossv2
import alibabacloud_oss_v2.signer.v4 as v2_signer_v4
import oss2
import oss2.auth
from requests.structures import CaseInsensitiveDict

from .support import Raw, crc64

CLIENT_KINDS = ["oss2-v1", "oss2-v4", "v2-v1", "v2-v4"]

TIMEOUT = 60


class OssError(Exception):
    """A service error as one of the SDKs reported it."""

    def __init__(self, client: str, status: int, code: str, message: str, request_id: str,
                 ec: str, headers, cause: Exception):
        super().__init__(f"[{client}] HTTP {status} {code!r}: {message!r} (request {request_id})")
        self.client = client
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.ec = ec
        self.headers = CaseInsensitiveDict(dict(headers or {}))
        self.cause = cause


@dataclass
class Result:
    status: int
    headers: CaseInsensitiveDict
    version_id: Optional[str] = None  # as the SDK parsed x-oss-version-id
    delete_marker: Optional[bool] = None  # as the SDK parsed x-oss-delete-marker
    body: Optional[bytes] = None
    etag: Optional[str] = None  # as the SDK returns it (oss2 strips the quotes)
    crc64: Optional[int] = None
    copy_source_version_id: Optional[str] = None


@dataclass
class Deleted:
    key: str
    version_id: Optional[str]
    delete_marker: bool
    delete_marker_version_id: Optional[str]


@dataclass
class Entry:
    key: str
    size: int
    etag: str
    last_modified: object


@dataclass
class Listing:
    keys: list[str]
    prefixes: list[str]
    is_truncated: bool
    next_marker: Optional[str]  # NextMarker (v1) or NextContinuationToken (v2)
    entries: list[Entry] = field(default_factory=list)
    key_count: Optional[int] = None


@dataclass
class VersionEntry:
    key: str
    version_id: str
    is_latest: bool
    is_delete_marker: bool
    size: Optional[int] = None
    etag: Optional[str] = None


@dataclass
class VersionListing:
    versions: list[VersionEntry]  # data versions, in document order
    delete_markers: list[VersionEntry]  # delete markers, in document order
    prefixes: list[str]
    is_truncated: bool
    next_key_marker: Optional[str]
    next_version_id_marker: Optional[str]

    @property
    def all(self) -> list[VersionEntry]:
        return self.versions + self.delete_markers


def _empty_to_none(v):
    return v if v else None


def _hdrs(h) -> CaseInsensitiveDict:
    return CaseInsensitiveDict(dict(h or {}))


class Client:
    kind: str
    sdk: str
    signature: str

    def __init__(self, server, access_key=None, secret_key=None):
        self.server = server
        self.access_key = access_key or server.access_key
        self.secret_key = secret_key or server.secret_key

    def __repr__(self):
        return f"<{self.kind}>"

    def raw(self) -> Raw:
        """Raw requests signed like this client (same signature version and keys)."""
        return Raw(self.server, self.signature, self.access_key, self.secret_key)


# --- oss2 ----------------------------------------------------------------------------------------

class Oss2Client(Client):
    sdk = "oss2"

    def __init__(self, server, signature, access_key=None, secret_key=None):
        super().__init__(server, access_key, secret_key)
        self.signature = signature
        self.kind = f"oss2-{signature}"
        if signature == "v1":
            self.auth = oss2.Auth(self.access_key, self.secret_key)
        else:
            self.auth = oss2.AuthV4(self.access_key, self.secret_key)
        self.session = oss2.Session()
        self._buckets = {}

    def bucket(self, name: str) -> oss2.Bucket:
        b = self._buckets.get(name)
        if b is None:
            kwargs = {"region": self.server.region} if self.signature == "v4" else {}
            b = oss2.Bucket(self.auth, self.server.endpoint, name, session=self.session,
                            connect_timeout=TIMEOUT, **kwargs)
            self._buckets[name] = b
        return b

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except oss2.exceptions.OssError as e:
            if e.status is None or e.status <= 0:
                raise  # client-side: CRC mismatch, connection failure, bad argument
            raise OssError(self.kind, e.status, e.code, e.message, e.request_id, e.ec,
                           e.headers, e) from e

    @staticmethod
    def _result(r, body=None) -> Result:
        return Result(
            status=r.status,
            headers=_hdrs(r.headers),
            version_id=r.versionid,
            delete_marker=r.delete_marker,
            body=body,
            etag=getattr(r, "etag", None),
            crc64=getattr(r, "crc", None),
        )

    def create_bucket(self, bucket):
        with self._errors():
            return self._result(self.bucket(bucket).create_bucket())

    def delete_bucket(self, bucket):
        with self._errors():
            return self._result(self.bucket(bucket).delete_bucket())

    def put_bucket_versioning(self, bucket, status):
        with self._errors():
            cfg = oss2.models.BucketVersioningConfig(status)
            return self._result(self.bucket(bucket).put_bucket_versioning(cfg))

    def get_bucket_versioning(self, bucket):
        with self._errors():
            return self.bucket(bucket).get_bucket_versioning().status

    def put_object(self, bucket, key, data, headers=None):
        with self._errors():
            return self._result(self.bucket(bucket).put_object(key, data, headers=headers))

    def get_object(self, bucket, key, version_id=None):
        params = {"versionId": version_id} if version_id is not None else None
        with self._errors():
            r = self.bucket(bucket).get_object(key, params=params)
            body = r.read()
            res = self._result(r, body)
            res.crc64 = r.server_crc
            return res

    def head_object(self, bucket, key, version_id=None):
        params = {"versionId": version_id} if version_id is not None else None
        with self._errors():
            r = self.bucket(bucket).head_object(key, params=params)
            res = self._result(r)
            res.crc64 = r.server_crc
            return res

    def delete_object(self, bucket, key, version_id=None):
        params = {"versionId": version_id} if version_id is not None else None
        with self._errors():
            return self._result(self.bucket(bucket).delete_object(key, params=params))

    def delete_objects(self, bucket, objects, quiet=False):
        """objects: keys or (key, version_id) pairs. oss2 has no quiet mode: the quiet request
        is sent with oss2's signer (same wire format) and its (empty) result returned."""
        pairs = [o if isinstance(o, tuple) else (o, None) for o in objects]
        if quiet:
            resp = self.raw().batch_delete(bucket, pairs, quiet=True)
            if resp.status // 100 != 2:
                raise OssError(self.kind, resp.status, resp.error_code() or "", "",
                               resp.headers.get("x-oss-request-id", ""), "", resp.headers, None)
            return Result(resp.status, resp.headers), []
        with self._errors():
            if all(v is None for _, v in pairs):
                r = self.bucket(bucket).batch_delete_objects([k for k, _ in pairs])
            else:
                lst = oss2.models.BatchDeleteObjectVersionList()
                for k, v in pairs:
                    lst.append(oss2.models.BatchDeleteObjectVersion(k, v or ""))
                r = self.bucket(bucket).delete_object_versions(lst)
        deleted = [
            Deleted(d.key, _empty_to_none(d.versionid), bool(d.delete_marker),
                    _empty_to_none(d.delete_marker_versionid))
            for d in r.delete_versions
        ]
        return self._result(r), deleted

    def copy_object(self, bucket, src_key, dst_key, src_version_id=None, src_bucket=None):
        params = {"versionId": src_version_id} if src_version_id is not None else None
        with self._errors():
            r = self.bucket(bucket).copy_object(src_bucket or bucket, src_key, dst_key,
                                                params=params)
            res = self._result(r)
            res.copy_source_version_id = r.headers.get("x-oss-copy-source-version-id")
            return res

    def list_objects(self, bucket, prefix="", delimiter="", marker="", max_keys=100):
        with self._errors():
            r = self.bucket(bucket).list_objects(prefix=prefix, delimiter=delimiter,
                                                 marker=marker, max_keys=max_keys)
        entries = [Entry(o.key, o.size, o.etag, o.last_modified) for o in r.object_list]
        return Listing([e.key for e in entries], list(r.prefix_list), r.is_truncated,
                       _empty_to_none(r.next_marker), entries)

    def list_objects_v2(self, bucket, prefix="", delimiter="", start_after="",
                        continuation_token="", max_keys=100):
        with self._errors():
            r = self.bucket(bucket).list_objects_v2(
                prefix=prefix, delimiter=delimiter, continuation_token=continuation_token,
                start_after=start_after, max_keys=max_keys)
        entries = [Entry(o.key, o.size, o.etag, o.last_modified) for o in r.object_list]
        return Listing([e.key for e in entries], list(r.prefix_list), r.is_truncated,
                       _empty_to_none(r.next_continuation_token), entries,
                       key_count=None)

    def list_object_versions(self, bucket, prefix="", delimiter="", key_marker="",
                             version_id_marker="", max_keys=100):
        with self._errors():
            r = self.bucket(bucket).list_object_versions(
                prefix=prefix, delimiter=delimiter, key_marker=key_marker,
                versionid_marker=version_id_marker, max_keys=max_keys)
        versions = [VersionEntry(v.key, v.versionid, v.is_latest, False, v.size, v.etag)
                    for v in r.versions]
        markers = [VersionEntry(m.key, m.versionid, m.is_latest, True) for m in r.delete_marker]
        return VersionListing(versions, markers, list(r.common_prefix), r.is_truncated,
                              _empty_to_none(r.next_key_marker),
                              _empty_to_none(r.next_versionid_marker))

    def init_multipart(self, bucket, key):
        with self._errors():
            return self.bucket(bucket).init_multipart_upload(key).upload_id

    def upload_part(self, bucket, key, upload_id, part_number, data):
        with self._errors():
            return self._result(self.bucket(bucket).upload_part(key, upload_id, part_number, data))

    def upload_part_copy(self, bucket, key, upload_id, part_number, src_key, byte_range=None,
                         src_version_id=None, src_bucket=None):
        """byte_range: (first, last), inclusive. The result's etag is what oss2 read (from the
        ETag header)."""
        params = {"versionId": src_version_id} if src_version_id is not None else None
        with self._errors():
            r = self.bucket(bucket).upload_part_copy(src_bucket or bucket, src_key, byte_range,
                                                     key, upload_id, part_number, params=params)
            res = self._result(r)
            res.copy_source_version_id = r.headers.get("x-oss-copy-source-version-id")
            return res

    def complete_multipart(self, bucket, key, upload_id, parts):
        """parts: (part_number, etag, data) triples; oss2 checks the CRC of the whole object
        when the PartInfo list carries part CRCs and sizes."""
        infos = [oss2.models.PartInfo(n, etag, size=len(data), part_crc=crc64(data))
                 for n, etag, data in parts]
        with self._errors():
            return self._result(self.bucket(bucket).complete_multipart_upload(key, upload_id, infos))

    def abort_multipart(self, bucket, key, upload_id):
        with self._errors():
            return self._result(self.bucket(bucket).abort_multipart_upload(key, upload_id))

    def list_multipart_uploads(self, bucket):
        with self._errors():
            r = self.bucket(bucket).list_multipart_uploads()
        return [(u.key, u.upload_id) for u in r.upload_list]

    def presign(self, bucket, method, key, expires=300, headers=None, version_id=None,
                expired=False):
        """(url, headers the caller must send). expired=True makes a URL already past its
        expiry without waiting: V1 gets an absolute Expires in the past; V4 is signed with a
        clock one hour slow, so x-oss-date + x-oss-expires lies in the past."""
        params = {"versionId": version_id} if version_id is not None else None
        b = self.bucket(bucket)
        if not expired:
            return b.sign_url(method, key, expires, headers=headers, params=params), headers or {}
        if self.signature == "v1":
            return b.sign_url(method, key, -3600, headers=headers, params=params), headers or {}
        with _slow_clock_oss2(3600):
            url = b.sign_url(method, key, 60, headers=headers, params=params)
        return url, headers or {}


class _SlowDatetime(datetime.datetime):
    lag = datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return datetime.datetime.utcnow() - cls.lag

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) - cls.lag


@contextlib.contextmanager
def _slow_clock_oss2(seconds):
    saved = oss2.auth.datetime
    slow = type("SlowDatetime", (_SlowDatetime,), {"lag": datetime.timedelta(seconds=seconds)})
    oss2.auth.datetime = slow
    try:
        yield
    finally:
        oss2.auth.datetime = saved


@contextlib.contextmanager
def _slow_clock_v2(seconds):
    saved = v2_signer_v4.datetime
    slow = type("SlowDatetime", (_SlowDatetime,), {"lag": datetime.timedelta(seconds=seconds)})
    v2_signer_v4.datetime = types.SimpleNamespace(
        datetime=slow, timezone=datetime.timezone, timedelta=datetime.timedelta)
    try:
        yield
    finally:
        v2_signer_v4.datetime = saved


# --- alibabacloud-oss-v2 -------------------------------------------------------------------------

class V2Client(Client):
    sdk = "v2"

    def __init__(self, server, signature, access_key=None, secret_key=None):
        super().__init__(server, access_key, secret_key)
        self.signature = signature
        self.kind = f"v2-{signature}"
        cfg = ossv2.config.load_default()
        cfg.credentials_provider = ossv2.credentials.StaticCredentialsProvider(
            self.access_key, self.secret_key)
        cfg.region = server.region
        cfg.endpoint = server.endpoint
        cfg.use_path_style = True
        cfg.signature_version = signature
        # A failure must show, not be retried: NopRetryer never retries. The attempt count is
        # still 2 because get_object_to_file loops over range(1, attempts) and with 1 it
        # silently downloads nothing (alibabacloud-oss-v2 1.4.1).
        cfg.retryer = ossv2.retry.NopRetryer()
        cfg.retry_max_attempts = 2
        cfg.connect_timeout = 10
        cfg.readwrite_timeout = TIMEOUT
        self.cfg = cfg
        self.client = ossv2.Client(cfg)

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except ossv2.exceptions.OperationError as e:
            inner = e.unwrap()
            if isinstance(inner, ossv2.exceptions.ServiceError):
                raise OssError(self.kind, inner.status_code, inner.code, inner.message,
                               inner.request_id, inner.ec, inner.headers, e) from e
            raise

    @staticmethod
    def _result(r, body=None) -> Result:
        crc = getattr(r, "hash_crc64", None)
        return Result(
            status=r.status_code,
            headers=_hdrs(r.headers),
            version_id=getattr(r, "version_id", None),
            delete_marker=getattr(r, "delete_marker", None),
            body=body,
            etag=getattr(r, "etag", None),
            crc64=int(crc) if crc else None,
        )

    def create_bucket(self, bucket):
        with self._errors():
            return self._result(self.client.put_bucket(ossv2.models.PutBucketRequest(bucket=bucket)))

    def delete_bucket(self, bucket):
        with self._errors():
            return self._result(
                self.client.delete_bucket(ossv2.models.DeleteBucketRequest(bucket=bucket)))

    def put_bucket_versioning(self, bucket, status):
        with self._errors():
            return self._result(self.client.put_bucket_versioning(
                ossv2.models.PutBucketVersioningRequest(
                    bucket=bucket,
                    versioning_configuration=ossv2.models.VersioningConfiguration(status=status))))

    def get_bucket_versioning(self, bucket):
        with self._errors():
            return self.client.get_bucket_versioning(
                ossv2.models.GetBucketVersioningRequest(bucket=bucket)).version_status

    def put_object(self, bucket, key, data, headers=None):
        req = ossv2.models.PutObjectRequest(bucket=bucket, key=key, body=data)
        for name, value in (headers or {}).items():
            if name.lower() == "content-type":
                req.content_type = value
            elif name.lower().startswith("x-oss-meta-"):
                req.metadata = dict(req.metadata or {}, **{name[len("x-oss-meta-"):]: value})
            else:
                raise ValueError(f"unsupported header for v2 put_object: {name}")
        with self._errors():
            return self._result(self.client.put_object(req))

    def get_object(self, bucket, key, version_id=None):
        with self._errors():
            r = self.client.get_object(
                ossv2.models.GetObjectRequest(bucket=bucket, key=key, version_id=version_id))
            body = r.body.content
            return self._result(r, body)

    def head_object(self, bucket, key, version_id=None):
        with self._errors():
            return self._result(self.client.head_object(
                ossv2.models.HeadObjectRequest(bucket=bucket, key=key, version_id=version_id)))

    def delete_object(self, bucket, key, version_id=None):
        with self._errors():
            return self._result(self.client.delete_object(
                ossv2.models.DeleteObjectRequest(bucket=bucket, key=key, version_id=version_id)))

    def delete_objects(self, bucket, objects, quiet=False):
        pairs = [o if isinstance(o, tuple) else (o, None) for o in objects]
        req = ossv2.models.DeleteMultipleObjectsRequest(
            bucket=bucket,
            delete=ossv2.models.Delete(
                objects=[ossv2.models.ObjectIdentifier(key=k, version_id=v) for k, v in pairs],
                quiet=quiet))
        with self._errors():
            r = self.client.delete_multiple_objects(req)
        deleted = [
            Deleted(d.key, _empty_to_none(d.version_id), bool(d.delete_marker),
                    _empty_to_none(d.delete_marker_version_id))
            for d in (r.deleted_objects or [])
        ]
        return self._result(r), deleted

    def copy_object(self, bucket, src_key, dst_key, src_version_id=None, src_bucket=None):
        with self._errors():
            r = self.client.copy_object(ossv2.models.CopyObjectRequest(
                bucket=bucket, key=dst_key, source_bucket=src_bucket or bucket,
                source_key=src_key, source_version_id=src_version_id))
            res = self._result(r)
            res.copy_source_version_id = r.source_version_id
            return res

    def list_objects(self, bucket, prefix="", delimiter="", marker="", max_keys=100):
        with self._errors():
            r = self.client.list_objects(ossv2.models.ListObjectsRequest(
                bucket=bucket, prefix=prefix or None, delimiter=delimiter or None,
                marker=marker or None, max_keys=max_keys))
        entries = [Entry(o.key, o.size, o.etag, o.last_modified) for o in (r.contents or [])]
        return Listing([e.key for e in entries], [p.prefix for p in (r.common_prefixes or [])],
                       bool(r.is_truncated), _empty_to_none(r.next_marker), entries)

    def list_objects_v2(self, bucket, prefix="", delimiter="", start_after="",
                        continuation_token="", max_keys=100):
        with self._errors():
            r = self.client.list_objects_v2(ossv2.models.ListObjectsV2Request(
                bucket=bucket, prefix=prefix or None, delimiter=delimiter or None,
                start_after=start_after or None, continuation_token=continuation_token or None,
                max_keys=max_keys))
        entries = [Entry(o.key, o.size, o.etag, o.last_modified) for o in (r.contents or [])]
        return Listing([e.key for e in entries], [p.prefix for p in (r.common_prefixes or [])],
                       bool(r.is_truncated), _empty_to_none(r.next_continuation_token), entries,
                       key_count=r.key_count)

    def list_object_versions(self, bucket, prefix="", delimiter="", key_marker="",
                             version_id_marker="", max_keys=100):
        with self._errors():
            r = self.client.list_object_versions(ossv2.models.ListObjectVersionsRequest(
                bucket=bucket, prefix=prefix or None, delimiter=delimiter or None,
                key_marker=key_marker or None, version_id_marker=version_id_marker or None,
                max_keys=max_keys))
        versions = [VersionEntry(v.key, v.version_id, bool(v.is_latest), False, v.size,
                                 (v.etag or "").strip('"'))
                    for v in (r.version or [])]
        markers = [VersionEntry(m.key, m.version_id, bool(m.is_latest), True)
                   for m in (r.delete_marker or [])]
        return VersionListing(versions, markers, [p.prefix for p in (r.common_prefixes or [])],
                              bool(r.is_truncated), _empty_to_none(r.next_key_marker),
                              _empty_to_none(r.next_version_id_marker))

    def init_multipart(self, bucket, key):
        with self._errors():
            return self.client.initiate_multipart_upload(
                ossv2.models.InitiateMultipartUploadRequest(bucket=bucket, key=key)).upload_id

    def upload_part(self, bucket, key, upload_id, part_number, data):
        with self._errors():
            return self._result(self.client.upload_part(ossv2.models.UploadPartRequest(
                bucket=bucket, key=key, upload_id=upload_id, part_number=part_number, body=data)))

    def upload_part_copy(self, bucket, key, upload_id, part_number, src_key, byte_range=None,
                         src_version_id=None, src_bucket=None):
        """byte_range: (first, last), inclusive. The result's etag is what the SDK read (from
        the CopyPartResult body)."""
        rng = f"bytes={byte_range[0]}-{byte_range[1]}" if byte_range else None
        with self._errors():
            r = self.client.upload_part_copy(ossv2.models.UploadPartCopyRequest(
                bucket=bucket, key=key, upload_id=upload_id, part_number=part_number,
                source_bucket=src_bucket or bucket, source_key=src_key,
                source_version_id=src_version_id, source_range=rng))
            res = self._result(r)
            res.copy_source_version_id = r.source_version_id
            return res

    def complete_multipart(self, bucket, key, upload_id, parts):
        with self._errors():
            r = self.client.complete_multipart_upload(ossv2.models.CompleteMultipartUploadRequest(
                bucket=bucket, key=key, upload_id=upload_id,
                complete_multipart_upload=ossv2.models.CompleteMultipartUpload(
                    parts=[ossv2.models.UploadPart(part_number=n, etag=etag)
                           for n, etag, _ in parts])))
            return self._result(r)

    def abort_multipart(self, bucket, key, upload_id):
        with self._errors():
            return self._result(self.client.abort_multipart_upload(
                ossv2.models.AbortMultipartUploadRequest(bucket=bucket, key=key,
                                                         upload_id=upload_id)))

    def list_multipart_uploads(self, bucket):
        with self._errors():
            r = self.client.list_multipart_uploads(
                ossv2.models.ListMultipartUploadsRequest(bucket=bucket))
        return [(u.key, u.upload_id) for u in (r.uploads or [])]

    def presign(self, bucket, method, key, expires=300, headers=None, version_id=None,
                expired=False):
        headers = dict(headers or {})
        if method == "GET":
            req = ossv2.models.GetObjectRequest(bucket=bucket, key=key, version_id=version_id)
        elif method == "PUT":
            req = ossv2.models.PutObjectRequest(bucket=bucket, key=key,
                                                content_type=headers.get("Content-Type"))
        elif method == "HEAD":
            req = ossv2.models.HeadObjectRequest(bucket=bucket, key=key, version_id=version_id)
        else:
            raise ValueError(method)
        now = datetime.datetime.now(datetime.timezone.utc)
        if not expired:
            r = self.client.presign(req, expires=datetime.timedelta(seconds=expires))
        elif self.signature == "v1":
            r = self.client.presign(req, expiration=now - datetime.timedelta(seconds=3600))
        else:
            with _slow_clock_v2(3600):
                r = self.client.presign(
                    req, expiration=now - datetime.timedelta(seconds=3600 - 60))
        return r.url, dict(r.signed_headers or {})


def make_client(kind: str, server, access_key=None, secret_key=None) -> Client:
    sdk, signature = kind.split("-")
    if sdk == "oss2":
        return Oss2Client(server, signature, access_key, secret_key)
    return V2Client(server, signature, access_key, secret_key)

