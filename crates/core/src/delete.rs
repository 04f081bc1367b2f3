//! Deletes: of one key or version, and of up to 1000 in one durable commit.

use crate::error::{CoreError, Result};
use crate::meta::VersionRecord;
use crate::meta::{EntryKind, WriteTxn};
use crate::object::{find_version, publish, release, remove_null, sync_current};
use crate::store::{Store, current_entry};
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
    /// The entry's [`DeleteCondition`] does not hold.
    PreconditionFailed,
}

/// What a conditional delete requires of the entry it addresses: the version it names, else
/// the key's current entry (an object or a delete marker). Checked inside the delete's
/// transaction, before it writes. When there is no such entry every condition holds and the
/// delete goes ahead as usual (S3 answers a delete of nothing with success).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteCondition {
    /// `If-Match`: ETags as clients send them (quoted or not, comma-separated) or `*`. A
    /// delete marker has no ETag, so only `*` matches one.
    pub if_match: Option<String>,
    /// The entry's last-modified time, in whole seconds since the epoch.
    pub last_modified_secs: Option<i64>,
    /// The entry's size in bytes (0 for a delete marker).
    pub size: Option<u64>,
}

impl DeleteCondition {
    fn is_none(&self) -> bool {
        *self == DeleteCondition::default()
    }

    fn holds_for(&self, rec: &VersionRecord) -> bool {
        let data = rec.object();
        let etag_ok = self.if_match.as_deref().is_none_or(|list| {
            list.split(',').any(|t| {
                let t = t.trim().trim_start_matches("W/").trim_matches('"');
                t == "*" || data.is_some_and(|d| t.eq_ignore_ascii_case(&d.etag))
            })
        });
        let time_ok = self
            .last_modified_secs
            .is_none_or(|s| rec.last_modified_ms.div_euclid(1000) == s);
        let size_ok = self.size.is_none_or(|s| data.map_or(0, |d| d.size) == s);
        etag_ok && time_ok && size_ok
    }
}

/// Whether `cond` holds for the entry a delete of `key` (or of its `version`) addresses.
fn condition_holds(
    txn: &dyn WriteTxn,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
    cond: &DeleteCondition,
) -> Result<bool> {
    if cond.is_none() {
        return Ok(true);
    }
    let target = match version {
        Some(id) => find_version(txn, bucket, key, id)?,
        None => current_entry(txn, bucket, key)?,
    };
    Ok(target.is_none_or(|rec| cond.holds_for(&rec)))
}

impl Store {
    /// Deletes a key (under the bucket's versioning rules) or one version of it for good.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<DeleteOutcome> {
        self.delete_object_if(bucket, key, version, DeleteCondition::default())
            .await
    }

    /// [`Store::delete_object`] if `cond` holds, else [`CoreError::PreconditionFailed`].
    pub async fn delete_object_if(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        cond: DeleteCondition,
    ) -> Result<DeleteOutcome> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let outcome = self
            .write(move |txn| {
                let versioning = txn
                    .bucket(&bucket)?
                    .ok_or(CoreError::NoSuchBucket)?
                    .versioning;
                if !condition_holds(&*txn, &bucket, &key, version, &cond)? {
                    return Err(CoreError::PreconditionFailed);
                }
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
        let entries = entries
            .into_iter()
            .map(|e| (e, DeleteCondition::default()))
            .collect();
        self.delete_objects_if(bucket, entries).await
    }

    /// [`Store::delete_objects`] with a condition per entry; an entry whose condition does not
    /// hold fails alone with [`EntryError::PreconditionFailed`].
    pub async fn delete_objects_if(
        &self,
        bucket: &str,
        entries: Vec<(DeleteEntry, DeleteCondition)>,
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
                for (entry, cond) in entries {
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
                    if !condition_holds(&*txn, &bucket, &entry.key, version, &cond)? {
                        out.push((entry, Err(EntryError::PreconditionFailed)));
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
            release(txn, bucket, key, &rec)?;
            sync_current(txn, bucket, key)?;
            Ok(DeleteOutcome::VersionRemoved {
                version_id: id,
                was_marker: rec.is_delete_marker(),
                existed: true,
            })
        }
    }
}
