//! Access control, decided once for every dialect: who may do what to a bucket and its objects.
//!
//! - [`action`]: the actions a request can take ([`Action`]), named as S3 and OSS policies name
//!   them, and the ACL permission each needs.
//! - [`acl`]: ACL grants (S3's grantees and permissions; OSS's and BOS's canned ACLs map onto
//!   them) on buckets and object versions.
//! - [`policy`]: bucket policies (S3's and OSS's JSON languages, and BOS's `accessControlList`,
//!   which is a policy in all but name), compiled once and evaluated per request.

pub mod acl;
pub mod action;
mod condition;
pub mod policy;

pub use acl::{Canned, Grant, Grantee, ObjectAccess, ObjectAcl, Permission};
pub use action::AclNeed;
pub use action::Action;
pub use policy::{ConditionKeys, Effect, Language, Policy, PolicyError, PolicyRequest};
