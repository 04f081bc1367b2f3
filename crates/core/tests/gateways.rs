//! Gateways over one PostgreSQL store and one data directory (`Store`s opened with the same
//! `metadata` and directory, as `strata serve --metadata` processes are): each sees what the
//! others commit; a sweep never removes what a live run may still commit (its blob files and
//! partial writes), and removes a dead run's leftovers once the run is declared dead.
//! Runs with `STRATA_TEST_PG` (scripts/test-pg); the real binaries over HTTP are
//! `crates/cli/tests/gateways.rs`'s.

mod common;

use common::{data, get, put};
use std::path::{Path, PathBuf};
use strata_core::{Store, StoreOptions};

async fn gateway(dir: &Path, name: &str) -> Store {
    Store::open(
        dir,
        StoreOptions {
            inline_max: 64,
            metadata: Some(common::pg::metadata(dir).expect("STRATA_TEST_PG is not set")),
            gateway_name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Every blob file under `dir`, by ID.
fn blob_files(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(dir.join("blobs")).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let f = f.unwrap();
            if let Some(id) = f
                .file_name()
                .to_str()
                .and_then(|n| u64::from_str_radix(n, 16).ok())
            {
                out.push((id, f.path()));
            }
        }
    }
    out
}

fn epoch_of(id: u64) -> u64 {
    id >> 40
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn gateways_share_one_store_and_sweep_only_dead_runs() {
    let dir = common::tempdir();
    let a = gateway(dir.path(), "a").await;
    let b = gateway(dir.path(), "b").await;
    a.create_bucket("bkt", "").await.unwrap();
    put(&a, "bkt", "from-a", &data(5000, 1)).await;
    put(&b, "bkt", "from-b", &data(6000, 2)).await;
    assert_eq!(get(&b, "bkt", "from-a", None).await.unwrap(), data(5000, 1));
    assert_eq!(get(&a, "bkt", "from-b", None).await.unwrap(), data(6000, 2));

    // A file of run a that no metadata refers to yet (a write in flight), and a partial write.
    let files = blob_files(dir.path());
    let (a_id, a_path) = files
        .iter()
        .find(|(_, p)| std::fs::read(p).unwrap() == data(5000, 1))
        .cloned()
        .unwrap();
    let a_epoch = epoch_of(a_id);
    let in_flight = a_path.with_file_name(format!("{:016x}", a_id + 1_000));
    std::fs::write(&in_flight, b"not yet committed").unwrap();
    let a_tmp = dir.path().join("tmp").join(format!("{a_epoch:06x}"));
    std::fs::write(a_tmp.join("partial"), b"p").unwrap();

    // Neither b's sweep nor a third gateway's start-up sweep touches a live run's files.
    assert_eq!(b.sweep().await.unwrap(), 0);
    let c = gateway(dir.path(), "c").await;
    assert_eq!(c.sweep().await.unwrap(), 0);
    assert!(in_flight.exists() && a_tmp.join("partial").exists());

    // a dies; a gateway started under its name declares it dead and sweeps what it left,
    // and nothing committed.
    drop(a);
    let a2 = gateway(dir.path(), "a").await;
    let mut swept = false;
    for _ in 0..200 {
        if !in_flight.exists() && !a_tmp.exists() {
            swept = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(swept, "the dead run's leftovers are still there");
    assert!(a_path.exists(), "a committed blob was swept");
    for s in [&a2, &b, &c] {
        assert_eq!(get(s, "bkt", "from-a", None).await.unwrap(), data(5000, 1));
        assert_eq!(get(s, "bkt", "from-b", None).await.unwrap(), data(6000, 2));
    }
    let f = a2.fsck().unwrap();
    assert!(f.is_clean(), "{f:?}");
}

/// Writes of one key through several gateways at once: each acknowledged version is there
/// once, and a client's later write is the newer one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn concurrent_writes_through_gateways_keep_one_order() {
    let dir = common::tempdir();
    let mut gws = Vec::new();
    for n in ["g1", "g2", "g3"] {
        gws.push(gateway(dir.path(), n).await);
    }
    gws[0].create_bucket("bkt", "").await.unwrap();
    gws[0]
        .set_versioning("bkt", strata_core::VersioningStatus::Enabled)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for client in 0..12u8 {
        let gws = gws.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for n in 0..8u8 {
                let s = &gws[(client as usize + n as usize) % 3];
                let out = put(s, "bkt", "k", &data(100, client * 16 + n)).await;
                mine.push(out.version_id);
            }
            mine
        }));
    }
    let mut acknowledged = Vec::new();
    let listing = loop {
        let Some(t) = tasks.pop() else {
            break common::every_version(&gws[1], "bkt");
        };
        acknowledged.push(t.await.unwrap());
    };
    let order: Vec<_> = listing.iter().map(|v| v.version_id).collect();
    assert_eq!(order.len(), 12 * 8);
    for mine in &acknowledged {
        let positions: Vec<usize> = mine
            .iter()
            .map(|v| {
                order
                    .iter()
                    .position(|o| o == v)
                    .expect("a version is missing")
            })
            .collect();
        // Newest first: a later write of the same client sits before its earlier one.
        assert!(positions.windows(2).all(|w| w[0] > w[1]), "{positions:?}");
    }
}
