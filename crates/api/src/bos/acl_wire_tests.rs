use super::*;
use Permission::{FullControl, Read, Write};

fn req(headers: &[(&'static str, &str)]) -> RequestParts {
    let mut h = http::HeaderMap::new();
    for (n, v) in headers {
        h.append(*n, v.parse().unwrap());
    }
    RequestParts::new(http::Method::PUT, &"/b/k".parse().unwrap(), h, &[]).unwrap()
}

fn user(id: &str) -> Grantee {
    Grantee::User(id.to_owned())
}

#[test]
fn canned_values_depend_on_what_they_apply_to() {
    assert_eq!(
        parse_canned("public-read-write", Scope::Bucket).unwrap(),
        Canned::PublicReadWrite
    );
    assert_eq!(
        parse_canned("public-read", Scope::Object).unwrap(),
        Canned::PublicRead
    );
    assert_eq!(
        parse_canned("private", Scope::Object).unwrap(),
        Canned::Private
    );
    for (value, scope) in [
        ("public-read-write", Scope::Object),
        ("Public-Read", Scope::Bucket),
        ("authenticated-read", Scope::Bucket),
        ("", Scope::Bucket),
    ] {
        let e = parse_canned(value, scope).unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "InvalidArgument")
        );
    }
}

#[test]
fn grant_header_values_list_ids() {
    assert_eq!(
        parse_grantees(r#"id="a", id="b",id=c"#, GRANT_READ).unwrap(),
        vec![user("a"), user("b"), user("c")]
    );
    assert_eq!(
        parse_grantees(r#"id="*""#, GRANT_READ).unwrap(),
        vec![Grantee::AllUsers]
    );
    for bad in [
        "",
        "a",
        r#"uri="x""#,
        r#"id="""#,
        r#"id="a"#,
        r#"id="a",,id="b""#,
    ] {
        let e = parse_grantees(bad, GRANT_READ).unwrap_err();
        assert_eq!(e.code, "InvalidArgument", "{bad:?}");
    }
}

#[test]
fn header_acl_reads_one_method() {
    assert_eq!(header_acl(&req(&[]), Scope::Object, true).unwrap(), None);
    assert_eq!(
        header_acl(&req(&[(CANNED, "public-read")]), Scope::Object, true).unwrap(),
        Some(HeaderAcl::Canned(Canned::PublicRead))
    );
    // Grant headers combine.
    let both = [(GRANT_READ, r#"id="a""#), (GRANT_FULL_CONTROL, r#"id="b""#)];
    assert_eq!(
        header_acl(&req(&both), Scope::Object, true).unwrap(),
        Some(HeaderAcl::Grants(vec![
            Grant::new(user("a"), Read),
            Grant::new(user("b"), FullControl)
        ]))
    );
    // A canned ACL and grants, or a header twice, are InvalidArgument.
    let mixed = [(CANNED, "private"), (GRANT_READ, r#"id="a""#)];
    let twice = [(CANNED, "private"), (CANNED, "public-read")];
    for h in [&mixed[..], &twice[..]] {
        let e = header_acl(&req(h), Scope::Object, true).unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
    }
    // Grant headers where the operation takes none, and grants BOS does not define, are
    // not implemented.
    let e = header_acl(&req(&[(GRANT_READ, r#"id="a""#)]), Scope::Bucket, false).unwrap_err();
    assert_eq!(
        (e.status, e.code),
        (StatusCode::NOT_IMPLEMENTED, "NotImplemented")
    );
    let e = header_acl(
        &req(&[("x-bce-grant-write", r#"id="a""#)]),
        Scope::Object,
        true,
    )
    .unwrap_err();
    assert_eq!(e.code, "NotImplemented");
}

#[test]
fn acl_headers_are_refused_where_nothing_reads_them() {
    assert!(refuse_acl_headers(&req(&[]), "GetObject").is_ok());
    assert!(refuse_acl_headers(&req(&[("x-bce-meta-a", "b")]), "GetObject").is_ok());
    for h in [(CANNED, "private"), (GRANT_READ, r#"id="a""#)] {
        let e = refuse_acl_headers(&req(&[h]), "GetObject").unwrap_err();
        assert_eq!(e.code, "NotImplemented");
        assert!(e.message.contains("GetObject"));
    }
}

#[test]
fn object_acl_documents_give_grants() {
    let doc = br#"{"accessControlList": [
        {"grantee": [{"id": "a"}, {"id": "b"}], "permission": ["FULL_CONTROL"]},
        {"grantee": [{"id": "*"}], "permission": ["READ"]},
        {"grantee": [{"id": "a"}], "permission": ["FULL_CONTROL"]}
    ]}"#;
    assert_eq!(
        parse_object_acl(doc).unwrap(),
        vec![
            Grant::new(user("a"), FullControl),
            Grant::new(user("b"), FullControl),
            Grant::new(Grantee::AllUsers, Read),
        ]
    );
    // The Go SDK's empty members say nothing; an empty list is a private object.
    let go = br#"{"accessControlList": [{"grantee": [{"id": "a"}], "permission": ["READ"],
        "condition": {"referer": {}, "currentTime": {}, "userAgent": {}},
        "resource": null, "effect": ""}]}"#;
    assert_eq!(
        parse_object_acl(go).unwrap(),
        vec![Grant::new(user("a"), Read)]
    );
    assert_eq!(
        parse_object_acl(br#"{"accessControlList": []}"#).unwrap(),
        vec![]
    );
}

#[test]
fn object_acl_documents_that_ask_for_more_are_refused() {
    for (doc, code) in [
        (&br#"{"accessControlList": {}}"#[..], "InvalidArgument"),
        (br#"{}"#, "InvalidArgument"),
        (br#"{"accessControlList": [], "x": 1}"#, "InvalidArgument"),
        (br#"{"accessControlList": [1]}"#, "InvalidArgument"),
        (
            br#"{"accessControlList": [{"grantee": [{"id": "a"}], "permission": ["WRITE"]}]}"#,
            "InvalidArgument",
        ),
        (
            br#"{"accessControlList": [{"grantee": [], "permission": ["READ"]}]}"#,
            "InvalidArgument",
        ),
        (
            br#"{"accessControlList": [{"grantee": [{"id": ""}], "permission": ["READ"]}]}"#,
            "InvalidArgument",
        ),
        (
            br#"{"accessControlList": [{"grantee": [{"id": "a"}], "permission": ["READ"],
               "effect": "Deny"}]}"#,
            "NotImplemented",
        ),
        (
            br#"{"accessControlList": [{"grantee": [{"id": "a"}], "permission": ["READ"],
               "condition": {"ipAddress": ["10.0.0.0/8"]}}]}"#,
            "NotImplemented",
        ),
        (b"{not json", "MalformedJSON"),
    ] {
        let e = parse_object_acl(doc).unwrap_err();
        assert_eq!(e.code, code, "{}", String::from_utf8_lossy(doc));
    }
}

#[test]
fn rendering_groups_grantees_with_the_same_permissions() {
    let grants = vec![
        Grant::new(user("a"), FullControl),
        Grant::new(Grantee::AllUsers, Read),
        Grant::new(user("b"), FullControl),
        Grant::new(Grantee::AllUsers, Write),
        Grant::new(Grantee::AllUsers, Read),
    ];
    assert_eq!(
        Value::Array(render(&grants)),
        json!([
            {"grantee": [{"id": "a"}, {"id": "b"}], "permission": ["FULL_CONTROL"]},
            {"grantee": [{"id": "*"}], "permission": ["READ", "WRITE"]},
        ])
    );
    // What a document put is answered with reads back as the same grants.
    let doc = json!({"accessControlList": render(&grants)}).to_string();
    let back = parse_object_acl(doc.replace("WRITE", "READ").as_bytes()).unwrap();
    assert_eq!(back.len(), 3);
    assert!(render(&[]).is_empty());
    assert_eq!(
        render(&[Grant::new(Grantee::AuthenticatedUsers, Read)])[0]["grantee"][0]["id"],
        Grantee::AUTHENTICATED_USERS_URI
    );
}
