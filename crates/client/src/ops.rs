//! The operations: buckets, listings, deletes, put/get/head, copy.

use crate::{Client, Dialect, Error, MAX_DELETE_BATCH, Req, encode, parse, read_body};
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt as _;
use md5::{Digest as _, Md5};

pub use strata_wire::restore::VersionEntry;

/// Where the next page of a version listing starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionsMarker {
    pub key_marker: String,
    pub version_id_marker: String,
}

/// A page of a version listing: entries in key order, newest first within a key.
#[derive(Clone, Debug, Default)]
pub struct VersionsPage {
    pub entries: Vec<VersionEntry>,
    pub common_prefixes: Vec<String>,
    /// `Some` when the listing is truncated.
    pub next: Option<VersionsMarker>,
}

/// One current object of an object listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEntry {
    pub key: String,
    pub last_modified_ms: i64,
    pub size: u64,
    pub etag: String,
}

/// A page of an object listing.
#[derive(Clone, Debug, Default)]
pub struct ObjectsPage {
    pub entries: Vec<ObjectEntry>,
    pub common_prefixes: Vec<String>,
    /// The continuation token (S3, OSS) or marker (BOS) of the next page, when truncated.
    pub next: Option<String>,
}

/// A key, or one version of it: one entry of a multi-delete.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId {
    pub key: String,
    pub version_id: Option<String>,
}

/// An entry a multi-delete did not delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteFailure {
    pub key: String,
    pub version_id: Option<String>,
    pub code: String,
    pub message: String,
}

impl DeleteFailure {
    /// The entry did not exist (BOS reports missing keys as `NoSuchKey` failures; S3 and OSS
    /// count them as deleted): it is gone either way.
    pub fn is_missing(&self) -> bool {
        matches!(self.code.as_str(), "NoSuchKey" | "NoSuchVersion")
    }

    /// Retention protects the entry (an S3 Object Lock retention or legal hold, an OSS
    /// BucketWorm or BOS object lock rule): retrying cannot delete it before the retention
    /// ends. See [`Error::is_protected`] for the same refusal of a whole request.
    pub fn is_protected(&self) -> bool {
        crate::error::is_protection(&self.code, &self.message)
    }

    /// Whether trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "InternalError" | "ServiceUnavailable" | "SlowDown" | "RequestTimeout" | "Throttling"
        )
    }
}

/// An incomplete multipart upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub key: String,
    pub upload_id: String,
    /// When it was initiated (Unix milliseconds), if the listing said.
    pub initiated_ms: Option<i64>,
}

/// A page of a multipart upload listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadsPage {
    pub uploads: Vec<Upload>,
    /// Where the next page starts, when the listing is truncated: the key marker and (S3,
    /// OSS) the upload ID marker.
    pub next: Option<(String, String)>,
}

/// What a put or copy reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutOutput {
    /// The new version's ID (versioned buckets).
    pub version_id: Option<String>,
    pub etag: Option<String>,
}

/// What a HEAD reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub etag: Option<String>,
    pub version_id: Option<String>,
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(crate) fn content_md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Client {
    fn with_version<'a>(req: Req<'a>, version_id: Option<&str>) -> Req<'a> {
        match version_id {
            Some(v) => req.query("versionId", v),
            None => req,
        }
    }

    fn version_of(&self, headers: &HeaderMap) -> Option<String> {
        header(headers, self.dialect().version_header())
    }

    /// Creates a bucket. S3 outside us-east-1 names the region in the body.
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), Error> {
        let mut req = Req::new(Method::PUT, Some(bucket), None);
        if self.dialect() == Dialect::S3 && self.region() != "us-east-1" {
            req = req.body(format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                xml_escape(self.region())
            ));
        }
        self.send_read(req).await.map(drop)
    }

    /// Deletes an (empty) bucket.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), Error> {
        self.send_read(Req::new(Method::DELETE, Some(bucket), None))
            .await
            .map(drop)
    }

    /// Whether a bucket exists (HEAD: 404 → false).
    pub async fn bucket_exists(&self, bucket: &str) -> Result<bool, Error> {
        match self
            .send_read(Req::new(Method::HEAD, Some(bucket), None))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Enables (or suspends) versioning.
    pub async fn set_versioning(&self, bucket: &str, enabled: bool) -> Result<(), Error> {
        let req = Req::new(Method::PUT, Some(bucket), None).query("versioning", "");
        let req = match self.dialect() {
            Dialect::S3 | Dialect::Oss => {
                let status = if enabled { "Enabled" } else { "Suspended" };
                let xmlns = if self.dialect() == Dialect::S3 {
                    " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
                } else {
                    ""
                };
                let body = format!(
                    "<VersioningConfiguration{xmlns}><Status>{status}</Status></VersioningConfiguration>"
                );
                req.header("content-md5", content_md5(body.as_bytes()))
                    .header("content-type", "application/xml")
                    .body(body)
            }
            Dialect::Bos => {
                let status = if enabled { "enabled" } else { "suspended" };
                req.header("content-type", "application/json; charset=utf-8")
                    .body(format!("{{\"status\":\"{status}\"}}"))
            }
        };
        self.send_read(req).await.map(drop)
    }

    /// One page (at most `max_keys`, ≤ 1000) of the versions and delete markers under `prefix`,
    /// starting after `marker`.
    pub async fn list_versions(
        &self,
        bucket: &str,
        prefix: &str,
        marker: Option<&VersionsMarker>,
        max_keys: usize,
    ) -> Result<VersionsPage, Error> {
        let mut req = Req::new(Method::GET, Some(bucket), None).query("versions", "");
        let bos = self.dialect() == Dialect::Bos;
        req = req.query(
            if bos { "maxKeys" } else { "max-keys" },
            max_keys.to_string(),
        );
        if !prefix.is_empty() {
            req = req.query("prefix", prefix);
        }
        if let Some(m) = marker {
            let (key, version) = if bos {
                ("marker", "versionIdMarker")
            } else {
                ("key-marker", "version-id-marker")
            };
            req = req.query(key, m.key_marker.as_str());
            if !m.version_id_marker.is_empty() {
                req = req.query(version, m.version_id_marker.as_str());
            }
        }
        if !bos {
            req = req.query("encoding-type", "url");
        }
        let (_, body) = self.send_read(req).await?;
        if bos {
            parse::versions_json(&body)
        } else {
            parse::versions_xml(&body)
        }
    }

    /// One page (at most `max_keys`, ≤ 1000) of the current objects under `prefix`, from the
    /// continuation token (S3, OSS: ListObjectsV2) or marker (BOS) `next`.
    pub async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        next: Option<&str>,
        max_keys: usize,
    ) -> Result<ObjectsPage, Error> {
        let mut req = Req::new(Method::GET, Some(bucket), None);
        let bos = self.dialect() == Dialect::Bos;
        if bos {
            req = req.query("maxKeys", max_keys.to_string());
            if !prefix.is_empty() {
                req = req.query("prefix", prefix);
            }
            if let Some(marker) = next {
                req = req.query("marker", marker);
            }
        } else {
            req = req
                .query("list-type", "2")
                .query("max-keys", max_keys.to_string());
            if !prefix.is_empty() {
                req = req.query("prefix", prefix);
            }
            if let Some(token) = next {
                req = req.query("continuation-token", token);
            }
            req = req.query("encoding-type", "url");
        }
        let (_, body) = self.send_read(req).await?;
        if bos {
            parse::objects_json(&body)
        } else {
            parse::objects_xml(&body)
        }
    }

    /// Deletes up to 1000 keys or versions in one request (quiet mode where the dialect has
    /// one). Returns the entries that were not deleted; BOS lists missing keys among them
    /// ([`DeleteFailure::is_missing`]).
    pub async fn delete_objects(
        &self,
        bucket: &str,
        entries: &[ObjectId],
    ) -> Result<Vec<DeleteFailure>, Error> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        if entries.len() > MAX_DELETE_BATCH {
            return Err(Error::Request(format!(
                "a multi-delete carries at most {MAX_DELETE_BATCH} entries, not {}",
                entries.len()
            )));
        }
        let req = Req::new(Method::POST, Some(bucket), None).query("delete", "");
        match self.dialect() {
            Dialect::S3 | Dialect::Oss => {
                let mut body = String::with_capacity(64 * entries.len() + 64);
                body.push_str("<Delete><Quiet>true</Quiet>");
                for e in entries {
                    body.push_str("<Object><Key>");
                    body.push_str(&xml_escape(&e.key));
                    body.push_str("</Key>");
                    if let Some(v) = &e.version_id {
                        body.push_str("<VersionId>");
                        body.push_str(&xml_escape(v));
                        body.push_str("</VersionId>");
                    }
                    body.push_str("</Object>");
                }
                body.push_str("</Delete>");
                let mut req = req;
                if self.dialect() == Dialect::Oss {
                    req = req.query("encoding-type", "url");
                }
                let req = req
                    .header("content-md5", content_md5(body.as_bytes()))
                    .header("content-type", "application/xml")
                    .body(body);
                let (_, body) = self.send_read(req).await?;
                parse::delete_result_xml(&body)
            }
            Dialect::Bos => {
                let objects: Vec<serde_json::Value> = entries
                    .iter()
                    .map(|e| match &e.version_id {
                        Some(v) => serde_json::json!({"key": e.key, "versionId": v}),
                        None => serde_json::json!({"key": e.key}),
                    })
                    .collect();
                let body = serde_json::json!({ "objects": objects }).to_string();
                let req = req
                    .header("content-type", "application/json; charset=utf-8")
                    .body(body);
                let (_, body) = self.send_read(req).await?;
                parse::delete_result_json(&body)
            }
        }
    }

    /// Deletes a key (a delete marker in a versioned bucket) or one version of it.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<(), Error> {
        let req = Self::with_version(
            Req::new(Method::DELETE, Some(bucket), Some(key)),
            version_id,
        );
        self.send_read(req).await.map(drop)
    }

    /// Uploads an object in one request.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
    ) -> Result<PutOutput, Error> {
        let req = Req::new(Method::PUT, Some(bucket), Some(key))
            .header("content-type", "application/octet-stream")
            .body(body);
        let (headers, _) = self.send_read(req).await?;
        Ok(PutOutput {
            version_id: self.version_of(&headers),
            etag: header(&headers, "etag").map(|e| e.trim_matches('"').to_owned()),
        })
    }

    /// Downloads an object (or one version), streaming; returns the number of bytes read.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<u64, Error> {
        let req = Self::with_version(Req::new(Method::GET, Some(bucket), Some(key)), version_id);
        let mut body = self.send(req).await?.into_body();
        let mut n = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Error::Transport(crate::error_chain(&e)))?;
            if let Some(data) = frame.data_ref() {
                n += data.len() as u64;
            }
        }
        Ok(n)
    }

    /// Downloads an object (or one version) into memory.
    pub async fn get_object_bytes(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Bytes, Error> {
        let req = Self::with_version(Req::new(Method::GET, Some(bucket), Some(key)), version_id);
        read_body(self.send(req).await?).await
    }

    /// An object's (or version's) size, ETag and version ID.
    pub async fn head_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectInfo, Error> {
        let req = Self::with_version(Req::new(Method::HEAD, Some(bucket), Some(key)), version_id);
        let (headers, _) = self.send_read(req).await?;
        Ok(ObjectInfo {
            size: header(&headers, "content-length")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            etag: header(&headers, "etag").map(|e| e.trim_matches('"').to_owned()),
            version_id: self.version_of(&headers),
        })
    }

    /// Starts a multipart upload; returns its upload ID.
    pub async fn initiate_upload(&self, bucket: &str, key: &str) -> Result<String, Error> {
        let req = Req::new(Method::POST, Some(bucket), Some(key))
            .query("uploads", "")
            .header("content-type", "application/octet-stream");
        let (_, body) = self.send_read(req).await?;
        if self.dialect() == Dialect::Bos {
            parse::upload_id_json(&body)
        } else {
            parse::upload_id_xml(&body)
        }
    }

    /// The first page (at most `max`, ≤ 1000) of the incomplete multipart uploads under
    /// `prefix`. To go through all of them while aborting, list again from the start.
    pub async fn list_uploads(
        &self,
        bucket: &str,
        prefix: &str,
        max: usize,
    ) -> Result<Vec<Upload>, Error> {
        Ok(self
            .list_uploads_page(bucket, prefix, None, max)
            .await?
            .uploads)
    }

    /// One page (at most `max`, ≤ 1000) of the incomplete multipart uploads under `prefix`,
    /// after `marker` (a page's [`UploadsPage::next`]). BOS pages by key alone, so uploads of
    /// one key that straddle a page boundary are not all listed there.
    pub async fn list_uploads_page(
        &self,
        bucket: &str,
        prefix: &str,
        marker: Option<&(String, String)>,
        max: usize,
    ) -> Result<UploadsPage, Error> {
        let bos = self.dialect() == Dialect::Bos;
        let mut req = Req::new(Method::GET, Some(bucket), None)
            .query("uploads", "")
            .query(
                if bos { "maxUploads" } else { "max-uploads" },
                max.to_string(),
            );
        if !prefix.is_empty() {
            req = req.query("prefix", prefix);
        }
        if let Some((key, upload_id)) = marker {
            if bos {
                req = req.query("keyMarker", key.as_str());
            } else {
                req = req.query("key-marker", key.as_str());
                if !upload_id.is_empty() {
                    req = req.query("upload-id-marker", upload_id.as_str());
                }
            }
        }
        if !bos {
            req = req.query("encoding-type", "url");
        }
        let (_, body) = self.send_read(req).await?;
        if bos {
            parse::uploads_json(&body)
        } else {
            parse::uploads_xml(&body)
        }
    }

    /// Aborts a multipart upload (its parts are dropped).
    pub async fn abort_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), Error> {
        let req = Req::new(Method::DELETE, Some(bucket), Some(key)).query("uploadId", upload_id);
        self.send_read(req).await.map(drop)
    }

    /// Copies `src_key` (version `src_version`, else its current version) of `src_bucket` over
    /// `key` in `bucket`: in a versioned bucket, a new current version.
    pub async fn copy_object(
        &self,
        bucket: &str,
        key: &str,
        src_bucket: &str,
        src_key: &str,
        src_version: Option<&str>,
    ) -> Result<PutOutput, Error> {
        let mut source = encode::copy_source(src_bucket, src_key);
        let name = match self.dialect() {
            Dialect::S3 => "x-amz-copy-source",
            Dialect::Oss => "x-oss-copy-source",
            Dialect::Bos => "x-bce-copy-source",
        };
        if let Some(v) = src_version {
            source.push_str("?versionId=");
            if self.dialect() == Dialect::Oss {
                // OSS reads the version ID after `?versionId=` as it is.
                source.push_str(v);
            } else {
                source.extend(percent_encoding::utf8_percent_encode(
                    v,
                    strata_wire::encode::UNRESERVED,
                ));
            }
        }
        let req = Req::new(Method::PUT, Some(bucket), Some(key)).header(name, source);
        let response = self.send(req).await?;
        let headers = response.headers().clone();
        let request_id = header(&headers, "x-amz-request-id");
        let body = read_body(response).await?;
        if self.dialect() != Dialect::Bos {
            parse::copy_result_xml(&body, request_id)?;
        }
        Ok(PutOutput {
            version_id: self.version_of(&headers),
            etag: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml_escape("a<b&'c\"\x01"), "a&lt;b&amp;&apos;c&quot;&#x1;");
    }

    #[test]
    fn content_md5_is_base64() {
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }
}
