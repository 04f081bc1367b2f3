//! Multi-delete: each dialect's document and result (S3 and OSS report every key unless
//! quiet; BOS lists only failures, a missing key among them), missing keys, versions.

use crate::dialect::Dialect;
use crate::harness::Call;
use crate::setup;
use http::Method;

fn keys(deleted: &[(String, Option<String>)]) -> Vec<&str> {
    let mut k: Vec<&str> = deleted.iter().map(|(k, _)| k.as_str()).collect();
    k.sort_unstable();
    k
}

async fn multi_delete_reports_per_key(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    for k in ["a", "b", "keep"] {
        c.put_ok("bkt", k, b"x").await;
    }
    let r = c
        .multi_delete("bkt", &[("a", None), ("b", None), ("missing", None)], false)
        .await
        .expect(200);
    let out = d.read_deleted(&r);
    match d {
        Dialect::Bos => {
            assert!(out.deleted.is_empty());
            assert_eq!(out.errors, [("missing".to_owned(), "NoSuchKey".to_owned())]);
        }
        _ => {
            assert_eq!(keys(&out.deleted), ["a", "b", "missing"]);
            assert!(out.errors.is_empty(), "{:?}", out.errors);
        }
    }
    let listed = c.list("bkt", false, "", None, 100, None).await;
    assert_eq!(listed.keys, ["keep"]);
}

async fn quiet_multi_delete_reports_nothing_that_succeeded(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    for k in ["a", "b"] {
        c.put_ok("bkt", k, b"x").await;
    }
    let r = c
        .multi_delete("bkt", &[("a", None), ("b", None)], true)
        .await
        .expect(200);
    let out = d.read_deleted(&r);
    assert!(
        out.deleted.is_empty() && out.errors.is_empty(),
        "{}",
        r.text()
    );
    if d == Dialect::Bos {
        assert!(r.body.is_empty(), "BOS answers an empty body: {}", r.text());
    }
    assert!(
        c.list("bkt", false, "", None, 100, None)
            .await
            .keys
            .is_empty()
    );
}

async fn multi_delete_in_a_versioned_bucket(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let v1 = c.put_ok("bkt", "k", b"one").await.expect("a version ID");
    let v2 = c.put_ok("bkt", "k", b"two").await.expect("a version ID");
    c.put_ok("bkt", "other", b"x").await;

    // Without a version: a delete marker (S3 and OSS name it).
    let r = c
        .multi_delete("bkt", &[("other", None), ("k", Some(&v2))], false)
        .await
        .expect(200);
    let out = d.read_deleted(&r);
    if d != Dialect::Bos {
        let (_, marker) = out.deleted.iter().find(|(k, _)| k == "other").unwrap();
        let marker = marker.as_deref().expect("the delete marker's version");
        let entries = c.all_versions("bkt").await;
        let m = entries.iter().find(|e| e.version_id == marker).unwrap();
        assert!(m.marker && m.latest && m.key == "other");
    }
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    // With a version: that version is gone and the older one is current.
    assert_eq!(c.read("bkt", "k", None).await, b"one");
    let versions: Vec<String> = c
        .all_versions("bkt")
        .await
        .into_iter()
        .filter(|e| e.key == "k")
        .map(|e| e.version_id)
        .collect();
    assert_eq!(versions, [v1]);
    let r = c.get("bkt", "other", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
}

/// An empty or malformed document is refused whole, in the dialect's format.
async fn malformed_multi_delete_documents(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put_ok("bkt", "a", b"x").await;
    let code = if d == Dialect::Bos {
        "MalformedJSON"
    } else {
        "MalformedXML"
    };
    for body in [
        &b"<Delete><Object><Key>a</Key>"[..],
        b"{\"objects\": [",
        b"not a document",
    ] {
        let call = Call::new(Method::POST, format!("{}?delete", d.path("bkt", None)))
            .header("content-md5", crate::dialect::content_md5(body))
            .body(body);
        let r = c.send(call).await;
        c.assert_error(&r, 400, code);
    }
    assert_eq!(c.read("bkt", "a", None).await, b"x");
}

crate::each_dialect!(
    multi_delete_reports_per_key,
    quiet_multi_delete_reports_nothing_that_succeeded,
    multi_delete_in_a_versioned_bucket,
    malformed_multi_delete_documents,
);
