//! The date formats the dialects and the client write and read, each declared once, all in UTC:
//! HTTP dates, ISO 8601 (extended, with or without milliseconds) and ISO 8601's basic
//! `yyyymmddThhmmssZ`. jiff formats and parses them; httpdate reads RFC 9110's three HTTP-date
//! forms, which jiff does not (its RFC 2822 parser takes no RFC 850 or asctime date).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::rfc2822::{DateTimeParser, DateTimePrinter};
use jiff::tz::TimeZone;

/// `Sat, 21 Nov 2026 14:30:05 GMT`: RFC 9110's IMF-fixdate (`Date`, `Last-Modified`), whole
/// seconds (a fraction is dropped). HTTP dates start at 1970; an earlier instant is written
/// as the epoch.
pub fn http_date(t: Timestamp) -> String {
    static PRINTER: DateTimePrinter = DateTimePrinter::new();
    // The printer refuses only negative years, which `max` rules out.
    PRINTER
        .timestamp_to_rfc9110_string(&t.max(Timestamp::UNIX_EPOCH))
        .unwrap_or_default()
}

/// An HTTP date in any of RFC 9110's three forms: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
/// GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`);
/// exactly spelt, the weekday agreeing with the date, 1970 to 9999.
pub fn parse_http_date(value: &str) -> Option<Timestamp> {
    let time = httpdate::parse_http_date(value).ok()?;
    Timestamp::try_from(time).ok()
}

/// An RFC 2822 date (`Sat, 21 Nov 2026 13:20:05 -0000`, `… GMT`, `… +0800`), the weekday not
/// checked against the date.
pub fn parse_rfc2822(value: &str) -> Option<Timestamp> {
    static PARSER: DateTimeParser = DateTimeParser::new().relaxed_weekday(true);
    PARSER.parse_timestamp(value).ok()
}

/// `2026-11-21T14:30:05.000Z`: ISO 8601 with the milliseconds always `000` (the time is cut to
/// the second), as the XML listings and results write it and OSS clients require.
pub fn iso8601(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// `2026-11-21T14:30:05.123Z`: ISO 8601 with the milliseconds.
pub fn iso8601_millis(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2026-11-21T14:30:05Z`: ISO 8601 to the second (BOS's `x-bce-date` and JSON times).
pub fn iso8601_seconds(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Exactly `YYYY-MM-DDTHH:MM:SSZ` (what [`iso8601_seconds`] writes), a real date and time.
pub fn parse_iso8601_seconds(value: &str) -> Option<Timestamp> {
    if !shaped(value, "9999-99-99T99:99:99Z") {
        return None;
    }
    utc(value, [0..4, 5..7, 8..10, 11..13, 14..16, 17..19])
}

/// `20261121T143005Z`: ISO 8601's basic format to the second (`x-amz-date`, `x-oss-date`).
pub fn basic_iso8601(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Exactly `yyyymmddThhmmssZ` (what [`basic_iso8601`] writes), a real date and time.
pub fn parse_basic_iso8601(value: &str) -> Option<Timestamp> {
    if !shaped(value, "99999999T999999Z") {
        return None;
    }
    utc(value, [0..4, 4..6, 6..8, 9..11, 11..13, 13..15])
}

/// Exactly `yyyymmdd` (a signature scope's date), a real date.
pub fn parse_basic_date(value: &str) -> Option<Date> {
    if !shaped(value, "99999999") {
        return None;
    }
    let [year, month, day] = [0..4, 4..6, 6..8].map(|r| number(value, r));
    Date::new(year?, i8::try_from(month?).ok()?, i8::try_from(day?).ok()?).ok()
}

/// Whether `value` is spelt like `shape`, where `9` stands for any ASCII digit and every other
/// character for itself.
fn shaped(value: &str, shape: &str) -> bool {
    value.len() == shape.len()
        && value.bytes().zip(shape.bytes()).all(|(v, s)| match s {
            b'9' => v.is_ascii_digit(),
            _ => v == s,
        })
}

/// The number spelt by the ASCII digits at `range` of a [`shaped`] value.
fn number(value: &str, range: std::ops::Range<usize>) -> Option<i16> {
    value.get(range)?.parse().ok()
}

/// The UTC instant of the year, month, day, hour, minute and second at these ranges of a
/// [`shaped`] value; `None` unless it is a real date and time (no leap second).
fn utc(value: &str, ranges: [std::ops::Range<usize>; 6]) -> Option<Timestamp> {
    let [year, month, day, hour, minute, second] = ranges.map(|r| number(value, r));
    let small = |n: Option<i16>| n.and_then(|n| i8::try_from(n).ok());
    let date = Date::new(year?, small(month)?, small(day)?).ok()?;
    let time = Time::new(small(hour)?, small(minute)?, small(second)?, 0).ok()?;
    TimeZone::UTC
        .to_timestamp(DateTime::from_parts(date, time))
        .ok()
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
