//! The users the server accepts: the administrator (the key pair the server was started with,
//! never stored) and the users of the metadata store ([`strata_core::users`]), kept in memory
//! as one immutable [`UserSet`] snapshot that every request reads.
//!
//! A request takes the snapshot once ([`Users::current`], in [`crate::AppState::keyring`]
//! and the console's session checks) and finds its signer's secret and user in it. Every
//! change made through the admin API ([`crate::admin`]) is written to the store first, then
//! [`Users::refresh`] reads the store's users again and swaps in a new snapshot, so a user
//! added, removed or rotated is accepted or refused from the next request on.
//!
//! Several gateways may share one metadata engine (PostgreSQL: [`Store::shared`]), and
//! another may change the users. Every change to the users increments the store's
//! configuration generation in its own write transaction ([`Store::config_generation`], the
//! same counter the core's bucket caches check), and each snapshot remembers the generation
//! it was read at (read before the users, so a snapshot is never newer than its label).
//! When the store is shared, [`Users::current`] reads the stored generation (one read of one
//! counter) and, if it moved past the snapshot's, reads the users again first: once per
//! generation, as concurrent requests wait for the one refresh and then find it done. So a
//! user added, removed or rotated by any gateway is accepted or refused from the next
//! request that begins after its commit, everywhere. When the store is not shared (redb), the
//! request path reads nothing: a read lock and an `Arc` clone.

use crate::Credentials;
use crate::access::Owner;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use strata_core::{CoreError, Store, UserRecord};
use strata_wire::Keyring;

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

    /// A stored user under its access key.
    pub fn from_record(access_key: String, rec: UserRecord) -> User {
        User {
            credentials: Credentials {
                access_key,
                secret_key: rec.secret_key,
            },
            id: rec.id,
            display_name: rec.display_name,
        }
    }
}

/// Every user at one moment: the administrator first, then the stored users by access key.
#[derive(Debug)]
pub struct UserSet {
    all: Vec<Arc<User>>,
    /// Index in `all` by access key.
    by_key: HashMap<String, usize>,
    /// Index in `all` of the first user with each owner ID.
    by_id: HashMap<String, usize>,
}

impl UserSet {
    /// The administrator and the other users. One whose access key is the administrator's
    /// (or an earlier user's) is left out: the administrator's key pair always wins.
    pub fn new(admin: User, others: impl IntoIterator<Item = User>) -> UserSet {
        let mut set = UserSet {
            all: Vec::new(),
            by_key: HashMap::new(),
            by_id: HashMap::new(),
        };
        for user in std::iter::once(admin).chain(others) {
            if set.by_key.contains_key(&user.credentials.access_key) {
                tracing::warn!(
                    access_key = %user.credentials.access_key,
                    "a stored user has the administrator's access key (or another user's); it is ignored"
                );
                continue;
            }
            let i = set.all.len();
            set.by_key.insert(user.credentials.access_key.clone(), i);
            set.by_id.entry(user.id.clone()).or_insert(i);
            set.all.push(Arc::new(user));
        }
        set
    }

    /// The user who signs with `access_key`.
    pub fn user(&self, access_key: &str) -> Option<&Arc<User>> {
        self.by_key.get(access_key).map(|&i| &self.all[i])
    }

    /// The administrator first, then the stored users by access key.
    pub fn all(&self) -> &[Arc<User>] {
        &self.all
    }

    fn admin(&self) -> &Arc<User> {
        &self.all[0]
    }

    /// Whether some user has this owner ID (a grant may name only users that exist).
    pub fn has_owner(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The owner ID and display name of an owner ID: the display name of the first user with
    /// that ID, or the ID itself when no user has it (any more). Buckets from before owners
    /// were recorded (owner "") show the administrator.
    pub fn owner(&self, id: &str) -> Owner {
        let found = if id.is_empty() {
            Some(self.admin())
        } else {
            self.by_id.get(id).map(|&i| &self.all[i])
        };
        match found {
            Some(u) => Owner::of_user(u),
            None => Owner {
                id: id.to_owned(),
                display_name: id.to_owned(),
            },
        }
    }
}

/// Access keys are identifiers, not secrets (AWS's documentation says as much): they are
/// found by hash. The secret a signature is checked with is never compared here; the
/// signature is, in constant time, by each scheme.
impl Keyring for UserSet {
    fn find(&self, access_key: &str) -> Option<&Credentials> {
        self.user(access_key).map(|u| &u.credentials)
    }
}

/// Every user the server accepts, as a snapshot that changes made through the admin API
/// replace (see the module's notes).
#[derive(Debug)]
pub struct Users {
    admin: Arc<User>,
    current: RwLock<Arc<UserSet>>,
    /// The stored configuration generation `current` was read at (or after).
    loaded: AtomicU64,
    /// Held while a refresh reads the store and swaps the snapshot, so that refreshes swap
    /// in the order they read and an older read never replaces a newer one.
    refreshing: Mutex<()>,
}

impl Users {
    /// The administrator and the users the store holds (as [`Users::load`] reads them),
    /// taken as read at configuration generation 0.
    pub fn new(admin: User, stored: impl IntoIterator<Item = User>) -> Users {
        let set = UserSet::new(admin, stored);
        Users {
            admin: set.admin().clone(),
            current: RwLock::new(Arc::new(set)),
            loaded: AtomicU64::new(0),
            refreshing: Mutex::new(()),
        }
    }

    /// The administrator and every user stored in `store`.
    pub fn load(admin: User, store: &Store) -> Result<Users, CoreError> {
        let generation = store.config_generation()?;
        let users = Users::new(admin, stored(store)?);
        users.loaded.store(generation, Ordering::Release);
        Ok(users)
    }

    /// Reads the store's users again and makes them the ones accepted from now on.
    pub fn refresh(&self, store: &Store) -> Result<(), CoreError> {
        let _one_at_a_time = self
            .refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.reload(store)
    }

    /// Reads the generation, then the users (the caller holds `refreshing`).
    fn reload(&self, store: &Store) -> Result<(), CoreError> {
        let generation = store.config_generation()?;
        let set = Arc::new(UserSet::new((*self.admin).clone(), stored(store)?));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = set;
        self.loaded.fetch_max(generation, Ordering::AcqRel);
        Ok(())
    }

    /// The users now, as the store says them: when the store is shared with other gateways
    /// and its configuration generation moved past the snapshot's, the users are read again
    /// first (once per generation); otherwise [`Users::snapshot`]. Fails only when the store
    /// cannot be read (then nothing can be said of the users).
    pub fn current(&self, store: &Store) -> Result<Arc<UserSet>, CoreError> {
        if store.shared() {
            let stored = store.config_generation()?;
            if stored > self.loaded.load(Ordering::Acquire) {
                let _one_at_a_time = self
                    .refreshing
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                // Another request may have refreshed while this one waited.
                if stored > self.loaded.load(Ordering::Acquire) {
                    self.reload(store)?;
                }
            }
        }
        Ok(self.snapshot())
    }

    /// The users as last read: one read lock and an `Arc` clone. A request's signer is
    /// found in [`Users::current`] instead.
    pub fn snapshot(&self) -> Arc<UserSet> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The administrator: the key pair the server was started with.
    pub fn admin(&self) -> &User {
        &self.admin
    }

    /// The user who signs with `access_key`, now.
    pub fn user(&self, access_key: &str) -> Option<Arc<User>> {
        self.snapshot().user(access_key).cloned()
    }

    /// Whether `user` is the administrator, which may act on every bucket (see
    /// [`crate::access`]). Needs no snapshot: the administrator never changes.
    pub fn is_admin(&self, user: &User) -> bool {
        self.admin.credentials == user.credentials
    }

    /// See [`UserSet::has_owner`].
    pub fn has_owner(&self, id: &str) -> bool {
        self.snapshot().has_owner(id)
    }

    /// See [`UserSet::owner`].
    pub fn owner(&self, id: &str) -> Owner {
        if id.is_empty() || id == self.admin.id {
            return Owner::of_user(&self.admin);
        }
        self.snapshot().owner(id)
    }
}

fn stored(store: &Store) -> Result<Vec<User>, CoreError> {
    Ok(store
        .users()?
        .into_iter()
        .map(|(key, rec)| User::from_record(key, rec))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(key: &str, id: &str) -> User {
        User {
            credentials: Credentials {
                access_key: key.into(),
                secret_key: format!("{key}-secret"),
            },
            id: id.into(),
            display_name: id.to_uppercase(),
        }
    }

    #[test]
    fn the_administrator_comes_first_and_wins_its_access_key() {
        let shadow = User {
            id: "mallory".into(),
            ..user("A", "x")
        };
        let set = UserSet::new(
            user("A", "admin"),
            [user("B", "bob"), shadow, user("C", "bob")],
        );
        assert_eq!(set.all().len(), 3);
        assert_eq!(set.user("A").unwrap().id, "admin");
        assert_eq!(set.find("A").unwrap().secret_key, "A-secret");
        assert!(set.find("Z").is_none());
        assert!(!set.has_owner("mallory"));
        // The first user with an owner ID names it.
        assert_eq!(
            set.owner("bob"),
            Owner {
                id: "bob".into(),
                display_name: "BOB".into()
            }
        );
        assert_eq!(set.owner("").id, "admin");
    }

    #[test]
    fn a_snapshot_taken_before_a_change_keeps_what_it_saw() {
        let users = Users::new(user("A", "admin"), [user("B", "bob")]);
        let before = users.snapshot();
        *users.current.write().unwrap() =
            Arc::new(UserSet::new(users.admin().clone(), [user("C", "carol")]));
        assert!(before.user("B").is_some());
        assert!(users.user("B").is_none());
        assert_eq!(users.user("C").unwrap().id, "carol");
        assert!(users.is_admin(&user("A", "admin")));
        assert!(!users.is_admin(&user("C", "carol")));
        assert_eq!(users.owner("admin").display_name, "ADMIN");
        assert_eq!(users.owner("carol").display_name, "CAROL");
        assert_eq!(users.owner("gone").display_name, "gone");
    }
}
