//! The decisions of ceph/s3-tests' lifecycle scenarios and of AWS's User Guide, with a day
//! of 1000 ms (as `--lifecycle-day` will shorten it) unless real days are the point.

use super::*;

const D: i64 = 1000;
const SHORT: Days = Days {
    day_ms: D,
    midnight: false,
};

fn id(seq: u64) -> VersionId {
    VersionId::Stamp { seq, salt: 7 }
}

fn object(seq: u64, at: i64) -> Entry {
    Entry {
        id: id(seq),
        last_modified_ms: at,
        size: Some(10),
        tags: Tags::none(),
    }
}

fn marker(seq: u64, at: i64) -> Entry {
    Entry {
        id: id(seq),
        last_modified_ms: at,
        size: None,
        tags: Tags::none(),
    }
}

fn rule(id: &str, prefix: &str) -> Rule {
    Rule {
        id: id.into(),
        enabled: true,
        filter: Filter::prefix(prefix),
        ..Rule::default()
    }
}

#[test]
fn current_objects_expire_by_the_shortest_matching_rule_and_markers_do_not() {
    let rules = [
        Rule {
            expiration: Some(Expiration::Days(1)),
            ..rule("one", "expire1/")
        },
        Rule {
            expiration: Some(Expiration::Days(5)),
            ..rule("five", "expire3/")
        },
        Rule {
            expiration: Some(Expiration::Days(2)),
            ..rule("two", "expire1/a")
        },
    ];
    let h = [object(1, 0)];
    assert!(due(&rules, "expire1/a", &h, D - 1, SHORT).is_empty());
    assert_eq!(
        due(&rules, "expire1/a", &h, D, SHORT),
        vec![(Action::Expire, "one".to_owned())]
    );
    assert!(due(&rules, "expire3/x", &h, 3 * D, SHORT).is_empty());
    assert_eq!(due(&rules, "expire3/x", &h, 7 * D, SHORT).len(), 1);
    assert!(due(&rules, "keep/x", &h, 70 * D, SHORT).is_empty());
    // A current delete marker is not expired again (no second marker on top).
    let h = [marker(2, 0), object(1, 0)];
    assert!(due(&rules, "expire1/a", &h, 9 * D, SHORT).is_empty());
    // A date rule: everything matching, from that instant on.
    let dated = [Rule {
        expiration: Some(Expiration::Date(5 * D)),
        ..rule("date", "")
    }];
    assert!(due(&dated, "k", &[object(1, 4 * D)], 5 * D - 1, SHORT).is_empty());
    assert_eq!(due(&dated, "k", &[object(1, 4 * D)], 5 * D, SHORT).len(), 1);
}

#[test]
fn noncurrent_age_counts_from_the_successor_and_the_newest_are_kept() {
    let r = Rule {
        noncurrent: Some(NoncurrentExpiration {
            days: 2,
            newer_noncurrent_versions: None,
        }),
        ..rule("nc", "")
    };
    // v1 written at 0, replaced at 5D by v2, replaced at 6D by v3 (current).
    let h = [object(3, 6 * D), object(2, 5 * D), object(1, 0)];
    assert!(due(std::slice::from_ref(&r), "k", &h, 7 * D - 1, SHORT).is_empty());
    assert_eq!(
        due(std::slice::from_ref(&r), "k", &h, 7 * D, SHORT),
        vec![(Action::RemoveNoncurrent(id(1)), "nc".to_owned())]
    );
    assert_eq!(
        due(std::slice::from_ref(&r), "k", &h, 8 * D, SHORT).len(),
        2
    );
    // NewerNoncurrentVersions = 5 of 8 noncurrent: the 3 oldest go.
    let keep = Rule {
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: Some(5),
        }),
        ..rule("keep5", "")
    };
    let h: Vec<Entry> = (1..=9).rev().map(|s| object(s, s as i64)).collect();
    let gone: Vec<Action> = due(&[keep], "k", &h, 100 * D, SHORT)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    // Earliest due first: the oldest.
    let want: Vec<Action> = [1, 2, 3].map(|s| Action::RemoveNoncurrent(id(s))).to_vec();
    assert_eq!(gone, want);
}

#[test]
fn an_expired_delete_marker_goes_only_when_nothing_is_left_under_it() {
    let r = Rule {
        expired_object_delete_marker: true,
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: None,
        }),
        ..rule("dm", "")
    };
    // The marker hides a version: first the version goes (noncurrent), not the marker.
    let h = [marker(2, D), object(1, 0)];
    assert_eq!(
        due(std::slice::from_ref(&r), "k", &h, 5 * D, SHORT),
        vec![(Action::RemoveNoncurrent(id(1)), "dm".to_owned())]
    );
    // Alone, the marker goes.
    assert_eq!(
        due(std::slice::from_ref(&r), "k", &[marker(2, D)], 5 * D, SHORT),
        vec![(Action::RemoveExpiredMarker(id(2)), "dm".to_owned())]
    );
    // Without the flag it stays.
    let plain = Rule {
        expired_object_delete_marker: false,
        ..r
    };
    assert!(due(&[plain], "k", &[marker(2, D)], 5 * D, SHORT).is_empty());
}

#[test]
fn filters_disabled_rules_and_uploads() {
    let sized = Rule {
        expiration: Some(Expiration::Days(1)),
        filter: Filter {
            size_greater_than: Some(5),
            size_less_than: Some(20),
            ..Filter::default()
        },
        ..rule("sized", "")
    };
    let none = Tags::none();
    assert!(sized.filter.matches("k", Some(10), &none));
    assert!(
        !sized.filter.matches("k", Some(5), &none) && !sized.filter.matches("k", Some(20), &none)
    );
    assert!(
        !sized.filter.matches("k", None, &none),
        "a size filter never takes markers"
    );
    let off = Rule {
        enabled: false,
        ..sized.clone()
    };
    assert!(due(&[off], "k", &[object(1, 0)], 9 * D, SHORT).is_empty());
    let abort = Rule {
        abort_upload: Some(UploadAbort::Days(2)),
        ..rule("mpu", "logs/")
    };
    let rules = [abort];
    assert!(upload_due(&rules, "logs/x", 0, 2 * D - 1, SHORT).is_none());
    assert_eq!(
        upload_due(&rules, "logs/x", 0, 2 * D, SHORT).map(|r| r.id.as_str()),
        Some("mpu")
    );
    assert!(upload_due(&rules, "other", 0, 9 * D, SHORT).is_none());
}

#[test]
fn real_days_round_up_to_midnight_utc_as_the_header_says() {
    // Written 2014-01-15 10:30 UTC, Days=3: due 2014-01-19 00:00 UTC (AWS's example).
    let written = 1_389_781_800_000;
    let midnight_19th = 1_390_089_600_000;
    assert_eq!(Days::REAL.after(written, 3), midnight_19th);
    assert_eq!(Days::REAL.after(midnight_19th, 0), midnight_19th);
    let rules = [Rule {
        expiration: Some(Expiration::Days(3)),
        ..rule("r", "")
    }];
    let (at, r) = expiration_of(&rules, "k", written, 1, &Tags::none()).unwrap();
    assert_eq!((at, r.id.as_str()), (midnight_19th, "r"));
    // A shortened day is not rounded; a day of a day or more is.
    assert_eq!(Days::of_seconds(10).after(5, 2), 20_005);
    assert!(Days::of_seconds(86_400).midnight);
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    let pairs = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Tags::checked(pairs, &crate::tagging::TagRules::S3_OBJECT).unwrap()
}

fn tagged(seq: u64, at: i64, t: &[(&str, &str)]) -> Entry {
    Entry {
        tags: tags(t),
        ..object(seq, at)
    }
}

fn wanted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    tags(pairs).pairs().to_vec()
}

#[test]
fn a_tag_filter_matches_the_versions_that_carry_all_its_tags() {
    let f = Filter {
        prefixes: vec!["logs/".into()],
        tags: wanted(&[("a", "1"), ("b", "2")]),
        ..Filter::default()
    };
    let both = tags(&[("b", "2"), ("x", "y"), ("a", "1")]);
    assert!(
        f.matches("logs/k", Some(1), &both),
        "order and extra tags do not matter"
    );
    assert!(
        !f.matches("other", Some(1), &both),
        "the prefix still applies"
    );
    assert!(
        !f.matches("logs/k", Some(1), &tags(&[("a", "1")])),
        "all of them"
    );
    assert!(
        !f.matches("logs/k", Some(1), &tags(&[("a", "1"), ("b", "3")])),
        "values too"
    );
    assert!(
        !f.matches("logs/k", None, &Tags::none()),
        "a delete marker has none"
    );
    assert!(!f.matches_key("logs/k"), "an upload is untagged");
    // An exclusion with tags leaves out only what carries them; without, the whole prefix.
    let excluding = Filter {
        not: Some(Exclusion {
            prefix: "keep/".into(),
            tags: wanted(&[("hold", "yes")]),
        }),
        ..Filter::default()
    };
    assert!(excluding.matches("keep/a", Some(1), &Tags::none()));
    assert!(!excluding.matches("keep/a", Some(1), &tags(&[("hold", "yes")])));
    assert!(excluding.matches("other", Some(1), &tags(&[("hold", "yes")])));
    let by_prefix = Filter {
        not: Some(Exclusion {
            prefix: "keep/".into(),
            tags: Vec::new(),
        }),
        ..Filter::default()
    };
    assert!(!by_prefix.matches("keep/a", Some(1), &Tags::none()));
}

#[test]
fn every_version_is_judged_by_its_own_tags() {
    // test_lifecycle_expiration_versioned_tags2 and _noncur_tags1: the current version and
    // each noncurrent one are matched on their own tags.
    let filter = Filter {
        tags: wanted(&[("key1", "val1")]),
        ..Filter::default()
    };
    let expire = Rule {
        expiration: Some(Expiration::Days(1)),
        filter: filter.clone(),
        ..rule("cur", "")
    };
    let history = [tagged(3, 0, &[("key1", "val1")]), object(2, 0)];
    assert_eq!(
        due(std::slice::from_ref(&expire), "k", &history, D, SHORT),
        vec![(Action::Expire, "cur".into())]
    );
    let untagged_current = [object(3, 0), tagged(2, 0, &[("key1", "val1")])];
    assert!(
        due(
            std::slice::from_ref(&expire),
            "k",
            &untagged_current,
            9 * D,
            SHORT
        )
        .is_empty()
    );
    let noncurrent = Rule {
        noncurrent: Some(NoncurrentExpiration {
            days: 2,
            newer_noncurrent_versions: None,
        }),
        filter,
        ..rule("nc", "")
    };
    // Versions 2 (tagged) and 1 (untagged) became noncurrent at 10 and 5: only 2 goes.
    let history = [
        object(3, 10),
        tagged(2, 5, &[("key1", "val1")]),
        object(1, 0),
    ];
    assert_eq!(
        due(
            std::slice::from_ref(&noncurrent),
            "k",
            &history,
            20 * D,
            SHORT
        ),
        vec![(Action::RemoveNoncurrent(id(2)), "nc".into())]
    );
    assert_eq!(
        next_due(std::slice::from_ref(&noncurrent), "k", &history, SHORT),
        Some(10 + 2 * D)
    );
    // The expiration header follows the current object's tags.
    assert!(expiration_of(std::slice::from_ref(&expire), "k", 0, 1, &Tags::none()).is_none());
    let with = tags(&[("key1", "val1")]);
    assert!(expiration_of(std::slice::from_ref(&expire), "k", 0, 1, &with).is_some());
}
