//! Core benchmarks: a 1000-key delete-many in a versioned bucket, a single small put, a single
//! delete, and one 1000-entry listing page over a bucket holding 1,000,000 versions and delete
//! markers (`STRATA_BENCH_ENTRIES` changes that number).
//!
//! Run: `cargo bench -p strata-core --bench store`. The data directory is on the same disk as
//! the target directory (`$STRATA_BENCH_DIR` overrides), so durable commits pay a real fsync.

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use std::io;
use std::time::Duration;
use strata_core::*;
use tokio::runtime::Runtime;

fn body(data: &[u8]) -> impl futures_core::Stream<Item = io::Result<Bytes>> + Send + Unpin + use<> {
    futures_util::stream::iter(vec![Ok(Bytes::copy_from_slice(data))])
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn bench_dir() -> tempfile::TempDir {
    match std::env::var("STRATA_BENCH_DIR") {
        Ok(d) => tempfile::tempdir_in(d).unwrap(),
        Err(_) => tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
    }
}

async fn versioned_store(dir: &std::path::Path, bucket: &str) -> Store {
    let s = Store::open(dir, StoreOptions::default()).await.unwrap();
    s.create_bucket(bucket, "").await.unwrap();
    s.set_versioning(bucket, VersioningStatus::Enabled)
        .await
        .unwrap();
    s
}

fn writes(c: &mut Criterion) {
    let rt = runtime();
    let dir = bench_dir();
    let s = rt.block_on(versioned_store(dir.path(), "bench"));
    let payload = vec![7u8; 4096];
    let mut g = c.benchmark_group("writes");
    g.measurement_time(Duration::from_secs(10));

    // 1000 keys with a version each; every iteration stacks 1000 markers in one commit.
    rt.block_on(async {
        for chunk in 0..10 {
            let puts: Vec<_> = (0..100)
                .map(|i| {
                    let s = s.clone();
                    let key = format!("batch/{:04}", chunk * 100 + i);
                    tokio::spawn(async move {
                        s.put_object(
                            "bench",
                            &key,
                            ObjectMeta::default(),
                            Expect::default(),
                            body(b"x"),
                        )
                        .await
                        .unwrap()
                    })
                })
                .collect();
            for p in puts {
                p.await.unwrap();
            }
        }
    });
    let entries: Vec<DeleteEntry> = (0..1000)
        .map(|i| DeleteEntry {
            key: format!("batch/{i:04}"),
            version_id: None,
        })
        .collect();
    g.bench_function("delete_many_1000_keys_versioned", |b| {
        b.iter(|| {
            rt.block_on(s.delete_objects("bench", entries.clone()))
                .unwrap()
        })
    });

    let mut n = 0u64;
    g.bench_function("put_4KiB", |b| {
        b.iter(|| {
            n += 1;
            let key = format!("put/{n}");
            rt.block_on(s.put_object(
                "bench",
                &key,
                ObjectMeta::default(),
                Expect::default(),
                body(&payload),
            ))
            .unwrap()
        })
    });
    g.bench_function("delete_one_versioned", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(s.delete_object("bench", &format!("del/{}", n % 1000), None))
                .unwrap()
        })
    });
    g.finish();
}

fn listing(c: &mut Criterion) {
    let total: usize = std::env::var("STRATA_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = runtime();
    let dir = bench_dir();
    let s = rt.block_on(versioned_store(dir.path(), "list"));
    // `hidden/…`: keys whose current entry is a delete marker over an old version, then keys
    // with only markers: `total` entries in all, ahead of 2000 visible `live/…` keys.
    let started = std::time::Instant::now();
    rt.block_on(async {
        let with_versions = total / 10;
        let mut done = 0;
        while done < with_versions {
            let puts: Vec<_> = (done..(done + 256).min(with_versions))
                .map(|i| {
                    let s = s.clone();
                    tokio::spawn(async move {
                        let key = format!("hidden/{i:08}");
                        s.put_object(
                            "list",
                            &key,
                            ObjectMeta::default(),
                            Expect::default(),
                            body(b"old"),
                        )
                        .await
                        .unwrap()
                    })
                })
                .collect();
            for p in puts {
                p.await.unwrap();
            }
            done = (done + 256).min(with_versions);
        }
        let markers = total - with_versions;
        for start in (0..markers).step_by(1000) {
            let entries = (start..(start + 1000).min(markers))
                .map(|i| DeleteEntry {
                    key: format!("hidden/{:08}", i % (markers / 2).max(1)),
                    version_id: None,
                })
                .collect();
            s.delete_objects("list", entries).await.unwrap();
        }
        for i in 0..2000 {
            s.put_object(
                "list",
                &format!("live/{i:05}"),
                ObjectMeta::default(),
                Expect::default(),
                body(b"v"),
            )
            .await
            .unwrap();
        }
    });
    eprintln!(
        "listing setup: {total} hidden entries in {:.1?}",
        started.elapsed()
    );

    let mut g = c.benchmark_group("listing");
    g.bench_function("list_versions_page_1000_after_1M_entries", |b| {
        let p = ListVersionsParams {
            key_marker: Some("hidden/~".into()),
            max_keys: 1000,
            ..Default::default()
        };
        b.iter(|| {
            let l = s.list_versions("list", &p).unwrap();
            assert_eq!(l.entries.len(), 1000);
        })
    });
    g.bench_function("list_versions_page_1000_inside_1M_entries", |b| {
        let p = ListVersionsParams {
            key_marker: Some("hidden/00012345".into()),
            max_keys: 1000,
            ..Default::default()
        };
        b.iter(|| {
            let l = s.list_versions("list", &p).unwrap();
            assert_eq!(l.entries.len(), 1000);
        })
    });
    g.bench_function("list_objects_page_1000_after_1M_hidden", |b| {
        let p = ListObjectsParams {
            max_keys: 1000,
            ..Default::default()
        };
        b.iter(|| {
            let l = s.list_objects("list", &p).unwrap();
            assert_eq!(l.objects.len(), 1000);
            assert!(l.objects[0].key.starts_with("live/"));
        })
    });
    g.bench_function("list_objects_delimiter_page_over_1M_hidden", |b| {
        let p = ListObjectsParams {
            delimiter: Some("/".into()),
            max_keys: 1000,
            ..Default::default()
        };
        b.iter(|| {
            let l = s.list_objects("list", &p).unwrap();
            assert_eq!(l.common_prefixes, ["live/"]);
        })
    });
    g.finish();
}

criterion_group!(benches, writes, listing);
criterion_main!(benches);
