//! `/metrics`: the Prometheus text exposition, rendered by `metrics-exporter-prometheus` from
//! what the process recorded through the `metrics` facade.
//!
//! | metric | kind | labels | recorded by |
//! |---|---|---|---|
//! | `strata_requests_total` | counter | `dialect`, `operation`, `status` | [`record_request`] |
//! | `strata_request_duration_seconds` | histogram | `dialect`, `operation` | [`record_request`]: until the response head |
//! | `strata_request_bytes_total` | counter | `dialect` | request bodies read ([`count_request`]) |
//! | `strata_response_bytes_total` | counter | `dialect` | response bodies sent |
//! | `strata_commit_batch_operations` | histogram | | the metadata writer: operations per committed batch |
//! | `strata_commit_duration_seconds` | histogram | | the metadata writer: each durable commit (with its fsync) |
//! | `strata_lifecycle_actions_total` | counter | `action` | the lifecycle executor |
//! | `strata_lifecycle_protected_total` | counter | | the lifecycle executor: due, but retained |
//! | `strata_compactions_total` | counter | `trigger`, `outcome` | compactions asked for (admin command or idle) and how they ended |
//! | `strata_compaction_duration_seconds` | histogram | `trigger` | compactions done |
//! | `strata_compaction_reclaimed_bytes_total` | counter | | bytes the metadata file shrank by |
//! | `strata_buckets`, `strata_objects`, `strata_versions`, `strata_delete_markers`, `strata_stored_bytes`, `strata_reclaim_backlog_blobs` | gauge | | the store's counts at scrape time ([`strata_core::meta::StoreStats`]) |
//!
//! `dialect` is `s3`, `oss`, `bos`, `admin` (the admin API), or `server` for what no dialect
//! answered (`/_strata/health`); `operation` is the routed operation (`PutObject`, ...), or
//! `none` for a request refused before it was routed.
//!
//! One recorder serves the whole process (the facade has one global recorder): it is
//! installed once ([`install`]), by `strata serve` before it opens the store, and lazily by
//! the first request or scrape otherwise, so several servers in one process (tests) share it.

use super::counted::{Counted, Tally};
use crate::{AppState, Body, RequestLog};
use http_body_util::BodyExt as _;
use hyper::{Request, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const REQUESTS: &str = "strata_requests_total";
pub const REQUEST_SECONDS: &str = "strata_request_duration_seconds";
pub const REQUEST_BYTES: &str = "strata_request_bytes_total";
pub const RESPONSE_BYTES: &str = "strata_response_bytes_total";

/// Histogram buckets of every `_seconds` metric: 100 µs to 30 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0,
];
/// Histogram buckets of the batch sizes: powers of two up to the writer's largest batch.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// How often the recorder's histograms are drained when nobody scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full(strata_core::meta::redb_store::BATCH_OPERATIONS.into()),
                    BATCH_BUCKETS,
                )
            });
        let builder = match builder {
            Ok(builder) => builder,
            // Only empty bucket lists are refused, and these are not empty.
            Err(e) => {
                tracing::error!(%e, "metrics histogram buckets refused; summaries instead");
                PrometheusBuilder::new()
            }
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "another metrics recorder is installed; /metrics shows only the store's counts"
            );
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("strata-metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP);
                    upkeep.run_upkeep();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(%e, "no metrics upkeep thread; histograms are drained at scrapes");
        }
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "Requests answered, by dialect, operation and status"
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "Time from a request's arrival to its response head"
    );
    describe_counter!(REQUEST_BYTES, Unit::Bytes, "Request body bytes read");
    describe_counter!(RESPONSE_BYTES, Unit::Bytes, "Response body bytes sent");
    describe_histogram!(
        strata_core::meta::redb_store::BATCH_OPERATIONS,
        "Operations per committed metadata batch (group commit)"
    );
    describe_histogram!(
        strata_core::meta::redb_store::COMMIT_SECONDS,
        Unit::Seconds,
        "Durable metadata commits (redb commit with fsync)"
    );
    describe_counter!(
        strata_core::lifecycle::ACTIONS_METRIC,
        "Lifecycle actions carried out, by action"
    );
    describe_counter!(
        strata_core::lifecycle::PROTECTED_METRIC,
        "Lifecycle actions due but refused by retention"
    );
    describe_counter!(
        strata_core::compact::COMPACTIONS_METRIC,
        "Metadata compactions asked for, by trigger and outcome"
    );
    describe_histogram!(
        strata_core::compact::DURATION_METRIC,
        Unit::Seconds,
        "Metadata compactions done, from request to outcome"
    );
    describe_counter!(
        strata_core::compact::RECLAIMED_METRIC,
        Unit::Bytes,
        "Bytes the metadata file shrank by in compactions"
    );
    for (name, help) in GAUGES {
        describe_gauge!(*name, *help);
    }
}

const GAUGES: &[(&str, &str)] = &[
    ("strata_buckets", "Buckets"),
    ("strata_objects", "Keys whose current entry is an object"),
    (
        "strata_versions",
        "Object versions, current and noncurrent (delete markers not included)",
    ),
    ("strata_delete_markers", "Delete markers"),
    (
        "strata_stored_bytes",
        "Sizes of all object versions added up",
    ),
    (
        "strata_reclaim_backlog_blobs",
        "Blobs unreferenced and waiting for the reclaimer to remove their files",
    ),
];

/// The exposition, rendered now, with the store's counts read at this moment.
pub fn render(state: &AppState) -> String {
    let handle = install();
    match state.store.stats() {
        Ok(s) => {
            let values = [
                s.buckets,
                s.objects,
                s.versions,
                s.delete_markers,
                s.bytes,
                s.garbage,
            ];
            for ((name, _), value) in GAUGES.iter().zip(values) {
                metrics::gauge!(*name).set(value as f64);
            }
        }
        Err(e) => tracing::warn!(%e, "the store's counts could not be read for /metrics"),
    }
    handle.render()
}

/// The bytes of a request body read so far (see [`count_request`]).
#[derive(Clone, Debug, Default)]
pub struct BytesRead(Arc<AtomicU64>);

/// Wraps a request's body to count the bytes read from it; they are added to the counter of
/// the request's dialect by [`record_request`], once it is known.
pub fn count_request<B>(req: Request<B>) -> (Request<Counted<B>>, BytesRead) {
    let read = BytesRead::default();
    let tally = Tally::Shared(read.0.clone());
    (req.map(|body| Counted::new(body, tally)), read)
}

/// Records an answered request (count, latency, request bytes), and wraps its response body
/// to count the bytes sent.
pub fn record_request(
    log: &RequestLog,
    elapsed: Duration,
    read: &BytesRead,
    resp: Response<Body>,
) -> Response<Body> {
    install();
    let dialect = if log.dialect.is_empty() {
        "server"
    } else {
        log.dialect
    };
    let operation = log.operation.unwrap_or("none");
    let handles = Handles::of(dialect, operation, resp.status().as_u16());
    handles.requests.increment(1);
    handles.seconds.record(elapsed.as_secs_f64());
    handles
        .request_bytes
        .increment(read.0.load(Ordering::Relaxed));
    let sent = Tally::Counter(handles.response_bytes);
    resp.map(|body| Counted::new(body, sent).boxed_unsync())
}

/// The metrics one kind of answer records into. Registered once per dialect, operation and
/// status on each thread, then reused: a lookup in the recorder's registry builds and hashes
/// the labels every time, at four lookups per request.
#[derive(Clone)]
struct Handles {
    requests: metrics::Counter,
    seconds: metrics::Histogram,
    request_bytes: metrics::Counter,
    response_bytes: metrics::Counter,
}

/// The label values of one kind of answer: few (dialects × operations × statuses), so the
/// per-thread map stays small.
type HandleKey = (&'static str, &'static str, u16);

thread_local! {
    static HANDLES: std::cell::RefCell<std::collections::HashMap<HandleKey, Handles>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl Handles {
    fn of(dialect: &'static str, operation: &'static str, status: u16) -> Handles {
        HANDLES.with(|map| {
            map.borrow_mut()
                .entry((dialect, operation, status))
                .or_insert_with(|| Handles {
                    requests: metrics::counter!(REQUESTS, "dialect" => dialect, "operation" => operation, "status" => status.to_string()),
                    seconds: metrics::histogram!(REQUEST_SECONDS, "dialect" => dialect, "operation" => operation),
                    request_bytes: metrics::counter!(REQUEST_BYTES, "dialect" => dialect),
                    response_bytes: metrics::counter!(RESPONSE_BYTES, "dialect" => dialect),
                })
                .clone()
        })
    }
}
