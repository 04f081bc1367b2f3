//! The Baidu BOS dialect: bce-auth-v1, an optional `/v1` path prefix, JSON bodies and errors.
//!
//! Each handler module names the operations it serves.

mod batch;
mod bucket;
pub mod document;
pub mod error;
mod list;
mod multipart;
mod object;

pub use batch::parse_delete_request;
pub use bucket::parse_versioning;
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use strata_wire::bos::auth;

use crate::body::Incoming;
use crate::request::RequestParts;
use crate::{AppState, Body, full};
use error::BosError;
use hyper::header::HeaderValue;
use hyper::{Method, Response, StatusCode};

pub(crate) type BosResult = Result<Response<Body>, BosError>;

pub(crate) struct Ctx<'a> {
    pub state: &'a AppState,
    pub req: RequestParts,
    /// The user the request is signed by.
    pub user: &'a crate::User,
    /// The owner of the bucket the request addresses (the requester when it addresses none).
    pub owner: crate::access::Owner,
}

impl Ctx<'_> {
    pub fn bucket(&self) -> Result<&str, BosError> {
        self.req
            .bucket
            .as_deref()
            .ok_or_else(|| BosError::invalid_argument("a bucket is required"))
    }

    pub fn key(&self) -> Result<&str, BosError> {
        self.req
            .key
            .as_deref()
            .ok_or_else(|| BosError::invalid_argument("an object key is required"))
    }

    /// The owner listings show: the bucket's (objects belong to their bucket's owner), or
    /// the requester's for requests on no bucket.
    pub fn owner(&self) -> serde_json::Value {
        serde_json::json!({"id": self.owner.id, "displayName": self.owner.display_name})
    }
}

/// BOS paths may start with `/v1` (older SDKs, presigned URLs); `v1` can never be a bucket.
fn strip_v1(mut req: RequestParts) -> RequestParts {
    if req.bucket.as_deref() == Some("v1") && !req.virtual_hosted {
        let rest = req.key.take().unwrap_or_default();
        let (bucket, key) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
        req.bucket = (!bucket.is_empty()).then(|| bucket.to_owned());
        req.key = (!key.is_empty()).then(|| key.to_owned());
    }
    req
}

pub(crate) async fn handle(state: &AppState, req: RequestParts, body: Incoming) -> Response<Body> {
    let request_id = request_id();
    let is_head = req.method == Method::HEAD;
    let has_body = crate::body::has_body(&req.headers);
    let result = async {
        // The signature covers the path as sent, `/v1` included.
        let authed = auth::authenticate(&req, &state.users, std::time::SystemTime::now())?;
        let user = state
            .users
            .user(&authed.access_key)
            .ok_or(auth::AuthError::Anonymous)?;
        let req = strip_v1(req);
        let source = req.header("x-bce-copy-source").map(parse_copy_source);
        let source_bucket = source.as_ref().and_then(|s| s.as_ref().ok());
        let source_bucket = source_bucket.map(|(bucket, _, _)| bucket.as_str());
        let names = crate::access::Names::of(&req, source_bucket, false);
        let owner = crate::access::authorize(state, user, &req, &names)?;
        let ctx = Ctx {
            state,
            req,
            user,
            owner,
        };
        dispatch(&ctx, body).await
    }
    .await;
    let resp = result.unwrap_or_else(|e| {
        let mut r = error_response(&e, &request_id, is_head);
        crate::body::close_if_unread(&mut r, has_body);
        r
    });
    finish(resp, &request_id)
}

fn error_response(e: &BosError, request_id: &str, is_head: bool) -> Response<Body> {
    let mut r = if is_head || e.status == StatusCode::NOT_MODIFIED {
        Response::new(full(""))
    } else {
        json_response(StatusCode::OK, e.to_json(request_id))
    };
    *r.status_mut() = e.status;
    r
}

/// A request whose path does not decode (see `router`): `InvalidObjectName` or
/// `InvalidBucketName`.
pub(crate) fn bad_address(req: &RequestParts, e: crate::request::AddressError) -> Response<Body> {
    let request_id = request_id();
    let e = match e {
        crate::request::AddressError::KeyNotUtf8 => BosError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The object name is not valid UTF-8.",
        ),
        crate::request::AddressError::BucketNotUtf8 => BosError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The bucket name is not valid UTF-8.",
        ),
    };
    let resp = error_response(&e, &request_id, req.method == Method::HEAD);
    finish(resp, &request_id)
}

/// The headers every answer carries.
fn finish(mut resp: Response<Body>, request_id: &str) -> Response<Body> {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-bce-request-id", v);
    }
    if let Ok(v) = crate::httpfmt::http_date(strata_core::store::now_ms()).parse() {
        h.insert("date", v);
    }
    h.insert("server", HeaderValue::from_static("BceBos"));
    resp
}

fn request_id() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
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

/// `2026-11-21T14:30:05Z`
pub(crate) fn bos_time(ms: i64) -> String {
    let mut s = crate::httpfmt::iso8601(ms);
    s.truncate(19);
    s.push('Z');
    s
}

async fn dispatch(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let q = |n: &str| ctx.req.has_query(n);
    if let Some(what) = crate::unsupported::refused(&crate::unsupported::BOS, &ctx.req) {
        return Err(BosError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented."),
        ));
    }
    let not_allowed = || {
        BosError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The method is not allowed against this resource.",
        )
    };
    let m = &ctx.req.method;
    match (ctx.req.bucket.is_some(), ctx.req.key.is_some()) {
        (false, _) if *m == Method::GET => bucket::list_buckets(ctx),
        (false, _) => Err(not_allowed()),
        (true, false) => match *m {
            Method::PUT if q("versioning") => bucket::put_versioning(ctx, body).await,
            Method::PUT => bucket::create(ctx, body).await,
            Method::HEAD => bucket::head(ctx),
            Method::DELETE => bucket::delete(ctx).await,
            Method::POST if q("delete") => batch::delete_multiple(ctx, body).await,
            Method::GET if q("versioning") => bucket::get_versioning(ctx),
            Method::GET if q("location") => bucket::location(ctx),
            Method::GET if q("versions") => list::list_versions(ctx),
            Method::GET if q("uploads") => multipart::list_uploads(ctx),
            Method::GET => list::list_objects(ctx),
            _ => Err(not_allowed()),
        },
        (true, true) => match *m {
            Method::PUT if q("partNumber") && q("uploadId") => {
                multipart::upload_part(ctx, body).await
            }
            Method::PUT if ctx.req.headers.contains_key("x-bce-copy-source") => {
                object::copy(ctx).await
            }
            Method::PUT => object::put(ctx, body).await,
            Method::GET if q("uploadId") => multipart::list_parts(ctx),
            Method::GET => object::get(ctx).await,
            Method::HEAD => object::head(ctx),
            Method::DELETE if q("uploadId") => multipart::abort(ctx).await,
            Method::DELETE => object::delete(ctx).await,
            Method::POST if q("uploads") => multipart::initiate(ctx).await,
            Method::POST if q("uploadId") => multipart::complete(ctx, body).await,
            _ => Err(not_allowed()),
        },
    }
}

/// A quoted ETag (BOS uses lower-case hex).
pub(crate) fn etag(stored: &str) -> String {
    format!("\"{stored}\"")
}
