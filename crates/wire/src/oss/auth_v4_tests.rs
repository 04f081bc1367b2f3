use super::tests::*;
use super::*;
use http::{HeaderValue, Method};
use sha2::{Digest as _, Sha256};

// --- V4 header (conn_test.go / signer_test.go) ---

const V4_QUERY: &[(&str, &str)] = &[
    ("param1", "value1"),
    ("+param1", "value3"),
    ("|param1", "value4"),
    ("+param2", ""),
    ("|param2", ""),
    ("param2", ""),
];
const V4_CANONICAL_QUERY: &str =
    "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2";

fn v4_header_vector(extra_headers: &[(&str, &str)]) -> RequestParts {
    let mut headers = vec![
        ("x-oss-head1", "value"),
        ("abc", "value"),
        ("ZAbc", "value"),
        ("XYZ", "value"),
        ("content-type", "text/plain"),
        ("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
    ];
    headers.extend_from_slice(extra_headers);
    request(
        Method::PUT,
        Some("bucket"),
        Some("1234+-/123/1.txt"),
        V4_QUERY,
        &headers,
    )
}

/// Vector 1: signed at 20231216T162057Z (1702743657).
const V4_VECTOR_1_SIGNATURE: &str =
    "e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe";

/// Vector 1's request with `x-oss-date: date`, carrying `signature`.
fn v4_vector_1(date: &str, signature: &str) -> RequestParts {
    let authorization = format!(
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,\
         Signature={signature}"
    );
    v4_header_vector(&[("x-oss-date", date), ("authorization", &authorization)])
}

#[test]
fn v4_header_vector_1() {
    let parts = v4_vector_1("20231216T162057Z", V4_VECTOR_1_SIGNATURE);
    let canonical = canonical_request_v4(&parts, "", "UNSIGNED-PAYLOAD", false).unwrap();
    assert_eq!(
        canonical,
        "PUT\n/bucket/1234%2B-/123/1.txt\n\
         %2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\n\
         content-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\n\
         x-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD"
    );
    let string_to_sign = string_to_sign_v4(
        "20231216T162057Z",
        "20231216/cn-hangzhou/oss/aliyun_v4_request",
        &canonical,
    );
    assert!(
        string_to_sign
            .ends_with("\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4")
    );
    assert_eq!(scheme(&parts), Some(Scheme::V4Header));
    let auth = authenticate(&parts, &creds(), at(1702743657)).unwrap();
    assert_eq!(auth.access_key, "ak");
    assert_eq!(auth.payload_sha256, None);
}

#[test]
fn v4_header_vector_2_with_security_token() {
    let parts = v4_header_vector(&[
        ("x-oss-date", "20231217T034736Z"),
        ("x-oss-security-token", "token"),
        (
            "authorization",
            "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,\
             Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea",
        ),
    ]);
    authenticate(&parts, &creds(), at(1702784856)).unwrap();
}

const V4_VECTOR_3_SIGNATURE: &str =
    "4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f";

#[test]
fn v4_header_vector_3_with_additional_headers() {
    let authorization = format!(
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,\
         AdditionalHeaders=abc;zabc,Signature={V4_VECTOR_3_SIGNATURE}"
    );
    let parts = v4_header_vector(&[
        ("x-oss-date", "20231216T172512Z"),
        ("authorization", &authorization),
    ]);
    assert_eq!(
        canonical_headers_v4(&parts, "abc;zabc").unwrap(),
        "abc:value\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\n\
         x-oss-date:20231216T172512Z\nx-oss-head1:value\nzabc:value\n"
    );
    authenticate(&parts, &creds(), at(1702747512)).unwrap();
}

#[test]
fn v4_header_oss2_layout_with_spaces_and_additional_headers_last_verifies() {
    let authorization = format!(
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request, \
         Signature={V4_VECTOR_3_SIGNATURE}, AdditionalHeaders=abc;zabc"
    );
    let parts = v4_header_vector(&[
        ("x-oss-date", "20231216T172512Z"),
        ("authorization", &authorization),
    ]);
    authenticate(&parts, &creds(), at(1702747512)).unwrap();
}

/// Signs `parts` as an SDK would, with `timestamp` in the string to sign.
fn sign_v4_header(parts: &mut RequestParts, timestamp: &str, region: &str) {
    let canonical = canonical_request_v4(parts, "", "UNSIGNED-PAYLOAD", false).unwrap();
    let scope = format!("20261121/{region}/oss/aliyun_v4_request");
    let key = signing_key_v4("sk", "20261121", region, "oss");
    let signature = sign_v4(&key, &string_to_sign_v4(timestamp, &scope, &canonical));
    set_header(
        parts,
        "authorization",
        &format!("OSS4-HMAC-SHA256 Credential=ak/{scope},Signature={signature}"),
    );
}

#[test]
fn v4_header_without_x_oss_date_signs_the_date_header_verbatim() {
    let date = "Sat, 21 Nov 2026 13:20:05 GMT";
    let mut parts = request(
        Method::GET,
        Some("gobucket"),
        None,
        &[("versioning", "")],
        &[("date", date), ("x-oss-content-sha256", "UNSIGNED-PAYLOAD")],
    );
    sign_v4_header(&mut parts, date, "eu-somewhere-1");
    authenticate(&parts, &creds(), at(http_date_secs(date))).unwrap();
    assert_eq!(
        authenticate(&parts, &creds(), at(http_date_secs(date) + 16 * 60)),
        Err(AuthError::RequestTimeTooSkewed)
    );
}

#[test]
fn v4_header_more_than_15_minutes_off_is_too_skewed() {
    let parts = v4_vector_1("20231216T162057Z", V4_VECTOR_1_SIGNATURE);
    authenticate(&parts, &creds(), at(1702743657 - 900)).unwrap();
    assert_eq!(
        authenticate(&parts, &creds(), at(1702743657 + 901)),
        Err(AuthError::RequestTimeTooSkewed)
    );
}

#[test]
fn v4_header_with_a_real_payload_digest_returns_it() {
    let digest = hex::encode(Sha256::digest(b"hello"));
    let date = "20261121T132005Z";
    let mut parts = request(
        Method::PUT,
        Some("b"),
        Some("k"),
        &[],
        &[("x-oss-date", date), ("x-oss-content-sha256", &digest)],
    );
    let canonical = canonical_request_v4(&parts, "", &digest, false).unwrap();
    let scope = "20261121/cn-hangzhou/oss/aliyun_v4_request";
    let key = signing_key_v4("sk", "20261121", "cn-hangzhou", "oss");
    let signature = sign_v4(&key, &string_to_sign_v4(date, scope, &canonical));
    set_header(
        &mut parts,
        "authorization",
        &format!("OSS4-HMAC-SHA256 Credential=ak/{scope},Signature={signature}"),
    );
    let now = at(parse_request_time(date).unwrap() as u64);
    let auth = authenticate(&parts, &creds(), now).unwrap();
    assert_eq!(auth.payload_sha256, Some(Sha256::digest(b"hello").into()));
}

#[test]
fn v4_canonical_uri_keeps_the_bucket_and_slashes() {
    let mut parts = request(Method::GET, None, None, &[], &[]);
    assert_eq!(canonical_uri_v4(&parts), "/");
    parts.bucket = Some("b".into());
    parts.virtual_hosted = true;
    assert_eq!(canonical_uri_v4(&parts), "/b/");
    parts.key = Some("dir/a b+c%d~ü.txt".into());
    assert_eq!(canonical_uri_v4(&parts), "/b/dir/a%20b%2Bc%25d~%C3%BC.txt");
}

#[test]
fn v4_authorization_garbage_is_malformed() {
    for value in [
        "OSS4-HMAC-SHA256 garbage",
        "OSS4-HMAC-SHA256garbage",
        "OSS4-HMAC-SHA256",
        "OSS4-HMAC-SHA256 Signature=abc",
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request",
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss,Signature=abc",
        "OSS4-HMAC-SHA256 Credential=ak/2023-12-16/cn-hangzhou/oss/aliyun_v4_request,Signature=a",
        "OSS4-HMAC-SHA256 Credential=ak/20231332/cn-hangzhou/oss/aliyun_v4_request,Signature=a",
        "OSS4-HMAC-SHA256 Credential=/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=a",
        "OSS4-HMAC-SHA256 Credential=ak/20231216//oss/aliyun_v4_request,Signature=a",
    ] {
        let parts =
            v4_header_vector(&[("x-oss-date", "20231216T162057Z"), ("authorization", value)]);
        assert!(
            is_malformed(authenticate(&parts, &creds(), at(1702743657))),
            "{value}"
        );
    }
}

#[test]
fn v4_header_with_a_bad_date_is_malformed() {
    for date in [
        "20231216",
        "20231216T256000Z",
        "2023-12-16T16:20:57Z",
        "yesterday",
    ] {
        let parts = v4_vector_1(date, V4_VECTOR_1_SIGNATURE);
        assert!(
            is_malformed(authenticate(&parts, &creds(), at(1702743657))),
            "{date}"
        );
    }
}

#[test]
fn v4_header_without_any_date_is_malformed() {
    let parts = request(
        Method::GET,
        None,
        None,
        &[],
        &[(
            "authorization",
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=a",
        )],
    );
    assert!(is_malformed(authenticate(&parts, &creds(), at(0))));
}

#[test]
fn v4_header_with_a_wrong_signature_does_not_match() {
    let wrong = "e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284aff";
    let parts = v4_vector_1("20231216T162057Z", wrong);
    let err = authenticate(&parts, &creds(), at(1702743657)).unwrap_err();
    assert!(
        matches!(&err, AuthError::SignatureDoesNotMatch { string_to_sign, .. }
            if string_to_sign.starts_with("OSS4-HMAC-SHA256\n20231216T162057Z\n")),
        "{err:?}"
    );
}

#[test]
fn non_utf8_signed_headers_are_read_as_latin1() {
    // Python's http.client sends oss2's `x-oss-meta-name: Müller` as Latin-1 bytes, and
    // oss2 signs the string as UTF-8.
    let mut v1 = v1_header_vector(&[], "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    v1.headers.insert(
        "x-oss-meta-name",
        HeaderValue::from_bytes(b"M\xfcller").unwrap(),
    );
    let v1_headers = canonicalized_oss_headers_v1(&v1).unwrap();
    assert!(
        v1_headers.contains("x-oss-meta-name:Müller\n"),
        "{v1_headers}"
    );
    assert!(matches!(
        authenticate(&v1, &creds(), at(http_date_secs(V1_DATE))),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
    let mut v4 = v4_header_vector(&[("x-oss-date", "20231216T162057Z")]);
    v4.headers
        .insert("x-oss-meta-name", HeaderValue::from_bytes(b"\xff").unwrap());
    let v4_headers = canonical_headers_v4(&v4, "").unwrap();
    assert!(
        v4_headers.contains("x-oss-meta-name:\u{ff}\n"),
        "{v4_headers}"
    );
}

#[test]
fn utf8_metadata_values_are_signed_as_sent() {
    let date = "Sat, 21 Nov 2026 13:20:04 GMT";
    let mut parts = request(Method::PUT, Some("b"), Some("k"), &[], &[("date", date)]);
    parts.headers.insert(
        "x-oss-meta-name",
        HeaderValue::from_bytes("ü".as_bytes()).unwrap(),
    );
    let string_to_sign = string_to_sign_v1(&parts, date).unwrap();
    assert!(string_to_sign.contains("x-oss-meta-name:ü\n"));
    sign_v1_header(&mut parts, date);
    authenticate(&parts, &creds(), at(http_date_secs(date))).unwrap();
}

// --- V4 presigned (conn_test.go TestAuthV4Query) ---

const V4_PRESIGN_SIGNATURE: &str =
    "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe";

fn v4_presigned_request(expires: &str, signature: &str) -> RequestParts {
    let mut query = V4_QUERY.to_vec();
    query.extend_from_slice(&[
        ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
        (
            "x-oss-credential",
            "ak/20231217/cn-hangzhou/oss/aliyun_v4_request",
        ),
        ("x-oss-date", "20231217T025437Z"),
        ("x-oss-expires", expires),
        ("x-oss-signature", signature),
    ]);
    request(
        Method::PUT,
        Some("bucket"),
        Some("1234+-/123/1.txt"),
        &query,
        &[
            ("x-oss-head1", "value"),
            ("abc", "value"),
            ("ZAbc", "value"),
            ("XYZ", "value"),
            ("content-type", "application/octet-stream"),
        ],
    )
}

#[test]
fn v4_query_vector() {
    let parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    assert_eq!(scheme(&parts), Some(Scheme::V4Query));
    assert_eq!(
        canonical_query_v4(&parts, true),
        format!(
            "{V4_CANONICAL_QUERY}&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2F\
             aliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&\
             x-oss-signature-version=OSS4-HMAC-SHA256"
        )
    );
    assert_eq!(
        canonical_headers_v4(&parts, "").unwrap(),
        "content-type:application/octet-stream\nx-oss-head1:value\n"
    );
    let auth = authenticate(&parts, &creds(), at(1702781677)).unwrap();
    assert_eq!(auth.access_key, "ak");
}

#[test]
fn v4_query_after_date_plus_expires_is_expired() {
    let parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    authenticate(&parts, &creds(), at(1702781677 + 599)).unwrap();
    assert_eq!(
        authenticate(&parts, &creds(), at(1702781677 + 600)),
        Err(AuthError::Expired)
    );
}

#[test]
fn v4_query_dated_more_than_15_minutes_ahead_is_not_yet_valid() {
    let parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    authenticate(&parts, &creds(), at(1702781677 - 900)).unwrap();
    assert_eq!(
        authenticate(&parts, &creds(), at(1702781677 - 901)),
        Err(AuthError::NotYetValid)
    );
}

#[test]
fn an_added_oss_header_breaks_every_scheme_s_signature() {
    let v1_header = v1_header_vector(&[], "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    let v1_time = http_date_secs(V1_DATE);
    let v1_query = v1_query_vector(V1_QUERY_SIGNATURE);
    let v4_header = v4_vector_1("20231216T162057Z", V4_VECTOR_1_SIGNATURE);
    let v4_query = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    for (parts, now) in [
        (v1_header, v1_time),
        (v1_query, 1699807420 - 60),
        (v4_header, 1702743657),
        (v4_query, 1702781677),
    ] {
        authenticate(&parts, &creds(), at(now)).unwrap();
        for name in ["x-oss-copy-source", "x-oss-meta-owner"] {
            let mut parts = parts.clone();
            set_header(&mut parts, name, "/src/secret");
            assert!(
                matches!(
                    authenticate(&parts, &creds(), at(now)),
                    Err(AuthError::SignatureDoesNotMatch { .. })
                ),
                "{:?} {name}",
                scheme(&parts)
            );
        }
    }
}

#[test]
fn v4_query_expiring_after_more_than_7_days_is_malformed() {
    for expires in ["604801", "99999999999999999999999", "", "-1", "ten"] {
        let parts = v4_presigned_request(expires, V4_PRESIGN_SIGNATURE);
        assert!(
            is_malformed(authenticate(&parts, &creds(), at(1702781677))),
            "{expires}"
        );
    }
}

#[test]
fn v4_query_with_a_tampered_parameter_does_not_match() {
    let mut parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    parts.query[0].1 = "value2".into();
    assert!(matches!(
        authenticate(&parts, &creds(), at(1702781677)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn v4_query_without_credential_or_version_is_malformed() {
    let mut parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    parts.query.retain(|(k, _)| k != "x-oss-credential");
    assert!(is_malformed(authenticate(&parts, &creds(), at(1702781677))));
    let mut parts = v4_presigned_request("599", V4_PRESIGN_SIGNATURE);
    parts.query.retain(|(k, _)| k != "x-oss-signature-version");
    assert!(is_malformed(authenticate(&parts, &creds(), at(1702781677))));
}
