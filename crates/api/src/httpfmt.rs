//! Formats and header grammars all dialects share: timestamps, byte ranges, base64 digests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jiff::Timestamp;
use strata_core::ByteRange;
use strata_wire::date;

/// `2026-11-21T14:30:05.000Z` of Unix milliseconds ([`date::iso8601`]: milliseconds always
/// `000`, as OSS clients require); a time outside years -9999 to 9999 is written as the epoch.
pub fn iso8601(ms: i64) -> String {
    date::iso8601(Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// `Sat, 21 Nov 2026 14:30:05 GMT` of Unix milliseconds ([`date::http_date`]); a time before
/// 1970 is written as the epoch, one past jiff's last instant (in 9999) as that instant.
pub fn http_date(ms: i64) -> String {
    let t = Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::UNIX_EPOCH
    } else {
        Timestamp::MAX
    });
    date::http_date(t)
}

/// An HTTP date in any of RFC 9110's forms ([`date::parse_http_date`]) → Unix milliseconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    date::parse_http_date(s).map(|t| t.as_millisecond())
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
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.000Z");
        assert_eq!(iso8601(i64::MAX), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(i64::MIN), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn http_dates_round_trip() {
        let s = http_date(1_700_000_000_000);
        assert_eq!(s, "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(parse_http_date(&s), Some(1_700_000_000_000));
        assert_eq!(http_date(1_700_000_000_999), s);
        assert_eq!(http_date(-1_000), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(i64::MIN), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(i64::MAX), "Thu, 30 Dec 9999 22:00:00 GMT");
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 -0000"), None);
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
