//! A bucket's other access configurations: its policy (kept as the JSON text it was put with)
//! and policy status, its public access block, and its Object Ownership controls.

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::full;
use crate::listing::{S3, bool_text};
use crate::xml::{Xml, parse};
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use strata_core::CoreError;
use strata_core::access::AccessError;
use strata_core::meta::{ObjectOwnership, PublicAccessBlock};

// ---- policy --------------------------------------------------------------------------------

pub(super) fn get_policy(ctx: &Ctx<'_>) -> S3Result {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    let text = rec
        .policy
        .ok_or(AccessError::NoSuchBucketPolicy)
        .map_err(CoreError::from)?;
    let mut r = Response::new(full(text));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    Ok(r)
}

/// PutBucketPolicy: the body is the policy, kept byte for byte as it came (GetBucketPolicy
/// answers it so).
pub(super) async fn put_policy(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "MalformedPolicy",
            "Policies must be valid JSON and the first byte must be '{'",
        )
    })?;
    ctx.run(PutBucketPolicy {
        bucket,
        text: Some(text),
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) async fn delete_policy(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    ctx.run(PutBucketPolicy { bucket, text: None }).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// GetBucketPolicyStatus: whether the bucket's policy, or its ACL, makes it public.
pub(super) fn get_policy_status(ctx: &Ctx<'_>) -> S3Result {
    ctx.read(GetBucket(ctx.bucket()?))?;
    let public = ctx.read(PolicyStatus)?;
    let mut x = Xml::new("PolicyStatus", S3.root_attrs);
    x.leaf("IsPublic", bool_text(public));
    Ok(xml(StatusCode::OK, x.finish()))
}

// ---- public access block -------------------------------------------------------------------

/// The flags of a `PublicAccessBlockConfiguration` document; a flag left out is off.
pub fn parse_public_access_block(bytes: &[u8]) -> Result<PublicAccessBlock, S3Error> {
    let doc = parse(bytes, 16).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "PublicAccessBlockConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    let flag = |name: &str| match doc.child_text(name).map(str::trim) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(S3Error::malformed_xml()),
    };
    Ok(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls")?,
        ignore_public_acls: flag("IgnorePublicAcls")?,
        block_public_policy: flag("BlockPublicPolicy")?,
        restrict_public_buckets: flag("RestrictPublicBuckets")?,
    })
}

pub(super) fn get_public_access_block(ctx: &Ctx<'_>) -> S3Result {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    let b = rec
        .public_access_block
        .ok_or(AccessError::NoSuchPublicAccessBlockConfiguration)
        .map_err(CoreError::from)?;
    let mut x = Xml::new("PublicAccessBlockConfiguration", S3.root_attrs);
    x.leaf("BlockPublicAcls", bool_text(b.block_public_acls))
        .leaf("IgnorePublicAcls", bool_text(b.ignore_public_acls))
        .leaf("BlockPublicPolicy", bool_text(b.block_public_policy))
        .leaf(
            "RestrictPublicBuckets",
            bool_text(b.restrict_public_buckets),
        );
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_public_access_block(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let block = parse_public_access_block(&bytes)?;
    ctx.run(PutPublicAccessBlock {
        bucket,
        block: Some(block),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete_public_access_block(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    ctx.run(PutPublicAccessBlock {
        bucket,
        block: None,
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

// ---- ownership controls --------------------------------------------------------------------

/// The Object Ownership of an `OwnershipControls` document: exactly one `Rule`.
pub fn parse_ownership_controls(bytes: &[u8]) -> Result<ObjectOwnership, S3Error> {
    let doc = parse(bytes, 16).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "OwnershipControls" {
        return Err(S3Error::malformed_xml());
    }
    let mut rules = doc.children("Rule");
    let (Some(rule), None) = (rules.next(), rules.next()) else {
        return Err(S3Error::malformed_xml());
    };
    rule.child_text("ObjectOwnership")
        .map(str::trim)
        .and_then(ObjectOwnership::parse)
        .ok_or_else(S3Error::malformed_xml)
}

pub(super) fn get_ownership_controls(ctx: &Ctx<'_>) -> S3Result {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    let ownership = rec
        .ownership
        .ok_or(AccessError::OwnershipControlsNotFound)
        .map_err(CoreError::from)?;
    let mut x = Xml::new("OwnershipControls", S3.root_attrs);
    x.open("Rule")
        .leaf("ObjectOwnership", ownership.as_str())
        .close();
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_ownership_controls(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let ownership = parse_ownership_controls(&bytes)?;
    ctx.run(PutOwnership {
        bucket,
        ownership: Some(ownership),
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete_ownership_controls(ctx: &Ctx<'_>) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    ctx.run(PutOwnership {
        bucket,
        ownership: None,
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// The `x-amz-object-ownership` of a CreateBucket, if given.
pub(super) fn ownership_header(ctx: &Ctx<'_>) -> Result<Option<ObjectOwnership>, S3Error> {
    match ctx.req.header("x-amz-object-ownership") {
        None => Ok(None),
        Some(v) => ObjectOwnership::parse(v.trim()).map(Some).ok_or_else(|| {
            S3Error::invalid_argument(format!("Invalid x-amz-object-ownership header: {v}"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_access_block_reads_its_four_flags_and_missing_ones_are_off() {
        let doc = br#"<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>FALSE</IgnorePublicAcls>
            <RestrictPublicBuckets> true </RestrictPublicBuckets></PublicAccessBlockConfiguration>"#;
        assert_eq!(
            parse_public_access_block(doc).unwrap(),
            PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: true,
            }
        );
        for bad in [
            &b"<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>"[..],
            b"<PublicAccessBlock/>",
            b"not xml",
        ] {
            assert_eq!(parse_public_access_block(bad).unwrap_err().code, "MalformedXML");
        }
    }

    #[test]
    fn ownership_controls_have_exactly_one_rule_with_a_known_value() {
        let doc = b"<OwnershipControls><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>";
        assert_eq!(
            parse_ownership_controls(doc).unwrap(),
            ObjectOwnership::BucketOwnerPreferred
        );
        for bad in [
            &b"<OwnershipControls/>"[..],
            b"<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
            b"<OwnershipControls><Rule><ObjectOwnership>Writer</ObjectOwnership></Rule></OwnershipControls>",
            b"<Ownership><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></Ownership>",
        ] {
            assert_eq!(parse_ownership_controls(bad).unwrap_err().code, "MalformedXML");
        }
    }
}
