//! An async client for object stores speaking the Amazon S3, Alibaba OSS and Baidu BOS
//! dialects: strata itself, the vendors' services, and other S3-compatible servers.
//!
//! One [`Client`] holds an endpoint, a [`Dialect`], a key pair and a region, and a keep-alive
//! pool of HTTP/1.1 connections (hyper-util's legacy client, `TCP_NODELAY` on). Every request
//! is signed with the dialect's own scheme (`sign.rs`), with the canonicalization functions the
//! server verifies with (`strata_wire`), so what the client signs is exactly what the server checks:
//!
//! - S3: SigV4 header auth (`x-amz-date`, `x-amz-content-sha256` = the body's SHA-256 for
//!   small bodies, `UNSIGNED-PAYLOAD` for large ones);
//! - OSS: V4 header auth (`x-oss-date`, `x-oss-content-sha256: UNSIGNED-PAYLOAD`);
//! - BOS: bce-auth-v1 (`x-bce-date`, the default signed-header set).
//!
//! The operations are those the `strata` client commands need (`ops.rs`): listing versions
//! and objects a page at a time, multi-delete of up to 1000 entries with per-entry failures,
//! single deletes, put, get (streamed and counted), head, copy of a version over a key, bucket
//! creation, deletion and versioning, and listing and aborting incomplete multipart uploads;
//! a bucket's versioning state and lifecycle document (`config.rs`).
//! [`Client::admin_list_users`] and its siblings speak Strata's own admin API (`admin.rs`);
//! [`Client::request`] signs and sends any other request ([`Client::exchange`]: and returns
//! its response as it came, error statuses included).
//! Responses are parsed with `strata_wire::xml::parse` (S3, OSS) and serde_json (BOS) in
//! `parse.rs`.
//!
//! Addressing is path style (`/BUCKET/KEY`), every segment percent-encoded with RFC 3986
//! unreserved characters and `/` kept. Only `http://` endpoints are supported.

mod admin;
mod config;
mod encode;
mod error;
mod ops;
mod parse;
mod sign;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

pub use admin::{CompactReport, NewUser, UserCredentials, UserInfo};
pub use config::Versioning;
pub use error::Error;
pub use http::Method;
pub use ops::{
    DeleteFailure, ObjectEntry, ObjectId, ObjectInfo, ObjectsPage, PutOutput, Upload, UploadsPage,
    VersionEntry, VersionsMarker, VersionsPage,
};
pub use strata_wire::Credentials;

/// Most entries one multi-delete request may carry, in every dialect.
pub const MAX_DELETE_BATCH: usize = 1000;

/// Bodies up to this size are signed with their SHA-256 (S3); larger ones as
/// `UNSIGNED-PAYLOAD`, so a large upload is not read twice.
pub const SIGNED_PAYLOAD_MAX: usize = 64 * 1024;

/// How long connecting may take before the request fails (and may be retried).
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The HTTP dialect an endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    S3,
    Oss,
    Bos,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::S3, Dialect::Oss, Dialect::Bos];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::S3 => "s3",
            Dialect::Oss => "oss",
            Dialect::Bos => "bos",
        }
    }

    /// The region signed when none is given: `us-east-1` (S3), `cn-hangzhou` (OSS); BOS
    /// signatures carry none.
    pub fn default_region(self) -> &'static str {
        match self {
            Dialect::S3 => "us-east-1",
            Dialect::Oss => "cn-hangzhou",
            Dialect::Bos => "bj",
        }
    }

    /// The response header that carries a written object's version ID.
    fn version_header(self) -> &'static str {
        match self {
            Dialect::S3 => "x-amz-version-id",
            Dialect::Oss => "x-oss-version-id",
            Dialect::Bos => "x-bce-version-id",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Dialect, String> {
        match s.to_ascii_lowercase().as_str() {
            "s3" => Ok(Dialect::S3),
            "oss" => Ok(Dialect::Oss),
            "bos" => Ok(Dialect::Bos),
            _ => Err(format!("unknown dialect {s:?} (expected s3, oss or bos)")),
        }
    }
}

/// What a [`Client`] talks to, and as whom.
#[derive(Clone, Debug)]
pub struct Config {
    /// `http://HOST[:PORT]`.
    pub endpoint: String,
    pub dialect: Dialect,
    pub credentials: Credentials,
    /// The region signed (S3, OSS); `None` for the dialect's default.
    pub region: Option<String>,
}

/// A signed-request client for one endpoint; cheap to clone (clones share the connection
/// pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient<HttpConnector, Full<Bytes>>,
    /// `http://HOST[:PORT]`, without a trailing slash.
    base: String,
    /// The `Host` header value (and what is signed as the host).
    host: HeaderValue,
    dialect: Dialect,
    credentials: Credentials,
    region: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.base)
            .field("dialect", &self.inner.dialect)
            .field("credentials", &self.inner.credentials)
            .field("region", &self.inner.region)
            .finish()
    }
}

/// One request before it is signed: the address, the query (decoded), extra headers (signed
/// with the rest) and the body. [`Client::request`] sends one.
pub struct Req<'a> {
    pub method: Method,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: Vec<(&'a str, String)>,
    pub headers: Vec<(HeaderName, String)>,
    pub body: Bytes,
}

impl<'a> Req<'a> {
    pub fn new(method: Method, bucket: Option<&'a str>, key: Option<&'a str>) -> Req<'a> {
        Req {
            method,
            bucket,
            key,
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn query(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers
            .push((HeaderName::from_static(name), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
}

impl Client {
    /// A client for `config.endpoint`; no connection is made until the first request.
    pub fn new(config: Config) -> Result<Client, Error> {
        let uri: http::Uri = config
            .endpoint
            .parse()
            .map_err(|e| Error::Endpoint(format!("{}: {e}", config.endpoint)))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(Error::Endpoint(format!(
                    "{}: https is not supported; use an http:// endpoint",
                    config.endpoint
                )));
            }
            _ => {
                return Err(Error::Endpoint(format!(
                    "{}: expected http://HOST[:PORT]",
                    config.endpoint
                )));
            }
        }
        let authority = uri
            .authority()
            .ok_or_else(|| Error::Endpoint(format!("{}: no host", config.endpoint)))?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(Error::Endpoint(format!(
                "{}: an endpoint has no path or query",
                config.endpoint
            )));
        }
        // Port 80 is the default: the Host header leaves it out, as clients do.
        let host = match authority.port_u16() {
            Some(80) => authority.host().to_owned(),
            _ => authority.as_str().to_owned(),
        };
        let host = HeaderValue::from_str(&host)
            .map_err(|_| Error::Endpoint(format!("{}: bad host", config.endpoint)))?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.enforce_http(true);
        let http = HttpClient::builder(TokioExecutor::new())
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .build(connector);
        let region = config
            .region
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| config.dialect.default_region().to_owned());
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: format!("http://{authority}"),
                host,
                dialect: config.dialect,
                credentials: config.credentials,
                region,
            }),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    pub fn endpoint(&self) -> &str {
        &self.inner.base
    }

    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Builds and signs a request at `now`.
    pub(crate) fn build(
        &self,
        req: Req<'_>,
        now: SystemTime,
    ) -> Result<Request<Full<Bytes>>, Error> {
        let path_and_query = encode::path_and_query(req.bucket, req.key, &req.query);
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, self.inner.host.clone());
        headers.insert(
            http::header::CONTENT_LENGTH,
            HeaderValue::from(req.body.len()),
        );
        for (name, value) in req.headers {
            let value = HeaderValue::from_str(&value)
                .map_err(|_| Error::Request(format!("the {name} header is not a valid value")))?;
            headers.insert(name, value);
        }
        sign::sign(
            self.inner.dialect,
            &self.inner.credentials,
            &self.inner.region,
            &req.method,
            &path_and_query,
            &mut headers,
            &req.body,
            now,
        )?;
        let uri = format!("{}{path_and_query}", self.inner.base);
        let mut request = Request::builder()
            .method(req.method)
            .uri(uri)
            .body(Full::new(req.body))
            .map_err(|e| Error::Request(e.to_string()))?;
        *request.headers_mut() = headers;
        Ok(request)
    }

    /// Sends a request; a response that is not 2xx becomes [`Error::Service`] with the
    /// dialect's error code and message.
    pub(crate) async fn send(&self, req: Req<'_>) -> Result<Response<Incoming>, Error> {
        let is_head = req.method == Method::HEAD;
        let request = self.build(req, SystemTime::now())?;
        let response = self
            .inner
            .http
            .request(request)
            .await
            .map_err(|e| Error::Transport(error_chain(&e)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let request_id = self.request_id(response.headers());
        let body = if is_head {
            Bytes::new()
        } else {
            read_body(response).await?
        };
        Err(parse::service_error(
            self.inner.dialect,
            status,
            &body,
            request_id,
        ))
    }

    /// Signs and sends any request, for what this client has no method for (a dialect's
    /// configuration calls); the response's headers and whole body, or [`Error::Service`].
    pub async fn request(&self, req: Req<'_>) -> Result<(HeaderMap, Bytes), Error> {
        self.send_read(req).await
    }

    /// Signs and sends any request and returns the response as it came, whatever its status:
    /// for callers that judge error responses themselves (their status, headers and body).
    pub async fn exchange(&self, req: Req<'_>) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
        let request = self.build(req, SystemTime::now())?;
        let response = self
            .inner
            .http
            .request(request)
            .await
            .map_err(|e| Error::Transport(error_chain(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        Ok((status, headers, read_body(response).await?))
    }

    /// Sends a request and reads the whole (small) response body.
    pub(crate) async fn send_read(&self, req: Req<'_>) -> Result<(HeaderMap, Bytes), Error> {
        let response = self.send(req).await?;
        let headers = response.headers().clone();
        Ok((headers, read_body(response).await?))
    }

    fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        let name = match self.inner.dialect {
            Dialect::S3 => "x-amz-request-id",
            Dialect::Oss => "x-oss-request-id",
            Dialect::Bos => "x-bce-request-id",
        };
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

pub(crate) async fn read_body(response: Response<Incoming>) -> Result<Bytes, Error> {
    response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| Error::Transport(error_chain(&e)))
}

/// An error and its causes, `: `-separated (hyper's errors say little on their own).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}
