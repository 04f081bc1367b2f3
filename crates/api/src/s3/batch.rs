//! DeleteObjects (`POST /?delete`): up to 1000 keys or versions in one durable commit;
//! Content-MD5 or an `x-amz-checksum-*` header required and verified. The conditions of
//! deletes (DeleteObject's headers, DeleteObjects' per-entry elements).

use super::error::S3Error;
use super::object::has_integrity_header;
use super::{Ctx, S3Result, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::parse_http_date;
use crate::listing::{self, S3};
use crate::xml::{DeleteRequest, Element, Xml, parse};
use hyper::StatusCode;
use strata_core::{DeleteEntry, EntryError, MAX_DELETE_ENTRIES, Precondition};

/// A delete's time condition: an HTTP date (what SDKs send, in headers and in DeleteObjects'
/// `LastModifiedTime`) or ISO 8601, as whole seconds since the epoch.
fn condition_time(text: &str) -> Option<i64> {
    let text = text.trim();
    parse_http_date(text)
        .or_else(|| {
            text.parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.as_millisecond())
        })
        .map(|ms| ms.div_euclid(1000))
}

/// The conditions of a DeleteObject: `If-Match`, `x-amz-if-match-last-modified-time` and
/// `x-amz-if-match-size` (AWS documents the last two for directory buckets; ceph/s3-tests
/// expects them of every bucket). A malformed time or size is InvalidArgument.
pub(super) fn delete_condition(ctx: &Ctx<'_>) -> Result<Precondition, S3Error> {
    let time = ctx.req.header("x-amz-if-match-last-modified-time");
    let size = ctx.req.header("x-amz-if-match-size");
    Ok(Precondition {
        if_match: ctx.req.header("if-match").map(str::to_owned),
        last_modified_secs: time
            .map(|t| condition_time(t).ok_or_else(|| S3Error::invalid_argument("Invalid time")))
            .transpose()?,
        size: size
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| S3Error::invalid_argument("Invalid size"))
            })
            .transpose()?,
        ..Precondition::default()
    })
}

/// Reads a DeleteObjects body: `<Delete>` with an optional `Quiet` (`true`/`false`, any case)
/// and 1 to [`MAX_DELETE_ENTRIES`] `Object`s, each with a `Key` and an optional `VersionId`.
/// Anything else is MalformedXML. Keys and version IDs are the client's text, unchecked: the
/// core judges them per entry.
pub fn parse_delete_request(bytes: &[u8]) -> Result<DeleteRequest, S3Error> {
    read_delete_request(bytes).map(|(req, _)| req)
}

/// [`parse_delete_request`], with each entry's conditions: `ETag`, `LastModifiedTime` and
/// `Size` (a malformed time or size is MalformedXML).
fn read_delete_request(bytes: &[u8]) -> Result<(DeleteRequest, Vec<Precondition>), S3Error> {
    let doc =
        parse(bytes, 5 * (MAX_DELETE_ENTRIES + 1) + 8).map_err(|_| S3Error::malformed_xml())?;
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
    let mut conditions = Vec::with_capacity(objects.len());
    for o in objects {
        let key = o.child_text("Key").ok_or_else(S3Error::malformed_xml)?;
        entries.push(DeleteEntry {
            key: key.to_owned(),
            version_id: o.child_text("VersionId").map(str::to_owned),
        });
        let time = o.child_text("LastModifiedTime");
        let size = o.child_text("Size");
        conditions.push(Precondition {
            if_match: o.child_text("ETag").map(str::to_owned),
            last_modified_secs: time
                .map(|t| condition_time(t).ok_or_else(S3Error::malformed_xml))
                .transpose()?,
            size: size
                .map(|s| {
                    s.trim()
                        .parse::<u64>()
                        .map_err(|_| S3Error::malformed_xml())
                })
                .transpose()?,
            ..Precondition::default()
        });
    }
    Ok((DeleteRequest { quiet, entries }, conditions))
}

pub(super) async fn delete_objects(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    if !has_integrity_header(ctx) {
        return Err(S3Error::invalid_request(
            "Missing required header for this request: Content-MD5",
        ));
    }
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let (DeleteRequest { quiet, entries }, conditions) = read_delete_request(&bytes)?;
    let entries = entries.into_iter().zip(conditions).collect();
    let results = ctx
        .run(DeleteObjects {
            bypass_governance: super::lock::bypass_governance(ctx),
            bucket,
            entries,
            refuse_whole: false,
        })
        .await?;
    let mut x = Xml::new("DeleteResult", S3.root_attrs);
    for (entry, outcome) in results {
        match outcome {
            Ok(_) if quiet => {}
            Ok(outcome) => listing::deleted_entry(&mut x, &entry.key, &outcome),
            Err(e) => {
                let (code, message) = match e {
                    // AWS answers a malformed version ID with NoSuchVersion, per key.
                    EntryError::InvalidVersionId(_) => (
                        "NoSuchVersion",
                        "The specified version does not exist.".to_owned(),
                    ),
                    EntryError::InvalidKey(m) => ("KeyTooLongError", m),
                    EntryError::PreconditionFailed => (
                        "PreconditionFailed",
                        "At least one of the pre-conditions you specified did not hold".to_owned(),
                    ),
                    EntryError::AccessDenied => ("AccessDenied", "Access Denied".to_owned()),
                    EntryError::Protected(_) => (
                        "AccessDenied",
                        "Access Denied because object protected by object lock.".to_owned(),
                    ),
                };
                x.open("Error").leaf("Key", &entry.key);
                x.leaf_opt("VersionId", entry.version_id.as_deref());
                x.leaf("Code", code).leaf("Message", &message).close();
            }
        }
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &[u8]) -> &'static str {
        parse_delete_request(body).unwrap_err().code
    }

    fn objects(n: usize) -> Vec<u8> {
        let mut doc = String::from("<Delete>");
        for i in 0..n {
            doc.push_str(&format!("<Object><Key>k{i}</Key></Object>"));
        }
        doc.push_str("</Delete>");
        doc.into_bytes()
    }

    #[test]
    fn reads_keys_version_ids_and_quiet_in_document_order() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b&#x01;</Key><VersionId>null</VersionId></Object><Quiet> TRUE </Quiet><Object><Key> b </Key></Object></Delete>"#;
        let req = parse_delete_request(doc).unwrap();
        assert!(req.quiet);
        assert_eq!(
            req.entries,
            [
                DeleteEntry {
                    key: "a&b\u{1}".into(),
                    version_id: Some("null".into())
                },
                DeleteEntry {
                    key: " b ".into(),
                    version_id: None
                },
            ]
        );
    }

    #[test]
    fn quiet_is_false_when_absent_or_false_in_any_case_and_anything_else_is_malformed_xml() {
        let with = |q: &str| format!("<Delete>{q}<Object><Key>k</Key></Object></Delete>");
        assert!(!parse_delete_request(with("").as_bytes()).unwrap().quiet);
        assert!(
            !parse_delete_request(with("<Quiet>False</Quiet>").as_bytes())
                .unwrap()
                .quiet
        );
        assert!(
            parse_delete_request(with("<Quiet>true</Quiet>").as_bytes())
                .unwrap()
                .quiet
        );
        for bad in ["<Quiet>yes</Quiet>", "<Quiet>1</Quiet>", "<Quiet/>"] {
            assert_eq!(code(with(bad).as_bytes()), "MalformedXML", "{bad}");
        }
    }

    #[test]
    fn one_to_1000_objects_are_read_and_none_or_1001_is_malformed_xml() {
        assert_eq!(parse_delete_request(&objects(1)).unwrap().entries.len(), 1);
        assert_eq!(
            parse_delete_request(&objects(MAX_DELETE_ENTRIES))
                .unwrap()
                .entries
                .len(),
            MAX_DELETE_ENTRIES
        );
        assert_eq!(code(&objects(MAX_DELETE_ENTRIES + 1)), "MalformedXML");
        assert_eq!(code(&objects(0)), "MalformedXML");
        assert_eq!(
            code(b"<Delete><Quiet>true</Quiet></Delete>"),
            "MalformedXML"
        );
    }

    #[test]
    fn an_object_without_key_a_wrong_root_or_broken_xml_is_malformed_xml() {
        assert_eq!(
            code(b"<Delete><Object><VersionId>null</VersionId></Object></Delete>"),
            "MalformedXML"
        );
        assert_eq!(
            code(b"<Remove><Object><Key>k</Key></Object></Remove>"),
            "MalformedXML"
        );
        assert_eq!(
            code(b"<Delete><Object><Key>k</Key></Delete>"),
            "MalformedXML"
        );
        assert_eq!(code(b"\xff"), "MalformedXML");
        assert_eq!(code(b""), "MalformedXML");
    }

    #[test]
    fn an_empty_key_is_passed_on_for_the_core_to_refuse_per_entry() {
        let req = parse_delete_request(b"<Delete><Object><Key></Key></Object></Delete>").unwrap();
        assert_eq!(req.entries[0].key, "");
    }
}
