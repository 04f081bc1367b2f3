//! Request bodies: streamed into the core, or read whole with a bound for small XML/JSON
//! bodies. Every body is read through [`Incoming`], which fails a read that sees no progress
//! for the server's body timeout, so a client that stops sending mid-body cannot hold its
//! request (and the resources behind it) forever.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http_body_util::{BodyExt, BodyStream, Limited};
use hyper::body::{Body, Frame, SizeHint};
use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// A request body whose reads fail with [`io::ErrorKind::TimedOut`] (wrapping
/// [`BodyTimeout`]) when no data arrives for the idle timeout while the server waits for it.
/// The clock runs only while a read is waiting: time the handler spends elsewhere does not
/// count.
pub struct Incoming {
    inner: hyper::body::Incoming,
    idle: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
    /// A read has been waiting since the timer was (re)armed.
    waiting: bool,
    failed: bool,
}

/// The error inside the `io::Error` a timed-out read yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the client sent no body data for {} seconds",
            self.0.as_secs_f64()
        )
    }
}

impl std::error::Error for BodyTimeout {}

impl Incoming {
    /// `idle`: how long a read may wait for the next data (`None`: for ever).
    pub fn new(inner: hyper::body::Incoming, idle: Option<Duration>) -> Incoming {
        Incoming {
            inner,
            idle,
            timer: None,
            waiting: false,
            failed: false,
        }
    }
}

impl Body for Incoming {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame.map(|f| f.map_err(io::Error::other)))
            }
            Poll::Pending => {
                let Some(idle) = this.idle else {
                    return Poll::Pending;
                };
                let deadline = Instant::now() + idle;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if !this.waiting {
                    this.waiting = true;
                    timer.as_mut().reset(deadline);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.failed = true;
                        Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            BodyTimeout(idle),
                        ))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether a body read failed because the client stopped sending (see [`Incoming`]).
pub fn is_timeout(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<BodyTimeout>())
}

/// The body as the stream of data chunks the core takes.
pub fn stream(body: Incoming) -> impl Stream<Item = io::Result<Bytes>> + Send + Unpin {
    BodyStream::new(body).filter_map(|frame| {
        futures_util::future::ready(match frame {
            Ok(f) => f.into_data().ok().map(Ok),
            Err(e) => Some(Err(e)),
        })
    })
}

#[derive(Debug)]
pub enum ReadError {
    /// The body is longer than the limit.
    TooLarge,
    Io(io::Error),
}

/// Reads a whole body of at most `limit` bytes. A declared Content-Length over the limit is
/// refused before anything is read.
pub async fn read_limited(
    body: Incoming,
    declared: Option<u64>,
    limit: usize,
) -> Result<Bytes, ReadError> {
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ReadError::TooLarge),
        Err(e) => Err(ReadError::Io(match e.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => io::Error::other(other),
        })),
    }
}

/// Whether a request announces a body (a non-zero Content-Length, or chunked).
pub fn has_body(headers: &hyper::HeaderMap) -> bool {
    headers.contains_key(hyper::header::TRANSFER_ENCODING)
        || headers
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// An error answered before the request body was read closes the connection (hyper cannot
/// reuse it); saying so lets the client drop it at once instead of sending its next request
/// down a connection that is closing.
pub fn close_if_unread(resp: &mut hyper::Response<crate::Body>, has_body: bool) {
    if has_body {
        resp.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
}
