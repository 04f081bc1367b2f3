use super::tests::*;
use super::*;
use http::{HeaderValue, Method};

// --- Refusals ---

fn is_malformed(result: Result<Authenticated, AuthError>) -> bool {
    matches!(result, Err(AuthError::AuthorizationHeaderMalformed(_)))
}

/// The AWS example GET with its `name` header set to each of `values`: each is refused as a
/// malformed Authorization header.
fn each_value_is_malformed(name: &'static str, values: &[&str]) {
    for value in values {
        let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        set_header(&mut parts, name, value);
        assert!(is_malformed(aws_auth(&parts)), "{name}: {value}");
    }
}

#[test]
fn wrong_signature_reports_the_string_to_sign_and_canonical_request() {
    let parts = aws_get_object(&AWS_GET_OBJECT_SIGNATURE.replace('f', "e"));
    let err = aws_auth(&parts).unwrap_err();
    let AuthError::SignatureDoesNotMatch {
        string_to_sign,
        canonical_request,
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20130524T000000Z\n"));
    assert!(canonical_request.starts_with("GET\n/test.txt\n"));
}

#[test]
fn signature_in_upper_case_hex_matches() {
    let parts = aws_get_object(&AWS_GET_OBJECT_SIGNATURE.to_ascii_uppercase());
    aws_auth(&parts).unwrap();
}

#[test]
fn wrong_secret_does_not_match_and_unknown_key_is_refused() {
    let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    let other_secret = Credentials {
        access_key: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_key: "x".into(),
    };
    assert!(matches!(
        authenticate(&parts, &other_secret, at(AWS_EXAMPLE_TIME)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
    assert_eq!(
        authenticate(&parts, &s3tests_creds(), at(AWS_EXAMPLE_TIME)),
        Err(AuthError::InvalidAccessKeyId)
    );
}

#[test]
fn header_auth_more_than_15_minutes_off_is_too_skewed() {
    let parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    for offset in [-900, 900] {
        authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + offset)).unwrap();
    }
    for offset in [-901, 901] {
        assert_eq!(
            authenticate(&parts, &aws_creds(), at(AWS_EXAMPLE_TIME + offset)),
            Err(AuthError::RequestTimeTooSkewed)
        );
    }
}

#[test]
fn header_auth_without_content_sha256_is_missing_a_security_header() {
    let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    parts.headers.remove("x-amz-content-sha256");
    assert_eq!(aws_auth(&parts), Err(AuthError::MissingSecurityHeader));
}

#[test]
fn unknown_content_sha256_values_are_malformed() {
    each_value_is_malformed(
        "x-amz-content-sha256",
        &[
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
            "abc",
            "unsigned-payload",
        ],
    );
}

#[test]
fn malformed_authorization_headers_are_refused() {
    each_value_is_malformed(
        "authorization",
        &[
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256Credential=a/20130524/us-east-1/s3/aws4_request",
            "AWS4-HMAC-SHA256 garbage",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             Signature=abc",
            "AWS4-HMAC-SHA256 SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/iam/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20131324/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            // The credential's date is not the request's.
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130525/us-east-1/s3/aws4_request,\
             SignedHeaders=host,Signature=abc",
            // host is not signed.
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=range;x-amz-date,Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;;x-amz-date,Signature=abc",
        ],
    );
}

#[test]
fn bad_or_missing_request_dates_are_malformed() {
    each_value_is_malformed(
        "x-amz-date",
        &[
            "20130524",
            "2013-05-24T00:00:00Z",
            "20130524T250000Z",
            "yesterday",
        ],
    );
    let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    parts.headers.remove("x-amz-date");
    assert!(is_malformed(aws_auth(&parts)));
}

#[test]
fn x_amz_date_wins_over_date() {
    let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
    parts.headers.insert(
        "date",
        HeaderValue::from_static("Tue, 07 Jul 2010 21:53:04 GMT"),
    );
    aws_auth(&parts).unwrap();
}

#[test]
fn unsigned_request_is_anonymous_and_foreign_authorization_is_malformed() {
    let parts = request(Method::GET, "/bkt?acl", &[("host", "localhost")]);
    assert!(!is_sigv4(&parts));
    assert_eq!(
        authenticate(&parts, &aws_creds(), at(0)),
        Err(AuthError::Anonymous)
    );
    let foreign = request(
        Method::GET,
        "/bkt",
        &[
            ("host", "localhost"),
            ("authorization", "Bearer c2lnbmF0dXJl"),
        ],
    );
    assert!(!is_sigv4(&foreign));
    assert!(matches!(
        authenticate(&foreign, &aws_creds(), at(0)),
        Err(AuthError::AuthorizationHeaderMalformed(_))
    ));
    // Signature V2 is not SigV4, and is checked as V2 (here: it has no date).
    let v2 = request(
        Method::GET,
        "/bkt",
        &[
            ("host", "localhost"),
            ("authorization", "AWS ak:c2lnbmF0dXJl"),
        ],
    );
    assert!(!is_sigv4(&v2));
    assert!(matches!(
        authenticate(&v2, &aws_creds(), at(0)),
        Err(AuthError::AccessDenied(_))
    ));
    let partial = request(
        Method::GET,
        "/bkt?X-Amz-Credential=x",
        &[("host", "localhost")],
    );
    assert!(matches!(
        authenticate(&partial, &aws_creds(), at(0)),
        Err(AuthError::AuthorizationQueryParametersError(_))
    ));
}

#[test]
fn signed_header_names_that_are_not_header_names_do_not_panic() {
    for signed in ["host;bad header", "host;ü", "host;x:y", "HOST;Range"] {
        let mut parts = aws_get_object(AWS_GET_OBJECT_SIGNATURE);
        set_header(
            &mut parts,
            "authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/\
                 aws4_request,SignedHeaders={signed},Signature={AWS_GET_OBJECT_SIGNATURE}"
            ),
        );
        assert!(
            matches!(
                aws_auth(&parts),
                Err(AuthError::SignatureDoesNotMatch { .. })
            ),
            "{signed}"
        );
    }
}

#[test]
fn huge_authorization_values_do_not_panic() {
    let huge = format!("AWS4-HMAC-SHA256 {}", "Credential=/,".repeat(100_000));
    let parts = request(Method::GET, "/", &[("authorization", &huge)]);
    assert!(authenticate(&parts, &aws_creds(), at(0)).is_err());
    let huge = format!(
        "AWS4-HMAC-SHA256 Credential={}/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host,Signature={}",
        "a".repeat(100_000),
        "b".repeat(100_000)
    );
    let parts = request(
        Method::GET,
        "/",
        &[
            ("authorization", &huge),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
        ],
    );
    assert_eq!(aws_auth(&parts), Err(AuthError::InvalidAccessKeyId));
}
