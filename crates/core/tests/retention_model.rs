//! Retention's property test: random sequences of writes, deletes (single, by version, many,
//! with and without the governance bypass), copies, multipart completions, versioning
//! changes, retention and legal-hold changes, WORM rule steps and wall-clock moves (forwards
//! and backwards) run against the store and against a small model with its own statement of
//! the rule. Every refusal and every result must agree, the store's versions must equal the
//! model's after every step, and no version that was protected before a step is missing after
//! it.

mod common;
use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use strata_core::retention::{
    DefaultRetention, LockChange, LockConfig, LockMode, ObjectLock, Period, Retention,
    RetentionError,
};
use strata_core::*;

const BUCKET: &str = "retained";
const KEYS: &[&str] = &["a", "b", "c"];
const DAY: i64 = 86_400_000;
const START: i64 = 20_000 * DAY;

#[derive(Clone, Copy, Debug)]
enum Ask {
    None,
    Governance(i64),
    Compliance(i64),
    Hold,
}

#[derive(Clone, Copy, Debug)]
enum WormOp {
    Initiate(u32),
    Complete,
    Extend(u32),
    Abort,
}

#[derive(Clone, Debug)]
enum Op {
    Put(usize, Ask),
    Delete(usize),
    DeleteVersion(usize, usize, bool),
    DeleteMany(Vec<(usize, Option<usize>)>, bool),
    Copy(usize, usize),
    Multipart(usize),
    SetVersioning(bool),
    SetRetention(usize, usize, LockMode, i64, bool),
    SetHold(usize, usize, bool),
    Worm(WormOp),
    /// Moves the wall clock by this much (backwards too).
    Clock(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0..KEYS.len();
    let span = 1..(3 * DAY);
    let ask = prop_oneof![
        Just(Ask::None),
        span.clone().prop_map(Ask::Governance),
        span.clone().prop_map(Ask::Compliance),
        Just(Ask::Hold),
    ];
    let mode = prop_oneof![Just(LockMode::Governance), Just(LockMode::Compliance)];
    let worm = prop_oneof![
        (1..3u32).prop_map(WormOp::Initiate),
        Just(WormOp::Complete),
        (1..4u32).prop_map(WormOp::Extend),
        Just(WormOp::Abort),
    ];
    prop_oneof![
        5 => (key.clone(), ask).prop_map(|(k, a)| Op::Put(k, a)),
        3 => key.clone().prop_map(Op::Delete),
        4 => (key.clone(), 0..6usize, any::<bool>()).prop_map(|(k, p, b)| Op::DeleteVersion(k, p, b)),
        2 => (prop::collection::vec((key.clone(), prop::option::of(0..6usize)), 0..5), any::<bool>())
            .prop_map(|(e, b)| Op::DeleteMany(e, b)),
        1 => (key.clone(), key.clone()).prop_map(|(s, d)| Op::Copy(s, d)),
        1 => key.clone().prop_map(Op::Multipart),
        1 => any::<bool>().prop_map(Op::SetVersioning),
        2 => (key.clone(), 0..6usize, mode, -DAY..(4 * DAY), any::<bool>())
            .prop_map(|(k, p, m, d, b)| Op::SetRetention(k, p, m, d, b)),
        1 => (key.clone(), 0..6usize, any::<bool>()).prop_map(|(k, p, on)| Op::SetHold(k, p, on)),
        2 => worm.prop_map(Op::Worm),
        3 => (-2 * DAY..(2 * DAY)).prop_map(Op::Clock),
    ]
}

#[derive(Clone, Debug)]
struct Entry {
    id: VersionId,
    marker: bool,
    last_modified: i64,
    lock: ObjectLock,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum WormModel {
    InProgress { days: u32, created: i64 },
    Locked { days: u32 },
}

struct Model {
    object_lock: bool,
    default_days: Option<i64>,
    /// None: unversioned; Some(true): Enabled; Some(false): Suspended.
    versioning: Option<bool>,
    worm: Option<WormModel>,
    wall: i64,
    latest: i64,
    keys: BTreeMap<&'static str, Vec<Entry>>,
    seen: BTreeMap<&'static str, Vec<VersionId>>,
}

impl Model {
    fn now(&self) -> i64 {
        self.latest.max(self.wall)
    }

    /// The WORM rule's days while it is in force.
    fn worm_days(&self) -> Option<u32> {
        match self.worm? {
            WormModel::Locked { days } => Some(days),
            WormModel::InProgress { days, created } if self.now() < created + DAY => Some(days),
            WormModel::InProgress { .. } => None,
        }
    }

    /// The rule, stated independently of the store's: a delete marker is never protected; a
    /// legal hold always; a retention until its date (governance not with the bypass); a WORM
    /// rule in force for its days from the version's time.
    fn protected(&self, e: &Entry, bypass: bool) -> bool {
        let now = self.now();
        if e.marker {
            return false;
        }
        let retained = e
            .lock
            .retention
            .is_some_and(|r| r.until_ms > now && (r.mode == LockMode::Compliance || !bypass));
        let wormed = self
            .worm_days()
            .is_some_and(|d| e.last_modified + i64::from(d) * DAY > now);
        e.lock.legal_hold || retained || wormed
    }

    fn pick(&self, key: &'static str, i: usize) -> VersionId {
        match self.seen.get(key) {
            Some(ids) if !ids.is_empty() => ids[i % ids.len()],
            _ => VersionId::Null,
        }
    }

    /// The entry a write to `key` removes (the version named, or the null one unless
    /// versioning is Enabled).
    fn doomed(&self, key: &'static str, version: Option<VersionId>) -> Option<&Entry> {
        let es = self.keys.get(key)?;
        match version {
            Some(v) => es.iter().find(|e| e.id == v),
            None if self.versioning == Some(true) => None,
            None => es.iter().find(|e| e.id.is_null()),
        }
    }

    fn refuses(&self, key: &'static str, version: Option<VersionId>, bypass: bool) -> bool {
        self.doomed(key, version)
            .is_some_and(|e| self.protected(e, bypass))
    }

    fn publish(&mut self, key: &'static str, id: VersionId, marker: bool, lock: ObjectLock) {
        let es = self.keys.entry(key).or_default();
        if self.versioning != Some(true) {
            assert!(id.is_null(), "{id}");
            es.retain(|e| !e.id.is_null());
        }
        es.insert(
            0,
            Entry {
                id,
                marker,
                last_modified: self.latest.max(self.wall),
                lock,
            },
        );
        self.seen.entry(key).or_default().push(id);
    }

    fn delete(&mut self, key: &'static str, version: Option<VersionId>, out: &DeleteOutcome) {
        match (version, out) {
            (None, DeleteOutcome::MarkerCreated(id)) => {
                self.publish(key, *id, true, ObjectLock::default())
            }
            (None, DeleteOutcome::Removed { .. }) => {
                assert_eq!(self.versioning, None);
                if let Some(es) = self.keys.get_mut(key) {
                    es.retain(|e| !e.id.is_null());
                }
            }
            (Some(v), DeleteOutcome::VersionRemoved { existed, .. }) => {
                let es = self.keys.entry(key).or_default();
                assert_eq!(*existed, es.iter().any(|e| e.id == v));
                es.retain(|e| e.id != v);
            }
            (v, o) => panic!("delete {key} {v:?} gave {o:?}"),
        }
    }

    /// The lock a new version gets.
    fn lock_for(&self, ask: Ask) -> Result<ObjectLock, String> {
        let now = self.now();
        let retention = |mode, d| {
            Some(Retention {
                mode,
                until_ms: now + d,
            })
        };
        if !self.object_lock {
            return match ask {
                Ask::None => Ok(ObjectLock::default()),
                _ => Err("NotEnabled".into()),
            };
        }
        Ok(match ask {
            Ask::None => ObjectLock {
                retention: self
                    .default_days
                    .and_then(|d| retention(LockMode::Governance, d * DAY)),
                legal_hold: false,
            },
            Ask::Governance(d) => ObjectLock {
                retention: retention(LockMode::Governance, d),
                legal_hold: false,
            },
            Ask::Compliance(d) => ObjectLock {
                retention: retention(LockMode::Compliance, d),
                legal_hold: false,
            },
            Ask::Hold => ObjectLock {
                retention: self
                    .default_days
                    .and_then(|d| retention(LockMode::Governance, d * DAY)),
                legal_hold: true,
            },
        })
    }
}

fn describe(e: &CoreError) -> String {
    match e {
        CoreError::Retention(RetentionError::Protected(_)) => "Protected".into(),
        CoreError::Retention(r) => format!("{r:?}")
            .split(['(', ' ', '{'])
            .next()
            .unwrap()
            .to_owned(),
        CoreError::NoSuchKey { .. } => "NoSuchKey".into(),
        CoreError::NoSuchVersion => "NoSuchVersion".into(),
        CoreError::MethodNotAllowed { .. } => "MethodNotAllowed".into(),
        other => panic!("unexpected error {other:?}"),
    }
}

fn ask_lock(ask: Ask, now: i64) -> ObjectLock {
    let r = |mode, d| {
        Some(Retention {
            mode,
            until_ms: now + d,
        })
    };
    match ask {
        Ask::None => ObjectLock::default(),
        Ask::Governance(d) => ObjectLock {
            retention: r(LockMode::Governance, d),
            legal_hold: false,
        },
        Ask::Compliance(d) => ObjectLock {
            retention: r(LockMode::Compliance, d),
            legal_hold: false,
        },
        Ask::Hold => ObjectLock {
            retention: None,
            legal_hold: true,
        },
    }
}

/// Checks a result against the model's expectation: `Ok(())` for success, else the error's
/// name. Returns whether it succeeded.
fn agree<T: std::fmt::Debug>(what: &str, got: &Result<T>, want: Result<(), String>) -> bool {
    match (got, want) {
        (Ok(_), Ok(())) => true,
        (Err(e), Err(w)) => {
            assert_eq!(describe(e), w, "{what}");
            false
        }
        (g, w) => panic!("{what}: store {g:?}, model {w:?}"),
    }
}

async fn run(object_lock: bool, default_days: Option<i64>, ops: Vec<Op>) {
    let dir = common::tempdir();
    let wall = Arc::new(AtomicI64::new(START));
    let s = open_with_clock(dir.path(), &wall).await;
    s.create_bucket_with(BUCKET, "", Default::default(), object_lock)
        .await
        .unwrap();
    let default_days = default_days.filter(|_| object_lock);
    if let Some(d) = default_days {
        let default = DefaultRetention {
            mode: LockMode::Governance,
            period: Period::Days(d as u32),
        };
        s.put_object_lock_configuration(
            BUCKET,
            LockConfig {
                default: Some(default),
            },
        )
        .await
        .unwrap();
    }
    let mut m = Model {
        object_lock,
        default_days,
        versioning: object_lock.then_some(true),
        worm: None,
        wall: START,
        latest: START,
        keys: BTreeMap::new(),
        seen: BTreeMap::new(),
    };
    for op in ops {
        // What is protected now must still be there after the step.
        let before: Vec<(&str, VersionId)> = m
            .keys
            .iter()
            .flat_map(|(k, es)| {
                es.iter()
                    .filter(|e| m.protected(e, true))
                    .map(move |e| (*k, e.id))
            })
            .collect();
        let now = m.now();
        match op.clone() {
            Op::Put(k, ask) => {
                let key = KEYS[k];
                let want = match m.lock_for(ask) {
                    Err(e) => Err(e),
                    Ok(_) if m.refuses(key, None, false) => Err("Protected".into()),
                    Ok(_) => Ok(()),
                };
                let new = NewObject {
                    lock: ask_lock(ask, now),
                    ..Default::default()
                };
                let got = s
                    .put_object_if(
                        BUCKET,
                        key,
                        new,
                        Expect::default(),
                        Precondition::default(),
                        body(b"x"),
                    )
                    .await;
                if agree("put", &got, want) {
                    let lock = m.lock_for(ask).unwrap();
                    m.publish(key, got.unwrap().version_id, false, lock);
                }
            }
            Op::Delete(k) => {
                let key = KEYS[k];
                let want = if m.refuses(key, None, false) {
                    Err("Protected".into())
                } else {
                    Ok(())
                };
                let got = s.delete_object(BUCKET, key, None).await;
                if agree("delete", &got, want) {
                    m.delete(key, None, &got.unwrap());
                }
            }
            Op::DeleteVersion(k, p, bypass) => {
                let (key, v) = (KEYS[k], m.pick(KEYS[k], p));
                let want = if m.refuses(key, Some(v), bypass) {
                    Err("Protected".into())
                } else {
                    Ok(())
                };
                let got = s
                    .delete_object_if(BUCKET, key, Some(v), Precondition::default(), bypass)
                    .await;
                if agree("delete version", &got, want) {
                    m.delete(key, Some(v), &got.unwrap());
                }
            }
            Op::DeleteMany(entries, bypass) => {
                let entries: Vec<(DeleteEntry, Precondition)> = entries
                    .iter()
                    .map(|(k, p)| {
                        let e = DeleteEntry {
                            key: KEYS[*k].to_owned(),
                            version_id: p.map(|p| m.pick(KEYS[*k], p).to_string()),
                        };
                        (e, Precondition::default())
                    })
                    .collect();
                let rules = BatchRules {
                    bypass_governance: bypass,
                    refuse_whole: false,
                };
                let results = s.delete_objects_if(BUCKET, entries, rules).await.unwrap();
                for (entry, out) in results {
                    let key = KEYS.iter().find(|k| **k == entry.key).unwrap();
                    let v = entry.version_id.map(|v| VersionId::parse(&v).unwrap());
                    match out {
                        Err(EntryError::Protected(_)) => {
                            assert!(m.refuses(key, v, bypass), "{key} {v:?} refused")
                        }
                        Ok(out) => {
                            assert!(!m.refuses(key, v, bypass), "{key} {v:?} deleted");
                            m.delete(key, v, &out);
                        }
                        Err(e) => panic!("entry {key}: {e:?}"),
                    }
                }
            }
            Op::Copy(src, dst) => {
                let (src, dst) = (KEYS[src], KEYS[dst]);
                let exists = m
                    .keys
                    .get(src)
                    .and_then(|es| es.first())
                    .is_some_and(|e| !e.marker);
                let want = if !exists {
                    Err("NoSuchKey".into())
                } else if m.refuses(dst, None, false) {
                    Err("Protected".into())
                } else {
                    Ok(())
                };
                let got = s
                    .copy_object(
                        BUCKET,
                        src,
                        None,
                        Precondition::default(),
                        BUCKET,
                        dst,
                        MetadataDirective::Copy,
                        Default::default(),
                        ObjectLock::default(),
                        None,
                    )
                    .await;
                if agree("copy", &got, want) {
                    let lock = m.lock_for(Ask::None).unwrap();
                    m.publish(dst, got.unwrap().0.version_id, false, lock);
                }
            }
            Op::Multipart(k) => {
                let key = KEYS[k];
                let upload = s
                    .create_multipart_upload(BUCKET, key, ObjectMeta::default())
                    .await
                    .unwrap();
                let part = s
                    .upload_part(BUCKET, key, &upload, 1, Expect::default(), body(b"part"))
                    .await
                    .unwrap();
                let want = if m.refuses(key, None, false) {
                    Err("Protected".into())
                } else {
                    Ok(())
                };
                let got = s
                    .complete_multipart_upload(
                        BUCKET,
                        key,
                        &upload,
                        vec![(1, part.etag)],
                        0,
                        Expect::default(),
                        Precondition::default(),
                    )
                    .await;
                if agree("complete", &got, want) {
                    let lock = m.lock_for(Ask::None).unwrap();
                    m.publish(key, got.unwrap().1.version_id, false, lock);
                } else {
                    s.abort_multipart_upload(BUCKET, key, &upload)
                        .await
                        .unwrap();
                }
            }
            Op::SetVersioning(enable) => {
                let pinned = m.object_lock || m.worm_days().is_some();
                let want = if !enable && pinned {
                    Err("InvalidBucketState".into())
                } else {
                    Ok(())
                };
                let status = if enable {
                    VersioningStatus::Enabled
                } else {
                    VersioningStatus::Suspended
                };
                let got = s.set_versioning(BUCKET, status).await;
                if agree("versioning", &got, want) {
                    m.versioning = Some(enable);
                }
            }
            Op::SetRetention(k, p, mode, offset, bypass) => {
                let (key, v) = (KEYS[k], m.pick(KEYS[k], p));
                let new = Retention {
                    mode,
                    until_ms: now + offset,
                };
                let target = m.keys.get(key).and_then(|es| es.iter().find(|e| e.id == v));
                let want = match target {
                    _ if !m.object_lock => Err("NotEnabled".to_owned()),
                    None => Err("NoSuchVersion".into()),
                    Some(e) if e.marker => Err("MethodNotAllowed".into()),
                    Some(_) if new.until_ms <= now => Err("DateInPast".into()),
                    Some(e) => match e.lock.retention.filter(|r| r.until_ms > now) {
                        Some(cur) if cur.mode == mode && new.until_ms >= cur.until_ms => Ok(()),
                        Some(cur) if cur.mode == LockMode::Compliance || !bypass => {
                            Err("ChangeDenied".into())
                        }
                        _ => Ok(()),
                    },
                };
                let change = LockChange::Retention {
                    retention: Some(new),
                    bypass,
                };
                let got = s.set_object_lock(BUCKET, key, Some(v), change).await;
                if agree("retention", &got, want) {
                    let es = m.keys.get_mut(key).unwrap();
                    es.iter_mut().find(|e| e.id == v).unwrap().lock.retention = Some(new);
                }
            }
            Op::SetHold(k, p, on) => {
                let (key, v) = (KEYS[k], m.pick(KEYS[k], p));
                let target = m.keys.get(key).and_then(|es| es.iter().find(|e| e.id == v));
                let want = match target {
                    _ if !m.object_lock => Err("NotEnabled".to_owned()),
                    None => Err("NoSuchVersion".into()),
                    Some(e) if e.marker => Err("MethodNotAllowed".into()),
                    Some(_) => Ok(()),
                };
                let got = s
                    .set_object_lock(BUCKET, key, Some(v), LockChange::LegalHold(on))
                    .await;
                if agree("legal hold", &got, want) {
                    let es = m.keys.get_mut(key).unwrap();
                    es.iter_mut().find(|e| e.id == v).unwrap().lock.legal_hold = on;
                }
            }
            Op::Worm(w) => {
                let in_force = m.worm_days().is_some();
                match w {
                    WormOp::Initiate(days) => {
                        let want = if in_force {
                            Err("WormExists".to_owned())
                        } else if m.versioning == Some(false) {
                            Err("InvalidBucketState".into())
                        } else {
                            Ok(())
                        };
                        let got = s.initiate_worm(BUCKET, days).await;
                        if agree("initiate", &got, want) {
                            m.worm = Some(WormModel::InProgress { days, created: now });
                        }
                    }
                    WormOp::Complete => {
                        let want = match m.worm {
                            None => Err("NoWorm".to_owned()),
                            Some(WormModel::Locked { .. }) => Err("WormAlreadyLocked".into()),
                            Some(_) if !in_force => Err("WormExpired".into()),
                            Some(_) => Ok(()),
                        };
                        let got = s.complete_worm(BUCKET, None).await;
                        if agree("complete worm", &got, want) {
                            let days = m.worm_days().unwrap();
                            m.worm = Some(WormModel::Locked { days });
                        }
                    }
                    WormOp::Extend(days) => {
                        let want = match m.worm {
                            None => Err("NoWorm".to_owned()),
                            Some(WormModel::InProgress { .. }) => Err("WormNotLocked".into()),
                            Some(WormModel::Locked { days: cur }) if days < cur => {
                                Err("WormShorten".into())
                            }
                            _ => Ok(()),
                        };
                        let got = s.extend_worm(BUCKET, None, days).await;
                        if agree("extend", &got, want) {
                            m.worm = Some(WormModel::Locked { days });
                        }
                    }
                    WormOp::Abort => {
                        // A lapsed rule may be removed too.
                        let want = match m.worm {
                            None => Err("NoWorm".to_owned()),
                            Some(WormModel::Locked { .. }) => Err("WormLocked".into()),
                            _ => Ok(()),
                        };
                        let got = s.abort_worm(BUCKET).await;
                        if agree("abort", &got, want) {
                            m.worm = None;
                        }
                    }
                }
            }
            Op::Clock(delta) => {
                m.latest = m.now();
                m.wall += delta;
                wall.store(m.wall, Ordering::Release);
            }
        }
        // The store holds exactly the model's versions, and every version protected before
        // the step among them.
        let listing = s.list_versions(BUCKET, &all_versions()).unwrap();
        let got: Vec<(String, VersionId, bool)> = listing
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.version_id, e.object.is_none()))
            .collect();
        let want: Vec<(String, VersionId, bool)> = m
            .keys
            .iter()
            .flat_map(|(k, es)| es.iter().map(|e| (k.to_string(), e.id, e.marker)))
            .collect();
        assert_eq!(got, want, "after {op:?}");
        for (k, id) in before {
            assert!(
                got.iter().any(|(gk, gid, _)| gk == k && *gid == id),
                "{op:?} removed the protected version {k} {id}"
            );
        }
        assert_eq!(s.now_ms(), m.now(), "clock");
    }
    let report = s.fsck().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn no_sequence_removes_a_protected_version_before_its_date(
        object_lock in any::<bool>(),
        default_days in prop::option::of(1..3i64),
        ops in prop::collection::vec(op(), 1..50),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run(object_lock, default_days, ops));
    }
}
