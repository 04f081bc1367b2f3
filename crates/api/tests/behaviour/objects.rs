//! Put, get, head and delete; user metadata; conditional requests; copy with its metadata
//! directive.

use crate::dialect::{Dialect, bare};
use crate::harness::Call;
use crate::setup;
use http::Method;

async fn put_get_head_delete(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let r = c.put("bkt", "dir/k", b"hello").await.expect(200);
    let etag = r.header("etag").expect("an ETag").to_owned();
    assert_eq!(bare(&etag), "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(r.header(&d.h("version-id")), None, "an unversioned bucket");

    let got = c.get("bkt", "dir/k", None).await.expect(200);
    assert_eq!(&got.body[..], b"hello");
    assert_eq!(got.header("etag"), Some(etag.as_str()));
    assert_eq!(got.header("content-length"), Some("5"));
    assert!(got.header(&d.request_id_header()).is_some());

    let head = c.head("bkt", "dir/k", None).await.expect(200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some("5"));
    assert_eq!(head.header("etag"), Some(etag.as_str()));

    c.put("bkt", "dir/k", b"second").await.expect(200);
    assert_eq!(c.read("bkt", "dir/k", None).await, b"second");

    c.delete("bkt", "dir/k", None).await.expect(204);
    let r = c.get("bkt", "dir/k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
    let r = c.head("bkt", "dir/k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
}

/// Deleting a key that does not exist: S3 and OSS answer 204 (idempotent); BOS reports the
/// missing key as NoSuchKey.
async fn delete_of_a_missing_key(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let r = c.delete("bkt", "never", None).await;
    match d {
        Dialect::Bos => c.assert_error(&r, 404, "NoSuchKey"),
        _ => assert_eq!(r.status.as_u16(), 204, "{}", r.text()),
    }
}

async fn user_metadata_and_content_headers(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let call = Call::new(Method::PUT, d.path("bkt", Some("k")))
        .header(d.h("meta-colour"), "blue")
        .header("content-type", "text/plain")
        .body("text");
    c.send(call).await.expect(200);
    let head = c.head("bkt", "k", None).await.expect(200);
    assert_eq!(head.header(&d.h("meta-colour")), Some("blue"));
    assert_eq!(head.header("content-type"), Some("text/plain"));
}

async fn ranged_get(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put("bkt", "k", b"0123456789").await.expect(200);
    let call = Call::new(Method::GET, d.path("bkt", Some("k"))).header("range", "bytes=2-5");
    let r = c.send(call).await.expect(206);
    assert_eq!(&r.body[..], b"2345");
    assert_eq!(r.header("content-range"), Some("bytes 2-5/10"));
}

async fn conditional_requests(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let r = c.put("bkt", "k", b"data").await.expect(200);
    let etag = r.header("etag").unwrap().to_owned();
    let get = |name: &'static str, value: String| {
        Call::new(Method::GET, d.path("bkt", Some("k"))).header(name, value)
    };

    let r = c.send(get("if-match", etag.clone())).await.expect(200);
    assert_eq!(&r.body[..], b"data");
    let r = c.send(get("if-none-match", etag.clone())).await.expect(304);
    assert!(r.body.is_empty());
    let r = c.send(get("if-match", "\"0000\"".into())).await;
    c.assert_error(&r, 412, "PreconditionFailed");
    c.send(get("if-none-match", "\"0000\"".into()))
        .await
        .expect(200);
    let future = strata_wire::date::http_date(
        jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600),
    );
    let past = "Mon, 01 Jan 2001 00:00:00 GMT".to_owned();
    c.send(get("if-modified-since", future.clone()))
        .await
        .expect(304);
    c.send(get("if-modified-since", past.clone()))
        .await
        .expect(200);
    let r = c.send(get("if-unmodified-since", past)).await;
    c.assert_error(&r, 412, "PreconditionFailed");
    c.send(get("if-unmodified-since", future)).await.expect(200);
}

async fn copy_keeps_or_replaces_metadata(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.create_bucket("other").await;
    let call = Call::new(Method::PUT, d.path("bkt", Some("src")))
        .header(d.h("meta-colour"), "blue")
        .header("content-type", "text/plain")
        .body("source body");
    let src_etag = c
        .send(call)
        .await
        .expect(200)
        .header("etag")
        .unwrap()
        .to_owned();

    // The default directive copies the source's metadata.
    let call = Call::new(Method::PUT, d.path("other", Some("copy")))
        .header(d.h("copy-source"), d.copy_source("bkt", "src", None));
    let r = c.send(call).await.expect(200);
    assert_eq!(bare(&d.read_copy_etag(&r)), bare(&src_etag));
    let head = c.head("other", "copy", None).await.expect(200);
    assert_eq!(head.header(&d.h("meta-colour")), Some("blue"));
    assert_eq!(head.header("content-type"), Some("text/plain"));
    assert_eq!(c.read("other", "copy", None).await, b"source body");

    // REPLACE takes the request's metadata instead.
    let call = Call::new(Method::PUT, d.path("bkt", Some("replaced")))
        .header(d.h("copy-source"), d.copy_source("bkt", "src", None))
        .header(d.h("metadata-directive"), d.metadata_directive(true))
        .header(d.h("meta-shape"), "round")
        .header("content-type", "application/octet-stream");
    c.send(call).await.expect(200);
    let head = c.head("bkt", "replaced", None).await.expect(200);
    assert_eq!(head.header(&d.h("meta-shape")), Some("round"));
    assert_eq!(head.header(&d.h("meta-colour")), None);
    assert_eq!(
        head.header("content-type"),
        Some("application/octet-stream")
    );

    // A copy onto itself must replace something.
    let call = Call::new(Method::PUT, d.path("bkt", Some("src")))
        .header(d.h("copy-source"), d.copy_source("bkt", "src", None))
        .header(d.h("metadata-directive"), d.metadata_directive(true))
        .header(d.h("meta-colour"), "red");
    c.send(call).await.expect(200);
    let head = c.head("bkt", "src", None).await.expect(200);
    assert_eq!(head.header(&d.h("meta-colour")), Some("red"));
    assert_eq!(c.read("bkt", "src", None).await, b"source body");
}

async fn copy_of_a_missing_source(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let call = Call::new(Method::PUT, d.path("bkt", Some("dst")))
        .header(d.h("copy-source"), d.copy_source("bkt", "missing", None));
    let r = c.send(call).await;
    c.assert_error(&r, 404, "NoSuchKey");
}

/// A write that must not replace an object: S3's and BOS's `If-None-Match: *` (412), OSS's
/// `x-oss-forbid-overwrite: true` (409 FileAlreadyExists), on a put and (S3, OSS) a copy's
/// destination; the object is kept, and a free key is written.
async fn a_write_that_must_not_replace_an_object(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put("bkt", "src", b"source").await.expect(200);
    c.put("bkt", "taken", b"kept").await.expect(200);
    let (name, value, status, code) = match d {
        Dialect::Oss => ("x-oss-forbid-overwrite", "true", 409, "FileAlreadyExists"),
        _ => ("if-none-match", "*", 412, "PreconditionFailed"),
    };
    let put = |key: &str| {
        Call::new(Method::PUT, d.path("bkt", Some(key)))
            .header(name, value)
            .body("new")
    };
    let r = c.send(put("taken")).await;
    c.assert_error(&r, status, code);
    c.send(put("free")).await.expect(200);
    if d != Dialect::Bos {
        let copy = |key: &str| {
            Call::new(Method::PUT, d.path("bkt", Some(key)))
                .header(d.h("copy-source"), d.copy_source("bkt", "src", None))
                .header(name, value)
        };
        let r = c.send(copy("taken")).await;
        c.assert_error(&r, status, code);
        c.send(copy("copied")).await.expect(200);
        assert_eq!(c.read("bkt", "copied", None).await, b"source");
    }
    assert_eq!(c.read("bkt", "taken", None).await, b"kept");
    assert_eq!(c.read("bkt", "free", None).await, b"new");
}

crate::each_dialect!(
    put_get_head_delete,
    delete_of_a_missing_key,
    user_metadata_and_content_headers,
    ranged_get,
    conditional_requests,
    copy_keeps_or_replaces_metadata,
    copy_of_a_missing_source,
    a_write_that_must_not_replace_an_object,
);
