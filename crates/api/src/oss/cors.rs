//! OSS CORS: PutBucketCors, GetBucketCors, DeleteBucketCors (`?cors`), and OSS's answers to
//! refused configurations and preflights.
//!
//! `<CORSConfiguration>` holds 1 to 10 `<CORSRule>`s and an optional `<ResponseVary>` (a
//! boolean in any case, as oss2 writes Python's `True`; whether answers carrying CORS
//! headers say `Vary`, false by default). A rule has one or more `AllowedOrigin` and
//! `AllowedMethod` (GET, PUT, DELETE, POST or HEAD), any `AllowedHeader` and `ExposeHeader`
//! (which may not hold `*`), and an optional `MaxAgeSeconds`; OSS rules have no ID. Another
//! element, or a rule without an origin or a method, is MalformedXML; a value OSS refuses is
//! InvalidArgument. A rule put through S3 keeps its ID there; OSS does not show it.

use super::error::OssError;
use super::{Ctx, OssResult, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::xml::{Element, Xml, parse};
use hyper::StatusCode;
use strata_core::CoreError;
use strata_core::cors::{Config, CorsError, Method, Rule, validate};

/// The most rules an OSS configuration holds.
pub const MAX_RULES: usize = 10;
/// The most elements a configuration may have (the body limit binds first).
const MAX_ELEMENTS: usize = 16 * 1024;

fn malformed() -> OssError {
    OssError::malformed_xml(
        "The XML you provided was not well-formed or did not validate against our published schema.",
    )
}

fn parse_bool(text: &str) -> Result<bool, OssError> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(malformed()),
    }
}

fn parse_rule(e: &Element) -> Result<Rule, OssError> {
    let mut rule = Rule::default();
    let mut max_age = None;
    for c in &e.children {
        let text = c.text.trim();
        match c.name.as_str() {
            "AllowedOrigin" => rule.origins.push(text.to_owned()),
            "AllowedMethod" => rule
                .methods
                .push(Method::parse(text).map_err(CoreError::Cors)?),
            "AllowedHeader" => rule.allowed_headers.push(text.to_owned()),
            "ExposeHeader" if text.contains('*') => {
                return Err(OssError::invalid_argument(format!(
                    "ExposeHeader \"{text}\" can not contain a wildcard."
                )));
            }
            "ExposeHeader" => rule.expose_headers.push(text.to_owned()),
            "MaxAgeSeconds" if max_age.is_none() => {
                max_age = Some(text.parse::<u64>().map_err(|_| {
                    OssError::invalid_argument("MaxAgeSeconds must be a whole number of seconds.")
                })?);
            }
            _ => return Err(malformed()),
        }
    }
    rule.max_age_seconds = max_age;
    if rule.origins.is_empty() || rule.methods.is_empty() {
        return Err(malformed());
    }
    Ok(rule)
}

/// Reads a `<CORSConfiguration>` into a configuration the core accepts.
pub fn parse_config(body: &[u8]) -> Result<Config, OssError> {
    let doc = parse(body, MAX_ELEMENTS).map_err(|_| malformed())?;
    if doc.name != "CORSConfiguration" {
        return Err(malformed());
    }
    let (mut rules, mut vary) = (Vec::new(), None);
    for c in &doc.children {
        match c.name.as_str() {
            "CORSRule" => rules.push(parse_rule(c)?),
            "ResponseVary" if vary.is_none() => vary = Some(parse_bool(&c.text)?),
            _ => return Err(malformed()),
        }
    }
    if rules.len() > MAX_RULES {
        return Err(OssError::invalid_argument(format!(
            "A CORS configuration has at most {MAX_RULES} rules."
        )));
    }
    let config = Config {
        rules,
        vary: vary.unwrap_or(false),
    };
    validate(&config).map_err(CoreError::Cors)?;
    Ok(config)
}

/// The configuration as GetBucketCors answers it.
pub fn write_config(config: &Config) -> String {
    let mut x = Xml::new("CORSConfiguration", "");
    for r in &config.rules {
        x.open("CORSRule");
        for o in &r.origins {
            x.leaf("AllowedOrigin", o);
        }
        for m in &r.methods {
            x.leaf("AllowedMethod", m.as_str());
        }
        for h in &r.allowed_headers {
            x.leaf("AllowedHeader", h);
        }
        for h in &r.expose_headers {
            x.leaf("ExposeHeader", h);
        }
        if let Some(age) = r.max_age_seconds {
            x.leaf("MaxAgeSeconds", &age.to_string());
        }
        x.close();
    }
    x.leaf("ResponseVary", if config.vary { "true" } else { "false" });
    x.finish()
}

/// `PUT /?cors`: replaces the configuration; 200.
pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> OssResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let config = parse_config(&bytes)?;
    ctx.run(PutCors { bucket, config }).await?;
    Ok(empty(StatusCode::OK))
}

/// `GET /?cors`: the configuration; none is 404 `NoSuchCORSConfiguration`.
pub(super) fn get(ctx: &Ctx<'_>) -> OssResult {
    let config = ctx.read(GetCors(ctx.bucket()?))?;
    Ok(xml(StatusCode::OK, write_config(&config)))
}

/// `DELETE /?cors`: 204, also when the bucket has no configuration.
pub(super) async fn delete(ctx: &Ctx<'_>) -> OssResult {
    ctx.run(DeleteCors(ctx.bucket()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// OSS's answers to CORS configurations refused or missing, and to refused preflights.
pub(super) fn error(e: CorsError) -> OssError {
    use StatusCode as S;
    let msg = e.to_string();
    match e {
        CorsError::NoConfiguration => OssError::new(
            S::NOT_FOUND,
            "NoSuchCORSConfiguration",
            "The CORS Configuration does not exist.",
        ),
        CorsError::RuleCount(0) | CorsError::NoOrigin | CorsError::NoMethod => malformed(),
        CorsError::RuleCount(_)
        | CorsError::UnsupportedMethod(_)
        | CorsError::OriginWildcards(_)
        | CorsError::HeaderWildcards(_)
        | CorsError::IdTooLong
        | CorsError::MissingOrigin
        | CorsError::MissingMethod => OssError::invalid_argument(msg),
        CorsError::BucketNotFound => OssError::new(S::FORBIDDEN, "AccessForbidden", msg),
        CorsError::NotEnabled { method, .. } | CorsError::NotAllowed { method, .. } => {
            OssError::new(S::FORBIDDEN, "AccessForbidden", msg).detail("Method", method)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(inner: &str) -> String {
        format!("<CORSConfiguration>{inner}</CORSConfiguration>")
    }

    const RULE: &str =
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>";

    fn code(body: &str) -> &'static str {
        parse_config(body.as_bytes()).unwrap_err().code
    }

    #[test]
    fn a_configuration_reads_and_writes_back_with_its_response_vary() {
        let body = doc("<CORSRule><AllowedOrigin>http://*.example</AllowedOrigin>\
             <AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>\
             <AllowedHeader>*</AllowedHeader><ExposeHeader>x-oss-test</ExposeHeader>\
             <MaxAgeSeconds>100</MaxAgeSeconds></CORSRule><ResponseVary>True</ResponseVary>");
        let config = parse_config(body.as_bytes()).unwrap();
        assert!(config.vary);
        let r = &config.rules[0];
        assert_eq!(r.origins, ["http://*.example"]);
        assert_eq!(r.methods, [Method::Put, Method::Get]);
        assert_eq!(r.allowed_headers, ["*"]);
        assert_eq!(r.expose_headers, ["x-oss-test"]);
        assert_eq!(r.max_age_seconds, Some(100));
        let written = write_config(&config);
        assert!(
            written.ends_with("</CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>")
        );
        assert_eq!(parse_config(written.as_bytes()).unwrap(), config);
        // Without ResponseVary, answers do not say Vary.
        assert!(!parse_config(doc(RULE).as_bytes()).unwrap().vary);
    }

    #[test]
    fn what_oss_refuses() {
        assert_eq!(code(&doc("")), "MalformedXML");
        assert_eq!(code(&doc(&format!("{RULE}<ID>x</ID>"))), "MalformedXML");
        assert_eq!(
            code(&doc(
                "<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"
            )),
            "MalformedXML"
        );
        assert_eq!(
            code(&doc(&format!("{RULE}<ResponseVary>maybe</ResponseVary>"))),
            "MalformedXML"
        );
        assert_eq!(code(&doc(&RULE.repeat(MAX_RULES + 1))), "InvalidArgument");
        assert!(parse_config(doc(&RULE.repeat(MAX_RULES)).as_bytes()).is_ok());
        let rule = |inner: &str| {
            doc(&format!(
                "<CORSRule><AllowedOrigin>*</AllowedOrigin>{inner}</CORSRule>"
            ))
        };
        assert_eq!(
            code(&rule("<AllowedMethod>PATCH</AllowedMethod>")),
            "InvalidArgument"
        );
        assert_eq!(
            code(&rule(
                "<AllowedMethod>GET</AllowedMethod><ExposeHeader>x-*</ExposeHeader>"
            )),
            "InvalidArgument"
        );
        assert_eq!(
            code(&rule(
                "<AllowedMethod>GET</AllowedMethod><AllowedHeader>*a*</AllowedHeader>"
            )),
            "InvalidArgument"
        );
    }
}
