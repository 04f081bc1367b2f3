use super::*;
use crate::s3::auth::authenticate;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::time::{Duration, UNIX_EPOCH};

/// The AWS documentation's example key pair.
pub(super) fn aws_creds() -> Credentials {
    Credentials {
        access_key: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    }
}

/// s3-tests' main user, which the botocore vectors below are signed with.
pub(super) fn boto_creds() -> Credentials {
    Credentials {
        access_key: "0555b35654ad1656d804".into(),
        secret_key: "h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==".into(),
    }
}

/// 2026-11-21T13:20:05Z, the Date of the botocore vectors.
pub(super) const BOTO_TIME: i64 = 1_795_267_205;
pub(super) const BOTO_DATE: &str = "Sat, 21 Nov 2026 13:20:05 GMT";

pub(super) fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap())
}

/// The instant of an RFC 2822 date.
pub(super) fn when(rfc2822: &str) -> SystemTime {
    at(date::parse_rfc2822(rfc2822).unwrap().as_second())
}

/// A request as the front door splits it, with `domains` for virtual hosts.
pub(super) fn request_in(
    method: Method,
    target: &str,
    headers: &[(&str, &str)],
    domains: &[&str],
) -> RequestParts {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
    RequestParts::new(method, &target.parse().unwrap(), map, &domains).unwrap()
}

pub(super) fn request(method: Method, target: &str, headers: &[(&str, &str)]) -> RequestParts {
    request_in(method, target, headers, &[])
}

pub(super) fn set(parts: &mut RequestParts, name: &'static str, value: &str) {
    parts
        .headers
        .insert(name, HeaderValue::from_str(value).unwrap());
}

pub(super) fn boto(parts: &RequestParts) -> Result<Authenticated, AuthError> {
    authenticate(parts, &boto_creds(), at(BOTO_TIME))
}

pub(super) fn mismatch(result: Result<Authenticated, AuthError>) -> String {
    match result {
        Err(AuthError::SignatureDoesNotMatchV2 { string_to_sign, .. }) => string_to_sign,
        other => panic!("expected SignatureDoesNotMatch, got {other:?}"),
    }
}

// --- AWS's documented examples (RESTAuthentication) ---

const AWS_DOMAINS: &[&str] = &[
    "s3.us-west-1.amazonaws.com",
    "us-west-1.s3.amazonaws.com",
    "s3.amazonaws.com",
];

/// `Host: <host>`, `Date: <date>`, `Authorization: AWS AKIAIOSFODNN7EXAMPLE:<sig>` plus `extra`.
fn aws_example(
    method: Method,
    target: &str,
    host: &str,
    date: &str,
    signature: &str,
    extra: &[(&str, &str)],
) -> RequestParts {
    let auth = format!("AWS AKIAIOSFODNN7EXAMPLE:{signature}");
    let mut headers = vec![("host", host), ("date", date), ("authorization", &auth)];
    headers.extend_from_slice(extra);
    request_in(method, target, &headers, AWS_DOMAINS)
}

fn check_aws(parts: &RequestParts, date: &str, string_to_sign: &str) {
    authenticate(parts, &aws_creds(), when(date)).unwrap();
    let (_, sig) = parse_authorization(parts.header("authorization").unwrap()).unwrap();
    assert_eq!(sign(&aws_creds().secret_key, string_to_sign), sig);
}

#[test]
fn aws_example_object_get_and_put() {
    let date = "Tue, 27 Mar 2007 19:36:42 +0000";
    let host = "awsexamplebucket1.us-west-1.s3.amazonaws.com";
    let get = aws_example(
        Method::GET,
        "/photos/puppy.jpg",
        host,
        date,
        "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
        &[],
    );
    assert!(get.virtual_hosted);
    assert_eq!(
        string_to_sign(&get, date),
        format!("GET\n\n\n{date}\n/awsexamplebucket1/photos/puppy.jpg")
    );
    check_aws(
        &get,
        date,
        &format!("GET\n\n\n{date}\n/awsexamplebucket1/photos/puppy.jpg"),
    );

    let date = "Tue, 27 Mar 2007 21:15:45 +0000";
    let put = aws_example(
        Method::PUT,
        "/photos/puppy.jpg",
        "awsexamplebucket1.s3.us-west-1.amazonaws.com",
        date,
        "iqRzw+ileNPu1fhspnRs8nOjjIA=",
        &[("content-type", "image/jpeg"), ("content-length", "94328")],
    );
    assert!(put.virtual_hosted);
    check_aws(
        &put,
        date,
        &format!("PUT\n\nimage/jpeg\n{date}\n/awsexamplebucket1/photos/puppy.jpg"),
    );
}

#[test]
fn aws_example_list_and_acl_sign_only_sub_resources() {
    let host = "awsexamplebucket1.s3.us-west-1.amazonaws.com";
    let date = "Tue, 27 Mar 2007 19:42:41 +0000";
    let list = aws_example(
        Method::GET,
        "/?prefix=photos&max-keys=50&marker=puppy",
        host,
        date,
        "m0WP8eCtspQl5Ahe6L1SozdX9YA=",
        &[("user-agent", "Mozilla/5.0")],
    );
    check_aws(
        &list,
        date,
        &format!("GET\n\n\n{date}\n/awsexamplebucket1/"),
    );
    let date = "Tue, 27 Mar 2007 19:44:46 +0000";
    let acl = aws_example(
        Method::GET,
        "/?acl",
        host,
        date,
        "82ZHiFIjc+WbcwFKGUVEQspPn+0=",
        &[],
    );
    check_aws(
        &acl,
        date,
        &format!("GET\n\n\n{date}\n/awsexamplebucket1/?acl"),
    );
}

#[test]
fn aws_example_delete_with_x_amz_date_signs_it_in_the_date_line() {
    let date = "Tue, 27 Mar 2007 21:20:27 +0000";
    let amz = "Tue, 27 Mar 2007 21:20:26 +0000";
    let delete = aws_example(
        Method::DELETE,
        "/awsexamplebucket1/photos/puppy.jpg",
        "s3.us-west-1.amazonaws.com",
        date,
        "XbyTlbQdu9Xw5o8P4iMwPktxQd8=",
        &[("user-agent", "dotnet"), ("x-amz-date", amz)],
    );
    check_aws(
        &delete,
        amz,
        &format!("DELETE\n\n\n{amz}\n/awsexamplebucket1/photos/puppy.jpg"),
    );
}

#[test]
fn aws_example_upload_joins_repeated_amz_headers() {
    let date = "Tue, 27 Mar 2007 21:06:08 +0000";
    let upload = aws_example(
        Method::PUT,
        "/static.johnsmith.net/db-backup.dat.gz",
        "s3.amazonaws.com",
        date,
        "ilyl83RwaSoYIEdixDQcA4OnAnc=",
        &[
            ("user-agent", "curl/7.15.5"),
            ("x-amz-acl", "public-read"),
            ("content-type", "application/x-download"),
            ("content-md5", "4gJE4saaMU4BqNR0kLY+lw=="),
            ("X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"),
            ("X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"),
            ("X-Amz-Meta-FileChecksum", "0x02661779"),
            ("X-Amz-Meta-ChecksumAlgorithm", "crc32"),
            ("content-disposition", "attachment; filename=database.dat"),
            ("content-encoding", "gzip"),
            ("content-length", "5913339"),
        ],
    );
    check_aws(
        &upload,
        date,
        &format!(
            "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\n{date}\nx-amz-acl:public-read\n\
             x-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n\
             x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n\
             /static.johnsmith.net/db-backup.dat.gz"
        ),
    );
}

#[test]
fn aws_example_service_and_unicode_keys_sign_the_path_as_sent() {
    let date = "Wed, 28 Mar 2007 01:29:59 +0000";
    let host = "s3.us-west-1.amazonaws.com";
    let list = aws_example(
        Method::GET,
        "/",
        host,
        date,
        "qGdzdERIC03wnaRNKh6OqZehG9s=",
        &[],
    );
    check_aws(&list, date, &format!("GET\n\n\n{date}\n/"));
    let date = "Wed, 28 Mar 2007 01:49:49 +0000";
    let unicode = aws_example(
        Method::GET,
        "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
        host,
        date,
        "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
        &[],
    );
    check_aws(
        &unicode,
        date,
        &format!("GET\n\n\n{date}\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re"),
    );
}

#[test]
fn aws_example_query_string_authentication() {
    let url = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE\
               &Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620";
    let parts = request_in(
        Method::GET,
        url,
        &[("host", "johnsmith.s3.amazonaws.com")],
        AWS_DOMAINS,
    );
    assert_eq!(
        string_to_sign(&parts, "1175139620"),
        "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
    );
    authenticate(&parts, &aws_creds(), at(1_175_139_000)).unwrap();
    authenticate(&parts, &aws_creds(), at(1_175_139_620)).unwrap();
    assert_eq!(
        authenticate(&parts, &aws_creds(), at(1_175_139_621)),
        Err(AuthError::Expired)
    );
}

// --- botocore 1.43's HmacV1Auth / HmacV1QueryAuth ---

pub(super) fn boto_request(
    method: Method,
    target: &str,
    signature: &str,
    extra: &[(&str, &str)],
) -> RequestParts {
    let auth = format!("AWS 0555b35654ad1656d804:{signature}");
    let mut headers = vec![
        ("host", "127.0.0.1:9000"),
        ("date", BOTO_DATE),
        ("authorization", auth.as_str()),
    ];
    headers.extend_from_slice(extra);
    request(method, target, &headers)
}

#[test]
fn botocore_put_trims_amz_values_and_keeps_the_encoded_path() {
    let parts = boto_request(
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
    let auth = boto(&parts).unwrap();
    assert_eq!(auth.access_key, "0555b35654ad1656d804");
    assert_eq!(auth.payload, Payload::Unsigned);
    assert!(auth.signing.is_none());
    assert_eq!(
        string_to_sign(&parts, BOTO_DATE),
        format!(
            "PUT\nrL0Y20zC+Fzt72VPzMSk2A==\ntext/plain\n{BOTO_DATE}\nx-amz-meta-color:blue\n\
             x-amz-meta-size:9\n/bkt/dir/a%20b%2Bc.txt"
        )
    );
}

#[test]
fn botocore_get_signs_decoded_sub_resource_values_sorted() {
    let parts = boto_request(
        Method::GET,
        "/bkt/k?versionId=00000000000000070123abcd&response-content-type=text%2Fhtml&x-id=GetObject",
        "GgsgfKE6teCNBZy4Bn2HUelk/JI=",
        &[],
    );
    boto(&parts).unwrap();
    assert!(
        string_to_sign(&parts, BOTO_DATE).ends_with(
            "\n/bkt/k?response-content-type=text/html&versionId=00000000000000070123abcd"
        )
    );
}

#[test]
fn botocore_virtual_host_signs_the_bucket_and_a_valueless_sub_resource() {
    let parts = request_in(
        Method::GET,
        "/?uploads&prefix=a",
        &[
            ("host", "bkt.s3.local:9000"),
            ("date", BOTO_DATE),
            (
                "authorization",
                "AWS 0555b35654ad1656d804:VtiAnuVn95X11BEYz9sWJrttV+w=",
            ),
        ],
        &["s3.local"],
    );
    boto(&parts).unwrap();
    assert!(string_to_sign(&parts, BOTO_DATE).ends_with("\n/bkt/?uploads"));
}

#[test]
fn botocore_leaves_retention_out_of_a_digest_pinned_put() {
    let parts = boto_request(
        Method::PUT,
        "/bkt/k?retention&versionId=v1",
        "bvEbRh7WH1FIig503pfEC1gL/ms=",
        &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
    );
    boto(&parts).unwrap();
    // The specification's form names it; the error reports that one.
    let mut unpinned = parts.clone();
    unpinned.headers.remove("content-md5");
    assert!(mismatch(boto(&unpinned)).ends_with("/bkt/k?retention&versionId=v1"));
}

#[test]
fn an_optional_sub_resource_left_out_is_accepted_only_for_reads_and_pinned_bodies() {
    let creds = boto_creds();
    let signed_without = |method: Method, target: &str, extra: &[(&str, &str)]| {
        let mut parts = request(method, target, &[("date", BOTO_DATE)]);
        for (name, value) in extra {
            parts.headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let sts = string_to_sign_with(
            &parts,
            &parts.headers,
            BOTO_DATE,
            true,
            &canonicalized_resource(&parts, false),
        );
        let auth = format!("AWS {}:{}", creds.access_key, sign(&creds.secret_key, &sts));
        set(&mut parts, "authorization", &auth);
        parts
    };
    // A DeleteBucket signature does not become DeletePublicAccessBlock or an ownership change.
    for target in ["/bkt?publicAccessBlock", "/bkt?ownershipControls"] {
        mismatch(boto(&signed_without(Method::DELETE, target, &[])));
    }
    // Nor a PutObject signature without a digest a PutObjectLegalHold.
    mismatch(boto(&signed_without(Method::PUT, "/bkt/k?legal-hold", &[])));
    // Reads, and writes whose body a signed digest pins, are accepted.
    boto(&signed_without(Method::GET, "/bkt?policyStatus", &[])).unwrap();
    boto(&signed_without(Method::HEAD, "/bkt/k?legal-hold", &[])).unwrap();
    boto(&signed_without(
        Method::PUT,
        "/bkt/k?legal-hold",
        &[("x-amz-checksum-crc32", "AAAAAA==")],
    ))
    .unwrap();
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let auth = boto(&signed_without(
        Method::PUT,
        "/bkt?object-lock",
        &[("x-amz-content-sha256", sha)],
    ))
    .unwrap();
    assert!(matches!(auth.payload, Payload::Sha256(_)));
}

#[test]
fn botocore_signs_the_date_header_beside_x_amz_date() {
    let parts = boto_request(
        Method::DELETE,
        "/bkt/k",
        "douO/NevARz8QlQN9sBkIy+Syig=",
        &[("x-amz-date", "Sat, 21 Nov 2026 13:20:04 GMT")],
    );
    boto(&parts).unwrap();
    // The specification's form (an empty Date line) is what a mismatch reports.
    let mut wrong = parts.clone();
    set(&mut wrong, "authorization", "AWS 0555b35654ad1656d804:AAAA");
    assert!(mismatch(boto(&wrong)).starts_with("DELETE\n\n\n\nx-amz-date:Sat, 21 Nov 2026"));
}

#[test]
fn botocore_presigned_get_and_put_with_headers_moved_into_the_query() {
    let get = request(
        Method::GET,
        "/bkt/photos/puppy%20dog.jpg?versionId=0000000000000007abcdef01\
         &AWSAccessKeyId=0555b35654ad1656d804&Signature=kqlH2FzZWuzM1bLUCWBdHMBv1aA%3D\
         &Expires=1795270805",
        &[("host", "127.0.0.1:9000")],
    );
    boto(&get).unwrap();
    let put_url = "/bkt/up.txt?AWSAccessKeyId=0555b35654ad1656d804\
                   &Signature=lxVIXHTMifW82z4prnr0hZ380y8%3D&content-type=text%2Fplain\
                   &x-amz-meta-owner=ann&x-amz-acl=public-read&Expires=1795270805";
    let mut put = request(Method::PUT, put_url, &[("host", "127.0.0.1:9000")]);
    boto(&put).unwrap();
    assert_eq!(
        string_to_sign(&put, "1795270805"),
        "PUT\n\ntext/plain\n1795270805\nx-amz-acl:public-read\nx-amz-meta-owner:ann\n/bkt/up.txt"
    );
    hoist_query_headers(&mut put);
    assert_eq!(put.header("content-type"), Some("text/plain"));
    assert_eq!(put.header("x-amz-acl"), Some("public-read"));
    assert_eq!(put.header("x-amz-meta-owner"), Some("ann"));
    // Sending a header of another value is signed as that header: it does not match.
    let mut other = request(
        Method::PUT,
        put_url,
        &[("host", "127.0.0.1:9000"), ("x-amz-acl", "private")],
    );
    mismatch(boto(&other));
    hoist_query_headers(&mut other);
    assert_eq!(other.header("x-amz-acl"), Some("private"));
}

#[test]
fn botocore_signs_a_path_style_bucket_with_a_trailing_slash() {
    // botocore 1.43's CreateBucket: sent as `PUT /dbg-bucket-1`, signed as `/dbg-bucket-1/`.
    let creds = Credentials {
        access_key: "AKTESTV2AKTESTV2AKTE".into(),
        secret_key: "secretsecretsecretsecretsecret0000000000".into(),
    };
    let date = "Mon, 07 Dec 2026 03:32:27 GMT";
    let parts = request(
        Method::PUT,
        "/dbg-bucket-1",
        &[
            ("date", date),
            (
                "authorization",
                "AWS AKTESTV2AKTESTV2AKTE:RhWnsXD5qJOQk0ePOCMMz3qY+Og=",
            ),
        ],
    );
    authenticate(&parts, &creds, when(date)).unwrap();
    assert_eq!(
        string_to_sign(&parts, date),
        format!("PUT\n\n\n{date}\n/dbg-bucket-1/")
    );
    // A signer that signs the path exactly as sent is accepted as well.
    let mut literal = parts.clone();
    let sts = format!("PUT\n\n\n{date}\n/dbg-bucket-1");
    let auth = format!("AWS AKTESTV2AKTESTV2AKTE:{}", sign(&creds.secret_key, &sts));
    set(&mut literal, "authorization", &auth);
    authenticate(&literal, &creds, when(date)).unwrap();
    // Not any other path.
    let sts = format!("PUT\n\n\n{date}\n/dbg-bucket-2/");
    let auth = format!("AWS AKTESTV2AKTESTV2AKTE:{}", sign(&creds.secret_key, &sts));
    set(&mut literal, "authorization", &auth);
    assert!(matches!(
        authenticate(&literal, &creds, when(date)),
        Err(AuthError::SignatureDoesNotMatchV2 { .. })
    ));
}

#[test]
fn aws_sdk_js_v2_moves_headers_into_the_query_in_their_own_case() {
    // aws-sdk-js v2's presigner copies every header it signed into the query as named
    // (`Content-Type`, `x-amz-acl`).
    let creds = boto_creds();
    let sts = "PUT\n\nimage/png\n1795270805\nx-amz-acl:public-read\n/bkt/pic.png";
    let url = format!(
        "/bkt/pic.png?AWSAccessKeyId=0555b35654ad1656d804&Content-Type=image%2Fpng\
         &Expires=1795270805&Signature={}&x-amz-acl=public-read",
        percent_encoding::utf8_percent_encode(
            &sign(&creds.secret_key, sts),
            crate::encode::UNRESERVED
        )
    );
    let mut parts = request(Method::PUT, &url, &[("host", "127.0.0.1:9000")]);
    boto(&parts).unwrap();
    hoist_query_headers(&mut parts);
    assert_eq!(parts.header("content-type"), Some("image/png"));
    assert_eq!(parts.header("x-amz-acl"), Some("public-read"));
}
