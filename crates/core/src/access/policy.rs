//! Bucket policies: S3's (`"Version": "2012-10-17"`) and OSS's (`"Version": "1"`) JSON policy
//! languages, and BOS's `accessControlList` (grants with effects, resources and conditions: a
//! policy in all but name), compiled once into one form and evaluated per request.
//!
//! PLACEHOLDER INTERFACE: the evaluator is being written; this file fixes its shape.

use super::Action;

/// A policy's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    S3,
    Oss,
    Bos,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not a policy of the language (S3 `MalformedPolicy`, OSS `InvalidPolicyDocument`).
    #[error("malformed policy: {0}")]
    Malformed(String),
    /// A policy that parses but is refused (e.g. `NotPrincipal` with `Allow`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// What a matching statement says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The values a request gives the condition keys a policy may test. Keys are canonical and
/// lowercase: `aws:sourceip`, `aws:securetransport`, `aws:currenttime`, `aws:epochtime`,
/// `aws:referer`, `aws:useragent`, `s3:prefix`, `s3:delimiter`, `s3:max-keys`, `s3:versionid`,
/// `s3:x-amz-acl`, `s3:x-amz-grant-read` (and the other grant headers),
/// `s3:x-amz-copy-source`, `s3:x-amz-metadata-directive`, `s3:existingobjecttag/<tag>`
/// (OSS's `acs:*` and `oss:*` keys and BOS's conditions are read as these).
pub trait ConditionKeys {
    /// The key's values; empty when the request has none.
    fn values(&self, key: &str) -> Vec<String>;
}

/// One request as a policy sees it.
pub struct PolicyRequest<'a> {
    /// The requester's owner ID; `None` for an anonymous request.
    pub requester: Option<&'a str>,
    /// Whether the requester owns the bucket.
    pub owner: bool,
    pub action: Action,
    pub bucket: &'a str,
    /// The object key, for actions on objects.
    pub key: Option<&'a str>,
    pub keys: &'a dyn ConditionKeys,
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    language: Language,
}

impl Policy {
    /// Parses an S3 or OSS policy (told apart by `Version`) for bucket `bucket`.
    pub fn parse(_text: &str, _bucket: &str) -> Result<Policy, PolicyError> {
        Err(PolicyError::Malformed(
            "bucket policies are not built yet".into(),
        ))
    }

    /// Parses a BOS `{"accessControlList": [...]}` document for bucket `bucket`.
    pub fn parse_bos_acl(_text: &str, _bucket: &str) -> Result<Policy, PolicyError> {
        Err(PolicyError::Malformed(
            "BOS ACL documents are not built yet".into(),
        ))
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// `Some(Deny)` when a Deny statement matches, else `Some(Allow)` when an Allow does, else
    /// `None` (the policy says nothing of the request).
    pub fn evaluate(&self, _req: &PolicyRequest<'_>) -> Option<Effect> {
        None
    }

    /// Whether the policy grants anything to the public (AWS's "meaning of public").
    pub fn is_public(&self) -> bool {
        false
    }
}
