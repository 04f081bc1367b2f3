//! OSS's PostObject (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s): the V1 form (`OSSAccessKeyId`, `policy`, `Signature`: base64
//! HMAC-SHA1 of the policy with the secret), the V4 form (`x-oss-signature-version:
//! OSS4-HMAC-SHA256`, `x-oss-credential`, `x-oss-date`, `x-oss-signature`: hex HMAC-SHA256 of
//! the policy with the scope's signing key), or no signature (a bucket anyone may write).
//! The policy's conditions must hold; unlike S3, OSS does not ask that they name every field.
//! The fields stored are PutObject's headers (`Content-Type` and the other content headers,
//! `x-oss-meta-*`, `x-oss-object-acl`, `x-oss-tagging`), `Content-MD5` is checked,
//! `x-oss-forbid-overwrite` keeps an existing object; `callback` is refused (501).

use super::auth::Authenticated;
use super::error::OssError;
use super::object::{content_md5, meta_from_headers, set_version, validate_key};
use super::{Ctx, OssResult, etag, overwrite};
use crate::AppState;
use crate::exec::PutObject;
use crate::pipeline::Signed;
use crate::post::{self, FileStream, Form, PostError};
use crate::request::RequestParts;
use hyper::StatusCode;
use strata_core::Expect;
use strata_wire::post::Rules;
use strata_wire::v4::OSS4;

impl From<PostError> for OssError {
    fn from(e: PostError) -> OssError {
        let (status, code) = e.status_code();
        let code = if e.is_timeout() {
            "RequestTimeout"
        } else {
            code
        };
        OssError::new(status, code, e.to_string())
    }
}

const V4: post::V4Fields = post::V4Fields {
    scheme: &OSS4,
    service: "oss",
    credential: "x-oss-credential",
    date: "x-oss-date",
    signature: "x-oss-signature",
};

/// Checks the form's signature and its policy; `None` for an unsigned form.
pub(super) fn authenticate(
    state: &AppState,
    req: &RequestParts,
    form: &mut Form,
) -> Result<Option<Signed<Authenticated>>, OssError> {
    let keys = state.keyring()?;
    let access_key = if let Some(version) = form.get("x-oss-signature-version") {
        if version != OSS4.algorithm {
            return Err(PostError::InvalidField(format!(
                "The signature version {version:?} is not supported; use OSS4-HMAC-SHA256."
            ))
            .into());
        }
        post::verify_v4(&keys, form, &V4)?
    } else if form.get("OSSAccessKeyId").is_some() {
        post::verify_sha1(&keys, form, "OSSAccessKeyId", "Signature")?
    } else if form.get("x-oss-credential").is_some() {
        return Err(PostError::MissingField("x-oss-signature-version").into());
    } else if form.get("policy").is_some() {
        return Err(PostError::MissingField("OSSAccessKeyId").into());
    } else {
        return Ok(None);
    };
    let rules = Rules {
        every_field: false,
        exempt: &|_| true,
        globs: false,
    };
    post::check_policy(form, req.bucket.as_deref().unwrap_or_default(), &rules)?;
    let auth = Authenticated {
        access_key: access_key.clone(),
        payload_sha256: None,
    };
    Ok(Some(post::signer(&keys, access_key, auth)?))
}

/// Stores the file as PutObject stores a body, with the form's fields for headers: a
/// `Content-MD5` field is checked as PutObject's header is, and `x-oss-forbid-overwrite`
/// keeps an existing object as PutObject's header does (`super::overwrite`).
pub(super) async fn post_object(ctx: &Ctx<'_>, form: Form, file: FileStream) -> OssResult {
    if form.get("callback").is_some() {
        return Err(OssError::not_implemented(
            "The `callback` field of a PostObject",
        ));
    }
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let acl = super::acl::object_ask(ctx)?;
    let cond = overwrite::condition(ctx, bucket)?;
    let put = PutObject {
        tags: super::tagging::write_tags(ctx)?,
        lock: strata_core::retention::ObjectLock::default(),
        acl,
        bucket,
        key,
        meta: meta_from_headers(ctx),
        expect: Expect {
            md5: content_md5(ctx)?,
            ..Expect::default()
        },
        cond: cond.clone(),
        body: (),
    };
    let (mut resp, out) = post::store(ctx, &form, file, put, &ANSWER)
        .await
        .map_err(|e| overwrite::refused(ctx, &cond, false, e))?;
    crate::objhttp::set(&mut resp, "x-oss-hash-crc64ecma", &out.crc64.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

const ANSWER: post::Answer = post::Answer {
    default: StatusCode::NO_CONTENT,
    redirect: &["success_action_redirect", "redirect"],
    etag,
};
