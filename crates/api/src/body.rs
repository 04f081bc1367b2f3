//! Request bodies: streamed into the core, or read whole with a bound for small XML/JSON
//! bodies. Every body is read through [`Incoming`], which fails a read that sees no progress
//! for the server's body timeout, so a client that stops sending mid-body cannot hold its
//! request (and the resources behind it) forever.
//!
//! # Answers given before the body was read
//!
//! Many requests are refused from their head alone (a bad signature, a declared length over a
//! limit), and most clients send the whole body before they read anything. If the connection
//! closed as soon as the answer was written, the kernel would answer the data still arriving
//! with a reset, and the client would see ECONNRESET or a broken pipe, never the answer. hyper
//! does not prevent this: when the handler drops a body it has not read, hyper reads at most
//! what is already buffered and then stops reading and closes. So an [`Incoming`] dropped
//! unread is not let go: a task keeps reading and discarding the rest (at most
//! [`DRAIN_MAX_BYTES`], for at most [`DRAIN_MAX_TIME`], and never longer than the body
//! timeout between two pieces) while hyper writes the answer. The client finishes sending,
//! reads the answer, and the connection then closes (the answer says `Connection: close`, see
//! [`close_if_unread`]). This is nginx's lingering close, done at the level of the body
//! rather than the socket: hyper owns the socket and shuts it down and drops it itself when
//! the connection ends, and a linger there would also hold every connection hyper ends for
//! other reasons (idle keep-alive, timeouts), where no client is sending.
//!
//! A body announced larger than [`DRAIN_MAX_BYTES`] is not drained (the client would be cut
//! off anyway), nor is one that timed out, nor one whose client asked for `100 Continue` and
//! was answered without it: that client sends no body.

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
    /// `None` once handed to the task draining it.
    inner: Option<Source>,
    idle: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
    /// A read has been waiting since the timer was (re)armed.
    waiting: bool,
    failed: bool,
    /// The end of the body was read.
    ended: bool,
    /// Some of the body was asked for (hyper then sends `100 Continue` if it was expected).
    polled: bool,
    /// The client sent `Expect: 100-continue`.
    expects_continue: bool,
    /// Drain what is left of the body when this is dropped (not for the draining copy).
    drain_on_drop: bool,
}

/// What an [`Incoming`] reads from: hyper's body of a connection, or (in tests that drive
/// the router without a socket) any other body of bytes.
type Source = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The most of an unread request body that is read and discarded after an early answer.
pub const DRAIN_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// How long an unread request body is read and discarded after an early answer, at most.
pub const DRAIN_MAX_TIME: Duration = Duration::from_secs(10);

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
    /// `expects_continue`: the request has `Expect: 100-continue`.
    pub fn new<B>(inner: B, idle: Option<Duration>, expects_continue: bool) -> Incoming
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Incoming::from_source(
            inner.map_err(Into::into).boxed_unsync(),
            idle,
            expects_continue,
        )
    }

    fn from_source(inner: Source, idle: Option<Duration>, expects_continue: bool) -> Incoming {
        Incoming {
            inner: Some(inner),
            idle,
            timer: None,
            waiting: false,
            failed: false,
            ended: false,
            polled: false,
            expects_continue,
            drain_on_drop: true,
        }
    }

    /// Whether what is left of the body is worth reading after an early answer: something is
    /// left, the client is sending it, and it is not too much.
    fn worth_draining(&self, inner: &Source) -> bool {
        if !self.drain_on_drop || self.failed || self.ended || inner.is_end_stream() {
            return false;
        }
        if self.expects_continue && !self.polled {
            return false; // answered without `100 Continue`: the client sends nothing
        }
        inner
            .size_hint()
            .exact()
            .is_none_or(|left| left <= DRAIN_MAX_BYTES)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        if !self.worth_draining(&inner) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut rest = Incoming::from_source(inner, self.idle, false);
        rest.drain_on_drop = false;
        runtime.spawn(drain(rest));
    }
}

/// Reads and discards `body` until its end, an error (the client went away or stalled for the
/// body timeout), [`DRAIN_MAX_BYTES`] or [`DRAIN_MAX_TIME`]; dropping it then lets hyper close
/// the connection.
async fn drain(mut body: Incoming) {
    let mut read = 0u64;
    let all = async {
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => {
                    read += f.data_ref().map_or(0, |d| d.len() as u64);
                    if read > DRAIN_MAX_BYTES {
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
        true
    };
    let done = tokio::time::timeout(DRAIN_MAX_TIME, all).await;
    tracing::debug!(
        bytes = read,
        complete = matches!(done, Ok(true)),
        "unread request body drained"
    );
}

impl Body for Incoming {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        this.polled = true;
        let Some(inner) = this.inner.as_mut().filter(|_| !this.failed) else {
            return Poll::Ready(None);
        };
        match Pin::new(inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                this.ended = frame.is_none();
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
        self.failed || self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |b| b.size_hint())
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

/// An error answered before the request body was read closes the connection (once the rest
/// of the body has been drained, see the module's notes); saying so lets the client drop it
/// instead of sending its next request down a connection that is closing.
pub fn close_if_unread(resp: &mut hyper::Response<crate::Body>, has_body: bool) {
    if has_body {
        resp.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
}
