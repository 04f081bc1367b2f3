//! Browser uploads: `POST /bucket` with a `multipart/form-data` body (S3's POST Object, OSS's
//! and BOS's PostObject), once for the three dialects.
//!
//! The front door sends such a request here ([`is_form_upload`]). Its fields before the file
//! are read (at most [`MAX_FIELDS`] bytes), the dialect is told from their names
//! ([`dialect_of`]), and the request goes down the pipeline's [`crate::pipeline::handle_post`]:
//! the dialect checks the policy's signature and conditions (`strata_wire::post`), the key
//! (`${filename}` replaced) becomes the request's address, the form's fields become the
//! headers the dialect's PutObject codec reads (so what is stored is what the form says),
//! the access decision is PutObject's, and the `file` field is streamed into the core's
//! ingest as it arrives, never held whole. Fields after the file are ignored, as S3 ignores
//! them.

use crate::Body;
use crate::body::Incoming;
use crate::exec::PutObject;
use crate::objhttp::set;
use crate::pipeline::{Ctx, Dialect, Signed};
use crate::request::RequestParts;
use crate::xml::Xml;
use crate::{CachedKeys, Keyring as _};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use hyper::Response;
use percent_encoding::utf8_percent_encode;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use strata_core::{CoreError, DigestValues, Expect, PutOutcome};
use strata_wire::encode::{PATH, UNRESERVED};
use strata_wire::post::{
    Policy, PolicyError, Rules, hmac_sha1_base64, hmac_sha256_hex, signature_matches,
};
use strata_wire::v4::Scheme;

/// The most bytes the fields before the file may have (names and values), as S3 allows.
pub const MAX_FIELDS: usize = 20 * 1024;

/// The `file` field's content, as it arrives.
pub(crate) type FileStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Why a browser upload is refused before (or apart from) the core.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PostError {
    /// The body is not `multipart/form-data` that parses.
    #[error("The body of your POST request is not well-formed multipart/form-data: {0}")]
    Malformed(String),
    /// The fields before the file are over [`MAX_FIELDS`].
    #[error("Your POST request fields preceding the upload file were too large.")]
    FieldsTooLarge,
    /// No `file` field.
    #[error("POST requires exactly one file upload per request.")]
    NoFile,
    /// A field the request needs is missing (`key`, or a signature's part).
    #[error("Bucket POST must contain a field named '{0}'.")]
    MissingField(&'static str),
    /// A field has a value the dialect does not take.
    #[error("{0}")]
    InvalidField(String),
    /// The policy is malformed, expired, or its conditions do not hold.
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// No such access key.
    #[error("The access key Id you provided does not exist in our records.")]
    UnknownKey,
    /// The policy's signature does not match.
    #[error("The request signature we calculated does not match the signature you provided.")]
    BadSignature,
    /// Reading the body failed (a timeout, a broken connection).
    #[error("Reading the request body failed: {0}")]
    Body(io::Error),
}

impl PostError {
    /// The status and error code of the refusal, the same in every dialect (their
    /// services name them alike); a body that timed out is each dialect's RequestTimeout.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            PostError::Malformed(_) => (S::BAD_REQUEST, "MalformedPOSTRequest"),
            PostError::FieldsTooLarge => (S::BAD_REQUEST, "MaxPostPreDataLengthExceeded"),
            PostError::NoFile | PostError::MissingField(_) | PostError::InvalidField(_) => {
                (S::BAD_REQUEST, "InvalidArgument")
            }
            PostError::Policy(PolicyError::Malformed(_)) => {
                (S::BAD_REQUEST, "InvalidPolicyDocument")
            }
            PostError::Policy(_) => (S::FORBIDDEN, "AccessDenied"),
            PostError::UnknownKey => (S::FORBIDDEN, "InvalidAccessKeyId"),
            PostError::BadSignature => (S::FORBIDDEN, "SignatureDoesNotMatch"),
            PostError::Body(_) => (S::BAD_REQUEST, "IncompleteBody"),
        }
    }

    /// Whether reading the body timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, PostError::Body(e) if crate::body::is_timeout(e))
    }
}

/// A form's fields before the file, and what its `file` part says of itself.
#[derive(Debug, Default)]
pub(crate) struct Form {
    /// Names and values as sent, in order.
    pub fields: Vec<(String, String)>,
    /// The `file` part's file name.
    pub file_name: Option<String>,
    /// The policy, once the dialect has read and checked it.
    pub policy: Option<Policy>,
}

impl Form {
    /// A field's value, its name in any case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a field's name starts with `prefix` (any case).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.fields
            .iter()
            .any(|(n, _)| n.len() >= prefix.len() && n[..prefix.len()].eq_ignore_ascii_case(prefix))
    }

    /// The object's key: the `key` field (its `${filename}` replaced by the file's name when
    /// the form was read).
    pub fn key(&self) -> Option<String> {
        self.get("key").filter(|k| !k.is_empty()).map(str::to_owned)
    }

    /// The fields and the bucket (an implicit field every policy must allow), for the
    /// policy's conditions.
    pub fn with_bucket<'a>(
        &'a self,
        bucket: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        std::iter::once(("bucket", bucket))
            .chain(self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }
}

/// Whether a request is a browser upload: a POST of `multipart/form-data` to a bucket (no
/// key, no sub-resource; BOS's `/v1/bucket` too).
pub(crate) fn is_form_upload(parts: &RequestParts) -> bool {
    parts.method == Method::POST
        && parts.query.is_empty()
        && parts.bucket.is_some()
        && match parts.key.as_deref() {
            None => true,
            Some(k) => {
                parts.bucket.as_deref() == Some("v1") && !k.trim_end_matches('/').contains('/')
            }
        }
        && parts.header("content-type").is_some_and(|ct| {
            ct.len() >= 19 && ct[..19].eq_ignore_ascii_case("multipart/form-data")
        })
}

/// The dialects a form can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormDialect {
    S3,
    Oss,
    Bos,
}

/// The dialect of a form, from its fields: OSS's `OSSAccessKeyId` or `x-oss-*` fields, BOS's
/// `accessKey`, S3's `AWSAccessKeyId` or `x-amz-*`; a form with none of them (anonymous)
/// is in `fallback`'s dialect (the request's own hints).
pub(crate) fn dialect_of(form: &Form, fallback: FormDialect) -> FormDialect {
    if form.get("OSSAccessKeyId").is_some() || form.has_prefix("x-oss-") {
        FormDialect::Oss
    } else if form.get("accessKey").is_some() || form.has_prefix("x-bce-") {
        FormDialect::Bos
    } else if form.get("AWSAccessKeyId").is_some() || form.has_prefix("x-amz-") {
        FormDialect::S3
    } else {
        fallback
    }
}

/// Reads the fields up to the `file` field; returns them and the file's content as a
/// stream.
pub(crate) async fn read_form(
    headers: &HeaderMap,
    body: Incoming,
) -> Result<(Form, FileStream), PostError> {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(ct).map_err(|e| PostError::Malformed(e.to_string()))?;
    let mut multipart = multer::Multipart::new(crate::body::stream(body), boundary);
    let mut form = Form::default();
    let mut used = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(PostError::NoFile),
            Err(e) => return Err(multer_error(e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name.eq_ignore_ascii_case("file") {
            form.file_name = field.file_name().map(str::to_owned);
            // `${filename}` is replaced before anything reads the key, the policy's
            // conditions included (as S3 does).
            let file_name = form.file_name.clone().unwrap_or_default();
            for (n, v) in &mut form.fields {
                if n.eq_ignore_ascii_case("key") {
                    *v = v.replace("${filename}", &file_name);
                }
            }
            let stream = field.map(|r| r.map_err(|e| io_error(multer_error(e))));
            return Ok((form, Box::pin(stream)));
        }
        used += name.len();
        let mut field = field;
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multer_error)? {
            used += chunk.len();
            if used > MAX_FIELDS {
                return Err(PostError::FieldsTooLarge);
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .map_err(|_| PostError::Malformed(format!("the field {name:?} is not UTF-8")))?;
        form.fields.push((name, value));
    }
}

fn multer_error(e: multer::Error) -> PostError {
    match e {
        multer::Error::StreamReadFailed(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => PostError::Body(*io),
            Err(other) => PostError::Body(io::Error::other(other.to_string())),
        },
        other => PostError::Malformed(other.to_string()),
    }
}

fn io_error(e: PostError) -> io::Error {
    match e {
        PostError::Body(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

/// The headers a form stands for: the request's own `Host`, `User-Agent`, `Referer` and
/// `Origin` (which policy conditions may read), then every field that can be a header,
/// named in lower case (or as `renames` names it). The dialect's PutObject codecs read
/// these, so the form's own fields are what is stored.
pub(crate) fn form_headers(
    request: &HeaderMap,
    form: &Form,
    renames: &[(&str, &str)],
) -> HeaderMap {
    let mut h = HeaderMap::new();
    for name in ["host", "user-agent", "referer", "origin"] {
        if let Some(v) = request.get(name) {
            h.insert(name, v.clone());
        }
    }
    for (name, value) in &form.fields {
        let lower = name.to_ascii_lowercase();
        let name = renames
            .iter()
            .find(|(from, _)| *from == lower)
            .map_or(lower.as_str(), |(_, to)| to);
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            h.append(n, v);
        }
    }
    h
}

/// How a dialect names the fields of its V4 form.
pub(crate) struct V4Fields {
    pub scheme: &'static Scheme,
    /// The service in the credential's scope.
    pub service: &'static str,
    pub credential: &'static str,
    pub date: &'static str,
    pub signature: &'static str,
}

/// Checks a V4 form's signature (hex HMAC-SHA256 of the policy with the signing key of the
/// credential's scope, which must be dated the day of the date field); returns the access
/// key.
pub(crate) fn verify_v4(
    keys: &CachedKeys<'_>,
    form: &Form,
    names: &V4Fields,
) -> Result<String, PostError> {
    let need = |name: &'static str| form.get(name).ok_or(PostError::MissingField(name));
    let credential = need(names.credential)?;
    let date = need(names.date)?;
    let signature = need(names.signature)?;
    let policy = need("policy")?;
    let bad = || {
        PostError::InvalidField(format!(
            "The {} {credential:?} is not AK/yyyymmdd/region/{}/{} of the {}.",
            names.credential, names.service, names.scheme.terminator, names.date
        ))
    };
    let mut parts = credential.rsplitn(5, '/');
    let (Some(terminator), Some(service), Some(region), Some(day), Some(ak)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    if terminator != names.scheme.terminator
        || service != names.service
        || !date.starts_with(day)
        || strata_wire::date::parse_basic_iso8601(date).is_none()
    {
        return Err(bad());
    }
    let creds = keys.find(ak).ok_or(PostError::UnknownKey)?;
    let key = keys.signing_key(names.scheme, &creds.secret_key, day, region, service);
    let expected = hmac_sha256_hex(&key, policy);
    if !signature_matches(&expected, &signature.to_ascii_lowercase()) {
        return Err(PostError::BadSignature);
    }
    Ok(ak.to_owned())
}

/// Checks a form signed with base64 HMAC-SHA1 of the policy (S3's V2, OSS's V1): the access
/// key's field and the signature's.
pub(crate) fn verify_sha1(
    keys: &CachedKeys<'_>,
    form: &Form,
    access_key: &'static str,
    signature: &'static str,
) -> Result<String, PostError> {
    let need = |name: &'static str| form.get(name).ok_or(PostError::MissingField(name));
    let ak = need(access_key)?;
    let signature = need(signature)?;
    let policy = need("policy")?;
    let creds = keys.find(ak).ok_or(PostError::UnknownKey)?;
    if !signature_matches(&hmac_sha1_base64(&creds.secret_key, policy), signature) {
        return Err(PostError::BadSignature);
    }
    Ok(ak.to_owned())
}

/// Reads the form's policy and checks it now (see [`Policy::check_fields`] for `rules`);
/// keeps it in the form.
pub(crate) fn check_policy(
    form: &mut Form,
    bucket: &str,
    rules: &Rules<'_>,
) -> Result<(), PostError> {
    let text = form
        .get("policy")
        .ok_or(PostError::MissingField("policy"))?;
    let policy = Policy::parse(text)?;
    policy.check_time(strata_core::store::now_ms() / 1000)?;
    policy.check_fields(form.with_bucket(bucket), rules)?;
    form.policy = Some(policy);
    Ok(())
}

/// The signer a checked form names.
pub(crate) fn signer<A>(
    keys: &CachedKeys<'_>,
    access_key: String,
    auth: A,
) -> Result<Signed<A>, PostError> {
    let user = keys.user(&access_key).ok_or(PostError::UnknownKey)?;
    Ok(Signed {
        user,
        access_key,
        auth,
    })
}

/// How a dialect answers a stored upload.
pub(crate) struct Answer {
    /// The status when the form asks for none it knows: S3's and OSS's 204, BOS's 200.
    pub default: StatusCode,
    /// The fields that name a URL to redirect to (the first present wins).
    pub redirect: &'static [&'static str],
    /// The stored version's ETag as the dialect's headers and documents show it.
    pub etag: fn(&str) -> String,
}

/// The answer to a stored upload, as every dialect gives it: a redirect field (`how.redirect`:
/// S3's `success_action_redirect` or `redirect`, BOS's `success-redirect-url`), an
/// `http(s)://` URL, → 303 to it with `bucket`, `key` and `etag` added to its query; else
/// `success_action_status` 200 (empty), 201 (a `PostResponse` document: the object's
/// `Location`, `Bucket`, `Key`, `ETag`), and `how.default` for any other value. `etag` is the
/// rendered one; `headers` are the request's (its `Host`).
pub(crate) fn answer(
    how: &Answer,
    virtual_hosted: bool,
    headers: &HeaderMap,
    form: &Form,
    (bucket, key): (&str, &str),
    etag: &str,
) -> Response<Body> {
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let path = utf8_percent_encode(key, PATH);
    let location = if virtual_hosted {
        format!("http://{host}/{path}")
    } else {
        format!("http://{host}/{bucket}/{path}")
    };
    let redirect = how
        .redirect
        .iter()
        .find_map(|name| form.get(name))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let (status, body) = if redirect.is_some() {
        (StatusCode::SEE_OTHER, String::new())
    } else {
        match form.get("success_action_status") {
            Some("200") => (StatusCode::OK, String::new()),
            Some("201") => {
                let mut x = Xml::new("PostResponse", "");
                x.leaf("Location", &location)
                    .leaf("Bucket", bucket)
                    .leaf("Key", key)
                    .leaf("ETag", etag);
                (StatusCode::CREATED, x.finish())
            }
            _ => (how.default, String::new()),
        }
    };
    let xml = !body.is_empty();
    let mut resp = Response::new(crate::full(body));
    *resp.status_mut() = status;
    if xml {
        set(&mut resp, "content-type", "application/xml");
    }
    set(&mut resp, "etag", etag);
    match redirect {
        Some(url) => {
            let enc = |s: &str| utf8_percent_encode(s, UNRESERVED).to_string();
            let sep = if url.contains('?') { '&' } else { '?' };
            let target = format!(
                "{url}{sep}bucket={}&key={}&etag={}",
                enc(bucket),
                enc(key),
                enc(etag)
            );
            set(&mut resp, "location", &target);
        }
        None => set(&mut resp, "location", &location),
    }
    resp
}

/// The tail every dialect's browser upload shares: the file stored by `put` (whose `expect`
/// gets the policy's size checks, and whose body is the file, cut off past the policy's
/// largest size), then [`answer`]ed as `how` says. The dialect adds its own headers to the answer.
pub(crate) async fn store<D: Dialect>(
    ctx: &Ctx<'_, D>,
    form: &Form,
    file: FileStream,
    put: PutObject<'_, ()>,
    how: &Answer,
) -> Result<(Response<Body>, PutOutcome), CoreError> {
    let range = form.policy.as_ref().and_then(Policy::length_range);
    let (bucket, key) = (put.bucket, put.key);
    let out = ctx
        .run(PutObject {
            expect: expect_length(range, put.expect),
            body: bounded(file, range.map(|(_, max)| max)),
            bucket,
            key,
            meta: put.meta,
            acl: put.acl,
            lock: put.lock,
            tags: put.tags,
            cond: put.cond,
        })
        .await?;
    let tag = (how.etag)(&out.etag);
    let resp = answer(
        how,
        ctx.req.virtual_hosted,
        &ctx.req.headers,
        form,
        (bucket, key),
        &tag,
    );
    Ok((resp, out))
}

/// `expect` with the checks of the file's size added: the core refuses (before anything is
/// committed) a file outside the policy's `content-length-range`, then asks `expect`'s own
/// late check (a checksum field's), if any.
pub(crate) fn expect_length(range: Option<(u64, u64)>, mut expect: Expect) -> Expect {
    if let Some((min, max)) = range {
        let then = expect.late.take();
        expect.late = Some(Arc::new(move |d: &DigestValues| {
            if d.len > max {
                return Err(CoreError::EntityTooLarge { size: d.len, max });
            }
            if d.len < min {
                return Err(CoreError::EntityTooSmall {
                    part: 0,
                    size: d.len,
                    min,
                });
            }
            then.as_ref().map_or(Ok(()), |check| check(d))
        }));
    }
    expect
}

/// The file, cut off after one byte more than `max` (the rest is not read: the size check
/// of [`expect_length`] refuses it).
pub(crate) fn bounded(file: FileStream, max: Option<u64>) -> FileStream {
    match max {
        None => file,
        Some(max) => Box::pin(Bounded {
            inner: file,
            left: max.saturating_add(1),
        }),
    }
}

struct Bounded {
    inner: FileStream,
    left: u64,
}

impl Stream for Bounded {
    type Item = io::Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(mut b))) => {
                let take = u64::try_from(b.len()).unwrap_or(u64::MAX).min(self.left);
                b.truncate(usize::try_from(take).unwrap_or(usize::MAX));
                self.left -= take;
                Poll::Ready(Some(Ok(b)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
