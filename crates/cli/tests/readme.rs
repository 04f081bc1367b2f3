//! The README's option tables stay true: every flag `strata serve --help` lists is in the
//! README's `strata serve` table, and every option the client commands share is in theirs.

mod serve_proc;

use serve_proc::{run, strata};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// The README's text from heading `start` to the next heading of the same level.
fn section<'a>(readme: &'a str, start: &str) -> &'a str {
    let at = readme
        .find(&format!("\n{start}\n"))
        .unwrap_or_else(|| panic!("no heading {start:?}"));
    let rest = &readme[at + start.len() + 2..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

/// The long flags a command's `--help` lists (each option's first line), without `--help`.
fn flags(args: &[&str]) -> Vec<String> {
    let (code, help, err) = run(&mut strata(args));
    assert_eq!(code, Some(0), "{err}");
    let flags: Vec<String> = help
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("-h, ").or(Some(l)))
        .filter(|l| l.starts_with("--"))
        .filter_map(|l| l.split([' ', ',', '=']).next())
        .filter(|f| *f != "--help")
        .map(str::to_owned)
        .collect();
    assert!(flags.len() > 5, "{help}");
    flags
}

/// Whether a table row of `section` starts with the flag (`| `--flag …`), or names it among
/// the first cell's flags (`| `--owner-id ID`, `--display-name NAME` |`).
fn in_table(section: &str, flag: &str) -> bool {
    section
        .lines()
        .filter(|l| l.starts_with("| "))
        .filter_map(|l| l.split(" | ").next())
        .any(|cell| {
            cell.split('`')
                .any(|code| code.split(' ').next() == Some(flag))
        })
}

#[test]
fn every_serve_flag_is_in_the_readmes_serve_table() {
    let readme = readme();
    let table = section(&readme, "## `strata serve`");
    let missing: Vec<String> = flags(&["serve", "--help"])
        .into_iter()
        .filter(|f| !in_table(table, f))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the README's serve table: {missing:?}"
    );
    // The check can fail: a flag that does not exist is not found.
    assert!(!in_table(table, "--no-such-flag"));
}

#[test]
fn every_shared_client_option_is_in_the_readmes_client_table() {
    let readme = readme();
    let table = section(
        &readme,
        "## Client commands: `strata rm`, `strata restore`, `strata bench`, `strata lifecycle preview`",
    );
    let shared = [
        "--endpoint",
        "--dialect",
        "--access-key",
        "--secret-key",
        "--region",
        "--data-dir",
    ];
    for command in ["rm", "restore", "bench"] {
        let flags = flags(&[command, "--help"]);
        for f in shared {
            assert!(
                flags.iter().any(|g| g == f),
                "{command} has no {f}: {flags:?}"
            );
            assert!(
                in_table(table, f),
                "{f} is not in the README's client table"
            );
        }
    }
}

/// The README's example configuration file is accepted as it is (its addresses and data
/// directory overridden by flags, which win), and its `log_format = "json"` is used.
#[test]
fn the_readmes_configuration_file_works() {
    let readme = readme();
    let text = section(&readme, "## `strata serve`");
    let at = text
        .find("### Configuration file")
        .expect("a configuration file section");
    let toml = text[at..]
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block");
    assert!(toml.contains("log_format = \"json\""), "{toml}");
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("strata.toml");
    std::fs::write(&config, toml).unwrap();
    let mut cmd = strata(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    cmd.arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(tmp.path().join("data"));
    let server = serve_proc::Serve::start(cmd, &tmp.path().join("stderr"));
    let log = server.stderr();
    let first = log
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no log: {log}"));
    let line: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(line["level"], "INFO", "{line}");
}
