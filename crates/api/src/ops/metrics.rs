//! `/metrics`: the Prometheus text exposition of the server's counters.

use crate::AppState;
use std::fmt::Write as _;

/// The exposition, rendered now.
pub fn render(state: &AppState) -> String {
    let stats = state.store.commit_stats();
    let mut out = String::new();
    let _ = writeln!(out, "# TYPE strata_commit_batches_total counter");
    let _ = writeln!(out, "strata_commit_batches_total {}", stats.batches);
    let _ = writeln!(out, "# TYPE strata_commit_operations_total counter");
    let _ = writeln!(out, "strata_commit_operations_total {}", stats.operations);
    out
}
