//! The server's key pair: from flags or the environment, else from `DIR/credentials`, else
//! generated once and saved there.
//!
//! The file is two lines, `access_key = ...` and `secret_key = ...`; blank lines and lines
//! starting with `#` are ignored.

use crate::error::CliError;
use rand::RngExt as _;
use rand::distr::{Alphanumeric, SampleString as _};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use strata_api::Credentials;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "credentials";

const ACCESS_KEY_LEN: usize = 20;
const SECRET_KEY_LEN: usize = 40;
const ACCESS_KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Where the credentials from the data directory came from.
#[derive(Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from the file.
    Loaded(PathBuf),
    /// Generated now and saved to the file.
    Created(PathBuf),
}

/// A key as given on the command line or in the environment: printable ASCII, no spaces.
pub fn parse_key(s: &str) -> Result<String, String> {
    check_key(s).map(|()| s.to_owned())
}

fn check_key(s: &str) -> Result<(), String> {
    if s.is_empty() {
        Err("a key cannot be empty".into())
    } else if !s.bytes().all(|b| b.is_ascii_graphic()) {
        Err("a key must be printable ASCII without spaces".into())
    } else {
        Ok(())
    }
}

/// Both keys, or neither.
pub fn from_flags(
    access_key: Option<String>,
    secret_key: Option<String>,
) -> Result<Option<Credentials>, CliError> {
    match (access_key, secret_key) {
        (Some(access_key), Some(secret_key)) => Ok(Some(Credentials {
            access_key,
            secret_key,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(CliError::Usage(
            "--access-key (or STRATA_ACCESS_KEY) was given without --secret-key (or STRATA_SECRET_KEY); give both or neither".into(),
        )),
        (None, Some(_)) => Err(CliError::Usage(
            "--secret-key (or STRATA_SECRET_KEY) was given without --access-key (or STRATA_ACCESS_KEY); give both or neither".into(),
        )),
    }
}

/// Reads `dir/credentials`, or generates a key pair and saves it there if there is none.
pub fn load_or_create(dir: &Path) -> Result<(Credentials, Origin), CliError> {
    let path = dir.join(FILE_NAME);
    let err = |reason: String| CliError::Credentials {
        path: path.clone(),
        reason,
    };
    match fs::read_to_string(&path) {
        Ok(text) => {
            warn_if_readable_by_others(&path);
            let creds = parse(&text).map_err(err)?;
            Ok((creds, Origin::Loaded(path)))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let creds = generate();
            match write_new(dir, &path, &creds) {
                Ok(()) => Ok((creds, Origin::Created(path))),
                // Another gateway sharing the directory made it first: its pair is the one.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let text = fs::read_to_string(&path)
                        .map_err(|e| err(format!("cannot read it: {e}")))?;
                    Ok((parse(&text).map_err(err)?, Origin::Loaded(path)))
                }
                Err(e) => Err(err(format!("cannot create it: {e}"))),
            }
        }
        Err(e) => Err(err(format!("cannot read it: {e}"))),
    }
}

/// A fresh random key pair: 20 uppercase letters and digits, and 40 letters and digits.
pub fn generate() -> Credentials {
    let mut rng = rand::rng();
    let access_key = (0..ACCESS_KEY_LEN)
        .map(|_| ACCESS_KEY_CHARS[rng.random_range(0..ACCESS_KEY_CHARS.len())] as char)
        .collect();
    let secret_key = Alphanumeric.sample_string(&mut rng, SECRET_KEY_LEN);
    Credentials {
        access_key,
        secret_key,
    }
}

pub fn render(creds: &Credentials) -> String {
    format!(
        "# Strata's key pair. Created by `strata serve`; keep it private (mode 0600).\n\
         access_key = {}\n\
         secret_key = {}\n",
        creds.access_key, creds.secret_key
    )
}

pub fn parse(text: &str) -> Result<Credentials, String> {
    let (mut access_key, mut secret_key) = (None, None);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |msg: String| format!("line {}: {msg}", i + 1);
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| at("expected `name = value`".into()))?;
        let (name, value) = (name.trim(), value.trim());
        let slot = match name {
            "access_key" => &mut access_key,
            "secret_key" => &mut secret_key,
            other => {
                return Err(at(format!(
                    "unknown name {other:?} (expected access_key or secret_key)"
                )));
            }
        };
        if slot.is_some() {
            return Err(at(format!("{name} is given twice")));
        }
        check_key(value).map_err(|e| at(format!("{name}: {e}")))?;
        *slot = Some(value.to_owned());
    }
    match (access_key, secret_key) {
        (Some(access_key), Some(secret_key)) => Ok(Credentials {
            access_key,
            secret_key,
        }),
        (None, _) => Err("access_key is missing".into()),
        (_, None) => Err("secret_key is missing".into()),
    }
}

/// Creates the file (it must not exist yet) readable by its owner only, and makes it and its
/// directory entry durable. It is written whole under a temporary name first and then linked
/// to its name, which fails if the name exists: a process starting at the same moment over the
/// same directory (gateways sharing it) never reads a half-written file, and only one pair wins.
fn write_new(dir: &Path, path: &Path, creds: &Credentials) -> io::Result<()> {
    let tmp = dir.join(format!(".{FILE_NAME}.{:016x}", rand::random::<u64>()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    let written = file
        .write_all(render(creds).as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::hard_link(&tmp, path));
    drop(file);
    let _ = fs::remove_file(&tmp);
    written?;
    File::open(dir)?.sync_all()
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:03o}"),
                "the credentials file can be read by other users; consider `chmod 600`"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let c = generate();
        assert_eq!(c.access_key.len(), ACCESS_KEY_LEN);
        assert!(
            c.access_key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{}",
            c.access_key
        );
        assert_eq!(c.secret_key.len(), SECRET_KEY_LEN);
        assert!(c.secret_key.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(generate(), c);
    }

    #[test]
    fn rendered_file_parses_back() {
        let c = generate();
        assert_eq!(parse(&render(&c)).unwrap(), c);
    }

    #[test]
    fn parsing_tolerates_blanks_comments_and_spacing() {
        let c = parse("\n# hi\n  secret_key=S3CR3T  \naccess_key =  AK\n").unwrap();
        assert_eq!(c.access_key, "AK");
        assert_eq!(c.secret_key, "S3CR3T");
    }

    #[test]
    fn parsing_rejects_broken_files() {
        for (text, why) in [
            ("", "access_key is missing"),
            ("access_key = A\n", "secret_key is missing"),
            ("access_key = A\naccess_key = B\nsecret_key = S\n", "twice"),
            ("access_key A\n", "line 1"),
            (
                "access_key = A\nsecret_key = S\nregion = x\n",
                "unknown name",
            ),
            ("access_key = \nsecret_key = S\n", "empty"),
            ("access_key = A B\nsecret_key = S\n", "without spaces"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    #[test]
    fn flags_need_both_keys_or_neither() {
        assert_eq!(from_flags(None, None).unwrap(), None);
        assert!(
            from_flags(Some("a".into()), Some("s".into()))
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            from_flags(Some("a".into()), None),
            Err(CliError::Usage(_))
        ));
        assert!(matches!(
            from_flags(None, Some("s".into())),
            Err(CliError::Usage(_))
        ));
    }
}
