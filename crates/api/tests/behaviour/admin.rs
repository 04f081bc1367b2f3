//! The admin API (`/_strata/admin/`): only the administrator may use it, and what it changes
//! holds from the next request on, in every dialect.

use crate::dialect::Dialect;
use crate::harness::{ADMIN, Call, Client, OTHER, Resp, Server};
use crate::setup;
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};

const USERS: &str = "/_strata/admin/users";

/// The administrator's admin-API client (SigV4, whatever the dialect under test).
fn admin(s: &Server) -> Client {
    s.client_as(Dialect::S3, ADMIN)
}

fn body(r: &Resp) -> Value {
    assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    serde_json::from_slice(&r.body).expect("a JSON answer")
}

#[track_caller]
fn assert_admin_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    assert_eq!(body(r)["code"], code, "{}", r.text());
    assert!(body(r)["message"].as_str().is_some_and(|m| !m.is_empty()));
}

/// Adds a user through the admin API; returns its key pair.
async fn add_user(s: &Server, doc: Value) -> (String, String) {
    let r = admin(s)
        .send(Call::new(Method::POST, USERS).body(doc.to_string()))
        .await
        .expect(201);
    let v = body(&r);
    let key = |name: &str| v[name].as_str().expect(name).to_owned();
    (key("access_key"), key("secret_key"))
}

async fn listed_keys(s: &Server) -> Vec<String> {
    let r = admin(s)
        .send(Call::new(Method::GET, USERS))
        .await
        .expect(200);
    let v = body(&r);
    v["users"]
        .as_array()
        .expect("a users array")
        .iter()
        .map(|u| {
            assert!(
                u.get("secret_key").is_none(),
                "a listing shows no secret: {u}"
            );
            u["access_key"].as_str().expect("an access key").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn only_the_administrator_may_use_it() {
    let (s, _) = setup(Dialect::S3).await;
    let other = s.client_as(Dialect::S3, OTHER);
    let r = other.send(Call::new(Method::GET, USERS)).await;
    assert_admin_error(&r, 403, "AccessDenied");
    let r = other
        .send(Call::new(Method::POST, USERS).body(json!({"id": "mallory"}).to_string()))
        .await;
    assert_admin_error(&r, 403, "AccessDenied");
    let r = other
        .send(Call::new(
            Method::POST,
            format!("{USERS}/{}/rotate", OTHER.0),
        ))
        .await;
    assert_admin_error(&r, 403, "AccessDenied");
    let stranger = s.client_as(Dialect::S3, ("AKIDNOBODYKNOWS00000", "whatever"));
    let r = stranger
        .send(Call::new(Method::DELETE, format!("{USERS}/{}", OTHER.0)))
        .await;
    assert_admin_error(&r, 403, "AccessDenied");

    // Unsigned, and the administrator's own key in another dialect's scheme.
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(crate::harness::HOST));
    let r = other.raw(Method::GET, USERS, h, Vec::new()).await;
    assert_admin_error(&r, 403, "AccessDenied");
    assert!(r.log.as_ref().is_some_and(|l| l.anonymous));
    for d in [Dialect::Oss, Dialect::Bos] {
        let r = s
            .client_as(d, ADMIN)
            .send(Call::new(Method::GET, USERS))
            .await;
        assert_admin_error(&r, 403, "AccessDenied");
    }
    // A bad signature with the administrator's access key.
    let forged = s.client_as(Dialect::S3, (ADMIN.0, "not-the-secret"));
    let r = forged.send(Call::new(Method::GET, USERS)).await;
    assert_admin_error(&r, 403, "SignatureDoesNotMatch");

    assert_eq!(listed_keys(&s).await, [ADMIN.0, OTHER.0]);
    let r = admin(&s).send(Call::new(Method::GET, USERS)).await;
    let log = r.log.expect("a log record");
    assert_eq!(
        (log.dialect, log.access_key.as_deref(), log.operation),
        ("admin", Some(ADMIN.0), Some("ListUsers"))
    );
}

#[tokio::test]
async fn users_are_added_listed_rotated_and_removed() {
    let (s, _) = setup(Dialect::S3).await;
    let a = admin(&s);
    let r = a
        .send(Call::new(Method::POST, USERS).body(
            json!({"id": "carol", "display_name": "Carol C.", "access_key": "CAROLKEY", "secret_key": "carol-secret"})
                .to_string(),
        ))
        .await
        .expect(201);
    let v = body(&r);
    assert_eq!(
        (
            &v["access_key"],
            &v["secret_key"],
            &v["id"],
            &v["display_name"]
        ),
        (
            &json!("CAROLKEY"),
            &json!("carol-secret"),
            &json!("carol"),
            &json!("Carol C.")
        )
    );
    assert!(v["created"].as_str().is_some_and(|c| c.ends_with('Z')));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    // Generated keys: AWS-shaped.
    let (key, secret) = add_user(&s, json!({"id": "dave"})).await;
    assert_eq!((key.len(), secret.len()), (20, 40));

    let mut keys = listed_keys(&s).await;
    assert_eq!(keys.remove(0), ADMIN.0, "the administrator comes first");
    let mut expected = vec![OTHER.0.to_owned(), "CAROLKEY".to_owned(), key.clone()];
    expected.sort();
    assert_eq!(keys, expected);
    let r = a.send(Call::new(Method::GET, USERS)).await.expect(200);
    let listed = body(&r);
    let carol = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["access_key"] == "CAROLKEY")
        .unwrap();
    assert_eq!(
        (
            &carol["id"],
            &carol["display_name"],
            &carol["administrator"]
        ),
        (&json!("carol"), &json!("Carol C."), &json!(false))
    );
    assert_eq!(listed["users"][0]["administrator"], true);
    assert!(!r.text().contains("carol-secret"));

    let r = a
        .send(Call::new(Method::POST, format!("{USERS}/CAROLKEY/rotate")))
        .await
        .expect(200);
    let v = body(&r);
    assert_eq!(v["access_key"], "CAROLKEY");
    assert_ne!(v["secret_key"], "carol-secret");

    a.send(Call::new(Method::DELETE, format!("{USERS}/CAROLKEY")))
        .await
        .expect(204);
    assert!(!listed_keys(&s).await.contains(&"CAROLKEY".to_owned()));
}

#[tokio::test]
async fn refusals_are_json_with_their_statuses() {
    let (s, _) = setup(Dialect::S3).await;
    let a = admin(&s);
    let post = |doc: String| Call::new(Method::POST, USERS).body(doc);
    let r = a
        .send(post(json!({"id": "x", "access_key": OTHER.0}).to_string()))
        .await;
    assert_admin_error(&r, 409, "UserAlreadyExists");
    let r = a
        .send(post(json!({"id": "x", "access_key": ADMIN.0}).to_string()))
        .await;
    assert_admin_error(&r, 409, "UserAlreadyExists");
    for bad in [
        "{".to_owned(),
        json!({"display_name": "no id"}).to_string(),
        json!({"id": "x", "extra": 1}).to_string(),
        json!({"id": ""}).to_string(),
        json!({"id": "x", "access_key": "A/B"}).to_string(),
        json!({"id": "x", "secret_key": "with space"}).to_string(),
    ] {
        let r = a.send(post(bad.clone())).await;
        assert_admin_error(&r, 400, "InvalidArgument");
    }
    let r = a.send(post("x".repeat(admin_body_limit() + 1))).await;
    assert_admin_error(&r, 413, "EntityTooLarge");
    // A body that is not the one signed (same length, other bytes).
    let signed = json!({"id": "x"}).to_string();
    let sent = json!({"id": "y"}).to_string();
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(crate::harness::HOST));
    h.insert("content-length", signed.len().into());
    crate::sign::sign(
        Dialect::S3,
        &a.credentials,
        crate::harness::REGION,
        &Method::POST,
        USERS,
        &mut h,
        signed.as_bytes(),
    );
    let r = a.raw(Method::POST, USERS, h, sent.into_bytes()).await;
    assert_admin_error(&r, 400, "InvalidArgument");
    assert!(r.text().contains("SHA-256"), "{}", r.text());

    let r = a
        .send(Call::new(Method::DELETE, format!("{USERS}/NOSUCHKEY")))
        .await;
    assert_admin_error(&r, 404, "NoSuchUser");
    let r = a
        .send(Call::new(Method::POST, format!("{USERS}/NOSUCHKEY/rotate")))
        .await;
    assert_admin_error(&r, 404, "NoSuchUser");
    for target in [
        format!("{USERS}/{}", ADMIN.0),
        format!("{USERS}/{}/rotate", ADMIN.0),
    ] {
        let method = if target.ends_with("rotate") {
            Method::POST
        } else {
            Method::DELETE
        };
        let r = a.send(Call::new(method, target)).await;
        assert_admin_error(&r, 409, "AdministratorKey");
    }
    let r = a.send(Call::new(Method::PUT, USERS)).await;
    assert_admin_error(&r, 405, "MethodNotAllowed");
    assert!(r.header("allow").is_some());
    let r = a
        .send(Call::new(Method::GET, "/_strata/admin/buckets"))
        .await;
    assert_admin_error(&r, 404, "NotFound");
    assert_eq!(listed_keys(&s).await, [ADMIN.0, OTHER.0]);
}

fn admin_body_limit() -> usize {
    strata_api::admin::BODY_LIMIT
}

/// A user added through the admin API signs requests at once, owns what it creates, and
/// reaches nobody else's buckets.
async fn an_added_user_signs_at_once(d: Dialect) {
    let (s, adm) = setup(d).await;
    adm.create_bucket("admins").await;
    let (key, secret) = add_user(&s, json!({"id": "erin", "display_name": "Erin"})).await;
    let erin = s.client_as(d, (&key, &secret));
    erin.create_bucket("erins").await;
    erin.put_ok("erins", "k", b"hello").await;
    assert_eq!(erin.read("erins", "k", None).await, b"hello");
    let r = erin.get("admins", "anything", None).await;
    erin.assert_error(&r, 403, "AccessDenied");
    let log = erin.put("erins", "k2", b"x").await.expect(200).log.unwrap();
    assert_eq!(log.access_key.as_deref(), Some(key.as_str()));
}

/// A removed user's key is refused from the next request on.
async fn a_removed_user_is_refused_at_once(d: Dialect) {
    let (s, _) = setup(d).await;
    let (key, secret) = add_user(&s, json!({"id": "frank"})).await;
    let frank = s.client_as(d, (&key, &secret));
    frank.create_bucket("franks").await;
    admin(&s)
        .send(Call::new(Method::DELETE, format!("{USERS}/{key}")))
        .await
        .expect(204);
    let r = frank.put("franks", "k", b"x").await;
    frank.assert_error(&r, 403, "InvalidAccessKeyId");
}

/// A rotation refuses the old secret from the next request on; the new one signs.
async fn rotation_invalidates_the_old_secret(d: Dialect) {
    let (s, _) = setup(d).await;
    let (key, old) = add_user(&s, json!({"id": "grace"})).await;
    let before = s.client_as(d, (&key, &old));
    before.create_bucket("graces").await;
    let r = admin(&s)
        .send(Call::new(Method::POST, format!("{USERS}/{key}/rotate")))
        .await
        .expect(200);
    let new = body(&r)["secret_key"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let r = before.put("graces", "k", b"x").await;
    let status = if d == Dialect::Bos { 400 } else { 403 };
    before.assert_error(&r, status, "SignatureDoesNotMatch");
    let after = s.client_as(d, (&key, &new));
    after.put_ok("graces", "k", b"x").await;
}

crate::each_dialect!(
    an_added_user_signs_at_once,
    a_removed_user_is_refused_at_once,
    rotation_invalidates_the_old_secret,
);

/// The server keeps the V4 signing keys it derived (SigV4, OSS V4) between requests: a
/// rotated secret must refuse the old one at once, and a removed user be unknown, however
/// recently their keys were used.
#[tokio::test]
async fn cached_signing_keys_never_outlive_a_rotation_or_removal() {
    for d in [Dialect::S3, Dialect::Oss] {
        let (s, _) = setup(d).await;
        let (key, old) = add_user(&s, json!({"id": "erin"})).await;
        let list = || Call::new(Method::GET, "/");
        // Twice: the second request finds the key the first one derived.
        for _ in 0..2 {
            s.client_as(d, (&key, &old)).send(list()).await.expect(200);
        }
        let r = admin(&s)
            .send(Call::new(Method::POST, format!("{USERS}/{key}/rotate")))
            .await
            .expect(200);
        let new = body(&r)["secret_key"]
            .as_str()
            .expect("a secret")
            .to_owned();
        assert_ne!(new, old);
        let r = s.client_as(d, (&key, &old)).send(list()).await;
        assert_eq!(r.status.as_u16(), 403, "{d:?}: {}", r.text());
        assert_eq!(
            d.error_code(&r).as_deref(),
            Some("SignatureDoesNotMatch"),
            "{d:?}"
        );
        for _ in 0..2 {
            s.client_as(d, (&key, &new)).send(list()).await.expect(200);
        }
        admin(&s)
            .send(Call::new(Method::DELETE, format!("{USERS}/{key}")))
            .await
            .expect(204);
        for secret in [&new, &old] {
            let r = s.client_as(d, (&key, secret)).send(list()).await;
            assert_eq!(r.status.as_u16(), 403, "{d:?}: {}", r.text());
            assert_eq!(
                d.error_code(&r).as_deref(),
                Some("InvalidAccessKeyId"),
                "{d:?}"
            );
        }
    }
}
