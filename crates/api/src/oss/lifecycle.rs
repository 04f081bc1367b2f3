//! A bucket's lifecycle configuration (`?lifecycle`): PutBucketLifecycle, GetBucketLifecycle,
//! DeleteBucketLifecycle, and the `x-oss-expiration` header of GET and HEAD.
//!
//! OSS's `<LifecycleConfiguration>` reads into the core's rules
//! ([`strata_core::lifecycle::Rule`]): a rule's `Prefix` sits directly under `Rule` (absent
//! or empty: the whole bucket), its `Tag`s are ANDed, and its `Filter` holds only one `Not`
//! (a prefix and at most one tag excluded) and the object-size bounds. `Expiration` is
//! `Days`, `CreatedBeforeDate` (objects last modified before that midnight expire at once),
//! the older `Date` (every object expires from that midnight on) or
//! `ExpiredObjectDeleteMarker`, a boolean in any case (oss2 writes Python's `True`);
//! `AbortMultipartUpload` is `Days` or `CreatedBeforeDate`; `NoncurrentVersionExpiration`
//! is `NoncurrentDays`. Dates are ISO 8601 at midnight UTC, written back as
//! `2016-12-25T00:00:00.000Z`.
//!
//! What OSS refuses and the core does not know is checked here: an `Expiration` that asks
//! for nothing, `ExpiredObjectDeleteMarker` beside a date or days, dates not at midnight,
//! `Not` beside `AbortMultipartUpload`, both size bounds beside `AbortMultipartUpload` or
//! `ExpiredObjectDeleteMarker`, tags of characters OSS does not allow, IDs of more than 255
//! bytes, and two rules with overlapping prefixes and the same action type ("Overlap for
//! same action type Expiration"), which the header `x-oss-allow-same-action-overlap: true`
//! permits except for `AbortMultipartUpload`, whose rules may never overlap. The rest (rule
//! count, unique IDs, days of at least 1, tags beside the abort of uploads) is the core's
//! [`strata_core::lifecycle::validate`]. Storage-class transitions (`Transition`,
//! `NoncurrentVersionTransition`) are not carried out, so a configuration that asks for one
//! is refused whole with 501 NotImplemented, as is more than one `Not` in a rule (an
//! invitation-only feature at Alibaba).

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::{http_date, iso8601};
use crate::xml::{Element, Xml};
use hyper::StatusCode;
use strata_core::lifecycle::{
    Exclusion, Expiration, Filter, NoncurrentExpiration, Rule, UploadAbort,
};
use strata_core::{CoreError, KeyRules, ObjectVersion};

/// The header that lets two rules with overlapping prefixes share an action type.
const ALLOW_OVERLAP: &str = "x-oss-allow-same-action-overlap";
/// The most elements a configuration document may hold (the body limit binds first).
const MAX_ELEMENTS: usize = 40_000;
/// The longest rule ID OSS takes, in bytes.
const MAX_ID_BYTES: usize = 255;
/// Object-size bounds: below 5 TiB (greater-than) and at most 5 TiB (less-than).
const MAX_SIZE: u64 = 5 * 1024 * 1024 * 1024 * 1024;
const DAY_MS: i64 = 86_400_000;

/// `PUT /?lifecycle`: replaces the configuration; 200.
pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let bytes = ctx.read_document(body).await?;
    let allow_overlap = ctx
        .req
        .header(ALLOW_OVERLAP)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let rules = parse(&bytes, allow_overlap)?;
    ctx.run(PutLifecycle { bucket, rules }).await?;
    Ok(empty(StatusCode::OK))
}

/// `GET /?lifecycle`: the rules as stored; none is 404 `NoSuchLifecycle`.
pub(super) fn get(ctx: &Ctx<'_>) -> OssResult {
    let rules = ctx.read(GetLifecycle(ctx.bucket()?))?;
    Ok(xml(StatusCode::OK, render(&rules)))
}

/// `DELETE /?lifecycle`: 204, also when the bucket has no configuration.
pub(super) async fn delete(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.run(DeleteLifecycle(bucket)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `x-oss-expiration` of a GET or HEAD of the current object (no `versionId`):
/// `expiry-date="Sun, 23 Jun 2025 00:00:00 GMT", rule-id="ID"` when an enabled expiration
/// rule applies (the rule ID percent-encoded, as S3 writes it, so any ID makes a valid
/// header). `None` when none does; the header is advice, so a failed read only leaves it out.
pub(super) fn expiration_header(ctx: &Ctx<'_>, v: &ObjectVersion) -> Option<String> {
    if ctx.req.query("versionId").is_some() {
        return None;
    }
    let (expiry_ms, rule_id) = ctx
        .read(ExpirationOf {
            bucket: ctx.bucket().ok()?,
            key: &v.key,
            last_modified_ms: v.last_modified_ms,
            size: v.data.size,
            tags: &v.data.tags,
        })
        .ok()??;
    Some(format!(
        "expiry-date=\"{}\", rule-id=\"{}\"",
        http_date(expiry_ms),
        crate::xml::url_encode(&rule_id)
    ))
}

/// The rules an OSS `<LifecycleConfiguration>` document gives, checked as PutBucketLifecycle
/// checks them without `x-oss-allow-same-action-overlap` (IDs generated where missing):
/// what `strata lifecycle preview` reads.
pub fn parse_rules(body: &[u8]) -> Result<Vec<Rule>, OssError> {
    parse(body, false)
}

/// [`parse_rules`], with overlapping prefixes of one action type allowed or not.
fn parse(body: &[u8], allow_overlap: bool) -> Result<Vec<Rule>, OssError> {
    let doc = crate::xml::parse(body, MAX_ELEMENTS).map_err(|_| malformed())?;
    if doc.name != "LifecycleConfiguration" {
        return Err(malformed());
    }
    if doc.children.iter().any(|c| c.name != "Rule") {
        return Err(malformed());
    }
    let rule_elements: Vec<&Element> = doc.children("Rule").collect();
    if rule_elements.is_empty() {
        return Err(malformed());
    }
    // A transition anywhere refuses the whole configuration, before anything else is judged.
    for el in &rule_elements {
        for name in ["Transition", "NoncurrentVersionTransition"] {
            if el.child(name).is_some() {
                return Err(OssError::not_implemented(&format!(
                    "Lifecycle storage-class transitions ({name})"
                )));
            }
        }
    }
    let mut rules = rule_elements
        .into_iter()
        .map(parse_rule)
        .collect::<Result<Vec<_>, _>>()?;
    check_overlap(&rules, allow_overlap)?;
    strata_core::lifecycle::validate(&mut rules).map_err(|e| OssError::from(CoreError::from(e)))?;
    Ok(rules)
}

fn malformed() -> OssError {
    OssError::malformed_xml(
        "The XML you provided was not well-formed or did not validate against our published schema.",
    )
}

/// The one child `name` of `el`, if any; more than one is malformed.
fn single<'a>(el: &'a Element, name: &str) -> Result<Option<&'a Element>, OssError> {
    let mut found = el.children.iter().filter(|c| c.name == name);
    let first = found.next();
    if found.next().is_some() {
        return Err(malformed());
    }
    Ok(first)
}

/// Every child of `el` is one of `allowed`.
fn only(el: &Element, allowed: &[&str]) -> Result<(), OssError> {
    if el
        .children
        .iter()
        .all(|c| allowed.contains(&c.name.as_str()))
    {
        Ok(())
    } else {
        Err(malformed())
    }
}

fn parse_rule(el: &Element) -> Result<Rule, OssError> {
    only(
        el,
        &[
            "ID",
            "Prefix",
            "Status",
            "Expiration",
            "AbortMultipartUpload",
            "Tag",
            "NoncurrentVersionExpiration",
            "Filter",
            // When access tracking began (for access-time transitions, refused above).
            "AtimeBase",
        ],
    )?;
    let id = single(el, "ID")?
        .map(|e| e.text.clone())
        .unwrap_or_default();
    if id.len() > MAX_ID_BYTES {
        return Err(OssError::invalid_argument(format!(
            "The rule ID is at most {MAX_ID_BYTES} bytes."
        )));
    }
    let prefix = single(el, "Prefix")?
        .map(|e| e.text.clone())
        .unwrap_or_default();
    check_prefix(&prefix)?;
    let enabled = match single(el, "Status")?.map(|e| e.text.trim()) {
        Some("Enabled") => true,
        Some("Disabled") => false,
        _ => return Err(malformed()),
    };
    let tags = el
        .children("Tag")
        .map(parse_tag)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((k, _)) = tags
        .iter()
        .enumerate()
        .find_map(|(i, t)| tags[..i].iter().find(|u| u.0 == t.0))
    {
        return Err(OssError::invalid_argument(format!(
            "The tag key {k:?} is given more than once in a rule."
        )));
    }
    let (expiration, marker) = match single(el, "Expiration")? {
        Some(e) => parse_expiration(e)?,
        None => (None, false),
    };
    let abort_upload = single(el, "AbortMultipartUpload")?
        .map(parse_abort)
        .transpose()?;
    let noncurrent = single(el, "NoncurrentVersionExpiration")?
        .map(parse_noncurrent)
        .transpose()?;
    let mut filter = match single(el, "Filter")? {
        Some(f) => parse_filter(f)?,
        None => Filter::default(),
    };
    if let Some(not) = &filter.not {
        if abort_upload.is_some() {
            return Err(OssError::invalid_argument(
                "AbortMultipartUpload cannot be specified in a rule whose Filter has Not.",
            ));
        }
        if let Some((k, _)) = not
            .tags
            .iter()
            .find(|(k, _)| tags.iter().any(|t| &t.0 == k))
        {
            return Err(OssError::invalid_argument(format!(
                "The tag key {k:?} of Not is also a tag of the rule."
            )));
        }
    }
    if filter.size_greater_than.is_some() && filter.size_less_than.is_some() {
        let what = if abort_upload.is_some() {
            Some("AbortMultipartUpload")
        } else if marker {
            Some("ExpiredObjectDeleteMarker")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(OssError::invalid_argument(format!(
                "{what} cannot be specified in a rule with both ObjectSizeGreaterThan and ObjectSizeLessThan."
            )));
        }
    }
    let legacy_prefix = tags.is_empty() && filter == Filter::default();
    if !prefix.is_empty() {
        filter.prefixes = vec![prefix];
    }
    filter.tags = tags;
    Ok(Rule {
        id,
        enabled,
        filter,
        expiration,
        expired_object_delete_marker: marker,
        noncurrent,
        abort_upload,
        legacy_prefix,
    })
}

/// A prefix is empty (the whole bucket) or follows OSS's object-name rules.
fn check_prefix(prefix: &str) -> Result<(), OssError> {
    if prefix.is_empty() || KeyRules::OSS.check(prefix).is_ok() {
        Ok(())
    } else {
        Err(OssError::invalid_argument(format!(
            "The prefix {prefix:?} is not a valid object name prefix."
        )))
    }
}

/// `<Tag><Key>k</Key><Value>v</Value></Tag>`: letters, digits, spaces and `+ - = . _ : /`
/// (OSS's tag characters), the key not empty.
fn parse_tag(el: &Element) -> Result<(String, String), OssError> {
    only(el, &["Key", "Value"])?;
    let key = single(el, "Key")?.ok_or_else(malformed)?.text.clone();
    let value = single(el, "Value")?.ok_or_else(malformed)?.text.clone();
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "+-=._:/".contains(c))
    };
    if key.is_empty() || !allowed(&key) || !allowed(&value) {
        return Err(OssError::invalid_argument(format!(
            "The tag {key:?}={value:?} is not valid: keys and values are letters, digits, spaces and + - = . _ : /, the key not empty."
        )));
    }
    Ok((key, value))
}

/// `Days`, or an instant from `CreatedBeforeDate` / `Date`, of one action element.
enum When {
    Days(u32),
    CreatedBefore(i64),
    Date(i64),
}

/// The one time element of an action (`Days`, `CreatedBeforeDate`, and for `Expiration`
/// the older `Date`); none is `Ok(None)`, more than one is refused.
fn parse_when(el: &Element, action: &str, with_date: bool) -> Result<Option<When>, OssError> {
    let mut found = Vec::new();
    if let Some(d) = single(el, "Days")? {
        found.push(When::Days(parse_days(&d.text, "Days")?));
    }
    if let Some(d) = single(el, "CreatedBeforeDate")? {
        found.push(When::CreatedBefore(parse_date(
            &d.text,
            "CreatedBeforeDate",
        )?));
    }
    if with_date && let Some(d) = single(el, "Date")? {
        found.push(When::Date(parse_date(&d.text, "Date")?));
    }
    if found.len() > 1 {
        return Err(OssError::invalid_argument(format!(
            "{action} takes only one of Days and CreatedBeforeDate."
        )));
    }
    Ok(found.pop())
}

/// `<Expiration>`: its expiration and whether it removes lone delete markers.
fn parse_expiration(el: &Element) -> Result<(Option<Expiration>, bool), OssError> {
    only(
        el,
        &[
            "Days",
            "CreatedBeforeDate",
            "Date",
            "ExpiredObjectDeleteMarker",
        ],
    )?;
    let expiration = parse_when(el, "Expiration", true)?.map(|w| match w {
        When::Days(n) => Expiration::Days(n),
        When::CreatedBefore(t) => Expiration::CreatedBefore(t),
        When::Date(t) => Expiration::Date(t),
    });
    let marker = match single(el, "ExpiredObjectDeleteMarker")? {
        None => false,
        Some(m) => parse_bool(&m.text)?,
    };
    if marker && expiration.is_some() {
        return Err(OssError::invalid_argument(
            "ExpiredObjectDeleteMarker cannot be specified with Days or CreatedBeforeDate in Expiration.",
        )
        .detail("EC", "0014-00000059"));
    }
    if !marker && expiration.is_none() {
        return Err(OssError::invalid_argument(
            "Expiration must have one of Days, CreatedBeforeDate and ExpiredObjectDeleteMarker set to true.",
        )
        .detail("EC", "0014-00000060"));
    }
    Ok((expiration, marker))
}

fn parse_abort(el: &Element) -> Result<UploadAbort, OssError> {
    only(el, &["Days", "CreatedBeforeDate"])?;
    match parse_when(el, "AbortMultipartUpload", false)? {
        Some(When::Days(n)) => Ok(UploadAbort::Days(n)),
        Some(When::CreatedBefore(t)) => Ok(UploadAbort::CreatedBefore(t)),
        Some(When::Date(_)) | None => Err(OssError::invalid_argument(
            "AbortMultipartUpload must have Days or CreatedBeforeDate.",
        )),
    }
}

fn parse_noncurrent(el: &Element) -> Result<NoncurrentExpiration, OssError> {
    only(el, &["NoncurrentDays"])?;
    let days = single(el, "NoncurrentDays")?.ok_or_else(|| {
        OssError::invalid_argument("NoncurrentVersionExpiration must have NoncurrentDays.")
    })?;
    Ok(NoncurrentExpiration {
        days: parse_days(&days.text, "NoncurrentDays")?,
        newer_noncurrent_versions: None,
    })
}

/// `<Filter>`: at most one `Not` (a prefix and at most one tag, at least one of the two)
/// and the size bounds.
fn parse_filter(el: &Element) -> Result<Filter, OssError> {
    only(el, &["Not", "ObjectSizeGreaterThan", "ObjectSizeLessThan"])?;
    let nots: Vec<&Element> = el.children("Not").collect();
    if nots.len() > 1 {
        return Err(OssError::not_implemented(
            "More than one Not in a lifecycle rule's Filter",
        ));
    }
    let not = match nots.first() {
        None => None,
        Some(n) => {
            only(n, &["Prefix", "Tag"])?;
            let prefix = single(n, "Prefix")?
                .map(|p| p.text.clone())
                .unwrap_or_default();
            check_prefix(&prefix)?;
            let tags = single(n, "Tag")?.map(parse_tag).transpose()?;
            if prefix.is_empty() && tags.is_none() {
                return Err(OssError::invalid_argument(
                    "Not must have a Prefix or a Tag.",
                ));
            }
            Some(Exclusion {
                prefix,
                tags: tags.into_iter().collect(),
            })
        }
    };
    let size = |name: &str| -> Result<Option<u64>, OssError> {
        single(el, name)?
            .map(|e| {
                e.text.trim().parse::<u64>().map_err(|_| {
                    OssError::invalid_argument(format!(
                        "{name} ({}) must be a whole number of bytes.",
                        e.text.trim()
                    ))
                })
            })
            .transpose()
    };
    let greater = size("ObjectSizeGreaterThan")?;
    let less = size("ObjectSizeLessThan")?;
    if greater.is_some_and(|g| g >= MAX_SIZE) {
        return Err(OssError::invalid_argument(
            "ObjectSizeGreaterThan must be less than 5 TB.",
        ));
    }
    if less.is_some_and(|l| l == 0 || l > MAX_SIZE) {
        return Err(OssError::invalid_argument(
            "ObjectSizeLessThan must be greater than 0 and at most 5 TB.",
        ));
    }
    if let (Some(g), Some(l)) = (greater, less)
        && l <= g
    {
        return Err(OssError::invalid_argument(
            "ObjectSizeLessThan must be greater than ObjectSizeGreaterThan.",
        ));
    }
    Ok(Filter {
        not,
        size_greater_than: greater,
        size_less_than: less,
        ..Filter::default()
    })
}

/// A whole number of days (the core refuses 0).
fn parse_days(text: &str, what: &str) -> Result<u32, OssError> {
    let text = text.trim();
    text.parse::<u32>().map_err(|_| {
        OssError::invalid_argument(format!("{what} ({text}) must be a whole number of days."))
    })
}

/// `true` or `false` in any case (oss2 writes `True`).
fn parse_bool(text: &str) -> Result<bool, OssError> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(malformed()),
    }
}

/// An ISO 8601 instant at midnight UTC (`2016-12-25T00:00:00.000Z`), in Unix milliseconds.
fn parse_date(text: &str, what: &str) -> Result<i64, OssError> {
    let text = text.trim();
    let ms = text
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
        .filter(|ms| ms.rem_euclid(DAY_MS) == 0);
    ms.ok_or_else(|| {
        OssError::invalid_argument(format!(
            "{what} ({text}) must be an ISO 8601 date at midnight UTC, such as 2023-01-01T00:00:00.000Z."
        ))
    })
}

/// The action types whose rules may not overlap, as OSS names them.
fn action_types(r: &Rule) -> impl Iterator<Item = &'static str> {
    [
        r.expiration.is_some().then_some("Expiration"),
        r.noncurrent
            .is_some()
            .then_some("NoncurrentVersionExpiration"),
        r.abort_upload.is_some().then_some("AbortMultipartUpload"),
    ]
    .into_iter()
    .flatten()
}

fn prefix_of(r: &Rule) -> &str {
    r.filter.prefixes.first().map(String::as_str).unwrap_or("")
}

/// Two rules whose prefixes overlap (one starts with the other; the whole bucket overlaps
/// everything) may not share an action type, unless the request allows it; rules aborting
/// uploads never overlap.
fn check_overlap(rules: &[Rule], allow: bool) -> Result<(), OssError> {
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[..i] {
            let (pa, pb) = (prefix_of(a), prefix_of(b));
            if !(pa.starts_with(pb) || pb.starts_with(pa)) {
                continue;
            }
            let shared = action_types(a)
                .filter(|t| !allow || *t == "AbortMultipartUpload")
                .find(|t| action_types(b).any(|u| u == *t));
            if let Some(t) = shared {
                return Err(OssError::invalid_argument(format!(
                    "Overlap for same action type {t}"
                )));
            }
        }
    }
    Ok(())
}

/// `<LifecycleConfiguration>` of the stored rules, in OSS's shape: `Prefix` always, dates
/// as `2016-12-25T00:00:00.000Z`. A rule put through another dialect with several prefixes
/// (BOS) shows its first.
pub fn render(rules: &[Rule]) -> String {
    let mut x = Xml::new("LifecycleConfiguration", "");
    for r in rules {
        x.open("Rule")
            .leaf("ID", &r.id)
            .leaf("Prefix", prefix_of(r))
            .leaf("Status", if r.enabled { "Enabled" } else { "Disabled" });
        if let Some(e) = r.expiration {
            x.open("Expiration");
            match e {
                Expiration::Days(n) => x.leaf("Days", &n.to_string()),
                Expiration::CreatedBefore(t) => x.leaf("CreatedBeforeDate", &iso8601(t)),
                Expiration::Date(t) => x.leaf("Date", &iso8601(t)),
            };
            x.close();
        } else if r.expired_object_delete_marker {
            x.open("Expiration")
                .leaf("ExpiredObjectDeleteMarker", "true")
                .close();
        }
        if let Some(a) = r.abort_upload {
            x.open("AbortMultipartUpload");
            match a {
                UploadAbort::Days(n) => x.leaf("Days", &n.to_string()),
                UploadAbort::CreatedBefore(t) => x.leaf("CreatedBeforeDate", &iso8601(t)),
            };
            x.close();
        }
        for (k, v) in &r.filter.tags {
            tag(&mut x, k, v);
        }
        if let Some(nc) = r.noncurrent {
            x.open("NoncurrentVersionExpiration")
                .leaf("NoncurrentDays", &nc.days.to_string())
                .close();
        }
        let f = &r.filter;
        if f.not.is_some() || f.size_greater_than.is_some() || f.size_less_than.is_some() {
            x.open("Filter");
            if let Some(n) = &f.not {
                x.open("Not").leaf("Prefix", &n.prefix);
                for (k, v) in &n.tags {
                    tag(&mut x, k, v);
                }
                x.close();
            }
            if let Some(g) = f.size_greater_than {
                x.leaf("ObjectSizeGreaterThan", &g.to_string());
            }
            if let Some(l) = f.size_less_than {
                x.leaf("ObjectSizeLessThan", &l.to_string());
            }
            x.close();
        }
        x.close();
    }
    x.finish()
}

fn tag(x: &mut Xml, key: &str, value: &str) {
    x.open("Tag").leaf("Key", key).leaf("Value", value).close();
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
