//! The readers of tags from clients: the query form of the tagging headers
//! (`strata_api::tagging::parse_header`: `x-amz-tagging`, `x-oss-tagging`, `x-bce-tagging`),
//! the `<Tagging>` document of S3 and OSS (`strata_api::tagging::parse_document`) and BOS's
//! JSON documents (`strata_api::bos::{parse_object_document, parse_bucket_document}`), each
//! judged by the core's rules of every dialect. The first byte picks the reader.
//!
//! Besides not panicking: tags the rules accept are at most their count, with unique keys in
//! key order; what is written of them (the header's form, the document) reads back the same;
//! a BOS document a reader accepts is JSON nested at most `bos::document::MAX_DEPTH` deep.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_api::{bos, tagging};
use strata_core::tagging::{TagRules, Tags};

const RULES: [TagRules; 6] = [
    TagRules::S3_OBJECT,
    TagRules::S3_BUCKET,
    TagRules::OSS_OBJECT,
    TagRules::OSS_BUCKET,
    TagRules::BOS_OBJECT,
    TagRules::BOS_BUCKET,
];

/// Judges `pairs` by every dialect's rules; what is accepted must round-trip.
fn judge(pairs: &[(String, String)]) {
    for rules in &RULES {
        let Ok(tags) = Tags::checked(pairs.to_vec(), rules) else {
            continue;
        };
        assert!(tags.len() <= rules.max_tags);
        let keys: Vec<&str> = tags.pairs().iter().map(|(k, _)| k.as_str()).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keys unique and in order"
        );
        let header = tagging::parse_header(&tagging::write_header(&tags)).expect("reads back");
        assert_eq!(header, tags.pairs());
        let doc = tagging::write_document(&tags, "");
        if let Ok(again) = tagging::parse_document(doc.as_bytes()) {
            assert_eq!(again, tags.pairs());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            if let Ok(pairs) = tagging::parse_header(&String::from_utf8_lossy(doc)) {
                judge(&pairs);
            }
        }
        1 => {
            if let Ok(pairs) = tagging::parse_document(doc) {
                judge(&pairs);
            }
        }
        2 => {
            if let Ok(pairs) = bos::parse_object_document(doc) {
                assert!(!bos::document::nested_deeper_than(
                    doc,
                    bos::document::MAX_DEPTH
                ));
                judge(&pairs);
            }
        }
        _ => {
            if let Ok(pairs) = bos::parse_bucket_document(doc) {
                assert!(!bos::document::nested_deeper_than(
                    doc,
                    bos::document::MAX_DEPTH
                ));
                judge(&pairs);
            }
        }
    }
});
