//! Compactions are counted through the `metrics` facade by trigger and outcome, and those done
//! add their duration and the bytes the file shrank by. Recorded by `metrics-util`'s
//! debugging recorder, local to the thread of a current-thread runtime, which the requests
//! and the idle task are polled on.

mod common;
use common::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::collections::BTreeMap;
use strata_core::compact::{COMPACTIONS_METRIC, DURATION_METRIC, RECLAIMED_METRIC, Threshold};
use strata_core::*;

/// What the recorder held, added up over snapshots (a snapshot drains counters and
/// histograms): by (name, labels as `k=v` sorted), a counter's total or a histogram's count
/// of observations.
struct Tally<'a> {
    recorder: &'a DebuggingRecorder,
    totals: std::cell::RefCell<BTreeMap<(String, Vec<String>), u64>>,
}

impl Tally<'_> {
    fn take(&self) -> BTreeMap<(String, Vec<String>), u64> {
        let mut totals = self.totals.borrow_mut();
        for (key, _, _, value) in self.recorder.snapshotter().snapshot().into_vec() {
            let key = key.key();
            if !key.name().starts_with("strata_compaction") {
                continue;
            }
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            let n = match value {
                DebugValue::Counter(n) => n,
                DebugValue::Histogram(values) => values.len() as u64,
                DebugValue::Gauge(_) => continue,
            };
            *totals.entry((key.name().to_owned(), labels)).or_default() += n;
        }
        totals.clone()
    }

    fn compactions(&self, trigger: &str, outcome: &str) -> u64 {
        let labels = vec![format!("outcome={outcome}"), format!("trigger={trigger}")];
        self.take()
            .get(&(COMPACTIONS_METRIC.to_owned(), labels))
            .copied()
            .unwrap_or(0)
    }
}

#[test]
fn compactions_are_counted_by_trigger_and_outcome() {
    let recorder = DebuggingRecorder::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tally = Tally {
        recorder: &recorder,
        totals: Default::default(),
    };
    let shrank = metrics::with_local_recorder(&recorder, || {
        rt.block_on(async {
            // The idle task: a small file is not worth it (under 64 MiB free).
            let s = Store::open(
                dir.path(),
                StoreOptions {
                    compact_idle_after: Some(std::time::Duration::from_millis(20)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            // Waited for at most a minute, a bound for a hung test, not a measure.
            for _ in 0..3000 {
                if tally.compactions("idle", "not_worthwhile") > 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            s.close().await;

            // Asked for: once always (done), once with a threshold no file meets.
            // Bodies inline in the metadata file; all but the last ten deleted again (the
            // last ones hold the file's end, which a commit would otherwise give back).
            let s = Store::open(
                dir.path(),
                StoreOptions {
                    inline_max: 16 * 1024,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            s.create_bucket("bkt", "").await.unwrap();
            let keys: Vec<String> = (0..200).map(|k| format!("key-{k:04}")).collect();
            for (k, key) in keys.iter().enumerate() {
                put(&s, "bkt", key, &data(12 * 1024, k as u8)).await;
            }
            for key in &keys[..190] {
                s.delete_object("bkt", key, None).await.unwrap();
            }
            let CompactOutcome::Compacted(c) = s.compact().await.unwrap() else {
                panic!("an asked-for compaction compacts");
            };
            let never = Threshold {
                min_bytes: u64::MAX,
                min_percent: 100,
            };
            assert!(matches!(
                s.compact_if(never).await.unwrap(),
                CompactOutcome::NotWorthwhile { .. }
            ));
            s.close().await;
            c.before - c.after
        })
    });
    assert!(shrank > 0, "the deletes left pages to give back");
    let key = |name: &str, labels: &[&str]| {
        let labels = labels.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        (name.to_owned(), labels)
    };
    assert_eq!(
        tally.take(),
        BTreeMap::from([
            (key(DURATION_METRIC, &["trigger=admin"]), 1),
            (key(RECLAIMED_METRIC, &[]), shrank),
            (
                key(COMPACTIONS_METRIC, &["outcome=done", "trigger=admin"]),
                1
            ),
            (
                key(
                    COMPACTIONS_METRIC,
                    &["outcome=not_worthwhile", "trigger=admin"]
                ),
                1
            ),
            (
                key(
                    COMPACTIONS_METRIC,
                    &["outcome=not_worthwhile", "trigger=idle"]
                ),
                1
            ),
        ])
    );
}
