//! Cross-origin resource sharing (CORS), once for every dialect: a bucket's rules
//! ([`Config`], which S3's, OSS's and BOS's documents read into and are written from), what
//! makes them valid ([`validate`]), which rule a browser's request matches (origins and
//! request headers with `*` wildcards, the method exactly), and the `Access-Control-*`
//! headers to answer: to a preflight ([`preflight`], an `OPTIONS` request answered from the
//! rules alone) and on an actual request that carries `Origin` ([`Config::actual`]).
//!
//! The store's side (`store.rs`): a bucket's configuration in the `settings` table, cached
//! for the request path like the lifecycle rules, forgotten with the bucket.
//!
//! Matching is S3's, which OSS and BOS document the same way: the first rule whose
//! `AllowedOrigin`s match the `Origin` (a `*` stands for any run of characters, none
//! included; compared with case), whose `AllowedMethod`s hold the method (the actual
//! request's, or a preflight's `Access-Control-Request-Method`), and, for a preflight, whose
//! `AllowedHeader`s match every header named in `Access-Control-Request-Headers` (without
//! case). A rule that allows the origin `*` is answered with `Access-Control-Allow-Origin: *`;
//! any other with the origin itself and `Access-Control-Allow-Credentials: true`, as S3 does.

mod store;
#[cfg(test)]
mod tests;

pub(crate) use store::{State, forget_bucket};

use serde::{Deserialize, Serialize};

/// The most rules one configuration holds (S3's and BOS's limit; OSS's codec allows 10).
pub const MAX_RULES: usize = 100;
/// The longest rule ID, in characters.
pub const MAX_ID_CHARS: usize = 255;
/// What `Vary` says on an answer that carries CORS headers.
pub const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// A method a rule may allow: S3's five (OSS and BOS allow the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Head,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Head,
    ];

    /// The method's name, in capitals.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// A method a configuration names: exactly one of the five, in capitals (S3, OSS and
    /// BOS compare with case).
    pub fn parse(name: &str) -> Result<Method, CorsError> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| CorsError::UnsupportedMethod(name.to_owned()))
    }
}

/// One rule of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// S3's optional `ID` (empty: none).
    pub id: String,
    /// Origins the rule allows, each with at most one `*`; `*` alone allows every origin.
    pub origins: Vec<String>,
    pub methods: Vec<Method>,
    /// Headers a preflight may ask for, each with at most one `*`; kept as given.
    pub allowed_headers: Vec<String>,
    /// Response headers the browser may show the page (`Access-Control-Expose-Headers`).
    pub expose_headers: Vec<String>,
    /// How long a browser may keep a preflight's answer (`Access-Control-Max-Age`).
    pub max_age_seconds: Option<u64>,
}

/// A bucket's CORS configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub rules: Vec<Rule>,
    /// Whether answers that carry CORS headers say `Vary` (S3 and BOS always; OSS when the
    /// configuration's `ResponseVary` asks).
    pub vary: bool,
}

/// Headers to add to an answer, by name.
pub type Headers = Vec<(&'static str, String)>;

/// Why a CORS configuration is refused, is not there, or a preflight is refused. Each
/// dialect maps it once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsError {
    /// The bucket has no CORS configuration to read.
    #[error("The CORS configuration does not exist")]
    NoConfiguration,
    #[error("a CORS configuration has 1 to {MAX_RULES} rules, not {0}")]
    RuleCount(usize),
    #[error("a CORS rule must allow at least one origin")]
    NoOrigin,
    #[error("a CORS rule must allow at least one method")]
    NoMethod,
    #[error("Found unsupported HTTP method in CORS config. Unsupported method is {0}")]
    UnsupportedMethod(String),
    #[error("AllowedOrigin \"{0}\" can not have more than one wildcard.")]
    OriginWildcards(String),
    #[error("AllowedHeader \"{0}\" can not have more than one wildcard.")]
    HeaderWildcards(String),
    #[error("a CORS rule ID is at most {MAX_ID_CHARS} characters")]
    IdTooLong,
    /// A preflight without `Origin`.
    #[error("Insufficient information. Origin request header needed.")]
    MissingOrigin,
    /// A preflight without `Access-Control-Request-Method`.
    #[error("Invalid Access-Control-Request-Method: null")]
    MissingMethod,
    /// A preflight addressed to no bucket, or to one that does not exist.
    #[error("CORSResponse: Bucket not found")]
    BucketNotFound,
    /// A preflight to a bucket without a CORS configuration. `method`: the method asked
    /// for (`OPTIONS` when none was); `object`: the request addresses an object.
    #[error("CORSResponse: CORS is not enabled for this bucket.")]
    NotEnabled { method: String, object: bool },
    /// A preflight that no rule allows.
    #[error(
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
    )]
    NotAllowed { method: String, object: bool },
}

/// Checks a configuration: 1 to [`MAX_RULES`] rules, each allowing at least one origin and
/// one method, origins and allowed headers with at most one `*`, IDs of at most
/// [`MAX_ID_CHARS`] characters.
pub fn validate(config: &Config) -> Result<(), CorsError> {
    if config.rules.is_empty() || config.rules.len() > MAX_RULES {
        return Err(CorsError::RuleCount(config.rules.len()));
    }
    for rule in &config.rules {
        if rule.id.chars().count() > MAX_ID_CHARS {
            return Err(CorsError::IdTooLong);
        }
        if rule.origins.is_empty() {
            return Err(CorsError::NoOrigin);
        }
        if rule.methods.is_empty() {
            return Err(CorsError::NoMethod);
        }
        if let Some(o) = rule.origins.iter().find(|o| o.matches('*').count() > 1) {
            return Err(CorsError::OriginWildcards(o.clone()));
        }
        if let Some(h) = rule
            .allowed_headers
            .iter()
            .find(|h| h.matches('*').count() > 1)
        {
            return Err(CorsError::HeaderWildcards(h.clone()));
        }
    }
    Ok(())
}

/// Whether `text` matches `pattern`, in which each `*` stands for any run of characters
/// (none included). Linear in `text` for the single `*` a valid configuration allows.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it was tried against.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            // Let the `*` take one more character.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The header names of an `Access-Control-Request-Headers` value, in lower case (empty
/// items dropped).
pub fn requested_headers(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

impl Rule {
    fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| wildcard_match(o, origin))
    }

    fn allows_method(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m.as_str() == method)
    }

    /// Every requested header (lower case) matches an allowed one, without case.
    fn allows_headers(&self, requested: &[String]) -> bool {
        requested.iter().all(|h| {
            self.allowed_headers
                .iter()
                .any(|a| wildcard_match(&a.to_ascii_lowercase(), h))
        })
    }

    /// Whether the rule allows every origin.
    fn any_origin(&self) -> bool {
        self.origins.iter().any(|o| o == "*")
    }
}

impl Config {
    /// The first rule that allows `origin`, `method` and every header of `requested`
    /// (lower case; empty for an actual request, whose headers are not checked).
    pub fn matching(&self, origin: &str, method: &str, requested: &[String]) -> Option<&Rule> {
        self.rules.iter().find(|r| {
            r.allows_origin(origin) && r.allows_method(method) && r.allows_headers(requested)
        })
    }

    /// The CORS headers of an actual request's answer (a success or an error alike): none
    /// when no rule allows `origin` and `method`.
    pub fn actual(&self, origin: &str, method: &str) -> Headers {
        match self.matching(origin, method, &[]) {
            Some(rule) => self.answer(rule, origin, None),
            None => Vec::new(),
        }
    }

    /// The headers that answer for `rule`; `requested`: a preflight's requested headers.
    fn answer(&self, rule: &Rule, origin: &str, requested: Option<&[String]>) -> Headers {
        let mut h = Headers::new();
        if rule.any_origin() {
            h.push(("access-control-allow-origin", "*".to_owned()));
        } else {
            h.push(("access-control-allow-origin", origin.to_owned()));
            h.push(("access-control-allow-credentials", "true".to_owned()));
        }
        let methods: Vec<&str> = rule.methods.iter().map(|m| m.as_str()).collect();
        h.push(("access-control-allow-methods", methods.join(", ")));
        if let Some(requested) = requested.filter(|r| !r.is_empty()) {
            h.push(("access-control-allow-headers", requested.join(", ")));
        }
        if !rule.expose_headers.is_empty() {
            h.push((
                "access-control-expose-headers",
                rule.expose_headers.join(", "),
            ));
        }
        if let Some(age) = rule.max_age_seconds {
            h.push(("access-control-max-age", age.to_string()));
        }
        if self.vary {
            h.push(("vary", VARY.to_owned()));
        }
        h
    }
}

/// What a preflight (`OPTIONS`) asks, from its headers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Preflight<'a> {
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Access-Control-Request-Method`.
    pub method: Option<&'a str>,
    /// `Access-Control-Request-Headers`.
    pub headers: Option<&'a str>,
    /// The request addresses an object (not only a bucket).
    pub object: bool,
}

/// What a bucket offers a preflight.
#[derive(Clone, Copy, Debug)]
pub enum Offer<'a> {
    /// No bucket is addressed, or it does not exist.
    NoBucket,
    /// The bucket has no CORS configuration.
    NoConfiguration,
    Config(&'a Config),
}

/// The answer to a preflight: the headers of its 200, or why it is refused. Checked in
/// this order: `Origin` given (else 400), the bucket (403), its configuration (403), the
/// method asked for given (400), a rule that allows it all (403). S3 answers a bucket
/// without configuration with 403 whether the method is given or not, and ceph/s3-tests
/// expects 400 for a missing method once there is a configuration; this order does both.
pub fn preflight(offer: Offer<'_>, asked: &Preflight<'_>) -> Result<Headers, CorsError> {
    let Some(origin) = asked.origin.filter(|o| !o.is_empty()) else {
        return Err(CorsError::MissingOrigin);
    };
    let method = asked.method.filter(|m| !m.is_empty());
    let config = match offer {
        Offer::NoBucket => return Err(CorsError::BucketNotFound),
        Offer::NoConfiguration => {
            return Err(CorsError::NotEnabled {
                method: method.unwrap_or("OPTIONS").to_owned(),
                object: asked.object,
            });
        }
        Offer::Config(c) => c,
    };
    let Some(method) = method else {
        return Err(CorsError::MissingMethod);
    };
    let requested = requested_headers(asked.headers.unwrap_or_default());
    match config.matching(origin, method, &requested) {
        Some(rule) => Ok(config.answer(rule, origin, Some(&requested))),
        None => Err(CorsError::NotAllowed {
            method: method.to_owned(),
            object: asked.object,
        }),
    }
}
