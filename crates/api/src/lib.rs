//! Strata's HTTP front door: one hyper HTTP/1.1 server for every dialect.
//!
//! Requests come in through [`serve`]; `router` answers the server's own endpoints
//! ([`health`]) and tells a request's dialect from its signature; `pipeline` carries it
//! (authentication, [`access`], the [`operation`] it asks for, error rendering, the request
//! log) to its dialect (`oss`, `bos`, `s3`), whose codecs parse it into a neutral request of
//! `exec`, run it against the [`strata_core::Store`], and render the outcome or the
//! [`strata_core::CoreError`] in the dialect's own format.
//!
//! Server paths start with `/_strata/`: bucket names cannot start with `_`, so they never
//! collide with a bucket in any dialect.

pub mod access;
pub mod body;
pub mod bos;
mod exec;
mod exec_access;
pub mod health;
pub mod httpfmt;
pub mod listing;
pub mod objhttp;
pub mod operation;
pub mod oss;
mod partcopy;
mod pipeline;
mod router;
pub mod s3;
mod server;
pub mod unsupported;
pub mod xml;

use bytes::Bytes;
use http_body_util::BodyExt as _;

pub use strata_wire::{Credentials, Keyring, request, sigutil};

pub use pipeline::RequestLog;
pub use server::{
    DEFAULT_TIMEOUT, RESERVED_FDS, SHUTDOWN_GRACE, ServeOptions, default_max_connections, serve,
    serve_with,
};

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
}

impl AppState {
    /// The users as the signatures find them, with the V4 signing keys kept between requests.
    pub fn keyring(&self) -> CachedKeys<'_> {
        CachedKeys {
            users: &self.users,
            keys: &self.signing_keys,
        }
    }
}

/// [`Users`] with a cache of the V4 signing keys derived for them.
pub struct CachedKeys<'a> {
    users: &'a Users,
    keys: &'a strata_wire::v4::SigningKeys,
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

/// A user: a key pair, and the owner ID and display name S3 and OSS listings show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub credentials: Credentials,
    pub id: String,
    pub display_name: String,
}

impl User {
    /// A user whose owner ID and display name are its access key.
    pub fn from_credentials(credentials: Credentials) -> User {
        let id = credentials.access_key.clone();
        User {
            credentials,
            display_name: id.clone(),
            id,
        }
    }
}

/// Every user the server accepts; the first is the one the server was started with.
#[derive(Clone, Debug)]
pub struct Users(pub Vec<User>);

impl Users {
    pub fn user(&self, access_key: &str) -> Option<&User> {
        self.0
            .iter()
            .find(|u| u.credentials.find(access_key).is_some())
    }

    /// Whether `user` is the administrator: the key pair the server was started with (the
    /// first user), which may act on every bucket (see [`access`]).
    pub fn is_admin(&self, user: &User) -> bool {
        self.0
            .first()
            .is_some_and(|admin| admin.credentials == user.credentials)
    }

    /// Whether some user has this owner ID (a grant may name only users that exist).
    pub fn has_owner(&self, id: &str) -> bool {
        self.0.iter().any(|u| u.id == id)
    }

    /// The owner ID and display name of an owner ID: the display name of the first user with
    /// that ID, or the ID itself when no user has it (any more). Buckets from before owners
    /// were recorded (owner "") show the administrator.
    pub fn owner(&self, id: &str) -> access::Owner {
        let found = if id.is_empty() {
            self.0.first()
        } else {
            self.0.iter().find(|u| u.id == id)
        };
        match found {
            Some(u) => access::Owner::of_user(u),
            None => access::Owner {
                id: id.to_owned(),
                display_name: id.to_owned(),
            },
        }
    }
}

impl Keyring for Users {
    fn find(&self, access_key: &str) -> Option<&Credentials> {
        // Every key is compared, so the time taken does not tell which one matched.
        self.0
            .iter()
            .fold(None, |found, u| found.or(u.credentials.find(access_key)))
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
