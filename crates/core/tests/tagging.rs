//! Tags through the store: each version keeps its own, writes give them (put, copy with or
//! without new tags, multipart from the initiation), a change goes through the write path and
//! tells lifecycle (a rule with a tag filter expires a version tagged after it was written),
//! delete markers have none to read or change, and buckets keep theirs until deleted.

mod common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::lifecycle::{Days, Expiration, Filter, NoncurrentExpiration, Outcome, Rule};
use strata_core::tagging::{TagRules, TaggingError, Tags};
use strata_core::*;

fn tags(pairs: &[(&str, &str)]) -> Tags {
    let pairs = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Tags::checked(pairs, &TagRules::S3_OBJECT).unwrap()
}

async fn put_tagged(s: &Store, key: &str, data: &[u8], t: Tags) -> PutOutcome {
    let new = NewObject {
        tags: t,
        ..Default::default()
    };
    s.put_object_if(
        "bkt",
        key,
        new,
        Expect::default(),
        Precondition::default(),
        body(data),
    )
    .await
    .unwrap()
}

fn tags_of(s: &Store, key: &str, version: Option<VersionId>) -> Result<Tags> {
    s.object_tags("bkt", key, version).map(|v| v.tags)
}

#[tokio::test]
async fn every_version_keeps_its_own_tags() {
    let (_d, s) = versioned_store().await;
    let v1 = put_tagged(&s, "k", b"1", tags(&[("a", "1")])).await;
    assert_eq!(v1.tags, tags(&[("a", "1")]));
    let v2 = put(&s, "bkt", "k", b"2").await;
    assert_eq!(tags_of(&s, "k", None).unwrap(), Tags::none());
    assert_eq!(
        tags_of(&s, "k", Some(v1.version_id)).unwrap(),
        tags(&[("a", "1")])
    );
    // Tag the older version by ID: the current one is untouched, and nothing else moves.
    let id = s
        .set_object_tags("bkt", "k", Some(v1.version_id), tags(&[("b", "2")]))
        .await
        .unwrap();
    assert_eq!(id, v1.version_id);
    assert_eq!(
        tags_of(&s, "k", Some(v1.version_id)).unwrap(),
        tags(&[("b", "2")])
    );
    assert_eq!(tags_of(&s, "k", None).unwrap(), Tags::none());
    let head = s.head_object("bkt", "k", Some(v1.version_id)).unwrap();
    assert_eq!(
        (head.last_modified_ms, head.data.etag),
        (v1.last_modified_ms, v1.etag)
    );
    // Without an ID: the current version; an empty set removes them.
    s.set_object_tags("bkt", "k", None, tags(&[("c", "3")]))
        .await
        .unwrap();
    assert_eq!(
        tags_of(&s, "k", Some(v2.version_id)).unwrap(),
        tags(&[("c", "3")])
    );
    s.set_object_tags("bkt", "k", None, Tags::none())
        .await
        .unwrap();
    assert!(tags_of(&s, "k", None).unwrap().is_empty());
    assert_eq!(
        tags_of(&s, "k", Some(v1.version_id)).unwrap(),
        tags(&[("b", "2")])
    );
}

#[tokio::test]
async fn delete_markers_have_no_tags_to_read_or_change() {
    let (_d, s) = versioned_store().await;
    put(&s, "bkt", "k", b"1").await;
    let DeleteOutcome::MarkerCreated(marker) = s.delete_object("bkt", "k", None).await.unwrap()
    else {
        panic!("a versioned delete stacks a marker")
    };
    assert!(matches!(
        tags_of(&s, "k", None),
        Err(CoreError::NoSuchKey {
            delete_marker: Some(_)
        })
    ));
    assert!(matches!(
        tags_of(&s, "k", Some(marker)),
        Err(CoreError::MethodNotAllowed { .. })
    ));
    let set = s
        .set_object_tags("bkt", "k", Some(marker), tags(&[("a", "1")]))
        .await;
    assert!(matches!(set, Err(CoreError::MethodNotAllowed { .. })));
    let missing = s.set_object_tags("bkt", "nope", None, Tags::none()).await;
    assert!(matches!(missing, Err(CoreError::NoSuchKey { .. })));
}

#[tokio::test]
async fn copies_keep_or_replace_tags_and_uploads_give_theirs_at_completion() {
    let (_d, s) = versioned_store().await;
    put_tagged(&s, "src", b"data", tags(&[("a", "1")])).await;
    let copy = |dst: &'static str, t: Option<Tags>| {
        let s = s.clone();
        async move {
            s.copy_object(
                "bkt",
                "src",
                None,
                Precondition::default(),
                "bkt",
                dst,
                MetadataDirective::Copy,
                Default::default(),
                Default::default(),
                t,
            )
            .await
            .unwrap()
        }
    };
    let (kept, _) = copy("kept", None).await;
    assert_eq!(kept.tags, tags(&[("a", "1")]));
    assert_eq!(tags_of(&s, "kept", None).unwrap(), tags(&[("a", "1")]));
    copy("replaced", Some(tags(&[("z", "9")]))).await;
    assert_eq!(tags_of(&s, "replaced", None).unwrap(), tags(&[("z", "9")]));
    copy("cleared", Some(Tags::none())).await;
    assert!(tags_of(&s, "cleared", None).unwrap().is_empty());

    let new = NewObject {
        tags: tags(&[("mp", "yes")]),
        ..Default::default()
    };
    let upload = s.create_multipart_upload("bkt", "mp", new).await.unwrap();
    assert_eq!(
        s.multipart_upload("bkt", "mp", &upload).unwrap().tags,
        tags(&[("mp", "yes")])
    );
    let part = s
        .upload_part("bkt", "mp", &upload, 1, Expect::default(), body(b"abc"))
        .await
        .unwrap();
    let (_, out) = s
        .complete_multipart_upload(
            "bkt",
            "mp",
            &upload,
            vec![(1, part.etag)],
            0,
            Expect::default(),
            Precondition::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.tags, tags(&[("mp", "yes")]));
    assert_eq!(tags_of(&s, "mp", None).unwrap(), tags(&[("mp", "yes")]));
}

#[tokio::test]
async fn bucket_tags_are_kept_until_deleted_with_their_bucket() {
    let (_d, s) = store().await;
    s.create_bucket("tagged", "").await.unwrap();
    assert!(matches!(
        s.bucket_tags("tagged"),
        Err(CoreError::Tagging(TaggingError::NoTagSet))
    ));
    let t = Tags::checked(vec![("team".into(), "x".into())], &TagRules::S3_BUCKET).unwrap();
    s.put_bucket_tags("tagged", t.clone()).await.unwrap();
    assert_eq!(s.bucket_tags("tagged").unwrap(), t);
    s.delete_bucket_tags("tagged").await.unwrap();
    assert!(s.bucket_tags("tagged").is_err());
    s.put_bucket_tags("tagged", t.clone()).await.unwrap();
    s.delete_bucket("tagged", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    assert!(matches!(
        s.put_bucket_tags("tagged", t.clone()).await,
        Err(CoreError::NoSuchBucket)
    ));
    // A bucket of the same name starts without the old one's tags.
    s.create_bucket("tagged", "").await.unwrap();
    assert!(matches!(
        s.bucket_tags("tagged"),
        Err(CoreError::Tagging(TaggingError::NoTagSet))
    ));
}

const DAY: i64 = 1000;
const START: i64 = 1_000_000_000_000;

fn removed_keys(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Done { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_tag_filter_expires_what_carries_the_tags_even_when_tagged_later() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let short = Days {
        day_ms: DAY,
        midnight: false,
    };
    let s = open_with_days(dir.path(), &wall, short).await;
    s.create_bucket("bkt", "").await.unwrap();
    let rule = Rule {
        id: "tagged".into(),
        enabled: true,
        filter: Filter {
            tags: vec![("expire".into(), "yes".into())],
            ..Filter::default()
        },
        expiration: Some(Expiration::Days(1)),
        ..Rule::default()
    };
    s.put_lifecycle("bkt", vec![rule]).await.unwrap();
    put_tagged(&s, "born", b"x", tags(&[("expire", "yes")])).await;
    put(&s, "bkt", "later", b"x").await;
    put(&s, "bkt", "never", b"x").await;
    put_tagged(&s, "other", b"x", tags(&[("expire", "no")])).await;
    // The configuration's rebuild files the keys; nothing is due yet.
    assert!(s.run_lifecycle().await.unwrap().outcomes.is_empty());
    // Tagged after it was written, well before it is due: the change files it.
    wall.store(START + DAY / 2, Ordering::Release);
    s.set_object_tags("bkt", "later", None, tags(&[("expire", "yes")]))
        .await
        .unwrap();
    wall.store(START + DAY, Ordering::Release);
    let mut gone = removed_keys(&s.run_lifecycle().await.unwrap().outcomes);
    gone.sort();
    assert_eq!(gone, ["born", "later"]);
    for key in ["never", "other"] {
        assert!(s.head_object("bkt", key, None).is_ok(), "{key}");
    }
    wall.store(START + 9 * DAY, Ordering::Release);
    assert!(s.run_lifecycle().await.unwrap().outcomes.is_empty());
}

#[tokio::test]
async fn a_noncurrent_rule_with_tags_takes_only_the_tagged_versions() {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let short = Days {
        day_ms: DAY,
        midnight: false,
    };
    let s = open_with_days(dir.path(), &wall, short).await;
    s.create_bucket("bkt", "").await.unwrap();
    s.set_versioning("bkt", VersioningStatus::Enabled)
        .await
        .unwrap();
    let rule = Rule {
        id: "nc".into(),
        enabled: true,
        filter: Filter {
            tags: vec![("old".into(), "drop".into())],
            ..Filter::default()
        },
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_noncurrent_versions: None,
        }),
        ..Rule::default()
    };
    s.put_lifecycle("bkt", vec![rule]).await.unwrap();
    let dropped = put_tagged(&s, "k", b"1", tags(&[("old", "drop")])).await;
    let kept = put(&s, "bkt", "k", b"2").await;
    let current = put_tagged(&s, "k", b"3", tags(&[("old", "drop")])).await;
    s.run_lifecycle().await.unwrap();
    wall.store(START + 2 * DAY, Ordering::Release);
    let out = s.run_lifecycle().await.unwrap().outcomes;
    assert_eq!(removed_keys(&out), ["k"]);
    let left: Vec<VersionId> = every_version(&s, "bkt")
        .into_iter()
        .map(|v| v.version_id)
        .collect();
    assert_eq!(left, [current.version_id, kept.version_id]);
    assert!(!left.contains(&dropped.version_id));
}
