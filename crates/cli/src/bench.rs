//! `strata bench TARGET`: a load generator in the spirit of MinIO's warp, for any endpoint of
//! the three dialects (requests are signed with the dialect's own scheme).
//!
//! Modes: `put`, `get`, `delete`, `multi-delete`, `list`, and `mix` (45 % get, 30 % stat,
//! 15 % put, 10 % delete). `--concurrency` workers run operations until `--duration` has
//! passed or `--count` operations were made. Modes that need objects (get, delete,
//! multi-delete, list, mix) upload them first, untimed. The report gives, per operation,
//! ops/s, MB/s (10^6 bytes), keys/s for multi-delete, and latency mean/p50/p90/p99/max, as text
//! or JSON (`--json`). Everything the run wrote is removed at the end (every version), and a
//! bucket the run created is deleted.

use crate::rm::{Removal, remove};
use crate::target::{ConnArgs, Failure, Stop, Target, parse_duration, parse_size, progress_bar};
use bytes::Bytes;
use indicatif::ProgressBar;
use rand::rngs::SmallRng;
use rand::{Rng as _, RngExt as _, SeedableRng as _};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use strata_client::{Client, MAX_DELETE_BATCH, ObjectId};

mod report;
use report::{Header, OPS, Op, Stats, print_text, summarize, to_json};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Put,
    Get,
    Delete,
    MultiDelete,
    List,
    Mix,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Put => "put",
            Mode::Get => "get",
            Mode::Delete => "delete",
            Mode::MultiDelete => "multi-delete",
            Mode::List => "list",
            Mode::Mix => "mix",
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Where the benchmark's objects go: BUCKET or BUCKET/PREFIX. The bucket is created if
    /// missing (and then deleted at the end); objects go under PREFIX/strata-bench-RUN/.
    #[arg(value_name = "TARGET")]
    target: String,

    #[command(flatten)]
    conn: ConnArgs,

    /// The operation: put, get, delete, multi-delete, list, or mix.
    #[arg(long, value_enum, default_value = "mix")]
    mode: Mode,

    /// Object size (4KiB, 64MiB, 1MB, 4096 …).
    #[arg(long, value_name = "SIZE", default_value = "4KiB", value_parser = parse_size)]
    size: u64,

    /// Operations in flight at once.
    #[arg(long, short = 'c', value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=4096))]
    concurrency: u16,

    /// How long to run (default 10s unless --count is given).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "count")]
    duration: Option<Duration>,

    /// How many operations to make in all (instead of a duration).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,

    /// Objects prepared before timing (get, delete, multi-delete, list, mix) or, for put, keys
    /// written over and over (default: a new key per put).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    objects: Option<u64>,

    /// Keys per multi-delete request.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    batch_size: u16,

    /// Enable versioning on the bucket first.
    #[arg(long)]
    versioned: bool,

    /// Print the report as JSON.
    #[arg(long)]
    json: bool,

    /// Leave the objects (and a created bucket) in place.
    #[arg(long)]
    no_cleanup: bool,

    /// No progress display.
    #[arg(long, short)]
    quiet: bool,
}

/// What every worker shares.
struct Shared {
    client: Client,
    bucket: String,
    prefix: String,
    mode: Mode,
    payload: Bytes,
    /// Prepared keys.
    pool: Vec<String>,
    /// The next operation's number.
    next: AtomicU64,
    /// Operations to make at most.
    limit: u64,
    deadline: Option<Instant>,
    batch: usize,
    /// For put: keys cycled through.
    put_keys: Option<u64>,
    concurrency: usize,
    done: ProgressBar,
    stop: Stop,
}

pub async fn run(args: BenchArgs) -> ExitCode {
    crate::target::exit("bench", bench(args).await)
}

async fn bench(args: BenchArgs) -> Result<ExitCode, Failure> {
    let target = Target::parse(&args.target)?;
    let client = args.conn.client()?;
    let size = usize::try_from(args.size)
        .map_err(|_| Failure::Usage(format!("--size {} is too large", args.size)))?;
    let concurrency = usize::from(args.concurrency);
    let batch = usize::from(args.batch_size).min(MAX_DELETE_BATCH);
    let show = !args.quiet && std::io::stderr().is_terminal();
    let stop = Stop::on_ctrl_c("bench");

    // The bucket, and versioning.
    let created = match client.bucket_exists(&target.bucket).await {
        Ok(true) => false,
        Ok(false) => {
            client.create_bucket(&target.bucket).await.map_err(|e| {
                Failure::Failed(format!("cannot create bucket {}: {e}", target.bucket))
            })?;
            true
        }
        Err(e) => {
            return Err(Failure::Failed(format!(
                "cannot reach bucket {}: {e}",
                target.bucket
            )));
        }
    };
    if args.versioned {
        client
            .set_versioning(&target.bucket, true)
            .await
            .map_err(|e| Failure::Failed(format!("cannot enable versioning: {e}")))?;
    }
    let run_id = format!("{:08x}", rand::random::<u32>());
    let prefix = format!("{}strata-bench-{run_id}/", target.prefix);
    let payload = payload(size);

    // Objects to prepare, and how many operations at most.
    let objects = |default: u64| args.objects.unwrap_or(default);
    let pool_size: u64 = match args.mode {
        Mode::Put => 0,
        Mode::Get => objects(concurrency as u64),
        Mode::Delete => args.count.unwrap_or(objects(2000)),
        Mode::MultiDelete => args
            .count
            .map(|c| c * batch as u64)
            .unwrap_or(objects(10 * batch as u64)),
        Mode::List => objects(1000),
        Mode::Mix => objects(16 * concurrency as u64).max(concurrency as u64),
    };
    let pool: Vec<String> = (0..pool_size)
        .map(|i| format!("{prefix}obj-{i:08}"))
        .collect();
    let mut limit = args.count.unwrap_or(u64::MAX);
    match args.mode {
        Mode::Delete => limit = limit.min(pool_size),
        Mode::MultiDelete => limit = limit.min(pool_size.div_ceil(batch as u64)),
        _ => {}
    }
    let duration = match (args.duration, args.count) {
        (Some(d), _) => Some(d),
        (None, Some(_)) => None,
        (None, None) => Some(Duration::from_secs(10)),
    };

    let mut outcome = Ok(());
    if !pool.is_empty() {
        let bar = progress_bar(
            "{spinner} preparing [{elapsed_precise}] [{wide_bar}] {human_pos}/{human_len} ({per_sec})",
            show,
        );
        bar.set_length(pool.len() as u64);
        outcome = prepare(
            &client,
            &target.bucket,
            &pool,
            &payload,
            concurrency.max(16),
            &bar,
            &stop,
        )
        .await;
        bar.finish_and_clear();
    }

    let mut report = None;
    if outcome.is_ok() && !stop.is_stopped() {
        let done = progress_bar(
            "{spinner} {msg} [{elapsed_precise}] {human_pos} ops ({per_sec})",
            show,
        );
        done.set_message(args.mode.name());
        let start = Instant::now();
        let shared = Arc::new(Shared {
            client: client.clone(),
            bucket: target.bucket.clone(),
            prefix: prefix.clone(),
            mode: args.mode,
            payload: payload.clone(),
            pool,
            next: AtomicU64::new(0),
            limit,
            deadline: duration.map(|d| start + d),
            batch,
            put_keys: args.objects,
            concurrency,
            done: done.clone(),
            stop: stop.clone(),
        });
        let mut workers = Vec::new();
        for w in 0..concurrency {
            let shared = shared.clone();
            workers.push(tokio::spawn(async move { worker(&shared, w).await }));
        }
        let mut stats = Stats::default();
        for w in workers {
            match w.await {
                Ok(s) => stats.merge(s),
                Err(e) => outcome = Err(format!("a worker failed: {e}")),
            }
        }
        let elapsed = start.elapsed();
        done.finish_and_clear();
        report = Some((stats, elapsed));
    }

    // Cleanup, whatever happened.
    if !args.no_cleanup {
        let bar = progress_bar(
            "{spinner} cleaning up [{elapsed_precise}] {human_pos}",
            show,
        );
        let cleanup = cleanup(&client, &target.bucket, &prefix, created, &bar).await;
        bar.finish_and_clear();
        if let Err(e) = cleanup {
            eprintln!("strata bench: cleanup: {e}");
        }
    }
    outcome.map_err(Failure::Failed)?;
    let Some((stats, elapsed)) = report else {
        println!("bench: interrupted before the run");
        return Ok(ExitCode::from(crate::target::EXIT_INTERRUPTED));
    };

    let header = Header {
        mode: args.mode,
        client: &client,
        bucket: &target.bucket,
        prefix: &prefix,
        size: args.size,
        concurrency,
        versioned: args.versioned,
        batch,
        elapsed,
    };
    let ops = summarize(&stats, elapsed);
    if args.json {
        println!("{}", to_json(&header, &ops));
    } else {
        print_text(&header, &ops);
    }
    for op in OPS {
        if let Some(e) = &stats.0[op as usize].first_error {
            eprintln!(
                "strata bench: {} error (first of {}): {e}",
                op.name(),
                stats.0[op as usize].errors
            );
        }
    }
    let total_ok: u64 = ops.iter().map(|o| o.count).sum();
    if stop.is_stopped() {
        return Ok(ExitCode::from(crate::target::EXIT_INTERRUPTED));
    }
    Ok(if total_ok == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

/// `size` bytes of pseudo-random data (incompressible, the same every run).
fn payload(size: usize) -> Bytes {
    let mut rng = SmallRng::seed_from_u64(0x5354_5241_5441);
    let mut v = Vec::with_capacity(size + 8);
    while v.len() < size {
        v.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    v.truncate(size);
    Bytes::from(v)
}

/// Uploads the pool, `concurrency` at a time (each put retried a few times).
async fn prepare(
    client: &Client,
    bucket: &str,
    pool: &[String],
    payload: &Bytes,
    concurrency: usize,
    bar: &ProgressBar,
    stop: &Stop,
) -> Result<(), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let pool: Arc<[String]> = pool.into();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.min(pool.len()) {
        let (client, bucket, pool, payload, next, bar, stop) = (
            client.clone(),
            bucket.to_owned(),
            pool.clone(),
            payload.clone(),
            next.clone(),
            bar.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(key) = pool.get(i) else {
                    return Ok(());
                };
                let r = crate::rm::retry(3, &stop, || {
                    client.put_object(&bucket, key, payload.clone())
                })
                .await;
                match r {
                    Ok(Some(_)) => bar.inc(1),
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(format!("preparing {key}: {e}")),
                }
            }
        }));
    }
    let mut result = Ok(());
    for t in tasks {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => result = result.and(Err(e)),
            Err(e) => result = result.and(Err(format!("a preparing task failed: {e}"))),
        }
    }
    result
}

async fn worker(shared: &Shared, w: usize) -> Stats {
    let mut stats = Stats::default();
    let mut rng =
        SmallRng::seed_from_u64(now_nanos() ^ (w as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    // Mix: the pool keys this worker owns, and which of them exist.
    let mine: Vec<&str> = shared
        .pool
        .iter()
        .skip(w)
        .step_by(shared.concurrency)
        .map(String::as_str)
        .collect();
    let mut present: Vec<usize> = (0..mine.len()).collect();
    let mut absent: Vec<usize> = Vec::new();
    let (c, b) = (&shared.client, shared.bucket.as_str());
    loop {
        if shared.stop.is_stopped() || shared.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.limit {
            break;
        }
        let t = Instant::now();
        match shared.mode {
            Mode::Put => {
                let n = shared.put_keys.map_or(i, |keys| i % keys);
                let key = format!("{}obj-{n:08}", shared.prefix);
                let r = c
                    .put_object(b, &key, shared.payload.clone())
                    .await
                    .map_err(|e| e.to_string());
                stats.record(Op::Put, t, &r);
                if r.is_ok() {
                    stats.of(Op::Put).bytes += shared.payload.len() as u64;
                }
            }
            Mode::Get => {
                let key = &shared.pool[i as usize % shared.pool.len()];
                let r = c.get_object(b, key, None).await.map_err(|e| e.to_string());
                stats.record(Op::Get, t, &r);
                if let Ok(n) = r {
                    stats.of(Op::Get).bytes += n;
                }
            }
            Mode::Delete => {
                let key = &shared.pool[i as usize];
                let r = c
                    .delete_object(b, key, None)
                    .await
                    .map_err(|e| e.to_string());
                stats.record(Op::Delete, t, &r);
                if r.is_ok() {
                    stats.of(Op::Delete).keys += 1;
                }
            }
            Mode::MultiDelete => {
                let start = i as usize * shared.batch;
                let end = (start + shared.batch).min(shared.pool.len());
                let ids: Vec<ObjectId> = shared.pool[start..end]
                    .iter()
                    .map(|k| ObjectId {
                        key: k.clone(),
                        version_id: None,
                    })
                    .collect();
                let t = Instant::now();
                let r = match c.delete_objects(b, &ids).await {
                    Ok(failures) => match failures.iter().find(|f| !f.is_missing()) {
                        Some(f) => Err(format!(
                            "{} of {} keys not deleted, e.g. {}: {}",
                            failures.len(),
                            ids.len(),
                            f.key,
                            f.code
                        )),
                        None => Ok(ids.len() - failures.len()),
                    },
                    Err(e) => Err(e.to_string()),
                };
                stats.record(Op::MultiDelete, t, &r);
                if let Ok(n) = r {
                    stats.of(Op::MultiDelete).keys += n as u64;
                }
            }
            Mode::List => {
                let r = c
                    .list_objects(b, &shared.prefix, None, MAX_DELETE_BATCH)
                    .await
                    .map_err(|e| e.to_string());
                stats.record(Op::List, t, &r);
                if let Ok(page) = r {
                    stats.of(Op::List).keys += page.entries.len() as u64;
                }
            }
            Mode::Mix => {
                let roll = rng.random_range(0..100);
                let op = match roll {
                    _ if present.is_empty() => Op::Put,
                    0..45 => Op::Get,
                    45..75 => Op::Stat,
                    75..90 => Op::Put,
                    _ => Op::Delete,
                };
                match op {
                    Op::Put => {
                        // Recreate a deleted key when there is one, else overwrite.
                        let (slot, was_absent) = if absent.is_empty() {
                            (present[rng.random_range(0..present.len())], false)
                        } else {
                            (absent.swap_remove(rng.random_range(0..absent.len())), true)
                        };
                        let r = c
                            .put_object(b, mine[slot], shared.payload.clone())
                            .await
                            .map_err(|e| e.to_string());
                        stats.record(Op::Put, t, &r);
                        if r.is_ok() {
                            stats.of(Op::Put).bytes += shared.payload.len() as u64;
                            if was_absent {
                                present.push(slot);
                            }
                        } else if was_absent {
                            absent.push(slot);
                        }
                    }
                    Op::Get => {
                        let slot = present[rng.random_range(0..present.len())];
                        let r = c
                            .get_object(b, mine[slot], None)
                            .await
                            .map_err(|e| e.to_string());
                        stats.record(Op::Get, t, &r);
                        if let Ok(n) = r {
                            stats.of(Op::Get).bytes += n;
                        }
                    }
                    Op::Stat => {
                        let slot = present[rng.random_range(0..present.len())];
                        let r = c
                            .head_object(b, mine[slot], None)
                            .await
                            .map_err(|e| e.to_string());
                        stats.record(Op::Stat, t, &r);
                    }
                    _ => {
                        let pos = rng.random_range(0..present.len());
                        let slot = present[pos];
                        let r = c
                            .delete_object(b, mine[slot], None)
                            .await
                            .map_err(|e| e.to_string());
                        stats.record(Op::Delete, t, &r);
                        if r.is_ok() {
                            stats.of(Op::Delete).keys += 1;
                            present.swap_remove(pos);
                            absent.push(slot);
                        }
                    }
                }
            }
        }
        shared.done.inc(1);
    }
    stats
}

/// Removes everything under the run's prefix (every version), then the bucket if the run
/// created it.
async fn cleanup(
    client: &Client,
    bucket: &str,
    prefix: &str,
    created: bool,
    bar: &ProgressBar,
) -> Result<(), String> {
    let mut removal = Removal {
        bucket: bucket.to_owned(),
        prefix: prefix.to_owned(),
        all_versions: true,
        cutoff_ms: None,
        dry_run: false,
        jobs: 4,
        batch: MAX_DELETE_BATCH,
        retries: 4,
    };
    let stop = Stop::never();
    let mut report = remove(client, &removal, bar, &stop).await;
    if report.error.is_some() {
        // A server without version listings: current objects only.
        removal.all_versions = false;
        report = remove(client, &removal, bar, &stop).await;
    }
    if let Some(e) = report.error {
        return Err(e);
    }
    if !report.failures.is_empty() {
        return Err(format!("{} entries not deleted", report.failures.len()));
    }
    if created {
        client
            .delete_bucket(bucket)
            .await
            .map_err(|e| format!("cannot delete bucket {bucket}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_the_size_asked_for() {
        assert_eq!(payload(0).len(), 0);
        assert_eq!(payload(4097).len(), 4097);
    }
}
