//! Sends each request to the handler of its path; later, to the dialect it is written in.

use crate::{AppState, Body, full, health};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};

pub(crate) async fn route<B>(state: &AppState, req: Request<B>) -> Response<Body> {
    if req.uri().path() == health::PATH {
        return health::handle(state, &req);
    }
    // The dialect front doors (OSS, BOS, S3) will be chosen here from the request's
    // signature and headers.
    not_built()
}

fn not_built() -> Response<Body> {
    let mut resp = Response::new(full(
        "501 Not Implemented: Strata's OSS, BOS and S3 front doors are not built yet; \
         only GET /_strata/health answers.\n",
    ));
    *resp.status_mut() = StatusCode::NOT_IMPLEMENTED;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}
