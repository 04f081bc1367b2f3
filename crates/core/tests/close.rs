//! `Store::close` releases the data directory at once: the same process can open it again.

mod common;

#[tokio::test]
async fn a_closed_store_can_be_opened_again_at_once() {
    let dir = common::tempdir();
    for i in 0..20 {
        let store = common::open(dir.path()).await;
        if i == 0 {
            store.create_bucket("bkt", "alice").await.unwrap();
        }
        common::put(&store, "bkt", &format!("k{i}"), b"data").await;
        // A delete frees a blob: the background task has work to wake for.
        store
            .delete_object("bkt", &format!("k{i}"), None)
            .await
            .unwrap();
        store.close().await;
    }
    let store = common::open(dir.path()).await;
    assert_eq!(store.bucket_owner("bkt").unwrap().as_deref(), Some("alice"));
}
