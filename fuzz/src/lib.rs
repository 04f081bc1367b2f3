//! Helpers shared by the fuzz targets: turning fuzzer bytes into a request head.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use strata_wire::Credentials;
use strata_wire::request::RequestParts;

/// The key pair the auth targets check signatures against (the seeds are signed with it).
pub fn credentials() -> Credentials {
    Credentials {
        access_key: "FUZZACCESSKEY0000000".into(),
        secret_key: "FuzzSecretKey0123456789abcdefghijklmnopq".into(),
    }
}

/// The clock of the auth targets: 2026-01-01T00:00:00Z, when the seeds were signed.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// A request head in text: `METHOD URI` on the first line, then `name: value` lines. Lines
/// that do not parse as HTTP (a bad method, URI, header name or value) are skipped, so
/// almost any input gives a request.
pub struct Head {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
}

pub fn head(data: &[u8]) -> Option<Head> {
    let mut lines = data.split(|&b| b == b'\n');
    let first = lines.next()?;
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    let mut words = first.splitn(2, |&b| b == b' ');
    let method = Method::from_bytes(words.next()?).ok()?;
    let uri = Uri::try_from(words.next().unwrap_or(b"/")).ok()?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(n, v);
        }
    }
    Some(Head {
        method,
        uri,
        headers,
    })
}

/// The request parts the server would build (path-style, no domains).
pub fn parts(data: &[u8]) -> Option<RequestParts> {
    let h = head(data)?;
    RequestParts::new(h.method, &h.uri, h.headers, &[]).ok()
}
