//! A bucket's object lock (BOS's bucket-wide WORM rule): InitBucketObjectLock (`POST
//! ?objectlock`, `{"retentionDays": N}`), GetBucketObjectLock (`GET ?objectlock`),
//! DeleteBucketObjectLock (`DELETE ?objectlock`), CompleteBucketObjectLock (`POST
//! ?completeobjectlock`) and ExtendBucketObjectLock (`POST ?extendobjectlock`,
//! `{"extendRetentionDays": N}`). The rule and its refusals are the core's
//! ([`strata_core::retention`]); the codes are in [`super::error`].
//!
//! The SDKs disagree on the case of the JSON keys (bce-python-sdk and the JS SDK send
//! `retentionDays`, bce-sdk-go `RetentionDays`), so a key is matched in any case.

use super::error::BosError;
use super::{BosResult, Ctx, empty, json};
use crate::body::Incoming;
use crate::exec::*;
use hyper::StatusCode;
use serde_json::{Value, json};
use strata_core::retention::WormStatus;

/// InitBucketObjectLock's key.
pub const RETENTION_DAYS: &str = "retentionDays";
/// ExtendBucketObjectLock's key.
pub const EXTEND_RETENTION_DAYS: &str = "extendRetentionDays";

/// The days a lock document gives under `key` (matched in any case). Not JSON:
/// MalformedJSON; no such key, more than one, or a value that is not a whole number from 0
/// up: InvalidArgument. A number past `u32` is `u32::MAX`, which the core refuses as too
/// long (as it refuses 0).
pub fn parse_days(bytes: &[u8], key: &str) -> Result<u32, BosError> {
    let missing = || BosError::invalid_argument(format!("The request has no \"{key}\"."));
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(missing());
    }
    let doc: Value = super::document::read(bytes)?;
    let Some(fields) = doc.as_object() else {
        return Err(BosError::invalid_argument(
            "The request body must be a JSON object.",
        ));
    };
    let mut found = fields
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v);
    let value = found.next().ok_or_else(missing)?;
    if found.next().is_some() {
        return Err(BosError::invalid_argument(format!(
            "The request gives \"{key}\" more than once."
        )));
    }
    let days = value.as_u64().ok_or_else(|| {
        BosError::invalid_argument(format!("\"{key}\" must be a whole number of days."))
    })?;
    Ok(u32::try_from(days).unwrap_or(u32::MAX))
}

/// BOS's name of a lock's status.
fn status_text(s: WormStatus) -> &'static str {
    match s {
        WormStatus::InProgress => "IN_PROGRESS",
        WormStatus::Locked => "LOCKED",
        WormStatus::Expired => "EXPIRED",
    }
}

pub(super) async fn init(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let days = parse_days(&bytes, RETENTION_DAYS)?;
    ctx.run(ChangeWorm {
        bucket,
        ask: WormAsk::Initiate { days },
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// `{"lockStatus","createDate","expirationDate","retentionDays"}`, the dates in Unix
/// seconds; `expirationDate` is when a lock in progress lapses unless completed.
pub(super) fn get(ctx: &Ctx<'_>) -> BosResult {
    let w = ctx.read(GetWorm(ctx.bucket()?))?;
    Ok(json(json!({
        "lockStatus": status_text(w.status),
        "createDate": w.created_ms.div_euclid(1000),
        "expirationDate": w.expires_ms.div_euclid(1000),
        "retentionDays": w.days,
    })))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(ChangeWorm {
        bucket: ctx.bucket()?,
        ask: WormAsk::Abort,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn complete(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(ChangeWorm {
        bucket: ctx.bucket()?,
        ask: WormAsk::Complete { id: None },
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn extend(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let days = parse_days(&bytes, EXTEND_RETENTION_DAYS)?;
    ctx.run(ChangeWorm {
        bucket,
        ask: WormAsk::Extend { id: None, days },
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(bytes: &[u8], key: &str) -> &'static str {
        parse_days(bytes, key).err().unwrap().code
    }

    #[test]
    fn the_key_is_matched_in_any_case() {
        for doc in [
            r#"{"retentionDays": 30}"#,
            r#"{"RetentionDays": 30}"#,
            r#"{"RETENTIONDAYS": 30, "other": true}"#,
        ] {
            assert_eq!(parse_days(doc.as_bytes(), RETENTION_DAYS).unwrap(), 30);
        }
        let doc = br#"{"ExtendRetentionDays": 34}"#;
        assert_eq!(parse_days(doc, EXTEND_RETENTION_DAYS).unwrap(), 34);
        // The other operation's key is not this one's.
        assert_eq!(code(doc, RETENTION_DAYS), "InvalidArgument");
    }

    #[test]
    fn what_is_not_json_is_malformed_and_what_gives_no_days_is_invalid() {
        assert_eq!(
            code(b"{\"retentionDays\":", RETENTION_DAYS),
            "MalformedJSON"
        );
        assert_eq!(code(b"retentionDays=3", RETENTION_DAYS), "MalformedJSON");
        for doc in [
            "",
            "  ",
            "{}",
            "[30]",
            "30",
            r#"{"retentionDays": "30"}"#,
            r#"{"retentionDays": -1}"#,
            r#"{"retentionDays": 1.5}"#,
            r#"{"retentionDays": null}"#,
            r#"{"retentionDays": 1, "RetentionDays": 2}"#,
        ] {
            assert_eq!(
                code(doc.as_bytes(), RETENTION_DAYS),
                "InvalidArgument",
                "{doc}"
            );
        }
    }

    #[test]
    fn zero_and_huge_numbers_are_left_to_the_core() {
        assert_eq!(
            parse_days(br#"{"retentionDays": 0}"#, RETENTION_DAYS).unwrap(),
            0
        );
        let huge = br#"{"retentionDays": 99999999999}"#;
        assert_eq!(parse_days(huge, RETENTION_DAYS).unwrap(), u32::MAX);
    }
}
