//! The one path every request takes, whatever its dialect: a request id, authentication,
//! the access decision, the operation (from [`crate::operation::route`]), the dialect's
//! answer, error rendering, the headers every answer carries, and what the request log
//! records. A dialect supplies only what differs, through [`Dialect`]: how it authenticates,
//! what it calls things, how its errors look, and how it answers each [`Operation`].

use crate::access::{self, Denied, Owner, Requester};
use crate::body::{Incoming, ReadError};
use crate::exec::{CopySource, Env, GetUpload, Read, Run, Upload};
use crate::operation::{self, Operation, Routes, Unrouted};
use crate::request::{AddressError, RequestParts};
use crate::{AppState, Body, User};
use bytes::Bytes;
use http::{HeaderValue, Method, Response};
use std::sync::Arc;
use strata_core::{CoreError, VersionId};

/// A dialect: the data and the codecs the pipeline needs to carry its requests.
pub(crate) trait Dialect: Sized + Send + Sync + 'static {
    /// The dialect's name in the request log.
    const NAME: &'static str;
    /// How its requests route.
    const ROUTES: Routes;
    /// The headers every answer carries the request id in.
    const REQUEST_ID_HEADERS: &'static [&'static str];
    /// The `Server` header of every answer.
    const SERVER: &'static str;
    /// Whether S3's `x-amz-expected-bucket-owner` headers are checked.
    const EXPECTED_OWNER_HEADERS: bool;
    /// What a successful authentication tells the handlers (the access key always).
    type Auth: Send + Sync;
    /// The dialect's error: every layer's errors map into it once.
    type Error: From<CoreError> + From<Denied> + Send;
    /// What an error response repeats of the request (S3: the resource; OSS: the host).
    type Echo: Send;

    /// Checks the request's signature; returns who signed it and what the handlers need.
    fn authenticate(
        state: &AppState,
        req: &RequestParts,
    ) -> Result<Signed<Self::Auth>, Self::Error>;
    /// Whether the request carries no signature at all: it is made anonymously.
    fn unsigned(req: &RequestParts) -> bool {
        crate::router::unsigned(req)
    }
    /// What the handlers get of an anonymous request in place of a signature's findings.
    fn anonymous_auth(req: &RequestParts) -> Result<Self::Auth, Self::Error>;
    /// The request as the handlers address it, once authenticated (BOS drops its `/v1`).
    fn address(req: RequestParts) -> RequestParts {
        req
    }
    /// The bucket, key and version a copy-source header value (`Routes::copy_source`) names.
    fn parse_copy_source(raw: &str) -> Result<CopySource, Self::Error>;
    fn echo(req: &RequestParts) -> Self::Echo;
    fn request_id() -> String;
    /// The error of a request that has no operation.
    fn unrouted(why: Unrouted) -> Self::Error;
    /// The error of a request whose path does not decode.
    fn bad_address(e: AddressError) -> Self::Error;
    /// The error of a request that lacks a parameter the operation needs, or gives it a value
    /// that does not parse.
    fn bad_param(what: Param) -> Self::Error;
    /// The error of a document body (see [`Routes::document_limit`]) that cannot be read
    /// whole within `limit` bytes.
    fn body_error(e: ReadError, limit: usize) -> Self::Error;
    /// Checks a document body against the digests its request declares.
    fn check_document(_ctx: &Ctx<'_, Self>, _bytes: &[u8]) -> Result<(), Self::Error> {
        Ok(())
    }
    /// The error's code, for the request log.
    fn error_code(e: &Self::Error) -> &'static str;
    /// The response of an error (`is_head`: headers only).
    fn render_error(
        e: &Self::Error,
        echo: &Self::Echo,
        request_id: &str,
        is_head: bool,
    ) -> Response<Body>;
    /// Browser uploads: form fields read as other headers than their own names (S3's `acl`
    /// is `x-amz-acl`), lower case.
    const POST_HEADERS: &'static [(&'static str, &'static str)] = &[];
    /// A browser upload's signer (`None`: the form is not signed, the upload is anonymous),
    /// once the signature of its policy and the policy's conditions are checked; the policy
    /// is left in `form.policy`. `req` is the request as addressed (the bucket known).
    fn post_authenticate(
        state: &AppState,
        req: &RequestParts,
        form: &mut crate::post::Form,
    ) -> Result<Option<Signed<Self::Auth>>, Self::Error>;
    /// The error of a browser upload refused before the core.
    fn post_error(e: crate::post::PostError) -> Self::Error;
    /// Answers a browser upload: `ctx.req` addresses the object (the form's key) and its
    /// headers are the form's fields; `file` is the file's content as it arrives.
    fn post_object(
        ctx: &Ctx<'_, Self>,
        form: crate::post::Form,
        file: crate::post::FileStream,
    ) -> impl Future<Output = Result<Response<Body>, Self::Error>> + Send;
    /// Answers one operation.
    fn call(
        ctx: &Ctx<'_, Self>,
        op: Operation,
        body: Incoming,
    ) -> impl Future<Output = Result<Response<Body>, Self::Error>> + Send;
}

/// An authenticated request's signer.
pub(crate) struct Signed<A> {
    /// From the snapshot of the users its signature was checked against.
    pub user: Arc<User>,
    /// The access key the request is signed with.
    pub access_key: String,
    /// What else the dialect's authentication found.
    pub auth: A,
}

/// A parameter an operation needs that the request lacks or gives badly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    Bucket,
    Key,
    /// `uploadId`, absent or empty.
    UploadId,
    /// `partNumber`, absent or not an integer from 1 to 10,000.
    PartNumber,
}

/// One authenticated and authorized request on its way through a dialect.
pub(crate) struct Ctx<'a, D: Dialect> {
    /// Private: handlers reach the core only through [`Ctx::run`] and [`Ctx::read`].
    state: &'a AppState,
    pub req: RequestParts,
    /// What authentication found.
    pub auth: D::Auth,
    /// What the request asks for.
    pub op: Operation,
    /// Who makes the request: the user it is signed by, or nobody (anonymous).
    pub who: Requester<'a>,
    /// The owner of the bucket the request addresses (the requester when it addresses none).
    pub owner: Owner,
    /// The addressed bucket's access configuration (`None`: no such bucket, or none named).
    pub bucket_access: Option<std::sync::Arc<strata_core::access::BucketAccess>>,
    /// The client's address.
    pub peer: Option<std::net::IpAddr>,
}

impl<D: Dialect> Ctx<'_, D> {
    pub fn bucket(&self) -> Result<&str, D::Error> {
        self.req
            .bucket
            .as_deref()
            .ok_or_else(|| D::bad_param(Param::Bucket))
    }

    pub fn key(&self) -> Result<&str, D::Error> {
        self.req
            .key
            .as_deref()
            .ok_or_else(|| D::bad_param(Param::Key))
    }

    /// Carries out a request of the neutral model (see [`crate::exec`]).
    pub async fn run<R: Run>(&self, request: R) -> Result<R::Output, CoreError> {
        request.run(&self.env()).await
    }

    /// Reads one snapshot for a request of the neutral model (see [`crate::exec`]).
    pub fn read<R: Read>(&self, request: R) -> Result<R::Output, CoreError> {
        request.read(&self.env())
    }

    fn env(&self) -> Env<'_> {
        Env {
            store: &self.state.store,
            users: &self.state.users,
            who: self.who,
            bucket: self.bucket_access.as_deref(),
            facts: access::Facts::new(&self.req, self.peer, Some(&self.state.store)),
            aws_2023_defaults: self.state.aws_2023_defaults,
        }
    }

    /// The region the server reports.
    pub fn region(&self) -> &str {
        &self.state.region
    }

    /// The address of the upload the request names.
    pub fn upload(&self) -> Result<Upload<'_>, D::Error> {
        Ok(Upload {
            bucket: self.bucket()?,
            key: self.key()?,
            upload_id: self.upload_id()?,
        })
    }

    /// The request's document body (a configuration, the keys of a multi-delete, the parts of
    /// a Complete), read whole within the operation's limit and checked against the digests
    /// the request declares. A declared length over the limit is refused before any is read.
    pub async fn read_document(&self, body: Incoming) -> Result<Bytes, D::Error> {
        let limit = D::ROUTES.document_limit(self.op);
        let declared = self
            .req
            .header("content-length")
            .and_then(|v| v.parse().ok());
        let bytes = crate::body::read_limited(body, declared, limit)
            .await
            .map_err(|e| D::body_error(e, limit))?;
        D::check_document(self, &bytes)?;
        Ok(bytes)
    }

    /// The object (or version) the request's copy-source header names.
    pub fn copy_source(&self) -> Result<CopySource, D::Error> {
        D::parse_copy_source(self.req.header(D::ROUTES.copy_source).unwrap_or_default())
    }

    /// `versionId`, when the request names one.
    pub fn version_id(&self) -> Result<Option<VersionId>, D::Error> {
        match self.req.query("versionId") {
            None => Ok(None),
            Some(v) => Ok(Some(VersionId::parse(v)?)),
        }
    }

    /// The `uploadId` of a multipart step.
    pub fn upload_id(&self) -> Result<&str, D::Error> {
        self.req
            .query_nonempty("uploadId")
            .ok_or_else(|| D::bad_param(Param::UploadId))
    }

    /// The upload and part number of an UploadPart or UploadPartCopy, once the upload is
    /// known to belong to the key (before anything else of the request is read).
    pub fn part_address(&self) -> Result<(Upload<'_>, u32), D::Error> {
        self.bucket()?;
        let n = self
            .req
            .query("partNumber")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| D::bad_param(Param::PartNumber))?;
        self.check_upload()?;
        Ok((self.upload()?, n))
    }

    /// The upload named by `uploadId` must exist and belong to the key in the path (the core
    /// checks it again in each write).
    pub fn check_upload(&self) -> Result<(), D::Error> {
        self.read(GetUpload(self.upload()?))?;
        Ok(())
    }

    /// The owner listings and ACLs show: the bucket's, or the requester's for requests on no
    /// bucket.
    pub fn owner(&self) -> crate::listing::Owner<'_> {
        self.owner.as_listing()
    }

    /// Who listings name as each entry's owner: the bucket's owner, or the user who wrote it.
    pub fn owners(&self) -> crate::listing::Owners<'_> {
        crate::listing::Owners {
            bucket: self.owner(),
            users: &self.state.users,
        }
    }
}

/// Answers one request of dialect `D`.
pub(crate) async fn handle<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    body: Incoming,
    peer: Option<std::net::IpAddr>,
) -> Response<Body> {
    handle_with::<D>(state, req, body, peer, None).await
}

/// Answers one request of dialect `D` made by `user`, authenticated already by in-process
/// code (the web console's session, [`crate::console`]): no signature is looked for, and
/// every later step (routing, the access decision, the handlers) is a signed request's.
/// Only code of this crate can call it; nothing a client sends selects it.
pub(crate) async fn handle_as<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    body: Incoming,
    peer: Option<std::net::IpAddr>,
    user: Arc<User>,
) -> Response<Body> {
    handle_with::<D>(state, req, body, peer, Some(user)).await
}

async fn handle_with<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    body: Incoming,
    peer: Option<std::net::IpAddr>,
    authenticated: Option<Arc<User>>,
) -> Response<Body> {
    let request_id = D::request_id();
    let is_head = req.method == Method::HEAD;
    let has_body = crate::body::has_body(&req.headers);
    let echo = D::echo(&req);
    let mut log = RequestLog {
        dialect: D::NAME,
        request_id: request_id.clone(),
        ..RequestLog::default()
    };
    // A preflight is answered from the bucket's CORS rules alone, unauthenticated
    // (`crate::cors`); an actual request with `Origin` gets their headers on its answer.
    let preflight = req.method == Method::OPTIONS && authenticated.is_none();
    let cors = (!preflight)
        .then(|| crate::cors::Asked::of::<D>(&req))
        .flatten();
    let result = if preflight {
        log.anonymous = D::unsigned(&req);
        log.operation = Some("PreflightCors");
        let req = D::address(req);
        log.addressed(&req);
        crate::cors::preflight::<D>(state, &req)
    } else {
        run::<D>(state, req, body, peer, authenticated, &mut log).await
    };
    let mut resp = result.unwrap_or_else(|e| {
        log.error = Some(D::error_code(&e));
        let mut r = D::render_error(&e, &echo, &request_id, is_head);
        crate::body::close_if_unread(&mut r, has_body);
        r
    });
    if preflight {
        crate::body::close_if_unread(&mut resp, has_body);
    }
    if let Some(cors) = cors {
        cors.apply(state, &mut resp);
    }
    finish::<D>(&mut resp, &request_id);
    resp.extensions_mut().insert(log);
    resp
}

/// What the request log says of a request beyond its address and status: carried to the
/// server's log line in the response's extensions (recording into the request's span would
/// format each field on its own, at every request).
#[derive(Clone, Debug, Default)]
pub struct RequestLog {
    pub dialect: &'static str,
    /// The id the answer carries in the dialect's request-id headers.
    pub request_id: String,
    /// The bucket and key addressed, once the address is read.
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// The access key the request is signed with, once authenticated.
    pub access_key: Option<String>,
    /// The request carries no signature at all.
    pub anonymous: bool,
    pub operation: Option<&'static str>,
    /// The error code answered, if any.
    pub error: Option<&'static str>,
}

impl RequestLog {
    fn addressed(&mut self, req: &RequestParts) {
        self.bucket.clone_from(&req.bucket);
        self.key.clone_from(&req.key);
    }

    /// Writes the request's log line once its answer has been sent: `resp` with its body
    /// wrapped to count the bytes that go out, the line written when the body ends or is
    /// dropped (sent, or the client went away). When no request line would be written (a
    /// filter leaves them out), `resp` as it is.
    pub fn follow(
        self,
        resp: Response<Body>,
        peer: std::net::SocketAddr,
        method: Method,
        uri: http::Uri,
        bytes_in: Option<u64>,
        started: std::time::Instant,
    ) -> Response<Body> {
        if !tracing::enabled!(target: "strata_api::request", tracing::Level::ERROR) {
            return resp;
        }
        let (parts, inner) = resp.into_parts();
        let expected = hyper::body::Body::size_hint(&inner).exact().or_else(|| {
            parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse().ok())
        });
        let line = Line {
            log: self,
            status: parts.status.as_u16(),
            peer,
            method,
            uri,
            bytes_in,
            started,
            sent: 0,
            expected,
        };
        let body = Logged {
            inner,
            line: Some(line),
        };
        Response::from_parts(parts, http_body_util::BodyExt::boxed_unsync(body))
    }
}

/// What a request's log line says, kept with its answer's body until that has been sent.
struct Line {
    log: RequestLog,
    status: u16,
    peer: std::net::SocketAddr,
    method: Method,
    uri: http::Uri,
    bytes_in: Option<u64>,
    started: std::time::Instant,
    /// Body bytes handed to the connection so far.
    sent: u64,
    /// The body's length, when known in advance (its size hint, or `Content-Length`).
    expected: Option<u64>,
}

impl Line {
    /// Writes the line: target `strata_api::request`, message `served`, at `info` for a
    /// success, `warn` for a 4xx answer, `error` for a 5xx one (so a filter can keep only the
    /// failures). `bytes_in` is the request's `Content-Length`, `bytes_out` the body bytes
    /// sent, `duration_us` the time from the request's head to the body's end, and
    /// `unfinished` marks an answer whose body was not sent whole.
    fn emit(&self, finished: bool) {
        let log = &self.log;
        let who = match &log.access_key {
            Some(key) => Some(key.as_str()),
            None => log.anonymous.then_some("anonymous"),
        };
        let elapsed = self.started.elapsed();
        let (status, peer, method, path) = (self.status, self.peer, &self.method, self.uri.path());
        macro_rules! served {
            ($level:expr) => {
                tracing::event!(
                    target: "strata_api::request",
                    $level,
                    request_id = (!log.request_id.is_empty()).then_some(log.request_id.as_str()),
                    access_key = who,
                    dialect = (!log.dialect.is_empty()).then_some(log.dialect),
                    operation = log.operation,
                    bucket = log.bucket.as_deref(),
                    key = log.key.as_deref(),
                    status,
                    error = log.error,
                    bytes_in = self.bytes_in,
                    bytes_out = self.sent,
                    duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
                    unfinished = (!finished).then_some(true),
                    %peer,
                    %method,
                    path,
                    "served"
                )
            };
        }
        match status {
            500.. => served!(tracing::Level::ERROR),
            400.. => served!(tracing::Level::WARN),
            _ => served!(tracing::Level::INFO),
        }
    }
}

/// An answer's body that writes its request's [`Line`] once it ends, fails or is dropped.
struct Logged {
    inner: Body,
    line: Option<Line>,
}

impl Logged {
    fn finish(&mut self, finished: bool) {
        if let Some(line) = self.line.take() {
            line.emit(finished);
        }
    }
}

impl hyper::body::Body for Logged {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        use std::task::Poll;
        let this = &mut *self;
        let polled = std::pin::Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(line)) = (frame.data_ref(), this.line.as_mut()) {
                    line.sent += data.len() as u64;
                }
            }
            Poll::Ready(None) => this.finish(true),
            Poll::Ready(Some(Err(_))) => this.finish(false),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        hyper::body::Body::is_end_stream(&self.inner)
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::Body::size_hint(&self.inner)
    }
}

impl Drop for Logged {
    /// The connection is done with the body: sent whole (hyper stops polling once the length
    /// it announced is written), or not (the client went away, a timeout closed it).
    fn drop(&mut self) {
        let finished = hyper::body::Body::is_end_stream(&self.inner)
            || self
                .line
                .as_ref()
                .is_some_and(|l| l.expected == Some(l.sent));
        self.finish(finished);
    }
}

async fn run<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    body: Incoming,
    peer: Option<std::net::IpAddr>,
    authenticated: Option<Arc<User>>,
    log: &mut RequestLog,
) -> Result<Response<Body>, D::Error> {
    log.anonymous = authenticated.is_none() && D::unsigned(&req);
    let (user, auth) = if let Some(user) = authenticated {
        // In-process: the handlers get what an unsigned request's headers say of its body
        // (no chunk signatures, which need a signer's key), and the user is `user`.
        log.access_key = Some(user.credentials.access_key.clone());
        (Some(user), D::anonymous_auth(&req)?)
    } else if log.anonymous {
        (None, D::anonymous_auth(&req)?)
    } else {
        let Signed {
            user,
            access_key,
            auth,
        } = D::authenticate(state, &req)?;
        log.access_key = Some(access_key);
        (Some(user), auth)
    };
    let req = D::address(req);
    log.addressed(&req);
    let op = operation::route(&D::ROUTES, &req).map_err(D::unrouted)?;
    log.operation = Some(op.name());
    let source = req
        .header(D::ROUTES.copy_source)
        .filter(|_| matches!(op, Operation::CopyObject | Operation::UploadPartCopy))
        .and_then(|raw| D::parse_copy_source(raw).ok());
    let who = Requester::of(state, user.as_deref());
    let expected = access::Expected::of(&req, D::EXPECTED_OWNER_HEADERS);
    let facts = access::Facts::new(&req, peer, Some(&state.store));
    let decided = access::authorize(state, who, &req, op, source.as_ref(), &expected, &facts)
        .inspect_err(|reason| {
            tracing::debug!(
                ?reason,
                operation = op.name(),
                bucket = req.bucket.as_deref(),
                key = req.key.as_deref(),
                copy_source_bucket = source.as_ref().map(|s| s.0.as_str()),
                "access denied"
            );
        })?;
    let ctx = Ctx {
        state,
        req,
        auth,
        op,
        who,
        owner: decided.owner,
        bucket_access: decided.bucket,
        peer,
    };
    D::call(&ctx, op, body).await
}

/// Answers one browser upload in dialect `D` (see [`crate::post`]): the form as read (or why
/// it could not be), then the same steps as [`handle`], with the form's signature for the
/// request's and the form's key for its address.
pub(crate) async fn handle_post<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    form: Result<(crate::post::Form, crate::post::FileStream), crate::post::PostError>,
    peer: Option<std::net::IpAddr>,
) -> Response<Body> {
    let request_id = D::request_id();
    let echo = D::echo(&req);
    let mut log = RequestLog {
        dialect: D::NAME,
        request_id: request_id.clone(),
        operation: Some(Operation::PostObject.name()),
        ..RequestLog::default()
    };
    let result = run_post::<D>(state, req, form, peer, &mut log).await;
    let mut resp = result.unwrap_or_else(|e| {
        log.error = Some(D::error_code(&e));
        let mut r = D::render_error(&e, &echo, &request_id, false);
        crate::body::close_if_unread(&mut r, true);
        r
    });
    finish::<D>(&mut resp, &request_id);
    resp.extensions_mut().insert(log);
    resp
}

async fn run_post<D: Dialect>(
    state: &AppState,
    req: RequestParts,
    form: Result<(crate::post::Form, crate::post::FileStream), crate::post::PostError>,
    peer: Option<std::net::IpAddr>,
    log: &mut RequestLog,
) -> Result<Response<Body>, D::Error> {
    let (mut form, file) = form.map_err(D::post_error)?;
    let mut req = D::address(req);
    let key = form
        .key()
        .ok_or(crate::post::PostError::MissingField("key"))
        .map_err(D::post_error)?;
    let signed = D::post_authenticate(state, &req, &mut form)?;
    log.anonymous = signed.is_none();
    let (user, auth) = match signed {
        Some(Signed {
            user,
            access_key,
            auth,
        }) => {
            log.access_key = Some(access_key);
            (Some(user), auth)
        }
        None => (None, D::anonymous_auth(&req)?),
    };
    req.key = Some(key);
    log.addressed(&req);
    req.headers = crate::post::form_headers(&req.headers, &form, D::POST_HEADERS);
    let op = Operation::PostObject;
    if let Some(what) = crate::unsupported::refused(D::ROUTES.unsupported, &req) {
        return Err(D::unrouted(Unrouted::Refused(what)));
    }
    let who = Requester::of(state, user.as_deref());
    let expected = access::Expected::of(&req, D::EXPECTED_OWNER_HEADERS);
    let facts = access::Facts::new(&req, peer, Some(&state.store));
    let decided = access::authorize(state, who, &req, op, None, &expected, &facts)?;
    let ctx = Ctx {
        state,
        req,
        auth,
        op,
        who,
        owner: decided.owner,
        bucket_access: decided.bucket,
        peer,
    };
    D::post_object(&ctx, form, file).await
}

/// A request whose path does not decode (see `router`), answered in dialect `D`.
pub(crate) fn bad_address<D: Dialect>(req: &RequestParts, e: AddressError) -> Response<Body> {
    let request_id = D::request_id();
    let e = D::bad_address(e);
    let mut resp = D::render_error(&e, &D::echo(req), &request_id, req.method == Method::HEAD);
    finish::<D>(&mut resp, &request_id);
    let request_id = request_id.clone();
    resp.extensions_mut().insert(RequestLog {
        dialect: D::NAME,
        request_id,
        error: Some(D::error_code(&e)),
        ..RequestLog::default()
    });
    resp
}

/// Adds the headers every answer carries: the request id and `Server`. `Date` is hyper's (its
/// HTTP/1 server adds one to every response without it, formatted once a second).
fn finish<D: Dialect>(resp: &mut Response<Body>, request_id: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        for name in D::REQUEST_ID_HEADERS {
            h.insert(*name, v.clone());
        }
    }
    h.insert(http::header::SERVER, HeaderValue::from_static(D::SERVER));
}
