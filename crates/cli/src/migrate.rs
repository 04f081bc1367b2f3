//! `strata migrate --from DIR --to postgres://…`: copies an embedded store's metadata
//! (`DIR/meta.redb`) into a fresh PostgreSQL database (`strata_core::meta::migrate`), then
//! prints what it copied. Refusals (no store in DIR, a server running on it, a target that
//! is not a fresh PostgreSQL database) exit 2; failures exit 1.

use crate::target::{Failure, exit};
use std::path::PathBuf;
use std::process::ExitCode;
use strata_core::meta::migrate::{MigrateError, migrate};

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// The data directory of the embedded store (its server stopped).
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// The PostgreSQL database to fill (empty: created by `CREATE DATABASE`, or only ever
    /// touched by its schema).
    #[arg(long, value_name = "postgres://…")]
    to: String,
}

pub async fn run(args: MigrateArgs) -> ExitCode {
    exit("migrate", run_migrate(args).await)
}

async fn run_migrate(args: MigrateArgs) -> Result<ExitCode, Failure> {
    let from = args.from.clone();
    let done = tokio::task::spawn_blocking(move || migrate(&args.from, &args.to))
        .await
        .map_err(|e| Failure::Failed(format!("the migration stopped: {e}")))?;
    match done {
        Ok(summary) => {
            print!("{summary}");
            println!(
                "serve it with: strata serve --data-dir {} --metadata <the same URL>",
                from.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(failure(e)),
    }
}

fn failure(e: MigrateError) -> Failure {
    if e.is_refusal() {
        Failure::Usage(e.to_string())
    } else {
        Failure::Failed(e.to_string())
    }
}
