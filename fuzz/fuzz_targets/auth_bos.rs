//! The bos signature schemes, header-signed and presigned: `strata_wire::bos::auth::authenticate`
//! on a request head built from the input (see `strata_fuzz::head`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(parts) = strata_fuzz::parts(data) else {
        return;
    };
    let creds = strata_fuzz::credentials();
    let _ = strata_wire::bos::auth::authenticate(&parts, &creds, strata_fuzz::now());
});
