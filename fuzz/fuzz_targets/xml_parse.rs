//! The XML request documents of S3 and OSS (multi-delete, complete multipart, versioning,
//! bucket configuration): `strata_wire::xml::parse`. The dialects' readers of the parsed trees
//! are the `xml_requests` target.
//!
//! Besides not panicking: a tree has at most the bound's elements and is never nested deeper
//! than `MAX_DEPTH`; and a document that parses, wrapped in enough elements to nest past
//! `MAX_DEPTH`, is always refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_wire::xml::{Element, MAX_DEPTH, ParseError, parse};

/// (elements, depth) of a tree, walked without recursion.
fn measure(root: &Element) -> (usize, usize) {
    let (mut count, mut deepest) = (0, 0);
    let mut todo = vec![(root, 1)];
    while let Some((el, depth)) = todo.pop() {
        count += 1;
        deepest = deepest.max(depth);
        todo.extend(el.children.iter().map(|c| (c, depth + 1)));
    }
    (count, deepest)
}

fuzz_target!(|data: &[u8]| {
    const MAX: usize = 2000;
    match parse(data, MAX) {
        Ok(root) => {
            let (count, depth) = measure(&root);
            assert!(count <= MAX, "more elements than the bound");
            assert!(depth <= MAX_DEPTH, "nested deeper than MAX_DEPTH: {depth}");
            let wrap = MAX_DEPTH + 1 - depth;
            let mut wrapped = "<w>".repeat(wrap).into_bytes();
            wrapped.extend_from_slice(data);
            wrapped.extend_from_slice("</w>".repeat(wrap).as_bytes());
            assert!(
                parse(&wrapped, usize::MAX).is_err(),
                "a document nested past MAX_DEPTH was read"
            );
        }
        Err(ParseError::Malformed(_) | ParseError::TooLarge | ParseError::TooDeep) => {}
    }
});
