use super::*;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use sha2::{Digest as _, Sha256};
use std::time::Duration;
use std::time::UNIX_EPOCH;

/// The AWS documentation's example key pair.
pub(super) fn aws_creds() -> Credentials {
    Credentials {
        access_key: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    }
}

/// s3-tests' main user, which the botocore vectors below are signed with.
pub(super) fn s3tests_creds() -> Credentials {
    Credentials {
        access_key: "0555b35654ad1656d804".into(),
        secret_key: "h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==".into(),
    }
}

pub(super) fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
}

/// 2013-05-24T00:00:00Z, the time of every AWS documentation example.
pub(super) const AWS_EXAMPLE_TIME: i64 = 1_369_353_600;
/// 2026-11-21T13:20:05Z, the time the botocore vectors were signed at.
pub(super) const BOTO_TIME: i64 = 1_795_267_205;

/// Authenticates `parts` with the AWS example key pair at the AWS examples' time.
pub(super) fn aws_auth(parts: &RequestParts) -> Result<Authenticated, AuthError> {
    authenticate(parts, &aws_creds(), at(AWS_EXAMPLE_TIME))
}

pub(super) fn is_query_error(result: Result<Authenticated, AuthError>) -> bool {
    matches!(result, Err(AuthError::AuthorizationQueryParametersError(_)))
}

/// A request as the front door would split it (`target` is path and query as sent).
pub(super) fn request(method: Method, target: &str, headers: &[(&str, &str)]) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    RequestParts::new(method, &target.parse().unwrap(), map, &[]).unwrap()
}

pub(super) fn set_header(parts: &mut RequestParts, name: &'static str, value: &str) {
    parts
        .headers
        .insert(name, HeaderValue::from_str(value).unwrap());
}

/// Signs `parts` (header auth) with `creds` for `region`, at `timestamp`.
pub(super) fn sign_header(
    parts: &mut RequestParts,
    creds: &Credentials,
    timestamp: &str,
    signed: &str,
) {
    let payload = parts.header("x-amz-content-sha256").unwrap().to_owned();
    let canonical = canonical_request(parts, signed, &payload, false);
    let scope = format!("{}/us-east-1/s3/aws4_request", &timestamp[..8]);
    let key = signing_key(&creds.secret_key, &timestamp[..8], "us-east-1", "s3");
    let signature = sign(&key, &string_to_sign(timestamp, &scope, &canonical));
    set_header(
        parts,
        "authorization",
        &format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, \
             Signature={signature}",
            creds.access_key
        ),
    );
}

// --- AWS documentation: "Signature Calculations for the Authorization Header: Transferring
// Payload in a Single Chunk" ---

pub(super) fn aws_get_object(signature: &str) -> RequestParts {
    request(
        Method::GET,
        "/test.txt",
        &[
            ("host", "examplebucket.s3.amazonaws.com"),
            ("range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY_SHA256_HEX),
            ("x-amz-date", "20130524T000000Z"),
            (
                "authorization",
                &format!(
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                     aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
                     Signature={signature}"
                ),
            ),
        ],
    )
}

pub(super) const AWS_GET_OBJECT_SIGNATURE: &str =
    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

#[test]
fn aws_example_get_object_with_range() {
    let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    assert!(is_sigv4(&parts));
    let canonical = canonical_request(
        &parts,
        "host;range;x-amz-content-sha256;x-amz-date",
        EMPTY_SHA256_HEX,
        false,
    );
    assert_eq!(
        canonical,
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        string_to_sign(
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            &canonical
        ),
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
         7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    let auth = aws_auth(&parts).unwrap();
    assert_eq!(
        auth,
        Authenticated {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            payload: Payload::Sha256(Sha256::digest(b"").into()),
            signing: None,
        }
    );
}

#[test]
fn aws_example_put_object_signs_date_and_storage_class() {
    let body = b"Welcome to Amazon S3.";
    for path in ["/test%24file.text", "/test$file.text"] {
        let parts = request(
            Method::PUT,
            path,
            &[
                ("host", "examplebucket.s3.amazonaws.com"),
                ("date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                (
                    "x-amz-content-sha256",
                    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
                ),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                     aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;\
                     x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
                ),
            ],
        );
        assert_eq!(canonical_uri(&parts.raw_path), "/test%24file.text");
        let auth = aws_auth(&parts).unwrap();
        assert_eq!(auth.payload, Payload::Sha256(Sha256::digest(body).into()));
    }
}

/// A GET of `target` on the examples' bucket, signed over `host`, `x-amz-content-sha256` and
/// `x-amz-date` with `signature`.
fn aws_bucket_get(target: &str, signature: &str) -> RequestParts {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature={signature}"
    );
    request(
        Method::GET,
        target,
        &[
            ("host", "examplebucket.s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", EMPTY_SHA256_HEX),
            ("authorization", &authorization),
        ],
    )
}

#[test]
fn aws_example_get_bucket_lifecycle_signs_a_valueless_parameter_as_name_equals() {
    let parts = aws_bucket_get(
        "/?lifecycle",
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    );
    assert_eq!(canonical_query(&parts.query, false), "lifecycle=");
    aws_auth(&parts).unwrap();
}

#[test]
fn aws_example_list_objects_sorts_the_query() {
    let parts = aws_bucket_get(
        "/?prefix=J&max-keys=2",
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
    assert_eq!(canonical_query(&parts.query, false), "max-keys=2&prefix=J");
    aws_auth(&parts).unwrap();
}

// --- AWS documentation: "Authenticating Requests: Using Query Parameters" ---

pub(super) const AWS_PRESIGNED: &str = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\
    AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z\
    &X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=\
    aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

pub(super) fn aws_presigned(target: &str) -> RequestParts {
    request(
        Method::GET,
        target,
        &[("host", "examplebucket.s3.amazonaws.com")],
    )
}

#[test]
fn aws_example_presigned_get() {
    let parts = aws_presigned(AWS_PRESIGNED);
    assert!(is_sigv4(&parts));
    assert_eq!(
        canonical_query(&parts.query, true),
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F\
         us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&\
         X-Amz-SignedHeaders=host"
    );
    let auth = authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 3600)).unwrap();
    assert_eq!(auth.payload, Payload::Unsigned);
    assert_eq!(auth.signing, None);
}

#[test]
fn presigned_url_expires_after_date_plus_expires() {
    let parts = aws_presigned(AWS_PRESIGNED);
    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 86400)).unwrap();
    assert_eq!(
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + 86401)),
        Err(AuthError::Expired)
    );
    // Signed well in the future of the server's clock.
    authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME - 900)).unwrap();
    assert_eq!(
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME - 901)),
        Err(AuthError::NotYetValid)
    );
}

#[test]
fn presigned_expires_outside_one_second_to_a_week_is_refused() {
    for expires in ["0", "604801", "-1", "ten", "99999999999999999999999"] {
        let target =
            AWS_PRESIGNED.replace("X-Amz-Expires=86400", &format!("X-Amz-Expires={expires}"));
        let parts = aws_presigned(&target);
        assert!(is_query_error(aws_auth(&parts)), "{expires}");
    }
    let week = AWS_PRESIGNED.replace("X-Amz-Expires=86400", "X-Amz-Expires=604800");
    // Well-formed, so it gets as far as the signature (which covers X-Amz-Expires).
    assert!(matches!(
        aws_auth(&aws_presigned(&week)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn presigned_without_a_parameter_or_with_another_algorithm_is_refused() {
    for param in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ] {
        let mut parts = aws_presigned(AWS_PRESIGNED);
        parts.query.retain(|(k, _)| k != param);
        assert!(is_query_error(aws_auth(&parts)), "{param}");
    }
    let target = AWS_PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
    assert!(is_query_error(aws_auth(&aws_presigned(&target))));
}

#[test]
fn presigned_with_a_tampered_parameter_does_not_match() {
    let target = format!("{AWS_PRESIGNED}&versionId=null");
    let err = aws_auth(&aws_presigned(&target));
    assert!(
        matches!(&err, Err(AuthError::SignatureDoesNotMatch { canonical_request, .. })
            if canonical_request.contains("&versionId=null\n")),
        "{err:?}"
    );
}

#[test]
fn presigned_and_header_auth_together_are_refused() {
    let mut parts = aws_presigned(AWS_PRESIGNED);
    let header = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    parts.headers = header.headers;
    assert!(is_query_error(aws_auth(&parts)));
}

// --- AWS documentation: chunked uploads (seed signatures) ---

pub(super) fn aws_chunked_put(
    content_sha256: &str,
    extra: &[(&str, &str)],
    authorization: &str,
) -> RequestParts {
    let mut headers = vec![
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", content_sha256),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("authorization", authorization),
    ];
    headers.extend_from_slice(extra);
    request(Method::PUT, "/examplebucket/chunkObject.txt", &headers)
}

/// The request of "Signature Calculations for the Authorization Header: Transferring Payload
/// in Multiple Chunks".
pub(super) fn aws_chunked_example() -> RequestParts {
    aws_chunked_put(
        STREAMING_SIGNED,
        &[("content-length", "66824")],
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
         x-amz-decoded-content-length;x-amz-storage-class,\
         Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    )
}

/// The request of "Signature calculations for trailing headers (chunked uploads)".
pub(super) fn aws_chunked_trailer_example() -> RequestParts {
    aws_chunked_put(
        STREAMING_SIGNED_TRAILER,
        &[("x-amz-trailer", "x-amz-checksum-crc32c")],
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;\
         x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,\
         Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    )
}

#[test]
fn aws_example_chunked_upload_seed_signature() {
    let auth = aws_auth(&aws_chunked_example()).unwrap();
    assert_eq!(auth.payload, Payload::StreamingSigned);
    let signing = auth.signing.unwrap();
    assert_eq!(
        signing.seed_signature,
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    );
    assert_eq!(signing.scope, "20130524/us-east-1/s3/aws4_request");
    assert_eq!(signing.amz_date, "20130524T000000Z");
    assert_eq!(
        signing.signing_key,
        signing_key(&aws_creds().secret_key, "20130524", "us-east-1", "s3")
    );
    assert!(!format!("{signing:?}").contains("signing_key: ["));
}

#[test]
fn aws_example_chunked_upload_with_trailer_seed_signature() {
    let auth = aws_auth(&aws_chunked_trailer_example()).unwrap();
    assert_eq!(auth.payload, Payload::StreamingSignedTrailer);
    assert_eq!(
        auth.signing.unwrap().seed_signature,
        "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    );
}

#[test]
fn unsigned_trailer_payload_needs_no_chunk_signing() {
    let mut parts = request(
        Method::PUT,
        "/b/k",
        &[
            ("host", "localhost:9000"),
            ("x-amz-date", "20261121T132005Z"),
            ("x-amz-content-sha256", STREAMING_UNSIGNED_TRAILER),
            ("x-amz-trailer", "x-amz-checksum-crc32"),
        ],
    );
    let creds = s3tests_creds();
    sign_header(
        &mut parts,
        &creds,
        "20261121T132005Z",
        "host;x-amz-content-sha256;x-amz-date;x-amz-trailer",
    );
    let auth = authenticate(&parts, &creds, at(BOTO_TIME)).unwrap();
    assert_eq!(auth.payload, Payload::StreamingUnsignedTrailer);
    assert!(auth.payload.is_streaming());
    assert_eq!(auth.signing, None);
}

// --- botocore 1.44.5 (S3SigV4Auth / S3SigV4QueryAuth at 2026-11-21T13:20:05Z) ---

#[test]
fn botocore_put_with_an_awkward_key_and_blank_runs_in_a_header() {
    let parts = request(
        Method::PUT,
        "/bkt/dir/a%20b%2Bc%25d~%C3%BC%281%29%2A%21%27.txt",
        &[
            ("host", "127.0.0.1:9000"),
            ("content-type", "text/plain"),
            ("x-amz-meta-note", "  two   spaces  here "),
            ("x-amz-checksum-crc32", "NhCmhg=="),
            ("x-amz-date", "20261121T132005Z"),
            (
                "x-amz-content-sha256",
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            ),
            ("content-length", "5"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/us-east-1/s3/\
                 aws4_request, SignedHeaders=content-type;host;x-amz-checksum-crc32;\
                 x-amz-content-sha256;x-amz-date;x-amz-meta-note, \
                 Signature=82ad3149d748be1bf0eded3bcbbe49521990b860eb3771bb223263946b055f82",
            ),
        ],
    );
    assert_eq!(parts.key.as_deref(), Some("dir/a b+c%d~ü(1)*!'.txt"));
    assert!(
        canonical_headers(&parts, "x-amz-meta-note").contains("x-amz-meta-note:two spaces here\n")
    );
    let auth = authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
    assert_eq!(
        auth.payload,
        Payload::Sha256(Sha256::digest(b"hello").into())
    );
}

#[test]
fn botocore_list_objects_v2_in_another_region() {
    let parts = request(
        Method::GET,
        "/bkt?list-type=2&prefix=a%20b%2Bc&delimiter=%2F&encoding-type=url&fetch-owner",
        &[
            ("host", "127.0.0.1:9000"),
            ("x-amz-date", "20261121T132005Z"),
            ("x-amz-content-sha256", EMPTY_SHA256_HEX),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/eu-west-3/s3/\
                 aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                 Signature=e80b06bfccbc5e3b3f16c9464b2663440857a95d58578894cb233bc2d380dd32",
            ),
        ],
    );
    assert_eq!(
        canonical_query(&parts.query, false),
        "delimiter=%2F&encoding-type=url&fetch-owner=&list-type=2&prefix=a%20b%2Bc"
    );
    authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
}

#[test]
fn botocore_date_header_without_x_amz_date() {
    let parts = request(
        Method::GET,
        "/bkt?versioning",
        &[
            ("host", "localhost:9000"),
            ("date", "Sat, 21 Nov 2026 13:20:05 -0000"),
            ("x-amz-content-sha256", EMPTY_SHA256_HEX),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=0555b35654ad1656d804/20261121/us-east-1/s3/\
                 aws4_request, SignedHeaders=date;host;x-amz-content-sha256, \
                 Signature=996ac94f062252afe4e8544c3f929bac659cd3dc60d16077fd50ed5d325a44d8",
            ),
        ],
    );
    authenticate(&parts, &s3tests_creds(), at(BOTO_TIME)).unwrap();
    assert_eq!(
        authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 901)),
        Err(AuthError::RequestTimeTooSkewed)
    );
    // The string to sign carries the date as yyyymmddThhmmssZ whichever way Date spells it.
    let mut gmt = request(
        Method::GET,
        "/bkt?versioning",
        &[
            ("host", "localhost:9000"),
            ("date", "Sat, 21 Nov 2026 13:20:05 GMT"),
            ("x-amz-content-sha256", EMPTY_SHA256_HEX),
        ],
    );
    sign_header(
        &mut gmt,
        &s3tests_creds(),
        "20261121T132005Z",
        "date;host;x-amz-content-sha256",
    );
    authenticate(&gmt, &s3tests_creds(), at(BOTO_TIME)).unwrap();
}

#[test]
fn botocore_presigned_get_of_a_key_with_a_space() {
    let parts = request(
        Method::GET,
        "/bkt/a%20key/%C3%BC.txt?versionId=null&X-Amz-Algorithm=AWS4-HMAC-SHA256&\
         X-Amz-Credential=0555b35654ad1656d804%2F20261121%2Fus-east-1%2Fs3%2Faws4_request&\
         X-Amz-Date=20261121T132005Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&\
         X-Amz-Signature=acfde8fd8dd4dd26ee3876fd9381cfeec4404a2677cb94465a1fad966bae186e",
        &[("host", "127.0.0.1:9000")],
    );
    let auth = authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 3600)).unwrap();
    assert_eq!(auth.access_key, "0555b35654ad1656d804");
    assert_eq!(
        authenticate(&parts, &s3tests_creds(), at(BOTO_TIME + 3601)),
        Err(AuthError::Expired)
    );
}

// --- Canonical forms ---

#[test]
fn canonical_uri_reencodes_without_double_encoding() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("/bkt/"), "/bkt/");
    assert_eq!(canonical_uri("/bkt/a b"), "/bkt/a%20b");
    assert_eq!(canonical_uri("/bkt/a%20b"), "/bkt/a%20b");
    assert_eq!(canonical_uri("/bkt/a%2fb"), "/bkt/a%2Fb");
    assert_eq!(canonical_uri("/bkt/a//b"), "/bkt/a//b");
    assert_eq!(canonical_uri("/bkt/%7e~+"), "/bkt/~~%2B");
    assert_eq!(canonical_uri("/bkt/%C3%BC%FF"), "/bkt/%C3%BC%FF");
    assert_eq!(canonical_uri("/bkt/_ "), "/bkt/_%20");
}

#[test]
fn canonical_headers_join_repeats_and_read_latin1() {
    let mut parts = request(Method::GET, "/", &[("x-a", " 1 "), ("x-a", "2\t\t3")]);
    parts.headers.insert(
        "x-amz-meta-name",
        HeaderValue::from_bytes(b"M\xfcller").unwrap(),
    );
    assert_eq!(
        canonical_headers(&parts, "X-A;x-amz-meta-name;x-missing"),
        "x-a:1,2 3\nx-amz-meta-name:Müller\nx-missing:\n"
    );
}
