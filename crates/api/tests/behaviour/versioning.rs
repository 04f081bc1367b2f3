//! Versioning states, the null version, delete markers and deletes of one version.

use crate::dialect::{Dialect, Entry, Versioning};
use crate::setup;

fn entry(key: &str, version_id: &str, latest: bool, marker: bool) -> Entry {
    Entry {
        key: key.into(),
        version_id: version_id.into(),
        latest,
        marker,
    }
}

async fn versioning_states(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    assert_eq!(c.versioning("bkt").await, Versioning::Off);
    for v in [
        Versioning::Enabled,
        Versioning::Suspended,
        Versioning::Enabled,
    ] {
        c.set_versioning("bkt", v).await.expect(200);
        assert_eq!(c.versioning("bkt").await, v);
    }
}

/// An object written before versioning was enabled is the null version; it stays readable
/// by `versionId=null` under newer versions, and a suspended bucket's puts overwrite it.
async fn the_null_version(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    c.put_ok("bkt", "k", b"before").await;
    c.set_versioning("bkt", Versioning::Enabled)
        .await
        .expect(200);
    let v1 = c
        .put_ok("bkt", "k", b"versioned")
        .await
        .expect("a version ID");
    assert_ne!(v1, "null");
    assert_eq!(
        c.all_versions("bkt").await,
        [
            entry("k", &v1, true, false),
            entry("k", "null", false, false)
        ]
    );
    assert_eq!(c.read("bkt", "k", Some("null")).await, b"before");
    let head = c.head("bkt", "k", Some("null")).await.expect(200);
    assert_eq!(head.header(&d.h("version-id")), Some("null"));

    c.set_versioning("bkt", Versioning::Suspended)
        .await
        .expect(200);
    c.put("bkt", "k", b"suspended 1").await.expect(200);
    c.put("bkt", "k", b"suspended 2").await.expect(200);
    assert_eq!(
        c.all_versions("bkt").await,
        [
            entry("k", "null", true, false),
            entry("k", &v1, false, false)
        ]
    );
    assert_eq!(c.read("bkt", "k", None).await, b"suspended 2");
    assert_eq!(c.read("bkt", "k", Some(&v1)).await, b"versioned");

    // Deleting the null version makes the older version current again.
    c.delete("bkt", "k", Some("null")).await.expect(204);
    assert_eq!(c.read("bkt", "k", None).await, b"versioned");
}

async fn puts_make_distinct_versions(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let v1 = c.put_ok("bkt", "k", b"one").await.expect("a version ID");
    let v2 = c.put_ok("bkt", "k", b"two").await.expect("a version ID");
    assert_ne!(v1, v2);
    assert_eq!(c.read("bkt", "k", None).await, b"two");
    assert_eq!(c.read("bkt", "k", Some(&v1)).await, b"one");
    let got = c.get("bkt", "k", Some(&v2)).await.expect(200);
    assert_eq!(got.header(&d.h("version-id")), Some(v2.as_str()));
    let head = c.head("bkt", "k", Some(&v1)).await.expect(200);
    assert_eq!(head.header("content-length"), Some("3"));
    assert_eq!(head.header(&d.h("version-id")), Some(v1.as_str()));
}

async fn a_delete_makes_a_delete_marker(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let v1 = c.put_ok("bkt", "k", b"one").await.expect("a version ID");
    let r = c.delete("bkt", "k", None).await.expect(204);
    let marker = r
        .header(&d.h("version-id"))
        .expect("the marker's ID")
        .to_owned();
    assert_ne!(marker, v1);
    if d != Dialect::Bos {
        assert_eq!(r.header(&d.h("delete-marker")), Some("true"));
    }
    let r = c.get("bkt", "k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
    let r = c.head("bkt", "k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
    assert_eq!(c.read("bkt", "k", Some(&v1)).await, b"one");
    assert!(
        c.list("bkt", false, "", None, 100, None)
            .await
            .keys
            .is_empty()
    );
    assert_eq!(
        c.all_versions("bkt").await,
        [
            entry("k", &marker, true, true),
            entry("k", &v1, false, false)
        ]
    );

    // Removing the marker brings the object back.
    let r = c.delete("bkt", "k", Some(&marker)).await.expect(204);
    assert_eq!(r.header(&d.h("version-id")), Some(marker.as_str()));
    assert_eq!(c.read("bkt", "k", None).await, b"one");
    assert_eq!(c.all_versions("bkt").await, [entry("k", &v1, true, false)]);
}

async fn a_delete_by_version_removes_it_for_good(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let v1 = c.put_ok("bkt", "k", b"one").await.expect("a version ID");
    let v2 = c.put_ok("bkt", "k", b"two").await.expect("a version ID");
    let r = c.delete("bkt", "k", Some(&v2)).await.expect(204);
    assert_eq!(r.header(&d.h("version-id")), Some(v2.as_str()));
    assert_eq!(c.read("bkt", "k", None).await, b"one");
    assert_eq!(c.all_versions("bkt").await, [entry("k", &v1, true, false)]);

    // The removed version is gone: S3 and OSS say NoSuchVersion, BOS NoSuchKey.
    let r = c.get("bkt", "k", Some(&v2)).await;
    let code = if d == Dialect::Bos {
        "NoSuchKey"
    } else {
        "NoSuchVersion"
    };
    c.assert_error(&r, 404, code);

    c.delete("bkt", "k", Some(&v1)).await.expect(204);
    assert!(c.all_versions("bkt").await.is_empty());
    let r = c.get("bkt", "k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
}

async fn copy_from_a_version(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let v1 = c.put_ok("bkt", "src", b"old").await.expect("a version ID");
    c.put_ok("bkt", "src", b"new").await;
    let call = crate::harness::Call::new(http::Method::PUT, d.path("bkt", Some("dst")))
        .header(d.h("copy-source"), d.copy_source("bkt", "src", Some(&v1)));
    let r = c.send(call).await.expect(200);
    let dst = r.header(&d.h("version-id")).expect("the copy's version");
    assert_ne!(dst, v1);
    assert_eq!(c.read("bkt", "dst", None).await, b"old");
    assert_eq!(c.read("bkt", "src", None).await, b"new");
}

crate::each_dialect!(
    versioning_states,
    the_null_version,
    puts_make_distinct_versions,
    a_delete_makes_a_delete_marker,
    a_delete_by_version_removes_it_for_good,
    copy_from_a_version,
);
