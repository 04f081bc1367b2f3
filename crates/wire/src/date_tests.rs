use super::*;
use std::time::{Duration, UNIX_EPOCH};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

fn ms(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap()
}

#[test]
fn http_dates_are_imf_fixdates_to_the_second_from_the_epoch_on() {
    assert_eq!(
        http_date(ms(1_700_000_000_999)),
        "Tue, 14 Nov 2023 22:13:20 GMT"
    );
    assert_eq!(http_date(at(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(http_date(at(-1)), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(http_date(at(784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(
        http_date(Timestamp::MAX),
        "Thu, 30 Dec 9999 22:00:00 GMT",
        "the last instant jiff has"
    );
}

#[test]
fn http_dates_are_written_as_httpdate_writes_them_and_read_back() {
    // Every 1,000,003rd second from 1970 to jiff's last, in 9999: all weekdays, months and
    // leap years.
    let last = Timestamp::MAX.as_second();
    for seconds in (0..=last).step_by(1_000_003).chain([last]) {
        let written = http_date(at(seconds));
        let system = UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap());
        assert_eq!(written, httpdate::fmt_http_date(system), "{seconds}");
        assert_eq!(parse_http_date(&written), Some(at(seconds)), "{written}");
    }
}

#[test]
fn http_dates_are_read_in_rfc_9110s_three_forms_exactly() {
    let expected = Some(at(784_111_777));
    for form in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        " Sun, 06 Nov 1994 08:49:37 GMT ",
    ] {
        assert_eq!(parse_http_date(form), expected, "{form}");
    }
    for bad in [
        "",
        "Mon, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 -0000",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Wed, 31 Dec 1969 23:59:59 GMT",
        "Thu, 30 Feb 2023 00:00:00 GMT",
        "1994-11-06T08:49:37Z",
        "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

#[test]
fn rfc_2822_dates_take_any_zone_and_any_weekday() {
    let expected = Some(at(784_111_777));
    for form in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 -0000",
        "Mon, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 16:49:37 +0800",
        "06 Nov 1994 08:49:37 GMT",
    ] {
        assert_eq!(parse_rfc2822(form), expected, "{form}");
    }
    assert_eq!(parse_rfc2822("Sunday, 06-Nov-94 08:49:37 GMT"), None);
    assert_eq!(parse_rfc2822("19941106T084937Z"), None);
}

#[test]
fn iso_8601_is_written_with_zero_real_or_no_milliseconds() {
    let t = ms(1_700_000_000_123);
    assert_eq!(iso8601(t), "2023-11-14T22:13:20.000Z");
    assert_eq!(iso8601_millis(t), "2023-11-14T22:13:20.123Z");
    assert_eq!(iso8601_seconds(t), "2023-11-14T22:13:20Z");
    assert_eq!(iso8601_millis(at(0)), "1970-01-01T00:00:00.000Z");
    // Before the epoch the second is the one the instant falls in.
    assert_eq!(iso8601(ms(-1)), "1969-12-31T23:59:59.000Z");
    assert_eq!(iso8601_millis(ms(-1)), "1969-12-31T23:59:59.999Z");
}

#[test]
fn basic_iso_8601_is_written_and_read_exactly() {
    let t = at(1_700_000_000);
    assert_eq!(basic_iso8601(t), "20231114T221320Z");
    assert_eq!(basic_iso8601(ms(1_700_000_000_999)), "20231114T221320Z");
    assert_eq!(basic_iso8601(at(0)), "19700101T000000Z");
    assert_eq!(parse_basic_iso8601("20231114T221320Z"), Some(t));
    assert_eq!(
        parse_basic_iso8601("20240229T235959Z"),
        Some(at(1_709_251_199))
    );
    for bad in [
        "",
        "20231114T221320",
        "20231114T221320z",
        "20231114t221320Z",
        "2023111T4221320Z",
        "+0231114T221320Z",
        "2023-11-14T22:13:20Z",
        "20230229T000000Z",
        "20231314T000000Z",
        "20231114T240000Z",
        "20231114T226000Z",
        "20231114T221360Z",
        "20231114T22132\u{e9}",
        "20231114T221320Z ",
    ] {
        assert_eq!(parse_basic_iso8601(bad), None, "{bad}");
    }
}

#[test]
fn iso_8601_to_the_second_is_read_exactly() {
    assert_eq!(
        parse_iso8601_seconds("2023-11-14T22:13:20Z"),
        Some(at(1_700_000_000))
    );
    for bad in [
        "2023-11-14T22:13:20.000Z",
        "2023-11-14T22:13:20+00:00",
        "2023-11-14 22:13:20Z",
        "2023-11-14T22:13:60Z",
        "2023-02-29T00:00:00Z",
        "+023-11-14T22:13:20Z",
        "2023-1-14T22:13:20Z ",
        "20231114T221320Z",
    ] {
        assert_eq!(parse_iso8601_seconds(bad), None, "{bad}");
    }
}

#[test]
fn scope_dates_must_be_real_dates() {
    assert_eq!(
        parse_basic_date("20240229"),
        Some(jiff::civil::date(2024, 2, 29))
    );
    for bad in [
        "20230229",
        "2023011",
        "202301011",
        "2023-1-1",
        "+2023011",
        "",
    ] {
        assert_eq!(parse_basic_date(bad), None, "{bad}");
    }
}
