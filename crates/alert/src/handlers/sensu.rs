//! The `sensu` handler (`.sensu()`): a check result as JSON over TCP to the Sensu client
//! socket, which answers `ok` (`[sensu]`, services/sensu).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use kapa_engine::{AlertEvent, Level};
use serde_json::{Map, Value};

use super::http;
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// Connect, write and read timeout.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends each event to Sensu.
#[derive(Debug)]
pub struct SensuHandler {
    enabled: bool,
    addr: String,
    source: Template,
    handlers: Vec<String>,
    metadata: Map<String, Value>,
}

impl SensuHandler {
    /// Builds the handler from the options `source` (a template), `handlers` and
    /// `metadata` over the `[sensu]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("sensu", options);
        let c = services.section("sensu", "sensu");
        let source = Template::parse(&o.string_or("source", &c.string("source")?)?, false)
            .map_err(|e| AlertError::Handler {
                kind: "sensu".into(),
                reason: e,
            })?;
        let handlers = match o.strings("handlers")? {
            h if h.is_empty() => c.strings("handlers")?,
            h => h,
        };
        Ok(SensuHandler {
            enabled: c.bool("enabled")?,
            addr: c.string("addr")?,
            source,
            handlers,
            metadata: match o.get("metadata") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            },
        })
    }
}

/// Kapacitor's `^[\w\.-]+$` for check names.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
}

impl Deliver for SensuHandler {
    fn kind(&self) -> &'static str {
        "sensu"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let source = self.source.render(&template_data(event)).map_err(|e| {
            Failure::Permanent(format!("failed to evaluate Sensu source template: {e}"))
        })?;
        let name = &event.data.id;
        if !valid_name(name) {
            return Err(Failure::Permanent(format!(
                "invalid name {name:?} for sensu alert. Must match ^[\\w\\.-]+$"
            )));
        }
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let status = match event.data.level {
            Level::Ok | Level::Info => 0,
            Level::Warning => 1,
            Level::Critical => 2,
        };
        let mut body = Map::new();
        body.insert("name".into(), Value::String(name.clone()));
        body.insert("source".into(), Value::String(source));
        body.insert("output".into(), Value::String(event.data.message.clone()));
        body.insert("status".into(), Value::from(status));
        body.insert(
            "handlers".into(),
            Value::Array(self.handlers.iter().cloned().map(Value::String).collect()),
        );
        for (k, v) in &self.metadata {
            body.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let body = http::encode(&Value::Object(body))?;
        let addr = self
            .addr
            .to_socket_addrs()
            .map_err(|e| Failure::Permanent(format!("{e}")))?
            .next()
            .ok_or_else(|| Failure::Permanent(format!("no address for {:?}", self.addr)))?;
        let io = |e: std::io::Error| Failure::transient(e.to_string());
        let mut conn = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(io)?;
        conn.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
        conn.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
        conn.write_all(body.as_bytes()).map_err(io)?;
        let mut resp = String::new();
        conn.read_to_string(&mut resp).map_err(io)?;
        if resp == "ok" {
            Ok(())
        } else {
            Err(Failure::Permanent(format!("sensu socket error: {resp}")))
        }
    }
}
