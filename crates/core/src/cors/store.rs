//! A bucket's CORS configuration in the store: put (validated, replacing the whole
//! configuration), get, delete, and what the request path reads of it (cached like the
//! lifecycle rules, by the same generation cache as access).
//!
//! The configuration lives in the `settings` table as `cors/BUCKET` → [`Config`]; deleting
//! the bucket removes it in the same write.

use super::{Config, CorsError, Headers, Offer, Preflight, validate};
use crate::error::{CoreError, Result};
use crate::meta::{ReadTxn, StorageResult, Versioned, WriteTxn, decode, encode};
use crate::owners::config_changed;
use crate::store::Store;
use std::sync::Arc;

const CONFIG_PREFIX: &str = "cors/";

impl Versioned for Config {}

fn config_name(bucket: &str) -> String {
    format!("{CONFIG_PREFIX}{bucket}")
}

fn read_config(txn: &dyn ReadTxn, bucket: &str) -> StorageResult<Option<Config>> {
    txn.setting(&config_name(bucket))?
        .map(|b| decode(&b))
        .transpose()
}

/// Drops a bucket's configuration (the bucket is being deleted).
pub(crate) fn forget_bucket(txn: &mut dyn WriteTxn, bucket: &str) -> StorageResult<()> {
    txn.remove_setting(&config_name(bucket))
}

/// Each bucket's configuration for the request path.
pub(crate) type State = crate::owners::BucketCache<Arc<Config>>;

impl Store {
    /// Replaces bucket `bucket`'s CORS configuration, once it is valid ([`CorsError`]).
    pub async fn put_cors(&self, bucket: &str, config: Config) -> Result<()> {
        validate(&config).map_err(CoreError::Cors)?;
        let (bucket, check_bucket) = (bucket.to_owned(), bucket.to_owned());
        let put = self
            .write(
                move |txn| {
                    txn.bucket(&check_bucket)?.ok_or(CoreError::NoSuchBucket)?;
                    Ok(())
                },
                move |txn, ()| {
                    txn.put_setting(&config_name(&bucket), &encode(&config))?;
                    config_changed(txn)
                },
            )
            .await;
        self.inner.cors.changed();
        put
    }

    /// Bucket `bucket`'s CORS configuration ([`CorsError::NoConfiguration`] if it has none).
    pub fn cors(&self, bucket: &str) -> Result<Config> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        read_config(&*txn, bucket)?.ok_or(CoreError::Cors(CorsError::NoConfiguration))
    }

    /// Removes bucket `bucket`'s CORS configuration (done when it has none).
    pub async fn delete_cors(&self, bucket: &str) -> Result<()> {
        let (bucket, check_bucket) = (bucket.to_owned(), bucket.to_owned());
        let deleted = self
            .write(
                move |txn| {
                    txn.bucket(&check_bucket)?.ok_or(CoreError::NoSuchBucket)?;
                    Ok(())
                },
                move |txn, ()| {
                    forget_bucket(txn, &bucket)?;
                    config_changed(txn)
                },
            )
            .await;
        self.inner.cors.changed();
        deleted
    }

    /// The configuration of bucket `bucket` (`None`: none, or no such bucket), from memory
    /// between changes.
    pub fn cors_config(&self, bucket: &str) -> Result<Option<Arc<Config>>> {
        self.cached(&self.inner.cors, bucket, |txn| {
            Ok(read_config(txn, bucket)?.map(Arc::new))
        })
    }

    /// The answer to a preflight to `bucket` (`None`: none addressed): the headers of its
    /// 200, or why it is refused ([`super::preflight`]).
    pub fn cors_preflight(&self, bucket: Option<&str>, asked: &Preflight<'_>) -> Result<Headers> {
        let config = match bucket {
            Some(b) => self.cors_config(b)?,
            None => None,
        };
        let offer = match (&config, bucket) {
            (Some(c), _) => Offer::Config(c),
            (None, None) => Offer::NoBucket,
            (None, Some(b)) if self.read()?.bucket(b)?.is_none() => Offer::NoBucket,
            (None, Some(_)) => Offer::NoConfiguration,
        };
        super::preflight(offer, asked).map_err(CoreError::Cors)
    }

    /// The CORS headers of the answer to an actual request by `origin` with `method` on
    /// `bucket`: none when no rule allows them (or the rules cannot be read: the headers
    /// never make a request fail).
    pub fn cors_headers(&self, bucket: &str, origin: &str, method: &str) -> Headers {
        match self.cors_config(bucket) {
            Ok(Some(config)) => config.actual(origin, method),
            _ => Vec::new(),
        }
    }
}
