//! Users in the metadata store: add, list, remove, rotate, seed, and all of it after a reopen.

mod common;

use strata_core::{NewUser, Seeded, UserError};

fn new(id: &str, access_key: Option<&str>, secret_key: Option<&str>) -> NewUser {
    NewUser {
        id: id.into(),
        display_name: None,
        access_key: access_key.map(Into::into),
        secret_key: secret_key.map(Into::into),
    }
}

#[tokio::test]
async fn users_round_trip_and_survive_a_reopen() {
    let dir = common::tempdir();
    let rotated_secret;
    {
        let store = common::open(dir.path()).await;
        assert!(store.users().unwrap().is_empty());

        let (ak, alice) = store
            .put_user(NewUser {
                display_name: Some("Alice A.".into()),
                ..new("alice", Some("ALICEKEY"), Some("alice-secret"))
            })
            .await
            .unwrap();
        assert_eq!(ak, "ALICEKEY");
        assert_eq!(
            (
                alice.id.as_str(),
                alice.display_name.as_str(),
                alice.secret_key.as_str()
            ),
            ("alice", "Alice A.", "alice-secret")
        );
        assert!(alice.created_ms > 0);

        // Keys generated when not given; the display name defaults to the owner ID.
        let (bob_key, bob) = store.put_user(new("bob", None, None)).await.unwrap();
        assert_eq!(bob_key.len(), strata_core::users::ACCESS_KEY_LEN);
        assert_eq!(bob.secret_key.len(), strata_core::users::SECRET_KEY_LEN);
        assert_eq!(bob.display_name, "bob");

        let listed = store.users().unwrap();
        let keys: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
        let mut expected = vec!["ALICEKEY", bob_key.as_str()];
        expected.sort();
        assert_eq!(keys, expected, "listed by access key");
        assert_eq!(store.user("ALICEKEY").unwrap(), Some(alice.clone()));

        let rotated = store.rotate_user_key("ALICEKEY").await.unwrap();
        assert_ne!(rotated.secret_key, "alice-secret");
        assert_eq!(
            (rotated.id.as_str(), rotated.created_ms),
            ("alice", alice.created_ms)
        );
        rotated_secret = rotated.secret_key.clone();
        assert_eq!(store.user("ALICEKEY").unwrap(), Some(rotated));

        let removed = store.remove_user(&bob_key).await.unwrap();
        assert_eq!(removed, bob);
        assert_eq!(store.user(&bob_key).unwrap(), None);
        store.close().await;
    }
    let store = common::open(dir.path()).await;
    let listed = store.users().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, "ALICEKEY");
    assert_eq!(listed[0].1.secret_key, rotated_secret);
    assert_eq!(listed[0].1.display_name, "Alice A.");
}

#[tokio::test]
async fn refusals_are_typed_and_change_nothing() {
    let dir = common::tempdir();
    let store = common::open(dir.path()).await;
    store
        .put_user(new("alice", Some("AK1"), Some("s1")))
        .await
        .unwrap();
    let again = store
        .put_user(new("mallory", Some("AK1"), Some("s2")))
        .await;
    assert!(matches!(again, Err(UserError::Exists(k)) if k == "AK1"));
    assert_eq!(store.user("AK1").unwrap().unwrap().secret_key, "s1");

    assert!(matches!(
        store.remove_user("NOPE").await,
        Err(UserError::NoSuchUser(k)) if k == "NOPE"
    ));
    assert!(matches!(
        store.rotate_user_key("NOPE").await,
        Err(UserError::NoSuchUser(_))
    ));
    for bad in [
        new("", Some("AK2"), None),
        new("x", Some("A/K"), None),
        new("x", Some("AK2"), Some("with space")),
        new("x\u{7}", Some("AK2"), None),
    ] {
        assert!(
            matches!(
                store.put_user(bad.clone()).await,
                Err(UserError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(store.users().unwrap().len(), 1);
}

#[tokio::test]
async fn seeding_adds_updates_and_keeps_creation_times() {
    let dir = common::tempdir();
    let store = common::open(dir.path()).await;
    let seed = |id: &'static str, name: &'static str, secret: &'static str| {
        let store = store.clone();
        async move { store.seed_user("FILEKEY", id, name, secret).await }
    };
    assert_eq!(seed("f", "File", "s").await.unwrap(), Seeded::Added);
    let created = store.user("FILEKEY").unwrap().unwrap().created_ms;
    assert_eq!(seed("f", "File", "s").await.unwrap(), Seeded::Unchanged);
    // The file wins: a different secret or name rewrites the stored user.
    store.rotate_user_key("FILEKEY").await.unwrap();
    assert_eq!(seed("f", "File", "s").await.unwrap(), Seeded::Updated);
    assert_eq!(seed("f", "Renamed", "s").await.unwrap(), Seeded::Updated);
    let rec = store.user("FILEKEY").unwrap().unwrap();
    assert_eq!(
        (rec.display_name.as_str(), rec.secret_key.as_str()),
        ("Renamed", "s")
    );
    assert_eq!(rec.created_ms, created);
    assert!(matches!(
        store.seed_user("BAD KEY", "f", "", "s").await,
        Err(UserError::Invalid { .. })
    ));
}
