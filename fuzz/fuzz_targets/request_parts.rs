//! How a request's address is split: `RequestParts::new` (bucket and key from the path or a
//! virtual host, the query form-decoded), with and without base domains.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_wire::request::RequestParts;

fuzz_target!(|data: &[u8]| {
    let Some(h) = strata_fuzz::head(data) else {
        return;
    };
    let domains = [
        "s3.local".to_owned(),
        "oss-cn-hangzhou.example.com".to_owned(),
    ];
    for domains in [&[][..], &domains[..]] {
        if let Ok(p) = RequestParts::new(h.method.clone(), &h.uri, h.headers.clone(), domains) {
            assert!(p.key.as_deref() != Some(""), "an empty key is no key");
            assert!(
                p.bucket.as_deref() != Some(""),
                "an empty bucket is no bucket"
            );
            for (name, _) in &p.query {
                let _ = p.query(name);
            }
        }
    }
});
