//! The admin listener of the real binary: `/health`, `/ready`, and `/metrics` parsed as
//! Prometheus text (`prometheus-parse`), whose counters move exactly with the requests sent
//! in two dialects, whose histograms are histograms (buckets, not quantiles), and whose store
//! counts equal what was written, across a SIGKILL and a restart.

mod common;

use bytes::Bytes;
use common::{Server, runtime};
use prometheus_parse::{Scrape, Value};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use strata_client::Dialect;

/// One request over its own connection: (status, body).
fn http(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

struct Metrics(Scrape);

impl Metrics {
    fn scrape(server: &Server) -> Metrics {
        let (status, body) = http(&server.admin, "GET", "/metrics");
        assert_eq!(status, 200, "{body}");
        Metrics(Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).unwrap())
    }

    /// The sample of `metric` with exactly these labels.
    fn find(&self, metric: &str, labels: &[(&str, &str)]) -> Option<&Value> {
        self.0
            .samples
            .iter()
            .find(|s| {
                s.metric == metric
                    && s.labels.len() == labels.len()
                    && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))
            })
            .map(|s| &s.value)
    }

    /// A counter's, gauge's or untyped sample's value; 0 when there is no such sample.
    fn value(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        match self.find(metric, labels) {
            None => 0.0,
            Some(Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v)) => *v,
            Some(other) => panic!("{metric} is not a single value: {other:?}"),
        }
    }

    /// A histogram's buckets: (upper bound, cumulative count), the last one +Inf.
    fn histogram(&self, metric: &str, labels: &[(&str, &str)]) -> Vec<(f64, f64)> {
        match self.find(metric, labels) {
            Some(Value::Histogram(buckets)) => {
                let b: Vec<(f64, f64)> = buckets.iter().map(|b| (b.less_than, b.count)).collect();
                assert_eq!(
                    b.last().map(|l| l.0),
                    Some(f64::INFINITY),
                    "{metric}: {b:?}"
                );
                b
            }
            other => panic!("{metric} {labels:?} is not a histogram: {other:?}"),
        }
    }

    /// How many observations a histogram holds (its +Inf bucket).
    fn observations(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        self.histogram(metric, labels).last().unwrap().1
    }
}

const REQUESTS: &str = "strata_requests_total";

fn requests(m: &Metrics, dialect: &str, operation: &str, status: &str) -> f64 {
    m.value(
        REQUESTS,
        &[
            ("dialect", dialect),
            ("operation", operation),
            ("status", status),
        ],
    )
}

/// The store's gauges: buckets, objects, versions, delete markers, bytes, reclaim backlog.
fn store_counts(m: &Metrics) -> [f64; 6] {
    [
        "strata_buckets",
        "strata_objects",
        "strata_versions",
        "strata_delete_markers",
        "strata_stored_bytes",
        "strata_reclaim_backlog_blobs",
    ]
    .map(|g| m.value(g, &[]))
}

#[test]
fn health_and_ready_answer_on_the_admin_listener_only() {
    let server = Server::start();
    let (status, body) = http(&server.admin, "GET", "/health");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = http(&server.admin, "GET", "/ready");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ready"}"#));
    assert_eq!(http(&server.admin, "POST", "/ready").0, 405);
    assert_eq!(http(&server.admin, "DELETE", "/metrics").0, 405);
    // On the data port, /metrics is a bucket's name like any other (and none exists).
    let data = server.endpoint.trim_start_matches("http://");
    let (status, body) = http(data, "GET", "/metrics");
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains(REQUESTS), "{body}");
}

#[test]
fn metrics_move_exactly_with_requests_and_the_store_counts_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path(), &[]);
    let (s3, oss) = (server.client(Dialect::S3), server.client(Dialect::Oss));
    let rt = runtime();
    rt.block_on(async {
        s3.create_bucket("metrics").await.unwrap();
        s3.set_versioning("metrics", true).await.unwrap();
        for i in 0..3 {
            let body = Bytes::from(vec![b'a'; 4096]);
            s3.put_object("metrics", &format!("s3-{i}"), body)
                .await
                .unwrap();
        }
        oss.put_object("metrics", "oss-0", Bytes::from(vec![b'o'; 4096]))
            .await
            .unwrap();
        oss.put_object("metrics", "oss-1", Bytes::from(vec![b'p'; 100]))
            .await
            .unwrap();
        assert_eq!(
            oss.get_object("metrics", "oss-0", None).await.unwrap(),
            4096
        );
        // A delete marker over s3-0, and a miss.
        s3.delete_object("metrics", "s3-0", None).await.unwrap();
        assert!(s3.get_object("metrics", "missing", None).await.is_err());
    });
    let data = server.endpoint.trim_start_matches("http://").to_owned();
    assert_eq!(http(&data, "GET", "/_strata/health").0, 200);

    let m = Metrics::scrape(&server);
    assert_eq!(requests(&m, "s3", "PutObject", "200"), 3.0);
    assert_eq!(requests(&m, "oss", "PutObject", "200"), 2.0);
    assert_eq!(requests(&m, "oss", "GetObject", "200"), 1.0);
    assert_eq!(requests(&m, "s3", "DeleteObject", "204"), 1.0);
    assert_eq!(requests(&m, "s3", "GetObject", "404"), 1.0);
    assert_eq!(requests(&m, "s3", "GetObject", "200"), 0.0);
    assert_eq!(requests(&m, "server", "none", "200"), 1.0);
    let put = [("dialect", "s3"), ("operation", "PutObject")];
    let latency = m.histogram("strata_request_duration_seconds", &put);
    assert!(latency.len() > 10, "buckets: {latency:?}");
    assert_eq!(latency.last().unwrap().1, 3.0);
    // OSS's requests carried the two bodies; its answers carried the one object read (OSS's
    // PutObject answers have no body).
    let oss_label = [("dialect", "oss")];
    assert_eq!(m.value("strata_request_bytes_total", &oss_label), 4196.0);
    assert_eq!(m.value("strata_response_bytes_total", &oss_label), 4096.0);
    assert!(m.value("strata_request_bytes_total", &[("dialect", "s3")]) >= 3.0 * 4096.0);
    // The writer's batches: every committed batch has its size and its commit's time.
    let batches = m.observations("strata_commit_batch_operations", &[]);
    assert!(batches >= 1.0);
    assert!(m.value("strata_commit_batch_operations_sum", &[]) >= 8.0);
    assert_eq!(
        m.observations("strata_commit_duration_seconds", &[]),
        batches
    );
    // One bucket; s3-1, s3-2, oss-0 and oss-1 current; five versions; one marker.
    let expected = [1.0, 4.0, 5.0, 1.0, 4.0 * 4096.0 + 100.0, 0.0];
    assert_eq!(store_counts(&m), expected);

    // Killed (SIGKILL) and started again: the counts are the store's, the requests start over.
    drop(server);
    let server = Server::start_in(dir.path(), &[]);
    let m = Metrics::scrape(&server);
    assert_eq!(store_counts(&m), expected);
    assert_eq!(requests(&m, "s3", "PutObject", "200"), 0.0);
    rt.block_on(async {
        let s3 = server.client(Dialect::S3);
        s3.delete_object("metrics", "s3-1", None).await.unwrap();
    });
    let m = Metrics::scrape(&server);
    assert_eq!(store_counts(&m)[1..4], [3.0, 5.0, 2.0]);
}
