use super::*;
use crate::Credentials;
use crate::request::RequestParts;
use crate::s3::auth::{authenticate, signing_key};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::task::Waker;
use std::time::{Duration, UNIX_EPOCH};

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const CHUNK_SIGNATURES: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
const TRAILER_SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const TRAILER_CHUNK_SIGNATURES: [&str; 3] = [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
const TRAILER_SIGNATURE_VALUE: &str =
    "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
const DECODED_LENGTH: u64 = 65536 + 1024;

/// The signing data of the AWS documentation's examples.
fn aws_signing(seed: &str) -> ChunkSigning {
    ChunkSigning {
        signing_key: signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20130524",
            "us-east-1",
            "s3",
        ),
        scope: "20130524/us-east-1/s3/aws4_request".into(),
        amz_date: "20130524T000000Z".into(),
        seed_signature: seed.into(),
    }
}

fn aws_data() -> Vec<u8> {
    vec![b'a'; 65536 + 1024]
}

/// Three chunks of 65536, 1024 and 0 bytes of `a`, signed with `signatures`; `tail` follows
/// the final chunk's header.
fn aws_body(signatures: [&str; 3], tail: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(format!("10000;chunk-signature={}\r\n", signatures[0]).as_bytes());
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(format!("\r\n400;chunk-signature={}\r\n", signatures[1]).as_bytes());
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(format!("\r\n0;chunk-signature={}\r\n", signatures[2]).as_bytes());
    body.extend_from_slice(tail.as_bytes());
    body
}

/// "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
/// Chunks".
fn aws_chunked_body() -> Vec<u8> {
    aws_body(CHUNK_SIGNATURES, "\r\n")
}

/// "Signature calculations for trailing headers (chunked uploads)".
fn aws_trailer_body() -> Vec<u8> {
    aws_body(
        TRAILER_CHUNK_SIGNATURES,
        &format!(
            "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIGNATURE_VALUE}\r\n\r\n"
        ),
    )
}

/// What boto3 1.44 sends for `hello` with a CRC32 trailer.
const BOTO_UNSIGNED_TRAILER: &[u8] = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";

type Outcome = (Vec<u8>, Result<Vec<(String, String)>, io::Error>);

/// Runs a decoder over `pieces` (polling with a no-op waker: the inputs here are always
/// ready or wake at once) and returns the data and the trailers or the error.
fn drain<S>(mut stream: AwsChunked<S>) -> Outcome
where
    S: Stream<Item = io::Result<Bytes>> + Unpin,
{
    let trailers = stream.trailers();
    let mut cx = Context::from_waker(Waker::noop());
    let mut data = Vec::new();
    for _ in 0..10_000_000 {
        match Pin::new(&mut stream).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                assert!(!bytes.is_empty(), "no empty data items");
                data.extend_from_slice(&bytes);
            }
            Poll::Ready(Some(Err(e))) => {
                assert!(
                    matches!(Pin::new(&mut stream).poll_next(&mut cx), Poll::Ready(None)),
                    "the stream ends after an error"
                );
                assert_eq!(trailers.get(), None, "no trailers after an error");
                return (data, Err(e));
            }
            Poll::Ready(None) => {
                let got = trailers.get().expect("trailers are published at the end");
                return (data, Ok(got));
            }
            Poll::Pending => {}
        }
    }
    panic!("the decoder did not finish");
}

fn decode(mode: Mode, declared: Option<u64>, pieces: Vec<Bytes>) -> Outcome {
    let input = futures_util::stream::iter(pieces.into_iter().map(Ok));
    drain(AwsChunked::new(input, mode, declared))
}

fn whole(body: &[u8]) -> Vec<Bytes> {
    vec![Bytes::copy_from_slice(body)]
}

fn bytewise(body: &[u8]) -> Vec<Bytes> {
    body.iter().map(|b| Bytes::copy_from_slice(&[*b])).collect()
}

/// Splits `body` at pseudo-random places (empty pieces included), reproducibly.
fn random_split(body: &[u8], seed: u64, max_piece: usize) -> Vec<Bytes> {
    let mut state = seed | 1;
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = usize::try_from(state % (max_piece as u64 + 1))
            .unwrap()
            .min(rest.len());
        pieces.push(Bytes::copy_from_slice(&rest[..n]));
        rest = &rest[n..];
    }
    pieces
}

fn error_of(outcome: &Outcome) -> &ChunkedError {
    let e = outcome.1.as_ref().expect_err("the body must be refused");
    let chunked = chunked_error(e).unwrap_or_else(|| panic!("not a ChunkedError: {e:?}"));
    assert_eq!(e.kind(), chunked.kind());
    chunked
}

// --- The AWS examples ---

#[test]
fn aws_chunked_example_decodes_and_its_signatures_verify() {
    let body = aws_chunked_body();
    assert_eq!(body.len(), 66824, "the example's Content-Length");
    let (data, trailers) = decode(
        Mode::Signed(aws_signing(SEED)),
        Some(DECODED_LENGTH),
        whole(&body),
    );
    assert_eq!(data, aws_data());
    assert_eq!(trailers.unwrap(), vec![]);
}

#[test]
fn aws_chunk_signatures_are_the_documented_ones() {
    let signing = aws_signing(SEED);
    let first = sign_chunk(&signing, SEED, &Sha256::digest([b'a'; 65536]).into());
    assert_eq!(first, CHUNK_SIGNATURES[0]);
    let second = sign_chunk(&signing, &first, &Sha256::digest([b'a'; 1024]).into());
    assert_eq!(second, CHUNK_SIGNATURES[1]);
    let last = sign_chunk(&signing, &second, &Sha256::digest(b"").into());
    assert_eq!(last, CHUNK_SIGNATURES[2]);
}

#[test]
fn aws_chunked_example_decodes_end_to_end_from_the_request() {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", auth::STREAMING_SIGNED),
        ("content-encoding", "aws-chunked"),
        ("content-length", "66824"),
        ("x-amz-decoded-content-length", "66560"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
             aws4_request,SignedHeaders=content-encoding;content-length;host;\
             x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,\
             Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        ),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    let parts = RequestParts::new(
        Method::PUT,
        &"/examplebucket/chunkObject.txt".parse().unwrap(),
        headers,
        &[],
    )
    .unwrap();
    let creds = Credentials {
        access_key: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
    let auth = authenticate(&parts, &creds, now).unwrap();
    let mode = Mode::for_request(&auth).unwrap();
    assert_eq!(mode, Mode::Signed(aws_signing(SEED)));
    let (data, trailers) = decode(mode, Some(DECODED_LENGTH), whole(&aws_chunked_body()));
    assert_eq!(data, aws_data());
    assert_eq!(trailers.unwrap(), vec![]);
}

#[test]
fn aws_chunked_example_fed_one_byte_at_a_time() {
    let (data, trailers) = decode(
        Mode::Signed(aws_signing(SEED)),
        Some(DECODED_LENGTH),
        bytewise(&aws_chunked_body()),
    );
    assert_eq!(data, aws_data());
    assert_eq!(trailers.unwrap(), vec![]);
}

#[test]
fn aws_chunked_example_fed_in_random_splits() {
    let body = aws_chunked_body();
    for seed in 1..=40 {
        let max_piece = [3, 17, 100, 4096, 70_000][usize::try_from(seed % 5).unwrap()];
        let (data, trailers) = decode(
            Mode::Signed(aws_signing(SEED)),
            Some(DECODED_LENGTH),
            random_split(&body, seed, max_piece),
        );
        assert_eq!(data, aws_data(), "seed {seed}");
        assert_eq!(trailers.unwrap(), vec![], "seed {seed}");
    }
}

#[test]
fn aws_trailer_example_decodes_and_its_trailer_signature_verifies() {
    let signing = aws_signing(TRAILER_SEED);
    let expected = vec![("x-amz-checksum-crc32c".to_owned(), "sOO8/Q==".to_owned())];
    assert_eq!(
        sign_trailer(&signing, TRAILER_CHUNK_SIGNATURES[2], &expected),
        TRAILER_SIGNATURE_VALUE
    );
    let body = aws_trailer_body();
    for pieces in [whole(&body), bytewise(&body), random_split(&body, 7, 1000)] {
        let (data, trailers) = decode(
            Mode::SignedTrailer(signing.clone()),
            Some(DECODED_LENGTH),
            pieces,
        );
        assert_eq!(data, aws_data());
        assert_eq!(trailers.unwrap(), expected);
    }
}

#[test]
fn trailers_after_a_blank_line_or_without_the_final_blank_line_are_accepted() {
    let signing = aws_signing(TRAILER_SEED);
    let trailer_lines = format!(
        "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIGNATURE_VALUE}\r\n"
    );
    for tail in [
        format!("\r\n{trailer_lines}\r\n"),
        format!("\r\n{trailer_lines}"),
        trailer_lines.clone(),
    ] {
        let body = aws_body(TRAILER_CHUNK_SIGNATURES, &tail);
        let outcome = decode(Mode::SignedTrailer(signing.clone()), None, whole(&body));
        assert_eq!(outcome.0, aws_data(), "{tail:?}");
        let trailers = outcome.1.unwrap();
        assert_eq!(trailers[0].1, "sOO8/Q==", "{tail:?}");
    }
}

#[test]
fn boto3_unsigned_trailer_body_yields_data_and_crc32_trailer() {
    for pieces in [
        whole(BOTO_UNSIGNED_TRAILER),
        bytewise(BOTO_UNSIGNED_TRAILER),
    ] {
        let input = futures_util::stream::iter(pieces.into_iter().map(Ok));
        let stream = AwsChunked::new(input, Mode::UnsignedTrailer, Some(5));
        let handle = stream.trailers();
        assert_eq!(handle.get(), None, "nothing before the end");
        let (data, trailers) = drain(stream);
        assert_eq!(data, b"hello");
        assert_eq!(
            trailers.unwrap(),
            vec![("x-amz-checksum-crc32".to_owned(), "NhCmhg==".to_owned())]
        );
        assert_eq!(
            handle.value("x-amz-checksum-crc32").as_deref(),
            Some("NhCmhg==")
        );
    }
}

#[test]
fn unsigned_bodies_may_be_empty_or_have_no_trailers() {
    let (data, trailers) = decode(
        Mode::UnsignedTrailer,
        Some(0),
        whole(b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"),
    );
    assert!(data.is_empty());
    assert_eq!(trailers.unwrap().len(), 1);
    let (data, trailers) = decode(Mode::UnsignedTrailer, None, whole(b"3\r\nabc\r\n0\r\n\r\n"));
    assert_eq!(data, b"abc");
    assert_eq!(trailers.unwrap(), vec![]);
}

#[test]
fn input_that_is_not_ready_is_waited_for() {
    /// Answers `Pending` (waking at once) before every piece.
    struct Hesitant {
        pieces: std::vec::IntoIter<Bytes>,
        ready: bool,
    }
    impl Stream for Hesitant {
        type Item = io::Result<Bytes>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if !self.ready {
                self.ready = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.ready = false;
            Poll::Ready(self.pieces.next().map(Ok))
        }
    }
    let input = Hesitant {
        pieces: random_split(&aws_chunked_body(), 3, 500).into_iter(),
        ready: false,
    };
    let (data, trailers) = drain(AwsChunked::new(
        input,
        Mode::Signed(aws_signing(SEED)),
        Some(DECODED_LENGTH),
    ));
    assert_eq!(data, aws_data());
    assert_eq!(trailers.unwrap(), vec![]);
}

// --- Refusals ---

#[test]
fn tampered_chunk_signature_is_refused_at_the_end_of_its_chunk() {
    for index in 0..3 {
        let mut signatures = CHUNK_SIGNATURES.map(str::to_owned);
        let flipped = if signatures[index].starts_with('0') {
            "1"
        } else {
            "0"
        };
        signatures[index].replace_range(0..1, flipped);
        let body = aws_body(signatures.each_ref().map(String::as_str), "\r\n");
        let outcome = decode(Mode::Signed(aws_signing(SEED)), None, whole(&body));
        assert_eq!(
            error_of(&outcome),
            &ChunkedError::ChunkSignatureDoesNotMatch,
            "chunk {index}"
        );
        assert_eq!(
            outcome.1.as_ref().unwrap_err().kind(),
            io::ErrorKind::PermissionDenied
        );
        // Fed whole, the refused chunk's data never comes out: only the chunks before it.
        let verified = [0, 65536, 66560][index];
        assert_eq!(outcome.0.len(), verified, "chunk {index}");
    }
}

#[test]
fn tampered_chunk_data_or_wrong_seed_is_refused() {
    let mut body = aws_chunked_body();
    body[1000] = b'b';
    let outcome = decode(Mode::Signed(aws_signing(SEED)), None, whole(&body));
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::ChunkSignatureDoesNotMatch
    );
    let outcome = decode(
        Mode::Signed(aws_signing(TRAILER_SEED)),
        None,
        whole(&aws_chunked_body()),
    );
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::ChunkSignatureDoesNotMatch
    );
}

#[test]
fn tampered_or_missing_trailer_signature_is_refused() {
    let signing = aws_signing(TRAILER_SEED);
    let body = String::from_utf8(aws_trailer_body()).unwrap();
    let other_value = body.replace("sOO8/Q==", "sOO8/A==");
    let outcome = decode(
        Mode::SignedTrailer(signing.clone()),
        None,
        whole(other_value.as_bytes()),
    );
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::TrailerSignatureDoesNotMatch
    );
    let other_signature = body.replace(TRAILER_SIGNATURE_VALUE, &"0".repeat(64));
    let outcome = decode(
        Mode::SignedTrailer(signing.clone()),
        None,
        whole(other_signature.as_bytes()),
    );
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::TrailerSignatureDoesNotMatch
    );
    let unsigned = body.replace(
        &format!("x-amz-trailer-signature:{TRAILER_SIGNATURE_VALUE}\r\n"),
        "",
    );
    let outcome = decode(
        Mode::SignedTrailer(signing),
        None,
        whole(unsigned.as_bytes()),
    );
    assert!(matches!(error_of(&outcome), ChunkedError::Malformed(_)));
}

#[test]
fn truncated_bodies_are_refused() {
    let body = aws_chunked_body();
    let mut cuts = vec![0, 1, 5, 87, 88, 89, 1000, 65_624, 65_625, 65_626];
    cuts.extend(body.len() - 300..body.len());
    for cut in cuts {
        let outcome = decode(
            Mode::Signed(aws_signing(SEED)),
            Some(DECODED_LENGTH),
            random_split(&body[..cut], u64::try_from(cut).unwrap(), 5000),
        );
        let error = error_of(&outcome);
        assert!(
            matches!(
                error,
                ChunkedError::Truncated | ChunkedError::ChunkSignatureDoesNotMatch
            ),
            "cut at {cut}: {error:?}"
        );
    }
    let outcome = decode(
        Mode::Signed(aws_signing(SEED)),
        None,
        whole(&body[..10_000]),
    );
    assert_eq!(error_of(&outcome), &ChunkedError::Truncated);
    assert_eq!(
        outcome.1.as_ref().unwrap_err().kind(),
        io::ErrorKind::UnexpectedEof
    );
    // Every cut of the small unsigned body but the one that only loses the final blank line.
    let body = BOTO_UNSIGNED_TRAILER;
    for cut in (0..body.len()).filter(|&cut| cut != body.len() - 2) {
        let outcome = decode(Mode::UnsignedTrailer, None, whole(&body[..cut]));
        assert!(outcome.1.is_err(), "cut at {cut}");
    }
}

#[test]
fn oversized_lines_are_refused_without_buffering_them() {
    let endless = vec![b'1'; 1 << 20];
    for pieces in [whole(&endless), random_split(&endless, 5, 300)] {
        let outcome = decode(Mode::UnsignedTrailer, None, pieces);
        assert_eq!(error_of(&outcome), &ChunkedError::LineTooLong);
    }
    // Up to MAX_LINE bytes with the CRLF is fine; one more is not.
    let header = |len: usize| format!("5;{}\r\nhello\r\n0\r\n\r\n", "x".repeat(len - 4));
    let (data, trailers) = decode(
        Mode::UnsignedTrailer,
        None,
        whole(header(MAX_LINE).as_bytes()),
    );
    assert_eq!(
        (data.as_slice(), trailers.unwrap()),
        (&b"hello"[..], vec![])
    );
    let outcome = decode(
        Mode::UnsignedTrailer,
        None,
        whole(header(MAX_LINE + 1).as_bytes()),
    );
    assert_eq!(error_of(&outcome), &ChunkedError::LineTooLong);
    let long_trailer = format!("0\r\nx-amz-meta-a:{}\r\n\r\n", "v".repeat(MAX_LINE));
    let outcome = decode(Mode::UnsignedTrailer, None, whole(long_trailer.as_bytes()));
    assert_eq!(error_of(&outcome), &ChunkedError::LineTooLong);
    let many: String = (0..=MAX_TRAILERS)
        .map(|i| format!("x-amz-meta-{i}:v\r\n"))
        .collect();
    let outcome = decode(
        Mode::UnsignedTrailer,
        None,
        whole(format!("0\r\n{many}\r\n").as_bytes()),
    );
    assert!(matches!(error_of(&outcome), ChunkedError::Malformed(_)));
}

#[test]
fn decoded_length_must_match_x_amz_decoded_content_length() {
    let body = aws_chunked_body();
    let outcome = decode(
        Mode::Signed(aws_signing(SEED)),
        Some(DECODED_LENGTH + 1),
        whole(&body),
    );
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::LengthMismatch {
            declared: DECODED_LENGTH + 1,
            actual: DECODED_LENGTH
        }
    );
    let outcome = decode(
        Mode::Signed(aws_signing(SEED)),
        Some(DECODED_LENGTH - 1),
        whole(&body),
    );
    assert_eq!(
        error_of(&outcome),
        &ChunkedError::LengthMismatch {
            declared: DECODED_LENGTH - 1,
            actual: DECODED_LENGTH
        }
    );
    assert_eq!(
        outcome.0.len(),
        65536,
        "refused at the second chunk's header"
    );
    let outcome = decode(Mode::UnsignedTrailer, Some(4), whole(BOTO_UNSIGNED_TRAILER));
    assert!(matches!(
        error_of(&outcome),
        ChunkedError::LengthMismatch { .. }
    ));
    assert!(outcome.0.is_empty());
}

#[test]
fn bad_framing_is_malformed() {
    let signed = || Mode::Signed(aws_signing(SEED));
    let cases: Vec<(Mode, &[u8])> = vec![
        (Mode::UnsignedTrailer, b"g\r\nhello\r\n0\r\n\r\n"),
        (Mode::UnsignedTrailer, b"\r\n"),
        (Mode::UnsignedTrailer, b"-5\r\nhello\r\n0\r\n\r\n"),
        (Mode::UnsignedTrailer, b"11111111111111111\r\n"),
        (Mode::UnsignedTrailer, b"5\r\nhelloX\r\n0\r\n\r\n"),
        (Mode::UnsignedTrailer, b"5\nhello\r\n0\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\nno colon\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\n:empty-name\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\nx-amz-trailer-signature:abc\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\n\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\n\r\nx\r\n\r\n"),
        (Mode::UnsignedTrailer, b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\nmore"),
        (signed(), b"5\r\nhello\r\n0\r\n\r\n"),
        (signed(), b"5;chunk-signature=abc\r\nhello\r\n"),
        (signed(), b"5;chunk-signatur=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"),
    ];
    for (mode, body) in cases {
        let outcome = decode(mode, None, whole(body));
        assert!(
            matches!(error_of(&outcome), ChunkedError::Malformed(_)),
            "{:?}: {:?}",
            String::from_utf8_lossy(body),
            outcome.1
        );
        assert_eq!(outcome.1.unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
    // Trailers where the mode has none.
    let body = aws_body(CHUNK_SIGNATURES, "x-amz-checksum-crc32:AAAAAA==\r\n\r\n");
    let outcome = decode(Mode::Signed(aws_signing(SEED)), None, whole(&body));
    assert!(matches!(error_of(&outcome), ChunkedError::Malformed(_)));
}

#[test]
fn empty_body_is_truncated() {
    let outcome = decode(Mode::UnsignedTrailer, None, vec![]);
    assert_eq!(error_of(&outcome), &ChunkedError::Truncated);
    let outcome = decode(
        Mode::UnsignedTrailer,
        None,
        vec![Bytes::new(), Bytes::new()],
    );
    assert_eq!(error_of(&outcome), &ChunkedError::Truncated);
}

#[test]
fn input_errors_pass_through_unchanged() {
    let pieces = vec![
        Ok(Bytes::from_static(b"5\r\nhel")),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "peer went away",
        )),
        Ok(Bytes::from_static(b"lo\r\n0\r\n\r\n")),
    ];
    let (data, result) = drain(AwsChunked::new(
        futures_util::stream::iter(pieces),
        Mode::UnsignedTrailer,
        None,
    ));
    assert_eq!(data, b"hel");
    let e = result.unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
    assert!(chunked_error(&e).is_none());
}

#[test]
fn mode_follows_the_authenticated_payload() {
    let signing = aws_signing(SEED);
    let auth = |payload, signing: Option<ChunkSigning>| Authenticated {
        access_key: "ak".into(),
        payload,
        signing,
    };
    assert_eq!(
        Mode::for_request(&auth(Payload::StreamingSigned, Some(signing.clone()))),
        Some(Mode::Signed(signing.clone()))
    );
    assert_eq!(
        Mode::for_request(&auth(
            Payload::StreamingSignedTrailer,
            Some(signing.clone())
        )),
        Some(Mode::SignedTrailer(signing))
    );
    assert_eq!(
        Mode::for_request(&auth(Payload::StreamingUnsignedTrailer, None)),
        Some(Mode::UnsignedTrailer)
    );
    assert_eq!(Mode::for_request(&auth(Payload::Unsigned, None)), None);
    assert_eq!(
        Mode::for_request(&auth(Payload::Sha256([0; 32]), None)),
        None
    );
    assert_eq!(
        Mode::for_request(&auth(Payload::StreamingSigned, None)),
        None
    );
}
