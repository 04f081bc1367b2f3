//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

pub mod crash;
pub mod pg;

pub use pg::{TestDir, tempdir};

use bytes::Bytes;
use futures_util::StreamExt;
use std::io;
use strata_core::{ByteRange, Expect, ObjectMeta, PutOutcome, Store, StoreOptions, VersionId};

pub fn body(
    data: &[u8],
) -> impl futures_core::Stream<Item = io::Result<Bytes>> + Send + Unpin + use<> {
    // Several chunks, to exercise the streaming path.
    let chunks: Vec<io::Result<Bytes>> = data
        .chunks(7919)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect::<Vec<_>>();
    futures_util::stream::iter(chunks)
}

pub async fn open(dir: &std::path::Path) -> Store {
    Store::open(
        dir,
        StoreOptions {
            inline_max: 64,
            metadata: pg::metadata(dir),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A store whose wall clock reads `wall` (Unix milliseconds), for tests that move time.
pub async fn open_with_clock(
    dir: &std::path::Path,
    wall: &std::sync::Arc<std::sync::atomic::AtomicI64>,
) -> Store {
    open_with_days(dir, wall, strata_core::lifecycle::Days::REAL).await
}

/// [`open_with_clock`] with a lifecycle day of its own.
pub async fn open_with_days(
    dir: &std::path::Path,
    wall: &std::sync::Arc<std::sync::atomic::AtomicI64>,
    lifecycle_days: strata_core::lifecycle::Days,
) -> Store {
    Store::open(
        dir,
        StoreOptions {
            inline_max: 64,
            wall_clock: strata_core::clock::WallClock::manual(wall.clone()),
            lifecycle_days,
            metadata: pg::metadata(dir),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A copy of `src`'s current version to `dst` in the same bucket, its metadata copied, with
/// no condition, lock or tags.
pub async fn copy(store: &Store, bucket: &str, src: &str, dst: &str) -> PutOutcome {
    let (out, _) = store
        .copy_object(
            bucket,
            src,
            None,
            strata_core::Precondition::default(),
            bucket,
            dst,
            strata_core::MetadataDirective::Copy,
            Default::default(),
            Default::default(),
            None,
        )
        .await
        .unwrap();
    out
}

pub async fn put(store: &Store, bucket: &str, key: &str, data: &[u8]) -> PutOutcome {
    try_put(store, bucket, key, data).await.unwrap()
}

/// A plain put, which may be refused.
pub async fn try_put(
    store: &Store,
    bucket: &str,
    key: &str,
    data: &[u8],
) -> strata_core::Result<PutOutcome> {
    store
        .put_object(
            bucket,
            key,
            ObjectMeta::default(),
            Expect::default(),
            body(data),
        )
        .await
}

pub async fn get(
    store: &Store,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
) -> strata_core::Result<Vec<u8>> {
    get_range(store, bucket, key, version, None).await
}

pub async fn get_range(
    store: &Store,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
    range: Option<ByteRange>,
) -> strata_core::Result<Vec<u8>> {
    let read = store.get_object(bucket, key, version, range).await?;
    let mut out = Vec::new();
    let mut s = read.body;
    while let Some(chunk) = s.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    Ok(out)
}

/// Deterministic bytes of a given length.
pub fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A store on a fresh temporary directory (kept alive by the returned guard).
pub async fn store() -> (TestDir, Store) {
    let dir = tempdir();
    let s = open(dir.path()).await;
    (dir, s)
}

/// A store with the bucket `bkt`, versioning enabled.
pub async fn versioned_store() -> (TestDir, Store) {
    let (dir, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    s.set_versioning("bkt", strata_core::VersioningStatus::Enabled)
        .await
        .unwrap();
    (dir, s)
}

pub fn ids(l: &strata_core::VersionListing) -> Vec<(String, strata_core::VersionId, bool, bool)> {
    l.entries
        .iter()
        .map(|e| (e.key.clone(), e.version_id, e.is_latest, e.object.is_none()))
        .collect()
}

/// The store's kept counts and a full scan's, read while the kept ones held still: the
/// reclaimer may commit between two reads (it removes garbage entries on its own).
pub fn settled_stats(
    store: &Store,
) -> (strata_core::meta::StoreStats, strata_core::meta::StoreStats) {
    loop {
        let before = store.stats().unwrap();
        let scanned = store.stats_by_scan().unwrap();
        if store.stats().unwrap() == before {
            return (before, scanned);
        }
    }
}

pub fn all_versions() -> strata_core::ListVersionsParams {
    strata_core::ListVersionsParams {
        max_keys: 1000,
        ..Default::default()
    }
}

pub fn all_uploads() -> strata_core::ListUploadsParams {
    strata_core::ListUploadsParams {
        max_uploads: 1000,
        ..Default::default()
    }
}

/// Every version and delete marker of `bucket`, page after page (keys ascending, each key
/// newest first).
pub fn every_version(store: &Store, bucket: &str) -> Vec<strata_core::ListedVersion> {
    let mut out = Vec::new();
    let (mut km, mut vm) = (None, None);
    loop {
        let p = strata_core::ListVersionsParams {
            key_marker: km,
            version_id_marker: vm,
            max_keys: 1000,
            ..Default::default()
        };
        let page = store.list_versions(bucket, &p).unwrap();
        out.extend(page.entries);
        if !page.is_truncated {
            return out;
        }
        km = page.next_key_marker;
        vm = page.next_version_id_marker.map(|v| v.to_string());
    }
}

/// A line to a crash test's parent, flushed at once (the parent may kill us next).
pub fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
