//! The console's data operations: S3 requests made as the session's user, through the same
//! pipeline as every signed request ([`crate::pipeline::handle_as`]): routing, the access
//! decision, the handlers and their errors are S3's, so the console can do exactly what the
//! user's own S3 client could, no more.
//!
//! `/s3/BUCKET/KEY?QUERY` on the admin listener is the S3 request `/BUCKET/KEY?QUERY`
//! (path-style; the raw path and query are kept as sent, so keys stay percent-encoded as the
//! browser wrote them). Bodies stream both ways.

use crate::s3::S3Api;
use crate::{AppState, Body, User};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri};
use std::net::SocketAddr;
use std::sync::Arc;

use super::error::ConsoleError;
use super::session::CSRF_HEADER;

/// The longest an S3 answer read whole for the console's own use may be (a listing page of
/// 1000 versions is about 400 KB).
const MAX_INTERNAL_ANSWER: usize = 16 << 20;

/// Forwards `/s3/...` as the S3 request `/...` made by `user`.
pub async fn forward<B>(
    state: &AppState,
    peer: SocketAddr,
    user: Arc<User>,
    req: Request<B>,
) -> Result<Response<Body>, ConsoleError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::PUT | Method::POST | Method::DELETE
    ) {
        return Err(ConsoleError::Method);
    }
    let (mut head, body) = req.into_parts();
    let rest = head
        .uri
        .path()
        .strip_prefix("/s3")
        .filter(|r| r.starts_with('/'))
        .ok_or(ConsoleError::NotFound)?;
    let target = match head.uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    let uri: Uri = target
        .parse()
        .map_err(|_| ConsoleError::BadRequest("the path is not a valid URI".into()))?;
    // The console's own credentials stay here; the S3 side sees none.
    for name in [COOKIE, AUTHORIZATION] {
        head.headers.remove(name);
    }
    head.headers.remove(CSRF_HEADER);
    let expects_continue = head
        .headers
        .get(hyper::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let body = crate::body::Incoming::new(body, Some(crate::DEFAULT_TIMEOUT), expects_continue);
    let parts = crate::request::RequestParts::new(head.method, &uri, head.headers, &[])
        .map_err(|e| ConsoleError::BadRequest(format!("the path does not decode: {e:?}")))?;
    let method = parts.method.clone();
    let mut resp =
        crate::pipeline::handle_as::<S3Api>(state, parts, body, Some(peer.ip()), user).await;
    // The data port's request log, for the console's S3 requests (the admin listener logs
    // nothing else per request).
    if let Some(log) = resp.extensions().get::<crate::RequestLog>() {
        tracing::info!(
            %peer,
            %method,
            path = %uri.path(),
            access_key = log.access_key.as_deref().unwrap_or_default(),
            operation = log.operation.unwrap_or_default(),
            error = log.error.unwrap_or_default(),
            status = resp.status().as_u16(),
            "console"
        );
    }
    // An object read back on the console's origin must never run as a page of it.
    resp.headers_mut().insert(
        hyper::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(resp)
}

/// An S3 answer read whole.
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    /// The answer's error as a [`ConsoleError`] unless it is a success.
    pub fn ok(self) -> Result<Answer, ConsoleError> {
        if self.status.is_success() {
            return Ok(self);
        }
        let doc = strata_wire::xml::parse(&self.body, 1000).ok();
        let text = |name| {
            doc.as_ref()
                .and_then(|d| d.child_text(name))
                .unwrap_or_default()
                .to_owned()
        };
        Err(ConsoleError::Upstream {
            status: self.status,
            code: text("Code"),
            message: text("Message"),
        })
    }
}

/// Makes one S3 request as `user` for the console itself (restore), reading the answer whole.
/// `path_and_query` is encoded already.
pub async fn call(
    state: &AppState,
    peer: SocketAddr,
    user: &Arc<User>,
    method: Method,
    path_and_query: &str,
    headers: &[(&'static str, String)],
    body: Bytes,
) -> Result<Answer, ConsoleError> {
    let mut req = Request::new(http_body_util::Full::new(body.clone()));
    *req.method_mut() = method;
    *req.uri_mut() = format!("/s3{path_and_query}")
        .parse()
        .map_err(|_| ConsoleError::BadRequest(format!("not a path: {path_and_query}")))?;
    let h: &mut HeaderMap = req.headers_mut();
    h.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    for (name, value) in headers {
        let value = HeaderValue::from_str(value)
            .map_err(|_| ConsoleError::BadRequest(format!("not a header value: {value}")))?;
        h.insert(*name, value);
    }
    let resp = forward(state, peer, user.clone(), req).await?;
    let status = resp.status();
    let body = http_body_util::Limited::new(resp.into_body(), MAX_INTERNAL_ANSWER)
        .collect()
        .await
        .map_err(|e| ConsoleError::Upstream {
            status: StatusCode::BAD_GATEWAY,
            code: "InternalError".into(),
            message: format!("the answer could not be read: {e}"),
        })?
        .to_bytes();
    Ok(Answer { status, body })
}
