//! The parts of a policy evaluated against request text: wildcard patterns (`*` and `?`) and the
//! condition operators, compiled at parse time into typed form (CIDRs, instants, numbers) so a
//! request only compares.

use std::cmp::Ordering;
use std::net::IpAddr;

use ipnet::IpNet;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use super::policy::{ConditionKeys, PolicyError};

fn malformed(message: impl Into<String>) -> PolicyError {
    PolicyError::Malformed(message.into())
}

/// Text a pattern is matched against, addressed byte by byte.
trait Subject {
    fn size(&self) -> usize;
    fn at(&self, i: usize) -> u8;
}

impl Subject for [u8] {
    fn size(&self) -> usize {
        self.len()
    }
    fn at(&self, i: usize) -> u8 {
        self[i]
    }
}

/// A resource as a policy names it: `bucket`, or `bucket/key` for an object, matched without
/// joining the two.
pub(crate) struct ResourcePath<'a> {
    pub bucket: &'a str,
    pub key: Option<&'a str>,
}

impl Subject for ResourcePath<'_> {
    fn size(&self) -> usize {
        self.bucket.len() + self.key.map_or(0, |k| k.len() + 1)
    }
    fn at(&self, i: usize) -> u8 {
        let bucket = self.bucket.as_bytes();
        match i.cmp(&bucket.len()) {
            Ordering::Less => bucket[i],
            Ordering::Equal => b'/',
            Ordering::Greater => self.key.unwrap_or_default().as_bytes()[i - bucket.len() - 1],
        }
    }
}

/// The length of the UTF-8 character that starts with `b` (1 for a stray continuation byte).
fn char_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Whether `subject` matches `pattern`, where `*` matches any run of characters (including
/// none) and `?` exactly one. The two-pointer algorithm: on a mismatch, go back to the last
/// `*` and let it take one more character; linear space, O(pattern × subject) time at worst.
fn glob<S: Subject + ?Sized>(pattern: &[u8], subject: &S, fold_ascii: bool) -> bool {
    let n = subject.size();
    let (mut p, mut s) = (0, 0);
    // After the last `*` seen: where the pattern resumes, and where the `*`'s match ends.
    let mut star: Option<(usize, usize)> = None;
    while s < n {
        if let Some(&c) = pattern.get(p) {
            let here = subject.at(s);
            if c == b'*' {
                star = Some((p + 1, s));
                p += 1;
                continue;
            }
            if c == b'?' {
                s = (s + char_len(here)).min(n);
                p += 1;
                continue;
            }
            if c == here || (fold_ascii && c.eq_ignore_ascii_case(&here)) {
                p += 1;
                s += 1;
                continue;
            }
        }
        let Some((resume, end)) = star else {
            return false;
        };
        let end = (end + char_len(subject.at(end))).min(n);
        star = Some((resume, end));
        p = resume;
        s = end;
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// Case-sensitive wildcard match.
pub(crate) fn glob_str(pattern: &str, text: &str) -> bool {
    glob(pattern.as_bytes(), text.as_bytes(), false)
}

/// Wildcard match ignoring ASCII case (action names).
pub(crate) fn glob_ignore_case(pattern: &str, text: &str) -> bool {
    glob(pattern.as_bytes(), text.as_bytes(), true)
}

/// Case-sensitive wildcard match of a resource pattern (`bucket` or `bucket/key-glob`).
pub(crate) fn glob_path(pattern: &str, path: &ResourcePath<'_>) -> bool {
    glob(pattern.as_bytes(), path, false)
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// The canonical name of a condition key: lowercase, OSS's names read as the S3 names the
/// request's [`ConditionKeys`] answer to.
pub(crate) fn canonical_key(key: &str) -> String {
    let lower = key.to_lowercase();
    let mapped = match lower.as_str() {
        "acs:sourceip" => "aws:sourceip",
        "acs:securetransport" => "aws:securetransport",
        "acs:currenttime" => "aws:currenttime",
        "acs:referer" => "aws:referer",
        "acs:useragent" => "aws:useragent",
        "acs:sourcevpc" => "aws:sourcevpc",
        "oss:prefix" => "s3:prefix",
        "oss:delimiter" => "s3:delimiter",
        "oss:versionid" => "s3:versionid",
        "oss:requestobjecttagkeys" => "s3:requestobjecttagkeys",
        _ => {
            // OSS's tag keys name the tag after a slash, as S3's do.
            for (oss, s3) in [
                ("oss:existingobjecttag/", "s3:existingobjecttag/"),
                ("oss:requestobjecttag/", "s3:requestobjecttag/"),
            ] {
                if let Some(tag) = lower.strip_prefix(oss) {
                    return format!("{s3}{tag}");
                }
            }
            return lower;
        }
    };
    mapped.to_owned()
}

/// Keys whose fixed values keep an Allow to everyone from being public ("the meaning of
/// public"); `bos:vpcid` is BOS's `vpcId` condition.
const PINNING_KEYS: [&str; 11] = [
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "bos:vpcid",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrMode {
    Exact,
    IgnoreCase,
    Like,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// Whether `request` compared with the policy's value satisfies the operator.
    fn holds(self, ord: Option<Ordering>) -> bool {
        match (self, ord) {
            (_, None) => false,
            (Cmp::Eq, Some(o)) => o == Ordering::Equal,
            (Cmp::Lt, Some(o)) => o == Ordering::Less,
            (Cmp::Le, Some(o)) => o != Ordering::Greater,
            (Cmp::Gt, Some(o)) => o == Ordering::Greater,
            (Cmp::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str(StrMode),
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Ip,
    Arn,
    Null,
}

/// The base operators: name, kind, negated. Each but `Null` also takes an `IfExists` suffix and
/// a `ForAnyValue:` or `ForAllValues:` qualifier (see `Operator::parse`).
const OPERATORS: [(&str, Kind, bool); 27] = [
    ("StringEquals", Kind::Str(StrMode::Exact), false),
    ("StringNotEquals", Kind::Str(StrMode::Exact), true),
    (
        "StringEqualsIgnoreCase",
        Kind::Str(StrMode::IgnoreCase),
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Kind::Str(StrMode::IgnoreCase),
        true,
    ),
    ("StringLike", Kind::Str(StrMode::Like), false),
    ("StringNotLike", Kind::Str(StrMode::Like), true),
    ("NumericEquals", Kind::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Kind::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Kind::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Kind::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Kind::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Kind::Numeric(Cmp::Ge), false),
    ("DateEquals", Kind::Date(Cmp::Eq), false),
    ("DateNotEquals", Kind::Date(Cmp::Eq), true),
    ("DateLessThan", Kind::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Kind::Date(Cmp::Le), false),
    ("DateGreaterThan", Kind::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Kind::Date(Cmp::Ge), false),
    ("Bool", Kind::Bool, false),
    ("BinaryEquals", Kind::Str(StrMode::Exact), false),
    ("IpAddress", Kind::Ip, false),
    ("NotIpAddress", Kind::Ip, true),
    ("ArnEquals", Kind::Arn, false),
    ("ArnLike", Kind::Arn, false),
    ("ArnNotEquals", Kind::Arn, true),
    ("ArnNotLike", Kind::Arn, true),
    ("Null", Kind::Null, false),
];

/// How a condition treats a key with several values (`ForAnyValue:`, `ForAllValues:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    AnyValue,
    AllValues,
}

struct Operator {
    kind: Kind,
    negated: bool,
    set: SetOp,
    if_exists: bool,
}

impl Operator {
    fn parse(name: &str) -> Result<Operator, PolicyError> {
        let unknown = || malformed(format!("unknown condition operator {name}"));
        let (set, rest) = match name.split_once(':') {
            None => (SetOp::Single, name),
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => (SetOp::AnyValue, rest),
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => (SetOp::AllValues, rest),
            Some(_) => return Err(unknown()),
        };
        let (base, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(cut)
                if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") =>
            {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        let &(_, kind, negated) = OPERATORS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(base))
            .ok_or_else(unknown)?;
        if kind == Kind::Null && (if_exists || set != SetOp::Single) {
            return Err(unknown());
        }
        Ok(Operator {
            kind,
            negated,
            set,
            if_exists,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StrPattern {
    text: String,
    mode: StrMode,
}

#[derive(Debug, Clone)]
enum Test {
    Str(Vec<StrPattern>),
    Numeric(Cmp, Vec<f64>),
    Date(Cmp, Vec<Timestamp>),
    Bool(Vec<bool>),
    Ip(Vec<IpNet>),
    Arn(Vec<String>),
    /// Holds when the key's absence is one of these.
    Null(Vec<bool>),
}

/// One compiled condition: an operator applied to one key, its values ORed.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    key: String,
    test: Test,
    negated: bool,
    set: SetOp,
    if_exists: bool,
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An instant: ISO 8601 (with an offset, or in UTC without one; a date alone is its midnight
/// UTC) or epoch seconds.
pub(crate) fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Timestamp::from_second(text.parse().ok()?).ok();
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let civil = text.parse::<jiff::civil::DateTime>().ok()?;
    TimeZone::UTC.to_timestamp(civil).ok()
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A CIDR block; a bare address is its own /32 or /128.
fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if text.contains('/') {
        text.parse().ok()
    } else {
        text.parse::<IpAddr>().ok().map(IpNet::from)
    }
}

/// ARN match: each of the six colon-separated parts matched on its own, wildcards allowed.
fn arn_match(pattern: &str, value: &str) -> bool {
    let (mut p, mut v) = (pattern.splitn(6, ':'), value.splitn(6, ':'));
    loop {
        match (p.next(), v.next()) {
            (Some(a), Some(b)) if glob_str(a, b) => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// A condition value list: a scalar or an array of scalars (strings, numbers, booleans).
fn scalar_values(value: &Value) -> Result<Vec<String>, PolicyError> {
    fn scalar(value: &Value) -> Result<String, PolicyError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(malformed(
                "condition values must be strings, numbers or booleans",
            )),
        }
    }
    match value {
        Value::Array(items) if items.is_empty() => Err(malformed("condition has no values")),
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

/// Parses a `Condition` element: `{operator: {key: value | [values]}}`, every key of every
/// operator ANDed.
pub(crate) fn parse_block(value: &Value) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(malformed("Condition must be an object"));
    };
    let mut out = Vec::new();
    for (name, body) in operators {
        let Value::Object(keys) = body else {
            return Err(malformed(format!("condition {name} must be an object")));
        };
        if keys.is_empty() {
            return Err(malformed(format!("condition {name} names no key")));
        }
        for (key, values) in keys {
            out.push(Condition::new(key, name, &scalar_values(values)?)?);
        }
    }
    Ok(out)
}

impl Condition {
    /// `operator` (any form: `StringLike`, `ForAnyValue:StringEqualsIfExists`, ...; names are
    /// matched ignoring case) on `key` with `values`.
    pub(crate) fn new(key: &str, operator: &str, values: &[String]) -> Result<Self, PolicyError> {
        let op = Operator::parse(operator)?;
        let bad = |v: &str| malformed(format!("invalid value {v:?} for condition {operator}"));
        let test = match op.kind {
            Kind::Str(mode) => Test::Str(
                values
                    .iter()
                    .map(|v| StrPattern {
                        text: v.clone(),
                        mode,
                    })
                    .collect(),
            ),
            Kind::Numeric(cmp) => Test::Numeric(
                cmp,
                values
                    .iter()
                    .map(|v| parse_number(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Date(cmp) => Test::Date(
                cmp,
                values
                    .iter()
                    .map(|v| parse_date(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Bool => Test::Bool(
                values
                    .iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Ip => Test::Ip(
                values
                    .iter()
                    .map(|v| parse_net(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Arn => Test::Arn(values.to_vec()),
            Kind::Null => Test::Null(
                values
                    .iter()
                    .map(|v| parse_bool(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(Condition {
            key: canonical_key(key),
            test,
            negated: op.negated,
            set: op.set,
            if_exists: op.if_exists,
        })
    }

    /// A string condition that holds when a value is `like` one pattern or equals one string
    /// (BOS's `referer` and `userAgent`).
    pub(crate) fn like_or_equals(key: &str, like: &[String], equals: &[String]) -> Self {
        let patterns = like
            .iter()
            .map(|t| (t, StrMode::Like))
            .chain(equals.iter().map(|t| (t, StrMode::Exact)))
            .map(|(text, mode)| StrPattern {
                text: text.clone(),
                mode,
            })
            .collect();
        Condition {
            key: canonical_key(key),
            test: Test::Str(patterns),
            negated: false,
            set: SetOp::Single,
            if_exists: false,
        }
    }

    /// Whether one request value matches one of the policy's values (before negation).
    fn matches(&self, value: &str) -> bool {
        match &self.test {
            Test::Str(patterns) => patterns.iter().any(|p| match p.mode {
                StrMode::Exact => p.text == value,
                StrMode::IgnoreCase => eq_ignore_case(&p.text, value),
                StrMode::Like => glob_str(&p.text, value),
            }),
            Test::Numeric(cmp, numbers) => parse_number(value)
                .is_some_and(|v| numbers.iter().any(|n| cmp.holds(v.partial_cmp(n)))),
            Test::Date(cmp, instants) => parse_date(value)
                .is_some_and(|v| instants.iter().any(|t| cmp.holds(Some(v.cmp(t))))),
            Test::Bool(bools) => parse_bool(value).is_some_and(|v| bools.contains(&v)),
            Test::Ip(nets) => value
                .trim()
                .parse::<IpAddr>()
                .is_ok_and(|ip| nets.iter().any(|n| n.contains(&ip.to_canonical()))),
            Test::Arn(patterns) => patterns.iter().any(|p| arn_match(p, value)),
            Test::Null(_) => false,
        }
    }

    /// Whether the condition holds for the request. A key without values is absent: `Null`
    /// tests that; `...IfExists` and `ForAllValues:` hold; negated operators hold (as AWS's
    /// do); the others fail.
    pub(crate) fn holds(&self, keys: &dyn ConditionKeys) -> bool {
        let values = keys.values(&self.key);
        if let Test::Null(want) = &self.test {
            return want.contains(&values.is_empty());
        }
        if values.is_empty() {
            return self.if_exists
                || match self.set {
                    SetOp::AllValues => true,
                    SetOp::AnyValue => false,
                    SetOp::Single => self.negated,
                };
        }
        let each = |v: &String| self.matches(v) != self.negated;
        match self.set {
            SetOp::AllValues => values.iter().all(each),
            SetOp::AnyValue => values.iter().any(each),
            SetOp::Single if self.negated => values.iter().all(each),
            SetOp::Single => values.iter().any(each),
        }
    }

    /// Whether the condition pins the statement to fixed values of a key that identifies the
    /// requester's source (so an Allow to `*` under it is not public): a positive operator,
    /// without `IfExists`, whose values have no wildcard (and CIDRs no broader than /8 for
    /// IPv4, /32 for IPv6).
    pub(crate) fn pins(&self) -> bool {
        if self.negated || self.if_exists || self.set == SetOp::AllValues {
            return false;
        }
        if !PINNING_KEYS.contains(&self.key.as_str()) {
            return false;
        }
        match &self.test {
            Test::Str(patterns) => patterns
                .iter()
                .all(|p| p.mode != StrMode::Like || !has_wildcard(&p.text)),
            Test::Arn(patterns) => patterns.iter().all(|p| !has_wildcard(p)),
            Test::Ip(nets) => nets.iter().all(|n| match n {
                IpNet::V4(n) => n.prefix_len() >= 8,
                IpNet::V6(n) => n.prefix_len() >= 32,
            }),
            _ => false,
        }
    }
}
