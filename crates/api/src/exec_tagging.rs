//! The neutral model's requests on tagging: a version's tags (get, put, delete) and a
//! bucket's, and how many tags a read may show. Part of [`crate::exec`] (re-exported there);
//! the rules tags obey, and their storage, are the core's ([`strata_core::tagging`]).

use crate::exec::{Env, Read, Run};
use strata_core::access::Action;
use strata_core::tagging::{Tags, TagsView};
use strata_core::{CoreError, VersionId};

/// The tags of the version a read addresses (the current one, or the one named).
pub(crate) struct GetObjectTagging<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

impl Read for GetObjectTagging<'_> {
    type Output = TagsView;
    fn read(self, env: &Env<'_>) -> Result<TagsView, CoreError> {
        env.store.object_tags(self.bucket, self.key, self.version)
    }
}

/// Replaces the tags of the version a write addresses (none: removes them); returns its ID.
pub(crate) struct PutObjectTagging<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub tags: Tags,
}

impl Run for PutObjectTagging<'_> {
    type Output = VersionId;
    async fn run(self, env: &Env<'_>) -> Result<VersionId, CoreError> {
        env.store
            .set_object_tags(self.bucket, self.key, self.version, self.tags)
            .await
    }
}

/// How many tags a read of a version may show (S3's `x-amz-tagging-count`, OSS's
/// `x-oss-tagging-count`, BOS's `x-bce-tagging-count`): the count when it has any and the
/// requester may read them (`GetObjectTagging`, or `GetObjectVersionTagging` for a version
/// named by ID), else none.
pub(crate) struct VisibleTagCount<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub by_version: bool,
    pub tags: &'a Tags,
}

impl Read for VisibleTagCount<'_> {
    type Output = Option<usize>;
    fn read(self, env: &Env<'_>) -> Result<Option<usize>, CoreError> {
        if self.tags.is_empty() {
            return Ok(None);
        }
        let action = if self.by_version {
            Action::GetObjectVersionTagging
        } else {
            Action::GetObjectTagging
        };
        Ok(env
            .may(self.bucket, self.key, action)
            .then_some(self.tags.len()))
    }
}

/// A bucket's tags (`TaggingError::NoTagSet` when it has none).
pub(crate) struct GetBucketTagging<'a>(pub &'a str);

impl Read for GetBucketTagging<'_> {
    type Output = Tags;
    fn read(self, env: &Env<'_>) -> Result<Tags, CoreError> {
        env.store.bucket_tags(self.0)
    }
}

/// Replaces a bucket's tags (none: removes them).
pub(crate) struct PutBucketTagging<'a> {
    pub bucket: &'a str,
    pub tags: Tags,
}

impl Run for PutBucketTagging<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.put_bucket_tags(self.bucket, self.tags).await
    }
}
