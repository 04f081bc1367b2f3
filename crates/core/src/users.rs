//! Users: key pairs with the owner ID and display name they act as, kept in the metadata
//! store's `settings` table as `user/ACCESS-KEY` → [`UserRecord`].
//!
//! The administrator (the key pair the server is started with) is not stored here: it comes
//! from the command line or the environment. Everything else about users is: the admin API
//! adds, removes and rotates them, and `--users FILE` seeds them ([`Store::seed_user`]).
//!
//! Rotating a user's key ([`Store::rotate_user_key`]) replaces its secret and keeps its access
//! key, so what a client is configured with by name stays valid; the old secret stops
//! working at once. A rotation with overlap (AWS's way: a second key pair, then the old one
//! removed) is two users with the same owner ID: add one, move the clients, remove the other.
//!
//! Secrets never appear in `Debug` output ([`UserRecord`] and [`NewUser`] print
//! `<redacted>`), so they cannot reach a log by way of a value.

use crate::error::{CoreError, StorageError};
use crate::meta::{Flow, Versioned, decode, encode};
use crate::owners::config_changed;
use crate::store::{Store, now_ms};
use rand::RngExt as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where users live in the `settings` table: this prefix, then the access key.
pub const SETTING_PREFIX: &str = "user/";

/// Generated access keys: 20 uppercase letters and digits, as AWS's look.
pub const ACCESS_KEY_LEN: usize = 20;
/// Generated secret keys: 40 characters of the base64 alphabet, as AWS's look.
pub const SECRET_KEY_LEN: usize = 40;
/// The longest access key, secret key, owner ID or display name accepted.
pub const MAX_FIELD_LEN: usize = 256;

const ACCESS_KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A stored user, under its access key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The owner ID it acts as (what buckets and objects record, what grants name).
    pub id: String,
    /// The name S3 and OSS listings show.
    pub display_name: String,
    pub secret_key: String,
    /// When it was added (Unix milliseconds).
    pub created_ms: i64,
}

impl Versioned for UserRecord {}

impl fmt::Debug for UserRecord {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("secret_key", &"<redacted>")
            .field("created_ms", &self.created_ms)
            .finish()
    }
}

/// A user to add: the keys are generated when not given, and the display name is the owner
/// ID when not given.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub display_name: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

impl fmt::Debug for NewUser {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("access_key", &self.access_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Why a change to the users was refused.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a user with access key {0} already exists")]
    Exists(String),
    #[error("no user has access key {0}")]
    NoSuchUser(String),
    /// A field that cannot be used (empty, too long, characters a signature cannot carry).
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] CoreError),
}

impl From<StorageError> for UserError {
    fn from(e: StorageError) -> UserError {
        UserError::Store(e.into())
    }
}

/// What [`Store::seed_user`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The access key was not stored: the user was added.
    Added,
    /// The stored user differed (owner ID, display name or secret): it was rewritten, keeping
    /// its creation time.
    Updated,
    /// The stored user is the same.
    Unchanged,
}

fn setting_name(access_key: &str) -> String {
    format!("{SETTING_PREFIX}{access_key}")
}

/// An access key: 1 to 256 ASCII letters, digits, `-`, `_`, `.` or `~`, the characters every
/// signature scheme and a URL path carry as they are (no `/`, `:`, `,` or `=`, which the
/// dialects' credential strings are split on).
pub fn check_access_key(key: &str) -> Result<(), UserError> {
    let bad = |reason: &str| {
        Err(UserError::Invalid {
            field: "access key",
            reason: reason.to_owned(),
        })
    };
    if key.is_empty() || key.len() > MAX_FIELD_LEN {
        return bad("it must be 1 to 256 characters long");
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    {
        return bad("only ASCII letters, digits, '-', '_', '.' and '~' are allowed");
    }
    Ok(())
}

/// A secret key: 1 to 256 printable ASCII characters, no spaces.
pub fn check_secret_key(key: &str) -> Result<(), UserError> {
    if key.is_empty() || key.len() > MAX_FIELD_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UserError::Invalid {
            field: "secret key",
            reason: "it must be 1 to 256 printable ASCII characters without spaces".into(),
        });
    }
    Ok(())
}

/// An owner ID (not empty) or display name: at most 256 bytes, no control characters.
fn check_name(field: &'static str, value: &str, may_be_empty: bool) -> Result<(), UserError> {
    let reason = if value.is_empty() && !may_be_empty {
        "it cannot be empty"
    } else if value.len() > MAX_FIELD_LEN {
        "it must be at most 256 bytes long"
    } else if value.chars().any(char::is_control) {
        "it cannot contain control characters"
    } else {
        return Ok(());
    };
    Err(UserError::Invalid {
        field,
        reason: reason.into(),
    })
}

/// A fresh access key: [`ACCESS_KEY_LEN`] uppercase letters and digits.
pub fn generate_access_key() -> String {
    random_string(ACCESS_KEY_CHARS, ACCESS_KEY_LEN)
}

/// A fresh secret key: [`SECRET_KEY_LEN`] characters of the base64 alphabet (240 bits).
pub fn generate_secret_key() -> String {
    random_string(SECRET_KEY_CHARS, SECRET_KEY_LEN)
}

fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

impl Store {
    /// Every stored user, by access key ascending.
    pub fn users(&self) -> Result<Vec<(String, UserRecord)>, CoreError> {
        let txn = self.read()?;
        let mut found = Vec::new();
        let mut failed = None;
        txn.scan_settings(SETTING_PREFIX, &mut |name, bytes| {
            let Some(key) = name.strip_prefix(SETTING_PREFIX) else {
                return Flow::Stop;
            };
            match decode::<UserRecord>(bytes) {
                Ok(rec) => {
                    found.push((key.to_owned(), rec));
                    Flow::Continue
                }
                Err(e) => {
                    failed = Some(e);
                    Flow::Stop
                }
            }
        })?;
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(found),
        }
    }

    /// The stored user with this access key, if any.
    pub fn user(&self, access_key: &str) -> Result<Option<UserRecord>, CoreError> {
        let txn = self.read()?;
        match txn.setting(&setting_name(access_key))? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Adds a user, generating the keys not given. An access key already stored is
    /// [`UserError::Exists`]. Returns the access key and the stored record (the only time its
    /// secret need be shown).
    pub async fn put_user(&self, new: NewUser) -> Result<(String, UserRecord), UserError> {
        let access_key = new.access_key.unwrap_or_else(generate_access_key);
        let secret_key = new.secret_key.unwrap_or_else(generate_secret_key);
        let display_name = new.display_name.unwrap_or_else(|| new.id.clone());
        check_access_key(&access_key)?;
        check_secret_key(&secret_key)?;
        check_name("owner ID", &new.id, false)?;
        check_name("display name", &display_name, true)?;
        let rec = UserRecord {
            id: new.id,
            display_name,
            secret_key,
            created_ms: now_ms(),
        };
        let name = setting_name(&access_key);
        let check_name = name.clone();
        let stored = rec.clone();
        let added = self
            .write(
                move |txn| Ok(txn.setting(&check_name)?.is_none()),
                move |txn, absent| {
                    if absent {
                        txn.put_setting(&name, &encode(&stored))?;
                        config_changed(txn)?;
                    }
                    Ok(absent)
                },
            )
            .await?;
        if !added {
            return Err(UserError::Exists(access_key));
        }
        Ok((access_key, rec))
    }

    /// Makes the stored user with this access key be the one given (`--users FILE` at
    /// start: the file wins over what is stored). A user that exists keeps its creation time.
    pub async fn seed_user(
        &self,
        access_key: &str,
        id: &str,
        display_name: &str,
        secret_key: &str,
    ) -> Result<Seeded, UserError> {
        check_access_key(access_key)?;
        check_secret_key(secret_key)?;
        check_name("owner ID", id, false)?;
        check_name("display name", display_name, true)?;
        let name = setting_name(access_key);
        let check_name = name.clone();
        let (id, display_name, secret_key) = (
            id.to_owned(),
            display_name.to_owned(),
            secret_key.to_owned(),
        );
        let plan = self
            .write(
                move |txn| {
                    let stored = match txn.setting(&check_name)? {
                        Some(bytes) => Some(decode::<UserRecord>(&bytes)?),
                        None => None,
                    };
                    let wanted = |created_ms| UserRecord {
                        id,
                        display_name,
                        secret_key,
                        created_ms,
                    };
                    Ok(match stored {
                        None => (Seeded::Added, Some(wanted(now_ms()))),
                        Some(old) => {
                            let new = wanted(old.created_ms);
                            if new == old {
                                (Seeded::Unchanged, None)
                            } else {
                                (Seeded::Updated, Some(new))
                            }
                        }
                    })
                },
                move |txn, (seeded, rec)| {
                    if let Some(rec) = rec {
                        txn.put_setting(&name, &encode(&rec))?;
                        config_changed(txn)?;
                    }
                    Ok(seeded)
                },
            )
            .await?;
        Ok(plan)
    }

    /// Removes the user with this access key; returns what was stored.
    pub async fn remove_user(&self, access_key: &str) -> Result<UserRecord, UserError> {
        let name = setting_name(access_key);
        let check_name = name.clone();
        let removed = self
            .write(
                move |txn| match txn.setting(&check_name)? {
                    Some(bytes) => Ok(Some(decode::<UserRecord>(&bytes)?)),
                    None => Ok(None),
                },
                move |txn, found| {
                    if found.is_some() {
                        txn.remove_setting(&name)?;
                        config_changed(txn)?;
                    }
                    Ok(found)
                },
            )
            .await?;
        removed.ok_or_else(|| UserError::NoSuchUser(access_key.to_owned()))
    }

    /// Gives the user with this access key a new generated secret (the access key stays);
    /// the old secret is refused from then on. Returns the updated record.
    pub async fn rotate_user_key(&self, access_key: &str) -> Result<UserRecord, UserError> {
        let name = setting_name(access_key);
        let check_name = name.clone();
        let secret_key = generate_secret_key();
        let rotated = self
            .write(
                move |txn| match txn.setting(&check_name)? {
                    Some(bytes) => {
                        let mut rec = decode::<UserRecord>(&bytes)?;
                        rec.secret_key = secret_key;
                        Ok(Some(rec))
                    }
                    None => Ok(None),
                },
                move |txn, rec| {
                    if let Some(rec) = &rec {
                        txn.put_setting(&name, &encode(rec))?;
                        config_changed(txn)?;
                    }
                    Ok(rec)
                },
            )
            .await?;
        rotated.ok_or_else(|| UserError::NoSuchUser(access_key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let ak = generate_access_key();
        assert_eq!(ak.len(), ACCESS_KEY_LEN);
        assert!(
            ak.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        check_access_key(&ak).unwrap();
        let sk = generate_secret_key();
        assert_eq!(sk.len(), SECRET_KEY_LEN);
        assert!(sk.bytes().all(|b| SECRET_KEY_CHARS.contains(&b)));
        check_secret_key(&sk).unwrap();
        assert_ne!(generate_secret_key(), sk);
        assert_ne!(generate_access_key(), ak);
    }

    #[test]
    fn keys_and_names_are_checked() {
        for bad in ["", "a/b", "a:b", "a b", "a,b", "a=b", "é", &"a".repeat(257)] {
            assert!(check_access_key(bad).is_err(), "{bad:?}");
        }
        for good in ["AKID", "a-b_c.d~e", &"a".repeat(256)] {
            check_access_key(good).unwrap();
        }
        for bad in ["", "a b", "tab\t", &"s".repeat(257)] {
            assert!(check_secret_key(bad).is_err(), "{bad:?}");
        }
        check_secret_key("h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==").unwrap();
        assert!(check_name("owner ID", "", false).is_err());
        assert!(check_name("display name", "", true).is_ok());
        assert!(check_name("owner ID", "a\nb", false).is_err());
        assert!(check_name("owner ID", "testx$tenant", false).is_ok());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let rec = UserRecord {
            id: "alice".into(),
            display_name: "Alice".into(),
            secret_key: "very-secret-value".into(),
            created_ms: 1,
        };
        let new = NewUser {
            id: "alice".into(),
            secret_key: Some("very-secret-value".into()),
            ..NewUser::default()
        };
        for shown in [format!("{rec:?}"), format!("{new:?}")] {
            assert!(shown.contains("alice"), "{shown}");
            assert!(!shown.contains("very-secret-value"), "{shown}");
        }
    }

    #[test]
    fn records_round_trip() {
        let rec = UserRecord {
            id: "alice".into(),
            display_name: "Alice".into(),
            secret_key: "s".into(),
            created_ms: 42,
        };
        let bytes = encode(&rec);
        assert_eq!(bytes[0], crate::meta::FORMAT_V1);
        assert_eq!(decode::<UserRecord>(&bytes).unwrap(), rec);
    }
}
