use super::*;

/// `2016-12-25T00:00:00.000Z` in Unix milliseconds.
const XMAS_2016: i64 = 1_482_624_000_000;

fn doc(rules: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><LifecycleConfiguration>{rules}</LifecycleConfiguration>"
    )
}

fn rule(id: &str, prefix: &str, body: &str) -> String {
    format!("<Rule><ID>{id}</ID><Prefix>{prefix}</Prefix><Status>Enabled</Status>{body}</Rule>")
}

fn parse_one(body: &str) -> Rule {
    let mut rules = parse_rules(doc(&rule("r", "logs/", body)).as_bytes()).unwrap();
    assert_eq!(rules.len(), 1);
    rules.remove(0)
}

fn refused(text: &str) -> OssError {
    parse_rules(text.as_bytes()).unwrap_err()
}

fn refused_rule(body: &str) -> OssError {
    refused(&doc(&rule("r", "logs/", body)))
}

fn assert_code(e: &OssError, status: u16, code: &str) {
    assert_eq!((e.status.as_u16(), e.code), (status, code), "{}", e.message);
}

#[test]
fn every_action_reads_into_the_core_s_rule() {
    let r = parse_one("<Expiration><Days>30</Days></Expiration>");
    assert_eq!(r.id, "r");
    assert!(r.enabled);
    assert_eq!(r.filter, Filter::prefix("logs/"));
    assert!(r.legacy_prefix);
    assert_eq!(r.expiration, Some(Expiration::Days(30)));

    let r = parse_one(
        "<Expiration><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></Expiration>",
    );
    assert_eq!(r.expiration, Some(Expiration::CreatedBefore(XMAS_2016)));
    let r = parse_one("<Expiration><Date>2016-12-25T00:00:00.000Z</Date></Expiration>");
    assert_eq!(r.expiration, Some(Expiration::Date(XMAS_2016)));

    // oss2 writes Python's `True`; Go and alibabacloud-oss-v2 write `true`.
    for t in ["True", "true", "TRUE"] {
        let r = parse_one(&format!(
            "<Expiration><ExpiredObjectDeleteMarker>{t}</ExpiredObjectDeleteMarker></Expiration>"
        ));
        assert!(r.expired_object_delete_marker);
        assert_eq!(r.expiration, None);
    }
    // `False` beside days asks for the days only.
    let r = parse_one(
        "<Expiration><Days>3</Days><ExpiredObjectDeleteMarker>False</ExpiredObjectDeleteMarker></Expiration>",
    );
    assert_eq!(
        (r.expiration, r.expired_object_delete_marker),
        (Some(Expiration::Days(3)), false)
    );

    let r = parse_one("<AbortMultipartUpload><Days>7</Days></AbortMultipartUpload>");
    assert_eq!(r.abort_upload, Some(UploadAbort::Days(7)));
    let r = parse_one(
        "<AbortMultipartUpload><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>",
    );
    assert_eq!(r.abort_upload, Some(UploadAbort::CreatedBefore(XMAS_2016)));

    let r = parse_one(
        "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>",
    );
    assert_eq!(
        r.noncurrent,
        Some(NoncurrentExpiration {
            days: 5,
            newer_noncurrent_versions: None
        })
    );
}

#[test]
fn tags_not_and_sizes_read_into_the_filter() {
    let r = parse_one(
        "<Expiration><Days>1</Days></Expiration>\
         <Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value>a b+c=d.e_f:g/h</Value></Tag>\
         <Filter><Not><Prefix>logs/keep/</Prefix><Tag><Key>n</Key><Value>1</Value></Tag></Not>\
         <ObjectSizeGreaterThan>500</ObjectSizeGreaterThan><ObjectSizeLessThan>64000</ObjectSizeLessThan></Filter>",
    );
    assert_eq!(
        r.filter,
        Filter {
            prefixes: vec!["logs/".into()],
            tags: vec![
                ("k1".into(), "v1".into()),
                ("k2".into(), "a b+c=d.e_f:g/h".into())
            ],
            size_greater_than: Some(500),
            size_less_than: Some(64000),
            not: Some(Exclusion {
                prefix: "logs/keep/".into(),
                tags: vec![("n".into(), "1".into())],
            }),
        }
    );
    assert!(!r.legacy_prefix);
    // oss2 sends an empty Filter when given a LifecycleFilter with nothing in it.
    let r = parse_one("<Expiration><Days>1</Days></Expiration><Filter/>");
    assert_eq!(r.filter, Filter::prefix("logs/"));
    // A Not of a prefix only.
    let r = parse_one(
        "<Expiration><Days>1</Days></Expiration><Filter><Not><Prefix>logs/a</Prefix></Not></Filter>",
    );
    assert_eq!(r.filter.not.unwrap().tags, vec![]);
}

#[test]
fn prefix_and_id_may_be_missing_or_empty() {
    let rules = parse_rules(
        doc("<Rule><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(rules[0].id, "rule-1");
    assert!(!rules[0].enabled);
    assert_eq!(rules[0].filter, Filter::default());
    let rules =
        parse_rules(doc(&rule("", "", "<Expiration><Days>1</Days></Expiration>")).as_bytes())
            .unwrap();
    assert_eq!(rules[0].filter.prefixes, Vec::<String>::new());
    // Whitespace of an indented document is not a value.
    let indented = "<LifecycleConfiguration>\n  <Rule>\n    <ID>a</ID>\n    <Prefix>p/</Prefix>\n    \
        <Status> Enabled </Status>\n    <Expiration>\n      <Days> 2 </Days>\n    </Expiration>\n  </Rule>\n</LifecycleConfiguration>";
    let rules = parse_rules(indented.as_bytes()).unwrap();
    assert_eq!(rules[0].expiration, Some(Expiration::Days(2)));
    assert_eq!(rules[0].filter, Filter::prefix("p/"));
}

#[test]
fn render_is_oss_s_shape_and_round_trips() {
    let all = doc(&[
        rule("days", "a/", "<Expiration><Days>30</Days></Expiration><AbortMultipartUpload><Days>7</Days></AbortMultipartUpload>\
              <NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>"),
        rule("before", "b/", "<Expiration><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></Expiration>\
              <AbortMultipartUpload><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>"),
        rule("date", "c/", "<Expiration><Date>2016-12-25T00:00:00.000Z</Date></Expiration>"),
        rule("marker", "d/", "<Expiration><ExpiredObjectDeleteMarker>True</ExpiredObjectDeleteMarker></Expiration>"),
        rule("filtered", "e/", "<Expiration><Days>1</Days></Expiration><Tag><Key>k</Key><Value>v</Value></Tag>\
              <Filter><Not><Prefix>e/keep/</Prefix><Tag><Key>n</Key><Value>1</Value></Tag></Not>\
              <ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></Filter>"),
        "<Rule><ID>whole</ID><Prefix></Prefix><Status>Disabled</Status><Expiration><Days>9</Days></Expiration></Rule>".into(),
    ].concat());
    // The whole bucket overlaps every other rule's Expiration: allowed by the header.
    assert_eq!(
        refused(&all).message,
        "Overlap for same action type Expiration"
    );
    let rules = parse(all.as_bytes(), true).unwrap();
    let text = render(&rules);
    assert!(text.contains("<Rule><ID>days</ID><Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration><AbortMultipartUpload><Days>7</Days></AbortMultipartUpload><NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration></Rule>"), "{text}");
    assert!(text.contains("<Expiration><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></Expiration><AbortMultipartUpload><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>"), "{text}");
    assert!(text.contains("<Expiration><Date>2016-12-25T00:00:00.000Z</Date></Expiration>"));
    assert!(text.contains(
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
    ));
    assert!(text.contains("<Tag><Key>k</Key><Value>v</Value></Tag><Filter><Not><Prefix>e/keep/</Prefix><Tag><Key>n</Key><Value>1</Value></Tag></Not><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></Filter>"), "{text}");
    assert!(
        text.contains("<ID>whole</ID><Prefix></Prefix><Status>Disabled</Status>")
            || text.contains("<ID>whole</ID><Prefix/><Status>Disabled</Status>"),
        "{text}"
    );
    // What GET shows reads back into the same rules.
    assert_eq!(parse(text.as_bytes(), true).unwrap(), rules);
}

#[test]
fn expiration_must_ask_for_one_thing() {
    for body in [
        "<Expiration></Expiration>",
        "<Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>",
    ] {
        let e = refused_rule(body);
        assert_code(&e, 400, "InvalidArgument");
        assert!(e.details.contains(&("EC", "0014-00000060".into())));
    }
    for body in [
        "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        "<Expiration><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate><ExpiredObjectDeleteMarker>True</ExpiredObjectDeleteMarker></Expiration>",
    ] {
        let e = refused_rule(body);
        assert_code(&e, 400, "InvalidArgument");
        assert!(e.details.contains(&("EC", "0014-00000059".into())));
    }
    for body in [
        "<Expiration><Days>1</Days><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></Expiration>",
        "<AbortMultipartUpload></AbortMultipartUpload>",
        "<AbortMultipartUpload><Days>1</Days><CreatedBeforeDate>2016-12-25T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>",
        "<NoncurrentVersionExpiration></NoncurrentVersionExpiration>",
        // Rules without any action, and days of 0 (the core's checks).
        "",
        "<Expiration><Days>0</Days></Expiration>",
        "<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>",
        "<AbortMultipartUpload><Days>0</Days></AbortMultipartUpload>",
    ] {
        assert_code(&refused_rule(body), 400, "InvalidArgument");
    }
}

#[test]
fn bad_values_are_invalid_arguments() {
    for body in [
        "<Expiration><Days>-1</Days></Expiration>",
        "<Expiration><Days>1.5</Days></Expiration>",
        "<Expiration><Days>abc</Days></Expiration>",
        "<Expiration><Days>99999999999</Days></Expiration>",
        // Dates at midnight UTC only, ISO 8601.
        "<Expiration><CreatedBeforeDate>2016-12-25T08:00:00.000Z</CreatedBeforeDate></Expiration>",
        "<Expiration><CreatedBeforeDate>2016-12-25T00:00:00.001Z</CreatedBeforeDate></Expiration>",
        "<Expiration><CreatedBeforeDate>2016-12-25T00:00:00+08:00</CreatedBeforeDate></Expiration>",
        "<Expiration><CreatedBeforeDate>20161225</CreatedBeforeDate></Expiration>",
        "<Expiration><Date>2016-12-25</Date></Expiration>",
        "<AbortMultipartUpload><CreatedBeforeDate>soon</CreatedBeforeDate></AbortMultipartUpload>",
        // Tags of characters OSS does not take, an empty key, a key twice.
        "<Expiration><Days>1</Days></Expiration><Tag><Key>%&amp;</Key><Value>v</Value></Tag>",
        "<Expiration><Days>1</Days></Expiration><Tag><Key>k</Key><Value>)%</Value></Tag>",
        "<Expiration><Days>1</Days></Expiration><Tag><Key></Key><Value>v</Value></Tag>",
        "<Expiration><Days>1</Days></Expiration><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag>",
        // Not: empty, beside the abort of uploads, or naming a tag key of the rule.
        "<Expiration><Days>1</Days></Expiration><Filter><Not></Not></Filter>",
        "<Expiration><Days>1</Days></Expiration><Filter><Not><Prefix></Prefix></Not></Filter>",
        "<AbortMultipartUpload><Days>1</Days></AbortMultipartUpload><Filter><Not><Prefix>logs/x</Prefix></Not></Filter>",
        "<Expiration><Days>1</Days></Expiration><Tag><Key>k</Key><Value>1</Value></Tag><Filter><Not><Prefix>logs/x</Prefix><Tag><Key>k</Key><Value>2</Value></Tag></Not></Filter>",
        // Sizes: numbers, in range, in order, and not both beside uploads or markers.
        "<Expiration><Days>1</Days></Expiration><Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>",
        "<Expiration><Days>1</Days></Expiration><Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter>",
        "<Expiration><Days>1</Days></Expiration><Filter><ObjectSizeLessThan>5497558138881</ObjectSizeLessThan></Filter>",
        "<Expiration><Days>1</Days></Expiration><Filter><ObjectSizeGreaterThan>5497558138880</ObjectSizeGreaterThan></Filter>",
        "<Expiration><Days>1</Days></Expiration><Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter>",
        "<AbortMultipartUpload><Days>1</Days></AbortMultipartUpload><Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter>",
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter>",
        // Tags beside the abort of uploads (the core's check).
        "<AbortMultipartUpload><Days>1</Days></AbortMultipartUpload><Tag><Key>k</Key><Value>v</Value></Tag>",
    ] {
        assert_code(&refused_rule(body), 400, "InvalidArgument");
    }
    // IDs: at most 255 bytes, unique; prefixes are object names.
    let long = "é".repeat(128);
    for text in [
        doc(&rule(
            &long,
            "a/",
            "<Expiration><Days>1</Days></Expiration>",
        )),
        doc(&[
            rule("same", "a/", "<Expiration><Days>1</Days></Expiration>"),
            rule("same", "b/", "<Expiration><Days>1</Days></Expiration>"),
        ]
        .concat()),
        doc(&rule("r", "/a", "<Expiration><Days>1</Days></Expiration>")),
    ] {
        assert_code(&refused(&text), 400, "InvalidArgument");
    }
    assert!(
        parse_rules(
            doc(&rule(
                &"x".repeat(255),
                "a/",
                "<Expiration><Days>1</Days></Expiration>"
            ))
            .as_bytes()
        )
        .is_ok()
    );
}

#[test]
fn documents_that_are_not_oss_s_are_malformed() {
    for text in [
        "".to_owned(),
        "<This is a bad xml></bad as I am>".to_owned(),
        "<LifecycleConfiguration>".to_owned(),
        "<Other><Rule/></Other>".to_owned(),
        doc(""),
        doc("<Rule><ID>a</ID></Rule><Extra/>"),
        // Status: missing, or not Enabled/Disabled.
        doc("<Rule><ID>a</ID><Prefix>p</Prefix><Expiration><Days>1</Days></Expiration></Rule>"),
        doc(
            "<Rule><ID>a</ID><Prefix>p</Prefix><Status>enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
        ),
        // Unknown or repeated elements, tags without Key or Value, a non-boolean marker.
        doc(&rule(
            "a",
            "p",
            "<Expiration><Days>1</Days></Expiration><Unknown/>",
        )),
        doc(&rule(
            "a",
            "p",
            "<Expiration><Days>1</Days></Expiration><Expiration><Days>2</Days></Expiration>",
        )),
        doc(&rule(
            "a",
            "p",
            "<Expiration><Days>1</Days><Hours>1</Hours></Expiration>",
        )),
        doc(&rule(
            "a",
            "p",
            "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        )),
        doc(&rule(
            "a",
            "p",
            "<Expiration><Days>1</Days></Expiration><Tag><Key>k</Key></Tag>",
        )),
        doc(&rule(
            "a",
            "p",
            "<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>",
        )),
        doc(&rule(
            "a",
            "p",
            "<Expiration><Days>1</Days></Expiration><Filter><Prefix>x</Prefix></Filter>",
        )),
        "<LifecycleConfiguration><Rule><Rule><Rule>".repeat(20),
    ] {
        assert_code(&refused(&text), 400, "MalformedXML");
    }
}

#[test]
fn transitions_and_several_nots_are_not_implemented() {
    for body in [
        "<Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>",
        "<Expiration><Days>60</Days></Expiration><Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>",
        "<NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>Archive</StorageClass></NoncurrentVersionTransition>",
        // Even beside what would be refused otherwise.
        "<Expiration></Expiration><Transition><Days>1</Days><StorageClass>IA</StorageClass></Transition>",
        "<Expiration><Days>1</Days></Expiration><Filter><Not><Prefix>logs/a</Prefix></Not><Not><Prefix>logs/b</Prefix></Not></Filter>",
    ] {
        assert_code(&refused_rule(body), 501, "NotImplemented");
    }
}

#[test]
fn overlapping_prefixes_of_one_action_type() {
    let two = |a: (&str, &str), b: (&str, &str)| {
        doc(&[rule("one", a.0, a.1), rule("two", b.0, b.1)].concat())
    };
    let days = "<Expiration><Days>1</Days></Expiration>";
    let date = "<Expiration><Date>2016-12-25T00:00:00.000Z</Date></Expiration>";
    let noncurrent = "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>";
    let abort = "<AbortMultipartUpload><Days>1</Days></AbortMultipartUpload>";
    let marker =
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>";
    // oss2's test_lifecycle_overlap_exception: `前缀/` and `前缀/2`, both Expiration by date.
    let text = two(("前缀/", date), ("前缀/2", date));
    let e = refused(&text);
    assert_code(&e, 400, "InvalidArgument");
    assert_eq!(e.message, "Overlap for same action type Expiration");
    // ... which x-oss-allow-same-action-overlap: true permits (test_lifecycle_overlap).
    assert_eq!(parse(text.as_bytes(), true).unwrap().len(), 2);
    for (a, b, kind) in [
        (("", days), ("x/", days), "Expiration"),
        (("x/", days), ("x/", days), "Expiration"),
        (
            ("x/", noncurrent),
            ("x/y", noncurrent),
            "NoncurrentVersionExpiration",
        ),
        (("x/", abort), ("", abort), "AbortMultipartUpload"),
    ] {
        let e = refused(&two(a, b));
        assert_eq!(e.message, format!("Overlap for same action type {kind}"));
    }
    // Rules aborting uploads never overlap, whatever the header says.
    let e = parse(two(("x/", abort), ("x/y", abort)).as_bytes(), true).unwrap_err();
    assert_eq!(
        e.message,
        "Overlap for same action type AbortMultipartUpload"
    );
    // Disjoint prefixes, or different action types, do not overlap.
    for (a, b) in [
        (("x/", days), ("y/", days)),
        (("x/", days), ("x/y", noncurrent)),
        (("", days), ("x/", abort)),
        (("", marker), ("x/", days)),
    ] {
        assert!(parse_rules(two(a, b).as_bytes()).is_ok(), "{a:?} {b:?}");
    }
}
