//! What a request asks for, in no dialect's words, and the one table that tells it from the
//! method, the address and the sub-resources.
//!
//! The three dialects share their REST shape: the same methods on the service, a bucket or an
//! object, told apart by the same sub-resources (`?versioning`, `?uploads`, `?uploadId`, ...).
//! What differs between them is data, held in a [`Routes`]: the header that makes a PUT a
//! copy, which of the optional operations the dialect has, and what it refuses outright
//! ([`crate::unsupported`]). [`route`] is the only place that routes a request; each dialect
//! then answers the [`Operation`] it gets (its `Dialect::call` in `pipeline`).

use crate::request::RequestParts;
use crate::unsupported;
use http::Method;
use strata_core::access::Action;

/// An operation of the neutral model. Names are S3's where S3 has the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    ListBuckets,
    CreateBucket,
    HeadBucket,
    DeleteBucket,
    GetBucketVersioning,
    PutBucketVersioning,
    GetBucketLocation,
    /// OSS's GetBucketInfo.
    GetBucketInfo,
    GetBucketAcl,
    PutBucketAcl,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    ListMultipartUploads,
    DeleteObjects,
    PutObject,
    /// OSS's and BOS's AppendObject (`POST ?append`).
    AppendObject,
    CopyObject,
    GetObject,
    HeadObject,
    /// OSS's GetObjectMeta (`HEAD ?objectMeta`).
    GetObjectMeta,
    /// S3's GetObjectAttributes (`GET ?attributes`).
    GetObjectAttributes,
    DeleteObject,
    GetObjectAcl,
    PutObjectAcl,
    CreateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    ListParts,
    AbortMultipartUpload,
    CompleteMultipartUpload,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketPolicyStatus,
    GetPublicAccessBlock,
    PutPublicAccessBlock,
    DeletePublicAccessBlock,
    GetBucketOwnershipControls,
    PutBucketOwnershipControls,
    DeleteBucketOwnershipControls,
    /// BOS's DeleteObjectAcl: the object goes back to its bucket's ACL.
    DeleteObjectAcl,
    GetObjectLockConfiguration,
    PutObjectLockConfiguration,
    GetObjectRetention,
    PutObjectRetention,
    GetObjectLegalHold,
    PutObjectLegalHold,
    /// OSS's InitiateBucketWorm, BOS's InitBucketObjectLock.
    InitiateBucketWorm,
    /// OSS's AbortBucketWorm, BOS's DeleteBucketObjectLock.
    AbortBucketWorm,
    /// OSS's CompleteBucketWorm, BOS's CompleteBucketObjectLock.
    CompleteBucketWorm,
    /// OSS's ExtendBucketWorm, BOS's ExtendBucketObjectLock.
    ExtendBucketWorm,
    /// OSS's GetBucketWorm, BOS's GetBucketObjectLock.
    GetBucketWorm,
    /// OSS's and BOS's GetBucketLifecycle.
    GetBucketLifecycleConfiguration,
    /// OSS's and BOS's PutBucketLifecycle (S3's older PutBucketLifecycle too).
    PutBucketLifecycleConfiguration,
    DeleteBucketLifecycle,
    GetBucketCors,
    PutBucketCors,
    DeleteBucketCors,
    /// A browser upload (S3's POST Object, OSS's and BOS's PostObject): routed by the front
    /// door (`post`), never by [`route`].
    PostObject,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    GetBucketTagging,
    PutBucketTagging,
    DeleteBucketTagging,
}

impl Operation {
    /// The operation's name, as logs show it.
    pub fn name(self) -> &'static str {
        use Operation::*;
        match self {
            ListBuckets => "ListBuckets",
            CreateBucket => "CreateBucket",
            HeadBucket => "HeadBucket",
            DeleteBucket => "DeleteBucket",
            GetBucketVersioning => "GetBucketVersioning",
            PutBucketVersioning => "PutBucketVersioning",
            GetBucketLocation => "GetBucketLocation",
            GetBucketInfo => "GetBucketInfo",
            GetBucketAcl => "GetBucketAcl",
            PutBucketAcl => "PutBucketAcl",
            ListObjects => "ListObjects",
            ListObjectsV2 => "ListObjectsV2",
            ListObjectVersions => "ListObjectVersions",
            ListMultipartUploads => "ListMultipartUploads",
            DeleteObjects => "DeleteObjects",
            PutObject => "PutObject",
            AppendObject => "AppendObject",
            CopyObject => "CopyObject",
            GetObject => "GetObject",
            HeadObject => "HeadObject",
            GetObjectMeta => "GetObjectMeta",
            GetObjectAttributes => "GetObjectAttributes",
            DeleteObject => "DeleteObject",
            GetObjectAcl => "GetObjectAcl",
            PutObjectAcl => "PutObjectAcl",
            CreateMultipartUpload => "CreateMultipartUpload",
            UploadPart => "UploadPart",
            UploadPartCopy => "UploadPartCopy",
            ListParts => "ListParts",
            AbortMultipartUpload => "AbortMultipartUpload",
            CompleteMultipartUpload => "CompleteMultipartUpload",
            GetBucketPolicy => "GetBucketPolicy",
            PutBucketPolicy => "PutBucketPolicy",
            DeleteBucketPolicy => "DeleteBucketPolicy",
            GetBucketPolicyStatus => "GetBucketPolicyStatus",
            GetPublicAccessBlock => "GetPublicAccessBlock",
            PutPublicAccessBlock => "PutPublicAccessBlock",
            DeletePublicAccessBlock => "DeletePublicAccessBlock",
            GetBucketOwnershipControls => "GetBucketOwnershipControls",
            PutBucketOwnershipControls => "PutBucketOwnershipControls",
            DeleteBucketOwnershipControls => "DeleteBucketOwnershipControls",
            DeleteObjectAcl => "DeleteObjectAcl",
            GetObjectLockConfiguration => "GetObjectLockConfiguration",
            PutObjectLockConfiguration => "PutObjectLockConfiguration",
            GetObjectRetention => "GetObjectRetention",
            PutObjectRetention => "PutObjectRetention",
            GetObjectLegalHold => "GetObjectLegalHold",
            PutObjectLegalHold => "PutObjectLegalHold",
            InitiateBucketWorm => "InitiateBucketWorm",
            AbortBucketWorm => "AbortBucketWorm",
            CompleteBucketWorm => "CompleteBucketWorm",
            ExtendBucketWorm => "ExtendBucketWorm",
            GetBucketWorm => "GetBucketWorm",
            GetBucketLifecycleConfiguration => "GetBucketLifecycleConfiguration",
            PutBucketLifecycleConfiguration => "PutBucketLifecycleConfiguration",
            DeleteBucketLifecycle => "DeleteBucketLifecycle",
            GetBucketCors => "GetBucketCors",
            PutBucketCors => "PutBucketCors",
            DeleteBucketCors => "DeleteBucketCors",
            PostObject => "PostObject",
            GetObjectTagging => "GetObjectTagging",
            PutObjectTagging => "PutObjectTagging",
            DeleteObjectTagging => "DeleteObjectTagging",
            GetBucketTagging => "GetBucketTagging",
            PutBucketTagging => "PutBucketTagging",
            DeleteBucketTagging => "DeleteBucketTagging",
        }
    }
}

impl Operation {
    /// The action the access decision judges besides [`Operation::action`]: S3's
    /// GetObjectAttributes needs `s3:GetObject` (`s3:GetObjectVersion` for a version) as well
    /// as its own action, as AWS documents.
    pub fn also_action(self, req: &RequestParts) -> Option<Action> {
        match self {
            Operation::GetObjectAttributes if req.has_query("versionId") => {
                Some(Action::GetObjectVersion)
            }
            Operation::GetObjectAttributes => Some(Action::GetObject),
            _ => None,
        }
    }

    /// The action the access decision judges (with a `versionId`, the version's action).
    /// `None` for the operations on no bucket, for CreateBucket (the core answers a name
    /// taken by another user), and for DeleteObjects, whose entries are judged one by one.
    pub fn action(self, req: &RequestParts) -> Option<Action> {
        use Operation::*;
        let version = req.has_query("versionId");
        let pick = |plain, versioned| Some(if version { versioned } else { plain });
        match self {
            ListBuckets | CreateBucket | DeleteObjects => None,
            HeadBucket | ListObjects | ListObjectsV2 => Some(Action::ListBucket),
            DeleteBucket => Some(Action::DeleteBucket),
            GetBucketVersioning => Some(Action::GetBucketVersioning),
            PutBucketVersioning => Some(Action::PutBucketVersioning),
            GetBucketLocation | GetBucketInfo => Some(Action::GetBucketLocation),
            GetBucketAcl => Some(Action::GetBucketAcl),
            PutBucketAcl => Some(Action::PutBucketAcl),
            ListObjectVersions => Some(Action::ListBucketVersions),
            ListMultipartUploads => Some(Action::ListBucketMultipartUploads),
            PutObject
            | AppendObject
            | CopyObject
            | CreateMultipartUpload
            | UploadPart
            | UploadPartCopy
            | CompleteMultipartUpload
            | PostObject => Some(Action::PutObject),
            GetObject | HeadObject | GetObjectMeta => {
                pick(Action::GetObject, Action::GetObjectVersion)
            }
            GetObjectAttributes => pick(
                Action::GetObjectAttributes,
                Action::GetObjectVersionAttributes,
            ),
            DeleteObject => pick(Action::DeleteObject, Action::DeleteObjectVersion),
            GetObjectAcl => pick(Action::GetObjectAcl, Action::GetObjectVersionAcl),
            PutObjectAcl | DeleteObjectAcl => {
                pick(Action::PutObjectAcl, Action::PutObjectVersionAcl)
            }
            ListParts => Some(Action::ListMultipartUploadParts),
            AbortMultipartUpload => Some(Action::AbortMultipartUpload),
            GetBucketPolicy => Some(Action::GetBucketPolicy),
            PutBucketPolicy => Some(Action::PutBucketPolicy),
            DeleteBucketPolicy => Some(Action::DeleteBucketPolicy),
            GetBucketPolicyStatus => Some(Action::GetBucketPolicyStatus),
            GetPublicAccessBlock => Some(Action::GetBucketPublicAccessBlock),
            PutPublicAccessBlock | DeletePublicAccessBlock => {
                Some(Action::PutBucketPublicAccessBlock)
            }
            GetBucketOwnershipControls => Some(Action::GetBucketOwnershipControls),
            PutBucketOwnershipControls | DeleteBucketOwnershipControls => {
                Some(Action::PutBucketOwnershipControls)
            }
            GetObjectLockConfiguration => Some(Action::GetBucketObjectLockConfiguration),
            PutObjectLockConfiguration => Some(Action::PutBucketObjectLockConfiguration),
            GetObjectRetention => Some(Action::GetObjectRetention),
            PutObjectRetention => Some(Action::PutObjectRetention),
            GetObjectLegalHold => Some(Action::GetObjectLegalHold),
            PutObjectLegalHold => Some(Action::PutObjectLegalHold),
            InitiateBucketWorm => Some(Action::InitiateBucketWorm),
            AbortBucketWorm => Some(Action::AbortBucketWorm),
            CompleteBucketWorm => Some(Action::CompleteBucketWorm),
            ExtendBucketWorm => Some(Action::ExtendBucketWorm),
            GetBucketWorm => Some(Action::GetBucketWorm),
            GetBucketLifecycleConfiguration => Some(Action::GetLifecycleConfiguration),
            PutBucketLifecycleConfiguration | DeleteBucketLifecycle => {
                Some(Action::PutLifecycleConfiguration)
            }
            GetBucketCors => Some(Action::GetBucketCORS),
            PutBucketCors | DeleteBucketCors => Some(Action::PutBucketCORS),
            GetObjectTagging => pick(Action::GetObjectTagging, Action::GetObjectVersionTagging),
            PutObjectTagging => pick(Action::PutObjectTagging, Action::PutObjectVersionTagging),
            DeleteObjectTagging => pick(
                Action::DeleteObjectTagging,
                Action::DeleteObjectVersionTagging,
            ),
            GetBucketTagging => Some(Action::GetBucketTagging),
            PutBucketTagging | DeleteBucketTagging => Some(Action::PutBucketTagging),
        }
    }
}

/// A dialect's differences from the shared REST shape.
pub struct Routes {
    /// The header whose presence makes a PUT of an object (or of a part) a copy.
    pub copy_source: &'static str,
    /// `HEAD` of a bucket is HeadBucket (S3, BOS); without it, `HEAD` of a bucket is answered
    /// as the `GET` it names, with no body (OSS).
    pub head_bucket: bool,
    /// Bucket and object ACLs (`?acl`).
    pub acl: bool,
    /// `DELETE` of an object's `?acl` (BOS).
    pub delete_object_acl: bool,
    /// Bucket policies (`?policy`) and their status (`?policyStatus`).
    pub policy: bool,
    /// A bucket's public access block (`?publicAccessBlock`).
    pub public_access_block: bool,
    /// A bucket's Object Ownership (`?ownershipControls`, S3).
    pub ownership_controls: bool,
    /// S3 Object Lock: `?object-lock` on a bucket, `?retention` and `?legal-hold` on an
    /// object.
    pub object_lock: bool,
    /// The query names of a bucket's WORM rule (OSS's BucketWorm, BOS's object lock).
    pub worm: Option<WormQueries>,
    /// `GET ?bucketInfo` (OSS).
    pub bucket_info: bool,
    /// `HEAD ?objectMeta` (OSS).
    pub object_meta: bool,
    /// `GET ?attributes` (S3's GetObjectAttributes).
    pub object_attributes: bool,
    /// `GET ?list-type=2` is ListObjectsV2; without it, it is ListObjects.
    pub list_v2: bool,
    /// `POST` of an object's `?append` is AppendObject (OSS, BOS).
    pub append: bool,
    /// What the dialect refuses before routing (501).
    pub unsupported: &'static unsupported::Table,
    /// The largest CompleteMultipartUpload body, in bytes.
    pub complete_limit: usize,
}

/// How a dialect names a bucket's WORM rule in the query. Initiate is `POST ?rule`, abort
/// `DELETE ?rule`, get `GET ?rule`; complete is `POST ?complete` and extend `POST ?extend`
/// (checked first: OSS's extend carries its complete's `wormId` too).
pub struct WormQueries {
    pub rule: &'static str,
    pub complete: &'static str,
    pub extend: &'static str,
}

/// The largest configuration body (versioning, ACLs, CreateBucket's), in bytes.
pub const CONFIG_LIMIT: usize = 64 * 1024;
/// The largest multi-delete body, in bytes: 2 MiB in every dialect.
pub const DELETE_LIMIT: usize = 2 * 1024 * 1024;
/// The largest lifecycle configuration, in bytes: room for the 1000 rules a configuration
/// may have, with long IDs, prefixes and filters.
pub const LIFECYCLE_LIMIT: usize = 1024 * 1024;

impl Routes {
    /// The most bytes the document body of `op` may have: bodies the server reads whole
    /// (configurations, the keys of a multi-delete, the parts of a Complete), never objects.
    pub fn document_limit(&self, op: Operation) -> usize {
        match op {
            Operation::DeleteObjects => DELETE_LIMIT,
            Operation::PutBucketLifecycleConfiguration => LIFECYCLE_LIMIT,
            Operation::CompleteMultipartUpload => self.complete_limit,
            _ => CONFIG_LIMIT,
        }
    }
}

/// Why a request has no operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrouted {
    /// It asks for a feature Strata does not carry out (named for the error message): 501.
    Refused(String),
    /// The method has no operation on what the request addresses: 405. `service`: the request
    /// addresses no bucket.
    MethodNotAllowed { service: bool },
}

/// The operation `req` asks for in a dialect with `routes`.
pub fn route(routes: &Routes, req: &RequestParts) -> Result<Operation, Unrouted> {
    use Operation::*;
    if let Some(what) = unsupported::refused(routes.unsupported, req) {
        return Err(Unrouted::Refused(what));
    }
    let q = |name: &str| req.has_query(name);
    let m = &req.method;
    let lock = routes.object_lock;
    let worm =
        |pick: fn(&WormQueries) -> &'static str| routes.worm.as_ref().is_some_and(|w| q(pick(w)));
    let any_worm = worm(|w| w.rule) || worm(|w| w.complete) || worm(|w| w.extend);
    let op = match (req.bucket.is_some(), req.key.is_some()) {
        (false, _) => (*m == Method::GET).then_some(ListBuckets),
        (true, false) => {
            let get = *m == Method::GET || (*m == Method::HEAD && !routes.head_bucket);
            match *m {
                Method::PUT if q("versioning") => Some(PutBucketVersioning),
                Method::PUT if q("acl") && routes.acl => Some(PutBucketAcl),
                Method::PUT if q("policy") && routes.policy => Some(PutBucketPolicy),
                Method::PUT if q("publicAccessBlock") && routes.public_access_block => {
                    Some(PutPublicAccessBlock)
                }
                Method::PUT if q("ownershipControls") && routes.ownership_controls => {
                    Some(PutBucketOwnershipControls)
                }
                Method::PUT if q("object-lock") && lock => Some(PutObjectLockConfiguration),
                Method::POST if worm(|w| w.extend) => Some(ExtendBucketWorm),
                Method::POST if worm(|w| w.complete) => Some(CompleteBucketWorm),
                Method::POST if worm(|w| w.rule) => Some(InitiateBucketWorm),
                Method::DELETE if worm(|w| w.rule) => Some(AbortBucketWorm),
                _ if get && worm(|w| w.rule) => Some(GetBucketWorm),
                _ if get && q("object-lock") && lock => Some(GetObjectLockConfiguration),
                Method::PUT if q("lifecycle") => Some(PutBucketLifecycleConfiguration),
                Method::DELETE if q("lifecycle") => Some(DeleteBucketLifecycle),
                _ if get && q("lifecycle") => Some(GetBucketLifecycleConfiguration),
                Method::PUT if q("cors") => Some(PutBucketCors),
                Method::DELETE if q("cors") => Some(DeleteBucketCors),
                _ if get && q("cors") => Some(GetBucketCors),
                Method::PUT if q("tagging") => Some(PutBucketTagging),
                Method::DELETE if q("tagging") => Some(DeleteBucketTagging),
                _ if get && q("tagging") => Some(GetBucketTagging),
                // Any other method on these sub-resources has no operation (never a
                // CreateBucket or DeleteBucket that ignores them).
                _ if any_worm
                    || (q("object-lock") && lock)
                    || q("lifecycle")
                    || q("cors")
                    || q("tagging") =>
                {
                    None
                }
                Method::PUT => Some(CreateBucket),
                Method::DELETE if q("policy") && routes.policy => Some(DeleteBucketPolicy),
                Method::DELETE if q("publicAccessBlock") && routes.public_access_block => {
                    Some(DeletePublicAccessBlock)
                }
                Method::DELETE if q("ownershipControls") && routes.ownership_controls => {
                    Some(DeleteBucketOwnershipControls)
                }
                Method::HEAD if routes.head_bucket => Some(HeadBucket),
                Method::DELETE => Some(DeleteBucket),
                Method::POST if q("delete") => Some(DeleteObjects),
                _ if !get => None,
                _ if q("versioning") => Some(GetBucketVersioning),
                _ if q("versions") => Some(ListObjectVersions),
                _ if q("uploads") => Some(ListMultipartUploads),
                _ if q("bucketInfo") && routes.bucket_info => Some(GetBucketInfo),
                _ if q("location") => Some(GetBucketLocation),
                _ if q("acl") && routes.acl => Some(GetBucketAcl),
                _ if q("policy") && routes.policy => Some(GetBucketPolicy),
                _ if q("policyStatus") && routes.policy => Some(GetBucketPolicyStatus),
                _ if q("publicAccessBlock") && routes.public_access_block => {
                    Some(GetPublicAccessBlock)
                }
                _ if q("ownershipControls") && routes.ownership_controls => {
                    Some(GetBucketOwnershipControls)
                }
                _ if routes.list_v2 && req.query("list-type") == Some("2") => Some(ListObjectsV2),
                _ => Some(ListObjects),
            }
        }
        (true, true) => {
            let copy = req.headers.contains_key(routes.copy_source);
            match *m {
                Method::PUT if q("partNumber") && q("uploadId") => {
                    Some(if copy { UploadPartCopy } else { UploadPart })
                }
                Method::PUT if q("acl") && routes.acl => Some(PutObjectAcl),
                Method::PUT if q("retention") && lock => Some(PutObjectRetention),
                Method::PUT if q("legal-hold") && lock => Some(PutObjectLegalHold),
                Method::GET if q("retention") && lock => Some(GetObjectRetention),
                Method::GET if q("legal-hold") && lock => Some(GetObjectLegalHold),
                Method::PUT if q("tagging") => Some(PutObjectTagging),
                Method::GET if q("tagging") => Some(GetObjectTagging),
                Method::DELETE if q("tagging") => Some(DeleteObjectTagging),
                // Any other method on them has no operation (never a delete or a put that
                // ignores them); nor have `?lifecycle` and `?cors`, a bucket's, on an object.
                _ if (q("retention") || q("legal-hold")) && lock => None,
                _ if q("lifecycle") || q("cors") || q("tagging") => None,
                Method::PUT if copy => Some(CopyObject),
                Method::PUT => Some(PutObject),
                Method::GET if q("uploadId") => Some(ListParts),
                Method::GET if q("acl") && routes.acl => Some(GetObjectAcl),
                Method::GET if q("attributes") && routes.object_attributes => {
                    Some(GetObjectAttributes)
                }
                Method::GET => Some(GetObject),
                Method::HEAD if q("objectMeta") && routes.object_meta => Some(GetObjectMeta),
                Method::HEAD => Some(HeadObject),
                Method::DELETE if q("uploadId") => Some(AbortMultipartUpload),
                Method::DELETE if q("acl") && routes.delete_object_acl => Some(DeleteObjectAcl),
                Method::DELETE => Some(DeleteObject),
                Method::POST if q("uploads") => Some(CreateMultipartUpload),
                Method::POST if q("uploadId") => Some(CompleteMultipartUpload),
                Method::POST if q("append") && routes.append => Some(AppendObject),
                _ => None,
            }
        }
    };
    op.ok_or(Unrouted::MethodNotAllowed {
        service: req.bucket.is_none(),
    })
}

#[cfg(test)]
#[path = "operation_tests.rs"]
mod tests;
