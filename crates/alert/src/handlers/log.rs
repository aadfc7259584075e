//! The `log` handler: appends one `alert.Data` JSON object per line to a file.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::Handler;
use crate::AlertError;

/// Writes events to a file, one JSON line each.
#[derive(Debug, Clone, PartialEq)]
pub struct LogHandler {
    /// The file.
    pub path: String,
    /// Permission bits used when the file is created.
    pub mode: u32,
}

impl LogHandler {
    /// Builds the handler from topic-handler options `path` and `mode`.
    pub fn from_options(options: &Map<String, Value>) -> Result<Self, AlertError> {
        let err = |option: &str, reason: &str| AlertError::InvalidOption {
            kind: "log".into(),
            option: option.into(),
            reason: reason.into(),
        };
        let path = options
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| err("path", "a file path is required"))?
            .to_string();
        let mode = match options.get("mode") {
            None => 0o600,
            Some(v) => v
                .as_u64()
                .and_then(|m| u32::try_from(m).ok())
                .ok_or_else(|| err("mode", "must be a file mode such as 0644"))?,
        };
        Ok(LogHandler { path, mode })
    }
}

impl Handler for LogHandler {
    fn handle(&self, event: &AlertEvent) {
        let mut line = match crate::to_go_json(&event.data) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(handler = "log", err = %e, "failed to marshal alert data json");
                return;
            }
        };
        line.push('\n');
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(self.mode)
            .open(&self.path);
        match file {
            Ok(mut f) => {
                if let Err(e) = f.write_all(line.as_bytes()) {
                    tracing::error!(handler = "log", path = %self.path, err = %e, "failed to write alert to file");
                }
            }
            Err(e) => {
                tracing::error!(handler = "log", path = %self.path, err = %e, "failed to open file for alert logging");
            }
        }
    }
}
