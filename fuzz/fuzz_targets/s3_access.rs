//! S3's readers of access configurations: the `AccessControlPolicy` document
//! (`parse_acl_document`), one `x-amz-grant-*` header's value (`parse_grant_header`), the
//! `PublicAccessBlockConfiguration` (`parse_public_access_block`) and the `OwnershipControls`
//! (`parse_ownership_controls`) of `strata_api::s3`. The first byte picks the reader.
//!
//! Besides not panicking: every refusal is one of the codes the reader documents; an ACL has at
//! most 100 grants, each grant to a user names one; what a reader accepts is a document with
//! the root it reads, nested at most `MAX_DEPTH` deep.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_api::s3;
use strata_core::access::Grantee;
use strata_wire::xml::{MAX_DEPTH, parse};

/// An accepted document: its root, and never deeper than `MAX_DEPTH`.
fn accepted(doc: &[u8], root: &str) {
    let tree = parse(doc, 1_000_000).expect("a document a reader accepted parses");
    assert_eq!(tree.name, root);
    let mut todo = vec![(&tree, 1)];
    while let Some((el, depth)) = todo.pop() {
        assert!(depth <= MAX_DEPTH, "an accepted document nested {depth} deep");
        todo.extend(el.children.iter().map(|c| (c, depth + 1)));
    }
}

fn grantees_are_named(grantees: impl IntoIterator<Item = Grantee>) {
    for g in grantees {
        if let Grantee::User(id) = g {
            assert!(!id.is_empty() && id.trim() == id, "{id:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => match s3::parse_acl_document(doc) {
            Ok(acl) => {
                assert!(acl.grants.len() <= 100);
                grantees_are_named(acl.grants.into_iter().map(|g| g.grantee));
                accepted(doc, "AccessControlPolicy");
            }
            Err(e) => assert!(
                ["MalformedACLError", "UnresolvableGrantByEmailAddress", "InvalidArgument"]
                    .contains(&e.code),
                "{e:?}"
            ),
        },
        1 => {
            let Ok(value) = std::str::from_utf8(doc) else {
                return;
            };
            match s3::parse_grant_header("x-amz-grant-read", value) {
                Ok(grantees) => {
                    assert!(!grantees.is_empty());
                    grantees_are_named(grantees);
                }
                Err(e) => assert!(
                    ["InvalidArgument", "UnresolvableGrantByEmailAddress"].contains(&e.code),
                    "{e:?}"
                ),
            }
        }
        2 => match s3::parse_public_access_block(doc) {
            Ok(_) => accepted(doc, "PublicAccessBlockConfiguration"),
            Err(e) => assert_eq!(e.code, "MalformedXML"),
        },
        _ => match s3::parse_ownership_controls(doc) {
            Ok(_) => accepted(doc, "OwnershipControls"),
            Err(e) => assert_eq!(e.code, "MalformedXML"),
        },
    }
});
