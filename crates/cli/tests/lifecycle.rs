//! `strata lifecycle preview` against the real binary, in the three dialects: the exact lines
//! for histories written over HTTP, computed from the times the server lists, and nothing
//! changed by it.
//!
//! The server runs with a lifecycle day of 1000 seconds (`--lifecycle-day`, and `--day` to
//! match), so nothing the rules make due comes due while a test runs: the executor acts on
//! nothing, and what the preview shows depends only on the listed times.

mod common;

use bytes::Bytes;
use common::{Server, all_versions, runtime};
use strata_client::{Client, Dialect};

const DAY_SECONDS: &str = "1000";
/// A lifecycle day, and a quarter of it (the executor's wait between two actions on a key),
/// in milliseconds.
const DAY: i64 = 1_000_000;
const QUARTER: i64 = DAY / 4;

fn start() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path(), &["--lifecycle-day", DAY_SECONDS]);
    (server, dir)
}

fn time(ms: i64) -> String {
    strata_wire::date::iso8601_millis(jiff::Timestamp::from_millisecond(ms).unwrap())
}

/// `--at` for `ms` (whole seconds).
fn at_arg(ms: i64) -> String {
    format!("@{}", ms / 1000)
}

fn preview(server: &Server, dialect: Dialect, target: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["lifecycle", "preview", target, "--day", DAY_SECONDS];
    args.extend_from_slice(extra);
    let run = server.strata(dialect, &args);
    run.assert_success();
    run.stdout.lines().map(str::to_owned).collect()
}

fn line(key: &str, version: &str, rule: &str, when: i64, what: &str) -> String {
    format!("{key}\t{version}\t{rule}\t{}\t{what}", time(when))
}

/// The listed time and version ID of each entry of `key`, newest first.
fn entries_of(versions: &[strata_client::VersionEntry], key: &str) -> Vec<(i64, String)> {
    versions
        .iter()
        .filter(|e| e.key == key)
        .map(|e| (e.last_modified_ms, e.version_id.clone()))
        .collect()
}

async fn put(c: &Client, bucket: &str, key: &str) {
    c.put_object(bucket, key, Bytes::from_static(b"data"))
        .await
        .unwrap();
}

const S3_RULES: &str = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
    <Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
    <Expiration><Days>1</Days></Expiration>\
    <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>\
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload>\
    </Rule>\
    <Rule><ID>markers</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
    <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>\
    </LifecycleConfiguration>";

#[test]
fn a_versioned_bucket_cascades_from_expiration_to_its_markers_and_nothing_changes() {
    let (server, _dir) = start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    let bucket = "lc-preview";
    let (versions, upload_at) = rt.block_on(async {
        c.create_bucket(bucket).await.unwrap();
        c.set_versioning(bucket, true).await.unwrap();
        put(&c, bucket, "logs/a").await;
        put(&c, bucket, "logs/b").await;
        put(&c, bucket, "logs/b").await;
        put(&c, bucket, "keep/c").await;
        c.initiate_upload(bucket, "logs/u").await.unwrap();
        c.put_lifecycle(bucket, Bytes::from_static(S3_RULES.as_bytes()))
            .await
            .unwrap();
        let versions = all_versions(&c, bucket, "").await;
        let uploads = c.list_uploads_page(bucket, "", None, 1000).await.unwrap();
        (versions, uploads.uploads[0].initiated_ms.unwrap())
    });
    let upload_id = rt
        .block_on(c.list_uploads(bucket, "", 1000))
        .unwrap()
        .remove(0)
        .upload_id;
    let a = entries_of(&versions, "logs/a");
    let b = entries_of(&versions, "logs/b");
    let (ta, a1) = (a[0].0, a[0].1.as_str());
    let (tb2, b2, b1) = (b[0].0, b[0].1.as_str(), b[1].1.as_str());

    // Now: nothing is due yet.
    let now = preview(&server, Dialect::S3, bucket, &[]);
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(
        now[0].ends_with(
            ": 0 actions on 0 of 3 keys (0 removed, 0 delete markers added, 0 noncurrent versions \
             removed, 0 expired delete markers removed), 0 of 1 uploads aborted; nothing was changed"
        ),
        "{now:?}"
    );

    // Far enough ahead for everything: each key's expiration adds a marker (the current
    // version becomes noncurrent), the noncurrent versions go a day after their successor,
    // and the markers, alone then, a quarter of a day after that.
    let far = ta + 100 * DAY;
    let all = preview(&server, Dialect::S3, bucket, &["--at", &at_arg(far)]);
    let expected = vec![
        line("logs/a", a1, "logs", ta + DAY, "delete marker added"),
        line(
            "logs/a",
            a1,
            "logs",
            ta + 2 * DAY,
            "noncurrent version removed",
        ),
        line(
            "logs/a",
            "-",
            "markers",
            ta + 2 * DAY + QUARTER,
            "expired delete marker removed",
        ),
        line("logs/b", b2, "logs", tb2 + DAY, "delete marker added"),
        line(
            "logs/b",
            b1,
            "logs",
            tb2 + DAY,
            "noncurrent version removed",
        ),
        line(
            "logs/b",
            b2,
            "logs",
            tb2 + 2 * DAY,
            "noncurrent version removed",
        ),
        line(
            "logs/b",
            "-",
            "markers",
            tb2 + 2 * DAY + QUARTER,
            "expired delete marker removed",
        ),
        line(
            "logs/u",
            &upload_id,
            "logs",
            upload_at + 3 * DAY,
            "upload aborted",
        ),
        format!(
            "lifecycle preview of {bucket} by {}: 8 actions on 2 of 3 keys (0 removed, 2 delete \
             markers added, 3 noncurrent versions removed, 2 expired delete markers removed), 1 \
             of 1 uploads aborted; nothing was changed",
            time(far / 1000 * 1000)
        ),
    ];
    assert_eq!(all, expected);

    // By the first expirations only: the later steps are not there yet.
    let first = preview(&server, Dialect::S3, bucket, &["--at", &at_arg(tb2 + DAY)]);
    assert_eq!(
        first[..3],
        [
            expected[0].clone(),
            expected[3].clone(),
            expected[4].clone()
        ]
    );
    assert_eq!(first.len(), 4);

    // A prefix limits the keys (and uploads) considered.
    let keep = preview(
        &server,
        Dialect::S3,
        &format!("{bucket}/keep/"),
        &["--at", &at_arg(far)],
    );
    assert_eq!(keep.len(), 1);
    assert!(keep[0].contains(": 0 actions on 0 of 1 keys"), "{keep:?}");

    // JSON Lines: the same actions, then the summary.
    let json = preview(
        &server,
        Dialect::S3,
        bucket,
        &["--at", &at_arg(far), "--json"],
    );
    let values: Vec<serde_json::Value> = json
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(values.len(), 9);
    assert_eq!(
        values[0],
        serde_json::json!({"key": "logs/a", "version_id": a1, "rule": "logs",
                           "when": time(ta + DAY), "what": "delete marker added"})
    );
    assert_eq!(values[2]["version_id"], serde_json::Value::Null);
    assert_eq!(values[7]["upload_id"], upload_id.as_str());
    let summary = &values[8]["summary"];
    assert_eq!(
        (
            summary["actions"].as_u64(),
            summary["noncurrent_versions_removed"].as_u64(),
            summary["uploads_aborted"].as_u64(),
            summary["day_seconds"].as_u64()
        ),
        (Some(8), Some(3), Some(1), Some(1000))
    );

    // Nothing changed.
    let (after, uploads) = rt.block_on(async {
        (
            all_versions(&c, bucket, "").await,
            c.list_uploads(bucket, "", 1000).await.unwrap(),
        )
    });
    assert_eq!(after, versions);
    assert_eq!(uploads.len(), 1);
}

#[test]
fn an_unversioned_bucket_through_oss_removes_its_objects() {
    let (server, _dir) = start();
    let c = server.client(Dialect::Oss);
    let rt = runtime();
    let bucket = "lc-preview-oss";
    let versions = rt.block_on(async {
        c.create_bucket(bucket).await.unwrap();
        for key in ["logs/x", "logs/y", "other/z"] {
            put(&c, bucket, key).await;
        }
        let rules = "<LifecycleConfiguration><Rule><ID>expire-logs</ID><Prefix>logs/</Prefix>\
                     <Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>\
                     </LifecycleConfiguration>";
        c.put_lifecycle(bucket, Bytes::from_static(rules.as_bytes()))
            .await
            .unwrap();
        all_versions(&c, bucket, "").await
    });
    let tx = entries_of(&versions, "logs/x")[0].0;
    let ty = entries_of(&versions, "logs/y")[0].0;
    let far = tx + 100 * DAY;
    let lines = preview(&server, Dialect::Oss, bucket, &["--at", &at_arg(far)]);
    assert_eq!(
        lines[..2],
        [
            line("logs/x", "null", "expire-logs", tx + 2 * DAY, "removed"),
            line("logs/y", "null", "expire-logs", ty + 2 * DAY, "removed"),
        ]
    );
    assert!(
        lines[2].contains(": 2 actions on 2 of 3 keys (2 removed,"),
        "{lines:?}"
    );
    assert_eq!(rt.block_on(all_versions(&c, bucket, "")), versions);
}

#[test]
fn a_suspended_bucket_through_bos_replaces_the_null_version_with_a_marker() {
    let (server, _dir) = start();
    let c = server.client(Dialect::Bos);
    let rt = runtime();
    let bucket = "lc-preview-bos";
    let versions = rt.block_on(async {
        c.create_bucket(bucket).await.unwrap();
        c.set_versioning(bucket, true).await.unwrap();
        c.set_versioning(bucket, false).await.unwrap();
        put(&c, bucket, "tmp/a").await;
        put(&c, bucket, "keep/b").await;
        let rules = format!(
            "{{\"rule\":[{{\"id\":\"tmp\",\"status\":\"enabled\",\"resource\":[\"{bucket}/tmp/*\"],\
             \"condition\":{{\"time\":{{\"dateGreaterThan\":\"$(lastModified)+P1D\"}}}},\
             \"action\":{{\"name\":\"DeleteObject\"}}}}]}}"
        );
        c.put_lifecycle(bucket, Bytes::from(rules)).await.unwrap();
        all_versions(&c, bucket, "").await
    });
    let ta = entries_of(&versions, "tmp/a")[0].0;
    let lines = preview(
        &server,
        Dialect::Bos,
        bucket,
        &["--at", &at_arg(ta + 100 * DAY)],
    );
    assert_eq!(
        lines[0],
        line(
            "tmp/a",
            "null",
            "tmp",
            ta + DAY,
            "null delete marker added, null version removed"
        )
    );
    assert!(lines[1].contains(": 1 actions on 1 of 2 keys"), "{lines:?}");
    assert_eq!(rt.block_on(all_versions(&c, bucket, "")), versions);
}

#[test]
fn a_bucket_without_rules_previews_nothing_and_a_missing_one_fails() {
    let (server, _dir) = start();
    let c = server.client(Dialect::S3);
    let rt = runtime();
    rt.block_on(async {
        c.create_bucket("lc-none").await.unwrap();
        put(&c, "lc-none", "k").await;
    });
    for dialect in Dialect::ALL {
        let lines = preview(&server, dialect, "lc-none", &[]);
        assert_eq!(lines.len(), 1, "{dialect}: {lines:?}");
        assert!(
            lines[0].contains("(the bucket has no lifecycle configuration): 0 actions"),
            "{dialect}: {lines:?}"
        );
        let missing = server.strata(dialect, &["lifecycle", "preview", "lc-missing"]);
        assert_eq!(missing.code, Some(1), "{dialect}: {}", missing.stderr);
        assert!(missing.stderr.contains("lc-missing"), "{}", missing.stderr);
    }
    // No credentials: a usage error.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "lifecycle",
            "preview",
            "lc-none",
            "--endpoint",
            &server.endpoint,
        ])
        .env_remove("STRATA_ACCESS_KEY")
        .env_remove("STRATA_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
}
