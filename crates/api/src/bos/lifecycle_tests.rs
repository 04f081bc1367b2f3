use super::*;

const B: &str = "bkt";

fn parse(doc: &Value) -> Result<Vec<Rule>, BosError> {
    parse_rules(B, doc.to_string().as_bytes())
}

fn one(rule: Value) -> Rule {
    let mut rules = parse(&json!({ "rule": [rule] })).unwrap();
    assert_eq!(rules.len(), 1);
    rules.remove(0)
}

/// The error a document of one rule gets: (status, code).
fn refused(rule: Value) -> (u16, &'static str) {
    let e = parse(&json!({ "rule": [rule] })).unwrap_err();
    assert!(!e.message.is_empty());
    (e.status.as_u16(), e.code)
}

fn invalid_rule(rule: Value) {
    assert_eq!(refused(rule.clone()), (400, "InvalidArgument"), "{rule}");
}

/// A rule as the Python SDK's own test writes it, with `DeleteObject` for its `Transition`.
fn sdk_rule() -> Value {
    json!({
        "id": "rule1",
        "status": "enabled",
        "action": {"name": "DeleteObject"},
        "resource": ["bkt/*"],
        "condition": {"time": {"dateGreaterThan": "2017-04-07T00:00:00Z"}},
    })
}

fn with(mut rule: Value, name: &str, value: Value) -> Value {
    rule[name] = value;
    rule
}

const DAY: i64 = 86_400_000;

#[test]
fn the_python_sdk_s_rule_round_trips_unchanged() {
    let r = one(sdk_rule());
    assert_eq!(r.id, "rule1");
    assert!(r.enabled);
    assert_eq!(r.filter, Filter::prefix(""));
    // 2017-04-07 is day 17263 of the Unix epoch.
    assert_eq!(r.expiration, Some(Expiration::Date(17_263 * DAY)));
    assert_eq!(render_rules(B, &[r]), json!({ "rule": [sdk_rule()] }));
}

#[test]
fn every_field_bos_can_say_round_trips() {
    let rules = json!({"rule": [
        {
            "id": "logs", "status": "disabled",
            "resource": ["bkt/logs/*", "bkt/tmp/a*"],
            "condition": {
                "time": {"dateGreaterThan": "$(lastModified)+P7D"},
                "objectSize": {"minSize": 1024, "maxSize": 2048},
            },
            "action": {"name": "DeleteObject"},
            "not": {"resource": "bkt/logs/keep*", "tag": {"k": "v"}},
        },
        {
            "id": "markers", "status": "enabled", "resource": ["bkt/*"],
            "condition": {}, "action": {"name": "DeleteObject"},
            "ExpiredObjectDeleteMarker": "true",
        },
        {
            "id": "uploads", "status": "enabled", "resource": ["bkt/up/*"],
            "condition": {"time": {"dateGreaterThan": "$(lastModified)+P3D"}},
            "action": {"name": "AbortMultipartUpload"},
        },
        {
            "id": "old", "status": "enabled", "resource": ["bkt/*"],
            "condition": {"time": {"dateGreaterThan": "$(lastModified)+P5D"}},
            "action": {"name": "NonCurrentVersionDeleteObject"},
        },
        {
            "id": "tagged", "status": "enabled", "resource": ["bkt/*"],
            "condition": {
                "time": {"dateGreaterThan": "$(lastModified)+P1D"},
                "tag": {"a": "1", "b": "2"},
            },
            "action": {"name": "DeleteObject"},
            "not": {"tag": {"keep": "yes"}},
        },
    ]});
    let parsed = parse(&rules).unwrap();
    let logs = &parsed[0];
    assert!(!logs.enabled);
    assert_eq!(logs.filter.prefixes, ["logs/", "tmp/a"]);
    // Both bounds are inclusive in BOS, strict in the core.
    assert_eq!(logs.filter.size_greater_than, Some(1023));
    assert_eq!(logs.filter.size_less_than, Some(2049));
    assert_eq!(
        logs.filter.not,
        Some(Exclusion {
            prefix: "logs/keep".into(),
            tags: vec![("k".into(), "v".into())],
        })
    );
    assert_eq!(logs.expiration, Some(Expiration::Days(7)));
    let markers = &parsed[1];
    assert!(markers.expired_object_delete_marker && markers.expiration.is_none());
    assert_eq!(parsed[2].abort_upload, Some(UploadAbort::Days(3)));
    assert_eq!(parsed[2].expiration, None);
    assert_eq!(
        parsed[3].noncurrent,
        Some(NoncurrentExpiration {
            days: 5,
            newer_noncurrent_versions: None
        })
    );
    let tagged = &parsed[4];
    assert_eq!(tagged.filter.tags.len(), 2);
    assert_eq!(tagged.filter.not.as_ref().unwrap().prefix, "");
    assert_eq!(render_rules(B, &parsed), rules);
}

#[test]
fn the_go_sdk_s_empty_objects_are_absent() {
    // What bce-sdk-go sends for a rule that sets only resource, status, id and the action.
    let go = json!({
        "id": "", "status": "enabled", "resource": ["bkt/x/*"],
        "condition": {"time": {"dateGreaterThan": ""}, "objectSize": {}},
        "action": {"name": "DeleteObject"},
        "ExpiredObjectDeleteMarker": "true",
        "not": {},
    });
    let r = one(go.clone());
    assert_eq!(r.id, "rule-1");
    assert!(r.expired_object_delete_marker);
    assert_eq!(r.expiration, None);
    assert_eq!(r.filter, Filter::prefix("x/"));
    // Without the marker the rule has nothing to do.
    invalid_rule(with(go, "ExpiredObjectDeleteMarker", json!("")));
    let null_members = json!({
        "id": null, "status": "enabled", "resource": ["bkt/*"],
        "condition": {"time": {"dateGreaterThan": "$(lastModified)+P2D"}, "tag": null,
                      "objectSize": null},
        "action": {"name": "DeleteObject", "storageClass": ""},
        "not": null,
    });
    assert_eq!(one(null_members).expiration, Some(Expiration::Days(2)));
}

#[test]
fn resources_name_prefixes_of_this_bucket() {
    for bad in [
        json!(["other/*"]),
        json!(["bkt2/*"]),
        json!(["bk/*"]),
        json!(["bkt/logs/"]),
        json!(["bkt/exact-key"]),
        json!(["bkt"]),
        json!(["bkt*"]),
        json!(["bkt/a*b*"]),
        json!(["bkt/*/x*"]),
        json!(["bkt/*", "other/*"]),
        json!([]),
        json!("bkt/*"),
        json!([1]),
        json!(null),
    ] {
        invalid_rule(with(sdk_rule(), "resource", bad));
    }
    let mut missing = sdk_rule();
    missing.as_object_mut().unwrap().remove("resource");
    invalid_rule(missing);
    invalid_rule(with(sdk_rule(), "resource", json!(["bkt/a/*", "bkt/b"])));
    let r = one(with(
        sdk_rule(),
        "resource",
        json!(["bkt/a/*", "bkt/b*", "bkt/*"]),
    ));
    assert_eq!(r.filter.prefixes, ["a/", "b", ""]);
    // A prefix may hold what keys hold, `/` and non-ASCII included.
    let r = one(with(sdk_rule(), "resource", json!(["bkt/日志/ a+b/*"])));
    assert!(r.filter.matches_key("日志/ a+b/x") && !r.filter.matches_key("日志/x"));
}

#[test]
fn times_are_relative_days_or_midnight_utc() {
    let time = |t: &str| {
        with(
            sdk_rule(),
            "condition",
            json!({"time": {"dateGreaterThan": t}}),
        )
    };
    assert_eq!(
        one(time("$(lastModified)+P1D")).expiration,
        Some(Expiration::Days(1))
    );
    assert_eq!(
        one(time("$(lastModified)+P0365D")).expiration,
        Some(Expiration::Days(365))
    );
    assert_eq!(
        one(time("1970-01-02T00:00:00Z")).expiration,
        Some(Expiration::Date(DAY))
    );
    for bad in [
        "$(lastModified)+P0D",
        "$(lastModified)+PD",
        "$(lastModified)+P1W",
        "$(lastModified)+P-1D",
        "$(lastModified)+P+1D",
        "$(lastModified)+P1",
        "$(lastModified)+PT1H",
        "$(lastModified)+P99999999999D",
        "$(createTime)+P1D",
        "P1D",
        "2016-09-07T08:00:00Z",
        "2016-09-07T00:00:01Z",
        "2016-09-07",
        "2016-09-07T00:00:00.000Z",
        "2016-13-07T00:00:00Z",
        "yesterday",
    ] {
        invalid_rule(time(bad));
    }
    invalid_rule(with(
        sdk_rule(),
        "condition",
        json!({"time": {"dateGreaterThan": 7}}),
    ));
    invalid_rule(with(sdk_rule(), "condition", json!({"time": "P1D"})));
    invalid_rule(with(
        sdk_rule(),
        "condition",
        json!({"time": {"date": "x"}}),
    ));
}

#[test]
fn transition_is_not_implemented_and_unknown_actions_are_invalid() {
    let transition = with(
        sdk_rule(),
        "action",
        json!({"name": "Transition", "storageClass": "STANDARD_IA"}),
    );
    assert_eq!(refused(transition.clone()), (501, "NotImplemented"));
    // Whatever else the rule says.
    let broken = with(transition, "resource", json!(["other/*"]));
    assert_eq!(refused(broken), (501, "NotImplemented"));
    for action in [
        json!({"name": "Delete"}),
        json!({"name": "deleteobject"}),
        json!({"name": ""}),
        json!({}),
        json!({"name": 1}),
        json!("DeleteObject"),
        json!(null),
        json!({"name": "DeleteObject", "storageClass": "COLD"}),
        json!({"name": "DeleteObject", "extra": 1}),
    ] {
        invalid_rule(with(sdk_rule(), "action", action));
    }
    let mut no_action = sdk_rule();
    no_action.as_object_mut().unwrap().remove("action");
    invalid_rule(no_action);
}

#[test]
fn abort_and_noncurrent_take_relative_days_only() {
    for name in ["AbortMultipartUpload", "NonCurrentVersionDeleteObject"] {
        let rule = with(sdk_rule(), "action", json!({ "name": name }));
        // The SDK rule's time is absolute.
        invalid_rule(rule.clone());
        invalid_rule(with(rule.clone(), "condition", json!({})));
        let days = with(
            rule,
            "condition",
            json!({"time": {"dateGreaterThan": "$(lastModified)+P4D"}}),
        );
        let r = one(days.clone());
        assert_eq!(r.expiration, None);
        invalid_rule(with(days, "ExpiredObjectDeleteMarker", json!("true")));
    }
    let sized = json!({
        "status": "enabled", "resource": ["bkt/*"], "action": {"name": "AbortMultipartUpload"},
        "condition": {"time": {"dateGreaterThan": "$(lastModified)+P4D"},
                      "objectSize": {"maxSize": 10}},
    });
    invalid_rule(sized);
}

#[test]
fn expired_object_delete_marker_is_read_leniently_and_checked() {
    let marker = |v: Value| {
        let mut r = with(sdk_rule(), "ExpiredObjectDeleteMarker", v);
        r["condition"] = json!({});
        r
    };
    for yes in [json!("true"), json!("TRUE"), json!(true)] {
        assert!(one(marker(yes)).expired_object_delete_marker);
    }
    let mut lower = sdk_rule();
    lower["expiredObjectDeleteMarker"] = json!("true");
    lower["condition"] = json!({});
    assert!(one(lower).expired_object_delete_marker);
    for no in [json!("false"), json!(false)] {
        // Then the rule has no action.
        invalid_rule(marker(no));
    }
    invalid_rule(marker(json!("yes")));
    invalid_rule(marker(json!(1)));
    let mut twice = marker(json!("true"));
    twice["expiredobjectdeletemarker"] = json!("true");
    invalid_rule(twice);
    // With a time, or under a tag filter: the core's refusals.
    invalid_rule(with(sdk_rule(), "ExpiredObjectDeleteMarker", json!("true")));
    let mut tagged = marker(json!("true"));
    tagged["condition"] = json!({"tag": {"k": "v"}});
    invalid_rule(tagged);
}

#[test]
fn status_ids_and_members_are_checked() {
    for status in [
        json!("Enabled"),
        json!("DISABLED"),
        json!(""),
        json!(true),
        json!(null),
    ] {
        invalid_rule(with(sdk_rule(), "status", status));
    }
    invalid_rule(with(sdk_rule(), "id", json!(5)));
    invalid_rule(with(sdk_rule(), "id", json!("x".repeat(256))));
    invalid_rule(with(sdk_rule(), "filter", json!({})));
    invalid_rule(with(sdk_rule(), "condition", json!({"prefix": "a"})));
    invalid_rule(with(sdk_rule(), "condition", json!("x")));
    invalid_rule(with(sdk_rule(), "not", json!({"prefix": "a"})));
    invalid_rule(with(sdk_rule(), "not", json!({"resource": "other/*"})));
    invalid_rule(with(sdk_rule(), "not", json!({"resource": ["bkt/*"]})));
    invalid_rule(with(sdk_rule(), "not", json!({"tag": {"k": 1}})));
    invalid_rule(with(sdk_rule(), "not", json!("bkt/*")));
    // IDs: generated where missing, unique.
    let two = json!({"rule": [with(sdk_rule(), "id", json!("")), sdk_rule()]});
    let rules = parse(&two).unwrap();
    assert_eq!(
        (rules[0].id.as_str(), rules[1].id.as_str()),
        ("rule-1", "rule1")
    );
    let same = json!({"rule": [sdk_rule(), sdk_rule()]});
    assert_eq!(parse(&same).unwrap_err().code, "InvalidArgument");
}

#[test]
fn object_sizes_are_inclusive_whole_numbers() {
    let sized = |s: Value| {
        with(
            sdk_rule(),
            "condition",
            json!({"objectSize": s, "time": {"dateGreaterThan": "$(lastModified)+P1D"}}),
        )
    };
    let f = one(sized(json!({"minSize": 0, "maxSize": 0}))).filter;
    assert_eq!((f.size_greater_than, f.size_less_than), (None, Some(1)));
    let f = one(sized(json!({"minSize": 5}))).filter;
    assert_eq!((f.size_greater_than, f.size_less_than), (Some(4), None));
    let f = one(sized(json!({"maxSize": u64::MAX}))).filter;
    assert_eq!((f.size_greater_than, f.size_less_than), (None, None));
    let f = one(sized(json!({"minSize": 7, "maxSize": 7}))).filter;
    assert!(
        f.matches("k", Some(7), &Default::default())
            && !f.matches("k", Some(6), &Default::default())
            && !f.matches("k", Some(8), &Default::default())
    );
    for bad in [
        json!({"minSize": 8, "maxSize": 7}),
        json!({"minSize": -1}),
        json!({"maxSize": 1.5}),
        json!({"maxSize": "10"}),
        json!({"size": 1}),
        json!([1, 2]),
    ] {
        invalid_rule(sized(bad));
    }
}

#[test]
fn documents_that_are_not_a_rule_list_are_refused() {
    let code = |body: &[u8]| parse_rules(B, body).unwrap_err().code;
    assert_eq!(code(b"{\"rule\": ["), "MalformedJSON");
    assert_eq!(code(b"rule=1"), "MalformedJSON");
    let deep = format!("{{\"rule\": {}}}", "[".repeat(40) + &"]".repeat(40));
    assert_eq!(code(deep.as_bytes()), "MalformedJSON");
    for body in [
        "",
        " \n",
        "{}",
        "[]",
        "null",
        r#"{"rule": []}"#,
        r#"{"rule": {}}"#,
        r#"{"rule": "x"}"#,
        r#"{"rule": [1]}"#,
        r#"{"rule": [], "other": 1}"#,
        r#"{"Rule": []}"#,
    ] {
        assert_eq!(code(body.as_bytes()), "InvalidArgument", "{body}");
    }
    let many: Vec<Value> = (0..1001)
        .map(|i| with(sdk_rule(), "id", json!(i.to_string())))
        .collect();
    assert_eq!(
        parse(&json!({ "rule": many })).unwrap_err().code,
        "InvalidArgument"
    );
}

fn rule(id: &str) -> Rule {
    Rule {
        id: id.into(),
        enabled: true,
        filter: Filter::prefix("p/"),
        ..Rule::default()
    }
}

#[test]
fn rules_of_other_dialects_are_written_action_by_action() {
    let all = Rule {
        expiration: Some(Expiration::Days(30)),
        noncurrent: Some(NoncurrentExpiration {
            days: 2,
            newer_noncurrent_versions: None,
        }),
        abort_upload: Some(UploadAbort::Days(1)),
        ..rule("r")
    };
    let doc = render_rules(B, &[all]);
    let names: Vec<(&str, &str)> = doc["rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["action"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("r", "DeleteObject"),
            (
                "r-NonCurrentVersionDeleteObject",
                "NonCurrentVersionDeleteObject"
            ),
            ("r-AbortMultipartUpload", "AbortMultipartUpload"),
        ]
    );
    assert_eq!(
        doc["rule"][1]["condition"]["time"]["dateGreaterThan"],
        "$(lastModified)+P2D"
    );
    assert_eq!(doc["rule"][2]["resource"], json!(["bkt/p/*"]));
    // What is written reads back as BOS rules with the same effect.
    let back = parse_rules(B, doc.to_string().as_bytes()).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].expiration, Some(Expiration::Days(30)));
    assert_eq!(back[2].abort_upload, Some(UploadAbort::Days(1)));

    // Noncurrent removal and lone markers (S3's usual pair).
    let pair = Rule {
        expired_object_delete_marker: true,
        noncurrent: Some(NoncurrentExpiration {
            days: 3,
            newer_noncurrent_versions: None,
        }),
        ..rule("v")
    };
    let doc = render_rules(B, &[pair]);
    assert_eq!(doc["rule"][0]["ExpiredObjectDeleteMarker"], "true");
    assert_eq!(doc["rule"][0]["condition"], json!({}));
    assert_eq!(doc["rule"][1]["id"], "v-NonCurrentVersionDeleteObject");
}

#[test]
fn what_bos_cannot_say_is_left_out() {
    let created_before = Rule {
        expiration: Some(Expiration::CreatedBefore(DAY)),
        abort_upload: Some(UploadAbort::CreatedBefore(DAY)),
        ..rule("oss")
    };
    let keeps = Rule {
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: Some(3),
        }),
        abort_upload: Some(UploadAbort::Days(2)),
        ..rule("keeps")
    };
    let never = Rule {
        expiration: Some(Expiration::Days(1)),
        filter: Filter {
            size_less_than: Some(0),
            ..Filter::default()
        },
        ..rule("never")
    };
    let doc = render_rules(B, &[created_before, keeps, never]);
    let list = doc["rule"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    // The abort keeps the rule's ID: it is the first action written.
    assert_eq!(list[0]["id"], "keeps");
    assert_eq!(list[0]["action"]["name"], "AbortMultipartUpload");
    assert_eq!(render_rules(B, &[]), json!({"rule": []}));
}

#[test]
fn filters_of_other_dialects_are_written_as_bos_says_them() {
    let r = Rule {
        enabled: false,
        expiration: Some(Expiration::Date(2 * DAY)),
        filter: Filter {
            prefixes: vec![],
            tags: vec![("t".into(), "1".into())],
            size_greater_than: Some(0),
            size_less_than: Some(100),
            not: Some(Exclusion {
                prefix: String::new(),
                tags: vec![],
            }),
        },
        ..rule("f")
    };
    let doc = render_rules(B, std::slice::from_ref(&r));
    assert_eq!(
        doc["rule"][0],
        json!({
            "id": "f", "status": "disabled", "resource": ["bkt/*"],
            "condition": {
                "time": {"dateGreaterThan": "1970-01-03T00:00:00Z"},
                "tag": {"t": "1"},
                "objectSize": {"minSize": 1, "maxSize": 99},
            },
            "action": {"name": "DeleteObject"},
            "not": {"resource": "bkt/*"},
        })
    );
    let mut back = parse_rules(B, doc.to_string().as_bytes()).unwrap();
    // An empty prefix list and one empty prefix mean the same: every key.
    back[0].filter.prefixes.clear();
    assert_eq!(back, [r]);
}
