//! The lifecycle executor counts the actions it carries out, by kind, through the `metrics`
//! facade (what `/metrics` shows as `strata_lifecycle_actions_total{action}`), and the ones
//! retention refused. Recorded here by `metrics-util`'s debugging recorder, local to the
//! thread of a current-thread runtime, which the executor's run is polled on.

mod common;
use common::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{
    ACTIONS_METRIC, Days, Expiration, Filter, NoncurrentExpiration, PROTECTED_METRIC, Rule,
};
use strata_core::*;

const DAY: i64 = 1000;
const START: i64 = 1_700_000_000_000;

/// The counters recorded: (name, `action` label or "", value).
fn counters(recorder: &DebuggingRecorder) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .filter_map(|(key, _, _, value)| {
            let DebugValue::Counter(n) = value else {
                return None;
            };
            let key = key.key();
            let action = key
                .labels()
                .find(|l| l.key() == "action")
                .map_or(String::new(), |l| l.value().to_owned());
            Some((key.name().to_owned(), action, n))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn lifecycle_actions_are_counted_by_kind() {
    let recorder = DebuggingRecorder::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let wall = Arc::new(AtomicI64::new(START));
            let days = Days {
                day_ms: DAY,
                midnight: false,
            };
            let s = open_with_days(dir.path(), &wall, days).await;
            s.create_bucket("bkt", "").await.unwrap();
            s.set_versioning("bkt", VersioningStatus::Enabled)
                .await
                .unwrap();
            let rule = Rule {
                id: "r".into(),
                enabled: true,
                filter: Filter::prefix("a"),
                expiration: Some(Expiration::Days(1)),
                noncurrent: Some(NoncurrentExpiration {
                    days: 1,
                    newer_noncurrent_versions: None,
                }),
                ..Rule::default()
            };
            s.put_lifecycle("bkt", vec![rule]).await.unwrap();
            // a1 has a noncurrent version; a2 and a1 expire (two delete markers); b is kept.
            put(&s, "bkt", "a1", b"old").await;
            put(&s, "bkt", "a1", b"new").await;
            put(&s, "bkt", "a2", b"x").await;
            put(&s, "bkt", "b", b"y").await;
            wall.fetch_add(3 * DAY, Ordering::AcqRel);
            s.run_lifecycle().await.unwrap();
            s.close().await;
        });
    });
    assert_eq!(
        counters(&recorder),
        vec![
            (ACTIONS_METRIC.to_owned(), "expire".to_owned(), 2),
            (ACTIONS_METRIC.to_owned(), "remove_noncurrent".to_owned(), 1),
        ],
        "and nothing protected: {PROTECTED_METRIC} absent"
    );
}
