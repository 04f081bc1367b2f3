//! A bucket's configurations, as the client commands read them: its versioning state and
//! its lifecycle configuration (the dialect's document, for the caller to parse).

use crate::{Client, Dialect, Error, Req, parse};
use bytes::Bytes;
use http::Method;

/// A bucket's versioning state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    /// Never enabled.
    Unversioned,
    Enabled,
    Suspended,
}

impl Client {
    /// The bucket's versioning state (GetBucketVersioning).
    pub async fn versioning(&self, bucket: &str) -> Result<Versioning, Error> {
        let req = Req::new(Method::GET, Some(bucket), None).query("versioning", "");
        let (_, body) = self.send_read(req).await?;
        let status = match self.dialect() {
            Dialect::S3 | Dialect::Oss => versioning_xml(&body)?,
            Dialect::Bos => versioning_json(&body)?,
        };
        Ok(match status.to_ascii_lowercase().as_str() {
            "enabled" => Versioning::Enabled,
            "suspended" => Versioning::Suspended,
            _ => Versioning::Unversioned,
        })
    }

    /// The bucket's lifecycle configuration document as the dialect writes it (S3 and OSS
    /// XML, BOS JSON), or `None` when it has none (a 404 other than `NoSuchBucket`:
    /// `NoSuchLifecycleConfiguration`, `NoSuchLifecycle`, …).
    pub async fn lifecycle(&self, bucket: &str) -> Result<Option<Bytes>, Error> {
        let req = Req::new(Method::GET, Some(bucket), None).query("lifecycle", "");
        match self.send_read(req).await {
            Ok((_, body)) => Ok(Some(body)),
            Err(e) if e.is_not_found() && e.code() != Some("NoSuchBucket") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Puts a lifecycle configuration document as the dialect writes it (S3 and OSS XML,
    /// BOS JSON), with its Content-MD5 (S3 requires a checksum).
    pub async fn put_lifecycle(&self, bucket: &str, document: Bytes) -> Result<(), Error> {
        let content_type = match self.dialect() {
            Dialect::S3 | Dialect::Oss => "application/xml",
            Dialect::Bos => "application/json; charset=utf-8",
        };
        let req = Req::new(Method::PUT, Some(bucket), None)
            .query("lifecycle", "")
            .header("content-md5", crate::ops::content_md5(&document))
            .header("content-type", content_type)
            .body(document);
        self.send_read(req).await.map(drop)
    }

    /// Deletes the bucket's lifecycle configuration.
    pub async fn delete_lifecycle(&self, bucket: &str) -> Result<(), Error> {
        let req = Req::new(Method::DELETE, Some(bucket), None).query("lifecycle", "");
        self.send_read(req).await.map(drop)
    }
}

/// `<VersioningConfiguration><Status>…` (no `Status`: never enabled).
fn versioning_xml(body: &[u8]) -> Result<String, Error> {
    let root = parse::xml(body)?;
    parse::expect_root(&root, "VersioningConfiguration")?;
    Ok(root.child_text("Status").unwrap_or("").trim().to_owned())
}

/// `{"status": "enabled" | "suspended" | "notEnabled"}`.
fn versioning_json(body: &[u8]) -> Result<String, Error> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::Response(format!("the versioning status cannot be parsed: {e}")))?;
    Ok(doc
        .get("status")
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioning_documents() {
        let xml = |s: &str| versioning_xml(s.as_bytes()).unwrap();
        assert_eq!(
            xml("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
            "Enabled"
        );
        assert_eq!(xml("<VersioningConfiguration/>"), "");
        assert!(versioning_xml(b"<Other/>").is_err());
        assert_eq!(
            versioning_json(br#"{"status":"suspended"}"#).unwrap(),
            "suspended"
        );
        assert_eq!(versioning_json(b"{}").unwrap(), "");
        assert!(versioning_json(b"<x>").is_err());
    }

    #[test]
    fn upload_pages() {
        let page = parse::uploads_xml(
            b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>\
              <NextKeyMarker>b%20c</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>\
              <EncodingType>url</EncodingType>\
              <Upload><Key>a</Key><UploadId>u1</UploadId><Initiated>2023-11-14T22:13:20.000Z</Initiated></Upload>\
              <Upload><Key>b%20c</Key><UploadId>u2</UploadId></Upload>\
              </ListMultipartUploadsResult>",
        )
        .unwrap();
        assert_eq!(page.uploads.len(), 2);
        assert_eq!(page.uploads[0].initiated_ms, Some(1_700_000_000_000));
        assert_eq!(page.uploads[1].initiated_ms, None);
        assert_eq!(page.next, Some(("b c".to_owned(), "u2".to_owned())));
        let page = parse::uploads_json(
            br#"{"isTruncated":true,"nextKeyMarker":"k","uploads":[{"key":"k","uploadId":"u","initiated":"2023-11-14T22:13:20Z"}]}"#,
        )
        .unwrap();
        assert_eq!(page.uploads[0].initiated_ms, Some(1_700_000_000_000));
        assert_eq!(page.next, Some(("k".to_owned(), String::new())));
        assert_eq!(parse::uploads_json(b"{}").unwrap(), Default::default());
    }
}
