//! OSS errors: every core and auth error mapped once to OSS's code and status, rendered as
//! OSS's `<Error>` XML (and, for HEAD, base64 in `x-oss-err`).

use super::auth::AuthError;
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::{CoreError, StorageError};

#[derive(Debug)]
pub struct OssError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra detail elements (`Key`, `BucketName`, `StringToSign`, …).
    pub details: Vec<(&'static str, String)>,
    /// Headers the response carries besides the error (`x-oss-delete-marker`, …).
    pub headers: Vec<(&'static str, String)>,
}

impl OssError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> OssError {
        OssError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn detail(mut self, name: &'static str, value: impl Into<String>) -> OssError {
        self.details.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> OssError {
        self.headers.push((name, value.into()));
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> OssError {
        OssError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn malformed_xml(message: impl Into<String>) -> OssError {
        OssError::new(StatusCode::BAD_REQUEST, "MalformedXML", message)
    }

    pub fn not_implemented(what: &str) -> OssError {
        OssError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by this server."),
        )
    }

    pub fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        let mut x = Xml::new("Error", "");
        x.leaf("Code", self.code)
            .leaf("Message", &self.message)
            .leaf("RequestId", request_id)
            .leaf("HostId", host_id);
        for (name, value) in &self.details {
            x.leaf(name, value);
        }
        x.finish()
    }
}

impl From<CoreError> for OssError {
    fn from(e: CoreError) -> OssError {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            CoreError::Access(a) => access_error(a),
            CoreError::Retention(r) => retention_error(r),
            CoreError::Lifecycle(l) => lifecycle_error(l),
            CoreError::Cors(c) => super::cors::error(c),
            CoreError::Append(a) => super::append::error(a),
            CoreError::Tagging(t) => tagging_error(t),
            CoreError::NoSuchBucket => OssError::new(
                S::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist.",
            ),
            CoreError::BucketAlreadyExists { .. } => OssError::new(
                S::CONFLICT,
                "BucketAlreadyExists",
                "The requested bucket name is not available.",
            ),
            CoreError::BucketNotEmpty => OssError::new(
                S::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            ),
            CoreError::InvalidBucketName(m) => {
                OssError::new(S::BAD_REQUEST, "InvalidBucketName", m)
            }
            CoreError::InvalidKey(m) => OssError::new(S::BAD_REQUEST, "InvalidObjectName", m),
            CoreError::NoSuchKey { delete_marker } => {
                let e = OssError::new(
                    S::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                );
                match delete_marker {
                    Some((id, _)) => e
                        .header("x-oss-delete-marker", "true")
                        .header("x-oss-version-id", id.to_string()),
                    None => e,
                }
            }
            CoreError::NoSuchVersion => OssError::new(
                S::NOT_FOUND,
                "NoSuchVersion",
                "The specified version does not exist.",
            ),
            CoreError::MethodNotAllowed {
                version_id,
                last_modified_ms,
            } => OssError::new(
                S::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )
            .header("x-oss-delete-marker", "true")
            .header("x-oss-version-id", version_id.to_string())
            .header("last-modified", crate::httpfmt::http_date(last_modified_ms))
            .header("allow", "DELETE"),
            CoreError::InvalidVersionId(_) => {
                OssError::invalid_argument("Invalid version id specified")
            }
            CoreError::InvalidRange { .. } => OssError::new(
                S::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            ),
            CoreError::BadDigest("MD5") => OssError::new(
                S::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            ),
            CoreError::BadDigest("CRC-64") => OssError::new(
                S::BAD_REQUEST,
                "InvalidDigest",
                "The CRC64 you specified does not match the data.",
            ),
            CoreError::BadDigest(_) => OssError::new(S::BAD_REQUEST, "InvalidDigest", msg),
            CoreError::IncompleteBody { .. } => {
                OssError::new(S::BAD_REQUEST, "IncompleteBody", msg)
            }
            CoreError::TooManyEntries { .. } => OssError::malformed_xml(msg),
            CoreError::InvalidArgument(m) => OssError::invalid_argument(m),
            CoreError::InvalidPartNumber => OssError::invalid_argument(msg),
            CoreError::InvalidRequest(m) => OssError::new(S::BAD_REQUEST, "InvalidRequest", m),
            CoreError::NoSuchUpload => OssError::new(
                S::NOT_FOUND,
                "NoSuchUpload",
                "The specified upload does not exist.",
            ),
            CoreError::InvalidPart(_) => OssError::new(S::BAD_REQUEST, "InvalidPart", msg),
            CoreError::InvalidPartOrder => OssError::new(S::BAD_REQUEST, "InvalidPartOrder", msg),
            CoreError::EntityTooSmall { .. } => {
                OssError::new(S::BAD_REQUEST, "EntityTooSmall", msg)
            }
            CoreError::PreconditionFailed => OssError::new(
                S::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            ),
            CoreError::EntityTooLarge { .. } => OssError::new(
                S::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size.",
            ),
            CoreError::Body(e) if crate::body::is_timeout(&e) => {
                OssError::new(S::BAD_REQUEST, "RequestTimeout", msg)
            }
            CoreError::Body(_) => OssError::new(S::BAD_REQUEST, "IncompleteBody", msg),
            CoreError::Storage(StorageError::Full) => OssError::new(
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

impl From<StorageError> for OssError {
    fn from(e: StorageError) -> OssError {
        if e.is_unavailable() {
            return unavailable(&e);
        }
        internal(e.to_string())
    }
}

/// The metadata store is out of reach for now (a PostgreSQL restart, a lost connection): 503,
/// which the SDKs retry.
fn unavailable(e: &StorageError) -> OssError {
    tracing::warn!(%e, "metadata store unavailable");
    OssError::new(
        http::StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "The service is unavailable for the moment; please try again.",
    )
}

fn internal(detail: String) -> OssError {
    tracing::error!(%detail, "internal error");
    OssError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

impl From<AuthError> for OssError {
    fn from(e: AuthError) -> OssError {
        use StatusCode as S;
        match e {
            AuthError::Anonymous => OssError::new(S::FORBIDDEN, "AccessDenied", "AccessDenied: anonymous access is not allowed."),
            AuthError::InvalidAccessKeyId { access_key } => OssError::new(
                S::FORBIDDEN,
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
            )
            .detail("OSSAccessKeyId", access_key),
            AuthError::SignatureDoesNotMatch { string_to_sign, provided, access_key } => OssError::new(
                S::FORBIDDEN,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            )
            .detail("StringToSign", string_to_sign)
            .detail("SignatureProvided", provided)
            .detail("OSSAccessKeyId", access_key),
            AuthError::RequestTimeTooSkewed => OssError::new(
                S::FORBIDDEN,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ),
            AuthError::Expired => OssError::new(S::FORBIDDEN, "AccessDenied", "Request has expired."),
            AuthError::NotYetValid => OssError::new(S::FORBIDDEN, "AccessDenied", "Request is not yet valid."),
            AuthError::Malformed(m) => OssError::new(S::BAD_REQUEST, "InvalidArgument", m),
        }
    }
}

impl From<crate::access::Denied> for OssError {
    fn from(e: crate::access::Denied) -> OssError {
        use crate::access::Denied;
        use strata_core::access::Refusal;
        let denied = |m: &str| OssError::new(StatusCode::FORBIDDEN, "AccessDenied", m);
        match e {
            Denied::Refused(Refusal::ExplicitDeny) => {
                denied("You have no right to access this resource because of bucket policy.")
            }
            Denied::Refused(Refusal::NotGranted) | Denied::ExpectedOwner => {
                denied("You have no right to access this resource.")
            }
            Denied::Anonymous => denied("Anonymous access is forbidden for this operation."),
            Denied::Store(detail) => internal(detail),
            Denied::Unavailable(detail) => unavailable(&StorageError::Unavailable(detail)),
        }
    }
}

/// OSS's answers to refused access configurations.
fn access_error(e: strata_core::access::AccessError) -> OssError {
    use StatusCode as S;
    use strata_core::access::{AccessError as A, PolicyError};
    let msg = e.to_string();
    match e {
        A::Denied => OssError::new(
            S::FORBIDDEN,
            "AccessDenied",
            "You have no right to access this object.",
        ),
        A::PublicAccessBlocked => OssError::new(
            S::FORBIDDEN,
            "AccessDenied",
            "Public access is blocked by the public access block of this bucket.",
        ),
        A::Policy(PolicyError::Malformed(m) | PolicyError::InvalidArgument(m)) => {
            OssError::new(S::BAD_REQUEST, "InvalidPolicyDocument", m)
        }
        A::NoSuchBucketPolicy => OssError::new(
            S::NOT_FOUND,
            "NoSuchBucketPolicy",
            "The bucket policy does not exist.",
        ),
        A::NoSuchPublicAccessBlockConfiguration => OssError::new(
            S::NOT_FOUND,
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration does not exist.",
        ),
        A::AclNotSupported
        | A::InvalidBucketAclWithObjectOwnership
        | A::UnknownGrantee(_)
        | A::OwnershipControlsNotFound => OssError::invalid_argument(msg),
    }
}

/// OSS's answers to what retention refuses. A protected object is 409 `FileImmutable`
/// (OSS's documentation gives the EC, not the code; BOS's code for the same refusal).
fn retention_error(e: strata_core::retention::RetentionError) -> OssError {
    use StatusCode as S;
    use strata_core::retention::RetentionError as R;
    let msg = e.to_string();
    match e {
        R::Protected(_) => OssError::new(S::CONFLICT, "FileImmutable", msg),
        R::ChangeDenied(_) => OssError::new(S::FORBIDDEN, "AccessDenied", msg),
        R::NoWorm | R::WormExpired => OssError::new(
            S::NOT_FOUND,
            "NoSuchWORMConfiguration",
            "The WORM Configuration does not exist.",
        ),
        R::WormLocked | R::WormAlreadyLocked => {
            OssError::new(S::FORBIDDEN, "WORMConfigurationLocked", msg)
        }
        R::WormExists | R::WormNotLocked | R::WormShorten { .. } => {
            OssError::new(S::BAD_REQUEST, "InvalidWORMConfiguration", msg)
        }
        R::InvalidBucketState(m) => OssError::new(S::CONFLICT, "InvalidBucketState", m),
        R::DateInPast | R::InvalidPeriod { .. } => {
            OssError::new(S::BAD_REQUEST, "InvalidArgument", msg)
        }
        // S3 Object Lock's (OSS's routes never reach them).
        R::NotEnabled | R::NoLockConfiguration | R::NoObjectLock => {
            OssError::new(S::BAD_REQUEST, "InvalidRequest", msg)
        }
    }
}

/// OSS's answers to lifecycle configurations refused or missing.
fn lifecycle_error(e: strata_core::lifecycle::LifecycleError) -> OssError {
    use strata_core::lifecycle::LifecycleError as L;
    match e {
        L::NoConfiguration => OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchLifecycle",
            "No Row found in Lifecycle Table.",
        ),
        other => OssError::invalid_argument(other.to_string()),
    }
}

/// Tags OSS refuses are `InvalidTag`; a bucket without tags answers an empty set (the codec's
/// business), so `NoTagSet` is only seen here if a codec forgets that.
fn tagging_error(e: strata_core::tagging::TaggingError) -> OssError {
    use strata_core::tagging::TaggingError as T;
    match e {
        T::NoTagSet => OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchTagSet",
            "The TagSet does not exist.",
        ),
        other => OssError::new(StatusCode::BAD_REQUEST, "InvalidTag", other.to_string()),
    }
}
