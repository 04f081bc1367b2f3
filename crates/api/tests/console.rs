//! The web console's sessions, CSRF rule and S3 forwarding, in process (no socket): requests
//! handed to `strata_api::console::handle_any` as the admin listener would.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use std::net::SocketAddr;
use std::sync::Arc;
use strata_api::{AppState, Credentials, User, Users};
use strata_core::{Store, StoreOptions};

const ADMIN: (&str, &str) = ("AKIDADMINCONSOLE0001", "admin-secret-console-0001");
const OTHER: (&str, &str) = ("AKIDOTHERCONSOLE0002", "other-secret-console-0002");
/// The peer address of requests that do not name one.
const PEER: &str = "127.0.0.1:40000";

struct Console {
    state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

struct Resp {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Resp {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }
}

/// A signed-in session: the cookie's value and the CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

impl Console {
    async fn start() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path(),
            StoreOptions {
                min_free_bytes: 0,
                ..StoreOptions::default()
            },
        )
        .await
        .unwrap();
        store
            .seed_user(OTHER.0, OTHER.0, OTHER.0, OTHER.1)
            .await
            .unwrap();
        let admin = User::from_credentials(Credentials {
            access_key: ADMIN.0.into(),
            secret_key: ADMIN.1.into(),
        });
        let users = Users::load(admin, &store).unwrap();
        let state = AppState {
            store,
            users,
            region: "us-east-1".into(),
            domains: Vec::new(),
            signing_keys: Default::default(),
            aws_2023_defaults: false,
            console: Default::default(),
        };
        Console {
            state: Arc::new(state),
            _dir: dir,
        }
    }

    async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        self.send_from(PEER, method, uri, headers, body).await
    }

    async fn send_from(
        &self,
        peer: &str,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        let body: Bytes = body.into();
        // As a browser sends every body: with its length.
        if !body.is_empty() {
            req = req.header("content-length", body.len());
        }
        let req = req.body(Full::new(body)).unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        let resp = strata_api::console::handle_any(&self.state, peer, req).await;
        let (parts, body) = resp.into_parts();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    async fn login_raw(&self, ak: &str, sk: &str) -> Resp {
        self.login_from(PEER, ak, sk).await
    }

    async fn login_from(&self, peer: &str, ak: &str, sk: &str) -> Resp {
        let body = serde_json::json!({"access_key": ak, "secret_key": sk}).to_string();
        self.send_from(
            peer,
            Method::POST,
            "/api/login",
            &[("content-type", "application/json")],
            body,
        )
        .await
    }

    async fn login(&self, (ak, sk): (&str, &str)) -> Session {
        let resp = self.login_raw(ak, sk).await;
        assert_eq!(resp.status, StatusCode::OK, "{:?}", resp.body);
        let set = resp.header("set-cookie");
        let cookie = set
            .split(';')
            .next()
            .unwrap()
            .strip_prefix("strata_console=")
            .unwrap()
            .to_owned();
        Session {
            cookie,
            csrf: resp.json()["csrf"].as_str().unwrap().to_owned(),
        }
    }

    /// A request of the session, with its cookie and CSRF token.
    async fn call(&self, s: &Session, method: Method, uri: &str, body: &str) -> Resp {
        let cookie = format!("strata_console={}", s.cookie);
        self.send(
            method,
            uri,
            &[("cookie", &cookie), ("x-strata-csrf", &s.csrf)],
            body.to_owned(),
        )
        .await
    }
}

#[tokio::test]
async fn the_page_needs_no_session_and_the_api_does() {
    let c = Console::start().await;
    let page = c.send(Method::GET, "/", &[], "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("content-security-policy"), "default-src 'self'");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("cache-control"), "no-store");
    for uri in [
        "/api/session",
        "/s3/",
        "/s3/bucket/key",
        "/api/restore/plan",
    ] {
        let r = c.send(Method::GET, uri, &[], "").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(r.json()["error"], "sign in first");
    }
    // A cookie no sign-in made is no session.
    let forged = c
        .send(
            Method::GET,
            "/api/session",
            &[("cookie", "strata_console=00112233")],
            "",
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_login_is_refused_without_saying_which_half() {
    let c = Console::start().await;
    let wrong_secret = c.login_raw(ADMIN.0, "not-the-secret").await;
    let wrong_key = c.login_raw("AKIDNOSUCHUSER000000", ADMIN.1).await;
    for r in [&wrong_secret, &wrong_key] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers.get("set-cookie").is_none());
    }
    assert_eq!(wrong_secret.body, wrong_key.body);
    assert!(c.state.console.is_empty());
    // A form post (not JSON) is not a sign-in.
    let form = c
        .send(
            Method::POST,
            "/api/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("access_key={}&secret_key={}", ADMIN.0, ADMIN.1),
        )
        .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_peer_and_per_access_key() {
    const LIMIT: usize = 10;
    let c = Console::start().await;
    let (a, b, d) = ("203.0.113.7:5000", "198.51.100.9:6000", "192.0.2.44:7000");
    // Peer A guesses the administrator's secret up to the limit: each answer a plain 401.
    for i in 0..LIMIT {
        let r = c.login_from(a, ADMIN.0, &format!("guess-{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
        assert!(r.headers.get("retry-after").is_none());
    }
    // Then A is refused even the right pair, and the key is refused from another peer.
    let peer_refused = c.login_from(a, OTHER.0, OTHER.1).await;
    let key_refused = c.login_from(b, ADMIN.0, ADMIN.1).await;
    let a_again = c.login_from(a, "AKIDNOSUCHUSER000000", "x").await;
    for r in [&peer_refused, &key_refused, &a_again] {
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.get("set-cookie").is_none());
        let wait: u64 = r.header("retry-after").parse().unwrap();
        assert!((1..=300).contains(&wait), "{wait}");
    }
    // The same body whatever the reason.
    assert_eq!(peer_refused.body, key_refused.body);
    assert_eq!(peer_refused.body, a_again.body);
    assert!(c.state.console.is_empty());
    // Another peer signs in with another key; that resets nothing of A's or of the key's.
    c.login_from(b, OTHER.0, OTHER.1).await;
    assert_eq!(c.state.console.len(), 1);
    let r = c.login_from(a, OTHER.0, OTHER.1).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = c.login_from(d, ADMIN.0, ADMIN.1).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // One peer trying a different access key each time is limited too.
    for i in 0..LIMIT {
        let r = c.login_from(d, &format!("AKIDGUESS{i:011}"), "x").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let r = c.login_from(d, OTHER.0, OTHER.1).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Successes do not count: a peer signs in past the limit's number of times.
    for _ in 0..=LIMIT {
        let r = c.login_from(b, OTHER.0, OTHER.1).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_do_not_pass_the_limit() {
    let c = Arc::new(Console::start().await);
    let mut guesses = Vec::new();
    for i in 0..40 {
        let c = c.clone();
        guesses.push(tokio::spawn(async move {
            c.login_from("203.0.113.8:1", ADMIN.0, &format!("guess-{i}"))
                .await
                .status
        }));
    }
    let mut unauthorized = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(unauthorized, 10);
}

#[tokio::test]
async fn the_cookie_has_exactly_its_attributes() {
    let c = Console::start().await;
    let resp = c.login_raw(ADMIN.0, ADMIN.1).await;
    assert_eq!(resp.status, StatusCode::OK);
    let set = resp.header("set-cookie");
    let (pair, attrs) = set.split_once("; ").unwrap();
    let id = pair.strip_prefix("strata_console=").unwrap();
    assert_eq!(id.len(), 64, "32 random bytes in hex");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(attrs, "HttpOnly; SameSite=Strict; Path=/");
    let body = resp.json();
    assert_eq!(body["access_key"], ADMIN.0);
    assert_eq!(body["csrf"].as_str().unwrap().len(), 64);
    assert_ne!(body["csrf"].as_str().unwrap(), id);
}

#[tokio::test]
async fn writes_need_the_sessions_csrf_token() {
    let c = Console::start().await;
    let s = c.login(ADMIN).await;
    let cookie = format!("strata_console={}", s.cookie);
    let without = c
        .send(Method::PUT, "/s3/csrf-bucket", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let wrong = c
        .send(
            Method::PUT,
            "/s3/csrf-bucket",
            &[("cookie", &cookie), ("x-strata-csrf", "0011")],
            "",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another session's token is not this one's.
    let other = c.login(ADMIN).await;
    let theirs = c
        .send(
            Method::PUT,
            "/s3/csrf-bucket",
            &[("cookie", &cookie), ("x-strata-csrf", &other.csrf)],
            "",
        )
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let listing = c.call(&s, Method::GET, "/s3/", "").await;
    assert_eq!(listing.status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&listing.body).contains("csrf-bucket"));
    let right = c.call(&s, Method::PUT, "/s3/csrf-bucket", "").await;
    assert_eq!(right.status, StatusCode::OK, "{:?}", right.body);
    let listing = c.call(&s, Method::GET, "/s3/", "").await;
    assert!(String::from_utf8_lossy(&listing.body).contains("<Name>csrf-bucket</Name>"));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let c = Console::start().await;
    let s = c.login(ADMIN).await;
    assert_eq!(
        c.call(&s, Method::GET, "/api/session", "").await.status,
        StatusCode::OK
    );
    let out = c.call(&s, Method::POST, "/api/logout", "").await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(
        out.header("set-cookie"),
        "strata_console=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    );
    for uri in ["/api/session", "/s3/"] {
        let r = c.call(&s, Method::GET, uri, "").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
}

#[tokio::test]
async fn a_rotated_key_ends_the_users_sessions() {
    let c = Console::start().await;
    let s = c.login(OTHER).await;
    assert_eq!(
        c.call(&s, Method::GET, "/s3/", "").await.status,
        StatusCode::OK
    );
    c.state.store.rotate_user_key(OTHER.0).await.unwrap();
    c.state.users.refresh(&c.state.store).unwrap();
    let r = c.call(&s, Method::GET, "/s3/", "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forwarded_requests_are_the_sessions_users() {
    let c = Console::start().await;
    let admin = c.login(ADMIN).await;
    let other = c.login(OTHER).await;
    let made = c.call(&admin, Method::PUT, "/s3/admins-bucket", "").await;
    assert_eq!(made.status, StatusCode::OK);
    let put = c
        .call(
            &admin,
            Method::PUT,
            "/s3/admins-bucket/a%20key.txt",
            "hello",
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    // The answer of S3 is sandboxed on the console's origin.
    let got = c
        .call(&admin, Method::GET, "/s3/admins-bucket/a%20key.txt", "")
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(&got.body[..], b"hello");
    assert_eq!(
        got.header("content-security-policy"),
        "default-src 'none'; sandbox"
    );
    // The other user has no grant on the administrator's bucket.
    for (method, uri, body) in [
        (Method::GET, "/s3/admins-bucket/a%20key.txt", ""),
        (Method::GET, "/s3/admins-bucket?versions", ""),
        (Method::PUT, "/s3/admins-bucket/new", "x"),
        (Method::DELETE, "/s3/admins-bucket/a%20key.txt", ""),
    ] {
        let r = c.call(&other, method.clone(), uri, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert!(String::from_utf8_lossy(&r.body).contains("<Code>AccessDenied</Code>"));
    }
    // Nor does the restore API give it more.
    let plan = c
        .call(
            &other,
            Method::GET,
            "/api/restore/plan?bucket=admins-bucket&prefix=&as_of=0",
            "",
        )
        .await;
    assert_eq!(plan.status, StatusCode::FORBIDDEN);
    // The other user's bucket list does not show the administrator's bucket.
    let list = c.call(&other, Method::GET, "/s3/", "").await;
    assert!(!String::from_utf8_lossy(&list.body).contains("admins-bucket"));
}

#[tokio::test]
async fn a_restore_plan_is_the_cli_plan() {
    let c = Console::start().await;
    let s = c.login(ADMIN).await;
    assert_eq!(
        c.call(&s, Method::PUT, "/s3/rbk", "").await.status,
        StatusCode::OK
    );
    let versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    let v = c
        .call(&s, Method::PUT, "/s3/rbk?versioning", versioning)
        .await;
    assert_eq!(
        v.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&v.body)
    );
    c.call(&s, Method::PUT, "/s3/rbk/p/kept", "1").await;
    c.call(&s, Method::PUT, "/s3/rbk/p/changed", "old").await;
    c.call(&s, Method::PUT, "/s3/rbk/p/deleted", "gone").await;
    // Listing times are to the second: wait for the next one.
    let now = strata_core::store::now_ms();
    let as_of = now;
    tokio::time::sleep(std::time::Duration::from_millis(1100 - (now % 1000) as u64)).await;
    c.call(&s, Method::PUT, "/s3/rbk/p/changed", "new").await;
    c.call(&s, Method::DELETE, "/s3/rbk/p/deleted", "").await;
    c.call(&s, Method::PUT, "/s3/rbk/p/later", "x").await;
    let uri = format!("/api/restore/plan?bucket=rbk&prefix=p%2F&as_of={as_of}");
    let plan = c.call(&s, Method::GET, &uri, "").await;
    assert_eq!(
        plan.status,
        StatusCode::OK,
        "{:?} {}",
        plan.headers,
        String::from_utf8_lossy(&plan.body)
    );
    let plan = plan.json();
    let action = |key: &str| {
        plan["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == key)
            .map(|k| k["action"].as_str().unwrap().to_owned())
    };
    assert_eq!(action("p/kept").as_deref(), Some("unchanged"));
    assert_eq!(action("p/changed").as_deref(), Some("copy"));
    assert_eq!(action("p/deleted").as_deref(), Some("undelete"));
    assert_eq!(action("p/later").as_deref(), Some("created_later"));
    // Without the token, nothing runs.
    let cookie = format!("strata_console={}", s.cookie);
    let digest = plan["digest"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"bucket":"rbk","prefix":"p/","as_of":"{as_of}","digest":"{digest}"}}"#);
    let refused = c
        .send(
            Method::POST,
            "/api/restore/run",
            &[("cookie", &cookie), ("content-type", "application/json")],
            body.clone(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A plan other than the one previewed does not run.
    let stale = c
        .send(
            Method::POST,
            "/api/restore/run",
            &[
                ("cookie", &cookie),
                ("x-strata-csrf", &s.csrf),
                ("content-type", "application/json"),
            ],
            body.replace(&digest, "00"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let unchanged = c.call(&s, Method::GET, "/s3/rbk/p/changed", "").await;
    assert_eq!(&unchanged.body[..], b"new");
    let run = c
        .send(
            Method::POST,
            "/api/restore/run",
            &[
                ("cookie", &cookie),
                ("x-strata-csrf", &s.csrf),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await;
    assert_eq!(run.status, StatusCode::OK, "{:?}", run.body);
    assert_eq!(run.json()["counts"]["failed"], 0);
    let changed = c.call(&s, Method::GET, "/s3/rbk/p/changed", "").await;
    assert_eq!(&changed.body[..], b"old");
    let deleted = c.call(&s, Method::GET, "/s3/rbk/p/deleted", "").await;
    assert_eq!(&deleted.body[..], b"gone");
    let later = c.call(&s, Method::GET, "/s3/rbk/p/later", "").await;
    assert_eq!(&later.body[..], b"x");
    // A second plan finds nothing left to do.
    let again = c.call(&s, Method::GET, &uri, "").await.json();
    assert_eq!(again["counts"]["copy"], 0);
    assert_eq!(again["counts"]["undelete"], 0);
}

#[tokio::test]
async fn api_bodies_and_methods_are_bounded() {
    let c = Console::start().await;
    let s = c.login(ADMIN).await;
    let cookie = format!("strata_console={}", s.cookie);
    let huge = format!(
        r#"{{"bucket":"b","prefix":"{}","as_of":"0"}}"#,
        "p".repeat(20 * 1024)
    );
    let r = c
        .send(
            Method::POST,
            "/api/restore/run",
            &[
                ("cookie", &cookie),
                ("x-strata-csrf", &s.csrf),
                ("content-type", "application/json"),
            ],
            huge,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let huge_login = format!(
        r#"{{"access_key":"{}","secret_key":"x"}}"#,
        "A".repeat(20 * 1024)
    );
    let r = c
        .send(
            Method::POST,
            "/api/login",
            &[("content-type", "application/json")],
            huge_login,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        c.send(Method::GET, "/api/login", &[], "").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        c.call(&s, Method::GET, "/api/logout", "").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        c.call(&s, Method::POST, "/index.html", "").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    // The S3 path takes only the methods S3 has here.
    assert_eq!(
        c.call(&s, Method::OPTIONS, "/s3/b", "").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        c.call(&s, Method::GET, "/api/nothing", "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.send(Method::GET, "/elsewhere", &[], "").await.status,
        StatusCode::NOT_FOUND
    );
    // A bucket name that would change the request's path is refused before any request.
    let r = c
        .call(
            &s,
            Method::GET,
            "/api/restore/plan?bucket=b%3Fpolicy&as_of=0",
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = c
        .call(
            &s,
            Method::GET,
            "/api/restore/plan?bucket=bkt&as_of=yesterday",
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
