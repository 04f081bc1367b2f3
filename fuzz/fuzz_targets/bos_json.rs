//! BOS's JSON request bodies: DeleteMultipleObjects, CompleteMultipartUpload,
//! PutBucketVersioning, the object lock's days, PutBucketLifecycle and PutBucketCors. The first
//! byte picks the document.
//!
//! Besides not panicking: a document a reader accepts is JSON nested at most `MAX_DEPTH` deep;
//! and the same document with one more member nested past `MAX_DEPTH` (which serde_json alone
//! would skip, however deep) is always MalformedJSON. Lifecycle rules a document gives are
//! valid as the core checks them, and what GetBucketLifecycle writes of them reads back as
//! rules that act the same. A CORS configuration a document gives is valid, and what
//! GetBucketCors writes of it reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use strata_api::bos;
use strata_api::bos::document::MAX_DEPTH;
use strata_core::MAX_DELETE_ENTRIES;
use strata_core::lifecycle::Rule;

/// How deep arrays and objects nest in a value (the outermost at 1, a scalar 0), walked
/// without recursion.
fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(v, 1)];
    while let Some((v, d)) = todo.pop() {
        match v {
            Value::Array(items) => todo.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(members) => todo.extend(members.values().map(|m| (m, d + 1))),
            _ => continue,
        }
        deepest = deepest.max(d);
    }
    deepest
}

/// Checks an accepted document: its nesting, and that nesting one member past the bound is
/// refused by `read` (the same reader).
fn accepted<T>(doc: &[u8], read: impl Fn(&[u8]) -> Result<T, bos::error::BosError>) {
    // serde_json skips unknown members without checking all a `Value` would (a member name
    // that is not UTF-8, say): such bytes are replaced, and what then parses is measured.
    if let Ok(v) = serde_json::from_str::<Value>(&String::from_utf8_lossy(doc)) {
        let d = depth(&v);
        assert!(d <= MAX_DEPTH, "an accepted document nested {d} deep");
    }
    // The top-level object (a document may also be an array: serde reads structs from both).
    let Some(open) = doc.iter().position(|b| !b" \t\r\n".contains(b)) else {
        return;
    };
    if doc[open] != b'{' {
        return;
    }
    let nested = ["[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH)].concat();
    let deeper = [
        &doc[..=open],
        br#""~deep": "#,
        nested.as_bytes(),
        b",",
        &doc[open + 1..],
    ];
    match read(&deeper.concat()) {
        Ok(_) => panic!("a document nested past MAX_DEPTH was read"),
        Err(e) => assert_eq!(e.code, "MalformedJSON"),
    }
}

/// The bucket the lifecycle documents are read for.
const BUCKET: &str = "bkt";

/// Rules a PutBucketLifecycle document gave: valid, and written by GetBucketLifecycle as BOS
/// rules that read back (each BOS rule states one action; the filter and status carry over).
fn lifecycle_rules(rules: &[Rule]) {
    let mut checked = rules.to_vec();
    strata_core::lifecycle::validate(&mut checked).expect("accepted rules are valid");
    assert_eq!(checked, rules, "accepted rules already have their IDs");
    let written = bos::lifecycle::render_rules(BUCKET, rules).to_string();
    let back = bos::lifecycle::parse_rules(BUCKET, written.as_bytes())
        .unwrap_or_else(|e| panic!("GetBucketLifecycle's document is refused: {e:?}: {written}"));
    // A rule read from BOS has one action and no size bound no object meets, so it is written
    // as exactly one rule, itself.
    assert_eq!(back, rules, "{written}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 6 {
        0 => {
            if let Ok(entries) = bos::parse_delete_request(doc) {
                assert!(!entries.is_empty() && entries.len() <= MAX_DELETE_ENTRIES);
                assert!(entries.iter().all(|e| !e.key.is_empty()));
                accepted(doc, bos::parse_delete_request);
            }
        }
        1 => {
            if let Ok(parts) = bos::parse_complete_request(doc) {
                for (_, etag) in parts {
                    assert!(!etag.starts_with('"') && !etag.ends_with('"') || etag.is_empty());
                }
                accepted(doc, bos::parse_complete_request);
            }
        }
        2 => {
            if bos::parse_versioning(doc).is_ok() {
                accepted(doc, bos::parse_versioning);
            }
        }
        3 => {
            let days = |d: &[u8]| bos::parse_days(d, "retentionDays");
            if days(doc).is_ok() {
                accepted(doc, days);
            }
        }
        5 => {
            if let Ok(config) = bos::cors::parse_config(doc) {
                assert_eq!(strata_core::cors::validate(&config), Ok(()));
                let written = bos::cors::render_config(&config).to_string();
                let back = bos::cors::parse_config(written.as_bytes()).unwrap_or_else(|e| {
                    panic!("GetBucketCors's document is refused: {e:?}: {written}")
                });
                assert_eq!(back, config, "{written}");
                accepted(doc, bos::cors::parse_config);
            }
        }
        _ => {
            let parse = |d: &[u8]| bos::lifecycle::parse_rules(BUCKET, d);
            if let Ok(rules) = parse(doc) {
                lifecycle_rules(&rules);
                accepted(doc, parse);
            }
        }
    }
});
