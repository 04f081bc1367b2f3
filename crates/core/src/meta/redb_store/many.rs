//! Removals of many keys of one bucket (a delete-many's), by one scan of a table each.
//!
//! A removal at a time descends the B-tree from its root and rewrites the leaf for every key:
//! about 1.5 µs a key here, three times per key removed (`nulls`, `versions`, `objects`). One
//! `retain_in` over the range from the first key to the last visits each leaf once and removes
//! as it goes: about 0.4 µs a key when the keys are all that lies in between (a 1000-key
//! delete-many of a listing's keys, the usual case). It also reads whatever else lies in
//! between, so it is used only when that is little: a count of the range's entries, stopped
//! at [`limit`], decides; past it, the keys are removed one at a time.

use super::{Eng, RedbWrite};
use crate::meta::{StorageResult, VersionRecord, decode};
use redb::ReadableTable;

/// The most entries a range may hold for a scan to remove `n` keys from it: twice as many,
/// and a few more for small batches. A sparse batch costs a count of at most this many
/// entries before it is removed one key at a time.
fn limit(n: usize) -> usize {
    2 * n + 64
}

/// Whether `range` holds at most [`limit`]`(n)` entries.
fn dense<K: redb::Key + 'static, V: redb::Value + 'static>(
    range: redb::Range<'_, K, V>,
    n: usize,
) -> StorageResult<bool> {
    let mut seen = 0;
    for entry in range {
        entry.eng()?;
        seen += 1;
        if seen > limit(n) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The index of `key` in `keys` (sorted: redb orders byte strings bytewise, as `str` orders).
fn find(keys: &[&str], key: &[u8]) -> Option<usize> {
    keys.binary_search_by(|k| k.as_bytes().cmp(key)).ok()
}

impl RedbWrite<'_> {
    pub(super) fn take_null_seqs_at_once(
        &mut self,
        bucket: &str,
        keys: &[&str],
    ) -> StorageResult<Vec<Option<u64>>> {
        debug_assert!(keys.is_sorted_by(|a, b| a < b));
        let mut out = vec![None; keys.len()];
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(out);
        };
        let range: std::ops::RangeInclusive<(&str, &[u8])> =
            (bucket, first.as_bytes())..=(bucket, last.as_bytes());
        let mut t = self.tables.NULLS.borrow_mut();
        if dense(t.range(range.clone()).eng()?, keys.len())? {
            t.retain_in(range, |(_, key), seq| match find(keys, key) {
                Some(i) => {
                    out[i] = Some(seq);
                    false
                }
                None => true,
            })
            .eng()?;
        } else {
            for (slot, key) in out.iter_mut().zip(keys) {
                *slot = t.remove((bucket, key.as_bytes())).eng()?.map(|v| v.value());
            }
        }
        self.writes.set(self.writes.get() + keys.len() as u64);
        Ok(out)
    }

    pub(super) fn remove_versions_at_once(
        &mut self,
        bucket: &str,
        entries: &[(&str, u64)],
    ) -> StorageResult<Vec<Option<VersionRecord>>> {
        debug_assert!(entries.is_sorted_by(|a, b| a.0 < b.0));
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return Ok(Vec::new());
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
        let range = (bucket, first.0.as_bytes(), 0u64)..=(bucket, last.0.as_bytes(), u64::MAX);
        let mut out = Vec::with_capacity(entries.len());
        {
            let mut t = self.tables.VERSIONS.borrow_mut();
            if dense(t.range(range.clone()).eng()?, entries.len())? {
                let mut found: Vec<Option<StorageResult<VersionRecord>>> =
                    (0..entries.len()).map(|_| None).collect();
                t.retain_in(range, |(_, key, inverted), bytes| {
                    match find(&keys, key) {
                        Some(i) if u64::MAX - inverted == entries[i].1 => {
                            found[i] = Some(decode(bytes));
                            // A record that does not decode stays, and fails the batch below.
                            found[i].as_ref().is_some_and(Result::is_err)
                        }
                        _ => true,
                    }
                })
                .eng()?;
                for rec in found {
                    out.push(rec.transpose()?);
                }
            } else {
                for (key, seq) in entries {
                    let old = t.remove((bucket, key.as_bytes(), u64::MAX - seq)).eng()?;
                    out.push(old.map(|v| decode(v.value())).transpose()?);
                }
            }
        }
        for rec in out.iter().flatten() {
            self.delta.version(rec, -1);
        }
        self.writes.set(self.writes.get() + entries.len() as u64);
        Ok(out)
    }

    pub(super) fn remove_objects_at_once(
        &mut self,
        bucket: &str,
        keys: &[&str],
    ) -> StorageResult<()> {
        debug_assert!(keys.is_sorted_by(|a, b| a < b));
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(());
        };
        let range: std::ops::RangeInclusive<(&str, &[u8])> =
            (bucket, first.as_bytes())..=(bucket, last.as_bytes());
        let mut existed = vec![false; keys.len()];
        {
            let mut t = self.tables.OBJECTS.borrow_mut();
            if dense(t.range(range.clone()).eng()?, keys.len())? {
                t.retain_in(range, |(_, key), _| match find(keys, key) {
                    Some(i) => {
                        existed[i] = true;
                        false
                    }
                    None => true,
                })
                .eng()?;
            } else {
                for (slot, key) in existed.iter_mut().zip(keys) {
                    *slot = t.remove((bucket, key.as_bytes())).eng()?.is_some();
                }
            }
        }
        for existed in existed {
            self.delta.object(existed, true);
        }
        self.writes.set(self.writes.get() + keys.len() as u64);
        Ok(())
    }
}
