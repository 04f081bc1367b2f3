//! Service and bucket operations: ListBuckets, PutBucket, HeadBucket, DeleteBucket,
//! GetBucketLocation, Get/PutBucketVersioning. PutBucket takes `x-bce-acl`.

use super::error::BosError;
use super::{BosResult, Ctx, bos_time, empty, json};
use crate::body::Incoming;
use crate::exec::*;
use hyper::StatusCode;
use hyper::header::HeaderValue;
use serde_json::json;
use strata_core::{DeleteBucketMode, Versioning, VersioningStatus};

/// BOS names: `^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$` (no dots).
fn validate_name(name: &str) -> Result<(), BosError> {
    strata_core::store::validate_bucket_name(name).map_err(BosError::from)?;
    if name.contains('.') {
        return Err(BosError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket name is not valid.",
        ));
    }
    Ok(())
}

pub(super) fn list_buckets(ctx: &Ctx<'_>) -> BosResult {
    let buckets: Vec<_> = ctx
        .read(ListBuckets)?
        .iter()
        .map(|b| json!({"name": b.name, "location": ctx.region(), "creationDate": bos_time(b.created_ms)}))
        .collect();
    Ok(json(json!({"owner": ctx.owner_json(), "buckets": buckets})))
}

pub(super) async fn create(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let name = ctx.bucket()?;
    validate_name(name)?;
    let acl = super::acl::create_bucket_acl(ctx)?;
    let bytes = ctx.read_document(body).await?;
    check_create_configuration(&bytes)?;
    ctx.run(CreateBucket {
        object_lock: false,
        bucket: name,
        acl,
        ownership: None,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// A PutBucket body: `{"enableMultiAz": bool}` (the JS SDK spells it `enableMultiAZ` and always
/// sends `false`). Buckets here are one copy on one machine, so `true` is NotImplemented rather
/// than a bucket that is not what was asked; other fields are ignored, as BOS ignores them.
pub fn check_create_configuration(bytes: &[u8]) -> Result<(), BosError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let doc: serde_json::Value = super::document::read(bytes)?;
    let multi_az = doc
        .as_object()
        .into_iter()
        .flatten()
        .any(|(k, v)| k.eq_ignore_ascii_case("enableMultiAz") && v.as_bool() == Some(true));
    if multi_az {
        return Err(BosError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "Multi-AZ buckets are not implemented.",
        ));
    }
    Ok(())
}

fn versioning_text(v: Versioning) -> &'static str {
    match v {
        Versioning::Unversioned => "notEnabled",
        Versioning::Enabled => "enabled",
        Versioning::Suspended => "suspended",
    }
}

pub(super) fn head(ctx: &Ctx<'_>) -> BosResult {
    let b = ctx.read(GetBucket(ctx.bucket()?))?;
    let mut r = empty(StatusCode::OK);
    r.headers_mut().insert(
        "x-bce-versioning",
        HeaderValue::from_static(versioning_text(b.versioning)),
    );
    Ok(r)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(DeleteBucket(ctx.bucket()?, DeleteBucketMode::RefuseUploads))
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn location(ctx: &Ctx<'_>) -> BosResult {
    ctx.read(GetBucket(ctx.bucket()?))?;
    Ok(json(json!({"locationConstraint": ctx.region()})))
}

pub(super) fn get_versioning(ctx: &Ctx<'_>) -> BosResult {
    let b = ctx.read(GetBucket(ctx.bucket()?))?;
    Ok(json(json!({"status": versioning_text(b.versioning)})))
}

/// The state a PutBucketVersioning body asks for: `{"status": "enabled" | "suspended"}`.
pub fn parse_versioning(bytes: &[u8]) -> Result<VersioningStatus, BosError> {
    let doc: serde_json::Value = super::document::read(bytes)?;
    let status = match doc
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("enabled") => VersioningStatus::Enabled,
        Some("suspended") => VersioningStatus::Suspended,
        _ => {
            return Err(BosError::invalid_argument(
                "The status must be \"enabled\" or \"suspended\".",
            ));
        }
    };
    Ok(status)
}

pub(super) async fn put_versioning(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let status = parse_versioning(&bytes)?;
    ctx.run(SetVersioning(bucket, status)).await?;
    Ok(empty(StatusCode::OK))
}
