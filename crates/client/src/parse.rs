//! Response bodies: XML for S3 and OSS (with `strata_wire::xml::parse`), JSON for BOS.

use crate::ops::{
    DeleteFailure, ObjectEntry, ObjectsPage, Upload, UploadsPage, VersionEntry, VersionsMarker,
    VersionsPage,
};
use crate::{Dialect, Error};
use http::StatusCode;
use serde::Deserialize;
use strata_wire::xml::Element;

/// A bound on the elements of one response document (a page of 1000 versions has ~12,000).
const MAX_ELEMENTS: usize = 200_000;

pub(crate) fn xml(body: &[u8]) -> Result<Element, Error> {
    strata_wire::xml::parse(body, MAX_ELEMENTS)
        .map_err(|e| Error::Response(format!("the XML response cannot be parsed: {e:?}")))
}

pub(crate) fn expect_root(el: &Element, name: &str) -> Result<(), Error> {
    if el.name == name {
        Ok(())
    } else {
        Err(Error::Response(format!(
            "expected a <{name}> document, got <{}>",
            el.name
        )))
    }
}

/// A key or prefix from a listing: percent-decoded (`+` as a space, as S3 writes spaces) when
/// the response says `EncodingType=url`.
fn key_text(text: &str, url: bool) -> String {
    if !url {
        return text.to_owned();
    }
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn url_encoded(root: &Element) -> bool {
    root.child_text("EncodingType")
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("url"))
}

/// `2026-11-21T14:30:05.000Z` or `2026-11-21T14:30:05Z` → unix milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

fn time_of(s: Option<&str>, what: &str) -> Result<i64, Error> {
    let s = s.unwrap_or_default();
    parse_time(s).ok_or_else(|| Error::Response(format!("{what}: the time {s:?} is not ISO 8601")))
}

fn unquote(etag: &str) -> String {
    etag.trim().trim_matches('"').to_owned()
}

fn is_true(s: Option<&str>) -> bool {
    s.is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
}

/// The error a non-2xx response carries.
pub fn service_error(
    dialect: Dialect,
    status: StatusCode,
    body: &[u8],
    request_id: Option<String>,
) -> Error {
    let reason = || {
        status
            .canonical_reason()
            .unwrap_or("Error")
            .replace(' ', "")
    };
    let (code, message, id) = match dialect {
        Dialect::S3 | Dialect::Oss => match strata_wire::xml::parse(body, 64) {
            Ok(el) if el.name == "Error" => (
                el.child_text("Code").map(str::to_owned),
                el.child_text("Message").map(str::to_owned),
                el.child_text("RequestId").map(str::to_owned),
            ),
            _ => (None, None, None),
        },
        Dialect::Bos => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct BosError {
                code: Option<String>,
                message: Option<String>,
                request_id: Option<String>,
            }
            match serde_json::from_slice::<BosError>(body) {
                Ok(e) => (e.code, e.message, e.request_id),
                Err(_) => (None, None, None),
            }
        }
    };
    let message = message.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            status.to_string()
        } else {
            text.chars().take(200).collect()
        }
    });
    Error::Service {
        status: status.as_u16(),
        code: code.filter(|c| !c.is_empty()).unwrap_or_else(reason),
        message,
        request_id: id.or(request_id),
    }
}

// ---------------------------------------------------------------------------------------------
// S3 and OSS (XML)

pub fn versions_xml(body: &[u8]) -> Result<VersionsPage, Error> {
    let root = xml(body)?;
    expect_root(&root, "ListVersionsResult")?;
    let url = url_encoded(&root);
    let mut page = VersionsPage::default();
    for child in &root.children {
        match child.name.as_str() {
            "Version" | "DeleteMarker" => {
                let key = child
                    .child_text("Key")
                    .ok_or_else(|| Error::Response("a listed version has no Key".into()))?;
                page.entries.push(VersionEntry {
                    key: key_text(key, url),
                    version_id: child.child_text("VersionId").unwrap_or("null").to_owned(),
                    is_latest: is_true(child.child_text("IsLatest")),
                    is_delete_marker: child.name == "DeleteMarker",
                    last_modified_ms: time_of(child.child_text("LastModified"), "LastModified")?,
                    size: child
                        .child_text("Size")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(0),
                    etag: child.child_text("ETag").map(unquote).unwrap_or_default(),
                });
            }
            "CommonPrefixes" => {
                if let Some(p) = child.child_text("Prefix") {
                    page.common_prefixes.push(key_text(p, url));
                }
            }
            _ => {}
        }
    }
    if is_true(root.child_text("IsTruncated")) {
        let last = page.entries.last();
        let key_marker = root
            .child_text("NextKeyMarker")
            .filter(|k| !k.is_empty())
            .map(|k| key_text(k, url))
            .or_else(|| last.map(|e| e.key.clone()))
            .ok_or_else(|| Error::Response("a truncated listing has no NextKeyMarker".into()))?;
        let version_id_marker = root
            .child_text("NextVersionIdMarker")
            .map(str::to_owned)
            .or_else(|| last.map(|e| e.version_id.clone()))
            .unwrap_or_default();
        page.next = Some(VersionsMarker {
            key_marker,
            version_id_marker,
        });
    }
    Ok(page)
}

/// ListObjectsV2.
pub fn objects_xml(body: &[u8]) -> Result<ObjectsPage, Error> {
    let root = xml(body)?;
    expect_root(&root, "ListBucketResult")?;
    let url = url_encoded(&root);
    let mut page = ObjectsPage::default();
    for child in &root.children {
        match child.name.as_str() {
            "Contents" => {
                let key = child
                    .child_text("Key")
                    .ok_or_else(|| Error::Response("a listed object has no Key".into()))?;
                page.entries.push(ObjectEntry {
                    key: key_text(key, url),
                    last_modified_ms: time_of(child.child_text("LastModified"), "LastModified")?,
                    size: child
                        .child_text("Size")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(0),
                    etag: child.child_text("ETag").map(unquote).unwrap_or_default(),
                });
            }
            "CommonPrefixes" => {
                if let Some(p) = child.child_text("Prefix") {
                    page.common_prefixes.push(key_text(p, url));
                }
            }
            _ => {}
        }
    }
    if is_true(root.child_text("IsTruncated")) {
        let token = root
            .child_text("NextContinuationToken")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::Response("a truncated listing has no NextContinuationToken".into())
            })?;
        page.next = Some(token.to_owned());
    }
    Ok(page)
}

/// The `<Error>` entries of a DeleteObjects / DeleteMultipleObjects result (quiet mode lists
/// nothing else).
pub fn delete_result_xml(body: &[u8]) -> Result<Vec<DeleteFailure>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let root = xml(body)?;
    expect_root(&root, "DeleteResult")?;
    let url = url_encoded(&root);
    Ok(root
        .children("Error")
        .map(|e| DeleteFailure {
            key: key_text(e.child_text("Key").unwrap_or_default(), url),
            version_id: e
                .child_text("VersionId")
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            code: e.child_text("Code").unwrap_or("InternalError").to_owned(),
            message: e.child_text("Message").unwrap_or_default().to_owned(),
        })
        .collect())
}

/// `<InitiateMultipartUploadResult>…<UploadId>`.
pub fn upload_id_xml(body: &[u8]) -> Result<String, Error> {
    let root = xml(body)?;
    expect_root(&root, "InitiateMultipartUploadResult")?;
    root.child_text("UploadId")
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::Response("the initiate result has no UploadId".into()))
}

/// A ListMultipartUploads result: its `<Upload>` entries and where the next page starts.
pub fn uploads_xml(body: &[u8]) -> Result<UploadsPage, Error> {
    let root = xml(body)?;
    expect_root(&root, "ListMultipartUploadsResult")?;
    let url = url_encoded(&root);
    let uploads: Vec<Upload> = root
        .children("Upload")
        .filter_map(|u| {
            Some(Upload {
                key: key_text(u.child_text("Key")?, url),
                upload_id: u.child_text("UploadId")?.to_owned(),
                initiated_ms: u.child_text("Initiated").and_then(parse_time),
            })
        })
        .collect();
    let next = if is_true(root.child_text("IsTruncated")) {
        let last = uploads.last();
        let key = root
            .child_text("NextKeyMarker")
            .filter(|k| !k.is_empty())
            .map(|k| key_text(k, url))
            .or_else(|| last.map(|u| u.key.clone()))
            .ok_or_else(|| Error::Response("a truncated listing has no NextKeyMarker".into()))?;
        let upload_id = root
            .child_text("NextUploadIdMarker")
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .or_else(|| last.map(|u| u.upload_id.clone()))
            .unwrap_or_default();
        Some((key, upload_id))
    } else {
        None
    };
    Ok(UploadsPage { uploads, next })
}

/// A copy's 200 response: S3 may still carry an `<Error>` document.
pub fn copy_result_xml(body: &[u8], request_id: Option<String>) -> Result<(), Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let root = xml(body)?;
    if root.name == "Error" {
        return Err(service_error(
            Dialect::S3,
            StatusCode::INTERNAL_SERVER_ERROR,
            body,
            request_id,
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// BOS (JSON)

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BosListing {
    #[serde(default)]
    contents: Vec<BosEntry>,
    #[serde(default)]
    common_prefixes: Vec<BosPrefix>,
    #[serde(default)]
    is_truncated: bool,
    next_marker: Option<String>,
    next_version_id_marker: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BosEntry {
    key: String,
    last_modified: String,
    #[serde(default)]
    e_tag: String,
    #[serde(default)]
    size: u64,
    version_id: Option<String>,
    #[serde(default)]
    is_latest: bool,
    #[serde(default)]
    delete_marker: bool,
}

#[derive(Deserialize)]
struct BosPrefix {
    prefix: String,
}

fn bos_listing(body: &[u8]) -> Result<BosListing, Error> {
    serde_json::from_slice(body)
        .map_err(|e| Error::Response(format!("the JSON listing cannot be parsed: {e}")))
}

pub fn versions_json(body: &[u8]) -> Result<VersionsPage, Error> {
    let l = bos_listing(body)?;
    let mut page = VersionsPage {
        common_prefixes: l.common_prefixes.into_iter().map(|p| p.prefix).collect(),
        ..VersionsPage::default()
    };
    for e in l.contents {
        page.entries.push(VersionEntry {
            last_modified_ms: time_of(Some(&e.last_modified), "lastModified")?,
            key: e.key,
            version_id: e.version_id.unwrap_or_else(|| "null".to_owned()),
            is_latest: e.is_latest,
            is_delete_marker: e.delete_marker,
            size: e.size,
            etag: unquote(&e.e_tag),
        });
    }
    if l.is_truncated {
        let last = page.entries.last();
        let key_marker = l
            .next_marker
            .filter(|m| !m.is_empty())
            .or_else(|| last.map(|e| e.key.clone()))
            .ok_or_else(|| Error::Response("a truncated listing has no nextMarker".into()))?;
        let version_id_marker = l
            .next_version_id_marker
            .or_else(|| last.map(|e| e.version_id.clone()))
            .unwrap_or_default();
        page.next = Some(VersionsMarker {
            key_marker,
            version_id_marker,
        });
    }
    Ok(page)
}

pub fn objects_json(body: &[u8]) -> Result<ObjectsPage, Error> {
    let l = bos_listing(body)?;
    let mut page = ObjectsPage {
        common_prefixes: l.common_prefixes.into_iter().map(|p| p.prefix).collect(),
        ..ObjectsPage::default()
    };
    for e in l.contents {
        page.entries.push(ObjectEntry {
            last_modified_ms: time_of(Some(&e.last_modified), "lastModified")?,
            key: e.key,
            size: e.size,
            etag: unquote(&e.e_tag),
        });
    }
    if l.is_truncated {
        let next = l
            .next_marker
            .filter(|m| !m.is_empty())
            .or_else(|| page.entries.last().map(|e| e.key.clone()))
            .ok_or_else(|| Error::Response("a truncated listing has no nextMarker".into()))?;
        page.next = Some(next);
    }
    Ok(page)
}

pub fn upload_id_json(body: &[u8]) -> Result<String, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Initiated {
        upload_id: String,
    }
    serde_json::from_slice::<Initiated>(body)
        .map(|i| i.upload_id)
        .map_err(|e| Error::Response(format!("the initiate result cannot be parsed: {e}")))
}

pub fn uploads_json(body: &[u8]) -> Result<UploadsPage, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Listing {
        #[serde(default)]
        uploads: Vec<Item>,
        #[serde(default)]
        is_truncated: bool,
        #[serde(default)]
        next_key_marker: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        key: String,
        upload_id: String,
        #[serde(default)]
        initiated: Option<String>,
    }
    let l: Listing = serde_json::from_slice(body)
        .map_err(|e| Error::Response(format!("the upload listing cannot be parsed: {e}")))?;
    let last_key = l.uploads.last().map(|u| u.key.clone());
    let uploads = l
        .uploads
        .into_iter()
        .map(|i| Upload {
            key: i.key,
            upload_id: i.upload_id,
            initiated_ms: i.initiated.as_deref().and_then(parse_time),
        })
        .collect();
    let next = if l.is_truncated {
        let key = l
            .next_key_marker
            .filter(|k| !k.is_empty())
            .or(last_key)
            .ok_or_else(|| Error::Response("a truncated listing has no nextKeyMarker".into()))?;
        Some((key, String::new()))
    } else {
        None
    };
    Ok(UploadsPage { uploads, next })
}

/// BOS answers a multi-delete with no body when every entry went, else `{"errors": […]}`.
pub fn delete_result_json(body: &[u8]) -> Result<Vec<DeleteFailure>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    #[derive(Deserialize)]
    struct Result {
        #[serde(default)]
        errors: Vec<Item>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        key: String,
        version_id: Option<String>,
        code: Option<String>,
        message: Option<String>,
    }
    let r: Result = serde_json::from_slice(body)
        .map_err(|e| Error::Response(format!("the multi-delete result cannot be parsed: {e}")))?;
    Ok(r.errors
        .into_iter()
        .map(|i| DeleteFailure {
            key: i.key,
            version_id: i.version_id,
            code: i.code.unwrap_or_else(|| "InternalError".to_owned()),
            message: i.message.unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_versions_interleave_markers_in_order_and_decode_keys() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
<KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType>
<IsTruncated>true</IsTruncated><NextKeyMarker>a%20b%2B</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>
<DeleteMarker><Key>a%20b%2B</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2023-11-14T22:13:21.000Z</LastModified></DeleteMarker>
<Version><Key>a+b%2B</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2023-11-14T22:13:20.000Z</LastModified><ETag>"abc"</ETag><Size>3</Size></Version>
</ListVersionsResult>"#;
        let page = versions_xml(body).unwrap();
        assert_eq!(page.entries.len(), 2);
        assert!(page.entries[0].is_delete_marker && page.entries[0].is_latest);
        assert_eq!(page.entries[0].key, "a b+");
        assert_eq!(page.entries[1].key, "a b+");
        assert_eq!(page.entries[1].etag, "abc");
        assert_eq!(page.entries[1].size, 3);
        assert_eq!(page.entries[1].last_modified_ms, 1_700_000_000_000);
        let next = page.next.unwrap();
        assert_eq!(
            (next.key_marker.as_str(), next.version_id_marker.as_str()),
            ("a b+", "v1")
        );
    }

    #[test]
    fn bos_versions_and_objects() {
        let body = br#"{"name":"b","prefix":"","isTruncated":true,"nextMarker":"k","nextVersionIdMarker":"v",
            "contents":[{"key":"k","lastModified":"2023-11-14T22:13:20Z","versionId":"v","isLatest":true,"deleteMarker":true,"size":0}]}"#;
        let page = versions_json(body).unwrap();
        assert!(page.entries[0].is_delete_marker);
        assert_eq!(page.entries[0].last_modified_ms, 1_700_000_000_000);
        assert_eq!(page.next.unwrap().version_id_marker, "v");
        let page = objects_json(br#"{"contents":[{"key":"k","lastModified":"2023-11-14T22:13:20Z","eTag":"e","size":5}],"isTruncated":false}"#).unwrap();
        assert_eq!(page.entries[0].size, 5);
        assert!(page.next.is_none());
    }

    #[test]
    fn delete_failures() {
        let body = br#"<DeleteResult><Error><Key>k</Key><VersionId>v</VersionId><Code>NoSuchVersion</Code><Message>m</Message></Error></DeleteResult>"#;
        let f = delete_result_xml(body).unwrap();
        assert_eq!(f[0].code, "NoSuchVersion");
        assert_eq!(f[0].version_id.as_deref(), Some("v"));
        assert!(delete_result_xml(b"").unwrap().is_empty());
        assert!(delete_result_json(b"").unwrap().is_empty());
        let f =
            delete_result_json(br#"{"errors":[{"key":"k","code":"NoSuchKey","message":"gone"}]}"#)
                .unwrap();
        assert_eq!(f[0].code, "NoSuchKey");
    }

    /// Retention's refusals as each dialect words them, told apart from other refusals.
    #[test]
    fn protected_entries_and_refusals_are_told_apart() {
        let body = br#"<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Error><Key>held</Key><VersionId>v1</VersionId><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error>
<Error><Key>denied</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
<Error><Key>gone</Key><VersionId>v2</VersionId><Code>NoSuchVersion</Code><Message>m</Message></Error>
</DeleteResult>"#;
        let f = delete_result_xml(body).unwrap();
        let protected: Vec<bool> = f.iter().map(DeleteFailure::is_protected).collect();
        assert_eq!(protected, [true, false, false]);
        assert_eq!(f[0].version_id.as_deref(), Some("v1"));
        assert!(f.iter().all(|f| !(f.is_protected() && f.is_missing())));

        let f = delete_result_json(
            br#"{"errors":[{"key":"a","code":"FileImmutable","message":"The object is protected by the bucket's object lock."},
                {"key":"b","code":"AccessDenied","message":"Access denied"},{"key":"c","code":"NoSuchKey","message":"m"}]}"#,
        )
        .unwrap();
        let protected: Vec<bool> = f.iter().map(DeleteFailure::is_protected).collect();
        assert_eq!(protected, [true, false, false]);

        // A single delete refused, and OSS's multi-delete refused whole.
        let s3 = |message: &str| {
            let body = format!(
                "<Error><Code>AccessDenied</Code><Message>{message}</Message><RequestId>r</RequestId></Error>"
            );
            service_error(Dialect::S3, StatusCode::FORBIDDEN, body.as_bytes(), None)
        };
        assert!(s3("Access Denied because object protected by object lock.").is_protected());
        assert!(!s3("Access Denied").is_protected());
        let oss = service_error(
            Dialect::Oss,
            StatusCode::CONFLICT,
            b"<Error><Code>FileImmutable</Code><Message>the object is protected</Message></Error>",
            None,
        );
        assert!(oss.is_protected());
        let bos = service_error(
            Dialect::Bos,
            StatusCode::CONFLICT,
            br#"{"code":"FileImmutable","message":"m","requestId":"r"}"#,
            None,
        );
        assert!(bos.is_protected());
        let bos = service_error(
            Dialect::Bos,
            StatusCode::CONFLICT,
            br#"{"code":"BucketNotEmpty","message":"object lock","requestId":"r"}"#,
            None,
        );
        assert!(!bos.is_protected());
        // A HEAD's refusal has no body, so no message to tell it by.
        assert!(!service_error(Dialect::S3, StatusCode::FORBIDDEN, b"", None).is_protected());
        assert!(!Error::Transport("reset".into()).is_protected());
    }

    #[test]
    fn errors_carry_the_dialects_code() {
        let e = service_error(
            Dialect::S3,
            StatusCode::NOT_FOUND,
            b"<Error><Code>NoSuchBucket</Code><Message>m</Message><RequestId>r</RequestId></Error>",
            None,
        );
        assert_eq!(e.code(), Some("NoSuchBucket"));
        let e = service_error(
            Dialect::Bos,
            StatusCode::CONFLICT,
            br#"{"code":"BucketNotEmpty","message":"m","requestId":"r"}"#,
            None,
        );
        assert_eq!(e.code(), Some("BucketNotEmpty"));
        let e = service_error(Dialect::Oss, StatusCode::NOT_FOUND, b"", None);
        assert_eq!(e.code(), Some("NotFound"));
    }

    /// A hostile server cannot crash the client with a deeply nested answer: 100,000 levels
    /// (700 KB, within the element bound) are refused while parsing, never built into a tree
    /// whose recursive drop would overflow the stack.
    #[test]
    fn a_deeply_nested_response_is_refused() {
        let deep = ["<a>".repeat(100_000), "</a>".repeat(100_000)].concat();
        let body = format!("<DeleteResult>{deep}</DeleteResult>");
        assert!(matches!(
            delete_result_xml(body.as_bytes()),
            Err(Error::Response(_))
        ));
        let body = format!("<ListVersionsResult><Name>b</Name>{deep}</ListVersionsResult>");
        assert!(matches!(
            versions_xml(body.as_bytes()),
            Err(Error::Response(_))
        ));
        let e = service_error(
            Dialect::S3,
            StatusCode::NOT_FOUND,
            format!("<Error><Code>NoSuchKey</Code>{deep}</Error>").as_bytes(),
            None,
        );
        assert_eq!(e.code(), Some("NotFound"));
        // serde_json skips unknown members without recursing, however deep they are.
        let deep = ["[".repeat(100_000), "]".repeat(100_000)].concat();
        let body = format!(r#"{{"errors":[{{"key":"k","code":"NoSuchKey"}}],"x":{deep}}}"#);
        assert_eq!(delete_result_json(body.as_bytes()).unwrap()[0].key, "k");
    }
}
