//! Request addresses: RFC 3986 percent-encoding of paths and queries.

use percent_encoding::utf8_percent_encode;
use strata_wire::encode::{PATH, UNRESERVED};

/// `/`, `/BUCKET` or `/BUCKET/KEY`, encoded with `/` kept.
pub fn path(bucket: Option<&str>, key: Option<&str>) -> String {
    let mut out = String::from("/");
    if let Some(bucket) = bucket {
        out.extend(utf8_percent_encode(bucket, PATH));
        if let Some(key) = key {
            out.push('/');
            out.extend(utf8_percent_encode(key, PATH));
        }
    }
    out
}

/// The path, then `?name=value&…` (names and values encoded, `/` too) when there is a query.
pub fn path_and_query(bucket: Option<&str>, key: Option<&str>, query: &[(&str, String)]) -> String {
    let mut out = path(bucket, key);
    for (i, (name, value)) in query.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.extend(utf8_percent_encode(name, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED));
    }
    out
}

/// `/BUCKET/KEY` for copy-source headers (encoded, `/` kept).
pub fn copy_source(bucket: &str, key: &str) -> String {
    path(Some(bucket), Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_slashes_and_unreserved_characters() {
        assert_eq!(path(None, None), "/");
        assert_eq!(path(Some("b"), None), "/b");
        assert_eq!(
            path(Some("b"), Some("dir/a b+c%d~ü.txt")),
            "/b/dir/a%20b%2Bc%25d~%C3%BC.txt"
        );
    }

    #[test]
    fn queries_encode_slashes_and_keep_empty_values() {
        let q = [("versions", String::new()), ("prefix", "a/b c".into())];
        assert_eq!(
            path_and_query(Some("b"), None, &q),
            "/b?versions=&prefix=a%2Fb%20c"
        );
    }
}
