//! The web console, served on the admin listener (`strata serve --admin-listen`): a page
//! compiled into the binary ([`assets`]) and, behind a sign-in, a JSON API ([`api`]) and
//! `/s3/...`, the S3 API as the signed-in user ([`forward`]).
//!
//! | path | answer |
//! |---|---|
//! | `GET /`, `/index.html`, `/assets/*` | the page (no session needed) |
//! | `POST /api/login` | `{access_key, secret_key}` → a session cookie and its CSRF token; 429 with `Retry-After` past [`throttle::LIMIT`] failures of the peer or the access key in [`throttle::WINDOW`] |
//! | `GET /api/session` | who is signed in, and the CSRF token |
//! | `POST /api/logout` | ends the session |
//! | `GET /api/restore/plan?bucket&prefix&as_of` | `strata restore --dry-run`'s plan as JSON |
//! | `POST /api/restore/run` | carries that plan out (409 if it is not the one previewed); per-key results |
//! | `/s3/BUCKET/KEY?QUERY` | the S3 request `/BUCKET/KEY?QUERY`, made as the session's user |
//!
//! Security: every path but the page's needs a valid session (else 401); every request other
//! than GET and HEAD must carry the session's CSRF token in `X-Strata-CSRF` (else 403), besides
//! the cookie's `SameSite=Strict`. Every answer is `no-store`, `nosniff`, not to be framed, and
//! under `Content-Security-Policy: default-src 'self'` (S3 answers: `default-src 'none';
//! sandbox`, so an object read back never runs as the console).

mod api;
mod assets;
mod error;
mod forward;
mod restore;
mod session;
mod throttle;

pub use error::ConsoleError;
pub use session::{COOKIE, CSRF_HEADER, Sessions};

use crate::{AppState, Body, full};
use hyper::body::Incoming;
use hyper::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use hyper::{Method, Request, Response};
use std::net::SocketAddr;

/// The access key of the console session a request was made in (or signed in), in the
/// answer's extensions, for the admin listener's log line.
#[derive(Clone, Debug)]
pub struct SignedIn(pub String);

/// Answers every admin-listener path that is not `/health`, `/ready` or `/metrics`.
pub async fn handle(state: &AppState, peer: SocketAddr, req: Request<Incoming>) -> Response<Body> {
    handle_any(state, peer, req).await
}

/// [`handle`] for any request body (tests answer requests without a connection).
pub async fn handle_any<B>(state: &AppState, peer: SocketAddr, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut who = None;
    let mut resp = route(state, peer, req, &mut who)
        .await
        .unwrap_or_else(|e| e.response());
    if let Some(access_key) = who {
        resp.extensions_mut().insert(SignedIn(access_key));
    }
    let h = resp.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'self'"));
    resp
}

/// Answers a console request; `who` gets the session's access key once it is known.
async fn route<B>(
    state: &AppState,
    peer: SocketAddr,
    req: Request<B>,
    who: &mut Option<String>,
) -> Result<Response<Body>, ConsoleError>
where
    B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let path = req.uri().path();
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    if let Some(asset) = assets::find(path) {
        if !reads {
            return Err(ConsoleError::Method);
        }
        let mut resp = Response::new(full(asset.body));
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        return Ok(resp);
    }
    if path == "/api/login" {
        if *req.method() != Method::POST {
            return Err(ConsoleError::Method);
        }
        return api::login(state, peer, req, who).await;
    }
    let is_api = path.starts_with("/api/");
    if !is_api && !path.starts_with("/s3/") {
        return Err(ConsoleError::NotFound);
    }
    let current = state.console.current(state, req.headers())?;
    *who = Some(current.user.credentials.access_key.clone());
    if !reads {
        current.check_csrf(req.headers())?;
    }
    match (req.method().clone(), path) {
        (Method::GET, "/api/session") => Ok(api::session(&current)),
        (Method::POST, "/api/logout") => Ok(api::logout(state, &current)),
        (Method::GET, "/api/restore/plan") => api::restore_plan(state, peer, &current, &req).await,
        (Method::POST, "/api/restore/run") => api::restore_run(state, peer, &current, req).await,
        (_, "/api/session" | "/api/logout" | "/api/restore/plan" | "/api/restore/run") => {
            Err(ConsoleError::Method)
        }
        _ if is_api => Err(ConsoleError::NotFound),
        _ => forward::forward(state, peer, current.user.clone(), req).await,
    }
}
