"""boto3: presigned URLs (generate_presigned_url, SigV4 query auth) and signature checks.

A presigned URL is fetched with plain `requests`, no credentials: the URL alone authorises
exactly the signed method, bucket, key and parameters until it expires.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit, urlunsplit

import requests

from .support import expect_error, raw_request


def test_presigned_get_url_downloads_the_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="dir/file name+1.txt", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket,
                                                          "Key": "dir/file name+1.txt"},
                                    ExpiresIn=300)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"presigned body"
    assert r.headers["ETag"] == s3.head_object(Bucket=bucket, Key="dir/file name+1.txt")["ETag"]


def test_presigned_get_url_with_response_overrides_and_version(s3, versioned_bucket):
    b = versioned_bucket
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"old")["VersionId"]
    s3.put_object(Bucket=b, Key="k", Body=b"new")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": b, "Key": "k", "VersionId": v1,
        "ResponseContentType": "text/x-override",
        "ResponseContentDisposition": 'attachment; filename="old.txt"'})
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"old"
    assert r.headers["Content-Type"] == "text/x-override"
    assert r.headers["Content-Disposition"] == 'attachment; filename="old.txt"'
    assert r.headers["x-amz-version-id"] == v1


def test_presigned_put_url_uploads_the_object(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up.bin"},
                                    ExpiresIn=300)
    r = requests.put(url, data=b"uploaded through a presigned URL", timeout=30)
    assert r.status_code == 200, r.text
    got = s3.get_object(Bucket=bucket, Key="up.bin")
    assert got["Body"].read() == b"uploaded through a presigned URL"
    assert r.headers["ETag"] == got["ETag"]


def test_presigned_put_url_with_signed_content_type(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={
        "Bucket": bucket, "Key": "typed", "ContentType": "application/x-typed"})
    r = requests.put(url, data=b"x", headers={"Content-Type": "application/x-typed"}, timeout=30)
    assert r.status_code == 200, r.text
    assert s3.head_object(Bucket=bucket, Key="typed")["ContentType"] == "application/x-typed"
    r = requests.put(url, data=b"x", headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in r.text


def test_presigned_url_for_another_key_or_method_is_403_signature_does_not_match(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a"})
    parts = urlsplit(url)
    other = urlunsplit(parts._replace(path=parts.path[:-1] + "b"))
    r = requests.get(other, timeout=30)
    assert r.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in r.text
    r = requests.delete(url, timeout=30)
    assert r.status_code == 403
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"a"


def test_expired_presigned_url_is_403_access_denied(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                    ExpiresIn=1)
    time.sleep(2.1)
    r = requests.get(url, timeout=30)
    assert r.status_code == 403
    assert "<Code>AccessDenied</Code>" in r.text


def test_presigned_url_signed_with_a_wrong_secret_is_403(make_s3, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    bad = make_s3(secret_key="not-the-secret-key-0000000000000000000000")
    url = bad.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    r = requests.get(url, timeout=30)
    assert r.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in r.text


# --- signature checks on ordinary requests -----------------------------------------------------

def test_wrong_secret_is_403_signature_does_not_match(make_s3, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    bad = make_s3(secret_key="not-the-secret-key-0000000000000000000000")
    with expect_error(403, "SignatureDoesNotMatch"):
        bad.list_buckets()
    with expect_error(403, "SignatureDoesNotMatch"):
        bad.get_object(Bucket=bucket, Key="k")
    with expect_error(403, "SignatureDoesNotMatch"):
        bad.put_object(Bucket=bucket, Key="k", Body=b"overwritten?")
    with expect_error(403) as e:
        bad.head_object(Bucket=bucket, Key="k")
    assert e.code == "403"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_unknown_access_key_is_403_invalid_access_key_id(make_s3, bucket):
    stranger = make_s3(access_key="AKIAUNKNOWNKEY000000", secret_key="whatever")
    with expect_error(403, "InvalidAccessKeyId"):
        stranger.list_objects_v2(Bucket=bucket)


def test_unsigned_request_is_403_access_denied(server, bucket):
    r = requests.get(f"{server.endpoint}/{bucket}", timeout=30)
    assert r.status_code == 403
    assert "<Code>AccessDenied</Code>" in r.text


def test_payload_not_matching_x_amz_content_sha256_is_rejected(server, s3, bucket):
    """The signed body hash must match the body (AWS: 400 XAmzContentSHA256Mismatch)."""
    r = raw_request(server, "PUT", f"/{bucket}/k", body=b"signed body")
    assert r.status_code == 200, r.text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"signed body"
    # Same length, other bytes than the ones whose SHA-256 was signed.
    r = raw_request(server, "PUT", f"/{bucket}/k2", body=b"signed body",
                    send_instead=b"other body!")
    assert r.status_code == 400
    assert "<Code>XAmzContentSHA256Mismatch</Code>" in r.text
    with expect_error(404, "NoSuchKey"):
        s3.get_object(Bucket=bucket, Key="k2")
