//! The store's side of tagging: a version's tags, read and replaced in place through the write
//! path (a change tells lifecycle's due index, whose tag filters read them), and a bucket's,
//! kept in the `settings` table as `tagging/bucket/BUCKET` → [`BucketTagsRecord`] (removed
//! with its bucket).

use super::{TaggingError, Tags};
use crate::error::{CoreError, Result};
use crate::meta::{EntryKind, ReadTxn, StorageResult, Versioned, WriteTxn, decode, encode};
use crate::object::resolve_entry;
use crate::store::Store;
use crate::version::VersionId;
use serde::{Deserialize, Serialize};

const BUCKET_PREFIX: &str = "tagging/bucket/";

/// A bucket's tags as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketTagsRecord {
    pub tags: Tags,
}

impl Versioned for BucketTagsRecord {}

fn bucket_name(bucket: &str) -> String {
    format!("{BUCKET_PREFIX}{bucket}")
}

/// Forgets a bucket's tags (the bucket is deleted).
pub(crate) fn forget_bucket(txn: &mut dyn WriteTxn, bucket: &str) -> StorageResult<()> {
    txn.remove_setting(&bucket_name(bucket))
}

fn read_bucket_tags(txn: &dyn ReadTxn, bucket: &str) -> StorageResult<Option<Tags>> {
    txn.setting(&bucket_name(bucket))?
        .map(|b| decode::<BucketTagsRecord>(&b).map(|r| r.tags))
        .transpose()
}

/// A version's tags as a read shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagsView {
    pub version_id: VersionId,
    pub tags: Tags,
}

impl Store {
    /// The tags of the version a read addresses (the current one, or the one named; a delete
    /// marker is [`CoreError::NoSuchKey`] as the current entry, [`CoreError::MethodNotAllowed`]
    /// by ID).
    pub fn object_tags(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
    ) -> Result<TagsView> {
        let txn = self.read()?;
        let (rec, _) = resolve_entry(&*txn, bucket, key, version)?;
        let tags = rec.object().map(|d| d.tags.clone()).unwrap_or_default();
        Ok(TagsView {
            version_id: rec.id,
            tags,
        })
    }

    /// Replaces the tags of the version a write addresses (none: removes them), in place: the
    /// version keeps its ID and time. Returns its ID.
    pub async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        tags: Tags,
    ) -> Result<VersionId> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        self.write(
            move |txn| Ok(resolve_entry(txn, &cb, &ck, version)?.0),
            move |txn, mut rec| {
                if let EntryKind::Object(data) = &mut rec.kind {
                    data.tags = tags;
                }
                txn.put_version(&bucket, &key, &rec)?;
                // Tag filters read the version's tags: its due time may be earlier now.
                crate::lifecycle::key_changed(txn, &bucket, &key)?;
                Ok(rec.id)
            },
        )
        .await
    }

    /// Bucket `bucket`'s tags ([`TaggingError::NoTagSet`] when it has none).
    pub fn bucket_tags(&self, bucket: &str) -> Result<Tags> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        read_bucket_tags(&*txn, bucket)?.ok_or(CoreError::Tagging(TaggingError::NoTagSet))
    }

    /// Replaces bucket `bucket`'s tags (an empty set removes them).
    pub async fn put_bucket_tags(&self, bucket: &str, tags: Tags) -> Result<()> {
        let (bucket, check_bucket) = (bucket.to_owned(), bucket.to_owned());
        self.write(
            move |txn| {
                txn.bucket(&check_bucket)?.ok_or(CoreError::NoSuchBucket)?;
                Ok(())
            },
            move |txn, ()| {
                if tags.is_empty() {
                    forget_bucket(txn, &bucket)
                } else {
                    txn.put_setting(&bucket_name(&bucket), &encode(&BucketTagsRecord { tags }))
                }
            },
        )
        .await
    }

    /// Removes bucket `bucket`'s tags (done when it has none).
    pub async fn delete_bucket_tags(&self, bucket: &str) -> Result<()> {
        self.put_bucket_tags(bucket, Tags::none()).await
    }
}
