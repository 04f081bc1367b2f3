//! A bucket's CORS configuration in the store: put, get, delete, the cached rules the request
//! path answers from (changed at once by a put or a delete), preflights by bucket state, and
//! a deleted bucket that forgets its rules (a bucket of the same name starts without any).

mod common;
use common::*;
use strata_core::cors::{Config, CorsError, Method, Preflight, Rule};
use strata_core::*;

fn config(origin: &str) -> Config {
    Config {
        rules: vec![Rule {
            origins: vec![origin.into()],
            methods: vec![Method::Get],
            ..Rule::default()
        }],
        vary: true,
    }
}

fn allow_origin(store: &Store, bucket: &str, origin: &str) -> Option<String> {
    store
        .cors_headers(bucket, origin, "GET")
        .into_iter()
        .find(|(n, _)| *n == "access-control-allow-origin")
        .map(|(_, v)| v)
}

fn is_cors(r: Result<impl std::fmt::Debug>, want: CorsError) -> bool {
    matches!(r, Err(CoreError::Cors(e)) if e == want)
}

#[tokio::test]
async fn a_configuration_is_put_read_replaced_and_deleted() {
    let (_dir, store) = store().await;
    store.create_bucket("bkt", "").await.unwrap();
    assert!(is_cors(store.cors("bkt"), CorsError::NoConfiguration));
    assert_eq!(allow_origin(&store, "bkt", "http://a"), None);

    store.put_cors("bkt", config("http://a")).await.unwrap();
    assert_eq!(store.cors("bkt").unwrap(), config("http://a"));
    assert_eq!(
        allow_origin(&store, "bkt", "http://a").as_deref(),
        Some("http://a")
    );
    // A put replaces the whole configuration, and the cached rules with it.
    store.put_cors("bkt", config("http://z")).await.unwrap();
    assert_eq!(allow_origin(&store, "bkt", "http://a"), None);
    assert!(allow_origin(&store, "bkt", "http://z").is_some());

    store.delete_cors("bkt").await.unwrap();
    assert!(is_cors(store.cors("bkt"), CorsError::NoConfiguration));
    assert_eq!(allow_origin(&store, "bkt", "http://z"), None);
    // Deleting nothing is done.
    store.delete_cors("bkt").await.unwrap();

    // An invalid configuration is refused whole, and the bucket must exist.
    let empty = Config::default();
    assert!(is_cors(
        store.put_cors("bkt", empty).await,
        CorsError::RuleCount(0)
    ));
    assert!(matches!(
        store.put_cors("nope", config("*")).await,
        Err(CoreError::NoSuchBucket)
    ));
    assert!(matches!(store.cors("nope"), Err(CoreError::NoSuchBucket)));
    assert!(matches!(
        store.delete_cors("nope").await,
        Err(CoreError::NoSuchBucket)
    ));
}

#[tokio::test]
async fn preflights_are_answered_by_the_bucket_s_state() {
    let (_dir, store) = store().await;
    let ask = Preflight {
        origin: Some("http://a"),
        method: Some("GET"),
        headers: None,
        object: false,
    };
    assert!(is_cors(
        store.cors_preflight(Some("bkt"), &ask),
        CorsError::BucketNotFound
    ));
    assert!(is_cors(
        store.cors_preflight(None, &ask),
        CorsError::BucketNotFound
    ));
    store.create_bucket("bkt", "").await.unwrap();
    assert!(matches!(
        store.cors_preflight(Some("bkt"), &ask),
        Err(CoreError::Cors(CorsError::NotEnabled { .. }))
    ));
    store.put_cors("bkt", config("http://a")).await.unwrap();
    let ok = store.cors_preflight(Some("bkt"), &ask).unwrap();
    assert!(ok.contains(&("access-control-allow-methods", "GET".to_owned())));
}

#[tokio::test]
async fn a_deleted_bucket_forgets_its_configuration() {
    let (_dir, store) = store().await;
    store.create_bucket("bkt", "").await.unwrap();
    store.put_cors("bkt", config("*")).await.unwrap();
    assert!(allow_origin(&store, "bkt", "http://x").is_some());
    store
        .delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    assert_eq!(allow_origin(&store, "bkt", "http://x"), None);
    store.create_bucket("bkt", "").await.unwrap();
    assert!(is_cors(store.cors("bkt"), CorsError::NoConfiguration));
    assert_eq!(allow_origin(&store, "bkt", "http://x"), None);
}

#[tokio::test]
async fn the_configuration_outlives_a_restart() {
    let dir = common::tempdir();
    {
        let store = open(dir.path()).await;
        store.create_bucket("bkt", "").await.unwrap();
        store.put_cors("bkt", config("http://a")).await.unwrap();
        store.close().await;
    }
    let store = open(dir.path()).await;
    assert_eq!(store.cors("bkt").unwrap(), config("http://a"));
}
