//! The restore plan: what bringing one key back to how it was at a time takes, from the
//! key's version listing. `strata restore` and the web console both carry it out, so they
//! agree on every key.
//!
//! For each key, the entry that was current at the time is the newest one last modified at or
//! before it (listings are in key order, newest first within a key). Then:
//!
//! - it is still current, or the current version has its content (same ETag and size):
//!   nothing to do (so restoring twice changes nothing more);
//! - only delete markers came after it: those markers are removed, and it is current again,
//!   with its own version ID and no data copied;
//! - a newer version came after it: it is copied over the key (a new current version with
//!   its content);
//! - the key did not exist at the time, or was deleted at the time and written again since:
//!   left alone (restore only brings data back, it never deletes any).

/// One entry of a version listing: an object version or a delete marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionEntry {
    pub key: String,
    /// `null` for the null version.
    pub version_id: String,
    pub is_latest: bool,
    pub is_delete_marker: bool,
    /// As listed (S3 and OSS listings are second-granular).
    pub last_modified_ms: i64,
    pub size: u64,
    /// Without quotes.
    pub etag: String,
}

/// What restoring one key takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Its state at TIME is its state now.
    Unchanged,
    /// Remove these delete markers (all newer than TIME); the version under them is current
    /// again.
    Undelete { markers: Vec<String> },
    /// Copy this version over the key.
    CopyBack { version_id: String },
    /// No entry at or before TIME: the key was created later; left alone.
    CreatedLater,
    /// Deleted at TIME, written again since; left alone.
    DeletedThen,
}

/// The plan for one key, from its entries newest first.
pub fn plan(entries: &[VersionEntry], as_of_ms: i64) -> Plan {
    let Some(then) = entries.iter().position(|e| e.last_modified_ms <= as_of_ms) else {
        return Plan::CreatedLater;
    };
    let at = &entries[then];
    let newer = &entries[..then];
    if newer.is_empty() {
        return Plan::Unchanged;
    }
    let current = &entries[0];
    if !at.is_delete_marker
        && !current.is_delete_marker
        && !at.etag.is_empty()
        && (current.etag.as_str(), current.size) == (at.etag.as_str(), at.size)
    {
        // Its content now is its content then (restored already, or written back).
        return Plan::Unchanged;
    }
    if at.is_delete_marker {
        return if current.is_delete_marker {
            Plan::Unchanged
        } else {
            Plan::DeletedThen
        };
    }
    if newer.iter().all(|e| e.is_delete_marker) {
        Plan::Undelete {
            markers: newer.iter().map(|e| e.version_id.clone()).collect(),
        }
    } else {
        Plan::CopyBack {
            version_id: at.version_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(key: &str, id: &str, marker: bool, at: i64) -> VersionEntry {
        VersionEntry {
            key: key.into(),
            version_id: id.into(),
            is_latest: false,
            is_delete_marker: marker,
            last_modified_ms: at,
            size: 0,
            etag: String::new(),
        }
    }

    #[test]
    fn plans() {
        // newest first
        let overwritten = [e("k", "v2", false, 20), e("k", "v1", false, 10)];
        assert_eq!(
            plan(&overwritten, 15),
            Plan::CopyBack {
                version_id: "v1".into()
            }
        );
        assert_eq!(plan(&overwritten, 20), Plan::Unchanged);
        assert_eq!(plan(&overwritten, 5), Plan::CreatedLater);
        let deleted = [
            e("k", "m2", true, 30),
            e("k", "m1", true, 20),
            e("k", "v1", false, 10),
        ];
        assert_eq!(
            plan(&deleted, 15),
            Plan::Undelete {
                markers: vec!["m2".into(), "m1".into()]
            }
        );
        let deleted_and_overwritten = [
            e("k", "m2", true, 30),
            e("k", "v2", false, 20),
            e("k", "v1", false, 10),
        ];
        assert_eq!(
            plan(&deleted_and_overwritten, 15),
            Plan::CopyBack {
                version_id: "v1".into()
            }
        );
        let rewritten = [e("k", "v2", false, 30), e("k", "m1", true, 20)];
        assert_eq!(plan(&rewritten, 25), Plan::DeletedThen);
        let mut copied = [
            e("k", "v3", false, 40),
            e("k", "v2", false, 20),
            e("k", "v1", false, 10),
        ];
        copied[0].etag = "same".into();
        copied[2].etag = "same".into();
        assert_eq!(plan(&copied, 15), Plan::Unchanged);
        let still_deleted = [e("k", "m2", true, 30), e("k", "m1", true, 20)];
        assert_eq!(plan(&still_deleted, 25), Plan::Unchanged);
    }
}
