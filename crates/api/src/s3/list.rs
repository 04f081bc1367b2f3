//! ListObjects (v1), ListObjectsV2 and ListObjectVersions, in S3's own shapes.
//!
//! S3 differs from the shared OSS-style renderer in three ways that SDKs and ceph/s3-tests
//! check: `<Delimiter>` is present only when a delimiter was given; `encoding-type=url`
//! leaves `/` unencoded (`foo%2B1/`); and ListObjects v1 never encodes `<Prefix>` (botocore,
//! which asks for `encoding-type=url` on every listing, decodes v1's Delimiter, Marker,
//! NextMarker, Key and CommonPrefixes but not Prefix).

use super::error::S3Error;
use super::{Ctx, S3Result, xml};
use crate::exec::*;
use crate::httpfmt::iso8601;
use crate::listing::{Owner, S3, bool_text, decode_token, encode_token};
use crate::xml::Xml;
use hyper::StatusCode;
use percent_encoding::utf8_percent_encode;
use strata_core::{ListObjectsParams, ListVersionsParams, ObjectListing, VersionListing};

/// `max-keys`: absent → 1000; larger values are capped at 1000, as S3 does.
pub(super) fn max_param(ctx: &Ctx<'_>, name: &str) -> Result<usize, S3Error> {
    match ctx.req.query_nonempty(name) {
        None => Ok(1000),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| (n as usize).min(1000))
            .ok_or_else(|| {
                S3Error::invalid_argument(format!(
                    "Provided {name} not an integer or within integer range"
                ))
            }),
    }
}

/// S3's `encoding-type=url`: everything but `A-Z a-z 0-9 - _ . ~ /` is percent-encoded.
pub(super) fn encode(s: &str, url: bool) -> String {
    if url {
        utf8_percent_encode(s, strata_wire::encode::PATH).to_string()
    } else {
        s.to_owned()
    }
}

/// What a listing request asked for, echoed in the response.
struct Query<'a> {
    bucket: &'a str,
    prefix: &'a str,
    delimiter: Option<&'a str>,
    max: usize,
    url: bool,
}

impl Query<'_> {
    fn e(&self, s: &str) -> String {
        encode(s, self.url)
    }

    /// `<Delimiter>` (when one was given) and `<EncodingType>` (when asked for).
    fn delimiter_and_encoding(&self, x: &mut Xml) {
        if let Some(d) = self.delimiter {
            x.leaf("Delimiter", &self.e(d));
        }
        if self.url {
            x.leaf("EncodingType", "url");
        }
    }
}

fn query<'a>(ctx: &'a Ctx<'_>) -> Result<Query<'a>, S3Error> {
    Ok(Query {
        bucket: ctx.bucket()?,
        prefix: ctx.req.query("prefix").unwrap_or(""),
        delimiter: ctx.req.query_nonempty("delimiter"),
        max: max_param(ctx, "max-keys")?,
        url: ctx.url_encoding()?,
    })
}

fn contents(x: &mut Xml, q: &Query<'_>, l: &ObjectListing, owner: Option<&Owner<'_>>) {
    for o in &l.objects {
        let s = &o.summary;
        x.open("Contents")
            .leaf("Key", &q.e(&o.key))
            .leaf("LastModified", &iso8601(s.last_modified_ms))
            .leaf("ETag", &S3.etag(&s.etag))
            .leaf("Size", &s.size.to_string())
            .leaf("StorageClass", S3.storage_class);
        if let Some(owner) = owner {
            owner.write(x);
        }
        x.close();
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &q.e(p)).close();
    }
}

pub(super) fn list_objects(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let marker = ctx.req.query_nonempty("marker");
    let p = ListObjectsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        start_after: marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListObjects(q.bucket, &p))?;
    let mut x = Xml::new("ListBucketResult", S3.root_attrs);
    x.leaf("Name", q.bucket)
        .leaf("Prefix", q.prefix)
        .leaf("Marker", &q.e(marker.unwrap_or("")))
        .leaf("MaxKeys", &q.max.to_string());
    q.delimiter_and_encoding(&mut x);
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextMarker", &q.e(next));
    }
    contents(&mut x, &q, &l, Some(&ctx.owner()));
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) fn list_objects_v2(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let start_after = ctx.req.query_nonempty("start-after");
    // An empty token is no token (echoed as sent).
    let token = ctx.req.query("continuation-token");
    let after = match token.filter(|t| !t.is_empty()) {
        Some(t) => Some(decode_token(t).ok_or_else(|| {
            S3Error::invalid_argument("The continuation token provided is incorrect")
        })?),
        None => start_after.map(str::to_owned),
    };
    let p = ListObjectsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        start_after: after,
        max_keys: q.max,
    };
    let l = ctx.read(ListObjects(q.bucket, &p))?;
    let fetch_owner = ctx
        .req
        .query("fetch-owner")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut x = Xml::new("ListBucketResult", S3.root_attrs);
    x.leaf("Name", q.bucket).leaf("Prefix", &q.e(q.prefix));
    if let Some(s) = start_after {
        x.leaf("StartAfter", &q.e(s));
    }
    if let Some(t) = token {
        x.leaf("ContinuationToken", t);
    }
    x.leaf("MaxKeys", &q.max.to_string());
    q.delimiter_and_encoding(&mut x);
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if let Some(next) = &l.next_marker {
        x.leaf("NextContinuationToken", &encode_token(next));
    }
    x.leaf(
        "KeyCount",
        &(l.objects.len() + l.common_prefixes.len()).to_string(),
    );
    let owner = ctx.owner();
    contents(&mut x, &q, &l, fetch_owner.then_some(&owner));
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) fn list_versions(ctx: &Ctx<'_>) -> S3Result {
    let q = query(ctx)?;
    let key_marker = ctx.req.query_nonempty("key-marker");
    let version_marker = ctx.req.query_nonempty("version-id-marker");
    let p = ListVersionsParams {
        prefix: q.prefix.into(),
        delimiter: q.delimiter.map(Into::into),
        key_marker: key_marker.map(Into::into),
        version_id_marker: version_marker.map(Into::into),
        max_keys: q.max,
    };
    let l = ctx.read(ListVersions(q.bucket, &p))?;
    Ok(xml(
        StatusCode::OK,
        versions_xml(
            &q,
            key_marker.unwrap_or(""),
            version_marker.unwrap_or(""),
            &l,
            &ctx.owner(),
        ),
    ))
}

/// Versions and delete markers interleaved in key order, newest first within a key.
fn versions_xml(
    q: &Query<'_>,
    key_marker: &str,
    version_marker: &str,
    l: &VersionListing,
    owner: &Owner<'_>,
) -> String {
    let mut x = Xml::new("ListVersionsResult", S3.root_attrs);
    x.leaf("Name", q.bucket)
        .leaf("Prefix", &q.e(q.prefix))
        .leaf("KeyMarker", &q.e(key_marker))
        .leaf("VersionIdMarker", version_marker)
        .leaf("MaxKeys", &q.max.to_string());
    q.delimiter_and_encoding(&mut x);
    x.leaf("IsTruncated", bool_text(l.is_truncated));
    if l.is_truncated {
        x.leaf(
            "NextKeyMarker",
            &q.e(l.next_key_marker.as_deref().unwrap_or("")),
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
        .leaf("Key", &q.e(&v.key))
        .leaf("VersionId", &v.version_id.to_string())
        .leaf("IsLatest", bool_text(v.is_latest))
        .leaf("LastModified", &iso8601(v.last_modified_ms));
        if let Some((size, tag)) = &v.object {
            x.leaf("ETag", &S3.etag(tag))
                .leaf("Size", &size.to_string())
                .leaf("StorageClass", S3.storage_class);
        }
        owner.write(&mut x);
        x.close();
    }
    for p in &l.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &q.e(p)).close();
    }
    x.finish()
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
    fn url_encoding_keeps_slashes() {
        assert_eq!(encode("foo+1/", true), "foo%2B1/");
        assert_eq!(encode("quux ab/", true), "quux%20ab/");
        assert_eq!(encode("a\nb%c~ü", true), "a%0Ab%25c~%C3%BC");
        assert_eq!(encode("a b/", false), "a b/");
    }

    #[test]
    fn delimiter_element_only_when_given() {
        let mut x = Xml::new("R", "");
        q(None, false).delimiter_and_encoding(&mut x);
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R></R>"
        );
        let mut x = Xml::new("R", "");
        q(Some("/"), true).delimiter_and_encoding(&mut x);
        assert!(
            x.finish()
                .ends_with("<R><Delimiter>/</Delimiter><EncodingType>url</EncodingType></R>")
        );
    }

    #[test]
    fn object_keys_and_prefixes_are_encoded() {
        let l = ObjectListing {
            objects: vec![ListedObject {
                key: "asdf+b".into(),
                summary: ObjectSummary {
                    seq: 1,
                    id: VersionId::Null,
                    last_modified_ms: 0,
                    size: 3,
                    etag: "acbd18db4cc2f85cedef654fccc4a4d8".into(),
                },
            }],
            common_prefixes: vec!["quux ab/".into()],
            ..Default::default()
        };
        let mut x = Xml::new("R", "");
        contents(&mut x, &q(Some("/"), true), &l, None);
        let s = x.finish();
        assert!(s.contains("<Key>asdf%2Bb</Key>"), "{s}");
        assert!(s.contains("<Prefix>quux%20ab/</Prefix>"), "{s}");
        assert!(!s.contains("<Owner>"), "{s}");
    }
}
