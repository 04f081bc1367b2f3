//! The admin API, under `/_strata/admin/`: JSON over HTTP, signed with SigV4 by the
//! administrator (the key pair the server was started with) and no one else.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET /_strata/admin/users` | 200 `{"users": [{"access_key", "id", "display_name", "created", "administrator"}]}`: the administrator first (`created` null), then the stored users by access key; never a secret |
//! | `POST /_strata/admin/users` `{"id", "display_name"?, "access_key"?, "secret_key"?}` | 201 the new user with its `secret_key` (the only time it is shown); keys not given are generated |
//! | `DELETE /_strata/admin/users/ACCESS_KEY` | 204 |
//! | `POST /_strata/admin/users/ACCESS_KEY/rotate` | 200 the user with its new `secret_key` (the access key stays; the old secret is refused from then on) |
//! | `POST /_strata/admin/compact` | 200 `{"before", "after", "millis"}`: the metadata file compacted (its sizes in bytes before and after; how long requests waited); 503 `Busy` when read snapshots stayed open past the wait (nothing done; try again) |
//!
//! Errors are `{"code", "message"}`: 400 `InvalidArgument` (a body that is not the document
//! above, a bad key or name), 403 `AccessDenied` (unsigned, signed by anyone but the
//! administrator, or signed in another scheme than SigV4) or the signature's own error, 404 `NoSuchUser` (or `NotFound` for a path
//! that is not one of the above), 405 `MethodNotAllowed`, 409 `UserAlreadyExists` (or
//! `AdministratorKey`: the administrator's key pair is not stored and cannot be changed
//! here), 413 `EntityTooLarge`, 500 `InternalError`.
//!
//! Every change is written to the store, then the server's users are refreshed from it
//! ([`crate::Users::refresh`]): the next request already sees it.
//!
//! The body must be covered by the signature: `x-amz-content-sha256` is its SHA-256 (or
//! `UNSIGNED-PAYLOAD` for a request without a body). Answers carry `Cache-Control: no-store`.

use crate::body::{Incoming, ReadError};
use crate::request::RequestParts;
use crate::{AppState, Body, RequestLog, User, full};
use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Method, Response, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use strata_core::{CompactOutcome, CoreError, NewUser, UserError, UserRecord};
use strata_wire::s3::auth::{self, AuthError, Payload};

/// Every path of the admin API starts with this.
pub const PREFIX: &str = "/_strata/admin/";

/// The largest request body read.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Whether a request's path is the admin API's.
pub fn is_admin_path(path: &str) -> bool {
    path.starts_with(PREFIX) || path == PREFIX.trim_end_matches('/')
}

/// A refusal, answered as `{"code", "message"}`.
#[derive(Debug)]
pub struct AdminError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl AdminError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AdminError {
        AdminError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> AdminError {
        AdminError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    fn internal(e: &CoreError) -> AdminError {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "admin API: the metadata store is unavailable");
            return AdminError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the metadata store is unavailable for the moment; try again",
            );
        }
        tracing::error!(error = %e, "admin API: the store failed");
        AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "the metadata store failed; see the server's log",
        )
    }

    fn administrator() -> AdminError {
        AdminError::new(
            StatusCode::CONFLICT,
            "AdministratorKey",
            "the administrator's key pair comes from the server's command line or environment; \
             it is not stored and cannot be changed here",
        )
    }
}

impl From<UserError> for AdminError {
    fn from(e: UserError) -> AdminError {
        let message = e.to_string();
        match e {
            UserError::Exists(_) => {
                AdminError::new(StatusCode::CONFLICT, "UserAlreadyExists", message)
            }
            UserError::NoSuchUser(_) => {
                AdminError::new(StatusCode::NOT_FOUND, "NoSuchUser", message)
            }
            UserError::Invalid { .. } => AdminError::bad(message),
            UserError::Store(e) => AdminError::internal(&e),
        }
    }
}

fn auth_error(e: AuthError) -> AdminError {
    let status = StatusCode::FORBIDDEN;
    match e {
        AuthError::Anonymous => AdminError::new(
            status,
            "AccessDenied",
            "the admin API needs a SigV4 signature of the administrator",
        ),
        AuthError::InvalidAccessKeyId => AdminError::new(
            status,
            "AccessDenied",
            "only the administrator may use the admin API",
        ),
        AuthError::SignatureDoesNotMatch { .. } | AuthError::SignatureDoesNotMatchV2 { .. } => {
            AdminError::new(status, "SignatureDoesNotMatch", e.to_string())
        }
        AuthError::RequestTimeTooSkewed => {
            AdminError::new(status, "RequestTimeTooSkewed", e.to_string())
        }
        AuthError::Expired | AuthError::NotYetValid | AuthError::AccessDenied(_) => {
            AdminError::new(status, "AccessDenied", e.to_string())
        }
        AuthError::HeadersNotSigned(_)
        | AuthError::AuthorizationHeaderMalformed(_)
        | AuthError::AuthorizationQueryParametersError(_)
        | AuthError::MissingSecurityHeader
        | AuthError::InvalidArgument(_) => AdminError::bad(e.to_string()),
    }
}

/// A user as listed: never its secret.
#[derive(Serialize)]
struct Listed<'a> {
    access_key: &'a str,
    id: &'a str,
    display_name: &'a str,
    /// RFC 3339, or null for the administrator (not stored).
    created: Option<String>,
    administrator: bool,
}

/// A user with its secret: the answer of an add or a rotation.
#[derive(Serialize)]
struct WithSecret<'a> {
    access_key: &'a str,
    secret_key: &'a str,
    id: &'a str,
    display_name: &'a str,
    created: Option<String>,
}

impl<'a> WithSecret<'a> {
    fn of(access_key: &'a str, rec: &'a UserRecord) -> WithSecret<'a> {
        WithSecret {
            access_key,
            secret_key: &rec.secret_key,
            id: &rec.id,
            display_name: &rec.display_name,
            created: Some(rfc3339(rec.created_ms)),
        }
    }
}

/// The body of `POST /_strata/admin/users`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddRequest {
    id: String,
    display_name: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(strata_wire::date::iso8601_seconds)
        .unwrap_or_default()
}

/// What a path under [`PREFIX`] names.
enum Resource<'a> {
    Users,
    User(&'a str),
    Rotate(&'a str),
    Compact,
}

fn resource(path: &str) -> Option<Resource<'_>> {
    let rest = path.strip_prefix(PREFIX)?;
    let mut segments = rest.split('/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some("users"), None, _, _) => Some(Resource::Users),
        (Some("compact"), None, _, _) => Some(Resource::Compact),
        (Some("users"), Some(key), None, _) if !key.is_empty() => Some(Resource::User(key)),
        (Some("users"), Some(key), Some("rotate"), None) if !key.is_empty() => {
            Some(Resource::Rotate(key))
        }
        _ => None,
    }
}

/// Answers one request under [`PREFIX`].
pub(crate) async fn handle(
    state: &AppState,
    head: http::request::Parts,
    body: Incoming,
) -> Response<Body> {
    let mut log = RequestLog {
        dialect: "admin",
        ..RequestLog::default()
    };
    let has_body = crate::body::has_body(&head.headers);
    let mut resp = match answer(state, head, body, &mut log).await {
        Ok(r) => r,
        Err(e) => {
            log.error = Some(e.code);
            let mut r = json(
                e.status,
                &serde_json::json!({"code": e.code, "message": e.message}),
            );
            if e.status == StatusCode::METHOD_NOT_ALLOWED {
                r.headers_mut()
                    .insert(ALLOW, HeaderValue::from_static("GET, POST, DELETE"));
            }
            crate::body::close_if_unread(&mut r, has_body);
            r
        }
    };
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.extensions_mut().insert(log);
    resp
}

async fn answer(
    state: &AppState,
    head: http::request::Parts,
    body: Incoming,
    log: &mut RequestLog,
) -> Result<Response<Body>, AdminError> {
    // No virtual hosts: the admin API is addressed by its path alone.
    let parts = RequestParts::new(head.method.clone(), &head.uri, head.headers, &[])
        .map_err(|e| AdminError::bad(format!("the path does not decode: {e:?}")))?;
    log.anonymous = crate::router::unsigned(&parts);
    if !log.anonymous && !auth::is_sigv4(&parts) {
        return Err(AdminError::new(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "the admin API accepts SigV4 signatures only",
        ));
    }
    // The administrator's key pair is the only one the signature may be checked against.
    let admin = state.users.admin();
    let signed = auth::authenticate(&parts, &admin.credentials, std::time::SystemTime::now())
        .map_err(auth_error)?;
    log.access_key = Some(signed.access_key.clone());
    let resource = resource(&parts.raw_path).ok_or_else(|| {
        AdminError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no such admin resource (expected /_strata/admin/users[/ACCESS_KEY[/rotate]] or \
             /_strata/admin/compact)",
        )
    })?;
    let body = read_body(&parts, body, signed.payload).await?;
    match (resource, &parts.method) {
        (Resource::Users, &Method::GET) => {
            log.operation = Some("ListUsers");
            list(state)
        }
        (Resource::Users, &Method::POST) => {
            log.operation = Some("AddUser");
            add(state, admin, &body).await
        }
        (Resource::User(key), &Method::DELETE) => {
            log.operation = Some("RemoveUser");
            remove(state, admin, key).await
        }
        (Resource::Rotate(key), &Method::POST) => {
            log.operation = Some("RotateUserKey");
            rotate(state, admin, key).await
        }
        (Resource::Compact, &Method::POST) => {
            log.operation = Some("Compact");
            compact(state).await
        }
        _ => Err(AdminError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("{} is not allowed on {}", parts.method, parts.raw_path),
        )),
    }
}

/// The whole body, within [`BODY_LIMIT`], checked against the signed SHA-256.
async fn read_body(
    parts: &RequestParts,
    body: Incoming,
    payload: Payload,
) -> Result<Bytes, AdminError> {
    let declared = parts.header("content-length").and_then(|v| v.parse().ok());
    let bytes = crate::body::read_limited(body, declared, BODY_LIMIT)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge => AdminError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "EntityTooLarge",
                format!("an admin request's body is at most {BODY_LIMIT} bytes"),
            ),
            ReadError::Io(e) => AdminError::bad(format!("reading the body failed: {e}")),
        })?;
    match payload {
        Payload::Sha256(expected) if Sha256::digest(&bytes)[..] == expected => Ok(bytes),
        Payload::Sha256(_) => Err(AdminError::bad(
            "the body's SHA-256 is not the x-amz-content-sha256 signed",
        )),
        Payload::Unsigned if bytes.is_empty() => Ok(bytes),
        _ => Err(AdminError::bad(
            "an admin request's body must be signed: x-amz-content-sha256 must be its SHA-256",
        )),
    }
}

fn list(state: &AppState) -> Result<Response<Body>, AdminError> {
    let stored = state.store.users().map_err(|e| AdminError::internal(&e))?;
    let admin = state.users.admin();
    let mut users = vec![Listed {
        access_key: &admin.credentials.access_key,
        id: &admin.id,
        display_name: &admin.display_name,
        created: None,
        administrator: true,
    }];
    users.extend(
        stored
            .iter()
            .filter(|(key, _)| *key != admin.credentials.access_key)
            .map(|(key, rec)| Listed {
                access_key: key,
                id: &rec.id,
                display_name: &rec.display_name,
                created: Some(rfc3339(rec.created_ms)),
                administrator: false,
            }),
    );
    Ok(json(StatusCode::OK, &serde_json::json!({ "users": users })))
}

async fn add(state: &AppState, admin: &User, body: &[u8]) -> Result<Response<Body>, AdminError> {
    let req: AddRequest = serde_json::from_slice(body).map_err(|e| {
        AdminError::bad(format!(
            "the body must be {{\"id\", \"display_name\"?, \"access_key\"?, \"secret_key\"?}}: {e}"
        ))
    })?;
    if req.access_key.as_deref() == Some(admin.credentials.access_key.as_str()) {
        return Err(AdminError::new(
            StatusCode::CONFLICT,
            "UserAlreadyExists",
            "the access key is the administrator's",
        ));
    }
    let (key, rec) = state
        .store
        .put_user(NewUser {
            id: req.id,
            display_name: req.display_name,
            access_key: req.access_key,
            secret_key: req.secret_key,
        })
        .await?;
    refresh(state)?;
    tracing::info!(access_key = %key, id = %rec.id, "admin API: user added");
    Ok(json(StatusCode::CREATED, &WithSecret::of(&key, &rec)))
}

async fn remove(state: &AppState, admin: &User, key: &str) -> Result<Response<Body>, AdminError> {
    if key == admin.credentials.access_key {
        return Err(AdminError::administrator());
    }
    state.store.remove_user(key).await?;
    refresh(state)?;
    tracing::info!(access_key = %key, "admin API: user removed");
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    Ok(resp)
}

async fn rotate(state: &AppState, admin: &User, key: &str) -> Result<Response<Body>, AdminError> {
    if key == admin.credentials.access_key {
        return Err(AdminError::administrator());
    }
    let rec = state.store.rotate_user_key(key).await?;
    refresh(state)?;
    tracing::info!(access_key = %key, "admin API: user's secret key rotated");
    Ok(json(StatusCode::OK, &WithSecret::of(key, &rec)))
}

async fn compact(state: &AppState) -> Result<Response<Body>, AdminError> {
    match state
        .store
        .compact()
        .await
        .map_err(|e| AdminError::internal(&e))?
    {
        CompactOutcome::Compacted(c) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({"before": c.before, "after": c.after, "millis": c.millis}),
        )),
        CompactOutcome::Busy { .. } | CompactOutcome::NotWorthwhile { .. } => Err(AdminError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            "read snapshots stayed open past the wait; nothing was done: try again",
        )),
    }
}

/// Makes a change just stored take effect. Should reading the store back fail, the change is
/// stored but not yet in effect (the next successful refresh, or a restart, brings it).
fn refresh(state: &AppState) -> Result<(), AdminError> {
    state.users.refresh(&state.store).map_err(|e| {
        tracing::error!(error = %e, "admin API: the change is stored, but the users could not be reloaded");
        AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "the change is stored but not yet in effect: reloading the users failed; see the server's log",
        )
    })
}

fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut resp = Response::new(full(bytes));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_resources() {
        assert!(is_admin_path("/_strata/admin/users"));
        assert!(is_admin_path("/_strata/admin"));
        assert!(!is_admin_path("/_strata/health"));
        assert!(!is_admin_path("/_strata/administrator"));
        assert!(matches!(
            resource("/_strata/admin/users"),
            Some(Resource::Users)
        ));
        assert!(matches!(
            resource("/_strata/admin/users/AK"),
            Some(Resource::User("AK"))
        ));
        assert!(matches!(
            resource("/_strata/admin/users/AK/rotate"),
            Some(Resource::Rotate("AK"))
        ));
        assert!(matches!(
            resource("/_strata/admin/compact"),
            Some(Resource::Compact)
        ));
        for none in [
            "/_strata/admin/",
            "/_strata/admin/users/",
            "/_strata/admin/users//rotate",
            "/_strata/admin/users/AK/rotate/x",
            "/_strata/admin/users/AK/other",
            "/_strata/admin/buckets",
            "/_strata/admin/compact/",
            "/_strata/admin/compact/x",
        ] {
            assert!(resource(none).is_none(), "{none}");
        }
    }
}
