use super::*;
use crate::v4::AWS4;

fn b64(json: &str) -> String {
    B64.encode(json)
}

/// The policy of the signature vectors below (Python's `json.dumps` of it, base64).
const POLICY: &str = "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYiJ9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAiZm9vIl0sIFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLCAwLCAxMDI0XV19";

#[test]
fn signatures_match_pythons_hmac() {
    // Vectors computed with Python's hmac module (as s3-tests and the SDKs sign).
    assert_eq!(
        hmac_sha1_base64("secret", POLICY),
        "+kU7DavZknklzD5QAax9tVrtArE="
    );
    let key = AWS4.signing_key(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "20151229",
        "us-east-1",
        "s3",
    );
    assert_eq!(
        hmac_sha256_hex(&key, POLICY),
        "a1cc7ce5f68c26083bf090bbf97d844181b6609b902e64682c580962642498d1"
    );
    assert_eq!(
        hmac_sha256_hex(b"secret", POLICY),
        "f04d966e67d611134cf5d775cd7a47529068674b0b71f86b923c608f168ee891"
    );
    assert!(signature_matches("abc", "abc"));
    assert!(!signature_matches("abc", "abd"));
    assert!(!signature_matches("abc", "ab"));
}

#[test]
fn a_policy_reads_into_its_conditions() {
    let p = Policy::parse(POLICY).unwrap();
    assert_eq!(p.expiration, 1_893_456_000);
    assert_eq!(
        p.conditions,
        vec![
            Condition::Eq {
                field: "bucket".into(),
                value: "b".into()
            },
            Condition::StartsWith {
                field: "key".into(),
                prefix: "foo".into()
            },
            Condition::LengthRange { min: 0, max: 1024 },
        ]
    );
    assert_eq!(p.length_range(), Some((0, 1024)));
    // Operators and field names in any case; milliseconds in the expiration.
    let p = Policy::parse(&b64(
        r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bUcKeT":"b"},["StArTs-WiTh","$KeY","foo"],["EQ","$acl",""],["content-length-range","1",10],["content-length-range",5,20]]}"#,
    ))
    .unwrap();
    assert_eq!(p.expiration, 1_893_456_000);
    assert_eq!(p.conditions[0].field(), Some("bucket"));
    assert_eq!(p.conditions[1].field(), Some("key"));
    assert_eq!(p.length_range(), Some((5, 10)));
}

#[test]
fn malformed_policies_are_refused() {
    for json in [
        // The keys are case-sensitive.
        r#"{"EXPIRATION":"2030-01-01T00:00:00Z","conditions":[]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","CONDITIONS":[]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z"}"#,
        r#"{"conditions":[]}"#,
        // Python's str() of a datetime.
        r#"{"expiration":"2030-01-01 00:00:00.123456+00:00","conditions":[]}"#,
        r#"{"expiration":"2030-13-01T00:00:00Z","conditions":[]}"#,
        // An empty condition, a condition of two fields, bad operators and bounds.
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[{}]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":"1","b":"2"}]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0]]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,0]]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["in","$key","a"]]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","a"]]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key"]]}"#,
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":"x"}"#,
        r#"[1]"#,
    ] {
        assert!(
            matches!(Policy::parse(&b64(json)), Err(PolicyError::Malformed(_))),
            "{json}"
        );
    }
    assert!(matches!(
        Policy::parse("not base64!"),
        Err(PolicyError::Malformed(_))
    ));
}

#[test]
fn expiry_is_checked() {
    let p = Policy::parse(POLICY).unwrap();
    assert_eq!(p.check_time(1_893_455_999), Ok(()));
    assert_eq!(p.check_time(1_893_456_000), Err(PolicyError::Expired));
}

#[test]
fn conditions_hold_or_name_the_failure() {
    let p = Policy::parse(&b64(
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","foo"],{"acl":"private"},["starts-with","$Content-Type","text/"],["starts-with","$x-amz-meta-foo",""]]}"#,
    ))
    .unwrap();
    let exempt = |n: &str| matches!(n, "policy" | "signature") || n.starts_with("x-ignore-");
    let check = |fields: &[(&'static str, &'static str)], every: bool| {
        let rules = Rules {
            every_field: every,
            exempt: &exempt,
            globs: false,
        };
        p.check_fields(fields.iter().copied(), &rules)
    };
    let good = [
        ("bucket", "b"),
        ("KEY", "foo.txt"),
        ("Acl", "private"),
        ("content-type", "text/plain, text/html"),
        ("x-amz-meta-foo", "anything"),
        ("policy", "..."),
        ("x-ignore-me", "1"),
    ];
    assert_eq!(check(&good, true), Ok(()));
    // A value that does not match, one that is missing, values compared exactly.
    let mut bad = good;
    bad[1] = ("key", "bar.txt");
    assert!(
        matches!(check(&bad, true), Err(PolicyError::ConditionFailed(c)) if c.contains("$key"))
    );
    let mut bad = good;
    bad[2] = ("acl", "PRIVATE");
    assert!(matches!(
        check(&bad, false),
        Err(PolicyError::ConditionFailed(_))
    ));
    assert!(matches!(
        check(&good[1..], false),
        Err(PolicyError::ConditionFailed(c)) if c.contains("bucket")
    ));
    let mut bad = good;
    bad[3] = ("content-type", "text/plain, image/png");
    assert!(matches!(
        check(&bad, false),
        Err(PolicyError::ConditionFailed(_))
    ));
    // A field no condition names: refused only where every field must be named.
    let mut extra = good.to_vec();
    extra.push(("x-amz-meta-bar", "1"));
    assert_eq!(
        check(&extra, true),
        Err(PolicyError::ExtraField("x-amz-meta-bar".into()))
    );
    assert_eq!(check(&extra, false), Ok(()));
}

#[test]
fn globs_match_where_the_dialect_has_them() {
    let p = Policy::parse(&b64(
        r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[{"key":"ab*"}]}"#,
    ))
    .unwrap();
    let none = |_: &str| false;
    let rules = |globs| Rules {
        every_field: false,
        exempt: &none,
        globs,
    };
    let check =
        |key: &'static str, globs| p.check_fields([("key", key)].into_iter(), &rules(globs));
    assert_eq!(check("abc", true), Ok(()));
    assert_eq!(check("ab", true), Ok(()));
    assert!(check("xab", true).is_err());
    assert!(check("abc", false).is_err());
    assert_eq!(check("ab*", false), Ok(()));
    for (pattern, value, matches) in [
        ("a*c", "abbbc", true),
        ("a*c", "ab", false),
        ("*", "", true),
        ("*x*", "axb", true),
        ("a*b*c", "acb", false),
        ("a*a", "a", false),
        ("exact", "exact", true),
    ] {
        assert_eq!(glob(pattern, value), matches, "{pattern} {value}");
    }
}
