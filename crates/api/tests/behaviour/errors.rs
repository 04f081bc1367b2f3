//! Errors and their shapes (status, code, content type, request-ID header) in each dialect,
//! and user isolation.

use crate::dialect::{Dialect, Versioning};
use crate::harness::{ADMIN, Call, OTHER};
use crate::setup;
use http::{HeaderMap, HeaderValue, Method};

async fn no_such_bucket(d: Dialect) {
    let (_s, c) = setup(d).await;
    let r = c
        .send(Call::new(Method::GET, d.path("nowhere", None)))
        .await;
    c.assert_error(&r, 404, "NoSuchBucket");
    let r = c.put("nowhere", "k", b"x").await;
    c.assert_error(&r, 404, "NoSuchBucket");
    let r = c.get("nowhere", "k", None).await;
    c.assert_error(&r, 404, "NoSuchBucket");
    // A HEAD answers the status and request ID with no body.
    let r = c
        .send(Call::new(Method::HEAD, d.path("nowhere", None)))
        .await;
    assert!(r.body.is_empty());
    c.assert_error(&r, 404, "NoSuchBucket");
}

async fn no_such_key_and_no_such_upload(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let r = c.get("bkt", "missing", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
    let r = c
        .list_parts("bkt", "k", "0123456789abcdef0123456789abcdef")
        .await;
    c.assert_error(&r, 404, "NoSuchUpload");
    let r = c
        .abort("bkt", "k", "0123456789abcdef0123456789abcdef")
        .await;
    c.assert_error(&r, 404, "NoSuchUpload");
}

/// A signature that does not verify: S3 and OSS answer 403, BOS 400 (its table's status);
/// an unknown access key is InvalidAccessKeyId; an unsigned request is AccessDenied (S3's
/// error, the front door's dialect for requests that are not signed).
async fn bad_signatures(d: Dialect) {
    let (s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let flip_last = |h: &mut HeaderMap| {
        let mut v = h["authorization"].to_str().unwrap().to_owned();
        let last = v.pop().unwrap();
        v.push(if last == '0' { '1' } else { '0' });
        h.insert("authorization", HeaderValue::from_str(&v).unwrap());
    };
    let r = c
        .send_with(Call::new(Method::GET, d.path("bkt", None)), flip_last)
        .await;
    let status = if d == Dialect::Bos { 400 } else { 403 };
    c.assert_error(&r, status, "SignatureDoesNotMatch");

    let stranger = s.client_as(d, ("AKIDNOBODYKNOWS00000", "whatever"));
    let r = stranger
        .send(Call::new(Method::GET, d.path("bkt", None)))
        .await;
    c.assert_error(&r, 403, "InvalidAccessKeyId");

    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(crate::harness::HOST));
    let r = c
        .raw(Method::GET, &d.path("bkt", None), h, Vec::new())
        .await;
    // Anonymous: answered in S3's shape, or BOS's for BOS's `/v1/` address form.
    let shape = if d == Dialect::Bos { d } else { Dialect::S3 };
    s.client(shape).assert_error(&r, 403, "AccessDenied");
}

async fn malformed_documents(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let code = if d == Dialect::Bos {
        "MalformedJSON"
    } else {
        "MalformedXML"
    };
    let target = format!("{}?versioning", d.path("bkt", None));
    let r = c
        .send(Call::new(Method::PUT, target).body("<Versioning{"))
        .await;
    c.assert_error(&r, 400, code);
    assert_eq!(c.versioning("bkt").await, Versioning::Off);

    let id = c.initiate("bkt", "k").await;
    let target = format!("{}?uploadId={id}", d.path("bkt", Some("k")));
    let r = c
        .send(Call::new(Method::POST, target).body("<CompleteMultipartUpload><Part>"))
        .await;
    c.assert_error(&r, 400, code);
}

/// Features Strata lacks are refused whole with 501, never half carried out.
async fn not_implemented(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put_ok("bkt", "k", b"x").await;
    let r = c
        .send(Call::new(
            Method::GET,
            format!("{}?restore", d.path("bkt", Some("k"))),
        ))
        .await;
    c.assert_error(&r, 501, "NotImplemented");
    let r = c
        .send(Call::new(
            Method::GET,
            format!("{}?logging", d.path("bkt", None)),
        ))
        .await;
    c.assert_error(&r, 501, "NotImplemented");
}

/// A user reaches only its own buckets (also as a copy source); the administrator (the
/// server's own key pair) reaches every bucket.
async fn users_are_isolated(d: Dialect) {
    let (s, admin) = setup(d).await;
    let other = s.client_as(d, OTHER);
    assert_ne!(OTHER, ADMIN);
    admin.create_bucket("admins").await;
    admin.put_ok("admins", "secret", b"x").await;
    other.create_bucket("others").await;
    other.put_ok("others", "mine", b"y").await;

    let r = other
        .send(Call::new(Method::GET, d.path("admins", None)))
        .await;
    other.assert_error(&r, 403, "AccessDenied");
    let r = other.get("admins", "secret", None).await;
    other.assert_error(&r, 403, "AccessDenied");
    let r = other.put("admins", "planted", b"z").await;
    other.assert_error(&r, 403, "AccessDenied");
    let r = other.delete("admins", "secret", None).await;
    other.assert_error(&r, 403, "AccessDenied");
    let call = Call::new(Method::PUT, d.path("others", Some("stolen")))
        .header(d.h("copy-source"), d.copy_source("admins", "secret", None));
    let r = other.send(call).await;
    other.assert_error(&r, 403, "AccessDenied");
    assert_eq!(admin.read("admins", "secret", None).await, b"x");
    let r = admin.get("admins", "planted", None).await;
    admin.assert_error(&r, 404, "NoSuchKey");

    assert_eq!(other.read("others", "mine", None).await, b"y");
    assert_eq!(admin.read("others", "mine", None).await, b"y");
}

/// The request log names who signed a request (or that nobody did), its dialect, its
/// operation and the error answered.
async fn the_request_log_names_signer_operation_and_error(d: Dialect) {
    let (s, admin) = setup(d).await;
    let name = match d {
        Dialect::S3 => "s3",
        Dialect::Oss => "oss",
        Dialect::Bos => "bos",
    };
    admin.create_bucket("logged").await;
    let r = admin.put("logged", "k", b"x").await;
    let log = r.log.expect("a log record");
    assert_eq!(log.dialect, name);
    assert_eq!(log.access_key.as_deref(), Some(ADMIN.0));
    assert_eq!(log.operation, Some("PutObject"));
    assert_eq!((log.error, log.anonymous), (None, false));

    let r = admin.get("logged", "missing", None).await;
    let log = r.log.expect("a log record");
    assert_eq!(log.operation, Some("GetObject"));
    assert_eq!(log.error, Some("NoSuchKey"));

    let other = s.client_as(d, OTHER);
    let r = other.get("logged", "k", None).await;
    let log = r.log.expect("a log record");
    assert_eq!(log.access_key.as_deref(), Some(OTHER.0));
    assert_eq!(log.error, Some("AccessDenied"));
    // Routed before the access decision: the log names what was refused.
    assert_eq!(log.operation, Some("GetObject"));

    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(crate::harness::HOST));
    let r = admin
        .raw(Method::GET, &d.path("logged", Some("k")), h, Vec::new())
        .await;
    let log = r.log.expect("a log record");
    // Unsigned requests are BOS's by BOS's `/v1/` address form, else S3's.
    let shape = if d == Dialect::Bos { "bos" } else { "s3" };
    assert_eq!((log.dialect, log.anonymous), (shape, true));
    assert_eq!((log.access_key, log.error), (None, Some("AccessDenied")));
}

crate::each_dialect!(
    the_request_log_names_signer_operation_and_error,
    no_such_bucket,
    no_such_key_and_no_such_upload,
    bad_signatures,
    malformed_documents,
    not_implemented,
    users_are_isolated,
);
