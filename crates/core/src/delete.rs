//! Deletes: of one key or version, and of up to 1000 in one durable commit.

use crate::error::{CoreError, Result};
use crate::meta::{EntryKind, ReadTxn, StorageResult, WriteTxn};
use crate::object::{find_version, publish, release, remove_null, sync_current, sync_current_to};
use crate::precondition::{Precondition, Target};
use crate::retention::{Guard, Protection};
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

/// How a multi-delete treats retention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchRules {
    /// Governance-mode retention does not protect (the requester asked and may).
    pub bypass_governance: bool,
    /// A protected entry refuses the whole request before anything is deleted (OSS, whose
    /// answer has no per-entry errors), instead of failing alone.
    pub refuse_whole: bool,
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
    /// The entry's [`Precondition`] does not hold.
    PreconditionFailed,
    /// The requester may not delete it (decided before the core runs the others).
    AccessDenied,
    /// Retention protects the entry it would remove.
    Protected(Protection),
}

/// Whether `cond` holds for the entry a delete of `key` (or of its `version`) addresses: the
/// version it names, else the key's current entry (an object or a delete marker). When there
/// is no such entry every condition holds and the delete goes ahead as usual (S3 answers a
/// delete of nothing with success).
fn condition_holds(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
    cond: &Precondition,
) -> StorageResult<bool> {
    if cond.is_none() {
        return Ok(true);
    }
    let target = match version {
        Some(id) => find_version(txn, bucket, key, id)?,
        None => current_entry(txn, bucket, key)?,
    };
    Ok(target.is_none_or(|rec| cond.evaluate(Some(Target::of(&rec))).is_ok()))
}

impl Store {
    /// Deletes a key (under the bucket's versioning rules) or one version of it for good.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<DeleteOutcome> {
        self.delete_object_if(bucket, key, version, Precondition::default(), false)
            .await
    }

    /// [`Store::delete_object`] if `cond` holds, else [`CoreError::PreconditionFailed`]; and
    /// if retention does not protect the entry it would remove (governance-mode retention
    /// does not when `bypass_governance`), else [`RetentionError::Protected`].
    ///
    /// [`RetentionError::Protected`]: crate::retention::RetentionError::Protected
    pub async fn delete_object_if(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        cond: Precondition,
        bypass_governance: bool,
    ) -> Result<DeleteOutcome> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        let clock = self.inner.clock.clone();
        let outcome = self
            .write(
                move |txn| {
                    let guard = Guard::of(txn, &cb, clock.now_ms(), bypass_governance)?;
                    if !condition_holds(txn, &cb, &ck, version, &cond)? {
                        return Err(CoreError::PreconditionFailed);
                    }
                    guard.check_removal(txn, &cb, &ck, version)?;
                    Ok(guard)
                },
                move |txn, guard| delete_one(txn, &bucket, &guard, &key, version),
            )
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
            .map(|e| (e, Precondition::default()))
            .collect();
        self.delete_objects_if(bucket, entries, BatchRules::default())
            .await
    }

    /// [`Store::delete_objects`] with a condition per entry; an entry whose condition does not
    /// hold fails alone with [`EntryError::PreconditionFailed`], one whose removal retention
    /// forbids (see [`Store::delete_object_if`]) with [`EntryError::Protected`], or, under
    /// [`BatchRules::refuse_whole`], refuses the whole request before anything is deleted.
    pub async fn delete_objects_if(
        &self,
        bucket: &str,
        entries: Vec<(DeleteEntry, Precondition)>,
        rules: BatchRules,
    ) -> Result<Vec<(DeleteEntry, Result<DeleteOutcome, EntryError>)>> {
        if entries.len() > MAX_DELETE_ENTRIES {
            return Err(CoreError::TooManyEntries {
                got: entries.len(),
                max: MAX_DELETE_ENTRIES,
            });
        }
        let bucket = bucket.to_owned();
        let cb = bucket.clone();
        let clock = self.inner.clock.clone();
        // What the check step sees of the entries (they move into the apply step).
        let targets: Vec<(String, Option<VersionId>)> = if rules.refuse_whole {
            entries
                .iter()
                .map(|(e, _)| {
                    let v = e
                        .version_id
                        .as_deref()
                        .and_then(|v| VersionId::parse(v).ok());
                    (e.key.clone(), v)
                })
                .collect()
        } else {
            Vec::new()
        };
        let results = self
            .write(
                move |txn| {
                    let guard = Guard::of(txn, &cb, clock.now_ms(), rules.bypass_governance)?;
                    // A delete never makes another entry protected (it removes entries or
                    // adds delete markers), so checking them all before any runs is exact.
                    for (key, version) in &targets {
                        guard.check_removal(txn, &cb, key, *version)?;
                    }
                    Ok(guard)
                },
                // Each entry is checked just before it is carried out (an earlier entry may
                // change what a later one finds); a refused entry is a result, not an error.
                move |txn, guard| {
                    if plain(&guard, &entries) {
                        match guard.versioning {
                            Versioning::Unversioned => return remove_many(txn, &bucket, entries),
                            Versioning::Enabled => return mark_many(txn, &bucket, &guard, entries),
                            Versioning::Suspended => {}
                        }
                    }
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
                        if let Some(p) =
                            guard.removal_protection(&*txn, &bucket, &entry.key, version)?
                        {
                            out.push((entry, Err(EntryError::Protected(p))));
                            continue;
                        }
                        let outcome = delete_one(txn, &bucket, &guard, &entry.key, version)?;
                        out.push((entry, Ok(outcome)));
                    }
                    Ok(out)
                },
            )
            .await?;
        self.freed_space();
        Ok(results)
    }
}

/// Whether every entry of a delete-many is a plain delete of a key (no version, no condition)
/// in a bucket where nothing is protected. Such a batch is [`remove_many`]'s in a bucket that
/// never had versioning (each key has its `null` entry at most), [`mark_many`]'s in one with
/// versioning enabled.
fn plain(guard: &Guard, entries: &[(DeleteEntry, Precondition)]) -> bool {
    !guard.retention.is_active()
        && entries
            .iter()
            .all(|(e, cond)| e.version_id.is_none() && *cond == Precondition::default())
}

/// The plain deletes of a delete-many in a bucket that never had versioning ([`plain`]): what
/// [`delete_one`] does for each key, done a table at a time for all the keys (sorted, each
/// once), which lets the engine remove them by a scan instead of a search per key. A key named twice is removed by
/// its first entry; the second finds nothing, as it would one at a time.
#[allow(clippy::type_complexity)]
fn remove_many(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    entries: Vec<(DeleteEntry, Precondition)>,
) -> StorageResult<Vec<(DeleteEntry, Result<DeleteOutcome, EntryError>)>> {
    let mut keys: Vec<&str> = entries
        .iter()
        .map(|(e, _)| e.key.as_str())
        .filter(|k| crate::store::validate_key(k).is_ok())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let seqs = txn.take_null_seqs(bucket, &keys)?;
    let nulls: Vec<(&str, u64)> = keys
        .iter()
        .zip(seqs)
        .filter_map(|(k, seq)| Some((*k, seq?)))
        .collect();
    let removed = txn.remove_versions(bucket, &nulls)?;
    let mut gone = Vec::with_capacity(nulls.len());
    for ((key, _), rec) in nulls.iter().zip(&removed) {
        if let Some(rec) = rec {
            release(txn, bucket, key, rec)?;
            gone.push(*key);
        }
    }
    // What sync_current_to(.., None) does for each key that had an entry.
    txn.remove_objects(bucket, &gone)?;
    for key in &gone {
        crate::lifecycle::key_changed(txn, bucket, key)?;
    }
    let mut gone: std::collections::HashSet<&str> = gone.into_iter().collect();
    let outcomes: Vec<Result<DeleteOutcome, EntryError>> = entries
        .iter()
        .map(|(e, _)| match crate::store::validate_key(&e.key) {
            Err(err) => Err(EntryError::InvalidKey(err.to_string())),
            Ok(()) => Ok(DeleteOutcome::Removed {
                existed: gone.remove(e.key.as_str()),
            }),
        })
        .collect();
    Ok(entries.into_iter().map(|(e, _)| e).zip(outcomes).collect())
}

/// The plain deletes of a delete-many in a bucket with versioning enabled ([`plain`]): what
/// [`delete_one`] does for each entry (a new delete marker, in the request's order, a key
/// named twice getting two), with the listing summaries the markers hide removed afterwards
/// for all the keys at once ([`WriteTxn::remove_objects`]).
#[allow(clippy::type_complexity)]
fn mark_many(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    guard: &Guard,
    entries: Vec<(DeleteEntry, Precondition)>,
) -> StorageResult<Vec<(DeleteEntry, Result<DeleteOutcome, EntryError>)>> {
    let mut out = Vec::with_capacity(entries.len());
    for (entry, _) in entries {
        if let Err(e) = crate::store::validate_key(&entry.key) {
            out.push((entry, Err(EntryError::InvalidKey(e.to_string()))));
            continue;
        }
        let marker =
            crate::entry::put_entry(txn, bucket, &entry.key, guard, EntryKind::DeleteMarker)?;
        out.push((entry, Ok(DeleteOutcome::MarkerCreated(marker.id))));
    }
    let mut keys: Vec<&str> = out
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(e, _)| e.key.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // What sync_current_to(.., Some(marker)) does for each key.
    txn.remove_objects(bucket, &keys)?;
    for key in &keys {
        crate::lifecycle::key_changed(txn, bucket, key)?;
    }
    Ok(out)
}

/// One delete inside a write transaction, whose removal `guard` has allowed. Only storage
/// failures are errors.
pub(crate) fn delete_one(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    guard: &Guard,
    key: &str,
    version: Option<VersionId>,
) -> StorageResult<DeleteOutcome> {
    match (version, guard.versioning) {
        (None, Versioning::Unversioned) => {
            let existed = remove_null(txn, bucket, key)?.is_some();
            if existed {
                // A bucket that never had versioning holds only `null` entries, one per key
                // at most: the key has none left.
                sync_current_to(txn, bucket, key, None)?;
            }
            Ok(DeleteOutcome::Removed { existed })
        }
        (None, Versioning::Enabled | Versioning::Suspended) => {
            let (id, _) = publish(txn, bucket, key, guard, EntryKind::DeleteMarker)?;
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
