//! Object HTTP pieces every dialect shares: user metadata from `<prefix>meta-*` headers,
//! conditional requests, header setting, the digests clients announce, and the response of a
//! GET.

use crate::Body;
use crate::httpfmt::parse_http_date;
use hex::FromHex as _;
use hyper::Response;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use strata_core::{Failed, ObjectMeta, ObjectRead, ObjectVersion, Precondition, Target};

/// Content headers and user metadata (`{meta_prefix}name: value`, names lower-cased and
/// sorted) of a request. Metadata values are kept as the bytes sent, so that they come back
/// byte for byte: UTF-8 from most SDKs, Latin-1 from Python's `http.client` (oss2).
pub fn meta_from_headers(headers: &HeaderMap, meta_prefix: &str) -> ObjectMeta {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut user: Vec<(String, Vec<u8>)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let n = name.as_str().strip_prefix(meta_prefix)?;
            Some((n.to_owned(), value.as_bytes().to_vec()))
        })
        .collect();
    user.sort();
    ObjectMeta {
        content_type: h("content-type"),
        content_encoding: h("content-encoding"),
        content_disposition: h("content-disposition"),
        content_language: h("content-language"),
        cache_control: h("cache-control"),
        expires: h("expires"),
        user,
    }
}

/// Sets a header, skipping values that cannot be header values.
pub fn set(resp: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(value)) {
        resp.headers_mut().insert(n, v);
    }
}

/// The stored content headers and user metadata, as response headers.
pub fn set_meta_headers(resp: &mut Response<Body>, m: &ObjectMeta, meta_prefix: &str) {
    set(
        resp,
        "content-type",
        m.content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
    );
    for (name, value) in [
        ("content-encoding", &m.content_encoding),
        ("content-disposition", &m.content_disposition),
        ("content-language", &m.content_language),
        ("cache-control", &m.cache_control),
        ("expires", &m.expires),
    ] {
        if let Some(value) = value {
            set(resp, name, value);
        }
    }
    for (name, value) in &m.user {
        let name = HeaderName::try_from(format!("{meta_prefix}{name}"));
        if let (Ok(n), Ok(v)) = (name, HeaderValue::from_bytes(value)) {
            resp.headers_mut().insert(n, v);
        }
    }
}

/// Why a conditional request does not proceed.
#[derive(Debug, PartialEq, Eq)]
pub enum Condition {
    PreconditionFailed,
    NotModified,
}

/// Reads If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since (header names
/// given, so copy-source variants work too) into the core's [`Precondition`]. A date that does
/// not parse is no condition.
pub fn precondition(headers: &HeaderMap, names: [&str; 4]) -> Precondition {
    let get = |n: &str| headers.get(n).and_then(|x| x.to_str().ok());
    let date = |n: &str| get(n).and_then(parse_http_date).map(|ms| ms / 1000);
    let [if_match, if_unmodified, if_none_match, if_modified] = names;
    Precondition {
        if_match: get(if_match).map(str::to_owned),
        if_none_match: get(if_none_match).map(str::to_owned),
        if_unmodified_since: date(if_unmodified),
        if_modified_since: date(if_modified),
        ..Precondition::default()
    }
}

/// Evaluates the conditions [`precondition`] reads against a version.
pub fn check_conditions(
    headers: &HeaderMap,
    names: [&str; 4],
    v: &ObjectVersion,
) -> Result<(), Condition> {
    let target = Target {
        etag: Some(&v.data.etag),
        last_modified_ms: v.last_modified_ms,
        size: v.data.size,
    };
    precondition(headers, names)
        .evaluate(Some(target))
        .map_err(|f| match f {
            Failed::NotModified => Condition::NotModified,
            Failed::PreconditionFailed | Failed::Missing => Condition::PreconditionFailed,
        })
}

pub const READ_CONDITIONS: [&str; 4] = [
    "if-match",
    "if-unmodified-since",
    "if-none-match",
    "if-modified-since",
];

/// The 16 bytes of a plain (non-multipart) ETag's hex MD5.
pub fn etag_md5(stored: &str) -> Option<[u8; 16]> {
    <[u8; 16]>::from_hex(stored).ok()
}

/// The headers a delete answers with, under the dialect's prefix (`x-amz-`, `x-oss-`,
/// `x-bce-`): the version ID it created or removed, and `delete-marker: true` when that
/// version is a delete marker (never `false`).
pub fn set_delete_headers(
    resp: &mut Response<Body>,
    outcome: &strata_core::DeleteOutcome,
    prefix: &str,
) {
    use strata_core::DeleteOutcome;
    let (id, marker) = match outcome {
        DeleteOutcome::Removed { .. } => return,
        DeleteOutcome::MarkerCreated(id) => (id, true),
        DeleteOutcome::VersionRemoved {
            version_id,
            was_marker,
            ..
        } => (version_id, *was_marker),
    };
    if marker {
        set(resp, &format!("{prefix}delete-marker"), "true");
    }
    set(resp, &format!("{prefix}version-id"), &id.to_string());
}

/// The answer of a GET: the bytes read (the whole object or the range asked for) streamed as
/// the body, 206 with `Content-Range` for a range, and `Content-Length`; `headers` adds the
/// dialect's headers of the version read.
pub fn object_response(
    read: ObjectRead,
    headers: impl FnOnce(&mut Response<Body>, &ObjectVersion),
) -> Response<Body> {
    use futures_util::StreamExt as _;
    use http_body_util::{BodyExt as _, StreamBody};
    let size = read.version.data.size;
    let mut resp = Response::new(
        StreamBody::new(read.body.map(|c| c.map(hyper::body::Frame::data))).boxed_unsync(),
    );
    // Room for a read's usual headers and those every answer gets, so that the map is
    // allocated once instead of growing (and rehashing) twice.
    resp.headers_mut().reserve(16);
    headers(&mut resp, &read.version);
    match read.range {
        Some((first, last)) => {
            *resp.status_mut() = hyper::StatusCode::PARTIAL_CONTENT;
            set(
                &mut resp,
                "content-range",
                &format!("bytes {first}-{last}/{size}"),
            );
            set(&mut resp, "content-length", &(last - first + 1).to_string());
        }
        None => set(&mut resp, "content-length", &size.to_string()),
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_md5_etag_gives_the_digest() {
        let md5 = [
            0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04, 0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8,
            0x42, 0x7e,
        ];
        assert_eq!(etag_md5("d41d8cd98f00b204e9800998ecf8427e"), Some(md5));
        assert_eq!(etag_md5("D41D8CD98F00B204E9800998ECF8427E"), Some(md5));
        for other in [
            "d41d8cd98f00b204e9800998ecf8427e-2",
            "d41d8cd98f00b204e9800998ecf8427",
            "",
            "+41d8cd98f00b204e9800998ecf8427e",
            "a\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}a",
        ] {
            assert_eq!(etag_md5(other), None, "{other}");
        }
    }

    #[test]
    fn user_metadata_comes_back_byte_for_byte() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-amz-meta-utf8", "bär 中文".as_bytes()),
            ("x-amz-meta-latin1", b"caf\xe9"),
            ("x-amz-meta-plain", b"v"),
        ] {
            headers.insert(name, HeaderValue::from_bytes(value).unwrap());
        }
        let meta = meta_from_headers(&headers, "x-amz-meta-");
        let mut resp = Response::new(Body::default());
        set_meta_headers(&mut resp, &meta, "x-amz-meta-");
        for name in ["x-amz-meta-utf8", "x-amz-meta-latin1", "x-amz-meta-plain"] {
            assert_eq!(resp.headers()[name].as_bytes(), headers[name].as_bytes());
        }
    }
}
