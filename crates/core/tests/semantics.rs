//! The versioning and deletion semantics (S3's and OSS's: the null version, delete markers,
//! deletes by version, multi-delete, copies, reclaim) checked on the core directly.

mod common;
use common::*;
use strata_core::*;

#[tokio::test]
async fn bucket_lifecycle_and_not_empty_rules() {
    let (_d, s) = store().await;
    s.create_bucket("bkt1", "").await.unwrap();
    assert!(matches!(
        s.create_bucket("bkt1", "").await,
        Err(CoreError::BucketAlreadyExists { .. })
    ));
    assert!(matches!(
        s.create_bucket("B!", "").await,
        Err(CoreError::InvalidBucketName(_))
    ));
    assert_eq!(
        s.bucket("bkt1").unwrap().versioning,
        Versioning::Unversioned
    );
    assert!(matches!(s.bucket("nope"), Err(CoreError::NoSuchBucket)));
    assert_eq!(s.list_buckets().unwrap().len(), 1);

    // An object, then only a delete marker, then only an upload: each keeps it non-empty.
    put(&s, "bkt1", "k", b"x").await;
    assert!(matches!(
        s.delete_bucket("bkt1", DeleteBucketMode::RefuseUploads)
            .await,
        Err(CoreError::BucketNotEmpty)
    ));
    s.set_versioning("bkt1", VersioningStatus::Enabled)
        .await
        .unwrap();
    let v = s.list_versions("bkt1", &all_versions()).unwrap().entries[0].version_id;
    s.delete_object("bkt1", "k", Some(v)).await.unwrap();
    s.delete_object("bkt1", "k", None).await.unwrap();
    assert!(matches!(
        s.delete_bucket("bkt1", DeleteBucketMode::RefuseUploads)
            .await,
        Err(CoreError::BucketNotEmpty)
    ));
    let m = s.list_versions("bkt1", &all_versions()).unwrap().entries[0].version_id;
    s.delete_object("bkt1", "k", Some(m)).await.unwrap();
    let up = s
        .create_multipart_upload("bkt1", "u", ObjectMeta::default())
        .await
        .unwrap();
    assert!(matches!(
        s.delete_bucket("bkt1", DeleteBucketMode::RefuseUploads)
            .await,
        Err(CoreError::BucketNotEmpty)
    ));
    s.abort_multipart_upload("bkt1", "u", &up).await.unwrap();
    s.delete_bucket("bkt1", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    assert!(matches!(
        s.delete_bucket("bkt1", DeleteBucketMode::RefuseUploads)
            .await,
        Err(CoreError::NoSuchBucket)
    ));
    assert!(s.list_buckets().unwrap().is_empty());
}

#[tokio::test]
async fn unversioned_bucket_keeps_one_null_version() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let p = put(&s, "bkt", "k", b"one").await;
    assert_eq!(p.version_id, VersionId::Null);
    assert_eq!(p.versioning, Versioning::Unversioned);
    put(&s, "bkt", "k", b"two").await;
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"two");
    assert_eq!(
        get(&s, "bkt", "k", Some(VersionId::Null)).await.unwrap(),
        b"two"
    );
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    assert_eq!(ids(&l), vec![("k".into(), VersionId::Null, true, false)]);
    assert_eq!(
        s.delete_object("bkt", "k", None).await.unwrap(),
        DeleteOutcome::Removed { existed: true }
    );
    assert!(matches!(
        get(&s, "bkt", "k", None).await,
        Err(CoreError::NoSuchKey {
            delete_marker: None
        })
    ));
    // Deleting what is not there succeeds, and says so.
    assert_eq!(
        s.delete_object("bkt", "k", None).await.unwrap(),
        DeleteOutcome::Removed { existed: false }
    );
    assert!(
        s.list_versions("bkt", &all_versions())
            .unwrap()
            .entries
            .is_empty()
    );
}

#[tokio::test]
async fn enabled_bucket_stacks_delete_markers_and_undeletes() {
    let (_d, s) = versioned_store().await;
    let v1 = put(&s, "bkt", "k", b"v1").await.version_id;
    let v2 = put(&s, "bkt", "k", b"v2").await.version_id;
    assert!(!v1.is_null() && v1 != v2);

    let DeleteOutcome::MarkerCreated(m1) = s.delete_object("bkt", "k", None).await.unwrap() else {
        panic!()
    };
    let DeleteOutcome::MarkerCreated(m2) = s.delete_object("bkt", "k", None).await.unwrap() else {
        panic!()
    };
    assert_ne!(m1, m2);
    match get(&s, "bkt", "k", None).await {
        Err(CoreError::NoSuchKey {
            delete_marker: Some((id, _)),
        }) => assert_eq!(id, m2),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(s.head_object("bkt", "k", Some(m1)), Err(CoreError::MethodNotAllowed { version_id, .. }) if version_id == m1)
    );
    assert_eq!(get(&s, "bkt", "k", Some(v1)).await.unwrap(), b"v1");
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    assert_eq!(
        ids(&l),
        vec![
            ("k".into(), m2, true, true),
            ("k".into(), m1, false, true),
            ("k".into(), v2, false, false),
            ("k".into(), v1, false, false)
        ]
    );
    // Listing hides the key.
    let objs = s
        .list_objects(
            "bkt",
            &ListObjectsParams {
                max_keys: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(objs.objects.is_empty());

    // Deleting the markers by ID brings v2 back.
    assert_eq!(
        s.delete_object("bkt", "k", Some(m2)).await.unwrap(),
        DeleteOutcome::VersionRemoved {
            version_id: m2,
            was_marker: true,
            existed: true
        }
    );
    assert!(
        matches!(get(&s, "bkt", "k", None).await, Err(CoreError::NoSuchKey { delete_marker: Some((id, _)) }) if id == m1)
    );
    s.delete_object("bkt", "k", Some(m1)).await.unwrap();
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"v2");
    // Removing the current version makes the next newest current.
    s.delete_object("bkt", "k", Some(v2)).await.unwrap();
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"v1");
    // A delete of a key that never existed still stacks a marker.
    assert!(matches!(
        s.delete_object("bkt", "ghost", None).await.unwrap(),
        DeleteOutcome::MarkerCreated(_)
    ));
    // A well-formed unknown version is a no-op; the null version of a versioned key likewise.
    let unknown = VersionId::parse("00000000000fffff00000000").unwrap();
    assert_eq!(
        s.delete_object("bkt", "k", Some(unknown)).await.unwrap(),
        DeleteOutcome::VersionRemoved {
            version_id: unknown,
            was_marker: false,
            existed: false
        }
    );
    assert!(matches!(
        s.head_object("bkt", "k", Some(unknown)),
        Err(CoreError::NoSuchVersion)
    ));
    assert!(matches!(
        VersionId::parse("234"),
        Err(CoreError::InvalidVersionId(_))
    ));
}

#[tokio::test]
async fn suspended_bucket_replaces_only_the_null_entry() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    put(&s, "bkt", "k", b"plain").await; // null, from the unversioned era
    s.set_versioning("bkt", VersioningStatus::Enabled)
        .await
        .unwrap();
    let v1 = put(&s, "bkt", "k", b"v1").await.version_id;
    // The null version survives as noncurrent.
    assert_eq!(
        get(&s, "bkt", "k", Some(VersionId::Null)).await.unwrap(),
        b"plain"
    );
    s.set_versioning("bkt", VersioningStatus::Suspended)
        .await
        .unwrap();
    let p = put(&s, "bkt", "k", b"susp").await;
    assert_eq!(p.version_id, VersionId::Null);
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    // The rewritten null entry moved to the top; v1 untouched; the old null is gone.
    assert_eq!(
        ids(&l),
        vec![
            ("k".into(), VersionId::Null, true, false),
            ("k".into(), v1, false, false)
        ]
    );
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"susp");

    // A simple delete replaces the null entry with a null delete marker.
    assert_eq!(
        s.delete_object("bkt", "k", None).await.unwrap(),
        DeleteOutcome::MarkerCreated(VersionId::Null)
    );
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    assert_eq!(
        ids(&l),
        vec![
            ("k".into(), VersionId::Null, true, true),
            ("k".into(), v1, false, false)
        ]
    );
    // Removing the null marker by ID brings v1 back.
    assert_eq!(
        s.delete_object("bkt", "k", Some(VersionId::Null))
            .await
            .unwrap(),
        DeleteOutcome::VersionRemoved {
            version_id: VersionId::Null,
            was_marker: true,
            existed: true
        }
    );
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"v1");
    let fsck = s.fsck().unwrap();
    assert!(fsck.problems.is_empty(), "{:?}", fsck.problems);
}

#[tokio::test]
async fn delete_many_reports_each_entry_in_one_commit() {
    let (_d, s) = versioned_store().await;
    let v = put(&s, "bkt", "a", b"a").await.version_id;
    put(&s, "bkt", "b", b"b").await;
    let entries = vec![
        DeleteEntry {
            key: "a".into(),
            version_id: Some(v.to_string()),
        },
        DeleteEntry {
            key: "b".into(),
            version_id: None,
        },
        DeleteEntry {
            key: "missing".into(),
            version_id: None,
        },
        DeleteEntry {
            key: "a".into(),
            version_id: Some("bogus".into()),
        },
        DeleteEntry {
            key: "a".into(),
            version_id: Some("null".into()),
        },
    ];
    let r = s.delete_objects("bkt", entries).await.unwrap();
    assert_eq!(r.len(), 5);
    assert_eq!(
        r[0].1,
        Ok(DeleteOutcome::VersionRemoved {
            version_id: v,
            was_marker: false,
            existed: true
        })
    );
    assert!(matches!(r[1].1, Ok(DeleteOutcome::MarkerCreated(_))));
    assert!(matches!(r[2].1, Ok(DeleteOutcome::MarkerCreated(_))));
    assert_eq!(r[3].1, Err(EntryError::InvalidVersionId("bogus".into())));
    assert!(matches!(
        r[4].1,
        Ok(DeleteOutcome::VersionRemoved { existed: false, .. })
    ));

    let too_many: Vec<_> = (0..1001)
        .map(|i| DeleteEntry {
            key: format!("k{i}"),
            version_id: None,
        })
        .collect();
    assert!(matches!(
        s.delete_objects("bkt", too_many).await,
        Err(CoreError::TooManyEntries {
            got: 1001,
            max: 1000
        })
    ));
    let full: Vec<_> = (0..1000)
        .map(|i| DeleteEntry {
            key: format!("k{i}"),
            version_id: None,
        })
        .collect();
    let r = s.delete_objects("bkt", full).await.unwrap();
    assert!(
        r.iter()
            .all(|(_, o)| matches!(o, Ok(DeleteOutcome::MarkerCreated(_))))
    );
    assert!(matches!(
        s.delete_objects("nope", vec![]).await,
        Err(CoreError::NoSuchBucket)
    ));
}

#[tokio::test]
async fn reads_serve_ranges_of_inline_file_and_multipart_objects() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let big = data(300_000, 3);
    let p = put(&s, "bkt", "big", &big).await;
    assert_eq!(p.size, 300_000);
    put(&s, "bkt", "small", b"0123456789").await;
    assert_eq!(get(&s, "bkt", "big", None).await.unwrap(), big);
    let r = |first, last| Some(ByteRange::Span { first, last });
    assert_eq!(
        get_range(&s, "bkt", "big", None, r(1000, 200_000))
            .await
            .unwrap(),
        big[1000..=200_000]
    );
    assert_eq!(
        get_range(&s, "bkt", "big", None, Some(ByteRange::Suffix(10)))
            .await
            .unwrap(),
        big[big.len() - 10..]
    );
    assert_eq!(
        get_range(&s, "bkt", "small", None, Some(ByteRange::From(7)))
            .await
            .unwrap(),
        b"789"
    );
    assert!(matches!(
        get_range(&s, "bkt", "small", None, r(10, 20)).await,
        Err(CoreError::InvalidRange { size: 10 })
    ));
    let head = s.head_object("bkt", "big", None).unwrap();
    assert_eq!(head.data.etag, p.etag);
    assert_eq!(head.data.crc64, p.crc64);

    // A wrong Content-MD5 is refused and leaves nothing behind.
    let expect = Expect {
        md5: Some([0; 16]),
        ..Default::default()
    };
    let e = s
        .put_object("bkt", "bad", ObjectMeta::default(), expect, body(&big))
        .await;
    assert!(matches!(e, Err(CoreError::BadDigest("MD5"))));
    let expect = Expect {
        size: Some(5),
        ..Default::default()
    };
    let e = s
        .put_object("bkt", "bad", ObjectMeta::default(), expect, body(b"1234"))
        .await;
    assert!(matches!(
        e,
        Err(CoreError::IncompleteBody {
            expected: 5,
            got: 4
        })
    ));
    assert!(matches!(
        s.head_object("bkt", "bad", None),
        Err(CoreError::NoSuchKey { .. })
    ));
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn copy_from_an_old_version_shares_data_and_replaces_metadata() {
    let (_d, s) = versioned_store().await;
    let meta = ObjectMeta {
        content_type: Some("text/plain".into()),
        user: vec![("a".into(), "1".into())],
        ..Default::default()
    };
    let old = data(5000, 9);
    let v1 = s
        .put_object("bkt", "k", meta.clone(), Expect::default(), body(&old))
        .await
        .unwrap()
        .version_id;
    put(&s, "bkt", "k", b"newer").await;
    s.delete_object("bkt", "k", None).await.unwrap();
    // Restore by copying the old version over the key.
    let (out, src) = s
        .copy_object(
            "bkt",
            "k",
            Some(v1),
            Precondition::default(),
            "bkt",
            "k",
            MetadataDirective::Copy,
            Default::default(),
            Default::default(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(src.version_id, v1);
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), old);
    assert_eq!(s.head_object("bkt", "k", None).unwrap().data.meta, meta);
    assert_ne!(out.version_id, v1);
    let replaced = ObjectMeta {
        content_type: Some("image/png".into()),
        ..Default::default()
    };
    s.copy_object(
        "bkt",
        "k",
        Some(v1),
        Precondition::default(),
        "bkt",
        "k2",
        MetadataDirective::Replace(replaced.clone()),
        Default::default(),
        Default::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        s.head_object("bkt", "k2", None).unwrap().data.meta,
        replaced
    );
    // The source version can go; the copies keep their data.
    s.delete_object("bkt", "k", Some(v1)).await.unwrap();
    s.reclaim_now().await.unwrap();
    assert_eq!(get(&s, "bkt", "k2", None).await.unwrap(), old);
    assert!(s.fsck().unwrap().is_clean(), "{:?}", s.fsck().unwrap());
    let ghost = s
        .copy_object(
            "bkt",
            "nope",
            None,
            Precondition::default(),
            "bkt",
            "x",
            MetadataDirective::Copy,
            Default::default(),
            Default::default(),
            None,
        )
        .await;
    assert!(matches!(ghost, Err(CoreError::NoSuchKey { .. })));
}

#[tokio::test]
async fn deleted_versions_are_reclaimed_and_shared_blobs_kept() {
    let (_d, s) = versioned_store().await;
    let v = put(&s, "bkt", "k", &data(10_000, 1)).await.version_id;
    copy(&s, "bkt", "k", "copy").await;
    put(&s, "bkt", "k2", &data(10_000, 2)).await;
    s.reclaim_now().await.unwrap();
    assert_eq!(s.fsck().unwrap().files, 2);
    s.delete_object("bkt", "k", Some(v)).await.unwrap();
    s.reclaim_now().await.unwrap();
    assert_eq!(
        s.fsck().unwrap().files,
        2,
        "the copy still refers to the blob"
    );
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    for e in l.entries {
        s.delete_object("bkt", &e.key, Some(e.version_id))
            .await
            .unwrap();
    }
    s.reclaim_now().await.unwrap();
    let f = s.fsck().unwrap();
    assert!(f.is_clean(), "{f:?}");
    assert_eq!(f.files, 0);
    s.delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_second_open_of_a_data_dir_is_refused() {
    let dir = common::tempdir();
    let _s = open(dir.path()).await;
    let second = Store::open(dir.path(), StoreOptions::default()).await;
    assert!(matches!(second, Err(CoreError::DataDirLocked(_))));
}

#[tokio::test]
async fn state_survives_reopen() {
    let dir = common::tempdir();
    let v = {
        let s = open(dir.path()).await;
        s.create_bucket("bkt", "").await.unwrap();
        s.set_versioning("bkt", VersioningStatus::Enabled)
            .await
            .unwrap();
        let v = put(&s, "bkt", "k", &data(1000, 1)).await.version_id;
        put(&s, "bkt", "k", b"x").await;
        v
    };
    // The lock goes with the store; wait for background tasks to drop it.
    let s = loop {
        match Store::open(
            dir.path(),
            StoreOptions {
                inline_max: 64,
                metadata: common::pg::metadata(dir.path()),
                ..Default::default()
            },
        )
        .await
        {
            Ok(s) => break s,
            Err(CoreError::DataDirLocked(_)) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(get(&s, "bkt", "k", Some(v)).await.unwrap(), data(1000, 1));
    let v3 = put(&s, "bkt", "k", b"y").await.version_id;
    let l = s.list_versions("bkt", &all_versions()).unwrap();
    assert_eq!(
        l.entries[0].version_id, v3,
        "sequence continues after reopen"
    );
    assert_eq!(l.entries.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_commits_and_a_batch_delete_is_one_commit() {
    let (_d, s) = versioned_store().await;
    let before = s.commit_stats();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.delete_object("bkt", &format!("k{i}"), None)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let after = s.commit_stats();
    assert_eq!(after.operations - before.operations, 200);
    assert!(
        after.batches - before.batches < 200,
        "200 concurrent deletes took {} commits",
        after.batches - before.batches
    );

    let entries: Vec<_> = (0..1000)
        .map(|i| DeleteEntry {
            key: format!("k{i}"),
            version_id: None,
        })
        .collect();
    let before = s.commit_stats();
    s.delete_objects("bkt", entries).await.unwrap();
    let after = s.commit_stats();
    assert_eq!(
        (
            after.batches - before.batches,
            after.operations - before.operations
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn optional_digests_are_computed_checked_and_late_checks_can_refuse() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let compute = Extra {
        sha256: true,
        sha1: true,
        crc32c: true,
        crc64nvme: true,
    };
    let out = s
        .put_object(
            "bkt",
            "k",
            ObjectMeta::default(),
            Expect {
                compute,
                ..Default::default()
            },
            body(b"123456789"),
        )
        .await
        .unwrap();
    let d = out.digests.unwrap();
    assert_eq!(d.crc32c, Some(0xe306_9283));
    assert_eq!(d.crc64nvme, Some(0xae8b_1486_0a79_9888));
    assert_eq!(
        hex::encode(d.sha1.unwrap()),
        "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
    );
    assert_eq!(d.crc32, 0xcbf4_3926);

    let wrong = Expect {
        crc32c: Some(1),
        ..Default::default()
    };
    let e = s
        .put_object(
            "bkt",
            "k2",
            ObjectMeta::default(),
            wrong,
            body(b"123456789"),
        )
        .await;
    assert!(matches!(e, Err(CoreError::BadDigest("CRC-32C"))));
    let late: LateCheck = std::sync::Arc::new(|d: &DigestValues| {
        if d.len == 9 {
            Err(CoreError::BadDigest("trailer"))
        } else {
            Ok(())
        }
    });
    let e = s
        .put_object(
            "bkt",
            "k3",
            ObjectMeta::default(),
            Expect {
                late: Some(late),
                ..Default::default()
            },
            body(b"123456789"),
        )
        .await;
    assert!(matches!(e, Err(CoreError::BadDigest("trailer"))));
    for key in ["k2", "k3"] {
        assert!(matches!(
            s.head_object("bkt", key, None),
            Err(CoreError::NoSuchKey { .. })
        ));
    }
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn buckets_remember_who_created_them() {
    let (_d, s) = store().await;
    s.create_bucket("mine", "alice").await.unwrap();
    assert!(matches!(
        s.create_bucket("mine", "alice").await,
        Err(CoreError::BucketAlreadyExists { owned_by_you: true })
    ));
    assert!(matches!(
        s.create_bucket("mine", "bob").await,
        Err(CoreError::BucketAlreadyExists {
            owned_by_you: false
        })
    ));
    let b = s.bucket("mine").unwrap();
    assert_eq!(b.owner, "alice");
    assert!(b.is_owned_by("alice") && !b.is_owned_by("bob"));
}

/// The metadata lives where the tests chose: PostgreSQL with `STRATA_TEST_PG` (no redb file in
/// the data directory), else redb's file in the data directory.
#[tokio::test]
async fn metadata_lives_in_the_chosen_engine() {
    let (dir, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    put(&s, "bkt", "k", b"v").await;
    let redb_file = dir.path().join("meta.redb").exists();
    assert_eq!(redb_file, common::pg::server().is_none());
}

/// A multi-delete's removed blobs leave the metadata with its batch (the engine removes them
/// all at once before the commit): the others, between them, stay whole; a blob shared by a
/// copy goes only with its last reference, even when both are removed by the same request.
#[tokio::test]
async fn multi_delete_removes_exactly_the_unreferenced_blobs() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    // Inline bodies (the tests inline up to 64 bytes), every tenth in a file.
    let body_of = |i: usize| data(if i.is_multiple_of(10) { 100 } else { 40 }, i as u8);
    for i in 0..300 {
        put(&s, "bkt", &format!("k{i:03}"), &body_of(i)).await;
    }
    for i in [3, 4, 30] {
        copy(&s, "bkt", &format!("k{i:03}"), &format!("c{i:03}")).await;
    }
    // Every key not a multiple of 3 (k003 and its copy both), a key twice, a missing key.
    let mut keys: Vec<String> = (0..300)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("k{i:03}"))
        .collect();
    keys.extend(["c003", "k003", "k001", "nothing"].map(String::from));
    let entries = keys
        .iter()
        .map(|key| DeleteEntry {
            key: key.clone(),
            version_id: None,
        })
        .collect();
    let results = s.delete_objects("bkt", entries).await.unwrap();
    let existed: Vec<bool> = results
        .iter()
        .map(|(_, r)| matches!(r, Ok(DeleteOutcome::Removed { existed: true })))
        .collect();
    assert_eq!(existed.iter().filter(|e| **e).count(), 200 + 2);
    assert!(!existed[existed.len() - 2] && !existed[existed.len() - 1]);
    for i in 0..300 {
        let got = get(&s, "bkt", &format!("k{i:03}"), None).await;
        if i % 3 == 0 && i != 3 {
            assert_eq!(got.unwrap(), body_of(i), "k{i:03}");
        } else {
            assert!(matches!(got, Err(CoreError::NoSuchKey { .. })), "k{i:03}");
        }
    }
    // k004's copy kept its blob; k030 and its copy share theirs.
    assert_eq!(get(&s, "bkt", "c004", None).await.unwrap(), body_of(4));
    assert_eq!(get(&s, "bkt", "c030", None).await.unwrap(), body_of(30));
    s.reclaim_garbage().await.unwrap();
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    // k000, k006, … (99 keys but k003), plus c004 alone; c030 shares k030's.
    assert_eq!(report.blobs, 99 + 1);
}
