//! Lifecycle's decisions, once for every dialect: which entries of a key a bucket's rules
//! make due at a given time, and what is to be done with each (pure functions over a key's
//! history), and [`Store::apply_lifecycle`](crate::Store::apply_lifecycle), which carries them out for one key. No
//! configuration is stored and no background executor runs yet (issue 15 is under way: the
//! configuration's storage, the dialects' codecs and the executor with its due index come
//! next; until then every `?lifecycle` request stays 501).
//!
//! The executor will carry out each [`Action`] through the paths clients use (a delete
//! without a version for [`Action::Expire`], a delete of the version named otherwise), so the
//! bucket's versioning gives expiration its meaning (removal, a delete marker, a `null`
//! delete marker) and retention ([`crate::retention::Guard`]) refuses what it protects.

mod apply;
#[cfg(test)]
mod tests;
mod validate;

pub use validate::{LifecycleError, MAX_ID_CHARS, MAX_NEWER_NONCURRENT, MAX_RULES, validate};

use crate::version::VersionId;

const DAY_MS: i64 = 86_400_000;

/// Which keys and objects a rule applies to. Tags are not stored yet (object tagging is not
/// built), so a rule that filters on tags matches no object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub prefix: String,
    pub tags: Vec<(String, String)>,
    /// The object must be larger than this many bytes.
    pub size_greater_than: Option<u64>,
    /// The object must be smaller than this many bytes.
    pub size_less_than: Option<u64>,
}

impl Filter {
    /// Whether an entry of `key` matches: an object of `size` bytes, or a delete marker
    /// (`None`), which size conditions never match.
    pub fn matches(&self, key: &str, size: Option<u64>) -> bool {
        if !key.starts_with(&self.prefix) || !self.tags.is_empty() {
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiration {
    /// This many days after it was written.
    Days(u32),
    /// From this instant on (Unix milliseconds).
    Date(i64),
}

/// When noncurrent versions go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoncurrentExpiration {
    /// Days after the version became noncurrent (its successor was written).
    pub days: u32,
    /// The newest this many noncurrent versions are kept whatever their age.
    pub newer_noncurrent_versions: Option<u32>,
}

/// One lifecycle rule, as every dialect's configuration reads into it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub enabled: bool,
    pub filter: Filter,
    pub expiration: Option<Expiration>,
    /// Remove a current delete marker that has no versions left under it.
    pub expired_object_delete_marker: bool,
    pub noncurrent: Option<NoncurrentExpiration>,
    /// Abort incomplete multipart uploads this many days after they were initiated.
    pub abort_incomplete_upload_days: Option<u32>,
}

/// How long a lifecycle day is: a real day, whose due times are rounded up to the next
/// midnight UTC (as AWS counts), or a shortened day for tests, without rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: VersionId,
    pub last_modified_ms: i64,
    /// `None` for a delete marker.
    pub size: Option<u64>,
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
/// `rules`: one action per entry at most, each with the ID of the rule that decided it.
pub fn due(
    rules: &[Rule],
    key: &str,
    history: &[Entry],
    now_ms: i64,
    days: Days,
) -> Vec<(Action, String)> {
    let mut out = Vec::new();
    let active = || rules.iter().filter(|r| r.enabled);
    let Some(current) = history.first() else {
        return out;
    };
    match current.size {
        Some(size) => {
            let expiry = active()
                .filter(|r| r.filter.matches(key, Some(size)))
                .filter_map(|r| Some((expires_at(r.expiration?, current, days), r)))
                .min_by_key(|(t, _)| *t);
            if let Some((t, r)) = expiry
                && t <= now_ms
            {
                out.push((Action::Expire, r.id.clone()));
            }
        }
        None if history.len() == 1 => {
            if let Some(r) =
                active().find(|r| r.expired_object_delete_marker && r.filter.matches(key, None))
            {
                out.push((Action::RemoveExpiredMarker(current.id), r.id.clone()));
            }
        }
        None => {}
    }
    for r in active() {
        let Some(nc) = r.noncurrent else { continue };
        let keep = nc.newer_noncurrent_versions.unwrap_or(0) as usize;
        // Noncurrent entries, newest first, with the time each became noncurrent: when its
        // successor was written.
        let noncurrent = history.windows(2).map(|w| (w[1], w[0].last_modified_ms));
        for (entry, since) in noncurrent.skip(keep) {
            let done = out
                .iter()
                .any(|(a, _)| *a == Action::RemoveNoncurrent(entry.id));
            if !done && r.filter.matches(key, entry.size) && days.after(since, nc.days) <= now_ms {
                out.push((Action::RemoveNoncurrent(entry.id), r.id.clone()));
            }
        }
    }
    out
}

fn expires_at(e: Expiration, current: &Entry, days: Days) -> i64 {
    match e {
        Expiration::Days(n) => days.after(current.last_modified_ms, n),
        Expiration::Date(t) => t,
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
    rules
        .iter()
        .filter(|r| r.enabled && key.starts_with(&r.filter.prefix) && r.filter.tags.is_empty())
        .filter_map(|r| Some((days.after(initiated_ms, r.abort_incomplete_upload_days?), r)))
        .filter(|(t, _)| *t <= now_ms)
        .min_by_key(|(t, _)| *t)
        .map(|(_, r)| r)
}

/// When the current object of `key` (written at `last_modified_ms`, `size` bytes) expires
/// and by which rule: S3's `x-amz-expiration`, always in real days.
pub fn expiration_of<'r>(
    rules: &'r [Rule],
    key: &str,
    last_modified_ms: i64,
    size: u64,
) -> Option<(i64, &'r Rule)> {
    let current = Entry {
        id: VersionId::Null,
        last_modified_ms,
        size: Some(size),
    };
    rules
        .iter()
        .filter(|r| r.enabled && r.filter.matches(key, Some(size)))
        .filter_map(|r| Some((expires_at(r.expiration?, &current, Days::REAL), r)))
        .min_by_key(|(t, _)| *t)
}
