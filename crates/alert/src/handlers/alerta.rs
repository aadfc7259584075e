//! The `alerta` handler (`.alerta()`): Alerta's `POST <url>/alert`, with resource, event,
//! environment, group, value and services as templates (`[alerta]`, services/alerta).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kapa_engine::{AlertEvent, Level};
use kapa_models::SeriesResult;
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// Alerta's alert timeout when the handler sets none (24h).
const DEFAULT_TIMEOUT_NS: i64 = 24 * 3600 * 1_000_000_000;

/// Sends each event to Alerta.
#[derive(Debug)]
pub struct AlertaHandler {
    enabled: bool,
    url: String,
    authorization: String,
    resource: Template,
    event: Template,
    environment: Template,
    group: Template,
    value: Template,
    services: Vec<Template>,
    origin: String,
    correlate: Vec<String>,
    attributes: Map<String, Value>,
    timeout_s: i64,
    client: Client,
}

/// Go's map body, keys sorted; optional keys left out when empty.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<&'a Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlate: Option<&'a Vec<String>>,
    environment: &'a str,
    event: &'a str,
    group: &'a str,
    origin: &'a str,
    #[serde(rename = "rawData")]
    raw_data: &'a SeriesResult,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a Vec<String>>,
    severity: &'a str,
    tags: &'a [String],
    text: &'a str,
    timeout: i64,
    value: &'a str,
}

impl AlertaHandler {
    /// Builds the handler from the options `token`, `token-prefix`, `resource`, `event`,
    /// `environment`, `group`, `value`, `origin`, `service`, `correlate`, `attributes`
    /// and `timeout` over the `[alerta]` section and Kapacitor's defaults.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("alerta", options);
        let c = services.section("alerta", "alerta");
        let parse = |key: &str, default: &str| -> Result<Template, AlertError> {
            let src = o.string_or(key, default)?;
            Template::parse(&src, false).map_err(|e| AlertError::Handler {
                kind: "alerta".into(),
                reason: e,
            })
        };
        let token = o.string_or("token", &c.string("token")?)?;
        let prefix = o.string_or("token-prefix", &c.string_or("token-prefix", "Bearer")?)?;
        let timeout = match o.duration("timeout")? {
            0 => DEFAULT_TIMEOUT_NS,
            t => t,
        };
        let http_timeout = match c.duration("timeout")? {
            t if t > 0 => Some(Duration::from_nanos(t.unsigned_abs())),
            _ => None,
        };
        Ok(AlertaHandler {
            enabled: c.bool("enabled")?,
            url: http::join_path(&c.string("url")?, &["alert"]),
            authorization: format!("{prefix} {token}"),
            resource: parse("resource", "{{ .Name }}")?,
            event: parse("event", "{{ .ID }}")?,
            environment: parse("environment", &c.string("environment")?)?,
            group: parse("group", "{{ .Group }}")?,
            value: parse("value", "")?,
            services: o
                .strings("service")?
                .iter()
                .map(|s| {
                    Template::parse(s, false).map_err(|e| AlertError::Handler {
                        kind: "alerta".into(),
                        reason: e,
                    })
                })
                .collect::<Result<_, _>>()?,
            origin: o.string_or("origin", &c.string("origin")?)?,
            correlate: o.strings("correlate")?,
            attributes: match o.get("attributes") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            },
            timeout_s: timeout / 1_000_000_000,
            client: Client::new(http_timeout, c.bool("insecure-skip-verify")?),
        })
    }
}

impl Deliver for AlertaHandler {
    fn kind(&self) -> &'static str {
        "alerta"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let td = template_data(event);
        let render = |t: &Template, what: &str| {
            t.render(&td).map_err(|e| {
                Failure::Permanent(format!("failed to evaluate Alerta {what} template: {e}"))
            })
        };
        let resource = render(&self.resource, "resource")?;
        // The event template sees only ID, Name, TaskName, Group and Tags.
        let mut ev_data = BTreeMap::new();
        if let gotmpl::Value::Map(m) = &td {
            for k in ["ID", "Name", "TaskName", "Group", "Tags"] {
                if let Some(v) = m.get(k) {
                    ev_data.insert(Arc::from(k), v.clone());
                }
            }
        }
        let ev = self
            .event
            .render(&gotmpl::Value::Map(Arc::new(ev_data)))
            .map_err(|e| {
                Failure::Permanent(format!("failed to evaluate Alerta event template: {e}"))
            })?;
        let environment = render(&self.environment, "environment")?;
        let group = render(&self.group, "group")?;
        let value = render(&self.value, "value")?;
        let service: Vec<String> = if self.services.is_empty() {
            vec![event.name.clone()]
        } else {
            self.services
                .iter()
                .map(|t| render(t, "service"))
                .collect::<Result<_, _>>()?
        };
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        if resource.is_empty() || ev.is_empty() {
            return Err(Failure::Permanent(
                "Resource and Event are required to send an alert".into(),
            ));
        }
        let severity = match event.data.level {
            Level::Ok => "ok",
            Level::Info => "informational",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        let mut tags: Vec<String> = event.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        tags.sort();
        let body = http::encode(&Body {
            attributes: (!self.attributes.is_empty()).then_some(&self.attributes),
            correlate: (!self.correlate.is_empty()).then_some(&self.correlate),
            environment: &environment,
            event: &ev,
            group: &group,
            origin: &self.origin,
            raw_data: &event.data.data,
            resource: &resource,
            service: (!service.is_empty()).then_some(&service),
            severity,
            tags: &tags,
            text: &event.data.message,
            timeout: self.timeout_s,
            value: &value,
        })?;
        let reply = self.client.post(
            &self.url,
            &[
                ("Authorization", &self.authorization),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )?;
        if reply.status == 201 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand Alerta response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("message", fallback)))
    }
}
