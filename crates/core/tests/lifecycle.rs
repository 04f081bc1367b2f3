//! Lifecycle carried out by the executor over stored configurations, with a manual clock and a
//! day of one second: by versioning state (AWS's User Guide table "Lifecycle actions and
//! bucket versioning state"), run twice to show nothing is done twice, skipped where retention
//! protects, and with the due index's cost: a run looks at what is due, not at the bucket.

mod common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{
    Action, Days, Expiration, Filter, NoncurrentExpiration, Outcome, Rule, RunStats, UploadAbort,
};
use strata_core::*;

const DAY: i64 = 1000;
const START: i64 = 1_000_000_000_000;
const SHORT: Days = Days {
    day_ms: DAY,
    midnight: false,
};

fn expire_rule(id: &str, prefix: &str, days: u32) -> Rule {
    Rule {
        id: id.into(),
        enabled: true,
        filter: Filter::prefix(prefix),
        expiration: Some(Expiration::Days(days)),
        ..Rule::default()
    }
}

/// Expire after a day and remove noncurrent versions a day after; remove lone markers.
fn rules() -> Vec<Rule> {
    vec![
        Rule {
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: None,
            }),
            ..expire_rule("r", "", 1)
        },
        Rule {
            id: "m".into(),
            enabled: true,
            expired_object_delete_marker: true,
            ..Rule::default()
        },
    ]
}

/// What a run did, as (bucket, what, rule), in order.
fn done(stats: &RunStats) -> Vec<(String, &'static str, String)> {
    stats
        .outcomes
        .iter()
        .map(|o| match o {
            Outcome::Done {
                bucket,
                outcome,
                rule,
                ..
            } => {
                let what = match outcome {
                    DeleteOutcome::Removed { existed: true } => "removed",
                    DeleteOutcome::Removed { existed: false } => "nothing",
                    DeleteOutcome::MarkerCreated(id) if id.is_null() => "null marker",
                    DeleteOutcome::MarkerCreated(_) => "marker",
                    DeleteOutcome::VersionRemoved {
                        was_marker: true, ..
                    } => "marker removed",
                    DeleteOutcome::VersionRemoved { .. } => "version removed",
                };
                (bucket.clone(), what, rule.clone())
            }
            Outcome::Protected { bucket, .. } => (bucket.clone(), "protected", String::new()),
            Outcome::Aborted { bucket, rule, .. } => (bucket.clone(), "aborted", rule.clone()),
        })
        .collect()
}

fn row(bucket: &str, what: &'static str, rule: &str) -> (String, &'static str, String) {
    (bucket.into(), what, rule.into())
}

async fn run(s: &Store) -> RunStats {
    s.run_lifecycle().await.unwrap()
}

fn entries(s: &Store, bucket: &str) -> usize {
    s.list_versions(bucket, &all_versions())
        .unwrap()
        .entries
        .len()
}

#[tokio::test]
async fn expiration_follows_the_versioning_state_and_is_never_done_twice() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    for b in ["plain", "enabled", "suspended"] {
        s.create_bucket(b, "").await.unwrap();
        s.put_lifecycle(b, rules()).await.unwrap();
    }
    s.set_versioning("enabled", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.set_versioning("suspended", VersioningStatus::Suspended)
        .await
        .unwrap();
    for b in ["plain", "enabled", "suspended"] {
        put(&s, b, "k", b"old").await;
    }
    // Not yet due.
    wall.store(START + DAY - 1, Ordering::Release);
    assert!(run(&s).await.outcomes.is_empty());
    // Unversioned: removed for good. Enabled: a delete marker on top. Suspended: a null
    // delete marker, which replaces the null version.
    wall.store(START + DAY, Ordering::Release);
    assert_eq!(
        done(&run(&s).await),
        [
            row("enabled", "marker", "r"),
            row("plain", "removed", "r"),
            row("suspended", "null marker", "r"),
        ]
    );
    // Run again at the same time: nothing is due any more (the suspended bucket's marker,
    // now alone, waits for a later run: one action per entry per run).
    assert!(run(&s).await.outcomes.is_empty());
    assert_eq!(entries(&s, "suspended"), 1);
    wall.store(START + DAY + DAY / 4, Ordering::Release);
    assert_eq!(
        done(&run(&s).await),
        [row("suspended", "marker removed", "m")]
    );
    // A day after the marker, the version it made noncurrent goes; a run later, the marker,
    // alone.
    wall.store(START + 2 * DAY, Ordering::Release);
    assert_eq!(
        done(&run(&s).await),
        [row("enabled", "version removed", "r")]
    );
    wall.store(START + 2 * DAY + DAY / 4, Ordering::Release);
    assert_eq!(
        done(&run(&s).await),
        [row("enabled", "marker removed", "m")]
    );
    for b in ["plain", "enabled", "suspended"] {
        assert_eq!(entries(&s, b), 0, "{b}");
    }
    assert!(run(&s).await.outcomes.is_empty());
}

#[tokio::test]
async fn what_retention_protects_is_skipped_until_its_protection_ends() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("worm", "").await.unwrap();
    s.put_lifecycle("worm", vec![expire_rule("e", "", 1)])
        .await
        .unwrap();
    put(&s, "worm", "k", b"kept").await;
    s.initiate_worm("worm", 1).await.unwrap();
    // Due by the lifecycle rule (a day of 1 s), protected by the WORM rule (a real day).
    wall.store(START + 5 * DAY, Ordering::Release);
    assert_eq!(done(&run(&s).await), [row("worm", "protected", "")]);
    assert_eq!(get(&s, "worm", "k", None).await.unwrap(), b"kept");
    // Filed again for when the protection ends, not before.
    wall.store(START + 10 * DAY, Ordering::Release);
    assert_eq!(run(&s).await.checked, 0);
    wall.store(START + 86_400_000, Ordering::Release);
    assert_eq!(done(&run(&s).await), [row("worm", "removed", "e")]);
}

#[tokio::test]
async fn a_run_looks_at_what_is_due_not_at_the_bucket() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("bkt", "").await.unwrap();
    for i in 0..300 {
        put(&s, "bkt", &format!("keep/{i:03}"), b"x").await;
    }
    for i in 0..7 {
        put(&s, "bkt", &format!("due/{i}"), b"x").await;
    }
    // Put after the objects: the first run files the bucket's keys (a rebuild) and
    // nothing is due yet; only keys a rule will touch take a place in the index.
    s.put_lifecycle("bkt", vec![expire_rule("e", "due/", 2)])
        .await
        .unwrap();
    let first = run(&s).await;
    assert_eq!((first.filed, first.checked), (307, 0));
    // Written after the configuration: filed by the write itself.
    wall.store(START + DAY, Ordering::Release);
    put(&s, "bkt", "due/late", b"x").await;
    put(&s, "bkt", "keep/late", b"x").await;
    wall.store(START + 2 * DAY, Ordering::Release);
    let second = run(&s).await;
    assert_eq!((second.filed, second.checked, second.actions()), (0, 7, 7));
    wall.store(START + 3 * DAY, Ordering::Release);
    let third = run(&s).await;
    assert_eq!((third.checked, third.actions()), (1, 1));
    assert_eq!(entries(&s, "bkt"), 301);
    assert_eq!(run(&s).await.checked, 0);
}

/// Each write of a run carries at most 32 actions (a key's due actions go together), so the
/// client writes sharing its group commit never wait for a large one.
#[tokio::test]
async fn a_run_writes_at_most_32_actions_at_a_time_but_a_key_whole() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("deep", "").await.unwrap();
    s.set_versioning("deep", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.create_bucket("wide", "").await.unwrap();
    let noncurrent = Rule {
        id: "n".into(),
        enabled: true,
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: None,
        }),
        ..Rule::default()
    };
    s.put_lifecycle("deep", vec![noncurrent]).await.unwrap();
    s.put_lifecycle("wide", vec![expire_rule("e", "", 1)])
        .await
        .unwrap();
    // The (empty) rebuilds, so that the run below makes only the writes of its actions.
    run(&s).await;
    for _ in 0..41 {
        put(&s, "deep", "k", b"x").await;
    }
    for i in 0..100 {
        put(&s, "wide", &format!("k{i:03}"), b"x").await;
    }
    wall.store(START + DAY, Ordering::Release);
    let stats = run(&s).await;
    // "deep"'s one key first (40 noncurrent versions in one write), then "wide"'s 100 keys
    // in writes of 32, 32, 32 and 4.
    assert_eq!(
        (stats.actions(), stats.checked, stats.writes),
        (140, 101, 5)
    );
    assert_eq!((entries(&s, "deep"), entries(&s, "wide")), (1, 0));
}

#[tokio::test]
async fn noncurrent_versions_go_keeping_the_newest_and_uploads_are_aborted() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("ver", "").await.unwrap();
    s.set_versioning("ver", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.put_lifecycle(
        "ver",
        vec![Rule {
            id: "nc".into(),
            enabled: true,
            noncurrent: Some(NoncurrentExpiration {
                days: 2,
                newer_noncurrent_versions: Some(2),
            }),
            abort_upload: Some(UploadAbort::Days(1)),
            ..Rule::default()
        }],
    )
    .await
    .unwrap();
    for i in 0..6 {
        wall.store(START + i, Ordering::Release);
        put(&s, "ver", "k", format!("v{i}").as_bytes()).await;
    }
    let upload = s
        .create_multipart_upload("ver", "big", ObjectMeta::default())
        .await
        .unwrap();
    wall.store(START + DAY + 10, Ordering::Release);
    let aborted = run(&s).await;
    assert_eq!(done(&aborted), [row("ver", "aborted", "nc")]);
    assert!(
        s.list_multipart_uploads("ver", &all_uploads())
            .unwrap()
            .uploads
            .is_empty(),
        "{upload}"
    );
    wall.store(START + 2 * DAY + 10, Ordering::Release);
    let removed = run(&s).await;
    // Current + the 2 newest noncurrent are kept; the 3 oldest go.
    assert_eq!(removed.actions(), 3);
    assert!(removed.outcomes.iter().all(|o| matches!(
        o,
        Outcome::Done {
            action: Action::RemoveNoncurrent(_),
            ..
        }
    )));
    assert_eq!(entries(&s, "ver"), 3);
    assert_eq!(get(&s, "ver", "k", None).await.unwrap(), b"v5");
}

#[tokio::test]
async fn a_deleted_configuration_does_nothing_and_its_entries_drain() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("bkt", "").await.unwrap();
    s.put_lifecycle("bkt", vec![expire_rule("e", "", 1)])
        .await
        .unwrap();
    put(&s, "bkt", "k", b"x").await;
    s.delete_lifecycle("bkt").await.unwrap();
    assert!(matches!(
        s.lifecycle("bkt"),
        Err(CoreError::Lifecycle(
            strata_core::lifecycle::LifecycleError::NoConfiguration
        ))
    ));
    wall.store(START + 5 * DAY, Ordering::Release);
    let stats = run(&s).await;
    assert_eq!((stats.checked, stats.actions()), (1, 0));
    assert_eq!(run(&s).await.checked, 0);
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"x");
    // A bucket deleted and made again starts with no configuration.
    s.put_lifecycle("bkt", vec![expire_rule("e", "", 1)])
        .await
        .unwrap();
    s.delete_object("bkt", "k", None).await.unwrap();
    s.delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    s.create_bucket("bkt", "").await.unwrap();
    assert!(s.lifecycle("bkt").is_err());
}

#[tokio::test]
async fn a_store_opened_with_another_day_files_its_buckets_again() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_days(dir.path(), &wall, SHORT).await;
    s.create_bucket("bkt", "").await.unwrap();
    s.put_lifecycle("bkt", vec![expire_rule("e", "", 1)])
        .await
        .unwrap();
    put(&s, "bkt", "k", b"x").await;
    s.close().await;
    // With real days, the object is not due a short day later.
    let s = open_with_days(dir.path(), &wall, Days::REAL).await;
    wall.store(START + 2 * DAY, Ordering::Release);
    let stats = run(&s).await;
    assert_eq!((stats.filed, stats.actions()), (1, 0));
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"x");
    // Real days round up to midnight UTC: due at the second midnight after it was written.
    let midnight = (START / 86_400_000 + 2) * 86_400_000;
    wall.store(midnight - 1, Ordering::Release);
    assert_eq!(run(&s).await.actions(), 0);
    wall.store(midnight, Ordering::Release);
    assert_eq!(run(&s).await.actions(), 1);
}
