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
