//! Histories of concurrent writes to a few keys (each operation with the instants it was sent
//! and answered, and what it was answered), and the checks of what a store may hold after
//! them: the versions of a versioned key (`check_versions`), the last writes of an
//! unversioned one (`last_writes`).

use bytes::Bytes;
use http::HeaderMap;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use strata_client::{Error, PutOutput, VersionEntry};

/// What an operation did to its key.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A PUT of this body.
    Put(Bytes),
    /// A DELETE without a version: a delete marker (versioned), or the key gone.
    Marker,
    /// A DELETE of this version.
    DeleteVersion(String),
}

impl Kind {
    /// Whether, done last, it leaves the key reading `state` (unversioned: a body or absent).
    pub fn leaves(&self, state: &Option<Bytes>) -> bool {
        match self {
            Kind::Put(body) => state.as_ref() == Some(body),
            Kind::Marker => state.is_none(),
            Kind::DeleteVersion(_) => false,
        }
    }
}

/// How it was answered: acknowledged (with the version ID the answer named, if any), or not.
#[derive(Clone, Debug)]
pub enum Done {
    Ok(Option<String>),
    Failed(Error),
}

impl Done {
    pub fn from_put(r: Result<PutOutput, Error>) -> Done {
        match r {
            Ok(out) => Done::Ok(out.version_id),
            Err(e) => Done::Failed(e),
        }
    }

    /// A DELETE without a version in a versioned bucket: the marker's ID, when the answer
    /// says it made one (`x-amz-delete-marker: true`).
    pub fn from_marker(r: Result<(HeaderMap, Bytes), Error>) -> Done {
        match r {
            Ok((headers, _)) => {
                let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
                if header("x-amz-delete-marker") != Some("true") {
                    return Done::Ok(None);
                }
                Done::Ok(header("x-amz-version-id").map(str::to_owned))
            }
            Err(e) => Done::Failed(e),
        }
    }

    pub fn from_unit(r: Result<(), Error>) -> Done {
        match r {
            Ok(()) => Done::Ok(None),
            Err(e) => Done::Failed(e),
        }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, Done::Failed(_))
    }

    /// Whether it failed with this HTTP status.
    pub fn is_status(&self, status: u16) -> bool {
        matches!(self, Done::Failed(e) if e.status() == Some(status))
    }
}

/// One operation of a history.
#[derive(Clone, Debug)]
pub struct Op {
    pub key: String,
    pub kind: Kind,
    /// When it was sent, and when its answer (or failure) came back.
    pub start: Instant,
    pub end: Instant,
    pub done: Done,
}

impl Op {
    fn acked(&self) -> bool {
        matches!(self.done, Done::Ok(_))
    }

    /// Acknowledged before `other` was sent.
    fn before(&self, other: &Op) -> bool {
        self.end < other.start
    }
}

/// The sequence number of a version ID (16 hex digits of sequence, then the salt).
fn sequence(version_id: &str) -> u64 {
    version_id
        .get(..16)
        .and_then(|s| u64::from_str_radix(s, 16).ok())
        .unwrap_or_else(|| panic!("version ID {version_id:?} does not start with a sequence"))
}

/// Checks the listing `entries` (newest first) of a versioned `key` against the operations
/// `ops` made on it: every acknowledged version or marker is listed (as what it is) unless an
/// acknowledged delete removed it (then it is not); what is listed besides can only come from
/// failed operations, no more of them than failed; no ID twice; sequence numbers fall strictly;
/// and a write acknowledged before another was sent is listed as older. Returns how many such
/// ordered pairs it checked.
pub fn check_versions(key: &str, ops: &[&Op], entries: &[VersionEntry]) -> usize {
    let mut position = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        assert!(
            position.insert(e.version_id.as_str(), i).is_none(),
            "{key}: {} listed twice: {entries:#?}",
            e.version_id
        );
    }
    for w in entries.windows(2) {
        assert!(
            sequence(&w[0].version_id) > sequence(&w[1].version_id),
            "{key}: {} listed before {}",
            w[0].version_id,
            w[1].version_id
        );
    }
    let mut created: HashMap<&str, &Op> = HashMap::new();
    let (mut deleted, mut maybe_deleted) = (HashSet::new(), HashSet::new());
    let mut failed_creates = 0;
    for op in ops {
        match (&op.kind, &op.done) {
            (Kind::Put(_) | Kind::Marker, Done::Ok(v)) => {
                let v = v.as_deref().unwrap_or_else(|| {
                    panic!("{key}: an acknowledged write without a version ID: {op:#?}")
                });
                assert!(
                    created.insert(v, op).is_none(),
                    "{key}: two writes acknowledged with version {v}"
                );
            }
            (Kind::Put(_) | Kind::Marker, Done::Failed(_)) => failed_creates += 1,
            (Kind::DeleteVersion(v), Done::Ok(_)) => {
                deleted.insert(v.as_str());
            }
            (Kind::DeleteVersion(v), Done::Failed(_)) => {
                maybe_deleted.insert(v.as_str());
            }
        }
    }
    for (v, op) in &created {
        let listed = position.get(v).map(|&i| &entries[i]);
        if deleted.contains(v) {
            assert!(
                listed.is_none(),
                "{key}: {v} listed after its delete was acknowledged"
            );
        } else if let Some(e) = listed {
            assert_eq!(
                e.is_delete_marker,
                matches!(op.kind, Kind::Marker),
                "{key}: {v} listed as the wrong kind: {e:?}"
            );
        } else {
            assert!(
                maybe_deleted.contains(v),
                "{key}: acknowledged {v} is not listed: {op:#?}"
            );
        }
    }
    let unknown = entries
        .iter()
        .filter(|e| !created.contains_key(e.version_id.as_str()))
        .count();
    assert!(
        unknown <= failed_creates,
        "{key}: {unknown} entries listed that no acknowledged write made, {failed_creates} writes failed"
    );
    let acked: Vec<(&&Op, usize)> = created
        .iter()
        .filter_map(|(v, op)| position.get(v).map(|&i| (op, i)))
        .collect();
    let mut pairs = 0;
    for (a, pa) in &acked {
        for (b, pb) in &acked {
            if a.before(b) {
                pairs += 1;
                assert!(
                    pa > pb,
                    "{key}: acknowledged before the other was sent, but listed as newer:\n{a:#?}\n{b:#?}"
                );
            }
        }
    }
    pairs
}

/// The operations of an unversioned key's history that may have been the last to commit: the
/// failed ones (they may have committed at any time), and the acknowledged ones that no
/// acknowledged operation was sent after.
pub fn last_writes<'a>(ops: &[&'a Op]) -> Vec<&'a Op> {
    ops.iter()
        .copied()
        .filter(|x| !x.acked() || !ops.iter().any(|y| y.acked() && x.before(y)))
        .collect()
}
