//! The store's counts (`Store::stats`: buckets, objects, versions, delete markers, bytes, the
//! reclaim backlog), which the metadata engine keeps in the same transactions as the records,
//! equal what a full scan of the records finds, and what the public listings show, after
//! every step of a random mix of puts (inline and file bodies), simple deletes (delete
//! markers), permanent deletes of versions, versioning changes, appends, multipart
//! completions and aborts, lifecycle runs, bucket removals, space reclaims and reopens.

mod common;
use common::*;
use proptest::prelude::*;
use redb::ReadableTable as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{Days, Expiration, Filter, NoncurrentExpiration, Rule};
use strata_core::meta::StoreStats;
use strata_core::*;

const DAY: i64 = 1000;
const START: i64 = 1_700_000_000_000;
const BUCKETS: &[&str] = &["bkt0", "bkt1"];
const KEYS: &[&str] = &["a1", "a2", "c1", "k"];
/// Body sizes: empty, inline (the tests' stores inline up to 64 bytes), in a file.
const SIZES: &[usize] = &[0, 10, 64, 65, 9000];

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            id: "a".into(),
            enabled: true,
            filter: Filter::prefix("a"),
            expiration: Some(Expiration::Days(1)),
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: None,
            }),
            ..Rule::default()
        },
        Rule {
            id: "c".into(),
            enabled: true,
            filter: Filter::prefix("c"),
            expired_object_delete_marker: true,
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: None,
            }),
            ..Rule::default()
        },
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Put(usize, usize, usize),
    Delete(usize, usize),
    /// Removes the key's n-th entry (modulo how many it has) for good.
    DeleteVersion(usize, usize, usize),
    Versioning(usize, bool),
    Append(usize, usize, usize),
    /// Parts of these sizes, then complete (true) or abort.
    Multipart(usize, usize, Vec<usize>, bool),
    /// The clock moves on by this many quarters of a day, then the lifecycle runs.
    Lifecycle(i64),
    /// Every entry of the bucket removed for good, the bucket deleted and created again.
    RecreateBucket(usize),
    Reclaim,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let b = 0..BUCKETS.len();
    let k = 0..KEYS.len();
    let size = 0..SIZES.len();
    prop_oneof![
        6 => (b.clone(), k.clone(), size.clone()).prop_map(|(b, k, s)| Op::Put(b, k, s)),
        3 => (b.clone(), k.clone()).prop_map(|(b, k)| Op::Delete(b, k)),
        3 => (b.clone(), k.clone(), 0..4usize).prop_map(|(b, k, n)| Op::DeleteVersion(b, k, n)),
        2 => (b.clone(), any::<bool>()).prop_map(|(b, on)| Op::Versioning(b, on)),
        2 => (b.clone(), k.clone(), size.clone()).prop_map(|(b, k, s)| Op::Append(b, k, s)),
        2 => (b.clone(), k.clone(), prop::collection::vec(size, 1..3), any::<bool>())
            .prop_map(|(b, k, parts, done)| Op::Multipart(b, k, parts, done)),
        2 => (1..6i64).prop_map(Op::Lifecycle),
        1 => b.prop_map(Op::RecreateBucket),
        1 => Just(Op::Reclaim),
        1 => Just(Op::Reopen),
    ]
}

async fn open(dir: &std::path::Path, wall: &Arc<AtomicI64>) -> Store {
    let days = Days {
        day_ms: DAY,
        midnight: false,
    };
    open_with_days(dir, wall, days).await
}

async fn make_bucket(s: &Store, b: usize) {
    s.create_bucket(BUCKETS[b], "").await.unwrap();
    if b == 0 {
        s.put_lifecycle(BUCKETS[b], rules()).await.unwrap();
    }
}

/// The counts as the public listings show them (the reclaim backlog aside).
fn listed(s: &Store) -> StoreStats {
    let mut out = StoreStats::default();
    for bucket in s.list_buckets().unwrap() {
        out.buckets += 1;
        for v in every_version(s, &bucket.name) {
            match v.object {
                Some((size, _)) => {
                    out.versions += 1;
                    out.bytes += size;
                    out.objects += u64::from(v.is_latest);
                }
                None => out.delete_markers += 1,
            }
        }
    }
    out
}

fn check(s: &Store, step: &str) {
    // The reclaimer may commit between two reads (it removes garbage entries on its own, and
    // over PostgreSQL it takes long enough to be seen doing so): the scan counts if the kept
    // counts were the same before and after it.
    let (kept, scanned) = loop {
        let before = s.stats().unwrap();
        let scanned = s.stats_by_scan().unwrap();
        if s.stats().unwrap() == before {
            break (before, scanned);
        }
    };
    assert_eq!(kept, scanned, "after {step}");
    assert_eq!(
        StoreStats {
            garbage: kept.garbage,
            ..listed(s)
        },
        kept,
        "after {step}"
    );
}

async fn apply(s: &Store, wall: &AtomicI64, op: &Op) {
    match *op {
        Op::Put(b, k, size) => {
            put(s, BUCKETS[b], KEYS[k], &data(SIZES[size], k as u8)).await;
        }
        Op::Delete(b, k) => {
            s.delete_object(BUCKETS[b], KEYS[k], None).await.unwrap();
        }
        Op::DeleteVersion(b, k, n) => {
            let entries: Vec<_> = every_version(s, BUCKETS[b])
                .into_iter()
                .filter(|v| v.key == KEYS[k])
                .collect();
            if !entries.is_empty() {
                let id = entries[n % entries.len()].version_id;
                s.delete_object(BUCKETS[b], KEYS[k], Some(id))
                    .await
                    .unwrap();
            }
        }
        Op::Versioning(b, on) => {
            let status = if on {
                VersioningStatus::Enabled
            } else {
                VersioningStatus::Suspended
            };
            s.set_versioning(BUCKETS[b], status).await.unwrap();
        }
        Op::Append(b, k, size) => {
            let position = s
                .head_object(BUCKETS[b], KEYS[k], None)
                .map_or(0, |h| h.data.size);
            // Refused over an object that is not appendable: the counts must not move.
            let _ = s
                .append_object(
                    BUCKETS[b],
                    KEYS[k],
                    position,
                    NewObject::default(),
                    Expect::default(),
                    AppendRules::default(),
                    body(&data(SIZES[size], 7)),
                )
                .await;
        }
        Op::Multipart(b, k, ref parts, done) => {
            let (bucket, key) = (BUCKETS[b], KEYS[k]);
            let id = s
                .create_multipart_upload(bucket, key, ObjectMeta::default())
                .await
                .unwrap();
            let mut etags = Vec::new();
            for (i, &size) in parts.iter().enumerate() {
                let n = i as u32 + 1;
                let p = data(SIZES[size], n as u8);
                let out = s
                    .upload_part(bucket, key, &id, n, Expect::default(), body(&p))
                    .await
                    .unwrap();
                etags.push((n, format!("\"{}\"", out.etag)));
            }
            if done {
                s.complete_multipart_upload(
                    bucket,
                    key,
                    &id,
                    etags,
                    0,
                    Expect::default(),
                    Precondition::default(),
                )
                .await
                .unwrap();
            } else {
                s.abort_multipart_upload(bucket, key, &id).await.unwrap();
            }
        }
        Op::Lifecycle(quarters) => {
            wall.fetch_add(quarters * DAY / 4, Ordering::AcqRel);
            s.run_lifecycle().await.unwrap();
        }
        Op::RecreateBucket(b) => {
            let entries: Vec<DeleteEntry> = every_version(s, BUCKETS[b])
                .into_iter()
                .map(|v| DeleteEntry {
                    key: v.key,
                    version_id: Some(v.version_id.to_string()),
                })
                .collect();
            if !entries.is_empty() {
                for (_, r) in s.delete_objects(BUCKETS[b], entries).await.unwrap() {
                    r.unwrap();
                }
            }
            s.delete_bucket(BUCKETS[b], DeleteBucketMode::AbortUploads)
                .await
                .unwrap();
            assert!(s.stats().unwrap().buckets < BUCKETS.len() as u64);
            make_bucket(s, b).await;
        }
        Op::Reclaim => {
            s.reclaim_now().await.unwrap();
            assert_eq!(s.stats().unwrap().garbage, 0);
        }
        Op::Reopen => unreachable!("the caller reopens"),
    }
}

async fn run(ops: Vec<Op>) {
    // With STRATA_TEST_PG, a database of its own (scripts/test-pg runs this suite over both
    // engines); the test below is about redb's file and keeps a plain directory.
    let dir = tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let mut s = open(dir.path(), &wall).await;
    for b in 0..BUCKETS.len() {
        make_bucket(&s, b).await;
    }
    check(&s, "the buckets' creation");
    for (i, op) in ops.iter().enumerate() {
        if let Op::Reopen = op {
            s.close().await;
            s = open(dir.path(), &wall).await;
        } else {
            apply(&s, &wall, op).await;
        }
        check(&s, &format!("step {i}: {op:?}"));
    }
    let report = s.fsck().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn kept_counts_equal_the_records(ops in prop::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run(ops));
    }
}

/// Removes the counts from a closed store's metadata, as a store written before them lacks
/// them. (The one redb call outside the engine's module: a test that makes an older store.)
fn forget_counts(path: &std::path::Path) {
    const COUNTERS: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("counters");
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(COUNTERS).unwrap();
        let names: Vec<String> = t
            .iter()
            .unwrap()
            .map(|e| e.unwrap().0.value().to_owned())
            .filter(|n| n.starts_with("stats/"))
            .collect();
        assert!(names.len() > 1, "{names:?}");
        for n in names {
            t.remove(n.as_str()).unwrap();
        }
    }
    txn.commit().unwrap();
}

/// A store written before the counts existed gets them, counted once, when it is opened: the
/// counts are removed here the way an older store lacks them (its `counters` table has only
/// the sequence), then the store is opened again.
#[tokio::test]
async fn a_store_without_counts_is_counted_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open(dir.path(), &wall).await;
    make_bucket(&s, 1).await;
    s.set_versioning("bkt1", VersioningStatus::Enabled)
        .await
        .unwrap();
    put(&s, "bkt1", "k", &data(9000, 1)).await;
    put(&s, "bkt1", "k", &data(10, 2)).await;
    s.delete_object("bkt1", "k", None).await.unwrap();
    put(&s, "bkt1", "j", &data(5, 3)).await;
    let expected = StoreStats {
        buckets: 1,
        objects: 1,
        versions: 3,
        delete_markers: 1,
        bytes: 9015,
        garbage: 0,
    };
    assert_eq!(s.stats().unwrap(), expected);
    s.close().await;
    forget_counts(&dir.path().join("meta.redb"));
    let s = open(dir.path(), &wall).await;
    assert_eq!(s.stats().unwrap(), expected);
}
