"""A bucket's CORS configuration through oss2 and alibabacloud-oss-v2, each with both
signature versions: PutBucketCors, GetBucketCors, DeleteBucketCors, what OSS refuses,
preflights (OPTIONS, unsigned as browsers send them, and alibabacloud-oss-v2's own
`option_object`) answered from the rules, and the headers of actual requests that carry
`Origin`.

Wire facts (OSS's PutBucketCors, GetBucketCors, DeleteBucketCors and Options references, and
the SDKs): a configuration is `<CORSConfiguration>` of at most 10 `<CORSRule>`s
(AllowedOrigin, AllowedMethod, AllowedHeader, ExposeHeader, MaxAgeSeconds) and
`<ResponseVary>`, which oss2 writes in lower case; none is 404 `NoSuchCORSConfiguration`; a
delete answers 204, also when there is none; a preflight no rule allows is 403
`AccessForbidden` with a "CORSResponse: ..." message.
"""

from __future__ import annotations

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest
import requests

from .clients import Client, OssError, make_client

ORIGIN = "http://www.example.com"

# (origins, methods, allowed headers, expose headers, max age)
RULES = [
    (["http://*.example.com"], ["GET", "PUT"], ["x-oss-meta-*", "Content-Type"],
     ["ETag", "x-oss-request-id"], 600),
    (["*"], ["HEAD"], ["x-oss-*"], [], None),
]


def put_cors(c: Client, bucket: str, rules=RULES, vary=None) -> int:
    with c._errors():
        if c.sdk == "oss2":
            cfg = oss2.models.BucketCors(
                [oss2.models.CorsRule(*r) for r in rules], response_vary=vary)
            return c.bucket(bucket).put_bucket_cors(cfg).status
        m = ossv2.models
        cfg = m.CORSConfiguration(
            cors_rules=[m.CORSRule(allowed_origins=o, allowed_methods=ms,
                                   allowed_headers=h or None, expose_headers=e or None,
                                   max_age_seconds=a) for o, ms, h, e, a in rules],
            response_vary=vary)
        return c.client.put_bucket_cors(
            m.PutBucketCorsRequest(bucket=bucket, cors_configuration=cfg)).status_code


def get_cors(c: Client, bucket: str) -> tuple[list[tuple], bool | None]:
    """The rules as the SDK parses them back, and ResponseVary."""
    with c._errors():
        if c.sdk == "oss2":
            got = c.bucket(bucket).get_bucket_cors()
            return ([(r.allowed_origins, r.allowed_methods, r.allowed_headers, r.expose_headers,
                      r.max_age_seconds) for r in got.rules], got.response_vary)
        got = c.client.get_bucket_cors(
            ossv2.models.GetBucketCorsRequest(bucket=bucket)).cors_configuration
        return ([(r.allowed_origins, r.allowed_methods, r.allowed_headers or [],
                  r.expose_headers or [], r.max_age_seconds) for r in got.cors_rules],
                got.response_vary)


def delete_cors(c: Client, bucket: str) -> int:
    with c._errors():
        if c.sdk == "oss2":
            return c.bucket(bucket).delete_bucket_cors().status
        return c.client.delete_bucket_cors(
            ossv2.models.DeleteBucketCorsRequest(bucket=bucket)).status_code


def preflight(server, bucket: str, key: str, origin=None, method=None, headers=None):
    """An unsigned preflight. The headers asked for name `x-oss-` ones, which is what makes
    the server answer a preflight in OSS's format (there is no signature to tell it)."""
    sent = {"Access-Control-Request-Headers": headers or "x-oss-meta-a"}
    if origin:
        sent["Origin"] = origin
    if method:
        sent["Access-Control-Request-Method"] = method
    return requests.options(f"{server.endpoint}/{bucket}/{key}", headers=sent, timeout=30)


def cors_headers(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


def test_a_configuration_is_put_read_and_deleted(client, bucket):
    with pytest.raises(OssError) as e:
        get_cors(client, bucket)
    assert (e.value.status, e.value.code) == (404, "NoSuchCORSConfiguration")
    assert put_cors(client, bucket, vary=True) == 200
    rules, vary = get_cors(client, bucket)
    assert rules == [tuple(r) for r in RULES]
    assert vary is True
    # A put replaces the whole configuration; without ResponseVary it is false.
    put_cors(client, bucket, [(["http://a"], ["DELETE", "POST"], [], [], 5)])
    assert get_cors(client, bucket) == ([(["http://a"], ["DELETE", "POST"], [], [], 5)], False)
    assert delete_cors(client, bucket) == 204
    with pytest.raises(OssError) as e:
        get_cors(client, bucket)
    assert (e.value.status, e.value.code) == (404, "NoSuchCORSConfiguration")
    assert delete_cors(client, bucket) == 204


@pytest.mark.parametrize("rules", [
    [(["*"], ["PATCH"], [], [], None)],  # not a method a rule may allow
    [(["http://*.*.com"], ["GET"], [], [], None)],  # two wildcards
    [(["*"], ["GET"], ["x-*-*"], [], None)],
    [(["*"], ["GET"], [], ["x-oss-*"], None)],  # no wildcard in an exposed header
    [(["*"], ["GET"], [], [], None)] * 11,  # OSS allows 10 rules
])
def test_what_oss_refuses(client, bucket, rules):
    with pytest.raises(OssError) as e:
        put_cors(client, bucket, rules)
    assert (e.value.status, e.value.code) == (400, "InvalidArgument")
    with pytest.raises(OssError) as e:
        get_cors(client, bucket)
    assert e.value.code == "NoSuchCORSConfiguration"


def test_a_configuration_that_is_not_one_is_malformed(bucket, raw):
    for body in [b"not xml", b"<CORSConfiguration/>",
                 b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"
                 b"</CORSConfiguration>"]:
        r = raw.request("PUT", bucket, params={"cors": ""}, data=body)
        assert (r.status, r.error_code()) == (400, "MalformedXML"), r.body


def test_a_preflight_is_answered_from_the_rules(admin, server, bucket):
    put_cors(admin, bucket, vary=True)
    r = preflight(server, bucket, "k", ORIGIN, "PUT", "X-Oss-Meta-Owner,content-type")
    assert r.status_code == 200, r.text
    assert r.headers.get("x-oss-request-id")
    assert cors_headers(r.headers) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, PUT",
        "access-control-allow-headers": "x-oss-meta-owner, content-type",
        "access-control-expose-headers": "ETag, x-oss-request-id",
        "access-control-max-age": "600",
    }
    assert "Origin" in r.headers["Vary"]
    r = preflight(server, bucket, "k", "http://elsewhere.test", "HEAD")
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("origin,method,headers", [
    ("http://elsewhere.test", "GET", None),
    (ORIGIN, "DELETE", None),
    (ORIGIN, "GET", "x-oss-meta-a,authorization"),
])
def test_a_preflight_no_rule_allows_is_forbidden(admin, server, bucket, origin, method, headers):
    put_cors(admin, bucket)
    r = preflight(server, bucket, "k", origin, method, headers)
    assert r.status_code == 403, r.text
    assert r.headers.get("x-oss-request-id")
    body = r.content.decode()
    assert "<Code>AccessForbidden</Code>" in body
    assert "CORSResponse: This CORS request is not allowed." in body
    assert cors_headers(r.headers) == {}


def test_a_preflight_without_rules_origin_or_method(admin, server, bucket):
    r = preflight(server, bucket, "k", ORIGIN, "GET")
    assert r.status_code == 403 and "<Code>AccessForbidden</Code>" in r.text
    assert "CORS is not enabled for this bucket" in r.text
    put_cors(admin, bucket)
    r = preflight(server, bucket, "k", None, "GET")
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text
    r = preflight(server, bucket, "k", ORIGIN, None)
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text


@pytest.mark.parametrize("signature", ["v1", "v4"])
def test_option_object_of_alibabacloud_oss_v2(admin, server, bucket, signature):
    v2 = make_client(f"v2-{signature}", server)
    m = ossv2.models
    ask = dict(bucket=bucket, key="photo.jpg", origin=ORIGIN,
               access_control_request_method="PUT",
               access_control_request_headers="x-oss-meta-a")
    with pytest.raises(ossv2.exceptions.OperationError) as e:
        v2.client.option_object(m.OptionObjectRequest(**ask))
    inner = e.value.unwrap()
    assert (inner.status_code, inner.code) == (403, "AccessForbidden")
    put_cors(admin, bucket)
    got = v2.client.option_object(m.OptionObjectRequest(**ask))
    assert got.status_code == 200
    assert got.access_control_allow_origin == ORIGIN
    assert got.access_control_allow_methods == "GET, PUT"
    assert got.access_control_allow_headers == "x-oss-meta-a"
    assert got.access_control_expose_headers == "ETag, x-oss-request-id"
    assert got.access_control_max_age == 600


def test_actual_requests_carry_the_matching_rule_s_headers(admin, bucket):
    put_cors(admin, bucket, vary=False)
    b = admin.bucket(bucket)
    put = b.put_object("k", b"data", headers={"Origin": ORIGIN})
    assert cors_headers(put.headers)["access-control-allow-origin"] == ORIGIN
    assert cors_headers(put.headers)["access-control-allow-methods"] == "GET, PUT"
    # ResponseVary false: no Vary.
    assert "Vary" not in put.headers
    got = b.get_object("k", headers={"Origin": ORIGIN})
    assert got.read() == b"data"
    assert got.headers["Access-Control-Expose-Headers"] == "ETag, x-oss-request-id"
    # An error carries them too.
    with pytest.raises(oss2.exceptions.NoSuchKey) as e:
        b.get_object("missing", headers={"Origin": ORIGIN})
    assert e.value.headers["Access-Control-Allow-Origin"] == ORIGIN
    # HEAD is allowed for any origin by the second rule; DELETE by none.
    head = b.head_object("k", headers={"Origin": "http://elsewhere.test"})
    assert cors_headers(head.headers) == {"access-control-allow-origin": "*",
                                          "access-control-allow-methods": "HEAD"}
    deleted = b.delete_object("k", headers={"Origin": ORIGIN})
    assert cors_headers(deleted.headers) == {}
    assert cors_headers(b.put_object("k2", b"").headers) == {}
