//! `strata rm|restore|bench` (and the administrator's `strata user` and `strata compact`) with no keys given, against a local server started without keys:
//! they sign with the key pair it saved in its data directory's `credentials` file (by default
//! `./strata-data`). A remote endpoint gets no such keys.

mod serve_proc;

use bytes::Bytes;
use serve_proc::{Serve, run, strata};
use std::path::Path;
use strata_client::{Client, Config, Credentials, Dialect};

/// A server without keys over `dir/strata-data`: it generates and saves its key pair.
fn start(dir: &Path) -> Serve {
    let mut cmd = strata(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
    ]);
    cmd.arg("--data-dir").arg(dir.join("strata-data"));
    let server = Serve::start(cmd, &dir.join("stderr"));
    assert!(
        server
            .stdout
            .iter()
            .any(|l| l.contains("generated new credentials")),
        "{:?}",
        server.stdout
    );
    server
}

/// A client with the saved keys (read here as a user would: the file's two lines).
fn saved_client(server: &Serve, data: &Path) -> Client {
    let text = std::fs::read_to_string(data.join("credentials")).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().strip_prefix('='))
            .unwrap()
            .trim()
            .to_owned()
    };
    Client::new(Config {
        endpoint: server.endpoint(),
        dialect: Dialect::S3,
        credentials: Credentials {
            access_key: value("access_key"),
            secret_key: value("secret_key"),
        },
        region: None,
    })
    .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn rm_restore_and_bench_use_the_local_servers_saved_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let data = tmp.path().join("strata-data");
    let client = saved_client(&server, &data);
    block_on(async {
        client.create_bucket("mine").await.unwrap();
        for key in ["a/1", "a/2", "b/1"] {
            client
                .put_object("mine", key, Bytes::from_static(b"x"))
                .await
                .unwrap();
        }
    });
    let endpoint = server.endpoint();

    // rm, from the directory holding ./strata-data, with no --data-dir: the default.
    let (code, out, err) =
        run(strata(&["rm", "mine/a/", "--endpoint", &endpoint]).current_dir(tmp.path()));
    assert_eq!(code, Some(0), "{out}\n{err}");
    block_on(async {
        assert!(client.head_object("mine", "a/1", None).await.is_err());
        assert!(client.head_object("mine", "b/1", None).await.is_ok());
    });

    // restore and bench, from elsewhere, with --data-dir.
    let (code, out, err) = run(strata(&[
        "restore",
        "mine/a/",
        "--as-of",
        "@0",
        "--dry-run",
        "--endpoint",
        &endpoint,
    ])
    .arg("--data-dir")
    .arg(&data));
    assert_eq!(code, Some(0), "{out}\n{err}");
    let (code, out, err) = run(strata(&[
        "bench",
        "mine/bench/",
        "--mode",
        "put",
        "--count",
        "10",
        "-c",
        "2",
        "--endpoint",
        &endpoint,
    ])
    .arg("--data-dir")
    .arg(&data));
    assert_eq!(code, Some(0), "{out}\n{err}");
}

/// The administrator's commands take the same keys: a server that generated its key pair
/// made it the administrator's.
#[test]
fn user_and_compact_use_the_local_servers_saved_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let endpoint = server.endpoint();
    let (code, out, err) =
        run(strata(&["user", "list", "--endpoint", &endpoint]).current_dir(tmp.path()));
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("administrator"), "{out}");
    let (code, out, err) = run(strata(&["compact", "--endpoint", &endpoint])
        .arg("--data-dir")
        .arg(tmp.path().join("strata-data")));
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("bytes before"), "{out}");
    // Elsewhere, without the directory, the keys are asked for.
    let (code, _, err) =
        run(strata(&["compact", "--endpoint", &endpoint])
            .current_dir(tmp.path().join("strata-data")));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the administrator's credentials are required"),
        "{err}"
    );
}

#[test]
fn without_keys_or_a_credentials_file_the_command_line_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    // Local endpoint, but no ./strata-data here.
    let (code, _, err) =
        run(strata(&["rm", "mine", "--endpoint", "http://127.0.0.1:9"]).current_dir(tmp.path()));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("credentials are required"), "{err}");
    assert!(err.contains("strata-data/credentials"), "{err}");

    // A remote endpoint never uses a local file, even when there is one.
    let data = tmp.path().join("strata-data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("credentials"),
        "access_key = AKIDLOCAL00000000001\nsecret_key = localsecret\n",
    )
    .unwrap();
    let (code, _, err) =
        run(strata(&["rm", "mine", "--endpoint", "http://192.0.2.1:9000"]).current_dir(tmp.path()));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("credentials are required"), "{err}");
    assert!(!err.contains("strata-data"), "{err}");
}
