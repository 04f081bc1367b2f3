//! `strata compact`: compacts a running server's metadata file through its admin API
//! (`POST /_strata/admin/compact`), signed with the administrator's key pair as `strata user`
//! is, and prints the file's size before and after.

use crate::target::{Failure, exit};
use crate::user::AdminConn;
use std::process::ExitCode;
use strata_client::CompactReport;

#[derive(clap::Args, Debug)]
pub struct CompactArgs {
    #[command(flatten)]
    conn: AdminConn,
}

pub async fn run(args: CompactArgs) -> ExitCode {
    exit("compact", compact(args).await)
}

async fn compact(args: CompactArgs) -> Result<ExitCode, Failure> {
    let report = args
        .conn
        .client()?
        .admin_compact()
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    print!("{}", render(&report));
    Ok(ExitCode::SUCCESS)
}

fn render(r: &CompactReport) -> String {
    format!(
        "metadata file compacted: {} bytes before, {} bytes after ({} ms)\n",
        r.before, r.after, r.millis
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_both_sizes() {
        let r = CompactReport {
            before: 83_886_080,
            after: 1_048_576,
            millis: 412,
        };
        assert_eq!(
            render(&r),
            "metadata file compacted: 83886080 bytes before, 1048576 bytes after (412 ms)\n"
        );
    }
}
