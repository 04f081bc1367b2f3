//! Object data: blobs written to a temporary name, fsynced, renamed into place and the
//! directory fsynced before any metadata refers to them; small bodies stay inline.
//!
//! Layout under the data directory: `tmp/EPOCH/` (a run's partial writes, EPOCH as 6 hex
//! digits) and `blobs/XX/ID` where ID is the blob ID as 16 hex digits and XX its low byte. A
//! blob ID is the run's epoch (a new one at every open) in the high 24 bits and a counter in
//! the low 40. A run is dead once it ended, or, for gateways sharing a PostgreSQL store, once
//! the others declared it dead (it can commit nothing more, see `pg_store/writer.rs`): a
//! file of a dead run that no metadata refers to can only be a leftover, and
//! [`BlobStore::sweep`] may remove it, and the run's `tmp/EPOCH/`, while the server runs.

use crate::error::StorageError;
use bytes::Bytes;
use md5::{Digest as _, Md5};
use sha1::Sha1;
use sha2::Sha256;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const COUNTER_BITS: u32 = 40;

pub struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
    epoch: u64,
    counter: AtomicU64,
    inline_max: usize,
}

/// Digests computed only when asked for (MD5, CRC-64 and CRC-32 always are).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    pub sha256: bool,
    pub sha1: bool,
    pub crc32c: bool,
    pub crc64nvme: bool,
}

impl Extra {
    /// The digests either asks for.
    pub fn or(self, other: Extra) -> Extra {
        Extra {
            sha256: self.sha256 || other.sha256,
            sha1: self.sha1 || other.sha1,
            crc32c: self.crc32c || other.crc32c,
            crc64nvme: self.crc64nvme || other.crc64nvme,
        }
    }
}

/// The digests of a body, computed as it streams in.
pub struct Digests {
    /// `None` while the MD5 is computed elsewhere (see [`Digests::take_md5`]).
    md5: Option<Md5>,
    crc64: crc_fast::Digest,
    crc32: crc_fast::Digest,
    crc32c: Option<crc_fast::Digest>,
    crc64nvme: Option<crc_fast::Digest>,
    sha256: Option<Sha256>,
    sha1: Option<Sha1>,
    len: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestValues {
    pub md5: [u8; 16],
    pub crc64: u64,
    pub crc32: u32,
    pub crc32c: Option<u32>,
    pub crc64nvme: Option<u64>,
    pub sha256: Option<[u8; 32]>,
    pub sha1: Option<[u8; 20]>,
    pub len: u64,
}

impl Digests {
    pub fn new(extra: Extra) -> Digests {
        Digests {
            md5: Some(Md5::new()),
            crc64: crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Xz),
            crc32: crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
            crc32c: extra
                .crc32c
                .then(|| crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc32Iscsi)),
            crc64nvme: extra
                .crc64nvme
                .then(|| crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Nvme)),
            sha256: extra.sha256.then(Sha256::new),
            sha1: extra.sha1.then(Sha1::new),
            len: 0,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        if let Some(m) = &mut self.md5 {
            m.update(data);
        }
        self.crc64.update(data);
        self.crc32.update(data);
        if let Some(c) = &mut self.crc32c {
            c.update(data);
        }
        if let Some(c) = &mut self.crc64nvme {
            c.update(data);
        }
        if let Some(s) = &mut self.sha256 {
            s.update(data);
        }
        if let Some(s) = &mut self.sha1 {
            s.update(data);
        }
        self.len += data.len() as u64;
    }

    /// Takes the MD5 out to be computed on another thread (the slowest of the digests, and
    /// serial): [`Digests::update`] no longer feeds it, and [`Digests::finish`] then gives
    /// zeros for it, which the caller replaces with what the other thread computed.
    pub fn take_md5(&mut self) -> Option<Md5> {
        self.md5.take()
    }

    pub fn finish(self) -> DigestValues {
        DigestValues {
            md5: self.md5.map(|m| m.finalize().into()).unwrap_or_default(),
            crc64: self.crc64.finalize(),
            crc32: self.crc32.finalize() as u32,
            crc32c: self.crc32c.map(|c| c.finalize() as u32),
            crc64nvme: self.crc64nvme.map(|c| c.finalize()),
            sha256: self.sha256.map(|s| s.finalize().into()),
            sha1: self.sha1.map(|s| s.finalize().into()),
            len: self.len,
        }
    }
}

/// CRC-64/XZ of `a` followed by a body of `len_b` bytes whose CRC is `b`.
pub fn combine_crc64(a: u64, b: u64, len_b: u64) -> u64 {
    crc_fast::checksum_combine(crc_fast::CrcAlgorithm::Crc64Xz, a, b, len_b)
}

pub fn combine_crc32(a: u32, b: u32, len_b: u64) -> u32 {
    crc_fast::checksum_combine(
        crc_fast::CrcAlgorithm::Crc32IsoHdlc,
        a as u64,
        b as u64,
        len_b,
    ) as u32
}

/// Where a written body ended up.
#[derive(Debug)]
pub enum Placed {
    Inline(Vec<u8>),
    /// Renamed into `blobs/` and durable; nothing refers to it yet.
    File,
}

/// A body written and hashed, not yet referred to by metadata.
#[derive(Debug)]
pub struct Written {
    pub id: u64,
    pub placed: Placed,
    pub digests: DigestValues,
}

impl BlobStore {
    /// Prepares the directories, with `tmp/EPOCH/` for this run (its own: no other run has
    /// its epoch). Earlier runs' partial writes are the sweep's.
    pub fn open(root: &Path, epoch: u64, inline_max: usize) -> io::Result<BlobStore> {
        let blobs = root.join("blobs");
        let tmp = root.join("tmp").join(format!("{epoch:06x}"));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)?;
        let mut created = false;
        for i in 0..=255u8 {
            let d = blobs.join(format!("{i:02x}"));
            if !d.exists() {
                fs::create_dir_all(&d)?;
                created = true;
            }
        }
        if created {
            sync_dir(&blobs)?;
            sync_dir(root)?;
        }
        Ok(BlobStore {
            blobs,
            tmp,
            epoch,
            counter: AtomicU64::new(0),
            inline_max,
        })
    }

    pub fn inline_max(&self) -> usize {
        self.inline_max
    }

    pub fn allocate(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (self.epoch << COUNTER_BITS) | (n & ((1 << COUNTER_BITS) - 1))
    }

    pub fn path(&self, id: u64) -> PathBuf {
        self.blobs
            .join(format!("{:02x}", id & 0xff))
            .join(format!("{id:016x}"))
    }

    pub fn writer(self: &Arc<Self>, extra: Extra) -> BlobWriter {
        BlobWriter {
            store: self.clone(),
            digests: Digests::new(extra),
            buf: Vec::new(),
            file: None,
        }
    }

    /// Removes a written blob that will never be referred to (its commit was refused).
    pub fn discard(&self, written: &Written) {
        if matches!(written.placed, Placed::File) {
            let _ = fs::remove_file(self.path(written.id));
        }
    }

    /// Unlinks the files of blobs no longer referred to, then makes the removals durable.
    pub fn remove_files(&self, ids: &[u64]) -> io::Result<()> {
        let mut dirs = std::collections::BTreeSet::new();
        for &id in ids {
            match fs::remove_file(self.path(id)) {
                Ok(()) => {
                    dirs.insert(id & 0xff);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        for d in dirs {
            sync_dir(&self.blobs.join(format!("{d:02x}")))?;
        }
        Ok(())
    }

    /// Removes the files of dead runs (`is_dead` of their epoch) that no metadata refers to,
    /// and those runs' partial writes. Returns how many blob files it removed.
    pub fn sweep(
        &self,
        is_dead: impl Fn(u64) -> bool,
        mut is_referenced: impl FnMut(u64) -> Result<bool, StorageError>,
    ) -> Result<usize, StorageError> {
        let mut removed = 0;
        for i in 0..=255u8 {
            let dir = self.blobs.join(format!("{i:02x}"));
            let mut dirty = false;
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let id = name.to_str().and_then(|n| u64::from_str_radix(n, 16).ok());
                let Some(id) = id else { continue };
                if id >> COUNTER_BITS == self.epoch
                    || !is_dead(id >> COUNTER_BITS)
                    || is_referenced(id)?
                {
                    continue;
                }
                match fs::remove_file(entry.path()) {
                    Ok(()) => {
                        removed += 1;
                        dirty = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if dirty {
                sync_dir(&dir)?;
            }
        }
        self.sweep_tmp(is_dead)?;
        Ok(removed)
    }

    /// Removes dead runs' `tmp/EPOCH/` (and files of the layout before runs had one each:
    /// directly in `tmp/`, from a server that has ended since).
    fn sweep_tmp(&self, is_dead: impl Fn(u64) -> bool) -> io::Result<()> {
        let Some(tmp) = self.tmp.parent() else {
            return Ok(());
        };
        for entry in fs::read_dir(tmp)? {
            let entry = entry?;
            let epoch = entry
                .file_name()
                .to_str()
                .filter(|n| n.len() == 6)
                .and_then(|n| u64::from_str_radix(n, 16).ok());
            let r = match (entry.file_type()?.is_dir(), epoch) {
                (true, Some(e)) if e != self.epoch && is_dead(e) => {
                    fs::remove_dir_all(entry.path())
                }
                (false, _) => fs::remove_file(entry.path()),
                _ => Ok(()),
            };
            match r {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Every blob file present, with its length.
    pub fn files(&self) -> io::Result<Vec<(u64, u64)>> {
        let mut out = Vec::new();
        for i in 0..=255u8 {
            for entry in fs::read_dir(self.blobs.join(format!("{i:02x}")))? {
                let entry = entry?;
                if let Some(id) = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| u64::from_str_radix(n, 16).ok())
                {
                    out.push((id, entry.metadata()?.len()));
                }
            }
        }
        Ok(out)
    }
}

/// Hashes a body and keeps it in memory while it fits inline, else spills it to a temporary
/// file.
pub struct BlobWriter {
    store: Arc<BlobStore>,
    digests: Digests,
    buf: Vec<u8>,
    /// Shared with whoever starts its writeback early (see `ingest.rs`).
    file: Option<(Arc<File>, PathBuf)>,
}

impl BlobWriter {
    /// See [`Digests::take_md5`].
    pub(crate) fn take_md5(&mut self) -> Option<Md5> {
        self.digests.take_md5()
    }

    /// The temporary file, once the body has spilled to one.
    pub(crate) fn file(&self) -> Option<&Arc<File>> {
        self.file.as_ref().map(|(f, _)| f)
    }

    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.digests.update(chunk);
        if self.file.is_none() && self.buf.len() + chunk.len() <= self.store.inline_max {
            self.buf.extend_from_slice(chunk);
            return Ok(());
        }
        if self.file.is_none() {
            let path = self
                .store
                .tmp
                .join(format!("{:016x}", rand::random::<u64>()));
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            f.write_all(&self.buf)?;
            self.buf = Vec::new();
            self.file = Some((Arc::new(f), path));
        }
        let (f, _) = self.file.as_ref().expect("just opened");
        (&**f).write_all(chunk)
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.digests.len
    }

    pub fn is_empty(&self) -> bool {
        self.digests.len == 0
    }

    /// Makes the body durable under its blob ID (files only; inline bodies become durable
    /// with the metadata commit).
    pub fn finish(mut self) -> io::Result<Written> {
        let id = self.store.allocate();
        let placed = match self.file.take() {
            None => Placed::Inline(std::mem::take(&mut self.buf)),
            Some((f, tmp)) => {
                let done = (|| {
                    f.sync_all()?;
                    drop(f);
                    let dest = self.store.path(id);
                    fs::rename(&tmp, &dest)?;
                    sync_dir(dest.parent().expect("blob paths have a parent"))
                })();
                if let Err(e) = done {
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
                Placed::File
            }
        };
        let digests = std::mem::replace(&mut self.digests, Digests::new(Extra::default())).finish();
        Ok(Written {
            id,
            placed,
            digests,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if let Some((_, tmp)) = self.file.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Bytes of one blob to send: inline bytes, or a range of an open file.
pub enum Source {
    Inline(Bytes),
    File {
        file: Arc<File>,
        offset: u64,
        len: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_is_the_xz_variant_oss_uses() {
        let mut d = Digests::new(Extra::default());
        d.update(b"123456789");
        let v = d.finish();
        assert_eq!(v.crc64, 0x995d_c9bb_df19_39fa);
        assert_eq!(v.crc32, 0xcbf4_3926);
    }

    #[test]
    fn combined_crcs_equal_the_crc_of_the_concatenation() {
        let a = vec![7u8; 20_000];
        let b: Vec<u8> = (0..17_871u32).map(|i| (i % 251) as u8).collect();
        let (mut da, mut db, mut dab) = (
            Digests::new(Extra::default()),
            Digests::new(Extra::default()),
            Digests::new(Extra::default()),
        );
        da.update(&a);
        db.update(&b);
        dab.update(&a);
        dab.update(&b);
        let (va, vb, vab) = (da.finish(), db.finish(), dab.finish());
        assert_eq!(combine_crc64(va.crc64, vb.crc64, b.len() as u64), vab.crc64);
        assert_eq!(combine_crc32(va.crc32, vb.crc32, b.len() as u64), vab.crc32);
    }

    #[test]
    fn small_bodies_stay_inline_and_large_ones_become_durable_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(BlobStore::open(dir.path(), 1, 8).unwrap());
        let mut w = store.writer(Extra::default());
        w.write(b"tiny").unwrap();
        let small = w.finish().unwrap();
        assert!(matches!(small.placed, Placed::Inline(ref v) if v == b"tiny"));

        let mut w = store.writer(Extra {
            sha256: true,
            ..Default::default()
        });
        w.write(b"more than ").unwrap();
        w.write(b"eight bytes").unwrap();
        let big = w.finish().unwrap();
        assert!(matches!(big.placed, Placed::File));
        assert_eq!(
            fs::read(store.path(big.id)).unwrap(),
            b"more than eight bytes"
        );
        assert!(big.digests.sha256.is_some());
        assert_eq!(fs::read_dir(&store.tmp).unwrap().count(), 0);
    }

    #[test]
    fn sweep_spares_the_current_epoch_and_referenced_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let old = Arc::new(BlobStore::open(dir.path(), 1, 0).unwrap());
        let mut ids = Vec::new();
        for _ in 0..3 {
            let mut w = old.writer(Extra::default());
            w.write(b"x").unwrap();
            ids.push(w.finish().unwrap().id);
        }
        let new = Arc::new(BlobStore::open(dir.path(), 2, 0).unwrap());
        let mut w = new.writer(Extra::default());
        w.write(b"y").unwrap();
        let current = w.finish().unwrap().id;
        fs::write(old.tmp.join("partial"), b"p").unwrap();
        // While run 1 lives (another gateway's), its files stay.
        assert_eq!(new.sweep(|_| false, |_| Ok(false)).unwrap(), 0);
        assert!(old.tmp.join("partial").exists());
        let removed = new.sweep(|e| e < 2, |id| Ok(id == ids[0])).unwrap();
        assert_eq!(removed, 2);
        assert!(new.path(ids[0]).exists());
        assert!(!new.path(ids[1]).exists());
        assert!(new.path(current).exists());
        assert!(!old.tmp.exists());
        assert!(new.tmp.exists());
    }
}
