//! `strata serve`: open the store, settle the credentials, listen, serve until a signal.

use crate::credentials::{self, Origin};
use crate::error::CliError;
use std::path::PathBuf;
use std::sync::Arc;
use strata_api::{AppState, User, Users};
use strata_core::{Store, StoreOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// A TOML file of these options, each key named as its flag with `_` for `-`
    /// (`data_dir = "/srv/strata"`, `listen = "0.0.0.0:9000"`, `domain = ["s3.example.com"]`).
    /// Flags and environment variables win over the file, the file over the defaults.
    #[arg(long, value_name = "FILE", env = "STRATA_CONFIG")]
    config: Option<PathBuf>,

    /// Directory that holds all data (created if missing; one server at a time).
    #[arg(long, value_name = "DIR", default_value = "./strata-data")]
    data_dir: PathBuf,

    /// Where the metadata lives: a PostgreSQL database's `postgres://USER@HOST:PORT/DB` URL
    /// (its schema is created or migrated at start). Default: the embedded store in the data
    /// directory, which holds the objects' data either way.
    #[arg(
        long,
        value_name = "URL",
        env = "STRATA_METADATA",
        hide_env_values = true
    )]
    metadata: Option<String>,

    /// This gateway's name among the gateways sharing a `--metadata` database and a data
    /// directory (default: HOST:PORT, this machine's name and the listen port). A gateway that
    /// starts under the name of an earlier run declares that run dead and sweeps what it left;
    /// two live gateways must not share a name.
    #[arg(long, value_name = "NAME")]
    gateway_name: Option<String>,

    /// Address to listen on, HOST:PORT (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000")]
    listen: String,

    /// Address of the admin listener, HOST:PORT: `/metrics`, `/health`, `/ready` and the
    /// web console, apart from the data port (port 0 picks a free port; `off`: none).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9001")]
    admin_listen: String,

    /// Access key clients sign with (give the secret key too). Without both keys, the
    /// pair in DIR/credentials is used, generated on first start.
    #[arg(long, value_name = "KEY", env = "STRATA_ACCESS_KEY", hide_env_values = true, value_parser = credentials::parse_key)]
    access_key: Option<String>,

    /// Secret key clients sign with (give the access key too). Prefer the environment
    /// variable: command lines are visible to other users.
    #[arg(long, value_name = "KEY", env = "STRATA_SECRET_KEY", hide_env_values = true, value_parser = credentials::parse_key)]
    secret_key: Option<String>,

    /// The region the server reports (OSS `Location` is `oss-REGION`). Signatures are
    /// accepted for any region.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    region: String,

    /// A base domain for virtual-hosted requests: `BUCKET.DOMAIN` addresses BUCKET.
    /// Repeatable.
    #[arg(long = "domain", value_name = "DOMAIN")]
    domains: Vec<String>,

    /// More users, from a TOML file of `[[user]]` tables with `access_key`, `secret_key`,
    /// `id` and `display_name` (the owner ID and name S3 and OSS show). They are stored at
    /// start, as `strata user add` stores users; where a stored user with the same access
    /// key differs, the file wins.
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,

    /// Give new buckets AWS's defaults since April 2023: Object Ownership
    /// BucketOwnerEnforced (ACLs off) and all four Block Public Access flags on. Without it
    /// a new bucket has neither, and ACLs work on it (as ceph/s3-tests, OSS and BOS expect).
    #[arg(long)]
    aws_2023_defaults: bool,

    /// Refuse writes that add data while less than this many bytes are free on the data
    /// directory's file system (deletes still work and free space).
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20)]
    min_free_bytes: u64,

    /// Object bodies (and parts) of at most this many bytes are kept in the metadata store,
    /// made durable by its group commit; larger ones become files of their own. At most
    /// 262144.
    #[arg(long, value_name = "BYTES", default_value_t = 16384,
          value_parser = clap::value_parser!(u32).range(0..=262_144))]
    inline_max: u32,

    /// Seconds a client has to send a request's head (on a kept-alive connection, counted
    /// from the previous response, so idle connections close after it). 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    header_timeout: f64,

    /// Seconds a request body may go without any data arriving before the request fails and
    /// its connection closes. 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    body_timeout: f64,

    /// Seconds a response may go without the client taking any of it (a client that stops
    /// reading) before its connection closes. Counted from the last data sent, so slow
    /// downloads that keep reading are not cut off. 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    send_timeout: f64,

    /// The most client connections open at once (more wait until one closes). Default: the
    /// open-file limit less 256 descriptors kept for the store.
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,

    /// The owner ID shown for the main key pair (default: its access key).
    #[arg(long, value_name = "ID")]
    owner_id: Option<String>,

    /// The owner display name shown for the main key pair (default: the owner ID).
    #[arg(long, value_name = "NAME")]
    display_name: Option<String>,

    /// How many seconds one lifecycle day lasts: rules' days count in it, and the lifecycle
    /// executor runs at least four times in each. Shorter than a real day, due times are not
    /// rounded to midnight (for tests; the s3-tests' `lc_debug_interval`).
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(1..))]
    lifecycle_day: u64,

    /// Compact the metadata file once no client request began (and no metadata commit was
    /// made) for this many seconds, if
    /// more than half of it (and at least 64 MiB) is space deletes freed. 0: never by itself
    /// (`strata compact` still can).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    compact_idle_after: u64,
    #[command(flatten)]
    pub log: crate::logging::LogArgs,
}

pub async fn run(args: ServeArgs) -> Result<(), CliError> {
    let given = credentials::from_flags(args.access_key, args.secret_key)?;
    if let Some(path) = &args.config {
        tracing::info!(
            "options from {} (flags and environment win)",
            path.display()
        );
    }
    let dir = args.data_dir;
    // The metrics recorder before the store, so that its first commits are recorded.
    strata_api::ops::metrics::install();

    // The addresses first, so a bad one leaves nothing behind in the data directory. Then
    // the store, which creates and locks the data directory; then the credentials, so a failed
    // start does not generate (and print) them.
    let locked = || CliError::DataDirLocked(dir.display().to_string());
    let listener = bind(&args.listen)
        .await
        .map_err(|e| if held_by_another(&dir) { locked() } else { e })?;
    let addr = local_addr(&listener, &args.listen)?;
    let admin = if args.admin_listen == "off" {
        None
    } else {
        let listener = bind(&args.admin_listen)
            .await
            .map_err(|e| if held_by_another(&dir) { locked() } else { e })?;
        let addr = local_addr(&listener, &args.admin_listen)?;
        Some((listener, addr))
    };

    let store =
        Store::open(
            &dir,
            StoreOptions {
                min_free_bytes: args.min_free_bytes,
                lifecycle_days: strata_core::lifecycle::Days::of_seconds(args.lifecycle_day),
                compact_idle_after: Some(std::time::Duration::from_secs(args.compact_idle_after)),
                gateway_name: Some(args.gateway_name.unwrap_or_else(|| {
                    format!("{}:{}", strata_core::store::host_name(), addr.port())
                })),
                metadata: args.metadata,
                inline_max: args.inline_max as usize,
                ..StoreOptions::default()
            },
        )
        .await?;
    store.start_lifecycle();

    let credentials = match given {
        Some(c) => {
            tracing::info!(access_key = %c.access_key, "using the credentials given by flags or environment");
            c
        }
        None => {
            let (c, origin) = credentials::load_or_create(&dir)?;
            match origin {
                Origin::Created(path) => {
                    println!(
                        "strata: generated new credentials, saved to {} (mode 0600):",
                        path.display()
                    );
                    println!("  access key: {}", c.access_key);
                    println!("  secret key: {}", c.secret_key);
                }
                Origin::Loaded(path) => {
                    tracing::info!(access_key = %c.access_key, path = %path.display(), "using the saved credentials");
                }
            }
            c
        }
    };

    let shutdown = on_signal().map_err(CliError::Signals)?;

    let mut main = User::from_credentials(credentials);
    if let Some(id) = args.owner_id {
        main.display_name = id.clone();
        main.id = id;
    }
    if let Some(name) = args.display_name {
        main.display_name = name;
    }
    if let Some(path) = &args.users {
        crate::users::seed(&store, &main, path).await?;
    }
    let users = Users::load(main, &store)?;
    let state = Arc::new(AppState {
        store,
        users,
        region: args.region,
        domains: args
            .domains
            .iter()
            .map(|d| d.to_ascii_lowercase())
            .collect(),
        signing_keys: Default::default(),
        aws_2023_defaults: args.aws_2023_defaults,
        console: Default::default(),
    });
    let mut admin_task = None;
    if let Some((listener, admin_addr)) = admin {
        println!("strata admin listening on http://{admin_addr} (metrics, health, console)");
        let state = state.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(strata_api::ops::serve_admin(listener, state, async {
            let _ = stopped.await;
        }));
        admin_task = Some((stop, task));
    }
    println!(
        "strata listening on http://{addr} (data: {})",
        dir.display()
    );
    let options = strata_api::ServeOptions {
        header_timeout: seconds(args.header_timeout),
        body_timeout: seconds(args.body_timeout),
        send_timeout: seconds(args.send_timeout),
        max_connections: args
            .max_connections
            .unwrap_or_else(strata_api::default_max_connections),
    };
    tracing::info!(
        "serving: timeouts header {}, body {}, send {}; at most {} connections; requests logged: {}",
        describe(options.header_timeout),
        describe(options.body_timeout),
        describe(options.send_timeout),
        options.max_connections,
        match args.log.request_log {
            crate::logging::RequestLog::All => "all",
            crate::logging::RequestLog::Errors => "errors",
            crate::logging::RequestLog::Off => "none",
        },
    );
    strata_api::serve_with(
        listener,
        state,
        async {
            let _ = shutdown.await;
        },
        options,
    )
    .await;
    if let Some((stop, task)) = admin_task {
        let _ = stop.send(());
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Whether another process holds the data directory's lock (the `LOCK` file `Store::open`
/// locks), probed without creating anything: a second server started on the same directory
/// with the same address fails to bind first, and the lock says better why.
fn held_by_another(dir: &std::path::Path) -> bool {
    let Ok(file) = std::fs::File::options().write(true).open(dir.join("LOCK")) else {
        return false;
    };
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

/// Binds a listen address (`HOST:PORT`; a name is resolved).
async fn bind(addr: &str) -> Result<TcpListener, CliError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Listen {
            addr: addr.to_owned(),
            source,
        })
}

fn local_addr(listener: &TcpListener, addr: &str) -> Result<std::net::SocketAddr, CliError> {
    listener.local_addr().map_err(|source| CliError::Listen {
        addr: addr.to_owned(),
        source,
    })
}

/// A timeout for the startup line: `30s`, or `none`.
fn describe(timeout: Option<std::time::Duration>) -> String {
    timeout.map_or_else(|| "none".to_owned(), |d| format!("{}s", d.as_secs_f64()))
}

/// A timeout flag: `None` (no limit) for 0, negative or not finite.
fn seconds(s: f64) -> Option<std::time::Duration> {
    (s.is_finite() && s > 0.0).then(|| std::time::Duration::from_secs_f64(s))
}

/// Installs the handlers now (so a signal right after the listening line is not lost) and
/// returns a receiver that completes on the first SIGINT or SIGTERM. A second one exits at
/// once.
#[cfg(unix)]
fn on_signal() -> std::io::Result<oneshot::Receiver<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        };
        tracing::info!("{name} received: shutting down gracefully (send it again to stop at once)");
        let _ = tx.send(());
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        tracing::warn!("second signal received: stopping now");
        std::process::exit(130);
    });
    Ok(rx)
}

#[cfg(not(unix))]
fn on_signal() -> std::io::Result<oneshot::Receiver<()>> {
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received: shutting down gracefully");
            let _ = tx.send(());
        }
    });
    Ok(rx)
}
