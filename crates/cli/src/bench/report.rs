//! What `strata bench` measures and how it reports it: per-operation latency histograms,
//! the summary figures, and the text and JSON reports.

use hdrhistogram::Histogram;
use serde_json::json;
use std::time::{Duration, Instant};
use strata_client::Client;

use super::Mode;

/// What an operation is, in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Put,
    Get,
    Stat,
    Delete,
    MultiDelete,
    List,
}

pub(super) const OPS: [Op; 6] = [
    Op::Put,
    Op::Get,
    Op::Stat,
    Op::Delete,
    Op::MultiDelete,
    Op::List,
];

impl Op {
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::Put => "put",
            Op::Get => "get",
            Op::Stat => "stat",
            Op::Delete => "delete",
            Op::MultiDelete => "multi-delete",
            Op::List => "list",
        }
    }
}

/// One operation type's measurements: latencies in microseconds in an HdrHistogram (1 µs to
/// one hour, three significant digits), so memory stays constant however long the run.
pub(super) struct OpStats {
    latencies_us: Histogram<u64>,
    pub(super) errors: u64,
    pub(super) bytes: u64,
    pub(super) keys: u64,
    pub(super) first_error: Option<String>,
}

impl Default for OpStats {
    fn default() -> OpStats {
        OpStats {
            latencies_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("the bounds are valid"),
            errors: 0,
            bytes: 0,
            keys: 0,
            first_error: None,
        }
    }
}

#[derive(Default)]
pub(super) struct Stats(pub(super) [OpStats; 6]);

impl Stats {
    pub(super) fn of(&mut self, op: Op) -> &mut OpStats {
        &mut self.0[op as usize]
    }

    pub(super) fn merge(&mut self, other: Stats) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            // Same bounds on both sides, so adding cannot fail.
            let _ = mine.latencies_us.add(&theirs.latencies_us);
            mine.errors += theirs.errors;
            mine.bytes += theirs.bytes;
            mine.keys += theirs.keys;
            if mine.first_error.is_none() {
                mine.first_error = theirs.first_error;
            }
        }
    }

    /// Records one operation that started at `t`.
    pub(super) fn record<T>(&mut self, op: Op, t: Instant, result: &Result<T, String>) {
        let s = self.of(op);
        match result {
            Ok(_) => s
                .latencies_us
                .saturating_record(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX)),
            Err(e) => {
                s.errors += 1;
                s.first_error.get_or_insert_with(|| e.clone());
            }
        }
    }
}

pub(super) struct Header<'a> {
    pub(super) mode: Mode,
    pub(super) client: &'a Client,
    pub(super) bucket: &'a str,
    pub(super) prefix: &'a str,
    pub(super) size: u64,
    pub(super) concurrency: usize,
    pub(super) versioned: bool,
    pub(super) batch: usize,
    pub(super) elapsed: Duration,
}

/// One operation's figures.
pub(super) struct OpReport {
    op: Op,
    pub(super) count: u64,
    errors: u64,
    bytes: u64,
    keys: u64,
    ops_per_sec: f64,
    mb_per_sec: f64,
    keys_per_sec: f64,
    mean_ms: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

pub(super) fn summarize(stats: &Stats, elapsed: Duration) -> Vec<OpReport> {
    let secs = elapsed.as_secs_f64().max(1e-9);
    let ms = |us: u64| us as f64 / 1000.0;
    OPS.iter()
        .filter_map(|&op| {
            let s = &stats.0[op as usize];
            let h = &s.latencies_us;
            if h.is_empty() && s.errors == 0 {
                return None;
            }
            let count = h.len();
            let quantile = |q| {
                if h.is_empty() {
                    0.0
                } else {
                    ms(h.value_at_quantile(q))
                }
            };
            Some(OpReport {
                op,
                count,
                errors: s.errors,
                bytes: s.bytes,
                keys: s.keys,
                ops_per_sec: count as f64 / secs,
                mb_per_sec: s.bytes as f64 / secs / 1e6,
                keys_per_sec: s.keys as f64 / secs,
                mean_ms: if h.is_empty() { 0.0 } else { h.mean() / 1000.0 },
                p50_ms: quantile(0.50),
                p90_ms: quantile(0.90),
                p99_ms: quantile(0.99),
                max_ms: if h.is_empty() { 0.0 } else { ms(h.max()) },
            })
        })
        .collect()
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

pub(super) fn to_json(h: &Header<'_>, ops: &[OpReport]) -> serde_json::Value {
    let op_json = |o: &OpReport| {
        json!({
            "op": o.op.name(),
            "count": o.count,
            "errors": o.errors,
            "bytes": o.bytes,
            "keys": o.keys,
            "ops_per_sec": round(o.ops_per_sec, 2),
            "mb_per_sec": round(o.mb_per_sec, 3),
            "keys_per_sec": round(o.keys_per_sec, 1),
            "latency_ms": {
                "mean": round(o.mean_ms, 3),
                "p50": round(o.p50_ms, 3),
                "p90": round(o.p90_ms, 3),
                "p99": round(o.p99_ms, 3),
                "max": round(o.max_ms, 3),
            },
        })
    };
    let secs = h.elapsed.as_secs_f64().max(1e-9);
    let count: u64 = ops.iter().map(|o| o.count).sum();
    let errors: u64 = ops.iter().map(|o| o.errors).sum();
    let bytes: u64 = ops.iter().map(|o| o.bytes).sum();
    json!({
        "mode": h.mode.name(),
        "dialect": h.client.dialect().as_str(),
        "endpoint": h.client.endpoint(),
        "bucket": h.bucket,
        "prefix": h.prefix,
        "object_size": h.size,
        "concurrency": h.concurrency,
        "versioned": h.versioned,
        "batch_size": h.batch,
        "duration_s": round(secs, 3),
        "operations": ops.iter().map(op_json).collect::<Vec<_>>(),
        "total": {
            "count": count,
            "errors": errors,
            "bytes": bytes,
            "ops_per_sec": round(count as f64 / secs, 2),
            "mb_per_sec": round(bytes as f64 / secs / 1e6, 3),
        },
    })
}

/// A size in the largest binary unit that divides it (`4 KiB`, `64 MiB`, `1000 B`): the size
/// as it was asked for. Written here because bytesize always shows a decimal (`4.0 KiB`).
fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

pub(super) fn print_text(h: &Header<'_>, ops: &[OpReport]) {
    println!(
        "bench: {} against {} ({}), bucket {}{}, {} objects, concurrency {}, {:.2} s",
        h.mode.name(),
        h.client.endpoint(),
        h.client.dialect(),
        h.bucket,
        if h.versioned { " (versioned)" } else { "" },
        human_size(h.size),
        h.concurrency,
        h.elapsed.as_secs_f64()
    );
    println!(
        "{:<13} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "operation", "count", "errors", "ops/s", "MB/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for o in ops {
        println!(
            "{:<13} {:>9} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            o.op.name(),
            o.count,
            o.errors,
            o.ops_per_sec,
            o.mb_per_sec,
            o.p50_ms,
            o.p90_ms,
            o.p99_ms,
            o.max_ms
        );
        if o.op == Op::MultiDelete {
            println!(
                "{:<13} {} keys per request, {} keys deleted, {:.0} keys/s",
                "", h.batch, o.keys, o.keys_per_sec
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_histogram_within_its_precision() {
        let mut stats = Stats::default();
        for i in 1..=100u64 {
            stats.of(Op::Get).latencies_us.record(i * 1000).unwrap();
        }
        let mut other = Stats::default();
        other.of(Op::Get).latencies_us.record(7_000).unwrap();
        stats.merge(other);
        let r = &summarize(&stats, Duration::from_secs(1))[0];
        assert_eq!(r.count, 101);
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001;
        assert!(close(r.p50_ms, 50.0), "{}", r.p50_ms);
        assert!(close(r.p99_ms, 99.0), "{}", r.p99_ms);
        assert!(close(r.max_ms, 100.0), "{}", r.max_ms);
        assert!(summarize(&Stats::default(), Duration::from_secs(1)).is_empty());
    }

    #[test]
    fn sizes_print_in_binary_units() {
        assert_eq!(human_size(4096), "4 KiB");
        assert_eq!(human_size(64 << 20), "64 MiB");
        assert_eq!(human_size(1000), "1000 B");
    }
}
