use super::*;
use http_body_util::Full;

fn parts(method: Method, uri: &str, content_type: &str) -> RequestParts {
    let mut h = HeaderMap::new();
    h.insert("content-type", content_type.parse().unwrap());
    RequestParts::new(method, &uri.parse().unwrap(), h, &[]).unwrap()
}

const FORM: &str = "multipart/form-data; boundary=XyZ";

fn body(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> Incoming {
    let mut s = String::new();
    for (n, v) in fields {
        s.push_str(&format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n"
        ));
    }
    if let Some((name, content)) = file {
        s.push_str(&format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n"
        ));
        s.push_str("--XyZ\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nx\r\n");
    }
    s.push_str("--XyZ--\r\n");
    Incoming::new(Full::new(Bytes::from(s)), None, false)
}

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", FORM.parse().unwrap());
    h
}

async fn collect(mut file: FileStream) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = file.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

#[test]
fn only_form_posts_to_a_bucket_are_uploads() {
    assert!(is_form_upload(&parts(Method::POST, "/b", FORM)));
    assert!(is_form_upload(&parts(
        Method::POST,
        "/b/",
        "Multipart/Form-Data; boundary=a"
    )));
    assert!(is_form_upload(&parts(Method::POST, "/v1/b", FORM)));
    assert!(!is_form_upload(&parts(Method::PUT, "/b", FORM)));
    assert!(!is_form_upload(&parts(Method::POST, "/b/k", FORM)));
    assert!(!is_form_upload(&parts(Method::POST, "/b?delete", FORM)));
    assert!(!is_form_upload(&parts(
        Method::POST,
        "/b",
        "application/xml"
    )));
    assert!(!is_form_upload(&parts(Method::POST, "/", FORM)));
}

#[test]
fn the_fields_name_the_dialect() {
    let form = |names: &[&str]| Form {
        fields: names
            .iter()
            .map(|n| ((*n).to_owned(), String::new()))
            .collect(),
        ..Form::default()
    };
    let s3 = FormDialect::S3;
    assert_eq!(
        dialect_of(&form(&["key", "OSSAccessKeyId"]), s3),
        FormDialect::Oss
    );
    assert_eq!(
        dialect_of(&form(&["X-OSS-Credential"]), s3),
        FormDialect::Oss
    );
    assert_eq!(dialect_of(&form(&["accessKey"]), s3), FormDialect::Bos);
    assert_eq!(
        dialect_of(&form(&["AWSAccessKeyId"]), FormDialect::Oss),
        FormDialect::S3
    );
    assert_eq!(
        dialect_of(&form(&["x-amz-credential"]), FormDialect::Bos),
        FormDialect::S3
    );
    // Anonymous: the request's own hints.
    assert_eq!(
        dialect_of(&form(&["key", "acl"]), FormDialect::Oss),
        FormDialect::Oss
    );
    assert_eq!(dialect_of(&form(&["key"]), s3), FormDialect::S3);
}

#[tokio::test]
async fn a_form_reads_up_to_its_file_which_streams() {
    let (form, file) = read_form(
        &headers(),
        body(
            &[("kEy", "up/${filename}"), ("x-amz-meta-a", "1")],
            Some(("photo.txt", "the content")),
        ),
    )
    .await
    .unwrap();
    assert_eq!(form.get("key"), Some("up/photo.txt"));
    assert_eq!(form.key().as_deref(), Some("up/photo.txt"));
    assert_eq!(form.file_name.as_deref(), Some("photo.txt"));
    assert_eq!(form.fields.len(), 2, "fields after the file are not read");
    assert_eq!(collect(file).await.unwrap(), b"the content");
    let fields: Vec<_> = form.with_bucket("b").collect();
    assert_eq!(fields[0], ("bucket", "b"));
    // The fields become headers; S3's `acl` is `x-amz-acl`.
    let mut request = HeaderMap::new();
    request.insert("host", "h".parse().unwrap());
    request.insert("content-length", "99".parse().unwrap());
    let form = Form {
        fields: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("acl".into(), "private".into()),
        ],
        ..Form::default()
    };
    let h = form_headers(&request, &form, &[("acl", "x-amz-acl")]);
    assert_eq!(h.get("host").unwrap(), "h");
    assert_eq!(h.get("content-type").unwrap(), "text/plain");
    assert_eq!(h.get("x-amz-acl").unwrap(), "private");
    assert!(h.get("content-length").is_none());
}

#[tokio::test]
async fn bad_forms_are_refused() {
    let no_file = read_form(&headers(), body(&[("key", "k")], None)).await;
    assert!(matches!(no_file, Err(PostError::NoFile)));
    let big = "v".repeat(MAX_FIELDS);
    let too_large = read_form(&headers(), body(&[("key", &big)], Some(("f", "x")))).await;
    assert!(matches!(too_large, Err(PostError::FieldsTooLarge)));
    let mut h = HeaderMap::new();
    h.insert("content-type", "multipart/form-data".parse().unwrap());
    let no_boundary = read_form(&h, body(&[], Some(("f", "x")))).await;
    assert!(matches!(no_boundary, Err(PostError::Malformed(_))));
    let garbage = Incoming::new(Full::new(Bytes::from("not a form")), None, false);
    assert!(matches!(
        read_form(&headers(), garbage).await,
        Err(PostError::Malformed(_))
    ));
    let (form, _) = read_form(&headers(), body(&[], Some(("f", "x"))))
        .await
        .unwrap();
    assert_eq!(form.key(), None);
}

#[tokio::test]
async fn the_file_is_cut_after_its_largest_size_and_checked() {
    let file: FileStream = Box::pin(futures_util::stream::iter(vec![
        Ok(Bytes::from_static(b"abc")),
        Ok(Bytes::from_static(b"defg")),
    ]));
    assert_eq!(collect(bounded(file, Some(4))).await.unwrap(), b"abcde");
    let digests = |len| DigestValues {
        md5: [0; 16],
        crc64: 0,
        crc32: 0,
        crc32c: None,
        crc64nvme: None,
        sha256: None,
        sha1: None,
        len,
    };
    let check = expect_length(Some((2, 4)), Expect::default()).late.unwrap();
    assert!(check(&digests(2)).is_ok());
    assert!(check(&digests(4)).is_ok());
    assert!(matches!(
        check(&digests(5)),
        Err(CoreError::EntityTooLarge { size: 5, max: 4 })
    ));
    assert!(matches!(
        check(&digests(1)),
        Err(CoreError::EntityTooSmall {
            size: 1,
            min: 2,
            ..
        })
    ));
    assert!(expect_length(None, Expect::default()).late.is_none());
    // A checksum field's own check is asked after the size's, and only then.
    let crc = Expect {
        late: Some(Arc::new(|d: &DigestValues| {
            if d.crc32 == 7 {
                Ok(())
            } else {
                Err(CoreError::BadDigest("CRC32"))
            }
        })),
        ..Expect::default()
    };
    let check = expect_length(Some((2, 4)), crc).late.unwrap();
    assert!(matches!(
        check(&digests(3)),
        Err(CoreError::BadDigest("CRC32"))
    ));
    assert!(
        check(&DigestValues {
            crc32: 7,
            ..digests(3)
        })
        .is_ok()
    );
    assert!(matches!(
        check(&DigestValues {
            crc32: 7,
            ..digests(9)
        }),
        Err(CoreError::EntityTooLarge { .. })
    ));
}
