//! Deletes: of one key or version, and of up to 1000 in one durable commit.

use crate::error::{CoreError, Result};
use crate::meta::{EntryKind, WriteTxn};
use crate::object::{find_version, publish, release, remove_null, sync_current};
use crate::store::Store;
use crate::version::{VersionId, Versioning};

/// The most entries one [`Store::delete_objects`] call takes.
pub const MAX_DELETE_ENTRIES: usize = 1000;

/// What a delete did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// A simple delete in an unversioned bucket: the object is gone; `existed` says whether
    /// there was one.
    Removed { existed: bool },
    /// A simple delete in a versioned bucket stacked this new delete marker.
    MarkerCreated(VersionId),
    /// A delete by version ID removed that entry for good (or found nothing with that ID;
    /// `existed` says which). `was_marker` is true when the entry was a delete marker.
    VersionRemoved {
        version_id: VersionId,
        was_marker: bool,
        existed: bool,
    },
}

/// One entry of a multi-delete request. The version ID is still the client's text, so that a
/// malformed one fails only its own entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteEntry {
    pub key: String,
    pub version_id: Option<String>,
}

/// Why one entry of a multi-delete failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryError {
    InvalidVersionId(String),
    InvalidKey(String),
}

impl Store {
    /// Deletes a key (under the bucket's versioning rules) or one version of it for good.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<DeleteOutcome> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let outcome = self
            .write(move |txn| {
                let versioning = txn
                    .bucket(&bucket)?
                    .ok_or(CoreError::NoSuchBucket)?
                    .versioning;
                delete_one(txn, &bucket, versioning, &key, version)
            })
            .await?;
        self.freed_space();
        Ok(outcome)
    }

    /// Deletes up to [`MAX_DELETE_ENTRIES`] keys or versions in one transaction and one durable
    /// commit. Returns one result per entry, in order.
    pub async fn delete_objects(
        &self,
        bucket: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<Vec<(DeleteEntry, Result<DeleteOutcome, EntryError>)>> {
        if entries.len() > MAX_DELETE_ENTRIES {
            return Err(CoreError::TooManyEntries {
                got: entries.len(),
                max: MAX_DELETE_ENTRIES,
            });
        }
        let bucket = bucket.to_owned();
        let results = self
            .write(move |txn| {
                let versioning = txn
                    .bucket(&bucket)?
                    .ok_or(CoreError::NoSuchBucket)?
                    .versioning;
                let mut out = Vec::with_capacity(entries.len());
                for entry in entries {
                    let version = match entry
                        .version_id
                        .as_deref()
                        .map(VersionId::parse)
                        .transpose()
                    {
                        Ok(v) => v,
                        Err(_) => {
                            let id = entry.version_id.clone().unwrap_or_default();
                            out.push((entry, Err(EntryError::InvalidVersionId(id))));
                            continue;
                        }
                    };
                    if let Err(e) = crate::store::validate_key(&entry.key) {
                        out.push((entry, Err(EntryError::InvalidKey(e.to_string()))));
                        continue;
                    }
                    let outcome = delete_one(txn, &bucket, versioning, &entry.key, version)?;
                    out.push((entry, Ok(outcome)));
                }
                Ok(out)
            })
            .await?;
        self.freed_space();
        Ok(results)
    }
}

/// One delete inside a write transaction. Only storage failures are errors.
fn delete_one(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    versioning: Versioning,
    key: &str,
    version: Option<VersionId>,
) -> Result<DeleteOutcome> {
    match (version, versioning) {
        (None, Versioning::Unversioned) => {
            let existed = remove_null(txn, bucket, key)?.is_some();
            if existed {
                sync_current(txn, bucket, key)?;
            }
            Ok(DeleteOutcome::Removed { existed })
        }
        (None, Versioning::Enabled | Versioning::Suspended) => {
            let (id, _) = publish(txn, bucket, key, versioning, EntryKind::DeleteMarker)?;
            Ok(DeleteOutcome::MarkerCreated(id))
        }
        (Some(id), _) => {
            let Some(rec) = find_version(&*txn, bucket, key, id)? else {
                return Ok(DeleteOutcome::VersionRemoved {
                    version_id: id,
                    was_marker: false,
                    existed: false,
                });
            };
            if id.is_null() {
                txn.set_null_seq(bucket, key, None)?;
            }
            txn.remove_version(bucket, key, rec.seq)?;
            release(txn, &rec)?;
            sync_current(txn, bucket, key)?;
            Ok(DeleteOutcome::VersionRemoved {
                version_id: id,
                was_marker: rec.is_delete_marker(),
                existed: true,
            })
        }
    }
}
