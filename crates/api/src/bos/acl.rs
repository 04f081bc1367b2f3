//! ACL operations: Get/PutBucketAcl (`?acl` on a bucket: `x-bce-acl`, or an
//! `accessControlList` document with grantees, permissions, resources, effects and
//! conditions, which the core's policy evaluator compiles), Get/Put/DeleteObjectAcl (`?acl`
//! on an object: `x-bce-acl`, `x-bce-grant-*`, or a document of grants), and the ACL an
//! object write asks for (see [`acl_wire`](super::acl_wire) for the wire forms).

use super::acl_wire::{self as wire, HeaderAcl, Scope};
use super::error::BosError;
use super::{BosResult, Ctx, empty, json};
use crate::body::Incoming;
use crate::exec::*;
use crate::objhttp::set;
use hyper::StatusCode;
use serde_json::{Value, json};
use strata_core::access::{Canned, Grant, Grantee, ObjectAcl, Permission};

impl From<HeaderAcl> for AclAsk {
    fn from(h: HeaderAcl) -> AclAsk {
        match h {
            HeaderAcl::Canned(c) => AclAsk::Canned(c),
            HeaderAcl::Grants(g) => AclAsk::Grants(g),
        }
    }
}

/// The ACL an object write (PutObject, CopyObject, InitiateMultipartUpload) asks for: its
/// `x-bce-acl` or `x-bce-grant-*` headers, else the bucket's (BOS's default).
pub(super) fn write_acl(ctx: &Ctx<'_>) -> Result<AclAsk, BosError> {
    Ok(wire::header_acl(&ctx.req, Scope::Object, true)?.map_or(AclAsk::Inherit, AclAsk::from))
}

/// The canned ACL a PutBucket asks for (private unless `x-bce-acl` says otherwise).
pub(super) fn create_bucket_acl(ctx: &Ctx<'_>) -> Result<AclAsk, BosError> {
    Ok(match wire::header_acl(&ctx.req, Scope::Bucket, false)? {
        Some(h) => h.into(),
        None => AclAsk::Private,
    })
}

pub(super) async fn put_bucket_acl(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    let header = wire::header_acl(&ctx.req, Scope::Bucket, false)?;
    let bytes = ctx.read_document(body).await?;
    match (header, wire::is_blank(&bytes)) {
        (Some(_), false) => {
            return Err(BosError::invalid_argument(
                "The x-bce-acl header and an ACL document cannot be used together.",
            ));
        }
        (Some(h), true) => {
            ctx.run(PutBucketAcl {
                bucket,
                acl: h.into(),
            })
            .await?;
        }
        (None, false) => {
            // Read as BOS reads its documents (bounded nesting, MalformedJSON), then kept as
            // sent: the core validates and compiles it.
            super::document::read::<Value>(&bytes)?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| BosError::malformed_json("The ACL document is not UTF-8."))?;
            ctx.run(PutBosAcl { bucket, text }).await?;
        }
        (None, true) => {
            return Err(BosError::invalid_argument(
                "Give the x-bce-acl header or an accessControlList document.",
            ));
        }
    }
    Ok(empty(StatusCode::OK))
}

pub(super) fn get_bucket_acl(ctx: &Ctx<'_>) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let record = ctx.read(GetBucketAccess(bucket))?;
    let owner = &ctx.owner.id;
    let (list, canned) = match &record.bos_acl {
        Some(text) => {
            let doc: Value = serde_json::from_str(text).map_err(|e| {
                BosError::from(strata_core::StorageError::Corrupt(format!(
                    "the stored ACL document of {bucket} is not JSON: {e}"
                )))
            })?;
            let list = doc.get("accessControlList").cloned().unwrap_or(json!([]));
            (list, None)
        }
        None => {
            let mut list = vec![wire::entry(
                std::slice::from_ref(owner),
                &[Permission::FullControl],
            )];
            // The owner's entry comes first whatever the ACL says of the owner (stored
            // literally, it usually holds the owner's FULL_CONTROL): it is not shown twice.
            let others: Vec<Grant> = record
                .acl
                .iter()
                .filter(|g| !matches!(&g.grantee, Grantee::User(id) if id == owner))
                .cloned()
                .collect();
            list.extend(wire::render(&others));
            let canned = Canned::of_grants(&record.acl, owner).filter(|c| {
                matches!(
                    c,
                    Canned::Private | Canned::PublicRead | Canned::PublicReadWrite
                )
            });
            (Value::Array(list), canned)
        }
    };
    let mut resp = json(json!({"accessControlList": list, "owner": {"id": owner}}));
    if let Some(c) = canned {
        set(&mut resp, wire::CANNED, c.as_str());
    }
    Ok(resp)
}

pub(super) async fn put_object_acl(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let (bucket, key) = (ctx.bucket()?, ctx.key()?);
    let header = wire::header_acl(&ctx.req, Scope::Object, true)?;
    let bytes = ctx.read_document(body).await?;
    let acl = match (header, wire::is_blank(&bytes)) {
        (Some(_), false) => {
            return Err(BosError::invalid_argument(
                "ACL headers and an ACL document cannot be used together.",
            ));
        }
        (Some(h), true) => h.into(),
        (None, false) => AclAsk::Grants(wire::parse_object_acl(&bytes)?),
        (None, true) => {
            return Err(BosError::invalid_argument(
                "Give x-bce-acl, x-bce-grant-read, x-bce-grant-full-control or an \
                 accessControlList document.",
            ));
        }
    };
    ctx.run(PutObjectAcl {
        bucket,
        key,
        version: ctx.version_id()?,
        acl,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// The object's own ACL, literally: its grants (a canned ACL's include the owner's
/// FULL_CONTROL); the owner alone when it is private; nothing when the bucket's ACL decides
/// (the object has no ACL of its own).
pub(super) fn get_object_acl(ctx: &Ctx<'_>) -> BosResult {
    let (_, access) = ctx.read(GetObjectAcl {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
    })?;
    let list = match &access.acl {
        ObjectAcl::Inherit => Vec::new(),
        ObjectAcl::Private => {
            let owner = access.owner.as_ref().unwrap_or(&ctx.owner.id);
            vec![wire::entry(
                std::slice::from_ref(owner),
                &[Permission::FullControl],
            )]
        }
        ObjectAcl::Grants(g) => wire::render(g),
    };
    Ok(json(json!({"accessControlList": list})))
}

/// The object goes back to its bucket's ACL.
pub(super) async fn delete_object_acl(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(PutObjectAcl {
        bucket: ctx.bucket()?,
        key: ctx.key()?,
        version: ctx.version_id()?,
        acl: AclAsk::Inherit,
    })
    .await?;
    Ok(empty(StatusCode::OK))
}
