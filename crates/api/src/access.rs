//! Who may act on a bucket: one rule for every dialect, applied once per request before it is
//! routed.
//!
//! A bucket and everything in it belongs to its owner (the user who created it) alone. Every
//! request of another user that names the bucket, or names it as the source of a copy (a copy
//! of an object or of a part), is refused with [`Denied`], which each dialect renders as its
//! `AccessDenied` (403). The administrator (the key pair `strata serve` was started with, the
//! first of [`crate::Users`]) may act on every bucket, as an operator must to delete, keep and
//! restore data at scale; it still sees only its own buckets in ListBuckets. Buckets from
//! before owners were recorded (owner "") belong to the administrator alone.
//!
//! Objects are owned by their bucket's owner, as in S3's default for new buckets
//! ("bucket owner enforced"): listings and ACLs name the bucket's owner, whoever wrote them.
//!
//! The check reads the bucket before the request runs: a bucket that its owner deletes and
//! another user re-creates between the check and the write is not caught. Moving the decision
//! into the core's write transaction belongs with ACLs and policies.

use crate::request::RequestParts;
use crate::{AppState, User};
use strata_core::CoreError;

/// The request is not allowed for its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The user is not the owner of a bucket the request names.
    NotOwner,
    /// `x-amz-expected-bucket-owner` (or `x-amz-source-expected-bucket-owner`) names another
    /// account than the bucket's owner.
    ExpectedOwner,
    /// The bucket could not be read to decide (the metadata store failed).
    Store(String),
}

/// The owner ID and display name listings and ACLs show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub display_name: String,
}

impl Owner {
    pub fn of_user(user: &User) -> Owner {
        Owner {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
        }
    }

    pub fn as_listing(&self) -> crate::listing::Owner<'_> {
        crate::listing::Owner {
            id: &self.id,
            display_name: &self.display_name,
        }
    }
}

/// What a dialect tells [`authorize`] about a request beyond its address.
pub struct Names<'a> {
    /// The bucket of the request's copy source (`x-*-copy-source`), if it has one that parses.
    pub copy_source_bucket: Option<&'a str>,
    /// S3's `x-amz-expected-bucket-owner` and `x-amz-source-expected-bucket-owner`.
    pub expected_owner: Option<&'a str>,
    pub expected_source_owner: Option<&'a str>,
}

impl<'a> Names<'a> {
    /// The names of `req`: its copy source's bucket (as the dialect parsed it), and, in S3
    /// (`expected_owner_headers`), `x-amz-expected-bucket-owner` and
    /// `x-amz-source-expected-bucket-owner`.
    pub fn of(
        req: &'a RequestParts,
        copy_source_bucket: Option<&'a str>,
        expected_owner_headers: bool,
    ) -> Names<'a> {
        let header = |name| expected_owner_headers.then(|| req.header(name)).flatten();
        Names {
            copy_source_bucket,
            expected_owner: header("x-amz-expected-bucket-owner"),
            expected_source_owner: header("x-amz-source-expected-bucket-owner"),
        }
    }
}

/// Whether the request is a CreateBucket: a `PUT` of a bucket with no key and no query
/// parameter but those of a presigned signature. It names a bucket that may belong to another
/// user, and the core answers that case (BucketAlreadyExists) itself.
fn is_create_bucket(req: &RequestParts) -> bool {
    req.method == http::Method::PUT
        && req.key.is_none()
        && req.query.iter().all(|(name, _)| is_signature_param(name))
}

/// The query parameters of presigned URLs in the three dialects (and botocore's `x-id`).
fn is_signature_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["x-amz-", "x-oss-", "x-bce-"]
        .iter()
        .any(|p| lower.starts_with(p))
        || [
            "ossaccesskeyid",
            "expires",
            "signature",
            "authorization",
            "x-id",
        ]
        .contains(&lower.as_str())
}

/// Decides whether `user` may make the request. On success, returns the owner of the bucket
/// the request addresses (the requester when it addresses none, or a bucket that does not
/// exist, which the handler then answers with NoSuchBucket).
pub fn authorize(
    state: &AppState,
    user: &User,
    req: &RequestParts,
    names: &Names<'_>,
) -> Result<Owner, Denied> {
    let admin = state.users.is_admin(user);
    let mut owner = Owner::of_user(user);
    if let Some(bucket) = req.bucket.as_deref()
        && !is_create_bucket(req)
        && let Some(b) = bucket_owner(state, bucket)?
    {
        check(user, admin, &b, names.expected_owner)?;
        owner = state.users.owner(&b);
    }
    if let Some(source) = names.copy_source_bucket
        && let Some(b) = bucket_owner(state, source)?
    {
        check(user, admin, &b, names.expected_source_owner)?;
    }
    Ok(owner)
}

/// Whether `user` owns a bucket whose owner ID is `owner`: its creator, or for a bucket from
/// before owners were recorded (owner ""), the administrator. ListBuckets lists these.
pub fn owns(users: &crate::Users, user: &User, owner: &str) -> bool {
    if owner.is_empty() {
        users.is_admin(user)
    } else {
        owner == user.id
    }
}

fn check(user: &User, admin: bool, owner: &str, expected: Option<&str>) -> Result<(), Denied> {
    if !admin && (owner.is_empty() || owner != user.id) {
        return Err(Denied::NotOwner);
    }
    if expected.is_some_and(|e| e != owner) {
        return Err(Denied::ExpectedOwner);
    }
    Ok(())
}

/// The owner ID of a bucket; `None` when there is no such bucket.
fn bucket_owner(state: &AppState, bucket: &str) -> Result<Option<String>, Denied> {
    match state.store.bucket_owner(bucket) {
        Ok(owner) => Ok(owner),
        Err(CoreError::NoSuchBucket) | Err(CoreError::InvalidBucketName(_)) => Ok(None),
        Err(e) => Err(Denied::Store(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, Users};

    fn user(key: &str, id: &str) -> User {
        User {
            credentials: Credentials {
                access_key: key.into(),
                secret_key: format!("{key}-secret"),
            },
            id: id.into(),
            display_name: id.to_uppercase(),
        }
    }

    fn parts(method: http::Method, uri: &str) -> RequestParts {
        RequestParts::new(method, &uri.parse().unwrap(), http::HeaderMap::new(), &[]).unwrap()
    }

    #[test]
    fn only_a_plain_put_of_a_bucket_is_a_create() {
        use http::Method;
        assert!(is_create_bucket(&parts(Method::PUT, "/b")));
        assert!(is_create_bucket(&parts(
            Method::PUT,
            "/b?X-Amz-Signature=00&X-Amz-Date=1&x-id=CreateBucket"
        )));
        assert!(is_create_bucket(&parts(
            Method::PUT,
            "/b?OSSAccessKeyId=a&Expires=1&Signature=s"
        )));
        assert!(!is_create_bucket(&parts(Method::PUT, "/b?versioning")));
        assert!(!is_create_bucket(&parts(Method::PUT, "/b?acl")));
        assert!(!is_create_bucket(&parts(Method::PUT, "/b/k")));
        assert!(!is_create_bucket(&parts(Method::DELETE, "/b")));
    }

    #[test]
    fn owners_admin_and_buckets_without_an_owner() {
        let (admin, alice, bob) = (user("A", "admin"), user("B", "alice"), user("C", "bob"));
        let users = Users(vec![admin.clone(), alice.clone(), bob.clone()]);
        assert!(users.is_admin(&admin) && !users.is_admin(&alice));
        assert!(owns(&users, &alice, "alice") && !owns(&users, &bob, "alice"));
        // A bucket from before owners were recorded is the administrator's.
        assert!(owns(&users, &admin, "") && !owns(&users, &alice, ""));
        assert_eq!(check(&bob, false, "alice", None), Err(Denied::NotOwner));
        assert_eq!(check(&alice, false, "", None), Err(Denied::NotOwner));
        assert_eq!(check(&admin, true, "alice", None), Ok(()));
        assert_eq!(check(&alice, false, "alice", Some("alice")), Ok(()));
        assert_eq!(
            check(&admin, true, "alice", Some("bob")),
            Err(Denied::ExpectedOwner)
        );
        assert_eq!(users.owner("bob").display_name, "BOB");
        assert_eq!(users.owner("").id, "admin");
        assert_eq!(users.owner("gone").display_name, "gone");
    }
}
