//! Signing, one scheme per dialect: the date and payload headers, then the `Authorization`
//! value from `strata_wire::sign` (as the client crate signs), which canonicalises with the
//! server's own functions. The one place that names where those functions live.

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use sha2::{Digest as _, Sha256};
use strata_api::request::RequestParts;
use strata_api::{Credentials, s3};
use strata_wire::date;
use strata_wire::sign as wire;

use crate::dialect::Dialect;

/// Adds the date, payload and `Authorization` headers of `dialect` to `headers`, for a
/// request to `path_and_query` (the target exactly as sent) with `body`.
pub fn sign(
    dialect: Dialect,
    credentials: &Credentials,
    region: &str,
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    body: &[u8],
) {
    let now = jiff::Timestamp::now();
    let stamp = date::basic_iso8601(now);
    let authorization = match dialect {
        Dialect::S3 => {
            // As the client does: bodies over 64 KiB are sent unsigned.
            let payload = if body.len() <= 64 * 1024 {
                hex::encode(Sha256::digest(body))
            } else {
                s3::auth::UNSIGNED_PAYLOAD.to_owned()
            };
            insert(headers, "x-amz-date", &stamp);
            insert(headers, "x-amz-content-sha256", &payload);
            let parts = parts(method, path_and_query, headers);
            wire::s3_authorization(&parts, credentials, region, &stamp, &payload)
        }
        Dialect::Oss => {
            const UNSIGNED: &str = "UNSIGNED-PAYLOAD";
            insert(headers, "x-oss-date", &stamp);
            insert(headers, "x-oss-content-sha256", UNSIGNED);
            let parts = parts(method, path_and_query, headers);
            wire::oss_authorization(&parts, credentials, region, &stamp, UNSIGNED)
                .expect("an OSS canonical request")
        }
        Dialect::Bos => {
            let timestamp = date::iso8601_seconds(now);
            insert(headers, "x-bce-date", &timestamp);
            let parts = parts(method, path_and_query, headers);
            wire::bos_authorization(&parts, credentials, &timestamp, "1800")
        }
    };
    insert(headers, "authorization", &authorization);
}

fn parts(method: &Method, path_and_query: &str, headers: &HeaderMap) -> RequestParts {
    let uri: http::Uri = path_and_query.parse().expect("a request target");
    RequestParts::new(method.clone(), &uri, headers.clone(), &[]).expect("an address")
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    headers.insert(
        HeaderName::from_static(name),
        HeaderValue::from_str(value).expect("a header value"),
    );
}
