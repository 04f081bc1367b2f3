//! Copies: a version copied to another key sharing its data, with a new checksum computed
//! over the source's body when one is asked for.

use crate::access::ObjectAccess;
use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumType};
use crate::error::{CoreError, Result, StorageError};
use crate::meta::{EntryKind, Segment};
use crate::object::{
    MetadataDirective, NewObject, ObjectVersion, PutOutcome, check_current, missing_blob, publish,
    resolve,
};
use crate::precondition::{Precondition, Target};
use crate::retention::{Guard, ObjectLock};
use crate::store::{Store, validate_key};
use crate::tagging::Tags;
use crate::version::VersionId;

impl Store {
    /// Copies a version (the current one, or the one named) to `dst_key`, sharing its data.
    /// `src_cond` is evaluated against that source version in the copy's own transaction, so
    /// the copy carries exactly the version whose conditions held (any failure is
    /// [`CoreError::PreconditionFailed`]). The copy's access (owner, ACL) and lock are
    /// `new`'s (its metadata is used under [`MetadataDirective::Replace`] only), never the
    /// source's; its tags are `tags`, or the source's (`None`).
    #[allow(clippy::too_many_arguments)]
    pub async fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        src_version: Option<VersionId>,
        src_cond: Precondition,
        dst_bucket: &str,
        dst_key: &str,
        directive: MetadataDirective,
        access: ObjectAccess,
        lock: ObjectLock,
        tags: Option<Tags>,
    ) -> Result<(PutOutcome, ObjectVersion)> {
        let new = NewObject {
            access,
            lock,
            ..NewObject::default()
        };
        self.copy_object_as(
            (src_bucket, src_key, src_version),
            (src_cond, Precondition::default()),
            dst_bucket,
            dst_key,
            directive,
            new,
            None,
            tags,
        )
        .await
    }

    /// [`Store::copy_object`], the copy getting the FULL_OBJECT `checksum` asked for
    /// (computed over the source's body unless the source has it stored), or the source's;
    /// `dst_cond` must hold for the destination key's current object, in the same transaction
    /// (as a put's condition: see [`Store::put_object_if`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn copy_object_as(
        &self,
        (src_bucket, src_key, src_version): (&str, &str, Option<VersionId>),
        (src_cond, dst_cond): (Precondition, Precondition),
        dst_bucket: &str,
        dst_key: &str,
        directive: MetadataDirective,
        new: NewObject,
        checksum: Option<ChecksumAlgorithm>,
        tags: Option<Tags>,
    ) -> Result<(PutOutcome, ObjectVersion)> {
        let Some(algorithm) = checksum else {
            return self
                .copy_once(
                    (src_bucket, src_key, src_version),
                    (src_cond, dst_cond),
                    (dst_bucket, dst_key),
                    directive,
                    new,
                    None,
                    tags,
                )
                .await;
        };
        // The checksum is computed outside the write; the write then copies only the very
        // data hashed (a source rewritten meanwhile is hashed again).
        let mut attempts = 0;
        loop {
            let computed = self
                .source_checksum(src_bucket, src_key, src_version, algorithm)
                .await?;
            let got = self
                .copy_once(
                    (src_bucket, src_key, src_version),
                    (src_cond.clone(), dst_cond.clone()),
                    (dst_bucket, dst_key),
                    directive.clone(),
                    new.clone(),
                    Some(computed),
                    tags.clone(),
                )
                .await;
            match got {
                Err(CoreError::PreconditionFailed) if attempts < 3 => attempts += 1,
                other => return other,
            }
        }
    }

    /// The FULL_OBJECT `algorithm` checksum of a version's body, with the segments it holds.
    async fn source_checksum(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        algorithm: ChecksumAlgorithm,
    ) -> Result<(Vec<Segment>, Checksum)> {
        let read = self.get_object(bucket, key, version, None).await?;
        let data = &read.version.data;
        let stored = data
            .checksum
            .clone()
            .filter(|c| c.algorithm == algorithm && c.kind == ChecksumType::FullObject)
            .or_else(|| {
                (algorithm == ChecksumAlgorithm::Crc32).then(|| Checksum {
                    algorithm,
                    kind: ChecksumType::FullObject,
                    value: data.crc32.to_be_bytes().to_vec(),
                    parts: 0,
                    part_values: Vec::new(),
                })
            });
        let segments = data.segments.clone();
        if let Some(c) = stored {
            return Ok((segments, c));
        }
        let mut body = read.body;
        let mut digests = crate::blob::Digests::new(algorithm.extra());
        while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
            digests.update(&chunk.map_err(|e| CoreError::Storage(e.into()))?);
        }
        let c = Checksum::of(algorithm, &digests.finish())
            .ok_or_else(|| StorageError::Corrupt("a checksum not computed".into()))?;
        Ok((segments, c))
    }

    #[allow(clippy::too_many_arguments)]
    async fn copy_once(
        &self,
        (src_bucket, src_key, src_version): (&str, &str, Option<VersionId>),
        (src_cond, dst_cond): (Precondition, Precondition),
        (dst_bucket, dst_key): (&str, &str),
        directive: MetadataDirective,
        new: NewObject,
        computed: Option<(Vec<Segment>, Checksum)>,
        tags: Option<Tags>,
    ) -> Result<(PutOutcome, ObjectVersion)> {
        let NewObject { access, lock, .. } = new;
        let (hashed, checksum) = computed.unzip();
        validate_key(dst_key)?;
        self.check_room(None)?;
        let (sb, sk, db, dk) = (
            src_bucket.to_owned(),
            src_key.to_owned(),
            dst_bucket.to_owned(),
            dst_key.to_owned(),
        );
        let (check_db, check_dk) = (db.clone(), dk.clone());
        let clock = self.inner.clock.clone();
        let outcome = self
            .write(
                move |txn| {
                    let (source, _) = resolve(txn, &sb, &sk, src_version)?;
                    if source.data.appendable {
                        return Err(crate::append::AppendError::CopySource.into());
                    }
                    if let Some(segments) = &hashed
                        && *segments != source.data.segments
                    {
                        return Err(CoreError::PreconditionFailed);
                    }
                    src_cond
                        .evaluate(Some(Target {
                            etag: Some(&source.data.etag),
                            last_modified_ms: source.last_modified_ms,
                            size: source.data.size,
                        }))
                        .map_err(|_| CoreError::PreconditionFailed)?;
                    check_current(txn, &check_db, &check_dk, &dst_cond)?;
                    let guard = Guard::of(txn, &check_db, clock.now_ms(), false)?;
                    let lock = guard.lock_for(lock)?;
                    guard.check_removal(txn, &check_db, &check_dk, None)?;
                    Ok((source, guard, lock))
                },
                move |txn, (source, guard, lock)| {
                    let mut data = source.data.clone();
                    if let MetadataDirective::Replace(meta) = directive {
                        data.meta = meta;
                    }
                    data.access = access;
                    data.lock = lock;
                    if let Some(c) = checksum {
                        data.checksum = Some(c);
                    }
                    if let Some(tags) = tags {
                        data.tags = tags;
                    }
                    for seg in &data.segments {
                        let mut blob = txn.blob(seg.blob)?.ok_or_else(|| missing_blob(seg.blob))?;
                        blob.refs += 1;
                        txn.put_blob(seg.blob, &blob)?;
                    }
                    let (version_id, last_modified_ms) =
                        publish(txn, &db, &dk, &guard, EntryKind::Object(data.clone()))?;
                    let put = PutOutcome {
                        version_id,
                        versioning: guard.versioning,
                        etag: data.etag.clone(),
                        size: data.size,
                        crc64: data.crc64,
                        crc32: data.crc32,
                        md5: None,
                        last_modified_ms,
                        digests: None,
                        checksum: data.checksum.clone(),
                        tags: data.tags.clone(),
                    };
                    Ok((put, source))
                },
            )
            .await?;
        self.freed_space();
        Ok(outcome)
    }
}
