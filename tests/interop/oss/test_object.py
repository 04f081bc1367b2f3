"""PutObject / GetObject / HeadObject: headers (quoted upper-case ETag, x-oss-hash-crc64ecma,
x-oss-request-id, user metadata) and object names."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from .clients import OssError
from .support import (
    MAX_KEY_BYTES,
    SPECIAL_KEYS,
    assert_crc_header,
    assert_delete_marker_header,
    assert_quoted_etag,
    assert_request_id,
    assert_version_id_header,
    crc64,
    key_of_bytes,
)

HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def test_put_get_head_report_quoted_etag_crc64_and_request_id(client, bucket):
    data = b"hello world"
    put = client.put_object(bucket, "obj.txt", data)
    assert put.status == 200
    assert_request_id(put.headers)
    assert_quoted_etag(put.headers, data)
    assert_crc_header(put.headers, data)
    assert put.crc64 == crc64(data) == 5981764153023615706  # CRC-64/XZ of "hello world"
    assert_version_id_header(put.headers, None)  # unversioned bucket: no x-oss-version-id

    get = client.get_object(bucket, "obj.txt")
    assert get.status == 200
    assert get.body == data
    assert_request_id(get.headers)
    assert_quoted_etag(get.headers, data)
    assert_crc_header(get.headers, data)
    assert get.headers.get("Content-Length") == str(len(data))
    assert get.headers.get("x-oss-object-type") == "Normal"
    assert HTTP_DATE.match(get.headers.get("Last-Modified", "")), get.headers.get("Last-Modified")
    assert_version_id_header(get.headers, None)

    head = client.head_object(bucket, "obj.txt")
    assert head.status == 200
    assert_request_id(head.headers)
    assert_quoted_etag(head.headers, data)
    assert_crc_header(head.headers, data)
    assert head.headers.get("Content-Length") == str(len(data))
    assert head.headers.get("x-oss-object-type") == "Normal"


def test_empty_object_has_crc64_zero(client, bucket):
    put = client.put_object(bucket, "empty", b"")
    assert put.headers.get("x-oss-hash-crc64ecma") == "0"
    assert_quoted_etag(put.headers, b"")
    get = client.get_object(bucket, "empty")
    assert get.body == b""
    assert get.headers.get("x-oss-hash-crc64ecma") == "0"


def test_overwrite_in_unversioned_bucket_replaces_the_data(client, bucket):
    client.put_object(bucket, "k", b"first")
    client.put_object(bucket, "k", b"second")
    assert client.get_object(bucket, "k").body == b"second"
    assert client.list_objects(bucket).keys == ["k"]


def test_user_metadata_round_trips(client, bucket):
    client.put_object(bucket, "meta", b"m", headers={"x-oss-meta-color": "red",
                                                    "Content-Type": "text/plain"})
    head = client.head_object(bucket, "meta")
    assert head.headers.get("x-oss-meta-color") == "red"
    assert head.headers.get("Content-Type") == "text/plain"


@pytest.mark.parametrize("value", ["b\u00e4r", "caf\u00e9 cr\u00e8me"])
def test_non_ascii_user_metadata_round_trips_byte_for_byte(client, bucket, value):
    """oss2 and the v2 SDK sign header strings as UTF-8 but Python's http.client sends them as
    Latin-1 (`ä` is the byte E4); the value is stored and returned as those bytes, which the
    SDKs read back (as Latin-1) into the string that was put."""
    client.put_object(bucket, "meta", b"m", headers={"x-oss-meta-note": value})
    assert client.head_object(bucket, "meta").headers.get("x-oss-meta-note") == value
    assert client.get_object(bucket, "meta").headers.get("x-oss-meta-note") == value


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_special_key_round_trips_through_put_get_head_list_delete(client, bucket, key):
    data = key.encode() * 3
    client.put_object(bucket, key, data)
    assert client.get_object(bucket, key).body == data
    head = client.head_object(bucket, key)
    assert head.headers.get("Content-Length") == str(len(data))
    assert client.list_objects(bucket).keys == [key]
    assert client.list_objects(bucket, prefix=key).keys == [key]
    assert client.delete_object(bucket, key).status == 204
    assert client.list_objects(bucket).keys == []


def test_key_of_1023_bytes_round_trips(client, bucket):
    key = key_of_bytes(MAX_KEY_BYTES)
    client.put_object(bucket, key, b"long")
    assert client.get_object(bucket, key).body == b"long"
    assert client.list_objects(bucket).keys == [key]
    assert client.delete_object(bucket, key).status == 204


@pytest.mark.parametrize("key", [key_of_bytes(MAX_KEY_BYTES + 1), "k" * (MAX_KEY_BYTES + 1)],
                         ids=["1024-bytes-mixed", "1024-bytes-ascii"])
def test_key_longer_than_1023_bytes_is_400_invalid_object_name(client, bucket, key):
    with pytest.raises(OssError) as e:
        client.put_object(bucket, key, b"too long")
    assert (e.value.status, e.value.code) == (400, "InvalidObjectName")
    assert client.list_objects(bucket).keys == []


def test_get_missing_key_is_404_no_such_key_without_marker_headers(client, bucket):
    with pytest.raises(OssError) as e:
        client.get_object(bucket, "missing")
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    assert_request_id(e.value.headers)
    assert_delete_marker_header(e.value.headers, False)


def test_head_missing_key_is_404_and_x_oss_err_decodes_to_no_such_key(client, bucket):
    with pytest.raises(OssError) as e:
        client.head_object(bucket, "missing")
    # HEAD has no body: the SDK took the code from the x-oss-err header.
    assert (e.value.status, e.value.code) == (404, "NoSuchKey")
    err = ET.fromstring(base64.b64decode(e.value.headers["x-oss-err"]))
    assert err.tag == "Error"
    assert err.findtext("Code") == "NoSuchKey"
    assert err.findtext("RequestId") == e.value.headers.get("x-oss-request-id")
