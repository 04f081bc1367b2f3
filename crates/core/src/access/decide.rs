//! The access decision: whether a requester may take an action on a bucket or an object.
//!
//! In order (S3's evaluation, which OSS's and BOS's follow):
//!
//! 1. A bucket owner may always read, put and delete its bucket's policy (S3's root rule, so a
//!    policy cannot lock its owner out).
//! 2. An explicit Deny of the bucket's policy (or of its BOS ACL document) refuses.
//! 3. The bucket's owner (or the administrator) is allowed.
//! 4. An Allow of the policy allows (not to others than the owner when `RestrictPublicBuckets`
//!    is set and the policy is public).
//! 5. ACLs (unless Object Ownership is `BucketOwnerEnforced`): the bucket's grants for actions
//!    on the bucket and for writes of objects; for reads and ACL actions on an object, the
//!    object's owner or its grants ([`Decision::ObjectAcl`]: the caller looks the object up).
//!    With `IgnorePublicAcls`, grants to the public groups count for nothing.
//! 6. Anything else is refused.

use super::acl::{self, ObjectAccess};
use super::action::AclNeed;
use super::{Action, ConditionKeys, Effect, Permission, Policy, PolicyRequest};
use crate::meta::{BucketAccessRecord, ObjectOwnership, PublicAccessBlock};
use std::sync::Arc;

/// Who makes a request.
#[derive(Clone, Copy, Debug)]
pub struct Requester<'a> {
    /// The owner ID of the signer; `None` for an anonymous request.
    pub id: Option<&'a str>,
    /// The signer is the administrator, who may act on every bucket as its owner would.
    pub admin: bool,
}

impl Requester<'_> {
    pub const ANONYMOUS: Requester<'static> = Requester {
        id: None,
        admin: false,
    };
}

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A Deny statement of the bucket's policy matches.
    ExplicitDeny,
    /// Nothing grants it.
    NotGranted,
}

/// The outcome of [`BucketAccess::decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Refusal),
    /// Allowed if the object's owner is the requester or its ACL grants this permission
    /// ([`BucketAccess::object_allows`]); the bucket alone does not decide.
    ObjectAcl(Permission),
}

/// A bucket's access configuration, compiled: what every request's decision reads, kept in
/// memory between changes (see `crate::owners`).
#[derive(Debug, Clone)]
pub struct BucketAccess {
    /// The owner ID ("" for buckets from before owners were recorded: the administrator's).
    pub owner: String,
    pub acl: Vec<acl::Grant>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub ownership: Option<ObjectOwnership>,
    pub policy: Option<Arc<Policy>>,
    pub bos_acl: Option<Arc<Policy>>,
}

impl BucketAccess {
    /// Compiles a stored configuration. A stored policy that no longer compiles (it was
    /// accepted by an older version) denies nothing and allows nothing: only the owner and the
    /// ACLs decide, and the failure is logged.
    pub fn compile(bucket: &str, owner: String, rec: &BucketAccessRecord) -> BucketAccess {
        let compile = |text: &Option<String>, parse: fn(&str, &str) -> _| {
            text.as_deref().and_then(|t| match parse(t, bucket) {
                Ok(p) => Some(Arc::new(p)),
                Err(e) => {
                    tracing::warn!(bucket, error = %e, "a stored policy does not compile");
                    None
                }
            })
        };
        BucketAccess {
            owner,
            acl: rec.acl.clone(),
            public_access_block: rec.public_access_block,
            ownership: rec.ownership,
            policy: compile(&rec.policy, Policy::parse),
            bos_acl: compile(&rec.bos_acl, Policy::parse_bos_acl),
        }
    }

    /// Whether the requester acts as the bucket's owner.
    pub fn is_owner(&self, who: Requester<'_>) -> bool {
        who.admin || (!self.owner.is_empty() && who.id == Some(self.owner.as_str()))
    }

    fn acls_on(&self) -> bool {
        self.ownership != Some(ObjectOwnership::BucketOwnerEnforced)
    }

    fn ignore_public_acls(&self) -> bool {
        self.public_access_block
            .is_some_and(|b| b.ignore_public_acls)
    }

    /// Whether the bucket is public: a public policy, or a public ACL that is not ignored.
    pub fn is_public(&self) -> bool {
        self.policy.as_ref().is_some_and(|p| p.is_public())
            || self.bos_acl.as_ref().is_some_and(|p| p.is_public())
            || (self.acls_on() && !self.ignore_public_acls() && acl::is_public(&self.acl))
    }

    /// What the policies say of a request.
    fn policy_effect(&self, req: &PolicyRequest<'_>) -> Option<Effect> {
        let mut effect = None;
        for p in [&self.policy, &self.bos_acl].into_iter().flatten() {
            match p.evaluate(req) {
                Some(Effect::Deny) => return Some(Effect::Deny),
                Some(Effect::Allow) => effect = Some(Effect::Allow),
                None => {}
            }
        }
        effect
    }

    /// Decides `action` on the bucket (`key`: `None`) or on its object `key`.
    pub fn decide(
        &self,
        bucket: &str,
        who: Requester<'_>,
        action: Action,
        key: Option<&str>,
        keys: &dyn ConditionKeys,
    ) -> Decision {
        let owner = self.is_owner(who);
        if owner
            && matches!(
                action,
                Action::GetBucketPolicy | Action::PutBucketPolicy | Action::DeleteBucketPolicy
            )
        {
            return Decision::Allow;
        }
        let effect = if self.policy.is_none() && self.bos_acl.is_none() {
            None
        } else {
            self.policy_effect(&PolicyRequest {
                requester: who.id,
                owner,
                action,
                bucket,
                key,
                keys,
            })
        };
        match effect {
            Some(Effect::Deny) => return Decision::Deny(Refusal::ExplicitDeny),
            _ if owner => return Decision::Allow,
            Some(Effect::Allow) if !self.restricted() => return Decision::Allow,
            _ => {}
        }
        if !self.acls_on() {
            return Decision::Deny(Refusal::NotGranted);
        }
        match action.acl_need() {
            AclNeed::Bucket(p) => {
                if acl::grants(&self.acl, who.id, p, self.ignore_public_acls()) {
                    Decision::Allow
                } else {
                    Decision::Deny(Refusal::NotGranted)
                }
            }
            AclNeed::Object(p) => Decision::ObjectAcl(p),
            AclNeed::OwnerOnly => Decision::Deny(Refusal::NotGranted),
        }
    }

    /// `RestrictPublicBuckets` with a public policy: the policy grants no one but the owner.
    fn restricted(&self) -> bool {
        self.public_access_block
            .is_some_and(|b| b.restrict_public_buckets)
            && [&self.policy, &self.bos_acl]
                .into_iter()
                .flatten()
                .any(|p| p.is_public())
    }

    /// For [`Decision::ObjectAcl`]: whether the object's owner is the requester, or its ACL
    /// (the bucket's grants, when it inherits them) gives the permission.
    pub fn object_allows(
        &self,
        who: Requester<'_>,
        needed: Permission,
        object: &ObjectAccess,
    ) -> bool {
        if let (Some(owner), Some(id)) = (&object.owner, who.id)
            && owner == id
        {
            return true;
        }
        acl::grants(
            object.acl.effective(&self.acl),
            who.id,
            needed,
            self.ignore_public_acls(),
        )
    }
}
