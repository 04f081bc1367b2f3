//! Bucket policies and the public access block: Put/Get/DeleteBucketPolicy,
//! GetBucketPolicyStatus, Put/Get/DeleteBucketPublicAccessBlock.
//!
//! A policy is kept as the text that was put and evaluated by the core (OSS's language:
//! `"Version": "1"`, `oss:` actions, `acs:oss:*:*:bucket/key` resources, `acs:SourceIp` and
//! the other `acs:`/`oss:` condition keys). OSS's one `BlockPublicAccess` flag is S3's four
//! Block Public Access flags at once.

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::listing::bool_text;
use crate::xml::Xml;
use hyper::StatusCode;
use hyper::header::HeaderValue;
use strata_core::access::{AccessError, PolicyError};
use strata_core::meta::PublicAccessBlock;

pub(super) async fn put_policy(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let bytes = ctx.read_document(body).await?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        OssError::from(strata_core::CoreError::from(AccessError::Policy(
            PolicyError::Malformed("the policy is not UTF-8 text".into()),
        )))
    })?;
    ctx.run(PutBucketPolicy {
        bucket,
        text: Some(text),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// The policy's text, exactly as it was put.
pub(super) fn get_policy(ctx: &Ctx<'_>) -> OssResult {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    let text = rec.policy.ok_or(strata_core::CoreError::from(
        AccessError::NoSuchBucketPolicy,
    ))?;
    let mut resp = xml(StatusCode::OK, text);
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    Ok(resp)
}

pub(super) async fn delete_policy(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.run(PutBucketPolicy { bucket, text: None }).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `<PolicyStatus><IsPublic>`: a public policy, or a public ACL (the core's rule).
pub(super) fn policy_status(ctx: &Ctx<'_>) -> OssResult {
    ctx.bucket()?;
    let public = ctx.read(PolicyStatus)?;
    let mut x = Xml::new("PolicyStatus", "");
    x.leaf("IsPublic", bool_text(public));
    Ok(xml(StatusCode::OK, x.finish()))
}

/// `<PublicAccessBlockConfiguration><BlockPublicAccess>true|false</BlockPublicAccess>`. The
/// value is read case-insensitively (oss2 writes Python's `True`/`False`).
pub fn parse_public_access_block(bytes: &[u8]) -> Result<bool, OssError> {
    let malformed = || {
        OssError::malformed_xml(
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    };
    let doc = crate::xml::parse(bytes, 8).map_err(|_| malformed())?;
    if doc.name != "PublicAccessBlockConfiguration" {
        return Err(malformed());
    }
    match doc.child_text("BlockPublicAccess").map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(malformed()),
    }
}

pub(super) async fn put_public_access_block(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    let bytes = ctx.read_document(body).await?;
    let on = parse_public_access_block(&bytes)?;
    ctx.run(PutPublicAccessBlock {
        bucket,
        block: Some(PublicAccessBlock {
            block_public_acls: on,
            ignore_public_acls: on,
            block_public_policy: on,
            restrict_public_buckets: on,
        }),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// A bucket without a configuration blocks nothing: `false`, as OSS answers (oss2's and
/// alibabacloud-oss-v2's own tests read `false` after a delete). A configuration set through
/// S3 shows `true` only when all four flags are set, which is what OSS's flag means.
pub(super) fn get_public_access_block(ctx: &Ctx<'_>) -> OssResult {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    let on = rec.public_access_block.is_some_and(|b| {
        b.block_public_acls
            && b.ignore_public_acls
            && b.block_public_policy
            && b.restrict_public_buckets
    });
    let mut x = Xml::new("PublicAccessBlockConfiguration", "");
    x.leaf("BlockPublicAccess", bool_text(on));
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn delete_public_access_block(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.run(PutPublicAccessBlock {
        bucket,
        block: None,
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_access_block_documents() {
        let doc = |v: &str| {
            format!(
                "<PublicAccessBlockConfiguration><BlockPublicAccess>{v}</BlockPublicAccess></PublicAccessBlockConfiguration>"
            )
        };
        assert!(parse_public_access_block(doc("true").as_bytes()).unwrap());
        assert!(parse_public_access_block(doc("True").as_bytes()).unwrap());
        assert!(!parse_public_access_block(doc(" false ").as_bytes()).unwrap());
        for bad in [
            doc("yes"),
            doc(""),
            "<PublicAccessBlockConfiguration/>".to_owned(),
            "<Other><BlockPublicAccess>true</BlockPublicAccess></Other>".to_owned(),
            "<PublicAccessBlockConfiguration>".to_owned(),
            String::new(),
        ] {
            let e = parse_public_access_block(bad.as_bytes()).unwrap_err();
            assert_eq!(e.code, "MalformedXML", "{bad}");
        }
    }
}
