//! BOS's PostObject (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s): `accessKey`, `policy` and `signature`, hex HMAC-SHA256 of the
//! base64 policy with the secret key (what @baiducloud/sdk's `signPostObjectPolicy`
//! computes); the policy's conditions must hold, an exact match's `*` matching any run of
//! characters (`{"key": "photos/*"}`). @baiducloud/sdk's `postObject` without a policy
//! sends `accessKey` alone and signs the request itself (bce-auth-v1): that signature is
//! checked instead, and must be `accessKey`'s. A form with neither is anonymous. The fields
//! stored are PutObject's headers (content headers, `x-bce-meta-*`, `x-bce-acl`); the answer
//! is 200 unless `success_action_status` or a redirect (`success-redirect-url`) asks otherwise.

use super::BosApi;
use super::error::BosError;
use super::object::{expectations, meta_from_headers, set_version, validate_key};
use super::{BosResult, Ctx, etag};
use crate::AppState;
use crate::Keyring as _;
use crate::exec::PutObject;
use crate::pipeline::{Dialect as _, Signed};
use crate::post::{self, FileStream, Form, PostError};
use crate::request::RequestParts;
use hyper::StatusCode;
use strata_core::{Expect, Precondition};
use strata_wire::post::{Rules, hmac_sha256_hex, signature_matches};

impl From<PostError> for BosError {
    fn from(e: PostError) -> BosError {
        let (status, code) = e.status_code();
        let code = if e.is_timeout() {
            "RequestTimeout"
        } else {
            code
        };
        // BOS answers a signature that does not match with 400, as for its other requests.
        let status = match e {
            PostError::BadSignature => StatusCode::BAD_REQUEST,
            _ => status,
        };
        BosError::new(status, code, e.to_string())
    }
}

/// Checks the form's signature and its policy (or the request's own signature); `None` for
/// an unsigned form.
pub(super) fn authenticate(
    state: &AppState,
    req: &RequestParts,
    form: &mut Form,
) -> Result<Option<Signed<()>>, BosError> {
    let keys = state.keyring()?;
    let Some(access_key) = form.get("accessKey").map(str::to_owned) else {
        if form.get("policy").is_some() || form.get("signature").is_some() {
            return Err(PostError::MissingField("accessKey").into());
        }
        return Ok(None);
    };
    if form.get("policy").is_none() && form.get("signature").is_none() {
        if crate::router::unsigned(req) {
            return Err(PostError::MissingField("policy").into());
        }
        let signed = BosApi::authenticate(state, req)?;
        if signed.access_key != access_key {
            return Err(PostError::InvalidField(
                "The accessKey field is not the key the request is signed with.".to_owned(),
            )
            .into());
        }
        return Ok(Some(signed));
    }
    let need = |name: &'static str| form.get(name).ok_or(PostError::MissingField(name));
    let policy = need("policy")?;
    let signature = need("signature")?;
    let creds = keys.find(&access_key).ok_or(PostError::UnknownKey)?;
    let expected = hmac_sha256_hex(creds.secret_key.as_bytes(), policy);
    if !signature_matches(&expected, &signature.to_ascii_lowercase()) {
        return Err(PostError::BadSignature.into());
    }
    let rules = Rules {
        every_field: false,
        exempt: &|_| true,
        globs: true,
    };
    post::check_policy(form, req.bucket.as_deref().unwrap_or_default(), &rules)?;
    Ok(Some(post::signer(&keys, access_key, ())?))
}

/// Stores the file as PutObject stores a body, with the form's fields for headers (its digest
/// fields checked as PutObject's headers are).
pub(super) async fn post_object(ctx: &Ctx<'_>, form: Form, file: FileStream) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    validate_key(key)?;
    let put = PutObject {
        tags: super::tagging::write_tags(ctx)?,
        lock: strata_core::retention::ObjectLock::default(),
        acl: super::acl::write_acl(ctx)?,
        bucket,
        key,
        meta: meta_from_headers(ctx)?,
        // The digest fields (Content-MD5, x-bce-content-sha256, -crc32, -crc32c,
        // -crc64ecma) are checked as PutObject's headers are; the size is the policy's.
        expect: Expect {
            size: None,
            ..expectations(ctx)?
        },
        cond: Precondition::default(),
        body: (),
    };
    let (mut resp, out) = post::store(ctx, &form, file, put, &ANSWER).await?;
    crate::objhttp::set(&mut resp, "x-bce-content-crc32", &out.crc32.to_string());
    set_version(&mut resp, out.versioning, out.version_id);
    Ok(resp)
}

/// BOS names its redirect field `success-redirect-url`; the redirect is S3's (303 to the URL
/// with `bucket`, `key` and `etag` added to its query).
const ANSWER: post::Answer = post::Answer {
    default: StatusCode::OK,
    redirect: &[
        "success-redirect-url",
        "success_action_redirect",
        "redirect",
    ],
    etag,
};
