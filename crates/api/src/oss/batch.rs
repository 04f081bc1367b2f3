//! DeleteMultipleObjects (`POST /?delete`), and the parsing of the small request documents.

use super::bucket::read_body;
use super::error::OssError;
use super::object::validate_key;
use super::{Ctx, OssResult, xml};
use crate::body::Incoming;
use crate::xml::{Element, ParseError, Xml, maybe_encode, parse};
use hyper::StatusCode;
use strata_core::{DeleteEntry, DeleteOutcome, MAX_DELETE_ENTRIES, VersionId};

/// The largest multi-delete body read (1000 keys of 1023 bytes, escaped, fit).
pub const DELETE_BODY_LIMIT: usize = 2 * 1024 * 1024;

pub(super) fn parse_doc(
    bytes: &[u8],
    root: &str,
    max_elements: usize,
) -> Result<Element, OssError> {
    let el = parse(bytes, max_elements).map_err(|e| match e {
        ParseError::Malformed(m) => {
            OssError::malformed_xml(format!("The XML you provided was not well-formed: {m}"))
        }
        ParseError::TooLarge => {
            OssError::malformed_xml("The XML you provided has too many elements.")
        }
    })?;
    if el.name != root {
        return Err(OssError::malformed_xml(format!(
            "the root node is not named {root}."
        )));
    }
    Ok(el)
}

/// The `Status` of a `VersioningConfiguration`.
pub(super) fn parse_versioning(bytes: &[u8]) -> Result<Option<String>, OssError> {
    let doc = parse_doc(bytes, "VersioningConfiguration", 16)?;
    Ok(doc.child_text("Status").map(|s| s.trim().to_owned()))
}

pub(super) async fn delete_multiple(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let url = ctx.url_encoding()?;
    if ctx.req.header("content-md5").is_none() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Missing required header for this request: Content-MD5",
        ));
    }
    ctx.state.store.bucket(bucket)?;
    let bytes = read_body(ctx, body, DELETE_BODY_LIMIT).await?;
    // Each object is at most three elements; anything much larger is refused while parsing.
    let doc = parse_doc(&bytes, "Delete", 3 * MAX_DELETE_ENTRIES + 8)?;
    let quiet = match doc.child_text("Quiet").map(str::trim) {
        None | Some("false") | Some("False") => false,
        Some("true") | Some("True") => true,
        Some(_) => return Err(OssError::malformed_xml("Quiet must be true or false.")),
    };
    let objects: Vec<&Element> = doc.children("Object").collect();
    if objects.is_empty() {
        return Err(OssError::malformed_xml(
            "The Delete element lists no Object.",
        ));
    }
    if objects.len() > MAX_DELETE_ENTRIES {
        return Err(OssError::malformed_xml(format!(
            "The request lists {} objects; at most {MAX_DELETE_ENTRIES} are allowed.",
            objects.len()
        )));
    }
    let mut entries = Vec::with_capacity(objects.len());
    for o in objects {
        let key = o
            .child_text("Key")
            .ok_or_else(|| OssError::malformed_xml("An Object has no Key."))?;
        validate_key(key)?;
        let version_id = match o.child_text("VersionId") {
            None => None,
            Some(v) => {
                // OSS refuses the whole request for a malformed version ID.
                VersionId::parse(v)?;
                Some(v.to_owned())
            }
        };
        entries.push(DeleteEntry {
            key: key.to_owned(),
            version_id,
        });
    }
    let results = ctx.state.store.delete_objects(bucket, entries).await?;
    let mut x = Xml::new("DeleteResult", "");
    if url {
        x.leaf("EncodingType", "url");
    }
    if !quiet {
        for (entry, outcome) in results {
            // Entries were validated above, so every outcome is a success.
            let Ok(outcome) = outcome else { continue };
            x.open("Deleted")
                .leaf("Key", &maybe_encode(&entry.key, url));
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
    }
    Ok(xml(StatusCode::OK, x.finish()))
}
