//! `|influxDBOut()`: writes the data to InfluxDB (mirrors pipeline/influxdb_out.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "cluster",
    "database",
    "retentionPolicy",
    "measurement",
    "writeConsistency",
    "precision",
    "buffer",
    "flushInterval",
    "tag",
    "create",
];

/// Properties of an influxDBOut node.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxDbOutSpec {
    /// `.cluster()` (empty: the default).
    pub cluster: String,
    /// `.database()`.
    pub database: String,
    /// `.retentionPolicy()`.
    pub retention_policy: String,
    /// `.measurement()`: overrides the name.
    pub measurement: String,
    /// `.writeConsistency()`.
    pub write_consistency: String,
    /// `.precision()`.
    pub precision: String,
    /// `.buffer()`: points per write (default 1000).
    pub buffer: i64,
    /// `.flushInterval()`, ns (default 10s).
    pub flush_interval: i64,
    /// `.tag(k, v)`: static tags.
    pub tags: Vec<(String, String)>,
    /// `.create()`: CREATE DATABASE at start.
    pub create: bool,
}

impl Default for InfluxDbOutSpec {
    fn default() -> Self {
        InfluxDbOutSpec {
            cluster: String::new(),
            database: String::new(),
            retention_policy: String::new(),
            measurement: String::new(),
            write_consistency: String::new(),
            precision: String::new(),
            buffer: 1000,
            flush_interval: 10_000_000_000,
            tags: Vec::new(),
            create: false,
        }
    }
}

impl InfluxDbOutSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        args::none(a)?;
        Ok(InfluxDbOutSpec::default())
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "cluster" => self.cluster = args::string(a)?,
            "database" => self.database = args::string(a)?,
            "retentionPolicy" => self.retention_policy = args::string(a)?,
            "measurement" => self.measurement = args::string(a)?,
            "writeConsistency" => self.write_consistency = args::string(a)?,
            "precision" => self.precision = args::string(a)?,
            "buffer" => self.buffer = args::int(a)?,
            "flushInterval" => self.flush_interval = args::duration(a)?,
            "create" => {
                args::none(a)?;
                self.create = true;
            }
            "tag" => {
                if a.len() != 2 {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                }
                self.tags
                    .push((args::string(&a[..1])?, args::string(&a[1..])?));
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.buffer <= 0 {
            return Err("buffer must be greater than 0".into());
        }
        if self.flush_interval <= 0 {
            return Err("flushInterval must be greater than 0".into());
        }
        if !self.precision.is_empty()
            && !matches!(
                self.precision.as_str(),
                "n" | "ns" | "u" | "us" | "ms" | "s" | "m" | "h"
            )
        {
            return Err(format!("invalid precision {:?}", self.precision));
        }
        Ok(())
    }
}
