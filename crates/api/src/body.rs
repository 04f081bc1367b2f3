//! Request bodies: streamed into the core, or read whole with a bound for small XML/JSON
//! bodies.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http_body_util::{BodyExt, BodyStream, Limited};
use hyper::body::Incoming;
use std::io;

/// The body as the stream of data chunks the core takes.
pub fn stream(body: Incoming) -> impl Stream<Item = io::Result<Bytes>> + Send + Unpin {
    BodyStream::new(body).filter_map(|frame| {
        futures_util::future::ready(match frame {
            Ok(f) => f.into_data().ok().map(Ok),
            Err(e) => Some(Err(io::Error::other(e))),
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
        Err(e) => Err(ReadError::Io(io::Error::other(e))),
    }
}
