//! Tags, once for every dialect: a version's tags (kept in its record, so every version keeps
//! its own) and a bucket's, the rules each dialect's tags must satisfy ([`TagRules`]: S3's,
//! OSS's and BOS's limits, for objects and for buckets), checked once when a [`Tags`] is made,
//! and the store's side (`store.rs`): a version's tags read and changed through the write path
//! (which tells lifecycle's due index, since tag filters read them), a bucket's in `settings`.
//!
//! Lifecycle filters match a version's own tags ([`crate::lifecycle::Filter::matches`]);
//! policies read them through the `s3:ExistingObjectTag/<key>` condition key.

mod store;
#[cfg(test)]
mod tests;

pub use store::TagsView;
pub(crate) use store::forget_bucket;

use serde::{Deserialize, Serialize};

/// Tags as stored: key/value pairs ordered by key (as S3 and Ceph's RGW answer them, whatever
/// order they were given in), keys unique. Made only through [`Tags::checked`] (or read back
/// from a record), so what is stored obeyed the rules of the dialect that put it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    /// `pairs`, once they satisfy `rules`.
    pub fn checked(
        mut pairs: Vec<(String, String)>,
        rules: &TagRules,
    ) -> Result<Tags, TaggingError> {
        rules.check(&pairs)?;
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(Tags(pairs))
    }

    pub fn none() -> Tags {
        Tags(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The value of tag `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether every one of `wanted` is among these tags with the same value.
    pub fn contains_all(&self, wanted: &[(String, String)]) -> bool {
        wanted
            .iter()
            .all(|(k, v)| self.get(k).is_some_and(|have| have == v))
    }
}

/// Which characters a dialect's tags may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// S3's: Unicode letters, numbers and spaces, and `+ - = . _ : / @`.
    Unicode,
    /// OSS's and BOS's: ASCII letters and digits, the space, and `+ - = . _ : /`.
    Ascii,
    /// Any text (OSS's bucket tags name no character set, only lengths and prefixes).
    Any,
}

impl Charset {
    fn allows(self, c: char) -> bool {
        match self {
            Charset::Unicode => {
                c.is_alphanumeric()
                    || (c.is_whitespace() && !c.is_control())
                    || "+-=._:/@".contains(c)
            }
            Charset::Ascii => c.is_ascii_alphanumeric() || " +-=._:/".contains(c),
            Charset::Any => !c.is_control(),
        }
    }
}

/// What a dialect allows of a set of tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagRules {
    pub max_tags: usize,
    pub key_max: usize,
    pub value_max: usize,
    /// Lengths are counted in bytes (OSS's bucket tags), else in characters.
    pub bytes: bool,
    pub charset: Charset,
    /// Key prefixes reserved by the service (compared without ASCII case).
    pub reserved: &'static [&'static str],
}

impl TagRules {
    /// S3 object tags: 10, keys of 1 to 128 characters, values up to 256; `aws:` is AWS's.
    pub const S3_OBJECT: TagRules = TagRules {
        max_tags: 10,
        key_max: 128,
        value_max: 256,
        bytes: false,
        charset: Charset::Unicode,
        reserved: &["aws:"],
    };
    /// S3 bucket tags: as objects', 50 of them.
    pub const S3_BUCKET: TagRules = TagRules {
        max_tags: 50,
        ..TagRules::S3_OBJECT
    };
    /// OSS object tags: 10, keys up to 128 characters, values up to 256.
    pub const OSS_OBJECT: TagRules = TagRules {
        max_tags: 10,
        key_max: 128,
        value_max: 256,
        bytes: false,
        charset: Charset::Ascii,
        reserved: &[],
    };
    /// OSS bucket tags (PutBucketTags): 20, keys up to 64 bytes not starting with
    /// `http://`, `https://` or `Aliyun`, values up to 128 bytes.
    pub const OSS_BUCKET: TagRules = TagRules {
        max_tags: 20,
        key_max: 64,
        value_max: 128,
        bytes: true,
        charset: Charset::Any,
        reserved: &["http://", "https://", "aliyun"],
    };
    /// BOS object tags: as OSS's (10, 128, 256, the same characters).
    pub const BOS_OBJECT: TagRules = TagRules::OSS_OBJECT;
    /// BOS bucket tags: BOS documents no limits of its own; S3's bucket limits are kept.
    pub const BOS_BUCKET: TagRules = TagRules {
        reserved: &[],
        ..TagRules::S3_BUCKET
    };

    fn length(&self, s: &str) -> usize {
        if self.bytes {
            s.len()
        } else {
            s.chars().count()
        }
    }

    /// Checks `pairs` against these rules: how many, unique keys, each key's and value's
    /// length and characters, the reserved prefixes.
    pub fn check(&self, pairs: &[(String, String)]) -> Result<(), TaggingError> {
        if pairs.len() > self.max_tags {
            return Err(TaggingError::TooMany {
                max: self.max_tags,
                got: pairs.len(),
            });
        }
        for (i, (k, v)) in pairs.iter().enumerate() {
            if k.is_empty() || !k.chars().all(|c| self.charset.allows(c)) {
                return Err(TaggingError::InvalidKey(k.clone()));
            }
            if self.length(k) > self.key_max {
                return Err(TaggingError::KeyTooLong { max: self.key_max });
            }
            if !v.chars().all(|c| self.charset.allows(c)) {
                return Err(TaggingError::InvalidValue(k.clone()));
            }
            if self.length(v) > self.value_max {
                return Err(TaggingError::ValueTooLong {
                    max: self.value_max,
                });
            }
            if let Some(p) = self.reserved.iter().find(|p| {
                k.get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            }) {
                return Err(TaggingError::Reserved((*p).to_owned()));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier == k) {
                return Err(TaggingError::DuplicateKey(k.clone()));
            }
        }
        Ok(())
    }
}

/// Why tags are refused, or are not there. Each dialect maps it once (S3: `InvalidTag`,
/// `BadRequest` for too many, `NoSuchTagSet`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaggingError {
    #[error("at most {max} tags are allowed, not {got}")]
    TooMany { max: usize, got: usize },
    #[error("the tag key {0:?} is empty or has characters that are not allowed")]
    InvalidKey(String),
    #[error("a tag key is at most {max} long")]
    KeyTooLong { max: usize },
    #[error("the value of tag {0:?} has characters that are not allowed")]
    InvalidValue(String),
    #[error("a tag value is at most {max} long")]
    ValueTooLong { max: usize },
    #[error("tag keys starting with {0:?} are reserved")]
    Reserved(String),
    #[error("the tag key {0:?} is given more than once")]
    DuplicateKey(String),
    /// The bucket has no tags to read.
    #[error("the bucket has no tag set")]
    NoTagSet,
}
