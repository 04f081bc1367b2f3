//! Strata's HTTP front door: one hyper HTTP/1.1 server for every dialect.
//!
//! Requests come in through [`serve`], are routed in `router` and answered by a handler
//! module. For now only the server's own endpoints exist ([`health`]); the OSS, BOS and S3
//! dialects will each get a module of their own (`oss`, `bos`, `s3`) that maps HTTP to
//! [`strata_core::Store`] calls and every [`strata_core::CoreError`] to its own error format.
//!
//! Server paths start with `/_strata/`: bucket names cannot start with `_`, so they never
//! collide with a bucket in any dialect.

pub mod body;
pub mod bos;
pub mod health;
pub mod httpfmt;
pub mod listing;
pub mod objhttp;
pub mod oss;
pub mod request;
mod router;
pub mod s3;
mod server;
pub mod xml;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use std::fmt;

pub use server::{SHUTDOWN_GRACE, serve};

/// What every handler can reach.
pub struct AppState {
    pub store: strata_core::Store,
    pub credentials: Credentials,
    /// The region the server reports.
    pub region: String,
    /// Base domains of virtual-hosted requests (`BUCKET.DOMAIN`), lower-case.
    pub domains: Vec<String>,
}

/// The one key pair the server accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
}

impl fmt::Debug for Credentials {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// The body of every response: boxed, so whole buffers and streamed objects fit alike.
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, std::io::Error>;

/// A body that is one buffer.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret_key() {
        let c = Credentials {
            access_key: "AKID".into(),
            secret_key: "very-secret".into(),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("AKID"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
