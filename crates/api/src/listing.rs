//! The XML listings OSS and S3 share (ListObjects v1 and v2, ListObjectVersions,
//! ListMultipartUploads, ListParts): one renderer each, with a [`Style`] for what differs.

use crate::httpfmt::iso8601;
use crate::xml::{Xml, maybe_encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use strata_core::{ObjectListing, PartListing, UploadListing, VersionListing};

/// What differs between the dialects' listings.
pub struct Style {
    /// Attributes of the root element (S3's namespace).
    pub root_attrs: &'static str,
    /// OSS writes ETags in upper-case hex.
    pub etag_upper: bool,
    /// OSS adds `<Type>Normal|Multipart</Type>` to each object.
    pub object_type: bool,
    pub storage_class: &'static str,
}

pub const OSS: Style = Style {
    root_attrs: "",
    etag_upper: true,
    object_type: true,
    storage_class: "Standard",
};
pub const S3: Style = Style {
    root_attrs: "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"",
    etag_upper: false,
    object_type: false,
    storage_class: "STANDARD",
};

impl Style {
    pub fn etag(&self, stored: &str) -> String {
        if self.etag_upper {
            format!("\"{}\"", stored.to_ascii_uppercase())
        } else {
            format!("\"{stored}\"")
        }
    }
}

pub struct Owner<'a> {
    pub id: &'a str,
    pub display_name: &'a str,
}

impl Owner<'_> {
    pub fn write(&self, x: &mut Xml) {
        x.open("Owner")
            .leaf("ID", self.id)
            .leaf("DisplayName", self.display_name)
            .close();
    }
}

pub fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Continuation tokens are the last key returned, base64url-encoded (URL-safe, opaque).
pub fn encode_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub fn decode_token(token: &str) -> Option<String> {
    URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn object_type(stored_etag: &str) -> &'static str {
    if stored_etag.contains('-') {
        "Multipart"
    } else {
        "Normal"
    }
}

/// What a listing request asked for, echoed in the response.
pub struct Query<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
    pub delimiter: Option<&'a str>,
    pub max: usize,
    pub url: bool,
}

fn contents(x: &mut Xml, style: &Style, l: &ObjectListing, url: bool, owner: Option<&Owner<'_>>) {
    for o in &l.objects {
        let s = &o.summary;
        x.open("Contents")
            .leaf("Key", &maybe_encode(&o.key, url))
            .leaf("LastModified", &iso8601(s.last_modified_ms))
            .leaf("ETag", &style.etag(&s.etag));
        if style.object_type {
            x.leaf("Type", object_type(&s.etag));
        }
        x.leaf("Size", &s.size.to_string())
            .leaf("StorageClass", style.storage_class);
        if let Some(owner) = owner {
            owner.write(x);
        }
        x.close();
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes")
            .leaf("Prefix", &maybe_encode(p, url))
            .close();
    }
}

fn head(x: &mut Xml, q: &Query<'_>) {
    x.leaf("Name", q.bucket)
        .leaf("Prefix", &maybe_encode(q.prefix, q.url));
}

pub fn objects_v1(
    style: &Style,
    q: &Query<'_>,
    marker: &str,
    l: &ObjectListing,
    owner: &Owner<'_>,
) -> String {
    let e = |s: &str| maybe_encode(s, q.url);
    let mut x = Xml::new("ListBucketResult", style.root_attrs);
    head(&mut x, q);
    x.leaf("Marker", &e(marker))
        .leaf("MaxKeys", &q.max.to_string())
        .leaf("Delimiter", &e(q.delimiter.unwrap_or("")));
    if q.url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextMarker", &e(next));
    }
    contents(&mut x, style, l, q.url, Some(owner));
    x.finish()
}

pub struct V2<'a> {
    pub start_after: Option<&'a str>,
    pub token: Option<&'a str>,
    pub fetch_owner: bool,
}

pub fn objects_v2(
    style: &Style,
    q: &Query<'_>,
    v2: &V2<'_>,
    l: &ObjectListing,
    owner: &Owner<'_>,
) -> String {
    let e = |s: &str| maybe_encode(s, q.url);
    let mut x = Xml::new("ListBucketResult", style.root_attrs);
    head(&mut x, q);
    if let Some(s) = v2.start_after {
        x.leaf("StartAfter", &e(s));
    }
    if let Some(t) = v2.token {
        x.leaf("ContinuationToken", t);
    }
    x.leaf("MaxKeys", &q.max.to_string())
        .leaf("Delimiter", &e(q.delimiter.unwrap_or("")));
    if q.url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextContinuationToken", &encode_token(next));
    }
    contents(&mut x, style, l, q.url, v2.fetch_owner.then_some(owner));
    x.leaf(
        "KeyCount",
        &(l.objects.len() + l.common_prefixes.len()).to_string(),
    );
    x.finish()
}

/// Versions and delete markers interleaved in key order, newest first within a key.
pub fn versions(
    style: &Style,
    q: &Query<'_>,
    key_marker: &str,
    version_marker: &str,
    l: &VersionListing,
    owner: &Owner<'_>,
) -> String {
    let e = |s: &str| maybe_encode(s, q.url);
    let mut x = Xml::new("ListVersionsResult", style.root_attrs);
    head(&mut x, q);
    x.leaf("KeyMarker", &e(key_marker))
        .leaf("VersionIdMarker", version_marker)
        .leaf("MaxKeys", &q.max.to_string())
        .leaf("Delimiter", &e(q.delimiter.unwrap_or("")));
    if q.url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if l.is_truncated {
        x.leaf(
            "NextKeyMarker",
            &e(l.next_key_marker.as_deref().unwrap_or("")),
        );
        x.leaf(
            "NextVersionIdMarker",
            &l.next_version_id_marker
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
    }
    for v in &l.entries {
        x.open(if v.object.is_some() {
            "Version"
        } else {
            "DeleteMarker"
        })
        .leaf("Key", &e(&v.key))
        .leaf("VersionId", &v.version_id.to_string())
        .leaf("IsLatest", bool_text(v.is_latest))
        .leaf("LastModified", &iso8601(v.last_modified_ms));
        if let Some((size, tag)) = &v.object {
            x.leaf("ETag", &style.etag(tag));
            if style.object_type {
                x.leaf("Type", object_type(tag));
            }
            x.leaf("Size", &size.to_string())
                .leaf("StorageClass", style.storage_class);
        }
        owner.write(&mut x);
        x.close();
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &e(p)).close();
    }
    x.finish()
}

pub struct UploadsQuery<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
    pub delimiter: &'a str,
    pub key_marker: &'a str,
    pub upload_id_marker: &'a str,
    pub max: usize,
    pub url: bool,
}

pub fn uploads(
    style: &Style,
    q: &UploadsQuery<'_>,
    l: &UploadListing,
    owner: &Owner<'_>,
) -> String {
    let e = |s: &str| maybe_encode(s, q.url);
    let mut x = Xml::new("ListMultipartUploadsResult", style.root_attrs);
    if q.url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("Bucket", q.bucket)
        .leaf("KeyMarker", &e(q.key_marker))
        .leaf("UploadIdMarker", q.upload_id_marker)
        .leaf(
            "NextKeyMarker",
            &e(l.next_key_marker.as_deref().unwrap_or("")),
        )
        .leaf(
            "NextUploadIdMarker",
            l.next_upload_id_marker.as_deref().unwrap_or(""),
        )
        .leaf("Delimiter", &e(q.delimiter))
        .leaf("Prefix", &e(q.prefix))
        .leaf("MaxUploads", &q.max.to_string())
        .leaf("IsTruncated", bool_text(l.is_truncated));
    for u in &l.uploads {
        x.open("Upload")
            .leaf("Key", &e(&u.key))
            .leaf("UploadId", &u.upload_id);
        owner.write(&mut x);
        x.open("Initiator")
            .leaf("ID", owner.id)
            .leaf("DisplayName", owner.display_name)
            .close();
        x.leaf("StorageClass", style.storage_class)
            .leaf("Initiated", &iso8601(u.initiated_ms))
            .close();
    }
    for cp in &l.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &e(cp)).close();
    }
    x.finish()
}

pub struct PartsQuery<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub upload_id: &'a str,
    pub marker: u32,
    pub max: usize,
    pub url: bool,
}

pub fn parts(style: &Style, q: &PartsQuery<'_>, l: &PartListing, owner: &Owner<'_>) -> String {
    let mut x = Xml::new("ListPartsResult", style.root_attrs);
    if q.url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("Bucket", q.bucket)
        .leaf("Key", &maybe_encode(q.key, q.url))
        .leaf("UploadId", q.upload_id)
        .leaf("PartNumberMarker", &q.marker.to_string())
        .leaf(
            "NextPartNumberMarker",
            // The last part listed: clients read it as a number even on the last page.
            &l.next_part_number_marker
                .or(l.parts.last().map(|p| p.part_number))
                .unwrap_or(q.marker)
                .to_string(),
        )
        .leaf("MaxParts", &q.max.to_string())
        .leaf("IsTruncated", bool_text(l.is_truncated))
        .leaf("StorageClass", style.storage_class);
    owner.write(&mut x);
    x.open("Initiator")
        .leaf("ID", owner.id)
        .leaf("DisplayName", owner.display_name)
        .close();
    for p in &l.parts {
        x.open("Part")
            .leaf("PartNumber", &p.part_number.to_string())
            .leaf("LastModified", &iso8601(p.part.last_modified_ms))
            .leaf("ETag", &style.etag(&p.part.etag));
        if style.object_type {
            x.leaf("HashCrc64ecma", &p.part.crc64.to_string());
        }
        x.leaf("Size", &p.part.size.to_string()).close();
    }
    x.finish()
}

/// One `<Deleted>` element of a DeleteObjects (S3) or DeleteMultipleObjects (OSS) result: the
/// key as the answer spells it, and what the delete did (a marker made, or the version
/// removed, which may itself have been a marker).
pub fn deleted_entry(x: &mut Xml, key: &str, outcome: &strata_core::DeleteOutcome) {
    use strata_core::DeleteOutcome;
    x.open("Deleted").leaf("Key", key);
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
            if *was_marker {
                x.leaf("DeleteMarker", "true")
                    .leaf("DeleteMarkerVersionId", &version_id.to_string());
            }
        }
    }
    x.close();
}
