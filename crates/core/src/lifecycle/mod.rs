//! Lifecycle, once for every dialect: the rules ([`Rule`], which S3's, OSS's and BOS's
//! configurations read into and are written from), which entries of a key the rules make due
//! at a given time and what is to be done with each (pure functions over a key's history:
//! [`due`], [`next_due`], [`upload_due`], [`expiration_of`]), and the store's side:
//! - `store.rs`: a bucket's configuration (put, get, delete), cached for the request path;
//! - `index.rs`: the due index, which holds for every key and upload that something will
//!   become due for a time no later than when it does, so a run's work is what is due, not
//!   the bucket's size;
//! - `apply.rs`: what is due for a set of keys decided and carried out in one write, through
//!   the clients' delete path (so the bucket's versioning gives expiration its meaning:
//!   removal, a delete marker, a `null` delete marker) after asking retention
//!   ([`crate::retention::Guard`]);
//! - `executor.rs`: the background runs;
//! - `preview.rs`: what the executor would do to a key by a time, replayed in memory
//!   (`strata lifecycle preview`).

mod apply;
mod executor;
mod index;
mod preview;
mod store;
#[cfg(test)]
mod tests;
mod validate;

pub use apply::Outcome;
pub use executor::{ACTIONS_METRIC, PROTECTED_METRIC, RunStats};
pub(crate) use index::{forget_bucket, key_changed, upload_started};
pub use preview::{Step, What, preview, preview_upload};
pub(crate) use store::State;
pub use validate::{LifecycleError, MAX_ID_CHARS, MAX_NEWER_NONCURRENT, MAX_RULES, validate};

use crate::tagging::Tags;
use crate::version::VersionId;
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;

/// Which keys and objects a rule applies to: by key prefix, by size, and by the tags of each
/// version (every entry of a key is matched against its own tags; a delete marker has none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The key starts with one of these; none: any key. S3 and OSS give one (S3 may give
    /// none: an empty `Filter`); BOS's `resource` list may give several.
    pub prefixes: Vec<String>,
    /// The version must carry every one of these tags, with these values.
    pub tags: Vec<(String, String)>,
    /// The object must be larger than this many bytes.
    pub size_greater_than: Option<u64>,
    /// The object must be smaller than this many bytes.
    pub size_less_than: Option<u64>,
    /// Keys (and tagged objects) the rule leaves alone (OSS's `Not`, BOS's `not`).
    pub not: Option<Exclusion>,
}

/// What a rule's filter excludes: keys under `prefix` (and, when `tags` are given, only
/// objects that carry them all).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub prefix: String,
    pub tags: Vec<(String, String)>,
}

impl Filter {
    /// A filter on one prefix (S3's and OSS's).
    pub fn prefix(prefix: impl Into<String>) -> Filter {
        Filter {
            prefixes: vec![prefix.into()],
            ..Filter::default()
        }
    }

    /// Whether the rule applies to something of `key` that carries `tags`, whatever its size.
    fn matches_tagged(&self, key: &str, tags: &Tags) -> bool {
        let prefixed =
            self.prefixes.is_empty() || self.prefixes.iter().any(|p| key.starts_with(p.as_str()));
        // An exclusion that names tags excludes only what carries them all.
        let excluded = self
            .not
            .as_ref()
            .is_some_and(|n| key.starts_with(n.prefix.as_str()) && tags.contains_all(&n.tags));
        prefixed && !excluded && tags.contains_all(&self.tags)
    }

    /// Whether the rule applies to an untagged thing of `key` (an incomplete upload; the rules
    /// that abort uploads have no tag filter).
    pub fn matches_key(&self, key: &str) -> bool {
        self.matches_tagged(key, &Tags::none())
    }

    /// Whether an entry of `key` matches: an object of `size` bytes carrying `tags`, or a
    /// delete marker (`None`, no tags), which size and tag conditions never match.
    pub fn matches(&self, key: &str, size: Option<u64>, tags: &Tags) -> bool {
        if !self.matches_tagged(key, tags) {
            return false;
        }
        let sized = self.size_greater_than.is_some() || self.size_less_than.is_some();
        match size {
            None => !sized,
            Some(s) => {
                self.size_greater_than.is_none_or(|min| s > min)
                    && self.size_less_than.is_none_or(|max| s < max)
            }
        }
    }
}

/// When a current object expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expiration {
    /// This many days after it was written.
    Days(u32),
    /// From this instant on (Unix milliseconds): S3's `Date`, BOS's absolute time.
    Date(i64),
    /// At once, if it was written before this instant (OSS's `CreatedBeforeDate`).
    CreatedBefore(i64),
}

/// When an incomplete multipart upload is aborted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadAbort {
    /// This many days after it was initiated.
    Days(u32),
    /// At once, if it was initiated before this instant (OSS's `CreatedBeforeDate`).
    CreatedBefore(i64),
}

/// When noncurrent versions go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentExpiration {
    /// Days after the version became noncurrent (its successor was written).
    pub days: u32,
    /// The newest this many noncurrent versions are kept whatever their age.
    pub newer_noncurrent_versions: Option<u32>,
}

/// One lifecycle rule, as every dialect's configuration reads into it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub enabled: bool,
    pub filter: Filter,
    pub expiration: Option<Expiration>,
    /// Remove a current delete marker that has no versions left under it.
    pub expired_object_delete_marker: bool,
    pub noncurrent: Option<NoncurrentExpiration>,
    /// Abort incomplete multipart uploads.
    pub abort_upload: Option<UploadAbort>,
    /// S3's older form: the rule's `Prefix` directly under `Rule`, not in a `Filter` (so a
    /// GET shows it as it was put).
    pub legacy_prefix: bool,
}

/// How long a lifecycle day is: a real day, whose due times are rounded up to the next
/// midnight UTC (as AWS counts), or a shortened day for tests, without rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Days {
    pub day_ms: i64,
    pub midnight: bool,
}

impl Days {
    pub const REAL: Days = Days {
        day_ms: DAY_MS,
        midnight: true,
    };

    /// A day of `seconds` seconds, not rounded (`strata serve --lifecycle-day`).
    pub fn of_seconds(seconds: u64) -> Days {
        let day_ms = i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        Days {
            day_ms: day_ms.max(1),
            midnight: seconds >= 86_400,
        }
    }

    /// `days` days after `from_ms`.
    pub fn after(self, from_ms: i64, days: u32) -> i64 {
        let t = from_ms.saturating_add(self.day_ms.saturating_mul(i64::from(days)));
        if self.midnight {
            t.saturating_add(DAY_MS - 1).div_euclid(DAY_MS) * DAY_MS
        } else {
            t
        }
    }
}

/// An entry of a key's history, as the decision reads it (newest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: VersionId,
    pub last_modified_ms: i64,
    /// `None` for a delete marker.
    pub size: Option<u64>,
    /// The version's own tags (none for a delete marker).
    pub tags: Tags,
}

/// What is due for one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The current object expires: a delete of the key without a version (removal, or a
    /// delete marker, by the bucket's versioning).
    Expire,
    /// A noncurrent version (or delete marker) goes for good.
    RemoveNoncurrent(VersionId),
    /// The current delete marker, with nothing left under it, goes.
    RemoveExpiredMarker(VersionId),
}

/// The actions due at `now_ms` for `key`, whose entries are `history` (newest first), under
/// `rules`: one action per entry at most, each with the ID of the rule that decided it (the
/// rule that made it due first).
pub fn due(
    rules: &[Rule],
    key: &str,
    history: &[Entry],
    now_ms: i64,
    days: Days,
) -> Vec<(Action, String)> {
    let mut planned = schedule(rules, key, history, days);
    planned.retain(|(t, _, _)| *t <= now_ms);
    planned.sort_by_key(|(t, _, _)| *t);
    let mut out: Vec<(Action, String)> = Vec::new();
    for (_, action, rule) in planned {
        if !out.iter().any(|(a, _)| *a == action) {
            out.push((action, rule.id.clone()));
        }
    }
    out
}

/// The earliest time at which something becomes due for `key`'s `history` as it stands
/// (possibly already past), or `None` if the rules never make anything of it due.
pub fn next_due(rules: &[Rule], key: &str, history: &[Entry], days: Days) -> Option<i64> {
    next_due_except(rules, key, history, days, &[])
}

/// [`next_due`], leaving out the actions in `except` (those retention refused).
pub fn next_due_except(
    rules: &[Rule],
    key: &str,
    history: &[Entry],
    days: Days,
    except: &[Action],
) -> Option<i64> {
    schedule(rules, key, history, days)
        .into_iter()
        .filter(|(_, a, _)| !except.contains(a))
        .map(|(t, _, _)| t)
        .min()
}

/// Every action the rules will make due for `history` if nothing else changes it, with when
/// and by which rule (an entry may appear under several rules).
fn schedule<'r>(
    rules: &'r [Rule],
    key: &str,
    history: &[Entry],
    days: Days,
) -> Vec<(i64, Action, &'r Rule)> {
    let mut out = Vec::new();
    let active = || rules.iter().filter(|r| r.enabled);
    let Some(current) = history.first() else {
        return out;
    };
    match current.size {
        Some(size) => {
            for r in active().filter(|r| r.filter.matches(key, Some(size), &current.tags)) {
                if let Some(e) = r.expiration {
                    let t = expires_at(e, current, days);
                    if t < i64::MAX {
                        out.push((t, Action::Expire, r));
                    }
                }
            }
        }
        None if history.len() == 1 => {
            for r in active().filter(|r| r.expired_object_delete_marker) {
                if r.filter.matches(key, None, &current.tags) {
                    let action = Action::RemoveExpiredMarker(current.id);
                    out.push((current.last_modified_ms, action, r));
                }
            }
        }
        None => {}
    }
    for r in active() {
        let Some(nc) = r.noncurrent else { continue };
        let keep = nc.newer_noncurrent_versions.unwrap_or(0) as usize;
        // Noncurrent entries, newest first, with the time each became noncurrent: when its
        // successor was written.
        let noncurrent = history.windows(2).map(|w| (&w[1], w[0].last_modified_ms));
        for (entry, since) in noncurrent.skip(keep) {
            if r.filter.matches(key, entry.size, &entry.tags) {
                let t = days.after(since, nc.days);
                out.push((t, Action::RemoveNoncurrent(entry.id), r));
            }
        }
    }
    out
}

/// When `e` makes the current entry expire (`i64::MAX`: never).
fn expires_at(e: Expiration, current: &Entry, days: Days) -> i64 {
    match e {
        Expiration::Days(n) => days.after(current.last_modified_ms, n),
        Expiration::Date(t) => t,
        Expiration::CreatedBefore(t) if current.last_modified_ms < t => current.last_modified_ms,
        Expiration::CreatedBefore(_) => i64::MAX,
    }
}

/// When `a` makes an upload initiated at `initiated_ms` due (`i64::MAX`: never).
fn abort_at(a: UploadAbort, initiated_ms: i64, days: Days) -> i64 {
    match a {
        UploadAbort::Days(n) => days.after(initiated_ms, n),
        UploadAbort::CreatedBefore(t) if initiated_ms < t => initiated_ms,
        UploadAbort::CreatedBefore(_) => i64::MAX,
    }
}

/// The rule that aborts an upload of `key` initiated at `initiated_ms`, if one is due at
/// `now_ms`.
pub fn upload_due<'r>(
    rules: &'r [Rule],
    key: &str,
    initiated_ms: i64,
    now_ms: i64,
    days: Days,
) -> Option<&'r Rule> {
    upload_next(rules, key, initiated_ms, days)
        .filter(|(t, _)| *t <= now_ms)
        .map(|(_, r)| r)
}

/// When an upload of `key` initiated at `initiated_ms` becomes due, and by which rule.
pub fn upload_next<'r>(
    rules: &'r [Rule],
    key: &str,
    initiated_ms: i64,
    days: Days,
) -> Option<(i64, &'r Rule)> {
    rules
        .iter()
        .filter(|r| r.enabled && r.filter.matches_key(key))
        .filter_map(|r| Some((abort_at(r.abort_upload?, initiated_ms, days), r)))
        .filter(|(t, _)| *t < i64::MAX)
        .min_by_key(|(t, _)| *t)
}

/// When the current object of `key` (written at `last_modified_ms`, `size` bytes, carrying
/// `tags`) expires and by which rule: S3's `x-amz-expiration`, always in real days.
pub fn expiration_of<'r>(
    rules: &'r [Rule],
    key: &str,
    last_modified_ms: i64,
    size: u64,
    tags: &Tags,
) -> Option<(i64, &'r Rule)> {
    let current = Entry {
        id: VersionId::Null,
        last_modified_ms,
        size: Some(size),
        tags: Tags::none(),
    };
    rules
        .iter()
        .filter(|r| r.enabled && r.filter.matches(key, Some(size), tags))
        .filter_map(|r| Some((expires_at(r.expiration?, &current, Days::REAL), r)))
        .filter(|(t, _)| *t < i64::MAX)
        .min_by_key(|(t, _)| *t)
}
