"""boto3 and `requests`: S3 CORS — a bucket's configuration put, read, replaced and deleted
with boto3, the errors AWS answers for configurations it refuses, preflights (`OPTIONS`,
unsigned, as a browser sends them, with `requests`) answered from the rules, and the
`Access-Control-*` headers on the answers to actual requests that carry `Origin`, whether
they succeed or fail, whoever makes them.

Wire facts (AWS's PutBucketCors reference and recorded AWS answers): the first rule whose
origin (a `*` matches any run of characters), method and, for a preflight, every requested
header (without case) match is used; `Access-Control-Allow-Origin` is `*` for a rule that
allows every origin, else the origin with `Access-Control-Allow-Credentials: true`; methods
and exposed headers are joined with `, `; a refused preflight is 403 `AccessForbidden`
("CORSResponse: ..."), one without `Origin` 400 `BadRequest`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from .support import expect_error, headers_of, md5_b64, raw_request, status_of

ORIGIN = "http://www.example.com"

RULES = [
    {
        "ID": "browsers",
        "AllowedHeaders": ["x-amz-meta-*", "Content-Type"],
        "AllowedMethods": ["GET", "PUT", "HEAD"],
        "AllowedOrigins": ["http://*.example.com", "https://app.example.org"],
        "ExposeHeaders": ["ETag", "x-amz-request-id"],
        "MaxAgeSeconds": 3000,
    },
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
]


def put_rules(s3, bucket: str, rules=RULES) -> dict:
    return s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def options(server, bucket: str, key: str | None = None, **headers) -> requests.Response:
    """A browser's preflight: unsigned, headers given as origin=, method=, headers=."""
    names = {"origin": "Origin", "method": "Access-Control-Request-Method",
             "headers": "Access-Control-Request-Headers"}
    sent = {names[k]: v for k, v in headers.items()}
    path = f"/{bucket}/{key}" if key else f"/{bucket}"
    return requests.options(server.endpoint + path, headers=sent, timeout=30)


def error_of(r: requests.Response) -> dict:
    root = ET.fromstring(r.content)
    return {c.tag: c.text for c in root}


def with_origin(client, origin: str = ORIGIN):
    """Makes every request of `client` carry `Origin` (signed with the rest)."""
    def add(request, **_):
        request.headers["Origin"] = origin
    client.meta.events.register("before-sign.s3.*", add)
    return client


def cors_headers(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


def test_a_configuration_is_put_read_replaced_and_deleted(s3, bucket):
    with expect_error(404, "NoSuchCORSConfiguration"):
        s3.get_bucket_cors(Bucket=bucket)
    assert status_of(put_rules(s3, bucket)) == 200
    got = s3.get_bucket_cors(Bucket=bucket)
    assert got["CORSRules"] == RULES
    # A put replaces the whole configuration.
    replacement = [{"AllowedMethods": ["DELETE", "POST"], "AllowedOrigins": ["http://a"]}]
    put_rules(s3, bucket, replacement)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == replacement
    assert status_of(s3.delete_bucket_cors(Bucket=bucket)) == 204
    with expect_error(404, "NoSuchCORSConfiguration") as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert e.message == "The CORS configuration does not exist"
    # Deleting nothing is done.
    assert status_of(s3.delete_bucket_cors(Bucket=bucket)) == 204


def test_a_configuration_must_be_valid_and_carry_a_digest(s3, server, bucket):
    with expect_error(400, "InvalidRequest") as e:
        put_rules(s3, bucket, [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}])
    assert e.message == "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"
    with expect_error(400, "InvalidRequest") as e:
        put_rules(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.*.com"]}])
    assert "can not have more than one wildcard" in e.message
    with expect_error(400, "InvalidRequest"):
        put_rules(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"],
                                "AllowedHeaders": ["x-*-*"]}])
    with expect_error(400, "InvalidRequest"):
        put_rules(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}] * 101)
    put_rules(s3, bucket, [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}] * 100)
    with expect_error(404, "NoSuchBucket"):
        put_rules(s3, bucket + "-missing")
    # What the schema refuses, sent as boto3 would not: no origin, no rule, an unknown element.
    for doc in [
        b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"
        b"</CORSConfiguration>",
        b"<CORSConfiguration></CORSConfiguration>",
        b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*"
        b"</AllowedOrigin><Color>red</Color></CORSRule></CORSConfiguration>",
    ]:
        r = raw_request(server, "PUT", f"/{bucket}", params={"cors": ""},
                        headers={"Content-MD5": md5_b64(doc)}, body=doc)
        assert r.status_code == 400 and error_of(r)["Code"] == "MalformedXML", r.text
    # Without Content-MD5 or a checksum, as AWS requires for this configuration.
    good = (b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*"
            b"</AllowedOrigin></CORSRule></CORSConfiguration>")
    r = raw_request(server, "PUT", f"/{bucket}", params={"cors": ""}, body=good)
    assert r.status_code == 400 and error_of(r)["Code"] == "InvalidRequest", r.text
    assert "Content-MD5" in error_of(r)["Message"]
    # The last valid configuration stands.
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 100


def test_a_preflight_is_answered_from_the_rules(s3, server, bucket):
    put_rules(s3, bucket)
    r = options(server, bucket, "photos/a.jpg", origin=ORIGIN, method="PUT",
                headers="X-Amz-Meta-Owner, content-type")
    assert r.status_code == 200, r.text
    assert r.content == b""
    assert r.headers.get("x-amz-request-id")
    assert cors_headers(r.headers) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, PUT, HEAD",
        "access-control-allow-headers": "x-amz-meta-owner, content-type",
        "access-control-expose-headers": "ETag, x-amz-request-id",
        "access-control-max-age": "3000",
    }
    assert r.headers["Vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    # The second rule, for any origin: `*`, without credentials.
    r = options(server, bucket, "k", origin="http://elsewhere.test", method="GET")
    assert r.status_code == 200, r.text
    assert cors_headers(r.headers) == {"access-control-allow-origin": "*",
                                       "access-control-allow-methods": "GET"}
    # A preflight on the bucket itself is answered the same way.
    assert options(server, bucket, origin=ORIGIN, method="HEAD").status_code == 200


@pytest.mark.parametrize("asked", [
    dict(origin="http://elsewhere.test", method="PUT"),  # only GET for any origin
    dict(origin=ORIGIN, method="DELETE"),
    dict(origin=ORIGIN, method="PUT", headers="x-amz-meta-a, authorization"),
    dict(origin="http://example.com", method="PUT"),  # not *.example.com
    dict(origin=ORIGIN, method="get"),  # methods compare with case
])
def test_a_preflight_no_rule_allows_is_forbidden(s3, server, bucket, asked):
    put_rules(s3, bucket)
    r = options(server, bucket, "k", **asked)
    assert r.status_code == 403, r.text
    err = error_of(r)
    assert err["Code"] == "AccessForbidden"
    assert err["Message"].startswith("CORSResponse: This CORS request is not allowed.")
    assert err["Method"] == asked["method"]
    assert err["ResourceType"] == "OBJECT"
    assert cors_headers(r.headers) == {}


def test_a_preflight_needs_an_origin_a_method_and_rules(s3, server, bucket, new_bucket_name):
    r = options(server, bucket, "k", origin=ORIGIN, method="GET")
    assert r.status_code == 403
    assert error_of(r)["Message"] == "CORSResponse: CORS is not enabled for this bucket."
    r = options(server, new_bucket_name(), "k", origin=ORIGIN, method="GET")
    assert r.status_code == 403
    assert error_of(r)["Message"] == "CORSResponse: Bucket not found"
    put_rules(s3, bucket)
    r = options(server, bucket, "k", method="GET")
    assert r.status_code == 400
    assert error_of(r)["Code"] == "BadRequest"
    assert error_of(r)["Message"] == "Insufficient information. Origin request header needed."
    r = options(server, bucket, "k", origin=ORIGIN)
    assert r.status_code == 400 and error_of(r)["Code"] == "BadRequest"


def test_actual_requests_carry_the_matching_rule_s_headers(s3, make_s3, bucket):
    put_rules(s3, bucket)
    browser = with_origin(make_s3())
    put = browser.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert cors_headers(headers_of(put)) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, PUT, HEAD",
        "access-control-expose-headers": "ETag, x-amz-request-id",
        "access-control-max-age": "3000",
    }
    got = browser.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"data"
    assert headers_of(got)["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-headers" not in headers_of(got)
    head = browser.head_object(Bucket=bucket, Key="k")
    assert headers_of(head)["access-control-allow-methods"] == "GET, PUT, HEAD"
    # An error is answered with them too.
    with expect_error(404, "NoSuchKey") as e:
        browser.get_object(Bucket=bucket, Key="missing")
    assert e.headers["access-control-allow-origin"] == ORIGIN
    # A method no rule allows for the origin (DELETE), or another origin for PUT: none.
    deleted = browser.delete_object(Bucket=bucket, Key="k")
    assert cors_headers(headers_of(deleted)) == {}
    stranger = with_origin(make_s3(), "http://elsewhere.test")
    assert cors_headers(headers_of(stranger.put_object(Bucket=bucket, Key="k2", Body=b""))) == {}
    got = stranger.get_object(Bucket=bucket, Key="k2")
    assert cors_headers(headers_of(got)) == {"access-control-allow-origin": "*",
                                             "access-control-allow-methods": "GET"}
    # Without Origin, no CORS headers at all.
    assert cors_headers(headers_of(s3.get_object(Bucket=bucket, Key="k2"))) == {}


def test_presigned_and_refused_anonymous_requests_carry_them(s3, server, bucket):
    put_rules(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    r = requests.get(url, headers={"Origin": ORIGIN}, timeout=30)
    assert r.status_code == 200 and r.content == b"data"
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    # An anonymous write the bucket refuses: 403, with the rule's headers.
    r = requests.put(f"{server.endpoint}/{bucket}/anon", data=b"x",
                     headers={"Origin": "https://app.example.org"}, timeout=30)
    assert r.status_code == 403 and error_of(r)["Code"] == "AccessDenied"
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.org"


def test_a_deleted_bucket_forgets_its_configuration(s3, bucket):
    put_rules(s3, bucket)
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    with expect_error(404, "NoSuchCORSConfiguration"):
        s3.get_bucket_cors(Bucket=bucket)
