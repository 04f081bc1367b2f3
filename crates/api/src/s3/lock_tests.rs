use super::*;

const JAN_2030_MS: i64 = 1_893_456_000_000;

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

fn config(inner: &str) -> String {
    format!(
        r#"<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled>{inner}</ObjectLockConfiguration>"#
    )
}

fn rule(inner: &str) -> String {
    config(&format!(
        "<Rule><DefaultRetention>{inner}</DefaultRetention></Rule>"
    ))
}

fn config_code(doc: &str) -> &'static str {
    parse_lock_configuration(doc.as_bytes()).unwrap_err().code
}

#[test]
fn a_configuration_reads_its_mode_and_days_or_years_or_no_rule() {
    assert_eq!(
        parse_lock_configuration(rule("<Mode>GOVERNANCE</Mode><Days> 1 </Days>").as_bytes())
            .unwrap(),
        LockConfig {
            default: Some(DefaultRetention {
                mode: LockMode::Governance,
                period: Period::Days(1)
            })
        }
    );
    assert_eq!(
        parse_lock_configuration(rule("<Years>3</Years><Mode>COMPLIANCE</Mode>").as_bytes())
            .unwrap()
            .default,
        Some(DefaultRetention {
            mode: LockMode::Compliance,
            period: Period::Years(3)
        })
    );
    assert_eq!(
        parse_lock_configuration(config("").as_bytes()).unwrap(),
        LockConfig { default: None }
    );
}

#[test]
fn a_configuration_with_both_periods_neither_a_bad_mode_or_status_is_malformed_xml() {
    for bad in [
        rule("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>"),
        rule("<Mode>GOVERNANCE</Mode>"),
        rule("<Days>1</Days>"),
        rule(""),
        rule("<Mode>governance</Mode><Days>1</Days>"),
        rule("<Mode>abc</Mode><Years>1</Years>"),
        rule("<Mode>GOVERNANCE</Mode><Days>one</Days>"),
        rule("<Mode>GOVERNANCE</Mode><Days>1.5</Days>"),
        config("<Rule/>"),
        "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>".into(),
        "<ObjectLockConfiguration/>".into(),
        "<LockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></LockConfiguration>".into(),
        "<ObjectLockConfiguration>".into(),
    ] {
        assert_eq!(config_code(&bad), "MalformedXML", "{bad}");
    }
}

#[test]
fn a_period_of_zero_or_less_is_invalid_retention_period_and_event_holds_are_refused() {
    for bad in ["<Days>0</Days>", "<Days>-1</Days>", "<Years>-1</Years>"] {
        let doc = rule(&format!("<Mode>GOVERNANCE</Mode>{bad}"));
        assert_eq!(config_code(&doc), "InvalidRetentionPeriod", "{bad}");
    }
    // Too many is the core's to refuse (also InvalidRetentionPeriod).
    assert_eq!(
        parse_lock_configuration(
            rule("<Mode>GOVERNANCE</Mode><Days>99999999999</Days>").as_bytes()
        )
        .unwrap()
        .default
        .unwrap()
        .period,
        Period::Days(u32::MAX)
    );
    let hold = rule(
        "<Mode>GOVERNANCE</Mode><Days>1</Days><DefaultEventHold><Days>1</Days></DefaultEventHold>",
    );
    assert_eq!(config_code(&hold), "NotImplemented");
}

#[test]
fn a_retention_reads_mode_and_date_or_neither() {
    let doc = br#"<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>"#;
    assert_eq!(
        parse_retention(doc).unwrap(),
        Some(Retention {
            mode: LockMode::Compliance,
            until_ms: JAN_2030_MS
        })
    );
    // botocore writes microseconds when a time has them; they are cut to the millisecond.
    let doc = b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.123456Z</RetainUntilDate></Retention>";
    assert_eq!(
        parse_retention(doc).unwrap().unwrap().until_ms,
        JAN_2030_MS + 123
    );
    let doc = b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T01:00:00+01:00</RetainUntilDate></Retention>";
    assert_eq!(parse_retention(doc).unwrap().unwrap().until_ms, JAN_2030_MS);
    assert_eq!(parse_retention(b"<Retention/>").unwrap(), None);
}

#[test]
fn a_bad_retention_is_malformed_xml_and_an_event_hold_not_implemented() {
    let code = |d: &str| parse_retention(d.as_bytes()).unwrap_err().code;
    for bad in [
        "<Retention><Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
        "<Retention><Mode>abc</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
        "<Retention><Mode>GOVERNANCE</Mode></Retention>",
        "<Retention><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
        "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01</RetainUntilDate></Retention>",
        "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>soon</RetainUntilDate></Retention>",
        "<LegalHold><Status>ON</Status></LegalHold>",
        "",
    ] {
        assert_eq!(code(bad), "MalformedXML", "{bad}");
    }
    assert_eq!(
        code("<Retention><EventHold>ON</EventHold></Retention>"),
        "NotImplemented"
    );
}

#[test]
fn a_legal_hold_is_on_or_off_exactly() {
    assert!(parse_legal_hold(b"<LegalHold><Status> ON </Status></LegalHold>").unwrap());
    assert!(!parse_legal_hold(b"<LegalHold xmlns=\"x\"><Status>OFF</Status></LegalHold>").unwrap());
    for bad in [
        "<LegalHold><Status>on</Status></LegalHold>",
        "<LegalHold><Status>abc</Status></LegalHold>",
        "<LegalHold/>",
        "<Hold><Status>ON</Status></Hold>",
    ] {
        assert_eq!(
            parse_legal_hold(bad.as_bytes()).unwrap_err().code,
            "MalformedXML",
            "{bad}"
        );
    }
}

#[test]
fn lock_headers_give_a_retention_with_both_and_a_hold() {
    assert_eq!(parse_lock_headers(&headers(&[])).unwrap(), None);
    assert_eq!(
        parse_lock_headers(&headers(&[
            (MODE, "GOVERNANCE"),
            (UNTIL, "2030-01-01T00:00:00Z"),
            (LEGAL_HOLD, "ON"),
        ]))
        .unwrap(),
        Some(ObjectLock {
            retention: Some(Retention {
                mode: LockMode::Governance,
                until_ms: JAN_2030_MS
            }),
            legal_hold: true
        })
    );
    // A lone OFF is a lock header (the write must go to a bucket with Object Lock).
    assert_eq!(
        parse_lock_headers(&headers(&[(LEGAL_HOLD, "OFF")])).unwrap(),
        Some(ObjectLock::default())
    );
}

#[test]
fn a_lone_mode_or_date_or_a_bad_value_is_invalid_argument() {
    for bad in [
        vec![(MODE, "GOVERNANCE")],
        vec![(UNTIL, "2030-01-01T00:00:00Z")],
        vec![(MODE, "governance"), (UNTIL, "2030-01-01T00:00:00Z")],
        vec![
            (MODE, "COMPLIANCE"),
            (UNTIL, "Tue, 01 Jan 2030 00:00:00 GMT"),
        ],
        vec![(LEGAL_HOLD, "on")],
        vec![(LEGAL_HOLD, "YES")],
    ] {
        let e = parse_lock_headers(&headers(&bad)).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "InvalidArgument"),
            "{bad:?}"
        );
    }
}

#[test]
fn retain_until_dates_are_written_with_milliseconds() {
    assert_eq!(write_instant(JAN_2030_MS), "2030-01-01T00:00:00.000Z");
    assert_eq!(write_instant(JAN_2030_MS + 7), "2030-01-01T00:00:00.007Z");
    let mut resp = empty(StatusCode::OK);
    set_lock_headers(
        &mut resp,
        &ObjectLock {
            retention: Some(Retention {
                mode: LockMode::Compliance,
                until_ms: JAN_2030_MS,
            }),
            legal_hold: true,
        },
    );
    let h = resp.headers();
    assert_eq!(h[MODE], "COMPLIANCE");
    assert_eq!(h[UNTIL], "2030-01-01T00:00:00.000Z");
    assert_eq!(h[LEGAL_HOLD], "ON");
    let mut resp = empty(StatusCode::OK);
    set_lock_headers(&mut resp, &ObjectLock::default());
    assert!(resp.headers().is_empty());
}
