//! `strata lifecycle preview TARGET [--at TIME]`: what the bucket's lifecycle rules would do
//! by TIME, changing nothing.
//!
//! The configuration is read with GetBucketLifecycle and parsed by the dialect's own codec
//! (the server's); the bucket's versioning state with GetBucketVersioning; then the versions
//! under the prefix are listed a page at a time, grouped by key, and each key's history is
//! replayed by the core's `lifecycle::preview` (the executor's decisions, run by run), and
//! the incomplete multipart uploads by `lifecycle::preview_upload`. One line per action, in
//! key order (each key's actions in the order the executor would take them), then a summary.
//!
//! What a client cannot know, and how it is dealt with:
//! - the server's lifecycle day (`strata serve --lifecycle-day`): `--day` (a real day by
//!   default);
//! - retention: a version that retention protects is listed as the rules make it due, but
//!   the executor skips it until its protection ends;
//! - exact times: S3 and OSS listings give times to the second, so a due time can show up to
//!   a second earlier than the server computes it;
//! - tags: listings do not show a version's tags, so every version is previewed untagged (a
//!   rule that filters on tags previews nothing, one that excludes tagged objects previews
//!   them as not excluded); a warning says so when the rules name tags.

use crate::rm::retry;
use crate::target::{
    ConnArgs, EXIT_INTERRUPTED, Failure, Stop, Target, format_time, now_ms, parse_duration,
    parse_time,
};
use std::process::ExitCode;
use strata_client::{Dialect, MAX_DELETE_BATCH, VersionEntry, Versioning};
use strata_core::VersionId;
use strata_core::lifecycle::{Days, Entry, Rule, Step, What, preview, preview_upload};

#[derive(clap::Args, Debug)]
pub struct LifecycleArgs {
    #[command(subcommand)]
    command: LifecycleCommand,
}

#[derive(clap::Subcommand, Debug)]
enum LifecycleCommand {
    /// List what the bucket's lifecycle rules would do by a time, changing nothing.
    ///
    /// One line per action, tab-separated: key, version ID (the upload ID for an upload; `-`
    /// for a delete marker an earlier line adds), rule ID, when it becomes due, and what it
    /// does; then a summary. Retention is not known to a client: a protected version is
    /// listed, but the server skips it until its protection ends.
    Preview(PreviewArgs),
}

#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// The bucket, or BUCKET/PREFIX to consider only the keys under PREFIX.
    #[arg(value_name = "TARGET")]
    target: String,

    #[command(flatten)]
    conn: ConnArgs,

    /// Look ahead to this time (default: now): RFC 3339 (2026-11-21T14:30:05Z), @UNIX_SECONDS,
    /// or +DURATION from now (+30d, +12h).
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    at: Option<At>,

    /// The server's lifecycle day in seconds. A client cannot learn it: give the value of the
    /// server's `--lifecycle-day` if it was started with one. 86400 (the default) is a real
    /// day, whose due times are rounded up to midnight UTC.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(1..))]
    day: u64,

    /// JSON Lines: one object per action, then one with the summary.
    #[arg(long)]
    json: bool,

    /// Attempts after the first for requests that fail.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,
}

const UPLOAD_ABORTED: &str = "upload aborted";

/// `--at`: a time, or a duration from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Time(i64),
    FromNow(i64),
}

fn parse_at(s: &str) -> Result<At, String> {
    match s.trim().strip_prefix('+') {
        Some(d) => {
            let d = parse_duration(d)?;
            Ok(At::FromNow(
                i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            ))
        }
        None => parse_time(s).map(At::Time),
    }
}

pub async fn run(args: LifecycleArgs) -> ExitCode {
    match args.command {
        LifecycleCommand::Preview(p) => {
            crate::target::exit("lifecycle preview", preview_command(p).await)
        }
    }
}

/// What the preview counted.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    keys: u64,
    keys_acted_on: u64,
    removed: u64,
    markers_added: u64,
    noncurrent_removed: u64,
    expired_markers_removed: u64,
    uploads: u64,
    uploads_aborted: u64,
    /// Uploads whose listing gave no initiation time (not previewed).
    uploads_undated: u64,
}

impl Counts {
    fn actions(&self) -> u64 {
        self.removed
            + self.markers_added
            + self.noncurrent_removed
            + self.expired_markers_removed
            + self.uploads_aborted
    }

    fn count(&mut self, what: What) {
        match what {
            What::Removed => self.removed += 1,
            What::MarkerAdded | What::NullMarkerAdded { .. } => self.markers_added += 1,
            What::NoncurrentRemoved { .. } => self.noncurrent_removed += 1,
            What::ExpiredMarkerRemoved => self.expired_markers_removed += 1,
        }
    }
}

async fn preview_command(args: PreviewArgs) -> Result<ExitCode, Failure> {
    let target = Target::parse(&args.target)?;
    let client = args.conn.client()?;
    let stop = Stop::on_ctrl_c("lifecycle preview");
    let bucket = target.bucket.as_str();
    let failed = |what: &str, e: strata_client::Error| Failure::Failed(format!("{what}: {e}"));
    let now = now_ms();
    let at = match args.at {
        None => now,
        Some(At::Time(t)) => t,
        Some(At::FromNow(d)) => now.saturating_add(d),
    };
    let days = Days::of_seconds(args.day);
    let mut out = Printer {
        json: args.json,
        counts: Counts::default(),
    };

    let Some(document) = retry(args.retries, &stop, || client.lifecycle(bucket))
        .await
        .map_err(|e| {
            failed(
                &format!("cannot read the lifecycle configuration of {bucket}"),
                e,
            )
        })?
    else {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    };
    let Some(document) = document else {
        out.summary(
            &target,
            at,
            args.day,
            Some("the bucket has no lifecycle configuration"),
        );
        return Ok(ExitCode::SUCCESS);
    };
    let rules = parse_rules(client.dialect(), bucket, &document).map_err(|e| {
        Failure::Failed(format!(
            "the lifecycle configuration of {bucket} cannot be read: {e}"
        ))
    })?;
    if rules.iter().any(names_tags) {
        eprintln!(
            "warning: rules of {bucket} filter on tags, which listings do not show: every version is previewed as untagged"
        );
    }
    let Some(versioning) = retry(args.retries, &stop, || client.versioning(bucket))
        .await
        .map_err(|e| failed(&format!("cannot read the versioning state of {bucket}"), e))?
    else {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    };
    let versioning = match versioning {
        Versioning::Unversioned => strata_core::Versioning::Unversioned,
        Versioning::Enabled => strata_core::Versioning::Enabled,
        Versioning::Suspended => strata_core::Versioning::Suspended,
    };
    let run = Run {
        rules: &rules,
        versioning,
        days,
        now,
        at,
    };

    // The versions, a key at a time.
    let mut marker = None;
    let mut key_entries: Vec<VersionEntry> = Vec::new();
    loop {
        let page = retry(args.retries, &stop, || {
            client.list_versions(bucket, &target.prefix, marker.as_ref(), MAX_DELETE_BATCH)
        })
        .await
        .map_err(|e| failed(&format!("cannot list the versions of {bucket}"), e))?;
        let Some(page) = page else {
            out.summary(&target, at, args.day, Some("interrupted"));
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        };
        for e in page.entries {
            if key_entries.first().is_some_and(|k| k.key != e.key) {
                run.key(&std::mem::take(&mut key_entries), &mut out);
            }
            key_entries.push(e);
        }
        marker = page.next;
        if marker.is_none() {
            break;
        }
    }
    run.key(&key_entries, &mut out);

    // The incomplete multipart uploads.
    let mut next = None;
    loop {
        let page = retry(args.retries, &stop, || {
            client.list_uploads_page(bucket, &target.prefix, next.as_ref(), MAX_DELETE_BATCH)
        })
        .await
        .map_err(|e| failed(&format!("cannot list the multipart uploads of {bucket}"), e))?;
        let Some(page) = page else {
            out.summary(&target, at, args.day, Some("interrupted"));
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        };
        for u in &page.uploads {
            out.counts.uploads += 1;
            let Some(initiated) = u.initiated_ms else {
                out.counts.uploads_undated += 1;
                continue;
            };
            if let Some((when, rule)) = preview_upload(&rules, &u.key, initiated, days, at) {
                out.counts.uploads_aborted += 1;
                out.line(&u.key, &u.upload_id, &rule, when, UPLOAD_ABORTED);
            }
        }
        // A page that ends where it started would never end.
        if page.next.is_none() || page.next == next {
            break;
        }
        next = page.next;
    }
    out.summary(&target, at, args.day, None);
    Ok(ExitCode::SUCCESS)
}

/// What every key's preview shares.
struct Run<'a> {
    rules: &'a [Rule],
    versioning: strata_core::Versioning,
    days: Days,
    now: i64,
    at: i64,
}

impl Run<'_> {
    /// Previews one key from its listed entries (newest first) and prints its actions.
    fn key(&self, entries: &[VersionEntry], out: &mut Printer) {
        let Some(first) = entries.first() else { return };
        out.counts.keys += 1;
        let (history, ids) = history_of(entries);
        let steps = preview(
            self.rules,
            &first.key,
            &history,
            self.versioning,
            self.days,
            self.now,
            self.at,
        );
        if !steps.is_empty() {
            out.counts.keys_acted_on += 1;
        }
        for s in steps {
            out.counts.count(s.what);
            let version = version_name(&s, &history, &ids);
            out.line(&first.key, version, &s.rule, s.when_ms, s.what.describe());
        }
    }
}

/// A key's listed entries as the preview reads them: `null` stays `null`; every other
/// version ID, whatever the server's format, becomes a stamp of its position (so the
/// preview works with any server's IDs), and `ids` names it back.
fn history_of(entries: &[VersionEntry]) -> (Vec<Entry>, Vec<String>) {
    let history = entries
        .iter()
        .zip(1u64..)
        .map(|(e, seq)| Entry {
            id: if e.version_id == "null" {
                VersionId::Null
            } else {
                VersionId::Stamp { seq, salt: 0 }
            },
            last_modified_ms: e.last_modified_ms,
            size: (!e.is_delete_marker).then_some(e.size),
            tags: Default::default(),
        })
        .collect();
    (
        history,
        entries.iter().map(|e| e.version_id.clone()).collect(),
    )
}

/// The listed version ID a step names (`-`: a delete marker an earlier step added).
fn version_name<'a>(step: &Step, history: &[Entry], ids: &'a [String]) -> &'a str {
    match step.version {
        None => "-",
        Some(VersionId::Null) => "null",
        Some(id) => history
            .iter()
            .position(|e| e.id == id)
            .map_or("-", |i| ids[i].as_str()),
    }
}

/// Prints lines and the summary, as text or JSON Lines.
struct Printer {
    json: bool,
    counts: Counts,
}

impl Printer {
    /// One action: `version` is a version ID, `-` (a delete marker an earlier line adds) or,
    /// for an upload, its upload ID.
    fn line(&self, key: &str, version: &str, rule: &str, when_ms: i64, what: &str) {
        if self.json {
            let mut v = serde_json::json!({
                "key": key, "rule": rule, "when": format_time(when_ms), "what": what,
            });
            if what == UPLOAD_ABORTED {
                v["upload_id"] = version.into();
            } else {
                v["version_id"] = (version != "-").then_some(version).into();
            }
            println!("{v}");
        } else {
            println!(
                "{}\t{version}\t{}\t{}\t{what}",
                printable(key),
                printable(rule),
                format_time(when_ms)
            );
        }
    }

    fn summary(&self, target: &Target, at: i64, day: u64, note: Option<&str>) {
        let c = &self.counts;
        if self.json {
            let v = serde_json::json!({"summary": {
                "target": target.to_string(), "at": format_time(at), "day_seconds": day,
                "actions": c.actions(), "keys": c.keys, "keys_acted_on": c.keys_acted_on,
                "removed": c.removed, "delete_markers_added": c.markers_added,
                "noncurrent_versions_removed": c.noncurrent_removed,
                "expired_delete_markers_removed": c.expired_markers_removed,
                "uploads": c.uploads, "uploads_aborted": c.uploads_aborted,
                "uploads_undated": c.uploads_undated, "note": note,
            }});
            println!("{v}");
            return;
        }
        let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
        println!(
            "lifecycle preview of {target} by {}{note}: {} actions on {} of {} keys ({} removed, {} delete markers added, {} noncurrent versions removed, {} expired delete markers removed), {} of {} uploads aborted; nothing was changed",
            format_time(at),
            c.actions(),
            c.keys_acted_on,
            c.keys,
            c.removed,
            c.markers_added,
            c.noncurrent_removed,
            c.expired_markers_removed,
            c.uploads_aborted,
            c.uploads,
        );
        if c.uploads_undated > 0 {
            eprintln!(
                "strata lifecycle preview: {} uploads were listed without their initiation time and were not previewed",
                c.uploads_undated
            );
        }
    }
}

/// A key or rule ID on one line: as it is, unless it holds control characters (a tab or a
/// newline would break the columns), then escaped and quoted.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        format!("{s:?}").into()
    } else {
        s.into()
    }
}

/// The configuration document, parsed by the dialect's codec (the server's own).
/// Whether an enabled rule's filter (or exclusion) names tags.
fn names_tags(rule: &Rule) -> bool {
    let f = &rule.filter;
    rule.enabled && (!f.tags.is_empty() || f.not.as_ref().is_some_and(|n| !n.tags.is_empty()))
}

fn parse_rules(dialect: Dialect, bucket: &str, body: &[u8]) -> Result<Vec<Rule>, String> {
    match dialect {
        Dialect::S3 => strata_api::s3::lifecycle::parse_rules(body)
            .map_err(|e| format!("{}: {}", e.code, e.message)),
        Dialect::Oss => strata_api::oss::lifecycle::parse_rules(body)
            .map_err(|e| format!("{}: {}", e.code, e.message)),
        Dialect::Bos => strata_api::bos::lifecycle::parse_rules(bucket, body)
            .map_err(|e| format!("{}: {}", e.code, e.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, marker: bool, at: i64) -> VersionEntry {
        VersionEntry {
            key: "k".into(),
            version_id: id.into(),
            is_latest: false,
            is_delete_marker: marker,
            last_modified_ms: at,
            size: 3,
            etag: String::new(),
        }
    }

    #[test]
    fn listed_ids_of_any_form_map_to_the_preview_and_back() {
        let listed = [
            entry("3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", true, 20),
            entry("null", false, 10),
            entry("v1", false, 0),
        ];
        let (history, ids) = history_of(&listed);
        assert_eq!(history[0].size, None);
        assert_eq!(history[1].id, VersionId::Null);
        assert_eq!(history[2].size, Some(3));
        let step = |version| Step {
            when_ms: 0,
            rule: "r".into(),
            what: What::ExpiredMarkerRemoved,
            version,
        };
        assert_eq!(
            version_name(&step(Some(history[0].id)), &history, &ids),
            "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"
        );
        assert_eq!(
            version_name(&step(Some(history[2].id)), &history, &ids),
            "v1"
        );
        assert_eq!(
            version_name(&step(Some(VersionId::Null)), &history, &ids),
            "null"
        );
        assert_eq!(version_name(&step(None), &history, &ids), "-");
    }

    #[test]
    fn at_is_a_time_or_a_duration_from_now() {
        assert_eq!(parse_at("@1700000000"), Ok(At::Time(1_700_000_000_000)));
        assert_eq!(parse_at("+2d"), Ok(At::FromNow(2 * 86_400_000)));
        assert_eq!(parse_at("+90s"), Ok(At::FromNow(90_000)));
        assert!(parse_at("+soon").is_err());
        assert!(parse_at("tomorrow").is_err());
    }

    #[test]
    fn keys_with_control_characters_are_quoted() {
        assert_eq!(printable("a b/c"), "a b/c");
        assert_eq!(printable("a\tb"), "\"a\\tb\"");
    }

    #[test]
    fn counts_add_up() {
        let mut c = Counts::default();
        for w in [
            What::Removed,
            What::MarkerAdded,
            What::NullMarkerAdded { null_removed: true },
            What::NoncurrentRemoved { marker: true },
            What::ExpiredMarkerRemoved,
        ] {
            c.count(w);
        }
        c.uploads_aborted = 2;
        assert_eq!((c.markers_added, c.actions()), (2, 7));
    }
}
