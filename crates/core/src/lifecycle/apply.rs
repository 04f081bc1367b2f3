//! Carrying out what the due index says may be due: a set of entries decided and written in
//! one write of the group commit, so a run that stops anywhere and starts again never does an
//! action twice (what is done is no longer due, and its index entry went in the same commit),
//! and retention is asked like for any client's delete.

use super::executor::MAX_ACTIONS;
use super::index::{self, DueEntry, Item};
use super::store::{LifecycleRecord, read_config};
use super::{Action, Days, Rule, due, next_due_except, upload_due, upload_next};
use crate::delete::{DeleteOutcome, delete_one};
use crate::error::Result;
use crate::meta::{ReadTxn, StorageResult, WriteTxn};
use crate::multipart::drop_upload;
use crate::retention::{Guard, Protection};
use crate::store::Store;
use crate::version::VersionId;
use std::collections::HashMap;

/// What one index entry came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An action on a key was carried out, by the rule with this ID.
    Done {
        bucket: String,
        key: String,
        action: Action,
        rule: String,
        outcome: DeleteOutcome,
    },
    /// An action was due but retention protects its entry.
    Protected {
        bucket: String,
        key: String,
        action: Action,
    },
    /// An incomplete multipart upload was aborted, by the rule with this ID.
    Aborted {
        bucket: String,
        key: String,
        upload_id: String,
        rule: String,
    },
}

/// What the check step decided for one entry.
enum Plan {
    /// Nothing to do (no configuration, no such bucket or upload): the entry goes.
    Drop(DueEntry),
    Key {
        entry: DueEntry,
        key: String,
        rules: std::sync::Arc<[Rule]>,
        days: Days,
        guard: Guard,
        allowed: Vec<(Action, String)>,
        /// Due, but protected: each action with when its protection may end (`None`: a
        /// legal hold, which has no end).
        blocked: Vec<(Action, Option<i64>)>,
    },
    Abort {
        entry: DueEntry,
        key: String,
        upload_id: String,
        rule: String,
    },
    /// The upload is not due yet (its rules changed): filed again at this time.
    Refile(DueEntry, String, i64),
}

/// What an action removes: nothing named for an expiration (the bucket's versioning
/// decides), else the version it names.
fn target(action: Action) -> Option<VersionId> {
    match action {
        Action::Expire => None,
        Action::RemoveNoncurrent(id) | Action::RemoveExpiredMarker(id) => Some(id),
    }
}

/// When a protection may end.
fn end_of(p: &Protection) -> Option<i64> {
    match p {
        Protection::LegalHold => None,
        Protection::Retention(r) => Some(r.until_ms),
        Protection::Worm { until_ms } => Some(*until_ms),
    }
}

/// A bucket's configuration and retention as the check step reads them.
type Configured = (LifecycleRecord, std::sync::Arc<[Rule]>, Guard);
/// Each bucket's, read once per write.
type Buckets = HashMap<String, Option<Configured>>;

fn bucket_of<'b>(
    buckets: &'b mut Buckets,
    txn: &dyn ReadTxn,
    bucket: &str,
    now_ms: i64,
) -> Result<&'b Option<Configured>> {
    if !buckets.contains_key(bucket) {
        let found = match read_config(txn, bucket)? {
            Some(rec) if txn.bucket(bucket)?.is_some() => {
                let guard = Guard::of(txn, bucket, now_ms, false)?;
                let rules = std::sync::Arc::from(rec.rules.clone());
                Some((rec, rules, guard))
            }
            _ => None,
        };
        buckets.insert(bucket.to_owned(), found);
    }
    Ok(&buckets[bucket])
}

/// Plans the first `entries`, until their actions reach [`MAX_ACTIONS`]; the others stay in
/// the index for the next write.
fn plan(txn: &dyn ReadTxn, entries: Vec<DueEntry>, now_ms: i64) -> Result<Vec<Plan>> {
    let mut buckets = Buckets::new();
    let mut plans = Vec::with_capacity(entries.len());
    let mut actions = 0;
    for entry in entries {
        if actions >= MAX_ACTIONS {
            break;
        }
        let Some((rec, rules, guard)) = bucket_of(&mut buckets, txn, &entry.bucket, now_ms)? else {
            plans.push(Plan::Drop(entry));
            continue;
        };
        let bucket = entry.bucket.clone();
        match entry.item.clone() {
            Item::Key(key) => {
                let (history, _) = index::history(txn, &bucket, &key, None)?;
                let mut allowed = Vec::new();
                let mut blocked = Vec::new();
                for (action, rule) in due(rules, &key, &history, now_ms, rec.days) {
                    match guard.removal_protection(txn, &bucket, &key, target(action))? {
                        None => allowed.push((action, rule)),
                        Some(p) => blocked.push((action, end_of(&p))),
                    }
                }
                actions += allowed.len();
                plans.push(Plan::Key {
                    entry,
                    key,
                    rules: rules.clone(),
                    days: rec.days,
                    guard: guard.clone(),
                    allowed,
                    blocked,
                });
            }
            Item::Upload(upload_id) => match txn.upload(&bucket, &upload_id)? {
                None => plans.push(Plan::Drop(entry)),
                Some(up) => {
                    let (initiated, key) = (up.initiated_ms, up.key);
                    if let Some(r) = upload_due(rules, &key, initiated, now_ms, rec.days) {
                        let rule = r.id.clone();
                        actions += 1;
                        plans.push(Plan::Abort {
                            entry,
                            key,
                            upload_id,
                            rule,
                        });
                    } else if let Some((t, _)) = upload_next(rules, &key, initiated, rec.days) {
                        plans.push(Plan::Refile(entry, upload_id, t));
                    } else {
                        plans.push(Plan::Drop(entry));
                    }
                }
            },
        }
    }
    Ok(plans)
}

/// Carries out one key's plan and files the key under its next due time.
#[allow(clippy::too_many_arguments)]
fn apply_key(
    txn: &mut dyn WriteTxn,
    entry: &DueEntry,
    key: &str,
    rules: &[Rule],
    days: Days,
    guard: &Guard,
    allowed: Vec<(Action, String)>,
    blocked: &[(Action, Option<i64>)],
    out: &mut Vec<Outcome>,
) -> StorageResult<()> {
    let bucket = entry.bucket.as_str();
    index::remove(txn, entry)?;
    for (action, rule) in allowed {
        let outcome = delete_one(txn, bucket, guard, key, target(action))?;
        out.push(Outcome::Done {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            action,
            rule,
            outcome,
        });
    }
    let now = guard.now_ms;
    let except: Vec<Action> = blocked.iter().map(|(a, _)| *a).collect();
    for (action, _) in blocked {
        out.push(Outcome::Protected {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            action: *action,
        });
    }
    let (history, _) = index::history(&*txn, bucket, key, None)?;
    let later = next_due_except(rules, key, &history, days, &except);
    // A protected entry is looked at again when its protection may end (a legal hold: a day
    // later).
    let again = blocked
        .iter()
        .map(|(_, end)| end.unwrap_or(now.saturating_add(days.day_ms)))
        .min();
    let next = match (later, again) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    // One action per entry per run: what is due again at once (an expiration's delete
    // marker with nothing under it) waits a quarter of a day.
    let next = next.map(|t| t.max(now.saturating_add(days.day_ms / 4).max(now + 1)));
    index::set_key(txn, bucket, key, next)
}

impl Store {
    /// Carries out what is due now for the first of `entries` of the due index (until their
    /// actions reach [`MAX_ACTIONS`]), in one write, skipping what retention protects.
    /// Returns how many entries it looked at, and what they came to.
    pub(crate) async fn apply_due(&self, entries: Vec<DueEntry>) -> Result<(usize, Vec<Outcome>)> {
        let clock = self.inner.clock.clone();
        let done = self
            .write(
                move |txn| {
                    let now = clock.now_ms();
                    plan(txn, entries, now)
                },
                move |txn, plans| {
                    let checked = plans.len();
                    let mut out = Vec::new();
                    for p in plans {
                        match p {
                            Plan::Drop(entry) => index::remove(txn, &entry)?,
                            Plan::Key {
                                entry,
                                key,
                                rules,
                                days,
                                guard,
                                allowed,
                                blocked,
                            } => apply_key(
                                txn, &entry, &key, &rules, days, &guard, allowed, &blocked,
                                &mut out,
                            )?,
                            Plan::Abort {
                                entry,
                                key,
                                upload_id,
                                rule,
                            } => {
                                index::remove(txn, &entry)?;
                                drop_upload(txn, &entry.bucket, &upload_id)?;
                                out.push(Outcome::Aborted {
                                    bucket: entry.bucket.clone(),
                                    key,
                                    upload_id,
                                    rule,
                                });
                            }
                            Plan::Refile(entry, upload_id, t) => {
                                index::remove(txn, &entry)?;
                                index::add_upload(txn, &entry.bucket, &upload_id, t)?;
                            }
                        }
                    }
                    Ok((checked, out))
                },
            )
            .await?;
        self.freed_space();
        Ok(done)
    }
}
