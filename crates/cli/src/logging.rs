//! Logs: lines on stderr, as text (coloured only when stderr is a terminal) or as JSON (one
//! object per line), filtered by a level or tracing-subscriber's filter directives.
//!
//! Each request served is one line of target `strata_api::request` (written by strata-api's
//! server), at `info` when answered with success, `warn` for a 4xx answer and `error` for a 5xx
//! one; `--request-log errors` keeps only the last two, `off` none.

use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// `TIME LEVEL TARGET: message field=value …`
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the fields.
    Json,
}

/// Which requests get a log line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestLog {
    /// Every request.
    All,
    /// Requests answered with an error status (4xx, 5xx).
    Errors,
    /// None.
    Off,
}

/// The serve options about logs.
#[derive(clap::Args, Debug, Clone)]
pub struct LogArgs {
    /// How log lines are written to stderr: `text` (coloured only when stderr is a terminal)
    /// or `json` (one object per line).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Which log lines are written: a level (`error`, `warn`, `info`, `debug`, `trace`) or
    /// filter directives such as `strata_api=debug,info`.
    #[arg(
        long,
        value_name = "FILTER",
        env = "RUST_LOG",
        default_value = "info",
        value_parser = parse_filter
    )]
    pub log_level: String,

    /// Which requests get a log line: `all`, `errors` (answers with a 4xx or 5xx status) or
    /// `off` (for benchmarks: a line per request is about 350 bytes).
    #[arg(long, value_name = "WHICH", value_enum, default_value_t = RequestLog::All)]
    pub request_log: RequestLog,
}

fn parse_filter(s: &str) -> Result<String, String> {
    EnvFilter::builder()
        .parse(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

/// The filter `strata serve` logs with.
fn serve_filter(args: &LogArgs) -> EnvFilter {
    let requests = match args.request_log {
        RequestLog::All => "",
        RequestLog::Errors => ",strata_api::request=warn",
        RequestLog::Off => ",strata_api::request=off",
    };
    // `log_level` has been parsed by `parse_filter`: nothing is lost.
    EnvFilter::builder().parse_lossy(format!("{}{requests}", args.log_level))
}

/// Logs of `strata serve`, as its options say.
pub fn init_serve(args: &LogArgs) {
    init(serve_filter(args), args.log_format);
}

/// Logs of the client commands: text, filtered by `RUST_LOG` (default `info`).
pub fn init_client() {
    let filter = EnvFilter::builder()
        .with_default_directive(tracing_subscriber::filter::LevelFilter::INFO.into())
        .from_env_lossy();
    init(filter, LogFormat::Text);
}

fn init(filter: EnvFilter, format: LogFormat) {
    let terminal = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal);
    match format {
        LogFormat::Text if terminal => builder.init(),
        LogFormat::Text => {
            use tracing_subscriber::field::MakeExt as _;
            builder
                .fmt_fields(tracing_subscriber::fmt::format::debug_fn(plain_field).delimited(" "))
                .init()
        }
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// One field of a text line without colours: the message bare, any other field `name=value`
/// with the value in its `Debug` form (strings quoted and escaped), as tracing-subscriber's
/// default writes them. That default wraps each name and `=` in a style even when colours are
/// off, which cost a request's log line about a third of its formatting (callgrind, 8k of 23k
/// instructions), so lines for files and pipes are written here.
fn plain_field(
    w: &mut tracing_subscriber::fmt::format::Writer<'_>,
    field: &tracing::field::Field,
    value: &dyn std::fmt::Debug,
) -> std::fmt::Result {
    use std::fmt::Write as _;
    let name = field.name();
    if name.starts_with("log.") {
        return Ok(());
    }
    if name != "message" {
        return write!(w, "{}={value:?}", name.strip_prefix("r#").unwrap_or(name));
    }
    // A message may carry a client's text: control characters (a terminal's escape
    // sequences, line breaks that would forge a line) are written escaped.
    let mut message = String::new();
    write!(message, "{value:?}")?;
    if !message.chars().any(char::is_control) {
        return w.write_str(&message);
    }
    for c in message.chars() {
        if c.is_control() {
            write!(w, "{}", c.escape_default())?;
        } else {
            w.write_char(c)?;
        }
    }
    Ok(())
}
