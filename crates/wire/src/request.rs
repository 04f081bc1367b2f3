//! What every dialect needs to know about a request before it reads the body: method, bucket
//! and key (split from the raw path before percent-decoding, from the host for virtual-hosted
//! requests), the query (form-decoded, in wire order, valueless parameters as ""), and headers.

use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

#[derive(Clone, Debug)]
pub struct RequestParts {
    pub method: Method,
    /// The bucket, from the host (virtual-hosted) or the first path segment.
    pub bucket: Option<String>,
    /// The object key, percent-decoded; `None` for service- and bucket-level requests.
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub virtual_hosted: bool,
    /// The path as sent (still percent-encoded).
    pub raw_path: String,
}

/// Why a request's address cannot be understood.
#[derive(Debug, PartialEq, Eq)]
pub enum AddressError {
    /// The key's percent-decoding is not UTF-8.
    KeyNotUtf8,
    BucketNotUtf8,
}

impl RequestParts {
    /// Splits a request's address. `domains` are the base domains under which
    /// `BUCKET.DOMAIN` hosts are virtual-hosted requests.
    pub fn new(
        method: Method,
        uri: &http::Uri,
        headers: HeaderMap,
        domains: &[String],
    ) -> Result<RequestParts, AddressError> {
        let raw_path = uri.path().to_owned();
        let query = uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let host = headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| uri.host())
            .map(strip_port)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let vhost_bucket = domains.iter().find_map(|d| {
            host.strip_suffix(d.as_str())
                .and_then(|b| b.strip_suffix('.'))
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
        });
        let rest = raw_path.strip_prefix('/').unwrap_or(&raw_path);
        let (bucket, raw_key, virtual_hosted) = match vhost_bucket {
            Some(b) => (Some(b), rest, true),
            None => {
                let (b, k) = rest.split_once('/').unwrap_or((rest, ""));
                let b = decode(b).map_err(|_| AddressError::BucketNotUtf8)?;
                ((!b.is_empty()).then_some(b), k, false)
            }
        };
        let key = if raw_key.is_empty() {
            None
        } else {
            Some(decode(raw_key).map_err(|_| AddressError::KeyNotUtf8)?)
        };
        Ok(RequestParts {
            method,
            bucket,
            key,
            query,
            headers,
            virtual_hosted,
            raw_path,
        })
    }

    /// The value of a query parameter ("" when it has none).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// A query parameter that is present and not empty.
    pub fn query_nonempty(&self, name: &str) -> Option<&str> {
        self.query(name).filter(|v| !v.is_empty())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // [v6]:port
        return host
            .split_once(']')
            .map(|(h, _)| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
}

/// Percent-decodes a path segment (no `+` → space in paths).
pub fn decode(s: &str) -> Result<String, std::str::Utf8Error> {
    percent_decode_str(s).decode_utf8().map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, host: &str, domains: &[&str]) -> RequestParts {
        let mut h = HeaderMap::new();
        h.insert(http::header::HOST, host.parse().unwrap());
        let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
        RequestParts::new(Method::GET, &uri.parse().unwrap(), h, &domains).unwrap()
    }

    #[test]
    fn path_style_splits_the_raw_path_before_decoding() {
        let p = parts(
            "/bkt/dir%2Fa%20b%2Bc%25d~%C3%BC.txt?versioning",
            "127.0.0.1:9000",
            &[],
        );
        assert_eq!(p.bucket.as_deref(), Some("bkt"));
        assert_eq!(p.key.as_deref(), Some("dir/a b+c%d~ü.txt"));
        assert!(p.has_query("versioning"));
        assert_eq!(p.query("versioning"), Some(""));
        let p = parts("/bkt/dir/a%20b", "localhost", &[]);
        assert_eq!(p.key.as_deref(), Some("dir/a b"));
        let p = parts("/bkt/", "localhost", &[]);
        assert_eq!((p.bucket.as_deref(), p.key.as_deref()), (Some("bkt"), None));
        let p = parts("/bkt", "localhost", &[]);
        assert_eq!((p.bucket.as_deref(), p.key.as_deref()), (Some("bkt"), None));
        let p = parts("/", "localhost", &[]);
        assert_eq!((p.bucket, p.key), (None, None));
    }

    #[test]
    fn virtual_hosted_takes_the_bucket_from_the_host() {
        let p = parts("/a//b?prefix=x+y", "bkt.s3.local:9000", &["s3.local"]);
        assert!(p.virtual_hosted);
        assert_eq!(p.bucket.as_deref(), Some("bkt"));
        assert_eq!(p.key.as_deref(), Some("a//b"));
        assert_eq!(p.query("prefix"), Some("x y"));
        let p = parts("/bkt/k", "s3.local:9000", &["s3.local"]);
        assert!(!p.virtual_hosted);
        assert_eq!(p.bucket.as_deref(), Some("bkt"));
    }

    #[test]
    fn invalid_utf8_in_a_key_is_refused() {
        let mut h = HeaderMap::new();
        h.insert(http::header::HOST, "localhost".parse().unwrap());
        let e = RequestParts::new(Method::GET, &"/b/%FF".parse().unwrap(), h, &[]).unwrap_err();
        assert_eq!(e, AddressError::KeyNotUtf8);
    }
}
