//! The PostgreSQL engine orders exactly as the redb engine: the same writes made to both, then
//! every scan (from every start, with prefix skips) must visit the same entries in the same
//! order. Keys are chosen where orders could differ: empty, prefixes of one another, bytes
//! above 0x7f (UTF-8 of non-ASCII characters, which a collation would reorder), sequence
//! numbers at both ends of `u64` (the versions table's `u64::MAX - seq`).
//!
//! Needs a PostgreSQL server (`STRATA_TEST_PG`, see `common/pg.rs`); `scripts/test-pg` runs it.

mod common;

use strata_core::meta::pg_store::PgMeta;
use strata_core::meta::redb_store::RedbMeta;
use strata_core::meta::*;
use strata_core::version::VersionId;

const KEYS: &[&str] = &[
    "",
    "a",
    "a/",
    "a/b",
    "a/b/c",
    "a0",
    "a\u{7f}",
    "a\u{80}",
    "a\u{ff}",
    "a\u{100}",
    "ab",
    "b",
    "B",
    "é",
    "e",
    "z",
    "\u{10ffff}",
    "a\u{ffff}",
];
const SEQS: &[u64] = &[
    1,
    2,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX - 1,
];

fn marker(seq: u64) -> VersionRecord {
    VersionRecord {
        seq,
        id: VersionId::Null,
        last_modified_ms: seq as i64,
        kind: EntryKind::DeleteMarker,
    }
}

fn summary(seq: u64) -> ObjectSummary {
    ObjectSummary {
        seq,
        id: VersionId::Null,
        last_modified_ms: 0,
        size: seq,
        etag: String::new(),
        owner: None,
        appendable: false,
    }
}

fn fill(meta: &dyn MetaStore) {
    run_blocking(meta, |txn| {
        let mut r = Ok(());
        for bucket in ["b1", "b2", "b10"] {
            for key in KEYS {
                for &seq in SEQS {
                    r = r.and(txn.put_version(bucket, key, &marker(seq)));
                }
                r = r.and(txn.put_object(bucket, key, &summary(key.len() as u64)));
            }
        }
        for (i, key) in KEYS.iter().enumerate() {
            r = r.and(txn.put_setting(&format!("s/{key}"), &[i as u8]));
        }
        for &id in SEQS {
            r = r.and(txn.add_garbage(id));
        }
        r
    })
    .unwrap();
}

/// Everything the scans of `meta` visit, as text, from every start.
fn scans(meta: &dyn MetaStore) -> Vec<String> {
    let txn = meta.read().unwrap();
    let mut out = Vec::new();
    let mut starts = vec![Start::First];
    for key in KEYS {
        starts.push(Start::AtKey(key));
        starts.push(Start::AfterKey(key));
        for &seq in SEQS {
            starts.push(Start::AfterVersion(key, seq));
        }
    }
    for bucket in ["b1", "b10", "b2", "b3"] {
        for start in &starts {
            let mut seen = Vec::new();
            txn.scan_versions(bucket, *start, &mut |k, v| {
                seen.push(format!("{k:?}/{}", v.seq));
                Flow::Continue
            })
            .unwrap();
            out.push(format!("versions {bucket} {start:?}: {seen:?}"));
            let mut seen = Vec::new();
            txn.scan_objects(bucket, *start, &mut |k, _| {
                seen.push(k.to_owned());
                Flow::Continue
            })
            .unwrap();
            out.push(format!("objects {bucket} {start:?}: {seen:?}"));
        }
        // A delimiter listing's skips: past every key starting with "a", then "a/".
        for skip in ["a", "a/", "\u{10ffff}"] {
            let mut seen = Vec::new();
            txn.scan_versions(bucket, Start::First, &mut |k, v| {
                seen.push(format!("{k:?}/{}", v.seq));
                if k.starts_with(skip) {
                    Flow::SkipPrefix(skip.to_owned())
                } else {
                    Flow::Continue
                }
            })
            .unwrap();
            out.push(format!("versions {bucket} skip {skip:?}: {seen:?}"));
        }
        out.push(format!("empty {bucket}: {:?}", txn.bucket_is_empty(bucket)));
    }
    let mut seen = Vec::new();
    txn.scan_settings("s/a", &mut |k, v| {
        seen.push(format!("{k:?}={v:?}"));
        Flow::Continue
    })
    .unwrap();
    out.push(format!("settings: {seen:?}"));
    out.push(format!("garbage: {:?}", txn.garbage(100).unwrap()));
    out.push(format!("garbage 2: {:?}", txn.garbage(2).unwrap()));
    out.push(format!(
        "version: {:?}",
        txn.version("b1", "a\u{80}", u64::MAX - 1)
            .unwrap()
            .map(|v| v.seq)
    ));
    out
}

#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn postgres_orders_as_redb() {
    assert!(common::pg::server().is_some(), "STRATA_TEST_PG is not set");
    let dir = common::tempdir();
    let redb = RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap();
    let url = common::pg::metadata(dir.path()).unwrap();
    let pg = PgMeta::open(&url).unwrap();
    fill(&redb);
    fill(&pg);
    let (want, got) = (scans(&redb), scans(&pg));
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g);
    }
    // Not vacuous: the scans saw the entries.
    let first = &want[0];
    assert!(
        first.contains("/18446744073709551614") && first.contains("a/b/c"),
        "{first}"
    );
}

/// Many engines (gateways) write one database: their batches commit one at a time, so
/// sequence numbers taken in them are unique and grow in commit order, and each sees what the
/// others committed.
#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn engines_share_a_database_in_commit_order() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let engines: Vec<PgMeta> = (0..3).map(|_| PgMeta::open(&url).unwrap()).collect();
    let engines = std::sync::Arc::new(engines);
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let engines = engines.clone();
            std::thread::spawn(move || {
                let mut seqs = Vec::new();
                for n in 0..40 {
                    let meta = &engines[(t + n) % 3];
                    seqs.push(next_marker(meta, "k").unwrap());
                }
                seqs
            })
        })
        .collect();
    let mut all: Vec<u64> = Vec::new();
    for t in threads {
        let seqs = t.join().unwrap();
        // One client's writes, each acknowledged before the next began: in order.
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        all.extend(seqs);
    }
    all.sort_unstable();
    let n = all.len();
    all.dedup();
    assert_eq!(all.len(), n, "a sequence number was handed out twice");
    // Every engine reads every marker, newest first.
    for meta in engines.iter() {
        let mut seen = Vec::new();
        meta.read()
            .unwrap()
            .scan_versions("b", Start::First, &mut |_, v| {
                seen.push(v.seq);
                Flow::Continue
            })
            .unwrap();
        let mut want = all.clone();
        want.reverse();
        assert_eq!(seen, want);
    }
}

/// A run declared dead (another gateway started under its name) commits nothing more: its
/// batches fail as `Fenced`, and the run's row is gone from the live runs.
#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn a_run_declared_dead_commits_nothing() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let (a, b) = (PgMeta::open(&url).unwrap(), PgMeta::open(&url).unwrap());
    register(&a, 1, "gw").unwrap();
    put_marker(&a, "k", 1).unwrap();
    assert_eq!(a.read().unwrap().live_runs().unwrap(), Some(vec![1]));
    register(&b, 2, "gw").unwrap();
    assert_eq!(b.read().unwrap().live_runs().unwrap(), Some(vec![2]));
    // (The engine drops a fenced run's operations unrun; the store answers them 503.)
    put_marker(&a, "k", 2).expect_err("a fenced run committed");
    assert!(a.read().unwrap().version("b", "k", 2).unwrap().is_none());
    put_marker(&b, "k", 3).unwrap();
}

fn register(meta: &dyn MetaStore, epoch: u64, name: &str) -> StorageResult<()> {
    let name = name.to_owned();
    run_blocking(meta, move |txn| txn.register_run(epoch, &name))
}

/// Puts a marker of `key` with the next sequence number; returns the number.
fn next_marker(meta: &dyn MetaStore, key: &str) -> StorageResult<u64> {
    let key = key.to_owned();
    run_blocking(meta, move |txn| {
        let seq = txn.next_seq();
        txn.put_version("b", &key, &marker(seq)).map(|()| seq)
    })
}

fn put_marker(meta: &dyn MetaStore, key: &str, seq: u64) -> StorageResult<()> {
    let key = key.to_owned();
    run_blocking(meta, move |txn| txn.put_version("b", &key, &marker(seq)))
}

/// Connections the server ends (as a restart does: 57P01) cost the next read and write
/// nothing: a connection found dead when a transaction begins is made again.
#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn connections_ended_by_the_server_are_made_again() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let meta = PgMeta::open(&url).unwrap();
    put_marker(&meta, "k1", 1).unwrap();
    assert!(
        meta.read()
            .unwrap()
            .version("b", "k1", 1)
            .unwrap()
            .is_some()
    );
    // End every connection of the engine (the writer's and the reader's).
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ended = admin
        .query(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    assert_eq!(ended.len(), 2, "the writer's and one reader's connections");
    put_marker(&meta, "k2", 2).unwrap();
    let txn = meta.read().unwrap();
    assert!(txn.version("b", "k1", 1).unwrap().is_some());
    assert!(txn.version("b", "k2", 2).unwrap().is_some());
}

fn set_counter(meta: &dyn MetaStore, name: &str, value: u64) -> StorageResult<()> {
    let name = name.to_owned();
    run_blocking(meta, move |txn| txn.set_counter(&name, value))
}

/// A counter read on its own, outside any snapshot (what the caches of a shared engine read
/// per lookup), sees every committed batch, and a connection the server ended costs it
/// nothing. The redb engine reads it through a snapshot, and says it is not shared.
#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn a_counter_read_alone_sees_every_commit() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let meta = PgMeta::open(&url).unwrap();
    assert!(meta.shared());
    assert_eq!(meta.read_counter("c").unwrap(), 0);
    set_counter(&meta, "c", 5).unwrap();
    assert_eq!(meta.read_counter("c").unwrap(), 5);
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ended = admin
        .query(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    assert_eq!(ended.len(), 2, "the writer's and one reader's connections");
    assert_eq!(meta.read_counter("c").unwrap(), 5);
    set_counter(&meta, "c", 6).unwrap();
    assert_eq!(meta.read_counter("c").unwrap(), 6);

    let redb = RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap();
    assert!(!redb.shared());
    set_counter(&redb, "c", 7).unwrap();
    assert_eq!(redb.read_counter("c").unwrap(), 7);
}

/// A malformed URL is an error, not a panic (needs no server).
#[test]
fn a_malformed_url_is_refused() {
    for url in ["postgres://h:notaport/db", "postgres://h/db?sslmode=bogus"] {
        let e = PgMeta::open(url).err().expect("opened");
        assert!(e.to_string().contains("invalid"), "{url}: {e}");
    }
}

/// A write the server refuses fails its batch: nothing of it is acknowledged or kept.
#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn a_refused_write_fails_its_batch() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let meta = PgMeta::open(&url).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute("DROP TABLE garbage").unwrap();
    let e = run_blocking(&meta, |txn| {
        txn.put_version("b", "k", &marker(7))
            .and_then(|()| txn.add_garbage(1))
    })
    .expect_err("acknowledged");
    assert!(
        matches!(e, strata_core::error::StorageError::BatchFailed(_)),
        "{e}"
    );
    assert!(meta.read().unwrap().version("b", "k", 7).unwrap().is_none());
    // The writer goes on.
    put_marker(&meta, "k", 8).unwrap();
    assert!(meta.read().unwrap().version("b", "k", 8).unwrap().is_some());
}

fn blob(refs: u32, body: BlobBody) -> BlobRecord {
    BlobRecord { refs, body }
}

/// What `take_null_seq`, `remove_version` and `release_blob` return and leave, alike in both
/// engines (redb defers a released blob's record to the end of the batch; the batch's own
/// reads see the change at once all the same).
fn takes_and_releases(meta: &dyn MetaStore) {
    let inline = BlobBody::Inline(vec![7; 4096]);
    let i2 = inline.clone();
    run_blocking(meta, move |txn| {
        txn.put_blob(1, &blob(2, i2.clone()))?;
        txn.put_blob(2, &blob(1, BlobBody::File))?;
        txn.put_blob(3, &blob(1, i2.clone()))?;
        txn.put_blob(4, &blob(3, BlobBody::File))?;
        txn.set_null_seq("b", "k", Some(5))?;
        txn.put_version("b", "k", &marker(5))
    })
    .unwrap();
    let i2 = inline.clone();
    run_blocking(meta, move |txn| {
        txn.release_blob(1)?;
        assert_eq!(txn.blob(1)?, Some(blob(1, i2.clone())));
        txn.release_blob(2)?;
        assert_eq!(txn.blob(2)?, None);
        txn.release_blob(3)?;
        txn.release_blob(4)?;
        txn.release_blob(4)?;
        assert_eq!(txn.blob(4)?, Some(blob(1, BlobBody::File)));
        // A record written whole after a release is the one kept.
        txn.put_blob(4, &blob(9, BlobBody::File))?;
        assert_eq!(txn.take_null_seq("b", "k")?, Some(5));
        assert_eq!(txn.take_null_seq("b", "k")?, None);
        assert_eq!(txn.remove_version("b", "k", 5)?, Some(marker(5)));
        assert_eq!(txn.remove_version("b", "k", 5)?, None);
        Ok(())
    })
    .unwrap();
    let r = meta.read().unwrap();
    assert_eq!(r.blob(1).unwrap(), Some(blob(1, inline)));
    assert_eq!(r.blob(2).unwrap(), None);
    assert_eq!(r.blob(3).unwrap(), None);
    assert_eq!(r.blob(4).unwrap(), Some(blob(9, BlobBody::File)));
    // Only the file blob left without references waits for the reclaimer.
    assert_eq!(r.garbage(10).unwrap(), vec![2]);
    assert_eq!(r.null_seq("b", "k").unwrap(), None);
    assert_eq!(r.version("b", "k", 5).unwrap(), None);
    drop(r);
    // Releasing a blob that is not recorded fails the batch, which then changes nothing.
    run_blocking(meta, |txn| {
        txn.release_blob(1)?;
        txn.release_blob(77)
    })
    .expect_err("a missing blob was released");
    assert!(meta.read().unwrap().blob(1).unwrap().is_some());
}

#[test]
fn redb_takes_and_releases() {
    let dir = common::tempdir();
    takes_and_releases(&RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap());
}

#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
fn postgres_takes_and_releases() {
    let dir = common::tempdir();
    let url = common::pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    takes_and_releases(&PgMeta::open(&url).unwrap());
}
