//! `strata compact` against a real `strata serve`: the metadata file holding the bodies of
//! deleted objects (inline, 16 KiB and less) shrinks to a fraction of its peak, what was kept
//! is intact, and only the administrator may ask for it; `/metrics` counts the compaction.

mod common;

use common::{ACCESS_KEY, Run, SECRET_KEY, Server, admin_command, for_each, put_numbered, runtime};
use strata_client::Dialect;

static BODY: [u8; 12 * 1024] = [7; 12 * 1024];

/// `strata compact --endpoint …`, signed with `keys` from the environment (none: no keys).
fn compact(server: &Server, keys: Option<(&str, &str)>) -> Run {
    admin_command(server, &["compact"], keys)
}

/// The two sizes `strata compact` printed.
fn sizes(run: &Run) -> (u64, u64) {
    let line = run.line("metadata file compacted:");
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn compact_gives_the_space_of_deleted_objects_back() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    // No idle compaction: the test compacts itself.
    let server = Server::start_in(dir.path(), &["--compact-idle-after", "0"]);
    let meta = dir.path().join("data").join("meta.redb");
    let client = server.client(Dialect::S3);
    rt.block_on(async {
        client.create_bucket("compacted").await.unwrap();
        put_numbered(&client, "compacted", 1200, &BODY).await;
        let c = client.clone();
        // All but every 100th object deleted.
        for_each(1200, 16, move |i| {
            let c = c.clone();
            async move {
                if i % 100 == 0 {
                    return Ok(());
                }
                c.delete_object("compacted", &format!("k{i:05}"), None)
                    .await
            }
        })
        .await;
    });
    let peak = std::fs::metadata(&meta).unwrap().len();

    // Only the administrator.
    let run = compact(&server, None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let run = compact(
        &server,
        Some((ACCESS_KEY, "not-the-secret-key-000000000000000000000")),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("SignatureDoesNotMatch"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::metadata(&meta).unwrap().len(), peak);

    let run = compact(&server, Some((ACCESS_KEY, SECRET_KEY)));
    run.assert_success();
    let (before, after) = sizes(&run);
    let now = std::fs::metadata(&meta).unwrap().len();
    eprintln!("metadata file: {peak} bytes at the peak; compact said {before} -> {after}");
    assert_eq!((before, after), (peak, now));
    assert!(
        peak > 1200 * 12 * 1024,
        "the bodies did not fill the file: {peak}"
    );
    assert!(after * 4 < peak, "too little given back: {peak} -> {after}");

    rt.block_on(async {
        for i in (0..1200).step_by(100) {
            let body = client
                .get_object_bytes("compacted", &format!("k{i:05}"), None)
                .await
                .unwrap();
            assert_eq!(&body[..], &BODY[..]);
        }
        assert!(
            client
                .get_object_bytes("compacted", "k00001", None)
                .await
                .is_err()
        );
    });
}

#[test]
fn only_the_administrator_compacts_through_the_admin_api() {
    let rt = runtime();
    let server = Server::start();
    let admin = server.client(Dialect::S3);
    rt.block_on(async {
        let carol = admin
            .admin_add_user(&strata_client::NewUser {
                id: "carol".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let as_carol = server.client_as(Dialect::S3, &carol.access_key, &carol.secret_key);
        let e = as_carol.admin_compact().await.unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (Some(403), Some("AccessDenied")),
            "{e}"
        );
        let report = admin.admin_compact().await.unwrap();
        assert!(report.after <= report.before, "{report:?}");
        // Counted once as the administrator's, its duration a histogram, its bytes added.
        let metrics = scrape(&server.admin);
        let sample = |name: &str, labels: &[&str]| {
            metrics
                .lines()
                .filter_map(|l| l.strip_prefix(name))
                .filter(|rest| labels.iter().all(|label| rest.contains(label)))
                .map(|rest| rest.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
                .collect::<Vec<u64>>()
        };
        let admin_done = ["trigger=\"admin\"", "outcome=\"done\""];
        assert_eq!(sample("strata_compactions_total{", &admin_done), [1]);
        assert_eq!(
            sample("strata_compactions_total{", &["trigger=\"admin\""]),
            [1],
            "no other outcome of the administrator's: {metrics}"
        );
        assert_eq!(
            sample(
                "strata_compaction_duration_seconds_bucket{",
                &["trigger=\"admin\"", "le=\"+Inf\""]
            ),
            [1],
            "{metrics}"
        );
        // The idle task may have compacted too (it counts into the same total).
        let reclaimed = sample("strata_compaction_reclaimed_bytes_total ", &[]);
        assert!(
            reclaimed.len() == 1 && reclaimed[0] >= report.before - report.after,
            "{metrics}"
        );
    });
}

/// `GET /metrics` of the admin listener at `admin`.
fn scrape(admin: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(admin).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {admin}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}
