//! What the rules would do to a key by a given time, changing nothing (`strata lifecycle
//! preview`): the executor's work replayed on a key's history in memory, one run at a time.
//!
//! A run happens when something first becomes due ([`next_due`]); it carries out every
//! action due then ([`due`]: one per entry), the way the store does (an expiration by the
//! bucket's versioning: the current object removed when unversioned, a delete marker added
//! on top when Enabled, a `null` delete marker that replaces the key's `null` entry when
//! Suspended; a noncurrent version or an expired delete marker removed); and the next run
//! starts from the history it left, no sooner than a quarter of a day later (what the executor
//! files a key under after acting on it, so that one action per entry is done per run and an
//! action made due at once, such as removing the delete marker an expiration just added,
//! waits). An action already due at `now` is taken as done at `now` (the executor's next
//! run): a delete marker it adds is dated `now`.
//!
//! Retention is not known here: a version that retention protects is listed as the rules
//! make it due, but the executor skips it (and looks again when its protection may end).

use super::{Action, Days, Entry, Rule, due, next_due, schedule, upload_next};
use crate::version::{VersionId, Versioning};

/// What an action comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The current object expired and was removed for good (an unversioned bucket).
    Removed,
    /// The current object expired: a delete marker was added on top of it, and it became
    /// noncurrent (versioning Enabled).
    MarkerAdded,
    /// The current object expired: a `null` delete marker was added on top (versioning
    /// Suspended); the key's `null` version, if it had one (the expired object itself, or an
    /// older one), was removed, as a write of a `null` entry always replaces it.
    NullMarkerAdded { null_removed: bool },
    /// A noncurrent version (`marker`: a noncurrent delete marker) was removed for good.
    NoncurrentRemoved { marker: bool },
    /// A current delete marker with nothing left under it was removed.
    ExpiredMarkerRemoved,
}

impl What {
    /// How `strata lifecycle preview` names it.
    pub fn describe(self) -> &'static str {
        match self {
            What::Removed => "removed",
            What::MarkerAdded => "delete marker added",
            What::NullMarkerAdded {
                null_removed: false,
            } => "null delete marker added",
            What::NullMarkerAdded { null_removed: true } => {
                "null delete marker added, null version removed"
            }
            What::NoncurrentRemoved { marker: false } => "noncurrent version removed",
            What::NoncurrentRemoved { marker: true } => "noncurrent delete marker removed",
            What::ExpiredMarkerRemoved => "expired delete marker removed",
        }
    }
}

/// One action the executor would carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When it becomes due (Unix milliseconds): the time its rule gives, or a quarter of a
    /// day after the key's previous action if that is later. Before `now` for an action
    /// already due.
    pub when_ms: i64,
    /// The ID of the rule that makes it due.
    pub rule: String,
    pub what: What,
    /// The entry acted on: the object that expired, or the version or delete marker
    /// removed. `None`: a delete marker that an earlier step of this preview added, whose
    /// ID the store will choose.
    pub version: Option<VersionId>,
}

/// The key's history as the simulation changes it: each entry with whether the simulation
/// added it.
struct Sim {
    entries: Vec<Entry>,
    added: Vec<bool>,
    /// The sequence of the next delete marker added under Enabled versioning (a stamp no
    /// entry of the history has, so actions on it name it alone).
    next_seq: u64,
}

impl Sim {
    fn position(&self, id: VersionId) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    fn remove(&mut self, i: usize) -> (Entry, bool) {
        (self.entries.remove(i), self.added.remove(i))
    }

    fn push_marker(&mut self, id: VersionId, at_ms: i64) {
        let marker = Entry {
            id,
            last_modified_ms: at_ms,
            size: None,
            tags: Default::default(),
        };
        self.entries.insert(0, marker);
        self.added.insert(0, true);
    }

    /// Carries out `action` at `run_ms` as the store's delete path would; what it came to,
    /// and the entry acted on (`None`: nothing was there to act on).
    fn apply(
        &mut self,
        action: Action,
        versioning: Versioning,
        run_ms: i64,
    ) -> Option<(What, Option<VersionId>)> {
        match action {
            Action::Expire => {
                let current = self.entries.first()?.id;
                match versioning {
                    Versioning::Unversioned => {
                        let i = self.position(VersionId::Null)?;
                        self.remove(i);
                        Some((What::Removed, Some(VersionId::Null)))
                    }
                    Versioning::Enabled => {
                        let seq = self.next_seq;
                        self.next_seq += 1;
                        self.push_marker(VersionId::Stamp { seq, salt: 0 }, run_ms);
                        Some((What::MarkerAdded, Some(current)))
                    }
                    Versioning::Suspended => {
                        let null_removed = match self.position(VersionId::Null) {
                            Some(i) => {
                                self.remove(i);
                                true
                            }
                            None => false,
                        };
                        self.push_marker(VersionId::Null, run_ms);
                        Some((What::NullMarkerAdded { null_removed }, Some(current)))
                    }
                }
            }
            Action::RemoveNoncurrent(id) | Action::RemoveExpiredMarker(id) => {
                let i = self.position(id)?;
                let (entry, added) = self.remove(i);
                let what = match action {
                    Action::RemoveExpiredMarker(_) => What::ExpiredMarkerRemoved,
                    _ => What::NoncurrentRemoved {
                        marker: entry.size.is_none(),
                    },
                };
                // A marker this preview added under Enabled versioning has no ID yet.
                let named = !added || id.is_null();
                Some((what, named.then_some(id)))
            }
        }
    }
}

/// What the executor would do to `key`, whose entries are `history` (newest first), in a
/// bucket with `versioning`, from `now_ms` up to and including `at_ms`, under `rules` and
/// a day of `days`: each action in the order the executor would carry it out.
pub fn preview(
    rules: &[Rule],
    key: &str,
    history: &[Entry],
    versioning: Versioning,
    days: Days,
    now_ms: i64,
    at_ms: i64,
) -> Vec<Step> {
    let max_seq = history
        .iter()
        .filter_map(|e| match e.id {
            VersionId::Stamp { seq, .. } => Some(seq),
            VersionId::Null => None,
        })
        .max()
        .unwrap_or(0);
    let mut sim = Sim {
        entries: history.to_vec(),
        added: vec![false; history.len()],
        next_seq: max_seq.saturating_add(1),
    };
    let mut steps = Vec::new();
    // No run before this (a quarter of a day after the previous one).
    let mut not_before = i64::MIN;
    // Every run removes an entry or puts a delete marker on an object (which only a removal
    // can make current again), so the runs are fewer than twice the entries, plus one.
    for _ in 0..=2 * history.len() + 1 {
        let Some(first) = next_due(rules, key, &sim.entries, days) else {
            break;
        };
        let due_ms = first.max(not_before);
        if due_ms > at_ms {
            break;
        }
        let run_ms = due_ms.max(now_ms);
        let planned = schedule(rules, key, &sim.entries, days);
        let mut acted = false;
        for (action, rule) in due(rules, key, &sim.entries, run_ms, days) {
            // The time its rule makes it due (the earliest, as `due` picks that rule).
            let own = planned
                .iter()
                .filter(|(_, a, _)| *a == action)
                .map(|(t, _, _)| *t)
                .min()
                .unwrap_or(run_ms);
            let when_ms = own.max(not_before);
            if when_ms > at_ms {
                continue;
            }
            if let Some((what, version)) = sim.apply(action, versioning, run_ms) {
                acted = true;
                steps.push(Step {
                    when_ms,
                    rule,
                    what,
                    version,
                });
            }
        }
        if !acted {
            break;
        }
        // As `apply_key` files the key after acting on it.
        not_before = run_ms
            .saturating_add(days.day_ms / 4)
            .max(run_ms.saturating_add(1));
    }
    steps
}

/// When an incomplete multipart upload of `key` initiated at `initiated_ms` would be aborted,
/// and by which rule, if that is no later than `at_ms`.
pub fn preview_upload(
    rules: &[Rule],
    key: &str,
    initiated_ms: i64,
    days: Days,
    at_ms: i64,
) -> Option<(i64, String)> {
    upload_next(rules, key, initiated_ms, days)
        .filter(|(t, _)| *t <= at_ms)
        .map(|(t, r)| (t, r.id.clone()))
}

#[cfg(test)]
mod tests {
    //! ceph/s3-tests' lifecycle scenarios (a day of 1000 ms, as `--lifecycle-day` shortens
    //! it) and the cascades between runs.

    use super::*;
    use crate::lifecycle::{Expiration, Filter, NoncurrentExpiration, UploadAbort};

    const D: i64 = 1000;
    const Q: i64 = D / 4;
    const SHORT: Days = Days {
        day_ms: D,
        midnight: false,
    };

    fn id(seq: u64) -> VersionId {
        VersionId::Stamp { seq, salt: 7 }
    }

    fn object(id: VersionId, at: i64) -> Entry {
        Entry {
            id,
            last_modified_ms: at,
            size: Some(10),
            tags: Default::default(),
        }
    }

    fn marker(id: VersionId, at: i64) -> Entry {
        Entry {
            id,
            last_modified_ms: at,
            size: None,
            tags: Default::default(),
        }
    }

    fn rule(id: &str, prefix: &str) -> Rule {
        Rule {
            id: id.into(),
            enabled: true,
            filter: Filter::prefix(prefix),
            ..Rule::default()
        }
    }

    fn expire(id: &str, prefix: &str, days: u32) -> Rule {
        Rule {
            expiration: Some(Expiration::Days(days)),
            ..rule(id, prefix)
        }
    }

    fn noncurrent(id: &str, prefix: &str, days: u32, keep: Option<u32>) -> Rule {
        Rule {
            noncurrent: Some(NoncurrentExpiration {
                days,
                newer_noncurrent_versions: keep,
            }),
            ..rule(id, prefix)
        }
    }

    fn markers(id: &str, prefix: &str) -> Rule {
        Rule {
            expired_object_delete_marker: true,
            ..rule(id, prefix)
        }
    }

    fn step(when_ms: i64, rule: &str, what: What, version: Option<VersionId>) -> Step {
        Step {
            when_ms,
            rule: rule.into(),
            what,
            version,
        }
    }

    const NC: What = What::NoncurrentRemoved { marker: false };

    #[test]
    fn unversioned_objects_expire_by_their_prefix_rule() {
        // test_lifecycle_expiration: 6 objects; after 3 days 4 are left, after 7 days 2.
        let rules = [
            expire("rule1", "expire1/", 1),
            expire("rule2", "expire3/", 5),
        ];
        let keys = [
            "expire1/foo",
            "expire1/bar",
            "keep2/foo",
            "keep2/bar",
            "expire3/foo",
            "expire3/bar",
        ];
        let h = [object(VersionId::Null, 0)];
        let by = |at: i64| -> Vec<(&str, Vec<Step>)> {
            keys.iter()
                .map(|k| {
                    (
                        *k,
                        preview(&rules, k, &h, Versioning::Unversioned, SHORT, 0, at),
                    )
                })
                .filter(|(_, s)| !s.is_empty())
                .collect()
        };
        let three = by(3 * D);
        assert_eq!(three.len(), 2);
        assert_eq!(
            three[0],
            (
                "expire1/foo",
                vec![step(D, "rule1", What::Removed, Some(VersionId::Null))]
            )
        );
        assert_eq!(by(4 * D).len(), 2);
        let seven = by(7 * D);
        assert_eq!(seven.len(), 4);
        assert_eq!(seven[3].1[0].when_ms, 5 * D);
        assert!(by(D - 1).is_empty());
    }

    #[test]
    fn a_current_delete_marker_is_not_expired_again() {
        // test_lifecycle_expiration_versioning_enabled: one version and a delete marker on
        // it; Days=1 never stacks a second marker nor removes the noncurrent version.
        let h = [marker(id(2), 0), object(id(1), 0)];
        let rules = [expire("rule1", "test1/", 1)];
        assert!(
            preview(
                &rules,
                "test1/a",
                &h,
                Versioning::Enabled,
                SHORT,
                0,
                100 * D
            )
            .is_empty()
        );
    }

    #[test]
    fn noncurrent_versions_go_days_after_their_successor_keeping_the_newest() {
        // test_lifecycle_noncur_expiration: three versions of a key under the rule's prefix,
        // NoncurrentDays=2: the two noncurrent ones go at 2 days (6 versions → 4 with a
        // second key outside the prefix).
        let h = [object(id(3), 0), object(id(2), 0), object(id(1), 0)];
        let rules = [noncurrent("rule1", "test1/", 2, None)];
        let steps = preview(&rules, "test1/a", &h, Versioning::Enabled, SHORT, 0, 5 * D);
        assert_eq!(
            steps,
            vec![
                step(2 * D, "rule1", NC, Some(id(2))),
                step(2 * D, "rule1", NC, Some(id(1)))
            ]
        );
        assert!(
            preview(
                &rules,
                "test2/abc",
                &h,
                Versioning::Enabled,
                SHORT,
                0,
                5 * D
            )
            .is_empty()
        );
        // test_lifecycle_expiration_newer_noncurrent: 1 current + 8 noncurrent, keep 5: the
        // 3 oldest go, 6 versions remain.
        let h: Vec<Entry> = (1..=9).rev().map(|s| object(id(s), s as i64)).collect();
        let rules = [noncurrent("keep5", "", 1, Some(5))];
        let gone: Vec<Option<VersionId>> =
            preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, 100 * D)
                .into_iter()
                .map(|s| s.version)
                .collect();
        // Oldest first: v1 became noncurrent first.
        assert_eq!(gone, vec![Some(id(1)), Some(id(2)), Some(id(3))]);
    }

    #[test]
    fn a_delete_marker_goes_once_the_versions_under_it_are_gone() {
        // test_lifecycle_deletemarker_expiration: NoncurrentDays=1 and ExpiredObjectDeleteMarker
        // in one rule; a key with a version under a delete marker: the version goes after a
        // day, the marker, alone then, a quarter of a day later (the executor's next look).
        let r = Rule {
            expired_object_delete_marker: true,
            ..noncurrent("rule1", "test1/", 1, None)
        };
        let h = [marker(id(2), 0), object(id(1), 0)];
        let steps = preview(
            std::slice::from_ref(&r),
            "test1/a",
            &h,
            Versioning::Enabled,
            SHORT,
            0,
            7 * D,
        );
        assert_eq!(
            steps,
            vec![
                step(D, "rule1", NC, Some(id(1))),
                step(D + Q, "rule1", What::ExpiredMarkerRemoved, Some(id(2))),
            ]
        );
        // By the first day only the version.
        assert_eq!(
            preview(&[r], "test1/a", &h, Versioning::Enabled, SHORT, 0, D).len(),
            1
        );
    }

    #[test]
    fn expiration_cascades_across_days_when_versioning_is_enabled() {
        // Day 1: a marker on v1. Day 2 (a day after the marker): v1 removed as noncurrent.
        // Then the marker, alone, goes a quarter of a day later.
        let rules = [
            Rule {
                noncurrent: Some(NoncurrentExpiration {
                    days: 1,
                    newer_noncurrent_versions: None,
                }),
                ..expire("expire", "", 1)
            },
            markers("markers", ""),
        ];
        let h = [object(id(1), 0)];
        let all = preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, 10 * D);
        assert_eq!(
            all,
            vec![
                step(D, "expire", What::MarkerAdded, Some(id(1))),
                step(2 * D, "expire", NC, Some(id(1))),
                step(2 * D + Q, "markers", What::ExpiredMarkerRemoved, None),
            ]
        );
        // Limited by the time asked for.
        let two = preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, 2 * D);
        assert_eq!(two, all[..2]);
        assert!(preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, D - 1).is_empty());
        // Already due: the marker is added now, so the noncurrent day counts from now.
        let late = preview(&rules, "k", &h, Versioning::Enabled, SHORT, 5 * D, 10 * D);
        assert_eq!(
            late,
            vec![
                step(D, "expire", What::MarkerAdded, Some(id(1))),
                step(6 * D, "expire", NC, Some(id(1))),
                step(6 * D + Q, "markers", What::ExpiredMarkerRemoved, None),
            ]
        );
    }

    #[test]
    fn suspended_expiration_replaces_the_null_version_with_a_null_marker() {
        let rules = [expire("expire", "", 1), markers("markers", "")];
        // The null version is current: it is replaced, then its marker goes.
        let h = [object(VersionId::Null, 0)];
        assert_eq!(
            preview(&rules, "k", &h, Versioning::Suspended, SHORT, 0, 10 * D),
            vec![
                step(
                    D,
                    "expire",
                    What::NullMarkerAdded { null_removed: true },
                    Some(VersionId::Null)
                ),
                step(
                    D + Q,
                    "markers",
                    What::ExpiredMarkerRemoved,
                    Some(VersionId::Null)
                ),
            ]
        );
        // A stamped version is current over an older null one: the null one is replaced, the
        // stamped one stays under the marker (so the marker is not alone and stays).
        let h = [object(id(5), 100), object(VersionId::Null, 0)];
        assert_eq!(
            preview(&rules, "k", &h, Versioning::Suspended, SHORT, 0, 10 * D),
            vec![step(
                D + 100,
                "expire",
                What::NullMarkerAdded { null_removed: true },
                Some(id(5))
            )]
        );
        // No null entry at all: only a marker on top.
        let h = [object(id(5), 100)];
        assert_eq!(
            preview(&rules, "k", &h, Versioning::Suspended, SHORT, 0, 10 * D)[0].what,
            What::NullMarkerAdded {
                null_removed: false
            }
        );
    }

    #[test]
    fn a_key_acted_on_waits_a_quarter_of_a_day_for_its_next_action() {
        // v1 becomes due at 1000 (noncurrent since v2 at 0), v2 at 1100 (since v3 at 100):
        // the run at 1000 removes v1; v2 waits for the next look at 1250.
        let h = [object(id(3), 100), object(id(2), 0), object(id(1), -50)];
        let rules = [noncurrent("nc", "", 1, None)];
        assert_eq!(
            preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, 10 * D),
            vec![
                step(D, "nc", NC, Some(id(1))),
                step(D + Q, "nc", NC, Some(id(2)))
            ]
        );
        // A noncurrent delete marker is named as such.
        let h = [object(id(3), 0), marker(id(2), 0)];
        assert_eq!(
            preview(&rules, "k", &h, Versioning::Enabled, SHORT, 0, 10 * D)[0].what,
            What::NoncurrentRemoved { marker: true }
        );
    }

    #[test]
    fn real_days_end_at_midnight_utc() {
        // Written 2014-01-15 10:30 UTC, Days=3: a marker at 2014-01-19 00:00 UTC; the
        // version it made noncurrent goes a day later, at midnight again.
        let written = 1_389_781_800_000;
        let midnight_19th = 1_390_089_600_000;
        let rules = [Rule {
            noncurrent: Some(NoncurrentExpiration {
                days: 1,
                newer_noncurrent_versions: None,
            }),
            ..expire("r", "", 3)
        }];
        let h = [object(id(1), written)];
        let steps = preview(
            &rules,
            "k",
            &h,
            Versioning::Enabled,
            Days::REAL,
            written,
            written + 30 * 86_400_000,
        );
        let whens: Vec<i64> = steps.iter().map(|s| s.when_ms).collect();
        assert_eq!(whens, [midnight_19th, midnight_19th + 86_400_000]);
    }

    #[test]
    fn disabled_rules_and_filters_are_respected_and_uploads_abort() {
        let off = Rule {
            enabled: false,
            ..expire("off", "", 1)
        };
        let h = [object(VersionId::Null, 0)];
        assert!(preview(&[off], "k", &h, Versioning::Unversioned, SHORT, 0, 9 * D).is_empty());
        // test_lifecycle_multipart_expiration: DaysAfterInitiation=2, two uploads, one under
        // the prefix: that one is aborted after 2 days.
        let rules = [Rule {
            abort_upload: Some(UploadAbort::Days(2)),
            ..rule("mpu", "test1/")
        }];
        assert_eq!(
            preview_upload(&rules, "test1/a", 0, SHORT, 5 * D),
            Some((2 * D, "mpu".to_owned()))
        );
        assert_eq!(preview_upload(&rules, "test1/a", 0, SHORT, 2 * D - 1), None);
        assert_eq!(preview_upload(&rules, "test2/b", 0, SHORT, 5 * D), None);
    }
}
