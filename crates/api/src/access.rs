//! Who may do what: the access decision of every request, once, whatever its dialect, before
//! the operation runs. The rules themselves are the core's ([`strata_core::access`]): this
//! module gathers what they judge (the requester, the action of the routed operation, the
//! bucket's compiled configuration, the object's ACL when it decides, the request's condition
//! keys) and answers with the bucket's owner or a [`Denied`].
//!
//! - A request signed by a known key pair acts as its user; an unsigned one as anonymous
//!   (S3's `AllUsers`, OSS's and BOS's public). The administrator (the key pair `strata serve`
//!   was started with, the first of [`crate::Users`]) acts as the owner of every bucket, as an
//!   operator must to delete, keep and restore data at scale; a policy's Deny still binds it.
//! - A copy (or a part copy) needs read on its source as well (`GetObject`, or
//!   `GetObjectVersion` when it names a version). GetObjectAttributes needs its own action
//!   and `GetObject` (`GetObjectVersion`) both ([`Operation::also_action`]).
//! - A multi-delete's entries are judged one by one ([`crate::exec::DeleteObjects`]).
//! - A read of an object that does not exist is refused, not answered 404, unless the
//!   requester may list the bucket (S3's rule: a 404 would tell what exists).
//!
//! The decision reads the bucket before the request runs: a configuration changed between the
//! decision and the write is not seen by that request, as a request an instant earlier would
//! not have seen it.

use crate::exec::CopySource;
use crate::operation::Operation;
use crate::request::RequestParts;
use crate::{AppState, User};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use strata_core::access::{self as rules, Action, BucketAccess, ConditionKeys, Decision, Refusal};
use strata_core::tagging::Tags;
use strata_core::{CoreError, Store, VersionId};

/// The owner ID a listing shows for what an anonymous request wrote (S3's documented ID).
pub const ANONYMOUS_ID: &str = "65a011a29cdf8ec533ec3d1ccaae921c";

/// The request is not allowed for its requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Nothing grants it, or a policy denies it.
    Refused(Refusal),
    /// An anonymous request for what only a user can ask (ListBuckets, CreateBucket).
    Anonymous,
    /// `x-amz-expected-bucket-owner` (or `x-amz-source-expected-bucket-owner`) names another
    /// account than the bucket's owner.
    ExpectedOwner,
    /// The bucket could not be read to decide (the metadata store failed).
    Store(String),
    /// The bucket could not be read to decide: the metadata store is out of reach for now
    /// (a 503, as the operation itself would get).
    Unavailable(String),
}

/// The store's failure to read what a decision needs.
fn store_failed(e: CoreError) -> Denied {
    if e.is_unavailable() {
        Denied::Unavailable(e.to_string())
    } else {
        Denied::Store(e.to_string())
    }
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

    /// The owner shown for an anonymous requester.
    pub fn anonymous() -> Owner {
        Owner {
            id: ANONYMOUS_ID.to_owned(),
            display_name: ANONYMOUS_ID.to_owned(),
        }
    }

    pub fn as_listing(&self) -> crate::listing::Owner<'_> {
        crate::listing::Owner {
            id: &self.id,
            display_name: &self.display_name,
        }
    }
}

/// Who makes a request: a user, or nobody (anonymous).
#[derive(Clone, Copy)]
pub(crate) struct Requester<'a> {
    pub user: Option<&'a User>,
    pub admin: bool,
}

impl<'a> Requester<'a> {
    pub fn of(state: &AppState, user: Option<&'a User>) -> Requester<'a> {
        Requester {
            user,
            admin: user.is_some_and(|u| state.users.is_admin(u)),
        }
    }

    /// As the core's rules see it.
    pub fn rules(&self) -> rules::Requester<'a> {
        rules::Requester {
            id: self.user.map(|u| u.id.as_str()),
            admin: self.admin,
        }
    }

    /// The owner ID of what it writes.
    pub fn id(&self) -> &'a str {
        self.user.map_or(ANONYMOUS_ID, |u| u.id.as_str())
    }
}

/// What a request gives a policy's condition keys (see [`ConditionKeys`]).
pub(crate) struct Facts<'a> {
    pub req: &'a RequestParts,
    /// The client's address.
    pub peer: Option<IpAddr>,
    /// Where `s3:ExistingObjectTag/<key>` reads the tags of the object judged (none: no object
    /// has tags).
    store: Option<&'a Store>,
    /// The object judged, when it is not the one the request addresses (a copy's source).
    object: Option<(&'a str, &'a str, Option<VersionId>)>,
    /// Its tags, read once, when a condition first asks.
    existing: OnceLock<Tags>,
}

impl<'a> Facts<'a> {
    pub fn new(req: &'a RequestParts, peer: Option<IpAddr>, store: Option<&'a Store>) -> Self {
        Facts {
            req,
            peer,
            store,
            object: None,
            existing: OnceLock::new(),
        }
    }

    /// The same request's facts about another object (a copy's source).
    pub fn about(&self, bucket: &'a str, key: &'a str, version: Option<VersionId>) -> Self {
        Facts {
            object: Some((bucket, key, version)),
            ..Facts::new(self.req, self.peer, self.store)
        }
    }

    /// The tags of the object judged (the version named, or the current one); none when it
    /// does not exist (or cannot be read: a condition then fails as on an untagged object).
    fn existing_tags(&self) -> &Tags {
        self.existing.get_or_init(|| {
            let target = self.object.or_else(|| {
                let version = self
                    .req
                    .query("versionId")
                    .and_then(|v| VersionId::parse(v).ok());
                Some((
                    self.req.bucket.as_deref()?,
                    self.req.key.as_deref()?,
                    version,
                ))
            });
            match (self.store, target) {
                (Some(store), Some((b, k, v))) => store
                    .object_tags(b, k, v)
                    .map(|view| view.tags)
                    .unwrap_or_default(),
                _ => Tags::none(),
            }
        })
    }

    /// The tags a write's tagging header asks for (S3's `x-amz-tagging`, OSS's
    /// `x-oss-tagging`); none when it has none or it does not parse (the write then refuses).
    fn request_tags(&self) -> Vec<(String, String)> {
        self.req
            .header("x-amz-tagging")
            .or(self.req.header("x-oss-tagging"))
            .and_then(|v| crate::tagging::parse_header(v).ok())
            .unwrap_or_default()
    }
}

/// The values of tag `name` (the condition key's part, lowercased as every key is) among
/// `pairs`: tag keys are compared without case, as the condition key's name is.
fn tag_values<'t>(
    pairs: impl IntoIterator<Item = &'t (String, String)>,
    name: &str,
) -> Vec<String> {
    pairs
        .into_iter()
        .filter(|(k, _)| k.to_lowercase() == name)
        .map(|(_, v)| v.clone())
        .collect()
}

impl ConditionKeys for Facts<'_> {
    fn values(&self, key: &str) -> Vec<String> {
        let one = |v: Option<&str>| v.map(|v| vec![v.to_owned()]).unwrap_or_default();
        let header = |name: &str| one(self.req.header(name));
        if let Some(name) = key.strip_prefix("s3:existingobjecttag/") {
            return tag_values(self.existing_tags().pairs(), name);
        }
        if let Some(name) = key.strip_prefix("s3:requestobjecttag/") {
            return tag_values(&self.request_tags(), name);
        }
        match key {
            "s3:requestobjecttagkeys" => self.request_tags().into_iter().map(|(k, _)| k).collect(),
            "aws:sourceip" => self.peer.map(|ip| vec![ip.to_string()]).unwrap_or_default(),
            // Strata serves plain HTTP; TLS, where there is any, ends in front of it.
            "aws:securetransport" => vec!["false".to_owned()],
            "aws:currenttime" => {
                let now = jiff::Timestamp::now();
                vec![strata_wire::date::iso8601_seconds(now)]
            }
            "aws:epochtime" => vec![jiff::Timestamp::now().as_second().to_string()],
            "aws:referer" => header("referer"),
            "aws:useragent" => header("user-agent"),
            "s3:prefix" => one(self.req.query("prefix")),
            "s3:delimiter" => one(self.req.query("delimiter")),
            "s3:max-keys" => one(self
                .req
                .query("max-keys")
                .or_else(|| self.req.query("maxKeys"))),
            "s3:versionid" => one(self.req.query("versionId")),
            "s3:signatureversion" => one(strata_wire::s3::signature_version(self.req)),
            "s3:authtype" => one(strata_wire::s3::auth_type(self.req)),
            _ => match key.strip_prefix("s3:") {
                Some(
                    h @ ("x-amz-acl"
                    | "x-amz-copy-source"
                    | "x-amz-metadata-directive"
                    | "x-amz-server-side-encryption"
                    | "x-amz-grant-read"
                    | "x-amz-grant-write"
                    | "x-amz-grant-read-acp"
                    | "x-amz-grant-write-acp"
                    | "x-amz-grant-full-control"),
                ) => header(h),
                _ => Vec::new(),
            },
        }
    }
}

/// What the decision found: the owner listings and ACLs show, and the bucket's configuration.
pub(crate) struct Decided {
    pub owner: Owner,
    /// The addressed bucket's configuration (`None`: no bucket, or no such bucket).
    pub bucket: Option<Arc<BucketAccess>>,
}

/// S3's `x-amz-expected-bucket-owner` headers, when the dialect has them.
pub(crate) struct Expected<'a> {
    pub owner: Option<&'a str>,
    pub source_owner: Option<&'a str>,
}

impl<'a> Expected<'a> {
    pub fn of(req: &'a RequestParts, checked: bool) -> Expected<'a> {
        let header = |name| checked.then(|| req.header(name)).flatten();
        Expected {
            owner: header("x-amz-expected-bucket-owner"),
            source_owner: header("x-amz-source-expected-bucket-owner"),
        }
    }
}

/// Decides whether `who` may make the request (`op`, routed; `source`, its copy source).
pub(crate) fn authorize(
    state: &AppState,
    who: Requester<'_>,
    req: &RequestParts,
    op: Operation,
    source: Option<&CopySource>,
    expected: &Expected<'_>,
    facts: &Facts<'_>,
) -> Result<Decided, Denied> {
    let requester_owner = || who.user.map_or_else(Owner::anonymous, Owner::of_user);
    if matches!(op, Operation::ListBuckets | Operation::CreateBucket) {
        if who.user.is_none() {
            return Err(Denied::Anonymous);
        }
        return Ok(Decided {
            owner: requester_owner(),
            bucket: None,
        });
    }
    let Some(name) = req.bucket.as_deref() else {
        return Ok(Decided {
            owner: requester_owner(),
            bucket: None,
        });
    };
    let bucket = bucket_access(state, name)?;
    if let Some(b) = &bucket {
        check_expected(b, expected.owner)?;
        let version = req
            .query("versionId")
            .and_then(|v| VersionId::parse(v).ok());
        for action in [op.action(req), op.also_action(req)].into_iter().flatten() {
            let key = req.key.as_deref().filter(|_| action.on_object());
            judge(state, b, name, who, action, key, version, facts)?;
        }
    }
    if let Some((src_bucket, src_key, src_version)) = source
        && let Some(b) = bucket_access(state, src_bucket)?
    {
        check_expected(&b, expected.source_owner)?;
        let action = match src_version {
            Some(_) => Action::GetObjectVersion,
            None => Action::GetObject,
        };
        judge(
            state,
            &b,
            src_bucket,
            who,
            action,
            Some(src_key),
            *src_version,
            &facts.about(src_bucket, src_key, *src_version),
        )?;
    }
    let owner = match &bucket {
        Some(b) => state.users.owner(&b.owner),
        None => requester_owner(),
    };
    Ok(Decided { owner, bucket })
}

/// Decides one action on a bucket or one of its objects, looking at the object when its ACL
/// decides.
#[allow(clippy::too_many_arguments)]
pub(crate) fn judge(
    state: &AppState,
    access: &BucketAccess,
    bucket: &str,
    who: Requester<'_>,
    action: Action,
    key: Option<&str>,
    version: Option<VersionId>,
    facts: &dyn ConditionKeys,
) -> Result<(), Denied> {
    let rules = who.rules();
    match access.decide(bucket, rules, action, key, facts) {
        Decision::Allow => Ok(()),
        Decision::Deny(why) => Err(Denied::Refused(why)),
        Decision::ObjectAcl(needed) => {
            let key = key.unwrap_or_default();
            match state.store.object_access(bucket, key, version) {
                Ok((_, object)) if access.object_allows(rules, needed, &object) => Ok(()),
                Ok(_) => Err(Denied::Refused(Refusal::NotGranted)),
                Err(
                    CoreError::NoSuchKey { .. }
                    | CoreError::NoSuchVersion
                    | CoreError::MethodNotAllowed { .. }
                    | CoreError::InvalidKey(_),
                ) => {
                    // Nothing there: the handler's 404 may be told only to who could list.
                    let list = access.decide(bucket, rules, Action::ListBucket, None, facts);
                    match list {
                        Decision::Allow => Ok(()),
                        _ => Err(Denied::Refused(Refusal::NotGranted)),
                    }
                }
                Err(e) => Err(store_failed(e)),
            }
        }
    }
}

fn check_expected(access: &BucketAccess, expected: Option<&str>) -> Result<(), Denied> {
    match expected {
        Some(e) if e != access.owner => Err(Denied::ExpectedOwner),
        _ => Ok(()),
    }
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

/// The compiled configuration of a bucket; `None` when there is no such bucket.
fn bucket_access(state: &AppState, bucket: &str) -> Result<Option<Arc<BucketAccess>>, Denied> {
    match state.store.bucket_access(bucket) {
        Ok(access) => Ok(access),
        Err(CoreError::NoSuchBucket) | Err(CoreError::InvalidBucketName(_)) => Ok(None),
        Err(e) => Err(store_failed(e)),
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

    #[test]
    fn owners_admin_and_buckets_without_an_owner() {
        let (admin, alice, bob) = (user("A", "admin"), user("B", "alice"), user("C", "bob"));
        let users = Users::new(admin.clone(), [alice.clone(), bob.clone()]);
        assert!(users.is_admin(&admin) && !users.is_admin(&alice));
        assert!(owns(&users, &alice, "alice") && !owns(&users, &bob, "alice"));
        // A bucket from before owners were recorded is the administrator's.
        assert!(owns(&users, &admin, "") && !owns(&users, &alice, ""));
        assert_eq!(users.owner("bob").display_name, "BOB");
        assert_eq!(users.owner("").id, "admin");
        assert_eq!(users.owner("gone").display_name, "gone");
    }

    #[test]
    fn the_condition_keys_of_a_request() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-acl", "public-read".parse().unwrap());
        headers.insert("referer", "http://example.com/a".parse().unwrap());
        headers.insert("x-amz-tagging", "Security=public&b=2+3".parse().unwrap());
        let uri = "/b?prefix=public/&max-keys=5&versionId=v".parse().unwrap();
        let req = RequestParts::new(http::Method::GET, &uri, headers, &[]).unwrap();
        let facts = Facts::new(&req, Some("10.1.2.3".parse().unwrap()), None);
        assert_eq!(facts.values("aws:sourceip"), vec!["10.1.2.3"]);
        assert_eq!(facts.values("s3:prefix"), vec!["public/"]);
        assert_eq!(facts.values("s3:max-keys"), vec!["5"]);
        assert_eq!(facts.values("s3:versionid"), vec!["v"]);
        assert_eq!(facts.values("s3:x-amz-acl"), vec!["public-read"]);
        assert_eq!(facts.values("aws:referer"), vec!["http://example.com/a"]);
        assert_eq!(facts.values("aws:securetransport"), vec!["false"]);
        assert!(facts.values("s3:delimiter").is_empty());
        assert!(facts.values("s3:x-amz-grant-read").is_empty());
        assert!(facts.values("s3:existingobjecttag/a").is_empty());
        // The write's tags: keys compared without case (the condition key is lowercased).
        assert_eq!(facts.values("s3:requestobjecttag/security"), vec!["public"]);
        assert_eq!(facts.values("s3:requestobjecttag/b"), vec!["2 3"]);
        assert!(facts.values("s3:requestobjecttag/c").is_empty());
        assert_eq!(
            facts.values("s3:requestobjecttagkeys"),
            vec!["Security", "b"]
        );
        assert_eq!(facts.values("aws:currenttime").len(), 1);
        // Anonymous: no signature version, no auth type.
        assert!(facts.values("s3:signatureversion").is_empty());
        assert!(facts.values("s3:authtype").is_empty());
        let uri = "/b/k?AWSAccessKeyId=a&Expires=1&Signature=s"
            .parse()
            .unwrap();
        let v2 = RequestParts::new(http::Method::GET, &uri, http::HeaderMap::new(), &[]).unwrap();
        let facts = Facts::new(&v2, None, None);
        assert_eq!(facts.values("s3:signatureversion"), vec!["AWS"]);
        assert_eq!(facts.values("s3:authtype"), vec!["REST-QUERY-STRING"]);
    }
}
