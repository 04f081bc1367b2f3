//! ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use super::bucket::parse_max;
use super::error::OssError;
use super::{Ctx, OssResult, xml};
use crate::exec::*;
use crate::listing::{self, OSS, Query, V2, decode_token};
use hyper::StatusCode;
use strata_core::{ListObjectsParams, ListVersionsParams};

const MAX_PARAM_LEN: usize = 1024;

/// A listing parameter: absent and empty are the same; longer than 1024 bytes is refused.
fn param<'a>(ctx: &'a Ctx<'_>, name: &str) -> Result<Option<&'a str>, OssError> {
    match ctx.req.query_nonempty(name) {
        Some(v) if v.len() > MAX_PARAM_LEN => Err(OssError::invalid_argument(format!(
            "The {name} is longer than {MAX_PARAM_LEN} bytes."
        ))),
        other => Ok(other),
    }
}

fn query<'a>(ctx: &'a Ctx<'_>, max: usize) -> Result<Query<'a>, OssError> {
    Ok(Query {
        bucket: ctx.bucket()?,
        prefix: param(ctx, "prefix")?.unwrap_or(""),
        delimiter: param(ctx, "delimiter")?,
        max,
        url: ctx.url_encoding()?,
    })
}

pub(super) fn list_objects(ctx: &Ctx<'_>) -> OssResult {
    let q = query(ctx, parse_max(ctx.req.query("max-keys"), 100)?)?;
    let marker = param(ctx, "marker")?;
    let p = ListObjectsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        start_after: marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListObjects(q.bucket, &p))?;
    Ok(xml(
        StatusCode::OK,
        listing::objects_v1(&OSS, &q, marker.unwrap_or(""), &l, &ctx.owners()),
    ))
}

pub(super) fn list_objects_v2(ctx: &Ctx<'_>) -> OssResult {
    let q = query(ctx, parse_max(ctx.req.query("max-keys"), 100)?)?;
    let start_after = param(ctx, "start-after")?;
    let token = ctx.req.query_nonempty("continuation-token");
    let after = match token {
        Some(t) => Some(decode_token(t).ok_or_else(|| {
            OssError::invalid_argument("The continuation token provided is incorrect.")
        })?),
        None => start_after.map(str::to_owned),
    };
    let p = ListObjectsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        start_after: after,
        max_keys: q.max,
    };
    let l = ctx.read(ListObjects(q.bucket, &p))?;
    let fetch_owner = ctx
        .req
        .query("fetch-owner")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let v2 = V2 {
        start_after,
        token,
        fetch_owner,
    };
    Ok(xml(
        StatusCode::OK,
        listing::objects_v2(&OSS, &q, &v2, &l, &ctx.owners()),
    ))
}

pub(super) fn list_versions(ctx: &Ctx<'_>) -> OssResult {
    let q = query(ctx, parse_max(ctx.req.query("max-keys"), 100)?)?;
    let key_marker = param(ctx, "key-marker")?;
    let version_marker = param(ctx, "version-id-marker")?;
    let p = ListVersionsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        key_marker: key_marker.map(Into::into),
        version_id_marker: version_marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListVersions(q.bucket, &p))?;
    let body = listing::versions(
        &OSS,
        &q,
        key_marker.unwrap_or(""),
        version_marker.unwrap_or(""),
        &l,
        &ctx.owners(),
    );
    Ok(xml(StatusCode::OK, body))
}
