//! `|log()`: logs every message passing through (mirrors pipeline/log.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["level", "prefix"];

/// Properties of a log node.
#[derive(Debug, Clone)]
pub struct LogSpec {
    /// `.level()`: DEBUG, INFO, WARN or ERROR.
    pub level: String,
    /// `.prefix()`.
    pub prefix: String,
}

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            level: "INFO".into(),
            prefix: String::new(),
        }
    }
}

impl LogSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "level" => {
                let level = args::string(a)?.to_uppercase();
                if !matches!(level.as_str(), "DEBUG" | "INFO" | "WARN" | "ERROR") {
                    return Err(format!("invalid log level {level}"));
                }
                self.level = level;
            }
            "prefix" => self.prefix = args::string(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
