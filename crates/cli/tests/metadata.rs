//! `strata serve --metadata`: a location that is not a PostgreSQL URL is refused; with one,
//! the server keeps its metadata in that database (no redb file in the data directory) and
//! finds it again after being killed.

mod common;

use bytes::Bytes;
use common::{Server, runtime};
use std::process::{Command, Stdio};
use strata_client::Dialect;

#[test]
fn a_metadata_location_that_is_not_postgres_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args(["--metadata", "mysql://127.0.0.1/strata"])
        .env_remove("STRATA_METADATA")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("postgres://"), "{stderr}");
    assert!(!dir.path().join("data/meta.redb").exists());
}

#[test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG=postgres://USER@HOST:PORT/"]
fn metadata_in_postgres_survives_a_kill() {
    let db = common::pg::Database::create();
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let body = Bytes::from(vec![7u8; 100_000]);
    let rt = runtime();
    {
        let s = Server::start_in(dir.path(), &["--metadata", &url]);
        let c = s.client(Dialect::S3);
        rt.block_on(async {
            c.create_bucket("bkt").await.unwrap();
            c.put_object("bkt", "big", body.clone()).await.unwrap();
            c.put_object("bkt", "small", Bytes::from_static(b"hi"))
                .await
                .unwrap();
        });
        // Dropping the server kills it (SIGKILL).
    }
    assert!(!dir.path().join("data/meta.redb").exists());
    let s = Server::start_in(dir.path(), &["--metadata", &url]);
    let c = s.client(Dialect::Oss);
    rt.block_on(async {
        assert_eq!(c.get_object_bytes("bkt", "big", None).await.unwrap(), body);
        assert_eq!(
            c.get_object_bytes("bkt", "small", None).await.unwrap(),
            Bytes::from_static(b"hi")
        );
    });
    drop(s);
    drop(db);
}
