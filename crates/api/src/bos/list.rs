//! ListObjects and ListObjectVersions, in JSON.

use super::error::BosError;
use super::{BosResult, Ctx, bos_time, json};
use crate::exec::*;
use serde_json::{Value, json};
use strata_core::{ListObjectsParams, ListVersionsParams};

/// `maxKeys`-style parameters: absent or empty → 1000; at most 1000.
pub(super) fn max_param(ctx: &Ctx<'_>, name: &str) -> Result<usize, BosError> {
    match ctx.req.query_nonempty(name) {
        None => Ok(1000),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= 1000 => Ok(n),
            _ => Err(BosError::invalid_argument(format!(
                "{name} must be an integer from 0 to 1000."
            ))),
        },
    }
}

fn common_prefixes(delimiter: Option<&str>, prefixes: &[String]) -> Option<Value> {
    delimiter.map(|_| Value::Array(prefixes.iter().map(|p| json!({"prefix": p})).collect()))
}

pub(super) fn list_objects(ctx: &Ctx<'_>) -> BosResult {
    let bucket = ctx.bucket()?;
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let marker = ctx.req.query("marker").unwrap_or("");
    let delimiter = ctx.req.query_nonempty("delimiter");
    let max = max_param(ctx, "maxKeys")?;
    let p = ListObjectsParams {
        prefix: prefix.into(),
        delimiter: delimiter.map(Into::into),
        start_after: (!marker.is_empty()).then(|| marker.to_owned()),
        max_keys: max,
    };
    let l = ctx.read(ListObjects(bucket, &p))?;
    let owner = ctx.owner_json();
    let contents: Vec<Value> = l
        .objects
        .iter()
        .map(|o| {
            json!({"key": o.key, "lastModified": bos_time(o.summary.last_modified_ms), "eTag": o.summary.etag,
                   "size": o.summary.size, "storageClass": "STANDARD",
                   "owner": ctx.entry_owner_json(&owner, o.summary.owner.as_deref())})
        })
        .collect();
    let mut out = json!({"name": bucket, "prefix": prefix, "delimiter": delimiter.unwrap_or(""), "marker": marker,
                         "maxKeys": max, "isTruncated": l.is_truncated, "contents": contents});
    if let Some(next) = l.next_marker {
        out["nextMarker"] = Value::String(next);
    }
    if let Some(cp) = common_prefixes(delimiter, &l.common_prefixes) {
        out["commonPrefixes"] = cp;
    }
    Ok(json(out))
}

pub(super) fn list_versions(ctx: &Ctx<'_>) -> BosResult {
    let bucket = ctx.bucket()?;
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let marker = ctx.req.query("marker").unwrap_or("");
    let version_marker = ctx.req.query("versionIdMarker").unwrap_or("");
    let delimiter = ctx.req.query_nonempty("delimiter");
    let max = max_param(ctx, "maxKeys")?;
    let p = ListVersionsParams {
        prefix: prefix.into(),
        delimiter: delimiter.map(Into::into),
        key_marker: (!marker.is_empty()).then(|| marker.to_owned()),
        version_id_marker: (!version_marker.is_empty()).then(|| version_marker.to_owned()),
        max_keys: max,
    };
    let l = ctx.read(ListVersions(bucket, &p))?;
    let owner = ctx.owner_json();
    let contents: Vec<Value> = l
        .entries
        .iter()
        .map(|v| {
            let mut e = json!({"key": v.key, "lastModified": bos_time(v.last_modified_ms), "versionId": v.version_id.to_string(),
                               "isLatest": v.is_latest, "owner": ctx.entry_owner_json(&owner, v.owner.as_deref()),
                               "storageClass": "STANDARD"});
            match &v.object {
                Some((size, tag)) => {
                    e["eTag"] = Value::String(tag.clone());
                    e["size"] = json!(size);
                }
                None => {
                    e["deleteMarker"] = Value::Bool(true);
                    e["size"] = json!(0);
                }
            }
            e
        })
        .collect();
    let mut out = json!({"name": bucket, "prefix": prefix, "delimiter": delimiter.unwrap_or(""), "marker": marker,
                         "versionIdMarker": version_marker, "maxKeys": max, "isTruncated": l.is_truncated, "contents": contents});
    if l.is_truncated {
        out["nextMarker"] = Value::String(l.next_key_marker.unwrap_or_default());
        out["nextVersionIdMarker"] = Value::String(
            l.next_version_id_marker
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
    }
    if let Some(cp) = common_prefixes(delimiter, &l.common_prefixes) {
        out["commonPrefixes"] = cp;
    }
    Ok(json(out))
}
