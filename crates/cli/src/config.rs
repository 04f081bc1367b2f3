//! `strata serve --config FILE`: a TOML file of serve options, one key per flag, named as the
//! flag with `_` for `-` (`data_dir`, `listen`, `admin_listen`, `min_free_bytes`, `domain`, …).
//!
//! Precedence: flags, then the environment, then the file, then the defaults. The file is read
//! after a first parse of the command line; each of its keys whose option clap took from its
//! default (or that is absent) becomes one more `--flag=value` argument, and the command line
//! is parsed again. Every key is so checked by the same value parser as its flag, and every
//! serve option (also ones added later) is a key without a second list of options to keep in
//! step. An unknown key or a bad value is a one-line error naming the key.

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use std::ffi::OsString;
use std::path::Path;

/// Why the configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("config file {path}: {reason}")]
pub struct ConfigError {
    pub path: String,
    pub reason: String,
}

/// The arguments the file adds to the command line of `serve` (`serve`'s own command, built, and
/// its matches from the command line and environment alone).
pub fn file_args(
    path: &Path,
    serve: &Command,
    matches: &ArgMatches,
) -> Result<Vec<OsString>, ConfigError> {
    let err = |reason: String| ConfigError {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read it: {e}")))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| err(syntax_error(&text, &e)))?;
    let mut args = Vec::new();
    for (key, value) in &table {
        let at = |reason: String| err(format!("key `{key}`: {reason}"));
        let arg = serve
            .get_arguments()
            .find(|a| {
                a.get_long()
                    .is_some_and(|l| l != "config" && l != "help" && l.replace('-', "_") == *key)
            })
            .ok_or_else(|| {
                err(format!(
                    "unknown key `{key}` (keys are serve's options, as `data_dir` for --data-dir)"
                ))
            })?;
        let long = arg.get_long().unwrap_or_default();
        if matches!(
            matches.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        if !arg.get_action().takes_values() {
            match value {
                toml::Value::Boolean(true) => args.push(OsString::from(format!("--{long}"))),
                toml::Value::Boolean(false) => {}
                other => {
                    return Err(at(format!(
                        "expected true or false, not {}",
                        other.type_str()
                    )));
                }
            }
            continue;
        }
        let repeatable = matches!(arg.get_action(), clap::ArgAction::Append);
        let values = match value {
            toml::Value::Array(items) if repeatable => items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?,
            toml::Value::Array(_) => return Err(at("expected one value, not an array".into())),
            other => vec![scalar(other).map_err(at)?],
        };
        for v in values {
            let flag = OsString::from(format!("--{long}={v}"));
            // The value alone through its flag's parser (clap's own checks, nothing else).
            serve
                .clone()
                .try_get_matches_from([OsString::from(serve.get_name()), flag.clone()])
                .map_err(|e| at(clap_reason(&v, &e)))?;
            args.push(flag);
        }
    }
    Ok(args)
}

/// A value as its flag would take it: strings as they are, numbers written out.
fn scalar(value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        other => Err(format!(
            "expected a string or a number, not {}",
            other.type_str()
        )),
    }
}

/// A clap error about one value, in one line.
fn clap_reason(value: &str, e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    if let Some(source) = std::error::Error::source(e) {
        return format!("invalid value {value:?}: {source}");
    }
    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
        return format!(
            "invalid value {value:?} (expected one of: {})",
            valid.join(", ")
        );
    }
    first_line(&e.to_string())
}

/// TOML's syntax error in one line, with its line number.
fn syntax_error(text: &str, e: &toml::de::Error) -> String {
    let message = first_line(e.message());
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(s)
        .trim_start_matches("error: ")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn serve() -> Command {
        let mut cmd = Command::new("serve")
            .arg(Arg::new("config").long("config"))
            .arg(
                Arg::new("listen")
                    .long("listen")
                    .default_value("127.0.0.1:9000"),
            )
            .arg(
                Arg::new("min_free_bytes")
                    .long("min-free-bytes")
                    .value_parser(clap::value_parser!(u64))
                    .default_value("1"),
            )
            .arg(Arg::new("domains").long("domain").action(ArgAction::Append))
            .arg(
                Arg::new("flag")
                    .long("some-flag")
                    .action(ArgAction::SetTrue),
            );
        cmd.build();
        cmd
    }

    fn run(toml: &str, argv: &[&str]) -> Result<Vec<OsString>, String> {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("strata.toml");
        std::fs::write(&path, toml).unwrap();
        let cmd = serve();
        let matches = cmd
            .clone()
            .try_get_matches_from(std::iter::once("serve").chain(argv.iter().copied()))
            .unwrap();
        file_args(&path, &cmd, &matches).map_err(|e| e.reason)
    }

    #[test]
    fn keys_become_flags_unless_given_on_the_command_line() {
        let got = run(
            "listen = \"0.0.0.0:1\"\nmin_free_bytes = 5\ndomain = [\"a\", \"b\"]\nsome_flag = true\n",
            &["--listen", "127.0.0.1:2"],
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "--domain=a",
                "--domain=b",
                "--min-free-bytes=5",
                "--some-flag"
            ]
            .map(OsString::from)
            .to_vec()
        );
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = run("listen = \"x\"\nlisen = \"y\"\n", &[]).unwrap_err();
        assert!(e.starts_with("unknown key `lisen`"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = run("config = \"other.toml\"\n", &[]).unwrap_err();
        assert!(e.starts_with("unknown key `config`"), "{e}");
    }

    #[test]
    fn a_bad_value_is_named_in_one_line() {
        for (toml, want) in [
            (
                "min_free_bytes = \"lots\"\n",
                "key `min_free_bytes`: invalid value \"lots\"",
            ),
            (
                "min_free_bytes = -1\n",
                "key `min_free_bytes`: invalid value \"-1\"",
            ),
            (
                "some_flag = \"yes\"\n",
                "key `some_flag`: expected true or false",
            ),
            ("listen = [\"a\"]\n", "key `listen`: expected one value"),
            (
                "listen = true\n",
                "key `listen`: expected a string or a number",
            ),
        ] {
            let e = run(toml, &[]).unwrap_err();
            assert!(e.starts_with(want), "{toml}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let e = run("listen = \"x\"\n\nmin_free_bytes = = 3\n", &[]).unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }
}
