//! `strata user add | list | remove | rotate-key` against a real `strata serve`: the keys it
//! prints sign at once, removal and rotation refuse the old keys at once, only the
//! administrator may use it, and what it stores survives a restart.

mod common;

use common::{ACCESS_KEY, Run, SECRET_KEY, Server, admin_command, runtime};
use strata_client::{Client, Dialect};

/// `strata user ARGS… --endpoint …`, signed with `keys` from the environment (none: no keys).
fn user(server: &Server, args: &[&str], keys: Option<(&str, &str)>) -> Run {
    admin_command(server, &[&["user"], args].concat(), keys)
}

fn admin(server: &Server, args: &[&str]) -> Run {
    user(server, args, Some((ACCESS_KEY, SECRET_KEY)))
}

/// The value after `label:` in the output of `add` or `rotate-key`.
fn field(run: &Run, label: &str) -> String {
    run.line(&format!("{label}:"))
        .split_once(':')
        .map(|(_, v)| v.trim().to_owned())
        .unwrap()
}

/// The rows of `user list` (without its header), as whitespace-split cells.
fn rows(run: &Run) -> Vec<Vec<String>> {
    let mut lines = run.stdout.lines();
    let header = lines.next().expect("a header");
    assert!(header.starts_with("ACCESS KEY"), "{header}");
    lines
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

async fn can_write(client: &Client, bucket: &str) -> Result<(), strata_client::Error> {
    client
        .put_object(bucket, "k", bytes::Bytes::from_static(b"x"))
        .await
        .map(|_| ())
}

#[test]
fn users_are_added_listed_rotated_and_removed() {
    let rt = runtime();
    let server = Server::start();

    let run = admin(&server, &["list"]);
    run.assert_success();
    assert_eq!(
        rows(&run),
        [vec![
            ACCESS_KEY.to_owned(),
            ACCESS_KEY.to_owned(),
            ACCESS_KEY.to_owned(),
            "(administrator)".to_owned()
        ]]
    );

    let run = admin(
        &server,
        &["add", "--id", "carol", "--display-name", "Carol"],
    );
    run.assert_success();
    let (carol_key, carol_secret) = (field(&run, "access key"), field(&run, "secret key"));
    assert_eq!((carol_key.len(), carol_secret.len()), (20, 40));
    assert_eq!(field(&run, "owner ID"), "carol");
    // The keys printed sign at once, in every dialect.
    for d in Dialect::ALL {
        let carol = server.client_as(d, &carol_key, &carol_secret);
        let bucket = format!("carol-{d}");
        rt.block_on(async {
            carol.create_bucket(&bucket).await.unwrap();
            can_write(&carol, &bucket).await.unwrap();
        });
    }

    let run = admin(
        &server,
        &[
            "add",
            "--id",
            "dave",
            "--access-key",
            "DAVEKEY",
            "--secret-key",
            "dave-secret",
        ],
    );
    run.assert_success();
    assert_eq!(field(&run, "access key"), "DAVEKEY");
    assert_eq!(field(&run, "secret key"), "dave-secret");
    let run = admin(
        &server,
        &[
            "add",
            "--id",
            "x",
            "--access-key",
            "DAVEKEY",
            "--secret-key",
            "s",
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("UserAlreadyExists"), "{}", run.stderr);
    // Keys come in pairs.
    let run = admin(&server, &["add", "--id", "x", "--access-key", "K"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);

    let run = admin(&server, &["list"]);
    run.assert_success();
    let listed: Vec<String> = rows(&run).into_iter().map(|r| r[0].clone()).collect();
    let mut expected = vec![carol_key.clone(), "DAVEKEY".to_owned()];
    expected.sort();
    assert_eq!(listed[0], ACCESS_KEY);
    assert_eq!(listed[1..], expected);
    assert!(!run.stdout.contains(&carol_secret) && !run.stdout.contains("dave-secret"));

    // Rotation: the old secret is refused at once, the new one signs.
    let run = admin(&server, &["rotate-key", &carol_key]);
    run.assert_success();
    let new_secret = field(&run, "secret key");
    assert_ne!(new_secret, carol_secret);
    assert_eq!(field(&run, "access key"), carol_key);
    rt.block_on(async {
        let old = server.client_as(Dialect::S3, &carol_key, &carol_secret);
        let e = can_write(&old, "carol-s3").await.unwrap_err();
        assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
        let new = server.client_as(Dialect::S3, &carol_key, &new_secret);
        can_write(&new, "carol-s3").await.unwrap();
    });

    // Removal: refused at once; removing again is an error.
    let dave = server.client_as(Dialect::S3, "DAVEKEY", "dave-secret");
    rt.block_on(async { dave.create_bucket("daves").await.unwrap() });
    admin(&server, &["remove", "DAVEKEY"]).assert_success();
    rt.block_on(async {
        let e = can_write(&dave, "daves").await.unwrap_err();
        assert_eq!(e.code(), Some("InvalidAccessKeyId"), "{e}");
    });
    let run = admin(&server, &["remove", "DAVEKEY"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("NoSuchUser"), "{}", run.stderr);
    let run = admin(&server, &["rotate-key", ACCESS_KEY]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("AdministratorKey"), "{}", run.stderr);

    // Only the administrator may use it.
    let run = user(&server, &["list"], Some((&carol_key, &new_secret)));
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("403 AccessDenied"), "{}", run.stderr);
    let run = user(&server, &["list"], None);
    assert_eq!(run.code, Some(2), "no credentials: {}", run.stderr);
}

#[test]
fn users_survive_a_restart_and_the_users_file_wins() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.toml");
    std::fs::write(
        &file,
        "[[user]]\naccess_key = \"FILEKEY\"\nsecret_key = \"file-secret\"\nid = \"filer\"\n",
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let (key, secret, rotated) = {
        let server = Server::start_in(dir.path(), &["--users", file_arg]);
        let run = admin(&server, &["add", "--id", "erin"]);
        run.assert_success();
        let (key, secret) = (field(&run, "access key"), field(&run, "secret key"));
        let erin = server.client_as(Dialect::Oss, &key, &secret);
        rt.block_on(async {
            erin.create_bucket("erins").await.unwrap();
            can_write(&erin, "erins").await.unwrap();
        });
        let run = admin(&server, &["rotate-key", "FILEKEY"]);
        run.assert_success();
        (key, secret, field(&run, "secret key"))
    };
    let server = Server::start_in(dir.path(), &["--users", file_arg]);
    let run = admin(&server, &["list"]);
    run.assert_success();
    let listed: Vec<Vec<String>> = rows(&run);
    assert!(
        listed.iter().any(|r| r[0] == key && r[1] == "erin"),
        "{}",
        run.stdout
    );
    assert!(
        listed.iter().any(|r| r[0] == "FILEKEY" && r[1] == "filer"),
        "{}",
        run.stdout
    );
    rt.block_on(async {
        // The user added through the admin API is still there, with its bucket.
        let erin = server.client_as(Dialect::Bos, &key, &secret);
        can_write(&erin, "erins").await.unwrap();
        // The file's secret holds again after the restart; the rotated one does not.
        let filer = server.client_as(Dialect::S3, "FILEKEY", "file-secret");
        filer.create_bucket("filers").await.unwrap();
        let stale = server.client_as(Dialect::S3, "FILEKEY", &rotated);
        let e = can_write(&stale, "filers").await.unwrap_err();
        assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
    });
}
