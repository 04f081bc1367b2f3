//! Service and bucket operations: ListBuckets, CreateBucket (with its ACL and Object
//! Ownership), HeadBucket, DeleteBucket, GetBucketLocation, Get/PutBucketVersioning.

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::httpfmt::iso8601;
use crate::listing::{S3, decode_token, encode_token};
use crate::objhttp::set;
use crate::xml::{Xml, parse};
use hyper::StatusCode;
use strata_core::{CoreError, DeleteBucketMode, Versioning, VersioningStatus};

pub(super) fn list_buckets(ctx: &Ctx<'_>) -> S3Result {
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let max = match ctx.req.query_nonempty("max-buckets") {
        None => 10_000,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| {
                S3Error::invalid_argument("max-buckets must be an integer from 1 to 10000")
            })?,
    };
    let after = match ctx.req.query_nonempty("continuation-token") {
        None => String::new(),
        Some(t) => decode_token(t).ok_or_else(|| {
            S3Error::invalid_argument("The continuation token provided is incorrect")
        })?,
    };
    // `bucket-region` lists the buckets of that region: all of them (every bucket is in the
    // server's one region), or none for another region.
    let region = ctx.req.query_nonempty("bucket-region");
    let in_region = region.is_none_or(|r| r == ctx.region());
    let all = ctx.read(ListBuckets)?;
    let matching: Vec<_> = all
        .iter()
        .filter(|b| in_region && b.name.starts_with(prefix) && b.name > after)
        .collect();
    let page = &matching[..matching.len().min(max)];
    let mut x = Xml::new("ListAllMyBucketsResult", S3.root_attrs);
    ctx.owner().write(&mut x);
    x.open("Buckets");
    for b in page {
        x.open("Bucket")
            .leaf("Name", &b.name)
            .leaf("CreationDate", &iso8601(b.created_ms))
            .leaf("BucketRegion", ctx.region())
            .close();
    }
    x.close();
    if matching.len() > max
        && let Some(last) = page.last()
    {
        x.leaf("ContinuationToken", &encode_token(&last.name));
    }
    if !prefix.is_empty() {
        x.leaf("Prefix", prefix);
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

pub(super) async fn create(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let name = ctx.bucket()?;
    strata_core::store::validate_bucket_name(name)?;
    let acl = super::acl::ask_of_headers(&ctx.req.headers)?.unwrap_or_default();
    let ownership = super::policy::ownership_header(ctx)?;
    let object_lock = super::lock::lock_enabled_header(ctx)?;
    let bytes = ctx.read_document(body).await?;
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        let doc = parse(&bytes, 16).map_err(|_| S3Error::malformed_xml())?;
        if doc.name != "CreateBucketConfiguration" {
            return Err(S3Error::malformed_xml());
        }
        check_location(ctx, doc.child_text("LocationConstraint").map(str::trim))?;
        if doc.child("Location").is_some() || doc.child("Bucket").is_some() {
            return Err(S3Error::not_implemented("Directory buckets"));
        }
    }
    match ctx
        .run(CreateBucket {
            object_lock,
            bucket: name,
            acl,
            ownership,
        })
        .await
    {
        Ok(()) => {}
        // In us-east-1, re-creating a bucket you own succeeds and changes nothing; every other
        // region answers 409 BucketAlreadyOwnedByYou (AWS CreateBucket reference).
        Err(CoreError::BucketAlreadyExists { owned_by_you: true })
            if ctx.region() == "us-east-1" => {}
        Err(e) => return Err(e.into()),
    }
    let mut r = empty(StatusCode::OK);
    set(&mut r, "location", &format!("/{name}"));
    Ok(r)
}

/// A bucket is created in the server's one region: a `LocationConstraint` naming another is
/// refused as AWS refuses it (the empty one, and `US`, are us-east-1's).
fn check_location(ctx: &Ctx<'_>, constraint: Option<&str>) -> Result<(), S3Error> {
    let region = ctx.region();
    let ok = match constraint {
        None | Some("") => true,
        Some("US") => region == "us-east-1",
        Some("EU") => region == "eu-west-1",
        Some(c) => c.eq_ignore_ascii_case(region),
    };
    if ok {
        Ok(())
    } else {
        Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "IllegalLocationConstraintException",
            format!(
                "The {} location constraint is incompatible for the region specific endpoint this request was sent to.",
                constraint.unwrap_or_default()
            ),
        ))
    }
}

pub(super) fn head(ctx: &Ctx<'_>) -> S3Result {
    ctx.read(GetBucket(ctx.bucket()?))?;
    let mut r = empty(StatusCode::OK);
    set(&mut r, "x-amz-bucket-region", ctx.region());
    Ok(r)
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> S3Result {
    ctx.run(DeleteBucket(ctx.bucket()?, DeleteBucketMode::AbortUploads))
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn location(ctx: &Ctx<'_>) -> S3Result {
    ctx.read(GetBucket(ctx.bucket()?))?;
    // us-east-1 is written as an empty constraint.
    let region = if ctx.region() == "us-east-1" {
        ""
    } else {
        ctx.region()
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{}</LocationConstraint>",
        quick_xml::escape::escape(region)
    );
    Ok(xml(StatusCode::OK, body))
}

pub(super) fn get_versioning(ctx: &Ctx<'_>) -> S3Result {
    let b = ctx.read(GetBucket(ctx.bucket()?))?;
    let mut x = Xml::new("VersioningConfiguration", S3.root_attrs);
    match b.versioning {
        Versioning::Unversioned => {}
        Versioning::Enabled => {
            x.leaf("Status", "Enabled");
        }
        Versioning::Suspended => {
            x.leaf("Status", "Suspended");
        }
    }
    Ok(xml(StatusCode::OK, x.finish()))
}

/// The state a PutBucketVersioning body asks for: `<VersioningConfiguration>` with `Status`
/// `Enabled` or `Suspended` (else MalformedXML). An `MfaDelete` other than `Disabled` is
/// NotImplemented.
pub fn parse_versioning(bytes: &[u8]) -> Result<VersioningStatus, S3Error> {
    let doc = parse(bytes, 16).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "VersioningConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    match doc.child_text("MfaDelete").map(str::trim) {
        None | Some("Disabled") => {}
        Some(_) => return Err(S3Error::not_implemented("MFA delete")),
    }
    let status = match doc.child_text("Status").map(str::trim) {
        Some("Enabled") => VersioningStatus::Enabled,
        Some("Suspended") => VersioningStatus::Suspended,
        _ => return Err(S3Error::malformed_xml()),
    };
    Ok(status)
}

pub(super) async fn put_versioning(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let status = parse_versioning(&bytes)?;
    ctx.run(SetVersioning(bucket, status)).await?;
    Ok(empty(StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &[u8]) -> &'static str {
        parse_versioning(body).unwrap_err().code
    }

    #[test]
    fn enabled_and_suspended_are_read_with_surrounding_whitespace() {
        let doc = br#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status> Enabled
</Status></VersioningConfiguration>"#;
        assert_eq!(parse_versioning(doc).unwrap(), VersioningStatus::Enabled);
        assert_eq!(
            parse_versioning(b"<VersioningConfiguration><MfaDelete>Disabled</MfaDelete><Status>Suspended</Status></VersioningConfiguration>").unwrap(),
            VersioningStatus::Suspended
        );
    }

    #[test]
    fn a_missing_or_unknown_status_is_malformed_xml_and_status_is_case_sensitive() {
        for status in [
            "",
            "<Status/>",
            "<Status>enabled</Status>",
            "<Status>Off</Status>",
        ] {
            let doc = format!("<VersioningConfiguration>{status}</VersioningConfiguration>");
            assert_eq!(code(doc.as_bytes()), "MalformedXML", "{status}");
        }
        assert_eq!(
            code(b"<Versioning><Status>Enabled</Status></Versioning>"),
            "MalformedXML"
        );
    }

    #[test]
    fn mfa_delete_enabled_is_not_implemented_before_the_status_is_read() {
        assert_eq!(
            code(b"<VersioningConfiguration><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"),
            "NotImplemented"
        );
    }

    #[test]
    fn more_than_16_elements_are_malformed_xml() {
        let doc = format!(
            "<VersioningConfiguration>{}<Status>Enabled</Status></VersioningConfiguration>",
            "<X/>".repeat(15)
        );
        assert_eq!(code(doc.as_bytes()), "MalformedXML");
        let doc = format!(
            "<VersioningConfiguration>{}<Status>Enabled</Status></VersioningConfiguration>",
            "<X/>".repeat(14)
        );
        assert_eq!(
            parse_versioning(doc.as_bytes()).unwrap(),
            VersioningStatus::Enabled
        );
    }
}
