//! The `aws-chunked` decoder (`strata_wire::s3::chunked::AwsChunked`) over fuzzed bytes in
//! fuzzed splits. How the input is split must not change the outcome: the decoded bytes and
//! whether (and how) it failed are the same as for the input in one piece.
#![no_main]

use bytes::Bytes;
use futures_util::{Stream, stream};
use libfuzzer_sys::fuzz_target;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use strata_wire::s3::auth::ChunkSigning;
use strata_wire::s3::chunked::{AwsChunked, Mode, chunked_error};

fn mode(selector: u8) -> Mode {
    let signing = ChunkSigning {
        signing_key: [7; 32],
        scope: "20260101/us-east-1/s3/aws4_request".into(),
        amz_date: "20260101T000000Z".into(),
        seed_signature: "0".repeat(64),
    };
    match selector % 3 {
        0 => Mode::UnsignedTrailer,
        1 => Mode::Signed(signing),
        _ => Mode::SignedTrailer(signing),
    }
}

/// The decoded data, and `Ok(trailers)` or the error's description.
type Outcome = (Vec<u8>, Result<Vec<(String, String)>, String>);

fn decode(pieces: Vec<Bytes>, mode: Mode, declared: Option<u64>) -> Outcome {
    let input = stream::iter(pieces.into_iter().map(Ok::<_, io::Error>));
    let mut body = AwsChunked::new(input, mode, declared);
    let trailers = body.trailers();
    let mut cx = Context::from_waker(Waker::noop());
    let mut data = Vec::new();
    loop {
        match Pin::new(&mut body).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(bytes))) => data.extend_from_slice(&bytes),
            Poll::Ready(Some(Err(e))) => {
                let what = chunked_error(&e)
                    .map(|c| format!("{c:?}"))
                    .unwrap_or_else(|| e.to_string());
                // After an error the stream ends.
                assert!(matches!(
                    Pin::new(&mut body).poll_next(&mut cx),
                    Poll::Ready(None)
                ));
                return (data, Err(what));
            }
            Poll::Ready(None) => {
                let t = trailers
                    .get()
                    .expect("trailers are published at a clean end");
                return (data, Ok(t));
            }
            Poll::Pending => unreachable!("an iterator stream is always ready"),
        }
    }
}

fn variant(e: &str) -> &str {
    e.split(['(', ' ', '{']).next().unwrap_or(e)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (control, body) = data.split_at(4);
    let mode_sel = control[0];
    let declared = (control[1] & 1 == 1).then_some(u64::from(control[2]) * 7);
    // Split points from a small PRNG seeded by the control bytes.
    let mut seed = u32::from(control[3]) | (u32::from(control[2]) << 8) | 1;
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = 1 + (seed as usize % rest.len().min(64));
        pieces.push(Bytes::copy_from_slice(&rest[..n]));
        rest = &rest[n..];
    }
    let whole = decode(vec![Bytes::copy_from_slice(body)], mode(mode_sel), declared);
    let split = decode(pieces, mode(mode_sel), declared);
    match (&whole.1, &split.1) {
        (Ok(_), Ok(_)) => assert_eq!(whole, split, "the split changed the decoded body"),
        // The variant, not its fields: a length mismatch reports what had been seen so far.
        (Err(a), Err(b)) => assert_eq!(variant(a), variant(b), "the split changed the error"),
        _ => panic!(
            "the split changed the outcome: {:?} vs {:?}",
            whole.1, split.1
        ),
    }
    if let (Ok(_), Some(n)) = (&whole.1, declared) {
        assert_eq!(
            whole.0.len() as u64,
            n,
            "a clean end has exactly the declared length"
        );
    }
});
