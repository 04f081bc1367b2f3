//! S3's POST Object (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s): the V4 form (`x-amz-algorithm`, `x-amz-credential`,
//! `x-amz-date`, `x-amz-signature`: hex HMAC-SHA256 of the policy with the scope's signing
//! key) and the V2 form (`AWSAccessKeyId`, `signature`: base64 HMAC-SHA1 of the policy with
//! the secret), or no signature (anonymous, where the bucket lets anyone write); every field
//! but the signature's own and `x-ignore-*` must be named by a condition. The answer:
//! `success_action_redirect` (or `redirect`) → 303 to it with `bucket`, `key` and `etag`;
//! `success_action_status` 200, 201 (a `PostResponse` document) or 204 (the default).

use super::acl::write_ask;
use super::auth::{Authenticated, Payload};
use super::error::S3Error;
use super::object::{meta_from_headers, set_written_version};
use super::{Ctx, S3Result, empty, etag, xml};
use crate::exec::{GetBucket, PutObject};
use crate::objhttp::set;
use crate::pipeline::Signed;
use crate::post::{self, FileStream, Form, PostError};
use crate::request::RequestParts;
use crate::xml::Xml;
use crate::{AppState, Keyring as _};
use hyper::StatusCode;
use percent_encoding::utf8_percent_encode;
use strata_core::Precondition;
use strata_wire::encode::{PATH, UNRESERVED};
use strata_wire::post::{Policy, hmac_sha1_base64, hmac_sha256_hex, signature_matches};
use strata_wire::v4::AWS4;

/// Fields no condition need name.
fn exempt(lower: &str) -> bool {
    matches!(
        lower,
        "awsaccesskeyid" | "signature" | "x-amz-signature" | "policy" | "file"
    ) || lower.starts_with("x-ignore-")
}

/// Checks the form's signature and its policy; `None` for an unsigned form.
pub(super) fn authenticate(
    state: &AppState,
    req: &RequestParts,
    form: &mut Form,
) -> Result<Option<Signed<Authenticated>>, S3Error> {
    let keys = state.keyring();
    let need = |name: &'static str| form.get(name).ok_or(PostError::MissingField(name));
    let (access_key, policy_text) = if let Some(algorithm) = form.get("x-amz-algorithm") {
        if algorithm != AWS4.algorithm {
            return Err(PostError::InvalidField(format!(
                "The algorithm {algorithm:?} is not supported; use AWS4-HMAC-SHA256."
            ))
            .into());
        }
        let credential = need("x-amz-credential")?;
        let date = need("x-amz-date")?;
        let signature = need("x-amz-signature")?;
        let policy = need("policy")?;
        let [ak, day, region, service, terminator] = credential
            .rsplitn(5, '/')
            .collect::<Vec<_>>()
            .try_into()
            .map(|mut a: [&str; 5]| {
                a.reverse();
                a
            })
            .map_err(|_| bad_credential(credential))?;
        if terminator != AWS4.terminator
            || service != "s3"
            || date.len() < 8
            || !date.starts_with(day)
            || strata_wire::date::parse_basic_iso8601(date).is_none()
        {
            return Err(bad_credential(credential));
        }
        let creds = keys.find(ak).ok_or(PostError::UnknownKey)?;
        let key = keys.signing_key(&AWS4, &creds.secret_key, day, region, service);
        if !signature_matches(
            &hmac_sha256_hex(&key, policy),
            &signature.to_ascii_lowercase(),
        ) {
            return Err(PostError::BadSignature.into());
        }
        (ak.to_owned(), policy.to_owned())
    } else if let Some(ak) = form.get("AWSAccessKeyId") {
        let signature = need("signature")?;
        let policy = need("policy")?;
        let creds = keys.find(ak).ok_or(PostError::UnknownKey)?;
        if !signature_matches(&hmac_sha1_base64(&creds.secret_key, policy), signature) {
            return Err(PostError::BadSignature.into());
        }
        (ak.to_owned(), policy.to_owned())
    } else if form.get("policy").is_some() {
        return Err(PostError::MissingField("AWSAccessKeyId").into());
    } else {
        return Ok(None);
    };
    let policy = Policy::parse(&policy_text).map_err(PostError::from)?;
    policy
        .check_time(strata_core::store::now_ms() / 1000)
        .map_err(PostError::from)?;
    let bucket = req.bucket.as_deref().unwrap_or_default();
    policy
        .check_fields(form.with_bucket(bucket), exempt, true)
        .map_err(PostError::from)?;
    form.policy = Some(policy);
    let user = keys.user(&access_key).ok_or(PostError::UnknownKey)?;
    Ok(Some(Signed {
        user,
        access_key: access_key.clone(),
        auth: Authenticated {
            access_key,
            payload: Payload::Unsigned,
            signing: None,
        },
    }))
}

fn bad_credential(credential: &str) -> S3Error {
    PostError::InvalidField(format!(
        "The x-amz-credential {credential:?} is not AK/yyyymmdd/region/s3/aws4_request of the x-amz-date."
    ))
    .into()
}

impl From<PostError> for S3Error {
    fn from(e: PostError) -> S3Error {
        if e.is_timeout() {
            return S3Error::request_timeout();
        }
        let (status, code) = e.status_code();
        S3Error::new(status, code, e.to_string())
    }
}

/// Stores the file as PutObject stores a body, with the form's fields for headers.
pub(super) async fn post_object(ctx: &Ctx<'_>, form: Form, file: FileStream) -> S3Result {
    if form.get("tagging").is_some() {
        return Err(S3Error::not_implemented(
            "The `tagging` field of a browser upload",
        ));
    }
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = write_ask(ctx)?;
    ctx.read(GetBucket(bucket))?;
    let lock = super::lock::write_lock(ctx, bucket, true)?;
    let range = form.policy.as_ref().and_then(Policy::length_range);
    let out = ctx
        .run(PutObject {
            lock,
            acl,
            bucket,
            key,
            meta: meta_from_headers(ctx),
            expect: post::expect_length(range),
            cond: Precondition::default(),
            body: post::bounded(file, range.map(|(_, max)| max)),
        })
        .await?;
    let tag = etag(&out.etag);
    let location = object_url(ctx, bucket, key);
    let redirect = form
        .get("success_action_redirect")
        .or(form.get("redirect"))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut resp = if let Some(url) = redirect {
        let enc = |s: &str| utf8_percent_encode(s, UNRESERVED).to_string();
        let sep = if url.contains('?') { '&' } else { '?' };
        let target = format!(
            "{url}{sep}bucket={}&key={}&etag={}",
            enc(bucket),
            enc(key),
            enc(&tag)
        );
        let mut r = empty(StatusCode::SEE_OTHER);
        set(&mut r, "location", &target);
        r
    } else {
        match form.get("success_action_status") {
            Some("200") => empty(StatusCode::OK),
            Some("201") => {
                let mut x = Xml::new("PostResponse", "");
                x.leaf("Location", &location)
                    .leaf("Bucket", bucket)
                    .leaf("Key", key)
                    .leaf("ETag", &tag);
                xml(StatusCode::CREATED, x.finish())
            }
            _ => empty(StatusCode::NO_CONTENT),
        }
    };
    set(&mut resp, "etag", &tag);
    if resp.status() != StatusCode::SEE_OTHER {
        set(&mut resp, "location", &location);
    }
    set_written_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

/// The new object's URL, on the host the form was posted to.
fn object_url(ctx: &Ctx<'_>, bucket: &str, key: &str) -> String {
    let host = ctx.req.header("host").unwrap_or("localhost");
    let key = utf8_percent_encode(key, PATH);
    if ctx.req.virtual_hosted {
        format!("http://{host}/{key}")
    } else {
        format!("http://{host}/{bucket}/{key}")
    }
}
