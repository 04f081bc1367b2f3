//! The Amazon S3 dialect: SigV4 (header, presigned, `aws-chunked` streaming with trailers),
//! S3's XML shapes and headers over the same core as the other dialects.
//!
//! Semantics (versioning, delete markers, the null version) are the core's; this module
//! only translates.

mod batch;
mod bucket;
pub mod error;
mod list;
mod multipart;
mod object;

pub use batch::parse_delete_request;
pub use bucket::parse_versioning;
pub use multipart::parse_complete_request;
pub use object::parse_copy_source;
pub use strata_wire::s3::{auth, chunked};

use crate::body::Incoming;
use crate::request::RequestParts;
use crate::{AppState, Body, full};
use auth::Authenticated;
use error::S3Error;
use hyper::header::HeaderValue;
use hyper::{Method, Response, StatusCode};

pub(crate) type S3Result = Result<Response<Body>, S3Error>;

pub(crate) struct Ctx<'a> {
    pub state: &'a AppState,
    pub req: RequestParts,
    pub auth: Authenticated,
    /// The user the request is signed by.
    pub user: &'a crate::User,
    /// The owner of the bucket the request addresses (the requester when it addresses none).
    pub owner: crate::access::Owner,
}

impl Ctx<'_> {
    pub fn bucket(&self) -> Result<&str, S3Error> {
        self.req
            .bucket
            .as_deref()
            .ok_or_else(|| S3Error::invalid_request("a bucket is required"))
    }

    pub fn key(&self) -> Result<&str, S3Error> {
        self.req
            .key
            .as_deref()
            .ok_or_else(|| S3Error::invalid_request("an object key is required"))
    }

    /// The owner listings and ACLs show: the bucket's (objects belong to their bucket's
    /// owner), or the requester's for requests on no bucket.
    pub fn owner(&self) -> crate::listing::Owner<'_> {
        self.owner.as_listing()
    }

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

pub(crate) async fn handle(state: &AppState, req: RequestParts, body: Incoming) -> Response<Body> {
    let request_id = format!("{:016X}", rand::random::<u64>());
    let is_head = req.method == Method::HEAD;
    let has_body = crate::body::has_body(&req.headers);
    let resource = req.raw_path.clone();
    let result = async {
        let auth = auth::authenticate(&req, &state.users, std::time::SystemTime::now())?;
        let user = state
            .users
            .user(&auth.access_key)
            .ok_or(auth::AuthError::Anonymous)?;
        let source = req.header("x-amz-copy-source").map(parse_copy_source);
        let source_bucket = source.as_ref().and_then(|s| s.as_ref().ok());
        let source_bucket = source_bucket.map(|(bucket, _, _)| bucket.as_str());
        let names = crate::access::Names::of(&req, source_bucket, true);
        let owner = crate::access::authorize(state, user, &req, &names)?;
        let ctx = Ctx {
            state,
            req,
            auth,
            user,
            owner,
        };
        dispatch(&ctx, body).await
    }
    .await;
    let resp = result.unwrap_or_else(|e| {
        let mut r = error_response(&e, &resource, &request_id, is_head);
        crate::body::close_if_unread(&mut r, has_body);
        r
    });
    finish(resp, &request_id)
}

/// A request whose path does not decode (see `router`): `InvalidURI`.
pub(crate) fn bad_address(req: &RequestParts, _e: crate::request::AddressError) -> Response<Body> {
    let request_id = format!("{:016X}", rand::random::<u64>());
    let e = S3Error::new(
        StatusCode::BAD_REQUEST,
        "InvalidURI",
        "Couldn't parse the specified URI.",
    );
    let resp = error_response(&e, &req.raw_path, &request_id, req.method == Method::HEAD);
    finish(resp, &request_id)
}

/// The headers every answer carries.
fn finish(mut resp: Response<Body>, request_id: &str) -> Response<Body> {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amz-request-id", v.clone());
        h.insert("x-amz-id-2", v);
    }
    if let Ok(v) = crate::httpfmt::http_date(strata_core::store::now_ms()).parse() {
        h.insert("date", v);
    }
    h.insert("server", HeaderValue::from_static("strata"));
    resp
}

fn error_response(e: &S3Error, resource: &str, request_id: &str, is_head: bool) -> Response<Body> {
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

async fn dispatch(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let q = |n: &str| ctx.req.has_query(n);
    if let Some(what) = crate::unsupported::refused(&crate::unsupported::S3, &ctx.req) {
        return Err(S3Error::not_implemented(&what));
    }
    let not_allowed = || {
        S3Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )
    };
    let m = &ctx.req.method;
    match (ctx.req.bucket.is_some(), ctx.req.key.is_some()) {
        (false, _) if *m == Method::GET => bucket::list_buckets(ctx),
        (false, _) => Err(not_allowed()),
        (true, false) => match *m {
            Method::PUT if q("versioning") => bucket::put_versioning(ctx, body).await,
            Method::PUT if q("acl") => bucket::put_acl(ctx, body).await,
            Method::PUT => bucket::create(ctx, body).await,
            Method::HEAD => bucket::head(ctx),
            Method::DELETE => bucket::delete(ctx).await,
            Method::POST if q("delete") => batch::delete_objects(ctx, body).await,
            Method::GET if q("versioning") => bucket::get_versioning(ctx),
            Method::GET if q("location") => bucket::location(ctx),
            Method::GET if q("acl") => bucket::get_acl(ctx),
            Method::GET if q("versions") => list::list_versions(ctx),
            Method::GET if q("uploads") => multipart::list_uploads(ctx),
            Method::GET if ctx.req.query("list-type") == Some("2") => list::list_objects_v2(ctx),
            Method::GET => list::list_objects(ctx),
            _ => Err(not_allowed()),
        },
        (true, true) => match *m {
            Method::PUT if q("partNumber") && q("uploadId") => {
                multipart::upload_part(ctx, body).await
            }
            Method::PUT if q("acl") => object::put_acl(ctx, body).await,
            Method::PUT if ctx.req.headers.contains_key("x-amz-copy-source") => {
                object::copy(ctx).await
            }
            Method::PUT => object::put(ctx, body).await,
            Method::GET if q("uploadId") => multipart::list_parts(ctx),
            Method::GET if q("acl") => object::get_acl(ctx),
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

pub(crate) fn etag(stored: &str) -> String {
    crate::listing::S3.etag(stored)
}
