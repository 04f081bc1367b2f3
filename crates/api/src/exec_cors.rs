//! The neutral model's requests on a bucket's CORS configuration (get, put, delete). Part of
//! [`crate::exec`] (re-exported there); the rules, their validation and their matching are
//! the core's ([`strata_core::cors`]). Preflights and the headers of actual requests are
//! answered by the pipeline ([`crate::cors`]), before and after the operations.

use crate::exec::{Env, Read, Run};
use strata_core::CoreError;
use strata_core::cors::Config;

/// A bucket's CORS configuration (`CorsError::NoConfiguration` when it has none).
pub(crate) struct GetCors<'a>(pub &'a str);

impl Read for GetCors<'_> {
    type Output = Config;
    fn read(self, env: &Env<'_>) -> Result<Config, CoreError> {
        env.store.cors(self.0)
    }
}

/// Replaces a bucket's CORS configuration.
pub(crate) struct PutCors<'a> {
    pub bucket: &'a str,
    pub config: Config,
}

impl Run for PutCors<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.put_cors(self.bucket, self.config).await
    }
}

/// Removes a bucket's CORS configuration (done when it has none).
pub(crate) struct DeleteCors<'a>(pub &'a str);

impl Run for DeleteCors<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.delete_cors(self.0).await
    }
}
