//! SigV4 cross-checked against an independent signer, AWS's own `aws-sigv4` crate (configured
//! as the AWS SDK's S3 client configures it: single percent-encoding, no path normalization,
//! `x-amz-content-sha256` signed):
//!
//! - what `aws-sigv4` signs, in the header or as a presigned URL, verifies with Strata's
//!   `s3::auth::authenticate`, and stops verifying once a signed part is changed;
//! - what Strata's client signer (`sign::s3_authorization`) writes for a request is exactly the
//!   `Authorization` header `aws-sigv4` writes for it.

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_smithy_runtime_api::client::identity::Identity;
use http::{HeaderValue, Method, Request};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use strata_wire::Credentials;
use strata_wire::request::RequestParts;
use strata_wire::s3::auth::{AuthError, EMPTY_SHA256_HEX, UNSIGNED_PAYLOAD, authenticate};
use strata_wire::sign::s3_authorization;

const ACCESS_KEY: &str = "AKIDSTRATACROSSCHECK";
const SECRET_KEY: &str = "cross/check+Secret0123456789abcdefghijKL";
const REGION: &str = "eu-west-3";

/// 2026-03-14T15:09:26Z.
fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_773_500_966)
}

const AMZ_DATE: &str = "20260314T150926Z";

fn credentials() -> Credentials {
    Credentials {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
    }
}

/// One request to sign: method, target as sent, headers (besides `host`), payload hash.
struct Case {
    method: Method,
    target: &'static str,
    headers: &'static [(&'static str, &'static str)],
    payload: &'static str,
}

const HELLO_SHA256: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

fn cases() -> Vec<Case> {
    vec![
        Case {
            method: Method::GET,
            target: "/",
            headers: &[],
            payload: EMPTY_SHA256_HEX,
        },
        Case {
            method: Method::GET,
            target: "/bucket/photos/2026/a.jpg",
            headers: &[("range", "bytes=0-9")],
            payload: EMPTY_SHA256_HEX,
        },
        Case {
            method: Method::PUT,
            target: "/bucket/dir/a%20b%2Bc%24d~e%C3%BC%3D%26.txt",
            headers: &[
                ("content-type", "text/plain"),
                // Runs of spaces only: for a tab the SDKs differ (botocore collapses it like a
                // space, as Strata does; aws-sigv4 keeps it).
                ("x-amz-meta-note", "  three   blank  runs   inside "),
                ("x-amz-storage-class", "STANDARD"),
            ],
            payload: HELLO_SHA256,
        },
        Case {
            method: Method::PUT,
            target: "/bucket/big.bin",
            headers: &[("content-length", "10485760")],
            payload: UNSIGNED_PAYLOAD,
        },
        Case {
            method: Method::GET,
            target: "/bucket?list-type=2&prefix=a%2Fb%20c&delimiter=%2F&encoding-type=url\
                     &start-after=%E2%82%AC",
            headers: &[],
            payload: EMPTY_SHA256_HEX,
        },
        Case {
            method: Method::GET,
            target: "/bucket?versioning",
            headers: &[],
            payload: EMPTY_SHA256_HEX,
        },
        Case {
            method: Method::POST,
            target: "/bucket?delete=",
            headers: &[
                ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
                ("content-type", "application/xml"),
            ],
            payload: HELLO_SHA256,
        },
        Case {
            method: Method::GET,
            target: "/bucket?versions&key-marker=k%2B1&version-id-marker=&max-keys=1000",
            headers: &[("x-amz-expected-bucket-owner", "owner-1")],
            payload: EMPTY_SHA256_HEX,
        },
        Case {
            method: Method::PUT,
            target: "/bucket/copy?partNumber=3&uploadId=2~abc.def_ghi-jkl",
            headers: &[
                ("x-amz-copy-source", "/src/key%20one?versionId=v1"),
                ("x-amz-copy-source-range", "bytes=0-1048575"),
            ],
            payload: EMPTY_SHA256_HEX,
        },
    ]
}

/// The request as `aws-sigv4` sees it: the headers of `case`, `host`, and (for header
/// signatures) the date and payload headers the client sends.
fn http_request(case: &Case) -> Request<()> {
    let mut builder = Request::builder()
        .method(case.method.clone())
        .uri(format!("http://127.0.0.1:9000{}", case.target))
        .header("host", "127.0.0.1:9000");
    for (name, value) in case.headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

/// Signs `request` with `aws-sigv4`, in the header or the query.
fn aws_sign(request: &mut Request<()>, payload: &str, location: SignatureLocation) {
    let identity: Identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.signature_location = location;
    if location == SignatureLocation::Headers {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    } else {
        settings.expires_in = Some(Duration::from_secs(3600));
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("s3")
        .time(signed_at())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = request.uri().to_string();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
        .collect();
    let body = if payload == UNSIGNED_PAYLOAD {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Precomputed(payload.to_owned())
    };
    let signable =
        SignableRequest::new(request.method().as_str(), uri, headers.into_iter(), body).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(request);
}

/// What the server builds from the request.
fn parts(request: &Request<()>) -> RequestParts {
    let target: http::Uri = request
        .uri()
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    RequestParts::new(
        request.method().clone(),
        &target,
        request.headers().clone(),
        &[],
    )
    .unwrap()
}

#[test]
fn header_signatures_of_aws_sigv4_verify() {
    for case in cases() {
        let mut request = http_request(&case);
        aws_sign(&mut request, case.payload, SignatureLocation::Headers);
        let parts = parts(&request);
        let authed = authenticate(
            &parts,
            &credentials(),
            signed_at() + Duration::from_secs(60),
        )
        .unwrap_or_else(|e| panic!("{} {}: {e:?}", case.method, case.target));
        assert_eq!(authed.access_key, ACCESS_KEY);

        // Any signed part changed, and the signature no longer matches.
        let mut tampered = parts.clone();
        tampered
            .headers
            .insert("host", HeaderValue::from_static("127.0.0.1:9001"));
        assert!(
            matches!(
                authenticate(&tampered, &credentials(), signed_at()),
                Err(AuthError::SignatureDoesNotMatch { .. })
            ),
            "{}",
            case.target
        );
    }
}

#[test]
fn presigned_urls_of_aws_sigv4_verify() {
    for case in cases() {
        let mut request = http_request(&case);
        aws_sign(
            &mut request,
            UNSIGNED_PAYLOAD,
            SignatureLocation::QueryParams,
        );
        assert!(request.uri().query().unwrap().contains("X-Amz-Signature="));
        let parts = parts(&request);
        let authed = authenticate(
            &parts,
            &credentials(),
            signed_at() + Duration::from_secs(600),
        )
        .unwrap_or_else(|e| panic!("{} {}: {e:?}", case.method, case.target));
        assert_eq!(authed.access_key, ACCESS_KEY);
        assert!(matches!(
            authenticate(
                &parts,
                &credentials(),
                signed_at() + Duration::from_secs(3601)
            ),
            Err(AuthError::Expired)
        ));

        let mut tampered = parts.clone();
        tampered.method = Method::DELETE;
        assert!(matches!(
            authenticate(&tampered, &credentials(), signed_at()),
            Err(AuthError::SignatureDoesNotMatch { .. })
        ));
    }
}

#[test]
fn the_client_signer_writes_what_aws_sigv4_writes() {
    for case in cases() {
        let mut request = http_request(&case);
        // The headers the client adds before it signs.
        let headers = request.headers_mut();
        headers.insert("x-amz-date", HeaderValue::from_static(AMZ_DATE));
        headers.insert(
            "x-amz-content-sha256",
            HeaderValue::from_static(case.payload),
        );
        let ours = s3_authorization(
            &parts(&request),
            &credentials(),
            REGION,
            AMZ_DATE,
            case.payload,
        );

        aws_sign(&mut request, case.payload, SignatureLocation::Headers);
        let theirs = request.headers()["authorization"].to_str().unwrap();
        assert_eq!(ours, theirs, "{} {}", case.method, case.target);
    }
}
