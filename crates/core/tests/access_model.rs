//! The access decision against a model of its rules: random users, bucket ACLs, Object
//! Ownership, public access blocks, bucket policies, object owners and ACLs, requesters and
//! actions. The model is written from the rules as documented (S3's evaluation order), apart
//! from the implementation: statements are matched here by plain string comparisons over the
//! few shapes generated, not by the compiled policy. Any difference fails, in particular an
//! operation allowed that the model denies.

use proptest::prelude::*;
use strata_core::access::{
    Action, BucketAccess, ConditionKeys, Decision, Grant, Grantee, ObjectAccess, ObjectAcl,
    Permission,
};
use strata_core::meta::{BucketAccessRecord, ObjectOwnership, PublicAccessBlock};

const BUCKET: &str = "bkt";
const OWNER: &str = "u1";
const USERS: [&str; 4] = ["u0", "u1", "u2", "u3"];
/// The administrator acts as every bucket's owner.
const ADMIN: &str = "u0";

const ACTIONS: [Action; 10] = [
    Action::ListBucket,
    Action::ListBucketVersions,
    Action::GetObject,
    Action::GetObjectVersion,
    Action::PutObject,
    Action::DeleteObject,
    Action::GetObjectAcl,
    Action::PutObjectAcl,
    Action::GetBucketAcl,
    Action::GetBucketPolicy,
];

/// Action patterns a generated statement may hold.
const PATTERNS: [&str; 6] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:*",
    "s3:Get*",
];

#[derive(Clone, Debug)]
enum Cond {
    None,
    /// `StringLike s3:prefix a*`
    PrefixA,
    /// `IpAddress aws:SourceIp 10.0.0.0/8`
    TenNet,
}

#[derive(Clone, Debug)]
struct Statement {
    allow: bool,
    /// `None`: `*`; else a user ID.
    principal: Option<&'static str>,
    actions: Vec<&'static str>,
    /// 0: the bucket; 1: `bkt/*`; 2: `bkt/a*`.
    resource: u8,
    cond: Cond,
}

#[derive(Clone, Debug)]
struct Case {
    requester: Option<&'static str>,
    acl: Vec<Grant>,
    ownership: Option<ObjectOwnership>,
    block: Option<PublicAccessBlock>,
    policy: Vec<Statement>,
    object: ObjectAccess,
    action: Action,
    key: &'static str,
    prefix: Option<&'static str>,
    ten_net: bool,
}

fn grantee() -> impl Strategy<Value = Grantee> {
    prop_oneof![
        proptest::sample::select(&USERS[..]).prop_map(|u| Grantee::User(u.to_owned())),
        Just(Grantee::AllUsers),
        Just(Grantee::AuthenticatedUsers),
    ]
}

fn permission() -> impl Strategy<Value = Permission> {
    proptest::sample::select(vec![
        Permission::Read,
        Permission::Write,
        Permission::ReadAcp,
        Permission::WriteAcp,
        Permission::FullControl,
    ])
}

fn grants() -> impl Strategy<Value = Vec<Grant>> {
    proptest::collection::vec(
        (grantee(), permission()).prop_map(|(g, p)| Grant::new(g, p)),
        0..3,
    )
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        any::<bool>(),
        proptest::option::of(proptest::sample::select(&USERS[..])),
        proptest::sample::subsequence(&PATTERNS[..], 1..3),
        0u8..3,
        prop_oneof![Just(Cond::None), Just(Cond::PrefixA), Just(Cond::TenNet)],
    )
        .prop_map(|(allow, principal, actions, resource, cond)| Statement {
            allow,
            principal,
            actions,
            resource,
            cond,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            proptest::option::of(proptest::sample::select(&USERS[..])),
            grants(),
            proptest::option::of(proptest::sample::select(vec![
                ObjectOwnership::BucketOwnerEnforced,
                ObjectOwnership::ObjectWriter,
            ])),
            proptest::option::of(any::<[bool; 4]>().prop_map(|b| PublicAccessBlock {
                block_public_acls: b[0],
                ignore_public_acls: b[1],
                block_public_policy: b[2],
                restrict_public_buckets: b[3],
            })),
            proptest::collection::vec(statement(), 0..4),
        ),
        (
            proptest::option::of(proptest::sample::select(&USERS[..])),
            prop_oneof![
                Just(ObjectAcl::Private),
                Just(ObjectAcl::Inherit),
                grants().prop_map(ObjectAcl::Grants),
            ],
            proptest::sample::select(&ACTIONS[..]),
            proptest::sample::select(vec!["a1", "b1"]),
            proptest::option::of(proptest::sample::select(vec!["a", "b"])),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (requester, acl, ownership, block, policy),
                (owner, object_acl, action, key, prefix, ten_net),
            )| Case {
                requester,
                acl,
                ownership,
                block,
                policy,
                object: ObjectAccess {
                    owner: owner.map(str::to_owned),
                    acl: object_acl,
                },
                action,
                key,
                prefix,
                ten_net,
            },
        )
}

/// The policy document a case's statements are.
fn policy_text(statements: &[Statement]) -> String {
    let statements: Vec<serde_json::Value> = statements
        .iter()
        .map(|s| {
            let principal = match s.principal {
                None => serde_json::json!("*"),
                Some(id) => serde_json::json!({"AWS": format!("arn:aws:iam::{id}:root")}),
            };
            let resource = match s.resource {
                0 => "arn:aws:s3:::bkt",
                1 => "arn:aws:s3:::bkt/*",
                _ => "arn:aws:s3:::bkt/a*",
            };
            let mut st = serde_json::json!({
                "Effect": if s.allow { "Allow" } else { "Deny" },
                "Principal": principal,
                "Action": s.actions,
                "Resource": resource,
            });
            match s.cond {
                Cond::None => {}
                Cond::PrefixA => {
                    st["Condition"] = serde_json::json!({"StringLike": {"s3:prefix": "a*"}})
                }
                Cond::TenNet => {
                    st["Condition"] =
                        serde_json::json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
                }
            }
            st
        })
        .collect();
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

struct Keys<'a>(&'a Case);

impl ConditionKeys for Keys<'_> {
    fn values(&self, key: &str) -> Vec<String> {
        match key {
            "s3:prefix" => self
                .0
                .prefix
                .map(|p| vec![p.to_owned()])
                .unwrap_or_default(),
            "aws:sourceip" => {
                let ip = if self.0.ten_net {
                    "10.1.2.3"
                } else {
                    "192.168.1.1"
                };
                vec![ip.to_owned()]
            }
            _ => Vec::new(),
        }
    }
}

// ---- the model ------------------------------------------------------------------------------

fn on_object(action: Action) -> bool {
    !matches!(
        action,
        Action::ListBucket
            | Action::ListBucketVersions
            | Action::GetBucketAcl
            | Action::GetBucketPolicy
    )
}

fn model_statement_matches(s: &Statement, c: &Case) -> bool {
    let principal = match s.principal {
        None => true,
        Some(id) => c.requester == Some(id),
    };
    let name = format!("s3:{}", c.action.s3_name());
    let action = s.actions.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => *p == name,
    });
    let resource = match (s.resource, on_object(c.action)) {
        (0, false) => true,
        (1, true) => true,
        (2, true) => c.key.starts_with('a'),
        _ => false,
    };
    let cond = match s.cond {
        Cond::None => true,
        Cond::PrefixA => c.prefix.is_some_and(|p| p.starts_with('a')),
        Cond::TenNet => c.ten_net,
    };
    principal && action && resource && cond
}

fn model_grants(grants: &[Grant], c: &Case, needed: Permission, ignore_public: bool) -> bool {
    grants.iter().any(|g| {
        let who = match &g.grantee {
            Grantee::User(id) => c.requester == Some(id.as_str()),
            Grantee::AllUsers => !ignore_public,
            Grantee::AuthenticatedUsers => !ignore_public && c.requester.is_some(),
            Grantee::LogDelivery => false,
        };
        who && (g.permission == needed || g.permission == Permission::FullControl)
    })
}

fn model(c: &Case) -> bool {
    let owner = c.requester == Some(OWNER) || c.requester == Some(ADMIN);
    if owner && c.action == Action::GetBucketPolicy {
        return true;
    }
    if c.policy
        .iter()
        .any(|s| !s.allow && model_statement_matches(s, c))
    {
        return false;
    }
    if owner {
        return true;
    }
    let block = c.block.unwrap_or_default();
    // Public: an Allow to everyone not pinned to an address range.
    let public_policy = c
        .policy
        .iter()
        .any(|s| s.allow && s.principal.is_none() && !matches!(s.cond, Cond::TenNet));
    let allowed = c
        .policy
        .iter()
        .any(|s| s.allow && model_statement_matches(s, c));
    if allowed && !(block.restrict_public_buckets && public_policy) {
        return true;
    }
    if c.ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
        return false;
    }
    let ignore = block.ignore_public_acls;
    match c.action {
        Action::ListBucket | Action::ListBucketVersions => {
            model_grants(&c.acl, c, Permission::Read, ignore)
        }
        Action::PutObject | Action::DeleteObject => {
            model_grants(&c.acl, c, Permission::Write, ignore)
        }
        Action::GetBucketAcl => model_grants(&c.acl, c, Permission::ReadAcp, ignore),
        Action::GetObject
        | Action::GetObjectVersion
        | Action::GetObjectAcl
        | Action::PutObjectAcl => {
            if c.object.owner.is_some() && c.object.owner.as_deref() == c.requester {
                return true;
            }
            let needed = match c.action {
                Action::GetObjectAcl => Permission::ReadAcp,
                Action::PutObjectAcl => Permission::WriteAcp,
                _ => Permission::Read,
            };
            // Private is the object owner's full control alone (the bucket's owner's when the
            // object records none).
            let object_owner = c.object.owner.as_deref().unwrap_or(OWNER);
            let private = [Grant::new(
                Grantee::User(object_owner.to_owned()),
                Permission::FullControl,
            )];
            let grants: &[Grant] = match &c.object.acl {
                ObjectAcl::Private => &private,
                ObjectAcl::Inherit => &c.acl,
                ObjectAcl::Grants(g) => g,
            };
            model_grants(grants, c, needed, ignore)
        }
        _ => false,
    }
}

// ---- the implementation ---------------------------------------------------------------------

fn implementation(c: &Case) -> bool {
    let record = BucketAccessRecord {
        acl: c.acl.clone(),
        public_access_block: c.block,
        ownership: c.ownership,
        policy: (!c.policy.is_empty()).then(|| policy_text(&c.policy)),
        bos_acl: None,
    };
    let access = BucketAccess::compile(BUCKET, OWNER.to_owned(), &record);
    assert_eq!(
        access.policy.is_some(),
        !c.policy.is_empty(),
        "the generated policy must compile: {:?}",
        record.policy
    );
    let who = strata_core::access::Requester {
        id: c.requester,
        admin: c.requester == Some(ADMIN),
    };
    let key = on_object(c.action).then_some(c.key);
    match access.decide(BUCKET, who, c.action, key, &Keys(c)) {
        Decision::Allow => true,
        Decision::Deny(_) => false,
        Decision::ObjectAcl(needed) => access.object_allows(who, needed, &c.object),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn the_decision_is_the_models(c in case()) {
        prop_assert_eq!(implementation(&c), model(&c), "{:#?}", c);
    }
}

#[test]
fn a_deny_binds_the_owner_but_not_for_the_policy_itself() {
    let deny_all = Statement {
        allow: false,
        principal: None,
        actions: vec!["s3:*"],
        resource: 0,
        cond: Cond::None,
    };
    let mut c = Case {
        requester: Some(OWNER),
        acl: vec![],
        ownership: None,
        block: None,
        policy: vec![deny_all],
        object: ObjectAccess::default(),
        action: Action::ListBucket,
        key: "a1",
        prefix: None,
        ten_net: false,
    };
    assert!(!implementation(&c) && !model(&c));
    c.action = Action::GetBucketPolicy;
    assert!(implementation(&c) && model(&c));
    c.requester = Some("u2");
    assert!(!implementation(&c));
}
