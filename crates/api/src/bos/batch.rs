//! DeleteMultipleObjects (`POST /{bucket}?delete`): JSON in, and out only the failures (no
//! body at all when every key was deleted). Missing keys are `NoSuchKey` failures here.

use super::error::BosError;
use super::{BosResult, Ctx, empty, json_response};
use crate::body::Incoming;
use crate::exec::*;
use hyper::StatusCode;
use serde::Deserialize;
use strata_core::{DeleteEntry, DeleteOutcome, EntryError, MAX_DELETE_ENTRIES};

#[derive(Deserialize)]
struct Request {
    objects: Option<Vec<Item>>,
}

#[derive(Deserialize)]
struct Item {
    key: Option<serde_json::Value>,
    #[serde(rename = "versionId")]
    version_id: Option<serde_json::Value>,
}

/// The entries of a DeleteMultipleObjects body: `{"objects": [{"key": …, "versionId": …}]}`,
/// 1 to [`MAX_DELETE_ENTRIES`] of them, each with a non-empty string key.
pub fn parse_delete_request(bytes: &[u8]) -> Result<Vec<DeleteEntry>, BosError> {
    let req: Request = super::document::read(bytes)?;
    let items = req
        .objects
        .ok_or_else(|| BosError::invalid_argument("The request has no \"objects\" list."))?;
    if items.is_empty() {
        return Err(BosError::invalid_argument("The \"objects\" list is empty."));
    }
    if items.len() > MAX_DELETE_ENTRIES {
        return Err(BosError::invalid_argument(format!(
            "The request lists {} objects; at most {MAX_DELETE_ENTRIES} can be deleted at once.",
            items.len()
        )));
    }
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let key = match item.key {
            Some(serde_json::Value::String(k)) if !k.is_empty() => k,
            _ => {
                return Err(BosError::invalid_argument(format!(
                    "Object {} has no string \"key\".",
                    i + 1
                )));
            }
        };
        let version_id = match item.version_id {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(v)) => Some(v),
            Some(_) => {
                return Err(BosError::invalid_argument(format!(
                    "Object {} has a \"versionId\" that is not a string.",
                    i + 1
                )));
            }
        };
        entries.push(DeleteEntry { key, version_id });
    }
    Ok(entries)
}

pub(super) async fn delete_multiple(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let entries = parse_delete_request(&bytes)?;
    let entries = entries
        .into_iter()
        .map(|e| (e, strata_core::Precondition::default()))
        .collect();
    let results = ctx
        .run(DeleteObjects {
            bypass_governance: false,
            bucket,
            entries,
            refuse_whole: false,
        })
        .await?;
    let mut errors = Vec::new();
    for (entry, outcome) in results {
        let failure = match outcome {
            Ok(DeleteOutcome::Removed { existed: false })
            | Ok(DeleteOutcome::VersionRemoved { existed: false, .. }) => {
                Some(("NoSuchKey", "The specified key does not exist.".to_owned()))
            }
            Ok(_) => None,
            Err(EntryError::InvalidVersionId(_)) => {
                Some(("InvalidArgument", "Invalid Argument.".to_owned()))
            }
            Err(EntryError::InvalidKey(m)) => Some(("InvalidObjectName", m)),
            // BOS sends no conditions with its entries.
            Err(EntryError::PreconditionFailed) => Some((
                "PreconditionFailed",
                "At least one of the preconditions you specified did not hold.".to_owned(),
            )),
            Err(EntryError::AccessDenied) => Some(("AccessDenied", "Access denied.".to_owned())),
            Err(EntryError::Protected(_)) => Some((
                "FileImmutable",
                "The object is protected by the bucket's object lock.".to_owned(),
            )),
        };
        if let Some((code, message)) = failure {
            let mut e = serde_json::json!({"key": entry.key, "code": code, "message": message});
            if let Some(v) = entry.version_id {
                e["versionId"] = serde_json::Value::String(v);
            }
            errors.push(e);
        }
    }
    if errors.is_empty() {
        return Ok(empty(StatusCode::OK));
    }
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({"errors": errors}).to_string(),
    ))
}
