"""AWS Signature Version 2: boto3 with `signature_version='s3'` (botocore's HmacV1Auth, header
signatures, and HmacV1QueryAuth, presigned URLs), s3cmd (`signature_v2 = True`, and
`s3cmd signurl`) and aws-sdk (JavaScript v2) `getSignedUrl` (`js/presign.js`, V2 by the SDK's
default for presigned URLs), against the S3 dialect.

Everything a V2 client writes is checked with the suite's SigV4 client (`admin`/`s3`), and
every presigned URL is fetched with plain `requests`. Expired, tampered and re-targeted URLs
are refused, and a bucket policy on `s3:signatureversion` / `s3:authType` refuses V2 requests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from .support import (
    MiB,
    base_tool_env,
    capture_requests,
    expect_error,
    keys_v2,
    multipart_etag,
    random_bytes,
    require_tool,
    run_tool,
)


@pytest.fixture
def v2(make_s3):
    """boto3 signing with Signature Version 2 (path style, the suite's other defaults)."""
    return make_s3(signature_version="s3")


def v2_error(response: requests.Response) -> dict:
    """The S3 error document of a refused request, as {element: text}."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(response.content)
    return {child.tag: child.text for child in root}


# --- boto3, header signatures -------------------------------------------------------------------

def test_v2_client_signs_with_aws_hmac_sha1(v2, bucket):
    with capture_requests(v2, "PutObject") as sent:
        v2.put_object(Bucket=bucket, Key="k", Body=b"x")
    auth = sent[0].headers["authorization"]
    assert auth.startswith("AWS ") and ":" in auth and "AWS4-HMAC-SHA256" not in auth
    assert "date" in sent[0].headers


def test_bucket_and_object_basics(v2, admin, bucket_name):
    v2.create_bucket(Bucket=bucket_name)
    v2.head_bucket(Bucket=bucket_name)
    assert bucket_name in [b["Name"] for b in v2.list_buckets()["Buckets"]]
    key = "dir/a key+with ü.txt"
    put = v2.put_object(Bucket=bucket_name, Key=key, Body=b"hello v2",
                        ContentType="text/x-v2", Metadata={"color": "blue", "size": "9"},
                        ACL="private")
    head = admin.head_object(Bucket=bucket_name, Key=key)
    assert head["ETag"] == put["ETag"]
    assert head["ContentType"] == "text/x-v2"
    assert head["Metadata"] == {"color": "blue", "size": "9"}
    got = v2.get_object(Bucket=bucket_name, Key=key, Range="bytes=1-4",
                        ResponseContentType="text/x-override")
    assert got["Body"].read() == b"ello"
    assert got["ContentType"] == "text/x-override"
    assert v2.list_objects(Bucket=bucket_name, Prefix="dir/")["Contents"][0]["Key"] == key
    assert keys_v2(v2, bucket_name, Delimiter="/") == []
    assert v2.list_objects_v2(Bucket=bucket_name, Delimiter="/")["CommonPrefixes"] == [
        {"Prefix": "dir/"}]
    v2.copy_object(Bucket=bucket_name, Key="copy", CopySource={"Bucket": bucket_name, "Key": key})
    assert admin.get_object(Bucket=bucket_name, Key="copy")["Body"].read() == b"hello v2"
    acl = v2.get_object_acl(Bucket=bucket_name, Key="copy")
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    assert v2.get_bucket_location(Bucket=bucket_name)["LocationConstraint"] in (None, "")
    v2.delete_objects(Bucket=bucket_name, Delete={"Objects": [{"Key": key}, {"Key": "copy"}]})
    assert keys_v2(admin, bucket_name) == []
    v2.delete_bucket(Bucket=bucket_name)
    with expect_error(404, "NoSuchBucket"):
        admin.list_objects_v2(Bucket=bucket_name)


def test_versioned_delete_and_listing_versions(v2, admin, bucket):
    v2.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert v2.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v1 = v2.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2id = v2.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v2.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    marker = v2.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    listing = v2.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing["Versions"]] == [v2id, v1]
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == [marker["VersionId"]]
    v2.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    v2.delete_object(Bucket=bucket, Key="k", VersionId=v2id)
    assert admin.get_object(Bucket=bucket, Key="k")["VersionId"] == v1
    with expect_error(404, "NoSuchVersion"):
        v2.get_object(Bucket=bucket, Key="k", VersionId=v2id)


def test_multipart_upload(v2, admin, bucket):
    parts = [random_bytes(5 * MiB, seed=1), random_bytes(1234, seed=2)]
    upload = v2.create_multipart_upload(Bucket=bucket, Key="big", ContentType="x/big")
    uid = upload["UploadId"]
    etags = [v2.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=n + 1,
                            Body=data)["ETag"] for n, data in enumerate(parts)]
    assert [p["ETag"] for p in v2.list_parts(Bucket=bucket, Key="big",
                                             UploadId=uid)["Parts"]] == etags
    assert [u["UploadId"] for u in v2.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    done = v2.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=uid,
        MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n + 1}
                                   for n, e in enumerate(etags)]})
    assert done["ETag"] == multipart_etag(parts)
    got = admin.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == b"".join(parts) and got["ContentType"] == "x/big"
    other = v2.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
    v2.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=other)
    assert v2.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_bucket_policy_and_acl_sub_resources(v2, admin, bucket):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/public/*"}]}
    v2.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert json.loads(admin.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    assert v2.get_bucket_policy(Bucket=bucket)["Policy"]
    v2.delete_bucket_policy(Bucket=bucket)
    v2.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = admin.get_bucket_acl(Bucket=bucket)["Grants"]
    assert any(g["Permission"] == "READ" for g in grants)


def test_wrong_secret_and_unknown_key(make_s3, server, bucket):
    wrong = make_s3(secret_key="not-the-secret", signature_version="s3")
    with expect_error(403, "SignatureDoesNotMatch") as e:
        wrong.get_object(Bucket=bucket, Key="k")
    assert e.response["Error"]["StringToSign"].startswith("GET\n\n\n")
    assert e.response["Error"]["StringToSign"].endswith(f"\n/{bucket}/k")
    assert e.response["Error"]["AWSAccessKeyId"] == server.access_key
    unknown = make_s3(access_key="NOSUCHACCESSKEY00000", secret_key="x",
                      signature_version="s3")
    with expect_error(403, "InvalidAccessKeyId"):
        unknown.list_buckets()


def test_request_dates_are_checked(v2, bucket):
    """Checked before the signature, as S3 does: botocore signs its own Date header, which
    the x-amz-date added here overrides."""
    sent_date = {}

    def with_amz_date(params, **_):
        params["headers"]["x-amz-date"] = sent_date["value"]

    v2.meta.events.register("before-call.s3.ListObjects", with_amz_date)
    sent_date["value"] = "Bad Date"
    with expect_error(403, "AccessDenied"):
        v2.list_objects(Bucket=bucket)
    sent_date["value"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                       time.gmtime(time.time() - 3600))
    with expect_error(403, "RequestTimeTooSkewed"):
        v2.list_objects(Bucket=bucket)
    # A current x-amz-date: botocore signs its Date header in the Date line, accepted.
    sent_date["value"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
    assert v2.list_objects(Bucket=bucket)["Name"] == bucket


# --- boto3, presigned URLs ----------------------------------------------------------------------

def test_presigned_get_put_and_version(v2, admin, versioned_bucket):
    b = versioned_bucket
    put_url = v2.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "p k"},
                                        ExpiresIn=300)
    query = parse_qs(urlsplit(put_url).query)
    assert set(query) >= {"AWSAccessKeyId", "Signature", "Expires"}
    assert "X-Amz-Signature" not in query
    r = requests.put(put_url, data=b"first", timeout=30)
    assert r.status_code == 200, r.text
    first = r.headers["x-amz-version-id"]
    admin.put_object(Bucket=b, Key="p k", Body=b"second")
    get_url = v2.generate_presigned_url("get_object", Params={
        "Bucket": b, "Key": "p k", "VersionId": first,
        "ResponseContentDisposition": 'attachment; filename="v1.txt"'}, ExpiresIn=300)
    r = requests.get(get_url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"first" and r.headers["x-amz-version-id"] == first
    assert r.headers["Content-Disposition"] == 'attachment; filename="v1.txt"'
    latest = requests.get(v2.generate_presigned_url(
        "get_object", Params={"Bucket": b, "Key": "p k"}), timeout=30)
    assert latest.content == b"second"


def test_presigned_put_carries_the_signed_headers_moved_into_the_query(v2, admin, bucket):
    url = v2.generate_presigned_url("put_object", Params={
        "Bucket": bucket, "Key": "typed", "ContentType": "text/x-signed",
        "Metadata": {"owner": "ann"}})
    query = parse_qs(urlsplit(url).query)
    assert query["content-type"] == ["text/x-signed"] and query["x-amz-meta-owner"] == ["ann"]
    r = requests.put(url, data=b"typed body", timeout=30)
    assert r.status_code == 200, r.text
    head = admin.head_object(Bucket=bucket, Key="typed")
    assert head["ContentType"] == "text/x-signed"
    assert head["Metadata"] == {"owner": "ann"}
    # A header with another value is what the signature does not cover.
    r = requests.put(url, data=b"x", headers={"Content-Type": "text/html"}, timeout=30)
    assert r.status_code == 403 and v2_error(r)["Code"] == "SignatureDoesNotMatch"


def test_expired_tampered_and_retargeted_urls_are_refused(v2, admin, bucket):
    admin.put_object(Bucket=bucket, Key="secret", Body=b"s")
    admin.put_object(Bucket=bucket, Key="other", Body=b"o")
    expired = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "secret"},
                                        ExpiresIn=-5)
    r = requests.get(expired, timeout=30)
    assert r.status_code == 403
    assert v2_error(r)["Code"] == "AccessDenied"
    assert v2_error(r)["Message"] == "Request has expired"

    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "secret"},
                                    ExpiresIn=300)
    parts = urlsplit(url)
    query = parse_qs(parts.query)

    def rebuild(path=parts.path, **changes):
        q = {k: v[0] for k, v in query.items()}
        q.update(changes)
        return urlunsplit((parts.scheme, parts.netloc, path, urlencode(q), ""))

    later = str(int(query["Expires"][0]) + 3600)
    sig = query["Signature"][0]
    flipped = ("B" if sig[0] == "A" else "A") + sig[1:]
    for tampered in [rebuild(Expires=later), rebuild(Signature=flipped),
                     rebuild(path=parts.path.replace("secret", "other"))]:
        r = requests.get(tampered, timeout=30)
        assert r.status_code == 403, tampered
        error = v2_error(r)
        assert error["Code"] == "SignatureDoesNotMatch", error
        assert error["StringToSign"].startswith("GET\n\n\n")
    # Signed for GET: not a DELETE, and no extra x-amz-* header rides along.
    assert requests.delete(url, timeout=30).status_code == 403
    r = requests.get(url, headers={"x-amz-acl": "public-read"}, timeout=30)
    assert r.status_code == 403
    assert admin.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"s"
    assert requests.get(url, timeout=30).content == b"s"


# --- bucket policies on the signature ------------------------------------------------------------

def test_a_bucket_policy_can_demand_sigv4(v2, s3, admin, bucket):
    admin.put_object(Bucket=bucket, Key="k", Body=b"v")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DemandSigV4", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}}}]}
    admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    with expect_error(403, "AccessDenied"):
        v2.get_object(Bucket=bucket, Key="k")
    with expect_error(403, "AccessDenied"):
        v2.put_object(Bucket=bucket, Key="k2", Body=b"x")
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert requests.get(url, timeout=30).status_code == 403
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    v4_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert requests.get(v4_url, timeout=30).content == b"v"
    admin.delete_bucket_policy(Bucket=bucket)
    assert v2.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


def test_a_bucket_policy_on_the_auth_type(v2, admin, bucket):
    admin.put_object(Bucket=bucket, Key="k", Body=b"v")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"s3:authType": "REST-QUERY-STRING"}}}]}
    admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert v2.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert requests.get(url, timeout=30).status_code == 403


# --- s3cmd ---------------------------------------------------------------------------------------

@pytest.fixture
def s3cmd_v2(server, tmp_path):
    """s3cmd(*args, check=True) with `signature_v2 = True` and a temporary config."""
    binary = require_tool("s3cmd")
    home = tmp_path / "s3cmd-home"
    env = base_tool_env(home)
    host = urlsplit(server.endpoint).netloc
    config = tmp_path / "s3cfg"
    config.write_text(
        "[default]\n"
        f"access_key = {server.access_key}\n"
        f"secret_key = {server.secret_key}\n"
        f"host_base = {host}\n"
        f"host_bucket = {host}\n"
        "bucket_location = us-east-1\n"
        "use_https = False\n"
        "signature_v2 = True\n"
        "check_ssl_certificate = False\n"
        "guess_mime_type = False\n"
        "max_retries = 1\n"
        "progress_meter = False\n"
    )

    def run(*args, check=True):
        return run_tool([binary, "-c", str(config), "--no-progress", *args], env, check=check)

    yield run
    assert not (home / ".s3cfg").exists(), "s3cmd wrote ~/.s3cfg"


def test_s3cmd_v2_mb_put_ls_get_del(s3cmd_v2, admin, bucket_name, tmp_path):
    s3cmd_v2("mb", f"s3://{bucket_name}")
    data = random_bytes(100_000, seed=7)
    src = tmp_path / "file one.bin"
    src.write_bytes(data)
    put = s3cmd_v2("--debug", "put", str(src), f"s3://{bucket_name}/d/file one.bin")
    assert "SignHeaders: " in put.stderr, "signature_v2 = True: s3cmd signs with V2"
    assert "AWS4-HMAC-SHA256" not in put.stderr
    assert admin.get_object(Bucket=bucket_name, Key="d/file one.bin")["Body"].read() == data
    listing = s3cmd_v2("ls", f"s3://{bucket_name}/d/").stdout.splitlines()
    assert len(listing) == 1 and listing[0].endswith(f"s3://{bucket_name}/d/file one.bin")
    back = tmp_path / "back.bin"
    s3cmd_v2("get", f"s3://{bucket_name}/d/file one.bin", str(back))
    assert back.read_bytes() == data
    s3cmd_v2("del", f"s3://{bucket_name}/d/file one.bin")
    assert keys_v2(admin, bucket_name) == []
    s3cmd_v2("rb", f"s3://{bucket_name}")


def test_s3cmd_v2_multipart_put(s3cmd_v2, admin, bucket, tmp_path):
    data = random_bytes(11 * MiB + 3, seed=8)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    s3cmd_v2("put", "--multipart-chunk-size-mb=5", str(src), f"s3://{bucket}/big.bin")
    chunk = 5 * MiB
    head = admin.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"] == multipart_etag([data[i:i + chunk] for i in range(0, len(data), chunk)])


def test_s3cmd_signurl(s3cmd_v2, admin, bucket):
    admin.put_object(Bucket=bucket, Key="shared/file.txt", Body=b"shared by signurl")
    url = s3cmd_v2("signurl", f"s3://{bucket}/shared/file.txt", "+300").stdout.strip()
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"shared by signurl"
    expired = s3cmd_v2("signurl", f"s3://{bucket}/shared/file.txt",
                       str(int(time.time()) - 60)).stdout.strip()
    r = requests.get(expired, timeout=30)
    assert r.status_code == 403 and v2_error(r)["Message"] == "Request has expired"


# --- aws-sdk (JavaScript v2) getSignedUrl --------------------------------------------------------

JS_DIR = Path(__file__).resolve().parent / "js"


def js_signed_urls(server, urls: list[tuple[str, dict]]) -> list[str]:
    """aws-sdk v2's `s3.getSignedUrl(op, params)` for each (op, params), through node."""
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH (install Node.js 18+; scripts/test needs it too)",
                    pytrace=False)
    if not (JS_DIR / "node_modules" / "aws-sdk").is_dir():
        pytest.fail(f"aws-sdk is not installed in {JS_DIR} (scripts/test runs `npm ci` there)",
                    pytrace=False)
    doc = {"endpoint": server.endpoint, "ak": server.access_key, "sk": server.secret_key,
           "urls": [{"op": op, "params": params} for op, params in urls]}
    p = subprocess.run(["node", str(JS_DIR / "presign.js")], input=json.dumps(doc).encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    return json.loads(p.stdout)


def test_aws_sdk_js_v2_get_signed_url(server, admin, versioned_bucket):
    b = versioned_bucket
    first = admin.put_object(Bucket=b, Key="js key.txt", Body=b"first")["VersionId"]
    admin.put_object(Bucket=b, Key="js key.txt", Body=b"second")
    get_latest, get_first, put, expired = js_signed_urls(server, [
        ("getObject", {"Bucket": b, "Key": "js key.txt", "Expires": 300}),
        ("getObject", {"Bucket": b, "Key": "js key.txt", "VersionId": first}),
        ("putObject", {"Bucket": b, "Key": "up.txt", "ContentType": "text/x-js",
                       "Metadata": {"owner": "ann"}}),
        ("getObject", {"Bucket": b, "Key": "js key.txt", "Expires": -5}),
    ])
    query = parse_qs(urlsplit(get_latest).query)
    assert set(query) >= {"AWSAccessKeyId", "Signature", "Expires"}, get_latest
    assert requests.get(get_latest, timeout=30).content == b"second"
    r = requests.get(get_first, timeout=30)
    assert r.status_code == 200 and r.content == b"first"
    assert r.headers["x-amz-version-id"] == first
    # The SDK copies the headers it signed into the query; sending them as well is the same.
    for attempt, headers in enumerate([{}, {"Content-Type": "text/x-js"}]):
        r = requests.put(put, data=f"js {attempt}".encode(), headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        head = admin.head_object(Bucket=b, Key="up.txt")
        assert head["ContentType"] == "text/x-js" and head["Metadata"] == {"owner": "ann"}
    r = requests.put(put, data=b"x", headers={"Content-Type": "text/html"}, timeout=30)
    assert r.status_code == 403 and v2_error(r)["Code"] == "SignatureDoesNotMatch"
    r = requests.get(expired, timeout=30)
    assert r.status_code == 403 and v2_error(r)["Message"] == "Request has expired"
