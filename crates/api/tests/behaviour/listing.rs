//! Listings: objects (v1 markers; v2 continuation tokens where the dialect has them) and
//! versions, with prefix, delimiter and pagination.

use crate::dialect::Dialect;
use crate::harness::Client;
use crate::setup;

const KEYS: [&str; 7] = ["a/1", "a/2", "a/b/3", "b/1", "c", "d", "e/"];

async fn filled(d: Dialect) -> (crate::harness::Server, Client) {
    let (s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    for k in KEYS {
        c.put_ok("bkt", k, k.as_bytes()).await;
    }
    (s, c)
}

async fn listing(d: Dialect, v2: bool) {
    let (_s, c) = filled(d).await;
    // Everything, in order, one page or many.
    for max in [1000, 3, 1] {
        let (keys, prefixes, pages) = c.list_all("bkt", v2, "", None, max).await;
        assert_eq!(keys, KEYS, "max {max}");
        assert!(prefixes.is_empty());
        assert_eq!(pages, KEYS.len().div_ceil(max as usize), "max {max}");
    }
    // A delimiter rolls keys up into common prefixes, which count towards a page.
    for max in [1000, 2, 1] {
        let (keys, prefixes, _) = c.list_all("bkt", v2, "", Some("/"), max).await;
        assert_eq!(keys, ["c", "d"], "max {max}");
        assert_eq!(prefixes, ["a/", "b/", "e/"], "max {max}");
    }
    // A prefix narrows the listing; with the delimiter, it rolls up below the prefix.
    let (keys, prefixes, _) = c.list_all("bkt", v2, "a/", Some("/"), 1).await;
    assert_eq!(keys, ["a/1", "a/2"]);
    assert_eq!(prefixes, ["a/b/"]);
    let (keys, _, _) = c.list_all("bkt", v2, "a/", None, 2).await;
    assert_eq!(keys, ["a/1", "a/2", "a/b/3"]);
    let page = c.list("bkt", v2, "zzz", None, 10, None).await;
    assert!(page.keys.is_empty() && !page.truncated);
}

async fn list_objects_v1(d: Dialect) {
    listing(d, false).await;
}

/// ListObjectsV2 with continuation tokens (BOS lists by marker only: the same listing).
async fn list_objects_v2(d: Dialect) {
    listing(d, true).await;
}

async fn a_marker_starts_after_it(d: Dialect) {
    let (_s, c) = filled(d).await;
    let page = c.list("bkt", false, "", None, 1000, Some("b/1")).await;
    assert_eq!(page.keys, ["c", "d", "e/"]);
    let page = c.list("bkt", false, "", Some("/"), 1000, Some("a/2")).await;
    // Past "a/2", the rest of "a/" (a/b/3) is not rolled up into "a/" again.
    assert_eq!(page.keys, ["c", "d"]);
    assert_eq!(page.prefixes, ["b/", "e/"]);
}

/// Versions come newest first per key, keys in order; delete markers are entries; pages of
/// any size give the same entries as one listing.
async fn list_versions_paginates(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    for (k, n) in [("x", 3), ("y/1", 2), ("y/2", 1), ("z", 1)] {
        for i in 0..n {
            c.put_ok("bkt", k, format!("{k}{i}").as_bytes()).await;
        }
    }
    c.delete("bkt", "z", None).await.expect(204);
    let all = c.all_versions("bkt").await;
    let shape: Vec<(&str, bool, bool)> = all
        .iter()
        .map(|e| (e.key.as_str(), e.latest, e.marker))
        .collect();
    assert_eq!(
        shape,
        [
            ("x", true, false),
            ("x", false, false),
            ("x", false, false),
            ("y/1", true, false),
            ("y/1", false, false),
            ("y/2", true, false),
            ("z", true, true),
            ("z", false, false),
        ]
    );
    for max in [1, 2, 3] {
        let mut got = Vec::new();
        let mut from = None;
        loop {
            let page = c.versions("bkt", "", None, max, from.as_ref()).await;
            assert!(page.entries.len() <= max as usize);
            got.extend(page.entries);
            if !page.truncated {
                break;
            }
            from = Some(page.next.expect("a truncated page names the next markers"));
        }
        assert_eq!(got, all, "max {max}");
    }
    // Prefix and delimiter.
    let page = c.versions("bkt", "", Some("/"), 1000, None).await;
    assert_eq!(page.prefixes, ["y/"]);
    assert!(page.entries.iter().all(|e| e.key == "x" || e.key == "z"));
    let page = c.versions("bkt", "y/", None, 1000, None).await;
    let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["y/1", "y/1", "y/2"]);
}

/// A key whose newest entry is a delete marker is not listed; its versions are.
async fn deleted_keys_are_not_listed(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    c.put_ok("bkt", "gone", b"x").await;
    c.put_ok("bkt", "kept", b"x").await;
    c.delete("bkt", "gone", None).await.expect(204);
    for v2 in [false, true] {
        assert_eq!(c.list("bkt", v2, "", None, 100, None).await.keys, ["kept"]);
    }
    assert_eq!(c.all_versions("bkt").await.len(), 3);
}

crate::each_dialect!(
    list_objects_v1,
    list_objects_v2,
    a_marker_starts_after_it,
    list_versions_paginates,
    deleted_keys_are_not_listed,
);
