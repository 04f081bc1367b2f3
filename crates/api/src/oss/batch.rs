//! DeleteMultipleObjects (`POST /?delete`), and the parsing of the small request documents.

use super::error::OssError;
use super::object::validate_key;
use super::{Ctx, OssResult, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::xml::{DeleteRequest, Element, ParseError, Xml, maybe_encode, parse};
use hyper::StatusCode;
use strata_core::{DeleteEntry, MAX_DELETE_ENTRIES, VersionId};

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
        ParseError::TooDeep => OssError::malformed_xml(format!(
            "The XML you provided nests elements deeper than {} levels.",
            crate::xml::MAX_DEPTH
        )),
    })?;
    if el.name != root {
        return Err(OssError::malformed_xml(format!(
            "the root node is not named {root}."
        )));
    }
    Ok(el)
}

/// The `Status` of a `VersioningConfiguration`, trimmed (the caller judges its value).
pub fn parse_versioning(bytes: &[u8]) -> Result<Option<String>, OssError> {
    let doc = parse_doc(bytes, "VersioningConfiguration", 16)?;
    Ok(doc.child_text("Status").map(|s| s.trim().to_owned()))
}

/// Reads a DeleteMultipleObjects body: `<Delete>` with an optional `Quiet` (`true`/`True`/
/// `false`/`False`) and 1 to [`MAX_DELETE_ENTRIES`] `Object`s, each with a valid OSS object name
/// as `Key` (else InvalidObjectName) and an optional well-formed `VersionId` (OSS refuses the
/// whole request for a malformed one). Keys are taken as written: `encoding-type=url` applies
/// to the answer only.
pub fn parse_delete_request(bytes: &[u8]) -> Result<DeleteRequest, OssError> {
    // Each object is at most three elements; anything much larger is refused while parsing.
    let doc = parse_doc(bytes, "Delete", 3 * MAX_DELETE_ENTRIES + 8)?;
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
    Ok(DeleteRequest { quiet, entries })
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
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let DeleteRequest { quiet, entries } = parse_delete_request(&bytes)?;
    let entries = entries
        .into_iter()
        .map(|e| (e, strata_core::Precondition::default()))
        .collect();
    let results = ctx
        .run(DeleteObjects {
            bypass_governance: false,
            bucket,
            entries,
            refuse_whole: true,
        })
        .await?;
    let mut x = Xml::new("DeleteResult", "");
    if url {
        x.leaf("EncodingType", "url");
    }
    if !quiet {
        for (entry, outcome) in results {
            // Entries were validated above, so every outcome is a success.
            let Ok(outcome) = outcome else { continue };
            crate::listing::deleted_entry(&mut x, &maybe_encode(&entry.key, url), &outcome);
        }
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &[u8]) -> OssError {
        parse_delete_request(body).unwrap_err()
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
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<Delete><Quiet>True</Quiet><Object><Key>a&amp;b&#x01;</Key><VersionId>null</VersionId></Object><Object><Key>dir/a b+c%d~ü.txt</Key></Object></Delete>"#;
        let req = parse_delete_request(doc.as_bytes()).unwrap();
        assert!(req.quiet);
        assert_eq!(
            req.entries,
            [
                DeleteEntry {
                    key: "a&b\u{1}".into(),
                    version_id: Some("null".into())
                },
                DeleteEntry {
                    key: "dir/a b+c%d~ü.txt".into(),
                    version_id: None
                },
            ]
        );
    }

    #[test]
    fn keys_are_taken_as_written_not_url_decoded() {
        let req =
            parse_delete_request(b"<Delete><Object><Key>a%2Fb+c</Key></Object></Delete>").unwrap();
        assert_eq!(req.entries[0].key, "a%2Fb+c");
    }

    #[test]
    fn quiet_is_true_or_false_in_two_spellings_and_anything_else_is_malformed_xml() {
        let with = |q: &str| format!("<Delete>{q}<Object><Key>k</Key></Object></Delete>");
        for (q, want) in [
            ("", false),
            ("<Quiet>false</Quiet>", false),
            ("<Quiet>False</Quiet>", false),
            ("<Quiet> true </Quiet>", true),
            ("<Quiet>True</Quiet>", true),
        ] {
            assert_eq!(
                parse_delete_request(with(q).as_bytes()).unwrap().quiet,
                want,
                "{q}"
            );
        }
        for bad in ["<Quiet>TRUE</Quiet>", "<Quiet>1</Quiet>", "<Quiet/>"] {
            let e = err(with(bad).as_bytes());
            assert_eq!(
                (e.code, e.message.as_str()),
                ("MalformedXML", "Quiet must be true or false.")
            );
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
        let e = err(&objects(MAX_DELETE_ENTRIES + 1));
        assert_eq!(e.code, "MalformedXML");
        assert!(e.message.contains("1001 objects"), "{}", e.message);
        let e = err(&objects(0));
        assert_eq!(
            (e.code, e.message.as_str()),
            ("MalformedXML", "The Delete element lists no Object.")
        );
    }

    #[test]
    fn too_many_elements_or_a_wrong_root_is_malformed_xml() {
        let doc = format!(
            "<Delete>{}</Delete>",
            "<X/>".repeat(3 * MAX_DELETE_ENTRIES + 8)
        );
        let e = err(doc.as_bytes());
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "MalformedXML",
                "The XML you provided has too many elements."
            )
        );
        let e = err(b"<Remove><Object><Key>k</Key></Object></Remove>");
        assert_eq!(
            (e.code, e.message.as_str()),
            ("MalformedXML", "the root node is not named Delete.")
        );
        assert_eq!(err(b"<Delete><Object></Delete>").code, "MalformedXML");
    }

    #[test]
    fn an_object_without_key_is_malformed_xml_and_an_invalid_name_is_invalid_object_name() {
        let e = err(b"<Delete><Object><VersionId>null</VersionId></Object></Delete>");
        assert_eq!(
            (e.code, e.message.as_str()),
            ("MalformedXML", "An Object has no Key.")
        );
        let long = format!(
            "<Delete><Object><Key>{}</Key></Object></Delete>",
            "k".repeat(1024)
        );
        for doc in [
            "<Delete><Object><Key></Key></Object></Delete>",
            "<Delete><Object><Key>/a</Key></Object></Delete>",
            "<Delete><Object><Key>\\a</Key></Object></Delete>",
            &long,
        ] {
            assert_eq!(err(doc.as_bytes()).code, "InvalidObjectName", "{doc}");
        }
        let max = format!(
            "<Delete><Object><Key>{}</Key></Object></Delete>",
            "k".repeat(1023)
        );
        assert!(parse_delete_request(max.as_bytes()).is_ok());
    }

    #[test]
    fn a_malformed_version_id_refuses_the_whole_request() {
        for v in ["", "abc", "NULL"] {
            let doc = format!(
                "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>{v}</VersionId></Object></Delete>"
            );
            assert_eq!(err(doc.as_bytes()).code, "InvalidArgument", "{v:?}");
        }
    }

    #[test]
    fn versioning_status_is_the_trimmed_text_or_none() {
        assert_eq!(
            parse_versioning(
                b"<VersioningConfiguration><Status> Enabled </Status></VersioningConfiguration>"
            )
            .unwrap()
            .as_deref(),
            Some("Enabled")
        );
        assert_eq!(
            parse_versioning(b"<VersioningConfiguration/>").unwrap(),
            None
        );
        assert_eq!(
            parse_versioning(b"<Versioning><Status>Enabled</Status></Versioning>")
                .unwrap_err()
                .code,
            "MalformedXML"
        );
    }
}
