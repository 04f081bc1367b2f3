//! Reclaiming space: removing the files of blobs whose last reference is gone, and sweeping
//! the leftovers of dead runs (see [`crate::blob`] and the store's background task).

use crate::error::Result;
use crate::store::{EPOCH_COUNTER, Store, blocking};
use std::io;
use std::sync::atomic::Ordering;

impl Store {
    /// Removes the files of blobs whose last reference is gone. Returns how many.
    pub async fn reclaim_garbage(&self) -> Result<usize> {
        let mut total = 0;
        loop {
            let ids = self.read()?.garbage(1000)?;
            if ids.is_empty() {
                return Ok(total);
            }
            let blobs = self.inner.blobs.clone();
            let files = ids.clone();
            blocking(move || blobs.remove_files(&files)).await?;
            total += ids.len();
            self.inner
                .freed_files
                .fetch_add(ids.len(), Ordering::Relaxed);
            self.write(
                |_| Ok(()),
                move |txn, ()| {
                    for id in ids {
                        txn.remove_garbage(id)?;
                    }
                    Ok(())
                },
            )
            .await?;
        }
    }

    /// Removes blob files of dead runs that nothing refers to (left by a crash between a
    /// blob's rename and its metadata commit, or by a commit of unknown outcome), and their
    /// partial writes. Returns how many blob files. A run is dead when its epoch was taken
    /// (it is not above the epoch counter read in the same snapshot: runs that start later
    /// have higher ones) and it is not live: for the embedded store every run but this one,
    /// for a shared store every run without a `gateways` row (see [`crate::blob`]).
    pub async fn sweep(&self) -> Result<usize> {
        let store = self.clone();
        let swept = blocking(move || {
            let read = store.inner.meta.read().map_err(io::Error::other)?;
            let newest = read.counter(EPOCH_COUNTER).map_err(io::Error::other)?;
            let live = read.live_runs().map_err(io::Error::other)?;
            let is_dead =
                |epoch: u64| epoch <= newest && live.as_ref().is_none_or(|l| !l.contains(&epoch));
            store
                .inner
                .blobs
                .sweep(is_dead, |id| Ok(read.blob(id)?.is_some()))
                .map_err(io::Error::other)
        })
        .await?;
        self.inner.swept_files.fetch_add(swept, Ordering::Relaxed);
        Ok(swept)
    }

    /// Metadata commits since this store was opened, and the operations they carried.
    pub fn commit_stats(&self) -> crate::meta::CommitStats {
        self.inner.meta.commit_stats()
    }

    /// Files removed since this store was opened: (blobs freed by deletes, leftovers of
    /// earlier runs swept).
    pub fn reclaim_stats(&self) -> (usize, usize) {
        (
            self.inner.freed_files.load(Ordering::Relaxed),
            self.inner.swept_files.load(Ordering::Relaxed),
        )
    }

    /// Reclaims everything reclaimable now: freed blobs, then leftovers of earlier runs.
    pub async fn reclaim_now(&self) -> Result<(usize, usize)> {
        let freed = self.reclaim_garbage().await?;
        let swept = self.sweep().await?;
        Ok((freed, swept))
    }
}
