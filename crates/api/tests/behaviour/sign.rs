//! Signing, one scheme per dialect, with the server's own canonicalisation (as the client
//! crate signs). The one place that names where those functions live.

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use sha2::{Digest as _, Sha256};
use strata_api::request::RequestParts;
use strata_api::{Credentials, bos, oss, s3};
use strata_wire::date;

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
    let date = &stamp[..8];
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
            let mut names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
            names.sort_unstable();
            let signed = names.join(";");
            let parts = parts(method, path_and_query, headers);
            let canonical = s3::auth::canonical_request(&parts, &signed, &payload, false);
            let scope = format!("{date}/{region}/s3/aws4_request");
            let to_sign = s3::auth::string_to_sign(&stamp, &scope, &canonical);
            let key = s3::auth::signing_key(&credentials.secret_key, date, region, "s3");
            let signature = s3::auth::sign(&key, &to_sign);
            format!(
                "{} Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
                s3::auth::ALGORITHM,
                credentials.access_key
            )
        }
        Dialect::Oss => {
            const UNSIGNED: &str = "UNSIGNED-PAYLOAD";
            insert(headers, "x-oss-date", &stamp);
            insert(headers, "x-oss-content-sha256", UNSIGNED);
            let parts = parts(method, path_and_query, headers);
            let canonical = oss::auth::canonical_request_v4(&parts, "", UNSIGNED, false)
                .expect("an OSS canonical request");
            let scope = format!("{date}/{region}/oss/aliyun_v4_request");
            let to_sign = oss::auth::string_to_sign_v4(&stamp, &scope, &canonical);
            let key = oss::auth::signing_key_v4(&credentials.secret_key, date, region, "oss");
            let signature = oss::auth::sign_v4(&key, &to_sign);
            format!(
                "OSS4-HMAC-SHA256 Credential={}/{scope},Signature={signature}",
                credentials.access_key
            )
        }
        Dialect::Bos => {
            let timestamp = date::iso8601_seconds(now);
            insert(headers, "x-bce-date", &timestamp);
            let parts = parts(method, path_and_query, headers);
            let prefix = bos::auth::auth_string_prefix(&credentials.access_key, &timestamp, "1800");
            let canonical = bos::auth::canonical_request(&parts, "");
            let key = bos::auth::signing_key(&credentials.secret_key, &prefix);
            let signature = bos::auth::sign(&key, &canonical);
            format!("{prefix}//{signature}")
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
