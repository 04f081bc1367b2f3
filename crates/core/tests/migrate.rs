//! `strata migrate`'s engine (`meta::migrate`): an embedded store holding every kind of
//! record (versioned, suspended and unversioned buckets, delete markers, null versions,
//! multipart uploads in progress and completed, users, lifecycle, CORS and tag settings, a
//! reclaim backlog) is copied into PostgreSQL; then the PostgreSQL engine reads exactly what
//! the redb engine reads (every table through the engines' own read methods), and a store over
//! PostgreSQL on the same data directory serves exactly what the embedded store served:
//! every listing, every version's metadata and body, uploads and parts, settings, users,
//! counts and `fsck`. Refusals: no store, a store in use, a target that is not fresh (one a
//! gateway has opened included).
//!
//! Needs a PostgreSQL server (`STRATA_TEST_PG`, see `common/pg.rs`); `scripts/test-pg` runs it.

mod common;

use common::*;
use std::path::Path;
use strata_core::cors::{Config, Method, Rule as CorsRule};
use strata_core::lifecycle::{Expiration, Filter, Rule};
use strata_core::meta::migrate::{MigrateError, Table, migrate};
use strata_core::meta::pg_store::PgMeta;
use strata_core::meta::redb_store::RedbMeta;
use strata_core::meta::*;
use strata_core::tagging::{TagRules, Tags};
use strata_core::*;

/// A blob ID queued for reclaim that no file has (the reclaimer forgets it).
const BACKLOG_BLOB: u64 = u64::MAX - 7;

async fn open_store(dir: &Path, metadata: Option<String>) -> Store {
    Store::open(
        dir,
        StoreOptions {
            inline_max: 64,
            metadata,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn tags(pairs: &[(&str, &str)], rules: &TagRules) -> Tags {
    let pairs = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Tags::checked(pairs, rules).unwrap()
}

async fn put_tagged(s: &Store, bucket: &str, key: &str, data: &[u8], t: Tags) {
    let new = NewObject {
        tags: t,
        ..Default::default()
    };
    s.put_object_if(
        bucket,
        key,
        new,
        Expect::default(),
        Precondition::default(),
        body(data),
    )
    .await
    .unwrap();
}

/// Parts of these sizes uploaded to a new upload of `key`; completed when `complete`.
async fn multipart(s: &Store, bucket: &str, key: &str, sizes: &[usize], complete: bool) {
    let id = s
        .create_multipart_upload(bucket, key, ObjectMeta::default())
        .await
        .unwrap();
    let mut etags = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        let n = i as u32 + 1;
        let out = s
            .upload_part(
                bucket,
                key,
                &id,
                n,
                Expect::default(),
                body(&data(size, n as u8)),
            )
            .await
            .unwrap();
        etags.push((n, out.etag));
    }
    if complete {
        s.complete_multipart_upload(
            bucket,
            key,
            &id,
            etags,
            0,
            Expect::default(),
            Precondition::default(),
        )
        .await
        .unwrap();
    }
}

/// Every kind of record the store keeps.
async fn fill(s: &Store) {
    s.create_bucket("versioned", "owner-1").await.unwrap();
    s.set_versioning("versioned", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.create_bucket("suspended", "owner-1").await.unwrap();
    s.set_versioning("suspended", VersioningStatus::Enabled)
        .await
        .unwrap();
    s.create_bucket("plain", "").await.unwrap();
    let keys = ["a", "a/b", "a/b/c", "é", "z\u{10ffff}"];
    for (i, key) in keys.iter().enumerate() {
        for round in 0..3u8 {
            // Inline (≤ 64 bytes) and file bodies.
            let len = [10, 64, 65, 5000][(i + round as usize) % 4];
            for bucket in ["versioned", "suspended", "plain"] {
                put(s, bucket, key, &data(len, round + i as u8)).await;
            }
        }
    }
    // Delete markers, and a version removed for good.
    s.delete_object("versioned", "a", None).await.unwrap();
    s.delete_object("versioned", "a/b", None).await.unwrap();
    let first = every_version(s, "versioned")
        .into_iter()
        .rfind(|v| v.key == "é")
        .unwrap();
    s.delete_object("versioned", "é", Some(first.version_id))
        .await
        .unwrap();
    // Null versions over an older history, and a null delete marker.
    s.set_versioning("suspended", VersioningStatus::Suspended)
        .await
        .unwrap();
    put(s, "suspended", "a", b"null over history").await;
    put(s, "suspended", "new", &data(300, 9)).await;
    s.delete_object("suspended", "a/b", None).await.unwrap();
    // A removed key in the unversioned bucket (its blob queued for reclaim, then reclaimed).
    s.delete_object("plain", "a/b/c", None).await.unwrap();
    // Multipart: completed (a completion record), and in progress (uploads and parts).
    multipart(s, "versioned", "mp/done", &[5 << 20, 100], true).await;
    multipart(s, "versioned", "mp/open", &[5 << 20, 70], false).await;
    multipart(s, "plain", "mp/open", &[10], false).await;
    multipart(s, "plain", "mp/open", &[], false).await;
    // Settings: users, lifecycle, CORS, bucket and object tags.
    s.put_user(NewUser {
        id: "alice".into(),
        display_name: Some("Alice A.".into()),
        access_key: Some("ALICEKEY".into()),
        secret_key: Some("alice-secret".into()),
    })
    .await
    .unwrap();
    s.put_user(NewUser {
        id: "bob".into(),
        display_name: None,
        access_key: None,
        secret_key: None,
    })
    .await
    .unwrap();
    let rule = Rule {
        id: "old".into(),
        enabled: true,
        filter: Filter::prefix("a/"),
        expiration: Some(Expiration::Days(30)),
        ..Rule::default()
    };
    s.put_lifecycle("versioned", vec![rule]).await.unwrap();
    let cors = Config {
        rules: vec![CorsRule {
            origins: vec!["http://*.example.com".into()],
            methods: vec![Method::Get, Method::Put],
            ..CorsRule::default()
        }],
        vary: true,
    };
    s.put_cors("plain", cors).await.unwrap();
    s.put_bucket_tags("suspended", tags(&[("team", "x")], &TagRules::S3_BUCKET))
        .await
        .unwrap();
    put_tagged(
        s,
        "versioned",
        "tagged",
        b"with tags",
        tags(&[("k", "v")], &TagRules::S3_OBJECT),
    )
    .await;
    s.reclaim_now().await.unwrap();
}

/// A blob queued for reclaim, written straight into the redb engine (the store reclaims its
/// own backlog at once, so a store rarely keeps one long enough to be copied).
fn add_backlog(dir: &Path) {
    let meta = RedbMeta::open(&dir.join("meta.redb"), 1 << 20).unwrap();
    strata_core::meta::run_blocking(&meta, |txn| txn.add_garbage(BACKLOG_BLOB)).unwrap();
}

/// Everything an engine holds, read through its own read methods, as text.
fn engine_dump(meta: &dyn MetaStore) -> Vec<String> {
    let txn = meta.read().unwrap();
    let mut out = Vec::new();
    let mut blobs = std::collections::BTreeSet::new();
    for (bucket, rec) in txn.buckets().unwrap() {
        out.push(format!("bucket {bucket} {rec:?}"));
        let mut keys = std::collections::BTreeSet::new();
        txn.scan_versions(&bucket, Start::First, &mut |key, rec| {
            keys.insert(key.to_owned());
            if let Some(o) = rec.object() {
                blobs.extend(o.segments.iter().map(|s| s.blob));
            }
            out.push(format!("version {bucket}/{key:?} {rec:?}"));
            Flow::Continue
        })
        .unwrap();
        txn.scan_objects(&bucket, Start::First, &mut |key, rec| {
            out.push(format!("object {bucket}/{key:?} {rec:?}"));
            Flow::Continue
        })
        .unwrap();
        let mut uploads = Vec::new();
        txn.scan_uploads(&bucket, None, &mut |id, rec| {
            keys.insert(rec.key.clone());
            uploads.push(id.to_owned());
            out.push(format!("upload {bucket} {id} {rec:?}"));
            Flow::Continue
        })
        .unwrap();
        for id in uploads {
            out.push(format!(
                "upload by id {bucket} {id} {:?}",
                txn.upload(&bucket, &id)
            ));
            txn.scan_parts(&id, 0, &mut |n, part| {
                blobs.insert(part.segment.blob);
                out.push(format!("part {id} {n} {part:?}"));
                Flow::Continue
            })
            .unwrap();
        }
        for key in keys {
            out.push(format!(
                "null {bucket}/{key:?} {:?} completion {:?}",
                txn.null_seq(&bucket, &key).unwrap(),
                txn.completion(&bucket, &key).unwrap()
            ));
        }
    }
    for id in blobs {
        out.push(format!("blob {id} {:?}", txn.blob(id).unwrap()));
    }
    out.push(format!("garbage {:?}", txn.garbage(usize::MAX).unwrap()));
    for name in ["seq", "epoch"] {
        out.push(format!("counter {name} {}", txn.counter(name).unwrap()));
    }
    out.push(format!("stats {:?}", StoreStats::read(&*txn).unwrap()));
    txn.scan_settings("", &mut |name, val| {
        out.push(format!("setting {name} {val:?}"));
        Flow::Continue
    })
    .unwrap();
    out
}

/// Everything a store serves, as text (the reclaim backlog aside: the reclaimer may have
/// emptied it by now).
async fn served(s: &Store) -> Vec<String> {
    let mut out = Vec::new();
    let mut stats = s.stats().unwrap();
    stats.garbage = 0;
    out.push(format!("stats {stats:?}"));
    let mut users = s.users().unwrap();
    users.sort_by(|a, b| a.0.cmp(&b.0));
    out.push(format!("users {users:?}"));
    for b in s.list_buckets().unwrap() {
        let name = b.name.clone();
        out.push(format!("bucket {b:?}"));
        out.push(format!("lifecycle {:?}", s.lifecycle(&name)));
        out.push(format!("cors {:?}", s.cors(&name)));
        out.push(format!("tags {:?}", s.bucket_tags(&name)));
        for delimiter in [None, Some("/".to_owned())] {
            let p = ListObjectsParams {
                delimiter,
                max_keys: 1000,
                ..Default::default()
            };
            out.push(format!("objects {:?}", s.list_objects(&name, &p).unwrap()));
        }
        for v in every_version(s, &name) {
            out.push(format!("version {v:?}"));
            if v.object.is_some() {
                let head = s.head_object(&name, &v.key, Some(v.version_id)).unwrap();
                out.push(format!("head {head:?}"));
                let bytes = get(s, &name, &v.key, Some(v.version_id)).await.unwrap();
                out.push(format!("body {} {bytes:?}", v.key));
            }
        }
        let uploads = s.list_multipart_uploads(&name, &all_uploads()).unwrap();
        out.push(format!("uploads {uploads:?}"));
        for u in &uploads.uploads {
            let parts = s.list_parts(&name, &u.key, &u.upload_id, 0, 1000).unwrap();
            out.push(format!("parts {parts:?}"));
        }
    }
    let fsck = s.fsck().unwrap();
    assert!(fsck.is_clean(), "{fsck:?}");
    out.push(format!(
        "fsck {} {} {} {} {} {}",
        fsck.buckets, fsck.versions, fsck.delete_markers, fsck.uploads, fsck.blobs, fsck.files
    ));
    out
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_migrated_store_serves_what_the_embedded_store_served() {
    let dir = tempdir();
    let url = pg::metadata(dir.path()).expect("STRATA_TEST_PG");
    let s = open_store(dir.path(), None).await;
    fill(&s).await;
    let before = served(&s).await;
    s.close().await;
    add_backlog(dir.path());
    let redb_dump = {
        let meta = RedbMeta::open(&dir.path().join("meta.redb"), 1 << 20).unwrap();
        engine_dump(&meta)
    };

    let summary = migrate(dir.path(), &url).unwrap();
    // Every table had rows to copy.
    let rows: Vec<Table> = summary
        .rows
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(rows, Table::ALL, "{summary}");
    assert_eq!(summary.stats.garbage, 1);

    // The directory's files are the PostgreSQL store's now, whose ID is the one setting the
    // copy adds.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("STORE")).unwrap(),
        format!("postgres {}\n", summary.store_id)
    );
    let id_setting = format!("setting store/id {:?}", summary.store_id.as_bytes());
    let mut pg_dump = {
        let meta = PgMeta::open(&url).unwrap();
        engine_dump(&meta)
    };
    let before_id = pg_dump.len();
    pg_dump.retain(|line| *line != id_setting);
    assert_eq!(pg_dump.len(), before_id - 1);
    assert_eq!(pg_dump.len(), redb_dump.len());
    for (p, r) in pg_dump.iter().zip(&redb_dump) {
        assert_eq!(p, r);
    }

    let s = open_store(dir.path(), Some(url.clone())).await;
    let after = served(&s).await;
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(a, b);
    }
    // It goes on from there: new writes get new sequence numbers and blob IDs.
    put(&s, "versioned", "a", &data(5000, 1)).await;
    assert_eq!(
        get(&s, "versioned", "a", None).await.unwrap(),
        data(5000, 1)
    );
    assert!(s.fsck().unwrap().is_clean());
    s.close().await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_migration_is_refused_without_a_store_while_one_runs_and_into_a_used_database() {
    let dir = tempdir();
    let url = pg::metadata(dir.path()).expect("STRATA_TEST_PG");
    let refused = |r: Result<_, MigrateError>| match r {
        Err(e) if e.is_refusal() => e,
        other => panic!("not refused: {other:?}"),
    };
    let e = refused(migrate(dir.path(), &url));
    assert!(matches!(e, MigrateError::NoStore(_)), "{e}");
    let e = refused(migrate(dir.path(), "mysql://127.0.0.1/x"));
    assert!(matches!(e, MigrateError::NotPostgres), "{e}");

    let s = open_store(dir.path(), None).await;
    s.create_bucket("bkt", "").await.unwrap();
    put(&s, "bkt", "k", b"v").await;
    let e = refused(migrate(dir.path(), &url));
    assert!(matches!(e, MigrateError::DataDirLocked(_)), "{e}");
    s.close().await;
    migrate(dir.path(), &url).unwrap();

    // Migrated once, the directory is the PostgreSQL store's: not again, anywhere.
    let fresh = tempdir();
    let fresh_url = pg::metadata(fresh.path()).unwrap();
    let e = refused(migrate(dir.path(), &fresh_url));
    assert!(matches!(e, MigrateError::AlreadyMigrated(_)), "{e}");
    // Another embedded store into the used database.
    let other = tempdir();
    open_store(other.path(), None).await.close().await;
    let e = refused(migrate(other.path(), &url));
    assert!(matches!(e, MigrateError::TargetNotEmpty(_)), "{e}");
    // A database a gateway runs on, though it holds no bucket, is not fresh either.
    let gateway = open_store(fresh.path(), Some(fresh_url.clone())).await;
    let e = refused(migrate(other.path(), &fresh_url));
    assert!(matches!(e, MigrateError::TargetNotEmpty(_)), "{e}");
    gateway.close().await;
    // Refused, it changed nothing: the store migrates into its own fresh database.
    let other_url = pg::metadata(other.path()).unwrap();
    migrate(other.path(), &other_url).unwrap();
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: STRATA_TEST_PG (scripts/test-pg runs it)"]
async fn a_store_from_before_the_counts_gets_them_counted_in_the_copy() {
    let dir = tempdir();
    let url = pg::metadata(dir.path()).expect("STRATA_TEST_PG");
    let s = open_store(dir.path(), None).await;
    s.create_bucket("bkt", "").await.unwrap();
    s.set_versioning("bkt", VersioningStatus::Enabled)
        .await
        .unwrap();
    put(&s, "bkt", "a", &data(100, 1)).await;
    put(&s, "bkt", "a", &data(30, 2)).await;
    s.delete_object("bkt", "a", None).await.unwrap();
    put(&s, "bkt", "b", &data(7, 3)).await;
    let counted = s.stats().unwrap();
    s.close().await;
    // The counters a store from before them lacks.
    {
        use redb::ReadableTable as _;
        const COUNTERS: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("counters");
        let db = redb::Database::open(dir.path().join("meta.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(COUNTERS).unwrap();
            let names: Vec<String> = t
                .iter()
                .unwrap()
                .map(|item| item.unwrap().0.value().to_owned())
                .filter(|name| name.starts_with("stats/"))
                .collect();
            assert!(!names.is_empty());
            for name in names {
                t.remove(name.as_str()).unwrap();
            }
        }
        txn.commit().unwrap();
    }

    let summary = migrate(dir.path(), &url).unwrap();
    assert_eq!(summary.stats, counted);
    let s = open_store(dir.path(), Some(url)).await;
    assert_eq!(s.stats().unwrap(), counted);
    assert_eq!(s.stats_by_scan().unwrap(), counted);
    s.close().await;
}
