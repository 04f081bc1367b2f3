//! The executor: runs that file the keys of buckets whose configuration was just put (the
//! rebuilds), then carry out every entry of the due index that is due, a chunk per write;
//! and the background task that runs them at least four times per lifecycle day, and at
//! once when a configuration is put.
//!
//! A run yields to client traffic. Each write carries at most [`MAX_ACTIONS`] actions, so a
//! client write that shares its group commit waits for little; and while client requests
//! come in ([`Store::client_request`]), the run pauses after each write for
//! [`BUSY_RATIO`] times as long as the write took, so it takes about a tenth of a core from
//! the clients. An idle server runs it at full speed.

use super::apply::Outcome;
use super::index::{self, Cursor};
use super::store::{LifecycleRecord, configured, read_config};
use super::{Action, Days, next_due, upload_next};
use crate::error::Result;
use crate::meta::{Flow, Start, encode};
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Index entries read per write.
const CHUNK: usize = 64;
/// Actions carried out per write: the entries after the one that reaches it wait for the
/// next write. A key's due actions are carried out together, so one key with more due
/// actions exceeds it.
pub(crate) const MAX_ACTIONS: usize = 32;
/// Keys filed per write of a rebuild.
const REBUILD_KEYS: usize = 128;
/// Entries read per write of a rebuild (a key's whole history is always read).
const REBUILD_ENTRIES: usize = 1024;
/// While clients are active, the pause after a write is this many times the write's time.
const BUSY_RATIO: u32 = 9;
/// The longest pause after a write.
const MAX_PAUSE: Duration = Duration::from_millis(250);
/// The longest wait between runs.
const MAX_PERIOD: Duration = Duration::from_secs(15 * 60);

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Keys and uploads filed by rebuilds.
    pub filed: u64,
    /// Index entries looked at.
    pub checked: u64,
    /// Writes made (each a commit shared with client writes).
    pub writes: u64,
    /// Everything carried out or found protected, in order.
    pub outcomes: Vec<Outcome>,
}

impl RunStats {
    /// Actions carried out (deletes, removals, aborted uploads).
    pub fn actions(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| !matches!(o, Outcome::Protected { .. }))
            .count()
    }
}

/// Counter of the lifecycle actions carried out, labelled `action` (`expire`,
/// `remove_noncurrent`, `remove_expired_marker`, `abort_upload`), through `metrics`.
pub const ACTIONS_METRIC: &str = "strata_lifecycle_actions_total";
/// Counter of the actions that were due but that retention protected.
pub const PROTECTED_METRIC: &str = "strata_lifecycle_protected_total";

fn record_outcome(outcome: &Outcome) {
    let action = match outcome {
        Outcome::Done { action, .. } => match action {
            Action::Expire => "expire",
            Action::RemoveNoncurrent(_) => "remove_noncurrent",
            Action::RemoveExpiredMarker(_) => "remove_expired_marker",
        },
        Outcome::Aborted { .. } => "abort_upload",
        Outcome::Protected { .. } => {
            metrics::counter!(PROTECTED_METRIC).increment(1);
            return;
        }
    };
    metrics::counter!(ACTIONS_METRIC, "action" => action).increment(1);
}

impl Store {
    /// One run: the rebuilds in progress, then everything due now. Stops early (without harm:
    /// every chunk is its own write) when the store closes.
    pub async fn run_lifecycle(&self) -> Result<RunStats> {
        let mut stats = RunStats::default();
        let mut pace = Pace::new(&self.inner.lifecycle.requests);
        self.adopt_day().await?;
        let rebuilds = index::rebuilds(&*self.read()?)?;
        for (bucket, cursor) in rebuilds {
            let mut cursor = Some(cursor);
            while let Some(c) = cursor {
                if self.closing() {
                    return Ok(stats);
                }
                let (next, filed) = self.rebuild_step(&bucket, c).await?;
                stats.filed += filed;
                stats.writes += 1;
                cursor = next;
                pace.after_write().await;
            }
        }
        loop {
            if self.closing() {
                return Ok(stats);
            }
            let now = self.inner.clock.now_ms();
            let entries = {
                let txn = self.read()?;
                index::due_entries(&*txn, now, CHUNK)?
            };
            if entries.is_empty() {
                break;
            }
            let (checked, outcomes) = self.apply_due(entries).await?;
            outcomes.iter().for_each(record_outcome);
            stats.checked += checked as u64;
            stats.outcomes.extend(outcomes);
            stats.writes += 1;
            pace.after_write().await;
        }
        Ok(stats)
    }

    /// Starts the background executor (once; `strata serve` does). It runs at once, then at
    /// least four times per lifecycle day, when the earliest entry comes due, and whenever a
    /// configuration changes.
    pub fn start_lifecycle(&self) {
        let state = &self.inner.lifecycle;
        if state.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        let wake = state.wake.clone();
        let quarter = u64::try_from(state.days.day_ms / 4).unwrap_or(1).max(1);
        let period = Duration::from_millis(quarter).min(MAX_PERIOD);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let store = Store { inner };
                if store.closing() {
                    return;
                }
                match store.run_lifecycle().await {
                    Ok(stats) if !stats.outcomes.is_empty() || stats.filed > 0 => {
                        tracing::info!(
                            actions = stats.actions(),
                            protected = stats.outcomes.len() - stats.actions(),
                            filed = stats.filed,
                            checked = stats.checked,
                            writes = stats.writes,
                            "lifecycle run"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(%e, "lifecycle run failed"),
                }
                let wait = store.until_next_due().map_or(period, |d| d.min(period));
                drop(store);
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }

    fn closing(&self) -> bool {
        self.inner.closing.load(Ordering::Acquire)
    }

    /// How long until the due index's earliest entry comes due.
    fn until_next_due(&self) -> Option<Duration> {
        let first = index::earliest(&*self.read().ok()?).ok()??;
        let ms = first.saturating_sub(self.inner.clock.now_ms()).max(0);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }

    /// Buckets whose index was filed with another day length (the server was started with
    /// another `--lifecycle-day`) take this store's and are filed anew.
    async fn adopt_day(&self) -> Result<()> {
        let days = self.lifecycle_days();
        let all = configured(&*self.read()?)?;
        let stale: Vec<String> = all
            .into_iter()
            .filter(|(_, rec)| rec.days != days)
            .map(|(b, _)| b)
            .collect();
        for bucket in stale {
            self.write(
                |_| Ok(()),
                move |txn, ()| {
                    let Some(rec) = read_config(&*txn, &bucket)? else {
                        return Ok(());
                    };
                    let rec = LifecycleRecord { days, ..rec };
                    txn.put_setting(&super::store::config_name(&bucket), &encode(&rec))?;
                    index::start_rebuild(txn, &bucket)
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Files the next keys (or uploads) of `bucket`'s rebuild, from `cursor`, in one write.
    /// Returns where it goes on (`None`: done) and how many it filed.
    async fn rebuild_step(&self, bucket: &str, cursor: Cursor) -> Result<(Option<Cursor>, u64)> {
        let (bucket, cb) = (bucket.to_owned(), bucket.to_owned());
        self.write(
            move |txn| {
                let Some(rec) = read_config(txn, &cb)? else {
                    return Ok((None, Vec::new(), Vec::new()));
                };
                let days = rec.days;
                match cursor {
                    Cursor::Keys(after) => {
                        let (keys, more) = rebuild_keys(txn, &cb, after.as_deref(), &rec)?;
                        let next = match (more, keys.last()) {
                            (true, Some((k, _))) => Cursor::Keys(Some(k.clone())),
                            _ => Cursor::Uploads(None),
                        };
                        Ok((Some(next), keys, Vec::new()))
                    }
                    Cursor::Uploads(after) => {
                        let mut uploads = Vec::new();
                        let mut last = None;
                        let start = after.as_ref().map(|(k, u)| (k.as_str(), u.as_str()));
                        txn.scan_uploads(&cb, start, &mut |id, up| {
                            if uploads.len() >= REBUILD_KEYS {
                                return Flow::Stop;
                            }
                            let next = upload_next(&rec.rules, &up.key, up.initiated_ms, days);
                            last = Some((up.key.clone(), id.to_owned()));
                            uploads.push((id.to_owned(), next.map(|(t, _)| t)));
                            Flow::Continue
                        })?;
                        let next = match last {
                            Some(l) if uploads.len() >= REBUILD_KEYS => {
                                Some(Cursor::Uploads(Some(l)))
                            }
                            _ => None,
                        };
                        Ok((next, Vec::new(), uploads))
                    }
                }
            },
            move |txn, (next, keys, uploads)| {
                let filed = (keys.len() + uploads.len()) as u64;
                for (key, due) in keys {
                    index::set_key(txn, &bucket, &key, due)?;
                }
                for (id, due) in uploads {
                    if let Some(t) = due {
                        index::add_upload(txn, &bucket, &id, t)?;
                    }
                }
                index::set_rebuild(txn, &bucket, next.as_ref())?;
                Ok((next, filed))
            },
        )
        .await
    }
}

/// How a run yields to client traffic: after each write, a pause of [`BUSY_RATIO`] times the
/// write's time when client requests began since the write before, else only a yield.
struct Pace<'a> {
    requests: &'a AtomicU64,
    seen: u64,
    since: Instant,
}

impl<'a> Pace<'a> {
    fn new(requests: &'a AtomicU64) -> Pace<'a> {
        Pace {
            requests,
            seen: requests.load(Ordering::Relaxed),
            since: Instant::now(),
        }
    }

    async fn after_write(&mut self) {
        if self.requests.load(Ordering::Relaxed) != self.seen {
            let pause = (self.since.elapsed() * BUSY_RATIO).min(MAX_PAUSE);
            tokio::time::sleep(pause).await;
        } else {
            tokio::task::yield_now().await;
        }
        self.seen = self.requests.load(Ordering::Relaxed);
        self.since = Instant::now();
    }
}

/// A key and its next due time.
type Filed = (String, Option<i64>);

/// The next keys of a rebuild after `after`, each with its exact next due time, and whether
/// keys are left.
fn rebuild_keys(
    txn: &dyn crate::meta::ReadTxn,
    bucket: &str,
    after: Option<&str>,
    rec: &LifecycleRecord,
) -> crate::meta::StorageResult<(Vec<Filed>, bool)> {
    let days: Days = rec.days;
    let start = after.map_or(Start::First, Start::AfterKey);
    let mut keys: Vec<Filed> = Vec::new();
    let mut history = Vec::new();
    let mut current: Option<String> = None;
    let mut read = 0usize;
    let mut more = false;
    txn.scan_versions(bucket, start, &mut |k, v| {
        if current.as_deref() != Some(k) {
            if let Some(done) = current.take() {
                let due = next_due(&rec.rules, &done, &history, days);
                keys.push((done, due));
                history.clear();
                if keys.len() >= REBUILD_KEYS || read >= REBUILD_ENTRIES {
                    more = true;
                    return Flow::Stop;
                }
            }
            current = Some(k.to_owned());
        }
        read += 1;
        history.push(super::Entry {
            id: v.id,
            last_modified_ms: v.last_modified_ms,
            size: v.object().map(|d| d.size),
            tags: v.object().map(|d| d.tags.clone()).unwrap_or_default(),
        });
        Flow::Continue
    })?;
    if let Some(done) = current.take() {
        let due = next_due(&rec.rules, &done, &history, days);
        keys.push((done, due));
    }
    Ok((keys, more))
}

#[cfg(test)]
mod pace_tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_run_pauses_nine_times_its_write_only_while_requests_come_in() {
        let requests = AtomicU64::new(5);
        let mut pace = Pace::new(&requests);
        // A quiet write of 10 ms: no pause.
        tokio::time::advance(Duration::from_millis(10)).await;
        let t = Instant::now();
        pace.after_write().await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        // A write of 10 ms during which a request began: 90 ms.
        tokio::time::advance(Duration::from_millis(10)).await;
        requests.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        pace.after_write().await;
        assert_eq!(t.elapsed(), Duration::from_millis(90));
        // Quiet again (the pause's own requests were seen): no pause.
        tokio::time::advance(Duration::from_millis(10)).await;
        let t = Instant::now();
        pace.after_write().await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        // A long write: the pause stops at MAX_PAUSE.
        tokio::time::advance(Duration::from_secs(1)).await;
        requests.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        pace.after_write().await;
        assert_eq!(t.elapsed(), MAX_PAUSE);
    }
}
