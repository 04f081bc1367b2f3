//! Version IDs and the bucket versioning state.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A bucket's versioning state. There is no way back to `Unversioned`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    Unversioned,
    Enabled,
    Suspended,
}

/// The states a client may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersioningStatus {
    Enabled,
    Suspended,
}

/// A version's public ID: `null`, or a stamp made of the version's sequence number and a random
/// salt, written as 24 lowercase hex digits. The sequence orders versions; the string is only a
/// name (lookups parse the sequence back out of it, and the salt must match).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VersionId {
    Null,
    Stamp { seq: u64, salt: u32 },
}

const STAMP_LEN: usize = 24;

impl VersionId {
    /// Parses a client-supplied version ID. Anything but `null` or a well-formed stamp is
    /// [`crate::CoreError::InvalidVersionId`].
    pub fn parse(s: &str) -> crate::Result<VersionId> {
        if s == "null" {
            return Ok(VersionId::Null);
        }
        let bad = || crate::CoreError::InvalidVersionId(s.to_owned());
        if s.len() != STAMP_LEN || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        let seq = u64::from_str_radix(&s[..16], 16).map_err(|_| bad())?;
        let salt = u32::from_str_radix(&s[16..], 16).map_err(|_| bad())?;
        if seq == 0 {
            return Err(bad());
        }
        Ok(VersionId::Stamp { seq, salt })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, VersionId::Null)
    }
}

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionId::Null => f.write_str("null"),
            VersionId::Stamp { seq, salt } => write!(f, "{seq:016x}{salt:08x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_round_trips_through_its_string() {
        let id = VersionId::Stamp {
            seq: 0x1234,
            salt: 0xdeadbeef,
        };
        let s = id.to_string();
        assert_eq!(s, "0000000000001234deadbeef");
        assert_eq!(VersionId::parse(&s).unwrap(), id);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn null_and_malformed_ids() {
        assert_eq!(VersionId::parse("null").unwrap(), VersionId::Null);
        for bad in [
            "",
            "234",
            "Null",
            "0000000000001234DEADBEEF",
            "000000000000000000000000",
            "x".repeat(24).as_str(),
        ] {
            assert!(VersionId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
