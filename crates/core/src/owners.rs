//! Each bucket's access configuration (owner, ACL, policies compiled), kept in memory between
//! requests, and the same mechanism for the other configurations the request path reads (a
//! bucket's lifecycle rules and CORS rules) and for the API's users. Every request asks (the
//! access decision), while a bucket's configuration changes only when the bucket is created
//! or deleted or its configuration is put; a read transaction per request just to learn it
//! cost the GET path several per cent of its CPU, and compiling a policy per request would
//! cost more.
//!
//! The cache is exact by two generations:
//!
//! - **Local**: [`BucketCache::changed`] bumps the cache's own generation after every commit
//!   of this process that creates or deletes a bucket or changes its configuration.
//! - **Stored**: the `config/generation` counter ([`CONFIG_GENERATION`], in the `counters`
//!   table) is incremented by [`config_changed`] in the very write transaction of every such
//!   change, and of every change to the users ([`crate::users`]), whichever process makes it.
//!
//! A lookup loads the local generation, and, when the metadata engine is shared with other
//! processes ([`crate::meta::MetaStore::shared`]: PostgreSQL), reads the stored one (one
//! statement, [`crate::meta::MetaStore::read_counter`], outside any snapshot); it uses an
//! entry only when the cache was filled under both of those same generations. On a miss it
//! reads the configuration in a snapshot that begins after that read, so what it files under
//! a stored generation is what the store said at it or later (and a later change moves the
//! generation on). An entry read from the store is kept only if no local change completed
//! since the lookup began, and a lookup never files what it read under generations older
//! than the cache's.
//! So the cache never answers with a configuration older than the last change committed
//! before the lookup began, by this process or (shared) by any other; a request racing that
//! very commit may see the configuration from just before it, as it could by reading the
//! store an instant earlier.
//!
//! When the engine is not shared (redb: one process owns the file), the stored generation
//! is not read: a hit costs what it did, a load and a read lock; the counter is still kept,
//! so a file later moved to a shared engine has it.

use crate::Result;
use crate::access::BucketAccess;
use crate::meta::{ReadTxn, StorageResult, WriteTxn};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept at most; past it the cache starts over (names of buckets that do not exist
/// are cached too, and a client can name any number of them).
const MAX_ENTRIES: usize = 65_536;

/// The stored configuration generation's counter: it moves with every change of a bucket's
/// existence, access, CORS or lifecycle configuration, or of the users. Not one of the
/// store's counts (`meta::stats`).
pub const CONFIG_GENERATION: &str = "config/generation";

/// Increments the stored configuration generation, in the write transaction of the change
/// itself: every change that cached configurations (or the API's users) depend on calls it in
/// its `apply` step, so that it commits, or fails, with the change.
pub(crate) fn config_changed(txn: &mut dyn WriteTxn) -> StorageResult<()> {
    let now = txn.counter(CONFIG_GENERATION)?;
    txn.set_counter(CONFIG_GENERATION, now.wrapping_add(1))
}

/// A cache of one kind of bucket configuration by bucket name, exact by generation. The
/// same mechanism keeps each bucket's lifecycle rules ([`crate::lifecycle`]) for the
/// `x-amz-expiration` of reads and writes, and its CORS rules ([`crate::cors`]).
pub(crate) struct BucketCache<T> {
    generation: AtomicU64,
    cache: RwLock<Cache<T>>,
}

/// The generations a cache's entries were filled under: (local, stored). The stored one is
/// 0 when the engine is not shared.
type Generations = (u64, u64);

struct Cache<T> {
    generation: Generations,
    /// Bucket name → its configuration, or `None` for none (or no such bucket).
    owners: HashMap<String, Option<T>>,
}

impl<T> Default for BucketCache<T> {
    fn default() -> Self {
        BucketCache {
            generation: AtomicU64::new(0),
            cache: RwLock::new(Cache {
                generation: (0, 0),
                owners: HashMap::new(),
            }),
        }
    }
}

/// Each bucket's access configuration.
pub(crate) type Owners = BucketCache<Entry>;

/// What the access cache holds of a bucket.
pub(crate) type Entry = std::sync::Arc<BucketAccess>;

impl<T: Clone> BucketCache<T> {
    /// The configuration of bucket `name` (`None`: none, or no such bucket), from the cache
    /// when it was filled under this local generation and the stored generation `stored`
    /// (0 when the engine is not shared), or from `read`.
    pub(crate) fn get(
        &self,
        name: &str,
        stored: u64,
        read: impl FnOnce() -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let generation = (self.generation.load(Ordering::Acquire), stored);
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if cache.generation == generation
                && let Some(owner) = cache.owners.get(name)
            {
                return Ok(owner.clone());
            }
        }
        let owner = read()?;
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.generation != generation {
            let (local, stored) = cache.generation;
            if generation.0 < local || generation.1 < stored {
                // Read under older generations than the cache's (another lookup saw a
                // later change first): answered, not filed.
                return Ok(owner);
            }
            cache.owners.clear();
            cache.generation = generation;
        } else if cache.owners.len() >= MAX_ENTRIES {
            cache.owners.clear();
        }
        // Kept only if no local change completed while it was read.
        if self.generation.load(Ordering::Acquire) == generation.0 {
            cache.owners.insert(name.to_owned(), owner.clone());
        }
        Ok(owner)
    }

    /// A bucket was created or deleted or its configuration changed (or the attempt ended,
    /// either way) in this process: every cached entry is stale.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

impl Store {
    /// Whether other processes may write this store's metadata (PostgreSQL: several gateways
    /// over one database), so that what is cached must be checked against the stored
    /// configuration generation.
    pub fn shared(&self) -> bool {
        self.inner.meta.shared()
    }

    /// The stored configuration generation ([`CONFIG_GENERATION`]): it moves with every
    /// committed change of a bucket's existence, access, CORS or lifecycle configuration, or
    /// of the users, by any process. One read of one counter.
    pub fn config_generation(&self) -> Result<u64> {
        Ok(self.inner.meta.read_counter(CONFIG_GENERATION)?)
    }

    /// Bucket `name`'s configuration from `cache`, or from `read` (in a snapshot) on a miss.
    /// When the engine is shared, the stored generation is read first (one statement); the
    /// snapshot of a miss begins after it, so what is filed under a generation is what the
    /// store said at it or later (a later change moves the generation past it). Otherwise a
    /// hit reads nothing.
    pub(crate) fn cached<T: Clone>(
        &self,
        cache: &BucketCache<T>,
        name: &str,
        read: impl FnOnce(&dyn ReadTxn) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let stored = if self.inner.meta.shared() {
            self.config_generation()?
        } else {
            0
        };
        cache.get(name, stored, || read(&*self.read()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn entry(owner: &str) -> Entry {
        std::sync::Arc::new(BucketAccess::compile(
            "b",
            owner.into(),
            &Default::default(),
        ))
    }

    /// The cache, seen by owner.
    trait ByOwner {
        fn owner(
            &self,
            name: &str,
            read: impl FnOnce() -> Result<Option<String>>,
        ) -> Result<Option<String>>;
    }

    impl ByOwner for Owners {
        fn owner(
            &self,
            name: &str,
            read: impl FnOnce() -> Result<Option<String>>,
        ) -> Result<Option<String>> {
            let got = self.get(name, 0, || Ok(read()?.map(|o| entry(&o))))?;
            Ok(got.map(|a| a.owner.clone()))
        }
    }

    #[test]
    fn answers_from_the_cache_until_a_bucket_changes() {
        let owners = Owners::default();
        let reads = Cell::new(0);
        let read = |owner: Option<&str>| {
            reads.set(reads.get() + 1);
            Ok(owner.map(str::to_owned))
        };
        assert_eq!(
            owners
                .owner("b", || read(Some("alice")))
                .unwrap()
                .as_deref(),
            Some("alice")
        );
        // Cached: the store is not read again (it would now say bob).
        assert_eq!(
            owners.owner("b", || read(Some("bob"))).unwrap().as_deref(),
            Some("alice")
        );
        assert_eq!(reads.get(), 1);
        owners.changed();
        assert_eq!(
            owners.owner("b", || read(Some("bob"))).unwrap().as_deref(),
            Some("bob")
        );
        assert_eq!(reads.get(), 2);
        // No such bucket is cached too, and forgotten on the next change.
        assert_eq!(owners.owner("nope", || read(None)).unwrap(), None);
        assert_eq!(owners.owner("nope", || read(Some("carol"))).unwrap(), None);
        owners.changed();
        assert_eq!(
            owners
                .owner("nope", || read(Some("carol")))
                .unwrap()
                .as_deref(),
            Some("carol")
        );
    }

    #[test]
    fn an_owner_read_across_a_change_is_not_kept() {
        let owners = Owners::default();
        // The bucket is deleted (and the generation bumped) while its owner is being read.
        let first = owners.owner("b", || {
            owners.changed();
            Ok(Some("alice".to_owned()))
        });
        assert_eq!(first.unwrap().as_deref(), Some("alice"));
        assert_eq!(owners.owner("b", || Ok(None)).unwrap(), None);
    }

    #[test]
    fn errors_are_not_cached() {
        let owners = Owners::default();
        let failed = owners.owner("b", || Err(crate::CoreError::NoSuchBucket));
        assert!(failed.is_err());
        assert_eq!(
            owners
                .owner("b", || Ok(Some("a".into())))
                .unwrap()
                .as_deref(),
            Some("a")
        );
    }

    #[test]
    fn an_entry_is_used_only_under_the_stored_generation_it_was_filled_under() {
        let cache = BucketCache::<&'static str>::default();
        let reads = Cell::new(0);
        let read = |v: &'static str| {
            reads.set(reads.get() + 1);
            Ok(Some(v))
        };
        assert_eq!(cache.get("b", 7, || read("a")).unwrap(), Some("a"));
        assert_eq!(cache.get("b", 7, || read("x")).unwrap(), Some("a"));
        assert_eq!(reads.get(), 1);
        // Another process committed a change: the stored generation moved.
        assert_eq!(cache.get("b", 8, || read("b")).unwrap(), Some("b"));
        assert_eq!(cache.get("b", 8, || read("x")).unwrap(), Some("b"));
        assert_eq!(reads.get(), 2);
        // A lookup whose snapshot is older than the cache's answers what it read, and files
        // nothing over the newer entries.
        assert_eq!(cache.get("b", 7, || read("a")).unwrap(), Some("a"));
        assert_eq!(cache.get("b", 8, || read("x")).unwrap(), Some("b"));
        assert_eq!(reads.get(), 3);
        // Both generations must match: a local change alone drops the entry too.
        cache.changed();
        assert_eq!(cache.get("b", 8, || read("c")).unwrap(), Some("c"));
        assert_eq!(reads.get(), 4);
    }
}
