//! Preconditions: what a conditional operation requires of the entry it addresses, as data.
//! The dialects parse their headers into a [`Precondition`]; the core evaluates it inside the
//! operation's own write transaction (or read snapshot), against exactly the version the
//! operation then acts on, so no concurrent writer can slip in between the check and the act.

use crate::meta::{EntryKind, VersionRecord};

/// Conditions on an entry (an object version or a delete marker). Every condition given must
/// hold; none given always holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Precondition {
    /// `If-Match`: ETags as clients send them (quoted or not, `W/` or not, comma-separated) or
    /// `*`. A delete marker has no ETag, so only `*` matches one.
    pub if_match: Option<String>,
    /// `If-None-Match`, in the same form.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since`, in whole seconds since the epoch.
    pub if_modified_since: Option<i64>,
    /// `If-Unmodified-Since`, in whole seconds since the epoch.
    pub if_unmodified_since: Option<i64>,
    /// The entry's last-modified time must be exactly this, in whole seconds since the epoch.
    pub last_modified_secs: Option<i64>,
    /// The entry's size in bytes must be exactly this (0 for a delete marker).
    pub size: Option<u64>,
}

/// How a [`Precondition`] failed. Each operation maps it to its own error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// `If-Match`, `If-Unmodified-Since`, the time or the size did not hold.
    PreconditionFailed,
    /// `If-None-Match` or `If-Modified-Since` did not hold (a read answers 304).
    NotModified,
    /// `If-Match` was given and there is no entry to match.
    Missing,
}

/// What a precondition is evaluated against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// The object's ETag; `None` for a delete marker.
    pub etag: Option<&'a str>,
    pub last_modified_ms: i64,
    pub size: u64,
}

impl<'a> Target<'a> {
    pub fn of(rec: &'a VersionRecord) -> Target<'a> {
        let data = match &rec.kind {
            EntryKind::Object(d) => Some(d),
            EntryKind::DeleteMarker => None,
        };
        Target {
            etag: data.map(|d| d.etag.as_str()),
            last_modified_ms: rec.last_modified_ms,
            size: data.map_or(0, |d| d.size),
        }
    }
}

/// Whether an ETag list names `etag` (or is `*`).
fn listed(list: &str, etag: Option<&str>) -> bool {
    list.split(',').any(|t| {
        let t = t.trim().trim_start_matches("W/").trim_matches('"');
        t == "*" || etag.is_some_and(|e| t.eq_ignore_ascii_case(e))
    })
}

impl Precondition {
    pub fn is_none(&self) -> bool {
        *self == Precondition::default()
    }

    /// Evaluates the conditions against `target` (`None`: there is no entry), in RFC 9110
    /// §13.2.2's order: a date condition counts only without its ETag twin.
    pub fn evaluate(&self, target: Option<Target<'_>>) -> Result<(), Failed> {
        let Some(t) = target else {
            return match self.if_match {
                Some(_) => Err(Failed::Missing),
                None => Ok(()),
            };
        };
        let secs = t.last_modified_ms.div_euclid(1000);
        match &self.if_match {
            Some(m) if !listed(m, t.etag) => return Err(Failed::PreconditionFailed),
            Some(_) => {}
            None => {
                if self.if_unmodified_since.is_some_and(|u| secs > u) {
                    return Err(Failed::PreconditionFailed);
                }
            }
        }
        match &self.if_none_match {
            Some(m) if listed(m, t.etag) => return Err(Failed::NotModified),
            Some(_) => {}
            None => {
                if self.if_modified_since.is_some_and(|m| secs <= m) {
                    return Err(Failed::NotModified);
                }
            }
        }
        if self.last_modified_secs.is_some_and(|s| s != secs)
            || self.size.is_some_and(|s| s != t.size)
        {
            return Err(Failed::PreconditionFailed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(etag: &str, secs: i64, size: u64) -> Target<'_> {
        Target {
            etag: Some(etag),
            last_modified_ms: secs * 1000 + 500,
            size,
        }
    }

    #[test]
    fn etag_conditions_take_lists_quotes_and_stars() {
        let c = |m: &str| Precondition {
            if_match: Some(m.into()),
            ..Default::default()
        };
        let t = obj("abc", 10, 3);
        assert_eq!(c("\"abc\"").evaluate(Some(t)), Ok(()));
        assert_eq!(c("x, W/\"ABC\"").evaluate(Some(t)), Ok(()));
        assert_eq!(c("*").evaluate(Some(t)), Ok(()));
        assert_eq!(c("x").evaluate(Some(t)), Err(Failed::PreconditionFailed));
        assert_eq!(c("*").evaluate(None), Err(Failed::Missing));
        let marker = Target {
            etag: None,
            last_modified_ms: 0,
            size: 0,
        };
        assert_eq!(c("*").evaluate(Some(marker)), Ok(()));
        assert_eq!(
            c("abc").evaluate(Some(marker)),
            Err(Failed::PreconditionFailed)
        );
        let none = Precondition {
            if_none_match: Some("*".into()),
            ..Default::default()
        };
        assert_eq!(none.evaluate(None), Ok(()));
        assert_eq!(none.evaluate(Some(t)), Err(Failed::NotModified));
    }

    #[test]
    fn dates_count_only_without_their_etag_twin() {
        let t = obj("abc", 10, 3);
        let unmodified = |m: Option<&str>, u| Precondition {
            if_match: m.map(Into::into),
            if_unmodified_since: Some(u),
            ..Default::default()
        };
        assert_eq!(unmodified(None, 10).evaluate(Some(t)), Ok(()));
        assert_eq!(
            unmodified(None, 9).evaluate(Some(t)),
            Err(Failed::PreconditionFailed)
        );
        assert_eq!(unmodified(Some("abc"), 9).evaluate(Some(t)), Ok(()));
        let modified = |n: Option<&str>, m| Precondition {
            if_none_match: n.map(Into::into),
            if_modified_since: Some(m),
            ..Default::default()
        };
        assert_eq!(modified(None, 9).evaluate(Some(t)), Ok(()));
        assert_eq!(
            modified(None, 10).evaluate(Some(t)),
            Err(Failed::NotModified)
        );
        assert_eq!(modified(Some("x"), 10).evaluate(Some(t)), Ok(()));
    }

    #[test]
    fn time_and_size_must_be_exact() {
        let t = obj("abc", 10, 3);
        let c = |s, z| Precondition {
            last_modified_secs: s,
            size: z,
            ..Default::default()
        };
        assert_eq!(c(Some(10), Some(3)).evaluate(Some(t)), Ok(()));
        assert_eq!(
            c(Some(11), None).evaluate(Some(t)),
            Err(Failed::PreconditionFailed)
        );
        assert_eq!(
            c(None, Some(4)).evaluate(Some(t)),
            Err(Failed::PreconditionFailed)
        );
    }
}
