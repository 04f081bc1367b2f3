//! The Amazon S3 dialect: SigV4 (header, presigned, `aws-chunked` streaming with trailers) and
//! Signature V2 (header, presigned), S3's XML shapes and headers over the same core as the
//! other dialects.
//!
//! Semantics (versioning, delete markers, the null version) are the core's; this module
//! only translates.

mod acl;
mod attributes;
mod batch;
mod bucket;
pub(crate) mod checksum;
pub mod cors;
pub mod error;
pub mod lifecycle;
mod list;
mod lock;
mod multipart;
mod object;
mod policy;
mod post;
mod tagging;

pub use acl::{parse_acl_document, parse_grant_header};
pub use batch::parse_delete_request;
pub use bucket::parse_versioning;
pub use lock::{parse_legal_hold, parse_lock_configuration, parse_lock_headers, parse_retention};
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use policy::{parse_ownership_controls, parse_public_access_block};
pub use strata_wire::s3::{auth, chunked};

use crate::body::{Incoming, ReadError};
use crate::operation::{Operation, Routes, Unrouted};
use crate::pipeline::{Dialect, Param, Signed};
use crate::request::{AddressError, RequestParts};
use crate::{AppState, Body, full};
use auth::Authenticated;
use error::S3Error;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use strata_core::CoreError;

pub(crate) type S3Result = Result<Response<Body>, S3Error>;

/// The S3 dialect, as the pipeline sees it.
pub(crate) struct S3Api;

pub(crate) type Ctx<'a> = crate::pipeline::Ctx<'a, S3Api>;

impl Ctx<'_> {
    pub fn url_encoding(&self) -> Result<bool, S3Error> {
        match self.req.query("encoding-type") {
            None | Some("") => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
            Some(_) => Err(S3Error::invalid_argument(
                "Invalid Encoding Method specified in Request",
            )),
        }
    }
}

impl Dialect for S3Api {
    const NAME: &'static str = "s3";
    const ROUTES: Routes = Routes {
        copy_source: "x-amz-copy-source",
        head_bucket: true,
        acl: true,
        delete_object_acl: false,
        policy: true,
        public_access_block: true,
        ownership_controls: true,
        object_lock: true,
        worm: None,
        bucket_info: false,
        object_meta: false,
        object_attributes: true,
        list_v2: true,
        append: false,
        unsupported: &crate::unsupported::S3,
        complete_limit: 2 * 1024 * 1024,
    };
    const REQUEST_ID_HEADERS: &'static [&'static str] = &["x-amz-request-id", "x-amz-id-2"];
    const SERVER: &'static str = "strata";
    const EXPECTED_OWNER_HEADERS: bool = true;
    const POST_HEADERS: &'static [(&'static str, &'static str)] = &[("acl", "x-amz-acl")];
    type Auth = Authenticated;
    type Error = S3Error;
    /// The resource (the path as sent), which `<Error>` names.
    type Echo = String;

    fn authenticate(
        state: &AppState,
        req: &RequestParts,
    ) -> Result<Signed<Authenticated>, S3Error> {
        let keys = state.keyring()?;
        let auth = auth::authenticate(req, &keys, std::time::SystemTime::now())?;
        let user = keys
            .user(&auth.access_key)
            .ok_or(auth::AuthError::Anonymous)?;
        Ok(Signed {
            user,
            access_key: auth.access_key.clone(),
            auth,
        })
    }

    /// A Signature V2 presigned URL's query stand-ins for headers (`content-type`,
    /// `x-amz-meta-…`, as botocore writes them) become its headers, as they were signed.
    fn address(mut req: RequestParts) -> RequestParts {
        strata_wire::s3::v2::hoist_query_headers(&mut req);
        req
    }

    /// An anonymous request's body is what its `x-amz-content-sha256` says (by default, not
    /// covered by anything); chunk signatures need a signer.
    fn anonymous_auth(req: &RequestParts) -> Result<Authenticated, S3Error> {
        let payload = match req.header("x-amz-content-sha256") {
            None => auth::Payload::Unsigned,
            Some(v) => match auth::Payload::parse(v) {
                Some(auth::Payload::StreamingSigned | auth::Payload::StreamingSignedTrailer)
                | None => return Err(auth::AuthError::Anonymous.into()),
                Some(p) => p,
            },
        };
        Ok(Authenticated {
            access_key: String::new(),
            payload,
            signing: None,
        })
    }

    fn post_authenticate(
        state: &AppState,
        req: &RequestParts,
        form: &mut crate::post::Form,
    ) -> Result<Option<Signed<Authenticated>>, S3Error> {
        post::authenticate(state, req, form)
    }

    fn post_error(e: crate::post::PostError) -> S3Error {
        e.into()
    }

    async fn post_object(
        ctx: &Ctx<'_>,
        form: crate::post::Form,
        file: crate::post::FileStream,
    ) -> S3Result {
        post::post_object(ctx, form, file).await
    }

    fn parse_copy_source(raw: &str) -> Result<crate::exec::CopySource, S3Error> {
        parse_copy_source(raw)
    }

    fn echo(req: &RequestParts) -> String {
        req.raw_path.clone()
    }

    fn request_id() -> String {
        format!("{:016X}", rand::random::<u64>())
    }

    fn unrouted(why: Unrouted) -> S3Error {
        match why {
            Unrouted::Refused(what) => S3Error::not_implemented(&what),
            Unrouted::MethodNotAllowed { .. } => S3Error::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            ),
        }
    }

    /// `InvalidURI`, whichever part does not decode.
    fn bad_address(_e: AddressError) -> S3Error {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidURI",
            "Couldn't parse the specified URI.",
        )
    }

    fn bad_param(what: Param) -> S3Error {
        match what {
            Param::Bucket => S3Error::invalid_request("a bucket is required"),
            Param::Key => S3Error::invalid_request("an object key is required"),
            Param::UploadId => CoreError::NoSuchUpload.into(),
            Param::PartNumber => S3Error::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive",
            ),
        }
    }
    fn body_error(e: ReadError, _limit: usize) -> S3Error {
        match e {
            ReadError::TooLarge => S3Error::malformed_xml(),
            ReadError::Io(e) if crate::body::is_timeout(&e) => S3Error::request_timeout(),
            ReadError::Io(e) => {
                S3Error::new(StatusCode::BAD_REQUEST, "IncompleteBody", e.to_string())
            }
        }
    }

    /// Content-MD5 and `x-amz-checksum-*`, when given, must match.
    fn check_document(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<(), S3Error> {
        object::check_small_body(ctx, bytes)
    }

    fn error_code(e: &S3Error) -> &'static str {
        e.code
    }

    fn render_error(
        e: &S3Error,
        resource: &String,
        request_id: &str,
        is_head: bool,
    ) -> Response<Body> {
        let mut resp = if is_head || e.status == StatusCode::NOT_MODIFIED {
            Response::new(full(""))
        } else {
            xml(StatusCode::OK, e.to_xml(resource, request_id))
        };
        *resp.status_mut() = e.status;
        for (name, value) in &e.headers {
            crate::objhttp::set(&mut resp, name, value);
        }
        resp
    }

    async fn call(ctx: &Ctx<'_>, op: Operation, body: Incoming) -> S3Result {
        use Operation::*;
        match op {
            ListBuckets => bucket::list_buckets(ctx),
            CreateBucket => bucket::create(ctx, body).await,
            HeadBucket => bucket::head(ctx),
            DeleteBucket => bucket::delete(ctx).await,
            GetBucketVersioning => bucket::get_versioning(ctx),
            PutBucketVersioning => bucket::put_versioning(ctx, body).await,
            GetBucketLocation => bucket::location(ctx),
            GetBucketAcl => acl::get_bucket_acl(ctx),
            PutBucketAcl => acl::put_bucket_acl(ctx, body).await,
            ListObjects => list::list_objects(ctx),
            ListObjectsV2 => list::list_objects_v2(ctx),
            ListObjectVersions => list::list_versions(ctx),
            ListMultipartUploads => multipart::list_uploads(ctx),
            DeleteObjects => batch::delete_objects(ctx, body).await,
            PutObject => object::put(ctx, body).await,
            CopyObject => object::copy(ctx).await,
            GetObject => object::get(ctx).await,
            HeadObject => object::head(ctx),
            GetObjectAttributes => attributes::get(ctx),
            DeleteObject => object::delete(ctx).await,
            GetObjectAcl => acl::get_object_acl(ctx),
            PutObjectAcl => acl::put_object_acl(ctx, body).await,
            CreateMultipartUpload => multipart::initiate(ctx).await,
            UploadPart => multipart::upload_part(ctx, body).await,
            UploadPartCopy => multipart::upload_part_copy(ctx).await,
            ListParts => multipart::list_parts(ctx),
            AbortMultipartUpload => multipart::abort(ctx).await,
            CompleteMultipartUpload => multipart::complete(ctx, body).await,
            GetBucketPolicy => policy::get_policy(ctx),
            PutBucketPolicy => policy::put_policy(ctx, body).await,
            DeleteBucketPolicy => policy::delete_policy(ctx).await,
            GetBucketPolicyStatus => policy::get_policy_status(ctx),
            GetPublicAccessBlock => policy::get_public_access_block(ctx),
            PutPublicAccessBlock => policy::put_public_access_block(ctx, body).await,
            DeletePublicAccessBlock => policy::delete_public_access_block(ctx).await,
            GetBucketOwnershipControls => policy::get_ownership_controls(ctx),
            PutBucketOwnershipControls => policy::put_ownership_controls(ctx, body).await,
            DeleteBucketOwnershipControls => policy::delete_ownership_controls(ctx).await,
            GetObjectLockConfiguration => lock::get_configuration(ctx),
            PutObjectLockConfiguration => lock::put_configuration(ctx, body).await,
            GetObjectRetention => lock::get_retention(ctx),
            PutObjectRetention => lock::put_retention(ctx, body).await,
            GetObjectLegalHold => lock::get_legal_hold(ctx),
            PutObjectLegalHold => lock::put_legal_hold(ctx, body).await,
            GetBucketLifecycleConfiguration => lifecycle::get(ctx),
            PutBucketLifecycleConfiguration => lifecycle::put(ctx, body).await,
            DeleteBucketLifecycle => lifecycle::delete(ctx).await,
            GetBucketCors => cors::get(ctx),
            PutBucketCors => cors::put(ctx, body).await,
            DeleteBucketCors => cors::delete(ctx).await,
            GetObjectTagging => tagging::get_object(ctx),
            PutObjectTagging => tagging::put_object(ctx, body).await,
            DeleteObjectTagging => tagging::delete_object(ctx).await,
            GetBucketTagging => tagging::get_bucket(ctx),
            PutBucketTagging => tagging::put_bucket(ctx, body).await,
            DeleteBucketTagging => tagging::delete_bucket(ctx).await,
            // Not S3's (its routes never give them).
            GetBucketInfo | GetObjectMeta | DeleteObjectAcl | AppendObject | InitiateBucketWorm
            | AbortBucketWorm | CompleteBucketWorm | ExtendBucketWorm | GetBucketWorm
            | PostObject => Err(S3Api::unrouted(Unrouted::MethodNotAllowed {
                service: false,
            })),
        }
    }
}

pub(crate) fn xml(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/xml"));
    r
}

pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(full(""));
    *r.status_mut() = status;
    r
}

pub(crate) fn etag(stored: &str) -> String {
    crate::listing::S3.etag(stored)
}
