//! DeleteObjects (`POST /?delete`): up to 1000 keys or versions in one durable commit;
//! Content-MD5 or an `x-amz-checksum-*` header required and verified.

use super::bucket::read_body;
use super::error::S3Error;
use super::object::has_integrity_header;
use super::{Ctx, S3Result, xml};
use crate::body::Incoming;
use crate::listing::S3;
use crate::xml::{Element, Xml, parse};
use hyper::StatusCode;
use strata_core::{DeleteEntry, DeleteOutcome, EntryError, MAX_DELETE_ENTRIES};

/// 1000 keys of up to 1024 bytes with version IDs fit comfortably.
pub const DELETE_BODY_LIMIT: usize = 2 * 1024 * 1024;

pub(super) async fn delete_objects(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    if !has_integrity_header(ctx) {
        return Err(S3Error::invalid_request(
            "Missing required header for this request: Content-MD5",
        ));
    }
    ctx.state.store.bucket(bucket)?;
    let bytes = read_body(ctx, body, DELETE_BODY_LIMIT).await?;
    let doc =
        parse(&bytes, 5 * (MAX_DELETE_ENTRIES + 1) + 8).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "Delete" {
        return Err(S3Error::malformed_xml());
    }
    let quiet = match doc.child_text("Quiet").map(str::trim) {
        None => false,
        Some(q) if q.eq_ignore_ascii_case("true") => true,
        Some(q) if q.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(S3Error::malformed_xml()),
    };
    let objects: Vec<&Element> = doc.children("Object").collect();
    if objects.is_empty() || objects.len() > MAX_DELETE_ENTRIES {
        return Err(S3Error::malformed_xml());
    }
    let mut entries = Vec::with_capacity(objects.len());
    for o in objects {
        let key = o.child_text("Key").ok_or_else(S3Error::malformed_xml)?;
        entries.push(DeleteEntry {
            key: key.to_owned(),
            version_id: o.child_text("VersionId").map(str::to_owned),
        });
    }
    let results = ctx.state.store.delete_objects(bucket, entries).await?;
    let mut x = Xml::new("DeleteResult", S3.root_attrs);
    for (entry, outcome) in results {
        match outcome {
            Ok(_) if quiet => {}
            Ok(outcome) => {
                x.open("Deleted").leaf("Key", &entry.key);
                match outcome {
                    DeleteOutcome::Removed { .. } => {}
                    DeleteOutcome::MarkerCreated(id) => {
                        x.leaf("DeleteMarker", "true")
                            .leaf("DeleteMarkerVersionId", &id.to_string());
                    }
                    DeleteOutcome::VersionRemoved {
                        version_id,
                        was_marker,
                        ..
                    } => {
                        x.leaf("VersionId", &version_id.to_string());
                        if was_marker {
                            x.leaf("DeleteMarker", "true")
                                .leaf("DeleteMarkerVersionId", &version_id.to_string());
                        }
                    }
                }
                x.close();
            }
            Err(e) => {
                let (code, message) = match e {
                    // AWS answers a malformed version ID with NoSuchVersion, per key.
                    EntryError::InvalidVersionId(_) => (
                        "NoSuchVersion",
                        "The specified version does not exist.".to_owned(),
                    ),
                    EntryError::InvalidKey(m) => ("KeyTooLongError", m),
                };
                x.open("Error").leaf("Key", &entry.key);
                x.leaf_opt("VersionId", entry.version_id.as_deref());
                x.leaf("Code", code).leaf("Message", &message).close();
            }
        }
    }
    Ok(xml(StatusCode::OK, x.finish()))
}
