//! `strata rm TARGET`: delete every object under a prefix, or a whole bucket's contents; with
//! `--all-versions` every version and delete marker, and the incomplete multipart uploads
//! (which empties a versioned bucket); with `--bucket` the bucket too.
//!
//! Listing and deleting are pipelined: one lister task pages through the listing and sends
//! batches of up to 1000 entries into a bounded channel; `--jobs` deleter tasks take batches
//! and send each as one multi-delete (`batch.rs`). Entries a multi-delete reports as failed
//! are retried with exponential backoff, then reported; entries reported missing (BOS) count
//! as already gone; entries retention protects (S3 Object Lock, an OSS BucketWorm or BOS object
//! lock rule) are counted and reported apart, and keep the bucket. Ctrl-C stops the listing
//! and lets the batches in flight finish.

mod batch;

pub use batch::{delete_batch, retry};

use crate::target::{
    ConnArgs, EXIT_INTERRUPTED, Failure, Stop, Target, format_time, now_ms, parse_duration,
    progress_bar,
};
use indicatif::ProgressBar;
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use strata_client::{Client, DeleteFailure, MAX_DELETE_BATCH, ObjectId};
use tokio::sync::{Mutex, mpsc};

/// The exit status when everything was deleted but entries retention protects (and nothing
/// failed): the run did all it could, yet the prefix (or bucket) is not empty.
pub const EXIT_PROTECTED: u8 = 3;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 everything deleted; 1 entries not deleted (failures), or \
an error stopped the run; 2 a wrong command line; 3 everything deleted except entries retention \
protects (S3 Object Lock retention or legal hold, an OSS BucketWorm or BOS object lock rule; \
with --bucket the bucket is kept); 130 stopped by Ctrl-C."
)]
pub struct RmArgs {
    /// What to delete: BUCKET (everything in it) or BUCKET/PREFIX (every key starting with
    /// PREFIX).
    #[arg(value_name = "TARGET")]
    target: String,

    #[command(flatten)]
    conn: ConnArgs,

    /// Delete every version and delete marker, not only the current objects (empties a
    /// versioned bucket).
    #[arg(long)]
    all_versions: bool,

    /// Delete the bucket too, once it is empty (TARGET must be a whole bucket); a bucket
    /// holding entries retention protects is kept (exit status 3).
    #[arg(long, conflicts_with = "older_than")]
    bucket: bool,

    /// Delete only entries last modified longer ago than this (e.g. 30d, 12h, 1h30m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    older_than: Option<Duration>,

    /// Print what would be deleted, and delete nothing.
    #[arg(long)]
    dry_run: bool,

    /// Multi-delete requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,

    /// Entries per multi-delete request (at most 1000).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    batch_size: u16,

    /// Attempts after the first for entries (or requests) that fail.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,

    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// What to remove, and how.
#[derive(Clone, Debug)]
pub struct Removal {
    pub bucket: String,
    pub prefix: String,
    pub all_versions: bool,
    /// Only entries last modified before this (unix ms).
    pub cutoff_ms: Option<i64>,
    pub dry_run: bool,
    pub jobs: usize,
    pub batch: usize,
    pub retries: u32,
}

/// What a removal did.
#[derive(Debug, Default)]
pub struct Report {
    /// Entries listed (versions and markers, or current objects).
    pub listed: u64,
    /// Entries deleted (or, in a dry run, that would be).
    pub deleted: u64,
    /// Entries the service reported missing: gone already.
    pub gone: u64,
    /// Entries left alone by `--older-than`.
    pub skipped: u64,
    pub failures: Vec<DeleteFailure>,
    /// Entries retention protects ([`DeleteFailure::is_protected`]): not deleted, not retried.
    pub protected: Vec<DeleteFailure>,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// Why the removal stopped early, if an error stopped it.
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn keys_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.deleted + self.gone) as f64 / secs
        } else {
            0.0
        }
    }

    fn absorb(&mut self, other: Report) {
        self.deleted += other.deleted;
        self.gone += other.gone;
        self.failures.extend(other.failures);
        self.protected.extend(other.protected);
        if self.error.is_none() {
            self.error = other.error;
        }
    }
}

pub async fn run(args: RmArgs) -> ExitCode {
    crate::target::exit("rm", rm(args).await)
}

async fn rm(args: RmArgs) -> Result<ExitCode, Failure> {
    let target = Target::parse(&args.target)?;
    if args.bucket && !target.prefix.is_empty() {
        return Err(Failure::Usage(format!(
            "--bucket deletes a whole bucket: the target must be BUCKET, not {target}"
        )));
    }
    let client = args.conn.client()?;
    let removal = Removal {
        bucket: target.bucket.clone(),
        prefix: target.prefix.clone(),
        all_versions: args.all_versions,
        cutoff_ms: args
            .older_than
            .map(|d| now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        dry_run: args.dry_run,
        jobs: usize::from(args.jobs),
        batch: usize::from(args.batch_size),
        retries: args.retries,
    };
    if let Some(cutoff) = removal.cutoff_ms {
        eprintln!(
            "strata rm: deleting only entries last modified before {}",
            format_time(cutoff)
        );
    }
    let show = !args.quiet && std::io::stderr().is_terminal();
    let bar = progress_bar(
        "{spinner} {msg} [{elapsed_precise}] [{wide_bar}] {human_pos}/{human_len} ({per_sec}, ETA {eta})",
        show,
    );
    bar.set_message(if args.dry_run { "listing" } else { "deleting" });
    let stop = Stop::on_ctrl_c("rm");
    let report = remove(&client, &removal, &bar, &stop).await;
    bar.finish_and_clear();

    print_entries("not deleted", &report.failures);
    let mut protected = report.protected.clone();
    protected.sort_by(|a, b| (&a.key, &a.version_id).cmp(&(&b.key, &b.version_id)));
    print_entries("protected", &protected);
    let what = if args.all_versions {
        "versions and delete markers"
    } else {
        "objects"
    };
    let secs = report.elapsed.as_secs_f64();
    let summary = if args.dry_run {
        format!(
            "rm (dry run): would delete {} {what} under {target}, skipped {}, elapsed {secs:.2}s",
            report.deleted, report.skipped
        )
    } else {
        format!(
            "rm: deleted {} {what} under {target}, failed {}, protected {}, skipped {}, already gone {}, elapsed {secs:.2}s, {:.0} keys/s",
            report.deleted,
            report.failures.len(),
            report.protected.len(),
            report.skipped,
            report.gone,
            report.keys_per_sec()
        )
    };
    println!("{summary}");

    if report.interrupted {
        println!("rm: interrupted; run it again to finish");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if let Some(e) = report.error {
        return Err(Failure::Failed(e));
    }
    if !report.failures.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    // Everything under the prefix goes: incomplete multipart uploads too (a bucket with one
    // cannot be deleted).
    if args.all_versions || args.bucket {
        let aborted = abort_uploads(&client, &removal, &stop).await?;
        if aborted > 0 {
            let verb = if args.dry_run {
                "rm (dry run): would abort"
            } else {
                "rm: aborted"
            };
            println!("{verb} {aborted} incomplete multipart uploads under {target}");
        }
        if stop.is_stopped() {
            println!("rm: interrupted; run it again to finish");
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        }
    }
    if !report.protected.is_empty() {
        eprintln!(
            "strata rm: {} entries are protected by retention and cannot be deleted until it ends",
            report.protected.len()
        );
    }
    if args.bucket {
        if args.dry_run {
            println!("rm (dry run): would delete bucket {}", target.bucket);
        } else if !report.protected.is_empty() {
            eprintln!(
                "strata rm: bucket {} not deleted: it holds {} entries protected by retention",
                target.bucket,
                report.protected.len()
            );
        } else {
            client.delete_bucket(&target.bucket).await.map_err(|e| {
                let hint = if e.code() == Some("BucketNotEmpty") && !args.all_versions {
                    " (a versioned bucket keeps old versions and delete markers: add --all-versions)"
                } else {
                    ""
                };
                Failure::Failed(format!(
                    "cannot delete bucket {}: {e}{hint}",
                    target.bucket
                ))
            })?;
            println!("rm: deleted bucket {}", target.bucket);
        }
    }
    if !report.protected.is_empty() {
        return Ok(ExitCode::from(EXIT_PROTECTED));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the first 20 `entries` (with their version IDs and the service's reason) as
/// `strata rm: WHAT: KEY (version V): CODE: MESSAGE`, then how many more there are.
fn print_entries(what: &str, entries: &[DeleteFailure]) {
    for f in entries.iter().take(20) {
        let version = f
            .version_id
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default();
        eprintln!(
            "strata rm: {what}: {}{version}: {}: {}",
            f.key, f.code, f.message
        );
    }
    if entries.len() > 20 {
        eprintln!("strata rm: … and {} more {what}", entries.len() - 20);
    }
}

/// Aborts the incomplete multipart uploads under the prefix (in a dry run, prints them):
/// lists the first page, aborts it, and lists again until none is left.
async fn abort_uploads(client: &Client, removal: &Removal, stop: &Stop) -> Result<u64, Failure> {
    let mut aborted = 0;
    loop {
        let listed = retry(removal.retries, stop, || {
            client.list_uploads(&removal.bucket, &removal.prefix, MAX_DELETE_BATCH)
        })
        .await
        .map_err(|e| Failure::Failed(format!("cannot list multipart uploads: {e}")))?;
        let Some(uploads) = listed.filter(|u| !u.is_empty()) else {
            return Ok(aborted);
        };
        for u in &uploads {
            if removal.dry_run {
                println!("would abort upload {} of {}", u.upload_id, u.key);
                aborted += 1;
                continue;
            }
            let r = retry(removal.retries, stop, || {
                client.abort_upload(&removal.bucket, &u.key, &u.upload_id)
            })
            .await;
            match r {
                Ok(Some(())) => aborted += 1,
                Ok(None) => return Ok(aborted),
                // Aborted meanwhile (or completed): gone either way.
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(Failure::Failed(format!(
                        "cannot abort upload {} of {}: {e}",
                        u.upload_id, u.key
                    )));
                }
            }
        }
        if removal.dry_run {
            return Ok(aborted);
        }
    }
}

/// Lists and deletes what `removal` names, `removal.jobs` batches in flight; `bar` counts
/// entries (its length grows as the listing goes). Never panics on service errors: they end
/// up in the report.
pub async fn remove(client: &Client, removal: &Removal, bar: &ProgressBar, stop: &Stop) -> Report {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<Vec<ObjectId>>(removal.jobs.max(1));
    let rx = Arc::new(Mutex::new(rx));
    let abort = Arc::new(AtomicBool::new(false));
    let mut deleters = Vec::new();
    for _ in 0..removal.jobs.max(1) {
        let (client, rx, abort, stop, bar) = (
            client.clone(),
            rx.clone(),
            abort.clone(),
            stop.clone(),
            bar.clone(),
        );
        let (bucket, retries) = (removal.bucket.clone(), removal.retries);
        deleters.push(tokio::spawn(async move {
            let mut report = Report::default();
            loop {
                if stop.is_stopped() || abort.load(Ordering::Relaxed) {
                    break;
                }
                let batch = {
                    let mut rx = rx.lock().await;
                    tokio::select! {
                        b = rx.recv() => b,
                        () = stop.stopped() => None,
                    }
                };
                let Some(batch) = batch else { break };
                let n = batch.len() as u64;
                let outcome = delete_batch(&client, &bucket, batch, retries).await;
                bar.inc(n);
                if outcome.error.is_some() {
                    abort.store(true, Ordering::Relaxed);
                }
                report.absorb(outcome);
            }
            report
        }));
    }
    drop(rx);
    let mut report = list(client, removal, tx, bar, stop, &abort).await;
    for d in deleters {
        match d.await {
            Ok(r) => report.absorb(r),
            Err(e) => {
                report
                    .error
                    .get_or_insert_with(|| format!("a deleter task failed: {e}"));
            }
        }
    }
    report.interrupted = stop.is_stopped();
    report.elapsed = start.elapsed();
    report
}

/// Pages through the listing, sending batches to the deleters (or, in a dry run, printing
/// each entry). Returns the listing's part of the report.
async fn list(
    client: &Client,
    removal: &Removal,
    tx: mpsc::Sender<Vec<ObjectId>>,
    bar: &ProgressBar,
    stop: &Stop,
    abort: &AtomicBool,
) -> Report {
    let mut report = Report::default();
    let mut batch: Vec<ObjectId> = Vec::with_capacity(removal.batch);
    let mut version_marker = None;
    let mut token: Option<String> = None;
    loop {
        if stop.is_stopped() || abort.load(Ordering::Relaxed) {
            return report;
        }
        // One page: (entries as (id, last modified, label)), and whether there is more.
        let (marker, token_now) = (version_marker.as_ref(), token.as_deref());
        let page = retry(removal.retries, stop, || async move {
            if removal.all_versions {
                client
                    .list_versions(&removal.bucket, &removal.prefix, marker, MAX_DELETE_BATCH)
                    .await
                    .map(|p| {
                        let more = p.next.clone();
                        let entries: Vec<_> = p
                            .entries
                            .into_iter()
                            .map(|e| {
                                let label = if e.is_delete_marker {
                                    "delete marker"
                                } else {
                                    "version"
                                };
                                let id = ObjectId {
                                    key: e.key,
                                    version_id: Some(e.version_id),
                                };
                                (id, e.last_modified_ms, label)
                            })
                            .collect();
                        (entries, more.map(Next::Version))
                    })
            } else {
                client
                    .list_objects(
                        &removal.bucket,
                        &removal.prefix,
                        token_now,
                        MAX_DELETE_BATCH,
                    )
                    .await
                    .map(|p| {
                        let entries: Vec<_> = p
                            .entries
                            .into_iter()
                            .map(|e| {
                                let id = ObjectId {
                                    key: e.key,
                                    version_id: None,
                                };
                                (id, e.last_modified_ms, "object")
                            })
                            .collect();
                        (entries, p.next.map(Next::Token))
                    })
            }
        })
        .await;
        let (entries, next) = match page {
            Ok(Some(page)) => page,
            Ok(None) => return report,
            Err(e) => {
                report.error = Some(format!("cannot list {}: {e}", removal.bucket));
                abort.store(true, Ordering::Relaxed);
                return report;
            }
        };
        for (id, modified, label) in entries {
            report.listed += 1;
            if removal.cutoff_ms.is_some_and(|cutoff| modified >= cutoff) {
                report.skipped += 1;
                continue;
            }
            if removal.dry_run {
                let version = id
                    .version_id
                    .as_deref()
                    .map(|v| format!(" ({label} {v})"))
                    .unwrap_or_default();
                println!(
                    "would delete {}{version}, last modified {}",
                    id.key,
                    format_time(modified)
                );
                report.deleted += 1;
                bar.inc_length(1);
                bar.inc(1);
                continue;
            }
            batch.push(id);
            if batch.len() >= removal.batch {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(removal.batch));
                if !send(&tx, full, bar, stop).await {
                    return report;
                }
            }
        }
        match next {
            Some(Next::Version(m)) => version_marker = Some(m),
            Some(Next::Token(t)) => token = Some(t),
            None => break,
        }
    }
    if !batch.is_empty() {
        send(&tx, batch, bar, stop).await;
    }
    report
}

enum Next {
    Version(strata_client::VersionsMarker),
    Token(String),
}

/// Hands a batch to the deleters; false when they are gone or Ctrl-C came.
async fn send(
    tx: &mpsc::Sender<Vec<ObjectId>>,
    batch: Vec<ObjectId>,
    bar: &ProgressBar,
    stop: &Stop,
) -> bool {
    let n = batch.len() as u64;
    tokio::select! {
        r = tx.send(batch) => {
            if r.is_ok() {
                bar.inc_length(n);
            }
            r.is_ok()
        }
        () = stop.stopped() => false,
    }
}
