//! Compaction of the metadata file: the space of deleted versions comes back, readers and
//! writers running meanwhile all succeed with their data intact, and the idle task compacts a
//! store left idle.

mod common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use strata_core::*;

const INLINE: usize = 16 * 1024;

async fn open_inline(dir: &std::path::Path, idle: Option<std::time::Duration>) -> Store {
    Store::open(
        dir,
        StoreOptions {
            inline_max: INLINE,
            compact_idle_after: idle,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn meta_len(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("meta.redb")).unwrap().len()
}

/// `keys` × `versions` versions of 12 KiB (inline: they live in the metadata file), in a
/// versioned bucket; returns every (key, version).
async fn fill(s: &Store, bucket: &str, keys: usize, versions: usize) -> Vec<(String, VersionId)> {
    s.create_bucket(bucket, "").await.unwrap();
    s.set_versioning(bucket, VersioningStatus::Enabled)
        .await
        .unwrap();
    let mut all = Vec::new();
    for v in 0..versions {
        let mut puts = Vec::new();
        for k in 0..keys {
            let (s, key) = (s.clone(), format!("key-{k:04}"));
            let body = data(12 * 1024, (k + v) as u8);
            let bucket = bucket.to_owned();
            puts.push(tokio::spawn(async move {
                let out = put(&s, &bucket, &key, &body).await;
                (key, out.version_id)
            }));
        }
        for p in puts {
            all.push(p.await.unwrap());
        }
    }
    all
}

/// Deletes each version permanently, 1000 per multi-delete.
async fn delete_versions(s: &Store, bucket: &str, versions: &[(String, VersionId)]) {
    for chunk in versions.chunks(1000) {
        let entries = chunk
            .iter()
            .map(|(key, id)| DeleteEntry {
                key: key.clone(),
                version_id: Some(id.to_string()),
            })
            .collect();
        for (entry, out) in s.delete_objects(bucket, entries).await.unwrap() {
            assert!(
                matches!(out, Ok(DeleteOutcome::VersionRemoved { .. })),
                "{entry:?}: {out:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleted_versions_give_their_space_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_inline(dir.path(), None).await;
    let all = fill(&s, "bkt", 60, 25).await;
    // Two versions stay, and must be intact after compaction.
    let (kept, gone) = all.split_at(2);
    delete_versions(&s, "bkt", gone).await;
    s.reclaim_now().await.unwrap();
    let peak = meta_len(dir.path());
    let CompactOutcome::Compacted(c) = s.compact().await.unwrap() else {
        panic!("not compacted")
    };
    let after = meta_len(dir.path());
    eprintln!("metadata file: {peak} bytes before, {after} after ({c:?})");
    assert_eq!((c.before, c.after), (peak, after));
    assert!(
        peak > 12 * 1024 * 1000,
        "the versions did not fill the file: {peak}"
    );
    assert!(
        after * 4 < peak,
        "compaction gave back too little: {peak} -> {after}"
    );
    for (key, id) in kept {
        let k: usize = key[4..].parse().unwrap();
        let v = all.iter().position(|e| e == &(key.clone(), *id)).unwrap() / 60;
        assert_eq!(
            get(&s, "bkt", key, Some(*id)).await.unwrap(),
            data(12 * 1024, (k + v) as u8)
        );
    }
    // Again: nothing left to give back, and the file does not grow.
    let CompactOutcome::Compacted(again) = s.compact().await.unwrap() else {
        panic!("not compacted")
    };
    assert!(again.after <= after, "{again:?}");
    // Worth it only past the threshold: the compacted file is not.
    let half = compact::Threshold {
        min_bytes: 1,
        min_percent: 50,
    };
    assert!(matches!(
        s.compact_if(half).await.unwrap(),
        CompactOutcome::NotWorthwhile { .. }
    ));
    s.close().await;
    let s = open_inline(dir.path(), None).await;
    assert_eq!(every_version(&s, "bkt").len(), kept.len());
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_threshold_compacts_a_file_mostly_free() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_inline(dir.path(), None).await;
    let all = fill(&s, "bkt", 40, 20).await;
    delete_versions(&s, "bkt", &all).await;
    let peak = meta_len(dir.path());
    let half = compact::Threshold {
        min_bytes: 1 << 20,
        min_percent: 50,
    };
    let CompactOutcome::Compacted(c) = s.compact_if(half).await.unwrap() else {
        panic!("a file of deleted versions not compacted")
    };
    assert!(c.after * 2 < peak, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 6)]
async fn readers_and_writers_all_succeed_while_compacting() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_inline(dir.path(), None).await;
    let seeded = fill(&s, "bkt", 40, 10).await;
    delete_versions(&s, "bkt", &seeded[40..]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    // Writers: each puts its own keys, deletes every other one, and returns what it kept.
    for w in 0..3 {
        let (s, stop, done) = (s.clone(), stop.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            let mut kept = Vec::new();
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) || n < 20 {
                let key = format!("w{w}-{n:05}");
                let body = data(1000 + (n * 97) % 15_000, (w * 7 + n) as u8);
                let out = put(&s, "bkt", &key, &body).await;
                if n % 2 == 1 {
                    s.delete_object("bkt", &key, Some(out.version_id))
                        .await
                        .unwrap();
                } else {
                    kept.push((key, out.version_id, body));
                }
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
            kept
        }));
    }
    // Readers: the seeded versions' bodies, and listing pages.
    let mut readers = Vec::new();
    for r in 0..3 {
        let (s, stop, done, seeded) = (s.clone(), stop.clone(), done.clone(), seeded.clone());
        readers.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) || n < 20 {
                let k = (r * 13 + n) % 40;
                let (key, id) = &seeded[k];
                assert_eq!(
                    get(&s, "bkt", key, Some(*id)).await.unwrap(),
                    data(12 * 1024, k as u8)
                );
                let page = s.list_objects(
                    "bkt",
                    &ListObjectsParams {
                        prefix: String::new(),
                        delimiter: None,
                        // A seeded key always follows (the writers' keys may not be
                        // committed yet when the last seeded key comes round).
                        start_after: Some(format!("key-{:04}", k % 39)),
                        max_keys: 50,
                    },
                );
                assert!(!page.unwrap().objects.is_empty());
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut compactions = Vec::new();
    for _ in 0..5 {
        // Each compaction starts with the load in full swing.
        let at = done.load(Ordering::Relaxed);
        while done.load(Ordering::Relaxed) < at + 30 {
            tokio::task::yield_now().await;
        }
        compactions.push(s.compact().await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
    let mut kept = Vec::new();
    for w in workers {
        kept.extend(w.await.unwrap());
    }
    assert!(
        compactions
            .iter()
            .all(|c| matches!(c, CompactOutcome::Compacted(_))),
        "{compactions:?}"
    );
    for (key, id, body) in &kept {
        assert_eq!(
            &get(&s, "bkt", key, Some(*id)).await.unwrap(),
            body,
            "{key}"
        );
    }
    eprintln!(
        "{} operations, {} versions kept, {compactions:?}",
        done.load(Ordering::Relaxed),
        kept.len()
    );
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idle_store_compacts_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_inline(dir.path(), None).await;
    // Past the idle threshold: more than 64 MiB free. The last round of versions stays: it
    // was written last, at the end of the file, so redb cannot shrink the file by itself
    // (a commit gives back free pages at the file's end; every batch that changes the
    // store's counts rewrites the `counters` table, so without live pages there nothing
    // else would hold the end).
    let all = fill(&s, "bkt", 100, 60).await;
    delete_versions(&s, "bkt", &all[..all.len() - 100]).await;
    s.close().await;
    let peak = meta_len(dir.path());
    assert!(peak > 70 << 20, "{peak}");
    let s = open_inline(dir.path(), Some(std::time::Duration::from_millis(200))).await;
    // No client request: the store is idle from the start, and compacts (waited for at most
    // two minutes, a bound for a hung test, not a measure).
    for _ in 0..2400 {
        if meta_len(dir.path()) != peak {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    s.close().await;
    assert!(meta_len(dir.path()) * 2 < peak);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_paged_across_compactions_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_inline(dir.path(), None).await;
    s.create_bucket("bkt", "").await.unwrap();
    let mut expected = Vec::new();
    for k in 0..300 {
        let key = format!("key-{k:04}");
        put(&s, "bkt", &key, &data(8 * 1024, k as u8)).await;
        // Two of every three go again: free pages for the compactions to give back.
        if k % 3 == 0 {
            expected.push(key);
        } else {
            s.delete_object("bkt", &key, None).await.unwrap();
        }
    }
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .list_objects(
                "bkt",
                &ListObjectsParams {
                    prefix: String::new(),
                    delimiter: None,
                    start_after: after.clone(),
                    max_keys: 7,
                },
            )
            .unwrap();
        listed.extend(page.objects.iter().map(|o| o.key.clone()));
        // A compaction between every two pages.
        assert!(matches!(
            s.compact().await.unwrap(),
            CompactOutcome::Compacted(_)
        ));
        if !page.is_truncated {
            break;
        }
        after = page.next_marker;
    }
    assert_eq!(listed, expected);
}
