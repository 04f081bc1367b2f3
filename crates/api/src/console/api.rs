//! The console's JSON API: sign-in, the session, sign-out, and restore.

use super::error::{ConsoleError, json};
use super::restore::{self, Target};
use super::session::{self, Current};
use crate::{AppState, Body};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::header::{CONTENT_TYPE, HeaderValue, SET_COOKIE};
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;
use std::net::SocketAddr;

/// The largest JSON body the API reads.
pub const MAX_JSON: usize = 16 * 1024;

#[derive(Deserialize)]
struct Login {
    access_key: String,
    secret_key: String,
}

/// `POST /api/login` from `peer`; `who` gets the access key once signed in.
pub async fn login<B>(
    state: &AppState,
    peer: SocketAddr,
    req: Request<B>,
    who: &mut Option<String>,
) -> Result<Response<Body>, ConsoleError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let login: Login = read_json(req).await?;
    let (id, csrf, user) = state.console.login(
        state,
        peer.ip(),
        login.access_key.trim(),
        login.secret_key.trim(),
    )?;
    *who = Some(user.credentials.access_key.clone());
    let mut resp = json(StatusCode::OK, &session_json(&user, &csrf));
    let cookie = HeaderValue::from_str(&session::set_cookie(&id))
        .map_err(|_| ConsoleError::BadRequest("no cookie".into()))?;
    resp.headers_mut().insert(SET_COOKIE, cookie);
    Ok(resp)
}

/// `GET /api/session`: who is signed in, and the CSRF token (the page keeps it in memory).
pub fn session(current: &Current) -> Response<Body> {
    json(StatusCode::OK, &session_json(&current.user, &current.csrf))
}

/// `POST /api/logout`.
pub fn logout(state: &AppState, current: &Current) -> Response<Body> {
    state.console.logout(current);
    let mut resp = json(StatusCode::OK, &serde_json::json!({ "signed_out": true }));
    resp.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&session::clear_cookie()).unwrap_or(HeaderValue::from_static("")),
    );
    resp
}

fn session_json(user: &crate::User, csrf: &str) -> serde_json::Value {
    serde_json::json!({
        "access_key": user.credentials.access_key,
        "display_name": user.display_name,
        "csrf": csrf,
    })
}

#[derive(Deserialize)]
struct RestoreAsk {
    bucket: String,
    #[serde(default)]
    prefix: String,
    as_of: String,
    /// A run: the `digest` of the plan previewed; the run is refused if the plan is not that
    /// one any more.
    #[serde(default)]
    digest: Option<String>,
}

/// `GET /api/restore/plan?bucket=B&prefix=P&as_of=T`.
pub async fn restore_plan<B>(
    state: &AppState,
    peer: SocketAddr,
    current: &Current,
    req: &Request<B>,
) -> Result<Response<Body>, ConsoleError> {
    let query = req.uri().query().unwrap_or_default();
    let ask: RestoreAsk = serde_urlencoded(query)?;
    let target = target(ask)?;
    let plans = restore::make_plan(state, peer, &current.user, &target).await?;
    Ok(json(StatusCode::OK, &plan_json(&target, &plans)))
}

/// `POST /api/restore/run` with `{"bucket", "prefix", "as_of", "digest"}`: the plan is made
/// again from a fresh listing; when `digest` is given and the plan is no longer the one
/// previewed (the keys changed since), nothing runs (409) and the page previews again.
pub async fn restore_run<B>(
    state: &AppState,
    peer: SocketAddr,
    current: &Current,
    req: Request<B>,
) -> Result<Response<Body>, ConsoleError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let ask: RestoreAsk = read_json(req).await?;
    let previewed = ask.digest.clone();
    let target = target(ask)?;
    let mut plans = restore::make_plan(state, peer, &current.user, &target).await?;
    if previewed.is_some_and(|d| d != digest(&plans)) {
        return Err(ConsoleError::PlanChanged);
    }
    restore::run(state, peer, &current.user, &target, &mut plans).await;
    Ok(json(StatusCode::OK, &plan_json(&target, &plans)))
}

/// The SHA-256 (hex) of a plan's keys and actions, before it runs.
fn digest(plans: &[restore::KeyPlan]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    for p in plans {
        let line = serde_json::json!([p.key, p.action, p.markers, p.version_id]);
        h.update(line.to_string().as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

fn plan_json(t: &Target, plans: &[restore::KeyPlan]) -> serde_json::Value {
    let count = |a: &str| plans.iter().filter(|p| p.action == a).count();
    serde_json::json!({
        "bucket": t.bucket,
        "prefix": t.prefix,
        "as_of_ms": t.as_of_ms,
        "digest": digest(plans),
        "counts": {
            "keys": plans.len(),
            "unchanged": count("unchanged"),
            "undelete": count("undelete"),
            "copy": count("copy"),
            "created_later": count("created_later"),
            "deleted_then": count("deleted_then"),
            "failed": plans.iter().filter(|p| p.result.as_deref().is_some_and(|r| r != "done" && r != "unchanged")).count(),
        },
        "keys": plans,
    })
}

/// A restore's target, checked: a bucket name of S3's characters (it goes into a path as it
/// is), and a time (RFC 3339, or Unix milliseconds).
fn target(ask: RestoreAsk) -> Result<Target, ConsoleError> {
    let valid_bucket = !ask.bucket.is_empty()
        && ask.bucket.len() <= 255
        && ask
            .bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !valid_bucket {
        return Err(ConsoleError::BadRequest("not a bucket name".into()));
    }
    let as_of = ask.as_of.trim();
    let as_of_ms = match as_of.parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => as_of
            .parse::<jiff::Timestamp>()
            .map_err(|_| {
                ConsoleError::BadRequest(format!(
                    "as_of: {as_of:?} is not an RFC 3339 time or Unix milliseconds"
                ))
            })?
            .as_millisecond(),
    };
    Ok(Target {
        bucket: ask.bucket,
        prefix: ask.prefix,
        as_of_ms,
    })
}

fn serde_urlencoded<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ConsoleError> {
    let map: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| ConsoleError::BadRequest(format!("the query: {e}")))
}

/// The request's JSON body: `Content-Type: application/json` (which a cross-site form cannot
/// send) and at most [`MAX_JSON`] bytes.
async fn read_json<T, B>(req: Request<B>) -> Result<T, ConsoleError>
where
    T: serde::de::DeserializeOwned,
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ConsoleError::BadRequest(
            "the body must be application/json".into(),
        ));
    }
    let body = http_body_util::Limited::new(req.into_body(), MAX_JSON)
        .collect()
        .await
        .map_err(|_| ConsoleError::TooLarge(MAX_JSON))?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| ConsoleError::BadRequest(format!("the body: {e}")))
}
