//! Large bodies (past the first 512 KiB batch: the MD5 lane and the write lane, early
//! writeback): every digest as one pass computes it, the bytes read back, objects, parts and
//! appends; a body failing midway or refused for its digest leaves no file.

mod common;
use common::*;
use futures_util::StreamExt;
use std::io;
use strata_core::blob::Digests;
use strata_core::*;

const ALL: Extra = Extra {
    sha256: true,
    sha1: true,
    crc32c: true,
    crc64nvme: true,
};

fn one_pass(data: &[u8], extra: Extra) -> DigestValues {
    let mut d = Digests::new(extra);
    d.update(data);
    d.finish()
}

/// Files under the data directory's `tmp/` and `blobs/`.
fn files(dir: &std::path::Path) -> (usize, usize) {
    fn count(p: &std::path::Path) -> usize {
        std::fs::read_dir(p).map_or(0, |rd| {
            rd.map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    count(&e.path())
                } else {
                    1
                }
            })
            .sum()
        })
    }
    (count(&dir.join("tmp")), count(&dir.join("blobs")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_object_has_every_digest_of_one_pass_and_reads_back() {
    let (dir, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    // Past several early writebacks, and not a whole number of batches.
    let data = data(21 * 1024 * 1024 + 12_345, 3);
    let want = one_pass(&data, ALL);
    s.put_object(
        "bkt",
        "big",
        ObjectMeta::default(),
        Expect {
            md5: Some(want.md5),
            sha256: want.sha256,
            checksum: Some(ChecksumAlgorithm::Crc64Nvme),
            ..Expect::default()
        },
        body(&data),
    )
    .await
    .unwrap();
    let head = s.head_object("bkt", "big", None).unwrap();
    assert_eq!(head.data.etag, hex::encode(want.md5));
    assert_eq!(head.data.size, data.len() as u64);
    assert_eq!(head.data.crc64, want.crc64);
    assert_eq!(head.data.crc32, want.crc32);
    assert!(get(&s, "bkt", "big", None).await.unwrap() == data);
    assert_eq!(files(dir.path()), (0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_parts_and_appends_go_through_the_same_lanes() {
    let (_dir, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let parts = [data(6 * 1024 * 1024 + 1, 1), data(3 * 1024 * 1024 - 7, 2)];
    let id = s
        .create_multipart_upload("bkt", "mp", ObjectMeta::default())
        .await
        .unwrap();
    let mut listed = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let out = s
            .upload_part(
                "bkt",
                "mp",
                &id,
                i as u32 + 1,
                Expect {
                    compute: ALL,
                    ..Expect::default()
                },
                body(p),
            )
            .await
            .unwrap();
        assert_eq!(out.digests, one_pass(p, ALL));
        listed.push((i as u32 + 1, out.etag));
    }
    s.complete_multipart_upload(
        "bkt",
        "mp",
        &id,
        listed,
        5 * 1024 * 1024,
        Expect::default(),
        Precondition::default(),
    )
    .await
    .unwrap();
    assert!(get(&s, "bkt", "mp", None).await.unwrap() == parts.concat());

    let appends = [data(2 * 1024 * 1024 + 5, 4), data(1024 * 1024, 5)];
    let mut position = 0;
    for a in &appends {
        let out = s
            .append_object(
                "bkt",
                "ap",
                position,
                NewObject::default(),
                Expect::default(),
                AppendRules::default(),
                body(a),
            )
            .await
            .unwrap();
        assert_eq!(out.md5, one_pass(a, Extra::default()).md5);
        position = out.size;
    }
    let whole = appends.concat();
    let head = s.head_object("bkt", "ap", None).unwrap();
    assert_eq!(head.data.crc64, one_pass(&whole, Extra::default()).crc64);
    assert!(get(&s, "bkt", "ap", None).await.unwrap() == whole);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_body_failing_midway_or_refused_leaves_no_file() {
    let (dir, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let data = data(5 * 1024 * 1024, 7);
    let failing = body(&data).chain(futures_util::stream::iter([Err(io::Error::other(
        "the client went away",
    ))]));
    let r = s
        .put_object(
            "bkt",
            "k",
            ObjectMeta::default(),
            Expect::default(),
            failing,
        )
        .await;
    assert!(matches!(r, Err(CoreError::Body(_))), "{r:?}");
    assert_eq!(files(dir.path()), (0, 0));

    let mut wrong = one_pass(&data, Extra::default()).md5;
    wrong[0] ^= 1;
    let r = s
        .put_object(
            "bkt",
            "k",
            ObjectMeta::default(),
            Expect {
                md5: Some(wrong),
                ..Expect::default()
            },
            body(&data),
        )
        .await;
    assert!(r.is_err());
    assert_eq!(files(dir.path()), (0, 0));
    assert!(matches!(
        s.head_object("bkt", "k", None),
        Err(CoreError::NoSuchKey { .. })
    ));
}
