//! The store's side of access control: bucket configurations (ACL, policies, public access
//! block, ownership) and object ACLs, read and written under the same rules as everything
//! else, and the compiled configuration every request's decision reads from memory.

use super::{BucketAccess, ObjectAccess, ObjectAcl};
use crate::error::{CoreError, Result};
use crate::meta::{BucketAccessRecord, BucketRecord, EntryKind};
use crate::object::resolve_entry;
use crate::owners::config_changed;
use crate::retention::{BucketRetention, LockConfig};
use crate::store::{Store, now_ms, validate_bucket_name};
use crate::version::{VersionId, Versioning};
use std::sync::Arc;

impl Store {
    /// Creates a bucket owned by `owner` (an owner ID) with the access configuration
    /// `access`, and with S3 Object Lock enabled (and so versioning) when `object_lock`. An
    /// existing bucket is [`CoreError::BucketAlreadyExists`], saying whether `owner` is its
    /// owner.
    pub async fn create_bucket_with(
        &self,
        name: &str,
        owner: &str,
        access: BucketAccessRecord,
        object_lock: bool,
    ) -> Result<()> {
        validate_bucket_name(name)?;
        self.check_room(None)?;
        let (name, owner) = (name.to_owned(), owner.to_owned());
        let check_name = name.clone();
        let created = self
            .write(
                move |txn| {
                    if let Some(existing) = txn.bucket(&check_name)? {
                        let owned_by_you = existing.owner.is_empty() || existing.owner == owner;
                        return Err(CoreError::BucketAlreadyExists { owned_by_you });
                    }
                    Ok(owner)
                },
                move |txn, owner| {
                    let rec = BucketRecord {
                        created_ms: now_ms(),
                        versioning: if object_lock {
                            Versioning::Enabled
                        } else {
                            Versioning::Unversioned
                        },
                        owner,
                        access,
                        retention: BucketRetention {
                            object_lock: object_lock.then(LockConfig::default),
                            worm: None,
                        },
                    };
                    txn.put_bucket(&name, &rec)?;
                    config_changed(txn)
                },
            )
            .await;
        self.inner.access.changed();
        created
    }

    /// The compiled access configuration of bucket `name`, or `None` when there is no such
    /// bucket. Answered from memory between changes (see `crate::owners`), as every request
    /// asks.
    pub fn bucket_access(&self, name: &str) -> Result<Option<Arc<BucketAccess>>> {
        self.cached(&self.inner.access, name, |txn| {
            Ok(txn
                .bucket(name)?
                .map(|b| Arc::new(BucketAccess::compile(name, b.owner, &b.access))))
        })
    }

    /// The owner ID of bucket `name`, or `None` when there is no such bucket.
    pub fn bucket_owner(&self, name: &str) -> Result<Option<String>> {
        Ok(self.bucket_access(name)?.map(|a| a.owner.clone()))
    }

    /// The stored access configuration of bucket `name` (the policies' texts as they were put).
    pub fn bucket_access_record(&self, name: &str) -> Result<BucketAccessRecord> {
        let rec = self.read()?.bucket(name)?.ok_or(CoreError::NoSuchBucket)?;
        Ok(rec.access)
    }

    /// Changes bucket `name`'s access configuration: `change` edits it (and may refuse), in
    /// the write's own transaction. Returns what `change` returns.
    pub async fn update_bucket_access<T: Send + 'static>(
        &self,
        name: &str,
        change: impl FnOnce(&str, &mut BucketAccessRecord) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let name = name.to_owned();
        let check_name = name.clone();
        let updated = self
            .write(
                move |txn| {
                    let mut rec = txn.bucket(&check_name)?.ok_or(CoreError::NoSuchBucket)?;
                    let out = change(&rec.owner, &mut rec.access)?;
                    Ok((rec, out))
                },
                move |txn, (rec, out)| {
                    txn.put_bucket(&name, &rec)?;
                    config_changed(txn)?;
                    Ok(out)
                },
            )
            .await;
        self.inner.access.changed();
        updated
    }

    /// The owner and ACL of the object version a read addresses (the current one, or the one
    /// named), with its version ID; the errors of a read (no such key or version, a delete
    /// marker).
    pub fn object_access(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<(VersionId, ObjectAccess)> {
        let txn = self.read()?;
        let (rec, _) = resolve_entry(&*txn, bucket, key, version)?;
        match rec.kind {
            EntryKind::Object(data) => Ok((rec.id, data.access)),
            EntryKind::DeleteMarker => unreachable!("resolve_entry refuses delete markers"),
        }
    }

    /// Sets the ACL of the object version a write addresses (the current one, or the one
    /// named), in place: no new version. Returns its version ID.
    pub async fn set_object_acl(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        acl: ObjectAcl,
    ) -> Result<VersionId> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        self.write(
            move |txn| Ok(resolve_entry(txn, &cb, &ck, version)?.0),
            move |txn, mut rec| {
                if let EntryKind::Object(data) = &mut rec.kind {
                    data.access.acl = acl;
                }
                txn.put_version(&bucket, &key, &rec)?;
                Ok(rec.id)
            },
        )
        .await
    }
}
