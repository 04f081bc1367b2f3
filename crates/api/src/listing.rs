//! The XML listings OSS and S3 share (ListObjects v1 and v2, ListObjectVersions,
//! ListMultipartUploads, ListParts): one renderer each, with a [`Style`] for what differs.
//!
//! S3's object and version listings differ from OSS's in ways SDKs and ceph/s3-tests check:
//! `<Delimiter>` is present only when a delimiter was given; `encoding-type=url` leaves `/`
//! unencoded (`foo%2B1/`); ListObjects v1 never encodes `<Prefix>` (botocore, which asks for
//! `encoding-type=url` on every listing, decodes v1's Delimiter, Marker, NextMarker, Key and
//! CommonPrefixes but not Prefix); and ListObjectsV2's `<KeyCount>` comes before the
//! contents.

use crate::httpfmt::iso8601;
use crate::request::RequestParts;
use crate::xml::{Xml, maybe_encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, utf8_percent_encode};
use strata_core::{ListUploadsParams, ObjectListing, PartListing, UploadListing, VersionListing};

/// What differs between the dialects' listings.
pub struct Style {
    /// Attributes of the root element (S3's namespace).
    pub root_attrs: &'static str,
    /// OSS writes ETags in upper-case hex.
    pub etag_upper: bool,
    /// OSS adds `<Type>Normal|Multipart</Type>` to each object.
    pub object_type: bool,
    pub storage_class: &'static str,
    /// What `encoding-type=url` encodes in object and version listings.
    pub url_set: &'static AsciiSet,
    /// `<Delimiter>` even when no delimiter was given (empty).
    pub delimiter_always: bool,
    /// ListObjects v1's `<Prefix>` is encoded like the keys.
    pub v1_prefix_encoded: bool,
    /// ListObjectsV2's `<KeyCount>` comes before the contents (else after them).
    pub key_count_first: bool,
    /// S3 lists each part's flexible checksum (`<ChecksumCRC32>`...) and each upload's
    /// algorithm and type (`<ChecksumAlgorithm>`, `<ChecksumType>`).
    pub part_checksums: bool,
}

pub const OSS: Style = Style {
    root_attrs: "",
    etag_upper: true,
    object_type: true,
    storage_class: "Standard",
    url_set: strata_wire::encode::UNRESERVED,
    delimiter_always: true,
    v1_prefix_encoded: true,
    key_count_first: false,
    part_checksums: false,
};
pub const S3: Style = Style {
    root_attrs: "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"",
    etag_upper: false,
    object_type: false,
    storage_class: "STANDARD",
    url_set: strata_wire::encode::PATH,
    delimiter_always: false,
    v1_prefix_encoded: false,
    key_count_first: true,
    part_checksums: true,
};

impl Style {
    /// A field of an object or version listing, encoded if `url`.
    pub fn encode(&self, s: &str, url: bool) -> String {
        if url {
            utf8_percent_encode(s, self.url_set).to_string()
        } else {
            s.to_owned()
        }
    }

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

/// Who listings name as the owner of each entry: the bucket's owner, or the user an entry
/// names (an object version or upload another user wrote), looked up by ID.
pub struct Owners<'a> {
    pub bucket: Owner<'a>,
    pub users: &'a crate::Users,
}

impl Owners<'_> {
    /// Writes `<{element}>` with the owner of an entry whose own owner is `id`.
    fn write(&self, x: &mut Xml, element: &'static str, id: Option<&str>) {
        let found;
        let owner = match id {
            Some(id) if id != self.bucket.id => {
                found = self.users.owner(id);
                found.as_listing()
            }
            _ => Owner {
                id: self.bucket.id,
                display_name: self.bucket.display_name,
            },
        };
        x.open(element)
            .leaf("ID", owner.id)
            .leaf("DisplayName", owner.display_name)
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

fn object_type(stored_etag: &str, appendable: bool) -> &'static str {
    if appendable {
        "Appendable"
    } else if stored_etag.contains('-') {
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

fn contents(x: &mut Xml, style: &Style, l: &ObjectListing, url: bool, owners: Option<&Owners<'_>>) {
    for o in &l.objects {
        let s = &o.summary;
        x.open("Contents")
            .leaf("Key", &style.encode(&o.key, url))
            .leaf("LastModified", &iso8601(s.last_modified_ms))
            .leaf("ETag", &style.etag(&s.etag));
        if style.object_type {
            x.leaf("Type", object_type(&s.etag, s.appendable));
        }
        x.leaf("Size", &s.size.to_string())
            .leaf("StorageClass", style.storage_class);
        if let Some(owners) = owners {
            owners.write(x, "Owner", s.owner.as_deref());
        }
        x.close();
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes")
            .leaf("Prefix", &style.encode(p, url))
            .close();
    }
}

/// `<Delimiter>` (always, or only when one was given, by the style) and `<EncodingType>`.
fn delimiter_and_encoding(x: &mut Xml, style: &Style, q: &Query<'_>) {
    match q.delimiter {
        Some(d) => x.leaf("Delimiter", &style.encode(d, q.url)),
        None if style.delimiter_always => x.leaf("Delimiter", ""),
        None => x,
    };
    if q.url {
        x.leaf("EncodingType", "url");
    }
}

pub fn objects_v1(
    style: &Style,
    q: &Query<'_>,
    marker: &str,
    l: &ObjectListing,
    owners: &Owners<'_>,
) -> String {
    let e = |s: &str| style.encode(s, q.url);
    let mut x = Xml::new("ListBucketResult", style.root_attrs);
    let prefix = if style.v1_prefix_encoded {
        e(q.prefix)
    } else {
        q.prefix.to_owned()
    };
    x.leaf("Name", q.bucket)
        .leaf("Prefix", &prefix)
        .leaf("Marker", &e(marker))
        .leaf("MaxKeys", &q.max.to_string());
    delimiter_and_encoding(&mut x, style, q);
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextMarker", &e(next));
    }
    contents(&mut x, style, l, q.url, Some(owners));
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
    owners: &Owners<'_>,
) -> String {
    let e = |s: &str| style.encode(s, q.url);
    let mut x = Xml::new("ListBucketResult", style.root_attrs);
    x.leaf("Name", q.bucket).leaf("Prefix", &e(q.prefix));
    if let Some(s) = v2.start_after {
        x.leaf("StartAfter", &e(s));
    }
    if let Some(t) = v2.token {
        x.leaf("ContinuationToken", t);
    }
    x.leaf("MaxKeys", &q.max.to_string());
    delimiter_and_encoding(&mut x, style, q);
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextContinuationToken", &encode_token(next));
    }
    let key_count = (l.objects.len() + l.common_prefixes.len()).to_string();
    if style.key_count_first {
        x.leaf("KeyCount", &key_count);
    }
    contents(&mut x, style, l, q.url, v2.fetch_owner.then_some(owners));
    if !style.key_count_first {
        x.leaf("KeyCount", &key_count);
    }
    x.finish()
}

/// Versions and delete markers interleaved in key order, newest first within a key.
pub fn versions(
    style: &Style,
    q: &Query<'_>,
    key_marker: &str,
    version_marker: &str,
    l: &VersionListing,
    owners: &Owners<'_>,
) -> String {
    let e = |s: &str| style.encode(s, q.url);
    let mut x = Xml::new("ListVersionsResult", style.root_attrs);
    x.leaf("Name", q.bucket)
        .leaf("Prefix", &e(q.prefix))
        .leaf("KeyMarker", &e(key_marker))
        .leaf("VersionIdMarker", version_marker)
        .leaf("MaxKeys", &q.max.to_string());
    delimiter_and_encoding(&mut x, style, q);
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
                x.leaf("Type", object_type(tag, v.appendable));
            }
            x.leaf("Size", &size.to_string())
                .leaf("StorageClass", style.storage_class);
        }
        owners.write(&mut x, "Owner", v.owner.as_deref());
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

impl<'a> UploadsQuery<'a> {
    /// What a ListMultipartUploads request with parameters `p` echoes.
    pub fn of(bucket: &'a str, p: &'a ListUploadsParams, url: bool) -> UploadsQuery<'a> {
        UploadsQuery {
            bucket,
            prefix: &p.prefix,
            delimiter: p.delimiter.as_deref().unwrap_or(""),
            key_marker: p.key_marker.as_deref().unwrap_or(""),
            upload_id_marker: p.upload_id_marker.as_deref().unwrap_or(""),
            max: p.max_uploads,
            url,
        }
    }
}

/// The parameters of an S3 or OSS ListMultipartUploads (`prefix`, `delimiter`, `key-marker`,
/// `upload-id-marker`; empty is absent), with at most `max` uploads.
pub fn uploads_params(req: &RequestParts, max: usize) -> ListUploadsParams {
    let q = |n: &str| req.query_nonempty(n);
    ListUploadsParams {
        prefix: q("prefix").unwrap_or("").into(),
        delimiter: q("delimiter").map(Into::into),
        key_marker: q("key-marker").map(Into::into),
        upload_id_marker: q("upload-id-marker").map(Into::into),
        max_uploads: max,
    }
}

pub fn uploads(
    style: &Style,
    q: &UploadsQuery<'_>,
    l: &UploadListing,
    owners: &Owners<'_>,
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
        owners.write(&mut x, "Owner", u.owner.as_deref());
        owners.write(&mut x, "Initiator", u.owner.as_deref());
        x.leaf("StorageClass", style.storage_class)
            .leaf("Initiated", &iso8601(u.initiated_ms));
        if style.part_checksums
            && let Some(c) = u.checksum
        {
            x.leaf("ChecksumAlgorithm", c.algorithm.name())
                .leaf("ChecksumType", c.kind.name());
        }
        x.close();
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
    if style.part_checksums
        && let Some(c) = l.checksum
    {
        x.leaf("ChecksumAlgorithm", c.algorithm.name())
            .leaf("ChecksumType", c.kind.name());
    }
    for p in &l.parts {
        x.open("Part")
            .leaf("PartNumber", &p.part_number.to_string())
            .leaf("LastModified", &iso8601(p.part.last_modified_ms))
            .leaf("ETag", &style.etag(&p.part.etag));
        if style.object_type {
            x.leaf("HashCrc64ecma", &p.part.crc64.to_string());
        }
        if style.part_checksums
            && let Some(c) = &p.part.checksum
        {
            x.leaf(
                crate::s3::checksum::element(c.algorithm),
                &crate::s3::checksum::b64(&c.value),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::meta::ObjectSummary;
    use strata_core::{ListedObject, VersionId};

    fn q(delimiter: Option<&'static str>, url: bool) -> Query<'static> {
        Query {
            bucket: "b",
            prefix: "p/",
            delimiter,
            max: 1000,
            url,
        }
    }

    #[test]
    fn s3_url_encoding_keeps_slashes_and_oss_does_not() {
        assert_eq!(S3.encode("foo+1/", true), "foo%2B1/");
        assert_eq!(S3.encode("quux ab/", true), "quux%20ab/");
        assert_eq!(S3.encode("a\nb%c~ü", true), "a%0Ab%25c~%C3%BC");
        assert_eq!(S3.encode("a b/", false), "a b/");
        assert_eq!(OSS.encode("foo+1/", true), "foo%2B1%2F");
    }

    #[test]
    fn s3_writes_a_delimiter_only_when_given_and_oss_always() {
        let render = |style: &Style, q: &Query<'_>| {
            let mut x = Xml::new("R", "");
            delimiter_and_encoding(&mut x, style, q);
            x.finish()
        };
        assert!(render(&S3, &q(None, false)).ends_with("<R></R>"));
        assert!(
            render(&S3, &q(Some("/"), true))
                .ends_with("<R><Delimiter>/</Delimiter><EncodingType>url</EncodingType></R>")
        );
        assert!(render(&OSS, &q(None, false)).ends_with("<R><Delimiter></Delimiter></R>"));
    }

    fn one_object() -> ObjectListing {
        ObjectListing {
            objects: vec![ListedObject {
                key: "asdf+b".into(),
                summary: ObjectSummary {
                    seq: 1,
                    id: VersionId::Null,
                    last_modified_ms: 0,
                    size: 3,
                    etag: "acbd18db4cc2f85cedef654fccc4a4d8".into(),
                    owner: None,
                    appendable: false,
                },
            }],
            common_prefixes: vec!["quux ab/".into()],
            ..Default::default()
        }
    }

    #[test]
    fn object_keys_and_prefixes_are_encoded() {
        let mut x = Xml::new("R", "");
        contents(&mut x, &S3, &one_object(), true, None);
        let s = x.finish();
        assert!(s.contains("<Key>asdf%2Bb</Key>"), "{s}");
        assert!(s.contains("<Prefix>quux%20ab/</Prefix>"), "{s}");
        assert!(!s.contains("<Owner>"), "{s}");
    }

    #[test]
    fn s3_v1_leaves_its_prefix_unencoded_and_v2_counts_keys_first() {
        let users = crate::Users::new(
            crate::User::from_credentials(crate::Credentials {
                access_key: "o".into(),
                secret_key: "s".into(),
            }),
            [],
        );
        let owner = Owners {
            bucket: Owner {
                id: "o",
                display_name: "O",
            },
            users: &users,
        };
        let q = Query {
            prefix: "a b/",
            ..q(None, true)
        };
        let l = one_object();
        let s3 = objects_v1(&S3, &q, "", &l, &owner);
        assert!(s3.contains("<Prefix>a b/</Prefix>"), "{s3}");
        let oss = objects_v1(&OSS, &q, "", &l, &owner);
        assert!(oss.contains("<Prefix>a%20b%2F</Prefix>"), "{oss}");
        let v2 = V2 {
            start_after: None,
            token: None,
            fetch_owner: false,
        };
        let s3 = objects_v2(&S3, &q, &v2, &l, &owner);
        assert!(s3.find("<KeyCount>") < s3.find("<Contents>"), "{s3}");
        let oss = objects_v2(&OSS, &q, &v2, &l, &owner);
        assert!(oss.find("<KeyCount>") > oss.find("<Contents>"), "{oss}");
    }
}
