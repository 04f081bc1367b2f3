//! The admin listener (`strata serve --admin-listen`, default `127.0.0.1:9001`): the
//! operator's port, apart from the data port. It answers
//!
//! | path | answer |
//! |---|---|
//! | `GET /health` | 200 `{"status":"ok"}` while the process runs |
//! | `GET /ready` | 200 when the store is open and takes writes (a write that changes nothing commits durably through the group-commit writer within [`READY_WAIT`]), else 503 |
//! | `GET /metrics` | the Prometheus text exposition ([`metrics`]) |
//! | anything else | the web console ([`crate::console`]) |
//!
//! Nothing here is reachable from the data port, and nothing on the data port from here.
//!
//! Each request is one log line of target `strata_api::ops`, message `admin served`, with
//! `method`, `path` (without the query), `status`, `duration_us` (to the answer's head),
//! `peer`, and `access_key` when a console session is signed in (or has just signed in): at
//! `DEBUG` for `/health`, `/ready` and `/metrics` (scrapes come often), at `INFO` for the
//! console. A console request forwarded to S3 (`/s3/...`) that reached the S3 pipeline is
//! logged by [`crate::console`] with its S3 operation instead, not here again.

pub mod counted;
pub mod metrics;

use crate::{AppState, Body, full};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// How long the admin listener waits for a request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long admin requests in flight may take to finish once shutdown begins.
const GRACE: Duration = Duration::from_secs(5);

/// Serves the admin listener until `shutdown` completes.
pub async fn serve_admin(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::debug!(error = %e, "admin accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let service = service_fn(move |req| handle(state.clone(), peer, req));
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "admin connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
}

async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = match path.as_str() {
        "/health" => only_get(&req).unwrap_or_else(|| json(StatusCode::OK, crate::health::BODY)),
        "/ready" => match only_get(&req) {
            Some(refused) => refused,
            None => ready(&state).await,
        },
        "/metrics" => only_get(&req).unwrap_or_else(|| {
            let mut resp = Response::new(full(metrics::render(&state)));
            resp.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            resp
        }),
        _ => crate::console::handle(&state, peer, req).await,
    };
    log(&method, &path, peer, &resp, started);
    Ok(resp)
}

/// Writes the request's line (see the module's doc).
fn log(method: &Method, path: &str, peer: SocketAddr, resp: &Response<Body>, started: Instant) {
    if resp.extensions().get::<crate::RequestLog>().is_some() {
        // A console request the S3 pipeline answered: logged by the console already.
        return;
    }
    let status = resp.status().as_u16();
    let duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let access_key = resp
        .extensions()
        .get::<crate::console::SignedIn>()
        .map(|s| s.0.as_str());
    macro_rules! served {
        ($level:expr) => {
            tracing::event!(
                $level,
                %method,
                path,
                status,
                duration_us,
                %peer,
                access_key,
                "admin served"
            )
        };
    }
    match path {
        "/health" | "/ready" | "/metrics" => served!(tracing::Level::DEBUG),
        _ => served!(tracing::Level::INFO),
    }
}

/// How long `/ready` waits for its write to commit before it answers 503.
pub const READY_WAIT: Duration = Duration::from_secs(5);

/// `/ready`: the store answers a read, has room for writes, and its writer commits.
async fn ready(state: &AppState) -> Response<Body> {
    let why = match tokio::time::timeout(READY_WAIT, state.store.writable()).await {
        Ok(Ok(())) => return json(StatusCode::OK, r#"{"status":"ready"}"#),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no write committed within {} seconds", READY_WAIT.as_secs()),
    };
    let body = serde_json::json!({"status": "unavailable", "reason": why});
    json(StatusCode::SERVICE_UNAVAILABLE, body.to_string())
}

/// A 405 for anything but GET and HEAD.
fn only_get<B>(req: &Request<B>) -> Option<Response<Body>> {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let mut resp = Response::new(full("only GET and HEAD are allowed here\n"));
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp.headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    Some(resp)
}

fn json(status: StatusCode, body: impl Into<bytes::Bytes>) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
