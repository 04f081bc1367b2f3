//! Which headers an explicit `signedHeaders` list must name: `host` and every `x-bce-*` header.

use super::*;
use crate::Credentials;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::time::{Duration, UNIX_EPOCH};

fn creds() -> Credentials {
    Credentials {
        access_key: "myak".into(),
        secret_key: "mysk".into(),
    }
}

/// 2023-11-14T22:13:20Z.
const TIME: u64 = 1_700_000_000;
const TIMESTAMP: &str = "2023-11-14T22:13:20Z";

fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}

fn request(method: Method, uri: &str, headers: &[(&str, &str)]) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    RequestParts::new(method, &uri.parse().unwrap(), map, &[]).unwrap()
}

fn add(parts: &mut RequestParts, name: &'static str, value: &str) {
    parts
        .headers
        .append(name, HeaderValue::from_str(value).unwrap());
}

/// A PUT with `headers` (plus `host` and `x-bce-date`), signed over `signed` ("" for the
/// default set).
fn signed_put(signed: &str, headers: &[(&str, &str)]) -> RequestParts {
    let mut all = vec![("host", "127.0.0.1:8080"), ("x-bce-date", TIMESTAMP)];
    all.extend_from_slice(headers);
    let mut parts = request(Method::PUT, "/my-bucket/k", &all);
    let prefix = auth_string_prefix("myak", TIMESTAMP, "1800");
    let signature = sign(
        &signing_key("mysk", &prefix),
        &canonical_request(&parts, signed),
    );
    add(
        &mut parts,
        "authorization",
        &format!("{prefix}/{signed}/{signature}"),
    );
    parts
}

fn not_signed(names: &[&str]) -> Result<Authenticated, AuthError> {
    Err(AuthError::HeadersNotSigned(
        names.iter().map(|n| (*n).to_owned()).collect(),
    ))
}

/// The Python SDK's presigned PUT (`generate_pre_signed_url(..., httpmethod=b'PUT')`): signed
/// over `host` only.
fn python_presigned_put() -> RequestParts {
    request(
        Method::PUT,
        "/my-bucket/k?authorization=bce-auth-v1%2Fmyak%2F2023-11-14T22%3A13%3A20Z%2F600%2Fhost%2F\
         dcee30b1a8689f01f4096c67729054d76b9fe9c122e9056178fb52d7bbe30260",
        &[("host", "127.0.0.1:8080")],
    )
}

#[test]
fn presigned_put_with_an_added_bce_header_is_refused() {
    authenticate(&python_presigned_put(), &creds(), at(TIME)).unwrap();
    for name in [
        "x-bce-copy-source",
        "x-bce-metadata-directive",
        "x-bce-meta-owner",
    ] {
        let mut parts = python_presigned_put();
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
fn explicit_list_must_name_every_bce_header_and_host() {
    let listed = "host;x-bce-date;x-bce-meta-owner";
    authenticate(
        &signed_put(listed, &[("x-bce-meta-owner", "alice")]),
        &creds(),
        at(TIME),
    )
    .unwrap();
    let parts = signed_put("host", &[("x-bce-meta-owner", "alice")]);
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-bce-date", "x-bce-meta-owner"])
    );
    let parts = signed_put("x-bce-date;x-bce-meta-owner", &[("x-bce-meta-owner", "a")]);
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["host"])
    );
    // Names are compared lower-cased and trimmed; the check comes before the signature.
    let mut parts = signed_put(" Host ;X-BCE-DATE", &[]);
    authenticate(&parts, &creds(), at(TIME)).unwrap();
    add(&mut parts, "x-bce-copy-source", "/src/secret");
    add(&mut parts, "x-bce-copy-source", "/src/other");
    assert_eq!(
        authenticate(&parts, &creds(), at(TIME)),
        not_signed(&["x-bce-copy-source"])
    );
}

#[test]
fn headers_with_an_empty_value_cannot_be_signed_and_need_not_be_listed() {
    // The SDKs leave empty values out of the canonical headers (so does `canonical_headers`).
    let parts = signed_put("host;x-bce-date", &[("x-bce-meta-empty", "  ")]);
    authenticate(&parts, &creds(), at(TIME)).unwrap();
}

#[test]
fn the_default_set_covers_host_and_every_bce_header() {
    let parts = signed_put("", &[("x-bce-meta-owner", "alice")]);
    authenticate(&parts, &creds(), at(TIME)).unwrap();
    // So an added one changes the canonical request.
    let mut parts = signed_put("", &[]);
    add(&mut parts, "x-bce-copy-source", "/src/secret");
    assert!(matches!(
        authenticate(&parts, &creds(), at(TIME)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}
