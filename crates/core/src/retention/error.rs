//! What retention refuses. Each dialect maps every variant once (S3: `AccessDenied` for a
//! protected version; OSS and BOS: `FileImmutable`).

use super::Protection;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// The entry a delete or an overwrite would remove is protected.
    #[error("the object is protected by retention ({0:?})")]
    Protected(Protection),
    /// Object Lock is not enabled on the bucket (a lock asked for, a version's retention or
    /// legal hold read or set).
    #[error("the bucket does not have Object Lock enabled")]
    NotEnabled,
    /// The bucket has no Object Lock configuration to read.
    #[error("the bucket has no Object Lock configuration")]
    NoLockConfiguration,
    /// The version has no retention (or no legal hold) to read.
    #[error("the object version has no retention configuration")]
    NoObjectLock,
    /// Object Lock needs versioning Enabled; with Object Lock or a WORM rule in force,
    /// versioning cannot be suspended; a WORM rule cannot start while versioning is
    /// Suspended.
    #[error("{0}")]
    InvalidBucketState(&'static str),
    /// A retention that ends before now.
    #[error("the retain-until date must be in the future")]
    DateInPast,
    /// A period of 0, or more than allowed.
    #[error("the retention period must be 1 to {max} {unit}")]
    InvalidPeriod { max: u32, unit: &'static str },
    /// A change to a version's retention that its mode forbids (COMPLIANCE shortened or
    /// weakened; GOVERNANCE shortened or changed without the bypass).
    #[error("the retention cannot be shortened or its mode weakened{0}")]
    ChangeDenied(&'static str),
    /// No WORM rule, or not the one named.
    #[error("the bucket has no such WORM configuration")]
    NoWorm,
    /// A WORM rule already exists (in progress or locked).
    #[error("the bucket already has a WORM configuration")]
    WormExists,
    /// A locked WORM rule cannot be aborted.
    #[error("the WORM configuration is locked")]
    WormLocked,
    /// Complete of a rule already locked.
    #[error("the WORM configuration is already locked")]
    WormAlreadyLocked,
    /// Extend of a rule not yet locked.
    #[error("the WORM configuration is not locked yet")]
    WormNotLocked,
    /// Complete of a rule whose 24 hours are over.
    #[error("the WORM configuration expired before it was completed")]
    WormExpired,
    /// Extend to fewer days than the rule has.
    #[error("a WORM configuration cannot be shortened ({days} days now)")]
    WormShorten { days: u32 },
}
