//! What a write batch does to `blobs`, carried out once before it commits.
//!
//! A removal, or a dropped reference ([`WriteTxn::release_blob`]), is only noted while the
//! batch runs ([`BlobChanges`]); the batch's own reads see it at once ([`BlobChanges::seen`]).
//! [`RedbWrite::finish`] then takes the noted blobs' records in one `retain_in` scan per run of
//! nearby IDs: redb rewrites each leaf and branch page once per scan, where a removal at a time
//! rewrote the branch above a 4 KiB inline body's leaf once per blob, and a dropped reference
//! at a time read (and copied) the whole record, body included, once more before the scan.

use super::{Eng, RedbWrite};
use crate::meta::{BlobRecord, ReadTxn, StorageResult, WriteTxn, decode};
use std::collections::BTreeMap;

/// Blob IDs further apart than this are taken by separate scans of `blobs` (a scan reads
/// every record between the first and the last ID it takes).
const GAP: u64 = 256;

/// What the batch did to a blob, not yet in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    /// Removed ([`WriteTxn::remove_blob`]).
    Removed,
    /// This many references dropped ([`WriteTxn::release_blob`]) since the batch last wrote
    /// the record.
    Released(u32),
}

#[derive(Default)]
pub(super) struct BlobChanges(BTreeMap<u64, Change>);

impl BlobChanges {
    /// The record a read of the batch sees: `stored`, with the batch's changes applied.
    pub(super) fn seen(&self, id: u64, stored: Option<BlobRecord>) -> Option<BlobRecord> {
        match self.0.get(&id) {
            None => stored,
            Some(Change::Removed) => None,
            Some(Change::Released(n)) => stored.filter(|rec| rec.refs > *n).map(|rec| BlobRecord {
                refs: rec.refs - n,
                body: rec.body,
            }),
        }
    }

    /// The record was written whole: nothing is pending any more.
    pub(super) fn written(&mut self, id: u64) {
        self.0.remove(&id);
    }

    pub(super) fn removed(&mut self, id: u64) {
        self.0.insert(id, Change::Removed);
    }

    /// One more reference dropped. A blob the batch removed has none left to drop.
    pub(super) fn released(&mut self, id: u64) -> StorageResult<()> {
        let change = self.0.entry(id).or_insert(Change::Released(0));
        match change {
            Change::Removed => Err(crate::object::missing_blob(id)),
            Change::Released(n) => {
                *n += 1;
                Ok(())
            }
        }
    }
}

/// A blob record's reference count and whether its body is a file, read without the body: a
/// record is its format byte, then postcard's `refs` (a varint) and `body`'s variant index
/// (0: inline, with the bytes after it; 1: a file).
fn head(bytes: &[u8]) -> StorageResult<(u32, bool)> {
    #[derive(serde::Deserialize)]
    enum Body {
        Inline,
        File,
    }
    match bytes.split_first() {
        Some((&f, rest)) if f == <BlobRecord as crate::meta::Versioned>::FORMAT => {
            let ((refs, body), _) = postcard::take_from_bytes::<(u32, Body)>(rest)
                .map_err(|e| crate::error::StorageError::Corrupt(e.to_string()))?;
            Ok((refs, matches!(body, Body::File)))
        }
        _ => {
            let rec: BlobRecord = decode(bytes)?;
            Ok((rec.refs, rec.body == crate::meta::BlobBody::File))
        }
    }
}

impl RedbWrite<'_> {
    /// Carries out the batch's changes of `blobs`: removed blobs and those left without
    /// references leave the table (file blobs among the latter are queued as garbage), the
    /// others get their new reference count.
    pub(super) fn apply_blob_changes(&mut self) -> StorageResult<()> {
        let changes = std::mem::take(&mut self.blob_changes.0);
        let (mut found, mut garbage, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        let mut failed = None;
        {
            let mut t = self.tables.BLOBS.borrow_mut();
            let mut ids = changes.keys().copied().peekable();
            while let Some(first) = ids.next() {
                let mut last = first;
                while let Some(&next) = ids.peek() {
                    if next - last > GAP {
                        break;
                    }
                    last = next;
                    ids.next();
                }
                t.retain_in(first..=last, |id, value| match changes.get(&id) {
                    None => true,
                    Some(Change::Removed) => false,
                    Some(Change::Released(n)) => {
                        found.push(id);
                        match head(value) {
                            Ok((refs, _)) if refs > *n => {
                                kept.push((id, refs - n));
                                true
                            }
                            Ok((_, file)) => {
                                if file {
                                    garbage.push(id);
                                }
                                false
                            }
                            Err(e) => {
                                failed = Some(e);
                                true
                            }
                        }
                    }
                })
                .eng()?;
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        // Every released blob was found (`found` is in ID order, as the scans went).
        let mut found = found.into_iter().peekable();
        for (&id, change) in &changes {
            if let Change::Released(_) = change
                && found.next_if_eq(&id).is_none()
            {
                return Err(crate::object::missing_blob(id));
            }
        }
        // Blobs still referred to elsewhere (a copy's): rare, written one at a time (the
        // changes are taken: `blob` reads the stored record).
        for (id, refs) in kept {
            let Some(mut rec) = self.blob(id)? else {
                return Err(crate::object::missing_blob(id));
            };
            rec.refs = refs;
            self.put_blob(id, &rec)?;
        }
        for id in garbage {
            self.add_garbage(id)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{BlobBody, encode};

    #[test]
    fn the_head_is_read_as_the_whole_record() {
        for rec in [
            BlobRecord {
                refs: 1,
                body: BlobBody::Inline(vec![7; 4096]),
            },
            BlobRecord {
                refs: 300,
                body: BlobBody::Inline(Vec::new()),
            },
            BlobRecord {
                refs: 2,
                body: BlobBody::File,
            },
            BlobRecord {
                refs: u32::MAX,
                body: BlobBody::File,
            },
        ] {
            let file = rec.body == BlobBody::File;
            assert_eq!(head(&encode(&rec)).unwrap(), (rec.refs, file));
        }
        assert!(head(&[]).is_err());
        assert!(head(&[1]).is_err());
    }

    #[test]
    fn reads_see_the_pending_changes() {
        let rec = |refs| BlobRecord {
            refs,
            body: BlobBody::File,
        };
        let mut c = BlobChanges::default();
        c.released(1).unwrap();
        c.released(1).unwrap();
        assert_eq!(c.seen(1, Some(rec(3))), Some(rec(1)));
        assert_eq!(c.seen(1, Some(rec(2))), None);
        assert_eq!(c.seen(2, Some(rec(2))), Some(rec(2)));
        c.written(1);
        assert_eq!(c.seen(1, Some(rec(3))), Some(rec(3)));
        c.removed(1);
        assert_eq!(c.seen(1, Some(rec(5))), None);
        assert!(c.released(1).is_err());
    }
}
