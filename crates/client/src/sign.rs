//! Signing, one scheme per dialect: the date and payload headers, then the `Authorization`
//! value from `strata_wire::sign`, which canonicalizes with the functions the server verifies
//! with, applied to the same `RequestParts` the server will build, so both sides canonicalize
//! one way.

use crate::{Dialect, Error, SIGNED_PAYLOAD_MAX};
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use sha2::{Digest as _, Sha256};
use std::time::SystemTime;
use strata_wire::request::RequestParts;
use strata_wire::sign as wire;
use strata_wire::{Credentials, date, s3};

/// How long a BOS signature is valid, in seconds (the SDKs' default).
const BOS_EXPIRATION: &str = "1800";

/// Adds the date, payload and `Authorization` headers for `dialect` to `headers`.
/// `path_and_query` is the request target exactly as it will be sent.
#[allow(clippy::too_many_arguments)]
pub fn sign(
    dialect: Dialect,
    credentials: &Credentials,
    region: &str,
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<(), Error> {
    let now = jiff::Timestamp::try_from(now)
        .map_err(|e| Error::Request(format!("the clock is out of range: {e}")))?;
    match dialect {
        Dialect::S3 => sign_s3(
            credentials,
            region,
            method,
            path_and_query,
            headers,
            body,
            now,
        ),
        Dialect::Oss => sign_oss(credentials, region, method, path_and_query, headers, now),
        Dialect::Bos => sign_bos(credentials, method, path_and_query, headers, now),
    }
}

fn parts(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<RequestParts, Error> {
    let uri: http::Uri = path_and_query
        .parse()
        .map_err(|e| Error::Request(format!("{path_and_query}: {e}")))?;
    RequestParts::new(method.clone(), &uri, headers.clone(), &[])
        .map_err(|e| Error::Request(format!("{path_and_query}: {e:?}")))
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) -> Result<(), Error> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| Error::Request(format!("the {name} header is not a valid value")))?;
    headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

fn sign_s3(
    credentials: &Credentials,
    region: &str,
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    now: jiff::Timestamp,
) -> Result<(), Error> {
    let amz_date = date::basic_iso8601(now);
    let payload = if body.len() <= SIGNED_PAYLOAD_MAX {
        hex::encode(Sha256::digest(body))
    } else {
        s3::auth::UNSIGNED_PAYLOAD.to_owned()
    };
    insert(headers, "x-amz-date", &amz_date)?;
    insert(headers, "x-amz-content-sha256", &payload)?;
    // Every header the client sets is signed.
    let parts = parts(method, path_and_query, headers)?;
    let authorization = wire::s3_authorization(&parts, credentials, region, &amz_date, &payload);
    insert_authorization(headers, &authorization)
}

fn sign_oss(
    credentials: &Credentials,
    region: &str,
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    now: jiff::Timestamp,
) -> Result<(), Error> {
    const UNSIGNED: &str = "UNSIGNED-PAYLOAD";
    let oss_date = date::basic_iso8601(now);
    insert(headers, "x-oss-date", &oss_date)?;
    insert(headers, "x-oss-content-sha256", UNSIGNED)?;
    let parts = parts(method, path_and_query, headers)?;
    let authorization = wire::oss_authorization(&parts, credentials, region, &oss_date, UNSIGNED)
        .map_err(|e| Error::Request(e.to_string()))?;
    insert_authorization(headers, &authorization)
}

fn sign_bos(
    credentials: &Credentials,
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    now: jiff::Timestamp,
) -> Result<(), Error> {
    let timestamp = date::iso8601_seconds(now);
    insert(headers, "x-bce-date", &timestamp)?;
    let parts = parts(method, path_and_query, headers)?;
    let authorization = wire::bos_authorization(&parts, credentials, &timestamp, BOS_EXPIRATION);
    insert_authorization(headers, &authorization)
}

fn insert_authorization(headers: &mut HeaderMap, value: &str) -> Result<(), Error> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::Request("the access key cannot be sent in a header".to_owned()))?;
    value.set_sensitive(true);
    headers.insert(AUTHORIZATION, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    //! A request the client signs verifies with the server's own `authenticate`.

    use crate::{Client, Config, Credentials, Dialect, Req};
    use http::Method;
    use std::time::{Duration, SystemTime};
    use strata_wire::request::RequestParts;

    fn creds() -> Credentials {
        Credentials {
            access_key: "AKIDEXAMPLE0000000000".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    fn client(dialect: Dialect) -> Client {
        Client::new(Config {
            endpoint: "http://127.0.0.1:9000".into(),
            dialect,
            credentials: creds(),
            region: None,
        })
        .unwrap()
    }

    /// Requests that exercise the awkward parts: encoded keys, sub-resources with empty values,
    /// queries with `/`, `+` and spaces, bodies with Content-MD5, copy sources.
    fn requests() -> Vec<Req<'static>> {
        vec![
            Req::new(Method::GET, None, None),
            Req::new(Method::GET, Some("bkt"), None)
                .query("versions", "")
                .query("prefix", "dir/a b+c")
                .query("key-marker", "k~1")
                .query("max-keys", "1000"),
            Req::new(Method::PUT, Some("bkt"), Some("dir/a b+c%d~ü.txt")).body("hello"),
            Req::new(Method::PUT, Some("bkt"), Some("big")).body(vec![7u8; 100_000]),
            Req::new(Method::POST, Some("bkt"), None)
                .query("delete", "")
                .header("content-md5", "XrY7u+Ae7tCTyyK7j1rNww==")
                .header("content-type", "application/xml")
                .body("<Delete/>"),
            Req::new(Method::PUT, Some("bkt"), Some("to"))
                .header(
                    "x-amz-copy-source",
                    "/bkt/from%20x?versionId=0000000000000001abcd",
                )
                .header(
                    "x-oss-copy-source",
                    "/bkt/from%20x?versionId=0000000000000001abcd",
                )
                .header(
                    "x-bce-copy-source",
                    "/bkt/from%20x?versionId=0000000000000001abcd",
                ),
            Req::new(Method::DELETE, Some("bkt"), Some("k"))
                .query("versionId", "0000000000000001abcd"),
        ]
    }

    fn server_parts(request: &http::Request<http_body_util::Full<bytes::Bytes>>) -> RequestParts {
        let uri: http::Uri = request
            .uri()
            .path_and_query()
            .unwrap()
            .as_str()
            .parse()
            .unwrap();
        RequestParts::new(
            request.method().clone(),
            &uri,
            request.headers().clone(),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn s3_requests_verify_with_the_servers_sigv4() {
        let c = client(Dialect::S3);
        let now = SystemTime::now();
        for req in requests() {
            let request = c.build(req, now).unwrap();
            let parts = server_parts(&request);
            let result = strata_wire::s3::auth::authenticate(&parts, &creds(), now);
            assert!(result.is_ok(), "{:?}: {result:?}", request.uri());
        }
    }

    #[test]
    fn oss_requests_verify_with_the_servers_v4() {
        let c = client(Dialect::Oss);
        let now = SystemTime::now();
        for req in requests() {
            let request = c.build(req, now).unwrap();
            let parts = server_parts(&request);
            assert_eq!(
                strata_wire::oss::auth::scheme(&parts),
                Some(strata_wire::oss::auth::Scheme::V4Header)
            );
            let result = strata_wire::oss::auth::authenticate(&parts, &creds(), now);
            assert!(result.is_ok(), "{:?}: {result:?}", request.uri());
        }
    }

    #[test]
    fn bos_requests_verify_with_the_servers_bce_auth_v1() {
        let c = client(Dialect::Bos);
        let now = SystemTime::now();
        for req in requests() {
            let request = c.build(req, now).unwrap();
            let parts = server_parts(&request);
            assert!(strata_wire::bos::auth::is_bce(&parts));
            let result = strata_wire::bos::auth::authenticate(&parts, &creds(), now);
            assert!(result.is_ok(), "{:?}: {result:?}", request.uri());
        }
    }

    #[test]
    fn a_wrong_secret_or_a_tampered_request_does_not_verify() {
        let wrong = Credentials {
            access_key: creds().access_key,
            secret_key: "not-the-secret".into(),
        };
        let now = SystemTime::now();
        for dialect in Dialect::ALL {
            let c = client(dialect);
            let req = Req::new(Method::GET, Some("bkt"), Some("k"));
            let mut request = c.build(req, now).unwrap();
            let parts = server_parts(&request);
            let ok = match dialect {
                Dialect::S3 => strata_wire::s3::auth::authenticate(&parts, &wrong, now).is_ok(),
                Dialect::Oss => strata_wire::oss::auth::authenticate(&parts, &wrong, now).is_ok(),
                Dialect::Bos => strata_wire::bos::auth::authenticate(&parts, &wrong, now).is_ok(),
            };
            assert!(!ok, "{dialect}: a wrong secret verified");
            *request.uri_mut() = "http://127.0.0.1:9000/bkt/other".parse().unwrap();
            let parts = server_parts(&request);
            let ok = match dialect {
                Dialect::S3 => strata_wire::s3::auth::authenticate(&parts, &creds(), now).is_ok(),
                Dialect::Oss => strata_wire::oss::auth::authenticate(&parts, &creds(), now).is_ok(),
                Dialect::Bos => strata_wire::bos::auth::authenticate(&parts, &creds(), now).is_ok(),
            };
            assert!(!ok, "{dialect}: a tampered path verified");
        }
    }

    #[test]
    fn signatures_carry_the_time_they_were_made() {
        // Signed an hour ago: every dialect refuses it as too old or expired... S3 and OSS
        // by their clock-skew window, BOS by the 1800 s expiration.
        let c = client(Dialect::S3);
        let then = SystemTime::now() - Duration::from_secs(3600);
        let request = c
            .build(Req::new(Method::GET, Some("bkt"), None), then)
            .unwrap();
        let parts = server_parts(&request);
        assert!(strata_wire::s3::auth::authenticate(&parts, &creds(), SystemTime::now()).is_err());
        let c = client(Dialect::Bos);
        let request = c
            .build(Req::new(Method::GET, Some("bkt"), None), then)
            .unwrap();
        let parts = server_parts(&request);
        assert!(strata_wire::bos::auth::authenticate(&parts, &creds(), SystemTime::now()).is_err());
    }
}
