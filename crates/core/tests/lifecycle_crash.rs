//! A lifecycle run killed anywhere resumes without doing an action twice or losing one: a
//! child process runs the executor over a versioned bucket whose every object is due (a
//! lifecycle day of one second); the parent SIGKILLs it at a random moment, again and again,
//! until a run finishes. Then every key has exactly one delete marker over its one version
//! (an expiration done twice would stack two), nothing is due any more, and the store is
//! consistent.

mod common;
use common::crash::Child;
use common::say;
use std::time::Duration;
use strata_core::lifecycle::{Days, Expiration, Rule};
use strata_core::*;

const BUCKET: &str = "expiring";
const KEYS: usize = 4000;
const CHILD: Child = Child {
    test: "lifecycle_crash_child",
    env: "STRATA_LIFECYCLE_CRASH_CHILD_DIR",
};

fn options() -> StoreOptions {
    StoreOptions {
        lifecycle_days: Days::of_seconds(1),
        ..StoreOptions::default()
    }
}

/// The child's side: runs the executor until nothing is due, then says so. A normal test run
/// (without the variable) does nothing.
#[test]
fn lifecycle_crash_child() {
    let Ok(dir) = std::env::var(CHILD.env) else {
        return;
    };
    Child::runtime().block_on(async move {
        let s = Store::open(std::path::Path::new(&dir), options())
            .await
            .unwrap();
        say("READY");
        loop {
            let stats = s.run_lifecycle().await.unwrap();
            say(&format!("RUN {}", stats.actions()));
            if stats.checked == 0 {
                say("DONE");
                return;
            }
        }
    });
}

#[test]
fn a_killed_run_resumes_without_doing_an_action_twice() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Child::runtime();
    rt.block_on(async {
        let s = Store::open(dir.path(), options()).await.unwrap();
        s.create_bucket(BUCKET, "").await.unwrap();
        s.set_versioning(BUCKET, VersioningStatus::Enabled)
            .await
            .unwrap();
        let rule = Rule {
            id: "all".into(),
            enabled: true,
            expiration: Some(Expiration::Days(1)),
            ..Rule::default()
        };
        s.put_lifecycle(BUCKET, vec![rule]).await.unwrap();
        let puts: Vec<_> = (0..KEYS)
            .map(|i| {
                let s = s.clone();
                async move { common::put(&s, BUCKET, &format!("k{i:05}"), b"x").await }
            })
            .collect();
        futures_util::future::join_all(puts).await;
        s.close().await;
    });
    // Every object is due a lifecycle day (1 s) after it was written.
    std::thread::sleep(Duration::from_millis(1100));
    let mut done = false;
    let mut cycles = 0;
    while !done {
        cycles += 1;
        assert!(cycles <= 200, "the runs never finished");
        // Kill at a random moment of the run (later and later, so a run does finish).
        let wait = rand::random_range(10..60 + 20 * cycles);
        let lines = CHILD.run_and_kill(dir.path(), Duration::from_millis(wait));
        done = lines.iter().any(|l| l.ends_with("DONE"));
    }
    rt.block_on(async {
        let s = Store::open(dir.path(), options()).await.unwrap();
        let mut per_key = std::collections::BTreeMap::<String, Vec<bool>>::new();
        for e in common::every_version(&s, BUCKET) {
            per_key.entry(e.key).or_default().push(e.object.is_none());
        }
        assert_eq!(per_key.len(), KEYS);
        for (key, entries) in &per_key {
            assert_eq!(
                entries,
                &[true, false],
                "{key}: a marker over its one version"
            );
        }
        let stats = s.run_lifecycle().await.unwrap();
        assert_eq!((stats.checked, stats.actions()), (0, 0));
        let report = s.fsck().unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        eprintln!("{KEYS} keys expired exactly once over {cycles} SIGKILL cycles");
    });
}
