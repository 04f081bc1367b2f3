//! Compaction is crash safe, proven: a child process fills the metadata file with inline
//! bodies and deletes most of them, then writes and deletes (again most of what it puts)
//! with several workers while another task
//! compacts the metadata file over and over, printing each operation's intent and
//! acknowledgement. The parent SIGKILLs it at a random moment shortly after a compaction
//! began, reopens the store, and checks that every acknowledged put and delete is there, and
//! that the store is consistent. Many cycles over the same data directory.
//!
//! `STRATA_COMPACT_CRASH_CYCLES` sets the number of cycles (default 20).

mod common;
use common::crash::Child;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use strata_core::*;

const BUCKET: &str = "compact";
const CHILD: Child = Child {
    test: "compact_crash_child",
    env: "STRATA_COMPACT_CRASH_CHILD_DIR",
};

/// The child's side: runs until killed. A normal test run (without the variable) does nothing.
#[test]
fn compact_crash_child() {
    let Ok(dir) = std::env::var(CHILD.env) else {
        return;
    };
    Child::runtime().block_on(async move {
        // Bodies up to 16 KiB live in the metadata file.
        let s = Store::open(std::path::Path::new(&dir), StoreOptions::default())
            .await
            .unwrap();
        if s.bucket(BUCKET).is_err() {
            s.create_bucket(BUCKET, "").await.unwrap();
        }
        say("READY");
        fill(&s).await;
        let mut tasks = Vec::new();
        for w in 0..3u8 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move { worker(w, s).await }));
        }
        let s2 = s.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                say("I COMPACT");
                let CompactOutcome::Compacted(c) = s2.compact().await.unwrap() else {
                    panic!("compaction did not run")
                };
                say(&format!("A COMPACT {} {}", c.before, c.after));
                tokio::time::sleep(Duration::from_millis(rand::random_range(0..30))).await;
            }
        }));
        for t in tasks {
            t.await.unwrap();
        }
    });
}

/// Puts 400 bodies of 12 KiB (5 MB of the metadata file) and deletes 95 % of them in
/// multi-deletes: most of the file becomes free pages that compaction moves data over.
async fn fill(s: &Store) {
    let mut puts = Vec::new();
    for n in 0..400u32 {
        let s = s.clone();
        puts.push(tokio::spawn(async move {
            let key = format!("f{:016x}", rand::random::<u64>());
            let out = put(&s, BUCKET, &key, &data(12 * 1024, n as u8)).await;
            say(&format!("A PUT {key} {} {}", out.size, out.crc64));
            key
        }));
    }
    let mut doomed = Vec::new();
    for (n, p) in puts.into_iter().enumerate() {
        let key = p.await.unwrap();
        if n % 20 != 0 {
            say(&format!("I DEL {key}"));
            doomed.push(DeleteEntry {
                key,
                version_id: None,
            });
        }
    }
    for (entry, out) in s.delete_objects(BUCKET, doomed).await.unwrap() {
        assert!(matches!(out, Ok(DeleteOutcome::Removed { .. })), "{out:?}");
        say(&format!("A DEL {}", entry.key));
    }
}

async fn worker(w: u8, s: Store) {
    for n in 0u64.. {
        let key = format!("k{:016x}", rand::random::<u64>());
        let body = data(
            rand::random_range(4000..16_000),
            w.wrapping_mul(31) ^ n as u8,
        );
        let out = put(&s, BUCKET, &key, &body).await;
        say(&format!("A PUT {key} {} {}", out.size, out.crc64));
        // Most of it goes again: the file is mostly free space for the compactions.
        if rand::random_range(0..20u32) != 0 {
            say(&format!("I DEL {key}"));
            s.delete_object(BUCKET, &key, None).await.unwrap();
            say(&format!("A DEL {key}"));
        }
    }
}

#[derive(Default)]
struct Ledger {
    present: BTreeMap<String, (u64, u64)>,
    absent: BTreeSet<String>,
    acknowledged: usize,
    compactions: usize,
}

impl Ledger {
    /// Takes one cycle's lines; whether the kill came during a compaction.
    fn apply(&mut self, lines: &[String]) -> bool {
        let mut pending = BTreeSet::new();
        let mut compacting = false;
        for line in lines {
            let f: Vec<&str> = line.split(' ').collect();
            match f.as_slice() {
                ["A", "PUT", key, len, crc] => {
                    self.acknowledged += 1;
                    let e = (len.parse().unwrap(), crc.parse().unwrap());
                    self.present.insert(key.to_string(), e);
                }
                ["I", "DEL", key] => {
                    pending.insert(key.to_string());
                }
                ["A", "DEL", key] => {
                    self.acknowledged += 1;
                    pending.remove(*key);
                    self.present.remove(*key);
                    self.absent.insert(key.to_string());
                }
                ["I", "COMPACT"] => compacting = true,
                ["A", "COMPACT", _, _] => {
                    self.compactions += 1;
                    compacting = false;
                }
                _ => {}
            }
        }
        // A delete that started but was not acknowledged may or may not have happened.
        for k in pending {
            self.present.remove(&k);
        }
        compacting
    }
}

fn verify(s: &Store, ledger: &Ledger) {
    for (key, (len, crc64)) in &ledger.present {
        let v = s
            .head_object(BUCKET, key, None)
            .unwrap_or_else(|e| panic!("acknowledged put of {key} lost: {e:?}"));
        assert_eq!((v.data.size, v.data.crc64), (*len, *crc64), "{key}");
    }
    for key in &ledger.absent {
        assert!(
            matches!(
                s.head_object(BUCKET, key, None),
                Err(CoreError::NoSuchKey { .. })
            ),
            "acknowledged delete of {key} undone"
        );
    }
}

#[test]
fn compaction_survives_sigkill() {
    let cycles: usize = std::env::var("STRATA_COMPACT_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let rt = Child::runtime();
    let mut ledger = Ledger::default();
    let mut inside = 0;
    for cycle in 0..cycles {
        // READY, then a few compactions begun; the kill comes a little after the last one
        // began: inside it, or in the load between two.
        let lines = CHILD.kill_after(
            dir.path(),
            |line| line.ends_with("READY") || line.ends_with("I COMPACT"),
            1 + rand::random_range(1..4),
            Duration::from_millis(rand::random_range(0..120)),
        );
        let killed_inside = ledger.apply(&lines);
        inside += usize::from(killed_inside);

        rt.block_on(async {
            let s = Store::open(dir.path(), StoreOptions::default()).await.unwrap();
            verify(&s, &ledger);
            let report = s.fsck().unwrap();
            assert!(report.problems.is_empty(), "cycle {cycle}: {:?}", report.problems);
            let len = std::fs::metadata(dir.path().join("meta.redb")).unwrap().len();
            eprintln!(
                "cycle {cycle}: {} lines, killed {} a compaction, {} present, {} deleted, metadata file {len} bytes",
                lines.len(),
                if killed_inside { "inside" } else { "outside" },
                ledger.present.len(),
                ledger.absent.len(),
            );
            s.close().await;
        });
    }
    eprintln!(
        "survived {cycles} SIGKILL cycles, {inside} of them inside a compaction; {} acknowledged operations and {} compactions",
        ledger.acknowledged, ledger.compactions
    );
    assert!(
        ledger.acknowledged > cycles,
        "the child acknowledged almost nothing"
    );
    // The kill comes 0-120 ms after a compaction began, and one takes tens of milliseconds
    // or more: a run that never killed one would not test what it says.
    assert!(inside > 0, "no kill landed inside a compaction");
}
