//! Retention behaviour by behaviour (the property test `retention_model.rs` covers sequences):
//! the clock kept across a restart with the wall clock set backwards, a multi-delete refused
//! whole, bucket deletion, default retention in years, and the lock a copy gets.

mod common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::retention::{
    DefaultRetention, LockChange, LockConfig, LockMode, ObjectLock, Period, Protection, Retention,
    RetentionError,
};
use strata_core::*;

const DAY: i64 = 86_400_000;
const START: i64 = 20_000 * DAY;

fn protected<T: std::fmt::Debug>(r: Result<T>) -> Protection {
    match r {
        Err(CoreError::Retention(RetentionError::Protected(p))) => p,
        other => panic!("expected a protected refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wall_clock_set_back_across_a_restart_frees_nothing_early() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket("bkt", "").await.unwrap();
    s.initiate_worm("bkt", 2).await.unwrap();
    s.complete_worm("bkt", None).await.unwrap();
    // Written on day 0 (of the test): protected until day 2.
    put(&s, "bkt", "k", b"kept").await;
    wall.store(START + DAY, Ordering::Release);
    put(&s, "bkt", "later", b"x").await;
    s.close().await;

    // The machine restarts with its clock a year behind.
    wall.store(START - 365 * DAY, Ordering::Release);
    let s = open_with_clock(dir.path(), &wall).await;
    assert_eq!(s.now_ms(), START + DAY, "the latest time seen is kept");
    assert_eq!(
        protected(s.delete_object("bkt", "k", None).await),
        Protection::Worm {
            until_ms: START + 2 * DAY
        }
    );
    // A new version is stamped no earlier than the latest time seen, so its protection
    // runs from then, not from the wrong clock.
    put(&s, "bkt", "new", b"y").await;
    let listing = s.list_versions("bkt", &all_versions()).unwrap();
    let new = listing.entries.iter().find(|e| e.key == "new").unwrap();
    assert_eq!(new.last_modified_ms, START + DAY);
    // Once the real date has come, the first object may go.
    wall.store(START + 2 * DAY, Ordering::Release);
    s.delete_object("bkt", "k", None).await.unwrap();
    protected(s.delete_object("bkt", "new", None).await);
}

#[tokio::test]
async fn a_multi_delete_that_refuses_whole_deletes_nothing() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket("bkt", "").await.unwrap();
    put(&s, "bkt", "old", b"1").await;
    wall.store(START + 3 * DAY, Ordering::Release);
    s.initiate_worm("bkt", 2).await.unwrap();
    put(&s, "bkt", "new", b"2").await;
    let entries = |keys: &[&str]| {
        keys.iter()
            .map(|k| {
                let e = DeleteEntry {
                    key: (*k).to_owned(),
                    version_id: None,
                };
                (e, Precondition::default())
            })
            .collect::<Vec<_>>()
    };
    let whole = BatchRules {
        bypass_governance: false,
        refuse_whole: true,
    };
    let refused = s
        .delete_objects_if("bkt", entries(&["old", "new"]), whole)
        .await;
    protected(refused);
    assert_eq!(get(&s, "bkt", "old", None).await.unwrap(), b"1");
    // One by one: the old object (past its 2 days) goes, the new one is reported.
    let results = s
        .delete_objects_if("bkt", entries(&["old", "new"]), BatchRules::default())
        .await
        .unwrap();
    assert!(results[0].1.is_ok());
    assert!(matches!(results[1].1, Err(EntryError::Protected(_))));
    assert!(get(&s, "bkt", "old", None).await.is_err());
    assert_eq!(get(&s, "bkt", "new", None).await.unwrap(), b"2");
}

#[tokio::test]
async fn a_bucket_holding_a_protected_version_is_not_deleted() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket_with("bkt", "", Default::default(), true)
        .await
        .unwrap();
    assert_eq!(s.bucket("bkt").unwrap().versioning, Versioning::Enabled);
    let held = NewObject {
        lock: ObjectLock {
            retention: None,
            legal_hold: true,
        },
        ..Default::default()
    };
    let out = s
        .put_object_if(
            "bkt",
            "k",
            held,
            Expect::default(),
            Precondition::default(),
            body(b"x"),
        )
        .await
        .unwrap();
    // A delete without a version only stacks a marker; the marker itself may go.
    let DeleteOutcome::MarkerCreated(marker) = s.delete_object("bkt", "k", None).await.unwrap()
    else {
        panic!("no marker")
    };
    s.delete_object("bkt", "k", Some(marker)).await.unwrap();
    for mode in [
        DeleteBucketMode::RefuseUploads,
        DeleteBucketMode::AbortUploads,
    ] {
        assert!(matches!(
            s.delete_bucket("bkt", mode).await,
            Err(CoreError::BucketNotEmpty)
        ));
    }
    protected(s.delete_object("bkt", "k", Some(out.version_id)).await);
    s.set_object_lock("bkt", "k", None, LockChange::LegalHold(false))
        .await
        .unwrap();
    s.delete_object("bkt", "k", Some(out.version_id))
        .await
        .unwrap();
    s.delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
}

#[tokio::test]
async fn default_retention_in_years_and_a_copy_takes_its_own_lock() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket_with("bkt", "", Default::default(), true)
        .await
        .unwrap();
    let config = LockConfig {
        default: Some(DefaultRetention {
            mode: LockMode::Compliance,
            period: Period::Years(1),
        }),
    };
    s.put_object_lock_configuration("bkt", config)
        .await
        .unwrap();
    assert_eq!(s.object_lock_configuration("bkt").unwrap(), config);
    put(&s, "bkt", "src", b"data").await;
    let view = s.object_lock("bkt", "src", None).unwrap();
    let year = Retention {
        mode: LockMode::Compliance,
        until_ms: START + 365 * DAY,
    };
    assert_eq!(view.lock.retention, Some(year));
    // A copy gets the lock it asks for (here a legal hold) plus the default, never the
    // source's.
    wall.store(START + DAY, Ordering::Release);
    let hold = ObjectLock {
        retention: None,
        legal_hold: true,
    };
    s.copy_object(
        "bkt",
        "src",
        None,
        Precondition::default(),
        "bkt",
        "dst",
        MetadataDirective::Copy,
        Default::default(),
        hold,
        None,
    )
    .await
    .unwrap();
    let copy = s.object_lock("bkt", "dst", None).unwrap().lock;
    assert!(copy.legal_hold);
    assert_eq!(copy.retention.unwrap().until_ms, START + DAY + 365 * DAY);
    // Object Lock cannot be configured on a bucket whose versioning is not Enabled.
    s.create_bucket("plain", "").await.unwrap();
    assert!(matches!(
        s.put_object_lock_configuration("plain", config).await,
        Err(CoreError::Retention(RetentionError::InvalidBucketState(_)))
    ));
    assert!(matches!(
        s.object_lock("plain", "x", None),
        Err(CoreError::Retention(RetentionError::NotEnabled))
    ));
    assert!(matches!(
        s.put_object_lock_configuration(
            "bkt",
            LockConfig {
                default: Some(DefaultRetention {
                    mode: LockMode::Governance,
                    period: Period::Days(0),
                }),
            },
        )
        .await,
        Err(CoreError::Retention(RetentionError::InvalidPeriod { .. }))
    ));
}
