//! A bucket's lifecycle configuration in the store: put (validated, replacing the whole
//! configuration, and starting the rebuild of the bucket's part of the due index), get,
//! delete, and what the request path reads of it (the rules, cached like the access
//! configuration; S3's `x-amz-expiration`).
//!
//! The configuration lives in the `settings` table as `lifecycle/config/BUCKET` →
//! [`LifecycleRecord`]: the rules and the length of the day their due times were counted in.

use super::{Days, LifecycleError, Rule, index, validate};
use crate::error::{CoreError, Result};
use crate::meta::{ReadTxn, StorageResult, Versioned, decode, encode};
use crate::owners::config_changed;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::sync::Notify;

const CONFIG_PREFIX: &str = "lifecycle/config/";

/// A bucket's stored configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LifecycleRecord {
    pub rules: Vec<Rule>,
    /// The day the bucket's due index was computed in (a server started with another
    /// `--lifecycle-day` rebuilds it).
    pub days: Days,
}

impl Versioned for LifecycleRecord {}

pub(crate) fn config_name(bucket: &str) -> String {
    format!("{CONFIG_PREFIX}{bucket}")
}

/// The configuration of `bucket`, if it has one.
pub(crate) fn read_config(
    txn: &dyn ReadTxn,
    bucket: &str,
) -> StorageResult<Option<LifecycleRecord>> {
    txn.setting(&config_name(bucket))?
        .map(|b| decode(&b))
        .transpose()
}

/// The buckets that have a configuration, with it.
pub(crate) fn configured(txn: &dyn ReadTxn) -> StorageResult<Vec<(String, LifecycleRecord)>> {
    let mut out = Vec::new();
    let mut failed = None;
    txn.scan_settings(CONFIG_PREFIX, &mut |name, bytes| {
        match decode(bytes) {
            Ok(rec) => out.push((name[CONFIG_PREFIX.len()..].to_owned(), rec)),
            Err(e) => failed = Some(e),
        }
        crate::meta::Flow::Continue
    })?;
    failed.map_or(Ok(out), Err)
}

/// What the store keeps for lifecycle besides the stored records.
pub(crate) struct State {
    /// How long a lifecycle day is (`strata serve --lifecycle-day`).
    pub days: Days,
    /// Each bucket's rules for the request path.
    pub cache: crate::owners::BucketCache<Arc<[Rule]>>,
    /// Wakes the executor (a configuration was put).
    pub wake: Arc<Notify>,
    /// Whether the executor was started.
    pub started: AtomicBool,
    /// Client requests begun ([`Store::client_request`]): the executor slows down while
    /// this moves.
    pub requests: AtomicU64,
}

impl State {
    pub(crate) fn new(days: Days) -> State {
        State {
            days,
            cache: Default::default(),
            wake: Arc::new(Notify::new()),
            started: AtomicBool::new(false),
            requests: AtomicU64::new(0),
        }
    }
}

impl Store {
    /// Counts a client request beginning (the server calls it for each one), so that the
    /// lifecycle executor yields to client traffic: while requests come in, it pauses after
    /// each write (see [`crate::lifecycle::executor`]).
    pub fn client_request(&self) {
        self.inner
            .lifecycle
            .requests
            .fetch_add(1, Ordering::Relaxed);
    }

    /// How long a lifecycle day is in this store.
    pub fn lifecycle_days(&self) -> Days {
        self.inner.lifecycle.days
    }

    /// Replaces bucket `bucket`'s lifecycle configuration with `rules`, once they are valid
    /// ([`LifecycleError`]; rules without an ID get one). Returns the rules as stored.
    pub async fn put_lifecycle(&self, bucket: &str, mut rules: Vec<Rule>) -> Result<Vec<Rule>> {
        validate(&mut rules).map_err(CoreError::Lifecycle)?;
        let record = LifecycleRecord {
            rules: rules.clone(),
            days: self.lifecycle_days(),
        };
        let (bucket, check_bucket) = (bucket.to_owned(), bucket.to_owned());
        let put = self
            .write(
                move |txn| {
                    txn.bucket(&check_bucket)?.ok_or(CoreError::NoSuchBucket)?;
                    Ok(())
                },
                move |txn, ()| {
                    txn.put_setting(&config_name(&bucket), &encode(&record))?;
                    index::start_rebuild(txn, &bucket)?;
                    config_changed(txn)
                },
            )
            .await;
        self.lifecycle_changed();
        put?;
        Ok(rules)
    }

    /// Bucket `bucket`'s lifecycle rules ([`LifecycleError::NoConfiguration`] if it has none).
    pub fn lifecycle(&self, bucket: &str) -> Result<Vec<Rule>> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        match read_config(&*txn, bucket)? {
            Some(rec) => Ok(rec.rules),
            None => Err(CoreError::Lifecycle(LifecycleError::NoConfiguration)),
        }
    }

    /// Removes bucket `bucket`'s lifecycle configuration (done when it has none). What the
    /// due index still holds for the bucket is dropped as it comes due.
    pub async fn delete_lifecycle(&self, bucket: &str) -> Result<()> {
        let (bucket, check_bucket) = (bucket.to_owned(), bucket.to_owned());
        let deleted = self
            .write(
                move |txn| {
                    txn.bucket(&check_bucket)?.ok_or(CoreError::NoSuchBucket)?;
                    Ok(())
                },
                move |txn, ()| {
                    index::forget_bucket(txn, &bucket)?;
                    config_changed(txn)
                },
            )
            .await;
        self.lifecycle_changed();
        deleted
    }

    /// The rules of bucket `bucket` (`None`: none, or no such bucket), from memory between
    /// changes.
    pub fn lifecycle_rules(&self, bucket: &str) -> Result<Option<Arc<[Rule]>>> {
        self.cached(&self.inner.lifecycle.cache, bucket, |txn| {
            Ok(read_config(txn, bucket)?.map(|rec| Arc::from(rec.rules)))
        })
    }

    /// When the current object of `key` in `bucket` (written at `last_modified_ms`, `size`
    /// bytes, carrying `tags`) expires and by which rule's ID: S3's `x-amz-expiration`, in
    /// real days. `None` when no enabled expiration rule applies (or the rules cannot be
    /// read: the header is advice, never a reason to fail the request).
    pub fn lifecycle_expiration(
        &self,
        bucket: &str,
        key: &str,
        last_modified_ms: i64,
        size: u64,
        tags: &crate::tagging::Tags,
    ) -> Option<(i64, String)> {
        let rules = self.lifecycle_rules(bucket).ok()??;
        super::expiration_of(&rules, key, last_modified_ms, size, tags)
            .map(|(t, r)| (t, r.id.clone()))
    }

    /// A bucket's lifecycle configuration changed or went (or the attempt ended): the cached
    /// rules are stale, and the executor has a rebuild to start.
    pub(crate) fn lifecycle_changed(&self) {
        self.inner.lifecycle.cache.changed();
        self.inner.lifecycle.wake.notify_one();
    }
}
