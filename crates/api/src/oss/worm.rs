//! A bucket's retention policy (OSS's BucketWorm): InitiateBucketWorm, AbortBucketWorm,
//! CompleteBucketWorm, ExtendBucketWorm, GetBucketWorm.
//!
//! The rule itself is the core's ([`strata_core::retention::Worm`]): initiated, it protects
//! every object for its days from the object's last modification and lapses unless
//! completed within 24 hours; completed, it is locked (never removed, only lengthened). A
//! lapsed rule is no rule: OSS says it "becomes invalid", so it reads as none. OSS's
//! ObjectWorm (per-object retention) is not served (`unsupported.rs`).

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::iso8601;
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::CoreError;
use strata_core::retention::{RetentionError, WormStatus};

/// `POST /?worm` with `<InitiateWormConfiguration>`: 200, the new rule's ID in
/// `x-oss-worm-id`.
pub(super) async fn initiate(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let bytes = ctx.read_document(body).await?;
    let days = parse_days(&bytes, "InitiateWormConfiguration")?;
    let id = ctx
        .run(ChangeWorm {
            bucket,
            ask: WormAsk::Initiate { days },
        })
        .await?;
    let mut r = empty(StatusCode::OK);
    if let Ok(v) = id.parse() {
        r.headers_mut().insert("x-oss-worm-id", v);
    }
    Ok(r)
}

/// `DELETE /?worm`: 204; a locked rule stays (403 `WORMConfigurationLocked`).
pub(super) async fn abort(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.run(ChangeWorm {
        bucket,
        ask: WormAsk::Abort,
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /?wormId=ID` (no body): locks the rule of that ID; another ID is none (404).
pub(super) async fn complete(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let id = worm_id(ctx);
    ctx.run(ChangeWorm {
        bucket,
        ask: WormAsk::Complete { id: Some(id) },
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// `POST /?wormId=ID&wormExtend` with `<ExtendWormConfiguration>`: lengthens a locked rule.
pub(super) async fn extend(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let id = worm_id(ctx);
    let bytes = ctx.read_document(body).await?;
    let days = parse_days(&bytes, "ExtendWormConfiguration")?;
    ctx.run(ChangeWorm {
        bucket,
        ask: WormAsk::Extend { id: Some(id), days },
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// `GET /?worm`: `<WormConfiguration>` with the rule's ID, state, days and creation date
/// (and, while it is in progress, when it lapses). Dates are ISO 8601 with milliseconds and
/// `Z`: what oss2 and alibabacloud-oss-v2 keep as text, and what the Java SDK's
/// `DateUtil.parseIso8601Date` reads (OSS's documentation example omits both).
pub(super) fn get(ctx: &Ctx<'_>) -> OssResult {
    let w = ctx.read(GetWorm(ctx.bucket()?))?;
    let state = match w.status {
        WormStatus::InProgress => "InProgress",
        WormStatus::Locked => "Locked",
        WormStatus::Expired => return Err(CoreError::from(RetentionError::NoWorm).into()),
    };
    let mut x = Xml::new("WormConfiguration", "");
    x.leaf("WormId", &w.id)
        .leaf("State", state)
        .leaf("RetentionPeriodInDays", &w.days.to_string())
        .leaf("CreationDate", &iso8601(w.created_ms));
    if w.status == WormStatus::InProgress {
        x.leaf("ExpirationDate", &iso8601(w.expires_ms));
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

/// The `wormId` the request names (empty names none, which matches no rule).
fn worm_id(ctx: &Ctx<'_>) -> String {
    ctx.req.query("wormId").unwrap_or_default().to_owned()
}

/// `<ROOT><RetentionPeriodInDays>N</RetentionPeriodInDays></ROOT>`: a document that is not
/// this one is `MalformedXML`; a value that is not a whole number of days is
/// `InvalidArgument` (the core bounds it: 1 day to 70 years).
pub fn parse_days(bytes: &[u8], root: &str) -> Result<u32, OssError> {
    let malformed = || {
        OssError::malformed_xml(
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    };
    let doc = crate::xml::parse(bytes, 8).map_err(|_| malformed())?;
    if doc.name != root {
        return Err(malformed());
    }
    let text = doc
        .child_text("RetentionPeriodInDays")
        .map(str::trim)
        .ok_or_else(malformed)?;
    text.parse::<u32>().map_err(|_| {
        OssError::invalid_argument(format!(
            "RetentionPeriodInDays ({text}) must be a whole number of days from 1 to 25550."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_documents() {
        let root = "InitiateWormConfiguration";
        let doc = |v: &str| {
            format!("<{root}><RetentionPeriodInDays>{v}</RetentionPeriodInDays></{root}>")
        };
        assert_eq!(parse_days(doc("365").as_bytes(), root).unwrap(), 365);
        assert_eq!(parse_days(doc(" 1 ").as_bytes(), root).unwrap(), 1);
        for bad in ["-1", "1.5", "abc", "", "99999999999"] {
            let e = parse_days(doc(bad).as_bytes(), root).unwrap_err();
            assert_eq!(e.code, "InvalidArgument", "{bad}");
        }
        let other = "<ExtendWormConfiguration><RetentionPeriodInDays>1</RetentionPeriodInDays></ExtendWormConfiguration>";
        for bad in [
            other,
            "<InitiateWormConfiguration/>",
            "<InitiateWormConfiguration>",
            "",
        ] {
            let e = parse_days(bad.as_bytes(), root).unwrap_err();
            assert_eq!(e.code, "MalformedXML", "{bad}");
        }
    }
}
