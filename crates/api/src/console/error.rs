//! The console's own errors, answered as JSON `{"error": "..."}`.

use crate::{Body, full};
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Response, StatusCode};

/// Why a console request (not one forwarded to S3, which answers in S3's XML) is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No cookie, an unknown or expired session, or a user removed or rotated since.
    #[error("sign in first")]
    NoSession,
    /// Which half of the key pair was wrong is not said.
    #[error("the access key or secret key is wrong")]
    BadLogin,
    /// Too many failed sign-ins of the peer or of the access key (which one is not said);
    /// the seconds to wait, for `Retry-After`.
    #[error("too many failed sign-ins: try again later")]
    Throttled(u64),
    #[error("the request does not carry the session's CSRF token (X-Strata-CSRF)")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is over {0} bytes")]
    TooLarge(usize),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    Method,
    #[error("the keys changed since the preview: preview the plan again")]
    PlanChanged,
    #[error("over {0} versions under the prefix: use `strata restore` for this one")]
    TooMany(usize),
    /// An S3 request made for the console was refused (its status and S3 error code).
    #[error("{code}: {message}")]
    Upstream {
        status: StatusCode,
        code: String,
        message: String,
    },
}

impl ConsoleError {
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::NoSession | ConsoleError::BadLogin => StatusCode::UNAUTHORIZED,
            ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::TooLarge(_) | ConsoleError::TooMany(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::PlanChanged => StatusCode::CONFLICT,
            ConsoleError::Method => StatusCode::METHOD_NOT_ALLOWED,
            ConsoleError::Upstream { status, .. } => *status,
        }
    }

    pub fn response(&self) -> Response<Body> {
        let mut resp = json(
            self.status(),
            &serde_json::json!({ "error": self.to_string() }),
        );
        if let ConsoleError::Throttled(seconds) = self {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(*seconds));
        }
        resp
    }
}

/// A JSON answer.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut resp = Response::new(full(value.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}
