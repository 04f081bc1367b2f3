//! BOS CORS: PutBucketCors (`PUT ?cors`, JSON, 200), GetBucketCors (`GET`, the same
//! document; none: 404 `NoSuchCORSConfiguration`), DeleteBucketCors (`DELETE`, 204), and
//! BOS's answers to refused configurations and preflights.
//!
//! The document is `{"corsConfiguration": [rule, ...]}`, 1 to 100 rules, each
//! `{"allowedOrigins": [...], "allowedMethods": [...], "allowedHeaders": [...],
//! "allowedExposeHeaders": [...], "maxAgeSeconds": N}` (the names of BOS's API reference,
//! bce-sdk-go's `BucketCORSType` and bce-python-sdk's `put_bucket_cors`). Origins and methods
//! are required; the other members may be absent or null (bce-sdk-go leaves out empty
//! lists and a zero age). A member BOS does not name, or a value of the wrong type, is
//! MalformedJSON; a method other than GET, PUT, DELETE, POST and HEAD (in capitals), or more
//! than one `*` in an origin or an allowed header, is InvalidArgument. Answers that carry
//! CORS headers always say `Vary`.

use super::error::BosError;
use super::{BosResult, Ctx, empty, json};
use crate::body::Incoming;
use crate::exec::*;
use hyper::StatusCode;
use serde::{Deserialize, Serialize};
use strata_core::CoreError;
use strata_core::cors::{Config, CorsError, Method, Rule, validate};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Document {
    cors_configuration: Vec<RuleDoc>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RuleDoc {
    allowed_origins: Vec<String>,
    allowed_methods: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allowed_headers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allowed_expose_headers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_age_seconds: Option<u64>,
}

/// Reads a PutBucketCors document into a configuration the core accepts.
pub fn parse_config(body: &[u8]) -> Result<Config, BosError> {
    let doc: Document = super::document::read(body)?;
    let rules = doc
        .cors_configuration
        .into_iter()
        .map(|r| {
            Ok(Rule {
                id: String::new(),
                methods: r
                    .allowed_methods
                    .iter()
                    .map(|m| Method::parse(m).map_err(CoreError::Cors))
                    .collect::<Result<_, _>>()?,
                origins: r.allowed_origins,
                allowed_headers: r.allowed_headers.unwrap_or_default(),
                expose_headers: r.allowed_expose_headers.unwrap_or_default(),
                max_age_seconds: r.max_age_seconds,
            })
        })
        .collect::<Result<Vec<_>, BosError>>()?;
    let config = Config { rules, vary: true };
    validate(&config).map_err(CoreError::Cors)?;
    Ok(config)
}

/// The GetBucketCors document of a configuration.
pub fn render_config(config: &Config) -> serde_json::Value {
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    let rules: Vec<RuleDoc> = config
        .rules
        .iter()
        .map(|r| RuleDoc {
            allowed_origins: r.origins.clone(),
            allowed_methods: r.methods.iter().map(|m| m.as_str().to_owned()).collect(),
            allowed_headers: some(&r.allowed_headers),
            allowed_expose_headers: some(&r.expose_headers),
            max_age_seconds: r.max_age_seconds,
        })
        .collect();
    serde_json::json!({ "corsConfiguration": rules })
}

pub(super) fn get(ctx: &Ctx<'_>) -> BosResult {
    let config = ctx.read(GetCors(ctx.bucket()?))?;
    Ok(json(render_config(&config)))
}

pub(super) async fn put(ctx: &Ctx<'_>, body: Incoming) -> BosResult {
    let bucket = ctx.bucket()?;
    ctx.read(GetBucket(bucket))?;
    let bytes = ctx.read_document(body).await?;
    let config = parse_config(&bytes)?;
    ctx.run(PutCors { bucket, config }).await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> BosResult {
    ctx.run(DeleteCors(ctx.bucket()?)).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// BOS's answers to CORS configurations refused or missing, and to refused preflights.
pub(super) fn error(e: CorsError) -> BosError {
    use StatusCode as S;
    let msg = e.to_string();
    match e {
        CorsError::NoConfiguration => BosError::new(S::NOT_FOUND, "NoSuchCORSConfiguration", msg),
        CorsError::RuleCount(_)
        | CorsError::NoOrigin
        | CorsError::NoMethod
        | CorsError::UnsupportedMethod(_)
        | CorsError::OriginWildcards(_)
        | CorsError::HeaderWildcards(_)
        | CorsError::IdTooLong
        | CorsError::MissingOrigin
        | CorsError::MissingMethod => BosError::invalid_argument(msg),
        CorsError::BucketNotFound | CorsError::NotEnabled { .. } | CorsError::NotAllowed { .. } => {
            BosError::new(S::FORBIDDEN, "AccessDenied", msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> &'static str {
        parse_config(body.as_bytes()).unwrap_err().code
    }

    #[test]
    fn a_configuration_reads_and_writes_back() {
        let body = r#"{"corsConfiguration": [
            {"allowedOrigins": ["http://www.example.com", "www.*.com"],
             "allowedMethods": ["GET", "HEAD", "DELETE"],
             "allowedHeaders": ["Authorization", "x-bce-*"],
             "allowedExposeHeaders": ["user-custom-expose-header"],
             "maxAgeSeconds": 3600},
            {"allowedOrigins": ["*"], "allowedMethods": ["PUT"], "allowedHeaders": null}
        ]}"#;
        let config = parse_config(body.as_bytes()).unwrap();
        assert!(config.vary);
        let r = &config.rules[0];
        assert_eq!(r.origins, ["http://www.example.com", "www.*.com"]);
        assert_eq!(r.methods, [Method::Get, Method::Head, Method::Delete]);
        assert_eq!(r.allowed_headers, ["Authorization", "x-bce-*"]);
        assert_eq!(r.expose_headers, ["user-custom-expose-header"]);
        assert_eq!(r.max_age_seconds, Some(3600));
        assert!(config.rules[1].allowed_headers.is_empty());
        let rendered = render_config(&config);
        // Empty lists and no age are left out, as bce-sdk-go writes them.
        assert_eq!(
            rendered["corsConfiguration"][1],
            serde_json::json!({"allowedOrigins": ["*"], "allowedMethods": ["PUT"]})
        );
        assert_eq!(
            parse_config(rendered.to_string().as_bytes()).unwrap(),
            config
        );
    }

    #[test]
    fn what_bos_refuses() {
        assert_eq!(code("not json"), "MalformedJSON");
        assert_eq!(code(r#"{"rules": []}"#), "MalformedJSON");
        assert_eq!(
            code(r#"{"corsConfiguration": [{"allowedOrigins": ["*"]}]}"#),
            "MalformedJSON"
        );
        assert_eq!(
            code(
                r#"{"corsConfiguration": [{"allowedOrigins": ["*"], "allowedMethods": ["GET"], "other": 1}]}"#
            ),
            "MalformedJSON"
        );
        assert_eq!(code(r#"{"corsConfiguration": []}"#), "InvalidArgument");
        assert_eq!(
            code(
                r#"{"corsConfiguration": [{"allowedOrigins": ["*"], "allowedMethods": ["get"]}]}"#
            ),
            "InvalidArgument"
        );
        assert_eq!(
            code(r#"{"corsConfiguration": [{"allowedOrigins": [], "allowedMethods": ["GET"]}]}"#),
            "InvalidArgument"
        );
        assert_eq!(
            code(
                r#"{"corsConfiguration": [{"allowedOrigins": ["a*b*"], "allowedMethods": ["GET"]}]}"#
            ),
            "InvalidArgument"
        );
    }
}
