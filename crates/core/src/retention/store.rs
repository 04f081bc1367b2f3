//! The store's side of retention: a bucket's Object Lock configuration and WORM rule, and a
//! version's retention and legal hold, read and changed under the same write path as
//! everything else (the rule is checked in the write's own transaction).

use super::{
    BucketRetention, LockConfig, LockMode, MAX_DAYS, MAX_YEARS, ObjectLock, Period, Retention,
    RetentionError, Worm, WormState, WormStatus,
};
use crate::error::{CoreError, Result};
use crate::meta::{BucketRecord, EntryKind, ReadTxn};
use crate::object::resolve_entry;
use crate::store::{Store, persist_clock};
use crate::version::{VersionId, Versioning};

/// A version's lock as a read shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionView {
    pub version_id: VersionId,
    pub lock: ObjectLock,
}

/// A bucket's WORM rule as a read shows it, at the time of the read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WormView {
    pub id: String,
    pub status: WormStatus,
    pub days: u32,
    pub created_ms: i64,
    /// When it lapses unless completed (meaningful while in progress).
    pub expires_ms: i64,
}

fn check_period(period: Period) -> Result<(), RetentionError> {
    match period {
        Period::Days(d) if d == 0 || d > MAX_DAYS => Err(RetentionError::InvalidPeriod {
            max: MAX_DAYS,
            unit: "days",
        }),
        Period::Years(y) if y == 0 || y > MAX_YEARS => Err(RetentionError::InvalidPeriod {
            max: MAX_YEARS,
            unit: "years",
        }),
        _ => Ok(()),
    }
}

fn check_days(days: u32) -> Result<(), RetentionError> {
    check_period(Period::Days(days))
}

fn bucket_record(txn: &dyn ReadTxn, bucket: &str) -> Result<BucketRecord> {
    txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)
}

/// The bucket's WORM rule if it is still in force at `now_ms` (a lapsed one counts as none).
fn worm_in_force(rec: &BucketRecord, now_ms: i64) -> Option<&Worm> {
    rec.retention.worm.as_ref().filter(|w| w.in_force(now_ms))
}

/// Whether the change of a version's retention from `current` to `new` is allowed at
/// `now_ms`: COMPLIANCE is only ever extended; GOVERNANCE is extended freely and shortened,
/// removed or turned into COMPLIANCE only with the bypass. A retention that has ended
/// protects nothing and may be replaced by anything.
fn check_change(
    current: Option<Retention>,
    new: Option<Retention>,
    now_ms: i64,
    bypass: bool,
) -> Result<(), RetentionError> {
    if let Some(n) = new
        && n.until_ms <= now_ms
    {
        return Err(RetentionError::DateInPast);
    }
    let Some(cur) = current.filter(|c| c.until_ms > now_ms) else {
        return Ok(());
    };
    let extends = new.is_some_and(|n| n.mode == cur.mode && n.until_ms >= cur.until_ms);
    match cur.mode {
        _ if extends => Ok(()),
        LockMode::Compliance => Err(RetentionError::ChangeDenied(
            " (COMPLIANCE mode can only be extended)",
        )),
        LockMode::Governance if bypass => Ok(()),
        LockMode::Governance => Err(RetentionError::ChangeDenied(
            " (GOVERNANCE mode needs the governance bypass for that)",
        )),
    }
}

impl Store {
    /// Now, as retention counts it: the store's clock, which never goes back.
    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Bucket `name`'s retention configuration.
    pub fn bucket_retention(&self, name: &str) -> Result<BucketRetention> {
        Ok(bucket_record(&*self.read()?, name)?.retention)
    }

    /// Changes bucket `name`'s record under retention's rules: `change` edits it at `now`
    /// (and may refuse) in the write's own transaction. The clock is persisted with it.
    async fn update_retention<T: Send + 'static>(
        &self,
        name: &str,
        change: impl FnOnce(&mut BucketRecord, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (name, check_name) = (name.to_owned(), name.to_owned());
        let clock = self.inner.clock.clone();
        self.write(
            move |txn| {
                let now = clock.now_ms();
                let mut rec = bucket_record(txn, &check_name)?;
                let out = change(&mut rec, now)?;
                Ok((rec, out, now))
            },
            move |txn, (rec, out, now)| {
                txn.put_bucket(&name, &rec)?;
                persist_clock(txn, now)?;
                Ok(out)
            },
        )
        .await
    }

    /// S3's Object Lock configuration of the bucket; [`RetentionError::NoLockConfiguration`]
    /// when Object Lock is not enabled.
    pub fn object_lock_configuration(&self, bucket: &str) -> Result<LockConfig> {
        Ok(self
            .bucket_retention(bucket)?
            .object_lock
            .ok_or(RetentionError::NoLockConfiguration)?)
    }

    /// Enables Object Lock on a bucket (for good) with `config`'s default retention. The
    /// bucket's versioning must be Enabled.
    pub async fn put_object_lock_configuration(
        &self,
        bucket: &str,
        config: LockConfig,
    ) -> Result<()> {
        if let Some(d) = config.default {
            check_period(d.period)?;
        }
        self.update_retention(bucket, move |rec, _| {
            if rec.versioning != Versioning::Enabled {
                return Err(RetentionError::InvalidBucketState(
                    "versioning must be Enabled on a bucket to apply an Object Lock configuration",
                )
                .into());
            }
            rec.retention.object_lock = Some(config);
            Ok(())
        })
        .await
    }

    /// The lock (retention, legal hold) of the version a read addresses. Object Lock must be
    /// enabled on the bucket ([`RetentionError::NotEnabled`]).
    pub fn object_lock(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<RetentionView> {
        let txn = self.read()?;
        if bucket_record(&*txn, bucket)?
            .retention
            .object_lock
            .is_none()
        {
            return Err(RetentionError::NotEnabled.into());
        }
        let (rec, _) = resolve_entry(&*txn, bucket, key, version)?;
        let lock = rec.object().map(|d| d.lock).unwrap_or_default();
        Ok(RetentionView {
            version_id: rec.id,
            lock,
        })
    }

    /// Changes the lock of the version a write addresses, in place: `retention` (`None`
    /// removes it) under [`check_change`]'s rules, or the legal hold. Object Lock must be
    /// enabled on the bucket.
    pub async fn set_object_lock(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        change: LockChange,
    ) -> Result<VersionId> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        let clock = self.inner.clock.clone();
        self.write(
            move |txn| {
                let now = clock.now_ms();
                if bucket_record(txn, &cb)?.retention.object_lock.is_none() {
                    return Err(RetentionError::NotEnabled.into());
                }
                let (mut rec, _) = resolve_entry(txn, &cb, &ck, version)?;
                if let EntryKind::Object(data) = &mut rec.kind {
                    match change {
                        LockChange::Retention { retention, bypass } => {
                            check_change(data.lock.retention, retention, now, bypass)?;
                            data.lock.retention = retention;
                        }
                        LockChange::LegalHold(on) => data.lock.legal_hold = on,
                    }
                }
                Ok((rec, now))
            },
            move |txn, (rec, now)| {
                txn.put_version(&bucket, &key, &rec)?;
                persist_clock(txn, now)?;
                Ok(rec.id)
            },
        )
        .await
    }

    /// Starts a WORM rule of `days` on the bucket (in progress for 24 hours unless
    /// completed). Returns its ID. Refused while another is in force, and while versioning is
    /// Suspended.
    pub async fn initiate_worm(&self, bucket: &str, days: u32) -> Result<String> {
        check_days(days)?;
        self.update_retention(bucket, move |rec, now| {
            if worm_in_force(rec, now).is_some() {
                return Err(RetentionError::WormExists.into());
            }
            if rec.versioning == Versioning::Suspended {
                return Err(RetentionError::InvalidBucketState(
                    "a retention policy cannot be set while versioning is Suspended",
                )
                .into());
            }
            let id = format!("{:016X}{:016X}", now, rand::random::<u64>());
            rec.retention.worm = Some(Worm {
                id: id.clone(),
                state: WormState::InProgress,
                days,
                created_ms: now,
            });
            Ok(id)
        })
        .await
    }

    /// Removes a WORM rule in progress, or one that lapsed; a locked one stays
    /// ([`RetentionError::WormLocked`]).
    pub async fn abort_worm(&self, bucket: &str) -> Result<()> {
        self.update_retention(bucket, move |rec, _| match &rec.retention.worm {
            None => Err(RetentionError::NoWorm.into()),
            Some(w) if w.state == WormState::Locked => Err(RetentionError::WormLocked.into()),
            Some(_) => {
                rec.retention.worm = None;
                Ok(())
            }
        })
        .await
    }

    /// Locks the WORM rule in progress (the one with ID `id`, when given).
    pub async fn complete_worm(&self, bucket: &str, id: Option<String>) -> Result<()> {
        self.update_retention(bucket, move |rec, now| {
            let Some(worm) = rec.retention.worm.as_mut() else {
                return Err(RetentionError::NoWorm.into());
            };
            if id.is_some_and(|id| id != worm.id) {
                return Err(RetentionError::NoWorm.into());
            }
            match worm.status(now) {
                WormStatus::Expired => Err(RetentionError::WormExpired.into()),
                WormStatus::Locked => Err(RetentionError::WormAlreadyLocked.into()),
                WormStatus::InProgress => {
                    worm.state = WormState::Locked;
                    Ok(())
                }
            }
        })
        .await
    }

    /// Lengthens the locked WORM rule (the one with ID `id`, when given) to `days`.
    pub async fn extend_worm(&self, bucket: &str, id: Option<String>, days: u32) -> Result<()> {
        check_days(days)?;
        self.update_retention(bucket, move |rec, now| {
            let Some(worm) = rec.retention.worm.as_mut() else {
                return Err(RetentionError::NoWorm.into());
            };
            if id.is_some_and(|id| id != worm.id) {
                return Err(RetentionError::NoWorm.into());
            }
            // In progress, or lapsed before it was completed.
            if worm.status(now) != WormStatus::Locked {
                return Err(RetentionError::WormNotLocked.into());
            }
            if days < worm.days {
                return Err(RetentionError::WormShorten { days: worm.days }.into());
            }
            worm.days = days;
            Ok(())
        })
        .await
    }

    /// The bucket's WORM rule as it stands now (a lapsed one shows as
    /// [`WormStatus::Expired`]); [`RetentionError::NoWorm`] when it has none.
    pub fn worm(&self, bucket: &str) -> Result<WormView> {
        let now = self.now_ms();
        let worm = self
            .bucket_retention(bucket)?
            .worm
            .ok_or(RetentionError::NoWorm)?;
        Ok(WormView {
            status: worm.status(now),
            expires_ms: worm.expires_ms(),
            id: worm.id,
            days: worm.days,
            created_ms: worm.created_ms,
        })
    }
}

/// A change of one version's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockChange {
    /// Set (or with `None` remove) its retention; `bypass`: the request bypasses governance
    /// mode (and may).
    Retention {
        retention: Option<Retention>,
        bypass: bool,
    },
    LegalHold(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(mode: LockMode, until_ms: i64) -> Option<Retention> {
        Some(Retention { mode, until_ms })
    }

    #[test]
    fn compliance_only_extends_and_governance_needs_the_bypass() {
        use LockMode::*;
        let now = 1_000;
        // Extending is always allowed.
        assert!(check_change(r(Compliance, 2_000), r(Compliance, 3_000), now, false).is_ok());
        assert!(check_change(r(Governance, 2_000), r(Governance, 3_000), now, false).is_ok());
        // COMPLIANCE: no shortening, no weakening, no removal, bypass or not.
        for bypass in [false, true] {
            for new in [r(Compliance, 1_500), r(Governance, 9_000), None] {
                assert!(check_change(r(Compliance, 2_000), new, now, bypass).is_err());
            }
        }
        // GOVERNANCE: shortening, removing and turning into COMPLIANCE need the bypass.
        for new in [r(Governance, 1_500), r(Compliance, 9_000), None] {
            assert!(check_change(r(Governance, 2_000), new, now, false).is_err());
            assert!(check_change(r(Governance, 2_000), new, now, true).is_ok());
        }
        // A retention that has ended protects nothing.
        assert!(check_change(r(Compliance, 500), r(Governance, 1_500), now, false).is_ok());
        // A new date must be in the future.
        assert_eq!(
            check_change(None, r(Governance, 1_000), now, true),
            Err(RetentionError::DateInPast)
        );
    }
}
