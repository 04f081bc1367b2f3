//! Strata's HTTP front door: one hyper HTTP/1.1 server for every dialect.
//!
//! Requests come in through [`serve`]; `router` answers the server's own endpoints
//! ([`health`], the [`admin`] API) and tells a request's dialect from its signature;
//! `pipeline` carries it (authentication against the [`users`], [`access`], the
//! [`operation`] it asks for, error rendering, the request log) to its dialect (`oss`, `bos`, `s3`), whose codecs parse it into a neutral request of
//! `exec`, run it against the [`strata_core::Store`], and render the outcome or the
//! [`strata_core::CoreError`] in the dialect's own format.
//!
//! Server paths start with `/_strata/`: bucket names cannot start with `_`, so they never
//! collide with a bucket in any dialect.

pub mod access;
pub mod admin;
pub mod body;
pub mod bos;
pub mod console;
mod cors;
mod exec;
mod exec_access;
mod exec_cors;
mod exec_lifecycle;
mod exec_retention;
mod exec_tagging;
pub mod health;
pub mod httpfmt;
pub mod listing;
pub mod objhttp;
pub mod operation;
pub mod ops;
pub mod oss;
mod partcopy;
mod pipeline;
mod post;
mod router;
pub mod s3;
mod server;
pub mod tagging;
pub mod unsupported;
pub mod users;
pub mod xml;

use bytes::Bytes;
use http_body_util::BodyExt as _;

pub use strata_wire::{Credentials, Keyring, request, sigutil};

pub use pipeline::RequestLog;
pub use server::{
    DEFAULT_TIMEOUT, RESERVED_FDS, SHUTDOWN_GRACE, ServeOptions, default_max_connections, serve,
    serve_with,
};
pub use users::{User, UserSet, Users};

/// Answers one request as the server would, without a connection: the router with no body
/// timeout. For tests that drive the dialects in process (`tests/behaviour`); the server
/// itself goes through [`serve`].
#[doc(hidden)]
pub async fn handle<B>(state: &AppState, req: http::Request<B>) -> http::Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    router::route(state, req, None).await
}

/// What every handler can reach.
pub struct AppState {
    pub store: strata_core::Store,
    pub users: Users,
    /// The region the server reports.
    pub region: String,
    /// Base domains of virtual-hosted requests (`BUCKET.DOMAIN`), lower-case.
    pub domains: Vec<String>,
    /// The V4 signing keys derived so far (see [`AppState::keyring`]).
    pub signing_keys: strata_wire::v4::SigningKeys,
    /// New buckets get AWS's defaults since April 2023: Object Ownership
    /// `BucketOwnerEnforced` (ACLs off) and all four Block Public Access flags on. Off by
    /// default: ACLs work on a new bucket, as ceph/s3-tests and the OSS and BOS services expect.
    pub aws_2023_defaults: bool,
    /// The web console's sessions (see [`console`]).
    pub console: console::Sessions,
}

impl AppState {
    /// The users as the signatures find them now (one snapshot, see [`users`]: read again
    /// first when another gateway changed them), with the V4 signing keys kept between
    /// requests. Fails only when a shared store cannot be read.
    pub fn keyring(&self) -> Result<CachedKeys<'_>, strata_core::CoreError> {
        Ok(CachedKeys {
            users: self.users.current(&self.store)?,
            keys: &self.signing_keys,
        })
    }
}

/// A snapshot of the [`Users`] with a cache of the V4 signing keys derived for them.
pub struct CachedKeys<'a> {
    users: std::sync::Arc<UserSet>,
    keys: &'a strata_wire::v4::SigningKeys,
}

impl CachedKeys<'_> {
    /// The user who signs with `access_key`, in the same snapshot the signature was checked
    /// against.
    pub fn user(&self, access_key: &str) -> Option<std::sync::Arc<User>> {
        self.users.user(access_key).cloned()
    }
}

impl Keyring for CachedKeys<'_> {
    fn find(&self, access_key: &str) -> Option<&Credentials> {
        self.users.find(access_key)
    }

    fn signing_key(
        &self,
        scheme: &strata_wire::v4::Scheme,
        secret_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        self.keys.get(scheme, secret_key, date, region, service)
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
