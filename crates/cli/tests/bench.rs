//! `strata bench` against the real binary: every mode runs briefly, through each dialect, and
//! its JSON report has the figures.

mod common;

use common::{Server, all_versions, runtime};
use serde_json::Value;
use strata_client::Dialect;

/// Runs `strata bench ARGS --json` and returns the parsed report.
fn bench(server: &Server, dialect: Dialect, args: &[&str]) -> Value {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", "--quiet"]);
    let run = server.strata(dialect, &all);
    run.assert_success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// The report of `mode` lists `ops` (and only those), each with counts > 0, no errors, and
/// every figure.
fn check(report: &Value, mode: &str, dialect: Dialect, ops: &[&str]) {
    assert_eq!(report["mode"], mode, "{report}");
    assert_eq!(report["dialect"], dialect.as_str(), "{report}");
    for field in [
        "endpoint",
        "bucket",
        "object_size",
        "concurrency",
        "duration_s",
    ] {
        assert!(!report[field].is_null(), "{field} missing: {report}");
    }
    let listed: Vec<&str> = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ops, "{report}");
    for op in report["operations"].as_array().unwrap() {
        assert!(op["count"].as_u64().unwrap() > 0, "{op}");
        assert_eq!(op["errors"], 0, "{op}");
        assert!(op["ops_per_sec"].as_f64().unwrap() > 0.0, "{op}");
        assert!(op["mb_per_sec"].as_f64().is_some(), "{op}");
        assert!(op["keys_per_sec"].as_f64().is_some(), "{op}");
        let lat = &op["latency_ms"];
        let (p50, p90, p99) = (
            lat["p50"].as_f64().unwrap(),
            lat["p90"].as_f64().unwrap(),
            lat["p99"].as_f64().unwrap(),
        );
        assert!(0.0 < p50 && p50 <= p90 && p90 <= p99, "{op}");
        assert!(lat["mean"].as_f64().unwrap() > 0.0, "{op}");
        assert!(lat["max"].as_f64().unwrap() >= p99, "{op}");
    }
    assert!(
        report["total"]["ops_per_sec"].as_f64().unwrap() > 0.0,
        "{report}"
    );
}

fn op<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == name)
        .unwrap()
}

#[test]
fn bench_put_get_and_list_through_s3_and_oss() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();

    let r = bench(
        &server,
        Dialect::S3,
        &[
            "bench-put",
            "--mode",
            "put",
            "--duration",
            "1s",
            "-c",
            "4",
            "--size",
            "1KiB",
        ],
    );
    check(&r, "put", Dialect::S3, &["put"]);
    let put = op(&r, "put");
    assert_eq!(
        put["bytes"].as_u64().unwrap(),
        put["count"].as_u64().unwrap() * 1024
    );
    assert!(put["mb_per_sec"].as_f64().unwrap() > 0.0);
    assert!(r["duration_s"].as_f64().unwrap() >= 1.0, "{r}");

    let r = bench(
        &server,
        Dialect::Oss,
        &[
            "bench-get",
            "--mode",
            "get",
            "--count",
            "50",
            "-c",
            "4",
            "--size",
            "100KiB",
        ],
    );
    check(&r, "get", Dialect::Oss, &["get"]);
    let get = op(&r, "get");
    assert_eq!(get["count"], 50);
    assert_eq!(get["bytes"].as_u64().unwrap(), 50 * 100 * 1024);

    let r = bench(
        &server,
        Dialect::S3,
        &[
            "bench-list",
            "--mode",
            "list",
            "--count",
            "10",
            "-c",
            "2",
            "--objects",
            "300",
            "--size",
            "0",
        ],
    );
    check(&r, "list", Dialect::S3, &["list"]);
    // Each list returns the run's 300 objects.
    assert_eq!(op(&r, "list")["keys"], 10 * 300);

    // The buckets the runs created are gone again.
    rt.block_on(async {
        for b in ["bench-put", "bench-get", "bench-list"] {
            assert!(!c.bucket_exists(b).await.unwrap(), "{b}");
        }
    });
}

#[test]
fn bench_delete_and_multi_delete_through_bos_and_s3() {
    let server = Server::start();
    let c = server.client(Dialect::S3);
    let rt = runtime();

    let r = bench(
        &server,
        Dialect::Bos,
        &["bench-del", "--mode", "delete", "--count", "50", "-c", "4"],
    );
    check(&r, "delete", Dialect::Bos, &["delete"]);
    assert_eq!(op(&r, "delete")["count"], 50);

    // In a versioned bucket that exists already: the run leaves nothing behind in it.
    rt.block_on(async {
        c.create_bucket("bench-multi").await.unwrap();
    });
    let r = bench(
        &server,
        Dialect::S3,
        &[
            "bench-multi",
            "--mode",
            "multi-delete",
            "--count",
            "5",
            "--batch-size",
            "100",
            "-c",
            "2",
            "--versioned",
        ],
    );
    check(&r, "multi-delete", Dialect::S3, &["multi-delete"]);
    let md = op(&r, "multi-delete");
    assert_eq!(md["count"], 5);
    assert_eq!(md["keys"], 500);
    assert!(md["keys_per_sec"].as_f64().unwrap() > 0.0);
    assert_eq!(r["versioned"], true);
    rt.block_on(async {
        assert!(c.bucket_exists("bench-multi").await.unwrap());
        assert!(all_versions(&c, "bench-multi", "").await.is_empty());
    });

    let r = bench(
        &server,
        Dialect::Bos,
        &[
            "bench-multi/sub/",
            "--mode",
            "multi-delete",
            "--duration",
            "1s",
            "--batch-size",
            "50",
            "--objects",
            "200",
        ],
    );
    check(&r, "multi-delete", Dialect::Bos, &["multi-delete"]);
    assert_eq!(op(&r, "multi-delete")["keys"], 200);
    assert!(
        r["prefix"]
            .as_str()
            .unwrap()
            .starts_with("sub/strata-bench-"),
        "{r}"
    );
}

#[test]
fn bench_mix_through_oss_and_bos_versioned() {
    let server = Server::start();
    for dialect in [Dialect::Oss, Dialect::Bos] {
        let r = bench(
            &server,
            dialect,
            &[
                "bench-mix",
                "--mode",
                "mix",
                "--duration",
                "1s",
                "-c",
                "4",
                "--versioned",
            ],
        );
        check(&r, "mix", dialect, &["put", "get", "stat", "delete"]);
    }
}

#[test]
fn bench_prints_a_text_table_by_default() {
    let server = Server::start();
    let run = server.strata(
        Dialect::Bos,
        &[
            "bench",
            "bench-text",
            "--mode",
            "put",
            "--count",
            "20",
            "-c",
            "2",
            "--quiet",
        ],
    );
    run.assert_success();
    let header = run.line("bench: put against ");
    assert!(
        header.contains("(bos)") && header.contains("4 KiB objects"),
        "{header}"
    );
    assert!(run.stdout.contains("ops/s"), "{}", run.stdout);
    let row = run.line("put ");
    let count: u64 = row.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert_eq!(count, 20, "{row}");
}
