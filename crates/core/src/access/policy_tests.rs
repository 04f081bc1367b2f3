use super::*;

/// Condition key values of a request.
pub(super) struct Keys(pub(super) Vec<(&'static str, &'static str)>);

impl ConditionKeys for Keys {
    fn values(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .collect()
    }
}

pub(super) static NO_KEYS: Keys = Keys(Vec::new());

/// An S3 policy of the given statements.
pub(super) fn s3(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// An S3 statement allowing `action` on the bucket and its objects to `principal`.
pub(super) fn allow(principal: &str, action: &str, extra: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":{principal},"Action":"{action}",
            "Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"]{extra}}}"#
    )
}

pub(super) fn parse(text: &str) -> Policy {
    Policy::parse(text, "bkt").unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub(super) fn malformed(text: &str) -> String {
    match Policy::parse(text, "bkt") {
        Err(PolicyError::Malformed(m)) => m,
        other => panic!("expected Malformed, got {other:?} for {text}"),
    }
}

fn eval_as(
    p: &Policy,
    who: Option<&str>,
    owner: bool,
    action: Action,
    key: Option<&str>,
    keys: &Keys,
) -> Option<Effect> {
    p.evaluate(&PolicyRequest {
        requester: who,
        owner,
        action,
        bucket: "bkt",
        key,
        keys,
    })
}

/// An anonymous GetObject of `bkt/k` with `keys`.
pub(super) fn get(p: &Policy, keys: &Keys) -> Option<Effect> {
    eval_as(p, None, false, Action::GetObject, Some("k"), keys)
}

pub(super) const ALLOW: Option<Effect> = Some(Effect::Allow);
pub(super) const DENY: Option<Effect> = Some(Effect::Deny);

#[test]
fn action_bits_follow_declaration_order() {
    assert!(Action::ALL.len() <= 64);
    for (i, a) in Action::ALL.into_iter().enumerate() {
        assert_eq!(a as usize, i, "{a:?}");
    }
}

#[test]
fn versions_choose_the_language() {
    let body = allow(r#""*""#, "s3:GetObject", "");
    for v in ["2012-10-17", "2008-10-17"] {
        let text = format!(r#"{{"Version":"{v}","Statement":{body}}}"#);
        assert_eq!(parse(&text).language(), Language::S3);
    }
    assert_eq!(
        parse(&format!(r#"{{"Statement":{body}}}"#)).language(),
        Language::S3
    );
    let oss = r#"{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],
        "Action":"oss:GetObject","Resource":"acs:oss:*:*:bkt/*"}]}"#;
    assert_eq!(parse(oss).language(), Language::Oss);
    malformed(&oss.replace(r#""Version":"1""#, r#""Version":1"#));
    malformed(&oss.replace(r#""Version":"1""#, r#""Version":"2""#));
}

#[test]
fn statement_is_an_object_or_an_array() {
    let one = allow(r#""*""#, "s3:GetObject", "");
    let p = parse(&format!(r#"{{"Version":"2012-10-17","Statement":{one}}}"#));
    assert_eq!(p.statements(), 1);
    assert_eq!(parse(&s3(&format!("{one},{one}"))).statements(), 2);
    malformed(r#"{"Version":"2012-10-17","Statement":[]}"#);
    malformed(r#"{"Version":"2012-10-17"}"#);
    malformed(r#"{"Version":"2012-10-17","Statement":"x"}"#);
    malformed(r#"{"Version":"2012-10-17","Statement":[1]}"#);
}

#[test]
fn malformed_documents_are_errors() {
    let good = allow(r#""*""#, "s3:GetObject", "");
    let cases = [
        String::new(),
        "null".into(),
        "[]".into(),
        "{".into(),
        r#"{"Version":"2012-10-17","Statement":[{}]}"#.into(),
        s3(&good.replace("\"Allow\"", "\"allow\"")),
        s3(&good.replace("\"Effect\":\"Allow\",", "")),
        s3(&good.replace("\"Principal\"", "\"Principals\"")),
        s3(&good.replace("\"Action\"", "\"NotAction\":\"s3:*\",\"Action\"")),
        s3(&good.replace("\"Action\":\"s3:GetObject\",", "")),
        s3(&good.replace(r#"["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"]"#, "[]")),
        s3(&good.replace("\"Resource\"", "\"Resources\"")),
        s3(&allow(r#""*""#, "s3:GetObject", r#","Sid":5"#)),
        s3(&format!(
            "{},{}",
            allow(r#""*""#, "s3:GetObject", r#","Sid":"a""#),
            allow(r#""*""#, "s3:GetObject", r#","Sid":"a""#)
        )),
        format!(r#"{{"Version":"2012-10-17","Extra":1,"Statement":{good}}}"#),
        format!(r#"{{"Version":"2012-10-17","Id":1,"Statement":{good}}}"#),
    ];
    for text in cases {
        malformed(&text);
    }
    // Nesting deeper than serde_json's limit is refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    malformed(&deep);
    assert!(matches!(
        Policy::parse_bos_acl(&deep, "bkt"),
        Err(PolicyError::Malformed(_))
    ));
}

#[test]
fn size_limits() {
    let pad = |n: usize| {
        let sid = "x".repeat(n);
        s3(&allow(
            r#""*""#,
            "s3:GetObject",
            &format!(r#","Sid":"{sid}""#),
        ))
    };
    assert_eq!(parse(&pad(17 * 1024)).statements(), 1);
    malformed(&pad(20 * 1024));
    let oss = |n: usize| {
        format!(
            r#"{{"Version":"1","Statement":[{{"Sid":"{}","Effect":"Allow","Principal":["*"],
            "Action":"oss:GetObject","Resource":"acs:oss:*:*:bkt/*"}}]}}"#,
            "x".repeat(n)
        )
    };
    assert_eq!(parse(&oss(15 * 1024)).language(), Language::Oss);
    malformed(&oss(17 * 1024));
}

#[test]
fn principals() {
    type Case<'a> = (&'a str, &'a [Option<&'a str>], &'a [Option<&'a str>]);
    let cases: [Case; 8] = [
        (r#""*""#, &[None, Some("alice")], &[]),
        (r#"{"AWS":"*"}"#, &[None, Some("alice")], &[]),
        (r#"{"AWS":["bob","*"]}"#, &[None, Some("alice")], &[]),
        (r#"{"AWS":"alice"}"#, &[Some("alice")], &[None, Some("bob")]),
        (
            r#"{"AWS":"arn:aws:iam::alice:root"}"#,
            &[Some("alice")],
            &[None, Some("root")],
        ),
        (
            r#"{"AWS":["arn:aws:iam::acct:user/u","arn:aws:iam:::user/bob"]}"#,
            &[Some("acct"), Some("bob")],
            &[Some("u"), Some("alice"), None],
        ),
        (r#"{"CanonicalUser":["carol"]}"#, &[Some("carol")], &[None]),
        (
            r#"{"Service":"logging.s3.amazonaws.com"}"#,
            &[],
            &[None, Some("logging.s3.amazonaws.com")],
        ),
    ];
    for (principal, yes, no) in cases {
        let p = parse(&s3(&allow(principal, "s3:GetObject", "")));
        for who in yes {
            let got = eval_as(&p, *who, false, Action::GetObject, Some("k"), &NO_KEYS);
            assert_eq!(got, ALLOW, "{principal} {who:?}");
        }
        for who in no {
            let got = eval_as(&p, *who, false, Action::GetObject, Some("k"), &NO_KEYS);
            assert_eq!(got, None, "{principal} {who:?}");
        }
    }
    for bad in [
        r#""alice""#,
        "{}",
        "[]",
        r#"{"AWS":[]}"#,
        r#"{"AWS":5}"#,
        r#"{"Foo":"x"}"#,
        r#"{"AWS":"arn:aws:s3:::bkt"}"#,
        r#"{"AWS":"arn:aws:iam:::root"}"#,
    ] {
        malformed(&s3(&allow(bad, "s3:GetObject", "")));
    }
}

#[test]
fn not_principal() {
    let text =
        s3(&allow(r#"{"AWS":"alice"}"#, "s3:GetObject", "").replace("Principal", "NotPrincipal"));
    assert!(matches!(
        Policy::parse(&text, "bkt"),
        Err(PolicyError::InvalidArgument(_))
    ));
    let deny = parse(&text.replace("Allow", "Deny"));
    let run = |who| eval_as(&deny, who, false, Action::GetObject, Some("k"), &NO_KEYS);
    assert_eq!(run(Some("alice")), None);
    assert_eq!(run(Some("bob")), DENY);
    assert_eq!(run(None), DENY);
    assert!(!deny.is_public());
}

#[test]
fn actions() {
    let matches = |action: &str, a: Action| {
        let p = parse(&s3(&allow(r#""*""#, action, "")));
        let key = a.on_object().then_some("k");
        eval_as(&p, None, false, a, key, &NO_KEYS) == ALLOW
    };
    assert!(matches("s3:GetObject", Action::GetObject));
    assert!(!matches("s3:GetObject", Action::GetObjectVersion));
    assert!(matches("S3:getobject", Action::GetObject));
    assert!(matches("s3:Get*", Action::GetObjectVersion));
    assert!(matches("s3:Get*", Action::GetBucketAcl));
    assert!(!matches("s3:Get*", Action::PutObject));
    assert!(matches("s3:?utObject", Action::PutObject));
    assert!(!matches("s3:?utObject", Action::PutObjectAcl));
    assert!(matches("s3:*Object", Action::DeleteObject));
    assert!(matches(
        "s3:GetObjectAttributes",
        Action::GetObjectAttributes
    ));
    assert!(!matches("s3:GetObject", Action::GetObjectAttributes));
    assert!(!matches(
        "s3:GetObjectAttributes",
        Action::GetObjectVersionAttributes
    ));
    assert!(matches(
        "s3:GetObjectVersion*",
        Action::GetObjectVersionAttributes
    ));
    for a in Action::ALL {
        assert!(matches("s3:*", a), "{a:?}");
        assert!(matches("*", a), "{a:?}");
    }
    // NotAction: every action but those named.
    let p = parse(&s3(
        &allow(r#""*""#, "s3:Delete*", "").replace("\"Action\"", "\"NotAction\"")
    ));
    assert_eq!(get(&p, &NO_KEYS), ALLOW);
    let del = eval_as(&p, None, false, Action::DeleteObject, Some("k"), &NO_KEYS);
    assert_eq!(del, None);
    for bad in [
        "GetObject",
        "oss:GetObject",
        "iam:PassRole",
        "*:GetObject",
        "s3*",
    ] {
        malformed(&s3(&allow(r#""*""#, bad, "")));
    }
    let list = allow(r#""*""#, "X", "").replace("\"X\"", "[]");
    malformed(&s3(&list));
    malformed(&s3(&allow(r#""*""#, "X", "").replace("\"X\"", "[1]")));
    // An action Strata does not take matches nothing, without error.
    let p = parse(&s3(&allow(r#""*""#, "s3:PutReplicationConfiguration", "")));
    assert!(Action::ALL.into_iter().all(|a| {
        eval_as(&p, None, false, a, a.on_object().then_some("k"), &NO_KEYS).is_none()
    }));
}

/// A policy allowing every action on `resources` (a JSON value).
fn on_resources(resources: &str) -> Policy {
    parse(&s3(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":{resources}}}"#
    )))
}

fn allowed(p: &Policy, action: Action, key: Option<&str>) -> bool {
    eval_as(p, None, false, action, key, &NO_KEYS) == ALLOW
}

#[test]
fn resources() {
    let bucket_only = on_resources(r#""arn:aws:s3:::bkt""#);
    assert!(allowed(&bucket_only, Action::ListBucket, None));
    assert!(!allowed(&bucket_only, Action::GetObject, Some("k")));
    let objects = on_resources(r#""arn:aws:s3:::bkt/*""#);
    assert!(!allowed(&objects, Action::ListBucket, None));
    assert!(allowed(&objects, Action::GetObject, Some("a/b/c")));
    assert!(allowed(&objects, Action::GetObject, Some("")));
    let public = on_resources(r#"["arn:aws:s3:::bkt/public/*","arn:aws:s3:::bkt/a?c"]"#);
    assert!(allowed(&public, Action::GetObject, Some("public/x/y")));
    assert!(!allowed(&public, Action::GetObject, Some("private/x")));
    assert!(allowed(&public, Action::PutObject, Some("abc")));
    assert!(allowed(&public, Action::PutObject, Some("aéc")));
    assert!(!allowed(&public, Action::PutObject, Some("abbc")));
    // A wildcard in the bucket part spans the whole resource, as in AWS.
    let all = on_resources(r#""arn:aws:s3:::b*""#);
    assert!(allowed(&all, Action::ListBucket, None));
    assert!(allowed(&all, Action::GetObject, Some("any/key")));
    let all = on_resources(r#""arn:aws:s3:::*/*""#);
    assert!(allowed(&all, Action::GetObject, Some("k")));
    let rgw = on_resources(r#""arn:aws:s3::tenant:bkt""#);
    assert!(allowed(&rgw, Action::ListBucket, None));
    let cn = on_resources(r#""arn:aws-cn:s3:::bkt/*""#);
    assert!(allowed(&cn, Action::GetObject, Some("k")));
    // NotResource: everything but the private prefix.
    let p = parse(&s3(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*",
            "NotResource":"arn:aws:s3:::bkt/private/*"}"#));
    assert!(allowed(&p, Action::GetObject, Some("public/x")));
    assert!(allowed(&p, Action::ListBucket, None));
    assert!(!allowed(&p, Action::GetObject, Some("private/x")));
    for bad in [
        r#""*""#,
        r#""arn:aws:s3:::other""#,
        r#""arn:aws:s3:::other/*""#,
        r#""arn:aws:s3:::bk""#,
        r#""arn:aws:s3:::""#,
        r#""arn:aws:iam:::bkt""#,
        r#""acs:oss:*:*:bkt""#,
        r#""arn::s3:::bkt""#,
        "5",
    ] {
        let m = malformed(&s3(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":{bad}}}"#
        )));
        if bad.starts_with("\"arn:aws:s3") {
            assert!(m.contains("Policy has invalid resource"), "{m}");
        }
    }
}

#[test]
fn deny_wins_and_silence_is_none() {
    let deny = r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::bkt/secret/*"}"#;
    let allow_all = allow(r#""*""#, "s3:*", "");
    for text in [
        s3(&format!("{deny},{allow_all}")),
        s3(&format!("{allow_all},{deny}")),
    ] {
        let p = parse(&text);
        let run = |key| {
            eval_as(
                &p,
                Some("alice"),
                true,
                Action::GetObject,
                Some(key),
                &NO_KEYS,
            )
        };
        assert_eq!(run("secret/x"), DENY);
        assert_eq!(run("open/x"), ALLOW);
    }
    let p = parse(&s3(&allow(r#"{"AWS":"alice"}"#, "s3:GetObject", "")));
    assert_eq!(get(&p, &NO_KEYS), None);
    let put = eval_as(
        &p,
        Some("alice"),
        false,
        Action::PutObject,
        Some("k"),
        &NO_KEYS,
    );
    assert_eq!(put, None);
}

/// An OSS policy of one statement.
fn oss(principal: &str, action: &str, resource: &str, extra: &str) -> Policy {
    parse(&format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Principal":{principal},
            "Action":{action},"Resource":{resource}{extra}}}]}}"#
    ))
}

#[test]
fn oss_policies() {
    let p = oss(
        r#"["*"]"#,
        r#"["oss:GetObject","oss:ListObjects"]"#,
        r#"["acs:oss:*:*:bkt","acs:oss:*:*:bkt/*"]"#,
        "",
    );
    assert!(allowed(&p, Action::GetObject, Some("k")));
    assert!(allowed(&p, Action::ListBucket, None));
    assert!(!allowed(&p, Action::PutObject, Some("k")));
    assert!(p.is_public());
    // OSS names: ListParts is ListMultipartUploadParts, PutBucket is CreateBucket.
    let p = oss(
        "[]",
        r#""oss:ListParts""#,
        r#""acs:oss:cn-hangzhou:1234:bkt/*""#,
        "",
    );
    assert!(allowed(&p, Action::ListMultipartUploadParts, Some("k")));
    let p = oss(
        r#"["uid-1","uid-2"]"#,
        r#""oss:*""#,
        r#""acs:oss:*:*:bkt/*""#,
        "",
    );
    let run = |who| eval_as(&p, who, false, Action::PutObject, Some("k"), &NO_KEYS);
    assert_eq!(run(Some("uid-2")), ALLOW);
    assert_eq!(run(Some("uid-3")), None);
    assert_eq!(run(None), None);
    assert!(!p.is_public());
    // acs: and oss: condition keys are read as their S3 names.
    let p = oss(
        r#"["*"]"#,
        r#""oss:GetObject""#,
        r#""acs:oss:*:*:bkt/*""#,
        r#","Condition":{"IpAddress":{"acs:SourceIp":"192.168.0.0/16"},"StringLike":{"oss:Prefix":"a*"}}"#,
    );
    let keys = Keys(vec![("aws:sourceip", "192.168.3.4"), ("s3:prefix", "abc")]);
    assert_eq!(get(&p, &keys), ALLOW);
    assert_eq!(
        get(
            &p,
            &Keys(vec![("aws:sourceip", "10.0.0.1"), ("s3:prefix", "abc")])
        ),
        None
    );
    for (action, resource) in [
        (r#""s3:GetObject""#, r#""acs:oss:*:*:bkt/*""#),
        (r#""GetObject""#, r#""acs:oss:*:*:bkt/*""#),
        (r#""oss:GetObject""#, r#""arn:aws:s3:::bkt/*""#),
        (r#""oss:GetObject""#, r#""acs:oss:*:*:other/*""#),
        (r#""oss:GetObject""#, r#""acs:ecs:*:*:bkt/*""#),
    ] {
        malformed(&format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Principal":["*"],
                "Action":{action},"Resource":{resource}}}]}}"#
        ));
    }
    malformed(
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},
        "Action":"oss:GetObject","Resource":"acs:oss:*:*:bkt/*"}]}"#,
    );
}

#[test]
fn oss_quirk_spares_the_owner_from_unconditioned_star() {
    let deny = |extra: &str| {
        parse(&format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Deny","Principal":["*"],
                "Action":"oss:*","Resource":"acs:oss:*:*:bkt/*"{extra}}}]}}"#
        ))
    };
    let p = deny("");
    let run =
        |p: &Policy, owner, keys| eval_as(p, Some("me"), owner, Action::GetObject, Some("k"), keys);
    assert_eq!(run(&p, true, &NO_KEYS), None);
    assert_eq!(run(&p, false, &NO_KEYS), DENY);
    // With a condition, the statement applies to the owner too.
    let p = deny(r#","Condition":{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}"#);
    let outside = Keys(vec![("aws:sourceip", "11.0.0.1")]);
    assert_eq!(run(&p, true, &outside), DENY);
    // A statement naming the owner applies to the owner.
    let p = parse(
        r#"{"Version":"1","Statement":[{"Effect":"Deny","Principal":["me"],
        "Action":"oss:*","Resource":"acs:oss:*:*:bkt/*"}]}"#,
    );
    assert_eq!(run(&p, true, &NO_KEYS), DENY);
    // S3 has no such quirk.
    let p = parse(&s3(&allow(r#""*""#, "s3:*", "").replace("Allow", "Deny")));
    assert_eq!(run(&p, true, &NO_KEYS), DENY);
}

#[test]
fn is_public() {
    let public = |principal: &str, extra: &str| {
        parse(&s3(&allow(principal, "s3:GetObject", extra))).is_public()
    };
    let cond = |c: &str| format!(r#","Condition":{c}"#);
    assert!(public(r#"{"AWS":"*"}"#, ""));
    assert!(public(r#""*""#, ""));
    assert!(public(r#"{"AWS":["alice","*"]}"#, ""));
    assert!(!public(r#"{"AWS":"arn:aws:iam::123456789012:root"}"#, ""));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}"#)
    ));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}"#)
    ));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddress":{"aws:SourceIp":"2001::/16"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#)
    ));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#)
    ));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"StringLike":{"aws:SourceAccount":"12345"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"StringLike":{"aws:SourceAccount":"12*"}}"#)
    ));
    assert!(!public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::x"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#)
    ));
    assert!(public(
        r#"{"AWS":"*"}"#,
        &cond(r#"{"StringEquals":{"s3:prefix":"a"}}"#)
    ));
    // A Deny to everyone grants nothing.
    let deny = parse(&s3(&allow(r#""*""#, "s3:*", "").replace("Allow", "Deny")));
    assert!(!deny.is_public());
}

fn bos(text: &str) -> Policy {
    Policy::parse_bos_acl(text, "bkt").unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn bos_grant(grant: &str) -> Policy {
    bos(&format!(r#"{{"accessControlList":[{grant}]}}"#))
}

fn bos_malformed(text: &str) {
    let got = Policy::parse_bos_acl(text, "bkt");
    assert!(
        matches!(got, Err(PolicyError::Malformed(_))),
        "{got:?} for {text}"
    );
}

#[test]
fn bos_permissions() {
    use Action::*;
    let grants = |perm: &str| {
        let p = bos_grant(&format!(
            r#"{{"grantee":[{{"id":"*"}}],"permission":{perm}}}"#
        ));
        assert_eq!(p.language(), Language::Bos);
        Action::ALL
            .into_iter()
            .filter(|&a| allowed(&p, a, a.on_object().then_some("k")))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        grants(r#"["READ"]"#),
        [
            GetBucketLocation,
            GetObject,
            GetObjectVersion,
            GetObjectAttributes,
            GetObjectVersionAttributes,
            ListMultipartUploadParts
        ]
    );
    assert_eq!(
        grants(r#"["LIST"]"#),
        [ListBucket, ListBucketVersions, ListBucketMultipartUploads]
    );
    assert_eq!(
        grants(r#"["WRITE"]"#),
        [
            PutObject,
            DeleteObject,
            DeleteObjectVersion,
            ListMultipartUploadParts,
            AbortMultipartUpload
        ]
    );
    assert_eq!(
        grants(r#"["MODIFY"]"#),
        [PutObject, ListMultipartUploadParts, AbortMultipartUpload]
    );
    assert_eq!(grants(r#"["FULL_CONTROL"]"#), Action::ALL);
    assert_eq!(
        grants(r#"["ListObjects","GetObjectAcl"]"#),
        [ListBucket, GetObjectAcl, GetObjectVersionAcl]
    );
    assert_eq!(grants(r#"["PutBucketAcl"]"#), [PutBucketAcl]);
    assert_eq!(grants(r#"["UploadPart"]"#), [PutObject]);
    // A bare string is read as a one-element list.
    assert_eq!(grants(r#""LIST""#), grants(r#"["LIST"]"#));
    for bad in [r#"["read"]"#, r#"["Nope"]"#, "[]", "[1]", "{}"] {
        bos_malformed(&format!(
            r#"{{"accessControlList":[{{"grantee":[{{"id":"*"}}],"permission":{bad}}}]}}"#
        ));
    }
}

#[test]
fn bos_grantees_resources_and_effects() {
    let p = bos_grant(
        r#"{"grantee":[{"id":"u1"},{"id":"u2"}],"permission":["READ"],"resource":["bkt/public/*"]}"#,
    );
    let run = |p: &Policy, who, key| eval_as(p, who, false, Action::GetObject, Some(key), &NO_KEYS);
    assert_eq!(run(&p, Some("u2"), "public/a"), ALLOW);
    assert_eq!(run(&p, Some("u2"), "private/a"), None);
    assert_eq!(run(&p, None, "public/a"), None);
    assert!(!p.is_public());
    let p = bos_grant(
        r#"{"grantee":[{"id":"*"}],"permission":["FULL_CONTROL"],"notResource":["bkt/secret*"],"effect":"Deny"}"#,
    );
    assert_eq!(run(&p, Some("u"), "open"), DENY);
    assert_eq!(run(&p, Some("u"), "secret/x"), None);
    assert!(!p.is_public());
    // Go's SDK sends nulls and empty members for what it leaves unset.
    let p = bos_grant(
        r#"{"grantee":[{"id":"*"}],"permission":["READ","LIST"],"resource":null,"notResource":null,
            "condition":{"ipAddress":null,"referer":{"stringLike":null,"stringEquals":[]},
            "currentTime":{},"userAgent":{},"vpcId":null}}"#,
    );
    assert!(allowed(&p, Action::ListBucket, None));
    assert!(allowed(&p, Action::GetObject, Some("any")));
    assert!(p.is_public());
    let p = bos(r#"{"accessControlList":[],"owner":{"id":"me"}}"#);
    assert_eq!(p.statements(), 0);
    for bad in [
        r#"{"grantee":[],"permission":["READ"]}"#,
        r#"{"permission":["READ"]}"#,
        r#"{"grantee":[{"id":"*"}]}"#,
        r#"{"grantee":[{"name":"*"}],"permission":["READ"]}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"resource":["other/*"]}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"resource":["bkt"],"notResource":["bkt/x"]}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"effect":"Maybe"}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"extra":1}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"condition":{"colour":["red"]}}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"condition":"x"}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"condition":{"ipAddress":["nope"]}}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"condition":{"currentTime":{"before":"x"}}}"#,
        r#"{"grantee":[{"id":"*"}],"permission":["READ"],"condition":{"referer":{"regex":["x"]}}}"#,
        "5",
    ] {
        bos_malformed(&format!(r#"{{"accessControlList":[{bad}]}}"#));
    }
    bos_malformed(r#"{"accessControlList":{}}"#);
    bos_malformed(r#"{"acl":[]}"#);
    bos_malformed("not json");
}

#[test]
fn bos_conditions() {
    let grant = |condition: &str| {
        bos_grant(&format!(
            r#"{{"grantee":[{{"id":"*"}}],"permission":["READ"],"condition":{condition}}}"#
        ))
    };
    let ip = grant(r#"{"ipAddress":["192.168.1.0/24"]}"#);
    assert_eq!(
        get(&ip, &Keys(vec![("aws:sourceip", "192.168.1.9")])),
        ALLOW
    );
    assert_eq!(get(&ip, &Keys(vec![("aws:sourceip", "192.168.2.9")])), None);
    assert!(!ip.is_public());
    let not_ip = grant(r#"[{"notIpAddress":["10.0.0.0/8"]}]"#);
    assert_eq!(
        get(&not_ip, &Keys(vec![("aws:sourceip", "10.1.1.1")])),
        None
    );
    assert_eq!(
        get(&not_ip, &Keys(vec![("aws:sourceip", "11.1.1.1")])),
        ALLOW
    );
    let referer = grant(
        r#"{"referer":{"stringLike":["http://*.example.com/*"],"stringEquals":["http://a.org/"]}}"#,
    );
    for (r, want) in [
        ("http://www.example.com/x", ALLOW),
        ("http://a.org/", ALLOW),
        ("http://a.org/x", None),
    ] {
        assert_eq!(get(&referer, &Keys(vec![("aws:referer", r)])), want, "{r}");
    }
    assert_eq!(get(&referer, &NO_KEYS), None);
    let agent = grant(r#"{"userAgent":{"stringEquals":["curl/8"]}}"#);
    assert_eq!(get(&agent, &Keys(vec![("aws:useragent", "curl/8")])), ALLOW);
    let tls = grant(r#"{"secureTransport":true}"#);
    assert_eq!(
        get(&tls, &Keys(vec![("aws:securetransport", "true")])),
        ALLOW
    );
    assert_eq!(
        get(&tls, &Keys(vec![("aws:securetransport", "false")])),
        None
    );
    let time = grant(
        r#"{"currentTime":{"dateLessThan":"2030-01-01T00:00:00Z","dateGreaterThan":"2020-01-01T00:00:00Z"}}"#,
    );
    assert_eq!(
        get(
            &time,
            &Keys(vec![("aws:currenttime", "2025-01-01T00:00:00Z")])
        ),
        ALLOW
    );
    assert_eq!(
        get(
            &time,
            &Keys(vec![("aws:currenttime", "2031-01-01T00:00:00Z")])
        ),
        None
    );
    let vpc = grant(r#"{"vpcId":["vpc-1"]}"#);
    assert_eq!(get(&vpc, &Keys(vec![("aws:sourcevpc", "vpc-1")])), None);
    assert!(!vpc.is_public());
    // Several condition objects are ANDed.
    let both = grant(r#"[{"ipAddress":["10.0.0.0/8"]},{"secureTransport":"true"}]"#);
    let keys = |ip, tls| Keys(vec![("aws:sourceip", ip), ("aws:securetransport", tls)]);
    assert_eq!(get(&both, &keys("10.0.0.1", "true")), ALLOW);
    assert_eq!(get(&both, &keys("10.0.0.1", "false")), None);
}
