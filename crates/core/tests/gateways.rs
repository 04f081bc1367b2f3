//! Caches that stay exact across gateways: every change that the request path's cached
//! configurations (a bucket's existence and access configuration, its CORS and lifecycle
//! rules) or the API's users depend on moves the stored configuration generation in its own
//! write; and a store over a shared engine (PostgreSQL) sees a change another gateway
//! committed at its very next lookup, though it answers from memory between changes.
//!
//! The other gateway is played by a plain SQL transaction on the same database that makes
//! exactly the rows a gateway's write makes (records captured from this store's own earlier
//! writes, and the generation moved): the engine lets one server write a database at a time
//! for now, so two `Store`s cannot both be open over it.

mod common;
use common::pg::{Write, other_gateway, stored_row};
use common::*;
use strata_core::access::{Grant, Grantee, Permission};
use strata_core::lifecycle::{Expiration, Filter, Rule};
use strata_core::*;

const DENY_GETS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}"#;

fn cors(origin: &str) -> cors::Config {
    cors::Config {
        rules: vec![cors::Rule {
            origins: vec![origin.into()],
            methods: vec![cors::Method::Get],
            ..cors::Rule::default()
        }],
        vary: true,
    }
}

fn expire(id: &str, days: u32) -> Vec<Rule> {
    vec![Rule {
        id: id.into(),
        enabled: true,
        filter: Filter::prefix(""),
        expiration: Some(Expiration::Days(days)),
        ..Rule::default()
    }]
}

fn allow_origin(store: &Store, origin: &str) -> Option<String> {
    store
        .cors_headers("bkt", origin, "GET")
        .into_iter()
        .find(|(n, _)| *n == "access-control-allow-origin")
        .map(|(_, v)| v)
}

fn rule_ids(store: &Store) -> Option<Vec<String>> {
    let rules = store.lifecycle_rules("bkt").unwrap()?;
    Some(rules.iter().map(|r| r.id.clone()).collect())
}

#[tokio::test]
async fn every_configuration_change_moves_the_stored_generation_once() {
    let (_dir, s) = store().await;
    let mut at = s.config_generation().unwrap();
    let mut moved = |by: u64, what: &str| {
        let now = s.config_generation().unwrap();
        assert_eq!(now, at + by, "{what}");
        at = now;
    };

    s.create_bucket("bkt", "alice").await.unwrap();
    moved(1, "create");
    assert!(s.create_bucket("bkt", "bob").await.is_err());
    moved(0, "a refused create");
    s.update_bucket_access("bkt", |_, rec| {
        rec.acl
            .push(Grant::new(Grantee::AllUsers, Permission::Read));
        Ok(())
    })
    .await
    .unwrap();
    moved(1, "an ACL");
    s.update_bucket_access("bkt", |_, rec| {
        rec.policy = Some(DENY_GETS.into());
        Ok(())
    })
    .await
    .unwrap();
    moved(1, "a policy");
    let refused = s
        .update_bucket_access("bkt", |_, _| -> Result<()> { Err(CoreError::NoSuchBucket) })
        .await;
    assert!(refused.is_err());
    moved(0, "a refused access change");
    s.put_cors("bkt", cors("http://a")).await.unwrap();
    moved(1, "a CORS put");
    assert!(s.put_cors("nobkt", cors("http://a")).await.is_err());
    moved(0, "a CORS put to no bucket");
    s.delete_cors("bkt").await.unwrap();
    moved(1, "a CORS delete");
    s.put_lifecycle("bkt", expire("one", 1)).await.unwrap();
    moved(1, "a lifecycle put");
    s.delete_lifecycle("bkt").await.unwrap();
    moved(1, "a lifecycle delete");
    // What no cache holds leaves it alone.
    s.set_versioning("bkt", VersioningStatus::Enabled)
        .await
        .unwrap();
    put(&s, "bkt", "k", b"data").await;
    moved(0, "versioning and an object");

    let (key, _) = s
        .put_user(NewUser {
            id: "carol".into(),
            ..NewUser::default()
        })
        .await
        .unwrap();
    moved(1, "a user added");
    let again = NewUser {
        id: "carol".into(),
        access_key: Some(key.clone()),
        ..NewUser::default()
    };
    assert!(s.put_user(again).await.is_err());
    moved(0, "a user refused");
    s.rotate_user_key(&key).await.unwrap();
    moved(1, "a key rotated");
    assert_eq!(
        s.seed_user("SEEDED", "dave", "Dave", "secret")
            .await
            .unwrap(),
        Seeded::Added
    );
    moved(1, "a user seeded");
    assert_eq!(
        s.seed_user("SEEDED", "dave", "Dave", "secret")
            .await
            .unwrap(),
        Seeded::Unchanged
    );
    moved(0, "a seed that changes nothing");
    assert_eq!(
        s.seed_user("SEEDED", "dave", "Dave", "other")
            .await
            .unwrap(),
        Seeded::Updated
    );
    moved(1, "a seed that changes the secret");
    s.remove_user(&key).await.unwrap();
    moved(1, "a user removed");
    assert!(s.remove_user(&key).await.is_err());
    moved(0, "no such user");

    s.create_bucket("gone", "alice").await.unwrap();
    moved(1, "create");
    assert!(
        s.delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
            .await
            .is_err()
    );
    moved(0, "a refused delete");
    s.delete_bucket("gone", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    moved(1, "a bucket deleted");
    // The generation is not one of the store's counts, and nothing checks it against them.
    assert!(s.fsck().unwrap().is_clean());
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_change_another_gateway_commits_is_seen_at_the_next_lookup() {
    let dir = tempdir();
    let url = pg::metadata(dir.path()).expect("STRATA_TEST_PG is not set");
    let b = open(dir.path()).await;
    assert!(b.shared());

    // The rows the other gateway will write: those this store's own writes made.
    b.create_bucket("bkt", "alice").await.unwrap();
    let private = stored_row(&url, "buckets", "bkt");
    b.update_bucket_access("bkt", |_, rec| {
        rec.acl
            .push(Grant::new(Grantee::AllUsers, Permission::Read));
        rec.policy = Some(DENY_GETS.into());
        Ok(())
    })
    .await
    .unwrap();
    let public = stored_row(&url, "buckets", "bkt");
    let access = b.bucket_access("bkt").unwrap().unwrap();
    assert!(access.policy.is_some() && access.acl.len() == 2);

    // A row changed without the generation is not seen: the cache answers, and what tells
    // the other gateways of a change is the generation that moves with it.
    other_gateway(&url, vec![Write::PutBucket("bkt", private.clone())]);
    assert!(b.bucket_access("bkt").unwrap().unwrap().policy.is_some());
    other_gateway(&url, vec![Write::Changed]);
    let access = b.bucket_access("bkt").unwrap().unwrap();
    assert!(access.policy.is_none() && access.acl.len() == 1);

    // A policy and ACL put, a delete and a create, each as one write with its generation.
    other_gateway(&url, vec![Write::PutBucket("bkt", public), Write::Changed]);
    let access = b.bucket_access("bkt").unwrap().unwrap();
    assert!(access.policy.is_some() && access.acl.len() == 2);
    other_gateway(&url, vec![Write::RemoveBucket("bkt"), Write::Changed]);
    assert!(b.bucket_access("bkt").unwrap().is_none());
    other_gateway(&url, vec![Write::PutBucket("bkt", private), Write::Changed]);
    assert_eq!(b.bucket_owner("bkt").unwrap().as_deref(), Some("alice"));
    assert!(b.bucket_access("bkt").unwrap().unwrap().policy.is_none());

    // CORS rules.
    b.put_cors("bkt", cors("http://a")).await.unwrap();
    let rules_a = stored_row(&url, "settings", "cors/bkt");
    b.put_cors("bkt", cors("http://z")).await.unwrap();
    assert!(allow_origin(&b, "http://z").is_some());
    other_gateway(
        &url,
        vec![Write::PutSetting("cors/bkt", rules_a), Write::Changed],
    );
    assert_eq!(allow_origin(&b, "http://z"), None);
    assert!(allow_origin(&b, "http://a").is_some());
    other_gateway(&url, vec![Write::RemoveSetting("cors/bkt"), Write::Changed]);
    assert_eq!(allow_origin(&b, "http://a"), None);

    // Lifecycle rules.
    b.put_lifecycle("bkt", expire("one", 1)).await.unwrap();
    let rules_one = stored_row(&url, "settings", "lifecycle/config/bkt");
    b.put_lifecycle("bkt", expire("two", 2)).await.unwrap();
    assert_eq!(rule_ids(&b), Some(vec!["two".to_owned()]));
    other_gateway(
        &url,
        vec![
            Write::PutSetting("lifecycle/config/bkt", rules_one),
            Write::Changed,
        ],
    );
    assert_eq!(rule_ids(&b), Some(vec!["one".to_owned()]));
    other_gateway(
        &url,
        vec![Write::RemoveSetting("lifecycle/config/bkt"), Write::Changed],
    );
    assert_eq!(rule_ids(&b), None);
}

#[tokio::test]
async fn only_a_shared_engine_says_it_is_shared() {
    let (_dir, s) = store().await;
    assert_eq!(s.shared(), pg::server().is_some());
}
