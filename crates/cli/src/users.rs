//! `--users FILE`: more key pairs, each with the owner ID and display name listings show,
//! stored in the metadata store at start ([`seed`]) next to the users `strata user add`
//! makes. A user of the file that is not stored is added; one whose stored record differs
//! (owner ID, display name or secret, changed in the file or through the admin API) is
//! rewritten as the file says: the file wins, so what it says holds after every start. A
//! user removed through the admin API but left in the file comes back at the next start.
//!
//! ```toml
//! [[user]]
//! access_key = "NOPQRSTUVWXYZABCDEFG"
//! secret_key = "nopqrstuvwxyzabcdefghijklmnabcdefghijklm"
//! id = "56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234"
//! display_name = "john.doe"
//! ```

use crate::error::CliError;
use serde::Deserialize;
use std::path::Path;
use strata_api::{Credentials, User};
use strata_core::{Seeded, Store, UserError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    user: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    access_key: String,
    secret_key: String,
    id: Option<String>,
    display_name: Option<String>,
}

pub fn load(path: &Path) -> Result<Vec<User>, CliError> {
    let bad = |reason: String| CliError::Credentials {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    parse(&text).map_err(bad)
}

/// Stores the users of the file at `path` (see the module's notes). A user with the
/// administrator's access key is refused: the administrator's key pair is never stored.
pub async fn seed(store: &Store, admin: &User, path: &Path) -> Result<(), CliError> {
    let bad = |reason: String| CliError::Credentials {
        path: path.to_owned(),
        reason,
    };
    let users = load(path)?;
    let (mut added, mut updated) = (0, 0);
    for (i, u) in users.iter().enumerate() {
        let key = &u.credentials.access_key;
        if *key == admin.credentials.access_key {
            return Err(bad(format!(
                "user {} has the administrator's access key {key}",
                i + 1
            )));
        }
        let seeded = store
            .seed_user(key, &u.id, &u.display_name, &u.credentials.secret_key)
            .await
            .map_err(|e| match e {
                UserError::Store(e) => CliError::Store(e),
                e => bad(format!("user {} ({key}): {e}", i + 1)),
            })?;
        match seeded {
            Seeded::Added => added += 1,
            Seeded::Updated => {
                updated += 1;
                tracing::info!(access_key = %key, "the users file changed this stored user");
            }
            Seeded::Unchanged => {}
        }
    }
    tracing::info!(
        path = %path.display(),
        users = users.len(),
        added,
        updated,
        "users file read"
    );
    Ok(())
}

fn parse(text: &str) -> Result<Vec<User>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    file.user
        .into_iter()
        .map(|e| {
            if e.access_key.is_empty() || e.secret_key.is_empty() {
                return Err("every user needs a non-empty access_key and secret_key".to_owned());
            }
            let id = e.id.unwrap_or_else(|| e.access_key.clone());
            let display_name = e.display_name.unwrap_or_else(|| id.clone());
            Ok(User {
                credentials: Credentials {
                    access_key: e.access_key,
                    secret_key: e.secret_key,
                },
                id,
                display_name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_parse_with_optional_id_and_name() {
        let users = parse(
            "[[user]]\naccess_key = \"A\"\nsecret_key = \"S\"\nid = \"i\"\ndisplay_name = \"M. Tester\"\n\n[[user]]\naccess_key = \"B\"\nsecret_key = \"T\"\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            (users[0].id.as_str(), users[0].display_name.as_str()),
            ("i", "M. Tester")
        );
        assert_eq!(
            (users[1].id.as_str(), users[1].display_name.as_str()),
            ("B", "B")
        );
    }

    #[test]
    fn bad_user_files_are_refused() {
        assert!(parse("[[user]]\naccess_key = \"\"\nsecret_key = \"S\"\n").is_err());
        assert!(parse("[[user]]\naccess_key = \"A\"\n").is_err());
        assert!(parse("[[user]]\naccess_key = \"A\"\nsecret_key = \"S\"\nextra = 1\n").is_err());
    }
}
