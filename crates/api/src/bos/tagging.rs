//! BOS tagging, as its SDKs have it (bce-python-sdk's `put_object_tagging`,
//! `put_object_tagging_canned`, `get_object_tagging`, `delete_object_tagging` and the bucket's
//! three; bce-sdk-go's `PutObjectTag`, `GetObjectTag`, `DeleteObjectTag`, `PutBucketTag`, ...):
//! - `PUT ?tagging` on an object: the tags of `x-bce-tagging` (`k1=v1&k2=v2`), or of the body
//!   `{"tagSet":[{"tagInfo":[{"key":"k","value":"v"}]}]}`; `GET` answers
//!   `{"tagSet":[{"tagInfo":{"k":"v"}}]}` (a map, as the Go SDK reads it); `DELETE`.
//! - `PUT ?tagging` on a bucket: `{"tags":[{"tagKey":"k","tagValue":"v"}]}`; `GET` answers
//!   `{"tag":[…]}` in the same form (404 `NoSuchTagSet` without tags); `DELETE`.
//! - `x-bce-tagging` on PutObject, InitiateMultipartUpload and CopyObject. A copy keeps the
//!   source's tags under `x-bce-tagging-directive: copy` and takes its `x-bce-tagging` under
//!   `replace`; without the directive, a copy that sends `x-bce-tagging` (the Python SDK's
//!   `copy_object(object_tagging=…)`, which sends no directive) takes those, else keeps the
//!   source's.
//! - `x-bce-tagging-count` on GET and HEAD.
//!
//! The rules tags obey are the core's ([`TagRules::BOS_OBJECT`], [`TagRules::BOS_BUCKET`]); a
//! refusal is `InvalidArgument`, a body that is not the document `MalformedJSON`.

use super::document;
use super::error::BosError;
use super::{BosResult, Ctx, empty, json};
use crate::Body;
use crate::body::Incoming;
use crate::exec::*;
use crate::objhttp::set;
use crate::tagging::{Directive, parse_header};
use hyper::{Response, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use strata_core::tagging::{TagRules, Tags};
use strata_core::{CoreError, ObjectVersion};

const HEADER: &str = "x-bce-tagging";

fn checked(pairs: Vec<(String, String)>, rules: &TagRules) -> Result<Tags, BosError> {
    Tags::checked(pairs, rules).map_err(|e| CoreError::from(e).into())
}

fn header_tags(value: &str) -> Result<Tags, BosError> {
    let pairs = parse_header(value).map_err(|_| {
        BosError::invalid_argument("The x-bce-tagging header must be key1=value1&key2=value2.")
    })?;
    checked(pairs, &TagRules::BOS_OBJECT)
}

/// The tags a write's `x-bce-tagging` asks for (none without the header).
pub(super) fn write_tags(ctx: &Ctx<'_>) -> Result<Tags, BosError> {
    match ctx.req.header(HEADER) {
        None => Ok(Tags::none()),
        Some(v) => header_tags(v),
    }
}

/// A copy's tags (see the module's documentation); `None`: the source's.
pub(super) fn copy_tags(ctx: &Ctx<'_>) -> Result<Option<Tags>, BosError> {
    let named = ctx
        .req
        .header("x-bce-tagging-directive")
        .or(ctx.req.header("x-bce-copy-tagging-directive"));
    let directive = match named {
        None if ctx.req.header(HEADER).is_some() => Directive::Replace,
        None => Directive::Copy,
        Some(v) => Directive::parse(v).ok_or_else(|| {
            BosError::invalid_argument("The x-bce-tagging-directive must be copy or replace.")
        })?,
    };
    match directive {
        Directive::Copy => Ok(None),
        Directive::Replace => write_tags(ctx).map(Some),
    }
}

/// `x-bce-tagging-count` on a GET or HEAD of `v`, when it has tags the requester may read.
pub(super) fn set_tag_count(ctx: &Ctx<'_>, resp: &mut Response<Body>, v: &ObjectVersion) {
    let Ok(bucket) = ctx.bucket() else { return };
    let count = ctx.read(VisibleTagCount {
        bucket,
        key: &v.key,
        by_version: ctx.req.has_query("versionId"),
        tags: &v.data.tags,
    });
    if let Ok(Some(n)) = count {
        set(resp, "x-bce-tagging-count", &n.to_string());
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectDoc {
    tag_set: Vec<TagInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagInfo {
    tag_info: Vec<ObjectTag>,
}

#[derive(Deserialize)]
struct ObjectTag {
    key: String,
    value: String,
}

/// The tags of an object's tagging document: every `tagInfo` list of its `tagSet`, in order.
pub fn parse_object_document(bytes: &[u8]) -> Result<Vec<(String, String)>, BosError> {
    let doc: ObjectDoc = document::read(bytes)?;
    Ok(doc
        .tag_set
        .into_iter()
        .flat_map(|s| s.tag_info)
        .map(|t| (t.key, t.value))
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BucketDoc {
    tags: Vec<BucketTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BucketTag {
    tag_key: String,
    tag_value: String,
}

/// The tags of a bucket's tagging document, in order.
pub fn parse_bucket_document(bytes: &[u8]) -> Result<Vec<(String, String)>, BosError> {
    let doc: BucketDoc = document::read(bytes)?;
    Ok(doc
        .tags
        .into_iter()
        .map(|t| (t.tag_key, t.tag_value))
        .collect())
}

pub(super) fn get_object(ctx: &Ctx<'_>) -> BosResult {
    let view = ctx.read(GetObjectTagging {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    let info: Map<String, Value> = view
        .tags
        .pairs()
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Ok(json(json!({"tagSet": [{"tagInfo": info}]})))
}

async fn change_object(ctx: &Ctx<'_>, tags: Tags) -> BosResult {
    ctx.run(PutObjectTagging {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
        tags,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn put_object(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    ctx.key()?;
    ctx.version_id()?;
    let tags = match ctx.req.header(HEADER) {
        Some(v) => header_tags(v)?,
        None => {
            let bytes = ctx.read_document(body).await?;
            checked(parse_object_document(&bytes)?, &TagRules::BOS_OBJECT)?
        }
    };
    change_object(ctx, tags).await
}

pub(super) async fn delete_object(ctx: &Ctx<'_>) -> BosResult {
    change_object(ctx, Tags::none()).await
}

pub(super) fn get_bucket(ctx: &Ctx<'_>) -> BosResult {
    let tags = ctx.read(GetBucketTagging(ctx.bucket()?))?;
    let list: Vec<Value> = tags
        .pairs()
        .iter()
        .map(|(k, v)| json!({"tagKey": k, "tagValue": v}))
        .collect();
    Ok(json(json!({ "tag": list })))
}

pub(super) async fn put_bucket(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let tags = checked(parse_bucket_document(&bytes)?, &TagRules::BOS_BUCKET)?;
    ctx.run(PutBucketTagging { bucket, tags }).await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete_bucket(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(PutBucketTagging {
        bucket: ctx.bucket()?,
        tags: Tags::none(),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_documents_read() {
        let go = br#"{"tagSet":[{"tagInfo":[{"key":"key1","value":"value1"},{"key":"key2","value":"value2"}]}]}"#;
        assert_eq!(
            parse_object_document(go).unwrap(),
            vec![
                ("key1".to_owned(), "value1".to_owned()),
                ("key2".to_owned(), "value2".to_owned())
            ]
        );
        let bucket = br#"{"tags":[{"tagKey":"key1","tagValue":"value123"},{"tagKey":"ttt2","tagValue":"6863gerg"}]}"#;
        assert_eq!(
            parse_bucket_document(bucket).unwrap(),
            vec![
                ("key1".to_owned(), "value123".to_owned()),
                ("ttt2".to_owned(), "6863gerg".to_owned())
            ]
        );
        for bad in [
            &br#"{"tagSet":[{"tagInfo":{"k":"v"}}]}"#[..],
            br#"{"tagSet":[{"tagInfo":[{"key":"k"}]}]}"#,
            br#"{"tags":"x"}"#,
            b"not json",
        ] {
            for e in [
                parse_object_document(bad).err(),
                parse_bucket_document(bad).err(),
            ] {
                assert_eq!(e.map(|e| e.code), Some("MalformedJSON"), "{bad:?}");
            }
        }
    }
}
