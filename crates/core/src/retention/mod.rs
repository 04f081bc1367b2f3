//! Retention: what may not be removed yet, decided once for every dialect and every path.
//!
//! Three mechanisms protect object versions, all stored with the bucket or the version:
//!
//! - S3 Object Lock (per version): a retention (`GOVERNANCE` or `COMPLIANCE`, until an
//!   instant) and a legal hold. A bucket with Object Lock enabled may give new versions a
//!   default retention ([`LockConfig`]).
//! - A bucket-wide WORM rule ([`Worm`]): OSS's BucketWorm and BOS's object lock, the same
//!   thing under two names. While it is in force (in progress for 24 hours after it is
//!   initiated, or locked for good), every object version is protected until its
//!   last-modified time plus the rule's days.
//!
//! [`Guard::may_remove`] is the one rule: whether an entry may be removed now. Every path
//! that removes an entry (a delete of a version, a delete or an overwrite of a key's `null`
//! entry, a multi-delete's entries, a completion over a `null` version) asks it through
//! [`Guard::check_removal`] before it writes. Delete markers are never protected. Time is
//! the store's [`crate::clock::Clock`], which never goes back.

mod error;
mod store;

pub use error::RetentionError;
pub use store::{LockChange, RetentionView, WormView};

use crate::meta::{EntryKind, ReadTxn, StorageResult, VersionRecord};
use crate::object::find_version;
use crate::version::{VersionId, Versioning};
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;
/// How long an initiated WORM rule waits to be completed before it lapses.
pub const WORM_PENDING_MS: i64 = DAY_MS;
/// The longest WORM rule or default retention: 70 years (OSS's limit), in days.
pub const MAX_DAYS: u32 = 70 * 365 + 17;
/// The longest default retention in years.
pub const MAX_YEARS: u32 = 70;

/// S3's two retention modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockMode {
    /// May be shortened or removed, and the version deleted, with the governance bypass.
    Governance,
    /// Only ever extended; nobody deletes the version before its date.
    Compliance,
}

impl LockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }

    /// The mode as the wire writes it (upper case exactly).
    pub fn parse(s: &str) -> Option<LockMode> {
        match s {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            _ => None,
        }
    }
}

/// A version's retention: its mode and the instant it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub mode: LockMode,
    pub until_ms: i64,
}

/// What protects one object version by itself (S3 Object Lock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    pub retention: Option<Retention>,
    pub legal_hold: bool,
}

impl ObjectLock {
    pub fn is_none(&self) -> bool {
        self.retention.is_none() && !self.legal_hold
    }
}

/// The period of a default retention, as it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Days(u32),
    Years(u32),
}

impl Period {
    /// When a retention of this period that starts at `from_ms` ends (a year is 365 days, as
    /// AWS counts it for default retention).
    pub fn end(self, from_ms: i64) -> i64 {
        let days = match self {
            Period::Days(d) => i64::from(d),
            Period::Years(y) => i64::from(y) * 365,
        };
        from_ms.saturating_add(days.saturating_mul(DAY_MS))
    }
}

/// A bucket's default retention for new versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRetention {
    pub mode: LockMode,
    pub period: Period,
}

/// S3 Object Lock's bucket configuration (its presence means Object Lock is enabled, which
/// is for good).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockConfig {
    pub default: Option<DefaultRetention>,
}

/// A WORM rule's stored state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WormState {
    /// Initiated; lapses unless completed within [`WORM_PENDING_MS`].
    InProgress,
    /// Completed: it can no longer be removed or shortened.
    Locked,
}

/// A WORM rule's state at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WormStatus {
    InProgress,
    Locked,
    /// Initiated, never completed, and its 24 hours are over: it protects nothing.
    Expired,
}

/// A bucket-wide WORM rule (OSS BucketWorm, BOS object lock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worm {
    /// OSS's `WormId`.
    pub id: String,
    pub state: WormState,
    pub days: u32,
    pub created_ms: i64,
}

impl Worm {
    pub fn status(&self, now_ms: i64) -> WormStatus {
        match self.state {
            WormState::Locked => WormStatus::Locked,
            WormState::InProgress if now_ms < self.expires_ms() => WormStatus::InProgress,
            WormState::InProgress => WormStatus::Expired,
        }
    }

    /// When an initiated rule lapses.
    pub fn expires_ms(&self) -> i64 {
        self.created_ms.saturating_add(WORM_PENDING_MS)
    }

    /// Whether it protects anything at `now_ms`.
    pub fn in_force(&self, now_ms: i64) -> bool {
        self.status(now_ms) != WormStatus::Expired
    }
}

/// A bucket's retention configuration, stored in its record (format 4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRetention {
    /// S3 Object Lock: enabled when present.
    pub object_lock: Option<LockConfig>,
    pub worm: Option<Worm>,
}

impl BucketRetention {
    /// Whether anything in the bucket can be protected (then writes persist the clock).
    pub fn is_active(&self) -> bool {
        self.object_lock.is_some() || self.worm.is_some()
    }

    /// Whether versioning may no longer be suspended: Object Lock is enabled, or a WORM rule
    /// is in force.
    pub fn pins_versioning(&self, now_ms: i64) -> bool {
        self.object_lock.is_some() || self.worm.as_ref().is_some_and(|w| w.in_force(now_ms))
    }
}

/// Why an entry may not be removed now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    LegalHold,
    /// A retention in this mode, until this instant.
    Retention(Retention),
    /// The bucket's WORM rule, until this instant.
    Worm {
        until_ms: i64,
    },
}

/// The retention rule of one bucket at one instant, for one request.
#[derive(Clone, Debug)]
pub struct Guard {
    pub versioning: Versioning,
    pub retention: BucketRetention,
    pub now_ms: i64,
    /// The request asks to bypass governance-mode retention (and may).
    pub bypass_governance: bool,
}

impl Guard {
    /// The rule of bucket `bucket` (which must exist) at `now_ms`.
    pub(crate) fn of(
        txn: &dyn ReadTxn,
        bucket: &str,
        now_ms: i64,
        bypass_governance: bool,
    ) -> crate::Result<Guard> {
        let rec = txn.bucket(bucket)?.ok_or(crate::CoreError::NoSuchBucket)?;
        Ok(Guard {
            versioning: rec.versioning,
            retention: rec.retention,
            now_ms,
            bypass_governance,
        })
    }

    /// What protects `rec` now, if anything: the one rule every removal asks.
    pub fn protection(&self, rec: &VersionRecord) -> Option<Protection> {
        let EntryKind::Object(data) = &rec.kind else {
            return None;
        };
        if data.lock.legal_hold {
            return Some(Protection::LegalHold);
        }
        if let Some(r) = data.lock.retention
            && r.until_ms > self.now_ms
            && (r.mode == LockMode::Compliance || !self.bypass_governance)
        {
            return Some(Protection::Retention(r));
        }
        if let Some(worm) = &self.retention.worm
            && worm.in_force(self.now_ms)
        {
            let until_ms = rec
                .last_modified_ms
                .saturating_add(i64::from(worm.days).saturating_mul(DAY_MS));
            if until_ms > self.now_ms {
                return Some(Protection::Worm { until_ms });
            }
        }
        None
    }

    /// Whether `rec` may be removed now; if not, [`RetentionError::Protected`].
    pub fn may_remove(&self, rec: &VersionRecord) -> Result<(), RetentionError> {
        match self.protection(rec) {
            Some(p) => Err(RetentionError::Protected(p)),
            None => Ok(()),
        }
    }

    /// The entry a write to `key` would remove, if any: the version named; else, unless
    /// versioning is Enabled, the key's `null` entry, which a delete or an overwrite
    /// replaces.
    pub(crate) fn doomed(
        &self,
        txn: &dyn ReadTxn,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> StorageResult<Option<VersionRecord>> {
        match version {
            Some(id) => find_version(txn, bucket, key, id),
            None if self.versioning == Versioning::Enabled => Ok(None),
            None => match txn.null_seq(bucket, key)? {
                Some(seq) => txn.version(bucket, key, seq),
                None => Ok(None),
            },
        }
    }

    /// What protects the entry a write to `key` would remove (see [`Guard::doomed`]).
    pub(crate) fn removal_protection(
        &self,
        txn: &dyn ReadTxn,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> StorageResult<Option<Protection>> {
        // Without Object Lock (which is for good, and the only way a version gets a lock) or
        // a WORM rule, nothing in the bucket is protected: no entry needs reading.
        if !self.retention.is_active() {
            return Ok(None);
        }
        Ok(self
            .doomed(txn, bucket, key, version)?
            .and_then(|rec| self.protection(&rec)))
    }

    /// Whether a write to `key` may go ahead: the entry it would remove must not be
    /// protected. Every path that removes an entry asks this before it writes.
    pub(crate) fn check_removal(
        &self,
        txn: &dyn ReadTxn,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> crate::Result<()> {
        match self.removal_protection(txn, bucket, key, version)? {
            Some(p) => Err(RetentionError::Protected(p).into()),
            None => Ok(()),
        }
    }

    /// The lock a new version gets: the one asked for, with the bucket's default retention
    /// when it asks for none. Asking for a lock where Object Lock is not enabled, or for a
    /// retention that has already ended, is refused.
    pub fn lock_for(&self, asked: ObjectLock) -> Result<ObjectLock, RetentionError> {
        self.check_asked(asked)?;
        Ok(self.with_default(asked))
    }

    /// Whether a write may ask for `asked` (see [`Guard::lock_for`]).
    pub fn check_asked(&self, asked: ObjectLock) -> Result<(), RetentionError> {
        if asked.is_none() {
            return Ok(());
        }
        if self.retention.object_lock.is_none() {
            return Err(RetentionError::NotEnabled);
        }
        match asked.retention {
            Some(r) if r.until_ms <= self.now_ms => Err(RetentionError::DateInPast),
            _ => Ok(()),
        }
    }

    /// `asked`, with the bucket's default retention from now when it has no retention.
    pub fn with_default(&self, asked: ObjectLock) -> ObjectLock {
        let default = self.retention.object_lock.and_then(|c| c.default);
        ObjectLock {
            retention: asked.retention.or_else(|| {
                default.map(|d| Retention {
                    mode: d.mode,
                    until_ms: d.period.end(self.now_ms),
                })
            }),
            legal_hold: asked.legal_hold,
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
