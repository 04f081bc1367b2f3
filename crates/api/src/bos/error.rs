//! BOS errors: every core and auth error mapped once to BOS's code and status, rendered as
//! `{"code","message","requestId"}` JSON.

use super::auth::AuthError;
use hyper::StatusCode;
use strata_core::{CoreError, StorageError};

#[derive(Debug)]
pub struct BosError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl BosError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> BosError {
        BosError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> BosError {
        BosError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn malformed_json(message: impl Into<String>) -> BosError {
        BosError::new(StatusCode::BAD_REQUEST, "MalformedJSON", message)
    }

    pub fn no_such_key() -> BosError {
        BosError::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
    }

    pub fn to_json(&self, request_id: &str) -> String {
        serde_json::json!({"code": self.code, "message": self.message, "requestId": request_id})
            .to_string()
    }
}

impl From<CoreError> for BosError {
    fn from(e: CoreError) -> BosError {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            CoreError::Access(a) => access_error(a),
            CoreError::Retention(r) => retention_error(r),
            CoreError::Lifecycle(l) => lifecycle_error(l),
            CoreError::Cors(c) => super::cors::error(c),
            CoreError::Append(a) => super::append::error(a),
            CoreError::Tagging(t) => tagging_error(t),
            CoreError::NoSuchBucket => BosError::new(
                S::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist.",
            ),
            CoreError::BucketAlreadyExists { .. } => BosError::new(
                S::CONFLICT,
                "BucketAlreadyExists",
                "The requested bucket name is not available.",
            ),
            CoreError::BucketNotEmpty => BosError::new(
                S::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            ),
            CoreError::InvalidBucketName(m) => {
                BosError::new(S::BAD_REQUEST, "InvalidBucketName", m)
            }
            CoreError::InvalidKey(m) => BosError::new(S::BAD_REQUEST, "InvalidObjectName", m),
            // BOS has no NoSuchVersion: an unknown version is an unknown key.
            CoreError::NoSuchKey { .. } | CoreError::NoSuchVersion => BosError::no_such_key(),
            CoreError::MethodNotAllowed { .. } => BosError::new(
                S::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified version is a delete marker, which cannot be read.",
            ),
            CoreError::InvalidVersionId(_) => {
                BosError::invalid_argument("Invalid version id specified.")
            }
            CoreError::InvalidRange { .. } => BosError::new(
                S::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range cannot be satisfied.",
            ),
            CoreError::BadDigest(_) => BosError::new(S::BAD_REQUEST, "BadDigest", msg),
            CoreError::IncompleteBody { .. } | CoreError::Body(_) => {
                BosError::new(S::BAD_REQUEST, "RequestTimeout", msg)
            }
            CoreError::TooManyEntries { .. } => BosError::invalid_argument(msg),
            CoreError::InvalidArgument(m) => BosError::invalid_argument(m),
            CoreError::InvalidPartNumber => BosError::invalid_argument(msg),
            CoreError::InvalidRequest(m) => BosError::new(S::BAD_REQUEST, "InvalidRequest", m),
            CoreError::NoSuchUpload => BosError::new(
                S::NOT_FOUND,
                "NoSuchUpload",
                "The specified multipart upload does not exist.",
            ),
            CoreError::InvalidPart(_) => BosError::new(S::BAD_REQUEST, "InvalidPart", msg),
            CoreError::InvalidPartOrder => BosError::new(S::BAD_REQUEST, "InvalidPartOrder", msg),
            CoreError::EntityTooSmall { .. } => {
                BosError::new(S::BAD_REQUEST, "EntityTooSmall", msg)
            }
            CoreError::PreconditionFailed => BosError::new(
                S::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the preconditions you specified did not hold.",
            ),
            CoreError::EntityTooLarge { .. } => BosError::new(
                S::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size.",
            ),
            CoreError::Storage(StorageError::Full) => BosError::new(
                S::INSUFFICIENT_STORAGE,
                "InsufficientStorage",
                "The server's disk is full; delete data or try again later.",
            ),
            CoreError::Storage(e) if e.is_unavailable() => unavailable(&e),
            CoreError::DataDir { .. } | CoreError::DataDirLocked(_) | CoreError::Storage(_) => {
                internal(msg)
            }
        }
    }
}

impl From<StorageError> for BosError {
    fn from(e: StorageError) -> BosError {
        if e.is_unavailable() {
            return unavailable(&e);
        }
        internal(e.to_string())
    }
}

/// The metadata store is out of reach for now (a PostgreSQL restart, a lost connection): 503,
/// which the SDKs retry.
fn unavailable(e: &StorageError) -> BosError {
    tracing::warn!(%e, "metadata store unavailable");
    BosError::new(
        http::StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "The service is unavailable for the moment; please try again.",
    )
}

fn internal(detail: String) -> BosError {
    tracing::error!(%detail, "internal error");
    BosError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

impl From<AuthError> for BosError {
    fn from(e: AuthError) -> BosError {
        use StatusCode as S;
        match e {
            AuthError::Anonymous => BosError::new(
                S::FORBIDDEN,
                "AccessDenied",
                "Access denied: the request is not signed.",
            ),
            AuthError::InvalidHttpAuthHeader(m) => {
                BosError::new(S::BAD_REQUEST, "InvalidHTTPAuthHeader", m)
            }
            AuthError::InvalidAccessKeyId => BosError::new(
                S::FORBIDDEN,
                "InvalidAccessKeyId",
                "The access key ID you provided does not exist.",
            ),
            AuthError::SignatureDoesNotMatch { .. } => BosError::new(
                S::BAD_REQUEST,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            ),
            AuthError::RequestExpired => {
                BosError::new(S::BAD_REQUEST, "RequestExpired", "The request has expired.")
            }
            AuthError::HeadersNotSigned(names) => BosError::new(
                S::FORBIDDEN,
                "AccessDenied",
                format!(
                    "There were headers present in the request which were not signed: {}",
                    names.join(", ")
                ),
            ),
            AuthError::RequestTimeTooSkewed => BosError::new(
                S::FORBIDDEN,
                "RequestTimeTooSkewed",
                "The difference between the request time and the server's time is too large.",
            ),
        }
    }
}

impl From<crate::access::Denied> for BosError {
    fn from(e: crate::access::Denied) -> BosError {
        use crate::access::Denied;
        match e {
            Denied::Refused(_) | Denied::Anonymous | Denied::ExpectedOwner => {
                BosError::new(StatusCode::FORBIDDEN, "AccessDenied", "Access denied.")
            }
            Denied::Store(detail) => internal(detail),
            Denied::Unavailable(detail) => unavailable(&StorageError::Unavailable(detail)),
        }
    }
}

/// BOS's answers to refused access configurations.
fn access_error(e: strata_core::access::AccessError) -> BosError {
    use StatusCode as S;
    use strata_core::access::{AccessError as A, PolicyError};
    let msg = e.to_string();
    match e {
        A::Denied | A::PublicAccessBlocked => {
            BosError::new(S::FORBIDDEN, "AccessDenied", "Access denied.")
        }
        A::Policy(PolicyError::Malformed(m)) => BosError::new(S::BAD_REQUEST, "MalformedJSON", m),
        A::Policy(PolicyError::InvalidArgument(m)) => BosError::invalid_argument(m),
        A::AclNotSupported
        | A::InvalidBucketAclWithObjectOwnership
        | A::UnknownGrantee(_)
        | A::NoSuchBucketPolicy
        | A::NoSuchPublicAccessBlockConfiguration
        | A::OwnershipControlsNotFound => BosError::invalid_argument(msg),
    }
}

/// BOS's answers to what retention refuses (its object lock's documented codes).
fn retention_error(e: strata_core::retention::RetentionError) -> BosError {
    use StatusCode as S;
    use strata_core::retention::RetentionError as R;
    let msg = e.to_string();
    match e {
        R::Protected(_) => BosError::new(S::CONFLICT, "FileImmutable", msg),
        R::NoWorm => BosError::new(S::NOT_FOUND, "NoSuchObjectLock", msg),
        R::WormExists => BosError::new(S::CONFLICT, "ObjectLockAlreadyExists", msg),
        R::WormLocked | R::WormAlreadyLocked => {
            BosError::new(S::CONFLICT, "ObjectLockAlreadyLocked", msg)
        }
        R::WormExpired => BosError::new(S::CONFLICT, "ObjectLockAlreadyExpired", msg),
        R::WormNotLocked => BosError::new(S::BAD_REQUEST, "ObjectLockNotLocked", msg),
        R::WormShorten { .. } => BosError::new(S::BAD_REQUEST, "NotAllowShortenRetentionday", msg),
        R::InvalidBucketState(m) => BosError::new(S::CONFLICT, "InvalidBucketState", m),
        R::ChangeDenied(_) => BosError::new(S::FORBIDDEN, "AccessDenied", msg),
        R::DateInPast
        | R::InvalidPeriod { .. }
        | R::NotEnabled
        | R::NoLockConfiguration
        | R::NoObjectLock => BosError::invalid_argument(msg),
    }
}

/// BOS's answers to lifecycle configurations refused or missing: GetBucketLifecycle of a bucket
/// without one is 404 `NoLifecycleConfiguration` (BOS's documented code); every refusal of a
/// configuration is InvalidArgument.
fn lifecycle_error(e: strata_core::lifecycle::LifecycleError) -> BosError {
    use strata_core::lifecycle::LifecycleError as L;
    match e {
        L::NoConfiguration => BosError::new(
            StatusCode::NOT_FOUND,
            "NoLifecycleConfiguration",
            "The bucket lifecycle configuration does not exist.",
        ),
        other => BosError::invalid_argument(other.to_string()),
    }
}

/// Tags BOS refuses are `InvalidArgument`; a bucket without tags is `NoSuchTagSet` (404).
fn tagging_error(e: strata_core::tagging::TaggingError) -> BosError {
    use strata_core::tagging::TaggingError as T;
    match e {
        T::NoTagSet => BosError::new(
            StatusCode::NOT_FOUND,
            "NoSuchTagSet",
            "The bucket has no tags.",
        ),
        other => BosError::invalid_argument(other.to_string()),
    }
}
