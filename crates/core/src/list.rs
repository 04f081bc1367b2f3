//! Listing: objects (current versions only) and versions (every entry), with prefix,
//! delimiter and markers. Both walk an ordered table and jump over a whole common prefix in one
//! seek, so a page costs the same whatever lies hidden before or inside it.

use crate::error::{CoreError, Result};
use crate::meta::{EntryKind, Flow, ObjectSummary, Start, VersionRecord};
use crate::store::Store;
use crate::version::VersionId;

pub const MAX_LIST_KEYS: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct ListObjectsParams {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// List keys strictly after this one (marker, start-after, or a continuation token).
    pub start_after: Option<String>,
    pub max_keys: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub summary: ObjectSummary,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectListing {
    pub objects: Vec<ListedObject>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// The last key or common prefix returned, when truncated: where the next page starts.
    pub next_marker: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListVersionsParams {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub version_id_marker: Option<String>,
    pub max_keys: usize,
}

/// One entry of a version listing: an object version or a delete marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedVersion {
    pub key: String,
    pub version_id: VersionId,
    pub is_latest: bool,
    pub last_modified_ms: i64,
    /// `None` for a delete marker: (size, etag).
    pub object: Option<(u64, String)>,
    /// The object version's owner when it is not the bucket's (who wrote it).
    pub owner: Option<String>,
    /// The object version was written by appends.
    pub appendable: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionListing {
    /// Versions and delete markers interleaved: keys ascending, each key newest first.
    pub entries: Vec<ListedVersion>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_version_id_marker: Option<VersionId>,
}

/// Where a key falls with respect to prefix and delimiter.
enum Place {
    /// Past every key with the prefix: stop.
    Beyond,
    /// Before the prefix (only at the start of a scan): skip.
    Before,
    Key,
    Common(String),
}

fn place(key: &str, prefix: &str, delimiter: Option<&str>) -> Place {
    if !key.starts_with(prefix) {
        return if key < prefix {
            Place::Before
        } else {
            Place::Beyond
        };
    }
    if let Some(d) = delimiter.filter(|d| !d.is_empty())
        && let Some(i) = key[prefix.len()..].find(d)
    {
        return Place::Common(key[..prefix.len() + i + d.len()].to_owned());
    }
    Place::Key
}

/// What a listing does with a scanned key: answer the scan without listing it, or list it as a
/// key of its own or as a common prefix.
enum Take {
    Answer(Flow),
    Key,
    Common(String),
}

/// The page both listings fill: prefix, delimiter, marker and the size limit.
struct Page<'a> {
    prefix: &'a str,
    delimiter: Option<&'a str>,
    marker: Option<&'a str>,
    max: usize,
    count: usize,
    /// Set when a key was left for the next page.
    truncated: bool,
}

impl<'a> Page<'a> {
    fn new(
        prefix: &'a str,
        delimiter: Option<&'a str>,
        marker: Option<&'a str>,
        max_keys: usize,
    ) -> Self {
        let max = max_keys.min(MAX_LIST_KEYS);
        Page {
            prefix,
            delimiter,
            marker,
            max,
            count: 0,
            truncated: false,
        }
    }

    /// Decides one scanned key, counting it when it is listed.
    fn take(&mut self, key: &str) -> Take {
        let item = match place(key, self.prefix, self.delimiter) {
            Place::Beyond => return Take::Answer(Flow::Stop),
            Place::Before => return Take::Answer(Flow::Continue),
            // A common prefix at or before the marker was returned on an earlier page.
            Place::Common(cp) if self.marker.is_some_and(|m| cp.as_str() <= m) => {
                return Take::Answer(Flow::SkipPrefix(cp));
            }
            Place::Common(cp) => Take::Common(cp),
            Place::Key => Take::Key,
        };
        if self.count == self.max {
            self.truncated = self.max > 0;
            return Take::Answer(Flow::Stop);
        }
        self.count += 1;
        item
    }
}

/// The scan start for a listing: the later of "after the marker" and "at the prefix".
fn start_of<'a>(prefix: &'a str, after: Option<&'a str>) -> Start<'a> {
    match after {
        Some(m) if m >= prefix => Start::AfterKey(m),
        _ => Start::AtKey(prefix),
    }
}

impl Store {
    pub fn list_objects(&self, bucket: &str, p: &ListObjectsParams) -> Result<ObjectListing> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        let mut out = ObjectListing::default();
        let after = p.start_after.as_deref();
        let mut page = Page::new(&p.prefix, p.delimiter.as_deref(), after, p.max_keys);
        txn.scan_objects(
            bucket,
            start_of(&p.prefix, after),
            &mut |key, summary| match page.take(key) {
                Take::Answer(flow) => flow,
                Take::Common(cp) => {
                    out.next_marker = Some(cp.clone());
                    out.common_prefixes.push(cp.clone());
                    Flow::SkipPrefix(cp)
                }
                Take::Key => {
                    out.next_marker = Some(key.to_owned());
                    out.objects.push(ListedObject {
                        key: key.to_owned(),
                        summary,
                    });
                    Flow::Continue
                }
            },
        )?;
        out.is_truncated = page.truncated;
        if !out.is_truncated {
            out.next_marker = None;
        }
        Ok(out)
    }

    pub fn list_versions(&self, bucket: &str, p: &ListVersionsParams) -> Result<VersionListing> {
        let txn = self.read()?;
        txn.bucket(bucket)?.ok_or(CoreError::NoSuchBucket)?;
        let key_marker = p.key_marker.as_deref().filter(|m| !m.is_empty());
        let version_marker = match p.version_id_marker.as_deref().filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => {
                if key_marker.is_none() {
                    return Err(CoreError::InvalidArgument(
                        "A version-id marker cannot be specified without a key marker.".into(),
                    ));
                }
                Some(VersionId::parse(v)?)
            }
        };
        // Resume after a version: its sequence is its position; for `null`, the key's null
        // entry as it is now (if it is gone, resume after the whole key).
        let resume_seq = match (key_marker, version_marker) {
            (Some(k), Some(VersionId::Null)) => txn.null_seq(bucket, k)?,
            (_, Some(VersionId::Stamp { seq, .. })) => Some(seq),
            _ => None,
        };
        let start = match (key_marker, resume_seq) {
            (Some(k), Some(seq)) if k >= p.prefix.as_str() => Start::AfterVersion(k, seq),
            _ => start_of(&p.prefix, key_marker),
        };
        // A page resumed inside a key's history: that key's latest entry is known by sequence.
        let resumed = match start {
            Start::AfterVersion(k, _) => Some((
                k.to_owned(),
                crate::store::current_entry(&*txn, bucket, k)?.map(|r| r.seq),
            )),
            _ => None,
        };
        let mut out = VersionListing::default();
        let mut page = Page::new(&p.prefix, p.delimiter.as_deref(), key_marker, p.max_keys);
        let mut last_key: Option<String> = None;
        txn.scan_versions(bucket, start, &mut |key, rec: VersionRecord| {
            match page.take(key) {
                Take::Answer(flow) => return flow,
                Take::Common(cp) => {
                    out.next_key_marker = Some(cp.clone());
                    out.next_version_id_marker = None;
                    out.common_prefixes.push(cp.clone());
                    return Flow::SkipPrefix(cp);
                }
                Take::Key => {}
            }
            let first_of_key = last_key.as_deref() != Some(key);
            let is_latest = match &resumed {
                Some((k, latest)) if k == key => *latest == Some(rec.seq),
                _ => first_of_key,
            };
            if first_of_key {
                last_key = Some(key.to_owned());
            }
            out.next_key_marker = Some(key.to_owned());
            out.next_version_id_marker = Some(rec.id);
            out.entries.push(ListedVersion {
                key: key.to_owned(),
                version_id: rec.id,
                is_latest,
                last_modified_ms: rec.last_modified_ms,
                owner: match &rec.kind {
                    EntryKind::Object(d) => d.access.owner.clone(),
                    EntryKind::DeleteMarker => None,
                },
                appendable: rec.object().is_some_and(|d| d.appendable),
                object: match rec.kind {
                    EntryKind::Object(d) => Some((d.size, d.etag)),
                    EntryKind::DeleteMarker => None,
                },
            });
            Flow::Continue
        })?;
        out.is_truncated = page.truncated;
        if !out.is_truncated {
            out.next_key_marker = None;
            out.next_version_id_marker = None;
        }
        Ok(out)
    }
}
