//! Console sessions: kept in this process's memory, named by a random 256-bit ID that only
//! the browser's `HttpOnly` cookie carries, each with its own CSRF token.
//!
//! A session remembers the access key and the secret it signed in with; every request finds
//! the user again in the current snapshot of [`crate::Users`] and compares the secret, so a
//! user removed or whose key is rotated is signed out at its next request. Sessions end after
//! [`IDLE`] without a request, [`LIFETIME`] after sign-in, at sign-out, and when the process
//! ends.
//!
//! Sign-ins are throttled per peer and per access key ([`super::throttle`]).

use super::error::ConsoleError;
use super::throttle::Throttle;
use crate::{AppState, User};
use hyper::HeaderMap;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq as _;

/// The cookie's name.
pub const COOKIE: &str = "strata_console";
/// The header every request other than GET and HEAD carries the CSRF token in.
pub const CSRF_HEADER: &str = "x-strata-csrf";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::from_secs(60 * 60);
/// A session ends this long after sign-in, used or not.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// At most this many sessions at once; signing in past it ends the oldest.
const MAX_SESSIONS: usize = 10_000;

/// The console's sessions (one per sign-in), in [`AppState::console`].
#[derive(Default)]
pub struct Sessions {
    /// By the SHA-256 of the session ID (hex), so the map never holds what the cookie says.
    by_digest: Mutex<HashMap<String, Session>>,
    /// Failed sign-ins.
    throttle: Throttle,
}

struct Session {
    access_key: String,
    secret_key: String,
    csrf: String,
    started: Instant,
    last_used: Instant,
}

/// A request's session, found and still valid.
pub struct Current {
    pub user: Arc<User>,
    pub csrf: String,
    /// The session's ID digest (to end it).
    digest: String,
}

fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Whether two secrets are equal, in time that depends on their lengths only.
/// The store could not be read to learn the users (a shared store's generation): nothing
/// can be said of the session.
fn unavailable(e: strata_core::CoreError) -> ConsoleError {
    tracing::error!(error = %e, "console: the users could not be read");
    ConsoleError::Upstream {
        status: hyper::StatusCode::SERVICE_UNAVAILABLE,
        code: "ServiceUnavailable".into(),
        message: "the users could not be read; try again".into(),
    }
}

fn same_secret(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Sessions {
    /// Signs in from `peer`: the key pair must be a user's, and neither the peer nor the
    /// access key past its failures ([`Throttle`]). Returns the new session's ID (for the
    /// cookie), its CSRF token, and the user.
    pub fn login(
        &self,
        state: &AppState,
        peer: IpAddr,
        access_key: &str,
        secret_key: &str,
    ) -> Result<(String, String, Arc<User>), ConsoleError> {
        let attempt = self
            .throttle
            .begin(peer, access_key, Instant::now())
            .map_err(ConsoleError::Throttled)?;
        let users = state.users.current(&state.store).map_err(unavailable)?;
        let user = users.user(access_key).cloned();
        // Compare even when the access key is unknown, so the answer takes as long.
        let stored = user
            .as_ref()
            .map_or("\u{0}not a secret", |u| u.credentials.secret_key.as_str());
        let matches = same_secret(stored, secret_key);
        // A failure stays counted (`attempt` dropped).
        let user = user.filter(|_| matches).ok_or(ConsoleError::BadLogin)?;
        self.throttle.succeeded(attempt);
        let id = random_token();
        let csrf = random_token();
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, s| s.valid(now));
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.started)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            digest(&id),
            Session {
                access_key: user.credentials.access_key.clone(),
                secret_key: user.credentials.secret_key.clone(),
                csrf: csrf.clone(),
                started: now,
                last_used: now,
            },
        );
        Ok((id, csrf, user))
    }

    /// The session the request's cookie names, if it is valid (and then used now).
    pub fn current(&self, state: &AppState, headers: &HeaderMap) -> Result<Current, ConsoleError> {
        let id = cookie(headers).ok_or(ConsoleError::NoSession)?;
        let digest = digest(id);
        // Before the sessions' lock: this may read the store.
        let users = state.users.current(&state.store).map_err(unavailable)?;
        let now = Instant::now();
        let mut map = self.lock();
        let Some(session) = map.get_mut(&digest) else {
            return Err(ConsoleError::NoSession);
        };
        let user = users.user(&session.access_key).cloned();
        let still = user
            .as_ref()
            .is_some_and(|u| same_secret(&u.credentials.secret_key, &session.secret_key));
        match user {
            Some(user) if still && session.valid(now) => {
                session.last_used = now;
                Ok(Current {
                    user,
                    csrf: session.csrf.clone(),
                    digest,
                })
            }
            _ => {
                map.remove(&digest);
                Err(ConsoleError::NoSession)
            }
        }
    }

    /// Ends a session.
    pub fn logout(&self, current: &Current) {
        self.lock().remove(&current.digest);
    }

    /// How many sessions are kept (expired ones included until the next sign-in).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.by_digest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Session {
    fn valid(&self, now: Instant) -> bool {
        now.duration_since(self.last_used) < IDLE && now.duration_since(self.started) < LIFETIME
    }
}

impl Current {
    /// Whether the request carries this session's CSRF token.
    pub fn check_csrf(&self, headers: &HeaderMap) -> Result<(), ConsoleError> {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if same_secret(sent, &self.csrf) {
            Ok(())
        } else {
            Err(ConsoleError::Csrf)
        }
    }
}

/// The session ID in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value of a new session. No `Secure`: the admin listener speaks plain
/// HTTP, on which a browser would not send a `Secure` cookie back (put a TLS proxy in front
/// and it can add it).
pub fn set_cookie(id: &str) -> String {
    format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/")
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            hyper::header::COOKIE,
            "a=1; strata_console=abc ; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h), Some("abc"));
        h.insert(hyper::header::COOKIE, "strata_console=".parse().unwrap());
        assert_eq!(cookie(&h), None);
        h.insert(
            hyper::header::COOKIE,
            "xstrata_console=abc".parse().unwrap(),
        );
        assert_eq!(cookie(&h), None);
    }

    #[test]
    fn sessions_end_idle_or_old() {
        let start = Instant::now();
        let s = Session {
            access_key: "ak".into(),
            secret_key: "sk".into(),
            csrf: "t".into(),
            started: start,
            last_used: start,
        };
        assert!(s.valid(start));
        assert!(s.valid(start + IDLE - Duration::from_secs(1)));
        assert!(!s.valid(start + IDLE));
        let used = Session {
            last_used: start + LIFETIME - Duration::from_secs(1),
            ..s
        };
        assert!(used.valid(start + LIFETIME - Duration::from_millis(500)));
        assert!(!used.valid(start + LIFETIME));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
