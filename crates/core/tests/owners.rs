//! The owner every request's access decision asks for follows creates and deletes at once,
//! though it is answered from memory between them.

mod common;

use strata_core::{CoreError, DeleteBucketMode};

#[tokio::test]
async fn a_bucket_owner_follows_create_delete_and_recreate() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::open(dir.path()).await;
    assert_eq!(store.bucket_owner("bkt").unwrap(), None);
    store.create_bucket("bkt", "alice").await.unwrap();
    assert_eq!(store.bucket_owner("bkt").unwrap().as_deref(), Some("alice"));
    assert_eq!(store.bucket_owner("bkt").unwrap().as_deref(), Some("alice"));
    // A refused create changes nothing.
    assert!(matches!(
        store.create_bucket("bkt", "bob").await,
        Err(CoreError::BucketAlreadyExists {
            owned_by_you: false
        })
    ));
    assert_eq!(store.bucket_owner("bkt").unwrap().as_deref(), Some("alice"));
    store
        .delete_bucket("bkt", DeleteBucketMode::RefuseUploads)
        .await
        .unwrap();
    assert_eq!(store.bucket_owner("bkt").unwrap(), None);
    store.create_bucket("bkt", "bob").await.unwrap();
    assert_eq!(store.bucket_owner("bkt").unwrap().as_deref(), Some("bob"));
    assert_eq!(store.bucket_owner("other").unwrap(), None);
}
