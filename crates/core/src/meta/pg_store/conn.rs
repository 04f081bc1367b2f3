//! Connections: one `postgres::Client` with its prepared statements, and the pool of reader
//! threads that each own one.
//!
//! The synchronous `postgres` crate drives its connection on a small tokio runtime of its own
//! and panics when called from inside another runtime's task, and the engine's traits are
//! synchronous and called from async code. So no connection is ever used on a caller's
//! thread: the writer thread owns its client, and each reader connection lives in a thread of
//! its own, which runs the queries a snapshot sends it ([`Reader::call`]) while the caller
//! waits on a channel. This works the same from a multi-thread or a current-thread runtime
//! (the waiting caller blocks its worker like any blocking read does; the reader thread needs
//! nothing from the caller's runtime). Its cost: two thread hand-offs per query (some
//! microseconds) on top of the round trip to the server. Measured on a 2-core machine (debug
//! build, 32 clients putting 4 KiB objects): the engine's threads took 63% of the gateway's
//! CPU samples, most of it switching threads (`perf`), and PostgreSQL's backends a third as
//! much CPU as the gateway. A later stage may move to tokio-postgres on the callers' runtime.

use super::pg_err;
use crate::error::StorageError;
use crate::meta::StorageResult;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long a connection attempt may take when the URL does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Owned query parameters, so that a query can be sent to another thread.
pub(super) type Params = Vec<Box<dyn ToSql + Sync + Send>>;

/// A client and the statements prepared on it (each SQL text is prepared once per
/// connection, the first time it runs).
pub(super) struct Conn {
    client: Client,
    stmts: HashMap<&'static str, Statement>,
}

impl Conn {
    /// Connects to `url`; without a `connect_timeout` of the URL's own, gives up after
    /// [`CONNECT_TIMEOUT`] (an unreachable host would otherwise hold a caller for the
    /// operating system's TCP timeout). No TLS yet: a URL asking for it (`sslmode=require`) is
    /// refused.
    pub(super) fn connect(url: &str) -> StorageResult<Conn> {
        let mut config: postgres::Config = url.parse().map_err(pg_err)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let client = config.connect(NoTls).map_err(pg_err)?;
        Ok(Conn {
            client,
            stmts: HashMap::new(),
        })
    }

    pub(super) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    pub(super) fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.client.batch_execute(sql)
    }

    fn stmt(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.stmts.insert(sql, s.clone());
        Ok(s)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: &Params,
    ) -> Result<Vec<Row>, postgres::Error> {
        let stmt = self.stmt(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.client.query(&stmt, &refs)
    }

    pub(super) fn execute(
        &mut self,
        sql: &'static str,
        params: &Params,
    ) -> Result<u64, postgres::Error> {
        let stmt = self.stmt(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.client.execute(&stmt, &refs)
    }
}

/// What a reader thread keeps between jobs.
pub(super) struct ReaderState {
    url: Arc<str>,
    conn: Option<Conn>,
    /// A snapshot transaction is open on `conn`.
    in_txn: bool,
}

impl ReaderState {
    /// Runs a query of a snapshot, opening the snapshot first when `begin`. A snapshot whose
    /// connection was lost fails (a new connection would not see the same snapshot).
    pub(super) fn query(
        &mut self,
        begin: bool,
        sql: &'static str,
        params: &Params,
    ) -> StorageResult<Vec<Row>> {
        if self.conn.as_ref().is_some_and(Conn::is_closed) {
            self.conn = None;
            self.in_txn = false;
        }
        if !begin && !self.in_txn {
            return Err(StorageError::Unavailable(
                "the connection of a read snapshot was lost".into(),
            ));
        }
        if begin {
            self.begin()?;
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(StorageError::Unavailable("no connection".into()));
        };
        conn.query(sql, params).map_err(pg_err)
    }

    /// Opens a snapshot, connecting first if needed. A connection found dead (the server
    /// restarted, or ended it) is made again once: the snapshot has read nothing yet.
    fn begin(&mut self) -> StorageResult<()> {
        let mut retried = false;
        loop {
            if self.conn.is_none() {
                self.conn = Some(Conn::connect(&self.url)?);
            }
            let Some(conn) = self.conn.as_mut() else {
                continue;
            };
            match conn.batch("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") {
                Ok(()) => {
                    self.in_txn = true;
                    return Ok(());
                }
                Err(_) if conn.is_closed() && !retried => {
                    retried = true;
                    self.conn = None;
                }
                Err(e) => return Err(pg_err(e)),
            }
        }
    }

    /// Ends the snapshot (if any); a connection that cannot end it is dropped.
    pub(super) fn end(&mut self) {
        if !self.in_txn {
            return;
        }
        self.in_txn = false;
        if let Some(conn) = self.conn.as_mut()
            && conn.batch("COMMIT").is_err()
        {
            self.conn = None;
        }
    }
}

type Job = Box<dyn FnOnce(&mut ReaderState) + Send>;

/// A reader thread's handle: jobs go in through its channel.
pub(super) struct Reader {
    jobs: mpsc::Sender<Job>,
}

impl Reader {
    fn spawn(url: Arc<str>) -> StorageResult<Reader> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("strata-meta-pg-reader".into())
            .spawn(move || {
                let mut state = ReaderState {
                    url,
                    conn: None,
                    in_txn: false,
                };
                // Ends when the pool (with every handle) is dropped.
                while let Ok(job) = rx.recv() {
                    job(&mut state);
                }
            })
            .map_err(StorageError::Io)?;
        Ok(Reader { jobs })
    }

    /// Runs `f` on the reader's thread and waits for its answer.
    pub(super) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut ReaderState) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |s: &mut ReaderState| {
                let _ = tx.send(f(s));
            }))
            .map_err(|_| StorageError::Engine("a reader thread has stopped".into()))?;
        rx.recv()
            .map_err(|_| StorageError::Engine("a reader thread has stopped".into()))?
    }

    /// Queues `f` without waiting for it.
    pub(super) fn post(&self, f: impl FnOnce(&mut ReaderState) + Send + 'static) {
        let _ = self.jobs.send(Box::new(f));
    }
}

/// At most this many reader connections (and threads) per store.
const MAX_READERS: usize = 16;
/// How long a snapshot waits for a free reader connection before it fails.
const READER_WAIT: Duration = Duration::from_secs(30);

/// The reader threads, created when needed up to [`MAX_READERS`], reused afterwards.
pub(super) struct Pool {
    url: Arc<str>,
    state: Mutex<PoolState>,
    freed: Condvar,
}

struct PoolState {
    idle: Vec<Reader>,
    total: usize,
}

impl Pool {
    pub(super) fn new(url: &str) -> Pool {
        Pool {
            url: url.into(),
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                total: 0,
            }),
            freed: Condvar::new(),
        }
    }

    pub(super) fn take(&self) -> StorageResult<Reader> {
        let deadline = std::time::Instant::now() + READER_WAIT;
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(r) = st.idle.pop() {
                return Ok(r);
            }
            if st.total < MAX_READERS {
                st.total += 1;
                drop(st);
                let r = Reader::spawn(self.url.clone());
                if r.is_err() {
                    self.state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .total -= 1;
                }
                return r;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(StorageError::Unavailable(
                    "no metadata connection became free".into(),
                ));
            }
            st = self
                .freed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    pub(super) fn give_back(&self, r: Reader) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .idle
            .push(r);
        self.freed.notify_one();
    }
}
