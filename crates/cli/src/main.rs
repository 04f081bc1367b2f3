//! `strata`: the Strata object storage server's command line.

mod bench;
mod compact;
mod credentials;
mod error;
mod lifecycle;
mod restore;
mod rm;
mod serve;
mod target;
mod user;
mod users;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "strata",
    version,
    about = "Strata: one object storage endpoint speaking the OSS, BOS and S3 dialects"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Delete every object under a prefix or in a bucket (all versions with --all-versions).
    Rm(rm::RmArgs),
    /// Bring the keys under a prefix back to how they were at a point in time.
    Restore(restore::RestoreArgs),
    /// Generate load (put, get, delete, multi-delete, list, mix) and report rates and latency.
    Bench(bench::BenchArgs),
    /// Add, list, remove users and rotate their keys, through a running server's admin API.
    User(user::UserArgs),
    /// Lifecycle rules seen from a client: `preview` lists what they would do by a time.
    Lifecycle(lifecycle::LifecycleArgs),
    /// Compact a running server's metadata file (give the space deletes freed back to the
    /// file system), through its admin API.
    Compact(compact::CompactArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("strata: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Rm(args) => Ok(rm::run(args).await),
            Command::Restore(args) => Ok(restore::run(args).await),
            Command::Bench(args) => Ok(bench::run(args).await),
            Command::User(args) => Ok(user::run(args).await),
            Command::Lifecycle(args) => Ok(lifecycle::run(args).await),
            Command::Compact(args) => Ok(compact::run(args).await),
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(10));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("strata: error: {e}");
            e.exit_code()
        }
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default `info`).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::filter::LevelFilter;
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
