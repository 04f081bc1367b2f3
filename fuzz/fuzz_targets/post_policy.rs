//! Browser uploads' POST policies: `strata_wire::post::Policy::parse` on client text (base64
//! of the input, and the input itself as the field's text).
//!
//! Besides not panicking: a policy that reads is checked against a few fields, with and
//! without globs and the every-field rule, and its length range is a range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_wire::post::{Policy, Rules};

fuzz_target!(|data: &[u8]| {
    let encoded = strata_api::httpfmt::base64(data);
    let raw = String::from_utf8_lossy(data).into_owned();
    for text in [encoded.as_str(), raw.as_str()] {
        let Ok(policy) = Policy::parse(text) else {
            continue;
        };
        let _ = policy.check_time(0);
        let fields = [
            ("bucket", "b"),
            ("key", "photos/a*b.jpg"),
            ("Content-Type", "a, b"),
        ];
        let exempt = |name: &str| name == "policy";
        for (every_field, globs) in [(false, false), (true, true)] {
            let rules = Rules {
                every_field,
                exempt: &exempt,
                globs,
            };
            let _ = policy.check_fields(fields.iter().copied(), &rules);
        }
        if let Some((min, max)) = policy.length_range() {
            let _ = (min, max);
        }
    }
});
