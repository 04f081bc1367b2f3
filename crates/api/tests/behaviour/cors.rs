//! CORS in each dialect: a bucket's configuration put, read and deleted in the dialect's
//! document; preflights (`OPTIONS`, unsigned, as browsers send them) answered from it, their
//! refusals in the dialect's error format; and the headers of actual requests carrying
//! `Origin`, on successes and errors alike.

use crate::dialect::{Dialect, content_md5};
use crate::harness::{Call, HOST, Resp};
use crate::setup;
use http::{HeaderMap, HeaderValue, Method};

const ORIGIN: &str = "http://www.example.com";

/// One rule: origins `http://*.example.com`, GET and PUT, the dialect's `meta-*` headers
/// allowed, `etag` exposed, ten minutes' age.
fn config_doc(d: Dialect) -> Vec<u8> {
    let meta = d.h("meta-*");
    match d {
        Dialect::Bos => serde_json::json!({"corsConfiguration": [{
            "allowedOrigins": ["http://*.example.com"],
            "allowedMethods": ["GET", "PUT"],
            "allowedHeaders": [meta],
            "allowedExposeHeaders": ["etag"],
            "maxAgeSeconds": 600,
        }]})
        .to_string()
        .into_bytes(),
        _ => format!(
            "<CORSConfiguration><CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin>\
             <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>\
             <AllowedHeader>{meta}</AllowedHeader><ExposeHeader>etag</ExposeHeader>\
             <MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>"
        )
        .into_bytes(),
    }
}

fn cors_target(d: Dialect) -> String {
    format!("{}?cors", d.path("bkt", None))
}

/// A browser's preflight: unsigned, with `Origin`, the method and headers asked for.
async fn preflight(
    c: &crate::harness::Client,
    key: &str,
    origin: Option<&str>,
    method: Option<&str>,
    headers: Option<&str>,
) -> Resp {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    for (name, value) in [
        ("origin", origin),
        ("access-control-request-method", method),
        ("access-control-request-headers", headers),
    ] {
        if let Some(v) = value {
            h.insert(name, HeaderValue::from_str(v).unwrap());
        }
    }
    c.raw(
        Method::OPTIONS,
        &c.d().path("bkt", Some(key)),
        h,
        Vec::new(),
    )
    .await
}

async fn configuration_answers_preflights_and_requests(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put_ok("bkt", "k", b"data").await;
    // The dialect's own header names the dialect of an unsigned preflight (BOS's `/v1` path
    // would too).
    let meta = d.h("meta-one");
    let r = c.send(Call::new(Method::GET, cors_target(d))).await;
    c.assert_error(&r, 404, "NoSuchCORSConfiguration");
    let r = preflight(&c, "k", Some(ORIGIN), Some("GET"), Some(&meta)).await;
    let forbidden = if d == Dialect::Bos {
        "AccessDenied"
    } else {
        "AccessForbidden"
    };
    c.assert_error(&r, 403, forbidden);

    let doc = config_doc(d);
    let put = Call::new(Method::PUT, cors_target(d))
        .header("content-md5", content_md5(&doc))
        .body(doc);
    c.send(put).await.expect(200);
    let r = c
        .send(Call::new(Method::GET, cors_target(d)))
        .await
        .expect(200);
    assert!(r.text().contains("http://*.example.com"), "{}", r.text());

    // A preflight the rule allows.
    let r = preflight(
        &c,
        "k",
        Some(ORIGIN),
        Some("PUT"),
        Some(&meta.to_uppercase()),
    )
    .await;
    let r = r.expect(200);
    assert!(
        r.header(&d.request_id_header()).is_some(),
        "{:?}",
        r.headers
    );
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some(meta.as_str())
    );
    assert_eq!(r.header("access-control-expose-headers"), Some("etag"));
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    // Refused: another origin, a method or a header the rule does not allow.
    for (origin, method, headers) in [
        ("http://example.org", "GET", meta.as_str()),
        (ORIGIN, "DELETE", meta.as_str()),
        (ORIGIN, "GET", "authorization"),
    ] {
        let asked = format!("{headers}, {}", d.h("date"));
        let r = preflight(&c, "k", Some(origin), Some(method), Some(&asked)).await;
        c.assert_error(&r, 403, forbidden);
        assert_eq!(r.header("access-control-allow-origin"), None);
    }
    // No origin, or no method: a bad request.
    let bad = if d == Dialect::S3 {
        "BadRequest"
    } else {
        "InvalidArgument"
    };
    let r = preflight(&c, "k", None, Some("GET"), Some(&meta)).await;
    c.assert_error(&r, 400, bad);
    let r = preflight(&c, "k", Some(ORIGIN), None, Some(&meta)).await;
    c.assert_error(&r, 400, bad);

    // Actual requests with Origin get the rule's headers, an error too.
    let get = |key: &str, origin: &str| {
        Call::new(Method::GET, d.path("bkt", Some(key))).header("origin", origin)
    };
    let r = c.send(get("k", ORIGIN)).await.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(r.header("access-control-allow-headers"), None);
    let r = c.send(get("missing", ORIGIN)).await;
    c.assert_error(&r, 404, "NoSuchKey");
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let r = c.send(get("k", "http://example.org")).await.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // A request that names a method in Access-Control-Request-Method is matched by it, as S3
    // matches one.
    let asks = |m: &str| get("k", ORIGIN).header("access-control-request-method", m);
    let r = c.send(asks("DELETE")).await.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = c.send(asks("PUT")).await.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let r = c.get("bkt", "k", None).await.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // A method the rule does not allow gets none.
    let del = Call::new(Method::DELETE, d.path("bkt", Some("k"))).header("origin", ORIGIN);
    let r = c.send(del).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), None);

    // Deleted: preflights are refused again, and the configuration is gone.
    c.send(Call::new(Method::DELETE, cors_target(d)))
        .await
        .expect(204);
    let r = preflight(&c, "k", Some(ORIGIN), Some("GET"), Some(&meta)).await;
    c.assert_error(&r, 403, forbidden);
    let r = c.send(Call::new(Method::GET, cors_target(d))).await;
    c.assert_error(&r, 404, "NoSuchCORSConfiguration");
}

/// A configuration only its bucket's owner may read or change; preflights need no one.
async fn only_the_owner_configures(d: Dialect) {
    let (s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let other = s.client_as(d, crate::harness::OTHER);
    let doc = config_doc(d);
    let put = Call::new(Method::PUT, cors_target(d))
        .header("content-md5", content_md5(&doc))
        .body(doc.clone());
    let r = other.send(put).await;
    other.assert_error(&r, 403, "AccessDenied");
    let r = other.send(Call::new(Method::GET, cors_target(d))).await;
    other.assert_error(&r, 403, "AccessDenied");
    let r = other.send(Call::new(Method::DELETE, cors_target(d))).await;
    other.assert_error(&r, 403, "AccessDenied");
    // A preflight to a bucket that does not exist is refused like one without rules.
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    h.insert("origin", HeaderValue::from_static(ORIGIN));
    h.insert(
        "access-control-request-method",
        HeaderValue::from_static("GET"),
    );
    let r = c
        .raw(
            Method::OPTIONS,
            &d.path("nowhere", Some("k")),
            h,
            Vec::new(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.text());
}

crate::each_dialect!(
    configuration_answers_preflights_and_requests,
    only_the_owner_configures
);
