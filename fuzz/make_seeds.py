"""Writes the seed inputs of the fuzz targets into fuzz/seeds/<target>/ (committed).

Run from the repository root with the interop venv: `.venv/bin/python fuzz/make_seeds.py`.
The auth seeds are requests signed, with tests/hardening's signers, by the fuzz targets' key
pair at their clock (2026-01-01T00:00:00Z), so the fuzzer starts from requests whose
signatures check out.
"""

from __future__ import annotations

import struct
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hardening import wire  # noqa: E402

SEEDS = ROOT / "fuzz" / "seeds"
NOW = 1_767_225_600
server = SimpleNamespace(host="127.0.0.1", port=9000, region="us-east-1",
                         access_key="FUZZACCESSKEY0000000",
                         secret_key="FuzzSecretKey0123456789abcdefghijklmnopq")


def write(target: str, name: str, data: bytes) -> None:
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def head(req: wire.Req) -> bytes:
    lines = [f"{req.method} {req.target}", "host: 127.0.0.1:9000"]
    lines += [f"{k}: {v}" for k, v in req.headers.items()]
    return "\n".join(lines).encode()


def sigv2_seeds() -> dict[str, bytes]:
    """Signature V2 requests as botocore's HmacV1Auth / HmacV1QueryAuth sign them."""
    from botocore.auth import HmacV1Auth, HmacV1QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials(server.access_key, server.secret_key)
    base = "http://127.0.0.1:9000"
    put = AWSRequest(method="PUT", url=f"{base}/bucket/dir/a%20b%2Bc.txt?versionId=null",
                     headers={"Content-Type": "text/plain", "x-amz-meta-a": "b",
                              "x-amz-date": time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                          time.gmtime(NOW))})
    HmacV1Auth(creds).add_auth(put)
    get = AWSRequest(method="GET", url=f"{base}/bucket/dir/key?versionId=null&acl")
    HmacV1QueryAuth(creds, expires=3600).add_auth(get)
    out = {}
    for name, r in {"sigv2-put": put, "sigv2-presigned": get}.items():
        lines = [f"{r.method} {r.url[len(base):]}", "host: 127.0.0.1:9000"]
        if name != "sigv2-presigned":
            lines += [f"{k}: {v}" for k, v in r.headers.items()]
        out[name] = "\n".join(lines).encode()
    return out


def main() -> None:
    real_time = time.time
    time.time = lambda: NOW
    try:
        for d in wire.DIALECTS:
            s = wire.Signer(server, d)
            reqs = {
                "put": s.sign("PUT", "bucket", "dir/a b+c.txt", headers={"content-type": "text/plain"}),
                "get-query": s.sign("GET", "bucket", params={"prefix": "a/", "max-keys": "10"}),
                "delete-version": s.sign("DELETE", "bucket", "k", params={"versionId": "null"}),
                "multi-delete": s.sign("POST", "bucket", params={"delete": ""}),
                "list-buckets": s.sign("GET"),
            }
            for name, r in reqs.items():
                write(f"auth_{d}", name, head(r))
                write("request_parts", f"{d}-{name}", head(r))
            if d == "s3":
                target = s.presign_s3("GET", "bucket", "dir/key", expires=3600)
                r = s.sign("PUT", "bucket", "chunked", headers={
                    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                    "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "10"})
                write("auth_s3", "streaming", head(r))
            elif d == "oss":
                target = s.presign_oss("GET", "bucket", "dir/key", expires_at=NOW + 3600)
            else:
                target = s.presign_bos("GET", "bucket", "dir/key", expiration=3600)
            write(f"auth_{d}", "presigned", f"GET {target}\nhost: 127.0.0.1:9000".encode())
        for name, data in sigv2_seeds().items():
            write("auth_s3", name, data)
        write("request_parts", "vhost", b"GET /a//b%20c?prefix=x+y&versions\nhost: bkt.s3.local:9000")
    finally:
        time.time = real_time

    for name, doc in {
        "delete": b'<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&amp;b&#x01;</Key><VersionId>null</VersionId></Object></Delete>',
        "complete": b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"abc\"</ETag></Part></CompleteMultipartUpload>",
        "versioning": b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
        "cdata": b"<a><![CDATA[x<y]]><!-- c --><?pi x?><b/></a>",
        # xml::MAX_DEPTH is 32 levels.
        "nested-to-the-bound": b"<a>" * 32 + b"</a>" * 32,
        "nested-past-the-bound": b"<a>" * 33 + b"</a>" * 33,
    }.items():
        write("xml_parse", name, doc)
    # The first byte picks the document (0 delete, 1 complete, 2 versioning, 3 OSS's public
    # access block, 4 retention, 5 S3's lifecycle, 6 CORS); S3 and OSS both read the first
    # three and the last.
    for name, doc in {
        "delete": b'\x00<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&amp;b&#x01;</Key><VersionId>null</VersionId></Object><Object><Key>dir/a b+c%d~\xc3\xbc.txt</Key><VersionId>0000000000001234deadbeef</VersionId></Object></Delete>',
        "delete-verbose": b"\x00<Delete><Quiet>False</Quiet><Object><Key>k</Key></Object><Object><Key></Key></Object></Delete>",
        "delete-no-key": b"\x00<Delete><Object><VersionId>null</VersionId></Object></Delete>",
        "complete": b'\x01<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>"ABC"</ETag></Part><Part><ETag>&quot;def&quot;</ETag><PartNumber> 2 </PartNumber></Part></CompleteMultipartUpload>',
        "complete-empty": b"\x01<CompleteMultipartUpload/>",
        "complete-nested-past-the-bound": b"\x01<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag>" + b"<a>" * 31 + b"</a>" * 31 + b"</Part></CompleteMultipartUpload>",
        "versioning": b"\x02<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
        "versioning-mfa": b"\x02<VersioningConfiguration><MfaDelete>Disabled</MfaDelete><Status> Suspended </Status></VersioningConfiguration>",
        "public-access-block": b"\x03<PublicAccessBlockConfiguration><BlockPublicAccess>True</BlockPublicAccess></PublicAccessBlockConfiguration>",
        # 5: S3's lifecycle configuration, both forms.
        "s3-lifecycle": b'\x05<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>logs</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays><NewerNoncurrentVersions>5</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule><Rule><Filter><Prefix>tmp/</Prefix></Filter><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule><Rule><ID>m</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>',
        "s3-cors": b'\x06<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>r</ID><AllowedHeader>x-amz-meta-*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>http://*.example.com</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule><CORSRule><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>',
        "oss-cors": b"\x06<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>DELETE</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>x-oss-test</ExposeHeader><MaxAgeSeconds>100</MaxAgeSeconds></CORSRule><ResponseVary>True</ResponseVary></CORSConfiguration>",
        "s3-lifecycle-legacy": b"\x05<LifecycleConfiguration><Rule><ID>old</ID><Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>",
    }.items():
        write("xml_requests", name, doc)
    # The first byte picks the reader (0 ACL document, 1 grant header, 2 public access block,
    # 3 ownership controls).
    for name, doc in {
        "acl": b'\x00<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>bob</ID><DisplayName>Bob</DisplayName></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
        "acl-email": b"\x00<AccessControlPolicy><AccessControlList><Grant><Grantee><EmailAddress>a@example.com</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
        "grant-header": b'\x01id="bob", uri="http://acs.amazonaws.com/groups/s3/LogDelivery",id=carol',
        "grant-header-email": b'\x01emailAddress="a@example.com"',
        "public-access-block": b"\x02<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls></PublicAccessBlockConfiguration>",
        "ownership-controls": b"\x03<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>",
    }.items():
        write("s3_access", name, doc)
    write("bos_json", "delete", b'\x00{"objects":[{"key":"a"},{"key":"b","versionId":"null"}]}')
    write("bos_json", "complete", b'\x01{"parts":[{"partNumber":1,"eTag":"\\"ABC\\""}]}')
    write("bos_json", "versioning", b'\x02{"status":"enabled"}')
    write("bos_json", "cors", b'\x05{"corsConfiguration":[{"allowedOrigins":["http://*.example.com"],'
          b'"allowedMethods":["GET","PUT"],"allowedHeaders":["x-bce-meta-*"],'
          b'"allowedExposeHeaders":["ETag"],"maxAgeSeconds":3600},'
          b'{"allowedOrigins":["*"],"allowedMethods":["HEAD"],"allowedHeaders":null}]}')
    # bos::document::MAX_DEPTH is 32 levels; serde_json skips unknown members however deep.
    write("bos_json", "delete-nested-past-the-bound",
          b'\x00{"objects":[{"key":"a"}],"x":' + b"[" * 32 + b"]" * 32 + b"}")
    # An unknown member name that is not UTF-8: serde_json skips it, a `Value` refuses it.
    write("bos_json", "complete-unknown-member-name-not-utf8",
          b'\x01{"partsA":[{"pabtNumbe\xf2":1,"e1ag":"\\"ABC\\""}]}')
    for name, doc in {
        "header": b"\x00a=1&b%20c=d+e&lone",
        "header-two-equals": b"\x00aa=bb=cc",
        "document": b"\x01<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
                    b"<Tag><Key>b&amp;c</Key><Value/></Tag></TagSet></Tagging>",
        "bos-object": b'\x02{"tagSet":[{"tagInfo":[{"key":"k1","value":"v1"},{"key":"k2","value":"v2"}]}]}',
        "bos-bucket": b'\x03{"tags":[{"tagKey":"key1","tagValue":"value123"}]}',
    }.items():
        write("tagging", name, doc)
    for name, r in {"span": "bytes=0-9", "from": "bytes=5-", "suffix": "bytes=-3",
                    "multi": "bytes=1-2,4-5", "spaces": " bytes = 1 - 2 "}.items():
        write("range", name, struct.pack("<Q", 1000) + r.encode())
    for name, c in {"plain": "/bucket/dir/key", "version": "/bucket/k%20ey?versionId=0000000000001234deadbeef",
                    "no-slash": "bucket/a+b", "null": "/b/k?versionId=null"}.items():
        write("copy_source", name, c.encode())
    for name, n in {"bucket": "my-bucket.2", "ip": "192.168.1.1", "version": "0000000000001234deadbeef",
                    "null": "null", "key": "dir/../a\x00b"}.items():
        write("names", name, n.encode())
    sig = "0" * 64
    for name, (ctl, body) in {
        "unsigned-trailer": (b"\x00\x01\x02\x07", b"a\r\n0123456789\r\n4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"),
        "signed": (b"\x01\x00\x00\x03", f"a;chunk-signature={sig}\r\n0123456789\r\n0;chunk-signature={sig}\r\n\r\n".encode()),
        "signed-trailer": (b"\x02\x00\x00\x05", f"0;chunk-signature={sig}\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:{sig}\r\n\r\n".encode()),
    }.items():
        write("aws_chunked", name, ctl + body)


if __name__ == "__main__":
    main()
