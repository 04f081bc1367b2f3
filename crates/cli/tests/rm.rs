//! `strata rm` against the real binary, through the S3, OSS and BOS dialects.

mod common;

use bytes::Bytes;
use common::{Server, all_keys, all_versions, for_each, put_numbered, runtime, stack_markers};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strata_client::{Client, Dialect};

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
