use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    h
}

fn user(id: &str) -> Grantee {
    Grantee::User(id.to_owned())
}

#[test]
fn grant_headers_take_ids_and_group_uris_quoted_or_not() {
    assert_eq!(
        parse_grant_header(
            "x-amz-grant-write",
            r#"uri="http://acs.amazonaws.com/groups/s3/LogDelivery", id="111122223333""#
        )
        .unwrap(),
        vec![Grantee::LogDelivery, user("111122223333")]
    );
    assert_eq!(
        parse_grant_header("x-amz-grant-read", r#"id=alice,ID = bob ,id=" carol ""#).unwrap(),
        vec![user("alice"), user("bob"), user("carol")]
    );
    assert_eq!(
        parse_grant_header(
            "x-amz-grant-read",
            r#" uri = "http://acs.amazonaws.com/groups/global/AllUsers" "#
        )
        .unwrap(),
        vec![Grantee::AllUsers]
    );
}

#[test]
fn bad_grant_headers_are_invalid_arguments_and_emails_never_resolve() {
    for bad in [
        "",
        "alice",
        "id=",
        r#"id="  ""#,
        r#"id="alice"#,
        r#"id="alice" bob"#,
        "id=alice,",
        "name=alice",
        r#"uri="http://acs.amazonaws.com/groups/global/Nobody""#,
    ] {
        let e = parse_grant_header("x-amz-grant-read", bad).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "InvalidArgument"),
            "{bad}"
        );
    }
    let e = parse_grant_header("x-amz-grant-read", r#"emailAddress="a@example.com""#).unwrap_err();
    assert_eq!(e.code, "UnresolvableGrantByEmailAddress");
}

#[test]
fn the_headers_ask_for_a_canned_acl_or_grants_not_both() {
    assert_eq!(ask_of_headers(&headers(&[])).unwrap(), None);
    assert_eq!(
        ask_of_headers(&headers(&[("x-amz-acl", "public-read")])).unwrap(),
        Some(AclAsk::Canned(Canned::PublicRead))
    );
    for canned in [
        "bucket-owner-full-control",
        "log-delivery-write",
        "aws-exec-read",
    ] {
        assert!(ask_of_headers(&headers(&[("x-amz-acl", canned)])).is_ok());
    }
    let e = ask_of_headers(&headers(&[("x-amz-acl", "public-ready")])).unwrap_err();
    assert_eq!(e.code, "InvalidArgument");
    let both = headers(&[("x-amz-acl", "private"), ("x-amz-grant-read", "id=a")]);
    assert_eq!(ask_of_headers(&both).unwrap_err().code, "InvalidRequest");
}

#[test]
fn grant_headers_are_listed_by_permission_the_owner_s_too() {
    let h = headers(&[
        ("x-amz-grant-full-control", "id=bob"),
        ("x-amz-grant-read", "id=bob, id=owner"),
        ("x-amz-grant-write-acp", "id=owner"),
        (
            "x-amz-grant-read",
            "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        ),
    ]);
    assert_eq!(
        ask_of_headers(&h).unwrap(),
        Some(AclAsk::Grants(vec![
            Grant::new(user("bob"), Permission::Read),
            Grant::new(user("owner"), Permission::Read),
            Grant::new(Grantee::AuthenticatedUsers, Permission::Read),
            Grant::new(user("owner"), Permission::WriteAcp),
            Grant::new(user("bob"), Permission::FullControl),
        ]))
    );
}

const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>owner</ID><DisplayName>O</DisplayName></Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
        <ID>owner</ID><DisplayName>O</DisplayName></Grantee>
      <Permission>FULL_CONTROL</Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">
        <URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>
      <Permission>READ</Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
        <ID>bob</ID></Grantee>
      <Permission>WRITE_ACP</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>"#;

#[test]
fn an_access_control_policy_document_is_read() {
    let doc = parse_acl_document(DOC.as_bytes()).unwrap();
    assert_eq!(doc.owner.as_deref(), Some("owner"));
    assert_eq!(
        doc.grants,
        vec![
            Grant::new(user("owner"), Permission::FullControl),
            Grant::new(Grantee::AllUsers, Permission::Read),
            Grant::new(user("bob"), Permission::WriteAcp),
        ]
    );
    let empty =
        parse_acl_document(b"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>");
    assert_eq!(empty.unwrap().grants, vec![]);
}

#[test]
fn malformed_documents_and_email_grantees_are_refused() {
    let grant = |inner: &str| {
        format!(
            "<AccessControlPolicy><AccessControlList><Grant>{inner}</Grant></AccessControlList></AccessControlPolicy>"
        )
    };
    for bad in [
        "not xml".to_owned(),
        "<AccessControlList/>".to_owned(),
        "<AccessControlPolicy><Owner/></AccessControlPolicy>".to_owned(),
        grant("<Permission>READ</Permission>"),
        grant("<Grantee><ID>a</ID></Grantee>"),
        grant("<Grantee><ID>a</ID></Grantee><Permission>read</Permission>"),
        grant("<Grantee></Grantee><Permission>READ</Permission>"),
        grant("<Grantee><ID>a</ID><URI>b</URI></Grantee><Permission>READ</Permission>"),
    ] {
        let e = parse_acl_document(bad.as_bytes()).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "MalformedACLError"),
            "{bad}"
        );
    }
    let email = grant(
        "<Grantee><EmailAddress>a@example.com</EmailAddress></Grantee><Permission>READ</Permission>",
    );
    assert_eq!(
        parse_acl_document(email.as_bytes()).unwrap_err().code,
        "UnresolvableGrantByEmailAddress"
    );
    let group =
        grant("<Grantee><URI>http://example.com/g</URI></Grantee><Permission>READ</Permission>");
    assert_eq!(
        parse_acl_document(group.as_bytes()).unwrap_err().code,
        "InvalidArgument"
    );
}

#[test]
fn more_than_100_grants_are_refused() {
    let one = "<Grant><Grantee><ID>a</ID></Grantee><Permission>READ</Permission></Grant>";
    let doc = |n: usize| {
        format!(
            "<AccessControlPolicy><AccessControlList>{}</AccessControlList></AccessControlPolicy>",
            one.repeat(n)
        )
    };
    assert_eq!(
        parse_acl_document(doc(100).as_bytes())
            .unwrap()
            .grants
            .len(),
        100
    );
    assert_eq!(
        parse_acl_document(doc(101).as_bytes()).unwrap_err().code,
        "MalformedACLError"
    );
    let many = vec!["id=a"; 101].join(",");
    let e = ask_of_headers(&headers(&[("x-amz-grant-read", &many)])).unwrap_err();
    assert_eq!(e.code, "InvalidArgument");
}

#[test]
fn the_rendered_acl_lists_groups_then_users_literally() {
    let owner = Owner {
        id: "owner".into(),
        display_name: "O <&>".into(),
    };
    let grants = vec![
        Grant::new(user("bob"), Permission::Read),
        Grant::new(user("owner"), Permission::Read),
        Grant::new(Grantee::AllUsers, Permission::Write),
        Grant::new(user("gone"), Permission::ReadAcp),
    ];
    assert_eq!(user_ids(&grants), vec!["bob", "owner", "gone"]);
    let names = vec![
        Owner {
            id: "bob".into(),
            display_name: "Bob".into(),
        },
        owner.clone(),
        Owner {
            id: "gone".into(),
            display_name: "gone".into(),
        },
    ];
    let xml = render_acl(&owner, &grants, &names);
    let g = |t: &str, inner: &str, p: &str| {
        format!(
            r#"<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="{t}">{inner}</Grantee><Permission>{p}</Permission></Grant>"#
        )
    };
    let want = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>owner</ID><DisplayName>O &lt;&amp;&gt;</DisplayName></Owner><AccessControlList>{}{}{}{}</AccessControlList></AccessControlPolicy>"#,
        g(
            "Group",
            "<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>",
            "WRITE"
        ),
        g(
            "CanonicalUser",
            "<ID>bob</ID><DisplayName>Bob</DisplayName>",
            "READ"
        ),
        g(
            "CanonicalUser",
            "<ID>owner</ID><DisplayName>O &lt;&amp;&gt;</DisplayName>",
            "READ"
        ),
        g(
            "CanonicalUser",
            "<ID>gone</ID><DisplayName>gone</DisplayName>",
            "READ_ACP"
        ),
    );
    assert_eq!(xml, want);
    // What is rendered reads back as the same grants, groups first.
    let back = parse_acl_document(xml.as_bytes()).unwrap();
    assert_eq!(back.owner.as_deref(), Some("owner"));
    assert_eq!(
        back.grants,
        vec![
            grants[2].clone(),
            grants[0].clone(),
            grants[1].clone(),
            grants[3].clone()
        ]
    );
}
