//! The owner every request's access decision asks for follows creates and deletes at once,
//! though it is answered from memory between them.

mod common;

use strata_core::{CoreError, DeleteBucketMode};

#[tokio::test]
async fn a_bucket_owner_follows_create_delete_and_recreate() {
    let dir = common::tempdir();
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

#[tokio::test]
async fn a_bucket_configuration_change_is_seen_at_once() {
    use strata_core::access::{Grant, Grantee, Permission};
    let dir = common::tempdir();
    let store = common::open(dir.path()).await;
    store.create_bucket("bkt", "alice").await.unwrap();
    let before = store.bucket_access("bkt").unwrap().unwrap();
    // A new bucket's ACL, stored literally: its owner's full control.
    assert_eq!(
        before.acl,
        vec![Grant::new(
            Grantee::User("alice".into()),
            Permission::FullControl
        )]
    );
    assert!(before.policy.is_none());
    let grant = Grant::new(Grantee::AllUsers, Permission::Read);
    let g = grant.clone();
    store
        .update_bucket_access("bkt", move |_, rec| {
            rec.acl = vec![g];
            rec.policy = Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}"#
                    .into(),
            );
            Ok(())
        })
        .await
        .unwrap();
    let after = store.bucket_access("bkt").unwrap().unwrap();
    assert_eq!(after.acl, vec![grant]);
    assert!(after.policy.is_some());
    // A refused change changes nothing.
    let refused = store
        .update_bucket_access("bkt", |_, rec| {
            rec.acl.clear();
            Err::<(), _>(strata_core::access::AccessError::Denied.into())
        })
        .await;
    assert!(refused.is_err());
    assert_eq!(store.bucket_access("bkt").unwrap().unwrap().acl.len(), 1);
    assert_eq!(store.bucket_access_record("bkt").unwrap().acl.len(), 1);
}
