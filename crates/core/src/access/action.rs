//! What a request does, as an access decision sees it.

/// Declares `Action` with every variant listed once: the enum, [`Action::ALL`] in
/// declaration order, and [`Action::s3_name`] (each variant is named as S3 names it).
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// An action of the access model. A request takes one (a multi-delete one per entry,
        /// a copy one on its source as well: [`Action::GetObject`] or
        /// [`Action::GetObjectVersion`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: [Action; [$(Action::$name),*].len()] = [$(Action::$name),*];

            /// The action's name in S3 policies, without the `s3:` prefix.
            pub fn s3_name(self) -> &'static str {
                match self {
                    $(Action::$name => stringify!($name),)*
                }
            }
        }
    };
}

actions! {
    ListAllMyBuckets,
    CreateBucket,
    DeleteBucket,
    /// ListObjects (v1, v2) and HeadBucket.
    ListBucket,
    ListBucketVersions,
    ListBucketMultipartUploads,
    GetBucketLocation,
    GetBucketVersioning,
    PutBucketVersioning,
    GetBucketAcl,
    PutBucketAcl,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketPolicyStatus,
    /// Get of the public access block.
    GetBucketPublicAccessBlock,
    /// Put and delete of the public access block.
    PutBucketPublicAccessBlock,
    GetBucketOwnershipControls,
    /// Put and delete of the ownership controls.
    PutBucketOwnershipControls,
    /// GetObject and HeadObject of the current version.
    GetObject,
    /// GetObject and HeadObject of a version named by ID.
    GetObjectVersion,
    /// GetObjectAttributes of the current version (which needs `GetObject` as well).
    GetObjectAttributes,
    /// GetObjectAttributes of a version named by ID (which needs `GetObjectVersion` as well).
    GetObjectVersionAttributes,
    /// PutObject, CopyObject (its destination), and every step of a multipart upload that adds.
    PutObject,
    DeleteObject,
    DeleteObjectVersion,
    GetObjectAcl,
    GetObjectVersionAcl,
    PutObjectAcl,
    PutObjectVersionAcl,
    ListMultipartUploadParts,
    AbortMultipartUpload,
    GetBucketObjectLockConfiguration,
    /// Enabling Object Lock on an existing bucket, and its default retention.
    PutBucketObjectLockConfiguration,
    GetObjectRetention,
    PutObjectRetention,
    GetObjectLegalHold,
    PutObjectLegalHold,
    /// Asked besides a delete or a retention change that bypasses governance mode.
    BypassGovernanceRetention,
    /// OSS's BucketWorm and BOS's object lock (the same rule): initiate.
    InitiateBucketWorm,
    /// Abort a rule still in progress.
    AbortBucketWorm,
    CompleteBucketWorm,
    ExtendBucketWorm,
    GetBucketWorm,
    GetLifecycleConfiguration,
    /// Putting and deleting a bucket's lifecycle configuration.
    PutLifecycleConfiguration,
    GetBucketCORS,
    /// Putting and deleting a bucket's CORS configuration.
    PutBucketCORS,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    GetObjectVersionTagging,
    PutObjectVersionTagging,
    DeleteObjectVersionTagging,
    GetBucketTagging,
    /// Putting and deleting a bucket's tags.
    PutBucketTagging,
}

/// What an ACL grant must give for an action: a permission on the bucket, or on the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclNeed {
    Bucket(crate::access::Permission),
    Object(crate::access::Permission),
    /// No ACL grants it: only the owner, or a policy.
    OwnerOnly,
}

impl Action {
    /// The action's name in OSS policies, without the `oss:` prefix.
    pub fn oss_name(self) -> &'static str {
        use Action::*;
        match self {
            ListAllMyBuckets => "ListBuckets",
            CreateBucket => "PutBucket",
            ListBucket => "ListObjects",
            ListBucketVersions => "ListObjectVersions",
            ListBucketMultipartUploads => "ListMultipartUploads",
            GetBucketLocation => "GetBucketLocation",
            GetBucketAcl => "GetBucketAcl",
            PutBucketAcl => "PutBucketAcl",
            GetObjectVersion => "GetObjectVersion",
            DeleteObjectVersion => "DeleteObjectVersion",
            GetObjectVersionAcl => "GetObjectVersionAcl",
            PutObjectVersionAcl => "PutObjectVersionAcl",
            ListMultipartUploadParts => "ListParts",
            GetBucketPublicAccessBlock => "GetBucketPublicAccessBlock",
            PutBucketPublicAccessBlock => "PutBucketPublicAccessBlock",
            GetLifecycleConfiguration => "GetBucketLifecycle",
            PutLifecycleConfiguration => "PutBucketLifecycle",
            GetBucketCORS => "GetBucketCors",
            PutBucketCORS => "PutBucketCors",
            other => other.s3_name(),
        }
    }

    /// Whether the action's resource is an object (`bucket/key`) rather than the bucket.
    pub fn on_object(self) -> bool {
        use Action::*;
        matches!(
            self,
            GetObject
                | GetObjectVersion
                | GetObjectAttributes
                | GetObjectVersionAttributes
                | PutObject
                | DeleteObject
                | DeleteObjectVersion
                | GetObjectAcl
                | GetObjectVersionAcl
                | PutObjectAcl
                | PutObjectVersionAcl
                | ListMultipartUploadParts
                | AbortMultipartUpload
                | GetObjectRetention
                | PutObjectRetention
                | GetObjectLegalHold
                | PutObjectLegalHold
                | BypassGovernanceRetention
                | GetObjectTagging
                | PutObjectTagging
                | DeleteObjectTagging
                | GetObjectVersionTagging
                | PutObjectVersionTagging
                | DeleteObjectVersionTagging
        )
    }

    /// The ACL permission that grants the action (S3's "ACL permissions" table).
    pub fn acl_need(self) -> AclNeed {
        use crate::access::Permission::*;
        use Action::*;
        match self {
            ListBucket | ListBucketVersions | ListBucketMultipartUploads => AclNeed::Bucket(Read),
            PutObject
            | DeleteObject
            | DeleteObjectVersion
            | AbortMultipartUpload
            | ListMultipartUploadParts => AclNeed::Bucket(Write),
            GetBucketAcl => AclNeed::Bucket(ReadAcp),
            PutBucketAcl => AclNeed::Bucket(WriteAcp),
            GetObject | GetObjectVersion | GetObjectAttributes | GetObjectVersionAttributes => {
                AclNeed::Object(Read)
            }
            GetObjectAcl | GetObjectVersionAcl => AclNeed::Object(ReadAcp),
            PutObjectAcl | PutObjectVersionAcl => AclNeed::Object(WriteAcp),
            _ => AclNeed::OwnerOnly,
        }
    }
}
