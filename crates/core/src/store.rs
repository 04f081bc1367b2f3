//! The store: opening a data directory, the write path shared by every operation, and
//! buckets (reclaiming space: `reclaim.rs`).

use crate::blob::{BlobStore, Placed, Written};
use crate::error::{CoreError, Result, StorageError};
use crate::meta::pg_store::PgMeta;
use crate::meta::redb_store::RedbMeta;
use crate::meta::{
    BucketRecord, Flow, MetaStore, OpOutcome, ReadTxn, Start, StorageResult, WriteTxn,
};
use crate::version::{Versioning, VersioningStatus};
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Notify, oneshot};

/// Tunables of a store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Bodies up to this many bytes are kept in the metadata store instead of a file.
    pub inline_max: usize,
    /// Writes that add data are refused (disk full) while less than this much space is free,
    /// so that deletes, which need a little room for their metadata, always can free space.
    pub min_free_bytes: u64,
    /// Memory the metadata engine may use to cache its pages (redb's own default is 1 GiB).
    pub meta_cache_bytes: usize,
    /// The wall clock retention reads (the system's; tests set their own).
    pub wall_clock: crate::clock::WallClock,
    /// How long a lifecycle day is (`strata serve --lifecycle-day`).
    pub lifecycle_days: crate::lifecycle::Days,
    /// Compact the metadata file once no client request began and no metadata commit was made
    /// for this long, if worth it
    /// (see [`crate::compact`]); `None` (or zero): never by itself. `strata serve` sets
    /// `--compact-idle-after` (default 30 s).
    pub compact_idle_after: Option<std::time::Duration>,
    /// Where the metadata lives: `None`, the embedded redb file in the data directory; or a
    /// `postgres://` (`postgresql://`) URL of a PostgreSQL database (`strata serve
    /// --metadata`). Object data stays in the data directory either way.
    pub metadata: Option<String>,
    /// This gateway's name among the gateways sharing a PostgreSQL store (`strata serve
    /// --gateway-name`, by default `HOST:PORT`): a gateway that starts under the name of an
    /// earlier run declares that run dead and sweeps its leftovers. `None`: `HOST/PID`.
    /// Unused by the embedded store.
    pub gateway_name: Option<String>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            inline_max: 16 * 1024,
            min_free_bytes: 32 << 20,
            meta_cache_bytes: 32 << 20,
            wall_clock: Default::default(),
            lifecycle_days: crate::lifecycle::Days::REAL,
            compact_idle_after: None,
            metadata: None,
            gateway_name: None,
        }
    }
}

/// A bucket as the dialects see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketInfo {
    pub name: String,
    pub created_ms: i64,
    pub versioning: Versioning,
    /// The creator's owner ID ("" for buckets from before owners were recorded).
    pub owner: String,
}

impl BucketInfo {
    fn from_record(name: String, rec: BucketRecord) -> BucketInfo {
        BucketInfo {
            name,
            created_ms: rec.created_ms,
            versioning: rec.versioning,
            owner: rec.owner,
        }
    }

    /// Whether `owner` may see it as theirs.
    pub fn is_owned_by(&self, owner: &str) -> bool {
        self.owner.is_empty() || self.owner == owner
    }
}

/// What deleting a bucket does with its incomplete multipart uploads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteBucketMode {
    /// They make the bucket not empty (OSS, BOS).
    RefuseUploads,
    /// They are aborted with the bucket, their parts' blobs released (S3).
    AbortUploads,
}

/// The object store over one data directory. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) meta: Box<dyn MetaStore>,
    pub(crate) blobs: Arc<BlobStore>,
    /// Batches of large bodies queued for their lanes, store-wide (see [`crate::ingest`]).
    pub(crate) ingest_budget: Arc<tokio::sync::Semaphore>,
    reclaim: Arc<Notify>,
    min_free_bytes: u64,
    pub(crate) freed_files: AtomicUsize,
    pub(crate) swept_files: AtomicUsize,
    dir: PathBuf,
    /// Buckets' compiled access configurations between requests (see [`crate::owners`]).
    pub(crate) access: crate::owners::Owners,
    /// Now, for retention and for new versions' times: never going back.
    pub(crate) clock: Arc<crate::clock::Clock>,
    /// Lifecycle's day, cached rules and executor (see [`crate::lifecycle`]).
    pub(crate) lifecycle: crate::lifecycle::State,
    /// Buckets' CORS configurations between requests (see [`crate::cors`]).
    pub(crate) cors: crate::cors::State,
    /// The idle compaction task (see [`crate::compact`]).
    pub(crate) compaction: crate::compact::State,
    /// Set by [`Store::close`]: the background task ends at its next wake.
    pub(crate) closing: std::sync::atomic::AtomicBool,
    /// The background task (sweep, then reclaim), awaited by [`Store::close`].
    background: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    _lock: File,
}

pub(crate) const EPOCH_COUNTER: &str = "epoch";

/// Stores `now_ms` as the latest time shown (see [`crate::clock`]).
pub(crate) fn persist_clock(txn: &mut dyn WriteTxn, now_ms: i64) -> StorageResult<()> {
    txn.put_setting(
        crate::clock::CLOCK_SETTING,
        &crate::clock::Clock::encode(now_ms),
    )
}

/// This machine's name (for gateways' default names and the `gateways` table); `localhost`
/// when it cannot be read.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, which it locks for this process.
    pub async fn open(dir: &Path, opts: StoreOptions) -> Result<Store> {
        let dir_err = |source: io::Error| CoreError::DataDir {
            path: dir.display().to_string(),
            source,
        };
        if !dir.exists() {
            // Object data is private to the server's user.
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(dir_err)?;
        }
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("LOCK"))
            .map_err(dir_err)?;
        // The embedded store is one process's; gateways over a shared metadata store share
        // the directory (each writes files named by its own run), and keep the embedded
        // store's server out while any of them runs.
        let locked = if opts.metadata.is_some() {
            lock.try_lock_shared()
        } else {
            lock.try_lock()
        };
        match locked {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(CoreError::DataDirLocked(dir.display().to_string()));
            }
            Err(fs::TryLockError::Error(e)) => return Err(dir_err(e)),
        }
        if let Some(url) = &opts.metadata
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(CoreError::InvalidArgument(
                "the metadata location must be a postgres:// URL".into(),
            ));
        }
        let mark = crate::dirmark::claim(dir, opts.metadata.is_some()).map_err(dir_err)?;
        let meta: Box<dyn MetaStore> = match &opts.metadata {
            None => Box::new(RedbMeta::open(
                &dir.join("meta.redb"),
                opts.meta_cache_bytes,
            )?),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Box::new(PgMeta::open(url)?)
            }
            Some(_) => {
                return Err(CoreError::InvalidArgument(
                    "the metadata location must be a postgres:// URL".into(),
                ));
            }
        };
        let clock = Arc::new(crate::clock::Clock::new(opts.wall_clock.clone()));
        let epoch = {
            let (tx, rx) = oneshot::channel();
            let clock = clock.clone();
            let name = opts
                .gateway_name
                .clone()
                .unwrap_or_else(|| format!("{}/{}", host_name(), std::process::id()));
            let store_id = match &mark {
                crate::dirmark::Mark::Postgres(id) => Some(id.clone()),
                crate::dirmark::Mark::Embedded => None,
            };
            meta.submit(Box::new(move |txn: &mut dyn WriteTxn| {
                // The database's store ID must be the directory's (the first start sets it).
                let stored = match &store_id {
                    Some(_) => txn.setting(crate::dirmark::STORE_ID_SETTING),
                    None => Ok(None),
                };
                let r = stored.and_then(|stored| match (&store_id, stored) {
                    (Some(id), Some(s)) if s != id.as_bytes() => Ok(Err(())),
                    (Some(id), None) => txn
                        .put_setting(crate::dirmark::STORE_ID_SETTING, id.as_bytes())
                        .map(Ok),
                    _ => Ok(Ok(())),
                });
                let r = r.and_then(|ours| match ours {
                    Err(()) => Ok(None),
                    Ok(()) => txn.counter(EPOCH_COUNTER).map(Some),
                });
                let r = r.and_then(|e| {
                    let Some(e) = e else { return Ok(None) };
                    txn.set_counter(EPOCH_COUNTER, e + 1)?;
                    txn.register_run(e + 1, &name)?;
                    // The latest time an earlier run showed, so this one does not go back.
                    if let Some(ms) = txn
                        .setting(crate::clock::CLOCK_SETTING)?
                        .as_deref()
                        .and_then(crate::clock::Clock::decode)
                    {
                        clock.observe(ms);
                    }
                    persist_clock(txn, clock.now_ms())?;
                    Ok(Some(e + 1))
                });
                let poisoned = r.is_err();
                OpOutcome {
                    poisoned,
                    completion: Box::new(move |c| {
                        let _ = tx.send(c.and(r));
                    }),
                }
            }))?;
            rx.await.map_err(|_| dropped())??.ok_or_else(|| {
                dir_err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "its files belong to another metadata database than --metadata's \
                     (their store IDs differ)",
                ))
            })?
        };
        let blobs = BlobStore::open(dir, epoch, opts.inline_max).map_err(dir_err)?;
        let store = Store {
            inner: Arc::new(Inner {
                meta,
                blobs: Arc::new(blobs),
                ingest_budget: Arc::new(tokio::sync::Semaphore::new(crate::ingest::BUDGET)),
                reclaim: Arc::new(Notify::new()),
                min_free_bytes: opts.min_free_bytes,
                freed_files: AtomicUsize::new(0),
                swept_files: AtomicUsize::new(0),
                dir: dir.to_owned(),
                access: Default::default(),
                clock,
                lifecycle: crate::lifecycle::State::new(opts.lifecycle_days),
                cors: Default::default(),
                compaction: crate::compact::State::new(opts.compact_idle_after),
                closing: Default::default(),
                background: Default::default(),
                _lock: lock,
            }),
        };
        let weak = Arc::downgrade(&store.inner);
        let wake = store.inner.reclaim.clone();
        let task = tokio::spawn(async move {
            // Leftovers of earlier runs first, then whatever deletes free from now on.
            if let Some(inner) = weak.upgrade() {
                let s = Store { inner };
                if let Err(e) = s.sweep().await {
                    tracing::warn!(%e, "sweeping unreferenced blobs failed");
                }
            }
            // The live runs of a shared store last seen: when one of them is found dead, its
            // leftovers are swept.
            let mut live: Option<Vec<u64>> = None;
            loop {
                let Some(inner) = weak.upgrade() else { return };
                if inner.closing.load(Ordering::Acquire) {
                    return;
                }
                let s = Store { inner };
                if let Err(e) = s.reclaim_garbage().await {
                    tracing::warn!(%e, "reclaiming space failed");
                }
                let now_live = s.read().and_then(|r| Ok(r.live_runs()?));
                if let Ok(Some(now)) = now_live {
                    let died = live
                        .as_ref()
                        .is_some_and(|was| was.iter().any(|e| !now.contains(e)));
                    live = Some(now);
                    if died && let Err(e) = s.sweep().await {
                        tracing::warn!(%e, "sweeping a dead gateway's leftovers failed");
                    }
                }
                drop(s);
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
                }
            }
        });
        *store
            .inner
            .background
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(task);
        store.start_idle_compaction();
        Ok(store)
    }

    /// Closes the store: ends its background task (after the sweep or reclaim in progress)
    /// and drops this handle, so that once no other clone is left the data directory's lock
    /// is released before this returns (dropping a `Store` releases it only when its
    /// background task next wakes). For a process that opens the same directory again.
    pub async fn close(self) {
        self.inner.closing.store(true, Ordering::Release);
        self.inner.reclaim.notify_one();
        self.inner.lifecycle.wake.notify_one();
        let task = self
            .inner
            .background
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
        self.inner.compaction.close().await;
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.dir
    }

    pub(crate) fn read(&self) -> Result<Box<dyn ReadTxn + '_>> {
        Ok(self.inner.meta.read()?)
    }

    /// Runs one operation in the next write batch and returns its result once the batch is
    /// durable. The operation comes in two steps, split by their types:
    ///
    /// - `check` reads (inside the batch's transaction, so it sees every earlier operation of
    ///   the batch) and may refuse with any [`CoreError`]; it cannot write, having only a
    ///   [`ReadTxn`]. What it found is handed on as a plan.
    /// - `apply` carries the plan out. It can fail only with a [`StorageError`] (the engine
    ///   failed), which is the one kind of failure that may abort the batch: a client error
    ///   cannot be returned after a write, so one client's refusal never fails the others.
    pub(crate) async fn write<P: 'static, T: Send + 'static>(
        &self,
        check: impl FnOnce(&dyn ReadTxn) -> Result<P> + Send + 'static,
        apply: impl FnOnce(&mut dyn WriteTxn, P) -> StorageResult<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .meta
            .submit(Box::new(move |txn: &mut dyn WriteTxn| {
                let (result, poisoned) = match check(&*txn) {
                    Err(refused) => (Err(refused), false),
                    Ok(plan) => {
                        let before = txn.writes();
                        match apply(txn, plan) {
                            Ok(v) => (Ok(v), false),
                            Err(e) => {
                                let poisoned = txn.writes() != before;
                                (Err(CoreError::from(e)), poisoned)
                            }
                        }
                    }
                };
                OpOutcome {
                    poisoned,
                    completion: Box::new(move |commit| {
                        let _ = tx.send(match commit {
                            Ok(()) => result,
                            Err(e) => Err(e.into()),
                        });
                    }),
                }
            }))?;
        rx.await.map_err(|_| dropped())?
    }

    /// Like [`Store::write`] for an operation that publishes a freshly written blob: the blob
    /// is removed again if the operation is refused or the batch fails.
    pub(crate) async fn write_with_blob<P: 'static, T: Send + 'static>(
        &self,
        written: Written,
        check: impl FnOnce(&dyn ReadTxn) -> Result<P> + Send + 'static,
        apply: impl FnOnce(&mut dyn WriteTxn, P, &Written) -> StorageResult<T> + Send + 'static,
    ) -> Result<T> {
        let (id, is_file) = (written.id, matches!(written.placed, Placed::File));
        let result = self
            .write(check, move |txn, plan| apply(txn, plan, &written))
            .await;
        // After a commit of unknown outcome the blob may be referred to: it stays, and the
        // sweep removes it if it is not.
        let unknown = matches!(
            &result,
            Err(CoreError::Storage(StorageError::CommitUnknown(_)))
        );
        if result.is_err() && is_file && !unknown {
            let _ = fs::remove_file(self.inner.blobs.path(id));
        }
        result
    }

    /// Refuses a write that adds `incoming` bytes (when known) if the data directory's file
    /// system would be left with less than the reserve.
    pub(crate) fn check_room(&self, incoming: Option<u64>) -> Result<()> {
        let st = rustix::fs::statvfs(&self.inner.dir)
            .map_err(|e| StorageError::from(io::Error::from(e)))?;
        let free = st.f_bavail.saturating_mul(st.f_frsize);
        if free
            < self
                .inner
                .min_free_bytes
                .saturating_add(incoming.unwrap_or(0))
        {
            return Err(StorageError::Full.into());
        }
        Ok(())
    }

    /// Whether the store can serve: a read transaction opens and the data directory has room
    /// for writes (the admin listener's `/ready`).
    pub fn ready(&self) -> Result<()> {
        drop(self.read()?);
        self.check_room(None)
    }

    /// Wakes the reclaimer after an operation freed blobs.
    pub(crate) fn freed_space(&self) {
        self.inner.reclaim.notify_one();
    }

    // ----- buckets -----

    /// Creates a private bucket owned by `owner` (an owner ID). An existing bucket is
    /// [`CoreError::BucketAlreadyExists`], saying whether `owner` is its owner.
    pub async fn create_bucket(&self, name: &str, owner: &str) -> Result<()> {
        let access = crate::meta::BucketAccessRecord {
            acl: crate::access::acl::private(owner),
            ..Default::default()
        };
        self.create_bucket_with(name, owner, access, false).await
    }

    pub fn bucket(&self, name: &str) -> Result<BucketInfo> {
        let rec = self.read()?.bucket(name)?.ok_or(CoreError::NoSuchBucket)?;
        Ok(BucketInfo::from_record(name.to_owned(), rec))
    }

    pub fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        Ok(self
            .read()?
            .buckets()?
            .into_iter()
            .map(|(name, rec)| BucketInfo::from_record(name, rec))
            .collect())
    }

    /// Deletes an empty bucket. Any version or delete marker left makes it
    /// [`CoreError::BucketNotEmpty`]; so do incomplete multipart uploads under
    /// [`DeleteBucketMode::RefuseUploads`], while [`DeleteBucketMode::AbortUploads`] aborts them
    /// in the same transaction.
    pub async fn delete_bucket(&self, name: &str, mode: DeleteBucketMode) -> Result<()> {
        let name = name.to_owned();
        let check_name = name.clone();
        let deleted = self
            .write(
                move |txn| {
                    if txn.bucket(&check_name)?.is_none() {
                        return Err(CoreError::NoSuchBucket);
                    }
                    let empty = match mode {
                        DeleteBucketMode::RefuseUploads => txn.bucket_is_empty(&check_name)?,
                        DeleteBucketMode::AbortUploads => {
                            let mut versions = false;
                            txn.scan_versions(&check_name, Start::First, &mut |_, _| {
                                versions = true;
                                Flow::Stop
                            })?;
                            !versions
                        }
                    };
                    if !empty {
                        return Err(CoreError::BucketNotEmpty);
                    }
                    let mut uploads = Vec::new();
                    txn.scan_uploads(&check_name, None, &mut |id, _| {
                        uploads.push(id.to_owned());
                        Flow::Continue
                    })?;
                    Ok(uploads)
                },
                move |txn, uploads| {
                    for upload_id in uploads {
                        crate::multipart::drop_upload(txn, &name, &upload_id)?;
                    }
                    crate::lifecycle::forget_bucket(txn, &name)?;
                    crate::cors::forget_bucket(txn, &name)?;
                    crate::tagging::forget_bucket(txn, &name)?;
                    txn.remove_bucket(&name)?;
                    crate::owners::config_changed(txn)
                },
            )
            .await;
        self.inner.access.changed();
        self.lifecycle_changed();
        self.inner.cors.changed();
        deleted?;
        self.freed_space();
        Ok(())
    }

    /// Sets the bucket's versioning. Suspending is refused while Object Lock is enabled or a
    /// WORM rule is in force ([`RetentionError::InvalidBucketState`]).
    ///
    /// [`RetentionError::InvalidBucketState`]: crate::retention::RetentionError::InvalidBucketState
    pub async fn set_versioning(&self, name: &str, status: VersioningStatus) -> Result<()> {
        let name = name.to_owned();
        let check_name = name.clone();
        let clock = self.inner.clock.clone();
        self.write(
            move |txn| {
                let rec = txn.bucket(&check_name)?.ok_or(CoreError::NoSuchBucket)?;
                if status == VersioningStatus::Suspended
                    && rec.retention.pins_versioning(clock.now_ms())
                {
                    return Err(crate::retention::RetentionError::InvalidBucketState(
                        "versioning cannot be suspended while Object Lock or a retention policy is on",
                    )
                    .into());
                }
                Ok(rec)
            },
            move |txn, mut rec| {
                rec.versioning = match status {
                    VersioningStatus::Enabled => Versioning::Enabled,
                    VersioningStatus::Suspended => Versioning::Suspended,
                };
                txn.put_bucket(&name, &rec)
            },
        )
        .await
    }
}

/// An operation the metadata writer dropped without running it (its batch could not begin:
/// the store was out of reach, or the writer stopped).
fn dropped() -> StorageError {
    StorageError::Unavailable("the metadata store did not run the operation".into())
}

/// Runs blocking file work on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T> {
    joined(tokio::task::spawn_blocking(f)).await
}

/// The outcome of blocking file work already started on the pool (a panic in it is an I/O
/// error).
pub(crate) async fn joined<T>(work: tokio::task::JoinHandle<io::Result<T>>) -> Result<T> {
    match work.await {
        Ok(r) => Ok(r.map_err(StorageError::from)?),
        Err(e) => Err(StorageError::Io(io::Error::other(e.to_string())).into()),
    }
}

/// Bucket names: 3 to 63 characters of lowercase letters, digits, `-` and `.`, starting and
/// ending with a letter or digit, no `..`, and not an IP address (S3's rules, which OSS and BOS
/// narrow further in their dialects).
pub fn validate_bucket_name(name: &str) -> Result<()> {
    let bad = |why: &str| Err(CoreError::InvalidBucketName(format!("{name:?}: {why}")));
    if !(3..=63).contains(&name.len()) {
        return bad("must be 3 to 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.'))
    {
        return bad("only lowercase letters, digits, '-' and '.' are allowed");
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(name.as_bytes()[0]) || !edge(name.as_bytes()[name.len() - 1]) {
        return bad("must start and end with a letter or digit");
    }
    if name.contains("..") {
        return bad("must not contain '..'");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return bad("must not be an IP address");
    }
    Ok(())
}

/// What makes an object key valid, as data: one policy, each dialect's limits a value of it.
/// Every key is UTF-8 (Rust strings are) and not empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRules {
    /// The longest key, in bytes.
    pub max_len: usize,
    /// Characters a key may not start with.
    pub forbidden_first: &'static [char],
}

impl KeyRules {
    /// The rules every write of the core applies (S3's): 1 to 1024 bytes.
    pub const COMMON: KeyRules = KeyRules {
        max_len: 1024,
        forbidden_first: &[],
    };
    /// OSS object names: 1 to 1023 bytes, not starting with `/` or `\`.
    pub const OSS: KeyRules = KeyRules {
        max_len: 1023,
        forbidden_first: &['/', '\\'],
    };
    /// BOS object keys: 1 to 1024 bytes.
    pub const BOS: KeyRules = KeyRules::COMMON;

    /// Whether `key` follows these rules; if not, [`CoreError::InvalidKey`] saying why.
    pub fn check(&self, key: &str) -> Result<()> {
        if key.is_empty() || key.len() > self.max_len {
            return Err(CoreError::InvalidKey(format!(
                "a key is 1 to {} bytes, this one is {}",
                self.max_len,
                key.len()
            )));
        }
        if let Some(c) = key
            .chars()
            .next()
            .filter(|c| self.forbidden_first.contains(c))
        {
            return Err(CoreError::InvalidKey(format!(
                "a key may not start with {c:?}"
            )));
        }
        Ok(())
    }
}

/// Object keys as every write of the core takes them: [`KeyRules::COMMON`].
pub fn validate_key(key: &str) -> Result<()> {
    KeyRules::COMMON.check(key)
}

/// The first entry of a key (its current version or delete marker), if any.
pub(crate) fn current_entry(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
) -> StorageResult<Option<crate::meta::VersionRecord>> {
    txn.current_version(bucket, key)
}

impl Written {
    pub(crate) fn blob_record(&self) -> crate::meta::BlobRecord {
        crate::meta::BlobRecord {
            refs: 1,
            body: match &self.placed {
                Placed::Inline(bytes) => crate::meta::BlobBody::Inline(bytes.clone()),
                Placed::File => crate::meta::BlobBody::File,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules_are_data() {
        assert!(KeyRules::COMMON.check(&"k".repeat(1024)).is_ok());
        assert!(KeyRules::COMMON.check(&"k".repeat(1025)).is_err());
        assert!(KeyRules::COMMON.check("").is_err());
        assert!(KeyRules::COMMON.check("/a").is_ok());
        assert!(KeyRules::OSS.check(&"k".repeat(1023)).is_ok());
        assert!(KeyRules::OSS.check(&"k".repeat(1024)).is_err());
        assert!(KeyRules::OSS.check("/a").is_err());
        assert!(KeyRules::OSS.check("\\a").is_err());
        assert!(KeyRules::OSS.check("a/").is_ok());
        assert_eq!(KeyRules::BOS, KeyRules::COMMON);
    }

    #[test]
    fn bucket_names_follow_the_common_rules() {
        for good in ["abc", "my-bucket.2", &"a".repeat(63)] {
            assert!(validate_bucket_name(good).is_ok(), "{good}");
        }
        for bad in [
            "ab",
            "Abc",
            "-abc",
            "abc-",
            "a..b",
            "a_b",
            "192.168.5.123",
            &"a".repeat(64),
            "a/b",
            "...",
        ] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
    }
}
