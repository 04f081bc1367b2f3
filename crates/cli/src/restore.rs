//! `strata restore TARGET --as-of TIME`: bring the keys under a prefix back to how they were
//! at TIME, in a versioned bucket.
//!
//! For each key, the entry that was current at TIME is the newest one last modified at or
//! before it (listings are in key order, newest first within a key). Then:
//!
//! - it is still current, or the current version has its content (same ETag and size):
//!   nothing to do (so restoring twice changes nothing more);
//! - only delete markers came after it: those markers are removed (one multi-delete per 1000),
//!   and it is current again, with its own version ID and no data copied;
//! - a newer version came after it: it is copied over the key (a new current version with
//!   its content);
//! - the key did not exist at TIME, or was deleted at TIME and written again since: left
//!   alone (restore only brings data back, it never deletes any).
//!
//! Listing timestamps are second-granular in S3 and OSS, so TIME is effectively to the
//! second: an entry written in the same second as TIME counts as written at or before it.
//!
//! The plan per key is `strata_wire::restore::plan`, which the web console shares.

use crate::rm::{delete_batch, retry};
use crate::target::{
    ConnArgs, EXIT_INTERRUPTED, Failure, Stop, Target, format_time, parse_time, progress_bar,
};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use strata_client::{Client, MAX_DELETE_BATCH, ObjectId, VersionEntry};
pub use strata_wire::restore::{Plan, plan};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// What to restore: BUCKET or BUCKET/PREFIX.
    #[arg(value_name = "TARGET")]
    target: String,

    #[command(flatten)]
    conn: ConnArgs,

    /// The time to go back to: RFC 3339 (2026-11-21T14:30:05Z) or @UNIX_SECONDS.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    as_of: i64,

    /// Print the plan, and change nothing.
    #[arg(long)]
    dry_run: bool,

    /// Copies in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,

    /// Attempts after the first for requests and entries that fail.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,

    /// No progress display.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Default)]
struct Counts {
    keys: u64,
    undeleted: u64,
    copied: u64,
    unchanged: u64,
    created_later: u64,
    deleted_then: u64,
    markers_removed: u64,
    failed: Vec<String>,
}

pub async fn run(args: RestoreArgs) -> ExitCode {
    crate::target::exit("restore", restore(args).await)
}

async fn restore(args: RestoreArgs) -> Result<ExitCode, Failure> {
    let target = Target::parse(&args.target)?;
    let client = args.conn.client()?;
    let start = Instant::now();
    let show = !args.quiet && std::io::stderr().is_terminal();
    let bar = progress_bar(
        "{spinner} {msg} [{elapsed_precise}] {human_pos} keys ({per_sec})",
        show,
    );
    bar.set_message("restoring");
    let stop = Stop::on_ctrl_c("restore");
    let mut run = Run {
        client: &client,
        bucket: &target.bucket,
        args: &args,
        counts: Counts::default(),
        markers: Vec::new(),
        marker_keys: Vec::new(),
        copies: JoinSet::new(),
        permits: Arc::new(Semaphore::new(usize::from(args.jobs))),
    };
    let mut marker = None;
    let mut key_entries: Vec<VersionEntry> = Vec::new();
    let mut error = None;
    loop {
        let page = retry(args.retries, &stop, || {
            client.list_versions(
                &target.bucket,
                &target.prefix,
                marker.as_ref(),
                MAX_DELETE_BATCH,
            )
        })
        .await;
        let page = match page {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => {
                error = Some(format!("cannot list {}: {e}", target.bucket));
                break;
            }
        };
        for e in page.entries {
            if key_entries.first().is_some_and(|k| k.key != e.key) {
                run.key(std::mem::take(&mut key_entries)).await;
                bar.inc(1);
            }
            key_entries.push(e);
        }
        marker = page.next;
        if marker.is_none() {
            break;
        }
    }
    let interrupted = stop.is_stopped();
    if error.is_none() && !interrupted && !key_entries.is_empty() {
        run.key(key_entries).await;
        bar.inc(1);
    }
    run.finish().await;
    bar.finish_and_clear();
    let c = run.counts;

    for f in c.failed.iter().take(20) {
        eprintln!("strata restore: not restored: {f}");
    }
    if c.failed.len() > 20 {
        eprintln!(
            "strata restore: … and {} more not restored",
            c.failed.len() - 20
        );
    }
    let when = format_time(args.as_of);
    let secs = start.elapsed().as_secs_f64();
    if args.dry_run {
        println!(
            "restore (dry run): would restore {} keys under {target} as of {when} (undelete {}, copy back {}), unchanged {}, left alone {} (created later {}, deleted then {}), elapsed {secs:.2}s",
            c.undeleted + c.copied,
            c.undeleted,
            c.copied,
            c.unchanged,
            c.created_later + c.deleted_then,
            c.created_later,
            c.deleted_then,
        );
    } else {
        println!(
            "restore: restored {} keys under {target} as of {when} (undeleted {}, copied back {}; {} delete markers removed), unchanged {}, left alone {} (created later {}, deleted then {}), failed {}, elapsed {secs:.2}s",
            c.undeleted + c.copied,
            c.undeleted,
            c.copied,
            c.markers_removed,
            c.unchanged,
            c.created_later + c.deleted_then,
            c.created_later,
            c.deleted_then,
            c.failed.len(),
        );
    }
    if interrupted {
        println!("restore: interrupted; run it again to finish");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if let Some(e) = error {
        return Err(Failure::Failed(e));
    }
    Ok(if c.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The work in progress: delete markers waiting for a multi-delete, copies in flight.
struct Run<'a> {
    client: &'a Client,
    bucket: &'a str,
    args: &'a RestoreArgs,
    counts: Counts,
    /// Markers to remove, with the keys they belong to (one entry per key in `marker_keys`,
    /// with how many markers it has).
    markers: Vec<ObjectId>,
    marker_keys: Vec<(String, usize)>,
    copies: JoinSet<Result<String, String>>,
    permits: Arc<Semaphore>,
}

impl Run<'_> {
    async fn key(&mut self, entries: Vec<VersionEntry>) {
        let Some(first) = entries.first() else { return };
        let key = first.key.clone();
        self.counts.keys += 1;
        let plan = plan(&entries, self.args.as_of);
        if self.args.dry_run {
            match &plan {
                Plan::Undelete { markers } => println!(
                    "undelete {key}: remove {} delete marker(s) {}",
                    markers.len(),
                    markers.join(", ")
                ),
                Plan::CopyBack { version_id } => {
                    println!("copy back {key}: version {version_id} over the current version")
                }
                Plan::CreatedLater => println!("leave {key}: created after the time"),
                Plan::DeletedThen => println!("leave {key}: deleted at the time, written since"),
                Plan::Unchanged => {}
            }
        }
        match plan {
            Plan::Unchanged => self.counts.unchanged += 1,
            Plan::CreatedLater => self.counts.created_later += 1,
            Plan::DeletedThen => self.counts.deleted_then += 1,
            Plan::Undelete { markers } if self.args.dry_run => {
                self.counts.undeleted += 1;
                self.counts.markers_removed += markers.len() as u64;
            }
            Plan::CopyBack { .. } if self.args.dry_run => self.counts.copied += 1,
            Plan::Undelete { markers } => {
                if self.markers.len() + markers.len() > MAX_DELETE_BATCH {
                    self.flush_markers().await;
                }
                self.marker_keys.push((key.clone(), markers.len()));
                self.markers
                    .extend(markers.into_iter().map(|version_id| ObjectId {
                        key: key.clone(),
                        version_id: Some(version_id),
                    }));
                if self.markers.len() >= MAX_DELETE_BATCH {
                    self.flush_markers().await;
                }
            }
            Plan::CopyBack { version_id } => {
                let permit = self
                    .permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let (client, bucket) = (self.client.clone(), self.bucket.to_owned());
                let retries = self.args.retries;
                self.copies.spawn(async move {
                    let _permit = permit;
                    let stop = Stop::never();
                    let r = retry(retries, &stop, || {
                        client.copy_object(&bucket, &key, &bucket, &key, Some(&version_id))
                    })
                    .await;
                    match r {
                        Ok(_) => Ok(key),
                        Err(e) => Err(format!("{key}: copy of version {version_id}: {e}")),
                    }
                });
                // Collect finished copies as we go, so the set stays small.
                while let Some(done) = self.copies.try_join_next() {
                    self.copied(done);
                }
            }
        }
    }

    fn copied(&mut self, done: Result<Result<String, String>, tokio::task::JoinError>) {
        match done {
            Ok(Ok(_)) => self.counts.copied += 1,
            Ok(Err(e)) => self.counts.failed.push(e),
            Err(e) => self.counts.failed.push(format!("a copy task failed: {e}")),
        }
    }

    async fn flush_markers(&mut self) {
        if self.markers.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.markers);
        let keys = std::mem::take(&mut self.marker_keys);
        let report = delete_batch(self.client, self.bucket, batch, self.args.retries).await;
        let mut failed_keys: Vec<&str> = report.failures.iter().map(|f| f.key.as_str()).collect();
        failed_keys.sort_unstable();
        failed_keys.dedup();
        self.counts.markers_removed += report.deleted + report.gone;
        for (key, _) in &keys {
            if failed_keys.binary_search(&key.as_str()).is_ok() {
                let f = report.failures.iter().find(|f| &f.key == key);
                let why = f
                    .map(|f| format!("{}: {}", f.code, f.message))
                    .unwrap_or_default();
                self.counts
                    .failed
                    .push(format!("{key}: delete markers not removed: {why}"));
            } else {
                self.counts.undeleted += 1;
            }
        }
        if let Some(e) = report.error {
            self.counts.failed.push(e);
        }
    }

    async fn finish(&mut self) {
        self.flush_markers().await;
        while let Some(done) = self.copies.join_next().await {
            self.copied(done);
        }
    }
}
