//! What differs between the dialects, as the suite sees it: how to address, which header
//! prefix, how to write a versioning, multi-delete or complete document, and how to read
//! listings, results and errors (XML for S3 and OSS, JSON for BOS). Every test is written
//! once against these and run for each dialect.

use crate::harness::{Node, Resp};
use base64::Engine as _;
use md5::Digest as _;
use percent_encoding::utf8_percent_encode;
use serde_json::{Value, json};
use strata_wire::encode::{PATH, UNRESERVED};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    S3,
    Oss,
    Bos,
}

/// A bucket's versioning state, as each dialect spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    Off,
    Enabled,
    Suspended,
}

/// One page of a key listing, dialect-neutral.
#[derive(Debug, Default)]
pub struct Listing {
    pub keys: Vec<String>,
    pub prefixes: Vec<String>,
    pub truncated: bool,
    /// Where the next page starts: a marker or a continuation token.
    pub next: Option<String>,
}

/// One entry of a versions listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub version_id: String,
    pub latest: bool,
    pub marker: bool,
}

#[derive(Debug, Default)]
pub struct Versions {
    pub entries: Vec<Entry>,
    pub prefixes: Vec<String>,
    pub truncated: bool,
    pub next: Option<(String, String)>,
}

/// What a multi-delete reported: keys deleted (with the delete-marker version, if one was
/// made) and keys that failed, with their codes.
#[derive(Debug, Default)]
pub struct Deleted {
    pub deleted: Vec<(String, Option<String>)>,
    pub errors: Vec<(String, String)>,
}

pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

pub fn content_md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::S3, Dialect::Oss, Dialect::Bos];

    /// `x-amz-`, `x-oss-` or `x-bce-`.
    pub fn prefix(self) -> &'static str {
        match self {
            Dialect::S3 => "x-amz-",
            Dialect::Oss => "x-oss-",
            Dialect::Bos => "x-bce-",
        }
    }

    /// The dialect's header `x-…-NAME`.
    pub fn h(self, name: &str) -> String {
        format!("{}{name}", self.prefix())
    }

    pub fn request_id_header(self) -> String {
        self.h("request-id")
    }

    pub fn error_content_type(self) -> &'static str {
        match self {
            Dialect::Bos => "application/json; charset=utf-8",
            _ => "application/xml",
        }
    }

    /// The path of a bucket, or of a key in it (BOS with its `/v1` prefix, as its SDKs send).
    pub fn path(self, bucket: &str, key: Option<&str>) -> String {
        let root = if self == Dialect::Bos { "/v1/" } else { "/" };
        match key {
            Some(k) => format!("{root}{bucket}/{}", utf8_percent_encode(k, PATH)),
            None => format!("{root}{bucket}"),
        }
    }

    /// The copy-source header's value for `bucket/key` (at `version`).
    pub fn copy_source(self, bucket: &str, key: &str, version: Option<&str>) -> String {
        let path = format!("/{bucket}/{}", utf8_percent_encode(key, PATH));
        match version {
            Some(v) => format!("{path}?versionId={v}"),
            None => path,
        }
    }

    pub fn metadata_directive(self, replace: bool) -> &'static str {
        match (self, replace) {
            (Dialect::Bos, true) => "replace",
            (Dialect::Bos, false) => "copy",
            (_, true) => "REPLACE",
            (_, false) => "COPY",
        }
    }

    pub fn versioning_doc(self, v: Versioning) -> Vec<u8> {
        let (xml, bos) = match v {
            Versioning::Enabled => ("Enabled", "enabled"),
            Versioning::Suspended => ("Suspended", "suspended"),
            Versioning::Off => unreachable!("versioning cannot be turned off"),
        };
        match self {
            Dialect::Bos => json!({ "status": bos }).to_string().into_bytes(),
            _ => {
                format!("<VersioningConfiguration><Status>{xml}</Status></VersioningConfiguration>")
                    .into_bytes()
            }
        }
    }

    pub fn read_versioning(self, r: &Resp) -> Versioning {
        let status = match self {
            Dialect::Bos => json_of(r)["status"].as_str().map(str::to_owned),
            _ => Node::parse(&r.body).get("Status"),
        };
        match status.as_deref() {
            None | Some("notEnabled") => Versioning::Off,
            Some("Enabled" | "enabled") => Versioning::Enabled,
            Some("Suspended" | "suspended") => Versioning::Suspended,
            Some(other) => panic!("unknown versioning status {other}"),
        }
    }

    /// A multi-delete document (BOS has no quiet mode: it lists only failures anyway).
    pub fn delete_doc(self, entries: &[(&str, Option<&str>)], quiet: bool) -> Vec<u8> {
        if self == Dialect::Bos {
            let objects: Vec<Value> = entries
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => json!({"key": k, "versionId": v}),
                    None => json!({"key": k}),
                })
                .collect();
            return json!({ "objects": objects }).to_string().into_bytes();
        }
        let mut x = format!("<Delete><Quiet>{quiet}</Quiet>");
        for (k, v) in entries {
            x += &format!("<Object><Key>{}</Key>", xml_escape(k));
            if let Some(v) = v {
                x += &format!("<VersionId>{v}</VersionId>");
            }
            x += "</Object>";
        }
        x += "</Delete>";
        x.into_bytes()
    }

    pub fn read_deleted(self, r: &Resp) -> Deleted {
        let mut out = Deleted::default();
        if self == Dialect::Bos {
            if r.body.is_empty() {
                return out;
            }
            for e in json_of(r)["errors"].as_array().expect("errors") {
                out.errors.push((s(&e["key"]), s(&e["code"])));
            }
            return out;
        }
        let doc = Node::parse(&r.body);
        for d in doc.all("Deleted") {
            let marker = d.get("DeleteMarkerVersionId");
            out.deleted.push((d.get("Key").expect("Key"), marker));
        }
        for e in doc.all("Error") {
            out.errors
                .push((e.get("Key").expect("Key"), e.get("Code").expect("Code")));
        }
        out
    }

    pub fn complete_doc(self, parts: &[(u32, String)]) -> Vec<u8> {
        if self == Dialect::Bos {
            let parts: Vec<Value> = parts
                .iter()
                .map(|(n, e)| json!({"partNumber": n, "eTag": e}))
                .collect();
            return json!({ "parts": parts }).to_string().into_bytes();
        }
        let mut x = String::from("<CompleteMultipartUpload>");
        for (n, e) in parts {
            x += &format!("<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>");
        }
        x += "</CompleteMultipartUpload>";
        x.into_bytes()
    }

    pub fn read_upload_id(self, r: &Resp) -> String {
        match self {
            Dialect::Bos => s(&json_of(r)["uploadId"]),
            _ => Node::parse(&r.body).get("UploadId").expect("UploadId"),
        }
    }

    pub fn read_part_numbers(self, r: &Resp) -> Vec<u32> {
        match self {
            Dialect::Bos => json_of(r)["parts"]
                .as_array()
                .expect("parts")
                .iter()
                .map(|p| p["partNumber"].as_u64().expect("partNumber") as u32)
                .collect(),
            _ => Node::parse(&r.body)
                .all("Part")
                .map(|p| p.get("PartNumber").expect("PartNumber").parse().unwrap())
                .collect(),
        }
    }

    /// The ETag of a copy's result document.
    pub fn read_copy_etag(self, r: &Resp) -> String {
        match self {
            Dialect::Bos => s(&json_of(r)["eTag"]),
            _ => Node::parse(&r.body).get("ETag").expect("ETag"),
        }
    }

    /// The query of a key listing. `v2`: ListObjectsV2 where the dialect has it (S3, OSS);
    /// BOS lists by marker only.
    pub fn list_query(
        self,
        v2: bool,
        prefix: &str,
        delimiter: Option<&str>,
        max: u32,
        from: Option<&str>,
    ) -> String {
        let v2 = v2 && self != Dialect::Bos;
        let max_name = if self == Dialect::Bos {
            "maxKeys"
        } else {
            "max-keys"
        };
        let mut q = format!("?prefix={}&{max_name}={max}", enc(prefix));
        if v2 {
            q += "&list-type=2";
        }
        if let Some(d) = delimiter {
            q += &format!("&delimiter={}", enc(d));
        }
        if let Some(f) = from {
            let name = if v2 { "continuation-token" } else { "marker" };
            q += &format!("&{name}={}", enc(f));
        }
        q
    }

    pub fn read_listing(self, r: &Resp) -> Listing {
        if self == Dialect::Bos {
            let v = json_of(r);
            return Listing {
                keys: strings(&v["contents"], "key"),
                prefixes: strings(&v["commonPrefixes"], "prefix"),
                truncated: v["isTruncated"].as_bool().expect("isTruncated"),
                next: v["nextMarker"].as_str().map(str::to_owned),
            };
        }
        let doc = Node::parse(&r.body);
        let keys: Vec<String> = doc.all("Contents").map(|c| c.get("Key").unwrap()).collect();
        let prefixes: Vec<String> = doc
            .all("CommonPrefixes")
            .map(|c| c.get("Prefix").unwrap())
            .collect();
        let truncated = doc.get("IsTruncated").expect("IsTruncated") == "true";
        // S3's v1 gives NextMarker only with a delimiter: the last key is the next marker.
        let next = doc
            .get("NextContinuationToken")
            .or_else(|| doc.get("NextMarker"))
            .or_else(|| truncated.then(|| keys.last().cloned()).flatten());
        Listing {
            keys,
            prefixes,
            truncated,
            next,
        }
    }

    pub fn versions_query(
        self,
        prefix: &str,
        delimiter: Option<&str>,
        max: u32,
        from: Option<&(String, String)>,
    ) -> String {
        let (max_name, key_name, vid_name) = match self {
            Dialect::Bos => ("maxKeys", "marker", "versionIdMarker"),
            _ => ("max-keys", "key-marker", "version-id-marker"),
        };
        let mut q = format!("?versions&prefix={}&{max_name}={max}", enc(prefix));
        if let Some(d) = delimiter {
            q += &format!("&delimiter={}", enc(d));
        }
        if let Some((k, v)) = from {
            q += &format!("&{key_name}={}&{vid_name}={}", enc(k), enc(v));
        }
        q
    }

    pub fn read_versions(self, r: &Resp) -> Versions {
        if self == Dialect::Bos {
            let v = json_of(r);
            let entries = v["contents"]
                .as_array()
                .expect("contents")
                .iter()
                .map(|e| Entry {
                    key: s(&e["key"]),
                    version_id: s(&e["versionId"]),
                    latest: e["isLatest"].as_bool().expect("isLatest"),
                    marker: e["deleteMarker"].as_bool().unwrap_or(false),
                })
                .collect();
            let next = v["nextMarker"]
                .as_str()
                .map(|k| (k.to_owned(), s(&v["nextVersionIdMarker"])));
            return Versions {
                entries,
                prefixes: strings(&v["commonPrefixes"], "prefix"),
                truncated: v["isTruncated"].as_bool().expect("isTruncated"),
                next,
            };
        }
        let doc = Node::parse(&r.body);
        let entries = doc
            .children
            .iter()
            .filter(|c| c.name == "Version" || c.name == "DeleteMarker")
            .map(|c| Entry {
                key: c.get("Key").expect("Key"),
                version_id: c.get("VersionId").expect("VersionId"),
                latest: c.get("IsLatest").as_deref() == Some("true"),
                marker: c.name == "DeleteMarker",
            })
            .collect();
        let next = doc
            .get("NextKeyMarker")
            .map(|k| (k, doc.get("NextVersionIdMarker").unwrap_or_default()));
        Versions {
            entries,
            prefixes: doc
                .all("CommonPrefixes")
                .map(|c| c.get("Prefix").unwrap())
                .collect(),
            truncated: doc.get("IsTruncated").expect("IsTruncated") == "true",
            next,
        }
    }

    /// The error code of an error answer (none for a HEAD, which has no body).
    pub fn error_code(self, r: &Resp) -> Option<String> {
        if r.body.is_empty() {
            return None;
        }
        Some(match self {
            Dialect::Bos => s(&json_of(r)["code"]),
            _ => Node::parse(&r.body).get("Code").expect("Code"),
        })
    }
}

pub fn json_of(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|e| s(&e[field])).collect())
        .unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// An ETag without its quotes, in lower case (OSS writes its hex digits in upper case, BOS's
/// JSON documents leave the quotes out).
pub fn bare(etag: &str) -> String {
    etag.trim_matches('"').to_ascii_lowercase()
}
