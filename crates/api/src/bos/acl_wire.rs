//! BOS's ACLs on the wire: the `x-bce-acl` and `x-bce-grant-*` headers, the object ACL
//! document, and the `accessControlList` a GetBucketAcl or GetObjectAcl answers.
//!
//! - `x-bce-acl`: a canned ACL, `private`, `public-read` or `public-read-write` on a bucket,
//!   `private` or `public-read` on an object (case-sensitive).
//! - `x-bce-grant-read`, `x-bce-grant-full-control`: `id="ID",id="ID"...` (`*`: everyone),
//!   on object writes and PutObjectAcl. A request carries a canned ACL or grants, not both.
//! - An object's ACL document: `{"accessControlList": [{"grantee": [{"id": ID}],
//!   "permission": ["READ" | "FULL_CONTROL"]}]}`. The Go SDK sends its empty members too
//!   (`"condition": {"referer": {}}`, ...): empty values say nothing. Anything else an entry
//!   says (a resource, an effect, a condition) is a bucket ACL's, refused here rather than
//!   dropped.
//! - A rendered list groups grantees holding the same permissions into one entry, in the
//!   order they were granted, so a document put is answered as it was written.

use super::error::BosError;
use crate::request::RequestParts;
use hyper::StatusCode;
use serde_json::{Value, json};
use strata_core::access::{Canned, Grant, Grantee, Permission};

pub const CANNED: &str = "x-bce-acl";
pub const GRANT_READ: &str = "x-bce-grant-read";
pub const GRANT_FULL_CONTROL: &str = "x-bce-grant-full-control";
const GRANT_PREFIX: &str = "x-bce-grant-";

/// What an ACL applies to: the canned values differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Bucket,
    Object,
}

/// The ACL a request's headers ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderAcl {
    Canned(Canned),
    Grants(Vec<Grant>),
}

fn not_implemented(what: impl Into<String>) -> BosError {
    BosError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NotImplemented",
        format!("{} is not implemented.", what.into()),
    )
}

/// The one value of header `name`, if present (a repeated header or a value that is not
/// visible ASCII is InvalidArgument).
fn one_value<'a>(req: &'a RequestParts, name: &str) -> Result<Option<&'a str>, BosError> {
    let mut values = req.headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BosError::invalid_argument(format!(
            "The {name} header is given more than once."
        )));
    }
    let value = first
        .to_str()
        .map_err(|_| BosError::invalid_argument(format!("The {name} header is not valid.")))?;
    Ok(Some(value.trim()))
}

/// The canned ACL an `x-bce-acl` value names for `scope`.
pub fn parse_canned(value: &str, scope: Scope) -> Result<Canned, BosError> {
    match (value, scope) {
        ("private", _) => Ok(Canned::Private),
        ("public-read", _) => Ok(Canned::PublicRead),
        ("public-read-write", Scope::Bucket) => Ok(Canned::PublicReadWrite),
        _ => Err(BosError::invalid_argument(match scope {
            Scope::Bucket => {
                "The x-bce-acl header must be private, public-read or public-read-write."
            }
            Scope::Object => "The x-bce-acl header of an object must be private or public-read.",
        })),
    }
}

/// The grantee a BOS id names: `*` is everyone, anonymous requests included.
fn grantee(id: &str) -> Grantee {
    if id == "*" {
        Grantee::AllUsers
    } else {
        Grantee::User(id.to_owned())
    }
}

/// The grantees of an `x-bce-grant-*` value: `id="a",id="b"` (quotes optional).
pub fn parse_grantees(value: &str, header: &str) -> Result<Vec<Grantee>, BosError> {
    let bad = || {
        BosError::invalid_argument(format!(
            "The {header} header must be a list of id=\"USER-ID\" separated by commas."
        ))
    };
    let mut out = Vec::new();
    for item in value.split(',') {
        let (name, id) = item.trim().split_once('=').ok_or_else(bad)?;
        if !name.trim().eq_ignore_ascii_case("id") {
            return Err(bad());
        }
        let id = id.trim();
        let id = match id.strip_prefix('"') {
            Some(rest) => rest.strip_suffix('"').ok_or_else(bad)?,
            None => id,
        };
        if id.is_empty() || id.contains('"') {
            return Err(bad());
        }
        out.push(grantee(id));
    }
    Ok(out)
}

/// The ACL the request's `x-bce-acl` and `x-bce-grant-*` headers ask for (`None`: none).
/// `grants`: whether the operation takes grant headers (object writes); where it does not,
/// they are refused as not implemented, as is every `x-bce-grant-*` header BOS does not
/// define.
pub fn header_acl(
    req: &RequestParts,
    scope: Scope,
    grants: bool,
) -> Result<Option<HeaderAcl>, BosError> {
    if let Some(name) = req.headers.keys().map(|k| k.as_str()).find(|k| {
        k.starts_with(GRANT_PREFIX) && (!grants || (*k != GRANT_READ && *k != GRANT_FULL_CONTROL))
    }) {
        return Err(not_implemented(format!(
            "The {name} header on this request"
        )));
    }
    let canned = one_value(req, CANNED)?;
    let mut list = Vec::new();
    for (header, permission) in [
        (GRANT_READ, Permission::Read),
        (GRANT_FULL_CONTROL, Permission::FullControl),
    ] {
        if let Some(value) = one_value(req, header)? {
            list.extend(
                parse_grantees(value, header)?
                    .into_iter()
                    .map(|g| Grant::new(g, permission)),
            );
        }
    }
    match (canned, list.is_empty()) {
        (Some(_), false) => Err(BosError::invalid_argument(
            "The x-bce-acl and x-bce-grant-* headers cannot be used together.",
        )),
        (Some(v), true) => Ok(Some(HeaderAcl::Canned(parse_canned(v, scope)?))),
        (None, false) => Ok(Some(HeaderAcl::Grants(list))),
        (None, true) => Ok(None),
    }
}

/// Whether the request carries any ACL header (for the operations that take none).
pub fn has_acl_header(req: &RequestParts) -> bool {
    req.headers
        .keys()
        .any(|k| k.as_str() == CANNED || k.as_str().starts_with(GRANT_PREFIX))
}

/// Refuses ACL headers on an operation that does not carry them out.
pub fn refuse_acl_headers(req: &RequestParts, operation: &str) -> Result<(), BosError> {
    if has_acl_header(req) {
        return Err(not_implemented(format!("ACL headers on {operation}")));
    }
    Ok(())
}

/// Whether a body says nothing (absent, or only white space).
pub fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// A value that says nothing: `null`, `""`, `false`, `[]`, `{}`, or an object whose members
/// all are such scalars or empty (the Go SDK's `"condition": {"referer": {}}`).
fn says_nothing(value: &Value) -> bool {
    let empty = |v: &Value| match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match value {
        Value::Object(members) => members.values().all(|m| match m {
            Value::Object(inner) => inner.values().all(empty),
            other => empty(other),
        }),
        other => empty(other),
    }
}

/// The grants of an object ACL document.
pub fn parse_object_acl(bytes: &[u8]) -> Result<Vec<Grant>, BosError> {
    let doc: Value = super::document::read(bytes)?;
    let bad = |m: &str| BosError::invalid_argument(m.to_owned());
    let Some(Value::Array(entries)) = doc.get("accessControlList") else {
        return Err(bad("The ACL document needs an accessControlList array."));
    };
    if let Some(other) = doc
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .find(|k| !matches!(*k, "accessControlList" | "owner"))
    {
        return Err(bad(&format!("Unknown ACL element {other}.")));
    }
    let mut grants = Vec::new();
    for entry in entries {
        let Value::Object(entry) = entry else {
            return Err(bad("Each accessControlList entry must be an object."));
        };
        let (mut grantees, mut permissions) = (Vec::new(), Vec::new());
        for (name, value) in entry {
            match name.as_str() {
                "grantee" => {
                    let Value::Array(items) = value else {
                        return Err(bad("grantee must be an array of {\"id\": ...}."));
                    };
                    for item in items {
                        match item.get("id") {
                            Some(Value::String(id)) if !id.is_empty() => grantees.push(grantee(id)),
                            _ => return Err(bad("Each grantee needs a non-empty id.")),
                        }
                    }
                }
                "permission" => {
                    let Value::Array(items) = value else {
                        return Err(bad("permission must be an array."));
                    };
                    for item in items {
                        permissions.push(match item.as_str() {
                            Some("READ") => Permission::Read,
                            Some("FULL_CONTROL") => Permission::FullControl,
                            _ => {
                                return Err(bad(
                                    "An object's permission must be READ or FULL_CONTROL.",
                                ));
                            }
                        });
                    }
                }
                "effect" if matches!(value.as_str(), Some("Allow" | "")) => {}
                _ if says_nothing(value) => {}
                other => {
                    return Err(not_implemented(format!(
                        "The {other} element of an object ACL"
                    )));
                }
            }
        }
        if grantees.is_empty() || permissions.is_empty() {
            return Err(bad(
                "Each accessControlList entry needs a grantee and a permission.",
            ));
        }
        for g in &grantees {
            for &p in &permissions {
                let grant = Grant::new(g.clone(), p);
                if !grants.contains(&grant) {
                    grants.push(grant);
                }
            }
        }
    }
    if grants.len() > strata_core::access::acl::MAX_GRANTS {
        return Err(bad("An ACL holds at most 100 grants."));
    }
    Ok(grants)
}

/// The id a grantee is shown with: `*` for everyone, a group's URI for S3's other groups.
fn grantee_id(g: &Grantee) -> String {
    match g {
        Grantee::User(id) => id.clone(),
        Grantee::AllUsers => "*".to_owned(),
        other => other.uri().unwrap_or_default().to_owned(),
    }
}

/// One `{"grantee": [...], "permission": [...]}` entry.
pub fn entry(ids: &[String], permissions: &[Permission]) -> Value {
    json!({
        "grantee": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "permission": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    })
}

/// Grants as BOS entries: each grantee's permissions, grantees with the same permissions in
/// one entry, in the order granted.
pub fn render(grants: &[Grant]) -> Vec<Value> {
    let mut per_grantee: Vec<(String, Vec<Permission>)> = Vec::new();
    for g in grants {
        let id = grantee_id(&g.grantee);
        match per_grantee.iter_mut().find(|(i, _)| *i == id) {
            Some((_, perms)) if !perms.contains(&g.permission) => perms.push(g.permission),
            Some(_) => {}
            None => per_grantee.push((id, vec![g.permission])),
        }
    }
    let mut groups: Vec<(Vec<Permission>, Vec<String>)> = Vec::new();
    for (id, perms) in per_grantee {
        match groups.iter_mut().find(|(p, _)| *p == perms) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((perms, vec![id])),
        }
    }
    groups
        .iter()
        .map(|(perms, ids)| entry(ids, perms))
        .collect()
}

#[cfg(test)]
#[path = "acl_wire_tests.rs"]
mod tests;
