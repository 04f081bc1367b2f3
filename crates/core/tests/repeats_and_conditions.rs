//! Repeated multipart completions, conditional deletes, and deleting a bucket whose only
//! contents are incomplete multipart uploads, checked on the core directly.

mod common;
use common::*;
use strata_core::*;

/// Starts an upload of `key` with two parts; returns its ID and the part list to complete.
async fn upload(s: &Store, bucket: &str, key: &str) -> (String, Vec<(u32, String)>) {
    let id = s
        .create_multipart_upload(bucket, key, ObjectMeta::default())
        .await
        .unwrap();
    let mut parts = Vec::new();
    for (n, seed) in [(1u32, 1u8), (2, 2)] {
        let p = s
            .upload_part(
                bucket,
                key,
                &id,
                n,
                Expect::default(),
                body(&data(5000, seed)),
            )
            .await
            .unwrap();
        parts.push((n, format!("\"{}\"", p.etag)));
    }
    (id, parts)
}

async fn complete(
    s: &Store,
    key: &str,
    id: &str,
    parts: &[(u32, String)],
) -> Result<(String, PutOutcome)> {
    s.complete_multipart_upload(
        "bkt",
        key,
        id,
        parts.to_vec(),
        0,
        Expect::default(),
        Precondition::default(),
    )
    .await
}

#[tokio::test]
async fn a_repeated_completion_answers_the_same_while_its_version_exists() {
    let (_d, s) = versioned_store().await;
    let (id, parts) = upload(&s, "bkt", "k").await;
    let (_, first) = complete(&s, "k", &id, &parts).await.unwrap();
    let commits = s.commit_stats().batches;
    let (key, again) = complete(&s, "k", &id, &parts).await.unwrap();
    assert_eq!((key.as_str(), &again), ("k", &first));
    // Unquoted ETags are the same list.
    let bare: Vec<(u32, String)> = parts
        .iter()
        .map(|(n, e)| (*n, e.trim_matches('"').to_owned()))
        .collect();
    assert_eq!(complete(&s, "k", &id, &bare).await.unwrap().1, first);
    assert_eq!(s.commit_stats().batches, commits + 2);
    // Another part list, or another key, is not a repeat.
    assert!(matches!(
        complete(&s, "k", &id, &parts[..1]).await,
        Err(CoreError::NoSuchUpload)
    ));
    assert!(matches!(
        complete(&s, "other", &id, &parts).await,
        Err(CoreError::NoSuchUpload)
    ));
    // A newer version does not end it; removing the version does.
    put(&s, "bkt", "k", b"newer").await;
    assert_eq!(complete(&s, "k", &id, &parts).await.unwrap().1, first);
    s.delete_object("bkt", "k", Some(first.version_id))
        .await
        .unwrap();
    assert!(matches!(
        complete(&s, "k", &id, &parts).await,
        Err(CoreError::NoSuchUpload)
    ));
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn an_overwrite_ends_the_repeats_of_an_unversioned_completion() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let (id, parts) = upload(&s, "bkt", "k").await;
    let (_, first) = complete(&s, "k", &id, &parts).await.unwrap();
    assert_eq!(complete(&s, "k", &id, &parts).await.unwrap().1, first);
    let wrong_size = Expect {
        size: Some(1),
        ..Default::default()
    };
    assert!(matches!(
        s.complete_multipart_upload(
            "bkt",
            "k",
            &id,
            parts.clone(),
            0,
            wrong_size,
            Precondition::default()
        )
        .await,
        Err(CoreError::IncompleteBody { .. })
    ));
    put(&s, "bkt", "k", b"overwritten").await;
    assert!(matches!(
        complete(&s, "k", &id, &parts).await,
        Err(CoreError::NoSuchUpload)
    ));
    // A later upload of the key is the one remembered.
    let (id2, parts2) = upload(&s, "bkt", "k").await;
    let (_, second) = complete(&s, "k", &id2, &parts2).await.unwrap();
    assert_eq!(complete(&s, "k", &id2, &parts2).await.unwrap().1, second);
    assert!(matches!(
        complete(&s, "k", &id, &parts).await,
        Err(CoreError::NoSuchUpload)
    ));
    s.delete_object("bkt", "k", None).await.unwrap();
    assert!(matches!(
        complete(&s, "k", &id2, &parts2).await,
        Err(CoreError::NoSuchUpload)
    ));
    s.reclaim_now().await.unwrap();
    assert!(s.fsck().unwrap().is_clean());
}

fn if_match(tag: &str) -> Precondition {
    Precondition {
        if_match: Some(tag.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_delete_whose_condition_fails_changes_nothing() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let out = put(&s, "bkt", "k", b"abc").await;
    let head = s.head_object("bkt", "k", None).unwrap();
    for cond in [
        if_match("\"0123\""),
        Precondition {
            size: Some(4),
            ..Default::default()
        },
        Precondition {
            last_modified_secs: Some(head.last_modified_ms / 1000 - 1),
            ..Default::default()
        },
        Precondition {
            if_match: Some(format!("\"{}\"", out.etag)),
            size: Some(99),
            ..Default::default()
        },
    ] {
        assert!(matches!(
            s.delete_object_if("bkt", "k", None, cond, false).await,
            Err(CoreError::PreconditionFailed)
        ));
    }
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"abc");
    let all = Precondition {
        if_match: Some(format!("\"other\", \"{}\"", out.etag.to_uppercase())),
        last_modified_secs: Some(head.last_modified_ms / 1000),
        size: Some(3),
        ..Precondition::default()
    };
    assert_eq!(
        s.delete_object_if("bkt", "k", None, all, false)
            .await
            .unwrap(),
        DeleteOutcome::Removed { existed: true }
    );
    // Nothing to delete: every condition holds.
    assert_eq!(
        s.delete_object_if("bkt", "k", None, if_match("bad"), false)
            .await
            .unwrap(),
        DeleteOutcome::Removed { existed: false }
    );
}

#[tokio::test]
async fn conditions_apply_to_the_current_entry_or_the_version_named() {
    let (_d, s) = versioned_store().await;
    let v1 = put(&s, "bkt", "k", b"one").await;
    let v2 = put(&s, "bkt", "k", b"two!").await;
    // The current entry is v2: v1's ETag does not match it.
    assert!(matches!(
        s.delete_object_if("bkt", "k", None, if_match(&v1.etag), false)
            .await,
        Err(CoreError::PreconditionFailed)
    ));
    let outcome = s
        .delete_object_if("bkt", "k", None, if_match(&v2.etag), false)
        .await
        .unwrap();
    assert!(matches!(outcome, DeleteOutcome::MarkerCreated(_)));
    // A delete marker is current: it has no ETag and size 0, but it exists.
    assert!(matches!(
        s.delete_object_if("bkt", "k", None, if_match(&v2.etag), false)
            .await,
        Err(CoreError::PreconditionFailed)
    ));
    let size_0 = Precondition {
        size: Some(0),
        ..Default::default()
    };
    assert!(
        s.delete_object_if("bkt", "k", None, size_0, false)
            .await
            .is_ok()
    );
    assert!(
        s.delete_object_if("bkt", "k", None, if_match("*"), false)
            .await
            .is_ok()
    );
    // By version ID: the condition is on that version.
    assert!(matches!(
        s.delete_object_if("bkt", "k", Some(v1.version_id), if_match(&v2.etag), false)
            .await,
        Err(CoreError::PreconditionFailed)
    ));
    let gone = s
        .delete_object_if("bkt", "k", Some(v1.version_id), if_match(&v1.etag), false)
        .await
        .unwrap();
    assert!(matches!(
        gone,
        DeleteOutcome::VersionRemoved { existed: true, .. }
    ));
    let again = s
        .delete_object_if("bkt", "k", Some(v1.version_id), if_match("bad"), false)
        .await
        .unwrap();
    assert!(matches!(
        again,
        DeleteOutcome::VersionRemoved { existed: false, .. }
    ));
    // A key that never existed.
    assert!(
        s.delete_object_if("bkt", "never", None, if_match("bad"), false)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_multi_delete_fails_only_the_entries_whose_condition_fails() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let a = put(&s, "bkt", "a", b"a").await;
    put(&s, "bkt", "b", b"b").await;
    let entry = |key: &str| DeleteEntry {
        key: key.into(),
        version_id: None,
    };
    let results = s
        .delete_objects_if(
            "bkt",
            vec![
                (entry("a"), if_match(&a.etag)),
                (entry("b"), if_match(&a.etag)),
                (entry("c"), if_match("bad")),
            ],
            strata_core::BatchRules::default(),
        )
        .await
        .unwrap();
    let outcomes: Vec<_> = results.into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        outcomes,
        vec![
            Ok(DeleteOutcome::Removed { existed: true }),
            Err(EntryError::PreconditionFailed),
            Ok(DeleteOutcome::Removed { existed: false }),
        ]
    );
    assert!(s.head_object("bkt", "a", None).is_err());
    assert_eq!(get(&s, "bkt", "b", None).await.unwrap(), b"b");
}

#[tokio::test]
async fn deleting_a_bucket_aborts_its_uploads_only_when_asked() {
    let (d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let (_, _) = upload(&s, "bkt", "a").await;
    let (_, _) = upload(&s, "bkt", "b/c").await;
    assert!(matches!(
        s.delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
            .await,
        Err(CoreError::BucketNotEmpty)
    ));
    put(&s, "bkt", "obj", b"x").await;
    assert!(matches!(
        s.delete_bucket("bkt", DeleteBucketMode::AbortUploads).await,
        Err(CoreError::BucketNotEmpty)
    ));
    s.delete_object("bkt", "obj", None).await.unwrap();
    s.delete_bucket("bkt", DeleteBucketMode::AbortUploads)
        .await
        .unwrap();
    assert!(matches!(s.bucket("bkt"), Err(CoreError::NoSuchBucket)));
    // The parts' blobs (4 files of 5000 bytes) are released and their files removed.
    s.reclaim_now().await.unwrap();
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!((report.uploads, report.blobs, report.files), (0, 0, 0));
    // A bucket of the same name starts empty.
    s.create_bucket("bkt", "").await.unwrap();
    let uploads = s.list_multipart_uploads("bkt", &all_uploads()).unwrap();
    assert!(uploads.uploads.is_empty());
    drop(d);
}

/// The keys of `bkt`, listed.
fn listed(s: &Store) -> Vec<String> {
    let params = ListObjectsParams {
        max_keys: 1000,
        ..Default::default()
    };
    let page = s.list_objects("bkt", &params).unwrap();
    page.objects.into_iter().map(|o| o.key).collect()
}

fn deletes(keys: &[&str]) -> Vec<DeleteEntry> {
    keys.iter()
        .map(|k| DeleteEntry {
            key: (*k).to_owned(),
            version_id: None,
        })
        .collect()
}

/// A delete-many in an unversioned bucket removes each key's entry alike whether its keys are
/// close together (the engine may remove them by one scan of each table) or far apart (one
/// at a time): the results in the request's order, a key named twice removed once, a bad key
/// refused alone, a multipart object's completion record and the blobs no copy still uses
/// gone, and the counts, the listing and the store's check in agreement.
#[tokio::test]
async fn an_unversioned_delete_many_removes_keys_close_together_or_far_apart() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    // Inline bodies (the tests inline up to 64 bytes), every seventh in a file.
    let body_of = |i: usize| data(if i.is_multiple_of(7) { 100 } else { 30 }, i as u8);
    let key = |i: usize| format!("k{i:03}");
    for i in 0..400 {
        put(&s, "bkt", &key(i), &body_of(i)).await;
    }
    let (id, parts) = upload(&s, "bkt", &key(150)).await;
    complete(&s, &key(150), &id, &parts).await.unwrap();
    copy(&s, "bkt", &key(120), "copy").await;

    // Close together: k100..k199 but k110 and k160, k120 twice, a key never written, an
    // empty key.
    let kept_near = |i: usize| i == 110 || i == 160;
    let mut near: Vec<String> = (100..200).filter(|i| !kept_near(*i)).map(key).collect();
    near.extend(["k120", "k150x", ""].map(String::from));
    let near: Vec<&str> = near.iter().map(String::as_str).collect();
    let r = s.delete_objects("bkt", deletes(&near)).await.unwrap();
    assert_eq!(r.len(), 101);
    for (i, (entry, outcome)) in r.iter().enumerate() {
        assert_eq!(entry.key, near[i]);
        match i {
            0..98 => assert_eq!(outcome, &Ok(DeleteOutcome::Removed { existed: true })),
            98 | 99 => assert_eq!(outcome, &Ok(DeleteOutcome::Removed { existed: false })),
            _ => assert!(
                matches!(outcome, Err(EntryError::InvalidKey(_))),
                "{outcome:?}"
            ),
        }
    }
    // Far apart: three keys of the 300 left, and one of them again.
    let far = ["k399", "k000", "k250", "k000"];
    let r = s.delete_objects("bkt", deletes(&far)).await.unwrap();
    let existed: Vec<bool> = r
        .iter()
        .map(|(_, o)| matches!(o, Ok(DeleteOutcome::Removed { existed: true })))
        .collect();
    assert_eq!(existed, [true, true, true, false]);

    let gone = |i: usize| (100..200).contains(&i) && !kept_near(i) || [0, 250, 399].contains(&i);
    let mut expected: Vec<String> = (0..400).filter(|i| !gone(*i)).map(key).collect();
    expected.insert(0, "copy".into());
    assert_eq!(listed(&s), expected);
    for i in 0..400 {
        let got = get(&s, "bkt", &key(i), None).await;
        if gone(i) {
            assert!(
                matches!(got, Err(CoreError::NoSuchKey { .. })),
                "{}",
                key(i)
            );
        } else {
            assert_eq!(got.unwrap(), body_of(i), "{}", key(i));
        }
    }
    assert_eq!(get(&s, "bkt", "copy", None).await.unwrap(), body_of(120));
    s.reclaim_garbage().await.unwrap();
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    let (kept, scanned) = settled_stats(&s);
    assert_eq!(kept, scanned);
    assert_eq!(kept.objects, 299 + 1);
}

/// A delete-many of keys in a bucket with versioning enabled stacks a delete marker per entry,
/// in the request's order (a key named twice gets two), whether or not the key had an
/// object, and refuses a bad key alone: the keys leave the listing, their versions stay, and
/// the counts agree with the records.
#[tokio::test]
async fn a_versioned_delete_many_stacks_a_marker_per_entry_in_order() {
    let (_d, s) = versioned_store().await;
    let key = |i: usize| format!("k{i:03}");
    for i in 0..200 {
        put(&s, "bkt", &key(i), &data(20, i as u8)).await;
    }
    let mut batch: Vec<String> = (50..150).map(key).collect();
    batch.extend(["k060", "never", ""].map(String::from));
    let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
    let r = s.delete_objects("bkt", deletes(&batch)).await.unwrap();
    let ids: Vec<VersionId> = r[..102]
        .iter()
        .map(|(_, o)| match o {
            Ok(DeleteOutcome::MarkerCreated(id)) => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(matches!(r[102].1, Err(EntryError::InvalidKey(_))));

    let mut expected: Vec<String> = (0..200)
        .filter(|i| !(50..150).contains(i))
        .map(key)
        .collect();
    expected.sort();
    let params = ListObjectsParams {
        max_keys: 1000,
        ..Default::default()
    };
    let page = s.list_objects("bkt", &params).unwrap();
    let keys: Vec<String> = page.objects.into_iter().map(|o| o.key).collect();
    assert_eq!(keys, expected);
    let versions = s.list_versions("bkt", &all_versions()).unwrap().entries;
    let of = |k: &str| -> Vec<(VersionId, bool)> {
        versions
            .iter()
            .filter(|v| v.key == k)
            .map(|v| (v.version_id, v.object.is_none()))
            .collect()
    };
    // k060: the second marker over the first over the object; every other key one marker.
    let k060 = of("k060");
    assert_eq!(k060.len(), 3);
    assert_eq!(k060[0], (ids[100], true));
    assert_eq!(k060[1], (ids[10], true));
    assert!(!k060[2].1);
    assert_eq!(of("k100")[0], (ids[50], true));
    assert_eq!(of("never"), [(ids[101], true)]);
    assert_eq!(of("k010").len(), 1);
    let (kept, scanned) = settled_stats(&s);
    assert_eq!(kept, scanned);
    assert_eq!((kept.objects, kept.delete_markers), (100, 102));
}
