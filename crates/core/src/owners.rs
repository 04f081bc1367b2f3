//! Each bucket's access configuration (owner, ACL, policies compiled), kept in memory between
//! requests. Every request asks (the access decision), while a bucket's configuration changes
//! only when the bucket is created or deleted or its configuration is put; a read transaction
//! per request just to learn it cost the GET path several per cent of its CPU, and compiling
//! a policy per request would cost more.
//!
//! The cache is exact by generation. [`Owners::changed`] bumps the generation after every
//! commit that creates or deletes a bucket or changes its access configuration. A lookup loads the generation first, and uses an
//! entry only when the cache was filled in that same generation; an entry read from the store
//! is kept only if no create or delete completed since the lookup began (else the cache is
//! emptied on the next lookup). So the cache never answers with an owner older than the last
//! completed create or delete; a request racing that very commit may see the owner from just
//! before it, as it could by reading the store an instant earlier.
//!
//! The cache holds one process's view: a metadata engine shared by several processes must
//! not use it without telling each process of the others' changes.

use crate::Result;
use crate::access::BucketAccess;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept at most; past it the cache starts over (names of buckets that do not exist
/// are cached too, and a client can name any number of them).
const MAX_ENTRIES: usize = 65_536;

/// A cache of one kind of bucket configuration by bucket name, exact by generation. The
/// same mechanism keeps each bucket's lifecycle rules ([`crate::lifecycle`]) for the
/// `x-amz-expiration` of reads and writes.
pub(crate) struct BucketCache<T> {
    generation: AtomicU64,
    cache: RwLock<Cache<T>>,
}

struct Cache<T> {
    generation: u64,
    /// Bucket name → its configuration, or `None` for none (or no such bucket).
    owners: HashMap<String, Option<T>>,
}

impl<T> Default for BucketCache<T> {
    fn default() -> Self {
        BucketCache {
            generation: AtomicU64::new(0),
            cache: RwLock::new(Cache {
                generation: 0,
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
    /// or from `read`.
    pub(crate) fn get(
        &self,
        name: &str,
        read: impl FnOnce() -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let generation = self.generation.load(Ordering::Acquire);
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
        if cache.generation != generation || cache.owners.len() >= MAX_ENTRIES {
            cache.owners.clear();
            cache.generation = generation;
        }
        // Kept only if no create or delete completed while it was read.
        if self.generation.load(Ordering::Acquire) == generation {
            cache.owners.insert(name.to_owned(), owner.clone());
        }
        Ok(owner)
    }

    /// A bucket was created or deleted or its configuration changed (or the attempt ended,
    /// either way): every cached entry is stale.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
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
            let got = self.get(name, || Ok(read()?.map(|o| entry(&o))))?;
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
}
