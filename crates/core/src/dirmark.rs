//! `DIR/STORE`: which metadata store a data directory's files belong to, so that a server never
//! sweeps (removes as unreferenced) the files of a store whose metadata it does not hold.
//!
//! The file is one line, `embedded` or `postgres ID`. ID (32 hex digits) is also kept in the
//! PostgreSQL store's settings (`store/id`), and the two must agree: gateways pointed at
//! another database, or at another directory, refuse to start. A directory with an embedded
//! store (`meta.redb`) refuses PostgreSQL gateways until `strata migrate` has copied its
//! metadata; a directory of PostgreSQL gateways refuses the embedded store. A directory made
//! before the file existed gets it at its next start.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

const FILE_NAME: &str = "STORE";
/// The setting holding a PostgreSQL store's ID.
pub(crate) const STORE_ID_SETTING: &str = "store/id";

/// The kind of metadata store of a data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    Embedded,
    Postgres(String),
}

impl Mark {
    fn render(&self) -> String {
        match self {
            Mark::Embedded => "embedded\n".into(),
            Mark::Postgres(id) => format!("postgres {id}\n"),
        }
    }

    fn parse(text: &str) -> Option<Mark> {
        let mut words = text.split_whitespace();
        let mark = match (words.next(), words.next()) {
            (Some("embedded"), None) => Mark::Embedded,
            (Some("postgres"), Some(id))
                if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Mark::Postgres(id.to_owned())
            }
            _ => return None,
        };
        words.next().is_none().then_some(mark)
    }
}

fn refuse(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

/// The directory's mark, made if it has none (for a shared metadata store, with a new ID, or
/// the one another gateway starting at the same moment made). Refuses a directory whose
/// files belong to another kind of store.
pub(crate) fn claim(dir: &Path, postgres: bool) -> io::Result<Mark> {
    let path = dir.join(FILE_NAME);
    let mark = match fs::read_to_string(&path) {
        Ok(text) => Mark::parse(&text)
            .ok_or_else(|| refuse(format!("{} is not a store mark", path.display())))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if postgres && dir.join("meta.redb").exists() {
                return Err(refuse(
                    "it holds an embedded store (meta.redb): copy its metadata with \
                     `strata migrate` before serving it with --metadata"
                        .into(),
                ));
            }
            let made = if postgres {
                Mark::Postgres(format!("{:032x}", rand::random::<u128>()))
            } else {
                Mark::Embedded
            };
            write(dir, &made)?
        }
        Err(e) => return Err(e),
    };
    match (&mark, postgres) {
        (Mark::Embedded, true) => Err(refuse(
            "its files belong to an embedded store (`STORE` says so): serve it without \
             --metadata, or copy its metadata with `strata migrate`"
                .into(),
        )),
        (Mark::Postgres(_), false) => Err(refuse(
            "its files belong to a store whose metadata is in PostgreSQL (`STORE` says so): \
             serve it with that --metadata"
                .into(),
        )),
        _ => Ok(mark),
    }
}

/// Writes `mark` as the directory's mark unless it has one, which is returned instead: written
/// whole under a temporary name, then linked to its name (which fails if the name exists).
pub(crate) fn write(dir: &Path, mark: &Mark) -> io::Result<Mark> {
    let path = dir.join(FILE_NAME);
    let tmp = dir.join(format!(".{FILE_NAME}.{:016x}", rand::random::<u64>()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let linked = f
        .write_all(mark.render().as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| fs::hard_link(&tmp, &path));
    drop(f);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            crate::blob::sync_dir(dir)?;
            Ok(mark.clone())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Mark::parse(&fs::read_to_string(&path)?)
                .ok_or_else(|| refuse(format!("{} is not a store mark", path.display())))
        }
        Err(e) => Err(e),
    }
}

/// Replaces the directory's mark (`strata migrate`, once the metadata is copied).
pub fn mark_postgres(dir: &Path, id: &str) -> io::Result<()> {
    let tmp = dir.join(format!(".{FILE_NAME}.{:016x}", rand::random::<u64>()));
    fs::write(&tmp, Mark::Postgres(id.to_owned()).render())?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, dir.join(FILE_NAME))?;
    crate::blob::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_made_once_and_kinds_are_not_mixed() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(dir.path(), true).unwrap();
        assert!(matches!(&first, Mark::Postgres(id) if id.len() == 32));
        assert_eq!(claim(dir.path(), true).unwrap(), first);
        assert!(claim(dir.path(), false).is_err());

        let embedded = tempfile::tempdir().unwrap();
        assert_eq!(claim(embedded.path(), false).unwrap(), Mark::Embedded);
        assert!(claim(embedded.path(), true).is_err());

        let unmarked = tempfile::tempdir().unwrap();
        fs::write(unmarked.path().join("meta.redb"), b"").unwrap();
        assert!(claim(unmarked.path(), true).is_err());
        assert_eq!(claim(unmarked.path(), false).unwrap(), Mark::Embedded);
    }

    #[test]
    fn a_mark_of_another_kind_or_garbage_is_refused() {
        for text in ["", "postgres", "postgres xyz", "embedded extra", "redb\n"] {
            assert_eq!(Mark::parse(text), None, "{text:?}");
        }
    }
}
