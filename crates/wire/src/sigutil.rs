//! Pieces every signature scheme uses: HMAC-SHA256, hex, Unix time, fixed-width digits.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Seconds since the Unix epoch, negative before it, saturating.
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// 64 hex digits (either case) → the digest; `None` for anything else.
pub fn parse_sha256_hex(value: &str) -> Option<[u8; 32]> {
    let bytes = value.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (out, pair) in digest.iter_mut().zip(bytes.chunks_exact(2)) {
        *out = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(digest)
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The number spelt by exactly `len` ASCII digits (at most 18).
pub fn ascii_digits(s: &str, len: usize) -> Option<u64> {
    if s.len() != len || len > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A `yyyymmdd` that is a real date.
pub fn parse_scope_date(date: &str) -> Option<jiff::civil::Date> {
    let digits = ascii_digits(date, 8)?;
    let year = i16::try_from(digits / 10_000).ok()?;
    let month = i8::try_from(digits / 100 % 100).ok()?;
    let day = i8::try_from(digits % 100).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_through_the_sha256_parser() {
        let d = [0xabu8; 32];
        assert_eq!(parse_sha256_hex(&hex(&d)), Some(d));
        assert_eq!(parse_sha256_hex(&hex(&d).to_uppercase()), Some(d));
        assert_eq!(parse_sha256_hex("UNSIGNED-PAYLOAD"), None);
    }

    #[test]
    fn scope_dates_must_be_real_dates() {
        assert!(parse_scope_date("20240229").is_some());
        assert!(parse_scope_date("20230229").is_none());
        assert!(parse_scope_date("2023011").is_none());
    }
}
