//! Browser uploads (POST Object in S3, PostObject in OSS and BOS): the POST policy document
//! and its conditions, and the signatures of the policy, the same in the three dialects but
//! for the signature's spelling.
//!
//! A policy is base64 of a JSON document: `{"expiration": "2026-12-07T12:00:00Z",
//! "conditions": [...]}`, each condition one of `{"field": "value"}` (exact match),
//! `["eq", "$field", "value"]`, `["starts-with", "$field", "prefix"]` (an empty prefix: any
//! value) and `["content-length-range", min, max]`. Field names and operators are compared
//! in any case (as S3 compares them, and s3-tests checks); values exactly. The signature is
//! the HMAC of the base64 text as sent (never of the decoded document).

use crate::date::parse_iso8601_seconds;
use crate::sigutil::hmac_sha256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde_json::Value;
use sha1::Sha1;
use subtle::ConstantTimeEq as _;

/// Why a policy, or the form it governs, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not base64 of a JSON object with an `expiration` date and a `conditions` list of
    /// well-formed conditions (400 in every dialect).
    #[error("Invalid Policy: {0}")]
    Malformed(String),
    /// Its `expiration` has passed (403).
    #[error("Invalid according to Policy: Policy expired.")]
    Expired,
    /// A condition does not hold for the form's field (403).
    #[error("Invalid according to Policy: Policy Condition failed: {0}")]
    ConditionFailed(String),
    /// A field of the form that no condition names (403, where every field must be named).
    #[error("Invalid according to Policy: Extra input fields: {0}")]
    ExtraField(String),
}

/// One condition of a policy. Field names are kept lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Eq { field: String, value: String },
    StartsWith { field: String, prefix: String },
    LengthRange { min: u64, max: u64 },
}

impl Condition {
    fn field(&self) -> Option<&str> {
        match self {
            Condition::Eq { field, .. } | Condition::StartsWith { field, .. } => Some(field),
            Condition::LengthRange { .. } => None,
        }
    }
}

/// A policy document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// When it stops being good, in Unix seconds.
    pub expiration: i64,
    pub conditions: Vec<Condition>,
}

/// The largest policy accepted, in bytes of its base64 text.
pub const MAX_POLICY: usize = 20 * 1024;

impl Policy {
    /// Reads the base64 text of a policy (the `policy` field as sent).
    pub fn parse(b64: &str) -> Result<Policy, PolicyError> {
        let bad = |why: &str| PolicyError::Malformed(why.to_owned());
        if b64.len() > MAX_POLICY {
            return Err(bad("the policy is too large"));
        }
        let cleaned: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let json = B64
            .decode(cleaned.as_bytes())
            .map_err(|_| bad("the policy is not base64"))?;
        let doc: Value =
            serde_json::from_slice(&json).map_err(|_| bad("the policy is not JSON"))?;
        let obj = doc
            .as_object()
            .ok_or_else(|| bad("the policy is not a JSON object"))?;
        let expiration = obj
            .get("expiration")
            .ok_or_else(|| bad("Policy missing expiration"))?
            .as_str()
            .and_then(parse_expiration)
            .ok_or_else(|| bad("Invalid Policy: Invalid 'expiration' value"))?;
        let list = obj
            .get("conditions")
            .ok_or_else(|| bad("Policy missing conditions"))?
            .as_array()
            .ok_or_else(|| bad("'conditions' is not a list"))?;
        let conditions = list
            .iter()
            .map(parse_condition)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            expiration,
            conditions,
        })
    }

    /// The policy must not have expired at `now` (Unix seconds).
    pub fn check_time(&self, now: i64) -> Result<(), PolicyError> {
        if now >= self.expiration {
            return Err(PolicyError::Expired);
        }
        Ok(())
    }

    /// Checks the form's fields (names in any case; values as sent) against the conditions:
    /// every condition must hold (a condition on a field the form lacks fails), and, as
    /// `rules` say, every field must be named by some condition.
    pub fn check_fields<'a>(
        &self,
        fields: impl Iterator<Item = (&'a str, &'a str)> + Clone,
        rules: &Rules<'_>,
    ) -> Result<(), PolicyError> {
        let value_of = |name: &str| {
            fields
                .clone()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        for c in &self.conditions {
            let ok = match c {
                Condition::Eq { field, value } if rules.globs && value.contains('*') => {
                    value_of(field).is_some_and(|v| glob(value, v))
                }
                Condition::Eq { field, value } => value_of(field) == Some(value.as_str()),
                Condition::StartsWith { field, prefix } => {
                    value_of(field).is_some_and(|v| starts_with(field, v, prefix))
                }
                Condition::LengthRange { .. } => true,
            };
            if !ok {
                return Err(PolicyError::ConditionFailed(describe(c)));
            }
        }
        if rules.every_field {
            for (name, _) in fields {
                let lower = name.to_ascii_lowercase();
                if (rules.exempt)(&lower) {
                    continue;
                }
                if !self.conditions.iter().any(|c| c.field() == Some(&lower)) {
                    return Err(PolicyError::ExtraField(name.to_owned()));
                }
            }
        }
        Ok(())
    }

    /// The sizes the file may have: the intersection of the `content-length-range`
    /// conditions, if any.
    pub fn length_range(&self) -> Option<(u64, u64)> {
        self.conditions.iter().fold(None, |acc, c| match c {
            Condition::LengthRange { min, max } => Some(match acc {
                None => (*min, *max),
                Some((lo, hi)) => (lo.max(*min), hi.min(*max)),
            }),
            _ => acc,
        })
    }
}

/// What a dialect asks of a form beyond its policy's conditions.
pub struct Rules<'a> {
    /// Every field must be named by a condition (S3), but those `exempt` says (lower case)
    /// need not.
    pub every_field: bool,
    pub exempt: &'a dyn Fn(&str) -> bool,
    /// An exact-match condition's `*` matches any run of characters (BOS: `{"key": "ab*"}`).
    pub globs: bool,
}

/// Whether `value` matches `pattern`, whose `*` match any run of characters.
fn glob(pattern: &str, value: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// `starts-with`: the value begins with the prefix. For `Content-Type`, a list of types
/// (comma separated) must each begin with it, as S3 documents.
fn starts_with(field: &str, value: &str, prefix: &str) -> bool {
    if field == "content-type" {
        value.split(',').all(|v| v.trim().starts_with(prefix))
    } else {
        value.starts_with(prefix)
    }
}

fn describe(c: &Condition) -> String {
    match c {
        Condition::Eq { field, value } => format!("[\"eq\", \"${field}\", \"{value}\"]"),
        Condition::StartsWith { field, prefix } => {
            format!("[\"starts-with\", \"${field}\", \"{prefix}\"]")
        }
        Condition::LengthRange { min, max } => format!("[\"content-length-range\", {min}, {max}]"),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, or with milliseconds (`.000Z`), in Unix seconds.
fn parse_expiration(s: &str) -> Option<i64> {
    let plain = match s.len() {
        20 => s.to_owned(),
        24 if s.as_bytes()[19] == b'.'
            && s[20..23].bytes().all(|b| b.is_ascii_digit())
            && s.ends_with('Z') =>
        {
            format!("{}Z", &s[..19])
        }
        _ => return None,
    };
    parse_iso8601_seconds(&plain).map(|t| t.as_second())
}

fn parse_condition(v: &Value) -> Result<Condition, PolicyError> {
    let bad = |why: String| PolicyError::Malformed(why);
    match v {
        Value::Object(map) => {
            let mut entries = map.iter();
            let (Some((field, value)), None) = (entries.next(), entries.next()) else {
                return Err(bad(format!("a condition must name one field: {v}")));
            };
            let value = scalar(value).ok_or_else(|| bad(format!("bad condition value: {v}")))?;
            Ok(Condition::Eq {
                field: field.trim_start_matches('$').to_ascii_lowercase(),
                value,
            })
        }
        Value::Array(items) => {
            let op = items
                .first()
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("bad condition: {v}")))?
                .to_ascii_lowercase();
            match op.as_str() {
                "eq" | "starts-with" => {
                    let [_, Value::String(field), value] = items.as_slice() else {
                        return Err(bad(format!("bad condition: {v}")));
                    };
                    let field = field
                        .strip_prefix('$')
                        .ok_or_else(|| bad(format!("a condition's field starts with '$': {v}")))?
                        .to_ascii_lowercase();
                    let value =
                        scalar(value).ok_or_else(|| bad(format!("bad condition value: {v}")))?;
                    Ok(if op == "eq" {
                        Condition::Eq { field, value }
                    } else {
                        Condition::StartsWith {
                            field,
                            prefix: value,
                        }
                    })
                }
                "content-length-range" => {
                    let [_, min, max] = items.as_slice() else {
                        return Err(bad(format!("content-length-range takes two numbers: {v}")));
                    };
                    let (Some(min), Some(max)) = (length(min), length(max)) else {
                        return Err(bad(format!("bad content-length-range: {v}")));
                    };
                    Ok(Condition::LengthRange { min, max })
                }
                _ => Err(bad(format!("unknown condition: {v}"))),
            }
        }
        _ => Err(bad(format!("bad condition: {v}"))),
    }
}

/// A condition's value: a string, or a number written as one (`"201"` or `201`).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A size bound: a non-negative integer, or a string of one.
fn length(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// base64(HMAC-SHA1(secret, policy)): S3's V2 POST signature and OSS's V1.
pub fn hmac_sha1_base64(secret: &str, policy: &str) -> String {
    let mut mac =
        <Hmac<Sha1>>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(policy.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// hex(HMAC-SHA256(key, policy)): the V4 POST signatures (S3, OSS) with the scope's signing
/// key, and BOS's with the secret itself.
pub fn hmac_sha256_hex(key: &[u8], policy: &str) -> String {
    crate::sigutil::hex_lower(&hmac_sha256(key, policy.as_bytes()))
}

/// Constant-time comparison of an expected signature with the one sent.
pub fn signature_matches(expected: &str, provided: &str) -> bool {
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
