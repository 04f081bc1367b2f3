//! `strata serve`'s logs on the real binary: `--log-format json` writes one JSON object per line
//! (each request's with its id, access key, dialect, operation, bucket, key, status, error code,
//! bytes and duration), text has no colour when stderr is not a terminal, the startup line is
//! readable, and `--request-log errors|off` leaves out the successes or every request. The
//! admin listener logs each of its requests once: scrapes at debug, the console at info.

mod serve_proc;

use bytes::Bytes;
use serde_json::Value;
use serve_proc::{Serve, http, http_with, strata};
use strata_client::{Client, Config, Credentials, Dialect};

const ACCESS_KEY: &str = "AKIDSTRATALOGS000001";
const SECRET_KEY: &str = "strataLogsSecretKey000000000000000000001";

fn start(tmp: &tempfile::TempDir, extra: &[&str]) -> Serve {
    let mut cmd = strata(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
    ]);
    cmd.arg("--data-dir")
        .arg(tmp.path().join("data"))
        .args(extra);
    Serve::start(cmd, &tmp.path().join("stderr"))
}

/// Creates bucket `logs` and puts `dir/k` (5 bytes) into it, signed with S3's SigV4.
fn signed_requests(server: &Serve) {
    let client = Client::new(Config {
        endpoint: server.endpoint(),
        dialect: Dialect::S3,
        credentials: Credentials {
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
        },
        region: None,
    })
    .unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            client.create_bucket("logs").await.unwrap();
            client
                .put_object("logs", "dir/k", Bytes::from_static(b"hello"))
                .await
                .unwrap();
        });
}

/// The request lines among JSON log lines.
fn served(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["message"] == "served").collect()
}

#[test]
fn json_lines_carry_every_field_of_a_request() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &["--log-format", "json"]);
    signed_requests(&server);
    let refused = http(&server.addr, "GET", "/logs/dir/k", b"");
    assert_eq!(refused.status, 403);
    let id = refused.header("x-amz-request-id").unwrap().to_owned();

    let log = server.stderr();
    assert!(!log.contains('\x1b'), "no colour off a terminal: {log}");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    for l in &lines {
        for field in ["timestamp", "level", "target", "message"] {
            assert!(l.get(field).is_some(), "{field} in {l}");
        }
    }
    let startup = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("serving:"))
        })
        .unwrap_or_else(|| panic!("a startup line in {log}"));
    let startup = startup["message"].as_str().unwrap();
    assert!(startup.contains("timeouts header 30s"), "{startup}");
    assert!(
        !startup.contains("Some(") && !startup.contains('{'),
        "{startup}"
    );

    let served = served(&lines);
    let put = served
        .iter()
        .find(|l| l["operation"] == "PutObject")
        .unwrap_or_else(|| panic!("a PutObject line in {log}"));
    assert_eq!(put["level"], "INFO");
    assert_eq!(put["target"], "strata_api::request");
    assert_eq!(put["access_key"], ACCESS_KEY);
    assert_eq!(put["dialect"], "s3");
    assert_eq!(put["bucket"], "logs");
    assert_eq!(put["key"], "dir/k");
    assert_eq!(put["status"], 200);
    assert!(put.get("error").is_none(), "{put}");
    assert_eq!(put["method"], "PUT");
    assert!(put["bytes_in"].as_u64().is_some_and(|n| n >= 5), "{put}");
    assert!(put["duration_us"].is_u64(), "{put}");
    assert_eq!(put["request_id"].as_str().map(str::len), Some(16), "{put}");

    let get = served
        .iter()
        .find(|l| l["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("a line with request id {id} in {log}"));
    assert_eq!(get["level"], "WARN");
    assert_eq!(get["access_key"], "anonymous");
    assert_eq!(get["operation"], "GetObject");
    assert_eq!(get["bucket"], "logs");
    assert_eq!(get["key"], "dir/k");
    assert_eq!(get["status"], 403);
    assert_eq!(get["error"], "AccessDenied");
    assert!(get["bytes_out"].as_u64().is_some_and(|n| n > 0), "{get}");
}

#[test]
fn text_lines_have_no_colour_off_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &[]);
    let resp = http(&server.addr, "PUT", "/nobucket/a%20key", b"abc");
    let id = resp.header("x-amz-request-id").unwrap().to_owned();
    let log = server.stderr();
    assert!(!log.contains('\x1b'), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains(&format!("request_id=\"{id}\"")))
        .unwrap_or_else(|| panic!("a line for {id} in {log}"));
    for field in [
        " WARN strata_api::request: served ",
        "access_key=\"anonymous\"",
        "dialect=\"s3\"",
        "operation=\"PutObject\"",
        "bucket=\"nobucket\"",
        "key=\"a key\"",
        &format!("status={}", resp.status),
        "bytes_in=3",
        "duration_us=",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    assert!(line.contains("error=\""), "{line}");
}

#[test]
fn request_log_errors_keeps_only_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &["--log-format", "json", "--request-log", "errors"]);
    signed_requests(&server);
    let refused = http(&server.addr, "GET", "/logs/dir/k", b"");
    let id = refused.header("x-amz-request-id").unwrap().to_owned();
    let lines: Vec<Value> = server
        .stderr()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let served = served(&lines);
    assert_eq!(served.len(), 1, "{served:?}");
    assert_eq!(served[0]["request_id"], id.as_str());
}

#[test]
fn request_log_off_logs_no_request_but_the_startup() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &["--request-log", "off"]);
    signed_requests(&server);
    http(&server.addr, "GET", "/logs/dir/k", b"");
    let log = server.stderr();
    assert!(!log.contains("served"), "{log}");
    assert!(log.contains("requests logged: none"), "{log}");
}

/// A download's line counts the body bytes sent, however the body is streamed, and is not
/// marked `unfinished` when the client read it all.
#[test]
fn a_downloads_line_counts_the_bytes_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &["--log-format", "json"]);
    let client = Client::new(Config {
        endpoint: server.endpoint(),
        dialect: Dialect::S3,
        credentials: Credentials {
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
        },
        region: None,
    })
    .unwrap();
    const SIZE: usize = 3 << 20;
    let read = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            client.create_bucket("big").await.unwrap();
            client
                .put_object("big", "blob", Bytes::from(vec![7u8; SIZE]))
                .await
                .unwrap();
            client.get_object("big", "blob", None).await.unwrap()
        });
    assert_eq!(read, SIZE as u64);
    let lines: Vec<Value> = server
        .stderr()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let get = served(&lines)
        .into_iter()
        .find(|l| l["operation"] == "GetObject")
        .unwrap_or_else(|| panic!("a GetObject line in {lines:?}"));
    assert_eq!(get["status"], 200, "{get}");
    assert_eq!(get["bytes_out"], SIZE as u64, "{get}");
    assert!(get.get("unfinished").is_none(), "{get}");
    let put = served(&lines)
        .into_iter()
        .find(|l| l["operation"] == "PutObject")
        .unwrap();
    assert_eq!(put["bytes_out"], 0, "{put}");
}

/// The admin listener's lines (message `admin served`) among JSON log lines.
fn admin_served(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["message"] == "admin served")
        .collect()
}

fn json_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn admin_listener_requests_are_logged_once_each() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(
        &tmp,
        &[
            "--log-format",
            "json",
            "--log-level",
            "info,strata_api::ops=debug",
        ],
    );
    let admin = server.admin();
    assert_eq!(http(&admin, "GET", "/metrics", b"").status, 200);
    assert_eq!(http(&admin, "GET", "/health?probe=1", b"").status, 200);
    assert_eq!(http(&admin, "GET", "/nothing-here", b"").status, 404);
    let login = format!(r#"{{"access_key":"{ACCESS_KEY}","secret_key":"{SECRET_KEY}"}}"#);
    let json = [("Content-Type", "application/json")];
    let signed_in = http_with(&admin, "POST", "/api/login", &json, login.as_bytes());
    assert_eq!(signed_in.status, 200);
    let cookie = signed_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let with_cookie = [("Cookie", cookie.as_str())];
    let session = http_with(&admin, "GET", "/api/session?x=1", &with_cookie, b"");
    assert_eq!(session.status, 200);
    // Forwarded to S3: its line is the console's, with the S3 operation.
    let listed = http_with(&admin, "GET", "/s3/", &with_cookie, b"");
    assert_eq!(listed.status, 200);

    let log = server.stderr();
    let lines = json_lines(&log);
    let admin_lines = admin_served(&lines);
    let seen: Vec<(&str, &str, u64)> = admin_lines
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap(),
                l["path"].as_str().unwrap(),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("DEBUG", "/metrics", 200),
            ("DEBUG", "/health", 200),
            ("INFO", "/nothing-here", 404),
            ("INFO", "/api/login", 200),
            ("INFO", "/api/session", 200),
        ],
        "{log}"
    );
    for l in &admin_lines {
        assert_eq!(l["target"], "strata_api::ops", "{l}");
        assert!(l["duration_us"].is_u64(), "{l}");
        assert!(
            l["peer"]
                .as_str()
                .is_some_and(|p| p.starts_with("127.0.0.1:")),
            "{l}"
        );
        let signed_in = l["path"].as_str().unwrap().starts_with("/api/");
        assert_eq!(l.get("access_key").is_some(), signed_in, "{l}");
        if signed_in {
            assert_eq!(l["access_key"], ACCESS_KEY, "{l}");
        }
    }
    assert_eq!(admin_lines[3]["method"], "POST");
    let forwarded: Vec<&Value> = lines.iter().filter(|l| l["message"] == "console").collect();
    assert_eq!(forwarded.len(), 1, "{log}");
    assert_eq!(forwarded[0]["operation"], "ListBuckets");
    assert_eq!(forwarded[0]["access_key"], ACCESS_KEY);
}

#[test]
fn scrapes_are_not_logged_at_info() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp, &["--log-format", "json"]);
    let admin = server.admin();
    for path in ["/metrics", "/ready", "/health", "/"] {
        assert_eq!(http(&admin, "GET", path, b"").status, 200, "{path}");
    }
    let log = server.stderr();
    let lines = json_lines(&log);
    let paths: Vec<&str> = admin_served(&lines)
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/"], "{log}");
}
