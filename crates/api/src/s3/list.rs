//! ListObjects (v1), ListObjectsV2 and ListObjectVersions: S3's parameters, rendered by the
//! shared listings in S3's [`crate::listing::S3`] style.

use super::error::S3Error;
use super::{Ctx, S3Result, xml};
use crate::exec::*;
use crate::listing::{self, Query, S3, V2, decode_token};
use hyper::StatusCode;
use strata_core::{ListObjectsParams, ListVersionsParams};

/// `max-keys`: absent → 1000; larger values are capped at 1000, as S3 does.
pub(super) fn max_param(ctx: &Ctx<'_>, name: &str) -> Result<usize, S3Error> {
    match ctx.req.query_nonempty(name) {
        None => Ok(1000),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| (n as usize).min(1000))
            .ok_or_else(|| {
                S3Error::invalid_argument(format!(
                    "Provided {name} not an integer or within integer range"
                ))
            }),
    }
}

fn query<'a>(ctx: &'a Ctx<'_>) -> Result<Query<'a>, S3Error> {
    Ok(Query {
        bucket: ctx.bucket()?,
        prefix: ctx.req.query("prefix").unwrap_or(""),
        delimiter: ctx.req.query_nonempty("delimiter"),
        max: max_param(ctx, "max-keys")?,
        url: ctx.url_encoding()?,
    })
}

pub(super) fn list_objects(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let marker = ctx.req.query_nonempty("marker");
    let p = ListObjectsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        start_after: marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListObjects(q.bucket, &p))?;
    Ok(xml(
        StatusCode::OK,
        listing::objects_v1(&S3, &q, marker.unwrap_or(""), &l, &ctx.owners()),
    ))
}

pub(super) fn list_objects_v2(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let start_after = ctx.req.query_nonempty("start-after");
    // An empty token is no token (echoed as sent).
    let token = ctx.req.query("continuation-token");
    let after = match token.filter(|t| !t.is_empty()) {
        Some(t) => Some(decode_token(t).ok_or_else(|| {
            S3Error::invalid_argument("The continuation token provided is incorrect")
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
        listing::objects_v2(&S3, &q, &v2, &l, &ctx.owners()),
    ))
}

pub(super) fn list_versions(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let key_marker = ctx.req.query_nonempty("key-marker");
    let version_marker = ctx.req.query_nonempty("version-id-marker");
    let p = ListVersionsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        key_marker: key_marker.map(Into::into),
        version_id_marker: version_marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListVersions(q.bucket, &p))?;
    let body = listing::versions(
        &S3,
        &q,
        key_marker.unwrap_or(""),
        version_marker.unwrap_or(""),
        &l,
        &ctx.owners(),
    );
    Ok(xml(StatusCode::OK, body))
}
