//! Bucket policies: S3's (`"Version": "2012-10-17"` or `"2008-10-17"`, or none) and OSS's
//! (`"Version": "1"`) JSON policy languages, and BOS's `accessControlList` (grants with effects,
//! resources and conditions: a policy in all but name), compiled once into one form and
//! evaluated per request.
//!
//! # Languages
//!
//! - S3: `Statement` (an object or an array) of `Sid`, `Effect`, `Principal` or `NotPrincipal`
//!   (`"*"`, `{"AWS": ...}`, `{"CanonicalUser": ...}`; an IAM ARN names its account, or, in the
//!   account-less form `arn:aws:iam:::user/NAME`, the user), `Action` or `NotAction`
//!   (`s3:` names), `Resource` or `NotResource` (`arn:aws:s3:::bucket[/key-glob]`), and
//!   `Condition`. At most 20 KiB.
//! - OSS: the same elements, with `Principal` a list of user IDs (`["*"]` or `[]` for
//!   everyone), `oss:` action names, `acs:oss:region:account:bucket[/key-glob]` resources and
//!   `acs:`/`oss:` condition keys (read as their S3 equivalents). At most 16 KiB.
//! - BOS: `{"accessControlList": [grant, ...]}`, each grant a statement: `grantee` IDs (`*` for
//!   everyone), `permission` (`READ`, `LIST`, `WRITE`, `MODIFY`, `FULL_CONTROL` or
//!   fine-grained names such as `GetObject`), `resource`/`notResource` (`bucket[/key-glob]`,
//!   by default the bucket and every object), `effect` (`Allow` by default) and `condition`.
//!
//! Patterns take `*` (any run of characters, `/` included) and `?` (one character). Every
//! resource must name the policy's bucket. A bucket action's resource is `bucket`, an object
//! action's `bucket/key`. Anything else (unknown elements, operators, action prefixes,
//! resources of other buckets) is [`PolicyError::Malformed`].
//!
//! # Evaluation
//!
//! A statement applies to a request when its principal, action, resource and every condition
//! match. Any applying Deny decides [`Effect::Deny`]; otherwise any applying Allow decides
//! [`Effect::Allow`]; otherwise the policy says nothing (`None`) and the caller falls back on
//! ACLs and ownership. OSS quirk: a statement to `*` without conditions does not apply to the
//! bucket owner.

use serde_json::{Map, Value};

use super::Action;
use super::condition::{self, Condition, ResourcePath, glob_ignore_case, glob_path, glob_str};

/// A policy's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    S3,
    Oss,
    Bos,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not a policy of the language (S3 `MalformedPolicy`, OSS `InvalidPolicyDocument`).
    #[error("malformed policy: {0}")]
    Malformed(String),
    /// A policy that parses but is refused (e.g. `NotPrincipal` with `Allow`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// What a matching statement says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The values a request gives the condition keys a policy may test. Keys are canonical and
/// lowercase: `aws:sourceip`, `aws:securetransport`, `aws:currenttime`, `aws:epochtime`,
/// `aws:referer`, `aws:useragent`, `s3:prefix`, `s3:delimiter`, `s3:max-keys`, `s3:versionid`,
/// `s3:x-amz-acl`, `s3:x-amz-grant-read` (and the other grant headers),
/// `s3:x-amz-copy-source`, `s3:x-amz-metadata-directive`, `s3:signatureversion` (`AWS` or
/// `AWS4-HMAC-SHA256`), `s3:authtype`, `s3:existingobjecttag/<tag>`
/// (OSS's `acs:*` and `oss:*` keys and BOS's conditions are read as these).
pub trait ConditionKeys {
    /// The key's values; empty when the request has none.
    fn values(&self, key: &str) -> Vec<String>;
}

/// One request as a policy sees it.
pub struct PolicyRequest<'a> {
    /// The requester's owner ID; `None` for an anonymous request.
    pub requester: Option<&'a str>,
    /// Whether the requester owns the bucket.
    pub owner: bool,
    pub action: Action,
    pub bucket: &'a str,
    /// The object key, for actions on objects.
    pub key: Option<&'a str>,
    pub keys: &'a dyn ConditionKeys,
}

/// The largest S3 policy (S3's 20 KB limit) and BOS document accepted.
const MAX_S3: usize = 20 * 1024;
/// The largest OSS policy (OSS's 16 KB limit).
const MAX_OSS: usize = 16 * 1024;
/// Every action's bit.
const ALL_ACTIONS: u64 = (1 << Action::ALL.len()) - 1;

/// The action's bit in an action set (`Action::ALL` is in declaration order).
fn bit(action: Action) -> u64 {
    1 << (action as u32)
}

fn malformed(message: impl Into<String>) -> PolicyError {
    PolicyError::Malformed(message.into())
}

/// Whom a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Principals {
    /// Everyone, anonymous requests included.
    Any,
    /// These owner IDs.
    Ids(Vec<String>),
}

impl Principals {
    fn matches(&self, requester: Option<&str>) -> bool {
        match self {
            Principals::Any => true,
            Principals::Ids(ids) => requester.is_some_and(|r| ids.iter().any(|id| id == r)),
        }
    }
}

#[derive(Debug, Clone)]
struct Statement {
    effect: Effect,
    principals: Principals,
    /// `NotPrincipal`: applies to everyone `principals` does not name.
    not_principal: bool,
    /// The actions it applies to, one bit per `Action::ALL` index (`NotAction` complemented).
    actions: u64,
    /// Patterns over `bucket` or `bucket/key`.
    resources: Vec<String>,
    /// `NotResource`: applies to every resource none of `resources` matches.
    not_resource: bool,
    /// All must hold.
    conditions: Vec<Condition>,
}

impl Statement {
    fn applies(&self, req: &PolicyRequest<'_>, language: Language) -> bool {
        if self.principals.matches(req.requester) == self.not_principal {
            return false;
        }
        if language == Language::Oss
            && req.owner
            && !self.not_principal
            && self.principals == Principals::Any
            && self.conditions.is_empty()
        {
            return false;
        }
        let path = ResourcePath {
            bucket: req.bucket,
            key: req.action.on_object().then(|| req.key.unwrap_or_default()),
        };
        if self.resources.iter().any(|r| glob_path(r, &path)) == self.not_resource {
            return false;
        }
        self.conditions.iter().all(|c| c.holds(req.keys))
    }

    /// An Allow to everyone that no condition pins to fixed sources.
    fn is_public(&self) -> bool {
        self.effect == Effect::Allow
            && !self.not_principal
            && self.principals == Principals::Any
            && !self.conditions.iter().any(Condition::pins)
    }
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    language: Language,
    statements: Vec<Statement>,
}

fn parse_json(text: &str) -> Result<Map<String, Value>, PolicyError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(malformed("the policy must be a JSON object")),
        Err(e) => Err(malformed(format!("invalid JSON: {e}"))),
    }
}

/// A string, or an array of strings (possibly empty).
fn strings<'a>(value: &'a Value, what: &str) -> Result<Vec<&'a str>, PolicyError> {
    let bad = || malformed(format!("{what} must be a string or an array of strings"));
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(|v| v.as_str().ok_or_else(bad)).collect(),
        _ => Err(bad()),
    }
}

/// The owner ID an S3 `AWS` principal names: the account of an IAM ARN (`...:root`,
/// `...:user/NAME`, ...), the user of the account-less `arn:aws:iam:::user/NAME`, or the
/// string itself.
fn aws_principal_id(text: &str) -> Result<String, PolicyError> {
    let Some(arn) = text.strip_prefix("arn:") else {
        return Ok(text.to_owned());
    };
    let bad = || malformed(format!("invalid principal {text:?}"));
    let mut parts = arn.splitn(5, ':');
    let (Some(partition), Some("iam"), Some(_region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    if partition.is_empty() || resource.is_empty() {
        return Err(bad());
    }
    if !account.is_empty() {
        return Ok(account.to_owned());
    }
    match resource.strip_prefix("user/") {
        Some(name) if !name.is_empty() => Ok(name.to_owned()),
        _ => Err(bad()),
    }
}

fn parse_principal(value: &Value, language: Language) -> Result<Principals, PolicyError> {
    let bad = || malformed("invalid principal");
    let mut any = false;
    let mut ids = Vec::new();
    if language == Language::Oss {
        for id in strings(value, "Principal")? {
            if id == "*" {
                any = true;
            } else if id.is_empty() {
                return Err(bad());
            } else {
                ids.push(id.to_owned());
            }
        }
        any |= ids.is_empty();
    } else {
        match value {
            Value::String(s) if s == "*" => any = true,
            Value::Object(map) if !map.is_empty() => {
                for (kind, names) in map {
                    let names = strings(names, "Principal")?;
                    if names.is_empty() {
                        return Err(bad());
                    }
                    for name in names {
                        match kind.as_str() {
                            "AWS" | "CanonicalUser" if name == "*" => any = true,
                            "AWS" => ids.push(aws_principal_id(name)?),
                            "CanonicalUser" if !name.is_empty() => ids.push(name.to_owned()),
                            // Service principals never make a user's request.
                            "Service" | "Federated" => {}
                            _ => return Err(bad()),
                        }
                    }
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(if any {
        Principals::Any
    } else {
        Principals::Ids(ids)
    })
}

/// The action set of `patterns`: `*`, or `s3:`/`oss:` (by language) and a name glob.
fn parse_actions(value: &Value, language: Language) -> Result<u64, PolicyError> {
    let patterns = strings(value, "Action")?;
    if patterns.is_empty() {
        return Err(malformed("Action names no action"));
    }
    let (prefix, name): (&str, fn(Action) -> &'static str) = match language {
        Language::Oss => ("oss", Action::oss_name),
        _ => ("s3", Action::s3_name),
    };
    let mut bits = 0;
    for pattern in patterns {
        if pattern == "*" {
            bits = ALL_ACTIONS;
            continue;
        }
        let Some((vendor, glob)) = pattern.split_once(':') else {
            return Err(malformed(format!("invalid action {pattern:?}")));
        };
        if !vendor.eq_ignore_ascii_case(prefix) {
            return Err(malformed(format!("invalid action {pattern:?}")));
        }
        for action in Action::ALL {
            if glob_ignore_case(glob, name(action)) {
                bits |= bit(action);
            }
        }
    }
    Ok(bits)
}

/// A resource pattern (`bucket[/key-glob]`), checked to name `bucket`.
fn bucket_resource(pattern: &str, bucket: &str) -> Result<String, PolicyError> {
    let bucket_part = pattern.split('/').next().unwrap_or_default();
    if glob_str(bucket_part, bucket) {
        Ok(pattern.to_owned())
    } else {
        Err(malformed("Policy has invalid resource"))
    }
}

/// An S3 (`arn:PARTITION:s3:REGION:ACCOUNT:rest`) or OSS (`acs:oss:REGION:ACCOUNT:rest`)
/// resource ARN, as the pattern `rest`.
fn parse_resource(arn: &str, language: Language, bucket: &str) -> Result<String, PolicyError> {
    let invalid = || malformed("Policy has invalid resource");
    let rest = if language == Language::Oss {
        let mut parts = arn.splitn(5, ':');
        match (parts.next(), parts.next(), parts.nth(2)) {
            (Some("acs"), Some("oss"), Some(rest)) => rest,
            _ => return Err(invalid()),
        }
    } else {
        let mut parts = arn.splitn(6, ':');
        match (parts.next(), parts.next(), parts.next(), parts.nth(2)) {
            (Some("arn"), Some(partition), Some("s3"), Some(rest)) if !partition.is_empty() => rest,
            _ => return Err(invalid()),
        }
    };
    if rest.is_empty() {
        return Err(invalid());
    }
    bucket_resource(rest, bucket)
}

/// One of `Foo`/`NotFoo`: the value and whether it was `NotFoo`.
fn either<'a>(
    positive: Option<&'a Value>,
    negative: Option<&'a Value>,
    name: &str,
) -> Result<(&'a Value, bool), PolicyError> {
    match (positive, negative) {
        (Some(v), None) => Ok((v, false)),
        (None, Some(v)) => Ok((v, true)),
        (Some(_), Some(_)) => Err(malformed(format!("both {name} and Not{name}"))),
        (None, None) => Err(malformed(format!("statement has no {name}"))),
    }
}

fn parse_effect(value: Option<&Value>) -> Result<Effect, PolicyError> {
    match value.and_then(Value::as_str) {
        Some("Allow") => Ok(Effect::Allow),
        Some("Deny") => Ok(Effect::Deny),
        _ => Err(malformed("Effect must be Allow or Deny")),
    }
}

fn parse_statement(
    value: &Value,
    language: Language,
    bucket: &str,
    sids: &mut Vec<String>,
) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(malformed("a statement must be an object"));
    };
    for (name, v) in map {
        match name.as_str() {
            "Sid" => {
                let sid = v
                    .as_str()
                    .ok_or_else(|| malformed("Sid must be a string"))?;
                if language == Language::S3 && !sid.is_empty() {
                    if sids.iter().any(|s| s == sid) {
                        return Err(malformed(format!("duplicate Sid {sid:?}")));
                    }
                    sids.push(sid.to_owned());
                }
            }
            "Effect" | "Principal" | "NotPrincipal" | "Action" | "NotAction" | "Resource"
            | "NotResource" | "Condition" => {}
            other => return Err(malformed(format!("unknown statement element {other}"))),
        }
    }
    let effect = parse_effect(map.get("Effect"))?;
    let (principal, not_principal) =
        either(map.get("Principal"), map.get("NotPrincipal"), "Principal")?;
    if not_principal && effect == Effect::Allow {
        return Err(PolicyError::InvalidArgument(
            "NotPrincipal is not supported with Allow".into(),
        ));
    }
    let principals = parse_principal(principal, language)?;
    let (actions, not_action) = either(map.get("Action"), map.get("NotAction"), "Action")?;
    let mut actions = parse_actions(actions, language)?;
    if not_action {
        actions = !actions & ALL_ACTIONS;
    }
    let (resources, not_resource) =
        either(map.get("Resource"), map.get("NotResource"), "Resource")?;
    let resources = strings(resources, "Resource")?;
    if resources.is_empty() {
        return Err(malformed("Resource names no resource"));
    }
    let resources = resources
        .into_iter()
        .map(|r| parse_resource(r, language, bucket))
        .collect::<Result<_, _>>()?;
    let conditions = match map.get("Condition") {
        Some(c) => condition::parse_block(c)?,
        None => Vec::new(),
    };
    Ok(Statement {
        effect,
        principals,
        not_principal,
        actions,
        resources,
        not_resource,
        conditions,
    })
}

impl Policy {
    /// Parses an S3 or OSS policy (told apart by `Version`) for bucket `bucket`.
    pub fn parse(text: &str, bucket: &str) -> Result<Policy, PolicyError> {
        if text.len() > MAX_S3 {
            return Err(malformed("policies are limited to 20 KiB"));
        }
        let map = parse_json(text)?;
        for name in map.keys() {
            if !matches!(name.as_str(), "Version" | "Id" | "Statement") {
                return Err(malformed(format!("unknown policy element {name}")));
            }
        }
        let language = match map.get("Version") {
            None => Language::S3,
            Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => Language::S3,
            Some(Value::String(v)) if v == "1" => Language::Oss,
            Some(_) => return Err(malformed("unsupported Version")),
        };
        if language == Language::Oss && text.len() > MAX_OSS {
            return Err(malformed("OSS policies are limited to 16 KiB"));
        }
        if map.get("Id").is_some_and(|id| !id.is_string()) {
            return Err(malformed("Id must be a string"));
        }
        let statements = match map.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(item @ Value::Object(_)) => vec![item],
            _ => return Err(malformed("Statement must be an object or an array")),
        };
        if statements.is_empty() {
            return Err(malformed("the policy has no statement"));
        }
        let mut sids = Vec::new();
        let statements = statements
            .into_iter()
            .map(|s| parse_statement(s, language, bucket, &mut sids))
            .collect::<Result<_, _>>()?;
        Ok(Policy {
            language,
            statements,
        })
    }

    /// Parses a BOS `{"accessControlList": [...]}` document for bucket `bucket`.
    pub fn parse_bos_acl(text: &str, bucket: &str) -> Result<Policy, PolicyError> {
        if text.len() > MAX_S3 {
            return Err(malformed("ACL documents are limited to 20 KiB"));
        }
        let map = parse_json(text)?;
        for name in map.keys() {
            if !matches!(name.as_str(), "accessControlList" | "owner") {
                return Err(malformed(format!("unknown ACL element {name}")));
            }
        }
        let Some(Value::Array(grants)) = map.get("accessControlList") else {
            return Err(malformed("accessControlList must be an array"));
        };
        let statements = grants
            .iter()
            .map(|g| bos_grant(g, bucket))
            .collect::<Result<_, _>>()?;
        Ok(Policy {
            language: Language::Bos,
            statements,
        })
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// How many statements (BOS: grants) the policy has.
    pub fn statements(&self) -> usize {
        self.statements.len()
    }

    /// `Some(Deny)` when a Deny statement matches, else `Some(Allow)` when an Allow does, else
    /// `None` (the policy says nothing of the request).
    pub fn evaluate(&self, req: &PolicyRequest<'_>) -> Option<Effect> {
        let action = bit(req.action);
        let mut allowed = false;
        for statement in &self.statements {
            if statement.actions & action == 0
                || (allowed && statement.effect == Effect::Allow)
                || !statement.applies(req, self.language)
            {
                continue;
            }
            match statement.effect {
                Effect::Deny => return Some(Effect::Deny),
                Effect::Allow => allowed = true,
            }
        }
        allowed.then_some(Effect::Allow)
    }

    /// Whether the policy grants anything to the public (AWS's "meaning of public"): an Allow
    /// to everyone (`*`, BOS grantee `*`) that no condition pins to fixed values of a source
    /// key (`aws:SourceIp` no broader than /8 or /32, `aws:SourceArn`, `aws:SourceVpc`,
    /// `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:userid`, ...).
    pub fn is_public(&self) -> bool {
        self.statements.iter().any(Statement::is_public)
    }
}

/// The actions a BOS permission grants: a coarse one (`READ`, ...), a fine-grained BOS API name,
/// or an action's S3 name.
fn bos_permission(name: &str) -> Result<u64, PolicyError> {
    use Action::*;
    let actions: &[Action] = match name {
        "FULL_CONTROL" => return Ok(ALL_ACTIONS),
        "READ" => &[
            GetObject,
            GetObjectVersion,
            GetObjectAttributes,
            GetObjectVersionAttributes,
            GetBucketLocation,
            ListMultipartUploadParts,
        ],
        "LIST" => &[ListBucket, ListBucketVersions, ListBucketMultipartUploads],
        "WRITE" => &[
            PutObject,
            DeleteObject,
            DeleteObjectVersion,
            AbortMultipartUpload,
            ListMultipartUploadParts,
        ],
        "MODIFY" => &[PutObject, AbortMultipartUpload, ListMultipartUploadParts],
        "GetObject" | "GetObjectMeta" | "HeadObject" => &[
            GetObject,
            GetObjectVersion,
            GetObjectAttributes,
            GetObjectVersionAttributes,
        ],
        "PutObject"
        | "PostObject"
        | "AppendObject"
        | "CopyObject"
        | "FetchObject"
        | "InitiateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload" => &[PutObject],
        "DeleteObject" | "DeleteMultipleObjects" => &[DeleteObject, DeleteObjectVersion],
        "ListObjects" | "GetBucket" | "HeadBucket" => &[ListBucket],
        "ListObjectVersions" => &[ListBucketVersions],
        "ListMultipartUploads" => &[ListBucketMultipartUploads],
        "ListParts" => &[ListMultipartUploadParts],
        "GetObjectAcl" => &[GetObjectAcl, GetObjectVersionAcl],
        "PutObjectAcl" => &[PutObjectAcl, PutObjectVersionAcl],
        "GetObjectTagging" => &[GetObjectTagging, GetObjectVersionTagging],
        "PutObjectTagging" => &[PutObjectTagging, PutObjectVersionTagging],
        "DeleteObjectTagging" => &[DeleteObjectTagging, DeleteObjectVersionTagging],
        other => {
            return Action::ALL
                .into_iter()
                .find(|a| a.s3_name() == other)
                .map(bit)
                .ok_or_else(|| malformed(format!("unknown permission {other:?}")));
        }
    };
    Ok(actions.iter().fold(0, |bits, &a| bits | bit(a)))
}

/// A BOS value that says nothing: `null`, `""`, `[]` or `{}` (Go's SDK sends empty members).
fn bos_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// A scalar or an array of scalars, as strings.
fn bos_values(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(malformed(format!("invalid {what}"))),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// BOS's `referer` and `userAgent`: `{"stringLike": [...], "stringEquals": [...]}`, ORed.
fn bos_string_match(key: &str, value: &Value) -> Result<Option<Condition>, PolicyError> {
    let Value::Object(map) = value else {
        return Err(malformed(format!("invalid {key} condition")));
    };
    let (mut like, mut equals) = (Vec::new(), Vec::new());
    for (name, v) in map {
        let values = if v.is_null() {
            Vec::new()
        } else {
            bos_values(v, name)?
        };
        match name.as_str() {
            "stringLike" => like = values,
            "stringEquals" => equals = values,
            other => return Err(malformed(format!("unknown condition {other}"))),
        }
    }
    Ok((!like.is_empty() || !equals.is_empty())
        .then(|| Condition::like_or_equals(key, &like, &equals)))
}

/// One BOS `condition` object, its members ANDed into `out`.
fn bos_conditions(value: &Value, out: &mut Vec<Condition>) -> Result<(), PolicyError> {
    let Value::Object(map) = value else {
        return Err(malformed(
            "condition must be an object or an array of objects",
        ));
    };
    for (name, v) in map {
        if bos_empty(v) {
            continue;
        }
        match name.as_str() {
            "ipAddress" => out.push(Condition::new(
                "aws:sourceip",
                "IpAddress",
                &bos_values(v, name)?,
            )?),
            "notIpAddress" => out.push(Condition::new(
                "aws:sourceip",
                "NotIpAddress",
                &bos_values(v, name)?,
            )?),
            "secureTransport" => out.push(Condition::new(
                "aws:securetransport",
                "Bool",
                &bos_values(v, name)?,
            )?),
            "vpcId" => out.push(Condition::new(
                "bos:vpcid",
                "StringEquals",
                &bos_values(v, name)?,
            )?),
            "referer" => out.extend(bos_string_match("aws:referer", v)?),
            "userAgent" => out.extend(bos_string_match("aws:useragent", v)?),
            "currentTime" => {
                let Value::Object(ops) = v else {
                    return Err(malformed("invalid currentTime condition"));
                };
                for (op, values) in ops {
                    if !op.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("date")) {
                        return Err(malformed(format!("unknown condition {op}")));
                    }
                    if !bos_empty(values) {
                        let values = bos_values(values, op)?;
                        out.push(Condition::new("aws:currenttime", op, &values)?);
                    }
                }
            }
            other => return Err(malformed(format!("unknown condition {other}"))),
        }
    }
    Ok(())
}

fn bos_grantees(value: &Value) -> Result<Principals, PolicyError> {
    let bad = || malformed("grantee must be a non-empty array of {\"id\": ...}");
    let Value::Array(items) = value else {
        return Err(bad());
    };
    let (mut any, mut ids) = (false, Vec::new());
    for item in items {
        match item.as_object().and_then(|o| o.get("id")) {
            Some(Value::String(id)) if id == "*" => any = true,
            Some(Value::String(id)) if !id.is_empty() => ids.push(id.clone()),
            _ => return Err(bad()),
        }
    }
    match (any, ids.is_empty()) {
        (true, _) => Ok(Principals::Any),
        (false, false) => Ok(Principals::Ids(ids)),
        (false, true) => Err(bad()),
    }
}

/// One BOS grant as a statement.
fn bos_grant(value: &Value, bucket: &str) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(malformed("a grant must be an object"));
    };
    let (mut principals, mut actions, mut effect) = (None, None, Effect::Allow);
    let (mut resources, mut not_resources, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
    for (name, v) in map {
        if v.is_null() {
            continue;
        }
        match name.as_str() {
            "grantee" => principals = Some(bos_grantees(v)?),
            "permission" => {
                let names = strings(v, "permission")?;
                if names.is_empty() {
                    return Err(malformed("permission names no permission"));
                }
                let mut bits = 0;
                for name in names {
                    bits |= bos_permission(name)?;
                }
                actions = Some(bits);
            }
            "resource" | "notResource" => {
                let patterns = strings(v, name)?
                    .into_iter()
                    .map(|r| bucket_resource(r, bucket))
                    .collect::<Result<_, _>>()?;
                if name == "resource" {
                    resources = patterns;
                } else {
                    not_resources = patterns;
                }
            }
            "effect" => {
                effect = match v.as_str() {
                    Some("Allow" | "") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => return Err(malformed("effect must be Allow or Deny")),
                }
            }
            "condition" => match v {
                Value::Array(items) => {
                    for item in items {
                        bos_conditions(item, &mut conditions)?;
                    }
                }
                other => bos_conditions(other, &mut conditions)?,
            },
            other => return Err(malformed(format!("unknown grant element {other}"))),
        }
    }
    let principals = principals.ok_or_else(|| malformed("grant has no grantee"))?;
    let actions = actions.ok_or_else(|| malformed("grant has no permission"))?;
    if !resources.is_empty() && !not_resources.is_empty() {
        return Err(malformed("both resource and notResource"));
    }
    let not_resource = !not_resources.is_empty();
    let resources = match (not_resource, resources.is_empty()) {
        (true, _) => not_resources,
        (false, true) => vec![bucket.to_owned(), format!("{bucket}/*")],
        (false, false) => resources,
    };
    Ok(Statement {
        effect,
        principals,
        not_principal: false,
        actions,
        resources,
        not_resource,
        conditions,
    })
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "policy_condition_tests.rs"]
mod condition_tests;
