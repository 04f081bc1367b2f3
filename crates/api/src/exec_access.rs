//! The neutral model's requests on access: bucket ACLs, policies, public access blocks and
//! Object Ownership, object ACLs, and what a write's ACL headers ask for ([`AclAsk`]). Part
//! of [`crate::exec`] (re-exported there); the rules they apply are the core's
//! ([`strata_core::access`]).

use crate::exec::{Env, Read, Run};
use strata_core::access::{
    self as rules, AccessError, Action, Canned, Decision, Grant, Grantee, ObjectAccess, ObjectAcl,
    Policy,
};
use strata_core::meta::{BucketAccessRecord, ObjectOwnership, PublicAccessBlock};
use strata_core::{CoreError, DeleteEntry, VersionId};

pub(crate) use crate::access::{Facts, Requester};
pub(crate) use strata_core::access::BucketAccess;

/// The ACL a write asks for, as the dialect's headers (or body) say it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum AclAsk {
    /// None asked for: the owner's full control alone (S3's default).
    #[default]
    Private,
    /// The bucket's ACL decides (OSS's and BOS's `default`, their default).
    Inherit,
    Canned(Canned),
    /// Explicit grants, stored as asked (S3's `x-amz-grant-*` headers or an
    /// `AccessControlPolicy`; BOS's grant headers).
    Grants(Vec<Grant>),
}

impl AclAsk {
    fn is_public(&self) -> bool {
        match self {
            AclAsk::Private | AclAsk::Inherit => false,
            AclAsk::Canned(c) => rules::acl::is_public(&c.grants("", "")),
            AclAsk::Grants(g) => rules::acl::is_public(g),
        }
    }

    /// Refuses what the bucket's configuration does not allow: any ACL but the default or
    /// `bucket-owner-full-control` where `BucketOwnerEnforced` turns ACLs off
    /// (`AccessControlListNotSupported`), a public ACL where `BlockPublicAcls` is set.
    fn check(&self, bucket: Option<&BucketAccess>, explicit: bool) -> Result<(), CoreError> {
        let Some(b) = bucket else { return Ok(()) };
        if b.ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
            let allowed = !explicit
                && matches!(
                    self,
                    AclAsk::Private
                        | AclAsk::Inherit
                        | AclAsk::Canned(Canned::BucketOwnerFullControl)
                );
            if !allowed {
                return Err(AccessError::AclNotSupported.into());
            }
        }
        if self.is_public() && b.public_access_block.is_some_and(|p| p.block_public_acls) {
            return Err(AccessError::PublicAccessBlocked.into());
        }
        Ok(())
    }

    /// Grants to users must name users that exist (the owner too).
    fn check_grantees(grants: &[Grant], env: &Env<'_>) -> Result<(), CoreError> {
        for g in grants {
            if let Grantee::User(id) = &g.grantee
                && !env.users.has_owner(id)
            {
                return Err(AccessError::UnknownGrantee(id.clone()).into());
            }
        }
        Ok(())
    }

    /// The grants of a bucket `owner` creates or sets with this ask, as stored: literally
    /// (a private bucket's are the owner's full control).
    pub fn bucket_grants(&self, env: &Env<'_>, owner: &str) -> Result<Vec<Grant>, CoreError> {
        let grants = match self {
            AclAsk::Private | AclAsk::Inherit => rules::acl::private(owner),
            AclAsk::Canned(c) => c.grants(owner, owner),
            AclAsk::Grants(g) => {
                Self::check_grantees(g, env)?;
                g.clone()
            }
        };
        Ok(grants)
    }

    /// The owner and ACL of an object the requester writes with this ask into the addressed
    /// bucket: the writer owns it (Object Ownership `ObjectWriter`, and no controls), except
    /// under `BucketOwnerEnforced`, or `BucketOwnerPreferred` with `bucket-owner-full-control`,
    /// where the bucket's owner does; the bucket's owner writing owns it as the bucket's.
    pub fn object_access(&self, env: &Env<'_>) -> Result<ObjectAccess, CoreError> {
        self.check(env.bucket, false)?;
        let Some(b) = env.bucket else {
            return Ok(ObjectAccess::default());
        };
        let writer = env.who.id();
        let bucket_owned = writer == b.owner
            || match b.ownership {
                Some(ObjectOwnership::BucketOwnerEnforced) => true,
                Some(ObjectOwnership::BucketOwnerPreferred) => {
                    *self == AclAsk::Canned(Canned::BucketOwnerFullControl)
                }
                _ => false,
            };
        let owner = if bucket_owned { &b.owner } else { writer };
        let acl = self.object_acl(env, owner, &b.owner)?;
        Ok(ObjectAccess {
            owner: (!bucket_owned).then(|| writer.to_owned()),
            acl,
        })
    }
}

impl AclAsk {
    /// The ACL of an object `owner` owns in a bucket `bucket_owner` owns, as stored.
    fn object_acl(
        &self,
        env: &Env<'_>,
        owner: &str,
        bucket_owner: &str,
    ) -> Result<ObjectAcl, CoreError> {
        Ok(match self {
            AclAsk::Private => ObjectAcl::Private,
            AclAsk::Inherit => ObjectAcl::Inherit,
            AclAsk::Canned(c) => ObjectAcl::of_grants(c.grants(owner, bucket_owner), owner),
            AclAsk::Grants(g) => {
                Self::check_grantees(g, env)?;
                ObjectAcl::of_grants(g.clone(), owner)
            }
        })
    }
}

impl Env<'_> {
    /// Whether the requester may delete a multi-delete's entry.
    pub(crate) fn may_delete(&self, bucket: &str, entry: &DeleteEntry) -> bool {
        let Some(b) = self.bucket else { return true };
        let action = match entry.version_id {
            Some(_) => Action::DeleteObjectVersion,
            None => Action::DeleteObject,
        };
        let who = self.who.rules();
        b.decide(bucket, who, action, Some(&entry.key), &self.facts) == Decision::Allow
    }

    fn bucket(&self) -> Result<&BucketAccess, CoreError> {
        self.bucket.ok_or(CoreError::NoSuchBucket)
    }
}

// ---- bucket configurations ------------------------------------------------------------------

/// A bucket's stored access configuration (its policies' texts as they were put).
pub(crate) struct GetBucketAccess<'a>(pub &'a str);

impl Read for GetBucketAccess<'_> {
    type Output = BucketAccessRecord;
    fn read(self, env: &Env<'_>) -> Result<BucketAccessRecord, CoreError> {
        env.store.bucket_access_record(self.0)
    }
}

/// Whether a bucket is public (GetBucketPolicyStatus): a public policy, or a public ACL.
pub(crate) struct PolicyStatus;

impl Read for PolicyStatus {
    type Output = bool;
    fn read(self, env: &Env<'_>) -> Result<bool, CoreError> {
        Ok(env.bucket()?.is_public())
    }
}

/// A bucket's ACL, replaced (`Inherit` is private for a bucket).
pub(crate) struct PutBucketAcl<'a> {
    pub bucket: &'a str,
    pub acl: AclAsk,
}

impl Run for PutBucketAcl<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let b = env.bucket()?;
        self.acl.check(Some(b), true)?;
        let grants = self.acl.bucket_grants(env, &b.owner)?;
        env.store
            .update_bucket_access(self.bucket, move |_, rec| {
                rec.acl = grants;
                rec.bos_acl = None;
                Ok(())
            })
            .await
    }
}

/// A bucket policy (S3's or OSS's language), put or (`None`) deleted. The text is kept as it
/// was put. A public policy is refused where `BlockPublicPolicy` is set.
pub(crate) struct PutBucketPolicy<'a> {
    pub bucket: &'a str,
    pub text: Option<String>,
}

impl Run for PutBucketPolicy<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let b = env.bucket()?;
        if let Some(text) = &self.text {
            let policy = Policy::parse(text, self.bucket).map_err(AccessError::from)?;
            if policy.is_public() && b.public_access_block.is_some_and(|p| p.block_public_policy) {
                return Err(AccessError::PublicAccessBlocked.into());
            }
        }
        let text = self.text;
        env.store
            .update_bucket_access(self.bucket, move |_, rec| {
                rec.policy = text;
                Ok(())
            })
            .await
    }
}

/// BOS's `accessControlList` document, put (it replaces the bucket's grants).
pub(crate) struct PutBosAcl<'a> {
    pub bucket: &'a str,
    pub text: String,
}

impl Run for PutBosAcl<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let b = env.bucket()?;
        let policy = Policy::parse_bos_acl(&self.text, self.bucket).map_err(AccessError::from)?;
        if policy.is_public() && b.public_access_block.is_some_and(|p| p.block_public_acls) {
            return Err(AccessError::PublicAccessBlocked.into());
        }
        let text = self.text;
        env.store
            .update_bucket_access(self.bucket, move |owner, rec| {
                rec.acl = rules::acl::private(owner);
                rec.bos_acl = Some(text);
                Ok(())
            })
            .await
    }
}

/// A bucket's public access block, put or (`None`) deleted.
pub(crate) struct PutPublicAccessBlock<'a> {
    pub bucket: &'a str,
    pub block: Option<PublicAccessBlock>,
}

impl Run for PutPublicAccessBlock<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let block = self.block;
        env.store
            .update_bucket_access(self.bucket, move |_, rec| {
                rec.public_access_block = block;
                Ok(())
            })
            .await
    }
}

/// A bucket's Object Ownership, put or (`None`) deleted. `BucketOwnerEnforced` is refused
/// while the bucket's ACL grants anyone but its owner.
pub(crate) struct PutOwnership<'a> {
    pub bucket: &'a str,
    pub ownership: Option<ObjectOwnership>,
}

impl Run for PutOwnership<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let ownership = self.ownership;
        env.store
            .update_bucket_access(self.bucket, move |owner, rec| {
                if ownership == Some(ObjectOwnership::BucketOwnerEnforced)
                    && grants_others(&rec.acl, owner)
                {
                    return Err(AccessError::InvalidBucketAclWithObjectOwnership.into());
                }
                rec.ownership = ownership;
                Ok(())
            })
            .await
    }
}

// ---- object ACLs ----------------------------------------------------------------------------

/// The owner and ACL of an object version (the current one, or the one named).
pub(crate) struct GetObjectAcl<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

impl Read for GetObjectAcl<'_> {
    type Output = (VersionId, ObjectAccess);
    fn read(self, env: &Env<'_>) -> Result<(VersionId, ObjectAccess), CoreError> {
        env.store.object_access(self.bucket, self.key, self.version)
    }
}

/// An object version's ACL, replaced in place (no new version). Returns the version's ID.
pub(crate) struct PutObjectAcl<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub acl: AclAsk,
}

impl Run for PutObjectAcl<'_> {
    type Output = VersionId;
    async fn run(self, env: &Env<'_>) -> Result<VersionId, CoreError> {
        let b = env.bucket()?;
        self.acl.check(Some(b), true)?;
        let (_, current) = env
            .store
            .object_access(self.bucket, self.key, self.version)?;
        let owner = current.owner.as_deref().unwrap_or(&b.owner);
        let acl = self.acl.object_acl(env, owner, &b.owner)?;
        env.store
            .set_object_acl(self.bucket, self.key, self.version, acl)
            .await
    }
}

/// [`GetObjectAcl`] with the version's owner as listings show it (its display name).
pub(crate) struct ObjectAclWithOwner<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

impl Read for ObjectAclWithOwner<'_> {
    type Output = (VersionId, ObjectAccess, crate::access::Owner);
    fn read(self, env: &Env<'_>) -> Result<Self::Output, CoreError> {
        let (id, access) = GetObjectAcl {
            bucket: self.bucket,
            key: self.key,
            version: self.version,
        }
        .read(env)?;
        let owner = match &access.owner {
            Some(o) => o.clone(),
            None => env.bucket()?.owner.clone(),
        };
        Ok((id, access, env.users.owner(&owner)))
    }
}

// ---- who the grants name --------------------------------------------------------------------

/// The owner ID and display name of each owner ID (as an ACL shows its grantees; an ID no
/// user has any more shows itself).
pub(crate) struct Owners<'a>(pub Vec<&'a str>);

impl Read for Owners<'_> {
    type Output = Vec<crate::access::Owner>;
    fn read(self, env: &Env<'_>) -> Result<Vec<crate::access::Owner>, CoreError> {
        Ok(self.0.into_iter().map(|id| env.users.owner(id)).collect())
    }
}

/// Whether a bucket's ACL grants anyone but its owner `owner` (a bucket ACL with the owner's
/// grants alone counts as none where Object Ownership is concerned).
pub(crate) fn grants_others(acl: &[Grant], owner: &str) -> bool {
    acl.iter()
        .any(|g| !matches!(&g.grantee, Grantee::User(id) if id == owner))
}
