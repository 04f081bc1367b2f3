//! The floor under a Strata GET: the same HTTP stack (tokio's multi-threaded runtime, hyper's
//! HTTP/1 server with the same timer and header timeout, `TCP_NODELAY`, the system allocator) answering
//! every request with one 4 KiB body from memory, and writing one request line per answer
//! through the same tracing formatter. It does no routing, no signature check, no metadata
//! read and no metrics: what it costs is what any server built on this stack pays per request,
//! so `scripts/bench --floor` can tell how much of the gap to nginx is Strata's own work.
//!
//!     cargo run --release --example http_floor -- 127.0.0.1:9500 2>requests.log

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9500".to_owned());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let body = Bytes::from(vec![b'g'; 4096]);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            println!("listening on http://{}", listener.local_addr()?);
            loop {
                let (stream, peer) = listener.accept().await?;
                stream.set_nodelay(true)?;
                let body = body.clone();
                let service = service_fn(move |req: Request<Incoming>| {
                    let started = Instant::now();
                    let body = body.clone();
                    async move {
                        let resp = Response::builder()
                            .header("content-type", "application/octet-stream")
                            .header("etag", "\"0123456789abcdef0123456789abcdef\"")
                            .body(Full::new(body))
                            .expect("a valid response");
                        tracing::info!(
                            target: "strata_api::request",
                            status = 200u16,
                            bytes_out = 4096u64,
                            duration_us = started.elapsed().as_micros() as u64,
                            %peer,
                            method = %req.method(),
                            path = req.uri().path(),
                            "served"
                        );
                        Ok::<_, Infallible>(resp)
                    }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Some(Duration::from_secs(30)))
                    .serve_connection(TokioIo::new(stream), service);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        })
}
