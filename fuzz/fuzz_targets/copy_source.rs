//! Copy-source headers of the three dialects (`x-amz-copy-source`, `x-oss-copy-source`,
//! `x-bce-copy-source`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let results = [
        strata_api::s3::parse_copy_source(raw).ok(),
        strata_api::oss::parse_copy_source(raw).ok(),
        strata_api::bos::parse_copy_source(raw).ok(),
    ];
    for (bucket, key, _) in results.into_iter().flatten() {
        assert!(!bucket.is_empty() && !key.is_empty());
    }
});
