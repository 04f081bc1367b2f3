use super::*;

fn rule(origins: &[&str], methods: &[Method]) -> Rule {
    Rule {
        origins: origins.iter().map(|s| s.to_string()).collect(),
        methods: methods.to_vec(),
        ..Rule::default()
    }
}

fn config(rules: Vec<Rule>) -> Config {
    Config { rules, vary: true }
}

fn header<'a>(h: &'a Headers, name: &str) -> Option<&'a str> {
    h.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

#[test]
fn a_star_stands_for_any_run_of_characters_none_included() {
    for (pattern, text, expected) in [
        ("*", "", true),
        ("*", "http://a.example", true),
        ("*suffix", "foo.suffix", true),
        ("*suffix", "suffix", true),
        ("*suffix", "foo.suffix.get", false),
        ("start*end", "startend", true),
        ("start*end", "start1end", true),
        ("start*end", "start12end", true),
        ("start*end", "0start12end", false),
        ("start*end", "startendend", true),
        ("start*end", "start", false),
        ("prefix*", "prefix", true),
        ("prefix*", "prefix.suffix", true),
        ("prefix*", "bla.prefix", false),
        ("http://*.example.com", "http://www.example.com", true),
        ("http://*.example.com", "https://www.example.com", false),
        ("exact", "exact", true),
        ("exact", "exactly", false),
        ("exact", "Exact", false),
        ("", "", true),
        ("", "a", false),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXcYb", false),
    ] {
        assert_eq!(
            wildcard_match(pattern, text),
            expected,
            "{pattern} ~ {text}"
        );
    }
}

#[test]
fn the_first_rule_that_allows_origin_and_method_matches() {
    use Method::*;
    // ceph/s3-tests' test_cors_origin_response.
    let c = config(vec![
        rule(&["*suffix"], &[Get]),
        rule(&["start*end"], &[Get]),
        rule(&["prefix*"], &[Get]),
        rule(&["*.put"], &[Put]),
    ]);
    let allowed = |origin: &str, method: &str| {
        c.matching(origin, method, &[])
            .map(|r| r.origins[0].as_str())
    };
    assert_eq!(allowed("foo.suffix", "GET"), Some("*suffix"));
    assert_eq!(allowed("foo.bar", "GET"), None);
    assert_eq!(allowed("foo.suffix.get", "GET"), None);
    assert_eq!(allowed("startend", "GET"), Some("start*end"));
    assert_eq!(allowed("prefix.suffix", "GET"), Some("*suffix"));
    assert_eq!(allowed("bla.prefix", "GET"), None);
    assert_eq!(allowed("foo.put", "GET"), None);
    assert_eq!(allowed("foo.put", "PUT"), Some("*.put"));
    // Methods compare with case; OPTIONS is never allowed.
    assert_eq!(allowed("foo.put", "put"), None);
    assert_eq!(allowed("foo.suffix", "OPTIONS"), None);
}

#[test]
fn a_preflight_asks_for_headers_the_rule_must_allow_without_case() {
    use Method::*;
    let mut r = rule(&["*"], &[Get]);
    r.allowed_headers = vec!["X-Amz-Meta-*".into(), "content-type".into()];
    let c = config(vec![r]);
    let asks = |h: &str| c.matching("o", "GET", &requested_headers(h)).is_some();
    assert!(asks(""));
    assert!(asks("x-amz-meta-one"));
    assert!(asks("X-AMZ-META-ONE, Content-Type"));
    assert!(asks(" content-type ,,x-amz-meta-"));
    assert!(!asks("x-amz-meta-one, authorization"));
    // A rule without allowed headers allows none.
    let bare = config(vec![rule(&["*"], &[Get])]);
    assert!(bare.matching("o", "GET", &[]).is_some());
    assert!(
        bare.matching("o", "GET", &requested_headers("x-a"))
            .is_none()
    );
    assert_eq!(
        requested_headers("A, b ,, C"),
        vec!["a".to_owned(), "b".into(), "c".into()]
    );
}

#[test]
fn the_answer_names_the_origin_or_star_and_the_rule_s_settings() {
    use Method::*;
    let mut named = rule(&["http://a.example", "http://b.*"], &[Get, Put]);
    named.expose_headers = vec!["ETag".into(), "x-amz-request-id".into()];
    named.max_age_seconds = Some(3000);
    let c = config(vec![named, rule(&["*"], &[Head])]);
    let h = c.actual("http://b.example", "PUT");
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some("http://b.example")
    );
    assert_eq!(header(&h, "access-control-allow-credentials"), Some("true"));
    assert_eq!(header(&h, "access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(
        header(&h, "access-control-expose-headers"),
        Some("ETag, x-amz-request-id")
    );
    assert_eq!(header(&h, "access-control-max-age"), Some("3000"));
    assert_eq!(header(&h, "vary"), Some(VARY));
    // An actual request never gets Allow-Headers.
    assert_eq!(header(&h, "access-control-allow-headers"), None);
    let star = c.actual("http://c.example", "HEAD");
    assert_eq!(header(&star, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&star, "access-control-allow-credentials"), None);
    assert_eq!(header(&star, "access-control-max-age"), None);
    assert!(c.actual("http://c.example", "GET").is_empty());
    // No Vary when the configuration does not ask for it (OSS's ResponseVary false).
    let quiet = Config {
        vary: false,
        ..c.clone()
    };
    assert_eq!(
        header(&quiet.actual("http://c.example", "HEAD"), "vary"),
        None
    );
}

#[test]
fn a_preflight_is_checked_in_order() {
    use Method::*;
    let mut r = rule(&["*.ok"], &[Get, Post]);
    r.allowed_headers = vec!["*".into()];
    let c = config(vec![r]);
    let ask = |origin, method, headers| Preflight {
        origin,
        method,
        headers,
        object: true,
    };
    let no_origin = ask(None, Some("GET"), None);
    for offer in [Offer::NoBucket, Offer::NoConfiguration, Offer::Config(&c)] {
        assert_eq!(preflight(offer, &no_origin), Err(CorsError::MissingOrigin));
        assert_eq!(
            preflight(offer, &ask(Some(""), Some("GET"), None)),
            Err(CorsError::MissingOrigin)
        );
    }
    let no_method = ask(Some("a.ok"), None, None);
    assert_eq!(
        preflight(Offer::NoBucket, &no_method),
        Err(CorsError::BucketNotFound)
    );
    assert_eq!(
        preflight(Offer::NoConfiguration, &no_method),
        Err(CorsError::NotEnabled {
            method: "OPTIONS".into(),
            object: true
        })
    );
    assert_eq!(
        preflight(Offer::Config(&c), &no_method),
        Err(CorsError::MissingMethod)
    );
    assert_eq!(
        preflight(Offer::Config(&c), &ask(Some("a.no"), Some("GET"), None)),
        Err(CorsError::NotAllowed {
            method: "GET".into(),
            object: true
        })
    );
    let ok = preflight(
        Offer::Config(&c),
        &ask(Some("a.ok"), Some("POST"), Some("X-Amz-Date, content-md5")),
    )
    .unwrap();
    assert_eq!(header(&ok, "access-control-allow-origin"), Some("a.ok"));
    assert_eq!(
        header(&ok, "access-control-allow-methods"),
        Some("GET, POST")
    );
    assert_eq!(
        header(&ok, "access-control-allow-headers"),
        Some("x-amz-date, content-md5")
    );
}

#[test]
fn validation_refuses_what_no_dialect_allows() {
    use Method::*;
    let ok = config(vec![rule(&["http://*.example"], &[Get])]);
    assert_eq!(validate(&ok), Ok(()));
    assert_eq!(validate(&config(vec![])), Err(CorsError::RuleCount(0)));
    let many = config(vec![rule(&["*"], &[Get]); MAX_RULES + 1]);
    assert_eq!(validate(&many), Err(CorsError::RuleCount(MAX_RULES + 1)));
    assert_eq!(
        validate(&config(vec![rule(&["*"], &[Get]); MAX_RULES])),
        Ok(())
    );
    assert_eq!(
        validate(&config(vec![rule(&[], &[Get])])),
        Err(CorsError::NoOrigin)
    );
    assert_eq!(
        validate(&config(vec![rule(&["*"], &[])])),
        Err(CorsError::NoMethod)
    );
    assert_eq!(
        validate(&config(vec![rule(&["http://*.*.com"], &[Get])])),
        Err(CorsError::OriginWildcards("http://*.*.com".into()))
    );
    let mut headers = rule(&["*"], &[Get]);
    headers.allowed_headers = vec!["x-*-*".into()];
    assert_eq!(
        validate(&config(vec![headers])),
        Err(CorsError::HeaderWildcards("x-*-*".into()))
    );
    let mut long = rule(&["*"], &[Get]);
    long.id = "i".repeat(MAX_ID_CHARS + 1);
    assert_eq!(validate(&config(vec![long])), Err(CorsError::IdTooLong));
    // An empty origin is a valid (if useless) one, as S3 keeps it.
    assert_eq!(validate(&config(vec![rule(&[""], &[Get])])), Ok(()));
}

#[test]
fn methods_parse_only_in_capitals() {
    for m in Method::ALL {
        assert_eq!(Method::parse(m.as_str()), Ok(m));
    }
    assert_eq!(
        Method::parse("get"),
        Err(CorsError::UnsupportedMethod("get".into()))
    );
    assert!(Method::parse("OPTIONS").is_err());
    assert!(Method::parse("PATCH").is_err());
}
