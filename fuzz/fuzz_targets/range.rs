//! `Range` headers: `strata_api::httpfmt::parse_range`, and the range resolved against object
//! sizes (the positions must lie inside the object).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let size = u64::from_le_bytes(data[..8].try_into().unwrap());
    let Ok(header) = std::str::from_utf8(&data[8..]) else {
        return;
    };
    if let Some(range) = strata_api::httpfmt::parse_range(header) {
        for size in [0, 1, size % 4096, size] {
            if let Some((first, last)) = range.resolve(size) {
                assert!(
                    first <= last && last < size,
                    "{range:?} in {size}: {first}-{last}"
                );
            }
        }
    }
});
