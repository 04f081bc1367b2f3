//! Listings (prefix, delimiter, markers, version pagination) and multipart uploads, checked on
//! the core directly.

mod common;
use common::*;
use strata_core::*;

#[tokio::test]
async fn listing_objects_with_prefix_delimiter_and_markers() {
    let (_d, s) = versioned_store().await;
    for k in ["a/1", "a/2", "b", "c/x/1", "c/y", "d", "hidden"] {
        put(&s, "bkt", k, b"x").await;
    }
    s.delete_object("bkt", "hidden", None).await.unwrap();
    let list = |prefix: &str, delim: Option<&str>, after: Option<&str>, max| {
        s.list_objects(
            "bkt",
            &ListObjectsParams {
                prefix: prefix.into(),
                delimiter: delim.map(Into::into),
                start_after: after.map(Into::into),
                max_keys: max,
            },
        )
        .unwrap()
    };
    let keys = |l: &ObjectListing| l.objects.iter().map(|o| o.key.clone()).collect::<Vec<_>>();
    let all = list("", None, None, 1000);
    assert_eq!(keys(&all), ["a/1", "a/2", "b", "c/x/1", "c/y", "d"]);
    assert!(!all.is_truncated);
    let l = list("", Some("/"), None, 1000);
    assert_eq!(keys(&l), ["b", "d"]);
    assert_eq!(l.common_prefixes, ["a/", "c/"]);
    let l = list("c/", Some("/"), None, 1000);
    assert_eq!(keys(&l), ["c/y"]);
    assert_eq!(l.common_prefixes, ["c/x/"]);
    // Pages of 2 with the delimiter: a common prefix counts once and is not repeated.
    let p1 = list("", Some("/"), None, 2);
    assert_eq!(
        (p1.common_prefixes.clone(), keys(&p1), p1.is_truncated),
        (vec!["a/".to_string()], vec!["b".to_string()], true)
    );
    let p2 = list("", Some("/"), p1.next_marker.as_deref(), 2);
    assert_eq!(
        (p2.common_prefixes.clone(), keys(&p2)),
        (vec!["c/".to_string()], vec!["d".to_string()])
    );
    assert!(!p2.is_truncated);
    let p = list("", Some("/"), Some("a/"), 1000);
    assert_eq!(p.common_prefixes, ["c/"]);
    assert!(list("zzz", None, None, 1000).objects.is_empty());
    assert!(list("", None, None, 0).objects.is_empty());
}

#[tokio::test]
async fn listing_versions_paginates_by_position() {
    let (_d, s) = versioned_store().await;
    for k in ["a", "b", "c"] {
        for i in 0..3 {
            put(&s, "bkt", k, format!("{k}{i}").as_bytes()).await;
        }
        s.delete_object("bkt", k, None).await.unwrap();
    }
    let list = |p: ListVersionsParams| s.list_versions("bkt", &p);
    let full = list(all_versions()).unwrap();
    assert_eq!(full.entries.len(), 12);
    // Pages of 5, fed back with both markers, give the same sequence.
    let mut seen = Vec::new();
    let (mut km, mut vm) = (None, None);
    loop {
        let page = list(ListVersionsParams {
            key_marker: km.clone(),
            version_id_marker: vm.clone(),
            max_keys: 5,
            ..Default::default()
        })
        .unwrap();
        seen.extend(page.entries.clone());
        if !page.is_truncated {
            break;
        }
        km = page.next_key_marker.clone();
        vm = page.next_version_id_marker.map(|v| v.to_string());
    }
    assert_eq!(seen, full.entries);
    // A key marker alone is exclusive of every version of that key.
    let after_a = list(ListVersionsParams {
        key_marker: Some("a".into()),
        ..all_versions()
    })
    .unwrap();
    assert!(after_a.entries.iter().all(|e| e.key != "a"));
    assert_eq!(after_a.entries.len(), 8);
    // A version marker without a key marker is refused.
    let bad = list(ListVersionsParams {
        version_id_marker: Some("null".into()),
        max_keys: 10,
        ..Default::default()
    });
    assert!(matches!(bad, Err(CoreError::InvalidArgument(_))));
    // Delimiters roll keys up.
    put(&s, "bkt", "d/1", b"x").await;
    put(&s, "bkt", "d/2", b"x").await;
    let l = list(ListVersionsParams {
        delimiter: Some("/".into()),
        ..all_versions()
    })
    .unwrap();
    assert_eq!(l.common_prefixes, ["d/"]);
    assert_eq!(l.entries.len(), 12);
}

#[tokio::test]
async fn multipart_upload_complete_combines_digests() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let meta = ObjectMeta {
        content_type: Some("application/x-test".into()),
        ..Default::default()
    };
    let id = s
        .create_multipart_upload("bkt", "big", meta.clone())
        .await
        .unwrap();
    let parts: Vec<Vec<u8>> = vec![data(100_000, 1), data(100_000, 2), data(777, 3)];
    let mut etags = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let out = s
            .upload_part("bkt", "big", &id, i as u32 + 1, Expect::default(), body(p))
            .await
            .unwrap();
        etags.push((i as u32 + 1, format!("\"{}\"", out.etag)));
    }
    // Re-uploading a part replaces it (and frees the old blob).
    let out = s
        .upload_part("bkt", "big", &id, 3, Expect::default(), body(&parts[2]))
        .await
        .unwrap();
    etags[2].1 = out.etag.clone();
    let listed = s.list_parts("bkt", "big", &id, 0, 2).unwrap();
    assert_eq!(listed.parts.len(), 2);
    assert!(listed.is_truncated);
    assert_eq!(
        s.list_parts("bkt", "big", &id, 2, 1000)
            .unwrap()
            .parts
            .len(),
        1
    );
    let uploads = s.list_multipart_uploads("bkt", &all_uploads()).unwrap();
    assert_eq!(uploads.uploads.len(), 1);

    let complete = |parts: Vec<(u32, String)>, min_part_size, expect| {
        s.complete_multipart_upload(
            "bkt",
            "big",
            &id,
            parts,
            min_part_size,
            expect,
            Precondition::default(),
        )
    };
    assert!(matches!(
        complete(etags.clone(), 200_000, Expect::default()).await,
        Err(CoreError::EntityTooSmall { part: 1, .. })
    ));
    let mut wrong = etags.clone();
    wrong[1].1 = "deadbeef".into();
    assert!(matches!(
        complete(wrong, 0, Expect::default()).await,
        Err(CoreError::InvalidPart(2))
    ));
    let mut unordered = etags.clone();
    unordered.swap(0, 1);
    assert!(matches!(
        complete(unordered, 0, Expect::default()).await,
        Err(CoreError::InvalidPartOrder)
    ));
    let wrong_crc = Expect {
        crc32: Some(1),
        ..Default::default()
    };
    assert!(matches!(
        complete(etags.clone(), 5, wrong_crc).await,
        Err(CoreError::BadDigest("CRC-32"))
    ));

    let (key, done) = complete(etags.clone(), 5, Expect::default()).await.unwrap();
    assert_eq!(key, "big");
    let whole: Vec<u8> = parts.concat();
    let mut d = strata_core::blob::Digests::new(Extra::default());
    d.update(&whole);
    let whole_digests = d.finish();
    assert_eq!(done.crc64, whole_digests.crc64);
    assert_eq!(done.crc32, whole_digests.crc32);
    assert!(done.etag.ends_with("-3"), "{}", done.etag);
    assert_eq!(get(&s, "bkt", "big", None).await.unwrap(), whole);
    let r = Some(ByteRange::Span {
        first: 99_990,
        last: 100_010,
    });
    assert_eq!(
        get_range(&s, "bkt", "big", None, r).await.unwrap(),
        whole[99_990..=100_010]
    );
    assert_eq!(s.head_object("bkt", "big", None).unwrap().data.meta, meta);
    assert!(matches!(
        s.list_parts("bkt", "big", &id, 0, 10),
        Err(CoreError::NoSuchUpload)
    ));

    // Abort frees every part.
    let id2 = s
        .create_multipart_upload("bkt", "other", ObjectMeta::default())
        .await
        .unwrap();
    s.upload_part(
        "bkt",
        "other",
        &id2,
        1,
        Expect::default(),
        body(&data(1000, 5)),
    )
    .await
    .unwrap();
    s.abort_multipart_upload("bkt", "other", &id2)
        .await
        .unwrap();
    assert!(matches!(
        s.abort_multipart_upload("bkt", "other", &id2).await,
        Err(CoreError::NoSuchUpload)
    ));
    s.reclaim_now().await.unwrap();
    let f = s.fsck().unwrap();
    assert!(f.is_clean() && f.pending_garbage == 0, "{f:?}");
    assert_eq!(f.files, 3, "only the completed object's three parts remain");
}

#[tokio::test]
async fn completion_metadata_merges_over_the_uploads() {
    let (_d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    let meta = ObjectMeta {
        user: vec![
            ("both".into(), b"initiate".to_vec()),
            ("only".into(), b"i".to_vec()),
        ],
        ..Default::default()
    };
    let id = s.create_multipart_upload("bkt", "k", meta).await.unwrap();
    let p = s
        .upload_part("bkt", "k", &id, 1, Expect::default(), body(b"x"))
        .await
        .unwrap();
    s.merge_upload_user_meta(
        "bkt",
        "k",
        &id,
        vec![
            ("both".into(), b"complete".to_vec()),
            ("via".into(), b"c".to_vec()),
        ],
    )
    .await
    .unwrap();
    s.complete_multipart_upload(
        "bkt",
        "k",
        &id,
        vec![(1, p.etag)],
        0,
        Expect::default(),
        Precondition::default(),
    )
    .await
    .unwrap();
    let user = s.head_object("bkt", "k", None).unwrap().data.meta.user;
    let expected: Vec<(String, Vec<u8>)> = [("both", "complete"), ("only", "i"), ("via", "c")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.as_bytes().to_vec()))
        .collect();
    assert_eq!(user, expected);
    assert!(matches!(
        s.merge_upload_user_meta("bkt", "k", "nope", vec![("a".into(), b"b".to_vec())])
            .await,
        Err(CoreError::NoSuchUpload)
    ));
}
