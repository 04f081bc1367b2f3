//! `strata serve --config FILE` on the real binary: the file's keys set options, flags and the
//! environment win over it, an unknown key or a bad value is one line naming the key, and a
//! start that fails on its addresses or its file leaves no data directory behind.

mod serve_proc;

use serve_proc::{Serve, run, strata};
use std::path::Path;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// The file's `data_dir`, `listen`, `admin_listen` and keys are used (and its other values
/// accepted).
#[test]
fn the_file_sets_the_options() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("from-file");
    let config = tmp.path().join("strata.toml");
    write(
        &config,
        &format!(
            "data_dir = {:?}\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n\
             access_key = \"AKIDFROMTHEFILE00001\"\nsecret_key = \"secretFromTheFile000000000000000000000001\"\n\
             min_free_bytes = 1024\nlifecycle_day = 60\ndomain = [\"s3.example.test\"]\n",
            data.display().to_string()
        ),
    );
    let server = Serve::start(
        {
            let mut c = strata(&["serve", "--config"]);
            c.arg(&config);
            c
        },
        &tmp.path().join("stderr"),
    );
    assert_eq!(server.data, data.display().to_string());
    assert!(data.is_dir());
    // The keys came from the file: nothing generated, nothing printed.
    assert!(!data.join("credentials").exists());
    assert!(
        server.stdout.iter().all(|l| !l.contains("generated")),
        "{:?}",
        server.stdout
    );
    let log = server.stderr();
    assert!(log.contains("AKIDFROMTHEFILE00001"), "{log}");
}

/// Flags win over the file; the environment wins over the file.
#[test]
fn flags_and_environment_win_over_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let from_file = tmp.path().join("from-file");
    let from_flag = tmp.path().join("from-flag");
    let config = tmp.path().join("strata.toml");
    write(
        &config,
        &format!(
            "data_dir = {:?}\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n\
             access_key = \"AKIDFROMTHEFILE00001\"\nsecret_key = \"secretFromTheFile000000000000000000000001\"\n\
             log_level = \"off\"\n",
            from_file.display().to_string()
        ),
    );
    let mut cmd = strata(&["serve", "--config"]);
    cmd.arg(&config)
        .arg("--data-dir")
        .arg(&from_flag)
        .env("STRATA_ACCESS_KEY", "AKIDFROMTHEENV000001")
        .env(
            "STRATA_SECRET_KEY",
            "secretFromTheEnv0000000000000000000000001",
        )
        .env("RUST_LOG", "info");
    let server = Serve::start(cmd, &tmp.path().join("stderr"));
    assert_eq!(server.data, from_flag.display().to_string());
    assert!(from_flag.is_dir());
    assert!(!from_file.exists());
    let log = server.stderr();
    assert!(log.contains("AKIDFROMTHEENV000001"), "{log}");
    assert!(!log.contains("AKIDFROMTHEFILE00001"), "{log}");
}

/// The file's `log_level` applies when neither `--log-level` nor `RUST_LOG` is given.
#[test]
fn the_files_log_level_applies_without_flag_or_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("strata.toml");
    write(
        &config,
        "listen = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\nlog_level = \"warn\"\n",
    );
    let mut cmd = strata(&["serve", "--config"]);
    cmd.arg(&config)
        .arg("--data-dir")
        .arg(tmp.path().join("data"));
    let server = Serve::start(cmd, &tmp.path().join("stderr"));
    serve_proc::http(&server.addr, "GET", "/", b"");
    let log = server.stderr();
    assert!(
        !log.contains("serving:"),
        "info lines are filtered out: {log}"
    );
    assert!(log.contains("status=403"), "a 403 is a warning: {log}");
}

/// A bad file stops the start with one line naming the key (exit 2), before anything exists.
#[test]
fn an_unknown_key_or_a_bad_value_is_one_line_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (text, want)) in [
        (
            "listen = \"127.0.0.1:0\"\nlisen = \"x\"\n",
            "unknown key `lisen`",
        ),
        (
            "min_free_bytes = \"lots\"\n",
            "key `min_free_bytes`: invalid value \"lots\"",
        ),
        (
            "header_timeout = \"soon\"\n",
            "key `header_timeout`: invalid value \"soon\"",
        ),
        (
            "log_format = \"xml\"\n",
            "key `log_format`: invalid value \"xml\" (expected one of: text, json)",
        ),
        (
            "aws_2023_defaults = \"yes\"\n",
            "key `aws_2023_defaults`: expected true or false",
        ),
        (
            "lifecycle_day = 0\n",
            "key `lifecycle_day`: invalid value \"0\"",
        ),
        (
            "access_key = \"has space\"\n",
            "key `access_key`: invalid value \"has space\"",
        ),
        (
            "listen = [\"127.0.0.1:0\"]\n",
            "key `listen`: expected one value",
        ),
        (
            "listen = \"127.0.0.1:0\"\nlisten = \"127.0.0.1:1\"\n",
            "line 2: ",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let config = tmp.path().join(format!("bad{i}.toml"));
        write(&config, text);
        let data = tmp.path().join(format!("data{i}"));
        let mut cmd = strata(&["serve", "--admin-listen", "127.0.0.1:0", "--config"]);
        cmd.arg(&config).arg("--data-dir").arg(&data);
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, Some(2), "{text}: {err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{text}: {err}");
        let prefix = format!("strata: error: config file {}: {want}", config.display());
        assert!(err.starts_with(&prefix), "{text}:\n{err}\nwanted: {prefix}");
        assert!(!data.exists(), "{text}");
    }
}

#[test]
fn a_missing_config_file_is_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("absent.toml");
    let data = tmp.path().join("data");
    let mut cmd = strata(&["serve", "--config"]);
    cmd.arg(&config).arg("--data-dir").arg(&data);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot read it"), "{err}");
    assert!(!data.exists());
}

/// A listen or admin address that does not parse or cannot be bound: one line, and the data
/// directory is never created.
#[test]
fn a_bad_address_leaves_no_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    for (i, (listen, admin)) in [
        ("not-an-address", "127.0.0.1:0"),
        ("127.0.0.1:99999", "127.0.0.1:0"),
        (taken.as_str(), "127.0.0.1:0"),
        ("127.0.0.1:0", "nonsense"),
        ("127.0.0.1:0", taken.as_str()),
    ]
    .into_iter()
    .enumerate()
    {
        let data = tmp.path().join(format!("data{i}"));
        let mut cmd = strata(&["serve", "--listen", listen, "--admin-listen", admin]);
        cmd.arg("--data-dir").arg(&data);
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, Some(1), "{listen} {admin}: {err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let bad = if admin == "127.0.0.1:0" {
            listen
        } else {
            admin
        };
        assert!(
            err.starts_with(&format!("strata: error: cannot listen on {bad}: ")),
            "{err}"
        );
        assert!(
            !data.exists(),
            "{listen} {admin} created {}",
            data.display()
        );
    }
}

/// A second server on the same data directory and address: the address is taken, but what the
/// error names is the data directory in use.
#[test]
fn a_second_server_on_the_same_directory_and_address_names_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut cmd = strata(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    cmd.arg("--data-dir").arg(&data);
    let first = Serve::start(cmd, &tmp.path().join("stderr"));

    let mut cmd = strata(&[
        "serve",
        "--listen",
        &first.addr,
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    cmd.arg("--data-dir").arg(&data);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("already in use by another process"), "{err}");
    assert!(err.contains(&data.display().to_string()), "{err}");
}
