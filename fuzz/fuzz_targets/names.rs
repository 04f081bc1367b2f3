//! Bucket names, object keys and version IDs: `validate_bucket_name`, `validate_key` and
//! `VersionId::parse` (a parsed ID prints back as exactly the input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_core::VersionId;
use strata_core::store::{validate_bucket_name, validate_key};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if validate_bucket_name(s).is_ok() {
        assert!((3..=63).contains(&s.len()));
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        );
        assert!(!s.contains(".."));
    }
    if validate_key(s).is_ok() {
        assert!(!s.is_empty() && s.len() <= 1024);
    }
    if let Ok(v) = VersionId::parse(s) {
        assert_eq!(v.to_string(), s, "a version ID round-trips");
    }
});
