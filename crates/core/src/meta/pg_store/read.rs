//! The read methods, written once over [`Sql`] for snapshots (a reader thread's connection)
//! and for write batches (the writer's connection). Scans fetch pages of rows ordered like
//! redb's keys and continue after the last row, so a visitor that stops early costs one
//! small page.

use super::conn::Params;
use super::{from_ord, ord};
use crate::error::StorageError;
use crate::meta::keyrange::{key_str, lower_bound, prefix_successor};
use crate::meta::*;
use postgres::Row;

/// Where queries run.
pub(super) trait Sql {
    fn query(&self, sql: &'static str, params: Params) -> StorageResult<Vec<Row>>;
}

/// A transaction: a snapshot or a write batch.
pub(super) struct Txn<S> {
    pub(super) sql: S,
}

/// The first page of a scan is small (most scans stop at once: a key's newest entry), later
/// ones grow up to [`MAX_PAGE`].
const FIRST_PAGE: i64 = 16;
const MAX_PAGE: i64 = 1024;

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> StorageResult<T> {
    row.try_get(i)
        .map_err(|e| StorageError::Corrupt(format!("metadata row: {e}")))
}

fn text(bytes: Vec<u8>) -> StorageResult<String> {
    String::from_utf8(bytes).map_err(|_| StorageError::Corrupt("a name is not UTF-8".into()))
}

fn b(s: &str) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(s.as_bytes().to_vec())
}

fn i(v: i64) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(v)
}

fn bv(v: Vec<u8>) -> Box<dyn postgres::types::ToSql + Sync + Send> {
    Box::new(v)
}

impl<S: Sql> Txn<S> {
    fn one<T: Versioned>(&self, sql: &'static str, params: Params) -> StorageResult<Option<T>> {
        match self.sql.query(sql, params)?.first() {
            Some(row) => Ok(Some(decode(get::<&[u8]>(row, 0)?)?)),
            None => Ok(None),
        }
    }
}

impl<S: Sql> ReadTxn for Txn<S> {
    fn bucket(&self, name: &str) -> StorageResult<Option<BucketRecord>> {
        self.one("SELECT val FROM buckets WHERE name = $1", vec![b(name)])
    }

    fn buckets(&self) -> StorageResult<Vec<(String, BucketRecord)>> {
        let rows = self
            .sql
            .query("SELECT name, val FROM buckets ORDER BY name", vec![])?;
        rows.iter()
            .map(|r| Ok((text(get(r, 0)?)?, decode(get::<&[u8]>(r, 1)?)?)))
            .collect()
    }

    fn bucket_is_empty(&self, name: &str) -> StorageResult<bool> {
        let rows = self.sql.query(
            "SELECT EXISTS (SELECT 1 FROM versions WHERE bucket = $1) \
             OR EXISTS (SELECT 1 FROM upload_keys WHERE bucket = $1)",
            vec![b(name)],
        )?;
        let busy: bool = match rows.first() {
            Some(r) => get(r, 0)?,
            None => false,
        };
        Ok(!busy)
    }

    fn version(&self, bucket: &str, key: &str, seq: u64) -> StorageResult<Option<VersionRecord>> {
        self.one(
            "SELECT val FROM versions WHERE bucket = $1 AND key = $2 AND inv = $3",
            vec![b(bucket), b(key), i(ord(u64::MAX - seq))],
        )
    }

    fn scan_versions(
        &self,
        bucket: &str,
        start: Start<'_>,
        visit: &mut dyn FnMut(&str, VersionRecord) -> Flow,
    ) -> StorageResult<()> {
        let (mut key, mut inv, mut exclusive) = lower_bound(start);
        let mut page = FIRST_PAGE;
        loop {
            let sql = if exclusive {
                "SELECT key, inv, val FROM versions WHERE bucket = $1 AND (key, inv) > ($2, $3) \
                 ORDER BY key, inv LIMIT $4"
            } else {
                "SELECT key, inv, val FROM versions WHERE bucket = $1 AND (key, inv) >= ($2, $3) \
                 ORDER BY key, inv LIMIT $4"
            };
            let params = vec![b(bucket), bv(key.clone()), i(ord(inv)), i(page)];
            let rows = self.sql.query(sql, params)?;
            let full = rows.len() as i64 == page;
            let mut next = None;
            for row in &rows {
                let k: &[u8] = get(row, 0)?;
                match visit(key_str(k)?, decode(get::<&[u8]>(row, 2)?)?) {
                    Flow::Continue => next = Some((k.to_vec(), from_ord(get(row, 1)?), true)),
                    Flow::Stop => return Ok(()),
                    Flow::SkipPrefix(p) => match prefix_successor(p.as_bytes()) {
                        Some(s) => {
                            next = Some((s, 0, false));
                            break;
                        }
                        None => return Ok(()),
                    },
                }
            }
            match next {
                Some((k, n, excl)) if full || !excl => (key, inv, exclusive) = (k, n, excl),
                _ => return Ok(()),
            }
            page = (page * 4).min(MAX_PAGE);
        }
    }

    fn scan_objects(
        &self,
        bucket: &str,
        start: Start<'_>,
        visit: &mut dyn FnMut(&str, ObjectSummary) -> Flow,
    ) -> StorageResult<()> {
        let (mut key, _, mut exclusive) = lower_bound(start);
        let mut page = FIRST_PAGE;
        loop {
            let sql = if exclusive {
                "SELECT key, val FROM objects WHERE bucket = $1 AND key > $2 \
                 ORDER BY key LIMIT $3"
            } else {
                "SELECT key, val FROM objects WHERE bucket = $1 AND key >= $2 \
                 ORDER BY key LIMIT $3"
            };
            let rows = self
                .sql
                .query(sql, vec![b(bucket), bv(key.clone()), i(page)])?;
            let full = rows.len() as i64 == page;
            let mut next = None;
            for row in &rows {
                let k: &[u8] = get(row, 0)?;
                match visit(key_str(k)?, decode(get::<&[u8]>(row, 1)?)?) {
                    Flow::Continue => next = Some((k.to_vec(), true)),
                    Flow::Stop => return Ok(()),
                    Flow::SkipPrefix(p) => match prefix_successor(p.as_bytes()) {
                        Some(s) => {
                            next = Some((s, false));
                            break;
                        }
                        None => return Ok(()),
                    },
                }
            }
            match next {
                Some((k, excl)) if full || !excl => (key, exclusive) = (k, excl),
                _ => return Ok(()),
            }
            page = (page * 4).min(MAX_PAGE);
        }
    }

    fn null_seq(&self, bucket: &str, key: &str) -> StorageResult<Option<u64>> {
        let rows = self.sql.query(
            "SELECT seq FROM nulls WHERE bucket = $1 AND key = $2",
            vec![b(bucket), b(key)],
        )?;
        match rows.first() {
            Some(r) => Ok(Some(get::<i64>(r, 0)? as u64)),
            None => Ok(None),
        }
    }

    fn upload(&self, bucket: &str, upload_id: &str) -> StorageResult<Option<UploadRecord>> {
        self.one(
            "SELECT u.val FROM upload_keys k JOIN uploads u \
             ON u.bucket = k.bucket AND u.key = k.key AND u.upload_id = k.upload_id \
             WHERE k.bucket = $1 AND k.upload_id = $2",
            vec![b(bucket), b(upload_id)],
        )
    }

    fn scan_uploads(
        &self,
        bucket: &str,
        start_after: Option<(&str, &str)>,
        visit: &mut dyn FnMut(&str, UploadRecord) -> Flow,
    ) -> StorageResult<()> {
        let (mut key, mut id, mut exclusive) = match start_after {
            Some((k, id)) => (k.as_bytes().to_vec(), id.as_bytes().to_vec(), true),
            None => (Vec::new(), Vec::new(), false),
        };
        let mut page = FIRST_PAGE;
        loop {
            let sql = if exclusive {
                "SELECT key, upload_id, val FROM uploads WHERE bucket = $1 \
                 AND (key, upload_id) > ($2, $3) ORDER BY key, upload_id LIMIT $4"
            } else {
                "SELECT key, upload_id, val FROM uploads WHERE bucket = $1 \
                 AND (key, upload_id) >= ($2, $3) ORDER BY key, upload_id LIMIT $4"
            };
            let params = vec![b(bucket), bv(key.clone()), bv(id.clone()), i(page)];
            let rows = self.sql.query(sql, params)?;
            let full = rows.len() as i64 == page;
            for row in &rows {
                let upload: &[u8] = get(row, 1)?;
                let upload = std::str::from_utf8(upload)
                    .map_err(|_| StorageError::Corrupt("upload ID is not UTF-8".into()))?;
                if visit(upload, decode(get::<&[u8]>(row, 2)?)?) != Flow::Continue {
                    return Ok(());
                }
            }
            match rows.last() {
                Some(last) if full => {
                    (key, id, exclusive) = (get::<Vec<u8>>(last, 0)?, get(last, 1)?, true);
                }
                _ => return Ok(()),
            }
            page = (page * 4).min(MAX_PAGE);
        }
    }

    fn scan_parts(
        &self,
        upload_id: &str,
        after: u32,
        visit: &mut dyn FnMut(u32, PartRecord) -> Flow,
    ) -> StorageResult<()> {
        let mut after = i64::from(after);
        let mut page = FIRST_PAGE;
        loop {
            let rows = self.sql.query(
                "SELECT part, val FROM parts WHERE upload_id = $1 AND part > $2 \
                 ORDER BY part LIMIT $3",
                vec![b(upload_id), i(after), i(page)],
            )?;
            let full = rows.len() as i64 == page;
            for row in &rows {
                let n: i64 = get(row, 0)?;
                after = n;
                let n = u32::try_from(n)
                    .map_err(|_| StorageError::Corrupt("part number out of range".into()))?;
                if visit(n, decode(get::<&[u8]>(row, 1)?)?) != Flow::Continue {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
            page = (page * 4).min(MAX_PAGE);
        }
    }

    fn part(&self, upload_id: &str, part: u32) -> StorageResult<Option<PartRecord>> {
        self.one(
            "SELECT val FROM parts WHERE upload_id = $1 AND part = $2",
            vec![b(upload_id), i(i64::from(part))],
        )
    }

    fn completion(&self, bucket: &str, key: &str) -> StorageResult<Option<CompletionRecord>> {
        self.one(
            "SELECT val FROM completions WHERE bucket = $1 AND key = $2",
            vec![b(bucket), b(key)],
        )
    }

    fn blob(&self, id: u64) -> StorageResult<Option<BlobRecord>> {
        self.one("SELECT val FROM blobs WHERE id = $1", vec![i(ord(id))])
    }

    fn garbage(&self, limit: usize) -> StorageResult<Vec<u64>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.sql.query(
            "SELECT id FROM garbage ORDER BY id LIMIT $1",
            vec![i(limit)],
        )?;
        rows.iter().map(|r| Ok(from_ord(get(r, 0)?))).collect()
    }

    fn counter(&self, name: &str) -> StorageResult<u64> {
        let rows = self
            .sql
            .query("SELECT value FROM counters WHERE name = $1", vec![b(name)])?;
        match rows.first() {
            Some(r) => Ok(get::<i64>(r, 0)? as u64),
            None => Ok(0),
        }
    }

    fn live_runs(&self) -> StorageResult<Option<Vec<u64>>> {
        let rows = self
            .sql
            .query("SELECT epoch FROM gateways ORDER BY epoch", vec![])?;
        let live: StorageResult<Vec<u64>> =
            rows.iter().map(|r| Ok(get::<i64>(r, 0)? as u64)).collect();
        live.map(Some)
    }

    fn setting(&self, name: &str) -> StorageResult<Option<Vec<u8>>> {
        let rows = self
            .sql
            .query("SELECT val FROM settings WHERE name = $1", vec![b(name)])?;
        rows.first().map(|r| get(r, 0)).transpose()
    }

    fn scan_settings(
        &self,
        prefix: &str,
        visit: &mut dyn FnMut(&str, &[u8]) -> Flow,
    ) -> StorageResult<()> {
        let mut from = prefix.as_bytes().to_vec();
        let mut exclusive = false;
        let mut page = FIRST_PAGE;
        loop {
            let sql = if exclusive {
                "SELECT name, val FROM settings WHERE name > $1 ORDER BY name LIMIT $2"
            } else {
                "SELECT name, val FROM settings WHERE name >= $1 ORDER BY name LIMIT $2"
            };
            let rows = self.sql.query(sql, vec![bv(from.clone()), i(page)])?;
            let full = rows.len() as i64 == page;
            for row in &rows {
                let name: &[u8] = get(row, 0)?;
                let name = std::str::from_utf8(name)
                    .map_err(|_| StorageError::Corrupt("a setting name is not UTF-8".into()))?;
                if !name.starts_with(prefix) || visit(name, get(row, 1)?) != Flow::Continue {
                    return Ok(());
                }
            }
            match rows.last() {
                Some(last) if full => (from, exclusive) = (get(last, 0)?, true),
                _ => return Ok(()),
            }
            page = (page * 4).min(MAX_PAGE);
        }
    }
}
