//! Which `x-amz-*` headers a SigV4 signature must cover, and presigned URLs dated in the future.

use super::*;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::time::{Duration, UNIX_EPOCH};

fn creds() -> Credentials {
    Credentials {
        access_key: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    }
}

/// 2013-05-24T00:00:00Z.
const TIME: i64 = 1_369_353_600;
const AMZ_DATE: &str = "20130524T000000Z";

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
}

fn request(method: Method, target: &str, headers: &[(&str, &str)]) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    RequestParts::new(method, &target.parse().unwrap(), map, &[]).unwrap()
}

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
    let canonical = canonical_request(&parts, signed, UNSIGNED_PAYLOAD, false);
    let scope = "20130524/us-east-1/s3/aws4_request";
    let key = signing_key(&creds().secret_key, "20130524", "us-east-1", "s3");
    let signature = sign(&key, &string_to_sign(AMZ_DATE, scope, &canonical));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
        creds().access_key
    );
    add(&mut parts, "authorization", &authorization);
    parts
}

/// The AWS documentation's presigned GET (signed over `host`).
fn presigned() -> RequestParts {
    request(
        Method::GET,
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F\
         20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400\
         &X-Amz-SignedHeaders=host&X-Amz-Signature=\
         aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        &[("host", "examplebucket.s3.amazonaws.com")],
    )
}

fn not_signed(names: &[&str]) -> Result<Authenticated, AuthError> {
    Err(AuthError::HeadersNotSigned(
        names.iter().map(|n| (*n).to_owned()).collect(),
    ))
}

#[test]
fn presigned_url_with_an_added_amz_header_is_refused() {
    authenticate(&presigned(), &creds(), at(TIME)).unwrap();
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
        assert_eq!(
            authenticate(&parts, &creds(), at(TIME)),
            not_signed(&[name]),
            "{name}"
        );
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
    let err = authenticate(&parts, &creds(), at(TIME)).unwrap_err();
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
    authenticate(&parts, &creds(), at(TIME)).unwrap();
    // Another value changes the canonical request.
    let mut parts = presigned();
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert!(matches!(
        authenticate(&parts, &creds(), at(TIME)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
    // With X-Amz-Content-Sha256 in the query, a header saying something else is not covered.
    let mut parts = presigned();
    parts
        .query
        .push(("X-Amz-Content-Sha256".into(), UNSIGNED_PAYLOAD.into()));
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-amz-content-sha256"])
    );
}

#[test]
fn header_auth_must_sign_every_amz_header_but_the_date_and_payload_hash() {
    let all = "host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner";
    let parts = header_signed(all, &[("x-amz-meta-owner", "alice")]);
    authenticate(&parts, &creds(), at(TIME)).unwrap();
    // x-amz-date is the string to sign's timestamp and x-amz-content-sha256 its payload hash.
    authenticate(&header_signed("host", &[]), &creds(), at(TIME)).unwrap();
    let parts = header_signed(
        "host;x-amz-content-sha256;x-amz-date",
        &[("x-amz-meta-owner", "a")],
    );
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-amz-meta-owner"])
    );
    let mut parts = header_signed(all, &[("x-amz-meta-owner", "alice")]);
    add(&mut parts, "x-amz-copy-source", "/src/secret");
    add(&mut parts, "x-amz-storage-class", "STANDARD");
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-amz-copy-source", "x-amz-storage-class"])
    );
}

#[test]
fn header_auth_exemptions_hold_only_for_the_values_signed() {
    // A second x-amz-date (or payload hash) is not the one in the string to sign.
    let mut parts = header_signed("host", &[]);
    add(&mut parts, "x-amz-date", "20130525T000000Z");
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-amz-date"])
    );
    let mut parts = header_signed("host", &[]);
    add(&mut parts, "x-amz-content-sha256", EMPTY_SHA256_HEX);
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-amz-content-sha256"])
    );
    // Signed names are matched case-insensitively.
    let parts = header_signed("Host;X-Amz-Meta-Owner", &[("x-amz-meta-owner", "alice")]);
    authenticate(&parts, &creds(), at(TIME)).unwrap();
}

#[test]
fn presigned_url_dated_more_than_15_minutes_ahead_is_not_yet_valid() {
    authenticate(&presigned(), &creds(), at(TIME - 900)).unwrap();
    assert_eq!(
        authenticate(&presigned(), &creds(), at(TIME - 901)),
        Err(AuthError::NotYetValid)
    );
    assert_eq!(
        AuthError::NotYetValid.to_string(),
        "Request is not yet valid"
    );
}
