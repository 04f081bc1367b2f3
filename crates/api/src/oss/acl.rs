//! ACLs in OSS's words: the canned `x-oss-acl` (buckets) and `x-oss-object-acl` (objects)
//! headers, and Get/PutBucketAcl, Get/PutObjectAcl.
//!
//! OSS has no grant lists: a bucket is `private`, `public-read` or `public-read-write`, an
//! object one of those or `default` (its bucket's ACL decides, OSS's default for new objects).
//! An ACL set through S3 that no OSS value names is shown as the OSS value that gives the
//! public what its grants give the public groups (see [`shown`]).

use super::error::OssError;
use super::object::set_version;
use super::{Ctx, OssResult, empty, xml};
use crate::exec::*;
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::access::{Canned, Grant, ObjectAccess, ObjectAcl, Permission};

/// The bucket ACL header.
const BUCKET_HEADER: &str = "x-oss-acl";
/// The object ACL header.
const OBJECT_HEADER: &str = "x-oss-object-acl";

/// OSS's three bucket ACLs.
fn canned(value: &str) -> Option<Canned> {
    match value {
        "private" => Some(Canned::Private),
        "public-read" => Some(Canned::PublicRead),
        "public-read-write" => Some(Canned::PublicReadWrite),
        _ => None,
    }
}

fn invalid_acl(header: &str, value: &str) -> OssError {
    OssError::invalid_argument(format!(
        "no such bucket access control exists: {header} `{value}`"
    ))
    .detail("ArgumentName", header)
    .detail("ArgumentValue", value)
}

/// A bucket ACL value: one of OSS's three.
pub(super) fn parse_bucket_acl(value: &str) -> Result<AclAsk, OssError> {
    canned(value)
        .map(AclAsk::Canned)
        .ok_or_else(|| invalid_acl(BUCKET_HEADER, value))
}

/// An object ACL value: `default` (the bucket's ACL decides) or one of the bucket values.
pub(super) fn parse_object_acl(value: &str) -> Result<AclAsk, OssError> {
    match value {
        "default" => Ok(AclAsk::Inherit),
        v => canned(v)
            .map(AclAsk::Canned)
            .ok_or_else(|| invalid_acl(OBJECT_HEADER, value)),
    }
}

/// The ACL CreateBucket asks for: `x-oss-acl`, private when absent.
pub(super) fn bucket_ask(ctx: &Ctx<'_>) -> Result<AclAsk, OssError> {
    match ctx.req.header(BUCKET_HEADER) {
        None => Ok(AclAsk::Private),
        Some(v) => parse_bucket_acl(v),
    }
}

/// The ACL a write of an object (PutObject, CopyObject, InitiateMultipartUpload) asks for:
/// `x-oss-object-acl`, `default` when absent.
pub(super) fn object_ask(ctx: &Ctx<'_>) -> Result<AclAsk, OssError> {
    match ctx.req.header(OBJECT_HEADER) {
        None => Ok(AclAsk::Inherit),
        Some(v) => parse_object_acl(v),
    }
}

/// `x-oss-object-acl` on CompleteMultipartUpload (oss2's resumable upload sends Initiate's
/// header again): the upload's ACL was fixed at its initiation, so the same value is accepted
/// and another one refused (501), never dropped.
pub(super) fn check_complete_acl(ctx: &Ctx<'_>, upload: &ObjectAccess) -> Result<(), OssError> {
    let Some(value) = ctx.req.header(OBJECT_HEADER) else {
        return Ok(());
    };
    // The upload's object owner (the bucket's when `None`); OSS's values name no other user.
    let owner = upload.owner.as_deref().unwrap_or(&ctx.owner.id);
    let asked = match value {
        "default" => ObjectAcl::Inherit,
        v => canned(v)
            .map(|c| ObjectAcl::of_grants(c.grants(owner, owner), owner))
            .ok_or_else(|| invalid_acl(OBJECT_HEADER, v))?,
    };
    if asked == upload.acl {
        Ok(())
    } else {
        Err(OssError::not_implemented(
            "Changing an upload's ACL at CompleteMultipartUpload (give x-oss-object-acl to InitiateMultipartUpload)",
        ))
    }
}

/// The header PutBucketAcl and PutObjectAcl require: absent or empty is 400, as on OSS.
fn required<'a>(ctx: &'a Ctx<'_>, header: &'static str) -> Result<&'a str, OssError> {
    ctx.req
        .header(header)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            OssError::invalid_argument(format!("The {header} header is required."))
                .detail("ArgumentName", header)
        })
}

/// How OSS shows a list of grants: the value that gives the public what the grants give the
/// public groups (S3's `AllUsers` and `AuthenticatedUsers`, AWS's meaning of public): write (or
/// full control) makes it `public-read-write`, read `public-read`, anything else `private`. So
/// OSS's three canned ACLs read back as set (the owner's own grant is not public), and grants
/// set through S3 show what they give the public. Grants to particular users (the owner's too)
/// and the ACL permissions (`READ_ACP`, `WRITE_ACP`) have no OSS name and are not shown.
pub(super) fn shown(grants: &[Grant]) -> &'static str {
    let public = |p: Permission| {
        grants
            .iter()
            .any(|g| g.grantee.is_public() && g.permission.gives(p))
    };
    if public(Permission::Write) {
        Canned::PublicReadWrite.as_str()
    } else if public(Permission::Read) {
        Canned::PublicRead.as_str()
    } else {
        Canned::Private.as_str()
    }
}

/// How OSS shows an object version's ACL.
pub(super) fn shown_object(acl: &ObjectAcl) -> &'static str {
    match acl {
        ObjectAcl::Inherit => "default",
        ObjectAcl::Private => Canned::Private.as_str(),
        ObjectAcl::Grants(g) => shown(g),
    }
}

/// `<AccessControlPolicy>`: the owner and the one canned value (spec's GetBucketAcl shape: no
/// namespace, `Grant` a string).
fn policy_xml(owner: crate::listing::Owner<'_>, grant: &str) -> String {
    let mut x = Xml::new("AccessControlPolicy", "");
    owner.write(&mut x);
    x.open("AccessControlList").leaf("Grant", grant).close();
    x.finish()
}

pub(super) fn get_bucket_acl(ctx: &Ctx<'_>) -> OssResult {
    let rec = ctx.read(GetBucketAccess(ctx.bucket()?))?;
    Ok(xml(
        StatusCode::OK,
        policy_xml(ctx.owner(), shown(&rec.acl)),
    ))
}

pub(super) async fn put_bucket_acl(ctx: &Ctx<'_>) -> OssResult {
    let bucket = ctx.bucket()?;
    let acl = parse_bucket_acl(required(ctx, BUCKET_HEADER)?)?;
    ctx.run(PutBucketAcl { bucket, acl }).await?;
    Ok(empty(StatusCode::OK))
}

/// The bucket's versioning state, for the `x-oss-version-id` header of an object ACL answer.
fn versioning(ctx: &Ctx<'_>, bucket: &str) -> Result<strata_core::Versioning, OssError> {
    Ok(ctx.read(GetBucket(bucket))?.versioning)
}

pub(super) fn get_object_acl(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let (id, access, owner) = ctx.read(ObjectAclWithOwner {
        bucket,
        key,
        version: ctx.version_id()?,
    })?;
    let body = policy_xml(owner.as_listing(), shown_object(&access.acl));
    let mut resp = xml(StatusCode::OK, body);
    set_version(&mut resp, versioning(ctx, bucket)?, id);
    Ok(resp)
}

pub(super) async fn put_object_acl(ctx: &Ctx<'_>) -> OssResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let acl = parse_object_acl(required(ctx, OBJECT_HEADER)?)?;
    let id = ctx
        .run(PutObjectAcl {
            bucket,
            key,
            version: ctx.version_id()?,
            acl,
        })
        .await?;
    let mut resp = empty(StatusCode::OK);
    set_version(&mut resp, versioning(ctx, bucket)?, id);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::access::Grantee;

    #[test]
    fn header_values() {
        assert_eq!(
            parse_bucket_acl("public-read").unwrap(),
            AclAsk::Canned(Canned::PublicRead)
        );
        assert_eq!(
            parse_object_acl("public-read-write").unwrap(),
            AclAsk::Canned(Canned::PublicReadWrite)
        );
        assert_eq!(parse_object_acl("default").unwrap(), AclAsk::Inherit);
        assert_eq!(
            parse_object_acl("private").unwrap(),
            AclAsk::Canned(Canned::Private)
        );
        for bad in ["default", "public", "authenticated-read", "Private", ""] {
            let e = parse_bucket_acl(bad).unwrap_err();
            assert_eq!(
                (e.status, e.code),
                (StatusCode::BAD_REQUEST, "InvalidArgument")
            );
        }
        for bad in ["bucket-owner-full-control", "public", "PUBLIC-READ"] {
            assert_eq!(parse_object_acl(bad).unwrap_err().code, "InvalidArgument");
        }
    }

    #[test]
    fn how_grants_are_shown() {
        use Permission::*;
        for c in [Canned::Private, Canned::PublicRead, Canned::PublicReadWrite] {
            assert_eq!(shown(&c.grants("o", "o")), c.as_str());
        }
        let user = |p| Grant::new(Grantee::User("bob".into()), p);
        // Grants no OSS value names: what the public groups get.
        assert_eq!(
            shown(&Canned::AuthenticatedRead.grants("o", "o")),
            "public-read"
        );
        assert_eq!(shown(&[user(FullControl)]), "private");
        assert_eq!(shown(&[]), "private");
        assert_eq!(shown(&Canned::LogDeliveryWrite.grants("o", "o")), "private");
        assert_eq!(
            shown(&[Grant::new(Grantee::AllUsers, FullControl)]),
            "public-read-write"
        );
        assert_eq!(
            shown(&[Grant::new(Grantee::AllUsers, Read), user(Write)]),
            "public-read"
        );
        assert_eq!(shown(&[Grant::new(Grantee::AllUsers, ReadAcp)]), "private");
        assert_eq!(shown_object(&ObjectAcl::Inherit), "default");
        assert_eq!(shown_object(&ObjectAcl::Private), "private");
        assert_eq!(
            shown_object(&ObjectAcl::Grants(Canned::PublicRead.grants("o", "o"))),
            "public-read"
        );
    }
}
