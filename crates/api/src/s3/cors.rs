//! S3 CORS: PutBucketCors, GetBucketCors, DeleteBucketCors (`?cors`), and S3's answers to
//! refused configurations and preflights.
//!
//! `<CORSConfiguration>` holds 1 to 100 `<CORSRule>`s, each with an optional `ID`, one or
//! more `AllowedOrigin` and `AllowedMethod` (GET, PUT, POST, DELETE or HEAD, in capitals),
//! any `AllowedHeader` and `ExposeHeader`, and an optional `MaxAgeSeconds`. What S3's schema
//! refuses (another element, an element given twice where one is allowed, a rule without an
//! origin or a method, no rule at all, a `MaxAgeSeconds` that is not a whole number) is
//! MalformedXML; another method, or two wildcards in an origin or an allowed header, is
//! InvalidRequest with AWS's message. The rules, their matching and the preflight are the
//! core's ([`strata_core::cors`]); the pipeline answers `OPTIONS` and adds the headers
//! ([`crate::cors`]).

use super::error::S3Error;
use super::{Ctx, S3Result, empty, xml};
use crate::body::Incoming;
use crate::exec::*;
use crate::listing::S3;
use crate::xml::{Element, Xml, parse};
use hyper::StatusCode;
use strata_core::CoreError;
use strata_core::cors::{Config, CorsError, Method, Rule, validate};

/// The most elements a configuration may have (100 rules of a few dozen elements each; the
/// 64 KiB body limit binds first).
const MAX_ELEMENTS: usize = 16 * 1024;

fn malformed<T>() -> Result<T, S3Error> {
    Err(S3Error::malformed_xml())
}

/// An element's text without surrounding whitespace; only characters XML 1.0 allows, so
/// what is stored reads back from what GET writes.
fn text(e: &Element) -> Result<String, S3Error> {
    let xml_char = |c: char| c >= ' ' || matches!(c, '\t' | '\n' | '\r');
    if e.text
        .chars()
        .all(|c| xml_char(c) && c != '\u{FFFE}' && c != '\u{FFFF}')
    {
        Ok(e.text.trim().to_owned())
    } else {
        malformed()
    }
}

fn parse_rule(e: &Element) -> Result<Rule, S3Error> {
    let mut rule = Rule::default();
    let (mut id, mut max_age) = (None, None);
    for c in &e.children {
        match c.name.as_str() {
            "ID" if id.is_none() => id = Some(text(c)?),
            "AllowedOrigin" => rule.origins.push(text(c)?),
            "AllowedMethod" => rule
                .methods
                .push(Method::parse(&text(c)?).map_err(CoreError::Cors)?),
            "AllowedHeader" => rule.allowed_headers.push(text(c)?),
            "ExposeHeader" => rule.expose_headers.push(text(c)?),
            "MaxAgeSeconds" if max_age.is_none() => {
                max_age = Some(c.text.trim().parse::<u64>().or_else(|_| malformed())?);
            }
            _ => return malformed(),
        }
    }
    rule.id = id.unwrap_or_default();
    rule.max_age_seconds = max_age;
    if rule.origins.is_empty() || rule.methods.is_empty() {
        return malformed();
    }
    Ok(rule)
}

/// Reads a `<CORSConfiguration>` into a configuration the core accepts.
pub fn parse_config(body: &[u8]) -> Result<Config, S3Error> {
    let doc = parse(body, MAX_ELEMENTS).map_err(|_| S3Error::malformed_xml())?;
    if doc.name != "CORSConfiguration" {
        return malformed();
    }
    let rules = doc
        .children
        .iter()
        .map(|c| match c.name.as_str() {
            "CORSRule" => parse_rule(c),
            _ => malformed(),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = Config { rules, vary: true };
    validate(&config).map_err(CoreError::Cors)?;
    Ok(config)
}

/// The configuration as GetBucketCors answers it.
pub fn write_config(config: &Config) -> String {
    let mut x = Xml::new("CORSConfiguration", S3.root_attrs);
    for r in &config.rules {
        x.open("CORSRule");
        if !r.id.is_empty() {
            x.leaf("ID", &r.id);
        }
        for h in &r.allowed_headers {
            x.leaf("AllowedHeader", h);
        }
        for m in &r.methods {
            x.leaf("AllowedMethod", m.as_str());
        }
        for o in &r.origins {
            x.leaf("AllowedOrigin", o);
        }
        for h in &r.expose_headers {
            x.leaf("ExposeHeader", h);
        }
        if let Some(age) = r.max_age_seconds {
            x.leaf("MaxAgeSeconds", &age.to_string());
        }
        x.close();
    }
    x.finish()
}

pub(super) fn get(ctx: &Ctx<'_>) -> S3Result {
    let config = ctx.read(GetCors(ctx.bucket()?))?;
    Ok(xml(StatusCode::OK, write_config(&config)))
}

/// Put requires a digest of its body (Content-MD5 or an `x-amz-checksum-*`), as AWS does.
pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> S3Result {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    super::lock::require_config_digest(ctx)?;
    let bytes = ctx.read_document(body).await?;
    let config = parse_config(&bytes)?;
    ctx.run(PutCors { bucket, config }).await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> S3Result {
    ctx.run(DeleteCors(ctx.bucket()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// S3's answers to CORS configurations refused or missing, and to refused preflights
/// (`AccessForbidden` names the method asked for and what the request addresses).
pub(super) fn error(e: CorsError) -> S3Error {
    use StatusCode as S;
    let msg = e.to_string();
    let forbidden = |method: String, object: bool| {
        S3Error::new(S::FORBIDDEN, "AccessForbidden", msg.clone())
            .detail("Method", method)
            .detail("ResourceType", if object { "OBJECT" } else { "BUCKET" })
    };
    match e {
        CorsError::NoConfiguration => S3Error::new(S::NOT_FOUND, "NoSuchCORSConfiguration", msg),
        CorsError::RuleCount(0) | CorsError::NoOrigin | CorsError::NoMethod => {
            S3Error::malformed_xml()
        }
        CorsError::RuleCount(_)
        | CorsError::UnsupportedMethod(_)
        | CorsError::OriginWildcards(_)
        | CorsError::HeaderWildcards(_) => S3Error::invalid_request(msg),
        CorsError::IdTooLong => S3Error::invalid_argument(msg),
        CorsError::MissingOrigin | CorsError::MissingMethod => {
            S3Error::new(S::BAD_REQUEST, "BadRequest", msg)
        }
        CorsError::BucketNotFound => forbidden("OPTIONS".into(), false),
        CorsError::NotEnabled { method, object } | CorsError::NotAllowed { method, object } => {
            forbidden(method, object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rules: &str) -> String {
        format!("<CORSConfiguration>{rules}</CORSConfiguration>")
    }

    fn code(body: &str) -> &'static str {
        parse_config(body.as_bytes()).unwrap_err().code
    }

    #[test]
    fn a_configuration_reads_and_writes_back() {
        let body = doc(
            "<CORSRule><ID>r1</ID><AllowedOrigin>http://*.example</AllowedOrigin>\
             <AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
             <AllowedMethod>PUT</AllowedMethod><AllowedHeader>X-Amz-*</AllowedHeader>\
             <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds> 3000 </MaxAgeSeconds></CORSRule>\
             <CORSRule><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>o</AllowedOrigin></CORSRule>",
        );
        let config = parse_config(body.as_bytes()).unwrap();
        assert_eq!(config.rules.len(), 2);
        let r = &config.rules[0];
        assert_eq!(r.id, "r1");
        assert_eq!(r.origins, ["http://*.example", "*"]);
        assert_eq!(r.methods, [Method::Get, Method::Put]);
        assert_eq!(r.allowed_headers, ["X-Amz-*"]);
        assert_eq!(r.expose_headers, ["ETag"]);
        assert_eq!(r.max_age_seconds, Some(3000));
        assert_eq!(config.rules[1].id, "");
        assert_eq!(config.rules[1].max_age_seconds, None);
        assert!(config.vary);
        // What GET writes reads back the same, with S3's namespace.
        let written = write_config(&config);
        assert!(written.contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""));
        assert!(written.contains("<ID>r1</ID><AllowedHeader>X-Amz-*</AllowedHeader>"));
        assert_eq!(parse_config(written.as_bytes()).unwrap(), config);
    }

    #[test]
    fn what_the_schema_refuses_is_malformed_xml() {
        let rule = |inner: &str| doc(&format!("<CORSRule>{inner}</CORSRule>"));
        let ok = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";
        for body in [
            doc(""),
            "<Other/>".to_owned(),
            "not xml".to_owned(),
            doc("<Rule/>"),
            rule("<AllowedOrigin>*</AllowedOrigin>"),
            rule("<AllowedMethod>GET</AllowedMethod>"),
            rule(&format!("{ok}<Unknown>1</Unknown>")),
            rule(&format!("{ok}<ID>a</ID><ID>b</ID>")),
            rule(&format!(
                "{ok}<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds>"
            )),
            rule(&format!("{ok}<MaxAgeSeconds>soon</MaxAgeSeconds>")),
            rule(&format!("{ok}<MaxAgeSeconds>-1</MaxAgeSeconds>")),
        ] {
            assert_eq!(code(&body), "MalformedXML", "{body}");
        }
    }

    #[test]
    fn what_s3_refuses_by_value_is_invalid_request() {
        let rule = |origin: &str, method: &str, header: &str| {
            doc(&format!(
                "<CORSRule><AllowedOrigin>{origin}</AllowedOrigin><AllowedMethod>{method}\
                 </AllowedMethod><AllowedHeader>{header}</AllowedHeader></CORSRule>"
            ))
        };
        let e = parse_config(rule("*", "MYMETHOD", "h").as_bytes()).unwrap_err();
        assert_eq!(e.code, "InvalidRequest");
        assert_eq!(
            e.message,
            "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD"
        );
        assert_eq!(code(&rule("*", "get", "h")), "InvalidRequest");
        assert_eq!(code(&rule("http://*.*.com", "GET", "h")), "InvalidRequest");
        assert_eq!(code(&rule("*", "GET", "x-*-*")), "InvalidRequest");
        let many = doc(
            &"<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET\
                         </AllowedMethod></CORSRule>"
                .repeat(101),
        );
        assert_eq!(code(&many), "InvalidRequest");
    }

    #[test]
    fn refused_preflights_name_the_method_and_the_resource() {
        let e = error(CorsError::NotAllowed {
            method: "PUT".into(),
            object: true,
        });
        assert_eq!(
            (e.status, e.code),
            (StatusCode::FORBIDDEN, "AccessForbidden")
        );
        assert!(
            e.message
                .starts_with("CORSResponse: This CORS request is not allowed.")
        );
        assert!(e.details.contains(&("Method", "PUT".into())));
        assert!(e.details.contains(&("ResourceType", "OBJECT".into())));
        let e = error(CorsError::MissingOrigin);
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "BadRequest"));
        let e = error(CorsError::NoConfiguration);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::NOT_FOUND, "NoSuchCORSConfiguration")
        );
    }
}
