//! The neutral model's requests on retention: S3 Object Lock (a bucket's configuration, a
//! version's retention and legal hold) and a bucket's WORM rule (OSS's BucketWorm, BOS's
//! object lock). Part of [`crate::exec`] (re-exported there); the rules they apply are the
//! core's ([`strata_core::retention`]).

use crate::exec::{Env, Read, Run};
use strata_core::access::{Action, Decision};
use strata_core::retention::{LockChange, LockConfig, ObjectLock, RetentionView, WormView};
use strata_core::{CoreError, VersionId};

impl Env<'_> {
    /// Whether the requester may take `action` on `key` besides what it asked for (the
    /// bucket's owner may).
    pub(crate) fn may(&self, bucket: &str, key: &str, action: Action) -> bool {
        let Some(b) = self.bucket else { return false };
        b.decide(bucket, self.who.rules(), action, Some(key), &self.facts) == Decision::Allow
    }

    /// Whether the requester may bypass governance-mode retention on `key` (S3's
    /// `s3:BypassGovernanceRetention`). A bypass asked for without the permission is not
    /// applied, so governance-mode retention still protects.
    pub(crate) fn may_bypass_governance(&self, bucket: &str, key: &str) -> bool {
        self.may(bucket, key, Action::BypassGovernanceRetention)
    }
}

/// What of a version's lock a read of it may show: its retention with
/// `GetObjectRetention`, its legal hold with `GetObjectLegalHold` (as S3 shows the lock
/// headers of GET and HEAD only to who may read them).
pub(crate) struct VisibleLock<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub lock: ObjectLock,
}

impl Read for VisibleLock<'_> {
    type Output = ObjectLock;
    fn read(self, env: &Env<'_>) -> Result<ObjectLock, CoreError> {
        let (b, k, lock) = (self.bucket, self.key, self.lock);
        Ok(ObjectLock {
            retention: lock
                .retention
                .filter(|_| env.may(b, k, Action::GetObjectRetention)),
            legal_hold: lock.legal_hold && env.may(b, k, Action::GetObjectLegalHold),
        })
    }
}

/// A bucket's Object Lock configuration (none: Object Lock is not enabled).
pub(crate) struct GetLockConfiguration<'a>(pub &'a str);

impl Read for GetLockConfiguration<'_> {
    type Output = LockConfig;
    fn read(self, env: &Env<'_>) -> Result<LockConfig, CoreError> {
        env.store.object_lock_configuration(self.0)
    }
}

/// Enables Object Lock on a bucket whose versioning is Enabled, with a default retention.
pub(crate) struct PutLockConfiguration<'a> {
    pub bucket: &'a str,
    pub config: LockConfig,
}

impl Run for PutLockConfiguration<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store
            .put_object_lock_configuration(self.bucket, self.config)
            .await
    }
}

/// A version's retention and legal hold.
pub(crate) struct GetObjectLock<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

impl Read for GetObjectLock<'_> {
    type Output = RetentionView;
    fn read(self, env: &Env<'_>) -> Result<RetentionView, CoreError> {
        env.store.object_lock(self.bucket, self.key, self.version)
    }
}

/// A change of a version's retention (with the governance bypass if asked for and
/// permitted) or legal hold.
pub(crate) struct SetObjectLock<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub change: LockChange,
}

impl Run for SetObjectLock<'_> {
    type Output = VersionId;
    async fn run(self, env: &Env<'_>) -> Result<VersionId, CoreError> {
        let change = match self.change {
            LockChange::Retention { retention, bypass } => LockChange::Retention {
                retention,
                bypass: bypass && env.may_bypass_governance(self.bucket, self.key),
            },
            hold => hold,
        };
        env.store
            .set_object_lock(self.bucket, self.key, self.version, change)
            .await
    }
}

/// What a request does to a bucket's WORM rule.
pub(crate) enum WormAsk {
    /// Start one of this many days; returns its ID.
    Initiate { days: u32 },
    /// Remove the one in progress.
    Abort,
    /// Lock the one in progress (with this ID, when the dialect names it).
    Complete { id: Option<String> },
    /// Lengthen the locked one to this many days.
    Extend { id: Option<String>, days: u32 },
}

/// A change of a bucket's WORM rule. Returns the new rule's ID for an initiate, else "".
pub(crate) struct ChangeWorm<'a> {
    pub bucket: &'a str,
    pub ask: WormAsk,
}

impl Run for ChangeWorm<'_> {
    type Output = String;
    async fn run(self, env: &Env<'_>) -> Result<String, CoreError> {
        let (store, b) = (env.store, self.bucket);
        match self.ask {
            WormAsk::Initiate { days } => store.initiate_worm(b, days).await,
            WormAsk::Abort => store.abort_worm(b).await.map(|()| String::new()),
            WormAsk::Complete { id } => store.complete_worm(b, id).await.map(|()| String::new()),
            WormAsk::Extend { id, days } => {
                store.extend_worm(b, id, days).await.map(|()| String::new())
            }
        }
    }
}

/// A bucket's WORM rule as it stands now.
pub(crate) struct GetWorm<'a>(pub &'a str);

impl Read for GetWorm<'_> {
    type Output = WormView;
    fn read(self, env: &Env<'_>) -> Result<WormView, CoreError> {
        env.store.worm(self.0)
    }
}
