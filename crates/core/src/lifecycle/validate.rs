//! What makes a lifecycle configuration valid, for every dialect (S3's rules, which OSS and
//! BOS configurations satisfy once read): 1 to 1000 rules, IDs of at most 255 characters and
//! unique (a missing one is generated), at least one action per rule, days of at least 1,
//! `NewerNoncurrentVersions` of 1 to 100, no `ExpiredObjectDeleteMarker` beside an
//! expiration by days or date, and neither it nor the abort of uploads under a tag filter.

use super::Rule;

/// The most rules one configuration holds.
pub const MAX_RULES: usize = 1000;
/// The longest rule ID, in characters.
pub const MAX_ID_CHARS: usize = 255;
/// The most noncurrent versions a rule may keep.
pub const MAX_NEWER_NONCURRENT: u32 = 100;

/// Why a lifecycle configuration is refused, or is not there. Each dialect maps it once (S3:
/// `InvalidArgument`, or `MalformedXML` for no rule at all; `NoSuchLifecycleConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The bucket has no lifecycle configuration to read.
    #[error("the bucket has no lifecycle configuration")]
    NoConfiguration,
    #[error("a lifecycle configuration has 1 to {MAX_RULES} rules, not {0}")]
    RuleCount(usize),
    #[error("a rule ID is at most {MAX_ID_CHARS} characters")]
    IdTooLong,
    #[error("rule ID {0:?} is used more than once")]
    DuplicateId(String),
    #[error("rule {0:?} has no action")]
    NoAction(String),
    #[error("rule {rule:?}: {what} must be at least 1 day")]
    ZeroDays { rule: String, what: &'static str },
    #[error("rule {0:?}: NewerNoncurrentVersions is 1 to {MAX_NEWER_NONCURRENT}")]
    NewerNoncurrent(String),
    #[error("rule {0:?}: ExpiredObjectDeleteMarker cannot be combined with Days or Date")]
    MarkerWithExpiration(String),
    #[error("rule {rule:?}: {what} is not allowed with a tag filter")]
    WithTags { rule: String, what: &'static str },
}

/// Checks `rules` and gives each rule without an ID a generated one.
pub fn validate(rules: &mut [Rule]) -> Result<(), LifecycleError> {
    if rules.is_empty() || rules.len() > MAX_RULES {
        return Err(LifecycleError::RuleCount(rules.len()));
    }
    // Generated IDs are `rule-N` for the rule's place N, or the next N no rule names.
    let given: std::collections::HashSet<String> = rules
        .iter()
        .filter(|r| !r.id.is_empty())
        .map(|r| r.id.clone())
        .collect();
    let mut next = 0;
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rules.iter_mut().enumerate() {
        if r.id.is_empty() {
            next = next.max(i + 1);
            while given.contains(&format!("rule-{next}")) {
                next += 1;
            }
            r.id = format!("rule-{next}");
            next += 1;
        }
        if r.id.chars().count() > MAX_ID_CHARS {
            return Err(LifecycleError::IdTooLong);
        }
        if !seen.insert(r.id.clone()) {
            return Err(LifecycleError::DuplicateId(r.id.clone()));
        }
        check_rule(r)?;
    }
    Ok(())
}

fn check_rule(r: &Rule) -> Result<(), LifecycleError> {
    let id = || r.id.clone();
    let acts = r.expiration.is_some()
        || r.expired_object_delete_marker
        || r.noncurrent.is_some()
        || r.abort_upload.is_some();
    if !acts {
        return Err(LifecycleError::NoAction(id()));
    }
    let zero = |what| LifecycleError::ZeroDays { rule: id(), what };
    if r.expiration == Some(super::Expiration::Days(0)) {
        return Err(zero("Expiration Days"));
    }
    if let Some(nc) = r.noncurrent {
        if nc.days == 0 {
            return Err(zero("NoncurrentDays"));
        }
        if nc
            .newer_noncurrent_versions
            .is_some_and(|n| n == 0 || n > MAX_NEWER_NONCURRENT)
        {
            return Err(LifecycleError::NewerNoncurrent(id()));
        }
    }
    if r.abort_upload == Some(super::UploadAbort::Days(0)) {
        return Err(zero("DaysAfterInitiation"));
    }
    if r.expired_object_delete_marker && r.expiration.is_some() {
        return Err(LifecycleError::MarkerWithExpiration(id()));
    }
    if !r.filter.tags.is_empty() {
        let what = if r.expired_object_delete_marker {
            Some("ExpiredObjectDeleteMarker")
        } else if r.abort_upload.is_some() {
            Some("AbortIncompleteMultipartUpload")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(LifecycleError::WithTags { rule: id(), what });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{Expiration, Filter, NoncurrentExpiration};

    fn expire(id: &str, days: u32) -> Rule {
        Rule {
            id: id.into(),
            enabled: true,
            expiration: Some(Expiration::Days(days)),
            ..Rule::default()
        }
    }

    #[test]
    fn the_suite_s_validation_cases() {
        assert!(validate(&mut [expire("a", 1), expire("b", 2)]).is_ok());
        assert_eq!(
            validate(&mut [expire(&"x".repeat(256), 1)]),
            Err(LifecycleError::IdTooLong)
        );
        assert!(validate(&mut [expire(&"é".repeat(255), 1)]).is_ok());
        assert_eq!(
            validate(&mut [expire("a", 1), expire("a", 2)]),
            Err(LifecycleError::DuplicateId("a".into()))
        );
        assert!(matches!(
            validate(&mut [expire("a", 0)]),
            Err(LifecycleError::ZeroDays { .. })
        ));
        assert_eq!(validate(&mut []), Err(LifecycleError::RuleCount(0)));
        let many: Vec<Rule> = (0..=MAX_RULES).map(|i| expire(&i.to_string(), 1)).collect();
        assert_eq!(
            validate(&mut many.clone()),
            Err(LifecycleError::RuleCount(1001))
        );
        assert!(validate(&mut many[..MAX_RULES].to_vec()).is_ok());
    }

    #[test]
    fn ids_are_generated_and_combinations_checked() {
        let mut rules = [expire("", 1), expire("", 2)];
        validate(&mut rules).unwrap();
        assert_eq!(
            (rules[0].id.as_str(), rules[1].id.as_str()),
            ("rule-1", "rule-2")
        );
        // A rule named like a generated ID keeps its name; the generated one moves on.
        let mut rules = [expire("rule-2", 1), expire("", 2), expire("rule-3", 3)];
        validate(&mut rules).unwrap();
        assert_eq!(rules[1].id, "rule-4");
        // An empty filter with ExpiredObjectDeleteMarker alone is fine (s3-tests).
        let marker = Rule {
            id: "m".into(),
            expired_object_delete_marker: true,
            ..Rule::default()
        };
        assert!(validate(&mut [marker.clone()]).is_ok());
        let with_days = Rule {
            expiration: Some(Expiration::Days(1)),
            ..marker.clone()
        };
        assert_eq!(
            validate(&mut [with_days]),
            Err(LifecycleError::MarkerWithExpiration("m".into()))
        );
        let tagged = Rule {
            filter: Filter {
                tags: vec![("k".into(), "v".into())],
                ..Filter::default()
            },
            ..marker
        };
        assert!(matches!(
            validate(&mut [tagged]),
            Err(LifecycleError::WithTags { .. })
        ));
        let nothing = Rule {
            id: "n".into(),
            ..Rule::default()
        };
        assert_eq!(
            validate(&mut [nothing]),
            Err(LifecycleError::NoAction("n".into()))
        );
        let keep = |n| Rule {
            id: "k".into(),
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: Some(n),
            }),
            ..Rule::default()
        };
        assert!(validate(&mut [keep(100)]).is_ok());
        for bad in [0, 101] {
            assert_eq!(
                validate(&mut [keep(bad)]),
                Err(LifecycleError::NewerNoncurrent("k".into()))
            );
        }
    }
}
