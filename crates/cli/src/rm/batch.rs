//! Deleting one batch: a multi-delete, retried for the entries it reports failed; entries
//! retention protects are reported apart and never retried; a batch refused whole because of
//! one protected entry (OSS) is deleted one entry at a time instead.

use super::Report;
use crate::target::{Stop, backoff};
use strata_client::{Client, DeleteFailure, Error, ObjectId};
use tokio::task::JoinSet;

/// Single deletes in flight at once when a refused batch is deleted one entry at a time.
const SINGLE_DELETES_IN_FLIGHT: usize = 8;

/// Runs `op` until it succeeds, fails for good, or `retries` retries of retryable errors are
/// spent. `Ok(None)` when Ctrl-C came first.
pub async fn retry<T, F, Fut>(retries: u32, stop: &Stop, mut op: F) -> Result<Option<T>, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut attempt = 0;
    loop {
        let result = tokio::select! {
            r = op() => r,
            () = stop.stopped() => return Ok(None),
        };
        match result {
            Ok(v) => return Ok(Some(v)),
            Err(e) if e.is_retryable() && attempt < retries => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Deletes one batch: failed entries are retried with backoff (`retries` times), then
/// reported; missing ones count as gone; protected ones (retention) are reported apart at
/// once, since retrying cannot delete them. A request refused whole because an entry is
/// protected (OSS) is split into single deletes, so the unprotected entries still go. A
/// request that fails for another reason retrying cannot fix (access denied, no such bucket)
/// ends the report with an error.
pub async fn delete_batch(
    client: &Client,
    bucket: &str,
    batch: Vec<ObjectId>,
    retries: u32,
) -> Report {
    let mut report = Report::default();
    let mut pending = batch;
    let mut attempt = 0;
    while !pending.is_empty() {
        match client.delete_objects(bucket, &pending).await {
            Ok(failures) => {
                report.deleted += (pending.len() - failures.len()) as u64;
                let mut failed = Vec::new();
                for f in failures {
                    if f.is_missing() {
                        report.gone += 1;
                    } else if f.is_protected() {
                        report.protected.push(f);
                    } else {
                        failed.push(f);
                    }
                }
                if failed.is_empty() {
                    break;
                }
                if attempt >= retries {
                    report.failures.extend(failed);
                    break;
                }
                pending = failed
                    .into_iter()
                    .map(|f| ObjectId {
                        key: f.key,
                        version_id: f.version_id,
                    })
                    .collect();
            }
            Err(e) if e.is_protected() => {
                report.absorb(delete_each(client, bucket, pending, retries).await);
                break;
            }
            Err(e) if e.is_retryable() && attempt < retries => {}
            Err(e) => {
                if !e.is_retryable() {
                    report.error = Some(format!("multi-delete refused: {e}"));
                }
                report
                    .failures
                    .extend(pending.into_iter().map(|id| failure(id, &e)));
                break;
            }
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    }
    report
}

/// Deletes `entries` with one request each, [`SINGLE_DELETES_IN_FLIGHT`] at a time, each
/// retried as [`retry`] does: what a refused multi-delete could not.
async fn delete_each(
    client: &Client,
    bucket: &str,
    entries: Vec<ObjectId>,
    retries: u32,
) -> Report {
    let mut report = Report::default();
    let mut entries = entries.into_iter();
    let mut tasks = JoinSet::new();
    loop {
        while tasks.len() < SINGLE_DELETES_IN_FLIGHT {
            let Some(id) = entries.next() else { break };
            let (client, bucket) = (client.clone(), bucket.to_owned());
            tasks.spawn(async move {
                let deleted = retry(retries, &Stop::never(), || {
                    client.delete_object(&bucket, &id.key, id.version_id.as_deref())
                })
                .await;
                (id, deleted)
            });
        }
        let Some(done) = tasks.join_next().await else {
            return report;
        };
        match done {
            Ok((_, Ok(_))) => report.deleted += 1,
            Ok((_, Err(e))) if e.is_not_found() => report.gone += 1,
            Ok((id, Err(e))) if e.is_protected() => report.protected.push(failure(id, &e)),
            Ok((id, Err(e))) => report.failures.push(failure(id, &e)),
            Err(e) => {
                report
                    .error
                    .get_or_insert_with(|| format!("a delete task failed: {e}"));
            }
        }
    }
}

/// `id` as an entry not deleted because of `e`.
fn failure(id: ObjectId, e: &Error) -> DeleteFailure {
    let (code, message) = match e {
        Error::Service { code, message, .. } => (code.clone(), message.clone()),
        other => ("RequestFailed".to_owned(), other.to_string()),
    };
    DeleteFailure {
        key: id.key,
        version_id: id.version_id,
        code,
        message,
    }
}
