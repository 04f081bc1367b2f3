//! The core's error type. Each dialect maps every variant once to its own code and status.

use crate::version::VersionId;

/// Everything the domain can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("the bucket does not exist")]
    NoSuchBucket,
    /// `owned_by_you`: the caller created it.
    #[error("the bucket already exists")]
    BucketAlreadyExists { owned_by_you: bool },
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    #[error("invalid bucket name: {0}")]
    InvalidBucketName(String),
    #[error("invalid object key: {0}")]
    InvalidKey(String),
    /// The key has no current object. `delete_marker` is set when the current entry is a
    /// delete marker: its version ID and time.
    #[error("the key does not exist")]
    NoSuchKey {
        delete_marker: Option<(VersionId, i64)>,
    },
    #[error("the version does not exist")]
    NoSuchVersion,
    /// A read addressed a delete marker's own version.
    #[error("the version is a delete marker")]
    MethodNotAllowed {
        version_id: VersionId,
        last_modified_ms: i64,
    },
    #[error("invalid version id: {0:?}")]
    InvalidVersionId(String),
    #[error("the range is not satisfiable for an object of {size} bytes")]
    InvalidRange { size: u64 },
    /// A condition of the request (e.g. a delete's If-Match) does not hold.
    #[error("a precondition of the request does not hold")]
    PreconditionFailed,
    #[error("the {0} of the body does not match the one given")]
    BadDigest(&'static str),
    #[error("the body was {got} bytes, not the {expected} announced")]
    IncompleteBody { expected: u64, got: u64 },
    #[error("too many entries: {got} (at most {max})")]
    TooManyEntries { got: usize, max: usize },
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A request whose parts contradict each other (a checksum of another algorithm than
    /// its upload's, a FULL_OBJECT SHA checksum...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("the multipart upload does not exist")]
    NoSuchUpload,
    #[error("part {0} was not uploaded or its ETag does not match")]
    InvalidPart(u32),
    /// A read of a part (`partNumber`) the object does not have.
    #[error("the object has no such part")]
    InvalidPartNumber,
    #[error("the part list is not in ascending order")]
    InvalidPartOrder,
    #[error("part {part} is {size} bytes, smaller than the minimum {min}")]
    EntityTooSmall { part: u32, size: u64, min: u64 },
    /// A body (announced, or as it arrives) larger than one write takes.
    #[error("the body is {size} bytes, more than the maximum {max}")]
    EntityTooLarge { size: u64, max: u64 },
    #[error("the data directory {path} cannot be used: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the data directory {0} is in use by another process")]
    DataDirLocked(String),
    #[error("reading the request body failed: {0}")]
    Body(std::io::Error),
    #[error("storage error: {0}")]
    Storage(#[from] StorageError),
    /// An access configuration (or a write's ACL) refused.
    #[error("{0}")]
    Access(#[from] crate::access::AccessError),
    /// Retention refused (a protected version, a lock configuration's rules).
    #[error("{0}")]
    Retention(#[from] crate::retention::RetentionError),
    /// A lifecycle configuration refused, or none to read.
    #[error("{0}")]
    Lifecycle(#[from] crate::lifecycle::LifecycleError),
    /// A CORS configuration refused, none to read, or a preflight refused.
    #[error("{0}")]
    Cors(#[from] crate::cors::CorsError),
    /// An append refused (position, object type, versioning), or a copy of an appendable
    /// object.
    #[error("{0}")]
    Append(#[from] crate::append::AppendError),
    /// Tags refused, or a bucket's to read that it does not have.
    #[error("{0}")]
    Tagging(#[from] crate::tagging::TaggingError),
}

/// Failures of the storage layer (metadata engine and data files). Never the client's fault.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("metadata engine: {0}")]
    Engine(String),
    #[error("data file i/o: {0}")]
    Io(std::io::Error),
    #[error("stored record is corrupt or of an unknown format: {0}")]
    Corrupt(String),
    #[error("the batch this operation was part of did not commit: {0}")]
    BatchFailed(String),
    #[error("the metadata writer has stopped")]
    WriterGone,
    #[error("the disk is full")]
    Full,
    /// The metadata engine cannot be reached now (PostgreSQL restarting, the connection
    /// lost): a client may try again (503).
    #[error("the metadata store is unavailable: {0}")]
    Unavailable(String),
    /// The connection was lost while the batch's `COMMIT` was in flight: it may or may not
    /// have committed. A client may try again (503); a blob the operation wrote stays (it
    /// may be referred to), for the sweep to remove if it is not.
    #[error("the metadata store was lost during a commit, whose outcome is unknown: {0}")]
    CommitUnknown(String),
    /// This gateway's lease in a shared metadata store expired and another gateway declared
    /// it dead: it may write nothing more (503) until it is restarted.
    #[error("this gateway was declared dead by the others (its lease expired); restart it")]
    Fenced,
}

impl StorageError {
    /// A failure a client should meet with a 503 and try again: the store is out of reach
    /// for now, not broken.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StorageError::Unavailable(_) | StorageError::CommitUnknown(_) | StorageError::Fenced
        )
    }
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> StorageError {
        if e.kind() == std::io::ErrorKind::StorageFull {
            StorageError::Full
        } else {
            StorageError::Io(e)
        }
    }
}

impl CoreError {
    /// The metadata store is out of reach for now ([`StorageError::is_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, CoreError::Storage(e) if e.is_unavailable())
    }

    /// The disk has no room for the write (or for the free-space reserve).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, CoreError::Storage(StorageError::Full))
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
