//! A workload for profiling a 1000-key multi-delete under valgrind's callgrind (instruction
//! counts do not move with the machine's load): ROUNDS times, 1000 keys of 4 KiB are put (100
//! at a time) and then deleted by one `delete_objects` call, in an unversioned bucket or a
//! versioned one (where the delete stacks delete markers). `MODE=puts` leaves the deletes out,
//! so that the difference of two runs is what the deletes cost.
//!
//!   cargo build --release -p strata-core --example multi_delete
//!   valgrind --tool=callgrind target/release/examples/multi_delete unversioned 5
//!
//! Arguments: `unversioned|versioned [ROUNDS=5] [deletes|puts]`.

use bytes::Bytes;
use std::io;
use strata_core::*;

fn body(data: &[u8]) -> impl futures_core::Stream<Item = io::Result<Bytes>> + Send + Unpin + use<> {
    futures_util::stream::iter(vec![Ok(Bytes::copy_from_slice(data))])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let versioned = match args.get(1).map(String::as_str) {
        Some("versioned") => true,
        Some("unversioned") | None => false,
        Some(other) => {
            eprintln!("multi_delete: unknown mode {other} (unversioned or versioned)");
            std::process::exit(2);
        }
    };
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let deletes = args.get(3).is_none_or(|m| m != "puts");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    rt.block_on(async {
        let s = Store::open(dir.path(), StoreOptions::default())
            .await
            .expect("store opens");
        s.create_bucket("mdbench", "")
            .await
            .expect("bucket created");
        if versioned {
            s.set_versioning("mdbench", VersioningStatus::Enabled)
                .await
                .expect("versioning enabled");
        }
        let payload = Bytes::from(vec![7u8; 4096]);
        let entries: Vec<DeleteEntry> = (0..1000)
            .map(|i| DeleteEntry {
                key: format!("md/{i:04}"),
                version_id: None,
            })
            .collect();
        for _ in 0..rounds {
            for chunk in entries.chunks(100) {
                let puts: Vec<_> = chunk
                    .iter()
                    .map(|e| {
                        let (s, key, payload) = (s.clone(), e.key.clone(), payload.clone());
                        tokio::spawn(async move {
                            s.put_object(
                                "mdbench",
                                &key,
                                ObjectMeta::default(),
                                Expect::default(),
                                body(&payload),
                            )
                            .await
                            .expect("put")
                        })
                    })
                    .collect();
                for p in puts {
                    p.await.expect("put task");
                }
            }
            if deletes {
                let results = s
                    .delete_objects("mdbench", entries.clone())
                    .await
                    .expect("multi-delete");
                assert!(results.iter().all(|(_, r)| r.is_ok()));
            }
        }
    });
}
