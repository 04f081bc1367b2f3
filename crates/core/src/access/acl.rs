//! Access control lists: grants of permissions to users and groups, on a bucket or on an
//! object version. S3's model, which OSS's and BOS's canned ACLs map onto.
//!
//! An ACL is stored literally, as AWS stores it: the owner's own grants included (a new
//! bucket's ACL is the owner's `FULL_CONTROL`), so that reading it back shows what was set. The
//! decision does not read the owner's grants: an owner always has every permission on what it
//! owns (see `decide`). An object version carries an [`ObjectAcl`]: its own grants, or
//! [`ObjectAcl::Inherit`], OSS's and BOS's `default`, under which the bucket's grants decide (a
//! `public-read` bucket's objects are then readable).

use serde::{Deserialize, Serialize};

/// Who a grant is to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Grantee {
    /// A user, by owner ID.
    User(String),
    /// Everyone, signed or not (S3's `AllUsers` group, OSS's and BOS's public ACLs, BOS's `*`).
    AllUsers,
    /// Every signed request (S3's `AuthenticatedUsers` group).
    AuthenticatedUsers,
    /// S3's `LogDelivery` group (stored and shown; it grants nothing here).
    LogDelivery,
}

impl Grantee {
    pub const ALL_USERS_URI: &'static str = "http://acs.amazonaws.com/groups/global/AllUsers";
    pub const AUTHENTICATED_USERS_URI: &'static str =
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    pub const LOG_DELIVERY_URI: &'static str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    /// The group a URI names.
    pub fn group(uri: &str) -> Option<Grantee> {
        match uri {
            Self::ALL_USERS_URI => Some(Grantee::AllUsers),
            Self::AUTHENTICATED_USERS_URI => Some(Grantee::AuthenticatedUsers),
            Self::LOG_DELIVERY_URI => Some(Grantee::LogDelivery),
            _ => None,
        }
    }

    /// The group's URI (`None` for a user).
    pub fn uri(&self) -> Option<&'static str> {
        match self {
            Grantee::User(_) => None,
            Grantee::AllUsers => Some(Self::ALL_USERS_URI),
            Grantee::AuthenticatedUsers => Some(Self::AUTHENTICATED_USERS_URI),
            Grantee::LogDelivery => Some(Self::LOG_DELIVERY_URI),
        }
    }

    /// Whether the grantee is a public group (AWS's "meaning of public").
    pub fn is_public(&self) -> bool {
        matches!(self, Grantee::AllUsers | Grantee::AuthenticatedUsers)
    }

    /// Whether a requester (`None`: anonymous) is this grantee.
    pub fn covers(&self, requester: Option<&str>) -> bool {
        match self {
            Grantee::User(id) => requester == Some(id.as_str()),
            Grantee::AllUsers => true,
            Grantee::AuthenticatedUsers => requester.is_some(),
            Grantee::LogDelivery => false,
        }
    }
}

/// S3's ACL permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Some(match s {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            "FULL_CONTROL" => Permission::FullControl,
            _ => return None,
        })
    }

    /// Whether holding `self` gives `needed`.
    pub fn gives(self, needed: Permission) -> bool {
        self == needed || self == Permission::FullControl
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    pub permission: Permission,
}

impl Grant {
    pub fn new(grantee: Grantee, permission: Permission) -> Grant {
        Grant {
            grantee,
            permission,
        }
    }
}

/// At most this many grants in one ACL (S3's limit).
pub const MAX_GRANTS: usize = 100;

/// A canned ACL: a name for a common list of grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Canned {
    Private,
    PublicRead,
    PublicReadWrite,
    AuthenticatedRead,
    AwsExecRead,
    BucketOwnerRead,
    BucketOwnerFullControl,
    LogDeliveryWrite,
}

impl Canned {
    /// The canned ACL a header value names (S3's, OSS's and BOS's spellings are the same).
    pub fn parse(s: &str) -> Option<Canned> {
        Some(match s {
            "private" => Canned::Private,
            "public-read" => Canned::PublicRead,
            "public-read-write" => Canned::PublicReadWrite,
            "authenticated-read" => Canned::AuthenticatedRead,
            "aws-exec-read" => Canned::AwsExecRead,
            "bucket-owner-read" => Canned::BucketOwnerRead,
            "bucket-owner-full-control" => Canned::BucketOwnerFullControl,
            "log-delivery-write" => Canned::LogDeliveryWrite,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Canned::Private => "private",
            Canned::PublicRead => "public-read",
            Canned::PublicReadWrite => "public-read-write",
            Canned::AuthenticatedRead => "authenticated-read",
            Canned::AwsExecRead => "aws-exec-read",
            Canned::BucketOwnerRead => "bucket-owner-read",
            Canned::BucketOwnerFullControl => "bucket-owner-full-control",
            Canned::LogDeliveryWrite => "log-delivery-write",
        }
    }

    /// The grants it stands for (AWS's canned ACL table): the owner's full control first, then
    /// the canned ones. `bucket_owner` is the owner of the bucket an object is written to (for
    /// the two `bucket-owner-*` ACLs; on a bucket, and when the writer owns the bucket, they add
    /// nothing).
    pub fn grants(self, owner: &str, bucket_owner: &str) -> Vec<Grant> {
        let mut grants = private(owner);
        grants.extend(self.others(owner, bucket_owner));
        grants
    }

    /// The grants it stands for besides the owner's.
    fn others(self, owner: &str, bucket_owner: &str) -> Vec<Grant> {
        use Permission::*;
        let other_owner = (owner != bucket_owner && !bucket_owner.is_empty())
            .then(|| Grantee::User(bucket_owner.to_owned()));
        match self {
            Canned::Private | Canned::AwsExecRead => vec![],
            Canned::PublicRead => vec![Grant::new(Grantee::AllUsers, Read)],
            Canned::PublicReadWrite => vec![
                Grant::new(Grantee::AllUsers, Read),
                Grant::new(Grantee::AllUsers, Write),
            ],
            Canned::AuthenticatedRead => vec![Grant::new(Grantee::AuthenticatedUsers, Read)],
            Canned::BucketOwnerRead => other_owner
                .map(|g| vec![Grant::new(g, Read)])
                .unwrap_or_default(),
            Canned::BucketOwnerFullControl => other_owner
                .map(|g| vec![Grant::new(g, FullControl)])
                .unwrap_or_default(),
            Canned::LogDeliveryWrite => vec![
                Grant::new(Grantee::LogDelivery, Write),
                Grant::new(Grantee::LogDelivery, ReadAcp),
            ],
        }
    }

    /// The canned ACL a list of grants is, if it is one of the three public ones or private
    /// (how OSS and BOS show an ACL). Grants to `owner` are not looked at: they give the owner
    /// nothing it does not have.
    pub fn of_grants(grants: &[Grant], owner: &str) -> Option<Canned> {
        let to_owner = Grantee::User(owner.to_owned());
        let mut sorted: Vec<&Grant> = grants.iter().filter(|g| g.grantee != to_owner).collect();
        sorted.sort_by_key(|g| g.permission);
        sorted.dedup();
        [
            Canned::Private,
            Canned::PublicRead,
            Canned::PublicReadWrite,
            Canned::AuthenticatedRead,
        ]
        .into_iter()
        .find(|c| {
            let mut want = c.others("", "");
            want.sort_by_key(|g| g.permission);
            want.iter().collect::<Vec<_>>() == sorted
        })
    }
}

/// The grant of full control to `owner`.
pub fn owner_grant(owner: &str) -> Grant {
    Grant::new(Grantee::User(owner.to_owned()), Permission::FullControl)
}

/// A private ACL, as stored: the owner's full control (nothing for a bucket from before owners
/// were recorded, owner "").
pub fn private(owner: &str) -> Vec<Grant> {
    if owner.is_empty() {
        Vec::new()
    } else {
        vec![owner_grant(owner)]
    }
}

/// Whether any grant is to a public group.
pub fn is_public(grants: &[Grant]) -> bool {
    grants.iter().any(|g| g.grantee.is_public())
}

/// Whether `grants` give `requester` (`None`: anonymous) the permission `needed`.
/// `ignore_public`: grants to the public groups count for nothing (S3's `IgnorePublicAcls`).
pub fn grants(
    grants: &[Grant],
    requester: Option<&str>,
    needed: Permission,
    ignore_public: bool,
) -> bool {
    grants.iter().any(|g| {
        g.permission.gives(needed)
            && g.grantee.covers(requester)
            && !(ignore_public && g.grantee.is_public())
    })
}

/// An object version's ACL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectAcl {
    /// The owner's full control alone (S3's default for a new object): the compact form of
    /// the list [`private`] gives.
    #[default]
    Private,
    /// The bucket's grants decide (OSS's and BOS's `default`, their default for a new object).
    Inherit,
    /// These grants, literally (the owner's too; an empty list grants no one anything).
    Grants(Vec<Grant>),
}

impl ObjectAcl {
    /// The ACL of `owner`'s object with these grants: [`ObjectAcl::Private`] when they are the
    /// owner's full control alone.
    pub fn of_grants(grants: Vec<Grant>, owner: &str) -> ObjectAcl {
        if !owner.is_empty() && grants == private(owner) {
            ObjectAcl::Private
        } else {
            ObjectAcl::Grants(grants)
        }
    }

    /// The grants as stored and shown, given the object's owner and the bucket's grants.
    pub fn literal<'a>(
        &'a self,
        owner: &str,
        bucket: &'a [Grant],
    ) -> std::borrow::Cow<'a, [Grant]> {
        match self {
            ObjectAcl::Private => private(owner).into(),
            ObjectAcl::Inherit => bucket.into(),
            ObjectAcl::Grants(g) => g.as_slice().into(),
        }
    }

    /// The grants that decide, given the bucket's (an owner's own are not needed: it may
    /// always act on what it owns).
    pub fn effective<'a>(&'a self, bucket: &'a [Grant]) -> &'a [Grant] {
        match self {
            ObjectAcl::Private => &[],
            ObjectAcl::Inherit => bucket,
            ObjectAcl::Grants(g) => g,
        }
    }
}

/// Who may act on an object version: its owner (`None`: the bucket's owner) and its ACL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAccess {
    pub owner: Option<String>,
    pub acl: ObjectAcl,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_acls_and_their_grants() {
        use Permission::*;
        let a = || Grant::new(Grantee::User("a".into()), FullControl);
        assert_eq!(Canned::Private.grants("a", "a"), vec![a()]);
        assert_eq!(
            Canned::PublicReadWrite.grants("a", "a"),
            vec![
                a(),
                Grant::new(Grantee::AllUsers, Read),
                Grant::new(Grantee::AllUsers, Write)
            ]
        );
        assert_eq!(Canned::BucketOwnerFullControl.grants("a", "a"), vec![a()]);
        assert_eq!(
            Canned::BucketOwnerFullControl.grants("w", "b"),
            vec![
                Grant::new(Grantee::User("w".into()), FullControl),
                Grant::new(Grantee::User("b".into()), FullControl)
            ]
        );
        // A bucket from before owners were recorded: no grant to "".
        assert_eq!(Canned::PublicRead.grants("", "").len(), 1);
        for c in [
            Canned::Private,
            Canned::PublicRead,
            Canned::PublicReadWrite,
            Canned::AuthenticatedRead,
        ] {
            assert_eq!(Canned::parse(c.as_str()), Some(c));
            assert_eq!(Canned::of_grants(&c.grants("o", "o"), "o"), Some(c));
        }
        // Grants to the owner are not looked at; grants to others are.
        assert_eq!(Canned::of_grants(&[], "o"), Some(Canned::Private));
        let owner_read = Grant::new(Grantee::User("o".into()), Read);
        assert_eq!(Canned::of_grants(&[owner_read], "o"), Some(Canned::Private));
        assert_eq!(
            Canned::of_grants(&Canned::PublicRead.grants("o", "o"), "x"),
            None
        );
        assert_eq!(
            Canned::of_grants(&[Grant::new(Grantee::User("x".into()), Read)], "o"),
            None
        );
        assert_eq!(Canned::parse("public"), None);
    }

    #[test]
    fn object_acls_stored_literally() {
        let private = Canned::Private.grants("o", "o");
        assert_eq!(
            ObjectAcl::of_grants(private.clone(), "o"),
            ObjectAcl::Private
        );
        assert_eq!(ObjectAcl::of_grants(vec![], "o"), ObjectAcl::Grants(vec![]));
        assert_eq!(&*ObjectAcl::Private.literal("o", &[]), &private[..]);
        let bucket = Canned::PublicRead.grants("b", "b");
        assert_eq!(&*ObjectAcl::Inherit.literal("o", &bucket), &bucket[..]);
        assert!(ObjectAcl::Grants(vec![]).literal("o", &bucket).is_empty());
    }

    #[test]
    fn who_a_grant_covers() {
        use Permission::*;
        let g = vec![
            Grant::new(Grantee::AuthenticatedUsers, Read),
            Grant::new(Grantee::User("bob".into()), FullControl),
        ];
        assert!(grants(&g, Some("alice"), Read, false));
        assert!(!grants(&g, None, Read, false));
        assert!(!grants(&g, Some("alice"), Read, true));
        assert!(grants(&g, Some("bob"), WriteAcp, true));
        assert!(!grants(&g, Some("alice"), Write, false));
        assert!(is_public(&g));
        assert_eq!(ObjectAcl::Inherit.effective(&g).len(), 2);
        assert!(ObjectAcl::Private.effective(&g).is_empty());
    }
}
