//! Restore a prefix to a time, from the console: the plan is `strata restore`'s own
//! ([`strata_wire::restore::plan`], per key, over the same version listing), previewed by
//! `GET /api/restore/plan` and carried out by `POST /api/restore/run`, both through S3
//! requests made as the session's user ([`super::forward::call`]), so the user's own rights
//! decide what may be listed, copied and deleted.
//!
//! A run lists and plans again (what changed since the preview is seen, as `strata restore`
//! run after `--dry-run` would), then removes the markers of the keys to undelete (one
//! multi-delete per 1000) and copies the version current at the time over each key to copy
//! back.

use super::error::ConsoleError;
use super::forward::{Answer, call};
use crate::{AppState, User};
use base64::Engine as _;
use bytes::Bytes;
use hyper::Method;
use md5::{Digest as _, Md5};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use strata_wire::restore::{Plan, VersionEntry, plan};
use strata_wire::xml::{Element, Xml, url_encode};

/// The most versions a console restore lists; a larger prefix is `strata restore`'s job.
pub const MAX_VERSIONS: usize = 100_000;
/// Entries of one multi-delete.
const BATCH: usize = 1000;

/// What a plan or run is asked for.
pub struct Target {
    pub bucket: String,
    pub prefix: String,
    pub as_of_ms: i64,
}

/// One key's line of the plan (and of a run's results).
#[derive(Serialize, Debug)]
pub struct KeyPlan {
    pub key: String,
    /// `unchanged`, `undelete`, `copy`, `created_later` or `deleted_then`.
    pub action: &'static str,
    /// `undelete`: the delete markers removed, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<String>,
    /// `copy`: the version copied over the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// After a run: `done`, `unchanged` (nothing to do), or why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl KeyPlan {
    fn of(key: String, plan: Plan) -> KeyPlan {
        let (action, markers, version_id) = match plan {
            Plan::Unchanged => ("unchanged", Vec::new(), None),
            Plan::Undelete { markers } => ("undelete", markers, None),
            Plan::CopyBack { version_id } => ("copy", Vec::new(), Some(version_id)),
            Plan::CreatedLater => ("created_later", Vec::new(), None),
            Plan::DeletedThen => ("deleted_then", Vec::new(), None),
        };
        KeyPlan {
            key,
            action,
            markers,
            version_id,
            result: None,
        }
    }
}

/// The plan for every key under the prefix, in key order.
pub async fn make_plan(
    state: &AppState,
    peer: SocketAddr,
    user: &Arc<User>,
    t: &Target,
) -> Result<Vec<KeyPlan>, ConsoleError> {
    let entries = list_versions(state, peer, user, t).await?;
    let mut plans = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let key = &entries[start].key;
        let end = start
            + entries[start..]
                .iter()
                .take_while(|e| &e.key == key)
                .count();
        plans.push(KeyPlan::of(
            key.clone(),
            plan(&entries[start..end], t.as_of_ms),
        ));
        start = end;
    }
    Ok(plans)
}

/// Carries a plan out; each key's `result` says how it went.
pub async fn run(
    state: &AppState,
    peer: SocketAddr,
    user: &Arc<User>,
    t: &Target,
    plans: &mut [KeyPlan],
) {
    let undeletes: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].action == "undelete")
        .collect();
    let mut batch: Vec<usize> = Vec::new();
    let mut count = 0;
    for i in undeletes {
        count += plans[i].markers.len();
        batch.push(i);
        if count >= BATCH {
            remove_markers(state, peer, user, &t.bucket, plans, &batch).await;
            batch.clear();
            count = 0;
        }
    }
    if !batch.is_empty() {
        remove_markers(state, peer, user, &t.bucket, plans, &batch).await;
    }
    for p in plans.iter_mut() {
        match (p.action, &p.version_id) {
            ("copy", Some(v)) => {
                let source = format!("/{}/{}?versionId={}", t.bucket, url_encode(&p.key), v);
                let path = format!("/{}/{}", t.bucket, url_encode(&p.key));
                let answer = call(
                    state,
                    peer,
                    user,
                    Method::PUT,
                    &path,
                    &[("x-amz-copy-source", source)],
                    Bytes::new(),
                )
                .await
                .and_then(Answer::ok);
                p.result = Some(match answer {
                    Ok(_) => "done".into(),
                    Err(e) => e.to_string(),
                });
            }
            ("undelete", _) => {}
            _ => p.result = Some("unchanged".into()),
        }
    }
}

/// One multi-delete of the markers of the keys `which` (at most [`BATCH`] markers, unless a
/// single key has more).
async fn remove_markers(
    state: &AppState,
    peer: SocketAddr,
    user: &Arc<User>,
    bucket: &str,
    plans: &mut [KeyPlan],
    which: &[usize],
) {
    let mut doc = Xml::new("Delete", "");
    doc.leaf("Quiet", "true");
    for &i in which {
        for m in &plans[i].markers {
            doc.open("Object")
                .leaf("Key", &plans[i].key)
                .leaf("VersionId", m)
                .close();
        }
    }
    let body = Bytes::from(doc.finish());
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body));
    let answer = call(
        state,
        peer,
        user,
        Method::POST,
        &format!("/{bucket}?delete"),
        &[("content-md5", md5)],
        body,
    )
    .await
    .and_then(Answer::ok);
    let failed: Vec<(String, String)> = match &answer {
        Ok(a) => match strata_wire::xml::parse(&a.body, 100_000) {
            Ok(root) => root
                .children("Error")
                .map(|e| {
                    let text = |n| e.child_text(n).unwrap_or_default().to_owned();
                    (
                        text("Key"),
                        format!("{}: {}", text("Code"), text("Message")),
                    )
                })
                .collect(),
            Err(e) => {
                let why = format!("the answer cannot be read: {e:?}");
                which
                    .iter()
                    .map(|&i| (plans[i].key.clone(), why.clone()))
                    .collect()
            }
        },
        Err(e) => which
            .iter()
            .map(|&i| (plans[i].key.clone(), e.to_string()))
            .collect(),
    };
    for &i in which {
        let why = failed.iter().find(|(k, _)| *k == plans[i].key);
        plans[i].result = Some(why.map_or_else(|| "done".to_owned(), |(_, w)| w.clone()));
    }
}

/// Every version under the prefix, in key order, newest first within a key.
async fn list_versions(
    state: &AppState,
    peer: SocketAddr,
    user: &Arc<User>,
    t: &Target,
) -> Result<Vec<VersionEntry>, ConsoleError> {
    let mut entries = Vec::new();
    let mut marker: Option<(String, String)> = None;
    loop {
        let mut path = format!(
            "/{}?versions&encoding-type=url&max-keys=1000&prefix={}",
            t.bucket,
            url_encode(&t.prefix)
        );
        if let Some((k, v)) = &marker {
            path.push_str(&format!(
                "&key-marker={}&version-id-marker={}",
                url_encode(k),
                url_encode(v)
            ));
        }
        let answer = call(state, peer, user, Method::GET, &path, &[], Bytes::new())
            .await?
            .ok()?;
        let root = strata_wire::xml::parse(&answer.body, 200_000)
            .map_err(|e| bad_listing(format!("{e:?}")))?;
        let url = root
            .child_text("EncodingType")
            .is_some_and(|e| e.eq_ignore_ascii_case("url"));
        for child in &root.children {
            if child.name == "Version" || child.name == "DeleteMarker" {
                entries.push(entry(child, url)?);
            }
        }
        if entries.len() > MAX_VERSIONS {
            return Err(ConsoleError::TooMany(MAX_VERSIONS));
        }
        if root.child_text("IsTruncated") != Some("true") {
            return Ok(entries);
        }
        let key = root
            .child_text("NextKeyMarker")
            .map(|k| decode(k, url))
            .ok_or_else(|| bad_listing("a truncated listing has no NextKeyMarker".into()))?;
        let version = root
            .child_text("NextVersionIdMarker")
            .unwrap_or_default()
            .to_owned();
        marker = Some((key, version));
    }
}

fn bad_listing(why: String) -> ConsoleError {
    ConsoleError::Upstream {
        status: hyper::StatusCode::BAD_GATEWAY,
        code: "InternalError".into(),
        message: format!("the version listing cannot be read: {why}"),
    }
}

fn decode(s: &str, url: bool) -> String {
    if !url {
        return s.to_owned();
    }
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// A `<Version>` or `<DeleteMarker>` of the listing.
fn entry(el: &Element, url: bool) -> Result<VersionEntry, ConsoleError> {
    let key = el
        .child_text("Key")
        .ok_or_else(|| bad_listing("a version has no Key".into()))?;
    let modified = el.child_text("LastModified").unwrap_or_default();
    let last_modified_ms = modified
        .trim()
        .parse::<jiff::Timestamp>()
        .map_err(|_| bad_listing(format!("the time {modified:?} is not ISO 8601")))?
        .as_millisecond();
    Ok(VersionEntry {
        key: decode(key, url),
        version_id: el.child_text("VersionId").unwrap_or("null").to_owned(),
        is_latest: el.child_text("IsLatest") == Some("true"),
        is_delete_marker: el.name == "DeleteMarker",
        last_modified_ms,
        size: el
            .child_text("Size")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
        etag: el
            .child_text("ETag")
            .unwrap_or_default()
            .trim()
            .trim_matches('"')
            .to_owned(),
    })
}
