//! Strata's wire formats: what the server, the client and the fuzz targets share, and nothing
//! of the server or the store.
//!
//! - [`request`]: [`request::RequestParts`], the method, bucket, key, query and headers every
//!   dialect and every signature works from.
//! - [`s3`], [`oss`], [`bos`]: each dialect's signature schemes (canonicalization, signature
//!   computation, verification against a [`Keyring`]); S3's `aws-chunked` body decoder.
//! - [`sign`]: the client's side: each dialect's `Authorization` value for a request.
//! - [`xml`]: the request-document parser and a small element writer.
//! - [`encode`]: the two RFC 3986 percent-encode sets everything above encodes with.
//! - [`post`]: browser uploads' POST policy (conditions, expiry) and its signatures.
//! - [`v4`]: what S3's SigV4 and OSS V4 share, one implementation parameterised by a
//!   [`v4::Scheme`].
//! - [`sigutil`]: the hashing, hex and digit helpers the signatures share.
//! - [`date`]: every date format the dialects and the client write and read.
//! - [`restore`]: the plan that brings a key back to how it was at a time (`strata restore`
//!   and the web console).
//!
//! The client signs with the same canonicalization functions the server verifies with, applied
//! to the same `RequestParts`, so the two sides cannot disagree.

pub mod bos;
pub mod date;
pub mod encode;
pub mod oss;
pub mod post;
pub mod request;
pub mod restore;
pub mod s3;
pub mod sign;
pub mod sigutil;
pub mod v4;
pub mod xml;

use std::fmt;

/// One key pair: the server accepts it, the client signs with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
}

/// Where signatures find the secret key of an access key. One key pair ([`Credentials`])
/// compares the access key in constant time; a keyring of many users may find it by hash
/// (access keys are identifiers, not secrets).
pub trait Keyring: Send + Sync {
    fn find(&self, access_key: &str) -> Option<&Credentials>;

    /// The V4 signing key of `scheme` for `secret_key` and a scope: derived each time, unless
    /// the keyring keeps the keys it derived ([`v4::SigningKeys`]).
    fn signing_key(
        &self,
        scheme: &v4::Scheme,
        secret_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        scheme.signing_key(secret_key, date, region, service)
    }
}

impl Keyring for Credentials {
    fn find(&self, access_key: &str) -> Option<&Credentials> {
        use subtle::ConstantTimeEq as _;
        bool::from(access_key.as_bytes().ct_eq(self.access_key.as_bytes())).then_some(self)
    }
}

impl fmt::Debug for Credentials {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret_key() {
        let c = Credentials {
            access_key: "AKID".into(),
            secret_key: "very-secret".into(),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("AKID"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
