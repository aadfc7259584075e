//! Shared data model: points, field values, tags, groups, time formatting and the
//! InfluxQL-style `Result`/`Row` JSON that httpOut and alert handlers emit.
#![warn(missing_docs)]

pub mod duration;
pub mod gojson;
pub mod group;
pub mod httppost;
pub mod point;
pub mod result;
pub mod time;

pub use group::GroupId;
pub use point::{FieldValue, Fields, Point, Tags};
pub use result::{Row, SeriesResult};
pub use time::{Precision, Timestamp};

/// Errors raised by model conversions.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    /// A precision string that is not one of `n u ms s m h`.
    #[error("invalid precision {0:?}")]
    InvalidPrecision(String),
    /// A time string that is not RFC 3339.
    #[error("invalid time {0:?}")]
    InvalidTime(String),
    /// A duration string that cannot be parsed.
    #[error("invalid duration {0:?}")]
    InvalidDuration(String),
}

/// Number of cores this process may use (read once).
pub fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
