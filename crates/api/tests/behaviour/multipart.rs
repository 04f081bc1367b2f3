//! Multipart uploads: initiate, upload and list parts, complete, abort, and a part copied
//! from an object (a range of it).

use crate::dialect::{Dialect, bare};
use crate::harness::{Client, Server};
use crate::setup;

/// The smallest part but the last each dialect accepts.
fn min_part(d: Dialect) -> usize {
    match d {
        Dialect::S3 => 5 << 20,
        Dialect::Oss => 100 << 10,
        Dialect::Bos => 1 << 20,
    }
}

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A server, the administrator's client, and an upload of `key` started in the bucket `bkt`.
async fn upload(d: Dialect, key: &str) -> (Server, Client, String) {
    let (s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let id = c.initiate("bkt", key).await;
    (s, c, id)
}

async fn initiate_upload_list_complete(d: Dialect) {
    let (_s, c, id) = upload(d, "big").await;
    let one = data(min_part(d), 1);
    let two = b"the last part may be small".to_vec();
    let e2 = c.upload_part("bkt", "big", &id, 2, &two).await;
    let e1 = c.upload_part("bkt", "big", &id, 1, &one).await;
    let r = c.list_parts("bkt", "big", &id).await.expect(200);
    assert_eq!(d.read_part_numbers(&r), [1, 2]);
    // Not visible before it is complete.
    let r = c.get("bkt", "big", None).await;
    c.assert_error(&r, 404, "NoSuchKey");

    let r = c
        .complete("bkt", "big", &id, &[(1, e1), (2, e2)])
        .await
        .expect(200);
    assert!(!r.body.is_empty());
    let got = c.get("bkt", "big", None).await.expect(200);
    assert_eq!(got.body.len(), one.len() + two.len());
    assert!(got.body.starts_with(&one) && got.body.ends_with(&two));
    let etag = bare(got.header("etag").unwrap());
    assert!(etag.ends_with("-2"), "{etag}");
    // The upload is gone.
    let r = c.list_parts("bkt", "big", &id).await;
    c.assert_error(&r, 404, "NoSuchUpload");
}

async fn abort_removes_the_upload(d: Dialect) {
    let (_s, c, id) = upload(d, "k").await;
    let e1 = c.upload_part("bkt", "k", &id, 1, b"part").await;
    c.abort("bkt", "k", &id).await.expect(204);
    let r = c.list_parts("bkt", "k", &id).await;
    c.assert_error(&r, 404, "NoSuchUpload");
    let r = c.complete("bkt", "k", &id, &[(1, e1)]).await;
    c.assert_error(&r, 404, "NoSuchUpload");
    let r = c.abort("bkt", "k", &id).await;
    c.assert_error(&r, 404, "NoSuchUpload");
    let r = c.get("bkt", "k", None).await;
    c.assert_error(&r, 404, "NoSuchKey");
}

async fn complete_refuses_bad_part_lists(d: Dialect) {
    let (_s, c, id) = upload(d, "k").await;
    let e1 = c.upload_part("bkt", "k", &id, 1, b"too small").await;
    let e2 = c.upload_part("bkt", "k", &id, 2, b"last").await;
    let r = c
        .complete("bkt", "k", &id, &[(1, e1.clone()), (2, e2.clone())])
        .await;
    c.assert_error(&r, 400, "EntityTooSmall");
    let wrong = "\"00000000000000000000000000000000\"".to_owned();
    let r = c.complete("bkt", "k", &id, &[(1, wrong)]).await;
    c.assert_error(&r, 400, "InvalidPart");
    let r = c
        .complete("bkt", "k", &id, &[(2, e2), (1, e1.clone())])
        .await;
    c.assert_error(&r, 400, "InvalidPartOrder");
    // The upload survives refused completions.
    c.complete("bkt", "k", &id, &[(1, e1)]).await.expect(200);
    assert_eq!(c.read("bkt", "k", None).await, b"too small");
}

async fn a_part_copied_from_an_object(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let source = data(min_part(d) + 10, 7);
    c.put_ok("bkt", "src", &source).await;
    let id = c.initiate("bkt", "dst").await;
    let copy_source = d.copy_source("bkt", "src", None);
    let mut parts = Vec::new();
    for (n, range) in [(1, None), (2, Some("bytes=0-9"))] {
        let r = c
            .copy_part("bkt", "dst", &id, n, &copy_source, range)
            .await
            .expect(200);
        parts.push((n, d.read_copy_etag(&r)));
    }
    c.complete("bkt", "dst", &id, &parts).await.expect(200);
    let got = c.read("bkt", "dst", None).await;
    assert_eq!(got.len(), source.len() + 10);
    assert_eq!(&got[..source.len()], &source[..]);
    assert_eq!(&got[source.len()..], &source[..10]);
}

crate::each_dialect!(
    initiate_upload_list_complete,
    abort_removes_the_upload,
    complete_refuses_bad_part_lists,
    a_part_copied_from_an_object,
);
