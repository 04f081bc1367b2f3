//! The neutral model's requests on lifecycle: a bucket's configuration (get, put, delete) and
//! when a rule expires an object (S3's `x-amz-expiration`). Part of [`crate::exec`]
//! (re-exported there); the rules and their validation are the core's
//! ([`strata_core::lifecycle`]), the background executor too.

use crate::exec::{Env, Read, Run};
use strata_core::CoreError;
use strata_core::lifecycle::Rule;

/// A bucket's lifecycle rules (`LifecycleError::NoConfiguration` when it has none).
pub(crate) struct GetLifecycle<'a>(pub &'a str);

impl Read for GetLifecycle<'_> {
    type Output = Vec<Rule>;
    fn read(self, env: &Env<'_>) -> Result<Vec<Rule>, CoreError> {
        env.store.lifecycle(self.0)
    }
}

/// Replaces a bucket's lifecycle configuration; the rules as stored (IDs generated).
pub(crate) struct PutLifecycle<'a> {
    pub bucket: &'a str,
    pub rules: Vec<Rule>,
}

impl Run for PutLifecycle<'_> {
    type Output = Vec<Rule>;
    async fn run(self, env: &Env<'_>) -> Result<Vec<Rule>, CoreError> {
        env.store.put_lifecycle(self.bucket, self.rules).await
    }
}

/// Removes a bucket's lifecycle configuration (done when it has none).
pub(crate) struct DeleteLifecycle<'a>(pub &'a str);

impl Run for DeleteLifecycle<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.delete_lifecycle(self.0).await
    }
}

/// When the current object of `key` (written at `last_modified_ms`, `size` bytes, carrying
/// `tags`) expires by the bucket's rules, and by which rule's ID, in real days: `None` when
/// no enabled expiration rule applies.
pub(crate) struct ExpirationOf<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub last_modified_ms: i64,
    pub size: u64,
    pub tags: &'a strata_core::tagging::Tags,
}

impl Read for ExpirationOf<'_> {
    type Output = Option<(i64, String)>;
    fn read(self, env: &Env<'_>) -> Result<Option<(i64, String)>, CoreError> {
        Ok(env.store.lifecycle_expiration(
            self.bucket,
            self.key,
            self.last_modified_ms,
            self.size,
            self.tags,
        ))
    }
}
