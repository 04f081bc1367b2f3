//! S3 Object Lock: Get/PutObjectLockConfiguration (`?object-lock`), Get/PutObjectRetention
//! (`?retention`), Get/PutObjectLegalHold (`?legal-hold`); the lock headers of writes
//! (`x-amz-object-lock-*` on PutObject, CopyObject, CreateMultipartUpload) and of reads (GET,
//! HEAD); CreateBucket's `x-amz-bucket-object-lock-enabled`; the governance bypass
//! (`x-amz-bypass-governance-retention`).
//!
//! The rules (what protects a version, who may shorten what) are the core's
//! ([`strata_core::retention`]); this module only translates. Event holds (newer SDKs'
//! `EventHold*`, `DefaultEventHold`, `x-amz-object-lock-event-hold*`) are refused (501).

use super::checksum;
use super::error::S3Error;
use super::object::has_integrity_header;
use super::{Ctx, S3Result, empty, xml};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::listing::S3;
use crate::objhttp::set;
use crate::xml::{Element, Xml, parse};
use hyper::header::HeaderMap;
use hyper::{Response, StatusCode};
use jiff::Timestamp;
use strata_core::retention::{
    DefaultRetention, LockChange, LockConfig, LockMode, ObjectLock, Period, Retention,
    RetentionError,
};
use strata_core::{CoreError, VersionId};

const MODE: &str = "x-amz-object-lock-mode";
const UNTIL: &str = "x-amz-object-lock-retain-until-date";
const LEGAL_HOLD: &str = "x-amz-object-lock-legal-hold";

/// Whether a request carries a digest of its body that is checked: Content-MD5 or an
/// `x-amz-checksum-*` header, or (an `aws-chunked` upload) a checksum its `x-amz-trailer`
/// announces. Object Lock's requests require one, as AWS does.
pub(super) fn has_checksum(ctx: &Ctx<'_>) -> bool {
    let chunked = super::chunked::Mode::for_request(&ctx.auth).is_some();
    let trailer = ctx
        .req
        .header("x-amz-trailer")
        .and_then(checksum::from_name)
        .is_some();
    has_integrity_header(ctx) || (chunked && trailer)
}

/// A bucket configuration's put (lifecycle, CORS) requires a digest of its body, as AWS does.
pub(super) fn require_config_digest(ctx: &Ctx<'_>) -> Result<(), S3Error> {
    if has_checksum(ctx) {
        Ok(())
    } else {
        Err(S3Error::invalid_request(
            "Missing required header for this request: Content-MD5",
        ))
    }
}

/// AWS's refusal of an Object Lock request, or an upload under Object Lock, that carries no
/// digest of its body.
fn checksum_required(what: &str) -> S3Error {
    S3Error::invalid_request(format!(
        "Content-MD5 OR x-amz-checksum- HTTP header is required for {what} requests with Object Lock parameters"
    ))
}

/// Put config, retention and legal hold require a digest of their body.
fn require_checksum(ctx: &Ctx<'_>) -> Result<(), S3Error> {
    if has_checksum(ctx) {
        Ok(())
    } else {
        Err(checksum_required("Put Object"))
    }
}

/// `x-amz-bypass-governance-retention: true` (any case); anything else asks for no bypass.
pub(super) fn bypass_governance(ctx: &Ctx<'_>) -> bool {
    ctx.req
        .header("x-amz-bypass-governance-retention")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// CreateBucket's `x-amz-bucket-object-lock-enabled`: `true` or `false` in any case (absent:
/// false); anything else is InvalidArgument.
pub(super) fn lock_enabled_header(ctx: &Ctx<'_>) -> Result<bool, S3Error> {
    match ctx
        .req
        .header("x-amz-bucket-object-lock-enabled")
        .map(str::trim)
    {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(S3Error::invalid_argument(
            "x-amz-bucket-object-lock-enabled must be true or false",
        )),
    }
}

/// An ISO 8601 instant with its offset (`2030-01-01T00:00:00Z`, with any fraction of a
/// second, which is cut to the millisecond), as Unix milliseconds.
fn parse_instant(text: &str) -> Option<i64> {
    text.trim()
        .parse::<Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// `2030-01-01T00:00:00.000Z`: how retain-until dates are written (header and body).
fn write_instant(ms: i64) -> String {
    strata_wire::date::iso8601_millis(Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    }))
}

/// The lock a write's headers ask for: `x-amz-object-lock-mode` with
/// `x-amz-object-lock-retain-until-date` (both or neither) and `x-amz-object-lock-legal-hold`
/// (`ON`/`OFF`). `None`: no lock header at all. A bad or lone value is InvalidArgument.
pub fn parse_lock_headers(headers: &HeaderMap) -> Result<Option<ObjectLock>, S3Error> {
    // A value that is not text reads as one no rule accepts (InvalidArgument).
    let get = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    let (mode, until, hold) = (get(MODE), get(UNTIL), get(LEGAL_HOLD));
    if mode.is_none() && until.is_none() && hold.is_none() {
        return Ok(None);
    }
    let retention = match (mode, until) {
        (None, None) => None,
        (Some(m), Some(u)) => Some(Retention {
            mode: LockMode::parse(m.trim())
                .ok_or_else(|| S3Error::invalid_argument("Unknown wormMode directive."))?,
            until_ms: parse_instant(u).ok_or_else(|| {
                S3Error::invalid_argument(
                    "The retain until date must be provided in ISO 8601 format",
                )
            })?,
        }),
        _ => {
            return Err(S3Error::invalid_argument(
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
            ));
        }
    };
    let legal_hold = match hold.map(str::trim) {
        None | Some("OFF") => false,
        Some("ON") => true,
        Some(_) => {
            return Err(S3Error::invalid_argument(
                "Legal Hold must be either of 'ON' or 'OFF'",
            ));
        }
    };
    Ok(Some(ObjectLock {
        retention,
        legal_hold,
    }))
}

/// The bucket's Object Lock configuration (`None`: Object Lock is not enabled).
fn configuration(ctx: &Ctx<'_>, bucket: &str) -> Result<Option<LockConfig>, S3Error> {
    match ctx.read(GetLockConfiguration(bucket)) {
        Ok(c) => Ok(Some(c)),
        Err(CoreError::Retention(RetentionError::NoLockConfiguration)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The lock a write (PutObject, CopyObject, CreateMultipartUpload) asks for by its headers.
/// Any lock header where Object Lock is not enabled is InvalidRequest (the core refuses a
/// retention or a hold there itself; this also covers a lone `OFF`). An upload with a body
/// (`with_body`: PutObject) that carries lock headers, or goes to a bucket with a default
/// retention, needs a digest of its body, as AWS requires.
pub(super) fn write_lock(
    ctx: &Ctx<'_>,
    bucket: &str,
    with_body: bool,
) -> Result<ObjectLock, S3Error> {
    let asked = parse_lock_headers(&ctx.req.headers)?;
    let unchecked = with_body && !has_checksum(ctx);
    if asked.is_none() && !unchecked {
        return Ok(ObjectLock::default());
    }
    let config = configuration(ctx, bucket)?;
    if asked.is_some() && config.is_none() {
        return Err(CoreError::Retention(RetentionError::NotEnabled).into());
    }
    if unchecked && (asked.is_some() || config.is_some_and(|c| c.default.is_some())) {
        return Err(checksum_required("Put Object"));
    }
    Ok(asked.unwrap_or_default())
}

/// An UploadPart of an upload that asked for a lock, or into a bucket with a default
/// retention, needs a digest of its body (AWS: "… required for Put Part requests with Object
/// Lock parameters").
pub(super) fn check_part(ctx: &Ctx<'_>, upload: Upload<'_>) -> Result<(), S3Error> {
    if has_checksum(ctx) {
        return Ok(());
    }
    let asked = ctx.read(GetUpload(upload))?.lock;
    let default = configuration(ctx, upload.bucket)?.is_some_and(|c| c.default.is_some());
    if !asked.is_none() || default {
        return Err(checksum_required("Put Part"));
    }
    Ok(())
}

/// The lock headers of a GET or HEAD: the retention's mode and date when it has one, and
/// the legal hold when it is on.
pub(super) fn set_lock_headers(resp: &mut Response<Body>, lock: &ObjectLock) {
    if let Some(r) = lock.retention {
        set(resp, MODE, r.mode.as_str());
        set(resp, UNTIL, &write_instant(r.until_ms));
    }
    if lock.legal_hold {
        set(resp, LEGAL_HOLD, "ON");
    }
}

/// Refuses an event hold in a request document (not served here).
fn no_event_hold(e: &Element, names: &[&str]) -> Result<(), S3Error> {
    match names.iter().find(|n| e.child(n).is_some()) {
        Some(n) => Err(S3Error::not_implemented(&format!(
            "Object Lock event holds (the `{n}` element)"
        ))),
        None => Ok(()),
    }
}

/// A period's number: a whole number of days or years; 0 or less is InvalidRetentionPeriod
/// (the core refuses 0 and too many as well), anything else MalformedXML.
fn period_number(text: &str) -> Result<u32, S3Error> {
    let n = text
        .trim()
        .parse::<i64>()
        .map_err(|_| S3Error::malformed_xml())?;
    if n <= 0 {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidRetentionPeriod",
            "Default retention period must be a positive integer value.",
        ));
    }
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Reads a PutObjectLockConfiguration body: `<ObjectLockConfiguration>` with
/// `<ObjectLockEnabled>Enabled</ObjectLockEnabled>` and an optional `<Rule>` whose
/// `<DefaultRetention>` has a `Mode` (`GOVERNANCE`/`COMPLIANCE`) and exactly one of `Days`
/// and `Years`. Anything else is MalformedXML; a period of 0 or less is
/// InvalidRetentionPeriod; a default event hold is NotImplemented.
pub fn parse_lock_configuration(bytes: &[u8]) -> Result<LockConfig, S3Error> {
    let doc = parse(bytes, 16).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "ObjectLockConfiguration"
        || doc.child_text("ObjectLockEnabled").map(str::trim) != Some("Enabled")
    {
        return Err(S3Error::malformed_xml());
    }
    let Some(rule) = doc.child("Rule") else {
        return Ok(LockConfig { default: None });
    };
    let d = rule
        .child("DefaultRetention")
        .ok_or_else(S3Error::malformed_xml)?;
    no_event_hold(d, &["DefaultEventHold"])?;
    let mode = d
        .child_text("Mode")
        .and_then(|m| LockMode::parse(m.trim()))
        .ok_or_else(S3Error::malformed_xml)?;
    let period = match (d.child_text("Days"), d.child_text("Years")) {
        (Some(days), None) => Period::Days(period_number(days)?),
        (None, Some(years)) => Period::Years(period_number(years)?),
        _ => return Err(S3Error::malformed_xml()),
    };
    Ok(LockConfig {
        default: Some(DefaultRetention { mode, period }),
    })
}

/// Reads a PutObjectRetention body: `<Retention>` with a `Mode` (`GOVERNANCE`/`COMPLIANCE`)
/// and a `RetainUntilDate` (ISO 8601), or neither (which removes the retention). Anything
/// else is MalformedXML; an event hold is NotImplemented.
pub fn parse_retention(bytes: &[u8]) -> Result<Option<Retention>, S3Error> {
    let doc = parse(bytes, 16).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "Retention" {
        return Err(S3Error::malformed_xml());
    }
    no_event_hold(&doc, &["EventHold", "EventHoldDuration"])?;
    match (doc.child_text("Mode"), doc.child_text("RetainUntilDate")) {
        (None, None) => Ok(None),
        (Some(mode), Some(until)) => Ok(Some(Retention {
            mode: LockMode::parse(mode.trim()).ok_or_else(S3Error::malformed_xml)?,
            until_ms: parse_instant(until).ok_or_else(S3Error::malformed_xml)?,
        })),
        _ => Err(S3Error::malformed_xml()),
    }
}

/// Reads a PutObjectLegalHold body: `<LegalHold><Status>ON|OFF</Status></LegalHold>` (else
/// MalformedXML); whether the hold is on.
pub fn parse_legal_hold(bytes: &[u8]) -> Result<bool, S3Error> {
    let doc = parse(bytes, 8).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "LegalHold" {
        return Err(S3Error::malformed_xml());
    }
    match doc.child_text("Status").map(str::trim) {
        Some("ON") => Ok(true),
        Some("OFF") => Ok(false),
        _ => Err(S3Error::malformed_xml()),
    }
}

pub(super) fn get_configuration(ctx: &Ctx<'_>) -> S3Result {
    let config = ctx.read(GetLockConfiguration(ctx.bucket()?))?;
    let mut x = Xml::new("ObjectLockConfiguration", S3.root_attrs);
    x.leaf("ObjectLockEnabled", "Enabled");
    if let Some(d) = config.default {
        x.open("Rule").open("DefaultRetention");
        x.leaf("Mode", d.mode.as_str());
        match d.period {
            Period::Days(n) => x.leaf("Days", &n.to_string()),
            Period::Years(n) => x.leaf("Years", &n.to_string()),
        };
        x.close().close();
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_configuration(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    require_checksum(ctx)?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let config = parse_lock_configuration(&bytes)?;
    ctx.run(PutLockConfiguration { bucket, config }).await?;
    Ok(empty(StatusCode::OK))
}

/// The version a retention or legal-hold request addresses.
fn address<'c>(ctx: &'c Ctx<'_>) -> Result<(&'c str, &'c str, Option<VersionId>), S3Error> {
    Ok((ctx.bucket()?, ctx.key()?, ctx.version_id()?))
}

pub(super) fn get_retention(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key, version) = address(ctx)?;
    let view = ctx.read(GetObjectLock {
        bucket,
        key,
        version,
    })?;
    let r = view
        .lock
        .retention
        .ok_or(CoreError::Retention(RetentionError::NoObjectLock))?;
    let mut x = Xml::new("Retention", S3.root_attrs);
    x.leaf("Mode", r.mode.as_str())
        .leaf("RetainUntilDate", &write_instant(r.until_ms));
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_retention(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (bucket, key, version) = address(ctx)?;
    require_checksum(ctx)?;
    let bytes = ctx.read_document(body).await?;
    let retention = parse_retention(&bytes)?;
    let change = LockChange::Retention {
        retention,
        bypass: bypass_governance(ctx),
    };
    ctx.run(SetObjectLock {
        bucket,
        key,
        version,
        change,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// A version whose legal hold was never set reads as `OFF` (the core keeps the hold as on or
/// off).
pub(super) fn get_legal_hold(ctx: &Ctx<'_>) -> S3Result {
    let (bucket, key, version) = address(ctx)?;
    let view = ctx.read(GetObjectLock {
        bucket,
        key,
        version,
    })?;
    let mut x = Xml::new("LegalHold", S3.root_attrs);
    x.leaf("Status", if view.lock.legal_hold { "ON" } else { "OFF" });
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_legal_hold(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let (bucket, key, version) = address(ctx)?;
    require_checksum(ctx)?;
    let bytes = ctx.read_document(body).await?;
    let on = parse_legal_hold(&bytes)?;
    ctx.run(SetObjectLock {
        bucket,
        key,
        version,
        change: LockChange::LegalHold(on),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
