//! Load through gateways that come and go: which run of each gateway a request went to
//! ([`Runs`]), what was acknowledged, to be read back at the end ([`Ledger`]), the answer a
//! gateway gives when its database is out of reach ([`outage_shape`]), and the workers of
//! `gateways.rs`'s kill test ([`kill_load`]) and PostgreSQL restart test ([`pg_load`]).

use bytes::Bytes;
use rand::rngs::SmallRng;
use rand::{RngExt as _, SeedableRng as _};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use strata_client::{Client, Dialect, Method, Req};

/// The bucket the gateways tests write.
pub const BUCKET: &str = "gateways";

/// Per gateway, its run number and whether it is down, as one word (`run << 1 | down`), so a
/// request can tell whether the run it was sent to ended before it was answered.
pub struct Runs(Vec<AtomicU64>);

impl Runs {
    pub fn new(gateways: usize) -> Runs {
        Runs((0..gateways).map(|_| AtomicU64::new(0)).collect())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The state of gateway `g` now; take it before sending a request.
    pub fn snapshot(&self, g: usize) -> u64 {
        self.0[g].load(Ordering::SeqCst)
    }

    /// Before gateway `g` is killed: a new run, down.
    pub fn down(&self, g: usize) {
        let run = self.0[g].load(Ordering::SeqCst) >> 1;
        self.0[g].store(((run + 1) << 1) | 1, Ordering::SeqCst);
    }

    /// Once gateway `g` listens again.
    pub fn up(&self, g: usize) {
        self.0[g].fetch_and(!1, Ordering::SeqCst);
    }

    /// Whether a request sent to `g` when its state was `before` may have met a kill: it was
    /// down then, or its run changed since.
    pub fn disturbed(&self, g: usize, before: u64) -> bool {
        before & 1 == 1 || self.snapshot(g) != before
    }
}

/// What the load had acknowledged, and what it found wrong on the way.
#[derive(Default)]
pub struct Ledger {
    /// Acknowledged PUTs: key → body (each key is put once).
    puts: Mutex<HashMap<String, Bytes>>,
    /// Keys whose DELETE was acknowledged.
    deleted: Mutex<HashSet<String>>,
    /// Keys whose DELETE failed: present or not.
    uncertain: Mutex<HashSet<String>>,
    violations: Mutex<Vec<String>>,
    acked: AtomicUsize,
}

impl Ledger {
    pub fn put(&self, key: &str, body: Bytes) {
        self.puts.lock().unwrap().insert(key.to_owned(), body);
        self.acked.fetch_add(1, Ordering::SeqCst);
    }

    pub fn deleted(&self, key: &str) {
        self.deleted.lock().unwrap().insert(key.to_owned());
        self.acked.fetch_add(1, Ordering::SeqCst);
    }

    pub fn uncertain(&self, key: &str) {
        self.uncertain.lock().unwrap().insert(key.to_owned());
    }

    /// Something that must not happen; the test fails at the end with all of them.
    pub fn violation(&self, what: String) {
        eprintln!("violation: {what}");
        self.violations.lock().unwrap().push(what);
    }

    /// Operations acknowledged so far.
    pub fn acked(&self) -> usize {
        self.acked.load(Ordering::SeqCst)
    }

    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().unwrap().clone()
    }

    /// Reads every acknowledged key back through `client`: an acknowledged PUT with its exact
    /// bytes, an acknowledged DELETE as absent. Returns (keys read, keys found absent).
    pub async fn verify(&self, client: &Client, bucket: &str) -> (usize, usize) {
        let puts = self.puts.lock().unwrap().clone();
        let deleted = self.deleted.lock().unwrap().clone();
        let uncertain = self.uncertain.lock().unwrap().clone();
        let (mut read, mut absent) = (0, 0);
        for (key, body) in &puts {
            if uncertain.contains(key) {
                continue;
            }
            let got = client.get_object_bytes(bucket, key, None).await;
            if deleted.contains(key) {
                let e = got.expect_err(&format!(
                    "{key}: read back after its delete was acknowledged"
                ));
                assert!(e.is_not_found(), "{key}: {e}");
                absent += 1;
            } else {
                let got = got.unwrap_or_else(|e| panic!("{key}: acknowledged, now {e}"));
                assert!(
                    got == body,
                    "{key}: read back {} bytes that differ from the {} acknowledged",
                    got.len(),
                    body.len()
                );
                read += 1;
            }
        }
        (read, absent)
    }
}

/// `len` bytes that differ from one body to the next.
pub fn body(rng: &mut SmallRng, len: usize) -> Bytes {
    let mut b = vec![0u8; len];
    rng.fill(&mut b[..]);
    Bytes::from(b)
}

/// Whether a failed answer is the one a gateway gives when it cannot reach its database.
pub fn outage_shape(
    d: Dialect,
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let text = || String::from_utf8_lossy(body).into_owned();
    if status != http::StatusCode::SERVICE_UNAVAILABLE {
        return Err(format!("{status}: {}", text()));
    }
    let code = match d {
        Dialect::S3 | Dialect::Oss => {
            let el = strata_wire::xml::parse(body, 64).map_err(|e| format!("{e:?}: {}", text()))?;
            if el.name != "Error" {
                return Err(format!("not an XML error: {}", text()));
            }
            el.child_text("Code").map(str::to_owned)
        }
        Dialect::Bos => {
            let v: serde_json::Value =
                serde_json::from_slice(body).map_err(|e| format!("{e}: {}", text()))?;
            v.get("code").and_then(|c| c.as_str()).map(str::to_owned)
        }
    };
    let expected = if d == Dialect::S3 {
        "SlowDown"
    } else {
        "ServiceUnavailable"
    };
    if code.as_deref() != Some(expected) {
        return Err(format!("{d}: code {code:?}, not {expected}: {}", text()));
    }
    if d == Dialect::Oss && headers.get("x-oss-request-id").is_none_or(|v| v.is_empty()) {
        return Err(format!("oss: no x-oss-request-id: {headers:?}"));
    }
    Ok(())
}

/// One worker of the kill test: PUTs of new keys (a KiB, 20 to 400 KiB, or an OSS multipart
/// upload of 100 + 50 KiB), each maybe read back and maybe deleted, each request through a
/// gateway picked at random, until `stop`.
pub async fn kill_load(
    seed: u64,
    w: usize,
    clients: Arc<Vec<(Client, Client)>>,
    runs: Arc<Runs>,
    ledger: Arc<Ledger>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let key = format!("w{w}-{i}");
        let roll = rng.random_range(0..100);
        let g = rng.random_range(0..runs.len());
        let before = runs.snapshot(g);
        let (body, put) = if roll < 85 {
            let len = if roll < 40 {
                1024
            } else {
                rng.random_range(20 << 10..400 << 10)
            };
            let body = body(&mut rng, len);
            let r = clients[g].0.put_object(BUCKET, &key, body.clone()).await;
            (body, r.map(drop))
        } else {
            let parts = [body(&mut rng, 100 << 10), body(&mut rng, 50 << 10)];
            let r = multipart_put(&clients[g].1, &key, &parts).await;
            (Bytes::from([&parts[0][..], &parts[1][..]].concat()), r)
        };
        if let Err(e) = put {
            if !runs.disturbed(g, before) {
                ledger.violation(format!("PUT {key} through gw-{g}: {e}"));
            }
            continue;
        }
        ledger.put(&key, body.clone());
        if rng.random_bool(0.5) {
            let g = rng.random_range(0..runs.len());
            let before = runs.snapshot(g);
            match clients[g].0.get_object_bytes(BUCKET, &key, None).await {
                Ok(got) if got != body => ledger.violation(format!("GET {key}: other bytes")),
                Ok(_) => {}
                Err(e) if !runs.disturbed(g, before) => {
                    ledger.violation(format!("GET {key} through gw-{g}: {e}"));
                }
                Err(_) => {}
            }
        }
        if rng.random_bool(0.3) {
            let g = rng.random_range(0..runs.len());
            let before = runs.snapshot(g);
            match clients[g].0.delete_object(BUCKET, &key, None).await {
                Ok(()) => ledger.deleted(&key),
                Err(e) => {
                    ledger.uncertain(&key);
                    if !runs.disturbed(g, before) {
                        ledger.violation(format!("DELETE {key} through gw-{g}: {e}"));
                    }
                }
            }
        }
    }
}

/// An OSS multipart upload of `parts`, completed with every part uploaded.
pub async fn multipart_put(
    c: &Client,
    key: &str,
    parts: &[Bytes],
) -> Result<(), strata_client::Error> {
    let upload = c.initiate_upload(BUCKET, key).await?;
    for (n, part) in parts.iter().enumerate() {
        let req = Req::new(Method::PUT, Some(BUCKET), Some(key))
            .query("partNumber", (n + 1).to_string())
            .query("uploadId", upload.as_str())
            .body(part.clone());
        c.request(req).await?;
    }
    let req = Req::new(Method::POST, Some(BUCKET), Some(key))
        .query("uploadId", upload.as_str())
        .header("x-oss-complete-all", "yes");
    c.request(req).await.map(drop)
}

/// One worker of the PostgreSQL test, in dialect `d`: PUTs of new keys (1 or 40 KiB), each
/// maybe read back and maybe deleted, through a gateway picked at random, until `stop`. Any
/// failure but a 503 of the outage's shape is a violation; 503s are counted in `outages`.
pub async fn pg_load(
    seed: u64,
    w: usize,
    d: usize,
    clients: Arc<Vec<Vec<Client>>>,
    ledger: Arc<Ledger>,
    outages: Arc<Vec<AtomicUsize>>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let dialect = Dialect::ALL[d];
    // Whether an answer was acknowledged; a failure of another shape is a violation.
    let judge =
        |what: &str,
         r: Result<(http::StatusCode, http::HeaderMap, Bytes), strata_client::Error>| {
            match r {
                Ok((s, h, b)) if s.is_success() => Some((h, b)),
                Ok((s, h, b)) => {
                    match outage_shape(dialect, s, &h, &b) {
                        Ok(()) => {
                            outages[d].fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => ledger.violation(format!("{what}: {e}")),
                    }
                    None
                }
                Err(e) => {
                    ledger.violation(format!("{what}: {e}"));
                    None
                }
            }
        };
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let key = format!("{dialect}-w{w}-{i}");
        let len = if rng.random_bool(0.7) { 1024 } else { 40 << 10 };
        let body = body(&mut rng, len);
        let g = rng.random_range(0..clients.len());
        let c = &clients[g][d];
        let req = Req::new(Method::PUT, Some(BUCKET), Some(&key)).body(body.clone());
        if judge(&format!("PUT {key} through gw-{g}"), c.exchange(req).await).is_none() {
            continue;
        }
        ledger.put(&key, body.clone());
        if rng.random_bool(0.5) {
            let g = rng.random_range(0..clients.len());
            let req = Req::new(Method::GET, Some(BUCKET), Some(&key));
            let what = format!("GET {key} through gw-{g}");
            if let Some((_, got)) = judge(&what, clients[g][d].exchange(req).await)
                && got != body
            {
                ledger.violation(format!("{what}: other bytes"));
            }
        }
        if rng.random_bool(0.3) {
            let g = rng.random_range(0..clients.len());
            let req = Req::new(Method::DELETE, Some(BUCKET), Some(&key));
            let what = format!("DELETE {key} through gw-{g}");
            match judge(&what, clients[g][d].exchange(req).await) {
                Some(_) => ledger.deleted(&key),
                None => ledger.uncertain(&key),
            }
        }
    }
}
