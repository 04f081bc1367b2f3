//! Key-range arithmetic of the engine's scans: where a scan starts, and the first key past a
//! prefix. Pure functions over byte strings, kept apart from the engine's calls.

use super::{Start, StorageResult};
use crate::error::StorageError;
use std::ops::Bound;

pub(super) fn key_str(bytes: &[u8]) -> StorageResult<&str> {
    std::str::from_utf8(bytes).map_err(|_| StorageError::Corrupt("object key is not UTF-8".into()))
}

/// The smallest byte string greater than every string that starts with `prefix`, if any.
pub(super) fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut s = prefix.to_vec();
    while let Some(last) = s.pop() {
        if last < 0xff {
            s.push(last + 1);
            return Some(s);
        }
    }
    None
}

/// Lower bound of a scan: (key, inverted seq, exclusive).
pub(super) fn lower_bound(start: Start<'_>) -> (Vec<u8>, u64, bool) {
    match start {
        Start::First => (Vec::new(), 0, false),
        Start::AtKey(k) => (k.as_bytes().to_vec(), 0, false),
        Start::AfterKey(k) => (k.as_bytes().to_vec(), u64::MAX, true),
        Start::AfterVersion(k, seq) => (k.as_bytes().to_vec(), u64::MAX - seq, true),
    }
}

pub(super) fn bound<T>(value: T, exclusive: bool) -> Bound<T> {
    if exclusive {
        Bound::Excluded(value)
    } else {
        Bound::Included(value)
    }
}
