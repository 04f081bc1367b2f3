//! Formats and header grammars all dialects share: timestamps, byte ranges, base64 digests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use strata_core::ByteRange;

/// `2026-11-21T14:30:05.000Z` (milliseconds always `000`, as OSS clients require).
pub fn iso8601(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms.div_euclid(1000) * 1000)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// `Sat, 21 Nov 2026 14:30:05 GMT`
pub fn http_date(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

pub fn parse_http_date(s: &str) -> Option<i64> {
    let t = httpdate::parse_http_date(s).ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as i64)
}

/// One `bytes=` range: `a-b`, `a-` or `-n`. Anything else (several ranges, other units,
/// garbage) is `None`.
pub fn parse_range(header: &str) -> Option<ByteRange> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let num = |s: &str| s.trim().parse::<u64>().ok();
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (true, false) => Some(ByteRange::Suffix(num(b)?)),
        (false, true) => Some(ByteRange::From(num(a)?)),
        (false, false) => Some(ByteRange::Span {
            first: num(a)?,
            last: num(b)?,
        }),
        (true, true) => None,
    }
}

pub fn base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// A base64 MD5 header value (`Content-Md5`), if it decodes to 16 bytes.
pub fn parse_md5(value: &str) -> Option<[u8; 16]> {
    B64.decode(value.trim()).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_truncates_to_the_second() {
        assert_eq!(iso8601(1_700_000_000_123), "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn http_dates_round_trip() {
        let s = http_date(1_700_000_000_000);
        assert_eq!(s, "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(parse_http_date(&s), Some(1_700_000_000_000));
    }

    #[test]
    fn ranges_of_one_span_parse_and_others_do_not() {
        assert_eq!(
            parse_range("bytes=0-9"),
            Some(ByteRange::Span { first: 0, last: 9 })
        );
        assert_eq!(parse_range("bytes=5-"), Some(ByteRange::From(5)));
        assert_eq!(parse_range("bytes=-3"), Some(ByteRange::Suffix(3)));
        for bad in [
            "",
            "bytes=",
            "bytes=-",
            "bytes=1-2,4-5",
            "items=0-1",
            "bytes=a-b",
        ] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn md5_headers_decode_to_sixteen_bytes() {
        assert!(parse_md5("1B2M2Y8AsgTpgAmY7PhCfg==").is_some());
        assert!(parse_md5("nope").is_none());
    }
}
