//! Which `x-amz-*` headers a SigV4 signature must cover, and presigned URLs dated in the future.

use super::tests::*;
use super::*;
use http::{HeaderName, HeaderValue, Method};

const AMZ_DATE: &str = "20130524T000000Z";

fn add(parts: &mut RequestParts, name: &'static str, value: &str) {
    parts
        .headers
        .append(name, HeaderValue::from_str(value).unwrap());
}

/// A header-signed PUT whose `SignedHeaders` is `signed`, with `headers` (plus `host`,
/// `x-amz-date` and `x-amz-content-sha256: UNSIGNED-PAYLOAD`).
fn header_signed(signed: &str, headers: &[(&str, &str)]) -> RequestParts {
    let mut all = vec![
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-date", AMZ_DATE),
        ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
    ];
    all.extend_from_slice(headers);
    let mut parts = request(Method::PUT, "/dst", &all);
    sign_header(&mut parts, &aws_creds(), AMZ_DATE, signed);
    parts
}

/// The AWS documentation's presigned GET (signed over `host`).
fn presigned() -> RequestParts {
    aws_presigned(AWS_PRESIGNED)
}

fn not_signed(names: &[&str]) -> Result<Authenticated, AuthError> {
    Err(AuthError::HeadersNotSigned(
        names.iter().map(|n| (*n).to_owned()).collect(),
    ))
}

#[test]
fn presigned_url_with_an_added_amz_header_is_refused() {
    aws_auth(&presigned()).unwrap();
    for name in [
        "x-amz-copy-source",
        "x-amz-metadata-directive",
        "x-amz-meta-owner",
        // Signed as query parameters in a presigned URL, never as headers.
        "x-amz-date",
        "x-amz-security-token",
    ] {
        let mut parts = presigned();
        parts.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static("/src/secret"),
        );
        assert_eq!(aws_auth(&parts), not_signed(&[name]), "{name}");
    }
}

#[test]
fn unsigned_headers_are_listed_sorted_once_and_refused_before_the_signature() {
    let mut parts = presigned();
    add(&mut parts, "x-amz-meta-b", "1");
    add(&mut parts, "x-amz-meta-b", "2");
    add(&mut parts, "x-amz-copy-source", "/src/secret");
    parts.query.retain(|(k, _)| k != "X-Amz-Signature");
    parts.query.push(("X-Amz-Signature".into(), "00".into()));
    let err = aws_auth(&parts).unwrap_err();
    assert_eq!(
        err,
        AuthError::HeadersNotSigned(vec!["x-amz-copy-source".into(), "x-amz-meta-b".into()])
    );
}

#[test]
fn presigned_url_keeps_a_payload_hash_header_it_signed_with() {
    // The header's value is the canonical request's payload hash: covered by the signature.
    let mut parts = presigned();
    add(&mut parts, "x-amz-content-sha256", UNSIGNED_PAYLOAD);
    aws_auth(&parts).unwrap();
    // Another value changes the canonical request.
    let mut parts = presigned();
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert!(matches!(
        aws_auth(&parts),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
    // With X-Amz-Content-Sha256 in the query, a header saying something else is not covered.
    let mut parts = presigned();
    parts
        .query
        .push(("X-Amz-Content-Sha256".into(), UNSIGNED_PAYLOAD.into()));
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert_eq!(aws_auth(&parts), not_signed(&["x-amz-content-sha256"]));
}

#[test]
fn header_auth_must_sign_every_amz_header_but_the_date_and_payload_hash() {
    let all = "host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner";
    let parts = header_signed(all, &[("x-amz-meta-owner", "alice")]);
    aws_auth(&parts).unwrap();
    // x-amz-date is the string to sign's timestamp and x-amz-content-sha256 its payload hash.
    aws_auth(&header_signed("host", &[])).unwrap();
    let parts = header_signed(
        "host;x-amz-content-sha256;x-amz-date",
        &[("x-amz-meta-owner", "a")],
    );
    assert_eq!(aws_auth(&parts), not_signed(&["x-amz-meta-owner"]));
    let mut parts = header_signed(all, &[("x-amz-meta-owner", "alice")]);
    add(&mut parts, "x-amz-copy-source", "/src/secret");
    add(&mut parts, "x-amz-storage-class", "STANDARD");
    assert_eq!(
        aws_auth(&parts),
        not_signed(&["x-amz-copy-source", "x-amz-storage-class"])
    );
}

#[test]
fn header_auth_exemptions_hold_only_for_the_values_signed() {
    // A second x-amz-date (or payload hash) is not the one in the string to sign.
    let mut parts = header_signed("host", &[]);
    add(&mut parts, "x-amz-date", "20130525T000000Z");
    assert_eq!(aws_auth(&parts), not_signed(&["x-amz-date"]));
    let mut parts = header_signed("host", &[]);
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert_eq!(aws_auth(&parts), not_signed(&["x-amz-content-sha256"]));
    // Signed names are matched case-insensitively.
    let parts = header_signed("Host;X-Amz-Meta-Owner", &[("x-amz-meta-owner", "alice")]);
    aws_auth(&parts).unwrap();
}

#[test]
fn presigned_url_dated_more_than_15_minutes_ahead_is_not_yet_valid() {
    authenticate(&presigned(), &aws_creds(), at(AWS_EXAMPLE_TIME - 900)).unwrap();
    assert_eq!(
        authenticate(&presigned(), &aws_creds(), at(AWS_EXAMPLE_TIME - 901)),
        Err(AuthError::NotYetValid)
    );
    assert_eq!(
        AuthError::NotYetValid.to_string(),
        "Request is not yet valid"
    );
}
