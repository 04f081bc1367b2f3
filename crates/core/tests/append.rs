//! Appendable objects: positions, refusals, the whole object's checksums after appends, the
//! versioning rules, races at one position, and durability across a restart.

mod common;
use common::*;
use strata_core::blob::Digests;
use strata_core::*;

async fn append(
    s: &Store,
    key: &str,
    position: u64,
    data: &[u8],
    rules: AppendRules,
) -> Result<AppendOutcome> {
    s.append_object(
        "bkt",
        key,
        position,
        NewObject::default(),
        Expect::default(),
        rules,
        body(data),
    )
    .await
}

async fn oss(s: &Store, key: &str, position: u64, data: &[u8]) -> Result<AppendOutcome> {
    append(s, key, position, data, AppendRules::default()).await
}

fn digests(data: &[u8]) -> DigestValues {
    let mut d = Digests::new(Extra::default());
    d.update(data);
    d.finish()
}

async fn bucket_store() -> (common::TestDir, Store) {
    let (d, s) = store().await;
    s.create_bucket("bkt", "").await.unwrap();
    (d, s)
}

#[tokio::test]
async fn appends_grow_one_object_with_the_whole_bodys_checksums() {
    let (_d, s) = bucket_store().await;
    let (a, b, c) = (data(100, 1), data(5000, 2), data(3, 3));
    let first = oss(&s, "k", 0, &a).await.unwrap();
    assert_eq!(first.size, 100);
    let whole_a = digests(&a);
    assert_eq!(first.etag, hex::encode(whole_a.md5));
    let second = oss(&s, "k", 100, &b).await.unwrap();
    let third = oss(&s, "k", 5100, &c).await.unwrap();
    let all = [a.as_slice(), &b, &c].concat();
    let whole = digests(&all);
    assert_eq!(third.size, all.len() as u64);
    assert_eq!((third.crc64, third.crc32), (whole.crc64, whole.crc32));
    assert_eq!(third.md5, digests(&c).md5);
    assert_ne!(second.etag, third.etag);
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), all);
    let head = s.head_object("bkt", "k", None).unwrap();
    assert!(head.data.appendable);
    assert_eq!(head.data.segments.len(), 3);
    assert_eq!(
        (head.data.crc64, head.data.etag.as_str()),
        (whole.crc64, third.etag.as_str())
    );
    let listed = s
        .list_objects(
            "bkt",
            &ListObjectsParams {
                max_keys: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(listed.objects[0].summary.appendable);
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn a_wrong_position_is_refused_with_the_length_and_writes_nothing() {
    let (_d, s) = bucket_store().await;
    let err = |r: Result<AppendOutcome>| match r {
        Err(CoreError::Append(AppendError::PositionNotEqualToLength { length })) => length,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(err(oss(&s, "k", 4, b"x").await), 0);
    assert!(get(&s, "bkt", "k", None).await.is_err());
    oss(&s, "k", 0, b"abc").await.unwrap();
    assert_eq!(err(oss(&s, "k", 0, b"x").await), 3);
    assert_eq!(err(oss(&s, "k", 2, b"x").await), 3);
    assert_eq!(err(oss(&s, "k", 9, b"x").await), 3);
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), b"abc");
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn normal_objects_are_not_appendable_and_a_put_replaces_an_appendable_one() {
    let (_d, s) = bucket_store().await;
    put(&s, "bkt", "normal", b"abc").await;
    assert!(matches!(
        oss(&s, "normal", 3, b"d").await,
        Err(CoreError::Append(AppendError::NotAppendable))
    ));
    oss(&s, "a", 0, b"one").await.unwrap();
    put(&s, "bkt", "a", b"two").await;
    assert!(!s.head_object("bkt", "a", None).unwrap().data.appendable);
    assert!(matches!(
        oss(&s, "a", 3, b"x").await,
        Err(CoreError::Append(AppendError::NotAppendable))
    ));
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn a_copy_of_an_appendable_object_is_refused() {
    let (_d, s) = bucket_store().await;
    oss(&s, "a", 0, b"one").await.unwrap();
    let copied = s
        .copy_object(
            "bkt",
            "a",
            None,
            Precondition::default(),
            "bkt",
            "b",
            MetadataDirective::Copy,
            Default::default(),
            Default::default(),
            None,
        )
        .await;
    assert!(matches!(
        copied,
        Err(CoreError::Append(AppendError::CopySource))
    ));
    assert!(get(&s, "bkt", "b", None).await.is_err());
}

#[tokio::test]
async fn versioned_buckets_append_in_place_or_refuse_by_the_dialects_rule() {
    let (_d, s) = versioned_store().await;
    let bos = AppendRules {
        refuse_versioned: true,
    };
    assert!(matches!(
        append(&s, "k", 0, b"x", bos).await,
        Err(CoreError::Append(AppendError::Versioned))
    ));
    let first = oss(&s, "k", 0, b"ab").await.unwrap();
    let second = oss(&s, "k", 2, b"cd").await.unwrap();
    assert_eq!(first.version_id, second.version_id);
    assert_eq!(every_version(&s, "bkt").len(), 1);
    put(&s, "bkt", "k", b"new").await;
    assert_eq!(
        get(&s, "bkt", "k", Some(first.version_id)).await.unwrap(),
        b"abcd"
    );
    s.delete_object("bkt", "k", None).await.unwrap();
    let third = oss(&s, "k", 0, b"z").await.unwrap();
    assert_ne!(third.version_id, first.version_id);
    assert_eq!(every_version(&s, "bkt").len(), 4);
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_racing_appends_at_one_position_exactly_one_wins() {
    let (_d, s) = bucket_store().await;
    let s = std::sync::Arc::new(s);
    oss(&s, "k", 0, b"start").await.unwrap();
    let mut expected = b"start".to_vec();
    for round in 0..20u8 {
        let position = expected.len() as u64;
        let tasks: Vec<_> = (0..4u8)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move { (i, oss(&s, "k", position, &[round, i]).await) })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (i, Ok(_)) => winners.push(i),
                (_, Err(CoreError::Append(AppendError::PositionNotEqualToLength { length }))) => {
                    assert_eq!(length, position + 2)
                }
                (_, Err(e)) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        expected.extend([round, winners[0]]);
    }
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), expected);
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
async fn an_acknowledged_append_survives_a_restart_and_a_refused_one_leaves_nothing() {
    let dir = common::tempdir();
    let big = data(100_000, 7);
    {
        let s = open(dir.path()).await;
        s.create_bucket("bkt", "").await.unwrap();
        oss(&s, "k", 0, &big).await.unwrap();
        oss(&s, "k", big.len() as u64, b"tail").await.unwrap();
        assert!(oss(&s, "k", 1, &data(50_000, 9)).await.is_err());
        s.close().await;
    }
    let s = open(dir.path()).await;
    let all = [big.as_slice(), b"tail"].concat();
    assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), all);
    let head = s.head_object("bkt", "k", None).unwrap();
    assert!(head.data.appendable);
    assert_eq!(head.data.crc64, digests(&all).crc64);
    let report = s.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    // The store takes up appending where it was.
    oss(&s, "k", all.len() as u64, b"!").await.unwrap();
}
