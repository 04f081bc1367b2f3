//! The front door: the server's own endpoints (health, the admin API), then the dialect a
//! request is signed in, whose requests go down the one [`crate::pipeline`].

use crate::bos::BosApi;
use crate::oss::OssApi;
use crate::request::{AddressError, RequestParts};
use crate::s3::S3Api;
use crate::{AppState, Body, admin, bos, full, health, oss, pipeline};
use bytes::Bytes;
use hyper::body::Body as HttpBody;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use std::time::Duration;

/// `body_timeout`: how long a read of the request body may wait for data (see
/// [`crate::body::Incoming`]). The body is hyper's, or any other (see [`crate::handle`]).
pub(crate) async fn route<B>(
    state: &AppState,
    req: Request<B>,
    body_timeout: Option<Duration>,
) -> Response<Body>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if req.uri().path() == health::PATH {
        return health::handle(state, &req);
    }
    let (head, body) = req.into_parts();
    let expects_continue = head
        .headers
        .get(hyper::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let body = crate::body::Incoming::new(body, body_timeout, expects_continue);
    if admin::is_admin_path(head.uri.path()) {
        return admin::handle(state, head, body).await;
    }
    let parts = match RequestParts::new(
        head.method.clone(),
        &head.uri,
        head.headers.clone(),
        &state.domains,
    ) {
        Ok(p) => p,
        Err(e) => return bad_address(state, head, e),
    };
    let peer = head.extensions.get::<Peer>().map(|p| p.0);
    if crate::post::is_form_upload(&parts) {
        return post(state, parts, body, peer).await;
    }
    match dialect(&parts) {
        Dialect::Oss => pipeline::handle::<OssApi>(state, parts, body, peer).await,
        Dialect::Bos => pipeline::handle::<BosApi>(state, parts, body, peer).await,
        Dialect::S3 => pipeline::handle::<S3Api>(state, parts, body, peer).await,
    }
}

/// A browser upload: its form read up to the file, then answered in the dialect its fields
/// name (an anonymous form: the request's own hints, as any unsigned request).
async fn post(
    state: &AppState,
    parts: RequestParts,
    body: crate::body::Incoming,
    peer: Option<std::net::IpAddr>,
) -> Response<Body> {
    use crate::post::FormDialect;
    let fallback = match dialect(&parts) {
        Dialect::Oss => FormDialect::Oss,
        Dialect::Bos => FormDialect::Bos,
        Dialect::S3 => FormDialect::S3,
    };
    let form = crate::post::read_form(&parts.headers, body).await;
    let chosen = match &form {
        Ok((f, _)) => crate::post::dialect_of(f, fallback),
        Err(_) => fallback,
    };
    match chosen {
        FormDialect::Oss => pipeline::handle_post::<OssApi>(state, parts, form, peer).await,
        FormDialect::Bos => pipeline::handle_post::<BosApi>(state, parts, form, peer).await,
        FormDialect::S3 => pipeline::handle_post::<S3Api>(state, parts, form, peer).await,
    }
}

/// The dialects the front door tells apart.
#[derive(Debug, PartialEq, Eq)]
enum Dialect {
    Oss,
    Bos,
    S3,
}

/// The client's address, which the server puts in each request's extensions.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub std::net::IpAddr);

/// Tells the dialect from the signature scheme: `OSS `/`OSS4-HMAC-SHA256` Authorization
/// headers or OSS presigned queries; `bce-auth-v1/` headers or `authorization` queries;
/// everything else signed is S3 (SigV4, and Signature V2). An unsigned (anonymous)
/// request is BOS's when its path starts with BOS's `/v1/` (no S3 or OSS bucket has a
/// two-letter name) or it carries an `x-bce-` header, OSS's when it carries an `x-oss-`
/// header or an OSS SDK's `User-Agent` ([`oss::sdk_user_agent`]), and S3's otherwise: another
/// anonymous OSS request is answered in S3's XML, whose error document has the same `Code`
/// and `Message`. A CORS preflight's headers count as its own when it names them in
/// `Access-Control-Request-Headers`.
fn dialect(parts: &RequestParts) -> Dialect {
    if oss::auth::scheme(parts).is_some() {
        Dialect::Oss
    } else if bos::auth::is_bce(parts) {
        Dialect::Bos
    } else if unsigned(parts) {
        let has = |prefix: &str| {
            parts.headers.keys().any(|k| k.as_str().starts_with(prefix))
                || preflight_names(parts, prefix)
        };
        if parts.raw_path.starts_with("/v1/") || parts.raw_path == "/v1" || has("x-bce-") {
            Dialect::Bos
        } else if has("x-oss-") || oss::sdk_user_agent(parts) {
            Dialect::Oss
        } else {
            Dialect::S3
        }
    } else {
        Dialect::S3
    }
}

/// Whether a preflight's `Access-Control-Request-Headers` names a header starting with
/// `prefix`: the headers its actual request will send tell the dialect as well.
fn preflight_names(parts: &RequestParts, prefix: &str) -> bool {
    parts
        .header("access-control-request-headers")
        .is_some_and(|v| {
            v.split(',')
                .any(|h| h.trim().to_ascii_lowercase().starts_with(prefix))
        })
}

/// Whether a request carries no signature at all: no `Authorization` header and none of the
/// query parameters of any dialect's presigned URLs.
pub(crate) fn unsigned(req: &RequestParts) -> bool {
    !req.headers.contains_key(http::header::AUTHORIZATION)
        && ![
            "X-Amz-Signature",
            "X-Amz-Credential",
            "Signature",
            "AWSAccessKeyId",
            "OSSAccessKeyId",
            "x-oss-signature",
            "x-oss-credential",
            "authorization",
        ]
        .iter()
        .any(|p| {
            req.query
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(p))
        })
}

/// A path that does not decode (not UTF-8): the error of the dialect the request is signed
/// in, before authentication (what it would sign cannot be worked out). The dialect is told
/// from the headers and query alone, as for any request.
fn bad_address(state: &AppState, head: http::request::Parts, e: AddressError) -> Response<Body> {
    let root = match head.uri.query() {
        Some(q) => format!("/?{q}"),
        None => "/".to_owned(),
    };
    let parts = root
        .parse::<http::Uri>()
        .ok()
        .and_then(|uri| RequestParts::new(head.method, &uri, head.headers, &state.domains).ok());
    let Some(mut parts) = parts else {
        let mut resp = Response::new(full(format!(
            "400 Bad Request: the request's path is not valid ({e:?}).\n"
        )));
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        resp.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return resp;
    };
    parts.raw_path = head.uri.path().to_owned();
    match dialect(&parts) {
        Dialect::Oss => pipeline::bad_address::<OssApi>(&parts, e),
        Dialect::Bos => pipeline::bad_address::<BosApi>(&parts, e),
        Dialect::S3 => pipeline::bad_address::<S3Api>(&parts, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::{HeaderMap, Method};

    fn parts(uri: &str, headers: &[(&'static str, &str)]) -> RequestParts {
        let mut h = HeaderMap::new();
        for (n, v) in headers {
            h.insert(*n, v.parse().unwrap());
        }
        RequestParts::new(Method::GET, &uri.parse().unwrap(), h, &[]).unwrap()
    }

    #[test]
    fn the_signature_scheme_picks_the_dialect() {
        let oss = [
            parts("/b/k", &[("authorization", "OSS ak:sig")]),
            parts(
                "/b/k",
                &[(
                    "authorization",
                    "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=00",
                )],
            ),
            parts("/b/k?OSSAccessKeyId=ak&Expires=1&Signature=x", &[]),
            parts(
                "/b/k?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=00",
                &[],
            ),
        ];
        for p in &oss {
            assert_eq!(dialect(p), Dialect::Oss, "{p:?}");
        }
        let bos = [
            parts(
                "/b/k",
                &[(
                    "authorization",
                    "bce-auth-v1/ak/2023-01-01T00:00:00Z/1800//00",
                )],
            ),
            parts(
                "/v1/b/k?authorization=bce-auth-v1%2Fak%2F2023-01-01T00%3A00%3A00Z%2F600%2Fhost%2F00",
                &[],
            ),
        ];
        for p in &bos {
            assert_eq!(dialect(p), Dialect::Bos, "{p:?}");
        }
        for p in [
            parts(
                "/b/k",
                &[("authorization", "AWS4-HMAC-SHA256 Credential=x")],
            ),
            parts(
                "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00",
                &[],
            ),
            parts("/b/k", &[("authorization", "AWS ak:c2ln")]),
            parts("/b/k?AWSAccessKeyId=ak&Expires=1&Signature=c2ln", &[]),
            parts("/b/k", &[]),
            parts("/b/k", &[("user-agent", "Boto3/1.40 md/Botocore#1.40")]),
        ] {
            assert_eq!(dialect(&p), Dialect::S3, "{p:?}");
        }
        // Unsigned requests of OSS's SDKs: by their headers, or by their User-Agent.
        for p in [
            parts("/b/k", &[("x-oss-range-behavior", "standard")]),
            parts("/b/k", &[("user-agent", "aliyun-sdk-python/2.19.1(Linux)")]),
            parts(
                "/b/?encoding-type=url",
                &[("user-agent", "alibabacloud-python-sdk-v2/1.4.1 (Linux)")],
            ),
        ] {
            assert_eq!(dialect(&p), Dialect::Oss, "{p:?}");
        }
        // A preflight by the headers its actual request will send.
        let asks = |h| parts("/b/k", &[("access-control-request-headers", h)]);
        assert_eq!(dialect(&asks("content-type, X-Oss-Meta-A")), Dialect::Oss);
        assert_eq!(dialect(&asks("x-bce-date")), Dialect::Bos);
        assert_eq!(dialect(&asks("content-type, x-amz-date")), Dialect::S3);
    }
}
