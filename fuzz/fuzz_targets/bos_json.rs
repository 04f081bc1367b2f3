//! BOS's JSON request bodies: DeleteMultipleObjects, CompleteMultipartUpload and
//! PutBucketVersioning. The first byte picks the document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_api::bos;
use strata_core::MAX_DELETE_ENTRIES;

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            if let Ok(entries) = bos::parse_delete_request(doc) {
                assert!(!entries.is_empty() && entries.len() <= MAX_DELETE_ENTRIES);
                assert!(entries.iter().all(|e| !e.key.is_empty()));
            }
        }
        1 => {
            if let Ok(parts) = bos::parse_complete_request(doc) {
                for (_, etag) in parts {
                    assert!(!etag.starts_with('"') && !etag.ends_with('"') || etag.is_empty());
                }
            }
        }
        _ => {
            let _ = bos::parse_versioning(doc);
        }
    }
});
