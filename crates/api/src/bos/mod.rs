//! The Baidu BOS dialect: bce-auth-v1, an optional `/v1` path prefix, JSON bodies and errors.
//!
//! Each handler module names the operations it serves.

mod acl;
pub mod acl_wire;
pub mod append;
mod batch;
mod bucket;
pub mod cors;
pub mod document;
pub mod error;
pub mod lifecycle;
mod list;
mod lock;
mod multipart;
mod object;
mod post;
mod tagging;

pub use batch::parse_delete_request;
pub use bucket::parse_versioning;
pub use lock::parse_days;
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use strata_wire::bos::auth;
pub use tagging::{parse_bucket_document, parse_object_document};

use crate::body::{Incoming, ReadError};
use crate::operation::{Operation, Routes, Unrouted, WormQueries};
use crate::pipeline::{Dialect, Param, Signed};
use crate::request::{AddressError, RequestParts};
use crate::{AppState, Body, full};
use error::BosError;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};

pub(crate) type BosResult = Result<Response<Body>, BosError>;

/// The BOS dialect, as the pipeline sees it.
pub(crate) struct BosApi;

pub(crate) type Ctx<'a> = crate::pipeline::Ctx<'a, BosApi>;

impl Ctx<'_> {
    /// The owner listings show, as JSON.
    pub fn owner_json(&self) -> serde_json::Value {
        serde_json::json!({"id": self.owner.id, "displayName": self.owner.display_name})
    }

    /// The owner of a listed entry: the bucket's, or the user an entry names (`id`).
    pub fn entry_owner_json(
        &self,
        bucket_owner: &serde_json::Value,
        id: Option<&str>,
    ) -> serde_json::Value {
        match id {
            Some(id) if id != self.owner.id => {
                let o = self.owners().users.owner(id);
                serde_json::json!({"id": o.id, "displayName": o.display_name})
            }
            _ => bucket_owner.clone(),
        }
    }
}

impl Dialect for BosApi {
    const NAME: &'static str = "bos";
    const ROUTES: Routes = Routes {
        copy_source: "x-bce-copy-source",
        head_bucket: true,
        acl: true,
        delete_object_acl: true,
        policy: false,
        public_access_block: false,
        ownership_controls: false,
        object_lock: false,
        worm: Some(WormQueries {
            rule: "objectlock",
            complete: "completeobjectlock",
            extend: "extendobjectlock",
        }),
        bucket_info: false,
        object_meta: false,
        object_attributes: false,
        list_v2: false,
        append: true,
        unsupported: &crate::unsupported::BOS,
        complete_limit: 1024 * 1024,
    };
    const REQUEST_ID_HEADERS: &'static [&'static str] = &["x-bce-request-id"];
    const SERVER: &'static str = "BceBos";
    const EXPECTED_OWNER_HEADERS: bool = false;
    type Auth = ();
    type Error = BosError;
    type Echo = ();

    /// The signature covers the path as sent, `/v1` included.
    fn authenticate(state: &AppState, req: &RequestParts) -> Result<Signed<()>, BosError> {
        let keys = state.keyring()?;
        let auth = auth::authenticate(req, &keys, std::time::SystemTime::now())?;
        let user = keys
            .user(&auth.access_key)
            .ok_or(auth::AuthError::Anonymous)?;
        Ok(Signed {
            user,
            access_key: auth.access_key,
            auth: (),
        })
    }

    fn post_authenticate(
        state: &AppState,
        req: &RequestParts,
        form: &mut crate::post::Form,
    ) -> Result<Option<Signed<()>>, BosError> {
        post::authenticate(state, req, form)
    }

    async fn post_object(
        ctx: &Ctx<'_>,
        form: crate::post::Form,
        file: crate::post::FileStream,
    ) -> BosResult {
        post::post_object(ctx, form, file).await
    }

    fn anonymous_auth(_req: &RequestParts) -> Result<(), BosError> {
        Ok(())
    }

    /// BOS paths may start with `/v1` (older SDKs, presigned URLs); `v1` can never be a
    /// bucket.
    fn address(mut req: RequestParts) -> RequestParts {
        if req.bucket.as_deref() == Some("v1") && !req.virtual_hosted {
            let rest = req.key.take().unwrap_or_default();
            let (bucket, key) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
            req.bucket = (!bucket.is_empty()).then(|| bucket.to_owned());
            req.key = (!key.is_empty()).then(|| key.to_owned());
        }
        req
    }

    fn parse_copy_source(raw: &str) -> Result<crate::exec::CopySource, BosError> {
        parse_copy_source(raw)
    }

    fn echo(_req: &RequestParts) {}

    /// A UUID-shaped id, as BOS gives.
    fn request_id() -> String {
        let h = hex::encode(rand::random::<[u8; 16]>());
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    fn unrouted(why: Unrouted) -> BosError {
        match why {
            Unrouted::Refused(what) => BosError::new(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                format!("{what} is not implemented."),
            ),
            Unrouted::MethodNotAllowed { .. } => BosError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The method is not allowed against this resource.",
            ),
        }
    }

    /// `InvalidObjectName` or `InvalidBucketName`.
    fn bad_address(e: AddressError) -> BosError {
        match e {
            AddressError::KeyNotUtf8 => BosError::new(
                StatusCode::BAD_REQUEST,
                "InvalidObjectName",
                "The object name is not valid UTF-8.",
            ),
            AddressError::BucketNotUtf8 => BosError::new(
                StatusCode::BAD_REQUEST,
                "InvalidBucketName",
                "The bucket name is not valid UTF-8.",
            ),
        }
    }

    fn bad_param(what: Param) -> BosError {
        BosError::invalid_argument(match what {
            Param::Bucket => "a bucket is required",
            Param::Key => "an object key is required",
            Param::UploadId => "uploadId is required.",
            Param::PartNumber => "partNumber must be an integer from 1 to 10000.",
        })
    }
    fn post_error(e: crate::post::PostError) -> BosError {
        e.into()
    }

    fn body_error(e: ReadError, limit: usize) -> BosError {
        match e {
            ReadError::TooLarge => BosError::new(
                StatusCode::BAD_REQUEST,
                "MaxMessageLengthExceeded",
                format!("The request body is larger than the {limit} bytes this request allows."),
            ),
            ReadError::Io(e) => {
                BosError::new(StatusCode::BAD_REQUEST, "RequestTimeout", e.to_string())
            }
        }
    }

    fn error_code(e: &BosError) -> &'static str {
        e.code
    }

    fn render_error(e: &BosError, _echo: &(), request_id: &str, is_head: bool) -> Response<Body> {
        let mut r = if is_head || e.status == StatusCode::NOT_MODIFIED {
            Response::new(full(""))
        } else {
            json_response(StatusCode::OK, e.to_json(request_id))
        };
        *r.status_mut() = e.status;
        r
    }

    async fn call(ctx: &Ctx<'_>, op: Operation, body: Incoming) -> BosResult {
        use Operation::*;
        // The operations that carry out ACL headers read them themselves; no other takes any.
        if !matches!(
            op,
            CreateBucket
                | PutBucketAcl
                | PutObject
                | AppendObject
                | CopyObject
                | CreateMultipartUpload
                | PutObjectAcl
        ) {
            acl_wire::refuse_acl_headers(&ctx.req, op.name())?;
        }
        match op {
            ListBuckets => bucket::list_buckets(ctx),
            CreateBucket => bucket::create(ctx, body).await,
            HeadBucket => bucket::head(ctx),
            DeleteBucket => bucket::delete(ctx).await,
            GetBucketVersioning => bucket::get_versioning(ctx),
            PutBucketVersioning => bucket::put_versioning(ctx, body).await,
            GetBucketLocation => bucket::location(ctx),
            ListObjects => list::list_objects(ctx),
            ListObjectVersions => list::list_versions(ctx),
            ListMultipartUploads => multipart::list_uploads(ctx),
            DeleteObjects => batch::delete_multiple(ctx, body).await,
            PutObject => object::put(ctx, body).await,
            AppendObject => append::append(ctx, body).await,
            CopyObject => object::copy(ctx).await,
            GetObject => object::get(ctx).await,
            HeadObject => object::head(ctx),
            DeleteObject => object::delete(ctx).await,
            CreateMultipartUpload => multipart::initiate(ctx).await,
            UploadPart => multipart::upload_part(ctx, body).await,
            UploadPartCopy => multipart::upload_part_copy(ctx).await,
            ListParts => multipart::list_parts(ctx),
            AbortMultipartUpload => multipart::abort(ctx).await,
            CompleteMultipartUpload => multipart::complete(ctx, body).await,
            GetBucketAcl => acl::get_bucket_acl(ctx),
            PutBucketAcl => acl::put_bucket_acl(ctx, body).await,
            GetObjectAcl => acl::get_object_acl(ctx),
            PutObjectAcl => acl::put_object_acl(ctx, body).await,
            DeleteObjectAcl => acl::delete_object_acl(ctx).await,
            InitiateBucketWorm => lock::init(ctx, body).await,
            GetBucketWorm => lock::get(ctx),
            AbortBucketWorm => lock::delete(ctx).await,
            CompleteBucketWorm => lock::complete(ctx).await,
            ExtendBucketWorm => lock::extend(ctx, body).await,
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
            // Not BOS's (its routes never give them).
            GetBucketInfo
            | ListObjectsV2
            | GetObjectMeta
            | GetBucketPolicy
            | PutBucketPolicy
            | DeleteBucketPolicy
            | GetBucketPolicyStatus
            | GetPublicAccessBlock
            | PutPublicAccessBlock
            | DeletePublicAccessBlock
            | GetBucketOwnershipControls
            | PutBucketOwnershipControls
            | DeleteBucketOwnershipControls
            | GetObjectLockConfiguration
            | PutObjectLockConfiguration
            | GetObjectRetention
            | PutObjectRetention
            | GetObjectLegalHold
            | PutObjectLegalHold
            | PostObject
            | GetObjectAttributes => Err(BosApi::unrouted(Unrouted::MethodNotAllowed {
                service: false,
            })),
        }
    }
}

pub(crate) fn json_response(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub(crate) fn json(value: serde_json::Value) -> Response<Body> {
    json_response(StatusCode::OK, value.to_string())
}

pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(full(""));
    *r.status_mut() = status;
    r
}

/// `2026-11-21T14:30:05Z` of Unix milliseconds (a time jiff cannot hold is the epoch, as in
/// [`crate::httpfmt::iso8601`]).
pub(crate) fn bos_time(ms: i64) -> String {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    strata_wire::date::iso8601_seconds(t)
}

/// A quoted ETag (BOS uses lower-case hex).
pub(crate) fn etag(stored: &str) -> String {
    format!("\"{stored}\"")
}
