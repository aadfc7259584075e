//! `|stats(interval)`: a source node that emits, on the wall clock, how many points each
//! group of the observed node emitted (mirrors pipeline/stats.go). `|deadman()` builds on it.

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["align"];

/// Properties of a stats node.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSpec {
    /// Emission interval in ns.
    pub interval: i64,
    /// `.align()`: emit on multiples of the interval.
    pub align: bool,
    /// The node whose statistics are emitted.
    pub observes: usize,
}

impl StatsSpec {
    pub(crate) fn new(a: &[Val], observes: usize) -> ArgResult<Self> {
        let interval = args::duration(a)?;
        if interval <= 0 {
            return Err("stats interval must be greater than zero".into());
        }
        Ok(StatsSpec {
            interval,
            align: false,
            observes,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "align" => {
                args::none(a)?;
                self.align = true;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}

/// The `[deadman]` settings used by `|deadman()` (Kapacitor's defaults unless the server
/// configures others at startup).
#[derive(Debug, Clone, PartialEq)]
pub struct DeadmanConfig {
    /// Default threshold.
    pub threshold: f64,
    /// Default interval in ns.
    pub interval: i64,
    /// Alert id template; `NODE_NAME` is replaced by the observed node's name.
    pub id: String,
    /// Alert message template; `INTERVAL` is replaced by the interval.
    pub message: String,
    /// Add a deadman to every task.
    pub global: bool,
}

impl Default for DeadmanConfig {
    fn default() -> Self {
        DeadmanConfig {
            threshold: 0.0,
            interval: 10_000_000_000,
            id: "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'".into(),
            message: "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/INTERVAL.".into(),
            global: false,
        }
    }
}

static DEADMAN: std::sync::OnceLock<DeadmanConfig> = std::sync::OnceLock::new();

/// Sets the `[deadman]` settings once, at startup.
pub fn set_deadman_config(c: DeadmanConfig) {
    let _ = DEADMAN.set(c);
}

/// The `[deadman]` settings in force.
pub fn deadman_config() -> DeadmanConfig {
    DEADMAN.get().cloned().unwrap_or_default()
}
