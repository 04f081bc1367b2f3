//! `lifecycle::preview` says what the executor does: keys with different histories in each
//! versioning state, previewed once, then the executor run with the clock stepped through
//! the same span; every action it carries out is the preview's, at the same time, in the same
//! order.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{
    Action, Days, Entry, Expiration, Filter, NoncurrentExpiration, Outcome, Rule, What, preview,
};
use strata_core::*;

const DAY: i64 = 1000;
/// The clock steps by this much; every time the rules and the executor's quarter-day waits
/// give is a multiple of it.
const TICK: i64 = 50;
const START: i64 = 1_000_000_000_000;
const SHORT: Days = Days {
    day_ms: DAY,
    midnight: false,
};

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            id: "expire".into(),
            enabled: true,
            filter: Filter::default(),
            expiration: Some(Expiration::Days(1)),
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: None,
            }),
            ..Rule::default()
        },
        Rule {
            id: "markers".into(),
            enabled: true,
            expired_object_delete_marker: true,
            ..Rule::default()
        },
        Rule {
            id: "keep-one".into(),
            enabled: true,
            filter: Filter::prefix("d/"),
            noncurrent: Some(NoncurrentExpiration {
                days: 2,
                newer_noncurrent_versions: Some(1),
            }),
            ..Rule::default()
        },
    ]
}

/// An action as both sides can say it: when, by which rule, what, and the version removed
/// (`None` for an expiration, or a delete marker the preview added and the executor named).
type Seen = (i64, String, &'static str, Option<VersionId>);

fn kind(what: What) -> &'static str {
    match what {
        What::Removed => "removed",
        What::MarkerAdded | What::NullMarkerAdded { .. } => "marker added",
        What::NoncurrentRemoved { marker: false } => "noncurrent removed",
        What::NoncurrentRemoved { marker: true } => "noncurrent marker removed",
        What::ExpiredMarkerRemoved => "expired marker removed",
    }
}

async fn scenario(versioning: Option<VersioningStatus>) {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = Store::open(
        dir.path(),
        StoreOptions {
            inline_max: 64,
            wall_clock: strata_core::clock::WallClock::manual(wall.clone()),
            lifecycle_days: SHORT,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.create_bucket("bkt", "").await.unwrap();
    if let Some(v) = versioning {
        s.set_versioning("bkt", v).await.unwrap();
    }
    let at = |t: i64| wall.store(START + t, Ordering::Release);
    // Histories: one object; three versions; an object deleted; versions under d/ (kept one
    // noncurrent); a key deleted, then written again.
    put(&s, "bkt", "a", b"1").await;
    for t in [0, 100, 300] {
        at(t);
        put(&s, "bkt", "b", b"2").await;
    }
    at(0);
    put(&s, "bkt", "c", b"3").await;
    at(200);
    s.delete_object("bkt", "c", None).await.unwrap();
    for t in [0, 50, 150, 350] {
        at(t);
        put(&s, "bkt", "d/x", b"4").await;
    }
    at(0);
    put(&s, "bkt", "e", b"5").await;
    at(100);
    s.delete_object("bkt", "e", None).await.unwrap();
    at(250);
    put(&s, "bkt", "e", b"6").await;

    // The preview, from a time after all the writes.
    let now = START + 400;
    let end = START + 10 * DAY;
    at(400);
    let state = s.bucket("bkt").unwrap().versioning;
    let listing = s.list_versions("bkt", &all_versions()).unwrap();
    let mut histories: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for v in listing.entries {
        histories.entry(v.key).or_default().push(Entry {
            id: v.version_id,
            last_modified_ms: v.last_modified_ms,
            size: v.object.map(|(size, _)| size),
            tags: Default::default(),
        });
    }
    let mut expected: BTreeMap<String, Vec<Seen>> = BTreeMap::new();
    for (key, history) in &histories {
        let steps = preview(&rules(), key, history, state, SHORT, now, end);
        let seen = steps
            .into_iter()
            .map(|st| {
                let version = match st.what {
                    What::Removed | What::MarkerAdded | What::NullMarkerAdded { .. } => None,
                    _ => st.version,
                };
                (st.when_ms.max(now), st.rule, kind(st.what), version)
            })
            .collect();
        expected.insert(key.clone(), seen);
    }

    // The executor, from the same time, with the clock stepped by TICK.
    s.put_lifecycle("bkt", rules()).await.unwrap();
    let mut done: BTreeMap<String, Vec<Seen>> =
        histories.keys().map(|k| (k.clone(), Vec::new())).collect();
    // Markers the executor added: the preview names them `None`.
    let mut added: Vec<VersionId> = Vec::new();
    let mut t = now;
    while t <= end {
        wall.store(t, Ordering::Release);
        let stats = s.run_lifecycle().await.unwrap();
        for o in stats.outcomes {
            let Outcome::Done {
                key,
                action,
                rule,
                outcome,
                ..
            } = o
            else {
                panic!("nothing is protected here: {o:?}");
            };
            let (what, version) = match (action, outcome) {
                (Action::Expire, DeleteOutcome::Removed { existed: true }) => ("removed", None),
                (Action::Expire, DeleteOutcome::MarkerCreated(id)) => {
                    if !id.is_null() {
                        added.push(id);
                    }
                    ("marker added", None)
                }
                (
                    Action::RemoveNoncurrent(_),
                    DeleteOutcome::VersionRemoved {
                        version_id,
                        was_marker,
                        existed: true,
                    },
                ) => {
                    let what = if was_marker {
                        "noncurrent marker removed"
                    } else {
                        "noncurrent removed"
                    };
                    (what, Some(version_id))
                }
                (
                    Action::RemoveExpiredMarker(_),
                    DeleteOutcome::VersionRemoved {
                        version_id,
                        existed: true,
                        ..
                    },
                ) => {
                    let named = (!added.contains(&version_id)).then_some(version_id);
                    ("expired marker removed", named)
                }
                other => panic!("unexpected: {other:?}"),
            };
            done.get_mut(&key).unwrap().push((t, rule, what, version));
        }
        t += TICK;
    }
    let label = format!("{versioning:?}");
    assert_eq!(done, expected, "{label}");
    // Something happened to every key in every state, so the comparison says something.
    assert!(
        expected.values().all(|v| !v.is_empty()),
        "{label}: {expected:?}"
    );
}

#[tokio::test]
async fn the_preview_is_what_the_executor_does_unversioned() {
    scenario(None).await;
}

#[tokio::test]
async fn the_preview_is_what_the_executor_does_enabled() {
    scenario(Some(VersioningStatus::Enabled)).await;
}

#[tokio::test]
async fn the_preview_is_what_the_executor_does_suspended() {
    scenario(Some(VersioningStatus::Suspended)).await;
}
