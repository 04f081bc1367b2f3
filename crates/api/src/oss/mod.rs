//! The Alibaba Cloud OSS dialect: authenticate (V1, V4, presigned), route by method,
//! bucket, key and sub-resource, call the core, answer in OSS's XML and headers.
//!
//! Each handler module names the operations it serves.

mod batch;
mod bucket;
pub mod error;
mod list;
mod multipart;
mod object;

pub use batch::{parse_delete_request, parse_versioning};
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use strata_wire::oss::auth;

use crate::body::Incoming;
use crate::request::RequestParts;
use crate::{AppState, Body, full};
use error::OssError;
use hyper::{Method, Response, StatusCode};

pub(crate) type OssResult = Result<Response<Body>, OssError>;

/// One request on its way through the dialect.
pub(crate) struct Ctx<'a> {
    pub state: &'a AppState,
    pub req: RequestParts,
    /// The user the request is signed by.
    pub user: &'a crate::User,
    /// The request's payload digest from a V4 signature, to check against the body.
    pub payload_sha256: Option<[u8; 32]>,
    /// The owner of the bucket the request addresses (the requester when it addresses none).
    pub owner: crate::access::Owner,
}

impl Ctx<'_> {
    pub fn bucket(&self) -> Result<&str, OssError> {
        self.req
            .bucket
            .as_deref()
            .ok_or_else(|| OssError::invalid_argument("a bucket is required"))
    }

    pub fn key(&self) -> Result<&str, OssError> {
        self.req
            .key
            .as_deref()
            .ok_or_else(|| OssError::invalid_argument("an object key is required"))
    }

    /// `encoding-type=url` was asked for.
    pub fn url_encoding(&self) -> Result<bool, OssError> {
        match self.req.query("encoding-type") {
            None | Some("") => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
            Some(_) => Err(OssError::invalid_argument("The encoding-type must be url.")),
        }
    }

    /// The owner listings and ACLs show: the bucket's (objects belong to their bucket's
    /// owner), or the requester's for requests on no bucket.
    pub fn owner(&self) -> crate::listing::Owner<'_> {
        self.owner.as_listing()
    }
}

/// Answers one OSS request.
pub(crate) async fn handle(state: &AppState, req: RequestParts, body: Incoming) -> Response<Body> {
    let request_id = request_id();
    let is_head = req.method == Method::HEAD;
    let has_body = crate::body::has_body(&req.headers);
    let host = req.header("host").unwrap_or_default().to_owned();
    let result = async {
        let authed = auth::authenticate(&req, &state.users, std::time::SystemTime::now())?;
        let user = state
            .users
            .user(&authed.access_key)
            .ok_or(auth::AuthError::Anonymous)?;
        let source = req.header("x-oss-copy-source").map(parse_copy_source);
        let source_bucket = source.as_ref().and_then(|s| s.as_ref().ok());
        let source_bucket = source_bucket.map(|(bucket, _, _)| bucket.as_str());
        let names = crate::access::Names::of(&req, source_bucket, false);
        let owner = crate::access::authorize(state, user, &req, &names)?;
        let ctx = Ctx {
            state,
            req,
            user,
            payload_sha256: authed.payload_sha256,
            owner,
        };
        dispatch(&ctx, body).await
    }
    .await;
    let resp = result.unwrap_or_else(|e| {
        let mut r = error_response(&e, &request_id, &host, is_head);
        crate::body::close_if_unread(&mut r, has_body);
        r
    });
    finish(resp, &request_id)
}

/// A request whose path does not decode (see `router`): `InvalidObjectName` or
/// `InvalidBucketName`.
pub(crate) fn bad_address(req: &RequestParts, e: crate::request::AddressError) -> Response<Body> {
    let request_id = request_id();
    let host = req.header("host").unwrap_or_default();
    let e = match e {
        crate::request::AddressError::KeyNotUtf8 => OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The object name is not valid UTF-8.",
        ),
        crate::request::AddressError::BucketNotUtf8 => OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The bucket name is not valid UTF-8.",
        ),
    };
    let resp = error_response(&e, &request_id, host, req.method == Method::HEAD);
    finish(resp, &request_id)
}

/// The headers every answer carries.
fn finish(mut resp: Response<Body>, request_id: &str) -> Response<Body> {
    let h = resp.headers_mut();
    h.insert(
        "x-oss-request-id",
        request_id.parse().expect("hex is a header value"),
    );
    if let Ok(v) = crate::httpfmt::http_date(strata_core::store::now_ms()).parse() {
        h.insert("date", v);
    }
    h.insert("server", hyper::header::HeaderValue::from_static("strata"));
    resp
}

fn request_id() -> String {
    format!(
        "{:016X}{:08X}",
        rand::random::<u64>(),
        rand::random::<u32>()
    )
}

fn error_response(e: &OssError, request_id: &str, host: &str, is_head: bool) -> Response<Body> {
    let xml = e.to_xml(request_id, host);
    let mut resp = if is_head || e.status == StatusCode::NOT_MODIFIED {
        let mut r = Response::new(full(""));
        if is_head && let Ok(v) = crate::httpfmt::base64(xml.as_bytes()).parse() {
            r.headers_mut().insert("x-oss-err", v);
        }
        r
    } else {
        let mut r = Response::new(full(xml));
        r.headers_mut().insert(
            "content-type",
            hyper::header::HeaderValue::from_static("application/xml"),
        );
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

/// An XML response.
pub(crate) fn xml(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/xml"),
    );
    r
}

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(full(""));
    *r.status_mut() = status;
    r
}

async fn dispatch(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let q = |n: &str| ctx.req.has_query(n);
    if let Some(what) = crate::unsupported::refused(&crate::unsupported::OSS, &ctx.req) {
        return Err(OssError::not_implemented(&what));
    }
    let m = &ctx.req.method;
    match (ctx.req.bucket.is_some(), ctx.req.key.is_some()) {
        (false, _) if *m == Method::GET => bucket::list_buckets(ctx),
        (false, _) => Err(OssError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Only GET is allowed on the service.",
        )),
        (true, false) => match *m {
            Method::PUT if q("versioning") => bucket::put_versioning(ctx, body).await,
            Method::PUT if q("acl") => bucket::put_acl(ctx),
            Method::PUT => bucket::create(ctx, body).await,
            Method::DELETE => bucket::delete(ctx).await,
            Method::POST if q("delete") => batch::delete_multiple(ctx, body).await,
            Method::GET | Method::HEAD if q("versioning") => bucket::get_versioning(ctx),
            Method::GET | Method::HEAD if q("versions") => list::list_versions(ctx),
            Method::GET | Method::HEAD if q("uploads") => multipart::list_uploads(ctx),
            Method::GET | Method::HEAD if q("bucketInfo") => bucket::info(ctx),
            Method::GET | Method::HEAD if q("location") => bucket::location(ctx),
            Method::GET | Method::HEAD if q("acl") => bucket::get_acl(ctx),
            Method::GET | Method::HEAD if ctx.req.query("list-type") == Some("2") => {
                list::list_objects_v2(ctx)
            }
            Method::GET | Method::HEAD => list::list_objects(ctx),
            _ => Err(OssError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )),
        },
        (true, true) => match *m {
            Method::PUT if q("partNumber") && q("uploadId") => {
                multipart::upload_part(ctx, body).await
            }
            Method::PUT if q("acl") => object::put_acl(ctx),
            Method::PUT if ctx.req.headers.contains_key("x-oss-copy-source") => {
                object::copy(ctx).await
            }
            Method::PUT => object::put(ctx, body).await,
            Method::GET if q("uploadId") => multipart::list_parts(ctx),
            Method::GET if q("acl") => object::get_acl(ctx),
            Method::GET => object::get(ctx).await,
            Method::HEAD if q("objectMeta") => object::head(ctx, true),
            Method::HEAD => object::head(ctx, false),
            Method::DELETE if q("uploadId") => multipart::abort(ctx).await,
            Method::DELETE => object::delete(ctx).await,
            Method::POST if q("uploads") => multipart::initiate(ctx).await,
            Method::POST if q("uploadId") => multipart::complete(ctx, body).await,
            _ => Err(OssError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )),
        },
    }
}

/// Renders an ETag as OSS clients expect: quoted upper-case hex.
pub(crate) fn etag(stored: &str) -> String {
    crate::listing::OSS.etag(stored)
}
