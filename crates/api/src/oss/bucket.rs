//! Service and bucket operations: ListBuckets, PutBucket, DeleteBucket, GetBucketInfo,
//! GetBucketLocation, Get/PutBucketVersioning (ACLs are in `acl.rs`).

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::iso8601;
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::{CoreError, DeleteBucketMode, Versioning, VersioningStatus};

/// OSS narrows the common rules: no dots.
fn validate_name(name: &str) -> Result<(), OssError> {
    strata_core::store::validate_bucket_name(name).map_err(OssError::from)?;
    if name.contains('.') {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        ));
    }
    Ok(())
}

fn location_name(ctx: &Ctx<'_>) -> String {
    format!("oss-{}", ctx.region())
}

pub(super) fn list_buckets(ctx: &Ctx<'_>) -> OssResult {
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let marker = ctx.req.query("marker").unwrap_or("");
    let max = parse_max(ctx.req.query("max-keys"), 100)?;
    let all = ctx.read(ListBuckets)?;
    let matching: Vec<_> = all
        .iter()
        .filter(|b| b.name.starts_with(prefix) && b.name.as_str() > marker)
        .collect();
    let truncated = matching.len() > max;
    let page = &matching[..matching.len().min(max)];
    let mut x = Xml::new("ListAllMyBucketsResult", "");
    x.leaf("Prefix", prefix)
        .leaf("Marker", marker)
        .leaf("MaxKeys", &max.to_string());
    x.leaf("IsTruncated", if truncated { "true" } else { "false" });
    if truncated {
        x.leaf(
            "NextMarker",
            page.last().map(|b| b.name.as_str()).unwrap_or(""),
        );
    }
    ctx.owner().write(&mut x);
    x.open("Buckets");
    let loc = location_name(ctx);
    for b in page {
        x.open("Bucket")
            .leaf("CreationDate", &iso8601(b.created_ms))
            .leaf("ExtranetEndpoint", "")
            .leaf("IntranetEndpoint", "")
            .leaf("Location", &loc)
            .leaf("Name", &b.name)
            .leaf("Region", ctx.region())
            .leaf("StorageClass", "Standard")
            .close();
    }
    x.close();
    Ok(xml(StatusCode::OK, x.finish()))
}

/// `max-keys`-style parameters: absent or empty → default; 0..=1000; else InvalidArgument.
pub(super) fn parse_max(value: Option<&str>, default: usize) -> Result<usize, OssError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= 1000 => Ok(n),
            _ => Err(OssError::invalid_argument(format!(
                "Argument max-keys ({v}) must be an integer from 0 to 1000."
            ))),
        },
    }
}

pub(super) async fn create(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let name = ctx.bucket()?;
    validate_name(name)?;
    let acl = super::acl::bucket_ask(ctx)?;
    let bytes = ctx.read_document(body).await?;
    check_create_configuration(&bytes)?;
    match ctx
        .run(CreateBucket {
            object_lock: false,
            bucket: name,
            acl,
            ownership: None,
        })
        .await
    {
        // Creating a bucket one already owns succeeds (200), as on OSS.
        Ok(()) | Err(CoreError::BucketAlreadyExists { owned_by_you: true }) => {}
        Err(e) => return Err(e.into()),
    }
    let mut r = empty(StatusCode::OK);
    if let Ok(v) = format!("/{name}").parse() {
        r.headers_mut().insert("location", v);
    }
    Ok(r)
}

/// A PutBucket body, `<CreateBucketConfiguration>` with `StorageClass` and
/// `DataRedundancyType`: what it may ask for is what every bucket is (Standard, LRS: one copy
/// on one machine); anything else is NotImplemented, never a bucket that is not what was asked.
pub fn check_create_configuration(bytes: &[u8]) -> Result<(), OssError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let malformed = || {
        OssError::malformed_xml(
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    };
    let doc = crate::xml::parse(bytes, 16).map_err(|_| malformed())?;
    if doc.name != "CreateBucketConfiguration" {
        return Err(malformed());
    }
    for (field, allowed) in [("StorageClass", "Standard"), ("DataRedundancyType", "LRS")] {
        match doc.child_text(field).map(str::trim) {
            None => {}
            Some(v) if v.eq_ignore_ascii_case(allowed) => {}
            Some(v) => {
                return Err(OssError::not_implemented(&format!("The {field} `{v}`")));
            }
        }
    }
    Ok(())
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> OssResult {
    ctx.run(DeleteBucket(ctx.bucket()?, DeleteBucketMode::RefuseUploads))
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn info(ctx: &Ctx<'_>) -> OssResult {
    let b = ctx.read(GetBucket(ctx.bucket()?))?;
    let access = ctx.read(GetBucketAccess(&b.name))?;
    let mut x = Xml::new("BucketInfo", "");
    x.open("Bucket")
        .leaf("AccessMonitor", "Disabled")
        .leaf("CreationDate", &iso8601(b.created_ms))
        .leaf("ExtranetEndpoint", "")
        .leaf("IntranetEndpoint", "")
        .leaf("Location", &location_name(ctx))
        .leaf("StorageClass", "Standard")
        .leaf("TransferAcceleration", "Disabled")
        .leaf("CrossRegionReplication", "Disabled")
        .leaf("DataRedundancyType", "LRS")
        .leaf("Name", &b.name);
    ctx.owner().write(&mut x);
    x.open("AccessControlList")
        .leaf("Grant", super::acl::shown(&access.acl))
        .close();
    x.leaf_opt("Versioning", versioning_status(b.versioning));
    x.open("ServerSideEncryptionRule")
        .leaf("SSEAlgorithm", "None")
        .close();
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) fn location(ctx: &Ctx<'_>) -> OssResult {
    ctx.read(GetBucket(ctx.bucket()?))?;
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>{}</LocationConstraint>",
        quick_xml::escape::escape(location_name(ctx).as_str())
    );
    Ok(xml(StatusCode::OK, body))
}

fn versioning_status(v: Versioning) -> Option<&'static str> {
    match v {
        Versioning::Unversioned => None,
        Versioning::Enabled => Some("Enabled"),
        Versioning::Suspended => Some("Suspended"),
    }
}

pub(super) fn get_versioning(ctx: &Ctx<'_>) -> OssResult {
    let b = ctx.read(GetBucket(ctx.bucket()?))?;
    let mut x = Xml::new("VersioningConfiguration", "");
    x.leaf_opt("Status", versioning_status(b.versioning));
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn put_versioning(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let status = super::batch::parse_versioning(&bytes)?;
    let status = match status.as_deref() {
        Some("Enabled") => VersioningStatus::Enabled,
        Some("Suspended") => VersioningStatus::Suspended,
        _ => {
            return Err(OssError::malformed_xml(
                "The XML you provided was not well-formed or did not validate against our published schema.",
            ));
        }
    };
    ctx.run(SetVersioning(bucket, status)).await?;
    Ok(empty(StatusCode::OK))
}

/// A document body's Content-MD5, when the request declares one, must match it.
pub(super) fn check_document(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<(), OssError> {
    if let Some(md5) = ctx.req.header("content-md5") {
        use md5::Digest as _;
        let expected = crate::httpfmt::parse_md5(md5).ok_or_else(|| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            )
        })?;
        let got: [u8; 16] = md5::Md5::digest(bytes).into();
        if got != expected {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            ));
        }
    }
    Ok(())
}
