//! Access control, decided once for every dialect: who may do what to a bucket and its objects.
//!
//! - [`action`] names the actions a request can take ([`Action`]) as S3 and OSS policies name
//!   them, and the ACL permission each needs.
//! - [`acl`] holds the grants (S3's grantees and permissions; OSS's and BOS's canned ACLs map
//!   onto them) on buckets and object versions.
//! - [`BucketAccess`] is a bucket's configuration compiled, and decides.
//! - [`policy`] compiles bucket policies (S3's and OSS's JSON languages, and BOS's
//!   `accessControlList`, which is a policy in all but name) once, and evaluates them per
//!   request.

pub mod acl;
pub mod action;
mod condition;
mod decide;
mod error;
pub mod policy;
mod store;

pub use acl::{Canned, Grant, Grantee, ObjectAccess, ObjectAcl, Permission};
pub use action::AclNeed;
pub use action::Action;
pub use decide::{BucketAccess, Decision, Refusal, Requester};
pub use error::AccessError;
pub use policy::{ConditionKeys, Effect, Language, Policy, PolicyError, PolicyRequest};
