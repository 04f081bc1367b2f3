//! The S3 and OSS readers of XML request documents, which turn the parsed tree into request
//! values: DeleteObjects / DeleteMultipleObjects (`parse_delete_request`),
//! CompleteMultipartUpload (`parse_complete_request`) and PutBucketVersioning
//! (`parse_versioning`) of `strata_api::s3` and `strata_api::oss`, and OSS's
//! PutBucketPublicAccessBlock (`oss::parse_public_access_block`), and retention's documents
//! (S3's `parse_lock_configuration`, `parse_retention`, `parse_legal_hold`; OSS's
//! `parse_worm_days`), S3's lifecycle configuration (`s3::lifecycle::parse_rules`), and the
//! CORS configurations of S3 and OSS (`s3::cors::parse_config`, `oss::cors::parse_config`).
//! The first byte picks the document; the rest goes to every dialect's reader of it.
//!
//! Besides not panicking: every refusal is one of the codes the reader documents; what one
//! reads agrees with the tree `strata_wire::xml::parse` gives (entries 1..=1000, part numbers
//! as written, in document order); ETags come out unquoted and lower case; OSS keys are valid
//! object names (S3 leaves keys, even empty ones, to the core, which judges each entry); and
//! OSS is the stricter reader, so a document OSS accepts reads the same in S3. A document
//! either reader accepts is nested at most `MAX_DEPTH` deep. A lifecycle configuration S3
//! accepts holds 1 to 1000 rules with unique IDs of at most 255 characters, and what
//! GetBucketLifecycleConfiguration writes of it reads back as the same rules. A CORS
//! configuration either reader accepts is valid by the core's rules (OSS's of at most 10
//! rules, no `*` in an exposed header), and what GetBucketCors writes reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_api::{oss, s3};
use strata_core::{MAX_DELETE_ENTRIES, VersionId, VersioningStatus};
use strata_wire::xml::{Element, MAX_DEPTH, parse};

/// The tree, read with a bound no reader's is above; never deeper than `MAX_DEPTH`.
fn tree(doc: &[u8]) -> Element {
    let root = parse(doc, 1_000_000).expect("a document a reader accepted parses");
    let mut todo = vec![(&root, 1)];
    while let Some((el, depth)) = todo.pop() {
        assert!(
            depth <= MAX_DEPTH,
            "an accepted document nested {depth} deep"
        );
        todo.extend(el.children.iter().map(|c| (c, depth + 1)));
    }
    root
}

fn delete(doc: &[u8]) {
    let s3 = s3::parse_delete_request(doc);
    let oss = oss::parse_delete_request(doc);
    match &s3 {
        Ok(req) => {
            assert!((1..=MAX_DELETE_ENTRIES).contains(&req.entries.len()));
            let root = tree(doc);
            assert_eq!(root.name, "Delete");
            let objects: Vec<&Element> = root.children("Object").collect();
            assert_eq!(objects.len(), req.entries.len());
            for (o, e) in objects.iter().zip(&req.entries) {
                assert_eq!(o.child_text("Key"), Some(e.key.as_str()));
                assert_eq!(o.child_text("VersionId"), e.version_id.as_deref());
            }
        }
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
    match &oss {
        Ok(req) => {
            assert!((1..=MAX_DELETE_ENTRIES).contains(&req.entries.len()));
            for e in &req.entries {
                assert!(!e.key.is_empty() && e.key.len() <= 1023);
                assert!(!e.key.starts_with('/') && !e.key.starts_with('\\'));
                if let Some(v) = &e.version_id {
                    assert!(VersionId::parse(v).is_ok());
                }
            }
            let s3 = s3.as_ref().expect("a delete OSS accepts, S3 accepts");
            assert_eq!((s3.quiet, &s3.entries), (req.quiet, &req.entries));
        }
        Err(e) => assert!(
            ["MalformedXML", "InvalidObjectName", "InvalidArgument"].contains(&e.code),
            "{e:?}"
        ),
    }
}

fn check_parts(doc: &[u8], parts: &[(u32, String)]) {
    let root = tree(doc);
    assert_eq!(root.name, "CompleteMultipartUpload");
    let listed: Vec<&Element> = root.children("Part").collect();
    assert_eq!(listed.len(), parts.len());
    for (p, (n, etag)) in listed.iter().zip(parts) {
        let written = p.child_text("PartNumber").expect("a part has a number");
        assert_eq!(written.trim().parse::<u32>().ok(), Some(*n));
        assert!(p.child("ETag").is_some());
        assert!(!etag.starts_with('"') && !etag.ends_with('"'), "{etag:?}");
        assert!(!etag.bytes().any(|b| b.is_ascii_uppercase()), "{etag:?}");
    }
}

fn complete(doc: &[u8]) {
    let s3 = s3::parse_complete_request(doc);
    let oss = oss::parse_complete_request(doc);
    match &s3 {
        Ok(parts) => {
            assert!(!parts.is_empty());
            check_parts(doc, parts);
        }
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
    match &oss {
        Ok(parts) => {
            check_parts(doc, parts);
            if !parts.is_empty() {
                let s3 = s3.as_ref().expect("parts OSS accepts, S3 accepts");
                assert_eq!(s3, parts);
            }
        }
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
}

fn versioning(doc: &[u8]) {
    let s3 = s3::parse_versioning(doc);
    let oss = oss::parse_versioning(doc);
    if s3.is_ok() || oss.is_ok() {
        tree(doc);
    }
    if let Err(e) = &s3 {
        assert!(
            ["MalformedXML", "NotImplemented"].contains(&e.code),
            "{e:?}"
        );
    }
    match &oss {
        Ok(Some(status)) => assert_eq!(status.trim(), status),
        Ok(None) => {}
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
    if let Ok(status) = s3 {
        let name = match status {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
        };
        let oss = oss.expect("a configuration S3 accepts, OSS reads");
        assert_eq!(oss.as_deref(), Some(name));
    }
}

fn public_access_block(doc: &[u8]) {
    match oss::parse_public_access_block(doc) {
        Ok(block) => {
            let root = tree(doc);
            assert_eq!(root.name, "PublicAccessBlockConfiguration");
            let text = root.child_text("BlockPublicAccess").expect("the flag is there");
            assert!(text.trim().eq_ignore_ascii_case(if block { "true" } else { "false" }));
        }
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
}

/// Retention's documents: what a reader accepts is a tree of its root element, and every
/// refusal is one of the codes it documents.
fn retention(doc: &[u8]) {
    let codes = ["MalformedXML", "InvalidRetentionPeriod", "NotImplemented"];
    let mut roots = Vec::new();
    match s3::parse_lock_configuration(doc) {
        Ok(config) => {
            roots.push("ObjectLockConfiguration");
            if let Some(d) = config.default {
                let n = match d.period {
                    strata_core::retention::Period::Days(n)
                    | strata_core::retention::Period::Years(n) => n,
                };
                assert!(n >= 1, "a period of 0 accepted");
            }
        }
        Err(e) => assert!(codes.contains(&e.code), "{e:?}"),
    }
    match s3::parse_retention(doc) {
        Ok(_) => roots.push("Retention"),
        Err(e) => assert!(codes.contains(&e.code), "{e:?}"),
    }
    match s3::parse_legal_hold(doc) {
        Ok(_) => roots.push("LegalHold"),
        Err(e) => assert_eq!(e.code, "MalformedXML"),
    }
    match oss::parse_worm_days(doc, "InitiateWormConfiguration") {
        Ok(_) => roots.push("InitiateWormConfiguration"),
        Err(e) => assert!(["MalformedXML", "InvalidArgument"].contains(&e.code), "{e:?}"),
    }
    // One document has one root: at most one reader accepts it.
    assert!(roots.len() <= 1, "{roots:?}");
    if let Some(root) = roots.first() {
        assert_eq!(tree(doc).name, *root);
    }
}

/// S3's lifecycle configuration: refusals are the codes the reader documents; rules accepted
/// are valid by the core's rules, and survive being written and read again.
fn lifecycle(doc: &[u8]) {
    use strata_core::lifecycle::{MAX_ID_CHARS, MAX_RULES, validate};
    match s3::lifecycle::parse_rules(doc) {
        Ok(rules) => {
            assert_eq!(tree(doc).name, "LifecycleConfiguration");
            assert!((1..=MAX_RULES).contains(&rules.len()));
            let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
            let fits = |id: &&str| !id.is_empty() && id.chars().count() <= MAX_ID_CHARS;
            assert!(ids.iter().all(fits), "{ids:?}");
            ids.sort_unstable();
            assert!(ids.windows(2).all(|w| w[0] != w[1]), "{ids:?}");
            assert_eq!(validate(&mut rules.clone()), Ok(()));
            let written = s3::lifecycle::write_rules(&rules);
            let again = s3::lifecycle::parse_rules(written.as_bytes())
                .unwrap_or_else(|e| panic!("{e:?} reading back\n{written}"));
            assert_eq!(again, rules, "{written}");
        }
        Err(e) => assert!(
            ["MalformedXML", "InvalidArgument", "NotImplemented"].contains(&e.code),
            "{e:?}"
        ),
    }
}

/// S3's and OSS's CORS configurations: refusals are the codes the readers document; what a
/// reader accepts is valid, and survives being written and read again.
fn cors(doc: &[u8]) {
    use strata_core::cors::validate;
    match s3::cors::parse_config(doc) {
        Ok(config) => {
            assert_eq!(tree(doc).name, "CORSConfiguration");
            assert_eq!(validate(&config), Ok(()));
            assert!(config.vary, "S3 answers always say Vary");
            let written = s3::cors::write_config(&config);
            let again = s3::cors::parse_config(written.as_bytes())
                .unwrap_or_else(|e| panic!("{e:?} reading back\n{written}"));
            assert_eq!(again, config, "{written}");
        }
        Err(e) => assert!(
            ["MalformedXML", "InvalidRequest", "InvalidArgument"].contains(&e.code),
            "{e:?}"
        ),
    }
    match oss::cors::parse_config(doc) {
        Ok(config) => {
            assert_eq!(tree(doc).name, "CORSConfiguration");
            assert_eq!(validate(&config), Ok(()));
            assert!(config.rules.len() <= oss::cors::MAX_RULES);
            for r in &config.rules {
                assert!(r.id.is_empty(), "OSS rules have no ID");
                assert!(!r.expose_headers.iter().any(|h| h.contains('*')));
            }
            let written = oss::cors::write_config(&config);
            let again = oss::cors::parse_config(written.as_bytes())
                .unwrap_or_else(|e| panic!("{e:?} reading back\n{written}"));
            assert_eq!(again, config, "{written}");
        }
        Err(e) => assert!(
            ["MalformedXML", "InvalidArgument"].contains(&e.code),
            "{e:?}"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 7 {
        0 => delete(doc),
        1 => complete(doc),
        2 => versioning(doc),
        3 => public_access_block(doc),
        4 => retention(doc),
        5 => lifecycle(doc),
        _ => cors(doc),
    }
});
