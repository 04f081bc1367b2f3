//! A body that counts the bytes of its data frames as they pass, for the byte counters of
//! `/metrics`. Hand-written rather than `http_body_util`'s `map_frame`, which forgets the
//! inner body's size hint (a request body's exact length, which the handlers read).

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

/// Where the counted bytes go.
#[derive(Debug)]
pub enum Tally {
    /// A shared count, read once the request has been answered (its dialect is known only
    /// then).
    Shared(Arc<AtomicU64>),
    /// A metrics counter.
    Counter(metrics::Counter),
}

impl Tally {
    fn add(&self, n: u64) {
        match self {
            Tally::Shared(count) => {
                count.fetch_add(n, Ordering::Relaxed);
            }
            Tally::Counter(counter) => counter.increment(n),
        }
    }
}

/// `inner`, with the length of every data frame added to its [`Tally`].
#[derive(Debug)]
pub struct Counted<B> {
    inner: B,
    tally: Tally,
}

impl<B> Counted<B> {
    pub fn new(inner: B, tally: Tally) -> Counted<B> {
        Counted { inner, tally }
    }
}

impl<B: Body<Data = Bytes> + Unpin> Body for Counted<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.tally.add(data.len() as u64);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full, StreamBody};

    #[tokio::test]
    async fn counts_every_data_frame_and_keeps_the_size_hint() {
        let count = Arc::new(AtomicU64::new(0));
        let body = Counted::new(
            Full::new(Bytes::from_static(b"hello")),
            Tally::Shared(count.clone()),
        );
        assert_eq!(body.size_hint().exact(), Some(5));
        let got = body.collect().await.unwrap().to_bytes();
        assert_eq!(&got[..], b"hello");
        assert_eq!(count.load(Ordering::Relaxed), 5);

        let frames = vec![
            Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from_static(b"abc"))),
            Ok(Frame::data(Bytes::from_static(b"defg"))),
            Ok(Frame::trailers(hyper::HeaderMap::new())),
        ];
        let count = Arc::new(AtomicU64::new(0));
        let body = Counted::new(
            StreamBody::new(futures_util::stream::iter(frames)),
            Tally::Shared(count.clone()),
        );
        body.collect().await.unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 7);
    }
}
