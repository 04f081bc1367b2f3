//! `strata restore` against the real binary, through the S3, BOS and OSS dialects.

mod common;

use bytes::Bytes;
use common::{Server, all_keys, all_versions, runtime};
use std::time::Duration;
use strata_client::{Client, Dialect};

/// Before TIME: `docs/a`, `docs/b`, `docs/c`, `docs/d`, `other/x` written once.
/// After TIME: `docs/a` overwritten; `docs/b` deleted (twice: two markers); `docs/d` deleted
/// and written again; `docs/new` created; `other/x` deleted (outside the prefix).
/// Returns TIME (unix ms): the listed time of the last of the first writes.
async fn history(c: &Client, bucket: &str) -> i64 {
    c.create_bucket(bucket).await.unwrap();
    c.set_versioning(bucket, true).await.unwrap();
    for key in ["docs/a", "docs/b", "docs/c", "docs/d", "other/x"] {
        c.put_object(bucket, key, Bytes::from(format!("{key} v1")))
            .await
            .unwrap();
    }
    // Listings are second-granular: what comes next is listed at a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.put_object(bucket, "docs/a", Bytes::from_static(b"docs/a v2"))
        .await
        .unwrap();
    c.delete_object(bucket, "docs/b", None).await.unwrap();
    c.delete_object(bucket, "docs/b", None).await.unwrap();
    c.delete_object(bucket, "docs/d", None).await.unwrap();
    c.put_object(bucket, "docs/d", Bytes::from_static(b"docs/d v2"))
        .await
        .unwrap();
    c.put_object(bucket, "docs/new", Bytes::from_static(b"new"))
        .await
        .unwrap();
    c.delete_object(bucket, "other/x", None).await.unwrap();

    // TIME is what the server lists for the first writes, and before every later one.
    let versions = all_versions(c, bucket, "").await;
    // The latest of the first writes (each key's oldest entry): under load they may straddle
    // a second.
    let mut oldest = std::collections::BTreeMap::new();
    for e in &versions {
        let t = oldest.entry(e.key.as_str()).or_insert(e.last_modified_ms);
        *t = (*t).min(e.last_modified_ms);
    }
    let first = oldest.values().copied().max().unwrap();
    let later = versions
        .iter()
        .filter(|e| e.is_latest && e.key != "docs/c")
        .map(|e| e.last_modified_ms)
        .min()
        .unwrap();
    assert!(first < later, "{first} {later}");
    first
}

fn as_of_arg(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

async fn content(c: &Client, bucket: &str, key: &str) -> Option<String> {
    match c.get_object_bytes(bucket, key, None).await {
        Ok(b) => Some(String::from_utf8(b.to_vec()).unwrap()),
        Err(e) if e.is_not_found() => None,
        Err(e) => panic!("{key}: {e}"),
    }
}

fn restore_prefix_to_a_time_before_an_overwrite_and_a_delete(dialect: Dialect) {
    let server = Server::start();
    let c = server.client(dialect);
    let rt = runtime();
    let bucket = "restore-me";
    let time = rt.block_on(history(&c, bucket));
    let as_of = as_of_arg(time);
    let before = rt.block_on(all_versions(&c, bucket, ""));

    // The plan, and nothing changed.
    let run = server.strata(
        dialect,
        &[
            "restore",
            "restore-me/docs/",
            "--as-of",
            &as_of,
            "--dry-run",
        ],
    );
    run.assert_success();
    run.assert_counts(
        "restore (dry run):",
        &[
            ("would restore", 3),
            ("undelete", 1),
            ("copy back", 2),
            ("unchanged", 1),
            ("created later", 1),
        ],
    );
    assert!(
        run.stdout
            .contains("undelete docs/b: remove 2 delete marker(s)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("copy back docs/a: version "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("leave docs/new: created after the time"),
        "{}",
        run.stdout
    );
    assert_eq!(rt.block_on(all_versions(&c, bucket, "")), before);

    // The restore.
    let run = server.strata(dialect, &["restore", "restore-me/docs/", "--as-of", &as_of]);
    run.assert_success();
    run.assert_counts(
        "restore:",
        &[
            ("restored", 3),
            ("undeleted", 1),
            ("copied back", 2),
            ("unchanged", 1),
            ("created later", 1),
            ("failed", 0),
        ],
    );
    assert!(
        run.line("restore:").contains("2 delete markers removed"),
        "{}",
        run.stdout
    );

    rt.block_on(async {
        for (key, expected) in [
            // Overwritten: v1 again, as a new current version.
            ("docs/a", Some("docs/a v1")),
            // Deleted: back.
            ("docs/b", Some("docs/b v1")),
            // Deleted and written again: v1 copied back over v2.
            ("docs/d", Some("docs/d v1")),
            // Untouched: the key that did not change, the key created later, and what lies
            // outside the prefix.
            ("docs/c", Some("docs/c v1")),
            ("docs/new", Some("new")),
            ("other/x", None),
        ] {
            assert_eq!(content(&c, bucket, key).await.as_deref(), expected, "{key}");
        }
        // The deleted key's markers are gone (its own version is current again).
        let b: Vec<_> = all_versions(&c, bucket, "docs/b").await;
        assert_eq!(b.len(), 1, "{b:?}");
        assert!(!b[0].is_delete_marker && b[0].is_latest);
        let mut keys = all_keys(&c, bucket, "").await;
        keys.sort();
        assert_eq!(keys, ["docs/a", "docs/b", "docs/c", "docs/d", "docs/new"]);
    });

    // Restoring again changes nothing more: everything is as it was at TIME.
    let run = server.strata(dialect, &["restore", "restore-me/docs/", "--as-of", &as_of]);
    run.assert_success();
    assert_eq!(run.count("restore:", "restored"), 0, "{}", run.stdout);
    assert_eq!(run.count("restore:", "unchanged"), 4, "{}", run.stdout);
}

#[test]
fn restore_through_s3() {
    restore_prefix_to_a_time_before_an_overwrite_and_a_delete(Dialect::S3);
}

#[test]
fn restore_through_bos() {
    restore_prefix_to_a_time_before_an_overwrite_and_a_delete(Dialect::Bos);
}

#[test]
fn restore_through_oss() {
    restore_prefix_to_a_time_before_an_overwrite_and_a_delete(Dialect::Oss);
}

#[test]
fn restore_undeletes_many_keys_in_batches_and_takes_unix_times() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    let n = 1500;
    let time = rt.block_on(async {
        c.create_bucket("many").await.unwrap();
        c.set_versioning("many", true).await.unwrap();
        common::put_numbered(&c, "many", n, b"x").await;
        let time = all_versions(&c, "many", "")
            .await
            .iter()
            .map(|e| e.last_modified_ms)
            .max()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let keys: Vec<String> = (0..n).map(|i| format!("k{i:05}")).collect();
        common::stack_markers(&c, "many", std::sync::Arc::new(keys), 2).await;
        assert!(all_keys(&c, "many", "").await.is_empty());
        time
    });
    let as_of = format!("@{}", time / 1000);
    let run = server.strata(Dialect::S3, &["restore", "many", "--as-of", &as_of]);
    run.assert_success();
    assert_eq!(
        run.count("restore:", "undeleted"),
        n as u64,
        "{}",
        run.stdout
    );
    rt.block_on(async { assert_eq!(all_keys(&c, "many", "").await.len(), n) });
}

#[test]
fn restore_needs_a_time() {
    let server = Server::start();
    let run = server.strata(Dialect::S3, &["restore", "bkt"]);
    assert_eq!(run.code, Some(2));
    let run = server.strata(Dialect::S3, &["restore", "bkt", "--as-of", "yesterday"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("RFC 3339"), "{}", run.stderr);
}
