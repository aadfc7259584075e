//! Logging in Kapacitor's logfmt style:
//! `ts=2024-01-02T03:04:05.678Z lvl=info msg="listening on" service=http addr=127.0.0.1:9092`.
//! The level can be changed at run time (`POST /kapacitor/v1/loglevel`).

use std::fmt;
use std::io::Write;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Registry, reload};

use crate::ServerError;

/// Changes the level of the installed logger.
#[derive(Clone)]
pub struct LevelHandle(Option<reload::Handle<LevelFilter, Registry>>);

impl fmt::Debug for LevelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LevelHandle")
    }
}

impl LevelHandle {
    /// A handle that changes nothing (tests without a logger).
    pub fn detached() -> Self {
        LevelHandle(None)
    }

    /// Sets the level from its name (`debug`, `info`, `warn`, `error`, `off`).
    pub fn set(&self, name: &str) -> Result<(), ServerError> {
        let level = parse_level(name)?;
        if let Some(h) = &self.0 {
            h.modify(|f| *f = level)
                .map_err(|e| ServerError::Config(format!("changing log level: {e}")))?;
        }
        Ok(())
    }
}

/// Parses a level name, case-insensitively.
pub fn parse_level(name: &str) -> Result<LevelFilter, ServerError> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "debug" => LevelFilter::DEBUG,
        "info" | "" => LevelFilter::INFO,
        "warn" | "warning" => LevelFilter::WARN,
        "error" => LevelFilter::ERROR,
        "off" => LevelFilter::OFF,
        _ => return Err(ServerError::Config(format!("invalid log level {name:?}"))),
    })
}

/// Installs the global logger writing to `file` (`STDOUT`, `STDERR` or a path).
pub fn init(file: &str, level: &str) -> Result<LevelHandle, ServerError> {
    let level = parse_level(level)?;
    let writer = match file {
        "" | "STDERR" => BoxMakeWriter::new(std::io::stderr),
        "STDOUT" => BoxMakeWriter::new(std::io::stdout),
        path => {
            if let Some(dir) = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ServerError::Config(format!("log file {path}: {e}")))?;
            }
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| ServerError::Config(format!("log file {path}: {e}")))?;
            BoxMakeWriter::new(Mutex::new(f))
        }
    };
    let (filter, handle) = reload::Layer::new(level);
    // Dependencies (hyper, redb...) only speak up when something is wrong.
    let targets = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("kapa", LevelFilter::TRACE)
        .with_target("kapacitord", LevelFilter::TRACE);
    let layer = tracing_subscriber::fmt::layer()
        .event_format(Logfmt)
        .with_writer(writer)
        .with_filter(targets);
    tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init()
        .map_err(|e| ServerError::Config(format!("installing logger: {e}")))?;
    Ok(LevelHandle(Some(handle)))
}

use tracing_subscriber::Layer as _;

/// The event formatter.
#[derive(Debug, Clone, Copy)]
pub struct Logfmt;

impl<S, N> FormatEvent<S, N> for Logfmt
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = render(
            &timestamp_now(),
            *event.metadata().level(),
            &fields.msg,
            &fields.pairs,
        );
        writer.write_str(&line)
    }
}

#[derive(Default)]
struct Fields {
    msg: String,
    pairs: Vec<(String, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.msg = value.to_string();
        } else {
            self.pairs
                .push((field.name().to_string(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.msg = text;
        } else {
            self.pairs.push((field.name().to_string(), text));
        }
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG | Level::TRACE => "debug",
    }
}

/// One log line, newline included.
fn render(ts: &str, level: Level, msg: &str, pairs: &[(String, String)]) -> String {
    let mut out = format!("ts={ts} lvl={} msg={}", level_name(level), quote(msg));
    for (k, v) in pairs {
        out.push(' ');
        out.push_str(k);
        out.push('=');
        if needs_quotes(v) {
            out.push_str(&quote(v));
        } else {
            out.push_str(v);
        }
    }
    out.push('\n');
    out
}

fn needs_quotes(v: &str) -> bool {
    v.is_empty()
        || v.chars()
            .any(|c| c == ' ' || c == '=' || c == '"' || c.is_control())
}

fn quote(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Now in UTC with milliseconds, e.g. `2024-01-02T03:04:05.678Z`.
fn timestamp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_ts(i64::try_from(now.as_nanos()).unwrap_or(i64::MAX))
}

fn format_ts(ns: i64) -> String {
    let (y, mo, d, h, mi, s, nanos, _) = kapa_models::time::civil(ns);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        nanos / 1_000_000
    )
}

/// Writes one line straight to stderr, for errors before the logger exists.
pub fn early_error(msg: &str) {
    let line = render(
        &timestamp_now(),
        Level::ERROR,
        msg,
        &[("service".into(), "run".into())],
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_look_like_kapacitor() {
        let pairs = vec![
            ("service".to_string(), "http".to_string()),
            ("addr".to_string(), "127.0.0.1:9092".to_string()),
            ("err".to_string(), "no such \"file\"".to_string()),
            ("empty".to_string(), String::new()),
        ];
        assert_eq!(
            render("T", Level::INFO, "listening on", &pairs),
            "ts=T lvl=info msg=\"listening on\" service=http addr=127.0.0.1:9092 \
             err=\"no such \\\"file\\\"\" empty=\"\"\n"
        );
        assert_eq!(
            render("T", Level::WARN, "x", &[]),
            "ts=T lvl=warn msg=\"x\"\n"
        );
    }

    #[test]
    fn timestamps_have_milliseconds() {
        assert_eq!(format_ts(1_500_000_000), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn level_names() {
        assert_eq!(parse_level("DEBUG").unwrap(), LevelFilter::DEBUG);
        assert_eq!(parse_level("Error").unwrap(), LevelFilter::ERROR);
        assert_eq!(
            parse_level("loud").unwrap_err().to_string(),
            "invalid log level \"loud\""
        );
    }
}
