//! Several gateways over one PostgreSQL database: a user added, rotated or removed through
//! one gateway's admin API is accepted or refused from the other's next request, in every
//! dialect, though each keeps the users in memory between changes.

use crate::dialect::Dialect;
use crate::harness::{ADMIN, Call, Server};
use http::Method;
use serde_json::{Value, json};

#[path = "../../../core/tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

use pg::{Write, other_gateway};

const USERS: &str = "/_strata/admin/users";
const CAROL: (&str, &str) = ("AKIDCAROLGATEWAYS003", "carol-secret-gateways");
const DIALECTS: [Dialect; 3] = [Dialect::S3, Dialect::Oss, Dialect::Bos];

/// Whether a bucket listing signed with `key` is accepted in each dialect (else refused as
/// an unknown key or a wrong signature: 403, or BOS's 400 for the latter).
async fn accepted(server: &Server, key: (&str, &str)) -> Vec<bool> {
    let mut out = Vec::new();
    for d in DIALECTS {
        let r = server
            .client_as(d, key)
            .send(Call::new(Method::GET, "/"))
            .await;
        let status = r.status.as_u16();
        assert!(matches!(status, 200 | 400 | 403), "{d:?}: {}", r.text());
        out.push(status == 200);
    }
    out
}

/// A call to `server`'s admin API as the administrator; the JSON answered.
async fn admin(server: &Server, call: Call, status: u16) -> Value {
    let r = server
        .client_as(Dialect::S3, ADMIN)
        .send(call)
        .await
        .expect(status);
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_user_one_gateway_changes_is_accepted_or_refused_by_the_other_at_once() {
    let db = pg::tempdir();
    let url = pg::metadata(db.path()).expect("STRATA_TEST_PG is not set");
    let a = Server::start_over(db.path(), url.clone(), "a").await;
    let b = Server::start_over(db.path(), url.clone(), "b").await;
    assert_eq!(accepted(&b, CAROL).await, [false; 3]);

    let doc = json!({"id": "carol", "access_key": CAROL.0, "secret_key": CAROL.1});
    admin(
        &a,
        Call::new(Method::POST, USERS).body(doc.to_string()),
        201,
    )
    .await;
    assert_eq!(accepted(&b, CAROL).await, [true; 3]);

    // A rotation: the old secret is refused, the new one accepted.
    let rotate = format!("{USERS}/{}/rotate", CAROL.0);
    let v = admin(&a, Call::new(Method::POST, rotate), 200).await;
    let secret = v["secret_key"].as_str().expect("the new secret").to_owned();
    assert_eq!(accepted(&b, CAROL).await, [false; 3]);
    let rotated = (CAROL.0, secret.as_str());
    assert_eq!(accepted(&b, rotated).await, [true; 3]);

    let remove = format!("{USERS}/{}", CAROL.0);
    admin(&a, Call::new(Method::DELETE, remove), 204).await;
    assert_eq!(accepted(&b, rotated).await, [false; 3]);
    assert_eq!(accepted(&a, rotated).await, [false; 3]);
}

/// What carries a change to the other gateways is the generation: a user's record removed
/// without it (by plain SQL, as no gateway removes one) is still accepted, from memory, until
/// it moves.
#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn the_users_are_read_again_when_the_generation_moves() {
    let db = pg::tempdir();
    let url = pg::metadata(db.path()).expect("STRATA_TEST_PG is not set");
    let b = Server::start_over(db.path(), url.clone(), "b").await;
    let doc = json!({"id": "carol", "access_key": CAROL.0, "secret_key": CAROL.1});
    admin(
        &b,
        Call::new(Method::POST, USERS).body(doc.to_string()),
        201,
    )
    .await;
    assert_eq!(accepted(&b, CAROL).await, [true; 3]);
    other_gateway(
        &url,
        vec![Write::RemoveSetting("user/AKIDCAROLGATEWAYS003")],
    );
    assert_eq!(accepted(&b, CAROL).await, [true; 3]);
    other_gateway(&url, vec![Write::Changed]);
    assert_eq!(accepted(&b, CAROL).await, [false; 3]);
}
