use super::tests::*;
use super::*;
use crate::s3::auth::authenticate;
use crate::s3::{auth_type, signature_version};
use http::Method;

// --- Refusals ---

#[test]
fn a_presigned_url_with_anything_changed_does_not_match() {
    let url = "/bkt/photos/puppy%20dog.jpg?versionId=0000000000000007abcdef01\
               &AWSAccessKeyId=0555b35654ad1656d804&Signature=kqlH2FzZWuzM1bLUCWBdHMBv1aA%3D\
               &Expires=1795270805";
    for (method, target, extra) in [
        (Method::DELETE, url.to_owned(), None),
        (Method::GET, url.replace("puppy%20dog", "puppy%20cat"), None),
        (Method::GET, url.replace("abcdef01", "abcdef02"), None),
        (Method::GET, url.replace("1795270805", "1795270806"), None),
        (Method::GET, format!("{url}&acl"), None),
        (
            Method::GET,
            url.to_owned(),
            Some(("x-amz-acl", "public-read")),
        ),
        (
            Method::GET,
            url.to_owned(),
            Some(("content-type", "text/plain")),
        ),
    ] {
        let mut headers = vec![("host", "127.0.0.1:9000")];
        headers.extend(extra);
        mismatch(boto(&request(method, &target, &headers)));
    }
    // What V2 does not sign may change: a non-sub-resource parameter, a Range.
    let listed = request(
        Method::GET,
        &format!("{url}&x-id=GetObject"),
        &[("host", "127.0.0.1:9000"), ("range", "bytes=0-1")],
    );
    boto(&listed).unwrap();
}

#[test]
fn presigned_parameters_missing_or_unreadable_are_access_denied() {
    for target in [
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Expires=1795270805",
        "/b/k?Signature=abc&Expires=1795270805",
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc",
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=",
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=-5",
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=soon",
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=99999999999999999999",
    ] {
        let result = boto(&request(Method::GET, target, &[]));
        assert!(
            matches!(result, Err(AuthError::AccessDenied(_))),
            "{target}: {result:?}"
        );
    }
    let unknown = request(
        Method::GET,
        "/b/k?AWSAccessKeyId=nobody&Signature=abc&Expires=1795270805",
        &[],
    );
    assert_eq!(boto(&unknown), Err(AuthError::InvalidAccessKeyId));
}

#[test]
fn a_malformed_authorization_header_is_invalid_argument() {
    for value in ["AWS HAHAHA", "AWS :sig", "AWS ak:", "AWS a k:sig", "AWS "] {
        let parts = request(
            Method::PUT,
            "/b/k",
            &[("date", BOTO_DATE), ("authorization", value)],
        );
        assert!(
            matches!(boto(&parts), Err(AuthError::InvalidArgument(_))),
            "{value}"
        );
    }
}

#[test]
fn the_date_is_checked_before_the_key_and_the_signature() {
    let base = |headers: &[(&str, &str)]| {
        let mut all = vec![("authorization", "AWS nobody:bm90IGEgc2lnbmF0dXJl")];
        all.extend_from_slice(headers);
        boto(&request(Method::PUT, "/b/k", &all))
    };
    let denied = |r: Result<Authenticated, AuthError>| matches!(r, Err(AuthError::AccessDenied(_)));
    // s3-tests' _aws2 cases: none, empty, unreadable and pre-epoch dates are AccessDenied.
    assert!(denied(base(&[])));
    assert!(denied(base(&[("x-amz-date", "")])));
    assert!(denied(base(&[
        ("x-amz-date", "Bad Date"),
        ("date", BOTO_DATE)
    ])));
    assert!(denied(base(&[(
        "x-amz-date",
        "Tue, 07 Jul 1950 21:53:04 GMT"
    )])));
    for far in [
        "Tue, 07 Jul 2010 21:53:04 GMT",
        "Tue, 07 Jul 2030 21:53:04 GMT",
        "Tue, 07 Jul 9999 21:53:04 GMT",
    ] {
        assert_eq!(
            base(&[("x-amz-date", far)]),
            Err(AuthError::RequestTimeTooSkewed),
            "{far}"
        );
    }
    // x-amz-date wins over Date; then the key is looked up.
    assert_eq!(
        base(&[
            ("x-amz-date", BOTO_DATE),
            ("date", "Tue, 07 Jul 2010 21:53:04 GMT")
        ]),
        Err(AuthError::InvalidAccessKeyId)
    );
    // s3cmd's form of the date, and ISO 8601's basic one.
    for good in ["Sat, 21 Nov 2026 13:20:05 +0000", "20261121T132005Z"] {
        assert_eq!(
            base(&[("x-amz-date", good)]),
            Err(AuthError::InvalidAccessKeyId)
        );
    }
}

#[test]
fn header_auth_more_than_15_minutes_off_is_too_skewed() {
    let parts = boto_request(
        Method::GET,
        "/bkt/k?versionId=00000000000000070123abcd&response-content-type=text%2Fhtml&x-id=GetObject",
        "GgsgfKE6teCNBZy4Bn2HUelk/JI=",
        &[],
    );
    for offset in [-900, 900] {
        authenticate(&parts, &boto_creds(), at(BOTO_TIME + offset)).unwrap();
    }
    for offset in [-901, 901] {
        assert_eq!(
            authenticate(&parts, &boto_creds(), at(BOTO_TIME + offset)),
            Err(AuthError::RequestTimeTooSkewed)
        );
    }
}

#[test]
fn a_header_changed_after_signing_does_not_match() {
    let signed = boto_request(
        Method::PUT,
        "/bkt/dir/a%20b%2Bc.txt",
        "DgpSoES/O6nJudmVdhZ4WPOJIyA=",
        &[
            ("content-type", "text/plain"),
            ("x-amz-meta-Color", "blue "),
            ("X-Amz-Meta-Size", "  9"),
            ("content-md5", "rL0Y20zC+Fzt72VPzMSk2A=="),
        ],
    );
    boto(&signed).unwrap();
    for (name, value) in [
        ("x-amz-copy-source", "/other/secret"),
        ("x-amz-meta-color", "red"),
        ("content-type", "text/html"),
        ("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
        ("x-amz-acl", "public-read"),
    ] {
        let mut parts = signed.clone();
        set(&mut parts, name, value);
        let sts = mismatch(boto(&parts));
        assert!(sts.starts_with("PUT\n"), "{name}: {sts}");
    }
    let mut wrong_secret = boto_creds();
    wrong_secret.secret_key.push('x');
    assert!(matches!(
        authenticate(&signed, &wrong_secret, at(BOTO_TIME)),
        Err(AuthError::SignatureDoesNotMatchV2 { .. })
    ));
}

#[test]
fn chunk_signatures_need_v4_and_a_signed_digest_is_checked() {
    let creds = boto_creds();
    let signed = |content_sha256: &str| {
        let mut parts = request(
            Method::PUT,
            "/b/k",
            &[
                ("date", BOTO_DATE),
                ("x-amz-content-sha256", content_sha256),
            ],
        );
        let sts = string_to_sign(&parts, BOTO_DATE);
        let auth = format!("AWS {}:{}", creds.access_key, sign(&creds.secret_key, &sts));
        set(&mut parts, "authorization", &auth);
        boto(&parts)
    };
    for streaming in [
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "nonsense",
    ] {
        assert!(matches!(
            signed(streaming),
            Err(AuthError::InvalidArgument(_))
        ));
    }
    assert_eq!(
        signed("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            .unwrap()
            .payload,
        Payload::StreamingUnsignedTrailer
    );
    assert_eq!(
        signed("UNSIGNED-PAYLOAD").unwrap().payload,
        Payload::Unsigned
    );
    assert_eq!(
        signed(&"ab".repeat(32)).unwrap().payload,
        Payload::Sha256([0xab; 32])
    );
}

#[test]
fn two_mechanisms_at_once_are_refused() {
    let v2_query = "AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=1795270805";
    for (target, auth) in [
        (
            format!("/b/k?{v2_query}"),
            Some("AWS 0555b35654ad1656d804:abc"),
        ),
        (
            format!("/b/k?{v2_query}&X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            None,
        ),
        (
            "/b/k?X-Amz-Signature=00".to_owned(),
            Some("AWS 0555b35654ad1656d804:abc"),
        ),
    ] {
        let mut headers = vec![("date", BOTO_DATE)];
        headers.extend(auth.map(|a| ("authorization", a)));
        assert!(
            matches!(
                boto(&request(Method::GET, &target, &headers)),
                Err(AuthError::AuthorizationQueryParametersError(_))
            ),
            "{target}"
        );
    }
}

#[test]
fn the_signature_version_and_auth_type_condition_keys() {
    let v2_header = request(Method::GET, "/b", &[("authorization", "AWS a:b")]);
    let v2_query = request(
        Method::GET,
        "/b?AWSAccessKeyId=a&Signature=b&Expires=1",
        &[],
    );
    let v4_header = request(
        Method::GET,
        "/b",
        &[("authorization", "AWS4-HMAC-SHA256 Credential=a")],
    );
    let v4_query = request(Method::GET, "/b?X-Amz-Signature=00", &[]);
    let oss = request(Method::GET, "/b", &[("authorization", "OSS a:b")]);
    let anonymous = request(Method::GET, "/b", &[]);
    let keys = |p: &RequestParts| (signature_version(p), auth_type(p));
    assert_eq!(keys(&v2_header), (Some("AWS"), Some("REST-HEADER")));
    assert_eq!(keys(&v2_query), (Some("AWS"), Some("REST-QUERY-STRING")));
    assert_eq!(
        keys(&v4_header),
        (Some("AWS4-HMAC-SHA256"), Some("REST-HEADER"))
    );
    assert_eq!(
        keys(&v4_query),
        (Some("AWS4-HMAC-SHA256"), Some("REST-QUERY-STRING"))
    );
    assert_eq!(keys(&oss), (None, None));
    assert_eq!(keys(&anonymous), (None, None));
}

#[test]
fn query_stand_ins_that_cannot_be_headers_are_refused_and_never_hoisted_for_headers() {
    let bad = request(
        Method::PUT,
        "/b/k?AWSAccessKeyId=0555b35654ad1656d804&Signature=abc&Expires=1795270805\
         &x-amz-meta-a=%0Aevil",
        &[],
    );
    assert!(matches!(boto(&bad), Err(AuthError::InvalidArgument(_))));
    // A header-signed request's query is never read as headers.
    let mut header_signed = request(
        Method::PUT,
        "/b/k?x-amz-acl=public-read",
        &[("authorization", "AWS a:b")],
    );
    hoist_query_headers(&mut header_signed);
    assert_eq!(header_signed.header("x-amz-acl"), None);
}
