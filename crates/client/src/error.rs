//! What a request can fail with.

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The endpoint is not an `http://HOST[:PORT]` URL.
    #[error("invalid endpoint {0}")]
    Endpoint(String),
    /// The request could not be built (a header value that HTTP cannot carry).
    #[error("cannot build the request: {0}")]
    Request(String),
    /// Connecting, sending or receiving failed.
    #[error("connection error: {0}")]
    Transport(String),
    /// The service answered with an error status.
    #[error("{status} {code}: {message}{}", request_id.as_deref().map(|r| format!(" (request {r})")).unwrap_or_default())]
    Service {
        status: u16,
        /// The dialect's error code (`NoSuchKey`, …), or the status's reason when the response
        /// has no body (HEAD).
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// A success response whose body could not be understood.
    #[error("unexpected response: {0}")]
    Response(String),
}

impl Error {
    /// The service's error code, if the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service refused to remove an object because retention protects it (see
    /// [`is_protection`]): a single delete of a protected object or version, or an OSS
    /// multi-delete refused whole because one of its entries is protected.
    pub fn is_protected(&self) -> bool {
        match self {
            Error::Service { code, message, .. } => is_protection(code, message),
            _ => false,
        }
    }

    /// A 404 (no such key, version or bucket).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether trying again later may succeed: connection failures, 5xx, 429, throttling and
    /// request timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Service { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || matches!(
                        code.as_str(),
                        "SlowDown" | "RequestTimeout" | "Throttling" | "ThrottlingException"
                    )
            }
            _ => false,
        }
    }
}

/// Whether a refusal with this error `code` and `message` means "retention protects the
/// object": BOS and OSS say `FileImmutable` (a bucket's object lock or WORM rule); S3 says
/// `AccessDenied` with a message naming Object Lock ("Access Denied because object protected
/// by object lock."), which tells it apart from a refusal of the request's permissions.
/// Retrying such a refusal cannot help until the retention ends.
pub(crate) fn is_protection(code: &str, message: &str) -> bool {
    match code {
        "FileImmutable" => true,
        "AccessDenied" => message.to_ascii_lowercase().contains("object lock"),
        _ => false,
    }
}
