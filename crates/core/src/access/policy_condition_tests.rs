//! The condition operators and the wildcard matcher, through whole policies; and the parsers on
//! random input.

use proptest::prelude::*;

use super::tests::{ALLOW, Keys, NO_KEYS, allow, get, malformed, parse, s3};
use super::*;
use crate::access::condition::{ResourcePath, glob_path, glob_str, parse_date};

fn with_condition(condition: &str) -> Policy {
    parse(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        &format!(r#","Condition":{condition}"#),
    )))
}

#[test]
fn string_operators() {
    let k = |v: &'static str| Keys(vec![("s3:prefix", v)]);
    let cases: [(&str, &[&str], &[&str]); 7] = [
        (
            r#"{"StringEquals":{"s3:prefix":["a","b"]}}"#,
            &["a", "b"],
            &["A", "c"],
        ),
        (
            r#"{"StringNotEquals":{"s3:prefix":["a","b"]}}"#,
            &["A", "c"],
            &["a", "b"],
        ),
        (
            r#"{"StringEqualsIgnoreCase":{"s3:prefix":"Straße"}}"#,
            &["STRAẞE", "straße", "sTrAßE"],
            &["strase", "STRASSE"],
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"s3:prefix":"abc"}}"#,
            &["abd"],
            &["ABC"],
        ),
        (
            r#"{"StringLike":{"s3:prefix":["public/*","x?z"]}}"#,
            &["public/", "public/a/b", "xyz"],
            &["Public/a", "xz"],
        ),
        (
            r#"{"StringNotLike":{"s3:prefix":"private/*"}}"#,
            &["public/a", ""],
            &["private/", "private/x"],
        ),
        (
            r#"{"BinaryEquals":{"s3:prefix":"QUJD"}}"#,
            &["QUJD"],
            &["ABC"],
        ),
    ];
    for (condition, yes, no) in cases {
        let p = with_condition(condition);
        for v in yes {
            assert_eq!(get(&p, &k(v)), ALLOW, "{condition} {v}");
        }
        for v in no {
            assert_eq!(get(&p, &k(v)), None, "{condition} {v}");
        }
    }
}

#[test]
fn absent_keys() {
    // Positive operators fail, negated ones hold (as AWS's), IfExists forms hold.
    let cases = [
        (r#"{"StringEquals":{"s3:prefix":"a"}}"#, None),
        (r#"{"StringLike":{"s3:prefix":"*"}}"#, None),
        (r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#, None),
        (r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#, None),
        (r#"{"StringNotEquals":{"s3:prefix":"a"}}"#, ALLOW),
        (r#"{"StringNotLike":{"s3:prefix":"a*"}}"#, ALLOW),
        (r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, ALLOW),
        (r#"{"ArnNotLike":{"aws:sourcearn":"arn:*"}}"#, ALLOW),
        (r#"{"StringEqualsIfExists":{"s3:prefix":"a"}}"#, ALLOW),
        (r#"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#, ALLOW),
        (r#"{"ForAllValues:StringEquals":{"s3:prefix":"a"}}"#, ALLOW),
        (r#"{"ForAnyValue:StringEquals":{"s3:prefix":"a"}}"#, None),
        (r#"{"Null":{"s3:prefix":"true"}}"#, ALLOW),
        (r#"{"Null":{"s3:prefix":"false"}}"#, None),
    ];
    for (condition, want) in cases {
        assert_eq!(
            get(&with_condition(condition), &NO_KEYS),
            want,
            "{condition}"
        );
    }
    // IfExists still tests a present key.
    let p = with_condition(r#"{"StringEqualsIfExists":{"s3:prefix":"a"}}"#);
    assert_eq!(get(&p, &Keys(vec![("s3:prefix", "b")])), None);
    let p = with_condition(r#"{"Null":{"s3:prefix":"false"}}"#);
    assert_eq!(get(&p, &Keys(vec![("s3:prefix", "")])), ALLOW);
}

#[test]
fn multi_valued_keys() {
    let tags =
        |v: Vec<&'static str>| Keys(v.into_iter().map(|t| ("s3:x-amz-grant-read", t)).collect());
    let any = with_condition(r#"{"ForAnyValue:StringEquals":{"s3:x-amz-grant-read":["a","b"]}}"#);
    let all = with_condition(r#"{"ForAllValues:StringEquals":{"s3:x-amz-grant-read":["a","b"]}}"#);
    let not = with_condition(r#"{"StringNotEquals":{"s3:x-amz-grant-read":["a","b"]}}"#);
    assert_eq!(get(&any, &tags(vec!["a", "z"])), ALLOW);
    assert_eq!(get(&any, &tags(vec!["y", "z"])), None);
    assert_eq!(get(&all, &tags(vec!["a", "b"])), ALLOW);
    assert_eq!(get(&all, &tags(vec!["a", "z"])), None);
    assert_eq!(get(&not, &tags(vec!["y", "z"])), ALLOW);
    assert_eq!(get(&not, &tags(vec!["a", "z"])), None);
}

#[test]
fn numeric_operators() {
    let k = |v: &'static str| Keys(vec![("s3:max-keys", v)]);
    let cases: [(&str, &[&str], &[&str]); 6] = [
        ("NumericEquals", &["10", "10.0", " 10"], &["11", "x", ""]),
        ("NumericNotEquals", &["9", "x"], &["10"]),
        ("NumericLessThan", &["9", "-1", "9.5"], &["10", "11"]),
        ("NumericLessThanEquals", &["10", "9"], &["11"]),
        ("NumericGreaterThan", &["11", "1e3"], &["10", "9"]),
        ("NumericGreaterThanEquals", &["10", "11"], &["9"]),
    ];
    for (op, yes, no) in cases {
        let p = with_condition(&format!(r#"{{"{op}":{{"s3:max-keys":10}}}}"#));
        for v in yes {
            assert_eq!(get(&p, &k(v)), ALLOW, "{op} {v}");
        }
        for v in no {
            assert_eq!(get(&p, &k(v)), None, "{op} {v}");
        }
    }
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"NumericEquals":{"s3:max-keys":"ten"}}"#,
    )));
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"NumericEquals":{"s3:max-keys":"NaN"}}"#,
    )));
}

#[test]
fn date_operators() {
    let at = |v: &'static str| Keys(vec![("aws:currenttime", v)]);
    for bound in [
        r#""2020-01-01T00:00:00Z""#,
        "1577836800",
        r#""1577836800""#,
        r#""2020-01-01""#,
        r#""2020-01-01T08:00:00+08:00""#,
    ] {
        let cases: [(&str, &[&str], &[&str]); 6] = [
            (
                "DateEquals",
                &["2020-01-01T00:00:00Z", "1577836800"],
                &["2020-01-01T00:00:01Z"],
            ),
            (
                "DateNotEquals",
                &["2021-01-01T00:00:00Z", "garbage"],
                &["2020-01-01T00:00:00Z"],
            ),
            (
                "DateLessThan",
                &["2019-12-31T23:59:59Z"],
                &["2020-01-01T00:00:00Z"],
            ),
            (
                "DateLessThanEquals",
                &["2020-01-01T00:00:00Z"],
                &["2020-01-01T00:00:00.5Z"],
            ),
            (
                "DateGreaterThan",
                &["2024-05-01T12:00:00Z", "1700000000"],
                &["2020-01-01T00:00:00Z", "garbage"],
            ),
            (
                "DateGreaterThanEquals",
                &["2020-01-01T00:00:00Z"],
                &["2019-01-01T00:00:00Z"],
            ),
        ];
        for (op, yes, no) in cases {
            let p = with_condition(&format!(r#"{{"{op}":{{"aws:CurrentTime":{bound}}}}}"#));
            for v in yes {
                assert_eq!(get(&p, &at(v)), ALLOW, "{op} {bound} {v}");
            }
            for v in no {
                assert_eq!(get(&p, &at(v)), None, "{op} {bound} {v}");
            }
        }
    }
    assert_eq!(parse_date("2020-01-01"), parse_date("1577836800"));
    assert!(parse_date("yesterday").is_none());
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}"#,
    )));
}

#[test]
fn bool_and_null_operators() {
    let tls = |v: &'static str| Keys(vec![("aws:securetransport", v)]);
    let p = with_condition(r#"{"Bool":{"aws:SecureTransport":"false"}}"#);
    assert_eq!(get(&p, &tls("false")), ALLOW);
    assert_eq!(get(&p, &tls("FALSE")), ALLOW);
    assert_eq!(get(&p, &tls("true")), None);
    assert_eq!(get(&p, &tls("maybe")), None);
    let p = with_condition(r#"{"Bool":{"aws:SecureTransport":true}}"#);
    assert_eq!(get(&p, &tls("True")), ALLOW);
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"Bool":{"aws:SecureTransport":"yes"}}"#,
    )));
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"Null":{"s3:prefix":"maybe"}}"#,
    )));
    malformed(&s3(&allow(
        r#""*""#,
        "s3:GetObject",
        r#","Condition":{"NullIfExists":{"s3:prefix":"true"}}"#,
    )));
}

#[test]
fn ip_operators() {
    let from = |v: &'static str| Keys(vec![("aws:sourceip", v)]);
    let p = with_condition(
        r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.7","2001:db8::/32"]}}"#,
    );
    for ip in ["10.1.2.3", "192.168.1.7", "2001:db8::1", "::ffff:10.0.0.1"] {
        assert_eq!(get(&p, &from(ip)), ALLOW, "{ip}");
    }
    for ip in ["11.0.0.1", "192.168.1.8", "2001:db9::1", "not-an-ip", ""] {
        assert_eq!(get(&p, &from(ip)), None, "{ip}");
    }
    let p = with_condition(r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#);
    assert_eq!(get(&p, &from("11.0.0.1")), ALLOW);
    assert_eq!(get(&p, &from("10.0.0.1")), None);
    let host_bits = with_condition(r#"{"IpAddress":{"aws:SourceIp":"10.1.2.3/8"}}"#);
    assert_eq!(get(&host_bits, &from("10.200.0.1")), ALLOW);
    for bad in ["10.0.0.0/33", "300.0.0.1", "::/129", "x"] {
        let c = format!(r#","Condition":{{"IpAddress":{{"aws:SourceIp":"{bad}"}}}}"#);
        malformed(&s3(&allow(r#""*""#, "s3:GetObject", &c)));
    }
}

#[test]
fn arn_operators() {
    let src = |v: &'static str| Keys(vec![("aws:sourcearn", v)]);
    let p = with_condition(r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::log*"}}"#);
    assert_eq!(get(&p, &src("arn:aws:s3:::logs")), ALLOW);
    assert_eq!(get(&p, &src("arn:aws:s3:::other")), None);
    assert_eq!(get(&p, &src("arn:aws:s3::x:logs")), None);
    let p = with_condition(r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123:topic"}}"#);
    assert_eq!(get(&p, &src("arn:aws:sns:us-east-1:123:topic")), ALLOW);
    assert_eq!(get(&p, &src("arn:aws:sns:us-east-1:123:topic:extra")), None);
    let p = with_condition(r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::a"}}"#);
    assert_eq!(get(&p, &src("arn:aws:s3:::b")), ALLOW);
    assert_eq!(get(&p, &src("arn:aws:s3:::a")), None);
}

#[test]
fn conditions_combine_and_parse_strictly() {
    // Keys and operators are ANDed, values ORed.
    let p = with_condition(
        r#"{"StringLike":{"s3:prefix":["a*","b*"],"s3:delimiter":"/"},
            "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    );
    let keys = |prefix, delim, ip| {
        Keys(vec![
            ("s3:prefix", prefix),
            ("s3:delimiter", delim),
            ("aws:sourceip", ip),
        ])
    };
    assert_eq!(get(&p, &keys("bx", "/", "10.0.0.1")), ALLOW);
    assert_eq!(get(&p, &keys("cx", "/", "10.0.0.1")), None);
    assert_eq!(get(&p, &keys("ax", ",", "10.0.0.1")), None);
    assert_eq!(get(&p, &keys("ax", "/", "11.0.0.1")), None);
    // Operator names ignore case; key names are read lowercase.
    let p = with_condition(r#"{"stringequals":{"S3:Prefix":"a"}}"#);
    assert_eq!(get(&p, &Keys(vec![("s3:prefix", "a")])), ALLOW);
    for bad in [
        r#"{"StringMatches":{"s3:prefix":"a"}}"#,
        r#"{"ForSomeValues:StringEquals":{"s3:prefix":"a"}}"#,
        r#"{"ForAnyValue:Null":{"s3:prefix":"true"}}"#,
        r#"{"StringEquals":{"s3:prefix":[]}}"#,
        r#"{"StringEquals":{"s3:prefix":null}}"#,
        r#"{"StringEquals":{"s3:prefix":{"a":1}}}"#,
        r#"{"StringEquals":{"s3:prefix":[["a"]]}}"#,
        r#"{"StringEquals":{}}"#,
        r#"{"StringEquals":"a"}"#,
        r#""a""#,
        r#"[]"#,
    ] {
        let c = format!(r#","Condition":{bad}"#);
        malformed(&s3(&allow(r#""*""#, "s3:GetObject", &c)));
    }
}

#[test]
fn glob_examples() {
    for (pattern, text, want) in [
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("**", "abc", true),
        ("a*c", "abbbc", true),
        ("a*c", "abbb", false),
        ("?", "é", true),
        ("??", "é", false),
        ("a?c", "aéc", true),
        ("*é", "xxé", true),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false),
        ("A", "a", false),
    ] {
        assert_eq!(glob_str(pattern, text), want, "{pattern} {text}");
    }
    // Exponential-backtracking inputs stay fast.
    let text = "a".repeat(1000);
    assert!(!glob_str(&format!("{}b", "*a".repeat(50)), &text));
}

/// Reference matcher: dynamic programming over characters.
fn reference(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let mut dp = vec![vec![false; t.len() + 1]; p.len() + 1];
    dp[0][0] = true;
    for i in 1..=p.len() {
        for j in 0..=t.len() {
            dp[i][j] = match p[i - 1] {
                '*' => dp[i - 1][j] || (j > 0 && dp[i][j - 1]),
                '?' => j > 0 && dp[i - 1][j - 1],
                c => j > 0 && dp[i - 1][j - 1] && t[j - 1] == c,
            };
        }
    }
    dp[p.len()][t.len()]
}

/// A pattern made from `text` (so that most match it): per character, by `ops`, keep it, make
/// it `?`, let a `*` take it, or put a `*` before it; `flip` then changes one literal.
fn derived_pattern(text: &str, ops: &[u8], flip: Option<usize>) -> String {
    let mut pattern: Vec<char> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        match ops.get(i).copied().unwrap_or(0) {
            2 => pattern.push('?'),
            3 => pattern.push('*'),
            4 => pattern.extend(['*', c]),
            _ => pattern.push(c),
        }
    }
    if let Some(i) = flip.filter(|_| !pattern.is_empty()) {
        let i = i % pattern.len();
        pattern[i] = if pattern[i] == 'a' { 'é' } else { 'a' };
    }
    pattern.into_iter().collect()
}

proptest! {
    #[test]
    fn glob_agrees_with_reference(pattern in "[ab*?é/]{0,8}", text in "[abé/]{0,12}") {
        prop_assert_eq!(glob_str(&pattern, &text), reference(&pattern, &text));
    }

    #[test]
    fn glob_agrees_with_reference_on_near_patterns(
        text in "[abé/]{0,12}",
        ops in proptest::collection::vec(0u8..5, 0..12),
        flip in proptest::option::of(0usize..16),
    ) {
        let pattern = derived_pattern(&text, &ops, flip);
        prop_assert_eq!(glob_str(&pattern, &text), reference(&pattern, &text), "{}", pattern);
    }

    #[test]
    fn resource_path_matches_as_joined(
        pattern in "[ab*?/]{0,8}",
        bucket in "[ab]{1,3}",
        key in proptest::option::of("[ab/é]{0,6}"),
    ) {
        let joined = match key {
            Some(ref k) => format!("{bucket}/{k}"),
            None => bucket.clone(),
        };
        let path = ResourcePath { bucket: &bucket, key: key.as_deref() };
        prop_assert_eq!(glob_path(&pattern, &path), reference(&pattern, &joined));
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,200}") {
        let _ = Policy::parse(&text, "bkt");
        let _ = Policy::parse_bos_acl(&text, "bkt");
    }

    #[test]
    fn parsers_never_panic_on_near_policies(
        pieces in proptest::collection::vec(
            prop_oneof![
                Just(r#"{"Version":"2012-10-17","Statement":"#.to_string()),
                Just(r#"{"Version":"1","Statement":"#.to_string()),
                Just(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*""#.to_string()),
                Just(r#","Condition":{"IpAddress":{"aws:SourceIp":"#.to_string()),
                Just(r#"{"accessControlList":[{"grantee":[{"id":"*"}],"permission":"#.to_string()),
                "[\\[\\]{}\",:*?a-z0-9./ ]{0,12}",
            ],
            0..8,
        )
    ) {
        let text = pieces.concat();
        let _ = Policy::parse(&text, "bkt");
        let _ = Policy::parse_bos_acl(&text, "bkt");
    }
}

#[test]
fn oss_tag_condition_keys_read_as_s3_s() {
    use crate::access::condition::canonical_key;
    assert_eq!(
        canonical_key("oss:ExistingObjectTag/Team"),
        "s3:existingobjecttag/team"
    );
    assert_eq!(
        canonical_key("oss:RequestObjectTag/a"),
        "s3:requestobjecttag/a"
    );
    assert_eq!(
        canonical_key("oss:RequestObjectTagKeys"),
        "s3:requestobjecttagkeys"
    );
    assert_eq!(
        canonical_key("s3:ExistingObjectTag/Team"),
        "s3:existingobjecttag/team"
    );
}
