//! Lifecycle's actions carried out on one key, by versioning state (AWS's User Guide table
//! "Lifecycle actions and bucket versioning state"), run twice to show nothing is done twice,
//! and skipped where retention protects.

mod common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{Action, Days, Expiration, Filter, NoncurrentExpiration, Rule};
use strata_core::*;

const DAY: i64 = 1000;
const START: i64 = 1_000_000_000_000;
const SHORT: Days = Days {
    day_ms: DAY,
    midnight: false,
};

fn rules() -> Vec<Rule> {
    vec![Rule {
        id: "r".into(),
        enabled: true,
        filter: Filter::default(),
        expiration: Some(Expiration::Days(1)),
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: None,
        }),
        ..Rule::default()
    }]
}

fn markers_rule() -> Vec<Rule> {
    vec![Rule {
        id: "m".into(),
        enabled: true,
        expired_object_delete_marker: true,
        ..Rule::default()
    }]
}

fn kinds(done: &[(Action, String, DeleteOutcome)]) -> Vec<&'static str> {
    done.iter()
        .map(|(_, _, o)| match o {
            DeleteOutcome::Removed { existed: true } => "removed",
            DeleteOutcome::Removed { existed: false } => "nothing",
            DeleteOutcome::MarkerCreated(id) if id.is_null() => "null marker",
            DeleteOutcome::MarkerCreated(_) => "marker",
            DeleteOutcome::VersionRemoved {
                was_marker: true, ..
            } => "marker removed",
            DeleteOutcome::VersionRemoved { .. } => "version removed",
        })
        .collect()
}

#[tokio::test]
async fn expiration_follows_the_versioning_state_and_is_never_done_twice() {
    let dir = tempfile::tempdir().unwrap();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    for b in ["plain", "enabled", "suspended"] {
        s.create_bucket(b, "").await.unwrap();
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
    assert!(
        s.apply_lifecycle("plain", "k", rules(), SHORT)
            .await
            .unwrap()
            .is_empty()
    );
    wall.store(START + DAY, Ordering::Release);
    let run = |b: &'static str, r: Vec<Rule>| {
        let s = s.clone();
        async move { kinds(&s.apply_lifecycle(b, "k", r, SHORT).await.unwrap()) }
    };
    // Unversioned: removed for good. Enabled: a delete marker on top. Suspended: a null
    // delete marker, which replaces the null version.
    assert_eq!(run("plain", rules()).await, ["removed"]);
    assert_eq!(run("enabled", rules()).await, ["marker"]);
    assert_eq!(run("suspended", rules()).await, ["null marker"]);
    // Run again at the same time: nothing is due any more.
    for b in ["plain", "enabled", "suspended"] {
        assert!(run(b, rules()).await.is_empty(), "{b}");
    }
    assert_eq!(
        s.list_versions("suspended", &all_versions())
            .unwrap()
            .entries
            .len(),
        1
    );
    // A day after the marker, the version it made noncurrent goes; then the marker, alone.
    wall.store(START + 2 * DAY, Ordering::Release);
    assert_eq!(run("enabled", rules()).await, ["version removed"]);
    assert_eq!(run("enabled", markers_rule()).await, ["marker removed"]);
    assert_eq!(run("suspended", markers_rule()).await, ["marker removed"]);
    for b in ["plain", "enabled", "suspended"] {
        assert!(
            s.list_versions(b, &all_versions())
                .unwrap()
                .entries
                .is_empty(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn what_retention_protects_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket("worm", "").await.unwrap();
    put(&s, "worm", "k", b"kept").await;
    s.initiate_worm("worm", 1).await.unwrap();
    // Due by the lifecycle rule (a day of 1 s), protected by the WORM rule (a real day).
    wall.store(START + 5 * DAY, Ordering::Release);
    assert!(
        s.apply_lifecycle("worm", "k", rules(), SHORT)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(get(&s, "worm", "k", None).await.unwrap(), b"kept");
    // Once the protection has ended, it goes.
    wall.store(START + 86_400_000, Ordering::Release);
    let done = s
        .apply_lifecycle("worm", "k", rules(), SHORT)
        .await
        .unwrap();
    assert_eq!(kinds(&done), ["removed"]);
}
