//! The XML request documents of S3 and OSS (multi-delete, complete multipart, versioning,
//! bucket configuration): `strata_api::xml::parse`. The dialects' readers of the parsed trees
//! are the `xml_requests` target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_api::xml::{Element, ParseError, parse};

fn count(e: &Element) -> usize {
    1 + e.children.iter().map(count).sum::<usize>()
}

fuzz_target!(|data: &[u8]| {
    const MAX: usize = 2000;
    match parse(data, MAX) {
        Ok(root) => assert!(count(&root) <= MAX, "more elements than the bound"),
        Err(ParseError::Malformed(_) | ParseError::TooLarge) => {}
    }
});
