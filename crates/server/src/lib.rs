//! kapacitord: configuration, the HTTP API and the task service around the engine.
#![warn(missing_docs)]

pub mod batch_scheduler;
pub mod brpl;
pub mod cli;
pub mod config;
pub mod env;
pub mod handler_config;
pub mod http;
pub mod influx;
pub mod json_patch;
pub mod load;
pub mod logging;
pub mod recording;
pub mod recording_batch;
pub mod replay;
pub mod server;
pub mod srpl;
pub mod state;
pub mod stats;
pub mod subscriptions;
pub mod tasks;
pub mod template_vars;
pub mod templates;
pub mod udp;
pub mod vars;

/// The Kapacitor version this server is compatible with (reported in headers and vars).
pub const VERSION: &str = "1.8.2";

/// Errors that stop the daemon or a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration cannot be loaded or is invalid.
    #[error("{0}")]
    Config(String),
    /// Bad command line.
    #[error("{0}")]
    Usage(String),
    /// `-h` / `-help` was given.
    #[error("help requested")]
    Help,
    /// A file or socket operation failed.
    #[error("{0}")]
    Io(String),
    /// The store failed.
    #[error("{0}")]
    Storage(#[from] kapa_storage::StorageError),
}
