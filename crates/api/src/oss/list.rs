//! ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use super::bucket::parse_max;
use super::error::OssError;
use super::{Ctx, OssResult, etag, xml};
use crate::httpfmt::iso8601;
use crate::xml::{Xml, maybe_encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::StatusCode;
use strata_core::{ListObjectsParams, ListVersionsParams, ObjectListing};

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

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn object_type(stored_etag: &str) -> &'static str {
    if stored_etag.contains('-') {
        "Multipart"
    } else {
        "Normal"
    }
}

fn owner(x: &mut Xml, id: &str) {
    x.open("Owner")
        .leaf("ID", id)
        .leaf("DisplayName", id)
        .close();
}

fn contents(x: &mut Xml, ctx: &Ctx<'_>, listing: &ObjectListing, url: bool, with_owner: bool) {
    for o in &listing.objects {
        let s = &o.summary;
        x.open("Contents")
            .leaf("Key", &maybe_encode(&o.key, url))
            .leaf("LastModified", &iso8601(s.last_modified_ms))
            .leaf("ETag", &etag(&s.etag))
            .leaf("Type", object_type(&s.etag))
            .leaf("Size", &s.size.to_string())
            .leaf("StorageClass", "Standard");
        if with_owner {
            owner(x, ctx.owner());
        }
        x.close();
    }
    for p in &listing.common_prefixes {
        x.open("CommonPrefixes")
            .leaf("Prefix", &maybe_encode(p, url))
            .close();
    }
}

pub(super) fn list_objects(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let url = ctx.url_encoding()?;
    let prefix = param(ctx, "prefix")?.unwrap_or("");
    let marker = param(ctx, "marker")?;
    let delimiter = param(ctx, "delimiter")?;
    let max = parse_max(ctx.req.query("max-keys"), 100)?;
    let p = ListObjectsParams {
        prefix: prefix.into(),
        delimiter: delimiter.map(Into::into),
        start_after: marker.map(Into::into),
        max_keys: max,
    };
    let l = ctx.state.store.list_objects(bucket, &p)?;
    let e = |s: &str| maybe_encode(s, url);
    let mut x = Xml::new("ListBucketResult", "");
    x.leaf("Name", bucket)
        .leaf("Prefix", &e(prefix))
        .leaf("Marker", &e(marker.unwrap_or("")))
        .leaf("MaxKeys", &max.to_string())
        .leaf("Delimiter", &e(delimiter.unwrap_or("")));
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextMarker", &e(next));
    }
    contents(&mut x, ctx, &l, url, true);
    Ok(xml(StatusCode::OK, x.finish()))
}

/// Continuation tokens are the last key returned, base64url-encoded (URL-safe, opaque).
fn encode_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_token(token: &str) -> Result<String, OssError> {
    URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| OssError::invalid_argument("The continuation token provided is incorrect."))
}

pub(super) fn list_objects_v2(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let url = ctx.url_encoding()?;
    let prefix = param(ctx, "prefix")?.unwrap_or("");
    let delimiter = param(ctx, "delimiter")?;
    let start_after = param(ctx, "start-after")?;
    let token = ctx.req.query_nonempty("continuation-token");
    let fetch_owner = ctx
        .req
        .query("fetch-owner")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let max = parse_max(ctx.req.query("max-keys"), 100)?;
    let after = match token {
        Some(t) => Some(decode_token(t)?),
        None => start_after.map(str::to_owned),
    };
    let p = ListObjectsParams {
        prefix: prefix.into(),
        delimiter: delimiter.map(Into::into),
        start_after: after,
        max_keys: max,
    };
    let l = ctx.state.store.list_objects(bucket, &p)?;
    let e = |s: &str| maybe_encode(s, url);
    let mut x = Xml::new("ListBucketResult", "");
    x.leaf("Name", bucket).leaf("Prefix", &e(prefix));
    if let Some(s) = start_after {
        x.leaf("StartAfter", &e(s));
    }
    if let Some(t) = token {
        x.leaf("ContinuationToken", t);
    }
    x.leaf("MaxKeys", &max.to_string())
        .leaf("Delimiter", &e(delimiter.unwrap_or("")));
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextContinuationToken", &encode_token(next));
    }
    contents(&mut x, ctx, &l, url, fetch_owner);
    x.leaf(
        "KeyCount",
        &(l.objects.len() + l.common_prefixes.len()).to_string(),
    );
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) fn list_versions(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let url = ctx.url_encoding()?;
    let prefix = param(ctx, "prefix")?.unwrap_or("");
    let delimiter = param(ctx, "delimiter")?;
    let key_marker = param(ctx, "key-marker")?;
    let version_marker = param(ctx, "version-id-marker")?;
    let max = parse_max(ctx.req.query("max-keys"), 100)?;
    let p = ListVersionsParams {
        prefix: prefix.into(),
        delimiter: delimiter.map(Into::into),
        key_marker: key_marker.map(Into::into),
        version_id_marker: version_marker.map(Into::into),
        max_keys: max,
    };
    let l = ctx.state.store.list_versions(bucket, &p)?;
    let e = |s: &str| maybe_encode(s, url);
    let mut x = Xml::new("ListVersionsResult", "");
    x.leaf("Name", bucket)
        .leaf("Prefix", &e(prefix))
        .leaf("KeyMarker", &e(key_marker.unwrap_or("")))
        .leaf("VersionIdMarker", version_marker.unwrap_or(""))
        .leaf("MaxKeys", &max.to_string())
        .leaf("Delimiter", &e(delimiter.unwrap_or("")));
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if l.is_truncated {
        x.leaf(
            "NextKeyMarker",
            &e(l.next_key_marker.as_deref().unwrap_or("")),
        );
        x.leaf(
            "NextVersionIdMarker",
            &l.next_version_id_marker
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
    }
    for v in &l.entries {
        match &v.object {
            None => {
                x.open("DeleteMarker")
                    .leaf("Key", &e(&v.key))
                    .leaf("VersionId", &v.version_id.to_string())
                    .leaf("IsLatest", bool_text(v.is_latest))
                    .leaf("LastModified", &iso8601(v.last_modified_ms));
                owner(&mut x, ctx.owner());
                x.close();
            }
            Some((size, tag)) => {
                x.open("Version")
                    .leaf("Key", &e(&v.key))
                    .leaf("VersionId", &v.version_id.to_string())
                    .leaf("IsLatest", bool_text(v.is_latest))
                    .leaf("LastModified", &iso8601(v.last_modified_ms))
                    .leaf("ETag", &etag(tag))
                    .leaf("Type", object_type(tag))
                    .leaf("Size", &size.to_string())
                    .leaf("StorageClass", "Standard");
                owner(&mut x, ctx.owner());
                x.close();
            }
        }
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &e(p)).close();
    }
    Ok(xml(StatusCode::OK, x.finish()))
}
