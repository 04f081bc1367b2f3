//! Bucket policies and BOS ACL documents: `strata_core::access::Policy::{parse,
//! parse_bos_acl}` on client bytes. The first byte picks the reader.
//!
//! Besides not panicking: a policy that compiles is evaluated, for a few requests, without
//! panicking, and `is_public` answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_core::access::{Action, ConditionKeys, Policy, PolicyRequest};

/// Condition keys with a value each, so that conditions are evaluated, not skipped.
struct Keys;

impl ConditionKeys for Keys {
    fn values(&self, key: &str) -> Vec<String> {
        match key {
            "aws:sourceip" => vec!["10.1.2.3".into()],
            "aws:currenttime" => vec!["2026-01-01T00:00:00Z".into()],
            "aws:epochtime" => vec!["1767225600".into()],
            "aws:securetransport" => vec!["false".into()],
            _ => vec![key.to_owned()],
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(doc) else {
        return;
    };
    let parsed = if which % 2 == 0 {
        Policy::parse(text, "bkt")
    } else {
        Policy::parse_bos_acl(text, "bkt")
    };
    let Ok(policy) = parsed else {
        return;
    };
    let _ = policy.is_public();
    for (i, action) in Action::ALL.iter().enumerate().step_by(7) {
        for requester in [None, Some("alice")] {
            let _ = policy.evaluate(&PolicyRequest {
                requester,
                owner: i % 2 == 0,
                action: *action,
                bucket: "bkt",
                key: action.on_object().then_some("a/b*c"),
                keys: &Keys,
            });
        }
    }
});
