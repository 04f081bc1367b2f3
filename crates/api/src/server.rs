//! The accept loop: one hyper HTTP/1.1 connection task per socket, drained on shutdown.
//!
//! Clients cannot hold the server's resources for ever: a request head (or, on a kept-alive
//! connection, the next one) must arrive within the header timeout, a request body must make
//! progress within the body timeout, a response must make progress within the send timeout
//! (a client that stops reading is dropped, with the data file it was being sent), and at
//! most `max_connections` connections are open at once (more wait in the listen backlog), so
//! file descriptors remain for the store.

use crate::{AppState, Body, router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tracing::Instrument as _;

/// How long requests in flight may take to finish once shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Limits that keep slow, stalled and idle clients from holding the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    /// How long a client has to send a request's head, counted from when the server starts
    /// waiting for it: on a new connection, and on a kept-alive one after each response (so it
    /// also closes idle connections). `None`: no limit.
    pub header_timeout: Option<Duration>,
    /// How long a request body may go without any data arriving while the server waits for
    /// it; the request then fails (the dialect's timeout error) and the connection closes.
    /// `None`: no limit.
    pub body_timeout: Option<Duration>,
    /// How long a write to a client's socket may wait without any of it being taken (the
    /// client stopped reading and the socket's buffers are full); the connection is then
    /// closed and everything it holds (the response body, its open data file) dropped. It
    /// counts from the last progress, not from the start of the response, so a slow client
    /// that keeps reading is never cut off. `None`: no limit.
    pub send_timeout: Option<Duration>,
    /// The most connections open at once; further clients wait in the listen backlog until
    /// one closes.
    pub max_connections: usize,
}

/// Request heads and bodies, and responses, must make progress within this long by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// File descriptors kept for the store (data files, the metadata engine) and the process
/// when the connection limit is derived from the descriptor limit.
pub const RESERVED_FDS: u64 = 256;

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: Some(DEFAULT_TIMEOUT),
            body_timeout: Some(DEFAULT_TIMEOUT),
            send_timeout: Some(DEFAULT_TIMEOUT),
            max_connections: default_max_connections(),
        }
    }
}

/// The process's open-file limit less [`RESERVED_FDS`] (at least 16, at most 65 536).
pub fn default_max_connections() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX);
    limit.saturating_sub(RESERVED_FDS).clamp(16, 65_536) as usize
}

/// Serves HTTP/1.1 on `listener` with the default [`ServeOptions`] until `shutdown`
/// completes (see [`serve_with`]).
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) {
    serve_with(listener, state, shutdown, ServeOptions::default()).await
}

/// Serves HTTP/1.1 on `listener` until `shutdown` completes, then stops accepting, lets the
/// requests in flight finish (for at most [`SHUTDOWN_GRACE`]) and returns.
pub async fn serve_with(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
    options: ServeOptions,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let mut logged_full = false;
    loop {
        // A free connection slot first: while none is, new clients wait in the backlog.
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if !logged_full {
                    tracing::warn!(
                        max_connections = options.max_connections,
                        "connection limit reached; new connections wait until one closes"
                    );
                    logged_full = true;
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break, // never closed
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if slots.available_permits() > 0 {
            logged_full = false;
        }
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!(%peer, error = %e, "cannot set TCP_NODELAY");
        }
        let state = state.clone();
        let body_timeout = options.body_timeout;
        let service = service_fn(move |req| handle(state.clone(), peer, req, body_timeout));
        // A write (or flush, or shutdown) that stays pending for the send timeout fails with
        // `TimedOut`; hyper then ends the connection. The clock starts when a write has to
        // wait and restarts on every write that goes through: a deadline per stall, not per
        // response.
        let mut io = TimeoutStream::new(stream);
        io.set_write_timeout(options.send_timeout);
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(options.header_timeout)
            .serve_connection(TokioIo::new(Box::pin(io)), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            match conn.await {
                Err(e) if send_timed_out(&e) => tracing::info!(
                    %peer,
                    "the client took no response data for the send timeout; connection closed"
                ),
                Err(e) => tracing::debug!(%peer, error = %e, "connection ended with an error"),
                Ok(()) => {}
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(
        connections = graceful.count(),
        "shutting down: no new connections, finishing requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "connections still open after the grace period; leaving them");
        }
    }
}

/// Whether a connection ended because a write to the client timed out (only the send timeout
/// makes the socket's writes fail with `TimedOut`).
fn send_timed_out(e: &hyper::Error) -> bool {
    std::error::Error::source(e)
        .and_then(|source| source.downcast_ref::<io::Error>())
        .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
}

/// Errors of one connection (reset before it was accepted) need no pause; others (out of file
/// descriptors) would recur at once, so the loop waits a moment before accepting again.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    ) {
        tracing::debug!(error = %e, "accept failed");
    } else {
        tracing::error!(error = %e, "accept failed; retrying in a second");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    mut req: Request<Incoming>,
    body_timeout: Option<Duration>,
) -> Result<Response<Body>, Infallible> {
    req.extensions_mut().insert(crate::router::Peer(peer.ip()));
    // The lifecycle executor slows down while requests come in.
    state.store.client_request();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let bytes_in = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // A debug span: the request's line says it all; events within (why access was denied)
    // get the request's address at debug level.
    let span = tracing::debug_span!(
        "request",
        %peer,
        %method,
        path = %uri.path(),
    );
    async move {
        let started = Instant::now();
        let (req, read) = crate::ops::metrics::count_request(req);
        let mut resp = router::route(&state, req, body_timeout).await;
        let log = resp
            .extensions_mut()
            .remove::<crate::pipeline::RequestLog>()
            .unwrap_or_default();
        let resp = crate::ops::metrics::record_request(&log, started.elapsed(), &read, resp);
        Ok(log.follow(resp, peer, method, uri, bytes_in, started))
    }
    .instrument(span)
    .await
}
