"""CORS with bce-python-sdk (`put_bucket_cors`, `get_bucket_cors`, `delete_bucket_cors`; the
JS SDK has no CORS calls, bce-sdk-js leaves them commented out): PUT `?cors` with
`{"corsConfiguration": [...]}` (200), GET echoing the rules (404 `NoSuchCORSConfiguration`
when there are none), DELETE (204); what BOS refuses; preflights (`OPTIONS /v1/bucket/key`,
unsigned as browsers send them, and signed as bce-sdk-go's `OptionsObject` sends them)
answered from the rules; and the headers of actual requests that carry `Origin`.

Wire facts: BOS's PutBucketCors, GetBucketCors, DeleteBucketCors and OPTIONS Object references
(up to 100 rules; `allowedOrigins` with at most one `*`; methods GET, PUT, DELETE, POST, HEAD,
with case; `allowedHeaders` matched against `Access-Control-Request-Headers`;
`Access-Control-Allow-Methods` lists every method of the rule; a preflight needs no
authentication), and bce-sdk-go's `BucketCORSType` and `OptionsObject` for the names.
"""

from __future__ import annotations

import json

import pytest
import requests

from .support import assert_json_error, encode_path, expect_error

ORIGIN = "http://www.example.com"
CORS = {"cors": None}
JSON = {"Content-Type": "application/json; charset=utf-8"}

RULES = [
    {
        "allowedOrigins": ["http://*.example.com"],
        "allowedMethods": ["GET", "PUT", "DELETE"],
        "allowedHeaders": ["x-bce-meta-*", "Content-Type"],
        "allowedExposeHeaders": ["ETag", "x-bce-request-id"],
        "maxAgeSeconds": 3600,
    },
    {"allowedOrigins": ["*"], "allowedMethods": ["HEAD"]},
]


def rules_of(response) -> list[dict]:
    """The SDK's parsed rules, back in BOS's own member names."""
    out = []
    for r in response.cors_configuration:
        rule = {"allowedOrigins": r.allowed_origins, "allowedMethods": r.allowed_methods}
        for name, attr in [("allowedHeaders", "allowed_headers"),
                           ("allowedExposeHeaders", "allowed_expose_headers"),
                           ("maxAgeSeconds", "max_age_seconds")]:
            if getattr(r, attr, None) is not None:
                rule[name] = getattr(r, attr)
        out.append(rule)
    return out


def preflight(server, bucket, key, origin=None, method=None, headers=None) -> requests.Response:
    sent = {}
    if origin:
        sent["Origin"] = origin
    if method:
        sent["Access-Control-Request-Method"] = method
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return requests.options(f"{server.endpoint}/v1/{bucket}/{key}", headers=sent, timeout=30)


def cors_headers(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


def test_a_configuration_is_put_read_and_deleted(bos, bucket):
    expect_error(bos.get_bucket_cors, bucket, status=404, code="NoSuchCORSConfiguration")
    bos.put_bucket_cors(bucket, RULES)
    assert rules_of(bos.get_bucket_cors(bucket)) == RULES
    replacement = [{"allowedOrigins": ["http://a"], "allowedMethods": ["POST"],
                    "maxAgeSeconds": 5}]
    bos.put_bucket_cors(bucket, replacement)
    assert rules_of(bos.get_bucket_cors(bucket)) == replacement
    bos.delete_bucket_cors(bucket)
    expect_error(bos.get_bucket_cors, bucket, status=404, code="NoSuchCORSConfiguration")
    bos.delete_bucket_cors(bucket)


def test_the_raw_statuses_and_document(raw, bos, bucket):
    path = encode_path(bucket)
    r = raw.request("PUT", path, CORS, JSON, json.dumps({"corsConfiguration": RULES}).encode())
    assert (r.status, r.body) == (200, b"")
    r = raw.request("GET", path, CORS)
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"corsConfiguration": RULES}
    assert raw.request("DELETE", path, CORS).status == 204


@pytest.mark.parametrize("rules,code", [
    ([{"allowedOrigins": ["*"], "allowedMethods": ["PATCH"]}], "InvalidArgument"),
    ([{"allowedOrigins": ["*"], "allowedMethods": ["get"]}], "InvalidArgument"),
    ([{"allowedOrigins": ["a*b*"], "allowedMethods": ["GET"]}], "InvalidArgument"),
    ([{"allowedOrigins": [], "allowedMethods": ["GET"]}], "InvalidArgument"),
    ([], "InvalidArgument"),
    ([{"allowedOrigins": ["*"], "allowedMethods": ["GET"]}] * 101, "InvalidArgument"),
    ([{"allowedOrigins": ["*"]}], "MalformedJSON"),
    ([{"allowedOrigins": ["*"], "allowedMethods": ["GET"], "colour": "red"}], "MalformedJSON"),
])
def test_what_bos_refuses(bos, bucket, rules, code):
    expect_error(bos.put_bucket_cors, bucket, rules, status=400, code=code)
    expect_error(bos.get_bucket_cors, bucket, status=404, code="NoSuchCORSConfiguration")


def test_not_json_is_malformed(raw, bucket):
    r = raw.request("PUT", encode_path(bucket), CORS, JSON, b"{not json")
    assert_json_error(r, 400, "MalformedJSON")


def test_a_preflight_is_answered_from_the_rules(bos, server, bucket):
    bos.put_bucket_cors(bucket, RULES)
    r = preflight(server, bucket, "dir/k", ORIGIN, "PUT", "X-Bce-Meta-Owner, content-type")
    assert r.status_code == 200, r.text
    assert r.headers.get("x-bce-request-id")
    assert cors_headers(r.headers) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, PUT, DELETE",
        "access-control-allow-headers": "x-bce-meta-owner, content-type",
        "access-control-expose-headers": "ETag, x-bce-request-id",
        "access-control-max-age": "3600",
    }
    r = preflight(server, bucket, "k", "http://elsewhere.test", "HEAD")
    assert r.status_code == 200
    assert cors_headers(r.headers) == {"access-control-allow-origin": "*",
                                       "access-control-allow-methods": "HEAD"}


def test_a_signed_preflight_is_answered_the_same(bos, raw, bucket):
    # bce-sdk-go's OptionsObject signs its OPTIONS; the signature grants nothing more.
    bos.put_bucket_cors(bucket, RULES)
    r = raw.request("OPTIONS", encode_path(bucket, "k"),
                    headers={"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"})
    assert r.status == 200, r.body
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    r = raw.request("OPTIONS", encode_path(bucket, "k"),
                    headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert_json_error(r, 403, "AccessDenied")


@pytest.mark.parametrize("origin,method,headers,status", [
    ("http://elsewhere.test", "GET", None, 403),
    (ORIGIN, "POST", None, 403),
    (ORIGIN, "GET", "x-bce-meta-a, authorization", 403),
    (None, "GET", None, 400),
    (ORIGIN, None, None, 400),
])
def test_a_preflight_no_rule_allows_is_refused(bos, server, bucket, origin, method, headers,
                                               status):
    bos.put_bucket_cors(bucket, RULES)
    r = preflight(server, bucket, "k", origin, method, headers)
    assert r.status_code == status, r.text
    doc = r.json()
    assert doc["code"] == ("AccessDenied" if status == 403 else "InvalidArgument")
    assert doc["requestId"] == r.headers["x-bce-request-id"]
    assert cors_headers(r.headers) == {}


def test_a_preflight_to_a_bucket_without_rules_is_refused(server, bucket):
    r = preflight(server, bucket, "k", ORIGIN, "GET")
    assert r.status_code == 403 and r.json()["code"] == "AccessDenied"
    assert "CORS is not enabled" in r.json()["message"]


def test_actual_requests_carry_the_matching_rule_s_headers(bos, raw, bucket):
    bos.put_bucket_cors(bucket, RULES)
    path = encode_path(bucket, "k")
    put = raw.request("PUT", path, headers={"Origin": ORIGIN}, body=b"data")
    assert put.status == 200
    assert cors_headers(put.headers)["access-control-allow-origin"] == ORIGIN
    assert put.headers["Vary"].startswith("Origin")
    got = raw.request("GET", path, headers={"Origin": ORIGIN})
    assert got.body == b"data"
    assert cors_headers(got.headers)["access-control-allow-methods"] == "GET, PUT, DELETE"
    assert "access-control-allow-headers" not in cors_headers(got.headers)
    # An error is answered with them too.
    missing = raw.request("GET", encode_path(bucket, "missing"), headers={"Origin": ORIGIN})
    assert_json_error(missing, 404, "NoSuchKey")
    assert missing.headers["Access-Control-Allow-Origin"] == ORIGIN
    # HEAD from anywhere by the second rule; POST by none; no Origin, none.
    head = raw.request("HEAD", path, headers={"Origin": "http://elsewhere.test"})
    assert cors_headers(head.headers)["access-control-allow-origin"] == "*"
    assert cors_headers(raw.request("GET", path).headers) == {}
    other = raw.request("GET", path, headers={"Origin": "http://example.org"})
    assert cors_headers(other.headers) == {}
