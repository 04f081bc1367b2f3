//! The due index: what the executor reads instead of the buckets, so a run costs what is due,
//! not what is stored.
//!
//! It lives in the `settings` table, in three parts:
//! - `lifecycle/due/DUE/BUCKET/kKEY` and `lifecycle/due/DUE/BUCKET/uUPLOAD-ID` (DUE: 16 hex
//!   digits of Unix milliseconds, so names sort by time): something may be due for that key
//!   or upload from DUE on;
//! - `lifecycle/next/BUCKET/KEY` → DUE: the key's one entry above, so it can be replaced;
//! - `lifecycle/rebuild/BUCKET` → [`Cursor`]: a rebuild of the bucket's entries in progress.
//!
//! The invariant: for every key (and upload) of a bucket with a configuration, if the rules
//! make something of it due at time T (its history unchanged), the index holds an entry for
//! it due at or before T, once the bucket's rebuild has passed it. Early entries are harmless:
//! the executor checks, finds nothing due, and files the key under its exact next time.
//! Every write that changes a key's history ([`key_changed`], from `entry::sync_current`) or
//! starts an upload ([`upload_started`]) keeps the invariant by lowering the key's entry to
//! the key's next due time; putting a configuration starts a rebuild, which files every key
//! of the bucket under its exact next time; the executor files a key it processed the same
//! way. No entry is ever moved later except to a time computed from the key's whole history.

use super::{Entry, next_due, store::read_config, upload_next};
use crate::meta::{
    Flow, ReadTxn, Start, StorageResult, UploadRecord, Versioned, WriteTxn, decode, encode,
};
use serde::{Deserialize, Serialize};

const DUE_PREFIX: &str = "lifecycle/due/";
const NEXT_PREFIX: &str = "lifecycle/next/";
const REBUILD_PREFIX: &str = "lifecycle/rebuild/";
/// A write reads at most this many entries of the key's history to compute its next due
/// time; a longer history files the key as due now, for the executor to compute.
const HISTORY_CAP: usize = 256;

/// What an index entry names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Key(String),
    Upload(String),
}

/// One entry of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DueEntry {
    pub name: String,
    pub due_ms: i64,
    pub bucket: String,
    pub item: Item,
}

/// Where a bucket's rebuild stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Cursor {
    /// Filing keys, after this one.
    Keys(Option<String>),
    /// Filing uploads, after this (key, upload ID).
    Uploads(Option<(String, String)>),
}

impl Versioned for Cursor {}

fn due_name(due_ms: i64, bucket: &str, item: &Item) -> String {
    let (tag, rest) = match item {
        Item::Key(k) => ('k', k.as_str()),
        Item::Upload(u) => ('u', u.as_str()),
    };
    format!("{DUE_PREFIX}{:016x}/{bucket}/{tag}{rest}", due_ms.max(0))
}

fn parse_due_name(name: &str) -> Option<DueEntry> {
    let rest = name.strip_prefix(DUE_PREFIX)?;
    let (due, rest) = rest.split_once('/')?;
    let (bucket, item) = rest.split_once('/')?;
    let item = match item.split_at_checked(1)? {
        ("k", key) => Item::Key(key.to_owned()),
        ("u", id) => Item::Upload(id.to_owned()),
        _ => return None,
    };
    Some(DueEntry {
        name: name.to_owned(),
        due_ms: i64::from_str_radix(due, 16).ok()?,
        bucket: bucket.to_owned(),
        item,
    })
}

fn next_name(bucket: &str, key: &str) -> String {
    format!("{NEXT_PREFIX}{bucket}/{key}")
}

fn rebuild_name(bucket: &str) -> String {
    format!("{REBUILD_PREFIX}{bucket}")
}

/// The entries due at or before `now_ms`, earliest first, at most `limit`.
pub(crate) fn due_entries(
    txn: &dyn ReadTxn,
    now_ms: i64,
    limit: usize,
) -> StorageResult<Vec<DueEntry>> {
    let mut out = Vec::new();
    txn.scan_settings(DUE_PREFIX, &mut |name, _| match parse_due_name(name) {
        Some(e) if e.due_ms > now_ms => Flow::Stop,
        Some(e) => {
            out.push(e);
            if out.len() >= limit {
                Flow::Stop
            } else {
                Flow::Continue
            }
        }
        // Not ours to read (cannot happen: only this module writes here); skipped.
        None => Flow::Continue,
    })?;
    Ok(out)
}

/// The earliest entry's due time, if there is any entry.
pub(crate) fn earliest(txn: &dyn ReadTxn) -> StorageResult<Option<i64>> {
    let mut first = None;
    txn.scan_settings(DUE_PREFIX, &mut |name, _| {
        first = parse_due_name(name).map(|e| e.due_ms);
        Flow::Stop
    })?;
    Ok(first)
}

fn key_due(txn: &dyn ReadTxn, bucket: &str, key: &str) -> StorageResult<Option<i64>> {
    Ok(txn
        .setting(&next_name(bucket, key))?
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(i64::from_be_bytes))
}

/// Files `key` under exactly `due` (none: the key has nothing coming).
pub(crate) fn set_key(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    key: &str,
    due: Option<i64>,
) -> StorageResult<()> {
    let item = Item::Key(key.to_owned());
    if let Some(old) = key_due(&*txn, bucket, key)? {
        if Some(old) == due {
            return Ok(());
        }
        txn.remove_setting(&due_name(old, bucket, &item))?;
    }
    match due {
        Some(t) => {
            txn.put_setting(&due_name(t, bucket, &item), &[])?;
            txn.put_setting(&next_name(bucket, key), &t.max(0).to_be_bytes())
        }
        None => txn.remove_setting(&next_name(bucket, key)),
    }
}

/// Files `key` under `due` unless it is filed earlier already.
fn lower_key(txn: &mut dyn WriteTxn, bucket: &str, key: &str, due: i64) -> StorageResult<()> {
    match key_due(&*txn, bucket, key)? {
        Some(old) if old <= due.max(0) => Ok(()),
        _ => set_key(txn, bucket, key, Some(due)),
    }
}

/// Removes an entry the executor has dealt with.
pub(crate) fn remove(txn: &mut dyn WriteTxn, entry: &DueEntry) -> StorageResult<()> {
    txn.remove_setting(&entry.name)?;
    if let Item::Key(key) = &entry.item
        && key_due(&*txn, &entry.bucket, key)? == Some(entry.due_ms)
    {
        txn.remove_setting(&next_name(&entry.bucket, key))?;
    }
    Ok(())
}

/// Files an upload under `due`.
pub(crate) fn add_upload(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    upload_id: &str,
    due: i64,
) -> StorageResult<()> {
    txn.put_setting(
        &due_name(due, bucket, &Item::Upload(upload_id.to_owned())),
        &[],
    )
}

/// The key's entries, newest first, as the decisions read them: all of them, or (`cap`) at
/// most that many, with whether there were more.
pub(crate) fn history(
    txn: &dyn ReadTxn,
    bucket: &str,
    key: &str,
    cap: Option<usize>,
) -> StorageResult<(Vec<Entry>, bool)> {
    let mut out = Vec::new();
    let mut more = false;
    txn.scan_versions(bucket, Start::AtKey(key), &mut |k, rec| {
        if k != key {
            return Flow::Stop;
        }
        if cap.is_some_and(|c| out.len() >= c) {
            more = true;
            return Flow::Stop;
        }
        out.push(Entry {
            id: rec.id,
            last_modified_ms: rec.last_modified_ms,
            size: rec.object().map(|d| d.size),
            tags: rec.object().map(|d| d.tags.clone()).unwrap_or_default(),
        });
        Flow::Continue
    })?;
    Ok((out, more))
}

/// A write changed `key`'s history: keep the invariant.
pub(crate) fn key_changed(txn: &mut dyn WriteTxn, bucket: &str, key: &str) -> StorageResult<()> {
    let Some(config) = read_config(&*txn, bucket)? else {
        return Ok(());
    };
    let (history, more) = history(&*txn, bucket, key, Some(HISTORY_CAP))?;
    let due = match history.first() {
        // Too long to read on every write: the executor reads it all.
        Some(current) if more => Some(current.last_modified_ms),
        _ => next_due(&config.rules, key, &history, config.days),
    };
    match due {
        Some(t) => lower_key(txn, bucket, key, t),
        None => Ok(()),
    }
}

/// An upload started: file it if a rule will abort it.
pub(crate) fn upload_started(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    upload_id: &str,
    rec: &UploadRecord,
) -> StorageResult<()> {
    let Some(config) = read_config(&*txn, bucket)? else {
        return Ok(());
    };
    match upload_next(&config.rules, &rec.key, rec.initiated_ms, config.days) {
        Some((t, _)) => add_upload(txn, bucket, upload_id, t),
        None => Ok(()),
    }
}

/// A configuration was put: file the bucket's keys and uploads anew, from the start.
pub(crate) fn start_rebuild(txn: &mut dyn WriteTxn, bucket: &str) -> StorageResult<()> {
    txn.put_setting(&rebuild_name(bucket), &encode(&Cursor::Keys(None)))
}

/// A configuration was deleted (or its bucket): no rebuild, no configuration. Its entries
/// are dropped as they come due.
pub(crate) fn forget_bucket(txn: &mut dyn WriteTxn, bucket: &str) -> StorageResult<()> {
    txn.remove_setting(&super::store::config_name(bucket))?;
    txn.remove_setting(&rebuild_name(bucket))
}

/// The rebuilds in progress.
pub(crate) fn rebuilds(txn: &dyn ReadTxn) -> StorageResult<Vec<(String, Cursor)>> {
    let mut out = Vec::new();
    let mut failed = None;
    txn.scan_settings(REBUILD_PREFIX, &mut |name, bytes| {
        match decode(bytes) {
            Ok(c) => out.push((name[REBUILD_PREFIX.len()..].to_owned(), c)),
            Err(e) => failed = Some(e),
        }
        Flow::Continue
    })?;
    failed.map_or(Ok(out), Err)
}

/// Records how far a rebuild got (`None`: done).
pub(crate) fn set_rebuild(
    txn: &mut dyn WriteTxn,
    bucket: &str,
    cursor: Option<&Cursor>,
) -> StorageResult<()> {
    match cursor {
        Some(c) => txn.put_setting(&rebuild_name(bucket), &encode(c)),
        None => txn.remove_setting(&rebuild_name(bucket)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_read_back() {
        let a = due_name(5, "b", &Item::Key("x/y".into()));
        let b = due_name(0x100, "a", &Item::Upload("u1".into()));
        assert!(a < b);
        assert_eq!(
            parse_due_name(&a),
            Some(DueEntry {
                name: a.clone(),
                due_ms: 5,
                bucket: "b".into(),
                item: Item::Key("x/y".into()),
            })
        );
        assert_eq!(
            parse_due_name(&b).map(|e| e.item),
            Some(Item::Upload("u1".into()))
        );
        // A key may contain slashes, or be empty of nothing after the tag.
        let c = due_name(-3, "b", &Item::Key("/a//".into()));
        let e = parse_due_name(&c).unwrap();
        assert_eq!((e.due_ms, e.item), (0, Item::Key("/a//".into())));
        assert_eq!(parse_due_name("lifecycle/due/zz/b/kx"), None);
    }
}
