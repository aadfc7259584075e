//! InfluxDB 1.x integration: an HTTP client (`/ping`, `/query`, gzip `/write`) over several
//! URLs with basic or token auth, TLS options and timeouts; named clusters from
//! `[[influxdb]]` with a default; the InfluxQL SELECT parser/printer batch queries use;
//! query results turned into batches as Kapacitor's `edge.ResultToBufferedBatches` does; and
//! a buffered writer that retries while InfluxDB is down.
//!
//! The public API other crates build on (batch tasks, influxDBOut, `record batch`/`record
//! query`, `[stats]`):
//!
//! - [`Clusters::from_configs`], [`Clusters::get`] (by `.cluster()` name, empty = default);
//! - [`Cluster::query`] runs one InfluxQL string and returns [`QueryBatch`]es;
//! - [`Cluster::write`] / [`BufferedWriter`] write points;
//! - [`influxql::Query`] parses a SELECT and prints it for a time range.
#![warn(missing_docs)]

mod client;
mod cluster;
mod config;
pub mod influxql;
mod result;
mod writer;

pub use client::{Client, ClientConfig, WriteTarget};
pub use cluster::{Cluster, Clusters};
pub use config::{ClusterConfig, TlsOptions};
pub use result::{QueryBatch, QueryPoint, Response, SeriesRow, StatementResult, result_to_batches};
pub use writer::{BufferedWriter, WriterOptions, WriterStats};

/// Errors of the InfluxDB client, configuration and query parser.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InfluxError {
    /// InfluxQL that does not parse (the text is InfluxQL's message).
    #[error("{0}")]
    Parse(String),
    /// A query a batch task cannot run (not one SELECT, bad dimensions...).
    #[error("{0}")]
    Query(String),
    /// Invalid `[[influxdb]]` configuration.
    #[error("{0}")]
    Config(String),
    /// InfluxDB could not be reached (connection refused, timeout, DNS): worth retrying.
    #[error("{0}")]
    Unavailable(String),
    /// InfluxDB answered with an error status.
    #[error("{message}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The `error` of InfluxDB's JSON answer, or the body.
        message: String,
    },
    /// InfluxDB answered 2xx but with an error in the result.
    #[error("{0}")]
    Result(String),
    /// The answer could not be decoded.
    #[error("{0}")]
    Decode(String),
}

impl InfluxError {
    /// True when retrying later may succeed (InfluxDB down, overloaded or timing out).
    pub fn is_transient(&self) -> bool {
        match self {
            InfluxError::Unavailable(_) => true,
            InfluxError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
