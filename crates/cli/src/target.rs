//! What the client commands (`rm`, `restore`, `bench`) share: the endpoint, dialect and
//! credentials flags, the `BUCKET[/PREFIX]` target, value parsers (durations, sizes, times),
//! Ctrl-C handling, progress bars and exit codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::process::ExitCode;
use std::time::Duration;
use strata_client::{Client, Config, Credentials, Dialect};
use tokio::sync::watch;

/// Where the commands send requests, and as whom.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// The endpoint, http://HOST[:PORT].
    #[arg(
        long,
        value_name = "URL",
        env = "STRATA_ENDPOINT",
        default_value = "http://127.0.0.1:9000"
    )]
    pub endpoint: String,

    /// The dialect the endpoint speaks, and so how requests are signed: s3, oss or bos.
    #[arg(long, value_name = "DIALECT", default_value = "s3", value_parser = parse_dialect)]
    pub dialect: Dialect,

    /// Access key to sign with.
    #[arg(
        long,
        value_name = "KEY",
        env = "STRATA_ACCESS_KEY",
        hide_env_values = true
    )]
    pub access_key: Option<String>,

    /// Secret key to sign with. Prefer the environment variable: command lines are visible
    /// to other users.
    #[arg(
        long,
        value_name = "KEY",
        env = "STRATA_SECRET_KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,

    /// The region signed (S3: us-east-1, OSS: cn-hangzhou by default; BOS signs none).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Without keys given and with an endpoint on this machine (127.0.0.1, ::1, localhost),
    /// sign with the key pair `strata serve` saved in DIR/credentials.
    #[arg(long, value_name = "DIR", default_value = "./strata-data")]
    pub data_dir: std::path::PathBuf,
}

impl ConnArgs {
    pub fn client(&self) -> Result<Client, Failure> {
        let credentials = self.credentials()?;
        Client::new(Config {
            endpoint: self.endpoint.clone(),
            dialect: self.dialect,
            credentials,
            region: self.region.clone(),
        })
        .map_err(|e| Failure::Usage(e.to_string()))
    }

    /// The keys given, else (for an endpoint on this machine) those of `--data-dir`.
    fn credentials(&self) -> Result<Credentials, Failure> {
        const REQUIRED: &str = "credentials are required: --access-key and --secret-key (or \
                                STRATA_ACCESS_KEY and STRATA_SECRET_KEY)";
        local_or_given(
            (&self.access_key, &self.secret_key),
            &self.endpoint,
            &self.data_dir,
            REQUIRED,
        )
    }
}

/// The keys given (both), else, with neither given and an endpoint on this machine, the key
/// pair a local `strata serve` saved in `data_dir`'s credentials file; else a usage error that
/// starts with `required` (what the command needs).
pub(crate) fn local_or_given(
    given: (&Option<String>, &Option<String>),
    endpoint: &str,
    data_dir: &std::path::Path,
    required: &str,
) -> Result<Credentials, Failure> {
    match given {
        (Some(access_key), Some(secret_key)) => Ok(Credentials {
            access_key: access_key.clone(),
            secret_key: secret_key.clone(),
        }),
        (None, None) if is_local(endpoint) => {
            let path = data_dir.join(crate::credentials::FILE_NAME);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Failure::Usage(format!(
                    "{required}, or the credentials file of a local server's data directory \
                     (--data-dir): cannot read {}: {e}",
                    path.display()
                ))
            })?;
            let c = crate::credentials::parse(&text)
                .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            Ok(Credentials {
                access_key: c.access_key,
                secret_key: c.secret_key,
            })
        }
        _ => Err(Failure::Usage(required.into())),
    }
}

/// Whether an endpoint URL's host is this machine: `localhost` or a loopback address.
fn is_local(endpoint: &str) -> bool {
    let Ok(uri) = endpoint.parse::<http::Uri>() else {
        return false;
    };
    match uri.host() {
        Some(host) if host.eq_ignore_ascii_case("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
}

/// `BUCKET` or `BUCKET/PREFIX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    /// "" for the whole bucket.
    pub prefix: String,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, Failure> {
        let (bucket, prefix) = s.split_once('/').unwrap_or((s, ""));
        if bucket.is_empty() {
            return Err(Failure::Usage(format!(
                "the target {s:?} names no bucket (expected BUCKET or BUCKET/PREFIX)"
            )));
        }
        Ok(Target {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "{}", self.bucket)
        } else {
            write!(f, "{}/{}", self.bucket, self.prefix)
        }
    }
}

/// Why a command did not succeed; each maps to an exit code.
#[derive(Debug)]
pub enum Failure {
    /// A wrong command line (exit 2).
    Usage(String),
    /// The work failed (exit 1).
    Failed(String),
}

/// Exit codes: 0 done, 1 failed, 2 usage, 130 stopped by Ctrl-C.
pub fn exit(command: &str, result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(m)) => {
            eprintln!("strata {command}: error: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(m)) => {
            eprintln!("strata {command}: error: {m}");
            ExitCode::FAILURE
        }
    }
}

pub const EXIT_INTERRUPTED: u8 = 130;

/// `500ms`, `30s`, `5m`, `12h`, `7d`, `1w`, or sums such as `1h30m`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration (e.g. 500ms, 30s, 5m, 12h, 7d, 1h30m)");
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| bad());
    }
    // jiff's "friendly" duration format; days and weeks count as 24 and 168 hours.
    let span: jiff::Span = s.parse().map_err(|_| bad())?;
    let secs = span
        .total((
            jiff::Unit::Second,
            jiff::SpanRelativeTo::days_are_24_hours(),
        ))
        .map_err(|_| bad())?;
    Duration::try_from_secs_f64(secs).map_err(|_| bad())
}

/// `4096`, `4KiB`, `64MiB`, `1GiB` (powers of 1024; `K`, `M`, `G` too), `1KB`, `1MB` (powers
/// of 1000).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("{s:?} is not a size (e.g. 4KiB, 64MiB, 1MB, 4096)");
    let mut t = s.trim().to_owned();
    if !t.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(bad());
    }
    // `K`, `M`, `G` alone are powers of 1024 here (bytesize reads them as powers of 1000).
    if t.ends_with(['k', 'K', 'm', 'M', 'g', 'G']) {
        t.push_str("iB");
    }
    t.parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|_| bad())
}

/// A point in time: RFC 3339 (`2026-11-21T14:30:05Z`, `2026-11-21T15:30:05.5+01:00`) or
/// `@UNIX_SECONDS`. Unix milliseconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let bad =
        || format!("{s:?} is not a time (RFC 3339, e.g. 2026-11-21T14:30:05Z, or @UNIX_SECONDS)");
    let s = s.trim();
    if let Some(unix) = s.strip_prefix('@') {
        let secs: f64 = unix.parse().map_err(|_| bad())?;
        return Ok((secs * 1000.0).floor() as i64);
    }
    s.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| bad())
}

/// Unix milliseconds → `2026-11-21T14:30:05.123Z`.
pub fn format_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(strata_wire::date::iso8601_millis)
        .unwrap_or_else(|_| ms.to_string())
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A stop signal shared by the tasks of a command.
#[derive(Clone)]
pub struct Stop(Option<watch::Receiver<bool>>);

impl Stop {
    /// A stop signal raised by the first Ctrl-C. A second Ctrl-C exits at once (130).
    pub fn on_ctrl_c(command: &'static str) -> Stop {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            eprintln!(
                "strata {command}: stopping after the requests in flight (Ctrl-C again to abort)"
            );
            let _ = tx.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        });
        Stop(Some(rx))
    }

    /// A signal that is never raised.
    pub fn never() -> Stop {
        Stop(None)
    }

    pub fn is_stopped(&self) -> bool {
        self.0.as_ref().is_some_and(|rx| *rx.borrow())
    }

    /// Completes once the signal is raised (never, if it cannot be any more).
    pub async fn stopped(&self) {
        if let Some(rx) = &self.0 {
            let mut rx = rx.clone();
            if rx.wait_for(|s| *s).await.is_ok() {
                return;
            }
        }
        std::future::pending::<()>().await;
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub fn progress_bar(template: &str, show: bool) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(0), target);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Retry delays: 100 ms, 200 ms, 400 ms, … up to 5 s, with ±50 % jitter.
pub fn backoff(attempt: u32) -> Duration {
    let base = 100u64.saturating_mul(1 << attempt.min(6)).min(5_000);
    let jitter = base / 2;
    let r = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos() as u64)
        % (jitter * 2 + 1);
    Duration::from_millis(base - jitter + r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_endpoints() {
        for e in [
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://LOCALHOST",
            "http://[::1]:9000",
            "http://127.0.0.2:80",
        ] {
            assert!(is_local(e), "{e}");
        }
        for e in [
            "http://10.0.0.1:9000",
            "http://example.com",
            "http://localhost.example.com:9000",
            "http://[2001:db8::1]:9000",
            "not a url",
        ] {
            assert!(!is_local(e), "{e}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("-5s").is_err());
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("2 min"), Ok(Duration::from_secs(120)));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1MB"), Ok(1_000_000));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("KiB").is_err());
        assert!(parse_size("4XB").is_err());
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Ok(1_700_000_000_000));
        assert_eq!(
            parse_time("2023-11-14T23:13:20.5+01:00"),
            Ok(1_700_000_000_500)
        );
        assert_eq!(parse_time("@1700000000"), Ok(1_700_000_000_000));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(format_time(1_700_000_000_500), "2023-11-14T22:13:20.500Z");
    }

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("b/dir/x").unwrap(),
            Target {
                bucket: "b".into(),
                prefix: "dir/x".into()
            }
        );
        assert_eq!(Target::parse("b").unwrap().prefix, "");
        assert!(Target::parse("/x").is_err());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) <= Duration::from_millis(150));
        assert!(backoff(20) <= Duration::from_millis(7_500));
        assert!(backoff(3) >= Duration::from_millis(400));
    }
}
