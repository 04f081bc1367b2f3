//! The neutral model's requests: one type for each thing a dialect asks of the core, carried
//! out in one place, [`crate::pipeline::Ctx::run`] (writes and streamed reads) or
//! [`crate::pipeline::Ctx::read`] (reads of one snapshot).
//!
//! A dialect's handler is a codec: it parses its request into one of these, runs it, and
//! renders what comes back — the core's own outcome types ([`PutOutcome`], [`DeleteOutcome`],
//! [`ObjectRead`], the listings), or the [`CoreError`], which its error table maps once.
//! Handlers never reach the store any other way, so whatever must hold for every operation of
//! every dialect (who may do it, what is protected, what is counted) is decided here, once:
//! the listing of buckets (a user sees the buckets it owns), each entry of a multi-delete,
//! and who owns what a write creates and with which ACL ([`AclAsk`]); the access
//! configurations themselves are in `exec_access.rs`.

pub(crate) use crate::exec_access::*;
pub(crate) use crate::exec_cors::*;
pub(crate) use crate::exec_lifecycle::*;
pub(crate) use crate::exec_retention::*;
pub(crate) use crate::exec_tagging::*;
use crate::partcopy::{self, PastEnd};
use futures_util::Stream;
use std::io;
use strata_core::access::AccessError;
use strata_core::meta::UploadRecord;
use strata_core::meta::{BucketAccessRecord, ObjectOwnership, PublicAccessBlock};
use strata_core::retention::ObjectLock;
use strata_core::tagging::Tags;
use strata_core::{
    BucketInfo, ByteRange, CoreError, DeleteBucketMode, DeleteEntry, DeleteOutcome, EntryError,
    Expect, ListObjectsParams, ListUploadsParams, ListVersionsParams, MetadataDirective, NewObject,
    ObjectListing, ObjectMeta, ObjectRead, ObjectVersion, PartListing, PartOutcome, Precondition,
    PutOutcome, Store, UploadListing, VersionId, VersionListing, VersioningStatus,
};

/// What a request runs against: the store, who asks, and the addressed bucket's access
/// configuration.
pub(crate) struct Env<'a> {
    pub store: &'a Store,
    pub users: &'a crate::Users,
    pub who: Requester<'a>,
    /// `None`: no bucket is addressed, or it does not exist.
    pub bucket: Option<&'a BucketAccess>,
    pub facts: Facts<'a>,
    /// New buckets get AWS's 2023 defaults (see `AppState::aws_2023_defaults`).
    pub aws_2023_defaults: bool,
}

/// A request that writes, or reads a body as a stream.
pub(crate) trait Run: Send {
    type Output: Send;
    fn run(self, env: &Env<'_>) -> impl Future<Output = Result<Self::Output, CoreError>> + Send;
}

/// A request that reads one snapshot of the metadata.
pub(crate) trait Read {
    type Output;
    fn read(self, env: &Env<'_>) -> Result<Self::Output, CoreError>;
}

// ---- buckets -------------------------------------------------------------------------------

/// A bucket's record (existence, versioning, owner).
pub(crate) struct GetBucket<'a>(pub &'a str);

impl Read for GetBucket<'_> {
    type Output = BucketInfo;
    fn read(self, env: &Env<'_>) -> Result<BucketInfo, CoreError> {
        env.store.bucket(self.0)
    }
}

/// The buckets the requester owns, by name.
pub(crate) struct ListBuckets;

impl Read for ListBuckets {
    type Output = Vec<BucketInfo>;
    fn read(self, env: &Env<'_>) -> Result<Vec<BucketInfo>, CoreError> {
        let Some(user) = env.who.user else {
            return Ok(Vec::new());
        };
        let mut all = env.store.list_buckets()?;
        all.retain(|b| crate::access::owns(env.users, user, &b.owner));
        Ok(all)
    }
}

/// A new bucket, owned by the requester, with the ACL (and S3's Object Ownership) asked for.
pub(crate) struct CreateBucket<'a> {
    pub bucket: &'a str,
    pub acl: AclAsk,
    pub ownership: Option<ObjectOwnership>,
    /// S3 Object Lock enabled from the start (and so versioning).
    pub object_lock: bool,
}

impl Run for CreateBucket<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let owner = env.who.id();
        let mut access = BucketAccessRecord {
            acl: self.acl.bucket_grants(env, owner)?,
            ownership: self.ownership,
            ..Default::default()
        };
        if env.aws_2023_defaults {
            // What AWS gives a new bucket since April 2023, unless the request says otherwise.
            access.ownership = access
                .ownership
                .or(Some(ObjectOwnership::BucketOwnerEnforced));
            access.public_access_block = Some(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            });
            if crate::exec_access::grants_others(&access.acl, owner)
                && access.ownership != Some(ObjectOwnership::BucketOwnerEnforced)
            {
                // A public ACL asked for at creation is refused as AWS refuses it then.
                if strata_core::access::acl::is_public(&access.acl) {
                    return Err(AccessError::PublicAccessBlocked.into());
                }
            }
        }
        if self.ownership == Some(ObjectOwnership::BucketOwnerEnforced)
            && crate::exec_access::grants_others(&access.acl, owner)
        {
            return Err(AccessError::InvalidBucketAclWithObjectOwnership.into());
        }
        env.store
            .create_bucket_with(self.bucket, owner, access, self.object_lock)
            .await
    }
}

pub(crate) struct DeleteBucket<'a>(pub &'a str, pub DeleteBucketMode);

impl Run for DeleteBucket<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.delete_bucket(self.0, self.1).await
    }
}

pub(crate) struct SetVersioning<'a>(pub &'a str, pub VersioningStatus);

impl Run for SetVersioning<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        env.store.set_versioning(self.0, self.1).await
    }
}

// ---- listings ------------------------------------------------------------------------------

pub(crate) struct ListObjects<'a>(pub &'a str, pub &'a ListObjectsParams);

impl Read for ListObjects<'_> {
    type Output = ObjectListing;
    fn read(self, env: &Env<'_>) -> Result<ObjectListing, CoreError> {
        env.store.list_objects(self.0, self.1)
    }
}

pub(crate) struct ListVersions<'a>(pub &'a str, pub &'a ListVersionsParams);

impl Read for ListVersions<'_> {
    type Output = VersionListing;
    fn read(self, env: &Env<'_>) -> Result<VersionListing, CoreError> {
        env.store.list_versions(self.0, self.1)
    }
}

pub(crate) struct ListUploads<'a>(pub &'a str, pub &'a ListUploadsParams);

impl Read for ListUploads<'_> {
    type Output = UploadListing;
    fn read(self, env: &Env<'_>) -> Result<UploadListing, CoreError> {
        env.store.list_multipart_uploads(self.0, self.1)
    }
}

/// The parts of an upload after part `after`, at most `max`.
pub(crate) struct ListParts<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub upload_id: &'a str,
    pub after: u32,
    pub max: usize,
}

impl Read for ListParts<'_> {
    type Output = PartListing;
    fn read(self, env: &Env<'_>) -> Result<PartListing, CoreError> {
        env.store
            .list_parts(self.bucket, self.key, self.upload_id, self.after, self.max)
    }
}

// ---- objects -------------------------------------------------------------------------------

/// A version's record (HEAD, and the checks before a sub-resource of an object).
pub(crate) struct HeadObject<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

impl Read for HeadObject<'_> {
    type Output = ObjectVersion;
    fn read(self, env: &Env<'_>) -> Result<ObjectVersion, CoreError> {
        env.store.head_object(self.bucket, self.key, self.version)
    }
}

/// A version's record and body (or the range asked for), when `cond` holds for it.
pub(crate) struct GetObject<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub range: Option<ByteRange>,
    pub cond: Precondition,
}

impl Run for GetObject<'_> {
    type Output = ObjectRead;
    async fn run(self, env: &Env<'_>) -> Result<ObjectRead, CoreError> {
        env.store
            .get_object_if(self.bucket, self.key, self.version, self.range, &self.cond)
            .await
    }
}

/// Part `part` of a version (S3's `partNumber` reads).
pub(crate) struct GetObjectPart<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub part: u32,
}

impl Run for GetObjectPart<'_> {
    type Output = ObjectRead;
    async fn run(self, env: &Env<'_>) -> Result<ObjectRead, CoreError> {
        env.store
            .get_object_part(self.bucket, self.key, self.version, self.part)
            .await
    }
}

/// A new version of `key` from `body`, when `cond` holds for the current one.
pub(crate) struct PutObject<'a, S> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub meta: ObjectMeta,
    pub acl: AclAsk,
    /// The retention and legal hold asked for (none: the bucket's default, if any).
    pub lock: ObjectLock,
    pub tags: Tags,
    pub expect: Expect,
    pub cond: Precondition,
    pub body: S,
}

impl<S> Run for PutObject<'_, S>
where
    S: Stream<Item = io::Result<bytes::Bytes>> + Send + Unpin,
{
    type Output = PutOutcome;
    async fn run(self, env: &Env<'_>) -> Result<PutOutcome, CoreError> {
        env.store
            .put_object_if(
                self.bucket,
                self.key,
                NewObject {
                    meta: self.meta,
                    access: self.acl.object_access(env)?,
                    lock: self.lock,
                    checksum: None,
                    tags: self.tags,
                },
                self.expect,
                self.cond,
                self.body,
            )
            .await
    }
}

/// An append of `body` to the appendable object `key` at `position` (OSS, BOS): the metadata
/// and ACL are the new object's when the append creates it, and ignored otherwise.
pub(crate) struct AppendObject<'a, S> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub position: u64,
    pub meta: ObjectMeta,
    pub acl: AclAsk,
    pub expect: Expect,
    pub rules: strata_core::AppendRules,
    pub body: S,
}

impl<S> Run for AppendObject<'_, S>
where
    S: Stream<Item = io::Result<bytes::Bytes>> + Send + Unpin,
{
    type Output = strata_core::AppendOutcome;
    async fn run(self, env: &Env<'_>) -> Result<strata_core::AppendOutcome, CoreError> {
        env.store
            .append_object(
                self.bucket,
                self.key,
                self.position,
                NewObject {
                    meta: self.meta,
                    access: self.acl.object_access(env)?,
                    lock: ObjectLock::default(),
                    checksum: None,
                    tags: Default::default(),
                },
                self.expect,
                self.rules,
                self.body,
            )
            .await
    }
}

/// An object, or version, that a copy or a part copy reads.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
}

/// A copy source as a dialect's header names it: bucket, key and version.
pub(crate) type CopySource = (String, String, Option<VersionId>);

impl<'a> Source<'a> {
    pub(crate) fn of((bucket, key, version): &'a CopySource) -> Source<'a> {
        Source {
            bucket,
            key,
            version: *version,
        }
    }
}

/// A new version of `key` copied from `source` (when `source_cond` holds for it); returns
/// the written version and the source version copied.
pub(crate) struct CopyObject<'a> {
    pub source: Source<'a>,
    pub source_cond: Precondition,
    /// What must hold for the destination's current object (OSS's `x-oss-forbid-overwrite`).
    pub cond: Precondition,
    pub bucket: &'a str,
    pub key: &'a str,
    pub directive: MetadataDirective,
    pub acl: AclAsk,
    /// The copy's retention and legal hold (never the source's).
    pub lock: ObjectLock,
    /// A checksum the copy gets computed (else it keeps the source's).
    pub checksum: Option<strata_core::ChecksumAlgorithm>,
    /// The copy's tags (`None`: the source's).
    pub tags: Option<Tags>,
}

impl Run for CopyObject<'_> {
    type Output = (PutOutcome, ObjectVersion);
    async fn run(self, env: &Env<'_>) -> Result<(PutOutcome, ObjectVersion), CoreError> {
        let s = self.source;
        let new = NewObject {
            access: self.acl.object_access(env)?,
            lock: self.lock,
            ..NewObject::default()
        };
        env.store
            .copy_object_as(
                (s.bucket, s.key, s.version),
                (self.source_cond, self.cond),
                self.bucket,
                self.key,
                self.directive,
                new,
                self.checksum,
                self.tags,
            )
            .await
    }
}

/// A delete of a key (a marker or a removal, by the bucket's versioning) or of one version,
/// when `cond` holds and retention does not protect what it removes.
pub(crate) struct DeleteObject<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<VersionId>,
    pub cond: Precondition,
    /// The request asks to bypass governance-mode retention (applied if permitted).
    pub bypass_governance: bool,
}

impl Run for DeleteObject<'_> {
    type Output = DeleteOutcome;
    async fn run(self, env: &Env<'_>) -> Result<DeleteOutcome, CoreError> {
        env.store
            .delete_object_if(
                self.bucket,
                self.key,
                self.version,
                self.cond,
                self.bypass_governance && env.may_bypass_governance(self.bucket, self.key),
            )
            .await
    }
}

/// Up to 1000 deletes in one commit, each with its own outcome.
pub(crate) struct DeleteObjects<'a> {
    pub bucket: &'a str,
    pub entries: Vec<(DeleteEntry, Precondition)>,
    /// A refused entry refuses the whole request, before anything is deleted (OSS, whose
    /// answer has no per-entry errors); else it fails alone (S3, BOS).
    pub refuse_whole: bool,
    /// The request asks to bypass governance-mode retention (applied if permitted for
    /// every entry).
    pub bypass_governance: bool,
}

/// Each entry of a multi-delete with what became of it.
pub(crate) type DeleteResults = Vec<(DeleteEntry, Result<DeleteOutcome, EntryError>)>;

impl Run for DeleteObjects<'_> {
    type Output = DeleteResults;
    /// Each entry is judged on its own (`DeleteObject`, or `DeleteObjectVersion` with a
    /// version): a refused entry fails alone with [`EntryError::AccessDenied`], in its place,
    /// or refuses the request (`refuse_whole`).
    async fn run(self, env: &Env<'_>) -> Result<DeleteResults, CoreError> {
        let mut allowed = Vec::with_capacity(self.entries.len());
        let mut denied = Vec::new();
        for (i, (entry, cond)) in self.entries.into_iter().enumerate() {
            if env.may_delete(self.bucket, &entry) {
                allowed.push((entry, cond));
            } else {
                denied.push((i, entry));
            }
        }
        if self.refuse_whole && !denied.is_empty() {
            return Err(AccessError::Denied.into());
        }
        let bypass = self.bypass_governance
            && allowed
                .iter()
                .all(|(e, _)| env.may_bypass_governance(self.bucket, &e.key));
        let mut results = if allowed.is_empty() {
            env.store.bucket(self.bucket)?;
            Vec::new()
        } else {
            let rules = strata_core::BatchRules {
                bypass_governance: bypass,
                refuse_whole: self.refuse_whole,
            };
            env.store
                .delete_objects_if(self.bucket, allowed, rules)
                .await?
        };
        for (i, entry) in denied {
            results.insert(i, (entry, Err(EntryError::AccessDenied)));
        }
        Ok(results)
    }
}

// ---- multipart uploads ---------------------------------------------------------------------

/// An upload's address.
#[derive(Clone, Copy)]
pub(crate) struct Upload<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub upload_id: &'a str,
}

/// An upload's record; it must exist and belong to the key.
pub(crate) struct GetUpload<'a>(pub Upload<'a>);

impl Read for GetUpload<'_> {
    type Output = UploadRecord;
    fn read(self, env: &Env<'_>) -> Result<UploadRecord, CoreError> {
        let u = self.0;
        env.store.multipart_upload(u.bucket, u.key, u.upload_id)
    }
}

/// A new upload of `key`; returns its ID.
pub(crate) struct CreateUpload<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub meta: ObjectMeta,
    pub acl: AclAsk,
    /// The retention and legal hold the completed object gets.
    pub lock: ObjectLock,
    /// The checksum algorithm and type its parts and completion get.
    pub checksum: Option<strata_core::UploadChecksum>,
    /// The tags the completed object gets.
    pub tags: Tags,
}

impl Run for CreateUpload<'_> {
    type Output = String;
    async fn run(self, env: &Env<'_>) -> Result<String, CoreError> {
        env.store
            .create_multipart_upload(
                self.bucket,
                self.key,
                NewObject {
                    meta: self.meta,
                    access: self.acl.object_access(env)?,
                    lock: self.lock,
                    checksum: self.checksum,
                    tags: self.tags,
                },
            )
            .await
    }
}

/// User metadata that a step after the upload's creation adds to it (BOS's Complete).
pub(crate) struct MergeUploadMeta<'a> {
    pub upload: Upload<'a>,
    pub user: Vec<(String, Vec<u8>)>,
}

impl Run for MergeUploadMeta<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let u = self.upload;
        env.store
            .merge_upload_user_meta(u.bucket, u.key, u.upload_id, self.user)
            .await
    }
}

/// Part `part` of an upload from `body`.
pub(crate) struct UploadPart<'a, S> {
    pub upload: Upload<'a>,
    pub part: u32,
    pub expect: Expect,
    pub body: S,
}

impl<S> Run for UploadPart<'_, S>
where
    S: Stream<Item = io::Result<bytes::Bytes>> + Send + Unpin,
{
    type Output = PartOutcome;
    async fn run(self, env: &Env<'_>) -> Result<PartOutcome, CoreError> {
        let u = self.upload;
        env.store
            .upload_part(
                u.bucket,
                u.key,
                u.upload_id,
                self.part,
                self.expect,
                self.body,
            )
            .await
    }
}

/// Part `part` of an upload copied from `source`, or the `range` of it (see
/// [`partcopy::read_source`]), when `cond` holds for the source; returns the part and the
/// source version copied.
pub(crate) struct UploadPartCopy<'a> {
    pub upload: Upload<'a>,
    pub part: u32,
    pub source: Source<'a>,
    pub range: Option<ByteRange>,
    pub past_end: PastEnd,
    pub cond: Precondition,
}

impl Run for UploadPartCopy<'_> {
    type Output = (PartOutcome, ObjectVersion);
    async fn run(self, env: &Env<'_>) -> Result<(PartOutcome, ObjectVersion), CoreError> {
        let s = self.source;
        let read = partcopy::read_source(
            env.store,
            (s.bucket, s.key, s.version),
            self.range,
            self.past_end,
            &self.cond,
        )
        .await?;
        let version = read.version.clone();
        let u = self.upload;
        let part =
            partcopy::upload(env.store, u.bucket, u.key, u.upload_id, self.part, read).await?;
        Ok((part, version))
    }
}

/// The upload's parts, as listed, become the key's new version, when `cond` holds; returns
/// the object's ETag and the written version.
pub(crate) struct CompleteUpload<'a> {
    pub upload: Upload<'a>,
    pub parts: Vec<(u32, String)>,
    pub min_part_size: u64,
    pub expect: Expect,
    pub cond: Precondition,
}

impl Run for CompleteUpload<'_> {
    type Output = (String, PutOutcome);
    async fn run(self, env: &Env<'_>) -> Result<(String, PutOutcome), CoreError> {
        let u = self.upload;
        env.store
            .complete_multipart_upload(
                u.bucket,
                u.key,
                u.upload_id,
                self.parts,
                self.min_part_size,
                self.expect,
                self.cond,
            )
            .await
    }
}

pub(crate) struct AbortUpload<'a>(pub Upload<'a>);

impl Run for AbortUpload<'_> {
    type Output = ();
    async fn run(self, env: &Env<'_>) -> Result<(), CoreError> {
        let u = self.0;
        env.store
            .abort_multipart_upload(u.bucket, u.key, u.upload_id)
            .await
    }
}
