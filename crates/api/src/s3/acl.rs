//! S3's ACLs: what a request asks for (the `x-amz-acl` canned ACL, the `x-amz-grant-*`
//! headers, or an `AccessControlPolicy` document) read into an [`AclAsk`], and the
//! `AccessControlPolicy` that GetBucketAcl and GetObjectAcl answer; the four ACL operations.
//!
//! An ACL is stored and shown literally, as AWS stores it: the owner's own grants too (a
//! private ACL is the owner's `FULL_CONTROL`; an empty `AccessControlList` leaves none). The
//! document lists the grants to groups first, then those to users, each in the stored order.
//! Whatever the ACL says, an owner may always act on what it owns (the core's rule).

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::access::Owner;
use crate::body::Incoming;
use crate::exec::*;
use crate::listing::S3;
use crate::objhttp::set;
use crate::xml::{Element, Xml, parse};
use http::HeaderMap;
use hyper::StatusCode;
use strata_core::Versioning;
use strata_core::access::acl::{self, MAX_GRANTS};
use strata_core::access::{Canned, Grant, Grantee, Permission};
use strata_core::meta::ObjectOwnership;

/// The grant headers, in the order their grants are listed.
const GRANT_HEADERS: [(&str, Permission); 5] = [
    ("x-amz-grant-read", Permission::Read),
    ("x-amz-grant-write", Permission::Write),
    ("x-amz-grant-read-acp", Permission::ReadAcp),
    ("x-amz-grant-write-acp", Permission::WriteAcp),
    ("x-amz-grant-full-control", Permission::FullControl),
];

/// The attributes of a `Grantee` element, before its type.
const XSI: &str = r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

/// The most elements an `AccessControlPolicy` document may have: 100 grants of a handful of
/// elements each, and the owner.
const DOCUMENT_ELEMENTS: usize = 1000;

fn malformed_acl() -> S3Error {
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

fn unresolvable_email() -> S3Error {
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "UnresolvableGrantByEmailAddress",
        "The e-mail address you provided does not match any account on record.",
    )
}

fn bad_grant_header(name: &str) -> S3Error {
    S3Error::invalid_argument(format!("Invalid grant in the {name} header"))
}

fn invalid_group() -> S3Error {
    S3Error::invalid_argument("Invalid group uri")
}

/// What `type=value` (the grant headers' form) or an element (the document's) names.
fn grantee(kind: &str, value: &str) -> Result<Grantee, S3Error> {
    if kind.eq_ignore_ascii_case("id") {
        Ok(Grantee::User(value.to_owned()))
    } else if kind.eq_ignore_ascii_case("uri") {
        Grantee::group(value).ok_or_else(invalid_group)
    } else {
        Err(unresolvable_email())
    }
}

/// The grantees of one grant header's value: comma-separated `id="…"`, `uri="…"` or
/// `emailAddress="…"` (the quotes may be left out). Users have no e-mail addresses here, so
/// an `emailAddress` never resolves.
pub fn parse_grant_header(name: &str, value: &str) -> Result<Vec<Grantee>, S3Error> {
    let bad = || bad_grant_header(name);
    let mut grantees = Vec::new();
    let mut rest = value;
    loop {
        let (kind, after) = rest.split_once('=').ok_or_else(bad)?;
        let kind = kind.trim();
        let after = after.trim_start();
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted.find('"').ok_or_else(bad)?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim_end(), &after[end..])
            }
        };
        let value = value.trim();
        let known = ["id", "uri", "emailAddress"];
        if value.is_empty() || !known.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
            return Err(bad());
        }
        grantees.push(grantee(kind, value)?);
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(grantees);
        }
        rest = after.strip_prefix(',').ok_or_else(bad)?;
    }
}

/// The ACL a request's headers ask for: `x-amz-acl`, or the `x-amz-grant-*` headers (not
/// both); `None` when it has none of them.
pub(crate) fn ask_of_headers(headers: &HeaderMap) -> Result<Option<AclAsk>, S3Error> {
    let canned = match headers.get("x-amz-acl") {
        None => None,
        Some(v) => {
            let v = v.to_str().unwrap_or_default().trim();
            let c = Canned::parse(v)
                .ok_or_else(|| S3Error::invalid_argument(format!("Invalid canned ACL: {v}")))?;
            Some(c)
        }
    };
    let mut grants = Vec::new();
    let mut any_grant_header = false;
    for (name, permission) in GRANT_HEADERS {
        for value in headers.get_all(name) {
            any_grant_header = true;
            let value = value.to_str().map_err(|_| bad_grant_header(name))?;
            for g in parse_grant_header(name, value)? {
                grants.push(Grant::new(g, permission));
            }
        }
    }
    if grants.len() > MAX_GRANTS {
        return Err(S3Error::invalid_argument(format!(
            "An ACL may have at most {MAX_GRANTS} grants"
        )));
    }
    match (canned, any_grant_header) {
        (Some(_), true) => Err(S3Error::invalid_request(
            "Specifying both Canned ACLs and Header Grants is not allowed",
        )),
        (Some(c), false) => Ok(Some(AclAsk::Canned(c))),
        (None, true) => Ok(Some(AclAsk::Grants(grants))),
        (None, false) => Ok(None),
    }
}

/// The ACL a write (PutObject, CopyObject, CreateMultipartUpload) asks for its object: its
/// headers', else S3's default, the writer alone.
pub(super) fn write_ask(ctx: &Ctx<'_>) -> Result<AclAsk, S3Error> {
    Ok(ask_of_headers(&ctx.req.headers)?.unwrap_or_default())
}

/// An `AccessControlPolicy` document: the owner it names, and its grants.
#[derive(Debug, PartialEq, Eq)]
pub struct AclDocument {
    pub owner: Option<String>,
    pub grants: Vec<Grant>,
}

/// Reads an `AccessControlPolicy` document (PutBucketAcl's and PutObjectAcl's body). A grantee
/// is what its child says (`ID`, `URI` or `EmailAddress`, as its `xsi:type` names it).
pub fn parse_acl_document(bytes: &[u8]) -> Result<AclDocument, S3Error> {
    let doc = parse(bytes, DOCUMENT_ELEMENTS).map_err(|_| malformed_acl())?;
    if doc.name != "AccessControlPolicy" {
        return Err(malformed_acl());
    }
    let owner = match doc.child("Owner") {
        None => None,
        Some(o) => Some(text(o, "ID").ok_or_else(malformed_acl)?.to_owned()),
    };
    let mut grants = Vec::new();
    for list in doc.children("AccessControlList") {
        for g in list.children("Grant") {
            let grantee_el = g.child("Grantee").ok_or_else(malformed_acl)?;
            let permission = text(g, "Permission")
                .and_then(Permission::parse)
                .ok_or_else(malformed_acl)?;
            let who = match (
                text(grantee_el, "ID"),
                text(grantee_el, "URI"),
                grantee_el.child("EmailAddress"),
            ) {
                (Some(id), None, None) => grantee("id", id)?,
                (None, Some(uri), None) => grantee("uri", uri)?,
                (None, None, Some(_)) => return Err(unresolvable_email()),
                _ => return Err(malformed_acl()),
            };
            grants.push(Grant::new(who, permission));
            if grants.len() > MAX_GRANTS {
                return Err(malformed_acl());
            }
        }
    }
    Ok(AclDocument { owner, grants })
}

/// A child's text, trimmed; `None` when absent or empty.
fn text<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.child_text(name).map(str::trim).filter(|t| !t.is_empty())
}

/// The ACL a PutBucketAcl or PutObjectAcl asks for: in its headers or in its body, not both
/// (UnexpectedContent), nor neither. A document naming another owner than `owner` (the
/// bucket's or the object's) is refused: an ACL does not change who owns.
async fn requested(ctx: &Ctx<'_>, body: Incoming, owner: &str) -> Result<AclAsk, S3Error> {
    let from_headers = ask_of_headers(&ctx.req.headers)?;
    let bytes = ctx.read_document(body).await?;
    let has_body = !bytes.iter().all(u8::is_ascii_whitespace);
    match (from_headers, has_body) {
        (Some(_), true) => Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "UnexpectedContent",
            "This request does not support content: give the ACL in headers or in the body, not both",
        )),
        (Some(ask), false) => Ok(ask),
        (None, true) => {
            let doc = parse_acl_document(&bytes)?;
            if doc.owner.as_deref().is_some_and(|o| o != owner) {
                return Err(S3Error::invalid_argument(
                    "The ACL's Owner is not the owner: an ACL cannot change who owns",
                ));
            }
            Ok(AclAsk::Grants(doc.grants))
        }
        (None, false) => Err(malformed_acl()),
    }
}

/// The `AccessControlPolicy` of what `owner` owns with `grants`, literally: the grants to
/// groups, then those to users (each with its display name from `names`, in the order of
/// [`user_ids`]). Groups come first as AWS lists them (and ceph/s3-tests' `check_grants`
/// sorts by display name only when the first grant has one).
pub fn render_acl(owner: &Owner, grants: &[Grant], names: &[Owner]) -> String {
    let mut x = Xml::new("AccessControlPolicy", S3.root_attrs);
    owner.as_listing().write(&mut x);
    x.open("AccessControlList");
    for g in grants {
        if let Some(uri) = g.grantee.uri() {
            x.open("Grant");
            x.open_attrs("Grantee", &format!(r#"{XSI} xsi:type="Group""#))
                .leaf("URI", uri)
                .close();
            x.leaf("Permission", g.permission.as_str()).close();
        }
    }
    let mut users = names.iter();
    for g in grants {
        if let Grantee::User(id) = &g.grantee {
            let display = users
                .next()
                .filter(|n| &n.id == id)
                .map_or(id.as_str(), |n| n.display_name.as_str());
            user_grant(&mut x, id, display, g.permission);
        }
    }
    x.close();
    x.finish()
}

fn user_grant(x: &mut Xml, id: &str, display_name: &str, permission: Permission) {
    x.open("Grant");
    x.open_attrs("Grantee", &format!(r#"{XSI} xsi:type="CanonicalUser""#))
        .leaf("ID", id)
        .leaf("DisplayName", display_name)
        .close();
    x.leaf("Permission", permission.as_str()).close();
}

/// The users `render_acl` shows grants to, in its order.
pub fn user_ids(grants: &[Grant]) -> Vec<&str> {
    grants
        .iter()
        .filter_map(|g| match &g.grantee {
            Grantee::User(id) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// The document of what `owner` owns with `grants`, the grantees' names looked up.
fn acl_response(ctx: &Ctx<'_>, owner: &Owner, grants: &[Grant]) -> S3Result {
    let names = ctx.read(Owners(user_ids(grants)))?;
    Ok(xml(StatusCode::OK, render_acl(owner, grants, &names)))
}

pub(super) fn get_bucket_acl(ctx: &Ctx<'_>) -> S3Result {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    // Under BucketOwnerEnforced ACLs are off: only the owner's control shows.
    let enforced = rec.ownership == Some(ObjectOwnership::BucketOwnerEnforced);
    let grants = if enforced {
        acl::private(&ctx.owner.id)
    } else {
        rec.acl
    };
    acl_response(ctx, &ctx.owner, &grants)
}

pub(super) async fn put_bucket_acl(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let acl = requested(ctx, body, &ctx.owner.id).await?;
    ctx.run(PutBucketAcl { bucket, acl }).await?;
    Ok(empty(StatusCode::OK))
}

/// GetObjectAcl (of the current version, or the one `versionId` names): the object's owner
/// (its writer, or the bucket's owner) and its grants; an object that inherits (written
/// through OSS or BOS with their `default`) shows the bucket's.
pub(super) fn get_object_acl(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    let (_, access) = ctx.read(GetObjectAcl {
        bucket,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    let rec = ctx.read(GetBucketAccess(bucket))?;
    let enforced = rec.ownership == Some(ObjectOwnership::BucketOwnerEnforced);
    let owner = match (&access.owner, enforced) {
        (Some(id), false) => ctx
            .read(Owners(vec![id.as_str()]))?
            .pop()
            .unwrap_or_else(|| ctx.owner.clone()),
        _ => ctx.owner.clone(),
    };
    let grants = if enforced {
        acl::private(&owner.id)
    } else {
        access.acl.literal(&owner.id, &rec.acl).into_owned()
    };
    acl_response(ctx, &owner, &grants)
}

/// PutObjectAcl: replaces the ACL of the current version (or of the one `versionId` names) in
/// place, and names that version where versioning has been configured.
pub(super) async fn put_object_acl(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let version = ctx.version_id()?;
    let (_, access) = ctx.read(GetObjectAcl {
        bucket,
        key,
        version,
    })?;
    let owner = access.owner.unwrap_or_else(|| ctx.owner.id.clone());
    let acl = requested(ctx, body, &owner).await?;
    let id = ctx
        .run(PutObjectAcl {
            bucket,
            key,
            version,
            acl,
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    if ctx.read(GetBucket(bucket))?.versioning != Versioning::Unversioned {
        set(&mut resp, "x-amz-version-id", &id.to_string());
    }
    Ok(resp)
}

#[cfg(test)]
#[path = "acl_tests.rs"]
mod tests;
