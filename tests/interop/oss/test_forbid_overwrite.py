"""oss2 and requests: `x-oss-forbid-overwrite: true` keeps an existing object.

OSS refuses a PutObject, CopyObject, InitiateMultipartUpload or CompleteMultipartUpload that
would replace an object of the same name with 409 FileAlreadyExists (PostObject takes the
same as a form field); `false`, or no header, overwrites. In a bucket whose versioning is
Enabled or Suspended the header has no effect (the write keeps what it replaces).
"""

from __future__ import annotations

import oss2
import pytest
import requests

from .test_post_object import post, v1_form

FORBID = {"x-oss-forbid-overwrite": "true"}


def refused(call) -> None:
    with pytest.raises(oss2.exceptions.OssError) as e:
        call()
    assert (e.value.status, e.value.code) == (409, "FileAlreadyExists"), e.value


def test_put_object_keeps_an_existing_object(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("k", b"first", headers=FORBID)
    refused(lambda: b.put_object("k", b"second", headers=FORBID))
    assert b.get_object("k").read() == b"first"
    b.put_object("k", b"third", headers={"x-oss-forbid-overwrite": "false"})
    assert b.get_object("k").read() == b"third"
    b.put_object("k", b"fourth")
    assert b.get_object("k").read() == b"fourth"


def test_copy_object_keeps_an_existing_destination(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("src", b"source")
    b.put_object("dst", b"destination")
    refused(lambda: b.copy_object(bucket, "src", "dst", headers=FORBID))
    assert b.get_object("dst").read() == b"destination"
    # A source condition that holds, with the destination taken: still the overwrite's 409.
    etag = '"' + b.head_object("src").etag + '"'
    refused(lambda: b.copy_object(bucket, "src", "dst",
                                  headers={**FORBID, "x-oss-copy-source-if-match": etag}))
    # A free destination is written; a source condition that fails is still 412.
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        b.copy_object(bucket, "src", "new", headers={
            **FORBID, "x-oss-copy-source-if-match": '"0123456789ABCDEF0123456789ABCDEF"'})
    b.copy_object(bucket, "src", "new", headers=FORBID)
    assert b.get_object("new").read() == b"source"


def test_multipart_upload_is_refused_at_initiate_and_at_complete(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("taken", b"kept")
    refused(lambda: b.init_multipart_upload("taken", headers=FORBID))
    # Initiated while the key was free; the key is taken before the completion.
    upload_id = b.init_multipart_upload("free", headers=FORBID).upload_id
    part = b.upload_part("free", upload_id, 1, b"multipart body")
    b.put_object("free", b"arrived first")
    parts = [oss2.models.PartInfo(1, part.etag)]
    refused(lambda: b.complete_multipart_upload("free", upload_id, parts, headers=FORBID))
    assert b.get_object("free").read() == b"arrived first"
    b.complete_multipart_upload("free", upload_id, parts)
    assert b.get_object("free").read() == b"multipart body"


def test_post_object_takes_the_field(server, admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("posted", b"before")
    conditions = [["eq", "$key", "posted"]]
    form = v1_form(server, bucket, conditions,
                   {"key": "posted", "x-oss-forbid-overwrite": "true"})
    r = post(server, bucket, form, b"from the form")
    assert r.status_code == 409, r.text
    assert "<Code>FileAlreadyExists</Code>" in r.text
    assert b.get_object("posted").read() == b"before"
    form = v1_form(server, bucket, conditions,
                   {"key": "posted", "x-oss-forbid-overwrite": "false"})
    assert post(server, bucket, form, b"from the form").status_code == 204
    assert b.get_object("posted").read() == b"from the form"


def test_a_value_other_than_true_or_false_is_refused(admin, bucket):
    b: oss2.Bucket = admin.bucket(bucket)
    with pytest.raises(oss2.exceptions.OssError) as e:
        b.put_object("k", b"x", headers={"x-oss-forbid-overwrite": "abc"})
    assert (e.value.status, e.value.code) == (400, "InvalidArgument")
    assert not b.object_exists("k")


@pytest.mark.parametrize("status", ["Enabled", "Suspended"])
def test_versioned_buckets_ignore_it(admin, bucket, status):
    admin.put_bucket_versioning(bucket, "Enabled")
    if status == "Suspended":
        admin.put_bucket_versioning(bucket, "Suspended")
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("k", b"first", headers=FORBID)
    b.put_object("k", b"second", headers=FORBID)
    assert b.get_object("k").read() == b"second"
    b.copy_object(bucket, "k", "k", headers=FORBID)
    upload_id = b.init_multipart_upload("k", headers=FORBID).upload_id
    part = b.upload_part("k", upload_id, 1, b"third")
    b.complete_multipart_upload("k", upload_id, [oss2.models.PartInfo(1, part.etag)],
                                headers=FORBID)
    assert b.get_object("k").read() == b"third"


def test_requests_shows_the_error_document(server, admin, bucket):
    """The refusal is OSS's error document (what a browser or a raw client sees)."""
    b: oss2.Bucket = admin.bucket(bucket)
    b.put_object("k", b"x")
    url = b.sign_url("PUT", "k", 60, headers=FORBID)
    r = requests.put(url, data=b"y", headers=FORBID, timeout=30)
    assert r.status_code == 409, r.text
    assert "<Code>FileAlreadyExists</Code>" in r.text
