//! Giving the metadata file's space back. redb reuses the pages deletes free but never gives
//! them back to the file system: after mass deletes the file stays at its peak. Compaction
//! moves the live pages to the front of the file and truncates it.
//!
//! It runs in the metadata engine's writer thread, between two batches (see
//! `meta/redb_store/compact.rs`): queued writes wait, readers arriving meanwhile wait, and the
//! compaction waits (at most a bound) for the read snapshots already open to end. Every step
//! of redb's compaction is an ordinary durable commit, so a crash at any point leaves a file
//! that opens with every acknowledged write.
//!
//! Two ways in: [`Store::compact`] (the admin API's `POST /_strata/admin/compact`, `strata
//! compact`), which always compacts, and the idle task
//! ([`crate::StoreOptions::compact_idle_after`]): once no client request began
//! ([`Store::client_request`]) and no metadata commit was made for that long, it asks the
//! writer to compact if it is worth it ([`IDLE_THRESHOLD`]); at most once per idle spell.
//!
//! Each request is recorded through the `metrics` facade, on the task that asked:
//! [`COMPACTIONS_METRIC`] by `trigger` (`admin`, `idle`) and `outcome` (`done`, `busy`,
//! `not_worthwhile`, `error`); for each compaction done, [`DURATION_METRIC`] (from the request
//! to its outcome: the wait for the writer's batch and for open snapshots included) and
//! [`RECLAIMED_METRIC`] (the bytes the file shrank by).

use crate::error::{Result, StorageError};
use crate::meta::StorageResult;
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, oneshot};

/// What a compaction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compaction {
    /// The metadata file's size before, in bytes.
    pub before: u64,
    /// Its size after.
    pub after: u64,
    /// How long the engine was closed to readers and writers (the wait for open snapshots
    /// included), in milliseconds.
    pub millis: u64,
}

/// The answer of a compaction request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompactOutcome {
    /// Compacted.
    Compacted(Compaction),
    /// A conditional request ([`Threshold`]) found too little to give back: nothing was done.
    NotWorthwhile {
        file_bytes: u64,
        /// Bytes of the file that no live page uses.
        reclaimable: u64,
    },
    /// Read snapshots stayed open past the wait: nothing was done (try again later).
    Busy { file_bytes: u64 },
}

/// When a conditional compaction is worth it: at least `min_bytes` of the file, and at least
/// `min_percent` % of it, used by no live page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    pub min_bytes: u64,
    pub min_percent: u64,
}

impl Threshold {
    pub fn met(&self, file_bytes: u64, reclaimable: u64) -> bool {
        reclaimable >= self.min_bytes
            && u128::from(reclaimable) * 100
                >= u128::from(file_bytes) * u128::from(self.min_percent)
    }
}

/// The idle task's threshold: more than half the file, and at least 64 MiB, reclaimable.
pub const IDLE_THRESHOLD: Threshold = Threshold {
    min_bytes: 64 << 20,
    min_percent: 50,
};

/// How long an asked-for compaction waits for open read snapshots (every read of a request
/// is one short snapshot; a listing page is one) before it gives up as busy. Readers arriving
/// meanwhile wait, so this is also the longest extra latency a busy attempt costs them.
pub const ADMIN_READER_WAIT: Duration = Duration::from_secs(10);
/// The same for the idle task, which tries again at its next check.
pub const IDLE_READER_WAIT: Duration = Duration::from_secs(2);
/// The longest time between two idle checks.
const MAX_CHECK_PERIOD: Duration = Duration::from_secs(60);

/// Compaction requests, by `trigger` and `outcome` (a counter).
pub const COMPACTIONS_METRIC: &str = "strata_compactions_total";
/// Each compaction done, from its request to its outcome (a histogram, by `trigger`).
pub const DURATION_METRIC: &str = "strata_compaction_duration_seconds";
/// Bytes the metadata file shrank by, over every compaction done (a counter).
pub const RECLAIMED_METRIC: &str = "strata_compaction_reclaimed_bytes_total";

/// Who asked for a compaction (the `trigger` label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// [`Store::compact`] and [`Store::compact_if`]: the admin API, `strata compact`.
    Admin,
    /// The idle task.
    Idle,
}

impl Trigger {
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Admin => "admin",
            Trigger::Idle => "idle",
        }
    }
}

impl CompactOutcome {
    /// The `outcome` label.
    pub fn label(&self) -> &'static str {
        match self {
            CompactOutcome::Compacted(_) => "done",
            CompactOutcome::NotWorthwhile { .. } => "not_worthwhile",
            CompactOutcome::Busy { .. } => "busy",
        }
    }
}

/// A compaction for the metadata engine's writer thread.
pub struct CompactRequest {
    /// Compact only if this is met (`None`: always).
    pub threshold: Option<Threshold>,
    /// How long to wait for open read snapshots.
    pub reader_wait: Duration,
    /// Called with the outcome.
    pub done: Box<dyn FnOnce(StorageResult<CompactOutcome>) + Send>,
}

/// What the store keeps for the idle task.
pub(crate) struct State {
    idle_after: Option<Duration>,
    wake: Arc<Notify>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl State {
    pub(crate) fn new(idle_after: Option<Duration>) -> State {
        State {
            idle_after: idle_after.filter(|d| !d.is_zero()),
            wake: Arc::new(Notify::new()),
            task: Default::default(),
        }
    }

    /// Ends the idle task (a compaction in progress finishes first).
    pub(crate) async fn close(&self) {
        self.wake.notify_one();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Store {
    /// Compacts the metadata file now, whatever it would give back.
    pub async fn compact(&self) -> Result<CompactOutcome> {
        self.request_compaction(None, ADMIN_READER_WAIT, Trigger::Admin)
            .await
    }

    /// Compacts the metadata file if `threshold` is met.
    pub async fn compact_if(&self, threshold: Threshold) -> Result<CompactOutcome> {
        self.request_compaction(Some(threshold), ADMIN_READER_WAIT, Trigger::Admin)
            .await
    }

    /// Asks the writer for a compaction, and records its outcome (see the module's doc).
    async fn request_compaction(
        &self,
        threshold: Option<Threshold>,
        reader_wait: Duration,
        trigger: Trigger,
    ) -> Result<CompactOutcome> {
        let started = Instant::now();
        let outcome = self.ask_writer(threshold, reader_wait).await;
        let label = outcome.as_ref().map_or("error", CompactOutcome::label);
        metrics::counter!(COMPACTIONS_METRIC, "trigger" => trigger.label(), "outcome" => label)
            .increment(1);
        let outcome = outcome?;
        match outcome {
            CompactOutcome::Compacted(c) => {
                metrics::histogram!(DURATION_METRIC, "trigger" => trigger.label())
                    .record(started.elapsed().as_secs_f64());
                metrics::counter!(RECLAIMED_METRIC).increment(c.before.saturating_sub(c.after));
                tracing::info!(
                    before = c.before,
                    after = c.after,
                    millis = c.millis,
                    trigger = trigger.label(),
                    "metadata file compacted"
                )
            }
            CompactOutcome::Busy { file_bytes } => {
                tracing::info!(
                    file_bytes,
                    "metadata compaction skipped: readers stayed busy"
                )
            }
            CompactOutcome::NotWorthwhile { .. } => {}
        }
        Ok(outcome)
    }

    async fn ask_writer(
        &self,
        threshold: Option<Threshold>,
        reader_wait: Duration,
    ) -> Result<CompactOutcome> {
        let (tx, rx) = oneshot::channel();
        self.inner.meta.compact(CompactRequest {
            threshold,
            reader_wait,
            done: Box::new(move |r| {
                let _ = tx.send(r);
            }),
        })?;
        Ok(rx.await.map_err(|_| StorageError::WriterGone)??)
    }

    /// Starts the idle task if the store was opened with an idle time (called by `open`).
    pub(crate) fn start_idle_compaction(&self) {
        let state = &self.inner.compaction;
        let Some(idle_after) = state.idle_after else {
            return;
        };
        let period = idle_after.min(MAX_CHECK_PERIOD);
        let weak = Arc::downgrade(&self.inner);
        let wake = state.wake.clone();
        // Activity: client requests begun, and metadata commits (a request begun earlier and
        // still running, such as a long multi-delete, commits).
        let activity = |s: &Store| {
            let requests = s.inner.lifecycle.requests.load(Ordering::Relaxed);
            (requests, s.commit_stats().batches)
        };
        let mut seen = activity(self);
        let task = tokio::spawn(async move {
            let mut quiet_since = tokio::time::Instant::now();
            let mut checked = false;
            loop {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(period) => {}
                }
                let Some(inner) = weak.upgrade() else { return };
                if inner.closing.load(Ordering::Acquire) {
                    return;
                }
                let store = Store { inner };
                let now_seen = activity(&store);
                if now_seen != seen {
                    (seen, quiet_since, checked) = (now_seen, tokio::time::Instant::now(), false);
                    continue;
                }
                if checked || quiet_since.elapsed() < idle_after {
                    continue;
                }
                match store
                    .request_compaction(Some(IDLE_THRESHOLD), IDLE_READER_WAIT, Trigger::Idle)
                    .await
                {
                    // Busy: tried again at the next check.
                    Ok(CompactOutcome::Busy { .. }) => {}
                    Ok(_) => checked = true,
                    Err(e) => {
                        tracing::warn!(%e, "idle metadata compaction failed");
                        checked = true;
                    }
                }
            }
        });
        *state.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_need_both_bytes_and_share() {
        let t = Threshold {
            min_bytes: 100,
            min_percent: 50,
        };
        assert!(t.met(200, 100));
        assert!(!t.met(201, 100), "under half");
        assert!(!t.met(150, 99), "under the bytes");
        assert!(t.met(u64::MAX, u64::MAX));
        assert!(IDLE_THRESHOLD.met(100 << 20, 80 << 20));
        assert!(!IDLE_THRESHOLD.met(100 << 20, 40 << 20));
        assert!(!IDLE_THRESHOLD.met(20 << 20, 19 << 20));
    }
}
