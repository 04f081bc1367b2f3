//! What Strata does not carry out, refused before anything runs: one table per dialect of the
//! sub-resources and request headers whose feature does not exist here, checked by one
//! function for every request. A request that asks for such a feature (server-side
//! encryption, object lock event holds, storage classes, grants, traffic limits, ...) is answered
//! 501 NotImplemented in the dialect's format; it is never accepted with the feature silently
//! dropped, so nobody believes data is encrypted, locked or tagged when it is not.
//!
//! Headers that change nothing Strata stores or answers (billing, request-payer, MFA
//! serial numbers when MFA delete is off, STS tokens of key pairs that verified) are not
//! listed. Where a table's entry needs a reason (such as the one value of a header that is
//! accepted), a comment beside it gives it; the README's "What works now" names the features
//! refused, and `tests/hardening/test_not_implemented.py` sends requests that ask for them to
//! the real binary.

use crate::request::RequestParts;

/// One request header a dialect refuses.
pub enum Header {
    /// The header, with any value.
    Any(&'static str),
    /// Every header whose name starts with this.
    Prefix(&'static str),
    /// The header with any value but these (compared without case): the one value that asks
    /// for what Strata does anyway.
    Unless(&'static str, &'static [&'static str]),
}

/// What a dialect refuses: its sub-resources (query parameters) and headers, each with the
/// feature it names in the error message.
pub struct Table {
    /// Sub-resources refused by name.
    pub sub_resources: &'static [&'static str],
    /// A service's own list of its sub-resources, of which Strata serves only some: every
    /// other name on the list is refused.
    pub all_but: Option<AllBut>,
    pub headers: &'static [(Header, &'static str)],
}

/// The sub-resources of `known` that are not `served`.
pub struct AllBut {
    pub known: &'static [&'static str],
    pub served: &'static [&'static str],
}

impl AllBut {
    fn refuses(&self, name: &str) -> bool {
        self.known.contains(&name) && !self.served.contains(&name)
    }
}

/// The feature a request asks for that the table refuses, if any, for the error message.
pub fn refused(table: &Table, req: &RequestParts) -> Option<String> {
    if let Some(s) = table.sub_resources.iter().find(|s| req.has_query(s)) {
        return Some(format!("The `{s}` sub-resource"));
    }
    if let Some(all_but) = &table.all_but
        && let Some((s, _)) = req.query.iter().find(|(name, _)| all_but.refuses(name))
    {
        return Some(format!("The `{s}` sub-resource"));
    }
    // The request's few header names are compared with each rule's as strings: looking each
    // rule's name up in the map would parse and hash it, at every request.
    for (rule, feature) in table.headers {
        let hit = match rule {
            Header::Any(name) => req
                .headers
                .keys()
                .any(|k| k.as_str() == *name)
                .then_some(*name),
            Header::Prefix(prefix) => req
                .headers
                .keys()
                .find(|k| k.as_str().starts_with(prefix))
                .map(|_| *prefix),
            Header::Unless(name, allowed) => req
                .headers
                .iter()
                .filter(|(k, _)| k.as_str() == *name)
                .any(|(_, v)| {
                    let v = v.to_str().unwrap_or_default().trim();
                    !allowed.iter().any(|a| a.eq_ignore_ascii_case(v))
                })
                .then_some(*name),
        };
        if let Some(name) = hit {
            return Some(format!("{feature} (the `{name}` header)"));
        }
    }
    None
}

use Header::{Any, Prefix, Unless};

pub static S3: Table = Table {
    all_but: None,
    sub_resources: &[
        "encryption",
        "logging",
        "website",
        "notification",
        "replication",
        "accelerate",
        "requestPayment",
        "analytics",
        "metrics",
        "inventory",
        "intelligent-tiering",
        "select",
        "restore",
        "torrent",
        "session",
        "renameObject",
        "metadataTable",
        "metadataConfiguration",
        "metadataInventoryTable",
        "metadataJournalTable",
    ],
    headers: &[
        (
            Prefix("x-amz-server-side-encryption"),
            "Server-side encryption",
        ),
        (
            Prefix("x-amz-copy-source-server-side-encryption"),
            "Server-side encryption",
        ),
        (
            Prefix("x-amz-object-lock-event-hold"),
            "Object Lock event holds",
        ),
        (Any("x-amz-website-redirect-location"), "Website redirects"),
        (
            Unless("x-amz-storage-class", &["STANDARD"]),
            "Storage classes other than STANDARD",
        ),
        (Any("x-amz-write-offset-bytes"), "Appending to objects"),
        // Strata has one namespace of buckets; `global` is it.
        (
            Unless("x-amz-bucket-namespace", &["global"]),
            "Account-regional bucket namespaces",
        ),
        (Any("x-amz-checksum-sha512"), "The SHA512 checksum"),
        (Any("x-amz-checksum-md5"), "The MD5 flexible checksum"),
        (Prefix("x-amz-checksum-xxhash"), "The XXHASH checksums"),
        (
            Any("x-amz-if-match-initiated-time"),
            "Conditions on the initiated time",
        ),
        // A bucket's owner may always read, put and delete its policy here.
        (
            Unless("x-amz-confirm-remove-self-bucket-access", &["false"]),
            "A policy that locks its bucket's owner out",
        ),
    ],
};

/// OSS: every sub-resource OSS signs in V1 (its own list of them) that Strata does not serve,
/// and one it does not sign.
pub static OSS: Table = Table {
    sub_resources: &["select", "objectWorm", "retention", "legalHold"],
    all_but: Some(AllBut {
        known: strata_wire::oss::auth::V1_SIGNED_SUBRESOURCES,
        served: &[
            "acl",
            "append",
            "bucketInfo",
            "continuation-token",
            "cors",
            "delete",
            "lifecycle",
            "location",
            "objectMeta",
            "partNumber",
            "policy",
            "policyStatus",
            "position",
            "publicAccessBlock",
            "security-token",
            "tagging",
            "uploadId",
            "uploads",
            "versionId",
            "versioning",
            "versions",
            "worm",
            "wormExtend",
            "wormId",
            "response-cache-control",
            "response-content-disposition",
            "response-content-encoding",
            "response-content-language",
            "response-content-type",
            "response-expires",
            // Who pays is billing; it changes nothing stored or answered.
            "x-oss-request-payer",
        ],
    }),
    headers: &[
        (Prefix("x-oss-server-side-"), "Server-side encryption"),
        (
            Unless("x-oss-storage-class", &["Standard"]),
            "Storage classes other than Standard",
        ),
        (Any("x-oss-traffic-limit"), "Traffic limits"),
        (Any("x-oss-callback"), "Upload callbacks"),
        (Any("x-oss-callback-var"), "Upload callbacks"),
        (Any("x-oss-symlink-target"), "Symbolic links"),
    ],
};

pub static BOS: Table = Table {
    all_but: None,
    sub_resources: &[
        "logging",
        "replication",
        "replicationProgress",
        "encryption",
        "symlink",
        "restore",
        "fetch",
        "storageClass",
        "quota",
        "userQuota",
        "website",
        "trash",
        "copyrightProtection",
        "mirroring",
        "notification",
        "inventory",
        "select",
        // Response-header overrides of GetObject (the Go SDK's responseHeaders).
        "responseCacheControl",
        "responseContentDisposition",
        "responseContentEncoding",
        "responseContentLanguage",
        "responseContentType",
        "responseExpires",
    ],
    headers: &[
        (
            Prefix("x-bce-server-side-encryption"),
            "Server-side encryption",
        ),
        (
            Unless("x-bce-storage-class", &["STANDARD"]),
            "Storage classes other than STANDARD",
        ),
        // BOS's object ACL headers are x-bce-acl and x-bce-grant-* (bos/acl_wire.rs); these
        // forms no SDK sends are not read.
        (
            Any("x-bce-object-acl"),
            "The x-bce-object-acl form of object ACLs",
        ),
        (
            Prefix("x-bce-object-grant-"),
            "The x-bce-object-grant-* form of ACL grants",
        ),
        (Any("x-bce-object-expires"), "Object expiry"),
        (Any("x-bce-traffic-limit"), "Traffic limits"),
        // Tags given at CreateBucket, in a form no SDK documents.
        (Any("x-bce-tag-list"), "Bucket tags at creation"),
        (
            Unless("x-bce-forbid-overwrite", &["false"]),
            "Refusing to overwrite (x-bce-forbid-overwrite)",
        ),
        (Any("x-bce-process"), "Data processing"),
        (Any("x-bce-symlink-target"), "Symbolic links"),
        (Any("x-bce-fetch-source"), "Fetching objects from a URL"),
        (Any("x-bce-callback-address"), "Callbacks"),
        (
            Unless("x-bce-content-crc32c-flag", &["false"]),
            "CRC-32C computed by the server",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&'static str, &str)]) -> RequestParts {
        let mut h = http::HeaderMap::new();
        for (n, v) in headers {
            h.append(*n, v.parse().unwrap());
        }
        RequestParts::new(http::Method::PUT, &uri.parse().unwrap(), h, &[]).unwrap()
    }

    #[test]
    fn each_kind_of_rule_refuses_what_it_names_and_nothing_else() {
        let refused_s3 = |uri, h: &[(&'static str, &str)]| refused(&S3, &parts(uri, h));
        assert!(refused_s3("/b/k", &[]).is_none());
        assert!(refused_s3("/b/k?website", &[]).unwrap().contains("website"));
        // Tagging is served, its sub-resource and headers too.
        assert!(refused_s3("/b/k?tagging", &[("x-amz-tagging", "a=b")]).is_none());
        assert!(refused(&OSS, &parts("/b/k?tagging", &[("x-oss-tagging", "a=b")])).is_none());
        assert!(refused(&BOS, &parts("/b/k?tagging", &[("x-bce-tagging", "a=b")])).is_none());
        let sse = refused_s3(
            "/b/k",
            &[("x-amz-server-side-encryption-customer-key", "k")],
        );
        assert!(sse.unwrap().contains("encryption"));
        assert!(refused_s3("/b/k", &[("x-amz-storage-class", "STANDARD")]).is_none());
        assert!(refused_s3("/b/k", &[("x-amz-storage-class", "GLACIER")]).is_some());
        // Object Lock is served; its event holds are not.
        assert!(refused_s3("/b", &[("x-amz-bucket-object-lock-enabled", "true")]).is_none());
        assert!(refused_s3("/b/k?retention", &[]).is_none());
        let event_hold = [("x-amz-object-lock-event-hold", "ON")];
        assert!(refused_s3("/b/k", &event_hold).is_some());
        let confirm = |v| {
            refused_s3(
                "/b?policy",
                &[("x-amz-confirm-remove-self-bucket-access", v)],
            )
        };
        assert!(confirm("false").is_none() && confirm("true").is_some());
        // A second value that asks for more is seen too.
        let two = [
            ("x-amz-storage-class", "STANDARD"),
            ("x-amz-storage-class", "GLACIER"),
        ];
        assert!(refused_s3("/b/k", &two).is_some());
        assert!(refused(&OSS, &parts("/b/k?x-oss-process=image", &[])).is_some());
        assert!(refused(&OSS, &parts("/b/k?acl&versionId=1", &[])).is_none());
        assert!(refused(&BOS, &parts("/b/k", &[("x-bce-acl", "public-read")])).is_none());
        assert!(refused(&BOS, &parts("/b/k", &[("x-bce-grant-read", "id=\"u\"")])).is_none());
        assert!(refused(&BOS, &parts("/b/k", &[("x-bce-object-acl", "private")])).is_some());
        let grant = [("x-bce-object-grant-read", "id=\"u\"")];
        assert!(refused(&BOS, &parts("/b/k", &grant)).is_some());
        assert!(refused(&BOS, &parts("/b?lifecycle", &[])).is_none());
        assert!(refused(&BOS, &parts("/b?objectlock", &[])).is_none());
        // OSS's ObjectWorm (S3-like per-object retention) is not served.
        assert!(refused(&OSS, &parts("/b?objectWorm", &[])).is_some());
        assert!(refused(&OSS, &parts("/b/k?retention", &[])).is_some());
        assert!(refused(&OSS, &parts("/b/k?legalHold", &[])).is_some());
        assert!(refused(&OSS, &parts("/b?worm", &[])).is_none());
    }

    #[test]
    fn oss_refuses_every_signed_sub_resource_it_does_not_serve() {
        let all_but = OSS.all_but.as_ref().unwrap();
        for name in strata_wire::oss::auth::V1_SIGNED_SUBRESOURCES {
            let answer = refused(&OSS, &parts(&format!("/b/k?{name}=1"), &[]));
            let served = all_but.served.contains(name);
            assert_eq!(answer.is_none(), served, "{name}");
        }
        // Every name served is one OSS signs: the list has no typo.
        for name in all_but.served {
            assert!(all_but.known.contains(name), "{name}");
        }
    }
}
