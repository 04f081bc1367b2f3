//! Strata's domain, dialect-neutral and free of HTTP: buckets, objects, versions, delete
//! markers, the versioning state machine, multipart uploads, listing; and the storage under
//! it (metadata in [`meta`], object data in [`blob`]).
//!
//! Everything a dialect can ask for is a method of [`Store`].

pub mod access;
pub mod append;
pub mod blob;
pub mod checksum;
pub mod clock;
pub mod compact;
mod copy;
pub mod cors;
mod counts;
pub mod delete;
pub mod dirmark;
mod entry;
pub mod error;
pub mod fsck;
mod ingest;
pub mod lifecycle;
pub mod list;
pub mod meta;
pub mod multipart;
pub mod object;
mod owners;
pub mod precondition;
mod reclaim;
pub mod retention;
pub mod store;
pub mod tagging;
pub mod users;
pub mod version;

pub use append::{AppendError, AppendOutcome, AppendRules};
pub use blob::{DigestValues, Extra};
pub use checksum::{Checksum, ChecksumAlgorithm, ChecksumType, UploadChecksum};
pub use compact::{CompactOutcome, Compaction, Trigger};
pub use delete::{BatchRules, DeleteEntry, DeleteOutcome, EntryError, MAX_DELETE_ENTRIES};
pub use error::{CoreError, Result, StorageError};
pub use list::{
    ListObjectsParams, ListVersionsParams, ListedObject, ListedVersion, ObjectListing,
    VersionListing,
};
pub use meta::{ObjectData, ObjectMeta};
pub use multipart::{ListUploadsParams, PartListing, PartOutcome, UploadListing};
pub use object::{
    ByteRange, ByteStream, Expect, LateCheck, MAX_OBJECT_SIZE, MetadataDirective, NewObject,
    ObjectRead, ObjectVersion, PutOutcome,
};
pub use precondition::{Failed, Precondition, Target};
pub use store::{BucketInfo, DeleteBucketMode, KeyRules, Store, StoreOptions};
pub use users::{NewUser, Seeded, UserError, UserRecord};
pub use version::{VersionId, Versioning, VersioningStatus};
