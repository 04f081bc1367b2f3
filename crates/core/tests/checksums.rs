//! Flexible checksums through the store: kept with each version and part, combined at a
//! completion (COMPOSITE and FULL_OBJECT), checked against what the client states, computed
//! anew by a copy, and read back by part.

mod common;

use common::{body, open};
use futures_util::StreamExt;
use strata_core::checksum::CompletionChecksums;
use strata_core::{
    Checksum, ChecksumAlgorithm as Alg, ChecksumType, CoreError, Expect, MetadataDirective,
    NewObject, ObjectMeta, Precondition, Store, UploadChecksum,
};

async fn store() -> (common::TestDir, Store) {
    let dir = common::tempdir();
    let s = open(dir.path()).await;
    s.create_bucket("bkt", "").await.unwrap();
    (dir, s)
}

fn named(alg: Alg) -> Expect {
    Expect {
        checksum: Some(alg),
        ..Expect::default()
    }
}

async fn read_all(s: &Store, key: &str, part: Option<u32>) -> Vec<u8> {
    let read = match part {
        Some(n) => s.get_object_part("bkt", key, None, n).await.unwrap(),
        None => s.get_object("bkt", key, None, None).await.unwrap(),
    };
    let mut out = Vec::new();
    let mut b = read.body;
    while let Some(c) = b.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

#[tokio::test]
async fn a_put_keeps_the_checksum_it_was_written_with() {
    let (_d, s) = store().await;
    for alg in Alg::ALL {
        let key = format!("k-{}", alg.name());
        let out = s
            .put_object(
                "bkt",
                &key,
                ObjectMeta::default(),
                named(alg),
                body(b"123456789"),
            )
            .await
            .unwrap();
        let want = Checksum {
            algorithm: alg,
            kind: ChecksumType::FullObject,
            value: alg.digest(b"123456789"),
            parts: 0,
            part_values: Vec::new(),
        };
        assert_eq!(out.checksum.as_ref(), Some(&want));
        let v = s.head_object("bkt", &key, None).unwrap();
        assert_eq!(v.data.checksum, Some(want));
    }
    // Without one named, none is stored (the CRC-32 every body has stays).
    let out = common::put(&s, "bkt", "plain", b"x").await;
    assert_eq!(out.checksum, None);
    assert_eq!(
        s.head_object("bkt", "plain", None).unwrap().data.checksum,
        None
    );
}

const MIB: usize = 1024 * 1024;

fn data() -> Vec<u8> {
    (0..(5 * MIB + 1000)).map(|i| (i % 253) as u8).collect()
}

/// An upload of `data()` in two parts (5 MiB and the rest) with `asked`.
async fn upload(
    s: &Store,
    key: &str,
    asked: Option<UploadChecksum>,
) -> (String, Vec<(u32, String)>, Vec<Option<Checksum>>) {
    let new = NewObject {
        checksum: asked,
        ..NewObject::default()
    };
    let id = s.create_multipart_upload("bkt", key, new).await.unwrap();
    let d = data();
    let mut parts = Vec::new();
    let mut sums = Vec::new();
    for (n, chunk) in [(1u32, &d[..5 * MIB]), (2, &d[5 * MIB..])] {
        let out = s
            .upload_part("bkt", key, &id, n, Expect::default(), body(chunk))
            .await
            .unwrap();
        parts.push((n, out.etag));
        sums.push(out.checksum);
    }
    (id, parts, sums)
}

async fn complete(
    s: &Store,
    key: &str,
    id: &str,
    parts: Vec<(u32, String)>,
    stated: CompletionChecksums,
) -> strata_core::Result<strata_core::PutOutcome> {
    let expect = Expect {
        completion: stated,
        ..Expect::default()
    };
    s.complete_multipart_upload(
        "bkt",
        key,
        id,
        parts,
        5 * MIB as u64,
        expect,
        Precondition::default(),
    )
    .await
    .map(|(_, out)| out)
}

#[tokio::test]
async fn composite_and_full_object_uploads_combine_their_parts_checksums() {
    let (_d, s) = store().await;
    let d = data();
    let (p1, p2) = (&d[..5 * MIB], &d[5 * MIB..]);
    for (alg, kind) in [
        (Alg::Sha256, ChecksumType::Composite),
        (Alg::Crc32c, ChecksumType::Composite),
        (Alg::Crc32, ChecksumType::FullObject),
        (Alg::Crc64Nvme, ChecksumType::FullObject),
    ] {
        let key = format!("{}-{}", alg.name(), kind.name());
        let asked = UploadChecksum::new(alg, Some(kind)).unwrap();
        let (id, parts, sums) = upload(&s, &key, Some(asked)).await;
        // Every part got the upload's algorithm, computed by the server.
        assert_eq!(sums[0].as_ref().unwrap().value, alg.digest(p1));
        assert_eq!(sums[1].as_ref().unwrap().value, alg.digest(p2));
        let listed = s.list_parts("bkt", &key, &id, 0, 1000).unwrap();
        assert_eq!(
            listed.parts[1].part.checksum.as_ref().unwrap().value,
            alg.digest(p2)
        );
        let stated = CompletionChecksums {
            parts: vec![(1, alg, alg.digest(p1)), (2, alg, alg.digest(p2))],
            object: None,
            kind: Some(kind),
        };
        let out = complete(&s, &key, &id, parts, stated).await.unwrap();
        let c = out.checksum.unwrap();
        let want = match kind {
            ChecksumType::Composite => {
                let mut cat = alg.digest(p1);
                cat.extend(alg.digest(p2));
                alg.digest(&cat)
            }
            ChecksumType::FullObject => alg.digest(&d),
        };
        assert_eq!((c.algorithm, c.kind, &c.value), (alg, kind, &want), "{key}");
        assert_eq!(
            c.parts,
            if kind == ChecksumType::Composite {
                2
            } else {
                0
            }
        );
        assert_eq!(c.part_values, vec![alg.digest(p1), alg.digest(p2)]);
        // Each part reads back as itself.
        assert_eq!(read_all(&s, &key, Some(2)).await, p2);
        assert_eq!(read_all(&s, &key, Some(1)).await, p1);
    }
}

#[tokio::test]
async fn a_completion_s_stated_checksums_must_hold() {
    let (_d, s) = store().await;
    let d = data();
    let asked = UploadChecksum::new(Alg::Crc64Nvme, None).unwrap();
    assert_eq!(asked.kind, ChecksumType::FullObject);
    let (id, parts, _) = upload(&s, "k", Some(asked)).await;
    // A part checksum that is not the part's.
    let wrong_part = CompletionChecksums {
        parts: vec![(2, Alg::Crc64Nvme, vec![0; 8])],
        ..Default::default()
    };
    let e = complete(&s, "k", &id, parts.clone(), wrong_part).await;
    assert!(matches!(e, Err(CoreError::InvalidPart(2))), "{e:?}");
    // A whole-object checksum that is not the object's.
    let wrong_whole = CompletionChecksums {
        object: Some((Alg::Crc64Nvme, vec![1; 8])),
        ..Default::default()
    };
    let e = complete(&s, "k", &id, parts.clone(), wrong_whole).await;
    assert!(matches!(e, Err(CoreError::BadDigest("CRC64NVME"))), "{e:?}");
    // Another type than the upload's.
    let other_type = CompletionChecksums {
        kind: Some(ChecksumType::Composite),
        ..Default::default()
    };
    let e = complete(&s, "k", &id, parts.clone(), other_type).await;
    assert!(matches!(e, Err(CoreError::InvalidRequest(_))), "{e:?}");
    // The right whole-object checksum completes it.
    let right = CompletionChecksums {
        object: Some((Alg::Crc64Nvme, Alg::Crc64Nvme.digest(&d))),
        kind: Some(ChecksumType::FullObject),
        ..Default::default()
    };
    let out = complete(&s, "k", &id, parts, right).await.unwrap();
    assert_eq!(out.checksum.unwrap().value, Alg::Crc64Nvme.digest(&d));
}

#[tokio::test]
async fn uploads_refuse_mismatched_algorithms_and_impossible_types() {
    let (_d, s) = store().await;
    for (alg, kind) in [
        (Alg::Sha1, ChecksumType::FullObject),
        (Alg::Sha256, ChecksumType::FullObject),
        (Alg::Crc64Nvme, ChecksumType::Composite),
    ] {
        assert!(matches!(
            UploadChecksum::new(alg, Some(kind)),
            Err(CoreError::InvalidRequest(_))
        ));
    }
    let asked = UploadChecksum::new(Alg::Crc32, None).unwrap();
    let new = NewObject {
        checksum: Some(asked),
        ..NewObject::default()
    };
    let id = s.create_multipart_upload("bkt", "k", new).await.unwrap();
    let e = s
        .upload_part("bkt", "k", &id, 1, named(Alg::Sha256), body(b"abc"))
        .await;
    match e {
        Err(CoreError::InvalidRequest(m)) => assert!(
            m.contains("expected checksum Type: crc32, actual checksum Type: sha256"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    // An upload without an algorithm keeps what a part names, and the object has none
    // unless the completion states a CRC.
    let (id, parts, sums) = upload(&s, "plain", None).await;
    assert_eq!(sums, vec![None, None]);
    let out = complete(&s, "plain", &id, parts, CompletionChecksums::default())
        .await
        .unwrap();
    assert_eq!(out.checksum, None);
}

#[tokio::test]
async fn a_copy_computes_the_checksum_it_asks_for() {
    let (_d, s) = store().await;
    let d = data();
    common::put(&s, "bkt", "src", &d).await;
    for alg in [Alg::Crc64Nvme, Alg::Sha1, Alg::Crc32] {
        let key = format!("copy-{}", alg.name());
        let (out, _) = s
            .copy_object_as(
                ("bkt", "src", None),
                (Precondition::default(), Precondition::default()),
                "bkt",
                &key,
                MetadataDirective::Copy,
                NewObject::default(),
                Some(alg),
                None,
            )
            .await
            .unwrap();
        let c = out.checksum.unwrap();
        assert_eq!((c.algorithm, c.value), (alg, alg.digest(&d)));
        assert_eq!(
            s.head_object("bkt", &key, None)
                .unwrap()
                .data
                .checksum
                .unwrap()
                .algorithm,
            alg
        );
    }
    // Without one asked, the copy keeps the source's.
    s.put_object(
        "bkt",
        "sum",
        ObjectMeta::default(),
        named(Alg::Sha256),
        body(b"abc"),
    )
    .await
    .unwrap();
    let (out, _) = s
        .copy_object(
            "bkt",
            "sum",
            None,
            Precondition::default(),
            "bkt",
            "sum2",
            MetadataDirective::Copy,
            Default::default(),
            Default::default(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.checksum.unwrap().value, Alg::Sha256.digest(b"abc"));
}

#[tokio::test]
async fn a_part_number_outside_the_object_is_refused() {
    let (_d, s) = store().await;
    common::put(&s, "bkt", "single", b"hello").await;
    assert_eq!(read_all(&s, "single", Some(1)).await, b"hello");
    for n in [0, 2] {
        let e = s.get_object_part("bkt", "single", None, n).await.err();
        assert!(matches!(e, Some(CoreError::InvalidPartNumber)), "{n}");
    }
    let (id, parts, _) = upload(&s, "multi", None).await;
    complete(&s, "multi", &id, parts, CompletionChecksums::default())
        .await
        .unwrap();
    let e = s.get_object_part("bkt", "multi", None, 3).await.err();
    assert!(matches!(e, Some(CoreError::InvalidPartNumber)));
}
