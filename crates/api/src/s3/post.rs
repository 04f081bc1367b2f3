//! S3's POST Object (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s): the V4 form (`x-amz-algorithm`, `x-amz-credential`,
//! `x-amz-date`, `x-amz-signature`: hex HMAC-SHA256 of the policy with the scope's signing
//! key) and the V2 form (`AWSAccessKeyId`, `signature`: base64 HMAC-SHA1 of the policy with
//! the secret), or no signature (anonymous, where the bucket lets anyone write); every field
//! but the signature's own and `x-ignore-*` must be named by a condition. `Content-MD5` and
//! `x-amz-checksum-*` fields are checked as PutObject's headers are, the checksum stored with
//! the version (`x-amz-checksum-algorithm` names one to compute). The answer:
//! `success_action_redirect` (or `redirect`) → 303 to it with `bucket`, `key` and `etag`;
//! `success_action_status` 200, 201 (a `PostResponse` document) or 204 (the default).

use super::acl::write_ask;
use super::auth::{Authenticated, Payload};
use super::error::S3Error;
use super::object::{header_expect, meta_from_headers, set_written_version};
use super::{Ctx, S3Result, etag};
use crate::AppState;
use crate::exec::{GetBucket, PutObject};
use crate::pipeline::Signed;
use crate::post::{self, FileStream, Form, PostError};
use crate::request::RequestParts;
use hyper::StatusCode;
use strata_core::Precondition;
use strata_wire::post::Rules;
use strata_wire::v4::AWS4;

/// Fields no condition need name: the signature's own, `x-ignore-*`, and the integrity fields
/// (`Content-MD5`, `x-amz-checksum-*`), which can only refuse a body, never widen what the
/// policy allows (ceph/s3-tests posts a checksum field its policy does not name, and expects
/// the upload stored).
fn exempt(lower: &str) -> bool {
    matches!(
        lower,
        "awsaccesskeyid" | "signature" | "x-amz-signature" | "policy" | "file" | "content-md5"
    ) || lower.starts_with("x-ignore-")
        || lower.starts_with("x-amz-checksum-")
}

/// Checks the form's signature and its policy; `None` for an unsigned form.
pub(super) fn authenticate(
    state: &AppState,
    req: &RequestParts,
    form: &mut Form,
) -> Result<Option<Signed<Authenticated>>, S3Error> {
    let keys = state.keyring()?;
    let access_key = if let Some(algorithm) = form.get("x-amz-algorithm") {
        if algorithm != AWS4.algorithm {
            return Err(PostError::InvalidField(format!(
                "The algorithm {algorithm:?} is not supported; use AWS4-HMAC-SHA256."
            ))
            .into());
        }
        post::verify_v4(&keys, form, &V4)?
    } else if form.get("AWSAccessKeyId").is_some() {
        post::verify_sha1(&keys, form, "AWSAccessKeyId", "signature")?
    } else if form.get("policy").is_some() {
        return Err(PostError::MissingField("AWSAccessKeyId").into());
    } else {
        return Ok(None);
    };
    let rules = Rules {
        every_field: true,
        exempt: &exempt,
        globs: false,
    };
    post::check_policy(form, req.bucket.as_deref().unwrap_or_default(), &rules)?;
    let auth = Authenticated {
        access_key: access_key.clone(),
        payload: Payload::Unsigned,
        signing: None,
    };
    Ok(Some(post::signer(&keys, access_key, auth)?))
}

const V4: post::V4Fields = post::V4Fields {
    scheme: &AWS4,
    service: "s3",
    credential: "x-amz-credential",
    date: "x-amz-date",
    signature: "x-amz-signature",
};

impl From<PostError> for S3Error {
    fn from(e: PostError) -> S3Error {
        if e.is_timeout() {
            return S3Error::request_timeout();
        }
        let (status, code) = e.status_code();
        S3Error::new(status, code, e.to_string())
    }
}

/// Stores the file as PutObject stores a body, with the form's fields for headers: the
/// `Content-MD5` and `x-amz-checksum-*` fields are checked as PutObject's headers are (an
/// `x-amz-checksum-algorithm` field names the checksum stored), and the checksum stored is
/// answered as PutObject answers it.
pub(super) async fn post_object(ctx: &Ctx<'_>, form: Form, file: FileStream) -> S3Result {
    let tags = match form.get("tagging") {
        Some(doc) => super::tagging::form_tags(doc)?,
        None => strata_core::tagging::Tags::none(),
    };
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = write_ask(ctx)?;
    ctx.read(GetBucket(bucket))?;
    let lock = super::lock::write_lock(ctx, bucket, true)?;
    let (expect, _) = header_expect(ctx, "x-amz-checksum-algorithm")?;
    let put = PutObject {
        lock,
        tags,
        acl,
        bucket,
        key,
        meta: meta_from_headers(ctx),
        expect,
        cond: Precondition::default(),
        body: (),
    };
    let (mut resp, out) = post::store(ctx, &form, file, put, &ANSWER).await?;
    set_written_version(&mut resp, out.versioning, out.version_id);
    if let Some(c) = &out.checksum {
        super::checksum::set_headers(&mut resp, c);
    }
    Ok(resp)
}

const ANSWER: post::Answer = post::Answer {
    default: StatusCode::NO_CONTENT,
    redirect: &["success_action_redirect", "redirect"],
    etag,
};
