//! `strata migrate --from DIR --to postgres://…`: a server's data served on redb, the server
//! stopped, migrated, then served with `--metadata` on the same directory: every version,
//! delete marker and upload is there again. Refusals exit 2 with one line: no store in DIR,
//! a server running on it, a target that is not a fresh database.

mod common;

use bytes::Bytes;
use common::{Run, Server, runtime};
use std::path::Path;
use std::process::{Command, Stdio};
use strata_client::{Client, Dialect, VersionEntry};

fn migrate(from: &Path, to: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["migrate", "--from"])
        .arg(from)
        .args(["--to", to])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out)
}

/// A refusal: exit 2, and one line naming it.
fn assert_refused(run: &Run, says: &str) {
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("strata migrate: error: "))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains(says), "{}", run.stderr);
}

#[test]
fn a_directory_without_a_store_or_with_a_server_running_is_refused() {
    // The target is never reached: these refusals come first.
    let unreachable = "postgres://strata@127.0.0.1:1/none";
    let dir = tempfile::tempdir().unwrap();
    assert_refused(&migrate(dir.path(), unreachable), "no meta.redb");
    assert_refused(
        &migrate(&dir.path().join("missing"), unreachable),
        "no meta.redb",
    );
    let s = Server::start_in(dir.path(), &[]);
    assert_refused(
        &migrate(&dir.path().join("data"), unreachable),
        "a strata server is running on it",
    );
    assert_refused(
        &migrate(&dir.path().join("data"), "mysql://127.0.0.1/x"),
        "postgres://",
    );
    drop(s);
}

/// Every version and delete marker of `bucket` as listed, with each version's body.
async fn history(c: &Client, bucket: &str) -> Vec<(VersionEntry, Option<Bytes>)> {
    let page = c.list_versions(bucket, "", None, 1000).await.unwrap();
    assert!(page.next.is_none());
    let mut out = Vec::new();
    for e in page.entries {
        let body = match e.is_delete_marker {
            true => None,
            false => Some(
                c.get_object_bytes(bucket, &e.key, Some(&e.version_id))
                    .await
                    .unwrap(),
            ),
        };
        out.push((e, body));
    }
    out
}

/// The rows of `table` the summary reports (its line: `  TABLE  N`).
fn rows(run: &Run, table: &str) -> u64 {
    let line = run
        .stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no {table} line in {}", run.stdout));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG=postgres://USER@HOST:PORT/"]
fn a_migrated_directory_serves_the_same_objects_with_metadata_in_postgres() {
    let db = common::pg::Database::create();
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let big = Bytes::from(vec![7u8; 200_000]);
    let rt = runtime();
    let (before, uploads) = {
        let s = Server::start_in(dir.path(), &[]);
        let c = s.client(Dialect::S3);
        rt.block_on(async {
            c.create_bucket("versioned").await.unwrap();
            c.set_versioning("versioned", true).await.unwrap();
            c.create_bucket("plain").await.unwrap();
            for bucket in ["versioned", "plain"] {
                c.put_object(bucket, "big", big.clone()).await.unwrap();
                c.put_object(bucket, "small", Bytes::from_static(b"one"))
                    .await
                    .unwrap();
                c.put_object(bucket, "small", Bytes::from_static(b"two"))
                    .await
                    .unwrap();
            }
            c.delete_object("versioned", "big", None).await.unwrap();
            let id = c.initiate_upload("plain", "upload").await.unwrap();
            let mut before = history(&c, "versioned").await;
            before.extend(history(&c, "plain").await);
            (before, vec![id])
        })
        // Dropping the server kills it (SIGKILL): redb's file is recovered when opened.
    };
    assert_eq!(before.len(), 6, "{before:?}");

    let run = migrate(&data, &url);
    run.assert_success();
    assert_eq!(rows(&run, "versions"), 6, "{}", run.stdout);
    assert_eq!(rows(&run, "uploads"), 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("rows copied and verified"),
        "{}",
        run.stdout
    );

    let s = Server::start_in(dir.path(), &["--metadata", &url]);
    let c = s.client(Dialect::S3);
    rt.block_on(async {
        let mut after = history(&c, "versioned").await;
        after.extend(history(&c, "plain").await);
        assert_eq!(after, before);
        let listed: Vec<String> = c
            .list_uploads("plain", "", 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.upload_id)
            .collect();
        assert_eq!(listed, uploads);
        // And it takes new writes.
        c.put_object("plain", "new", Bytes::from_static(b"after"))
            .await
            .unwrap();
        assert_eq!(
            c.get_object_bytes("plain", "new", None).await.unwrap(),
            Bytes::from_static(b"after")
        );
    });
    // Not while that server runs on the directory, nor once it is the PostgreSQL store's.
    assert_refused(&migrate(&data, &url), "a strata server is running on it");
    drop(s);
    assert_refused(&migrate(&data, &url), "migrated before");
    // Another embedded store is refused the used database.
    let other = tempfile::tempdir().unwrap();
    drop(Server::start_in(other.path(), &[]));
    assert_refused(&migrate(&other.path().join("data"), &url), "not empty");
    drop(db);
}
