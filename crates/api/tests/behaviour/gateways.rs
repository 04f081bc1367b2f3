//! Several gateways over one PostgreSQL database: a user another gateway adds, rotates or
//! removes is accepted or refused from this gateway's next request, in every dialect, though
//! the users are kept in memory between changes.
//!
//! The other gateway is plain SQL making the rows its change would make (the user's record
//! and the configuration generation, in one transaction): the engine lets one server write a
//! database at a time for now.

use crate::dialect::Dialect;
use crate::harness::{Call, Server};
use http::Method;
use strata_core::UserRecord;
use strata_core::meta::encode;

#[path = "../../../core/tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

use pg::{Write, other_gateway};

const CAROL: (&str, &str) = ("AKIDCAROLGATEWAYS003", "carol-secret-gateways");
const CAROL_SETTING: &str = "user/AKIDCAROLGATEWAYS003";
const DIALECTS: [Dialect; 3] = [Dialect::S3, Dialect::Oss, Dialect::Bos];

fn carol(secret: &str) -> Vec<u8> {
    encode(&UserRecord {
        id: "carol".into(),
        display_name: "Carol".into(),
        secret_key: secret.into(),
        created_ms: 1,
    })
}

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

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_user_another_gateway_changes_is_accepted_or_refused_at_the_next_request() {
    let db = pg::tempdir();
    let url = pg::metadata(db.path()).expect("STRATA_TEST_PG is not set");
    let server = Server::start_over(url.clone()).await;
    assert_eq!(accepted(&server, CAROL).await, [false; 3]);

    other_gateway(
        &url,
        vec![
            Write::PutSetting(CAROL_SETTING, carol(CAROL.1)),
            Write::Changed,
        ],
    );
    assert_eq!(accepted(&server, CAROL).await, [true; 3]);

    // A rotation: the old secret is refused, the new one accepted.
    let rotated = (CAROL.0, "carol-rotated-secret");
    other_gateway(
        &url,
        vec![
            Write::PutSetting(CAROL_SETTING, carol(rotated.1)),
            Write::Changed,
        ],
    );
    assert_eq!(accepted(&server, CAROL).await, [false; 3]);
    assert_eq!(accepted(&server, rotated).await, [true; 3]);

    // Removed without the generation moving, the user is still accepted: the users come
    // from memory, and what tells the gateways of a change is the generation.
    other_gateway(&url, vec![Write::RemoveSetting(CAROL_SETTING)]);
    assert_eq!(accepted(&server, rotated).await, [true; 3]);
    other_gateway(&url, vec![Write::Changed]);
    assert_eq!(accepted(&server, rotated).await, [false; 3]);
}
