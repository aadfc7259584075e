//! kapa-bench: drives any InfluxDB-compatible `/write` endpoint with generated line protocol
//! and reports throughput, latency percentiles and peak memory; also turns the criterion
//! results of the engine's `shapes` benchmark into a table and an SVG chart.

pub mod flags;
pub mod latency;
pub mod lines;
pub mod load;
pub mod parse_only;
pub mod report;
pub mod rss;
pub mod shapes;
pub mod stats;

/// Everything that can stop a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A command-line flag is unknown or has a bad value.
    #[error("{0}")]
    Flag(String),
    /// The target answered an API call with an error.
    #[error("{0}")]
    Http(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Criterion output could not be understood.
    #[error("{0}")]
    Criterion(String),
}
