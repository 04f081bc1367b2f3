//! S3 lifecycle: PutBucketLifecycleConfiguration (and the older PutBucketLifecycle, whose
//! rules carry their `Prefix` directly under `Rule`), GetBucketLifecycleConfiguration,
//! DeleteBucketLifecycle (`?lifecycle`), and the `x-amz-expiration` header of the responses
//! to writes and reads of an object an expiration rule applies to.
//!
//! The rules, their validation and the executor are the core's
//! ([`strata_core::lifecycle`]); this module reads and writes S3's XML. What S3's schema
//! refuses (an unknown or repeated element, a `Filter` with more than one predicate, an `And`
//! with fewer than two, a `Status` other than `Enabled`/`Disabled`, a missing `Status`) is
//! MalformedXML; a bad number of days or a `Date` that is not midnight UTC is InvalidArgument,
//! as AWS answers. Transitions are read (so a malformed one is refused like AWS refuses it)
//! and then refused with 501: Strata has no storage classes to move objects to.

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::http_date;
use crate::listing::S3;
use crate::objhttp::set;
use crate::xml::{Element, Xml, parse, url_encode};
use hyper::{Response, StatusCode};
use jiff::Timestamp;
use strata_core::CoreError;
use strata_core::lifecycle::{
    Expiration, Filter, NoncurrentExpiration, Rule, UploadAbort, validate,
};

/// The most elements a configuration may have (1000 rules of a few filters and actions each).
const MAX_ELEMENTS: usize = 64 * 1024;

const DAY_MS: i64 = 86_400_000;

/// The storage classes a transition may name (botocore's `TransitionStorageClass`).
const STORAGE_CLASSES: [&str; 6] = [
    "GLACIER",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
];

fn malformed<T>() -> Result<T, S3Error> {
    Err(S3Error::malformed_xml())
}

/// Sets `slot` once; an element given twice is MalformedXML.
fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), S3Error> {
    if slot.is_some() {
        return malformed();
    }
    *slot = Some(value);
    Ok(())
}

/// An element's text as given (an ID, a prefix, a tag): only characters XML 1.0 allows, so
/// a rule stored reads back from what GET writes (a strict parser refuses a document with
/// others as not well-formed: MalformedXML).
fn text(e: &Element) -> Result<String, S3Error> {
    let xml_char = |c: char| c >= ' ' || matches!(c, '\t' | '\n' | '\r');
    if e.text
        .chars()
        .all(|c| xml_char(c) && c != '\u{FFFE}' && c != '\u{FFFF}')
    {
        Ok(e.text.clone())
    } else {
        malformed()
    }
}

/// A whole number (any amount of surrounding whitespace); anything else is MalformedXML.
fn integer(e: &Element) -> Result<i64, S3Error> {
    e.text
        .trim()
        .parse::<i64>()
        .map_err(|_| S3Error::malformed_xml())
}

/// A number of days that must be positive (`action` names its action in AWS's message).
fn positive_days(e: &Element, action: &str) -> Result<u32, S3Error> {
    let n = integer(e)?;
    if n <= 0 {
        return Err(S3Error::invalid_argument(format!(
            "'{}' for {action} action must be a positive integer",
            e.name
        )));
    }
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// An object size: a whole number of bytes, not negative.
fn size(e: &Element) -> Result<u64, S3Error> {
    u64::try_from(integer(e)?).map_err(|_| {
        S3Error::invalid_argument(format!("'{}' should be a non-negative integer", e.name))
    })
}

/// An XML boolean (`true`, `false`, `1`, `0`).
fn boolean(e: &Element) -> Result<bool, S3Error> {
    match e.text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => malformed(),
    }
}

/// A lifecycle `Date`: ISO 8601's extended date and time (with an offset, or without one
/// read as UTC), at midnight UTC, as Unix milliseconds. Anything else (a date alone, the
/// basic format) is InvalidArgument, with AWS's messages.
pub(crate) fn parse_date(text: &str) -> Result<i64, S3Error> {
    let text = text.trim();
    let extended = text.get(4..5) == Some("-") && text.get(10..11) == Some("T");
    let ms = match text.parse::<Timestamp>() {
        Ok(t) if extended => t.as_millisecond(),
        _ => Some(text)
            .filter(|_| extended)
            .and_then(|t| t.parse::<jiff::civil::DateTime>().ok())
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp().as_millisecond())
            .ok_or_else(|| S3Error::invalid_argument("'Date' must be in ISO 8601 format"))?,
    };
    if ms.rem_euclid(DAY_MS) != 0 {
        return Err(S3Error::invalid_argument("'Date' must be at midnight GMT"));
    }
    Ok(ms)
}

/// `<Tag><Key>k</Key><Value>v</Value></Tag>`.
fn parse_tag(e: &Element) -> Result<(String, String), S3Error> {
    let (mut key, mut value) = (None, None);
    for c in &e.children {
        match c.name.as_str() {
            "Key" => once(&mut key, text(c)?)?,
            "Value" => once(&mut value, text(c)?)?,
            _ => return malformed(),
        }
    }
    match (key, value) {
        (Some(k), Some(v)) => Ok((k, v)),
        _ => malformed(),
    }
}

/// A `Filter`: empty (every object), one of `Prefix`, `Tag`, `ObjectSizeGreaterThan`,
/// `ObjectSizeLessThan`, or `And` (which holds at least two of them, tags repeated). All of
/// them must hold.
///
/// Besides AWS's form, predicates side by side without `And`, or beside it, are read as the
/// one conjunction they state, as Ceph's RGW reads them and ceph/s3-tests sends them (AWS
/// refuses that form as MalformedXML): `<Prefix>days1/</Prefix><Tag>…</Tag><And>…</And>`
/// holds when all of its prefixes and tags do. Prefixes that cannot all hold (neither starts
/// with the other) are MalformedXML; so is a size bound given twice.
fn parse_filter(e: &Element) -> Result<Filter, S3Error> {
    let mut f = Filter::default();
    let mut prefixes: Vec<String> = Vec::new();
    let (mut gt, mut lt) = (None, None);
    let mut read = |c: &Element, f: &mut Filter| -> Result<(), S3Error> {
        match c.name.as_str() {
            "Prefix" => prefixes.push(text(c)?),
            "Tag" => f.tags.push(parse_tag(c)?),
            "ObjectSizeGreaterThan" => once(&mut gt, size(c)?)?,
            "ObjectSizeLessThan" => once(&mut lt, size(c)?)?,
            _ => return malformed(),
        }
        Ok(())
    };
    let mut and = None;
    for c in &e.children {
        match c.name.as_str() {
            "And" => once(&mut and, c)?,
            _ => read(c, &mut f)?,
        }
    }
    let outer = e.children.len() - usize::from(and.is_some());
    if let Some(and) = and {
        for c in &and.children {
            read(c, &mut f)?;
        }
        // AWS's own form: an `And` alone holds at least two predicates.
        if outer == 0 && and.children.len() < 2 {
            return malformed();
        }
    }
    // The longest prefix, when every other one starts it (else no key has them all).
    prefixes.sort_by_key(String::len);
    if let Some(longest) = prefixes.last() {
        if !prefixes.iter().all(|p| longest.starts_with(p.as_str())) {
            return malformed();
        }
        f.prefixes.push(longest.clone());
    }
    (f.size_greater_than, f.size_less_than) = (gt, lt);
    if let (Some(gt), Some(lt)) = (f.size_greater_than, f.size_less_than)
        && gt >= lt
    {
        return Err(S3Error::invalid_argument(
            "ObjectSizeGreaterThan must be less than ObjectSizeLessThan",
        ));
    }
    let mut keys: Vec<&str> = f.tags.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(S3Error::invalid_argument(
            "Duplicate Tag Keys are not allowed.",
        ));
    }
    Ok(f)
}

/// `Expiration`: `Days` or `Date` (not both), or `ExpiredObjectDeleteMarker` (which the core
/// refuses beside either).
fn parse_expiration(e: &Element) -> Result<(Option<Expiration>, bool), S3Error> {
    let (mut days, mut date, mut marker) = (None, None, None);
    for c in &e.children {
        match c.name.as_str() {
            "Days" => once(&mut days, positive_days(c, "Expiration")?)?,
            "Date" => once(&mut date, parse_date(&c.text)?)?,
            "ExpiredObjectDeleteMarker" => once(&mut marker, boolean(c)?)?,
            _ => return malformed(),
        }
    }
    let expiration = match (days, date) {
        (Some(_), Some(_)) => return malformed(),
        (Some(n), None) => Some(Expiration::Days(n)),
        (None, Some(t)) => Some(Expiration::Date(t)),
        (None, None) if marker.is_none() => return malformed(),
        (None, None) => None,
    };
    Ok((expiration, marker.unwrap_or(false)))
}

/// `NoncurrentVersionExpiration`: `NoncurrentDays`, and optionally `NewerNoncurrentVersions`
/// (its bounds are the core's).
fn parse_noncurrent(e: &Element) -> Result<NoncurrentExpiration, S3Error> {
    let (mut days, mut newer) = (None, None);
    for c in &e.children {
        match c.name.as_str() {
            "NoncurrentDays" => once(&mut days, positive_days(c, "NoncurrentVersionExpiration")?)?,
            "NewerNoncurrentVersions" => once(
                &mut newer,
                u32::try_from(integer(c)?.clamp(0, i64::from(u32::MAX))).unwrap_or(0),
            )?,
            _ => return malformed(),
        }
    }
    Ok(NoncurrentExpiration {
        days: days.ok_or_else(S3Error::malformed_xml)?,
        newer_noncurrent_versions: newer,
    })
}

/// `AbortIncompleteMultipartUpload`: `DaysAfterInitiation`.
fn parse_abort(e: &Element) -> Result<UploadAbort, S3Error> {
    match e.children.as_slice() {
        [d] if d.name == "DaysAfterInitiation" => Ok(UploadAbort::Days(positive_days(
            d,
            "AbortIncompleteMultipartUpload",
        )?)),
        _ => malformed(),
    }
}

/// A `Transition` or `NoncurrentVersionTransition`, checked as AWS checks it (its days, its
/// date, its storage class), though never accepted.
fn check_transition(e: &Element) -> Result<(), S3Error> {
    let noncurrent = e.name == "NoncurrentVersionTransition";
    let (mut when, mut class, mut newer) = (None, None, None);
    for c in &e.children {
        match c.name.as_str() {
            "Days" if !noncurrent => once(&mut when, integer(c)?)?,
            "NoncurrentDays" if noncurrent => once(&mut when, integer(c)?)?,
            "Date" if !noncurrent => once(&mut when, parse_date(&c.text).map(|_| 0)?)?,
            "NewerNoncurrentVersions" if noncurrent => once(&mut newer, integer(c)?)?,
            "StorageClass" => once(&mut class, c.text.trim())?,
            _ => return malformed(),
        }
    }
    if !class.is_some_and(|c| STORAGE_CLASSES.contains(&c)) {
        return malformed();
    }
    match when {
        None => malformed(),
        Some(n) if n < 0 => Err(S3Error::invalid_argument(
            "'Days' in Transition action must be nonnegative",
        )),
        Some(_) => Ok(()),
    }
}

/// One `Rule`. `transitions` is set when it holds a transition.
fn parse_rule(e: &Element, transitions: &mut bool) -> Result<Rule, S3Error> {
    let (mut id, mut prefix, mut filter, mut status) = (None, None, None, None);
    let (mut expiration, mut noncurrent, mut abort) = (None, None, None);
    for c in &e.children {
        match c.name.as_str() {
            "ID" => once(&mut id, text(c)?)?,
            "Prefix" => once(&mut prefix, text(c)?)?,
            "Filter" => once(&mut filter, parse_filter(c)?)?,
            "Status" => once(
                &mut status,
                match c.text.trim() {
                    "Enabled" => true,
                    "Disabled" => false,
                    _ => return malformed(),
                },
            )?,
            "Expiration" => once(&mut expiration, parse_expiration(c)?)?,
            "NoncurrentVersionExpiration" => once(&mut noncurrent, parse_noncurrent(c)?)?,
            "AbortIncompleteMultipartUpload" => once(&mut abort, parse_abort(c)?)?,
            "Transition" | "NoncurrentVersionTransition" => {
                check_transition(c)?;
                *transitions = true;
            }
            _ => return malformed(),
        }
    }
    let (filter, legacy_prefix) = match (filter, prefix) {
        (Some(f), None) => (f, false),
        (None, Some(p)) => (Filter::prefix(p), true),
        _ => return malformed(),
    };
    let (expiration, expired_object_delete_marker) = expiration.unwrap_or((None, false));
    Ok(Rule {
        id: id.unwrap_or_default(),
        enabled: status.ok_or_else(S3Error::malformed_xml)?,
        filter,
        expiration,
        expired_object_delete_marker,
        noncurrent,
        abort_upload: abort,
        legacy_prefix,
    })
}

/// Reads a lifecycle configuration (`<LifecycleConfiguration>` of `Rule`s, in either form)
/// into the rules as the bucket would keep them: validated by the core's rules, IDs given to
/// the rules without one. A configuration with a transition is refused with 501 once the
/// whole document has been read.
pub fn parse_rules(body: &[u8]) -> Result<Vec<Rule>, S3Error> {
    let doc = parse(body, MAX_ELEMENTS).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "LifecycleConfiguration" {
        return malformed();
    }
    let mut transitions = false;
    let mut rules = Vec::with_capacity(doc.children.len());
    for c in &doc.children {
        if c.name != "Rule" {
            return malformed();
        }
        rules.push(parse_rule(c, &mut transitions)?);
    }
    if rules.is_empty() {
        return malformed();
    }
    if transitions {
        return Err(S3Error::not_implemented(
            "Lifecycle transitions (Transition, NoncurrentVersionTransition)",
        ));
    }
    validate(&mut rules).map_err(CoreError::Lifecycle)?;
    Ok(rules)
}

/// A rule's filter, in the form it was given: `<Filter>` with nothing, one predicate, or
/// `<And>` of several.
fn write_filter(x: &mut Xml, f: &Filter) {
    let predicates = f.prefixes.len()
        + f.tags.len()
        + usize::from(f.size_greater_than.is_some())
        + usize::from(f.size_less_than.is_some());
    x.open("Filter");
    if predicates > 1 {
        x.open("And");
    }
    for p in &f.prefixes {
        x.leaf("Prefix", p);
    }
    for (k, v) in &f.tags {
        x.open("Tag").leaf("Key", k).leaf("Value", v).close();
    }
    if let Some(n) = f.size_greater_than {
        x.leaf("ObjectSizeGreaterThan", &n.to_string());
    }
    if let Some(n) = f.size_less_than {
        x.leaf("ObjectSizeLessThan", &n.to_string());
    }
    if predicates > 1 {
        x.close();
    }
    x.close();
}

/// The configuration as GetBucketLifecycleConfiguration answers it: every rule with its ID,
/// its filter (or its older `Prefix`), its status and actions, in AWS's element order. What
/// S3 cannot express of a configuration put through another dialect (OSS's exclusions and
/// created-before dates) is left out.
pub fn write_rules(rules: &[Rule]) -> String {
    let mut x = Xml::new("LifecycleConfiguration", S3.root_attrs);
    for r in rules {
        x.open("Rule");
        x.leaf("ID", &r.id);
        if r.legacy_prefix {
            x.leaf(
                "Prefix",
                r.filter.prefixes.first().map_or("", String::as_str),
            );
        } else {
            write_filter(&mut x, &r.filter);
        }
        x.leaf("Status", if r.enabled { "Enabled" } else { "Disabled" });
        match r.expiration {
            Some(Expiration::Days(n)) => {
                x.open("Expiration").leaf("Days", &n.to_string()).close();
            }
            Some(Expiration::Date(ms)) => {
                let t = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MAX);
                let date = strata_wire::date::iso8601_millis(t);
                x.open("Expiration").leaf("Date", &date).close();
            }
            Some(Expiration::CreatedBefore(_)) | None => {}
        }
        if r.expired_object_delete_marker {
            x.open("Expiration")
                .leaf("ExpiredObjectDeleteMarker", "true")
                .close();
        }
        if let Some(nc) = r.noncurrent {
            x.open("NoncurrentVersionExpiration")
                .leaf("NoncurrentDays", &nc.days.to_string());
            if let Some(n) = nc.newer_noncurrent_versions {
                x.leaf("NewerNoncurrentVersions", &n.to_string());
            }
            x.close();
        }
        if let Some(UploadAbort::Days(n)) = r.abort_upload {
            x.open("AbortIncompleteMultipartUpload")
                .leaf("DaysAfterInitiation", &n.to_string())
                .close();
        }
        x.close();
    }
    x.finish()
}

/// The value of `x-amz-expiration`: the expiry as an HTTP date and the rule's ID,
/// URL-encoded.
pub fn expiration_header(expiry_ms: i64, rule_id: &str) -> String {
    format!(
        "expiry-date=\"{}\", rule-id=\"{}\"",
        http_date(expiry_ms),
        url_encode(rule_id)
    )
}

/// `x-amz-expiration` on a response about the current object of `key` (written at
/// `last_modified_ms`, `size` bytes, carrying `tags`), when an enabled expiration rule
/// applies to it. The header is advice: when the rules cannot be read, it is left out.
pub(super) fn set_expiration(
    ctx: &Ctx<'_>,
    resp: &mut Response<Body>,
    key: &str,
    (last_modified_ms, size): (i64, u64),
    tags: &strata_core::tagging::Tags,
) {
    let Ok(bucket) = ctx.bucket() else { return };
    let due = ctx.read(ExpirationOf {
        bucket,
        key,
        last_modified_ms,
        size,
        tags,
    });
    if let Ok(Some((expiry_ms, rule_id))) = due {
        set(
            resp,
            "x-amz-expiration",
            &expiration_header(expiry_ms, &rule_id),
        );
    }
}

pub(super) fn get(ctx: &Ctx<'_>) -> S3Result {
    let rules = ctx.read(GetLifecycle(ctx.bucket()?))?;
    Ok(xml(StatusCode::OK, write_rules(&rules)))
}

/// Put requires a digest of its body (Content-MD5 or an `x-amz-checksum-*`), as AWS does.
pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    super::lock::require_config_digest(ctx)?;
    let bytes = ctx.read_document(body).await?;
    let rules = parse_rules(&bytes)?;
    ctx.run(PutLifecycle { bucket, rules }).await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> S3Result {
    ctx.run(DeleteLifecycle(ctx.bucket()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
