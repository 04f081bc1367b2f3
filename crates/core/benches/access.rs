//! The access decision's cost per request: a bucket without a policy, and one with the
//! 20-statement policy of `scripts/bench-policy` (17 partner statements with source-address,
//! referer and date conditions, two Denies, and the Allow that grants a reader), for the
//! owner, for the reader the policy grants, and for an anonymous requester it refuses.
//!
//! Run: `cargo bench -p strata-core --bench access`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use strata_core::access::{Action, BucketAccess, ConditionKeys, Decision, Requester};
use strata_core::meta::BucketAccessRecord;

/// What a request gives the condition keys, allocated per lookup as the server's are.
struct Keys;

impl ConditionKeys for Keys {
    fn values(&self, key: &str) -> Vec<String> {
        match key {
            "aws:sourceip" => vec!["127.0.0.1".to_owned()],
            "aws:securetransport" => vec!["false".to_owned()],
            "aws:useragent" => vec!["strata-bench".to_owned()],
            _ => Vec::new(),
        }
    }
}

fn policy() -> String {
    let arn = "arn:aws:s3:::policed";
    let mut statements = Vec::new();
    for i in 0..17 {
        statements.push(format!(
            r#"{{"Sid":"partner{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::partner{i:04}:root"}},
            "Action":["s3:GetObject","s3:ListBucket"],"Resource":["{arn}","{arn}/partners/{i}/*"],
            "Condition":{{"IpAddress":{{"aws:SourceIp":["10.{i}.0.0/16","192.168.0.0/24"]}},
            "StringLike":{{"aws:Referer":"https://partner{i}.example.com/*"}},
            "DateLessThan":{{"aws:CurrentTime":"2099-01-01T00:00:00Z"}}}}}}"#
        ));
    }
    statements.push(format!(
        r#"{{"Sid":"noSecrets","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{arn}/secret/*"}}"#
    ));
    statements.push(format!(
        r#"{{"Sid":"noTls","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"{arn}/tls-only/*","Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
    ));
    statements.push(format!(
        r#"{{"Sid":"reader","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::benchreader:root"}},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":["{arn}","{arn}/*"]}}"#
    ));
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let plain = BucketAccess::compile("policed", "owner".into(), &BucketAccessRecord::default());
    let record = BucketAccessRecord {
        policy: Some(policy()),
        ..Default::default()
    };
    let policed = BucketAccess::compile("policed", "owner".into(), &record);
    assert_eq!(policed.policy.as_ref().map(|p| p.statements()), Some(20));
    let owner = Requester {
        id: Some("owner"),
        admin: false,
    };
    let reader = Requester {
        id: Some("benchreader"),
        admin: false,
    };
    let key = Some("strata-bench/k00042");
    let mut g = c.benchmark_group("decide GetObject");
    g.bench_function("owner, no policy", |b| {
        b.iter(|| {
            let d = plain.decide("policed", owner, Action::GetObject, black_box(key), &Keys);
            assert_eq!(d, Decision::Allow);
        })
    });
    g.bench_function("owner, 20-statement policy", |b| {
        b.iter(|| {
            let d = policed.decide("policed", owner, Action::GetObject, black_box(key), &Keys);
            assert_eq!(d, Decision::Allow);
        })
    });
    g.bench_function("reader granted by the policy", |b| {
        b.iter(|| {
            let d = policed.decide("policed", reader, Action::GetObject, black_box(key), &Keys);
            assert_eq!(d, Decision::Allow);
        })
    });
    g.bench_function("anonymous, refused", |b| {
        b.iter(|| {
            let d = policed.decide(
                "policed",
                Requester::ANONYMOUS,
                Action::GetObject,
                black_box(key),
                &Keys,
            );
            assert!(matches!(d, Decision::ObjectAcl(_)));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
