//! The web console, served on the admin listener.

use crate::{AppState, Body, full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::net::SocketAddr;

/// Answers every admin-listener path that is not `/health`, `/ready` or `/metrics`.
pub async fn handle(
    _state: &AppState,
    _peer: SocketAddr,
    _req: Request<Incoming>,
) -> Response<Body> {
    let mut resp = Response::new(full("not found\n"));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}
