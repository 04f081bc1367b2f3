//! Lifecycle configuration (`?lifecycle`): PutBucketLifecycle (`PUT`, JSON `{"rule": [...]}`,
//! 200), GetBucketLifecycle (`GET`, the same document; none: 404 `NoLifecycleConfiguration`)
//! and DeleteBucketLifecycle (`DELETE`, 204). The rules, their validation and their execution
//! are the core's ([`strata_core::lifecycle`]); this module reads BOS's rules into them and
//! writes them back.
//!
//! A BOS rule is `{"id", "status", "resource": [...], "condition": {"time": {"dateGreaterThan"},
//! "tag": {...}, "objectSize": {"minSize", "maxSize"}}, "action": {"name", "storageClass"},
//! "ExpiredObjectDeleteMarker": "true", "not": {"resource", "tag"}}`, read as follows:
//!
//! - `status`: `enabled` or `disabled`, lower-case as BOS writes them.
//! - `resource`: one or more globs `"{bucket}/{prefix}*"`, each a prefix of the rule's filter
//!   (`"{bucket}/*"`: the whole bucket). The bucket must be the one addressed, and `*` must be
//!   the last character and appear nowhere else: a key containing `*` cannot be named. A
//!   resource without the final `*` (one object's key, or the bucket alone) is refused: a rule
//!   on one exact key cannot be stated as prefixes, and reading it as a prefix would remove
//!   more than it names.
//! - `condition.time.dateGreaterThan`: `$(lastModified)+P{N}D` (N days after the object was
//!   written), or an instant `yyyy-mm-ddT00:00:00Z` (midnight UTC, from which on every
//!   matching object expires; a date in the past expires them at once).
//! - `condition.tag` (every tag), `condition.objectSize` (`minSize` and `maxSize`, bytes, both
//!   inclusive: `minSize` 0 is no bound) and `not` (a resource glob and/or tags the rule
//!   leaves alone) become the filter.
//! - `action.name`: `DeleteObject` expires current objects (by the bucket's versioning:
//!   removal, or a delete marker); with `"ExpiredObjectDeleteMarker": "true"` and no time it
//!   removes delete markers with no version left under them (with a time as well, the core
//!   refuses the rule, as S3 refuses ExpiredObjectDeleteMarker beside Days or Date).
//!   `AbortMultipartUpload` aborts uploads N days after they were initiated (a relative time
//!   only). `NonCurrentVersionDeleteObject` (the name bce-sdk-go's tests give the noncurrent
//!   action) removes versions N days after a newer one replaced them (a relative time only).
//!   `Transition` (storage classes) is refused with 501 NotImplemented; any other name is
//!   InvalidArgument.
//!
//! Empty values are absent values: bce-sdk-go always sends `"time": {"dateGreaterThan": ""}`,
//! `"objectSize": {}` and `"not": {}` (non-pointer structs), and `"id": ""` for a rule without
//! one (the core then generates it). Members not listed here are refused (InvalidArgument), so
//! nothing is accepted that is not carried out.
//!
//! A rule put through another dialect may say what BOS cannot. Each action BOS can state is
//! written as a rule of its own: the first keeps the rule's ID, the next ones get
//! `{id}-{action}` (an expiration, removal of lone delete markers, of noncurrent versions, the
//! abort of uploads, in that order). An action BOS has no words for is left out: OSS's
//! `CreatedBeforeDate` (of objects or uploads), and a noncurrent expiration that keeps the
//! newest N versions. A rule left with nothing, or whose size bounds no object can meet, is
//! left out whole.

use super::error::BosError;
use super::{BosApi, BosResult, Ctx, empty, json};
use crate::body::Incoming;
use crate::exec::*;
use crate::operation::Unrouted;
use crate::pipeline::Dialect;
use hyper::StatusCode;
use serde_json::{Map, Value, json};
use strata_core::CoreError;
use strata_core::lifecycle::{
    Exclusion, Expiration, Filter, NoncurrentExpiration, Rule, UploadAbort, validate,
};

/// The action that expires current objects (and removes lone delete markers).
pub const DELETE_OBJECT: &str = "DeleteObject";
/// The action that aborts incomplete multipart uploads.
pub const ABORT_MULTIPART_UPLOAD: &str = "AbortMultipartUpload";
/// The action that removes noncurrent versions.
pub const NONCURRENT_DELETE: &str = "NonCurrentVersionDeleteObject";
/// The action that changes storage classes (refused).
pub const TRANSITION: &str = "Transition";
/// The rule member that asks for lone delete markers to go (bce-sdk-go spells it so; any
/// case is read).
pub const EXPIRED_OBJECT_DELETE_MARKER: &str = "ExpiredObjectDeleteMarker";
/// The relative time's fixed start.
const RELATIVE: &str = "$(lastModified)+P";
const DAY_MS: i64 = 86_400_000;

/// The rules of a PutBucketLifecycle document for `bucket`, valid as the core requires (IDs
/// generated where missing). Not JSON, or nested too deep: MalformedJSON; a `Transition`
/// action: 501 NotImplemented; anything else wrong: InvalidArgument (the core's refusals
/// included, as the server gives them).
pub fn parse_rules(bucket: &str, body: &[u8]) -> Result<Vec<Rule>, BosError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(
            "The request body is empty; it must be {\"rule\": [...]}.",
        ));
    }
    let doc: Value = super::document::read(body)?;
    let top = members(&doc, "The request body", &["rule"])?;
    let Some(list) = top.get("rule").and_then(Value::as_array) else {
        return Err(invalid("The request must give \"rule\", a list of rules."));
    };
    let mut rules = list
        .iter()
        .enumerate()
        .map(|(i, r)| parse_rule(bucket, i, r))
        .collect::<Result<Vec<_>, _>>()?;
    validate(&mut rules).map_err(|e| BosError::from(CoreError::Lifecycle(e)))?;
    Ok(rules)
}

/// The GetBucketLifecycle document of `bucket`'s `rules`.
pub fn render_rules(bucket: &str, rules: &[Rule]) -> Value {
    let list: Vec<Value> = rules.iter().flat_map(|r| render_rule(bucket, r)).collect();
    json!({ "rule": list })
}

pub(super) fn get(ctx: &Ctx<'_>) -> BosResult {
    let bucket = ctx.bucket()?;
    let rules = ctx.read(GetLifecycle(bucket))?;
    Ok(json(render_rules(bucket, &rules)))
}

pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let rules = parse_rules(bucket, &bytes)?;
    ctx.run(PutLifecycle { bucket, rules }).await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(DeleteLifecycle(ctx.bucket()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

// --- reading ---------------------------------------------------------------------------------

fn invalid(message: impl Into<String>) -> BosError {
    BosError::invalid_argument(message)
}

/// `v`'s members, when it is an object whose member names are all in `allowed`.
fn members<'v>(
    v: &'v Value,
    what: &str,
    allowed: &[&str],
) -> Result<&'v Map<String, Value>, BosError> {
    let Some(m) = v.as_object() else {
        return Err(invalid(format!("{what} must be a JSON object.")));
    };
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(format!("{what} has an unknown member \"{k}\".")));
    }
    Ok(m)
}

/// Whether a value counts as not given: null, `""`, `{}` or `[]`.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Member `name` of `m`, unless it is absent or empty.
fn given<'v>(m: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    m.get(name).filter(|v| !is_empty(v))
}

/// A string member (absent or empty: `None`).
fn string<'v>(
    m: &'v Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<Option<&'v str>, BosError> {
    match given(m, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("{what}: \"{name}\" must be a string."))),
    }
}

/// What a rule's time condition says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    /// `$(lastModified)+P{N}D`.
    Days(u32),
    /// `yyyy-mm-ddT00:00:00Z`, in Unix milliseconds.
    Date(i64),
}

fn parse_when(s: &str, what: &str) -> Result<When, BosError> {
    if let Some(rest) = s.strip_prefix(RELATIVE) {
        let digits = rest.strip_suffix('D').unwrap_or("");
        let days = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u32>().ok())
            .flatten();
        return days.map(When::Days).ok_or_else(|| {
            invalid(format!(
                "{what}: a relative dateGreaterThan is \"$(lastModified)+P<days>D\", not {s:?}."
            ))
        });
    }
    let Some(t) = strata_wire::date::parse_iso8601_seconds(s) else {
        return Err(invalid(format!(
            "{what}: dateGreaterThan must be \"$(lastModified)+P<days>D\" or \
             \"yyyy-mm-ddT00:00:00Z\", not {s:?}."
        )));
    };
    let ms = t.as_millisecond();
    if ms.rem_euclid(DAY_MS) != 0 {
        return Err(invalid(format!(
            "{what}: an absolute dateGreaterThan must be midnight UTC (T00:00:00Z), not {s:?}."
        )));
    }
    Ok(When::Date(ms))
}

/// A resource glob `"{bucket}/{prefix}*"`: the prefix.
fn parse_resource(bucket: &str, glob: &str, what: &str) -> Result<String, BosError> {
    let prefix = glob
        .strip_prefix(bucket)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| {
            invalid(format!(
                "{what}: resource {glob:?} must name this bucket, as \"{bucket}/<prefix>*\"."
            ))
        })?;
    match prefix.strip_suffix('*') {
        Some(p) if !p.contains('*') => Ok(p.to_owned()),
        _ => Err(invalid(format!(
            "{what}: resource {glob:?} must end in \"*\" and have no other \"*\" (a rule \
             applies to the keys under a prefix)."
        ))),
    }
}

/// A tag condition `{"key": "value", ...}`.
fn parse_tags(m: &Map<String, Value>, what: &str) -> Result<Vec<(String, String)>, BosError> {
    let Some(v) = given(m, "tag") else {
        return Ok(Vec::new());
    };
    let Some(tags) = v.as_object() else {
        return Err(invalid(format!(
            "{what}: \"tag\" must be an object of strings."
        )));
    };
    tags.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(invalid(format!(
                "{what}: tag {k:?} must have a string value."
            ))),
        })
        .collect()
}

/// `"minSize"` or `"maxSize"`: a whole number of bytes.
fn size(m: &Map<String, Value>, name: &str, what: &str) -> Result<Option<u64>, BosError> {
    match m.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            invalid(format!(
                "{what}: objectSize \"{name}\" must be a whole number of bytes."
            ))
        }),
    }
}

/// `ExpiredObjectDeleteMarker` (in any case): `"true"`/`"false"` (any case) or a boolean.
fn parse_marker(m: &Map<String, Value>, what: &str) -> Result<bool, BosError> {
    let mut found = m
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(EXPIRED_OBJECT_DELETE_MARKER))
        .map(|(_, v)| v);
    let value = found.next();
    if found.next().is_some() {
        return Err(invalid(format!(
            "{what}: {EXPIRED_OBJECT_DELETE_MARKER} is given more than once."
        )));
    }
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.is_empty() || s.eq_ignore_ascii_case("false") => Ok(false),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(_) => Err(invalid(format!(
            "{what}: {EXPIRED_OBJECT_DELETE_MARKER} must be \"true\" or \"false\"."
        ))),
    }
}

const RULE_MEMBERS: &[&str] = &["id", "status", "resource", "condition", "action", "not"];

fn parse_rule(bucket: &str, index: usize, v: &Value) -> Result<Rule, BosError> {
    let what = format!("rule {}", index + 1);
    let what = what.as_str();
    let Some(m) = v.as_object() else {
        return Err(invalid(format!("{what} must be a JSON object.")));
    };
    if let Some(k) = m.keys().find(|k| {
        !RULE_MEMBERS.contains(&k.as_str()) && !k.eq_ignore_ascii_case(EXPIRED_OBJECT_DELETE_MARKER)
    }) {
        return Err(invalid(format!("{what} has an unknown member \"{k}\".")));
    }
    // The action first: a Transition is refused as such, whatever else the rule says.
    let Some(action) = m.get("action") else {
        return Err(invalid(format!("{what} has no \"action\".")));
    };
    let action = members(
        action,
        &format!("{what}: \"action\""),
        &["name", "storageClass"],
    )?;
    let name = string(action, "name", what)?
        .ok_or_else(|| invalid(format!("{what}: the action has no \"name\".")))?;
    if name == TRANSITION {
        return Err(BosApi::unrouted(Unrouted::Refused(
            "Lifecycle action Transition (storage classes)".into(),
        )));
    }
    if ![DELETE_OBJECT, ABORT_MULTIPART_UPLOAD, NONCURRENT_DELETE].contains(&name) {
        return Err(invalid(format!(
            "{what}: unknown action {name:?} (DeleteObject, AbortMultipartUpload, \
             NonCurrentVersionDeleteObject or Transition)."
        )));
    }
    if string(action, "storageClass", what)?.is_some() {
        return Err(invalid(format!(
            "{what}: \"storageClass\" goes with the Transition action only."
        )));
    }

    let id = string(m, "id", what)?.unwrap_or_default().to_owned();
    let enabled = match string(m, "status", what)? {
        Some("enabled") => true,
        Some("disabled") => false,
        _ => {
            return Err(invalid(format!(
                "{what}: \"status\" must be \"enabled\" or \"disabled\"."
            )));
        }
    };

    let resources = match m.get("resource") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        _ => {
            return Err(invalid(format!(
                "{what}: \"resource\" must be a list of \"{bucket}/<prefix>*\"."
            )));
        }
    };
    let mut filter = Filter::default();
    for r in resources {
        let glob = r
            .as_str()
            .ok_or_else(|| invalid(format!("{what}: every resource must be a string.")))?;
        filter.prefixes.push(parse_resource(bucket, glob, what)?);
    }

    let mut when = None;
    if let Some(c) = given(m, "condition") {
        let c = members(
            c,
            &format!("{what}: \"condition\""),
            &["time", "tag", "objectSize"],
        )?;
        if let Some(t) = given(c, "time") {
            let t = members(t, &format!("{what}: \"time\""), &["dateGreaterThan"])?;
            when = string(t, "dateGreaterThan", what)?
                .map(|s| parse_when(s, what))
                .transpose()?;
        }
        filter.tags = parse_tags(c, what)?;
        if let Some(s) = given(c, "objectSize") {
            let s = members(
                s,
                &format!("{what}: \"objectSize\""),
                &["minSize", "maxSize"],
            )?;
            let (min, max) = (size(s, "minSize", what)?, size(s, "maxSize", what)?);
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                return Err(invalid(format!(
                    "{what}: objectSize minSize ({min}) is larger than maxSize ({max})."
                )));
            }
            filter.size_greater_than = min.and_then(|n| n.checked_sub(1));
            filter.size_less_than = max.and_then(|n| n.checked_add(1));
        }
    }
    if let Some(n) = given(m, "not") {
        let n = members(n, &format!("{what}: \"not\""), &["resource", "tag"])?;
        let prefix = string(n, "resource", what)?
            .map(|glob| parse_resource(bucket, glob, what))
            .transpose()?;
        let tags = parse_tags(n, what)?;
        if prefix.is_some() || !tags.is_empty() {
            filter.not = Some(Exclusion {
                prefix: prefix.unwrap_or_default(),
                tags,
            });
        }
    }
    let marker = parse_marker(m, what)?;

    let mut rule = Rule {
        id,
        enabled,
        filter,
        ..Rule::default()
    };
    let relative = |action: &str| match when {
        Some(When::Days(n)) => Ok(n),
        Some(When::Date(_)) => Err(invalid(format!(
            "{what}: {action} takes a relative time, \"$(lastModified)+P<days>D\"."
        ))),
        None => Err(invalid(format!(
            "{what}: {action} needs condition.time.dateGreaterThan."
        ))),
    };
    if marker && name != DELETE_OBJECT {
        return Err(invalid(format!(
            "{what}: {EXPIRED_OBJECT_DELETE_MARKER} goes with the DeleteObject action only."
        )));
    }
    match name {
        DELETE_OBJECT => {
            rule.expired_object_delete_marker = marker;
            rule.expiration = match when {
                Some(When::Days(n)) => Some(Expiration::Days(n)),
                Some(When::Date(t)) => Some(Expiration::Date(t)),
                None if marker => None,
                None => {
                    return Err(invalid(format!(
                        "{what}: DeleteObject needs condition.time.dateGreaterThan (or \
                         \"{EXPIRED_OBJECT_DELETE_MARKER}\": \"true\")."
                    )));
                }
            };
        }
        ABORT_MULTIPART_UPLOAD => {
            if rule.filter.size_greater_than.is_some() || rule.filter.size_less_than.is_some() {
                return Err(invalid(format!(
                    "{what}: objectSize does not apply to AbortMultipartUpload."
                )));
            }
            rule.abort_upload = Some(UploadAbort::Days(relative(name)?));
        }
        _ => {
            rule.noncurrent = Some(NoncurrentExpiration {
                days: relative(name)?,
                newer_noncurrent_versions: None,
            });
        }
    }
    Ok(rule)
}

// --- writing ---------------------------------------------------------------------------------

/// One BOS action of a rule: its name, its time, and whether it removes lone delete markers.
struct Act {
    name: &'static str,
    time: Option<String>,
    marker: bool,
}

/// The actions of `r` BOS can state, in the order they are written.
fn actions(r: &Rule) -> Vec<Act> {
    let relative = |n: u32| Some(format!("{RELATIVE}{n}D"));
    let mut out = Vec::new();
    match r.expiration {
        Some(Expiration::Days(n)) => out.push(Act {
            name: DELETE_OBJECT,
            time: relative(n),
            marker: false,
        }),
        Some(Expiration::Date(t)) => out.push(Act {
            name: DELETE_OBJECT,
            time: Some(super::bos_time(t)),
            marker: false,
        }),
        Some(Expiration::CreatedBefore(_)) | None => {}
    }
    if r.expired_object_delete_marker {
        out.push(Act {
            name: DELETE_OBJECT,
            time: None,
            marker: true,
        });
    }
    if let Some(NoncurrentExpiration {
        days,
        newer_noncurrent_versions: None,
    }) = r.noncurrent
    {
        out.push(Act {
            name: NONCURRENT_DELETE,
            time: relative(days),
            marker: false,
        });
    }
    if let Some(UploadAbort::Days(n)) = r.abort_upload {
        out.push(Act {
            name: ABORT_MULTIPART_UPLOAD,
            time: relative(n),
            marker: false,
        });
    }
    out
}

fn glob(bucket: &str, prefix: &str) -> String {
    format!("{bucket}/{prefix}*")
}

fn tags_json(tags: &[(String, String)]) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// `r` as BOS rules (none when BOS can state none of its actions).
fn render_rule(bucket: &str, r: &Rule) -> Vec<Value> {
    let f = &r.filter;
    if f.size_less_than == Some(0) {
        // No object is smaller than 0 bytes: the rule never acts.
        return Vec::new();
    }
    let resource: Vec<String> = if f.prefixes.is_empty() {
        vec![glob(bucket, "")]
    } else {
        f.prefixes.iter().map(|p| glob(bucket, p)).collect()
    };
    let mut condition = Map::new();
    if !f.tags.is_empty() {
        condition.insert("tag".into(), tags_json(&f.tags));
    }
    if f.size_greater_than.is_some() || f.size_less_than.is_some() {
        let mut size = Map::new();
        if let Some(g) = f.size_greater_than {
            size.insert("minSize".into(), json!(g.saturating_add(1)));
        }
        if let Some(l) = f.size_less_than {
            size.insert("maxSize".into(), json!(l - 1));
        }
        condition.insert("objectSize".into(), Value::Object(size));
    }
    let not = f.not.as_ref().map(|n| {
        let mut m = Map::new();
        if !n.prefix.is_empty() || n.tags.is_empty() {
            m.insert("resource".into(), Value::String(glob(bucket, &n.prefix)));
        }
        if !n.tags.is_empty() {
            m.insert("tag".into(), tags_json(&n.tags));
        }
        Value::Object(m)
    });
    actions(r)
        .into_iter()
        .enumerate()
        .map(|(i, act)| {
            let id = if i == 0 {
                r.id.clone()
            } else {
                format!("{}-{}", r.id, act.name)
            };
            let mut condition = condition.clone();
            if let Some(t) = act.time {
                condition.insert("time".into(), json!({ "dateGreaterThan": t }));
            }
            let mut rule = json!({
                "id": id,
                "status": if r.enabled { "enabled" } else { "disabled" },
                "resource": resource,
                "condition": condition,
                "action": { "name": act.name },
            });
            if act.marker {
                rule[EXPIRED_OBJECT_DELETE_MARKER] = json!("true");
            }
            if let Some(not) = &not {
                rule["not"] = not.clone();
            }
            rule
        })
        .collect()
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
