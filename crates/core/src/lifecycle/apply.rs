//! Carrying out what is due for one key: decided and written in one write of the group
//! commit, so a run that stops anywhere and starts again never does an action twice (what is
//! done is no longer due), and retention is asked like for any client's delete.

use super::{Action, Days, Entry, Rule, due};
use crate::delete::{DeleteOutcome, delete_one};
use crate::error::Result;
use crate::meta::{Flow, ReadTxn, Start};
use crate::retention::Guard;
use crate::store::Store;
use crate::version::VersionId;

/// The key's entries, newest first, as the decision reads them.
fn history(txn: &dyn ReadTxn, bucket: &str, key: &str) -> crate::meta::StorageResult<Vec<Entry>> {
    let mut out = Vec::new();
    txn.scan_versions(bucket, Start::AtKey(key), &mut |k, rec| {
        if k != key {
            return Flow::Stop;
        }
        out.push(Entry {
            id: rec.id,
            last_modified_ms: rec.last_modified_ms,
            size: rec.object().map(|d| d.size),
        });
        Flow::Continue
    })?;
    Ok(out)
}

/// What an action removes: nothing named for an expiration (the bucket's versioning
/// decides), else the version it names.
fn target(action: Action) -> Option<VersionId> {
    match action {
        Action::Expire => None,
        Action::RemoveNoncurrent(id) | Action::RemoveExpiredMarker(id) => Some(id),
    }
}

impl Store {
    /// Carries out what `rules` make due now for `key` of `bucket`, skipping what retention
    /// protects. Returns each action done, with its rule's ID and outcome.
    pub async fn apply_lifecycle(
        &self,
        bucket: &str,
        key: &str,
        rules: Vec<Rule>,
        days: Days,
    ) -> Result<Vec<(Action, String, DeleteOutcome)>> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let (cb, ck) = (bucket.clone(), key.clone());
        let clock = self.inner.clock.clone();
        let done = self
            .write(
                move |txn| {
                    let guard = Guard::of(txn, &cb, clock.now_ms(), false)?;
                    let mut allowed = Vec::new();
                    for (action, rule) in
                        due(&rules, &ck, &history(txn, &cb, &ck)?, guard.now_ms, days)
                    {
                        if guard
                            .removal_protection(txn, &cb, &ck, target(action))?
                            .is_none()
                        {
                            allowed.push((action, rule));
                        }
                    }
                    Ok((guard, allowed))
                },
                move |txn, (guard, allowed)| {
                    let mut out = Vec::with_capacity(allowed.len());
                    for (action, rule) in allowed {
                        let outcome = delete_one(txn, &bucket, &guard, &key, target(action))?;
                        out.push((action, rule, outcome));
                    }
                    Ok(out)
                },
            )
            .await?;
        self.freed_space();
        Ok(done)
    }
}
