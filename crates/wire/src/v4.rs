//! What AWS SigV4 (S3) and OSS V4 share, as one implementation parameterised by a [`Scheme`]:
//! the canonical request's layout and its canonical query, the credential scope, the string to
//! sign, the HMAC chain that derives the signing key, the signature and its comparison, and the
//! `yyyymmddThhmmssZ` timestamp.
//!
//! What differs stays with each dialect (`s3::auth`, `oss::auth`): which headers are signed
//! and how their values are canonicalized, the canonical URI, how the credential and the
//! `Authorization` header are spelt, and the errors.

use crate::encode::UNRESERVED;
use crate::sigutil::{hex_lower, hmac_sha256};
use percent_encoding::percent_encode;
use sha2::{Digest as _, Sha256};
use std::borrow::Cow;
use subtle::ConstantTimeEq as _;

/// The constants that tell one V4 scheme from the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// The algorithm name: in `Authorization`, the presign parameters and the string to sign.
    pub algorithm: &'static str,
    /// Prepended to the secret key at the start of the HMAC chain.
    pub secret_prefix: &'static str,
    /// The credential scope's last element, and the last HMAC step's data.
    pub terminator: &'static str,
    /// The presign parameter carrying the signature, left out of a presigned canonical query.
    pub signature_param: &'static str,
    /// Whether a parameter without a value is `name` in the canonical query (OSS) rather than
    /// `name=` (S3).
    pub bare_valueless_params: bool,
}

/// AWS Signature Version 4.
pub const AWS4: Scheme = Scheme {
    algorithm: "AWS4-HMAC-SHA256",
    secret_prefix: "AWS4",
    terminator: "aws4_request",
    signature_param: "X-Amz-Signature",
    bare_valueless_params: false,
};

/// OSS Signature Version 4.
pub const OSS4: Scheme = Scheme {
    algorithm: "OSS4-HMAC-SHA256",
    secret_prefix: "aliyun_v4",
    terminator: "aliyun_v4_request",
    signature_param: "x-oss-signature",
    bare_valueless_params: true,
};

impl Scheme {
    /// `<method>\n<uri>\n<query>\n<headers>\n<header list>\n<hashed payload>`, `headers` being
    /// the `name:value\n` lines and `header_list` the signed (S3) or additional (OSS) headers
    /// as sent.
    pub fn canonical_request(
        &self,
        method: &str,
        uri: &str,
        query: &str,
        headers: &str,
        header_list: &str,
        hashed_payload: &str,
    ) -> String {
        let parts = [method, uri, query, headers, header_list, hashed_payload];
        let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(part);
        }
        out
    }

    /// Every query parameter (but the signature when `presigned`), names and values encoded
    /// with only RFC 3986 unreserved characters kept, sorted by encoded name then value, joined
    /// with `&`.
    pub fn canonical_query(&self, query: &[(String, String)], presigned: bool) -> String {
        // Borrowed where nothing needs encoding (nearly always): no copy of each name and value.
        let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = query
            .iter()
            .filter(|(name, _)| !(presigned && name == self.signature_param))
            .map(|(name, value)| {
                (
                    percent_encode(name.as_bytes(), UNRESERVED).into(),
                    percent_encode(value.as_bytes(), UNRESERVED).into(),
                )
            })
            .collect();
        params.sort_unstable();
        let mut out =
            String::with_capacity(params.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
        for (i, (name, value)) in params.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(name);
            if !(value.is_empty() && self.bare_valueless_params) {
                out.push('=');
                out.push_str(value);
            }
        }
        out
    }

    /// `<yyyymmdd>/<region>/<service>/<terminator>`.
    pub fn scope(&self, date: &str, region: &str, service: &str) -> String {
        let parts = [date, "/", region, "/", service, "/", self.terminator];
        let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        parts.into_iter().for_each(|p| out.push_str(p));
        out
    }

    /// `<algorithm>\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
    pub fn string_to_sign(&self, timestamp: &str, scope: &str, canonical_request: &str) -> String {
        let hash = Sha256::digest(canonical_request.as_bytes());
        let mut out =
            String::with_capacity(self.algorithm.len() + timestamp.len() + scope.len() + 67);
        for part in [self.algorithm, "\n", timestamp, "\n", scope, "\n"] {
            out.push_str(part);
        }
        out.push_str(&hex_lower(&hash));
        out
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC(prefix + secret, date), region), service), terminator).
    pub fn signing_key(
        &self,
        secret_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        let k_secret = format!("{}{secret_key}", self.secret_prefix);
        let k_date = hmac_sha256(k_secret.as_bytes(), date.as_bytes());
        let k_region = hmac_sha256(&k_date, region.as_bytes());
        let k_service = hmac_sha256(&k_region, service.as_bytes());
        hmac_sha256(&k_service, self.terminator.as_bytes())
    }
}

/// Signing keys already derived, by scheme, secret, date, region and service: with them a V4
/// signature check costs one HMAC of the string to sign instead of five. A key is good for one
/// day's scope, so the cache stays small; at [`SigningKeys::MAX`] entries it starts over,
/// whatever the requests it is given (it is never larger, and never slower than deriving).
/// The secret is part of the entry, so a changed secret never meets an old key.
#[derive(Default)]
pub struct SigningKeys(std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>);

impl SigningKeys {
    pub const MAX: usize = 1024;

    /// The signing key of `scheme` for `secret_key` and the scope, from the cache or derived
    /// (and kept).
    pub fn get(
        &self,
        scheme: &Scheme,
        secret_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        let entry = format!(
            "{}\n{secret_key}\n{date}\n{region}\n{service}",
            scheme.algorithm
        );
        let mut keys = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(key) = keys.get(&entry) {
            return *key;
        }
        let key = scheme.signing_key(secret_key, date, region, service);
        if keys.len() >= Self::MAX {
            keys.clear();
        }
        keys.insert(entry, key);
        key
    }
}

impl std::fmt::Debug for SigningKeys {
    /// Never prints a key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeys(<redacted>)")
    }
}

/// Lower-case hex HMAC-SHA256(signing key, string to sign).
pub fn sign(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex_lower(&hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Constant-time comparison of an expected lower-case hex signature with a provided one
/// (either case; lengths may differ).
pub fn signatures_match(expected: &str, provided: &str) -> bool {
    let provided = provided.to_ascii_lowercase();
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_signing_keys_are_the_derived_ones() {
        let keys = SigningKeys::default();
        let derive = |scheme: &Scheme, secret, date, region, service| {
            scheme.signing_key(secret, date, region, service)
        };
        for _ in 0..2 {
            for (scheme, service) in [(&AWS4, "s3"), (&OSS4, "oss")] {
                let got = keys.get(scheme, "secret", "20261206", "us-east-1", service);
                let want = derive(scheme, "secret", "20261206", "us-east-1", service);
                assert_eq!(got, want);
            }
        }
        // Another secret for the same scope (a rotated key) never gets the old key.
        assert_eq!(
            keys.get(&AWS4, "rotated", "20261206", "us-east-1", "s3"),
            derive(&AWS4, "rotated", "20261206", "us-east-1", "s3")
        );
        assert_ne!(
            keys.get(&AWS4, "rotated", "20261206", "us-east-1", "s3"),
            keys.get(&AWS4, "secret", "20261206", "us-east-1", "s3")
        );
    }

    #[test]
    fn the_cache_never_grows_past_its_bound() {
        let keys = SigningKeys::default();
        for day in 0..(SigningKeys::MAX + 10) {
            let date = format!("2026{day:04}");
            assert_eq!(
                keys.get(&AWS4, "s", &date, "r", "s3"),
                AWS4.signing_key("s", &date, "r", "s3")
            );
            let len = keys.0.lock().unwrap().len();
            assert!((1..=SigningKeys::MAX).contains(&len), "{len}");
        }
    }
}
