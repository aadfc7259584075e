//! The `log` handler: appends one `alert.Data` JSON object per line to a file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::options::Options;
use super::{Deliver, Failure};
use crate::AlertError;

/// How long an open file is written to before it is opened again by path, so a rotated or
/// removed log file is followed within this time (Kapacitor opens it for every event, which
/// costs three system calls per alert).
const REOPEN_AFTER: Duration = Duration::from_secs(1);

/// Writes events to a file, one JSON line each.
#[derive(Debug)]
pub struct LogHandler {
    /// The file.
    pub path: String,
    /// Permission bits used when the file is created.
    pub mode: u32,
    /// The file, while it is fresh.
    open: Option<(File, Instant)>,
}

/// Go's `os.FileMode.String()` of permission bits (`-rw-r--r--`).
fn go_mode_string(mode: u32) -> String {
    let mut s = String::from("-");
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

impl LogHandler {
    /// Builds the handler from topic-handler options `path` and `mode`.
    pub fn from_options(options: &Map<String, Value>) -> Result<Self, AlertError> {
        let o = Options::new("log", options);
        let path = o.string("path")?;
        if path.is_empty() {
            return Err(o.err("path", "a file path is required"));
        }
        let mode = match options.get("mode") {
            None | Some(Value::Null) => 0o600,
            Some(v) => v
                .as_u64()
                .and_then(|m| u32::try_from(m).ok())
                .ok_or_else(|| o.err("mode", "must be a file mode such as 0644"))?,
        };
        if mode & 0o200 == 0 {
            return Err(AlertError::Handler {
                kind: "log".into(),
                reason: format!(
                    "invalid file mode {}, must be user writable",
                    go_mode_string(mode & 0o777)
                ),
            });
        }
        if !std::path::Path::new(&path).is_absolute() {
            return Err(AlertError::Handler {
                kind: "log".into(),
                reason: format!("log path must be absolute: {path} is not absolute"),
            });
        }
        Ok(LogHandler {
            path,
            mode,
            open: None,
        })
    }
}

impl Deliver for LogHandler {
    fn kind(&self) -> &'static str {
        "log"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let mut line = crate::to_go_json(&event.data)
            .map_err(|e| Failure::Permanent(format!("failed to marshal alert data json: {e}")))?;
        line.push('\n');
        if self
            .open
            .as_ref()
            .is_none_or(|(_, at)| at.elapsed() >= REOPEN_AFTER)
        {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .mode(self.mode)
                .open(&self.path)
                .map_err(|e| {
                    Failure::Permanent(format!(
                        "failed to open file {} for alert logging: {e}",
                        self.path
                    ))
                })?;
            self.open = Some((file, Instant::now()));
        }
        // One write call per line so concurrent writers never interleave inside a line.
        let written = match self.open.as_mut() {
            Some((file, _)) => file.write_all(line.as_bytes()),
            None => Err(std::io::Error::other("the file is not open")),
        };
        written.map_err(|e| {
            self.open = None;
            Failure::Permanent(format!("failed to write alert to file {}: {e}", self.path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn mode_and_path_are_checked_like_kapacitor() {
        let err = LogHandler::from_options(&opts(&[
            ("path", Value::from("/tmp/x.log")),
            ("mode", Value::from(0o444)),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to create log handler: invalid file mode -r--r--r--, must be user writable"
        );
        let err = LogHandler::from_options(&opts(&[("path", Value::from("rel.log"))])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to create log handler: log path must be absolute: rel.log is not absolute"
        );
        let h = LogHandler::from_options(&opts(&[("path", Value::from("/tmp/x.log"))])).unwrap();
        assert_eq!(h.mode, 0o600);
    }
}
