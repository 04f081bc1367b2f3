use super::*;
use crate::Credentials;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::time::Duration;
use std::time::UNIX_EPOCH;

fn creds(access_key: &str, secret_key: &str) -> Credentials {
    Credentials {
        access_key: access_key.into(),
        secret_key: secret_key.into(),
    }
}

fn my_creds() -> Credentials {
    creds("myak", "mysk")
}

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
}

/// A request as the front door builds it, from the URI as sent (raw bytes for values).
fn request(method: Method, uri: &str, headers: &[(&str, &[u8])]) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    RequestParts::new(method, &uri.parse().unwrap(), map, &[]).unwrap()
}

fn with_authorization(mut parts: RequestParts, authorization: &str) -> RequestParts {
    parts.headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(authorization).unwrap(),
    );
    parts
}

fn is_malformed(result: Result<Authenticated, AuthError>) -> bool {
    matches!(result, Err(AuthError::InvalidHttpAuthHeader(_)))
}

// --- The worked example of the BOS documentation (2015-04-27, bj.bcebos.com) ---

const V1_TIME: i64 = 1430123029; // 2015-04-27T08:23:49Z
const V1_SIGNATURE: &str = "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e";
const V1_CANONICAL_REQUEST: &str = "PUT\n/v1/test/myfolder/readme.txt\n\
    partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\n\
    content-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\ncontent-type:text%2Fplain\n\
    host:bj.bcebos.com\nx-bce-date:2015-04-27T08%3A23%3A49Z";

fn v1_creds() -> Credentials {
    creds(&"a".repeat(32), &"b".repeat(32))
}

fn v1_request(signed_headers: &str) -> RequestParts {
    let parts = request(
        Method::PUT,
        "/v1/test/myfolder/readme.txt?partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851",
        &[
            ("host", b"bj.bcebos.com"),
            ("date", b"Mon, 27 Apr 2015 16:23:49 +0800"),
            ("content-type", b"text/plain"),
            ("content-length", b"8"),
            ("content-md5", b"NFzcPqhviddjRNnSOGo4rw=="),
            ("x-bce-date", b"2015-04-27T08:23:49Z"),
        ],
    );
    let a32 = "a".repeat(32);
    with_authorization(
        parts,
        &format!("bce-auth-v1/{a32}/2015-04-27T08:23:49Z/1800/{signed_headers}/{V1_SIGNATURE}"),
    )
}

#[test]
fn v1_official_doc_vector_with_default_signed_headers() {
    let parts = v1_request("");
    let prefix = auth_string_prefix(&"a".repeat(32), "2015-04-27T08:23:49Z", "1800");
    let key = signing_key(&"b".repeat(32), &prefix);
    assert_eq!(
        key,
        "1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"
    );
    assert_eq!(canonical_request(&parts, ""), V1_CANONICAL_REQUEST);
    assert_eq!(sign(&key, V1_CANONICAL_REQUEST), V1_SIGNATURE);
    assert!(is_bce(&parts));
    let auth = authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
    assert_eq!(auth.access_key, "a".repeat(32));
}

#[test]
fn v1_official_doc_vector_with_the_five_headers_listed() {
    let signed = "content-length;content-md5;content-type;host;x-bce-date";
    let parts = v1_request(signed);
    assert_eq!(canonical_request(&parts, signed), V1_CANONICAL_REQUEST);
    authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
}

const V2_TIME: i64 = 1402639056; // 2014-06-13T05:57:36Z

fn v2_request(authorization: &str) -> RequestParts {
    let parts = request(
        Method::PUT,
        "/v1/bucket/object1?A&b=&C=d",
        &[
            ("host", b"bce.baidu.com"),
            ("abc", b"123"),
            ("x-bce-meta-key1", b"ABC"),
        ],
    );
    with_authorization(parts, authorization)
}

#[test]
fn v2_js_auth_spec_vector_with_listed_and_with_default_headers() {
    let signature = "80c9672aca2ea9af4bb40b9a8ff458d72df94e97d550840727f3a929af271d25";
    let js =
        format!("bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/host;x-bce-meta-key1/{signature}");
    let parts = v2_request(&js);
    assert_eq!(
        canonical_request(&parts, "host;x-bce-meta-key1"),
        "PUT\n/v1/bucket/object1\nA=&C=d&b=\nhost:bce.baidu.com\nx-bce-meta-key1:ABC"
    );
    assert_eq!(
        canonical_request(&parts, ""),
        canonical_request(&parts, "host;x-bce-meta-key1")
    );
    authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
    let python = format!("bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800//{signature}");
    let parts = v2_request(&python);
    authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
}

#[test]
fn v3_js_auth_spec_delete_vector() {
    let parts = request(
        Method::DELETE,
        "/v1/test-bucket1361199862",
        &[
            ("content-type", b"application/json; charset=utf-8"),
            ("content-length", b"0"),
            ("user-agent", b"bce-sdk-nodejs/1.0.7"),
        ],
    );
    let signed = "content-length;content-type";
    assert_eq!(
        canonical_request(&parts, signed),
        "DELETE\n/v1/test-bucket1361199862\n\n\
         content-length:0\ncontent-type:application%2Fjson%3B%20charset%3Dutf-8"
    );
    let parts = with_authorization(
        parts,
        "bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/content-length;content-type/\
         c9386b15d585960ae5e6972f73ed92a9a682dc81025480ba5b41206d3e489822",
    );
    authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)).unwrap();
}

const V4_TIME: i64 = 1700000000; // 2023-11-14T22:13:20Z

fn multi_delete_request(extra: &[(&str, &[u8])]) -> RequestParts {
    let mut headers: Vec<(&str, &[u8])> = vec![
        ("host", b"127.0.0.1:8080"),
        ("content-length", b"55"),
        ("x-bce-date", b"2023-11-14T22:13:20Z"),
    ];
    headers.extend_from_slice(extra);
    request(Method::POST, "/my-bucket?delete=", &headers)
}

#[test]
fn v4_python_multi_delete_vector() {
    let parts = multi_delete_request(&[]);
    let prefix = auth_string_prefix("myak", "2023-11-14T22:13:20Z", "1800");
    assert_eq!(
        signing_key("mysk", &prefix),
        "072689cf36581289e6481bd776b739a22ebe7e5b04c332239455c8bab7135f76"
    );
    assert_eq!(
        canonical_request(&parts, ""),
        "POST\n/my-bucket\ndelete=\ncontent-length:55\nhost:127.0.0.1%3A8080\n\
         x-bce-date:2023-11-14T22%3A13%3A20Z"
    );
    let parts = with_authorization(
        parts,
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
         2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b",
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

#[test]
fn v5_js_multi_delete_vector() {
    let parts = multi_delete_request(&[("content-type", b"application/json; charset=UTF-8")]);
    let parts = with_authorization(
        parts,
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/content-length;content-type;host;\
         x-bce-date/e34eeedeca772fa36d4662d181c4f5c7d7643cd64dacd57c6bdc7bc4b0acc10a",
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

/// What curl sends when fetching a presigned URL.
fn fetch(method: Method, url: &str) -> RequestParts {
    request(
        method,
        url,
        &[
            ("host", b"127.0.0.1:8080"),
            ("user-agent", b"curl/8.5.0"),
            ("accept", b"*/*"),
        ],
    )
}

const V6_URL: &str = "/my-bucket/dir/a%20b%2Bc~%21.txt?authorization=bce-auth-v1%2Fmyak%2F\
    2023-11-14T22%3A13%3A20Z%2F600%2F%2F\
    eb837d8285eba0200c30acfd1bf61dcfc67194c944ee99db70f8fee737b29e3b";

#[test]
fn v6_python_presigned_get_verifies_with_the_default_headers() {
    let parts = fetch(Method::GET, V6_URL);
    assert!(is_bce(&parts));
    assert_eq!(
        canonical_request(&parts, ""),
        "GET\n/my-bucket/dir/a%20b%2Bc~%21.txt\n\nhost:127.0.0.1%3A8080"
    );
    authenticate(&parts, &my_creds(), at(V4_TIME + 600)).unwrap();
    assert_eq!(
        authenticate(&parts, &my_creds(), at(V4_TIME + 601)),
        Err(AuthError::RequestExpired)
    );
}

#[test]
fn v7_python_presigned_put_signs_host() {
    let mut parts = fetch(
        Method::PUT,
        "/my-bucket/k?authorization=bce-auth-v1%2Fmyak%2F2023-11-14T22%3A13%3A20Z%2F600%2F\
         host%2Fdcee30b1a8689f01f4096c67729054d76b9fe9c122e9056178fb52d7bbe30260",
    );
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("11"));
    assert_eq!(
        canonical_request(&parts, "host"),
        "PUT\n/my-bucket/k\n\nhost:127.0.0.1%3A8080"
    );
    authenticate(&parts, &my_creds(), at(V4_TIME + 1)).unwrap();
}

#[test]
fn v8_js_presigned_get_signs_the_v1_path() {
    let parts = fetch(
        Method::GET,
        "/v1/my-bucket/dir/a%20b%2Bc~%21.txt?authorization=bce-auth-v1%2Fmyak%2F\
         2023-11-14T22%3A13%3A20Z%2F600%2Fhost%2F\
         5ba9cc372a58fdfa83707a260f37a4199312b25d7b0f81bdb5318b5b68d4ced9",
    );
    assert_eq!(
        canonical_request(&parts, "host"),
        "GET\n/v1/my-bucket/dir/a%20b%2Bc~%21.txt\n\nhost:127.0.0.1%3A8080"
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

// --- SDK request shapes (signatures computed with an independent Python implementation) ---

#[test]
fn js_query_with_unreserved_characters_percent_encoded_in_the_url_verifies() {
    let parts = request(
        Method::GET,
        "/js-bucket?maxKeys=2&prefix=%7Ea%2Eb%2Dc%5Fd&delimiter=%2F",
        &[
            ("x-bce-date", b"2023-11-14T22:13:20Z"),
            ("connection", b"close"),
            ("content-type", b"application/json; charset=UTF-8"),
            ("host", b"127.0.0.1:8081"),
        ],
    );
    assert_eq!(
        canonical_query(&parts),
        "delimiter=%2F&maxKeys=2&prefix=~a.b-c_d"
    );
    let parts = with_authorization(
        parts,
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/content-type;host;x-bce-date/\
         7499a64614fc8dabb2df4f21eddcaf64ba0d89c6588686f33f78bebc44376695",
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

const JS_GET_SIGNATURE: &str = "0881c49833629322cc59aeccc937225453ee696c807e889437e4e11326ac8df8";

fn js_get_with_empty_range(signed_headers: &str) -> RequestParts {
    let parts = request(
        Method::GET,
        "/js-bucket/k2",
        &[
            ("x-bce-date", b"2023-11-14T22:13:20Z"),
            ("connection", b"close"),
            ("content-type", b"application/json; charset=UTF-8"),
            ("host", b"127.0.0.1:8081"),
            ("range", b""),
        ],
    );
    with_authorization(
        parts,
        &format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/{signed_headers}/{JS_GET_SIGNATURE}"),
    )
}

#[test]
fn empty_range_header_is_skipped_even_when_listed() {
    let parts = js_get_with_empty_range("content-type;host;x-bce-date");
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    let listed = "content-type;host;range;x-bce-date";
    let parts = js_get_with_empty_range(listed);
    assert!(!canonical_headers(&parts, listed).contains("range"));
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

#[test]
fn python_put_with_empty_signed_headers_signs_the_default_set_with_utf8_metadata() {
    let parts = request(
        Method::PUT,
        "/my-bucket/dir/a%20b%2Bc~%21.txt",
        &[
            ("content-length", b"11"),
            ("content-type", b"application/octet-stream"),
            ("x-bce-content-crc32", b"222957957"),
            ("x-bce-meta-foo", "bär".as_bytes()),
            ("user-agent", b"bce-sdk-python/0.9.79/3.12"),
            ("host", b"127.0.0.1:18080"),
            ("x-bce-date", b"2023-11-14T22:13:20Z"),
        ],
    );
    assert_eq!(
        canonical_headers(&parts, ""),
        "content-length:11\ncontent-type:application%2Foctet-stream\n\
         host:127.0.0.1%3A18080\nx-bce-content-crc32:222957957\n\
         x-bce-date:2023-11-14T22%3A13%3A20Z\nx-bce-meta-foo:b%C3%A4r"
    );
    let parts = with_authorization(
        parts,
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
         764ed7d84043b0eee75f877f921f67ee93053a811635271516d48d6b3a948bfa",
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

#[test]
fn never_expiring_presigned_url_verifies_years_later() {
    let parts = fetch(
        Method::GET,
        "/my-bucket/k?authorization=bce-auth-v1%2Fmyak%2F2023-11-14T22%3A13%3A20Z%2F-1%2F%2F\
         12096534b02837f8477a9fe5cfb497c42c8052939dc8710cd6f9edaa34999840",
    );
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
    authenticate(&parts, &my_creds(), at(V4_TIME + 20 * 365 * 86400)).unwrap();
}

// --- Canonicalisation ---

#[test]
fn canonical_uri_re_encodes_the_raw_path_keeping_v1_slashes_and_plus() {
    let cases = [
        ("/", "/"),
        ("/b/", "/b/"),
        ("/v1/b/", "/v1/b/"),
        ("/b/a+b", "/b/a%2Bb"),
        ("/b/a%2bb%7e!%c3%a4", "/b/a%2Bb~%21%C3%A4"),
        ("/b/a%zz%", "/b/a%25zz%25"),
        ("/b/%FF", "/b/%FF"),
    ];
    for (raw, canonical) in cases {
        let mut parts = fetch(Method::GET, "/");
        parts.raw_path = raw.to_owned();
        assert_eq!(canonical_uri(&parts), canonical, "{raw}");
    }
}

#[test]
fn differently_encoded_path_still_verifies() {
    // V6, with lowercase hex and an unescaped `!`.
    let url = V6_URL.replace("%2Bc~%21", "%2bc%7E!");
    let parts = fetch(Method::GET, &url);
    authenticate(&parts, &my_creds(), at(V4_TIME)).unwrap();
}

#[test]
fn canonical_query_drops_authorization_in_any_case_and_keeps_empty_values() {
    let parts = fetch(
        Method::GET,
        "/b?uploads&prefix=&AUTHORIZATION=x&Authorization=y&a%20b=c+d&Z=%E4",
    );
    assert_eq!(
        canonical_query(&parts),
        "Z=%EF%BF%BD&a%20b=c%20d&prefix=&uploads="
    );
}

#[test]
fn canonical_headers_take_lowercase_trimmed_names_from_the_list_once() {
    let parts = request(
        Method::GET,
        "/",
        &[
            ("host", b"h"),
            ("x-bce-a", b"a/b:c"),
            ("content-md5", b"MD5"),
        ],
    );
    assert_eq!(
        canonical_headers(&parts, " Host ;x-bce-a;host;;content-md5;missing"),
        "content-md5:MD5\nhost:h\nx-bce-a:a%2Fb%3Ac"
    );
}

#[test]
fn python_unit_test_canonical_headers() {
    // test_client.py TestAuthorization: the empty header C is dropped.
    let parts = request(
        Method::GET,
        "/",
        &[
            ("host", b"localhost"),
            ("x-bce-a", b"a/b:c"),
            ("c", b""),
            ("content-md5", b"MD5"),
        ],
    );
    assert_eq!(
        canonical_headers(&parts, "host;content-md5;x-bce-a;c"),
        "content-md5:MD5\nhost:localhost\nx-bce-a:a%2Fb%3Ac"
    );
    assert_eq!(
        canonical_headers(&parts, ""),
        "content-md5:MD5\nhost:localhost\nx-bce-a:a%2Fb%3Ac"
    );
}

// --- Failures ---

fn v4_authorization(expiration: &str, signed_headers: &str, signature: &str) -> String {
    format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/{expiration}/{signed_headers}/{signature}")
}

#[test]
fn no_authorization_is_anonymous() {
    let parts = fetch(Method::GET, "/b/k?acl");
    assert!(!is_bce(&parts));
    assert_eq!(
        authenticate(&parts, &my_creds(), at(V4_TIME)),
        Err(AuthError::Anonymous)
    );
}

#[test]
fn malformed_authorization_strings_are_invalid_http_auth_header() {
    let sig = "2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b";
    let bad = [
        String::new(),
        "Bearer x".to_owned(),
        "bce-auth-v1".to_owned(),
        "bce-auth-v1/".to_owned(),
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/".to_owned(),
        format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/{sig}"),
        format!("bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//{sig}/extra"),
        format!("bce-auth-v2/myak/2023-11-14T22:13:20Z/1800//{sig}"),
        format!("BCE-AUTH-V1/myak/2023-11-14T22:13:20Z/1800//{sig}"),
        format!("bce-auth-v1//2023-11-14T22:13:20Z/1800//{sig}"),
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//".to_owned(),
        format!("bce-auth-v1/myak/2023-11-14 22:13:20Z/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-11-14T22:13:20/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-11-14T22:13:20.000Z/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-13-14T22:13:20Z/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-02-30T22:13:20Z/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-11-14T24:13:20Z/1800//{sig}"),
        format!("bce-auth-v1/myak/+023-11-14T22:13:20Z/1800//{sig}"),
        format!("bce-auth-v1/myak/2023-11-14Té:00:00Z/1800//{sig}"),
        v4_authorization("", "", sig),
        v4_authorization("abc", "", sig),
        v4_authorization("-2", "", sig),
        v4_authorization("+5", "", sig),
        v4_authorization("1.5", "", sig),
        v4_authorization("99999999999999999999", "", sig),
    ];
    for authorization in &bad {
        let parts = multi_delete_request(&[("authorization", authorization.as_bytes())]);
        assert!(
            is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))),
            "{authorization:?}"
        );
    }
}

#[test]
fn non_utf8_authorization_header_is_malformed() {
    let parts = multi_delete_request(&[("authorization", b"bce-auth-v1/\xff/x")]);
    assert!(is_bce(&parts));
    assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
}

#[test]
fn malformed_presigned_authorization_is_malformed() {
    let parts = fetch(Method::GET, "/b/k?Authorization=bce-auth-v1%2Fmyak");
    assert!(is_bce(&parts));
    assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
}

#[test]
fn unknown_access_key_is_invalid_access_key_id() {
    let parts = v2_request(
        "bce-auth-v1/other/2014-06-13T05:57:36Z/1800//\
         80c9672aca2ea9af4bb40b9a8ff458d72df94e97d550840727f3a929af271d25",
    );
    assert_eq!(
        authenticate(&parts, &creds("my_ak", "my_sk"), at(V2_TIME)),
        Err(AuthError::InvalidAccessKeyId)
    );
}

#[test]
fn request_after_timestamp_plus_expiration_is_expired() {
    let parts = v1_request("");
    authenticate(&parts, &v1_creds(), at(V1_TIME + 1800)).unwrap();
    assert_eq!(
        authenticate(&parts, &v1_creds(), at(V1_TIME + 1801)),
        Err(AuthError::RequestExpired)
    );
}

#[test]
fn timestamp_more_than_15_minutes_ahead_is_too_skewed() {
    let parts = v1_request("");
    authenticate(&parts, &v1_creds(), at(V1_TIME - 900)).unwrap();
    assert_eq!(
        authenticate(&parts, &v1_creds(), at(V1_TIME - 901)),
        Err(AuthError::RequestTimeTooSkewed)
    );
}

#[test]
fn wrong_secret_or_tampered_request_does_not_match() {
    let parts = v1_request("");
    let Err(AuthError::SignatureDoesNotMatch { canonical_request }) =
        authenticate(&parts, &creds(&"a".repeat(32), "wrong"), at(V1_TIME))
    else {
        panic!("expected SignatureDoesNotMatch");
    };
    assert_eq!(canonical_request, V1_CANONICAL_REQUEST);
    let mut parts = v1_request("");
    parts.headers.insert(
        HeaderName::from_static("x-bce-meta-added"),
        HeaderValue::from_static("1"),
    );
    assert!(matches!(
        authenticate(&parts, &v1_creds(), at(V1_TIME)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
    let mut parts = fetch(Method::GET, V6_URL);
    parts.method = Method::HEAD;
    assert!(matches!(
        authenticate(&parts, &my_creds(), at(V4_TIME)),
        Err(AuthError::SignatureDoesNotMatch { .. })
    ));
}

#[test]
fn uppercase_hex_signature_is_accepted() {
    let parts = v1_request("");
    let upper = V1_SIGNATURE.to_ascii_uppercase();
    let authorization = format!(
        "bce-auth-v1/{}/2015-04-27T08:23:49Z/1800//{upper}",
        "a".repeat(32)
    );
    let parts = with_authorization(parts, &authorization);
    authenticate(&parts, &v1_creds(), at(V1_TIME)).unwrap();
}

#[test]
fn header_authorization_wins_over_the_query_parameter() {
    let parts = fetch(Method::GET, V6_URL);
    let parts = with_authorization(parts, "Bearer x");
    assert!(is_bce(&parts));
    assert!(is_malformed(authenticate(&parts, &my_creds(), at(V4_TIME))));
}

#[test]
fn is_bce_needs_the_bce_auth_v1_prefix() {
    let parts = fetch(Method::GET, "/b?authorization=OSS+x");
    assert!(!is_bce(&parts));
    let parts = with_authorization(fetch(Method::GET, "/b"), "OSS ak:sig");
    assert!(!is_bce(&parts));
    let parts = with_authorization(fetch(Method::GET, "/b"), "bce-auth-v1/x");
    assert!(is_bce(&parts));
}

#[test]
fn every_truncation_or_one_character_change_of_a_valid_authorization_is_refused() {
    let valid = "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800//\
                 2825e98b5db9163969ba31304f6c2aa9d77359b79afbb0447f23030caa37277b";
    let check = |authorization: &str| {
        let parts = multi_delete_request(&[("authorization", authorization.as_bytes())]);
        authenticate(&parts, &my_creds(), at(V4_TIME))
    };
    check(valid).unwrap();
    for end in 0..valid.len() {
        assert!(check(&valid[..end]).is_err(), "{}", &valid[..end]);
    }
    for (i, original) in valid.char_indices() {
        for replacement in ['z', '/', '-', ' ', 'é'] {
            if original == replacement {
                continue;
            }
            let mut changed = valid.to_owned();
            changed.replace_range(i..i + 1, replacement.encode_utf8(&mut [0; 4]));
            assert!(check(&changed).is_err(), "{changed}");
        }
    }
}

#[test]
fn huge_and_extreme_inputs_do_not_panic() {
    let huge = format!("bce-auth-v1/{}/x", "/".repeat(100_000));
    let parts = with_authorization(fetch(Method::GET, "/b"), &huge);
    assert!(is_malformed(authenticate(&parts, &my_creds(), at(0))));
    let long_ak = format!(
        "bce-auth-v1/{}/2023-11-14T22:13:20Z/1800/{}/{}",
        "a".repeat(100_000),
        ";".repeat(100_000),
        "f".repeat(100_000)
    );
    let parts = with_authorization(fetch(Method::GET, "/b"), &long_ak);
    assert_eq!(
        authenticate(&parts, &my_creds(), at(V4_TIME)),
        Err(AuthError::InvalidAccessKeyId)
    );
    // Extreme timestamps and expirations against extreme clocks.
    for (timestamp, expiration) in [
        ("9999-12-31T23:59:59Z", "999999999999999999"),
        ("0000-01-01T00:00:00Z", "999999999999999999"),
        ("0000-01-01T00:00:00Z", "0"),
    ] {
        let authorization = format!("bce-auth-v1/myak/{timestamp}/{expiration}//00");
        let parts = with_authorization(fetch(Method::GET, "/b"), &authorization);
        for now in [
            UNIX_EPOCH,
            at(V4_TIME),
            SystemTime::UNIX_EPOCH - Duration::from_secs(1),
        ] {
            assert!(authenticate(&parts, &my_creds(), now).is_err());
        }
    }
    let parts = with_authorization(
        fetch(Method::GET, "/b"),
        "bce-auth-v1/myak/2023-11-14T22:13:20Z/1800/x-bce-\u{1F600};;/00",
    );
    assert!(authenticate(&parts, &my_creds(), at(V4_TIME)).is_err());
}
