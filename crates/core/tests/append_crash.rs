//! Appends survive SIGKILL: a child process appends chunks to one appendable object, printing
//! the object's length after each acknowledged append; the parent SIGKILLs it at a random
//! moment, reopens the store and checks that the object holds at least every acknowledged
//! append (one in flight may have committed too), exactly the chunks in order, with the
//! stored CRC-64 of the whole, and that the store is consistent. Several cycles over the same
//! data directory, each child resuming at the length it finds.

mod common;
use common::crash::Child;
use common::*;
use std::time::Duration;
use strata_core::blob::Digests;
use strata_core::*;

const CHILD: Child = Child {
    test: "append_crash_child",
    env: "STRATA_APPEND_CRASH_CHILD_DIR",
};
const CHUNK: usize = 3000;

fn chunk(i: u64) -> Vec<u8> {
    data(CHUNK, (i % 251) as u8)
}

/// The child's side: runs until killed. A normal test run (without the variable) does nothing.
#[test]
fn append_crash_child() {
    let Ok(dir) = std::env::var(CHILD.env) else {
        return;
    };
    Child::runtime().block_on(async move {
        let s = Store::open(std::path::Path::new(&dir), StoreOptions::default())
            .await
            .unwrap();
        if s.bucket("bkt").is_err() {
            s.create_bucket("bkt", "").await.unwrap();
        }
        let mut len = s.head_object("bkt", "k", None).map_or(0, |v| v.data.size);
        say("READY");
        loop {
            let i = len / CHUNK as u64;
            let out = s
                .append_object(
                    "bkt",
                    "k",
                    len,
                    NewObject::default(),
                    Expect::default(),
                    AppendRules::default(),
                    body(&chunk(i)),
                )
                .await
                .unwrap();
            len = out.size;
            say(&format!("ACK {len}"));
        }
    });
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Child::runtime();
    let mut acked = 0u64;
    for cycle in 0..5 {
        let work = Duration::from_millis(rand::random_range(50..400));
        let lines = CHILD.run_and_kill(dir.path(), work);
        for line in &lines {
            if let Some(n) = line.split("ACK ").nth(1) {
                acked = acked.max(n.trim().parse().unwrap());
            }
        }
        rt.block_on(async {
            let s = Store::open(dir.path(), StoreOptions::default())
                .await
                .unwrap();
            let Ok(head) = s.head_object("bkt", "k", None) else {
                assert_eq!(acked, 0, "cycle {cycle}: acknowledged appends lost");
                return;
            };
            let size = head.data.size;
            assert!(
                size >= acked,
                "cycle {cycle}: {size} < acknowledged {acked}"
            );
            assert!(
                size <= acked + CHUNK as u64,
                "cycle {cycle}: more than one unacknowledged"
            );
            assert_eq!(size % CHUNK as u64, 0);
            let expected: Vec<u8> = (0..size / CHUNK as u64).flat_map(chunk).collect();
            assert_eq!(get(&s, "bkt", "k", None).await.unwrap(), expected);
            let mut d = Digests::new(Extra::default());
            d.update(&expected);
            assert_eq!(
                head.data.crc64,
                d.finish().crc64,
                "cycle {cycle}: stored CRC-64"
            );
            let report = s.fsck().unwrap();
            assert!(
                report.problems.is_empty(),
                "cycle {cycle}: {:?}",
                report.problems
            );
            acked = size;
            eprintln!(
                "cycle {cycle}: {size} bytes, {} segments",
                head.data.segments.len()
            );
        });
    }
    assert!(acked > 0, "the child acknowledged nothing");
}
