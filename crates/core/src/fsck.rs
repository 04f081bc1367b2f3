//! A consistency check of a whole store: every reference resolves, every count is right, no
//! file is left that nothing refers to, the counts kept for metrics equal the records. Used
//! by the crash and model tests, and by operators.

use crate::error::Result;
use crate::meta::{BlobBody, EntryKind, Flow, Start};
use crate::store::{Store, current_entry};
use crate::version::VersionId;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct FsckReport {
    pub buckets: usize,
    pub versions: usize,
    pub delete_markers: usize,
    pub uploads: usize,
    pub blobs: usize,
    pub files: usize,
    /// Blob files on disk that no metadata refers to and that are not queued for removal.
    pub unreferenced_files: Vec<u64>,
    /// Blobs queued for removal whose files are still there.
    pub pending_garbage: usize,
    /// Everything found wrong, in words.
    pub problems: Vec<String>,
}

impl FsckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.unreferenced_files.is_empty()
    }
}

impl Store {
    pub fn fsck(&self) -> Result<FsckReport> {
        let txn = self.read()?;
        let mut r = FsckReport::default();
        // blob -> (references counted, length expected)
        let mut refs: BTreeMap<u64, (u32, u64)> = BTreeMap::new();
        let mut count_ref = |blob: u64, len: u64, r: &mut FsckReport, what: &str| {
            let e = refs.entry(blob).or_insert((0, len));
            e.0 += 1;
            if e.1 != len {
                r.problems.push(format!(
                    "{what}: blob {blob:016x} used with lengths {} and {len}",
                    e.1
                ));
            }
        };
        for (bucket, _) in txn.buckets()? {
            r.buckets += 1;
            let mut entries = Vec::new();
            txn.scan_versions(&bucket, Start::First, &mut |key, rec| {
                entries.push((key.to_owned(), rec));
                Flow::Continue
            })?;
            let mut prev: Option<(String, u64)> = None;
            let mut nulls: BTreeMap<String, u32> = BTreeMap::new();
            for (key, rec) in &entries {
                let what = format!("{bucket}/{key}@{}", rec.id);
                if let Some((pk, pseq)) = &prev
                    && pk == key
                    && *pseq <= rec.seq
                {
                    r.problems
                        .push(format!("{what}: not newer-first within its key"));
                }
                prev = Some((key.clone(), rec.seq));
                match rec.id {
                    VersionId::Null => {
                        *nulls.entry(key.clone()).or_default() += 1;
                        if txn.null_seq(&bucket, key)? != Some(rec.seq) {
                            r.problems
                                .push(format!("{what}: the null index does not point at it"));
                        }
                    }
                    VersionId::Stamp { seq, .. } if seq != rec.seq => {
                        r.problems.push(format!(
                            "{what}: its ID names sequence {seq}, it has {}",
                            rec.seq
                        ));
                    }
                    VersionId::Stamp { .. } => {}
                }
                match &rec.kind {
                    EntryKind::DeleteMarker => r.delete_markers += 1,
                    EntryKind::Object(data) => {
                        r.versions += 1;
                        let total: u64 = data.segments.iter().map(|s| s.len).sum();
                        if total != data.size {
                            r.problems.push(format!(
                                "{what}: segments hold {total} bytes, size is {}",
                                data.size
                            ));
                        }
                        for s in &data.segments {
                            count_ref(s.blob, s.len, &mut r, &what);
                        }
                    }
                }
            }
            for (key, n) in nulls {
                if n > 1 {
                    r.problems.push(format!("{bucket}/{key}: {n} null entries"));
                }
            }
            // The listing summaries match the current entries, and nothing else is listed.
            let mut listed = BTreeSet::new();
            let mut summaries = Vec::new();
            txn.scan_objects(&bucket, Start::First, &mut |key, s| {
                summaries.push((key.to_owned(), s));
                Flow::Continue
            })?;
            for (key, s) in summaries {
                listed.insert(key.clone());
                match current_entry(&*txn, &bucket, &key)? {
                    Some(cur) if !cur.is_delete_marker() && cur.seq == s.seq => {}
                    _ => r.problems.push(format!(
                        "{bucket}/{key}: listed but its current entry is not that object"
                    )),
                }
            }
            let mut last = None;
            for (key, rec) in &entries {
                if last.as_ref() == Some(key) {
                    continue;
                }
                last = Some(key.clone());
                if !rec.is_delete_marker() && !listed.contains(key) {
                    r.problems.push(format!(
                        "{bucket}/{key}: current object missing from the listing"
                    ));
                }
            }
            // Parts of open uploads hold references too.
            let mut uploads = Vec::new();
            txn.scan_uploads(&bucket, None, &mut |id, _| {
                uploads.push(id.to_owned());
                Flow::Continue
            })?;
            for id in uploads {
                r.uploads += 1;
                let mut parts = Vec::new();
                txn.scan_parts(&id, 0, &mut |n, p| {
                    parts.push((n, p));
                    Flow::Continue
                })?;
                for (n, p) in parts {
                    count_ref(
                        p.segment.blob,
                        p.segment.len,
                        &mut r,
                        &format!("upload {id} part {n}"),
                    );
                }
            }
        }
        let garbage: BTreeSet<u64> = txn.garbage(usize::MAX)?.into_iter().collect();
        let files: BTreeMap<u64, u64> = self
            .inner
            .blobs
            .files()
            .map_err(crate::StorageError::Io)?
            .into_iter()
            .collect();
        r.files = files.len();
        for (&blob, &(count, len)) in &refs {
            r.blobs += 1;
            match txn.blob(blob)? {
                None => r
                    .problems
                    .push(format!("blob {blob:016x} is referred to but not recorded")),
                Some(rec) => {
                    if rec.refs != count {
                        r.problems.push(format!(
                            "blob {blob:016x}: {} references recorded, {count} found",
                            rec.refs
                        ));
                    }
                    match rec.body {
                        BlobBody::Inline(bytes) if bytes.len() as u64 != len => {
                            r.problems.push(format!(
                                "blob {blob:016x}: inline body of {} bytes, {len} expected",
                                bytes.len()
                            ));
                        }
                        BlobBody::File if files.get(&blob) != Some(&len) => {
                            r.problems
                                .push(format!("blob {blob:016x}: file missing or not {len} bytes"));
                        }
                        _ => {}
                    }
                    if garbage.contains(&blob) {
                        r.problems.push(format!(
                            "blob {blob:016x} is referred to and queued for removal"
                        ));
                    }
                }
            }
        }
        let kept = crate::meta::StoreStats::read(&*txn)?;
        let found = crate::meta::StoreStats::scan(&*txn)?;
        if kept != found {
            r.problems.push(format!(
                "the store's counts say {kept:?}, its records {found:?}"
            ));
        }
        for &file in files.keys() {
            if garbage.contains(&file) {
                r.pending_garbage += 1;
            } else if !refs.contains_key(&file) {
                r.unreferenced_files.push(file);
            }
        }
        Ok(r)
    }
}
