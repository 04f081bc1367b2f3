//! Crash safety, proven: a child process runs a stream of puts, deletes, deletes by version and
//! batch deletes with several concurrent workers, printing each operation's intent before it
//! starts and its acknowledgement after the store returned. The parent SIGKILLs it at a random
//! moment, reopens the store, and checks that every acknowledged operation is there, that the
//! store is consistent, and that reclaim leaves no data file unreferenced. Many cycles over the
//! same data directory.
//!
//! `STRATA_CRASH_CYCLES` sets the number of cycles (default 40).

mod common;
use common::crash::Child;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use strata_core::*;

const BUCKET: &str = "crash";
const CHILD: Child = Child {
    test: "crash_child",
    env: "STRATA_CRASH_CHILD_DIR",
};

/// The child's side: runs until killed. A normal test run (without the variable) does nothing.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD.env) else {
        return;
    };
    Child::runtime().block_on(async move {
        let s = Store::open(std::path::Path::new(&dir), StoreOptions::default())
            .await
            .unwrap();
        if s.bucket(BUCKET).is_err() {
            s.create_bucket(BUCKET, "").await.unwrap();
            s.set_versioning(BUCKET, VersioningStatus::Enabled)
                .await
                .unwrap();
        }
        // Versions that exist now, to delete some of them by ID.
        let known: Vec<(String, VersionId)> = every_version(&s, BUCKET)
            .into_iter()
            .map(|e| (e.key, e.version_id))
            .collect();
        let known = Arc::new(Mutex::new(known));
        say("READY");
        let mut workers = Vec::new();
        for w in 0..4 {
            let (s, known) = (s.clone(), known.clone());
            workers.push(tokio::spawn(async move { worker(w, s, known).await }));
        }
        for w in workers {
            w.await.unwrap();
        }
    });
}

fn pick_known(known: &Mutex<Vec<(String, VersionId)>>) -> Option<(String, VersionId)> {
    let mut k = known.lock().unwrap();
    if k.is_empty() {
        return None;
    }
    let i = rand::random_range(0..k.len());
    Some(k.swap_remove(i))
}

async fn worker(w: usize, s: Store, known: Arc<Mutex<Vec<(String, VersionId)>>>) {
    for n in 0u64.. {
        let key = format!("k{:03}", rand::random_range(0..150u32));
        match rand::random_range(0..10u32) {
            0..=5 => {
                let len = if rand::random_range(0..10u32) < 7 {
                    rand::random_range(0..8000)
                } else {
                    rand::random_range(20_000..200_000)
                };
                let body = data(len, (w as u64 * 31 + n) as u8);
                let out = put(&s, BUCKET, &key, &body).await;
                say(&format!(
                    "A PUT {key} {} {} {}",
                    out.version_id, out.size, out.crc64
                ));
                known.lock().unwrap().push((key, out.version_id));
            }
            6 => {
                let DeleteOutcome::MarkerCreated(id) =
                    s.delete_object(BUCKET, &key, None).await.unwrap()
                else {
                    panic!("versioned delete made no marker")
                };
                say(&format!("A MARK {key} {id}"));
                known.lock().unwrap().push((key, id));
            }
            7 => {
                let Some((key, id)) = pick_known(&known) else {
                    continue;
                };
                say(&format!("I DELV {key} {id}"));
                s.delete_object(BUCKET, &key, Some(id)).await.unwrap();
                say(&format!("A DELV {key} {id}"));
            }
            _ => {
                let mut entries = Vec::new();
                for _ in 0..rand::random_range(1..60) {
                    if rand::random_range(0..3u32) == 0 {
                        if let Some((key, id)) = pick_known(&known) {
                            say(&format!("I DELV {key} {id}"));
                            entries.push(DeleteEntry {
                                key,
                                version_id: Some(id.to_string()),
                            });
                        }
                    } else {
                        let key = format!("k{:03}", rand::random_range(0..150u32));
                        entries.push(DeleteEntry {
                            key,
                            version_id: None,
                        });
                    }
                }
                for (entry, out) in s.delete_objects(BUCKET, entries).await.unwrap() {
                    match out.unwrap() {
                        DeleteOutcome::MarkerCreated(id) => {
                            say(&format!("A MARK {} {id}", entry.key));
                            known.lock().unwrap().push((entry.key, id));
                        }
                        DeleteOutcome::VersionRemoved { version_id, .. } => {
                            say(&format!("A DELV {} {version_id}", entry.key))
                        }
                        DeleteOutcome::Removed { .. } => panic!("versioned bucket"),
                    }
                }
            }
        }
    }
}

#[derive(Debug)]
enum Expected {
    Object { len: u64, crc64: u64 },
    Marker,
}

#[derive(Default)]
struct Ledger {
    present: BTreeMap<(String, String), Expected>,
    absent: BTreeSet<(String, String)>,
    acknowledged: usize,
}

impl Ledger {
    fn apply(&mut self, lines: &[String]) {
        let mut pending: BTreeSet<(String, String)> = BTreeSet::new();
        for line in lines {
            let f: Vec<&str> = line.split(' ').collect();
            match f.as_slice() {
                ["A", "PUT", key, id, len, crc] => {
                    self.acknowledged += 1;
                    let e = Expected::Object {
                        len: len.parse().unwrap(),
                        crc64: crc.parse().unwrap(),
                    };
                    self.present.insert((key.to_string(), id.to_string()), e);
                }
                ["A", "MARK", key, id] => {
                    self.acknowledged += 1;
                    self.present
                        .insert((key.to_string(), id.to_string()), Expected::Marker);
                }
                ["I", "DELV", key, id] => {
                    pending.insert((key.to_string(), id.to_string()));
                }
                ["A", "DELV", key, id] => {
                    self.acknowledged += 1;
                    let k = (key.to_string(), id.to_string());
                    pending.remove(&k);
                    self.present.remove(&k);
                    self.absent.insert(k);
                }
                _ => {}
            }
        }
        // A delete that started but was not acknowledged may or may not have happened.
        for k in pending {
            self.present.remove(&k);
        }
    }
}

async fn verify(s: &Store, ledger: &Ledger) -> usize {
    let mut checked = 0;
    for ((key, id), expected) in &ledger.present {
        let vid = VersionId::parse(id).unwrap();
        match (expected, s.head_object(BUCKET, key, Some(vid))) {
            (Expected::Object { len, crc64 }, Ok(v)) => {
                assert_eq!((v.data.size, v.data.crc64), (*len, *crc64), "{key}@{id}");
                if checked % 25 == 0 {
                    let bytes = get(s, BUCKET, key, Some(vid)).await.unwrap();
                    assert_eq!(bytes.len() as u64, *len, "{key}@{id} body");
                }
            }
            (Expected::Marker, Err(CoreError::MethodNotAllowed { .. })) => {}
            (e, got) => panic!("acknowledged {key}@{id} ({e:?}) lost: {got:?}"),
        }
        checked += 1;
    }
    for (key, id) in &ledger.absent {
        let vid = VersionId::parse(id).unwrap();
        assert!(
            matches!(
                s.head_object(BUCKET, key, Some(vid)),
                Err(CoreError::NoSuchVersion)
            ),
            "acknowledged delete of {key}@{id} undone"
        );
    }
    checked
}

#[test]
fn acknowledged_operations_survive_sigkill() {
    let cycles: usize = std::env::var("STRATA_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir().unwrap();
    let rt = Child::runtime();
    let mut ledger = Ledger::default();
    let (mut reclaimed, mut leftovers) = (0, 0);
    for cycle in 0..cycles {
        let work = Duration::from_millis(rand::random_range(20..400));
        let lines = CHILD.run_and_kill(dir.path(), work);
        ledger.apply(&lines);

        rt.block_on(async {
            let s = Store::open(dir.path(), StoreOptions::default()).await.unwrap();
            let checked = verify(&s, &ledger).await;
            let report = s.fsck().unwrap();
            assert!(report.problems.is_empty(), "cycle {cycle}: {:?}", report.problems);
            s.reclaim_now().await.unwrap();
            let (freed, swept) = s.reclaim_stats();
            reclaimed += freed;
            leftovers += swept;
            let report = s.fsck().unwrap();
            assert!(report.is_clean() && report.pending_garbage == 0, "cycle {cycle}: {report:?}");
            eprintln!(
                "cycle {cycle}: {} lines, {checked} versions checked, {} deletes checked, {} files, {} versions, {} markers",
                lines.len(),
                ledger.absent.len(),
                report.files,
                report.versions,
                report.delete_markers
            );
        });
    }
    eprintln!(
        "survived {cycles} SIGKILL cycles; {} acknowledged operations checked; {reclaimed} freed blobs reclaimed after restart, {leftovers} unreferenced leftovers swept",
        ledger.acknowledged
    );
    assert!(
        ledger.acknowledged > cycles,
        "the child acknowledged almost nothing"
    );
}
