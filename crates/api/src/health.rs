//! `GET /_strata/health` (and `HEAD`): answers 200 while the server runs.

use crate::{AppState, Body, full};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

/// The health check's path.
pub const PATH: &str = "/_strata/health";

/// The health check's body.
pub const BODY: &str = r#"{"status":"ok"}"#;

pub(crate) fn handle<B>(_state: &AppState, req: &Request<B>) -> Response<Body> {
    let mut resp = if matches!(*req.method(), Method::GET | Method::HEAD) {
        // hyper leaves the body out of a HEAD response and keeps its Content-Length.
        let mut resp = Response::new(full(BODY));
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        resp
    } else {
        let mut resp = Response::new(full("only GET and HEAD are allowed here\n"));
        *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        resp.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        resp
    };
    resp.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    resp
}
