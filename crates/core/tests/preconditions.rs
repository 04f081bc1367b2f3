//! Preconditions evaluated inside the write (or read) they guard: conditional puts and
//! completions race to one winner, a copy carries exactly the source version whose conditions
//! held, and an upload belongs to its key.

mod common;
use common::*;
use strata_core::*;

async fn store() -> (common::TestDir, Store) {
    let dir = common::tempdir();
    let s = open(dir.path()).await;
    s.create_bucket("bkt", "").await.unwrap();
    (dir, s)
}

fn if_none_match_any() -> Precondition {
    Precondition {
        if_none_match: Some("*".into()),
        ..Precondition::default()
    }
}

fn if_match(etag: &str) -> Precondition {
    Precondition {
        if_match: Some(format!("\"{etag}\"")),
        ..Precondition::default()
    }
}

async fn put_if(s: &Store, key: &str, data: &[u8], cond: Precondition) -> Result<PutOutcome> {
    s.put_object_if(
        "bkt",
        key,
        ObjectMeta::default(),
        Expect::default(),
        cond,
        body(data),
    )
    .await
}

/// The one of racing conditional writes (each task answers its number and its result) that
/// succeeded: exactly one does, and every other one is refused by its condition.
async fn the_one_winner<T>(round: u32, tasks: Vec<tokio::task::JoinHandle<(u8, Result<T>)>>) -> u8 {
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (i, Ok(_)) => winners.push(i),
            (_, Err(CoreError::PreconditionFailed)) => {}
            (_, Err(e)) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
    winners[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_if_none_match_puts_of_one_key_exactly_one_succeeds() {
    let (_d, s) = store().await;
    for round in 0..40 {
        let key = format!("k{round}");
        let tasks: Vec<_> = (0..8u8)
            .map(|i| {
                let (s, key) = (s.clone(), key.clone());
                tokio::spawn(
                    async move { (i, put_if(&s, &key, &[i; 100], if_none_match_any()).await) },
                )
            })
            .collect();
        let winner = the_one_winner(round, tasks).await;
        assert_eq!(get(&s, "bkt", &key, None).await.unwrap(), vec![winner; 100]);
    }
}

#[tokio::test]
async fn a_conditional_put_sees_the_current_object_and_ignores_a_delete_marker() {
    let (_d, s) = store().await;
    assert!(matches!(
        put_if(&s, "k", b"a", if_match("*")).await,
        Err(CoreError::NoSuchKey { .. })
    ));
    let a = put_if(&s, "k", b"a", if_none_match_any()).await.unwrap();
    assert!(matches!(
        put_if(&s, "k", b"b", if_none_match_any()).await,
        Err(CoreError::PreconditionFailed)
    ));
    assert!(matches!(
        put_if(&s, "k", b"b", if_match("0000")).await,
        Err(CoreError::PreconditionFailed)
    ));
    put_if(&s, "k", b"b", if_match(&a.etag)).await.unwrap();
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"b");
    s.set_versioning("bkt", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.delete_object("bkt", "k", None).await.unwrap();
    put_if(&s, "k", b"c", if_none_match_any()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_copy_carries_exactly_the_source_version_whose_conditions_held() {
    let (_d, s) = store().await;
    let (a_bytes, b_bytes) = (data(40_000, 1), data(40_000, 2));
    let mut refused = 0;
    for round in 0..30 {
        let a = put(&s, "bkt", "src", &a_bytes).await;
        let dst = format!("dst{round}");
        let copy = {
            let (s, dst, cond) = (s.clone(), dst.clone(), if_match(&a.etag));
            tokio::spawn(async move { copy(&s, &dst, cond).await })
        };
        let replace = {
            let (s, b) = (s.clone(), b_bytes.clone());
            tokio::spawn(async move { put(&s, "bkt", "src", &b).await })
        };
        replace.await.unwrap();
        match copy.await.unwrap() {
            Ok((out, source)) => {
                assert_eq!(source.data.etag, a.etag);
                assert_eq!(out.etag, a.etag);
                assert_eq!(get(&s, "bkt", &dst, None).await.unwrap(), a_bytes);
            }
            Err(CoreError::PreconditionFailed) => refused += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    // Once B is in place, a copy conditioned on A is always refused.
    let a_etag = hex::encode(md5_of(&a_bytes));
    assert!(matches!(
        copy(&s, "late", if_match(&a_etag)).await,
        Err(CoreError::PreconditionFailed)
    ));
    assert!(matches!(
        s.head_object("bkt", "late", None),
        Err(CoreError::NoSuchKey { .. })
    ));
    println!("{refused} of 30 racing copies were refused");
}

/// Copies `src` to `dst` (in `bkt`), conditioned on the source.
async fn copy(s: &Store, dst: &str, cond: Precondition) -> Result<(PutOutcome, ObjectVersion)> {
    s.copy_object(
        "bkt",
        "src",
        None,
        cond,
        "bkt",
        dst,
        MetadataDirective::Copy,
        Default::default(),
        Default::default(),
        None,
    )
    .await
}

fn md5_of(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(bytes).into()
}

#[tokio::test]
async fn copy_source_dates_and_none_match_are_evaluated_on_the_source() {
    let (_d, s) = store().await;
    let a = put(&s, "bkt", "src", b"abc").await;
    let secs = a.last_modified_ms.div_euclid(1000);
    for failing in [
        Precondition {
            if_none_match: Some(a.etag.clone()),
            ..Precondition::default()
        },
        Precondition {
            if_modified_since: Some(secs),
            ..Precondition::default()
        },
        Precondition {
            if_unmodified_since: Some(secs - 1),
            ..Precondition::default()
        },
    ] {
        assert!(matches!(
            copy(&s, "dst", failing).await,
            Err(CoreError::PreconditionFailed)
        ));
    }
    let holding = Precondition {
        if_modified_since: Some(secs - 1),
        if_unmodified_since: Some(secs),
        ..Precondition::default()
    };
    copy(&s, "dst", holding).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_part_copy_is_the_bytes_of_the_source_version_checked() {
    let (_d, s) = store().await;
    let (a_bytes, b_bytes) = (data(30_000, 3), data(30_000, 4));
    for round in 0..20 {
        let a = put(&s, "bkt", "src", &a_bytes).await;
        let key = format!("mp{round}");
        let id = s
            .create_multipart_upload("bkt", &key, ObjectMeta::default())
            .await
            .unwrap();
        let replace = {
            let (s, b) = (s.clone(), b_bytes.clone());
            tokio::spawn(async move { put(&s, "bkt", "src", &b).await })
        };
        let read = s
            .get_object_if("bkt", "src", None, None, &if_match(&a.etag))
            .await;
        replace.await.unwrap();
        let read = match read {
            Ok(read) => read,
            Err(CoreError::PreconditionFailed) => continue,
            Err(e) => panic!("unexpected {e}"),
        };
        assert_eq!(read.version.data.etag, a.etag);
        let part = s
            .upload_part(
                "bkt",
                &key,
                &id,
                1,
                Expect {
                    size: Some(read.version.data.size),
                    ..Expect::default()
                },
                read.body,
            )
            .await
            .unwrap();
        assert_eq!(part.etag, a.etag);
        s.complete_multipart_upload(
            "bkt",
            &key,
            &id,
            vec![(1, part.etag)],
            0,
            Expect::default(),
            Precondition::default(),
        )
        .await
        .unwrap();
        assert_eq!(get(&s, "bkt", &key, None).await.unwrap(), a_bytes);
    }
    // With B in place, a part copy conditioned on A reads nothing.
    let a_etag = hex::encode(md5_of(&a_bytes));
    assert!(matches!(
        s.get_object_if("bkt", "src", None, None, &if_match(&a_etag))
            .await
            .map(|_| ()),
        Err(CoreError::PreconditionFailed)
    ));
}

#[tokio::test]
async fn an_upload_belongs_to_its_key_for_every_operation() {
    let (_d, s) = store().await;
    let id = s
        .create_multipart_upload("bkt", "right", ObjectMeta::default())
        .await
        .unwrap();
    let part = |key: &'static str| {
        let (s, id) = (s.clone(), id.clone());
        async move {
            s.upload_part("bkt", key, &id, 1, Expect::default(), body(b"x"))
                .await
        }
    };
    assert!(matches!(part("wrong").await, Err(CoreError::NoSuchUpload)));
    let p = part("right").await.unwrap();
    assert!(matches!(
        s.list_parts("bkt", "wrong", &id, 0, 10),
        Err(CoreError::NoSuchUpload)
    ));
    assert!(matches!(
        s.multipart_upload("bkt", "wrong", &id),
        Err(CoreError::NoSuchUpload)
    ));
    assert!(matches!(
        s.merge_upload_user_meta("bkt", "wrong", &id, vec![("a".into(), b"b".to_vec())])
            .await,
        Err(CoreError::NoSuchUpload)
    ));
    assert!(matches!(
        s.abort_multipart_upload("bkt", "wrong", &id).await,
        Err(CoreError::NoSuchUpload)
    ));
    let parts = vec![(1, p.etag.clone())];
    let complete = |key: &'static str, cond: Precondition| {
        let (s, id, parts) = (s.clone(), id.clone(), parts.clone());
        async move {
            s.complete_multipart_upload("bkt", key, &id, parts, 0, Expect::default(), cond)
                .await
        }
    };
    assert!(matches!(
        complete("wrong", Precondition::default()).await,
        Err(CoreError::NoSuchUpload)
    ));
    // Nothing above touched the upload: its part is still listed and it completes.
    assert_eq!(
        s.list_parts("bkt", "right", &id, 0, 10)
            .unwrap()
            .parts
            .len(),
        1
    );
    put(&s, "bkt", "right", b"existing").await;
    assert!(matches!(
        complete("right", if_none_match_any()).await,
        Err(CoreError::PreconditionFailed)
    ));
    let existing = s.head_object("bkt", "right", None).unwrap().data.etag;
    complete("right", if_match(&existing)).await.unwrap();
    assert_eq!(get(&s, "bkt", "right", None).await.unwrap(), b"x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_if_none_match_completions_of_one_key_exactly_one_succeeds() {
    let (_d, s) = store().await;
    for round in 0..15 {
        let key = format!("k{round}");
        let mut uploads = Vec::new();
        for i in 0..4u8 {
            let id = s
                .create_multipart_upload("bkt", &key, ObjectMeta::default())
                .await
                .unwrap();
            let p = s
                .upload_part("bkt", &key, &id, 1, Expect::default(), body(&[i; 10]))
                .await
                .unwrap();
            uploads.push((i, id, p.etag));
        }
        let tasks: Vec<_> = uploads
            .into_iter()
            .map(|(i, id, etag)| {
                let (s, key) = (s.clone(), key.clone());
                tokio::spawn(async move {
                    let r = s
                        .complete_multipart_upload(
                            "bkt",
                            &key,
                            &id,
                            vec![(1, etag)],
                            0,
                            Expect::default(),
                            if_none_match_any(),
                        )
                        .await;
                    (i, r)
                })
            })
            .collect();
        let winner = the_one_winner(round, tasks).await;
        assert_eq!(get(&s, "bkt", &key, None).await.unwrap(), vec![winner; 10]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_operations_do_not_fail_the_batch_they_share() {
    let (_d, s) = store().await;
    let a = put(&s, "bkt", "guarded", b"a").await;
    let before = s.commit_stats();
    let tasks: Vec<_> = (0..64u32)
        .map(|i| {
            let s = s.clone();
            let cond = if i % 2 == 0 {
                if_match("0000")
            } else {
                Precondition::default()
            };
            tokio::spawn(async move { (i, put_if(&s, &format!("k{i}"), b"v", cond).await) })
        })
        .collect();
    for t in tasks {
        match t.await.unwrap() {
            (i, Ok(_)) => assert!(i % 2 == 1),
            (i, Err(CoreError::NoSuchKey { .. })) => assert!(i % 2 == 0),
            (_, Err(e)) => panic!("unexpected {e}"),
        }
    }
    for i in (1..64).step_by(2) {
        assert_eq!(get(&s, "bkt", &format!("k{i}"), None).await.unwrap(), b"v");
    }
    assert!(s.commit_stats().batches > before.batches);
    assert_eq!(
        s.head_object("bkt", "guarded", None).unwrap().data.etag,
        a.etag
    );
}

/// Copies `src` to `dst` (in `bkt`), conditioned on the destination's current object.
async fn copy_onto(s: &Store, dst: &str, cond: Precondition) -> Result<PutOutcome> {
    s.copy_object_as(
        ("bkt", "src", None),
        (Precondition::default(), cond),
        "bkt",
        dst,
        MetadataDirective::Copy,
        NewObject::default(),
        None,
        None,
    )
    .await
    .map(|(out, _)| out)
}

#[tokio::test]
async fn a_copy_s_destination_condition_is_evaluated_on_the_destination() {
    let (_d, s) = store().await;
    put(&s, "bkt", "src", b"source").await;
    let taken = put(&s, "bkt", "taken", b"kept").await;
    assert!(matches!(
        copy_onto(&s, "taken", if_none_match_any()).await,
        Err(CoreError::PreconditionFailed)
    ));
    let kept = s.head_object("bkt", "taken", None).unwrap();
    assert_eq!(kept.data.etag, taken.etag);
    copy_onto(&s, "free", if_none_match_any()).await.unwrap();
    assert_eq!(
        s.head_object("bkt", "free", None).unwrap().data.size,
        b"source".len() as u64
    );
    copy_onto(&s, "taken", if_match(&taken.etag)).await.unwrap();
    assert!(matches!(
        copy_onto(&s, "taken", if_match(&taken.etag)).await,
        Err(CoreError::PreconditionFailed)
    ));
}
