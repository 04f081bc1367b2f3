//! The errors the command reports: one line each, then a non-zero exit.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong (exit code 2, like clap's own usage errors).
    #[error("{0}")]
    Usage(String),
    #[error(
        "the data directory {0} is already in use by another process (is another strata running on it?)"
    )]
    DataDirLocked(String),
    #[error("cannot open the store: {0}")]
    Store(strata_core::CoreError),
    #[error("credentials file {}: {reason}", path.display())]
    Credentials { path: PathBuf, reason: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: io::Error },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot install the signal handlers: {0}")]
    Signals(io::Error),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Config(_) => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

impl From<strata_core::CoreError> for CliError {
    fn from(e: strata_core::CoreError) -> Self {
        match e {
            strata_core::CoreError::DataDirLocked(path) => CliError::DataDirLocked(path),
            e => CliError::Store(e),
        }
    }
}
