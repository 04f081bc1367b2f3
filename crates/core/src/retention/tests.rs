use super::*;
use crate::access::ObjectAccess;
use crate::meta::{ObjectData, ObjectMeta};

const DAY: i64 = DAY_MS;

fn object(last_modified_ms: i64, lock: ObjectLock) -> VersionRecord {
    VersionRecord {
        seq: 1,
        id: VersionId::Null,
        last_modified_ms,
        kind: EntryKind::Object(ObjectData {
            size: 0,
            etag: String::new(),
            crc64: 0,
            crc32: 0,
            parts: 0,
            meta: ObjectMeta::default(),
            segments: Vec::new(),
            access: ObjectAccess::default(),
            lock,
            checksum: None,
            appendable: false,
            tags: Default::default(),
        }),
    }
}

fn guard(retention: BucketRetention, now_ms: i64, bypass: bool) -> Guard {
    Guard {
        versioning: Versioning::Enabled,
        retention,
        now_ms,
        bypass_governance: bypass,
    }
}

fn retained(mode: LockMode, until_ms: i64) -> ObjectLock {
    ObjectLock {
        retention: Some(Retention { mode, until_ms }),
        legal_hold: false,
    }
}

#[test]
fn retention_protects_until_its_date_and_governance_yields_to_the_bypass() {
    let lock = BucketRetention {
        object_lock: Some(LockConfig::default()),
        worm: None,
    };
    let gov = object(0, retained(LockMode::Governance, 10 * DAY));
    let comp = object(0, retained(LockMode::Compliance, 10 * DAY));
    for rec in [&gov, &comp] {
        assert!(guard(lock.clone(), DAY, false).may_remove(rec).is_err());
        assert!(guard(lock.clone(), 10 * DAY, false).may_remove(rec).is_ok());
    }
    assert!(guard(lock.clone(), DAY, true).may_remove(&gov).is_ok());
    assert!(guard(lock.clone(), DAY, true).may_remove(&comp).is_err());
    // A legal hold protects whatever the dates and the bypass.
    let held = object(
        0,
        ObjectLock {
            retention: None,
            legal_hold: true,
        },
    );
    assert_eq!(
        guard(lock.clone(), 100 * DAY, true).protection(&held),
        Some(Protection::LegalHold)
    );
    // Delete markers are never protected.
    let marker = VersionRecord {
        kind: EntryKind::DeleteMarker,
        ..held
    };
    assert!(guard(lock, 0, false).may_remove(&marker).is_ok());
}

#[test]
fn a_worm_rule_protects_each_version_from_its_time_while_in_force() {
    let worm = |state| BucketRetention {
        object_lock: None,
        worm: Some(Worm {
            id: "w".into(),
            state,
            days: 3,
            created_ms: 5 * DAY,
        }),
    };
    // Written on day 1 (before the rule): protected until day 4.
    let rec = object(DAY, ObjectLock::default());
    let locked = worm(WormState::Locked);
    assert_eq!(
        guard(locked.clone(), 2 * DAY, false).protection(&rec),
        Some(Protection::Worm { until_ms: 4 * DAY })
    );
    assert!(
        guard(locked.clone(), 4 * DAY, true)
            .may_remove(&rec)
            .is_ok()
    );
    // The bypass does not lift a WORM rule.
    let fresh = object(5 * DAY, ObjectLock::default());
    assert!(guard(locked, 6 * DAY, true).may_remove(&fresh).is_err());
    // In progress it protects; once lapsed (24 hours uncompleted) it does not.
    let pending = worm(WormState::InProgress);
    assert!(
        guard(pending.clone(), 5 * DAY + 1, false)
            .may_remove(&fresh)
            .is_err()
    );
    assert!(guard(pending, 6 * DAY, false).may_remove(&fresh).is_ok());
}

#[test]
fn new_versions_get_the_default_retention_unless_they_ask_for_their_own() {
    let with_default = BucketRetention {
        object_lock: Some(LockConfig {
            default: Some(DefaultRetention {
                mode: LockMode::Governance,
                period: Period::Days(2),
            }),
        }),
        worm: None,
    };
    let g = guard(with_default, DAY, false);
    assert_eq!(
        g.lock_for(ObjectLock::default()),
        Ok(retained(LockMode::Governance, 3 * DAY))
    );
    let own = retained(LockMode::Compliance, 9 * DAY);
    assert_eq!(g.lock_for(own), Ok(own));
    assert_eq!(
        g.lock_for(retained(LockMode::Compliance, DAY)),
        Err(RetentionError::DateInPast)
    );
    // Without Object Lock, asking for a lock is refused; asking for none is fine.
    let plain = guard(BucketRetention::default(), DAY, false);
    assert_eq!(plain.lock_for(own), Err(RetentionError::NotEnabled));
    assert_eq!(
        plain.lock_for(ObjectLock::default()),
        Ok(ObjectLock::default())
    );
    assert_eq!(Period::Years(1).end(0), 365 * DAY);
}
