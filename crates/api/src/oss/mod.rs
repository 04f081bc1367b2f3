//! The Alibaba Cloud OSS dialect: authenticate (V1, V4, presigned), route by method,
//! bucket, key and sub-resource, call the core, answer in OSS's XML and headers.
//!
//! Each handler module names the operations it serves.

mod acl;
pub mod append;
mod batch;
mod bucket;
pub mod cors;
pub mod error;
pub mod lifecycle;
mod list;
mod multipart;
mod object;
mod overwrite;
mod policy;
mod post;
mod tagging;
mod worm;

pub use batch::{parse_delete_request, parse_versioning};
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use policy::parse_public_access_block;
pub use strata_wire::oss::auth;
pub use worm::parse_days as parse_worm_days;

use crate::body::{Incoming, ReadError};
use crate::operation::{Operation, Routes, Unrouted, WormQueries};
use crate::pipeline::{Dialect, Param, Signed};
use crate::request::{AddressError, RequestParts};
use crate::{AppState, Body, full};
use error::OssError;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};

pub(crate) type OssResult = Result<Response<Body>, OssError>;

/// The OSS dialect, as the pipeline sees it.
pub(crate) struct OssApi;

pub(crate) type Ctx<'a> = crate::pipeline::Ctx<'a, OssApi>;

/// The `User-Agent` prefixes of Alibaba Cloud's OSS SDKs and tools: `aliyun-sdk-python`
/// (oss2), `aliyun-sdk-go` (and ossutil), `aliyun-sdk-java`, `aliyun-sdk-js`, ... and the V2
/// SDKs, `alibabacloud-python-sdk-v2`, `alibabacloud-go-sdk-v2`, ...
const SDK_USER_AGENTS: [&str; 2] = ["aliyun-sdk-", "alibabacloud-"];

/// Whether an unsigned request comes from an OSS SDK, by the `User-Agent` it identifies
/// itself with. An unsigned request names no dialect, and the SDKs' anonymous reads send no
/// `x-oss-` header, yet parse only OSS's answers (S3's namespaced listing reads as empty or
/// fails in oss2 and alibabacloud-oss-v2): the front door answers them in OSS's words.
/// Tailoring a response to a client's known limits is what RFC 9110 (10.1.5) names as a use
/// of `User-Agent`; a request that claims to be an SDK gets nothing but another error shape.
pub(crate) fn sdk_user_agent(req: &RequestParts) -> bool {
    req.header("user-agent")
        .is_some_and(|ua| SDK_USER_AGENTS.iter().any(|p| ua.starts_with(p)))
}

impl Ctx<'_> {
    /// `encoding-type=url` was asked for.
    pub fn url_encoding(&self) -> Result<bool, OssError> {
        match self.req.query("encoding-type") {
            None | Some("") => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
            Some(_) => Err(OssError::invalid_argument("The encoding-type must be url.")),
        }
    }
}

impl Dialect for OssApi {
    const NAME: &'static str = "oss";
    const ROUTES: Routes = Routes {
        copy_source: "x-oss-copy-source",
        head_bucket: false,
        acl: true,
        delete_object_acl: false,
        policy: true,
        public_access_block: true,
        ownership_controls: false,
        object_lock: false,
        worm: Some(WormQueries {
            rule: "worm",
            complete: "wormId",
            extend: "wormExtend",
        }),
        bucket_info: true,
        object_meta: true,
        object_attributes: false,
        list_v2: true,
        append: true,
        unsupported: &crate::unsupported::OSS,
        complete_limit: 2 * 1024 * 1024,
    };
    const REQUEST_ID_HEADERS: &'static [&'static str] = &["x-oss-request-id"];
    const SERVER: &'static str = "strata";
    const EXPECTED_OWNER_HEADERS: bool = false;
    /// The payload digest of a V4 signature, to check against the body.
    type Auth = auth::Authenticated;
    type Error = OssError;
    /// The host, which `<Error>` names as `HostId`.
    type Echo = String;

    fn authenticate(
        state: &AppState,
        req: &RequestParts,
    ) -> Result<Signed<auth::Authenticated>, OssError> {
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

    /// An anonymous request's body is covered by nothing.
    fn anonymous_auth(_req: &RequestParts) -> Result<auth::Authenticated, OssError> {
        Ok(auth::Authenticated {
            access_key: String::new(),
            payload_sha256: None,
        })
    }

    fn post_authenticate(
        state: &AppState,
        req: &RequestParts,
        form: &mut crate::post::Form,
    ) -> Result<Option<Signed<auth::Authenticated>>, OssError> {
        post::authenticate(state, req, form)
    }

    async fn post_object(
        ctx: &Ctx<'_>,
        form: crate::post::Form,
        file: crate::post::FileStream,
    ) -> OssResult {
        post::post_object(ctx, form, file).await
    }

    fn parse_copy_source(raw: &str) -> Result<crate::exec::CopySource, OssError> {
        parse_copy_source(raw)
    }

    fn echo(req: &RequestParts) -> String {
        req.header("host").unwrap_or_default().to_owned()
    }

    fn request_id() -> String {
        format!(
            "{:016X}{:08X}",
            rand::random::<u64>(),
            rand::random::<u32>()
        )
    }

    fn unrouted(why: Unrouted) -> OssError {
        match why {
            Unrouted::Refused(what) => OssError::not_implemented(&what),
            Unrouted::MethodNotAllowed { service: true } => OssError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "Only GET is allowed on the service.",
            ),
            Unrouted::MethodNotAllowed { service: false } => OssError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            ),
        }
    }

    /// `InvalidObjectName` or `InvalidBucketName`.
    fn bad_address(e: AddressError) -> OssError {
        match e {
            AddressError::KeyNotUtf8 => OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidObjectName",
                "The object name is not valid UTF-8.",
            ),
            AddressError::BucketNotUtf8 => OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidBucketName",
                "The bucket name is not valid UTF-8.",
            ),
        }
    }

    fn bad_param(what: Param) -> OssError {
        OssError::invalid_argument(match what {
            Param::Bucket => "a bucket is required",
            Param::Key => "an object key is required",
            Param::UploadId => "uploadId is required.",
            Param::PartNumber => "The partNumber must be an integer from 1 to 10000.",
        })
    }
    fn post_error(e: crate::post::PostError) -> OssError {
        e.into()
    }

    fn body_error(e: ReadError, limit: usize) -> OssError {
        match e {
            ReadError::TooLarge => OssError::malformed_xml(format!(
                "The request body is larger than the {limit} bytes this request allows."
            )),
            ReadError::Io(e) if crate::body::is_timeout(&e) => {
                OssError::new(StatusCode::BAD_REQUEST, "RequestTimeout", e.to_string())
            }
            ReadError::Io(e) => {
                OssError::new(StatusCode::BAD_REQUEST, "IncompleteBody", e.to_string())
            }
        }
    }

    /// Content-MD5, when given, must match.
    fn check_document(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<(), OssError> {
        bucket::check_document(ctx, bytes)
    }

    fn error_code(e: &OssError) -> &'static str {
        e.code
    }

    /// HEAD answers carry the error document base64-encoded in `x-oss-err`.
    fn render_error(
        e: &OssError,
        host: &String,
        request_id: &str,
        is_head: bool,
    ) -> Response<Body> {
        let xml = e.to_xml(request_id, host);
        let mut resp = if is_head || e.status == StatusCode::NOT_MODIFIED {
            let mut r = Response::new(full(""));
            if is_head && let Ok(v) = crate::httpfmt::base64(xml.as_bytes()).parse() {
                r.headers_mut().insert("x-oss-err", v);
            }
            r
        } else {
            let mut r = Response::new(full(xml));
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/xml"));
            r
        };
        *resp.status_mut() = e.status;
        for (name, value) in &e.headers {
            if let Ok(v) = value.parse() {
                resp.headers_mut().insert(*name, v);
            }
        }
        resp
    }

    async fn call(ctx: &Ctx<'_>, op: Operation, body: Incoming) -> OssResult {
        use Operation::*;
        match op {
            ListBuckets => bucket::list_buckets(ctx),
            CreateBucket => bucket::create(ctx, body).await,
            DeleteBucket => bucket::delete(ctx).await,
            GetBucketVersioning => bucket::get_versioning(ctx),
            PutBucketVersioning => bucket::put_versioning(ctx, body).await,
            GetBucketLocation => bucket::location(ctx),
            GetBucketInfo => bucket::info(ctx),
            GetBucketAcl => acl::get_bucket_acl(ctx),
            PutBucketAcl => acl::put_bucket_acl(ctx).await,
            ListObjects => list::list_objects(ctx),
            ListObjectsV2 => list::list_objects_v2(ctx),
            ListObjectVersions => list::list_versions(ctx),
            ListMultipartUploads => multipart::list_uploads(ctx),
            DeleteObjects => batch::delete_multiple(ctx, body).await,
            PutObject => object::put(ctx, body).await,
            AppendObject => append::append(ctx, body).await,
            CopyObject => object::copy(ctx).await,
            GetObject => object::get(ctx).await,
            HeadObject => object::head(ctx, false),
            GetObjectMeta => object::head(ctx, true),
            DeleteObject => object::delete(ctx).await,
            GetObjectAcl => acl::get_object_acl(ctx),
            PutObjectAcl => acl::put_object_acl(ctx).await,
            CreateMultipartUpload => multipart::initiate(ctx).await,
            UploadPart => multipart::upload_part(ctx, body).await,
            UploadPartCopy => multipart::upload_part_copy(ctx).await,
            ListParts => multipart::list_parts(ctx),
            AbortMultipartUpload => multipart::abort(ctx).await,
            CompleteMultipartUpload => multipart::complete(ctx, body).await,
            GetBucketPolicy => policy::get_policy(ctx),
            PutBucketPolicy => policy::put_policy(ctx, body).await,
            DeleteBucketPolicy => policy::delete_policy(ctx).await,
            GetBucketPolicyStatus => policy::policy_status(ctx),
            GetPublicAccessBlock => policy::get_public_access_block(ctx),
            PutPublicAccessBlock => policy::put_public_access_block(ctx, body).await,
            DeletePublicAccessBlock => policy::delete_public_access_block(ctx).await,
            InitiateBucketWorm => worm::initiate(ctx, body).await,
            AbortBucketWorm => worm::abort(ctx).await,
            CompleteBucketWorm => worm::complete(ctx).await,
            ExtendBucketWorm => worm::extend(ctx, body).await,
            GetBucketWorm => worm::get(ctx),
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
            // OSS answers HEAD of a bucket as the GET it names (its routes never give this);
            // the rest are not OSS's.
            HeadBucket
            | GetBucketOwnershipControls
            | PutBucketOwnershipControls
            | DeleteBucketOwnershipControls
            | DeleteObjectAcl
            | GetObjectLockConfiguration
            | PutObjectLockConfiguration
            | GetObjectRetention
            | PutObjectRetention
            | GetObjectLegalHold
            | PutObjectLegalHold
            | PostObject
            | GetObjectAttributes => Err(OssApi::unrouted(Unrouted::MethodNotAllowed {
                service: false,
            })),
        }
    }
}

/// An XML response.
pub(crate) fn xml(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/xml"));
    r
}

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(full(""));
    *r.status_mut() = status;
    r
}

/// Renders an ETag as OSS clients expect: quoted upper-case hex.
pub(crate) fn etag(stored: &str) -> String {
    crate::listing::OSS.etag(stored)
}
