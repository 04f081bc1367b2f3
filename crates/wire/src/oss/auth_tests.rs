use super::*;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::time::Duration;
use std::time::UNIX_EPOCH;

pub(super) fn creds() -> Credentials {
    Credentials {
        access_key: "ak".into(),
        secret_key: "sk".into(),
    }
}

pub(super) fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}

pub(super) fn http_date_secs(date: &str) -> u64 {
    let seconds = crate::date::parse_http_date(date).unwrap().as_second();
    u64::try_from(seconds).unwrap()
}

pub(super) fn request(
    method: Method,
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    RequestParts {
        method,
        bucket: bucket.map(str::to_owned),
        key: key.map(str::to_owned),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: map,
        virtual_hosted: false,
        raw_path: String::new(),
    }
}

pub(super) fn set_header(parts: &mut RequestParts, name: &'static str, value: &str) {
    parts
        .headers
        .insert(name, HeaderValue::from_str(value).unwrap());
}

/// Signs `parts` (V1 header) with `creds()`, with `date` in the string to sign.
pub(super) fn sign_v1_header(parts: &mut RequestParts, date: &str) {
    let signature = sign_v1("sk", &string_to_sign_v1(parts, date).unwrap());
    set_header(parts, "authorization", &format!("OSS ak:{signature}"));
}

pub(super) fn is_malformed(result: Result<Authenticated, AuthError>) -> bool {
    matches!(result, Err(AuthError::Malformed(_)))
}

// --- V1 header (signer_test.go TestV1AuthHeader) ---

pub(super) const V1_DATE: &str = "Wed, 28 Dec 2022 10:27:41 GMT";

pub(super) fn v1_header_vector(query: &[(&str, &str)], authorization: &str) -> RequestParts {
    request(
        Method::PUT,
        Some("examplebucket"),
        Some("nelson"),
        query,
        &[
            ("content-md5", "eB5eJF1ptWaXm4bijSPyxw=="),
            ("content-type", "text/html"),
            ("date", V1_DATE),
            ("x-oss-date", V1_DATE),
            ("x-oss-meta-author", "alice"),
            ("x-oss-meta-magic", "abracadabra"),
            ("authorization", authorization),
        ],
    )
}

#[test]
fn v1_header_vector_without_subresource() {
    let parts = v1_header_vector(&[], "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    assert_eq!(
        string_to_sign_v1(&parts, V1_DATE).unwrap(),
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\n\
         x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\n\
         x-oss-meta-magic:abracadabra\n/examplebucket/nelson"
    );
    assert_eq!(scheme(&parts), Some(Scheme::V1Header));
    let auth = authenticate(&parts, &creds(), at(http_date_secs(V1_DATE))).unwrap();
    assert_eq!(
        auth,
        Authenticated {
            access_key: "ak".into(),
            payload_sha256: None
        }
    );
}

#[test]
fn v1_header_vector_with_acl_subresource() {
    let parts = v1_header_vector(&[("acl", "")], "OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=");
    assert!(
        string_to_sign_v1(&parts, V1_DATE)
            .unwrap()
            .ends_with("\n/examplebucket/nelson?acl")
    );
    authenticate(&parts, &creds(), at(http_date_secs(V1_DATE))).unwrap();
}

#[test]
fn v1_header_with_a_wrong_secret_reports_the_string_to_sign() {
    let parts = v1_header_vector(&[], "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    let wrong = Credentials {
        access_key: "ak".into(),
        secret_key: "other".into(),
    };
    let err = authenticate(&parts, &wrong, at(http_date_secs(V1_DATE))).unwrap_err();
    let AuthError::SignatureDoesNotMatch {
        string_to_sign,
        provided,
        access_key,
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(string_to_sign.ends_with("/examplebucket/nelson"));
    assert_eq!(provided, "kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    assert_eq!(access_key, "ak");
}

#[test]
fn v1_header_with_an_unknown_access_key_is_refused() {
    let parts = v1_header_vector(&[], "OSS nobody:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    assert_eq!(
        authenticate(&parts, &creds(), at(http_date_secs(V1_DATE))),
        Err(AuthError::InvalidAccessKeyId {
            access_key: "nobody".into()
        })
    );
}

#[test]
fn v1_header_verifies_with_date_then_with_x_oss_date() {
    let date = "Sat, 21 Nov 2026 13:20:04 GMT";
    let oss_date = "Sat, 21 Nov 2026 13:20:09 GMT";
    let mut parts = request(
        Method::GET,
        Some("b"),
        Some("k"),
        &[],
        &[("date", date), ("x-oss-date", oss_date)],
    );
    let now = at(http_date_secs(date));
    for signed_date in [date, oss_date] {
        sign_v1_header(&mut parts, signed_date);
        authenticate(&parts, &creds(), now).unwrap();
    }
    sign_v1_header(&mut parts, "another date");
    let err = authenticate(&parts, &creds(), now).unwrap_err();
    assert!(
        matches!(&err, AuthError::SignatureDoesNotMatch { string_to_sign, .. }
            if string_to_sign.contains(&format!("\n{oss_date}\n"))),
        "{err:?}"
    );
}

#[test]
fn v1_header_more_than_15_minutes_off_is_too_skewed() {
    let date = "Sat, 21 Nov 2026 13:20:04 GMT";
    let mut parts = request(Method::GET, Some("b"), None, &[], &[("date", date)]);
    sign_v1_header(&mut parts, date);
    let t = http_date_secs(date);
    authenticate(&parts, &creds(), at(t + 15 * 60)).unwrap();
    authenticate(&parts, &creds(), at(t - 15 * 60)).unwrap();
    for now in [t + 15 * 60 + 1, t - 15 * 60 - 1] {
        assert_eq!(
            authenticate(&parts, &creds(), at(now)),
            Err(AuthError::RequestTimeTooSkewed)
        );
    }
}

#[test]
fn v1_header_with_an_unparsable_signed_date_is_malformed() {
    let mut parts = request(Method::GET, Some("b"), None, &[], &[("date", "yesterday")]);
    sign_v1_header(&mut parts, "yesterday");
    assert!(is_malformed(authenticate(&parts, &creds(), at(0))));
}

#[test]
fn v1_header_without_any_date_is_malformed() {
    let parts = request(
        Method::GET,
        None,
        None,
        &[],
        &[("authorization", "OSS ak:x")],
    );
    assert!(is_malformed(authenticate(&parts, &creds(), at(0))));
}

#[test]
fn v1_authorization_without_a_colon_is_malformed() {
    for value in ["OSS ak", "OSS :sig", "OSS ak:", "OSS "] {
        let parts = request(
            Method::GET,
            None,
            None,
            &[],
            &[("authorization", value), ("date", V1_DATE)],
        );
        assert!(
            is_malformed(authenticate(&parts, &creds(), at(0))),
            "{value}"
        );
    }
}

#[test]
fn v1_verified_captures_build_the_expected_string_to_sign() {
    let date = "Sat, 21 Nov 2026 13:20:04 GMT";
    let list_versions = request(
        Method::GET,
        Some("gobucket-v1"),
        None,
        &[("encoding-type", "url"), ("versions", "")],
        &[("date", date)],
    );
    assert_eq!(
        string_to_sign_v1(&list_versions, date).unwrap(),
        "GET\n\n\nSat, 21 Nov 2026 13:20:04 GMT\n/gobucket-v1/?versions"
    );
    let copy = request(
        Method::PUT,
        Some("gobucket-v1"),
        Some("copy/dir/a b+c%d~ü.txt"),
        &[],
        &[("x-oss-copy-source", "/gobucket-v1/dir%2Fa+b?versionId=v1")],
    );
    assert_eq!(
        string_to_sign_v1(&copy, "<date>").unwrap(),
        "PUT\n\n\n<date>\nx-oss-copy-source:/gobucket-v1/dir%2Fa+b?versionId=v1\n\
         /gobucket-v1/copy/dir/a b+c%d~ü.txt"
    );
    let upload_part = request(
        Method::PUT,
        Some("py2bucket-v1"),
        Some("mp/obj 1"),
        &[("uploadId", "E5A7"), ("partNumber", "1")],
        &[],
    );
    assert_eq!(
        canonicalized_resource_v1(&upload_part),
        "/py2bucket-v1/mp/obj 1?partNumber=1&uploadId=E5A7"
    );
}

#[test]
fn v1_resource_signs_empty_continuation_token_and_ignores_listing_parameters() {
    let parts = request(
        Method::GET,
        Some("b"),
        None,
        &[
            ("list-type", "2"),
            ("prefix", ""),
            ("continuation-token", ""),
            ("max-keys", "100"),
        ],
        &[],
    );
    assert_eq!(canonicalized_resource_v1(&parts), "/b/?continuation-token");
    let service = request(Method::GET, None, None, &[("prefix", "a")], &[]);
    assert_eq!(canonicalized_resource_v1(&service), "/");
}

#[test]
fn v1_subresource_list_is_sorted_and_unique() {
    assert!(V1_SIGNED_SUBRESOURCES.windows(2).all(|w| w[0] < w[1]));
    for name in [
        "acl",
        "versionId",
        "x-oss-process",
        "continuation-token",
        "seal",
    ] {
        assert!(is_signed_subresource(name), "{name}");
    }
    for name in [
        "prefix",
        "encoding-type",
        "OSSAccessKeyId",
        "Expires",
        "Signature",
    ] {
        assert!(!is_signed_subresource(name), "{name}");
    }
}

// --- V1 presigned (signer_test.go TestV1AuthQuery) ---

/// The vector's signature; it expires at 1699807420.
pub(super) const V1_QUERY_SIGNATURE: &str = "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=";

/// The presigned GET of a version, carrying `signature`.
pub(super) fn v1_query_vector(signature: &str) -> RequestParts {
    request(
        Method::GET,
        Some("bucket"),
        Some("key"),
        &[
            ("Expires", "1699807420"),
            ("OSSAccessKeyId", "ak"),
            ("Signature", signature),
            ("versionId", "versionId"),
        ],
        &[],
    )
}

#[test]
fn v1_query_vector_with_version_id() {
    let parts = v1_query_vector(V1_QUERY_SIGNATURE);
    assert_eq!(scheme(&parts), Some(Scheme::V1Query));
    assert_eq!(
        string_to_sign_v1(&parts, "1699807420").unwrap(),
        "GET\n\n\n1699807420\n/bucket/key?versionId=versionId"
    );
    authenticate(&parts, &creds(), at(1699807420 - 60)).unwrap();
}

#[test]
fn v1_query_vector_with_security_token() {
    let parts = request(
        Method::GET,
        Some("bucket"),
        Some("key+123"),
        &[
            ("Expires", "1699808204"),
            ("OSSAccessKeyId", "ak"),
            ("Signature", "jzKYRrM5y6Br0dRFPaTGOsbrDhY="),
            ("security-token", "token"),
            ("versionId", "versionId"),
        ],
        &[],
    );
    assert_eq!(
        string_to_sign_v1(&parts, "1699808204").unwrap(),
        "GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId"
    );
    authenticate(&parts, &creds(), at(1699808204)).unwrap();
}

#[test]
fn v1_query_signature_with_an_unencoded_plus_still_verifies() {
    let parts = v1_query_vector("dcLTea Yh9ApirQ8o8dOPqtvJXQ=");
    authenticate(&parts, &creds(), at(1699807420)).unwrap();
}

#[test]
fn v1_query_after_expires_is_expired() {
    let parts = v1_query_vector(V1_QUERY_SIGNATURE);
    assert_eq!(
        authenticate(&parts, &creds(), at(1699807421)),
        Err(AuthError::Expired)
    );
    assert_eq!(AuthError::Expired.to_string(), "Request has expired.");
}

#[test]
fn v1_query_with_a_non_numeric_expires_is_malformed() {
    for expires in ["", "soon", "-1", "99999999999999999999999"] {
        let parts = request(
            Method::GET,
            Some("b"),
            Some("k"),
            &[
                ("Expires", expires),
                ("OSSAccessKeyId", "ak"),
                ("Signature", "x"),
            ],
            &[],
        );
        assert!(
            is_malformed(authenticate(&parts, &creds(), at(0))),
            "{expires}"
        );
    }
}

// --- Scheme detection ---

#[test]
fn unsigned_request_is_anonymous() {
    let parts = request(Method::GET, Some("b"), Some("k"), &[("acl", "")], &[]);
    assert_eq!(scheme(&parts), None);
    assert_eq!(
        authenticate(&parts, &creds(), at(0)),
        Err(AuthError::Anonymous)
    );
}

#[test]
fn foreign_authorization_or_partial_presign_is_malformed() {
    let bearer = request(
        Method::GET,
        None,
        None,
        &[],
        &[("authorization", "Bearer x")],
    );
    assert_eq!(scheme(&bearer), None);
    assert!(is_malformed(authenticate(&bearer, &creds(), at(0))));
    let partial = request(Method::GET, None, None, &[("OSSAccessKeyId", "ak")], &[]);
    assert_eq!(scheme(&partial), None);
    assert!(is_malformed(authenticate(&partial, &creds(), at(0))));
}

#[test]
fn huge_authorization_values_do_not_panic() {
    let huge = format!("OSS4-HMAC-SHA256 {}", "Credential=/,".repeat(100_000));
    let parts = request(Method::GET, None, None, &[], &[("authorization", &huge)]);
    assert!(authenticate(&parts, &creds(), at(0)).is_err());
    let huge = format!("OSS {}:{}", "a".repeat(100_000), "b".repeat(100_000));
    let parts = request(
        Method::GET,
        None,
        None,
        &[],
        &[("authorization", &huge), ("date", V1_DATE)],
    );
    assert!(matches!(
        authenticate(&parts, &creds(), at(0)),
        Err(AuthError::InvalidAccessKeyId { .. })
    ));
}
