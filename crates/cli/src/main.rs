//! `strata`: the Strata object storage server's command line.

mod bench;
mod compact;
mod config;
mod credentials;
mod error;
mod lifecycle;
mod logging;
mod migrate;
mod restore;
mod rm;
mod serve;
mod target;
mod user;
mod users;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use std::ffi::OsString;
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
    /// Copy an embedded store's metadata (DIR/meta.redb) into a fresh PostgreSQL database,
    /// for `strata serve --metadata postgres://… --data-dir DIR`.
    Migrate(migrate::MigrateArgs),
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("strata: error: {e}");
            return e.exit_code();
        }
    };
    match &cli.command {
        Command::Serve(args) => logging::init_serve(&args.log),
        _ => logging::init_client(),
    }
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
            Command::Migrate(args) => Ok(migrate::run(args).await),
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

/// The command line, with `strata serve --config FILE`'s options added where neither a flag
/// nor the environment gives them (see `config`). Usage errors exit here, as clap's do.
fn parse() -> Result<Cli, error::CliError> {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let mut cmd = Cli::command();
    cmd.build();
    let matches = cmd.clone().get_matches_from(&argv);
    let extra = match (matches.subcommand(), cmd.find_subcommand("serve")) {
        (Some(("serve", sub)), Some(serve)) => match sub.get_one::<std::path::PathBuf>("config") {
            Some(path) => config::file_args(path, serve, sub)?,
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let matches = if extra.is_empty() {
        matches
    } else {
        // Each value was checked alone; what can still fail here (two options that conflict)
        // is clap's to say.
        cmd.get_matches_from(argv.into_iter().chain(extra))
    };
    Cli::from_arg_matches(&matches).map_err(|e| e.exit())
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
