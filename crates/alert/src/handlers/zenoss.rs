//! The `zenoss` handler (`.zenoss()`): an event sent through Zenoss' JSON router
//! (`evconsole_router` `add_event`), severity from `[zenoss.severity-map]`
//! (`[zenoss]`, services/zenoss).

use std::sync::Arc;

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::Client;
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_subset};

/// Sends each event to Zenoss.
#[derive(Debug)]
pub struct ZenossHandler {
    enabled: bool,
    url: String,
    basic_auth: Option<String>,
    action: String,
    method: String,
    kind: String,
    tid: i64,
    collector_default: String,
    severity: [Value; 4],
    templates: Vec<(&'static str, Template)>,
    custom: Vec<(String, Result<Template, Value>)>,
    client: Client,
}

/// Go's Event struct, field order kept.
#[derive(Serialize)]
struct Event<'a> {
    action: &'a str,
    method: &'a str,
    data: [Map<String, Value>; 1],
    #[serde(rename = "type")]
    kind: &'a str,
    tid: i64,
}

fn cutoff(s: &str, max: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[..s.len().min(max)]).into_owned()
}

impl ZenossHandler {
    /// Builds the handler from the options `action`, `method`, `type`, `tid`, the
    /// templates `summary`, `device`, `component`, `eventclasskey`, `eventclass`,
    /// `collector`, `message`, and `customField`, over the `[zenoss]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("zenoss", options);
        let c = services.section("zenoss", "zenoss");
        let parse = |src: &str| {
            Template::parse(src, false).map_err(|e| AlertError::Handler {
                kind: "zenoss".into(),
                reason: e,
            })
        };
        let mut templates = Vec::new();
        for (key, name) in [
            ("summary", "summary"),
            ("device", "device"),
            ("component", "component"),
            ("eventclasskey", "evclasskey"),
            ("eventclass", "evclass"),
            ("collector", "collector"),
            ("message", "message"),
        ] {
            templates.push((name, parse(&o.string(key)?)?));
        }
        let map = match c.get("severity-map") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let sev = |k: &str, d: &str| map.get(k).cloned().unwrap_or(Value::String(d.into()));
        let user = c.string("username")?;
        let pass = c.string("password")?;
        let tid = match o.int("tid")? {
            0 => c.int("tid")?,
            t => t,
        };
        Ok(ZenossHandler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            basic_auth: (!user.is_empty() && !pass.is_empty())
                .then(|| kapa_models::httppost::basic_auth_header(&user, &pass)),
            action: o.string_or("action", &c.string("action")?)?,
            method: o.string_or("method", &c.string("method")?)?,
            kind: o.string_or("type", &c.string("type")?)?,
            tid,
            collector_default: c.string("collector")?,
            severity: [
                sev("OK", "Clear"),
                sev("Info", "Info"),
                sev("Warning", "Warning"),
                sev("Critical", "Critical"),
            ],
            templates,
            custom: match o.get("customField") {
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| {
                        let t = match v {
                            Value::String(s) => parse(s).map_err(|_| v.clone()),
                            other => Err(other.clone()),
                        };
                        (k.clone(), t)
                    })
                    .collect(),
                _ => Vec::new(),
            },
            client: Client::new(None, false),
        })
    }
}

impl Deliver for ZenossHandler {
    fn kind(&self) -> &'static str {
        "zenoss"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        // The templates see Name, TaskName, ID, Message, Details, Time, Duration, Level,
        // Recoverable and Tags.
        let mut info = template_subset(
            event,
            &[
                "Name", "TaskName", "ID", "Message", "Time", "Duration", "Level", "Tags",
            ],
        );
        info.insert(
            Arc::from("Details"),
            gotmpl::Value::String(Arc::from(event.data.details.as_str())),
        );
        info.insert(
            Arc::from("Recoverable"),
            gotmpl::Value::Bool(event.data.recoverable),
        );
        let info = gotmpl::Value::Map(Arc::new(info));
        let render = |t: &Template| {
            t.render(&info)
                .map_err(|e| Failure::Permanent(format!("failed to render template: {e}")))
        };
        let mut data = Map::new();
        for (name, t) in &self.templates {
            let mut v = render(t)?;
            match *name {
                "summary" if v.is_empty() => v = event.data.message.clone(),
                "collector" if v.is_empty() => v = self.collector_default.clone(),
                _ => {}
            }
            let v = match *name {
                "summary" => cutoff(&v, 256),
                "message" => cutoff(&v, 4096),
                _ => v,
            };
            // collector and message are omitempty.
            if v.is_empty() && matches!(*name, "collector" | "message") {
                continue;
            }
            data.insert((*name).to_string(), Value::String(v));
        }
        let level_idx = match event.data.level {
            Level::Ok => 0,
            Level::Info => 1,
            Level::Warning => 2,
            Level::Critical => 3,
        };
        data.insert("severity".into(), self.severity[level_idx].clone());
        for (k, t) in &self.custom {
            let v = match t {
                Ok(t) => {
                    let s = render(t)?;
                    // A JSON-looking string is sent as JSON.
                    if s.starts_with('{') || s.starts_with('[') {
                        serde_json::from_str(&s).unwrap_or(Value::String(s))
                    } else {
                        Value::String(s)
                    }
                }
                Err(v) => v.clone(),
            };
            data.insert(k.clone(), v);
        }
        let body = crate::to_go_json(&Event {
            action: &self.action,
            method: &self.method,
            data: [data],
            kind: &self.kind,
            tid: self.tid,
        })
        .map_err(|e| Failure::Permanent(format!("error marshaling event struct: {e}")))?;
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &self.basic_auth {
            headers.push(("Authorization", a.as_str()));
        }
        let reply = self.client.post(&self.url, &headers, body.as_bytes())?;
        if reply.status == 200 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand Zenoss response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
