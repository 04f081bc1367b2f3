//! Sends each request to the handler of its path; later, to the dialect it is written in.

use crate::{AppState, Body, full, health};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};

pub(crate) async fn route<B>(state: &AppState, req: Request<B>) -> Response<Body> {
    if req.uri().path() == health::PATH {
        return health::handle(state, &req);
    }
    // The dialect front doors (OSS, BOS, S3) will be chosen here from the request's
    // signature and headers.
    not_built()
}

fn not_built() -> Response<Body> {
    let mut resp = Response::new(full(
        "501 Not Implemented: Strata's OSS, BOS and S3 front doors are not built yet; \
         only GET /_strata/health answers.\n",
    ));
    *resp.status_mut() = StatusCode::NOT_IMPLEMENTED;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use http_body_util::BodyExt as _;
    use hyper::Method;

    async fn answer(state: &AppState, method: Method, uri: &str) -> (StatusCode, String, String) {
        let req = Request::builder().method(method).uri(uri).body(()).unwrap();
        let resp = route(state, req).await;
        let ct = resp
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            ct.unwrap_or_default(),
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn routes_health_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = strata_core::Store::open(dir.path(), Default::default())
            .await
            .unwrap();
        let state = AppState {
            store,
            credentials: Credentials {
                access_key: "A".into(),
                secret_key: "S".into(),
            },
        };

        let (status, ct, body) = answer(&state, Method::GET, "/_strata/health").await;
        assert_eq!(
            (status, ct.as_str(), body.as_str()),
            (StatusCode::OK, "application/json", health::BODY)
        );
        let (status, _, _) = answer(&state, Method::GET, "/_strata/health?verbose").await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = answer(&state, Method::DELETE, "/_strata/health").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

        for (method, uri) in [
            (Method::GET, "/"),
            (Method::PUT, "/bucket"),
            (Method::GET, "/_strata/other"),
        ] {
            let (status, ct, body) = answer(&state, method.clone(), uri).await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{method} {uri}");
            assert!(ct.starts_with("text/plain"), "{ct}");
            assert!(body.contains("not built yet"), "{body}");
        }
    }
}
