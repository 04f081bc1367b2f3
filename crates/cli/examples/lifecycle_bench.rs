//! The lifecycle benchmark's parts; `scripts/bench-lifecycle` runs them (its header says how
//! to rerun the benchmark).
//!
//! - `populate DIR`: a data directory written directly through `strata_core::Store` (tiny
//!   inline bodies; the store's clock set days back, so every version is old): the bucket
//!   `lifecycle-bench`, versioning Enabled, KEYS keys × VERSIONS versions, one key in ten
//!   (`--due-every`) under `due/` and the rest under `keep/`; and `bench-get/obj4k`, a 4 KiB
//!   object for the client load.
//! - `measure`: against a running `strata serve` over that directory: 4 KiB GETs from
//!   `--concurrency` connections the whole time, every request's start and latency recorded;
//!   first idle; then a configuration whose rules make nothing due (the executor's rebuild
//!   alone: every key read and filed once); then the real one (`due/`: Expiration and
//!   NoncurrentVersionExpiration of 1 day: a delete marker on each due key and its 9
//!   noncurrent versions removed). The end of each run is the server's `lifecycle run` log
//!   line (its timestamp); the GET latencies are taken over exactly each run's span. Prints
//!   one JSON object.
//! - `report FILE...`: the medians of several `measure` outputs, as a table.

use bytes::Bytes;
use clap::{Parser, Subcommand};
use hdrhistogram::Histogram;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use strata_client::{Client, Config, Credentials, Dialect};
use strata_core::{Expect, ObjectMeta, Store, StoreOptions, VersioningStatus};

const BUCKET: &str = "lifecycle-bench";
const GET_BUCKET: &str = "bench-get";
const GET_KEY: &str = "obj4k";
const DAY_MS: i64 = 86_400_000;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    Populate {
        dir: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        keys: u64,
        #[arg(long, default_value_t = 10)]
        versions: u64,
        /// One key in this many goes under `due/`.
        #[arg(long, default_value_t = 10)]
        due_every: u64,
        /// How many real days back the versions are written.
        #[arg(long, default_value_t = 3)]
        days_ago: i64,
        /// The buckets' owner: the server's access key (the main key pair's owner ID).
        #[arg(long)]
        owner: String,
        #[arg(long, default_value_t = 64)]
        jobs: u64,
    },
    Measure {
        #[arg(long)]
        endpoint: String,
        #[arg(long, env = "STRATA_ACCESS_KEY")]
        access_key: String,
        #[arg(long, env = "STRATA_SECRET_KEY")]
        secret_key: String,
        /// The server's log (its stderr), where `lifecycle run` lines appear.
        #[arg(long)]
        log: PathBuf,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Seconds of idle load measured.
        #[arg(long, default_value_t = 15)]
        idle: u64,
        /// The dialect the configuration is put in (s3 or oss; the GETs are S3's).
        #[arg(long, default_value = "s3")]
        config_dialect: Dialect,
        /// Durable 4 KiB PUTs (each worker overwriting its own key) instead of GETs: a
        /// client's writes share the group commit with the executor's.
        #[arg(long)]
        put: bool,
        /// The rules of the `keep/` scenario: one action on each of 90 % of the keys.
        #[arg(long)]
        spread: bool,
    },
    Report {
        files: Vec<PathBuf>,
    },
}

fn main() {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    match cli.command {
        Cmd::Populate {
            dir,
            keys,
            versions,
            due_every,
            days_ago,
            owner,
            jobs,
        } => rt.block_on(populate(
            dir, keys, versions, due_every, days_ago, owner, jobs,
        )),
        Cmd::Measure {
            endpoint,
            access_key,
            secret_key,
            log,
            concurrency,
            idle,
            config_dialect,
            put,
            spread,
        } => {
            let client = |dialect| {
                Client::new(Config {
                    endpoint: endpoint.clone(),
                    dialect,
                    credentials: Credentials {
                        access_key: access_key.clone(),
                        secret_key: secret_key.clone(),
                    },
                    region: None,
                })
                .expect("a client")
            };
            let clients = (client(Dialect::S3), client(config_dialect));
            rt.block_on(measure(clients, log, concurrency, idle, put, spread));
        }
        Cmd::Report { files } => report(&files),
    }
}

fn body(data: Bytes) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + Unpin {
    futures_util::stream::iter([Ok(data)])
}

async fn populate(
    dir: PathBuf,
    keys: u64,
    versions: u64,
    due_every: u64,
    days_ago: i64,
    owner: String,
    jobs: u64,
) {
    let now = jiff::Timestamp::now().as_millisecond();
    let wall = Arc::new(AtomicI64::new(now - days_ago * DAY_MS));
    let store = Store::open(
        &dir,
        StoreOptions {
            wall_clock: strata_core::clock::WallClock::manual(wall.clone()),
            ..StoreOptions::default()
        },
    )
    .await
    .expect("open the data directory");
    store.create_bucket(BUCKET, &owner).await.expect("bucket");
    store
        .set_versioning(BUCKET, VersioningStatus::Enabled)
        .await
        .expect("versioning");
    store
        .create_bucket(GET_BUCKET, &owner)
        .await
        .expect("bucket");
    let obj: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    store
        .put_object(
            GET_BUCKET,
            GET_KEY,
            ObjectMeta::default(),
            Expect::default(),
            body(Bytes::from(obj)),
        )
        .await
        .expect("put obj4k");
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..jobs {
        let (store, next) = (store.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= keys {
                    return;
                }
                let key = if i % due_every == 0 {
                    format!("due/{i:08}")
                } else {
                    format!("keep/{i:08}")
                };
                for v in 0..versions {
                    let data = Bytes::from(format!("{key} v{v}"));
                    store
                        .put_object(
                            BUCKET,
                            &key,
                            ObjectMeta::default(),
                            Expect::default(),
                            body(data),
                        )
                        .await
                        .expect("put");
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    store.close().await;
    eprintln!(
        "populated {keys} keys × {versions} versions ({} under due/) in {:.1}s",
        keys.div_ceil(due_every),
        start.elapsed().as_secs_f64()
    );
}

/// The rules, as `dialect` writes them (`days`: 1 for the real run, 36500 for the rebuild
/// alone). `spread` false: on `due/`, a delete marker on every current version a day old and
/// the removal of every version noncurrent for a day (10 actions on each of 10 % of the keys);
/// true: on `keep/`, a delete marker on every current version a day old (one action on each
/// of 90 % of the keys).
fn config(dialect: Dialect, days: u32, spread: bool) -> Bytes {
    let (id, prefix, noncurrent) = if spread {
        ("keep", "keep/", String::new())
    } else {
        let nc = format!(
            "<NoncurrentVersionExpiration><NoncurrentDays>{days}</NoncurrentDays></NoncurrentVersionExpiration>"
        );
        ("due", "due/", nc)
    };
    let expiration = format!("<Expiration><Days>{days}</Days></Expiration>");
    Bytes::from(if dialect == Dialect::Oss {
        format!(
            "<LifecycleConfiguration><Rule><ID>{id}</ID><Prefix>{prefix}</Prefix>\
             <Status>Enabled</Status>{expiration}{noncurrent}</Rule></LifecycleConfiguration>"
        )
    } else {
        format!(
            "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>\
             <ID>{id}</ID><Filter><Prefix>{prefix}</Prefix></Filter><Status>Enabled</Status>\
             {expiration}{noncurrent}</Rule></LifecycleConfiguration>"
        )
    })
}

/// One GET: when it started (ms since the Unix epoch) and how long it took (µs).
type Sample = (i64, u64);

/// A `lifecycle run` line of the server's log: its time (Unix ms) and fields.
#[derive(Debug, Clone)]
struct RunLine {
    at_ms: i64,
    fields: Vec<(String, u64)>,
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn run_lines(log: &std::path::Path) -> Vec<RunLine> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .map(strip_ansi)
        .filter(|l| l.contains("lifecycle run"))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let at_ms = words
                .next()?
                .parse::<jiff::Timestamp>()
                .ok()?
                .as_millisecond();
            let fields = words
                .filter_map(|w| {
                    let (k, v) = w.split_once('=')?;
                    Some((k.to_owned(), v.parse().ok()?))
                })
                .collect();
            Some(RunLine { at_ms, fields })
        })
        .collect()
}

/// Waits for the first `lifecycle run` line after the `seen` ones (10 minutes at most).
async fn next_run(log: &std::path::Path, seen: usize) -> RunLine {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(l) = run_lines(log).into_iter().nth(seen) {
            return l;
        }
        assert!(
            Instant::now() < deadline,
            "no lifecycle run line in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

async fn measure(
    clients: (Client, Client),
    log: PathBuf,
    concurrency: usize,
    idle: u64,
    put: bool,
    spread: bool,
) {
    let (client, configure) = clients;
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = tokio::task::JoinSet::new();
    let body4k = Bytes::from(vec![7u8; 4096]);
    for worker in 0..concurrency {
        let (client, stop, body4k) = (client.clone(), stop.clone(), body4k.clone());
        workers.spawn(async move {
            let mut samples: Vec<Sample> = Vec::with_capacity(1 << 20);
            let mut errors = 0u64;
            let put_key = format!("put-{worker}");
            while !stop.load(Ordering::Relaxed) {
                let at = now_ms();
                let t = Instant::now();
                let ok = if put {
                    let r = client
                        .put_object(GET_BUCKET, &put_key, body4k.clone())
                        .await;
                    r.is_ok()
                } else {
                    let r = client.get_object_bytes(GET_BUCKET, GET_KEY, None).await;
                    r.is_ok_and(|b| b.len() == 4096)
                };
                if ok {
                    samples.push((at, t.elapsed().as_micros() as u64));
                } else {
                    errors += 1;
                }
            }
            (samples, errors)
        });
    }
    // Warm up, then idle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_from = now_ms();
    tokio::time::sleep(Duration::from_secs(idle)).await;
    let idle_to = now_ms();
    // The rebuild alone: rules that make nothing due for a century.
    let seen = run_lines(&log).len();
    let rebuild_from = now_ms();
    let dialect = configure.dialect();
    configure
        .put_lifecycle(BUCKET, config(dialect, 36_500, spread))
        .await
        .expect("put the configuration");
    let rebuild = next_run(&log, seen).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The real rules: the rebuild again, then the due work.
    let seen = run_lines(&log).len();
    let due_from = now_ms();
    configure
        .put_lifecycle(BUCKET, config(dialect, 1, spread))
        .await
        .expect("put the configuration");
    let due = next_run(&log, seen).await;
    stop.store(true, Ordering::Relaxed);
    let mut samples = Vec::new();
    let mut errors = 0;
    while let Some(r) = workers.join_next().await {
        let (s, e) = r.expect("a worker");
        samples.extend(s);
        errors += e;
    }
    let window = |from: i64, to: i64| {
        let mut h = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).expect("a histogram");
        for &(at, us) in &samples {
            if at >= from && at < to {
                h.saturating_record(us.max(1));
            }
        }
        let secs = (to - from) as f64 / 1000.0;
        serde_json::json!({
            "seconds": secs, "requests": h.len(), "per_second": h.len() as f64 / secs,
            "p50_us": h.value_at_quantile(0.5), "p99_us": h.value_at_quantile(0.99),
            "p999_us": h.value_at_quantile(0.999), "max_us": h.max(),
        })
    };
    let fields = |l: &RunLine| -> serde_json::Value {
        l.fields
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(*v)))
            .collect()
    };
    let out = serde_json::json!({
        "operation": if put { "put" } else { "get" },
        "rules": if spread { "keep/: a delete marker on each of 90 % of the keys" } else { "due/: 10 actions on each of 10 % of the keys" },
        "concurrency": concurrency,
        "get_errors": errors,
        "idle": window(idle_from, idle_to),
        "rebuild": {"run_ms": rebuild.at_ms - rebuild_from, "log": fields(&rebuild),
                    "get": window(rebuild_from, rebuild.at_ms)},
        "rebuild_and_due": {"run_ms": due.at_ms - due_from, "log": fields(&due),
                            "get": window(due_from, due.at_ms)},
    });
    println!("{out}");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn report(files: &[PathBuf]) {
    let runs: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("a measure output");
            serde_json::from_str(text.trim()).expect("JSON")
        })
        .collect();
    let med = |path: &[&str]| {
        median(
            runs.iter()
                .map(|r| {
                    path.iter()
                        .fold(r, |v, k| &v[*k])
                        .as_f64()
                        .unwrap_or(f64::NAN)
                })
                .collect(),
        )
    };
    let n = runs.len();
    let op = runs[0]["operation"]
        .as_str()
        .unwrap_or("get")
        .to_uppercase();
    let c = &runs[0]["concurrency"];
    println!(
        "medians of {n} runs; rules: {}; 4 KiB {op}s from {c} connections\n",
        runs[0]["rules"].as_str().unwrap_or("")
    );
    println!("| phase | run (s) | {op}/s | {op} p50 (ms) | {op} p99 (ms) | p99 / idle |");
    println!("|---|---|---|---|---|---|");
    let idle_p99 = med(&["idle", "p99_us"]);
    for (name, run, get) in [
        ("idle", None, vec!["idle"]),
        (
            "rebuild only",
            Some(["rebuild", "run_ms"]),
            vec!["rebuild", "get"],
        ),
        (
            "rebuild + due work",
            Some(["rebuild_and_due", "run_ms"]),
            vec!["rebuild_and_due", "get"],
        ),
    ] {
        let at = |k: &str| {
            let mut p = get.clone();
            p.push(k);
            med(&p)
        };
        let run = run.map_or("–".to_owned(), |r| format!("{:.1}", med(&r) / 1000.0));
        println!(
            "| {name} | {run} | {:.0} | {:.2} | {:.2} | {:.2} |",
            at("per_second"),
            at("p50_us") / 1000.0,
            at("p99_us") / 1000.0,
            at("p99_us") / idle_p99,
        );
    }
    let due_work = med(&["rebuild_and_due", "run_ms"]) - med(&["rebuild", "run_ms"]);
    println!(
        "\ndue work alone (rebuild + due − rebuild): {:.1} s; actions per run (median): {:.0}; keys filed per rebuild: {:.0}",
        due_work / 1000.0,
        med(&["rebuild_and_due", "log", "actions"]),
        med(&["rebuild", "log", "filed"]),
    );
}
