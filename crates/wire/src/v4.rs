//! What AWS SigV4 (S3) and OSS V4 share, as one implementation parameterised by a [`Scheme`]:
//! the canonical request's layout and its canonical query, the credential scope, the string to
//! sign, the HMAC chain that derives the signing key, the signature and its comparison, and the
//! `yyyymmddThhmmssZ` timestamp.
//!
//! What differs stays with each dialect (`s3::auth`, `oss::auth`): which headers are signed
//! and how their values are canonicalized, the canonical URI, how the credential and the
//! `Authorization` header are spelt, and the errors.

use crate::encode::UNRESERVED;
use crate::sigutil::hmac_sha256;
use percent_encoding::percent_encode;
use sha2::{Digest as _, Sha256};
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
        format!("{method}\n{uri}\n{query}\n{headers}\n{header_list}\n{hashed_payload}")
    }

    /// Every query parameter (but the signature when `presigned`), names and values encoded
    /// with only RFC 3986 unreserved characters kept, sorted by encoded name then value, joined
    /// with `&`.
    pub fn canonical_query(&self, query: &[(String, String)], presigned: bool) -> String {
        let mut params: Vec<(String, String)> = query
            .iter()
            .filter(|(name, _)| !(presigned && name == self.signature_param))
            .map(|(name, value)| {
                (
                    percent_encode(name.as_bytes(), UNRESERVED).to_string(),
                    percent_encode(value.as_bytes(), UNRESERVED).to_string(),
                )
            })
            .collect();
        params.sort_unstable();
        let params: Vec<String> = params
            .into_iter()
            .map(|(name, value)| {
                if value.is_empty() && self.bare_valueless_params {
                    name
                } else {
                    format!("{name}={value}")
                }
            })
            .collect();
        params.join("&")
    }

    /// `<yyyymmdd>/<region>/<service>/<terminator>`.
    pub fn scope(&self, date: &str, region: &str, service: &str) -> String {
        format!("{date}/{region}/{service}/{}", self.terminator)
    }

    /// `<algorithm>\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
    pub fn string_to_sign(&self, timestamp: &str, scope: &str, canonical_request: &str) -> String {
        let hash = Sha256::digest(canonical_request.as_bytes());
        format!(
            "{}\n{timestamp}\n{scope}\n{}",
            self.algorithm,
            hex::encode(hash)
        )
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

/// Lower-case hex HMAC-SHA256(signing key, string to sign).
pub fn sign(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Constant-time comparison of an expected lower-case hex signature with a provided one
/// (either case; lengths may differ).
pub fn signatures_match(expected: &str, provided: &str) -> bool {
    let provided = provided.to_ascii_lowercase();
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}
