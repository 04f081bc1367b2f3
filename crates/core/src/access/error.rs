//! What an access configuration change (or a write's ACL) is refused with.

use super::PolicyError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The requester may not do what it asks (decided outside the pipeline's decision, e.g.
    /// for one entry of a request that cannot refuse entries one by one).
    #[error("access denied")]
    Denied,
    /// An ACL given where Object Ownership `BucketOwnerEnforced` turns ACLs off.
    #[error("the bucket does not allow ACLs")]
    AclNotSupported,
    /// A public ACL or policy that the bucket's public access block refuses.
    #[error("public access is blocked for this bucket")]
    PublicAccessBlocked,
    /// `BucketOwnerEnforced` asked for while the bucket's ACL grants others.
    #[error("the bucket ACL grants others: ACLs cannot be turned off")]
    InvalidBucketAclWithObjectOwnership,
    /// A grant to a user that does not exist.
    #[error("invalid grantee: {0}")]
    UnknownGrantee(String),
    #[error("{0}")]
    Policy(#[from] PolicyError),
    #[error("the bucket has no policy")]
    NoSuchBucketPolicy,
    #[error("the bucket has no public access block configuration")]
    NoSuchPublicAccessBlockConfiguration,
    #[error("the bucket has no ownership controls")]
    OwnershipControlsNotFound,
}
