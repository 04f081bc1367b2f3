//! `strata rm` against the real binary, through the S3, OSS and BOS dialects.

mod common;

use bytes::Bytes;
use common::{Run, Server, all_keys, all_versions, for_each, put_numbered, runtime, stack_markers};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strata_client::{Client, Dialect, Method, ObjectId, Req};

#[test]
fn rm_all_versions_empties_a_versioned_bucket_of_50000_versions_and_markers() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    // 2,500 keys, each written twice (5,000 versions), then 18 delete markers stacked on each
    // (45,000 markers, 1000 per multi-delete): 50,000 entries.
    let keys: Arc<Vec<String>> = Arc::new(
        (0..2500)
            .map(|i| format!("dir{}/key-{i:05}", i % 7))
            .collect(),
    );
    rt.block_on(async {
        c.create_bucket("big").await.unwrap();
        c.set_versioning("big", true).await.unwrap();
        let (c2, k2) = (c.clone(), keys.clone());
        for_each(2 * keys.len(), 32, move |i| {
            let (c, key) = (c2.clone(), k2[i % k2.len()].clone());
            async move {
                c.put_object("big", &key, Bytes::from(format!("v{i}")))
                    .await
                    .map(drop)
            }
        })
        .await;
        let repeated: Vec<String> = (0..18).flat_map(|_| keys.iter().cloned()).collect();
        stack_markers(&c, "big", Arc::new(repeated), 4).await;
        let listed = all_versions(&c, "big", "").await;
        assert_eq!(listed.len(), 50_000);
        assert_eq!(listed.iter().filter(|e| e.is_delete_marker).count(), 45_000);
    });

    let run = server.strata(Dialect::S3, &["rm", "big", "--all-versions"]);
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 50_000, "{}", run.stdout);
    assert_eq!(run.count("rm:", "failed"), 0);
    rt.block_on(async {
        assert!(all_versions(&c, "big", "").await.is_empty());
        assert!(c.bucket_exists("big").await.unwrap());
    });

    // Now empty but for an incomplete multipart upload (started through BOS), it can be
    // deleted: through OSS this time.
    rt.block_on(async {
        let bos = server.client(Dialect::Bos);
        bos.initiate_upload("big", "dir0/unfinished").await.unwrap();
    });
    let run = server.strata(Dialect::Oss, &["rm", "big", "--all-versions", "--bucket"]);
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 0);
    assert_eq!(run.count("rm: aborted", "aborted"), 1);
    assert_eq!(run.line("rm: deleted bucket"), "rm: deleted bucket big");
    rt.block_on(async { assert!(!c.bucket_exists("big").await.unwrap()) });
}

#[test]
fn rm_prefix_deletes_only_the_keys_under_it_in_batches_through_bos() {
    let server = Server::start();
    let c = server.client(Dialect::Bos);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("logs-bucket").await.unwrap();
        let c2 = c.clone();
        for_each(2510, 32, move |i| {
            let c = c2.clone();
            let key = if i < 2500 {
                format!("logs/2026/{i:05}.log")
            } else {
                format!("logs-keep/{i}")
            };
            async move {
                c.put_object("logs-bucket", &key, Bytes::from_static(b"x"))
                    .await
                    .map(drop)
            }
        })
        .await;
    });
    let run = server.strata(
        Dialect::Bos,
        &[
            "rm",
            "logs-bucket/logs/",
            "--batch-size",
            "300",
            "--jobs",
            "3",
        ],
    );
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 2500, "{}", run.stdout);
    assert_eq!(run.count("rm:", "already gone"), 0);
    rt.block_on(async {
        let left = all_keys(&c, "logs-bucket", "").await;
        assert_eq!(left.len(), 10, "{left:?}");
        assert!(left.iter().all(|k| k.starts_with("logs-keep/")), "{left:?}");
    });
}

#[test]
fn rm_of_current_objects_leaves_versions_and_the_bucket_needs_all_versions() {
    let server = Server::start();
    let c = server.client(Dialect::Oss);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("ver-bucket").await.unwrap();
        c.set_versioning("ver-bucket", true).await.unwrap();
        for i in 0..30 {
            c.put_object("ver-bucket", &format!("k{i}"), Bytes::from_static(b"data"))
                .await
                .unwrap();
        }
    });
    // Without --all-versions: a delete marker over each key; the versions stay.
    let run = server.strata(Dialect::Oss, &["rm", "ver-bucket"]);
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 30);
    rt.block_on(async {
        assert!(all_keys(&c, "ver-bucket", "").await.is_empty());
        assert_eq!(all_versions(&c, "ver-bucket", "").await.len(), 60);
    });
    // So the bucket cannot go, and the error says why.
    let run = server.strata(Dialect::S3, &["rm", "ver-bucket", "--bucket"]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(run.stderr.contains("BucketNotEmpty"), "{}", run.stderr);
    assert!(run.stderr.contains("--all-versions"), "{}", run.stderr);
    // An incomplete multipart upload would keep the bucket from being deleted too.
    rt.block_on(async {
        c.initiate_upload("ver-bucket", "big/upload").await.unwrap();
    });
    let run = server.strata(
        Dialect::S3,
        &[
            "rm",
            "ver-bucket",
            "--all-versions",
            "--bucket",
            "--dry-run",
        ],
    );
    run.assert_success();
    assert!(run.stdout.contains("would abort upload "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("rm (dry run): would delete bucket ver-bucket"),
        "{}",
        run.stdout
    );
    // The incomplete upload goes too.
    let run = server.strata(
        Dialect::S3,
        &["rm", "ver-bucket", "--all-versions", "--bucket"],
    );
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 60);
    assert_eq!(
        run.line("rm: aborted"),
        "rm: aborted 1 incomplete multipart uploads under ver-bucket"
    );
    rt.block_on(async { assert!(!c.bucket_exists("ver-bucket").await.unwrap()) });
}

#[test]
fn rm_dry_run_deletes_nothing_and_older_than_spares_recent_entries() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("dry").await.unwrap();
        for i in 0..12 {
            c.put_object("dry", &format!("a/{i:02}"), Bytes::from_static(b"1"))
                .await
                .unwrap();
        }
    });
    let run = server.strata(Dialect::S3, &["rm", "dry/a/", "--dry-run"]);
    run.assert_success();
    assert_eq!(run.count("rm (dry run):", "would delete"), 12);
    assert!(
        run.stdout.contains("would delete a/07, last modified"),
        "{}",
        run.stdout
    );
    rt.block_on(async { assert_eq!(all_keys(&c, "dry", "").await.len(), 12) });

    let run = server.strata(Dialect::Bos, &["rm", "dry", "--older-than", "1h"]);
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 0);
    assert_eq!(run.count("rm:", "skipped"), 12);
    rt.block_on(async { assert_eq!(all_keys(&c, "dry", "").await.len(), 12) });

    // Everything was written before now.
    std::thread::sleep(Duration::from_millis(1100));
    let run = server.strata(Dialect::Bos, &["rm", "dry", "--older-than", "0s"]);
    run.assert_success();
    assert_eq!(run.count("rm:", "deleted"), 12);
    rt.block_on(async { assert!(all_keys(&c, "dry", "").await.is_empty()) });
}

#[test]
fn rm_refuses_bad_command_lines_with_exit_2() {
    let server = Server::start();
    let run = server.strata(Dialect::S3, &["rm", "bkt/prefix", "--bucket"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--bucket"), "{}", run.stderr);
    let run = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["rm", "bkt", "--endpoint", &server.endpoint])
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("credentials are required"));
    let run = server.strata(Dialect::S3, &["rm", "no-such-bucket"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("NoSuchBucket"), "{}", run.stderr);
}

#[test]
fn rm_stops_cleanly_on_ctrl_c_after_the_batch_in_flight() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    let total = 3000;
    rt.block_on(async {
        c.create_bucket("slow").await.unwrap();
        put_numbered(&c, "slow", total, b"").await;
    });
    // One key per request, one request at a time: slow enough to interrupt.
    let mut child = spawn_rm(&server, &["slow", "--batch-size", "1", "--jobs", "1"]);
    // Wait for deleting to start, then Ctrl-C.
    wait_for_deleting(&rt, &c, "slow", total);
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = wait_output(&mut child);
    let run = common::Run::from(out);
    assert_eq!(run.code, Some(130), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("interrupted"), "{}", run.stdout);
    assert!(run.stderr.contains("stopping"), "{}", run.stderr);
    let deleted = run.count("rm:", "deleted");
    let left = rt.block_on(all_keys(&c, "slow", "")).len() as u64;
    assert!(left > 0, "everything was deleted before the interrupt");
    // What it says it deleted is exactly what is gone: nothing half-done, nothing lost.
    assert_eq!(deleted + left, total as u64, "{}", run.stdout);
}

#[test]
fn rm_counts_keys_deleted_meanwhile_as_already_gone_through_bos() {
    let server = Server::start();
    let c = server.client(Dialect::Bos);
    let rt = runtime();
    let total = 1500;
    rt.block_on(async {
        c.create_bucket("racy").await.unwrap();
        put_numbered(&c, "racy", total, b"").await;
    });
    let args = [
        "racy",
        "--batch-size",
        "1",
        "--jobs",
        "1",
        "--dialect",
        "bos",
    ];
    let mut child = spawn_rm(&server, &args);
    // Once rm is deleting (its first page of 1000 keys listed), delete keys of that page it
    // has not reached yet: BOS reports them as NoSuchKey, which rm counts as already gone.
    wait_for_deleting(&rt, &c, "racy", total);
    let late: Vec<String> = (900..1000).map(|i| format!("k{i:05}")).collect();
    rt.block_on(stack_markers(&c, "racy", Arc::new(late), 1));
    let run = common::Run::from(wait_output(&mut child));
    run.assert_success();
    let (deleted, gone) = (
        run.count("rm:", "deleted"),
        run.count("rm:", "already gone"),
    );
    assert_eq!(run.count("rm:", "failed"), 0, "{}", run.stdout);
    assert_eq!(gone, 100, "{}", run.stdout);
    assert_eq!(deleted + gone, total as u64, "{}", run.stdout);
    rt.block_on(async { assert!(all_keys(&c, "racy", "").await.is_empty()) });
}

/// S3 Object Lock: versions under a legal hold are reported as protected (not retried, listed
/// with their version IDs, the first 20), the rest goes, the bucket stays; once the holds are
/// released, the bucket goes.
#[test]
fn rm_reports_versions_under_an_s3_legal_hold_as_protected_and_keeps_the_bucket() {
    let server = Server::start_logging_requests();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    let held: Vec<(String, String)> = rt.block_on(async {
        create_locked_bucket(&c, "held").await;
        put_numbered(&c, "held", 10, b"plain").await;
        let mut held = Vec::new();
        for i in 0..25 {
            let key = format!("h{i:02}");
            let version = put_held(&c, "held", &key).await;
            held.push((key, version));
        }
        // A delete without a version stacks a delete marker, which nothing protects.
        c.delete_object("held", "h00", None).await.unwrap();
        held
    });

    // Ten retries allowed: none may be spent on a protected entry.
    let run = server.strata(
        Dialect::S3,
        &[
            "rm",
            "held",
            "--all-versions",
            "--bucket",
            "--retries",
            "10",
        ],
    );
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.assert_counts(
        "rm:",
        &[
            ("deleted", 11),
            ("failed", 0),
            ("protected", 25),
            ("already gone", 0),
        ],
    );
    assert!(
        run.line("rm:")
            .contains("failed 0, protected 25, skipped 0, already gone 0"),
        "{}",
        run.stdout
    );
    // One multi-delete carried every entry (36 < 1000 a batch); a protected entry retried
    // would have sent more.
    assert_eq!(server.served("DeleteObjects"), 1, "{}", run.stderr);
    let (key, version) = &held[0];
    let first = format!(
        "strata rm: protected: {key} (version {version}): AccessDenied: Access Denied because object protected by object lock."
    );
    assert!(run.stderr.contains(&first), "{}", run.stderr);
    let (last_listed, first_unlisted) = (&held[19].0, &held[20].0);
    assert!(
        run.stderr.contains(&format!("protected: {last_listed} ")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr
            .contains(&format!("protected: {first_unlisted} ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("strata rm: … and 5 more protected"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("strata rm: bucket held not deleted: it holds 25 entries protected"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("deleted bucket"), "{}", run.stdout);
    rt.block_on(async {
        assert!(c.bucket_exists("held").await.unwrap());
        let mut left: Vec<(String, String)> = all_versions(&c, "held", "")
            .await
            .into_iter()
            .map(|e| {
                assert!(!e.is_delete_marker, "{e:?}");
                (e.key, e.version_id)
            })
            .collect();
        left.sort();
        assert_eq!(left, held);
        for (key, version) in &held {
            release_legal_hold(&c, "held", key, version).await;
        }
    });

    let run = server.strata(Dialect::S3, &["rm", "held", "--all-versions", "--bucket"]);
    run.assert_success();
    run.assert_counts("rm:", &[("deleted", 25), ("protected", 0)]);
    assert_eq!(run.line("rm: deleted bucket"), "rm: deleted bucket held");
    rt.block_on(async { assert!(!c.bucket_exists("held").await.unwrap()) });
}

/// A plain DELETE of a version under an S3 legal hold is refused as AWS refuses it (403
/// AccessDenied, "Access Denied because object protected by object lock."), which the client
/// tells apart from a refusal of the request's permissions.
#[test]
fn an_s3_delete_of_a_held_version_is_refused_as_protected() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    runtime().block_on(async {
        create_locked_bucket(&c, "held").await;
        let version = put_held(&c, "held", "k").await;
        let e = c
            .delete_object("held", "k", Some(&version))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(403), Some("AccessDenied")));
        assert!(e.is_protected(), "{e}");
        // A delete refused for another reason (a key the server does not know) is not
        // protection.
        c.put_object("held", "plain", Bytes::from_static(b"x"))
            .await
            .unwrap();
        let plain = all_versions(&c, "held", "plain").await.remove(0).version_id;
        let other = server.client_as(Dialect::S3, "AKIDNOSUCHUSER000001", "x");
        let e = other
            .delete_object("held", "plain", Some(&plain))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(403), "{e}");
        assert!(!e.is_protected(), "{e}");
    });
}

/// OSS BucketWorm: a multi-delete holding a protected entry is refused whole, so rm deletes
/// those batches one entry at a time: the delete markers go, the versions are protected. In an
/// unversioned bucket every object is protected and nothing goes.
#[test]
fn rm_deletes_one_by_one_what_an_oss_worm_refuses_as_a_batch() {
    let server = Server::start();
    let c = server.client(Dialect::Oss);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("worm-ver").await.unwrap();
        c.set_versioning("worm-ver", true).await.unwrap();
        put_numbered(&c, "worm-ver", 30, b"x").await;
        let keys: Vec<String> = (0..30).map(|i| format!("k{i:05}")).collect();
        stack_markers(&c, "worm-ver", Arc::new(keys), 1).await;
        initiate_oss_worm(&c, "worm-ver").await;
        c.create_bucket("worm-plain").await.unwrap();
        put_numbered(&c, "worm-plain", 5, b"x").await;
        initiate_oss_worm(&c, "worm-plain").await;

        // One protected version refuses the whole multi-delete, and a single delete too.
        let version = all_versions(&c, "worm-ver", "k00000")
            .await
            .into_iter()
            .find(|e| !e.is_delete_marker)
            .unwrap()
            .version_id;
        let marker = all_versions(&c, "worm-ver", "k00001")
            .await
            .into_iter()
            .find(|e| e.is_delete_marker)
            .unwrap()
            .version_id;
        let batch = [("k00000", &version), ("k00001", &marker)].map(|(k, v)| ObjectId {
            key: k.into(),
            version_id: Some(v.clone()),
        });
        let e = c.delete_objects("worm-ver", &batch).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(409), Some("FileImmutable")));
        assert!(e.is_protected(), "{e}");
        let e = c
            .delete_object("worm-ver", "k00000", Some(&version))
            .await
            .unwrap_err();
        assert!(e.is_protected(), "{e}");
        assert_eq!(all_versions(&c, "worm-ver", "").await.len(), 60);
    });

    // 60 entries, in batches of 25: each holds protected versions and is refused whole.
    let run = server.strata(
        Dialect::Oss,
        &[
            "rm",
            "worm-ver",
            "--all-versions",
            "--bucket",
            "--batch-size",
            "25",
        ],
    );
    assert_protected(
        &run,
        &[
            ("deleted", 30),
            ("failed", 0),
            ("protected", 30),
            ("already gone", 0),
        ],
        &[
            "strata rm: protected: k00000 (version ",
            "): FileImmutable: ",
            "strata rm: … and 10 more protected",
            "bucket worm-ver not deleted",
        ],
    );
    rt.block_on(assert_kept_versions(&c, "worm-ver", 30));

    let run = server.strata(Dialect::Oss, &["rm", "worm-plain"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.assert_counts("rm:", &[("deleted", 0), ("failed", 0), ("protected", 5)]);
    assert!(
        run.stderr
            .contains("strata rm: protected: k00004: FileImmutable: "),
        "{}",
        run.stderr
    );
    rt.block_on(async { assert_eq!(all_keys(&c, "worm-plain", "").await.len(), 5) });
}

/// BOS object lock: rm of the current objects stacks delete markers (nothing protects them);
/// with --all-versions the markers go and the versions, listed in the multi-delete's errors,
/// are protected; the bucket stays. Unversioned, every object is protected.
#[test]
fn rm_reports_objects_under_a_bos_object_lock_as_protected() {
    let server = Server::start();
    let c = server.client(Dialect::Bos);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("lock-ver").await.unwrap();
        c.set_versioning("lock-ver", true).await.unwrap();
        put_numbered(&c, "lock-ver", 12, b"x").await;
        initiate_bos_object_lock(&c, "lock-ver").await;
        c.create_bucket("lock-plain").await.unwrap();
        put_numbered(&c, "lock-plain", 3, b"x").await;
        initiate_bos_object_lock(&c, "lock-plain").await;
        let e = c
            .delete_object("lock-plain", "k00000", None)
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(409), Some("FileImmutable")));
        assert!(e.is_protected(), "{e}");
    });

    let run = server.strata(Dialect::Bos, &["rm", "lock-ver"]);
    run.assert_success();
    run.assert_counts("rm:", &[("deleted", 12), ("protected", 0)]);

    let run = server.strata(
        Dialect::Bos,
        &[
            "rm",
            "lock-ver",
            "--all-versions",
            "--bucket",
            "--retries",
            "10",
        ],
    );
    assert_protected(
        &run,
        &[
            ("deleted", 12),
            ("failed", 0),
            ("protected", 12),
            ("already gone", 0),
        ],
        &[
            "strata rm: protected: k00011 (version ",
            "): FileImmutable: ",
            "bucket lock-ver not deleted",
        ],
    );
    rt.block_on(assert_kept_versions(&c, "lock-ver", 12));

    let run = server.strata(Dialect::Bos, &["rm", "lock-plain", "--bucket"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.assert_counts("rm:", &[("deleted", 0), ("protected", 3)]);
    rt.block_on(async {
        assert_eq!(all_keys(&c, "lock-plain", "").await.len(), 3);
        assert!(c.bucket_exists("lock-plain").await.unwrap());
    });
}

/// S3 CreateBucket with Object Lock enabled (versioning Enabled with it).
async fn create_locked_bucket(c: &Client, bucket: &str) {
    c.request(
        Req::new(Method::PUT, Some(bucket), None)
            .header("x-amz-bucket-object-lock-enabled", "true"),
    )
    .await
    .unwrap();
}

/// The body of [`put_held`]'s objects, and its Content-MD5 (S3 wants one on a locked upload).
const HELD_BODY: &str = "held";
const HELD_MD5: &str = "DrKfXWFJ6EdQvNb250GnoQ==";

/// Puts `key` under an S3 legal hold; its version ID.
async fn put_held(c: &Client, bucket: &str, key: &str) -> String {
    let (headers, _) = c
        .request(
            Req::new(Method::PUT, Some(bucket), Some(key))
                .header("x-amz-object-lock-legal-hold", "ON")
                .header("content-md5", HELD_MD5)
                .body(HELD_BODY),
        )
        .await
        .unwrap();
    headers
        .get("x-amz-version-id")
        .and_then(|v| v.to_str().ok())
        .expect("a version ID")
        .to_owned()
}

const LEGAL_HOLD_OFF: &str = r#"<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>OFF</Status></LegalHold>"#;
const LEGAL_HOLD_OFF_MD5: &str = "VFVLURy793Xk77f+OyG/PA==";

/// PutObjectLegalHold OFF on one version.
async fn release_legal_hold(c: &Client, bucket: &str, key: &str, version: &str) {
    c.request(
        Req::new(Method::PUT, Some(bucket), Some(key))
            .query("legal-hold", "")
            .query("versionId", version)
            .header("content-md5", LEGAL_HOLD_OFF_MD5)
            .header("content-type", "application/xml")
            .body(LEGAL_HOLD_OFF),
    )
    .await
    .unwrap();
}

const WORM_ONE_DAY: &str = "<InitiateWormConfiguration><RetentionPeriodInDays>1</RetentionPeriodInDays></InitiateWormConfiguration>";
const WORM_ONE_DAY_MD5: &str = "QjRpt4xD5mjOLJtR6sDHWw==";

/// OSS InitiateBucketWorm, one day (in force while InProgress).
async fn initiate_oss_worm(c: &Client, bucket: &str) {
    let (headers, _) = c
        .request(
            Req::new(Method::POST, Some(bucket), None)
                .query("worm", "")
                .header("content-md5", WORM_ONE_DAY_MD5)
                .header("content-type", "application/xml")
                .body(WORM_ONE_DAY),
        )
        .await
        .unwrap();
    assert!(headers.contains_key("x-oss-worm-id"), "{headers:?}");
}

/// BOS InitBucketObjectLock, one day (in force while IN_PROGRESS).
async fn initiate_bos_object_lock(c: &Client, bucket: &str) {
    c.request(
        Req::new(Method::POST, Some(bucket), None)
            .query("objectlock", "")
            .header("content-type", "application/json; charset=utf-8")
            .body(r#"{"retentionDays":1}"#),
    )
    .await
    .unwrap();
}

/// `strata rm ARGS… --endpoint …` in the background, keys from the environment, output piped.
fn spawn_rm(server: &Server, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("rm")
        .args(args)
        .args(["--endpoint", &server.endpoint])
        .env("STRATA_ACCESS_KEY", common::ACCESS_KEY)
        .env("STRATA_SECRET_KEY", common::SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a running `rm` has deleted some of the `total` keys of `bucket`.
fn wait_for_deleting(rt: &tokio::runtime::Runtime, c: &Client, bucket: &str, total: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while rt.block_on(all_keys(c, bucket, "")).len() >= total {
        assert!(Instant::now() < deadline, "rm never started deleting");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_output(child: &mut Child) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "rm did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = String::new();
    let mut stderr = String::new();
    use std::io::Read as _;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    std::process::Output {
        status: child.wait().unwrap(),
        stdout: stdout.into_bytes(),
        stderr: stderr.into_bytes(),
    }
}

/// A run that left only protected entries (exit 3): these summary counts, and each of `said`
/// on stderr.
fn assert_protected(run: &Run, counts: &[(&str, u64)], said: &[&str]) {
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    run.assert_counts("rm:", counts);
    for s in said {
        assert!(run.stderr.contains(s), "{s:?} not in:\n{}", run.stderr);
    }
}

/// `bucket` is still there and holds `n` versions, none of them a delete marker.
async fn assert_kept_versions(c: &Client, bucket: &str, n: usize) {
    assert!(c.bucket_exists(bucket).await.unwrap());
    let left = all_versions(c, bucket, "").await;
    assert_eq!(left.len(), n);
    assert!(left.iter().all(|e| !e.is_delete_marker), "{left:?}");
}
