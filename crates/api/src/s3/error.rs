//! S3 errors: every core and auth error mapped once to S3's code and status, rendered as S3's
//! `<Error>` XML (HEAD responses carry the status and headers only).

use super::auth::AuthError;
use super::chunked::{ChunkedError, chunked_error};
use crate::xml::Xml;
use hyper::StatusCode;
use strata_core::{CoreError, StorageError};

#[derive(Debug)]
pub struct S3Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> S3Error {
        S3Error {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn detail(mut self, name: &'static str, value: impl Into<String>) -> S3Error {
        self.details.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> S3Error {
        self.headers.push((name, value.into()));
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> S3Error {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn invalid_request(message: impl Into<String>) -> S3Error {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }

    pub fn malformed_xml() -> S3Error {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    /// The client stopped sending the request body (the server's body timeout).
    pub fn request_timeout() -> S3Error {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "RequestTimeout",
            "Your socket connection to the server was not read from or written to within the timeout period.",
        )
    }

    pub fn not_implemented(what: &str) -> S3Error {
        S3Error::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by this server."),
        )
    }

    pub fn to_xml(&self, resource: &str, request_id: &str) -> String {
        let mut x = Xml::new("Error", "");
        x.leaf("Code", self.code).leaf("Message", &self.message);
        for (name, value) in &self.details {
            x.leaf(name, value);
        }
        x.leaf("Resource", resource)
            .leaf("RequestId", request_id)
            .leaf("HostId", request_id);
        x.finish()
    }
}

impl From<CoreError> for S3Error {
    fn from(e: CoreError) -> S3Error {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            CoreError::Access(a) => access_error(a),
            CoreError::Retention(r) => retention_error(r),
            CoreError::Lifecycle(l) => lifecycle_error(l),
            CoreError::Cors(c) => super::cors::error(c),
            // S3 has no appends; a copy of an object appended through OSS or BOS is refused.
            CoreError::Append(_) => S3Error::new(S::BAD_REQUEST, "InvalidRequest", msg),
            CoreError::Tagging(t) => tagging_error(t),
            CoreError::NoSuchBucket => S3Error::new(
                S::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
            ),
            CoreError::BucketAlreadyExists { owned_by_you: true } => S3Error::new(
                S::CONFLICT,
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
            ),
            CoreError::BucketAlreadyExists {
                owned_by_you: false,
            } => S3Error::new(
                S::CONFLICT,
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            ),
            CoreError::BucketNotEmpty => S3Error::new(
                S::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            ),
            CoreError::InvalidBucketName(m) => S3Error::new(S::BAD_REQUEST, "InvalidBucketName", m),
            CoreError::InvalidKey(m) => S3Error::new(S::BAD_REQUEST, "KeyTooLongError", m),
            CoreError::NoSuchKey { delete_marker } => {
                let e = S3Error::new(
                    S::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                );
                match delete_marker {
                    Some((id, _)) => e
                        .header("x-amz-delete-marker", "true")
                        .header("x-amz-version-id", id.to_string()),
                    None => e,
                }
            }
            CoreError::NoSuchVersion => S3Error::new(
                S::NOT_FOUND,
                "NoSuchVersion",
                "The specified version does not exist.",
            ),
            CoreError::MethodNotAllowed {
                version_id,
                last_modified_ms,
            } => S3Error::new(
                S::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )
            .header("x-amz-delete-marker", "true")
            .header("x-amz-version-id", version_id.to_string())
            .header("last-modified", crate::httpfmt::http_date(last_modified_ms))
            .header("allow", "DELETE"),
            CoreError::InvalidVersionId(_) => {
                S3Error::invalid_argument("Invalid version id specified")
            }
            CoreError::InvalidRange { size } => S3Error::new(
                S::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            )
            .detail("ActualObjectSize", size.to_string())
            .header("content-range", format!("bytes */{size}")),
            CoreError::BadDigest("MD5") => S3Error::new(
                S::BAD_REQUEST,
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            ),
            CoreError::BadDigest("SHA-256") => S3Error::new(
                S::BAD_REQUEST,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ),
            CoreError::BadDigest(which) => S3Error::new(
                S::BAD_REQUEST,
                "BadDigest",
                format!("The {which} you specified did not match the calculated checksum."),
            ),
            CoreError::IncompleteBody { .. } => S3Error::new(
                S::BAD_REQUEST,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            ),
            CoreError::Body(e) => match chunked_error(&e) {
                Some(
                    ChunkedError::ChunkSignatureDoesNotMatch
                    | ChunkedError::TrailerSignatureDoesNotMatch,
                ) => S3Error::new(
                    S::FORBIDDEN,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided.",
                ),
                Some(other) => S3Error::new(S::BAD_REQUEST, "IncompleteBody", other.to_string()),
                None if crate::body::is_timeout(&e) => S3Error::request_timeout(),
                None => S3Error::new(
                    S::BAD_REQUEST,
                    "IncompleteBody",
                    format!("Reading the request body failed: {e}"),
                ),
            },
            CoreError::TooManyEntries { .. } => S3Error::malformed_xml(),
            CoreError::InvalidArgument(m) => S3Error::invalid_argument(m),
            CoreError::InvalidRequest(m) => S3Error::invalid_request(m),
            CoreError::InvalidPartNumber => S3Error::new(
                S::RANGE_NOT_SATISFIABLE,
                "InvalidPartNumber",
                "The requested partnumber is not satisfiable",
            ),
            CoreError::NoSuchUpload => S3Error::new(
                S::NOT_FOUND,
                "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            ),
            CoreError::InvalidPart(_) => S3Error::new(S::BAD_REQUEST, "InvalidPart", msg),
            CoreError::InvalidPartOrder => S3Error::new(S::BAD_REQUEST, "InvalidPartOrder", msg),
            CoreError::EntityTooSmall { .. } => S3Error::new(S::BAD_REQUEST, "EntityTooSmall", msg),
            CoreError::PreconditionFailed => S3Error::new(
                S::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
            ),
            CoreError::EntityTooLarge { size, max } => S3Error::new(
                S::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            )
            .detail("ProposedSize", size.to_string())
            .detail("MaxSizeAllowed", max.to_string()),
            CoreError::Storage(StorageError::Full) => S3Error::new(
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

impl From<StorageError> for S3Error {
    fn from(e: StorageError) -> S3Error {
        if e.is_unavailable() {
            return unavailable(&e);
        }
        internal(e.to_string())
    }
}

/// The metadata store is out of reach for now (a PostgreSQL restart, a lost connection): 503,
/// which the SDKs retry.
fn unavailable(e: &StorageError) -> S3Error {
    tracing::warn!(%e, "metadata store unavailable");
    S3Error::new(
        http::StatusCode::SERVICE_UNAVAILABLE,
        "SlowDown",
        "Please reduce your request rate.",
    )
}

fn internal(detail: String) -> S3Error {
    tracing::error!(%detail, "internal error");
    S3Error::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

impl From<AuthError> for S3Error {
    fn from(e: AuthError) -> S3Error {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            AuthError::Anonymous => S3Error::new(S::FORBIDDEN, "AccessDenied", "Access Denied"),
            AuthError::InvalidAccessKeyId => S3Error::new(S::FORBIDDEN, "InvalidAccessKeyId", msg),
            AuthError::SignatureDoesNotMatch {
                string_to_sign,
                canonical_request,
            } => S3Error::new(S::FORBIDDEN, "SignatureDoesNotMatch", msg)
                .detail("StringToSign", string_to_sign)
                .detail("CanonicalRequest", canonical_request),
            AuthError::RequestTimeTooSkewed => {
                S3Error::new(S::FORBIDDEN, "RequestTimeTooSkewed", msg)
            }
            AuthError::Expired => S3Error::new(S::FORBIDDEN, "AccessDenied", "Request has expired"),
            AuthError::NotYetValid => S3Error::new(S::FORBIDDEN, "AccessDenied", msg),
            AuthError::HeadersNotSigned(names) => S3Error::new(S::FORBIDDEN, "AccessDenied", msg)
                .detail("HeadersNotSigned", names.join(", ")),
            AuthError::AuthorizationHeaderMalformed(m) => {
                S3Error::new(S::BAD_REQUEST, "AuthorizationHeaderMalformed", m)
            }
            AuthError::AuthorizationQueryParametersError(m) => {
                S3Error::new(S::BAD_REQUEST, "AuthorizationQueryParametersError", m)
            }
            AuthError::MissingSecurityHeader => {
                S3Error::new(S::BAD_REQUEST, "MissingSecurityHeader", msg)
            }
            AuthError::SignatureDoesNotMatchV2 {
                access_key,
                string_to_sign,
                provided,
            } => {
                let bytes: Vec<String> =
                    string_to_sign.bytes().map(|b| format!("{b:02x}")).collect();
                S3Error::new(S::FORBIDDEN, "SignatureDoesNotMatch", msg)
                    .detail("AWSAccessKeyId", access_key)
                    .detail("StringToSign", string_to_sign)
                    .detail("SignatureProvided", provided)
                    .detail("StringToSignBytes", bytes.join(" "))
            }
            AuthError::AccessDenied(m) => S3Error::new(S::FORBIDDEN, "AccessDenied", m),
            AuthError::InvalidArgument(m) => S3Error::invalid_argument(m),
        }
    }
}

impl From<crate::access::Denied> for S3Error {
    fn from(e: crate::access::Denied) -> S3Error {
        use crate::access::Denied;
        match e {
            Denied::Refused(_) | Denied::Anonymous | Denied::ExpectedOwner => {
                S3Error::new(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied")
            }
            Denied::Store(detail) => internal(detail),
            Denied::Unavailable(detail) => unavailable(&StorageError::Unavailable(detail)),
        }
    }
}

/// S3's answers to refused access configurations.
fn access_error(e: strata_core::access::AccessError) -> S3Error {
    use StatusCode as S;
    use strata_core::access::{AccessError as A, PolicyError};
    match e {
        A::AclNotSupported => S3Error::new(
            S::BAD_REQUEST,
            "AccessControlListNotSupported",
            "The bucket does not allow ACLs",
        ),
        A::Denied | A::PublicAccessBlocked => {
            S3Error::new(S::FORBIDDEN, "AccessDenied", "Access Denied")
        }
        A::InvalidBucketAclWithObjectOwnership => S3Error::new(
            S::BAD_REQUEST,
            "InvalidBucketAclWithObjectOwnership",
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        ),
        A::UnknownGrantee(_) => S3Error::invalid_argument("Invalid id".to_owned()),
        A::Policy(PolicyError::Malformed(m)) => S3Error::new(S::BAD_REQUEST, "MalformedPolicy", m),
        A::Policy(PolicyError::InvalidArgument(m)) => S3Error::invalid_argument(m),
        A::NoSuchBucketPolicy => S3Error::new(
            S::NOT_FOUND,
            "NoSuchBucketPolicy",
            "The bucket policy does not exist",
        ),
        A::NoSuchPublicAccessBlockConfiguration => S3Error::new(
            S::NOT_FOUND,
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found",
        ),
        A::OwnershipControlsNotFound => S3Error::new(
            S::NOT_FOUND,
            "OwnershipControlsNotFoundError",
            "The bucket ownership controls were not found",
        ),
    }
}

/// S3's answers to what retention refuses.
fn retention_error(e: strata_core::retention::RetentionError) -> S3Error {
    use StatusCode as S;
    use strata_core::retention::RetentionError as R;
    let msg = e.to_string();
    match e {
        // AWS's own message for a version Object Lock protects.
        R::Protected(_) => S3Error::new(
            S::FORBIDDEN,
            "AccessDenied",
            "Access Denied because object protected by object lock.",
        ),
        R::ChangeDenied(_) => S3Error::new(S::FORBIDDEN, "AccessDenied", msg),
        R::NotEnabled => S3Error::invalid_request("Bucket is missing Object Lock Configuration"),
        R::NoLockConfiguration => S3Error::new(
            S::NOT_FOUND,
            "ObjectLockConfigurationNotFoundError",
            "Object Lock configuration does not exist for this bucket",
        ),
        R::NoObjectLock => S3Error::new(
            S::NOT_FOUND,
            "NoSuchObjectLockConfiguration",
            "The specified object does not have a ObjectLock configuration",
        ),
        R::InvalidBucketState(m) => S3Error::new(S::CONFLICT, "InvalidBucketState", m),
        R::DateInPast => S3Error::invalid_argument(msg),
        R::InvalidPeriod { .. } => S3Error::new(S::BAD_REQUEST, "InvalidRetentionPeriod", msg),
        // S3 has no WORM rule (its routes never reach one).
        R::NoWorm
        | R::WormExists
        | R::WormLocked
        | R::WormAlreadyLocked
        | R::WormNotLocked
        | R::WormExpired
        | R::WormShorten { .. } => S3Error::invalid_request(msg),
    }
}

/// S3's answers to lifecycle configurations refused or missing.
fn lifecycle_error(e: strata_core::lifecycle::LifecycleError) -> S3Error {
    use strata_core::lifecycle::LifecycleError as L;
    match e {
        L::NoConfiguration => S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist",
        ),
        L::RuleCount(0) => S3Error::malformed_xml(),
        other => S3Error::invalid_argument(other.to_string()),
    }
}

/// Tags S3 refuses are `InvalidTag` (too many of them too, as ceph/s3-tests'
/// `test_put_excess_tags` expects; AWS's own answer to that is `BadRequest`).
fn tagging_error(e: strata_core::tagging::TaggingError) -> S3Error {
    use strata_core::tagging::TaggingError as T;
    match e {
        T::NoTagSet => S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchTagSet",
            "The TagSet does not exist",
        ),
        other => S3Error::new(StatusCode::BAD_REQUEST, "InvalidTag", other.to_string()),
    }
}
