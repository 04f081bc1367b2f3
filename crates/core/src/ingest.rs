//! Body ingestion: a request body hashed and written as it arrives.
//!
//! A body that ends within its first [`CHUNK`] bytes is hashed and written in one step (on the
//! request's task when it stays inline, else on the blocking pool). A larger one goes down two
//! lanes on the blocking pool, each fed the same batches of about [`CHUNK`] bytes while the
//! request's task receives the next: the MD5 lane (the ETag: MD5 is serial and the slowest
//! digest, so this lane sets the pace) and the write lane (the other digests and the write to
//! the temporary file). The write lane also starts the file's writeback early: an `fdatasync`
//! on a third thread whenever the last one has finished and [`FLUSH_STEP`] more bytes were
//! written, so that the final fsync finds little left to write. Each lane's queue holds at most
//! [`QUEUE`] batches: a body has at most about `(QUEUE + 2) * CHUNK` bytes in memory, and a lane
//! that falls behind stops the receiving (TCP then holds the client back). The store also
//! bounds the batches queued for all bodies at once ([`BUDGET`]): a batch is queued only with
//! one of its permits, held until both lanes are done with it, so many large PUTs at once wait
//! for the lanes (and their clients for them) instead of each filling its own queues. At the end the
//! write lane makes the file durable (fsync, rename, fsync of its directory) while the MD5
//! lane finishes: the durability rule is [`BlobWriter::finish`]'s, unchanged.

use crate::blob::{BlobStore, BlobWriter, Extra, Written};
use crate::error::{CoreError, Result, StorageError};
use crate::store::{Store, blocking, joined};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use md5::{Digest as _, Md5};
use std::fs::File;
use std::io;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

/// Bytes gathered from a body before a batch goes to the lanes.
const CHUNK: usize = 512 << 10;
/// Batches each lane's queue holds.
const QUEUE: usize = 4;
/// Bytes written since the last early writeback before the next one starts.
const FLUSH_STEP: u64 = 8 << 20;

/// Batches queued for the lanes of all bodies at once, store-wide (a store's `ingest_budget`).
/// With 32 concurrent 64 MiB PUTs (2 cores), the server's peak RSS was 120–152 MiB without it
/// and 90–93 MiB with 8 (and [`CHUNK`] halved to 512 KiB: each body also holds the batch it is
/// gathering), at the same rate or better. Permits are held only by queued batches, which the lanes
/// take without waiting for any client: a stalled client holds none.
pub(crate) const BUDGET: usize = 8;

/// A batch queued for the lanes, with the budget's permit it holds until both have dropped it.
struct Held {
    chunks: Vec<Bytes>,
    _permit: OwnedSemaphorePermit,
}

type Batch = Arc<Held>;

enum ToWriter {
    Data(Batch),
    /// The body is complete: make it durable.
    End,
}

impl Store {
    /// Hashes and writes `body` (see the module's notes); the result is durable and not yet
    /// referred to by any metadata. A body that grows past
    /// [`MAX_OBJECT_SIZE`](crate::object::MAX_OBJECT_SIZE) (one that announced no size, or
    /// not this one) is refused there.
    pub(crate) async fn ingest<S>(&self, mut body: S, extra: Extra) -> Result<Written>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin,
    {
        let mut w = self.inner.blobs.writer(extra);
        let budget = &self.inner.ingest_budget;
        let mut gather = Gather::default();
        let first = loop {
            let Some(chunk) = body.next().await else {
                let len = gather.len;
                let pending = gather.take();
                let finish = move || {
                    for c in pending {
                        w.write(&c)?;
                    }
                    w.finish()
                };
                return if len <= self.inner.blobs.inline_max() {
                    Ok(finish().map_err(StorageError::from)?)
                } else {
                    blocking(finish).await
                };
            };
            if let Some(batch) = gather.add(chunk)? {
                break batch;
            }
        };
        let mut lanes = Lanes::start(w, budget.clone()).send(first).await?;
        while let Some(chunk) = body.next().await {
            match gather.add(chunk) {
                Ok(None) => {}
                Ok(Some(batch)) => lanes = lanes.send(batch).await?,
                Err(e) => {
                    // Its temporary file is gone once the error is returned.
                    let _ = lanes.failure().await;
                    return Err(e);
                }
            }
        }
        lanes.finish(gather.take(), &self.inner.blobs).await
    }
}

/// A body's chunks gathered into batches.
#[derive(Default)]
struct Gather {
    pending: Vec<Bytes>,
    len: usize,
    total: u64,
}

impl Gather {
    /// Adds a chunk; a batch once there are [`CHUNK`] bytes.
    fn add(&mut self, chunk: io::Result<Bytes>) -> Result<Option<Vec<Bytes>>> {
        let chunk = chunk.map_err(CoreError::Body)?;
        self.total += chunk.len() as u64;
        crate::object::check_size(Some(self.total))?;
        self.len += chunk.len();
        self.pending.push(chunk);
        Ok((self.len >= CHUNK).then(|| self.take()))
    }

    /// What is gathered.
    fn take(&mut self) -> Vec<Bytes> {
        self.len = 0;
        std::mem::take(&mut self.pending)
    }
}

/// The two lanes of a large body. Dropped before [`Lanes::finish`] (the body failed, or the
/// request went away), the lanes end at their queue's end and the write lane's temporary file
/// is removed.
struct Lanes {
    md5_tx: mpsc::Sender<Batch>,
    write_tx: mpsc::Sender<ToWriter>,
    md5: JoinHandle<[u8; 16]>,
    write: JoinHandle<io::Result<Option<Written>>>,
    budget: Arc<Semaphore>,
}

impl Lanes {
    fn start(mut w: BlobWriter, budget: Arc<Semaphore>) -> Lanes {
        let md5 = w.take_md5().unwrap_or_default();
        let (md5_tx, md5_rx) = mpsc::channel(QUEUE);
        let (write_tx, write_rx) = mpsc::channel(QUEUE);
        Lanes {
            md5_tx,
            write_tx,
            md5: tokio::task::spawn_blocking(move || md5_lane(md5, md5_rx)),
            write: tokio::task::spawn_blocking(move || write_lane(w, write_rx)),
            budget,
        }
    }

    /// Queues a batch for both lanes once the budget has a permit for it: permits are held
    /// only by queued batches, which the lanes take without waiting for any client, so a
    /// stalled client never holds one.
    async fn send(self, chunks: Vec<Bytes>) -> Result<Lanes> {
        // The budget is never closed.
        let Ok(permit) = self.budget.clone().acquire_owned().await else {
            return Err(self.failure().await);
        };
        let batch = Arc::new(Held {
            chunks,
            _permit: permit,
        });
        if self
            .write_tx
            .send(ToWriter::Data(batch.clone()))
            .await
            .is_err()
            || self.md5_tx.send(batch).await.is_err()
        {
            return Err(self.failure().await);
        }
        Ok(self)
    }

    /// Ends the lanes without an end of the body, and says why a lane stopped taking batches
    /// (the write lane's error, as a rule).
    async fn failure(self) -> CoreError {
        let Lanes {
            md5_tx,
            write_tx,
            write,
            ..
        } = self;
        drop((md5_tx, write_tx));
        match joined(write).await {
            Err(e) => e,
            Ok(_) => StorageError::Io(io::Error::other("the MD5 lane ended early")).into(),
        }
    }

    /// Sends what is left, and returns the body made durable, with all its digests.
    async fn finish(self, rest: Vec<Bytes>, blobs: &BlobStore) -> Result<Written> {
        let lanes = if rest.is_empty() {
            self
        } else {
            self.send(rest).await?
        };
        if lanes.write_tx.send(ToWriter::End).await.is_err() {
            return Err(lanes.failure().await);
        }
        let Lanes {
            md5_tx,
            write_tx,
            md5,
            write,
            ..
        } = lanes;
        // The lanes end at their queue's end.
        drop((md5_tx, write_tx));
        let Some(mut written) = joined(write).await? else {
            return Err(StorageError::Io(io::Error::other("the write lane ended early")).into());
        };
        match md5.await {
            Ok(md5) => {
                written.digests.md5 = md5;
                Ok(written)
            }
            Err(e) => {
                blobs.discard(&written);
                Err(StorageError::Io(io::Error::other(e.to_string())).into())
            }
        }
    }
}

fn md5_lane(mut md5: Md5, mut rx: mpsc::Receiver<Batch>) -> [u8; 16] {
    while let Some(batch) = rx.blocking_recv() {
        for c in &batch.chunks {
            md5.update(c);
        }
    }
    md5.finalize().into()
}

/// Writes and hashes (all but the MD5) until the end of the body, then makes it durable;
/// `None` when the queue closed without an end (dropping `w` removes its temporary file).
fn write_lane(mut w: BlobWriter, mut rx: mpsc::Receiver<ToWriter>) -> io::Result<Option<Written>> {
    let mut flusher = Flusher::default();
    while let Some(msg) = rx.blocking_recv() {
        match msg {
            ToWriter::Data(batch) => {
                for c in &batch.chunks {
                    w.write(c)?;
                }
                if let Some(file) = w.file() {
                    flusher.kick(file, w.len())?;
                }
            }
            ToWriter::End => {
                flusher.wait()?;
                return w.finish().map(Some);
            }
        }
    }
    Ok(None)
}

/// Early writeback of a temporary file: `fdatasync` on another thread of the blocking pool
/// while the write lane goes on. Its errors count as the final fsync's would: once a writeback
/// failed, the kernel reports it to one sync of the open file, which may be this one.
#[derive(Default)]
struct Flusher {
    running: Option<JoinHandle<io::Result<()>>>,
    /// The file's length when the last one started.
    started_at: u64,
}

impl Flusher {
    /// Starts a writeback of `file` (now `len` bytes) if the last one has finished and
    /// [`FLUSH_STEP`] bytes were written since it started.
    fn kick(&mut self, file: &Arc<File>, len: u64) -> io::Result<()> {
        if len < self.started_at + FLUSH_STEP
            || self.running.as_ref().is_some_and(|h| !h.is_finished())
        {
            return Ok(());
        }
        self.wait()?;
        let file = file.clone();
        self.running = Some(tokio::task::spawn_blocking(move || file.sync_data()));
        self.started_at = len;
        Ok(())
    }

    /// Waits for the writeback running, if any (from a blocking-pool thread).
    fn wait(&mut self) -> io::Result<()> {
        match self.running.take() {
            None => Ok(()),
            Some(h) => tokio::runtime::Handle::current()
                .block_on(h)
                .map_err(io::Error::other)?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;

    fn body(
        len: usize,
        seed: u8,
        fail: bool,
    ) -> impl Stream<Item = io::Result<Bytes>> + Send + Unpin {
        let data: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ seed)
            .collect();
        let mut chunks: Vec<io::Result<Bytes>> = data
            .chunks(64 << 10)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        if fail {
            chunks.push(Err(io::Error::other("the client went away")));
        }
        futures_util::stream::iter(chunks)
    }

    /// More large bodies at once than the budget has permits: all are written whole, a failing
    /// one among them too is refused, and every permit is back afterwards.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_budget_is_shared_and_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), StoreOptions::default())
            .await
            .unwrap();
        let budget = s.inner.ingest_budget.clone();
        let len = 3 * CHUNK + 1234;
        let puts = (0..3 * BUDGET).map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let fail = i % 7 == 3;
                let out = s.ingest(body(len, i as u8, fail), Extra::default()).await;
                (fail, out.map(|w| (w.digests.len, w.digests.md5)))
            })
        });
        let mut results = Vec::new();
        for put in puts.collect::<Vec<_>>() {
            results.push(put.await.unwrap());
        }
        for (i, (fail, out)) in results.into_iter().enumerate() {
            if fail {
                assert!(out.is_err(), "body {i}");
                continue;
            }
            let (written, md5) = out.unwrap();
            assert_eq!(written, len as u64, "body {i}");
            let data: Vec<u8> = (0..len)
                .map(|j| (j as u8).wrapping_mul(31) ^ i as u8)
                .collect();
            assert_eq!(md5, <[u8; 16]>::from(Md5::digest(&data)), "body {i}");
        }
        assert_eq!(budget.available_permits(), BUDGET, "every permit is back");
    }
}
