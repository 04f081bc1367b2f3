//! `aws-chunked` request bodies (`Content-Encoding: aws-chunked`, `x-amz-content-sha256:
//! STREAMING-…`): a stream adapter that strips the framing, checks chunk and trailer signatures,
//! and yields only the object's bytes.
//!
//! Wire format, for each chunk and then a final empty one:
//!
//! ```text
//! <hex size>;chunk-signature=<hex>\r\n<data>\r\n      (signed modes)
//! <hex size>\r\n<data>\r\n                            (STREAMING-UNSIGNED-PAYLOAD-TRAILER)
//! 0;chunk-signature=<hex>\r\n   or   0\r\n
//! [<name>:<value>\r\n …] [x-amz-trailer-signature:<hex>\r\n]
//! \r\n
//! ```
//!
//! A chunk's signature is HMAC-SHA256(signing key, `AWS4-HMAC-SHA256-PAYLOAD\n<amz date>\n<scope>
//! \n<previous signature>\n<sha256("")>\n<sha256(chunk data)>`), chained from the request's own
//! signature (the seed). The trailer signature is HMAC-SHA256(signing key,
//! `AWS4-HMAC-SHA256-TRAILER\n<amz date>\n<scope>\n<final chunk's signature>\n<sha256(trailers)>`)
//! where the hashed trailers are `<name>:<value>\n` for each trailer line but the signature, in
//! wire order (the AWS SDKs send them sorted); both reproduce AWS's documented examples.
//!
//! Two leniencies: a blank line between the final chunk's header and the trailers (how some
//! transcriptions of the AWS documentation's trailer example have it), and a missing final
//! `\r\n` after complete trailer lines. Anything after the end is refused.
//!
//! Data is passed through as it arrives: a chunk's bytes are yielded *before* its signature can
//! be checked at the chunk's end. The body is good only when the stream ends (`None`) without
//! having yielded an error; a handler must discard everything it wrote on any `Err`. The
//! trailers are published (see [`Trailers`]) at that successful end.
//!
//! Errors are `io::Error`s wrapping a [`ChunkedError`] (see [`chunked_error`]); errors from the
//! input stream are passed through unchanged. After an error the stream ends.

use super::auth::{self, Authenticated, ChunkSigning, EMPTY_SHA256_HEX, Payload};
use bytes::{Buf as _, Bytes};
use futures_util::Stream;
use sha2::{Digest as _, Sha256};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

/// The longest chunk header or trailer line, `\r\n` included.
pub const MAX_LINE: usize = 4096;
/// The most trailer lines (the signature included) a body may carry.
pub const MAX_TRAILERS: usize = 16;

const PAYLOAD_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// How a body is framed and signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailers.
    Signed(ChunkSigning),
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks, signed trailers.
    SignedTrailer(ChunkSigning),
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: no signatures, trailers.
    UnsignedTrailer,
}

impl Mode {
    /// The framing an authenticated request announced; `None` when its body is not
    /// `aws-chunked` (or, which `auth` never produces, a signed mode without its signing data).
    pub fn for_request(auth: &Authenticated) -> Option<Mode> {
        match (auth.payload, &auth.signing) {
            (Payload::StreamingSigned, Some(signing)) => Some(Mode::Signed(signing.clone())),
            (Payload::StreamingSignedTrailer, Some(signing)) => {
                Some(Mode::SignedTrailer(signing.clone()))
            }
            (Payload::StreamingUnsignedTrailer, _) => Some(Mode::UnsignedTrailer),
            _ => None,
        }
    }

    fn signing(&self) -> Option<&ChunkSigning> {
        match self {
            Mode::Signed(signing) | Mode::SignedTrailer(signing) => Some(signing),
            Mode::UnsignedTrailer => None,
        }
    }
}

/// Why an `aws-chunked` body was refused. Carried inside the `io::Error`s the stream yields,
/// with the [`io::ErrorKind`] given by [`ChunkedError::kind`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChunkedError {
    /// Bad framing: a size that is not hex, a missing `chunk-signature`, data longer than its
    /// chunk, a trailer that is not `name:value`, bytes after the end… (`InvalidData`)
    #[error("malformed aws-chunked body: {0}")]
    Malformed(String),
    /// A chunk header or trailer line longer than [`MAX_LINE`]. (`InvalidData`)
    #[error("aws-chunked line longer than {MAX_LINE} bytes")]
    LineTooLong,
    /// A chunk's signature is not the one its data and the chain call for.
    /// (`PermissionDenied`)
    #[error("aws-chunked chunk signature does not match")]
    ChunkSignatureDoesNotMatch,
    /// The trailer signature is not the one the trailers call for. (`PermissionDenied`)
    #[error("aws-chunked trailer signature does not match")]
    TrailerSignatureDoesNotMatch,
    /// The body ended before its final chunk (or in the middle of a line). (`UnexpectedEof`)
    #[error("aws-chunked body ended early")]
    Truncated,
    /// The chunks add up to something else than `x-amz-decoded-content-length`; `actual` is
    /// what they added up to when the difference was seen (a lower bound when too long).
    /// (`InvalidData`)
    #[error("aws-chunked body is {actual} bytes, x-amz-decoded-content-length says {declared}")]
    LengthMismatch { declared: u64, actual: u64 },
}

impl ChunkedError {
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            ChunkedError::Malformed(_)
            | ChunkedError::LineTooLong
            | ChunkedError::LengthMismatch { .. } => io::ErrorKind::InvalidData,
            ChunkedError::ChunkSignatureDoesNotMatch
            | ChunkedError::TrailerSignatureDoesNotMatch => io::ErrorKind::PermissionDenied,
            ChunkedError::Truncated => io::ErrorKind::UnexpectedEof,
        }
    }
}

impl From<ChunkedError> for io::Error {
    fn from(e: ChunkedError) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

/// The [`ChunkedError`] inside an error the stream yielded; `None` for errors of the input.
pub fn chunked_error(e: &io::Error) -> Option<&ChunkedError> {
    e.get_ref()?.downcast_ref()
}

/// Trailer lines as `(name, value)`.
pub type TrailerList = Vec<(String, String)>;

/// The trailers of a body, shared between the stream and the handler.
#[derive(Clone, Debug, Default)]
pub struct Trailers(Arc<Mutex<Option<TrailerList>>>);

impl Trailers {
    /// The trailers in wire order, names lower-cased, values trimmed, without
    /// `x-amz-trailer-signature` (already verified). `None` until the stream has ended without
    /// error; `Some(vec![])` for a body without trailers.
    pub fn get(&self) -> Option<Vec<(String, String)>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// One trailer's value (`name` lower-case), once the stream has ended without error.
    pub fn value(&self, name: &str) -> Option<String> {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .as_ref()?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn set(&self, trailers: Vec<(String, String)>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(trailers);
    }
}

/// The signature of one chunk: `previous` is the seed signature for the first chunk, then the
/// signature of the chunk before.
pub fn sign_chunk(signing: &ChunkSigning, previous: &str, data_sha256: &[u8; 32]) -> String {
    let string_to_sign = format!(
        "{PAYLOAD_ALGORITHM}\n{}\n{}\n{previous}\n{EMPTY_SHA256_HEX}\n{}",
        signing.amz_date,
        signing.scope,
        crate::sigutil::hex_lower(data_sha256)
    );
    auth::sign(&signing.signing_key, &string_to_sign)
}

/// The signature of the trailers (`x-amz-trailer-signature`); `previous` is the final (empty)
/// chunk's signature.
pub fn sign_trailer(
    signing: &ChunkSigning,
    previous: &str,
    trailers: &[(String, String)],
) -> String {
    let canonical: String = trailers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let string_to_sign = format!(
        "{TRAILER_ALGORITHM}\n{}\n{}\n{previous}\n{}",
        signing.amz_date,
        signing.scope,
        crate::sigutil::hex_lower(&Sha256::digest(canonical.as_bytes()))
    );
    auth::sign(&signing.signing_key, &string_to_sign)
}

/// Decodes an `aws-chunked` body read from `input`, however the input is split.
pub struct AwsChunked<S> {
    input: S,
    /// Input not yet decoded.
    pending: Bytes,
    decoder: Decoder,
    trailers: Trailers,
    /// Ended (successfully or not): yields nothing more.
    finished: bool,
}

impl<S> AwsChunked<S>
where
    S: Stream<Item = io::Result<Bytes>> + Unpin,
{
    /// `decoded_length` is `x-amz-decoded-content-length` when the request sent one; the
    /// chunks must then add up to exactly that.
    pub fn new(input: S, mode: Mode, decoded_length: Option<u64>) -> AwsChunked<S> {
        let previous_signature = mode
            .signing()
            .map(|s| s.seed_signature.clone())
            .unwrap_or_default();
        AwsChunked {
            input,
            pending: Bytes::new(),
            decoder: Decoder {
                mode,
                declared: decoded_length,
                decoded: 0,
                state: State::ChunkHeader,
                line: Vec::new(),
                previous_signature,
                trailers: Vec::new(),
                trailer_signature: None,
            },
            trailers: Trailers::default(),
            finished: false,
        }
    }

    /// A handle on the trailers, filled in when the body has been read to its end.
    pub fn trailers(&self) -> Trailers {
        self.trailers.clone()
    }

    fn fail(&mut self, error: io::Error) -> Poll<Option<io::Result<Bytes>>> {
        self.finished = true;
        self.pending = Bytes::new();
        Poll::Ready(Some(Err(error)))
    }
}

impl<S> Stream for AwsChunked<S>
where
    S: Stream<Item = io::Result<Bytes>> + Unpin,
{
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            if !this.pending.is_empty() {
                match this.decoder.feed(&mut this.pending) {
                    Ok(Some(data)) => return Poll::Ready(Some(Ok(data))),
                    Ok(None) => {}
                    Err(e) => return this.fail(e.into()),
                }
            }
            match ready!(Pin::new(&mut this.input).poll_next(cx)) {
                Some(Ok(bytes)) => this.pending = bytes,
                Some(Err(e)) => return this.fail(e),
                None => {
                    return match this.decoder.finish() {
                        Ok(trailers) => {
                            this.finished = true;
                            this.trailers.set(trailers);
                            Poll::Ready(None)
                        }
                        Err(e) => this.fail(e.into()),
                    };
                }
            }
        }
    }
}

enum State {
    /// Reading `<hex size>[;chunk-signature=<sig>]`.
    ChunkHeader,
    /// Passing a chunk's data through.
    ChunkData {
        remaining: u64,
        /// The signature the chunk header announced (signed modes).
        signature: Option<String>,
        hasher: Option<Sha256>,
    },
    /// Reading the `\r\n` after a chunk's data.
    ChunkEnd,
    /// After the final (empty) chunk's header: a blank line or the first trailer.
    AfterFinalChunk,
    /// After a blank line following the final chunk: the end, unless trailers follow.
    AfterBlank,
    /// Reading trailer lines up to a blank line.
    Trailers,
    Done,
}

/// The framing state machine, without I/O.
struct Decoder {
    mode: Mode,
    declared: Option<u64>,
    /// The sum of the chunk sizes announced so far.
    decoded: u64,
    state: State,
    /// The part of a line read so far (without its end).
    line: Vec<u8>,
    /// The seed, then each verified chunk's signature (signed modes).
    previous_signature: String,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
}

impl Decoder {
    /// Consumes `input` until it is empty (`Ok(None)`) or some data is ready.
    fn feed(&mut self, input: &mut Bytes) -> Result<Option<Bytes>, ChunkedError> {
        while !input.is_empty() {
            if let State::ChunkData {
                remaining, hasher, ..
            } = &mut self.state
            {
                let n = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
                let data = input.split_to(n);
                *remaining -= n as u64;
                if let Some(hasher) = hasher {
                    hasher.update(&data);
                }
                if *remaining == 0 {
                    self.end_chunk_data()?;
                }
                return Ok(Some(data));
            }
            if matches!(self.state, State::Done) {
                return Err(malformed("bytes after the end of the body"));
            }
            if let Some(line) = self.take_line(input)? {
                let result = self.on_line(&line);
                self.recycle_line(line);
                result?;
            }
        }
        Ok(None)
    }

    /// The input has ended: the trailers when the body was complete.
    fn finish(&mut self) -> Result<Vec<(String, String)>, ChunkedError> {
        if !self.line.is_empty() {
            return Err(ChunkedError::Truncated);
        }
        match self.state {
            State::Done | State::AfterBlank => {}
            // Tolerated: no blank line after the trailers.
            State::Trailers => self.finish_trailers()?,
            _ => return Err(ChunkedError::Truncated),
        }
        self.state = State::Done;
        Ok(std::mem::take(&mut self.trailers))
    }

    /// A whole line (without its `\r\n`) when `input` completes one; otherwise keeps the part.
    fn take_line(&mut self, input: &mut Bytes) -> Result<Option<Vec<u8>>, ChunkedError> {
        let Some(end) = input.iter().position(|&b| b == b'\n') else {
            if self.line.len() + input.len() > MAX_LINE {
                return Err(ChunkedError::LineTooLong);
            }
            self.line.extend_from_slice(input);
            input.advance(input.len());
            return Ok(None);
        };
        if self.line.len() + end + 1 > MAX_LINE {
            return Err(ChunkedError::LineTooLong);
        }
        self.line.extend_from_slice(&input[..end]);
        input.advance(end + 1);
        let mut line = std::mem::take(&mut self.line);
        if line.pop() != Some(b'\r') {
            return Err(malformed("a line does not end with CRLF"));
        }
        Ok(Some(line))
    }

    /// Gives a line's buffer back for the next line.
    fn recycle_line(&mut self, mut line: Vec<u8>) {
        line.clear();
        self.line = line;
    }

    fn on_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        match self.state {
            State::ChunkHeader => self.on_chunk_header(line),
            State::ChunkEnd if line.is_empty() => {
                self.state = State::ChunkHeader;
                Ok(())
            }
            State::ChunkEnd => Err(malformed(
                "chunk data is not followed by CRLF (longer than its size?)",
            )),
            State::AfterFinalChunk if line.is_empty() => {
                self.state = State::AfterBlank;
                Ok(())
            }
            State::AfterBlank if line.is_empty() => {
                Err(malformed("a second blank line after the final chunk"))
            }
            State::AfterFinalChunk | State::AfterBlank => {
                self.state = State::Trailers;
                self.on_trailer(line)
            }
            State::Trailers if line.is_empty() => self.finish_trailers(),
            State::Trailers => self.on_trailer(line),
            State::ChunkData { .. } | State::Done => Err(malformed("unexpected line")),
        }
    }

    fn on_chunk_header(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let line = std::str::from_utf8(line).map_err(|_| malformed("chunk header is not text"))?;
        let (size, extensions) = match line.split_once(';') {
            Some((size, extensions)) => (size, Some(extensions)),
            None => (line, None),
        };
        let size = parse_hex_size(size)
            .ok_or_else(|| malformed(format!("chunk size {size:?} is not hexadecimal")))?;
        let signature = match self.mode {
            Mode::Signed(_) | Mode::SignedTrailer(_) => {
                let signature = extensions
                    .and_then(|e| e.strip_prefix("chunk-signature="))
                    .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| malformed("chunk header has no valid chunk-signature"))?;
                Some(signature.to_owned())
            }
            // Extensions, if any, mean nothing without signatures.
            Mode::UnsignedTrailer => None,
        };
        self.decoded = self
            .decoded
            .checked_add(size)
            .ok_or_else(|| malformed("chunk sizes overflow"))?;
        if let Some(declared) = self.declared {
            let final_short = size == 0 && self.decoded < declared;
            if self.decoded > declared || final_short {
                return Err(ChunkedError::LengthMismatch {
                    declared,
                    actual: self.decoded,
                });
            }
        }
        if size == 0 {
            self.verify_chunk(signature.as_deref(), &Sha256::digest(b"").into())?;
            self.state = State::AfterFinalChunk;
        } else {
            self.state = State::ChunkData {
                remaining: size,
                hasher: signature.as_ref().map(|_| Sha256::new()),
                signature,
            };
        }
        Ok(())
    }

    fn end_chunk_data(&mut self) -> Result<(), ChunkedError> {
        if let State::ChunkData {
            signature, hasher, ..
        } = std::mem::replace(&mut self.state, State::ChunkEnd)
        {
            let digest: [u8; 32] = hasher.map(|h| h.finalize().into()).unwrap_or_default();
            self.verify_chunk(signature.as_deref(), &digest)?;
        }
        Ok(())
    }

    /// Checks a chunk's signature (signed modes) and moves the chain on.
    fn verify_chunk(
        &mut self,
        provided: Option<&str>,
        data_sha256: &[u8; 32],
    ) -> Result<(), ChunkedError> {
        let Some(signing) = self.mode.signing() else {
            return Ok(());
        };
        let expected = sign_chunk(signing, &self.previous_signature, data_sha256);
        if !auth::signatures_match(&expected, provided.unwrap_or_default()) {
            return Err(ChunkedError::ChunkSignatureDoesNotMatch);
        }
        self.previous_signature = expected;
        Ok(())
    }

    fn on_trailer(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        if self.trailers.len() + usize::from(self.trailer_signature.is_some()) >= MAX_TRAILERS {
            return Err(malformed("too many trailers"));
        }
        let line = std::str::from_utf8(line).map_err(|_| malformed("a trailer is not UTF-8"))?;
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed("a trailer is not name:value"))?;
        let name = name.trim().to_ascii_lowercase();
        let valid_name = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
        if name.is_empty() || !name.bytes().all(valid_name) {
            return Err(malformed(format!(
                "trailer name {name:?} is not a header name"
            )));
        }
        let value = value.trim().to_owned();
        if self.trailer_signature.is_some() {
            return Err(malformed("a trailer after x-amz-trailer-signature"));
        }
        match (&self.mode, name == TRAILER_SIGNATURE) {
            (Mode::SignedTrailer(_), true) => self.trailer_signature = Some(value),
            (_, true) => return Err(malformed("x-amz-trailer-signature without signed trailers")),
            (Mode::Signed(_), false) => {
                return Err(malformed(
                    "trailers in a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body",
                ));
            }
            (_, false) => self.trailers.push((name, value)),
        }
        Ok(())
    }

    /// The trailer section is over: checks its signature (signed trailers).
    fn finish_trailers(&mut self) -> Result<(), ChunkedError> {
        if let Mode::SignedTrailer(signing) = &self.mode {
            let provided = self
                .trailer_signature
                .as_deref()
                .ok_or_else(|| malformed("signed trailers without x-amz-trailer-signature"))?;
            let expected = sign_trailer(signing, &self.previous_signature, &self.trailers);
            if !auth::signatures_match(&expected, provided) {
                return Err(ChunkedError::TrailerSignatureDoesNotMatch);
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

/// 1 to 16 hex digits.
fn parse_hex_size(size: &str) -> Option<u64> {
    if size.is_empty() || size.len() > 16 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(size, 16).ok()
}

fn malformed(message: impl Into<String>) -> ChunkedError {
    ChunkedError::Malformed(message.into())
}

#[cfg(test)]
#[path = "chunked_tests.rs"]
mod tests;
