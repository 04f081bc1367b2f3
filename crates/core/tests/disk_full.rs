//! Disk full: a store on a small tmpfs is filled until writes fail; the failure is clean,
//! nothing half-written is visible, and once deletes free space, writes work again.
//!
//! Needs root (to mount a tmpfs); elsewhere it says so and checks nothing.

mod common;
use common::*;
use std::process::Command;
use strata_core::*;

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn tmpfs(dir: &std::path::Path, size: &str) -> Option<Mount> {
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(dir.to_owned()))
}

/// A store with the bucket `full` on a fresh tmpfs of `size` (`None` where none can be mounted).
async fn store_on_tmpfs(
    dir: &std::path::Path,
    size: &str,
    min_free_bytes: u64,
) -> Option<(Mount, Store)> {
    let Some(mount) = tmpfs(dir, size) else {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return None;
    };
    let opts = StoreOptions {
        min_free_bytes,
        ..Default::default()
    };
    let s = Store::open(dir, opts).await.unwrap();
    s.create_bucket("full", "").await.unwrap();
    Some((mount, s))
}

/// Puts `chunk` as `k0`, `k1`, … (at most `tries` of them) until a put is refused: what was
/// stored, and the refusal.
async fn fill(
    s: &Store,
    chunk: &[u8],
    tries: u32,
) -> (Vec<(String, VersionId)>, Option<CoreError>) {
    let mut stored = Vec::new();
    for i in 0..tries {
        let key = format!("k{i}");
        match try_put(s, "full", &key, chunk).await {
            Ok(out) => stored.push((key, out.version_id)),
            Err(e) => return (stored, Some(e)),
        }
    }
    (stored, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_cleanly_and_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_mount, s)) = store_on_tmpfs(dir.path(), "24m", 4 << 20).await else {
        return;
    };
    s.set_versioning("full", VersioningStatus::Enabled)
        .await
        .unwrap();
    let chunk = data(1 << 20, 7);
    let (stored, refused) = fill(&s, &chunk, 100).await;
    let refused = refused.expect("a 24 MiB disk cannot hold 100 MiB");
    eprintln!("stored {} objects, then: {refused}", stored.len());
    assert!(refused.is_disk_full(), "{refused:?}");
    assert!(
        s.fsck().unwrap().is_clean(),
        "nothing half-written is visible"
    );
    // Deletes still work on a full disk, and free space.
    let entries: Vec<_> = stored
        .iter()
        .map(|(k, v)| DeleteEntry {
            key: k.clone(),
            version_id: Some(v.to_string()),
        })
        .collect();
    s.delete_objects("full", entries).await.unwrap();
    s.reclaim_now().await.unwrap();
    let f = s.fsck().unwrap();
    assert!(f.is_clean(), "{f:?}");
    // Space is back: writes work again.
    put(&s, "full", "again", &chunk).await;
    assert_eq!(get(&s, "full", "again", None).await.unwrap(), chunk);
}

/// Without a reserve, the metadata commit itself runs out of space: the engine refuses every
/// write after such an I/O error until it is reopened, which the store does by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metadata_engine_recovers_from_a_full_disk_in_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_mount, s)) = store_on_tmpfs(dir.path(), "8m", 0).await else {
        return;
    };
    // Leave a little room, then fill it with small (inline) objects.
    let filler = dir.path().join("filler");
    let free = {
        let st = rustix::fs::statvfs(dir.path()).unwrap();
        st.f_bavail * st.f_frsize
    };
    std::fs::write(&filler, vec![0u8; free.saturating_sub(1 << 20) as usize]).unwrap();
    let chunk = data(8 << 10, 7);
    let (stored, refused) = fill(&s, &chunk, 2000).await;
    let refused = refused.expect("1 MiB cannot hold 16 MiB of objects");
    assert!(refused.is_disk_full(), "{refused:?}");
    // The engine was reopened before the refusal was answered: a read straight after it
    // finds the store, while the disk is still full.
    assert!(!stored.is_empty());
    assert_eq!(get(&s, "full", "k0", None).await.unwrap(), chunk);
    std::fs::remove_file(&filler).unwrap();
    // Writes work again at once, and what was acknowledged is there.
    try_put(&s, "full", "again", b"x")
        .await
        .expect("the first write after space came back");
    for (key, _) in &stored {
        assert_eq!(get(&s, "full", key, None).await.unwrap(), chunk);
    }
    assert!(s.fsck().unwrap().is_clean());
}
