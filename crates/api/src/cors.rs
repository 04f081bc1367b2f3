//! CORS in the pipeline, for every dialect: the preflight (`OPTIONS`), answered from the
//! bucket's rules before anything else, and the `Access-Control-*` headers of the answer to
//! an actual request that carries `Origin`, added to whatever the request got (a success or
//! an error alike, as S3 does). What matches and what is answered is the core's
//! ([`strata_core::cors`]); the dialect only renders a refused preflight as its error.
//!
//! A preflight is answered without authentication: a browser sends it on its own, with no
//! credentials, and it reveals only what the bucket's rules allow (that is the documented
//! rule of S3, OSS and BOS). A signature on it, which BOS's Go SDK adds, is not checked and
//! grants nothing. Its error format is the dialect the front door picks for it as for any
//! request: the signature scheme if signed, else BOS's by its `/v1/` path or an `x-bce-`
//! header, OSS's by an `x-oss-` header or an OSS SDK's `User-Agent`, and S3's otherwise.

use crate::pipeline::Dialect;
use crate::request::RequestParts;
use crate::{AppState, Body, full};
use hyper::Response;
use strata_core::cors::Preflight;

/// Answers a preflight to what `req` addresses (in dialect `D`'s addressing).
pub(crate) fn preflight<D: Dialect>(
    state: &AppState,
    req: &RequestParts,
) -> Result<Response<Body>, D::Error> {
    let asked = Preflight {
        origin: req.header("origin"),
        method: req.header("access-control-request-method"),
        headers: req.header("access-control-request-headers"),
        object: req.key.is_some(),
    };
    let headers = state
        .store
        .cors_preflight(req.bucket.as_deref(), &asked)
        .map_err(D::Error::from)?;
    let mut resp = Response::new(full(""));
    for (name, value) in headers {
        crate::objhttp::set(&mut resp, name, &value);
    }
    Ok(resp)
}

/// What an actual request asks of CORS: taken before the request is carried out, applied
/// to its answer.
pub(crate) struct Asked {
    origin: String,
    method: String,
    bucket: String,
}

impl Asked {
    /// The request's `Origin`, its method, and the bucket it addresses (in dialect `D`'s
    /// addressing); `None` when it has no `Origin` or addresses no bucket. A request that
    /// carries `Access-Control-Request-Method` is matched by that method, as S3 does
    /// (ceph/s3-tests checks it on a PUT).
    pub(crate) fn of<D: Dialect>(req: &RequestParts) -> Option<Asked> {
        let origin = req.header("origin").filter(|o| !o.is_empty())?;
        let bucket = D::address(req.clone()).bucket?;
        let method = match req.header("access-control-request-method") {
            Some(m) => m.to_owned(),
            None => req.method.as_str().to_owned(),
        };
        Some(Asked {
            origin: origin.to_owned(),
            method,
            bucket,
        })
    }

    /// Adds the headers of the first rule that allows the origin and the method (none when
    /// no rule does).
    pub(crate) fn apply(self, state: &AppState, resp: &mut Response<Body>) {
        let headers = state
            .store
            .cors_headers(&self.bucket, &self.origin, &self.method);
        for (name, value) in headers {
            crate::objhttp::set(resp, name, &value);
        }
    }
}
