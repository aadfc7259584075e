//! The `servicenow` handler (`.serviceNow()`): one event record posted to ServiceNow's
//! event management web service (`[servicenow]`, services/servicenow).

use std::collections::BTreeMap;
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

/// Sends each event to ServiceNow.
#[derive(Debug)]
pub struct ServiceNowHandler {
    enabled: bool,
    url: String,
    basic_auth: Option<String>,
    source: String,
    node: Template,
    kind: Template,
    resource: Template,
    metric_name: Template,
    message_key: Template,
    additional_info: Vec<(String, Result<Template, String>)>,
    client: Client,
}

#[derive(Serialize)]
struct Record<'a> {
    source: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    node: &'a str,
    #[serde(rename = "type", skip_serializing_if = "str::is_empty")]
    kind: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    resource: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    metric_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    message_key: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    severity: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    additional_info: &'a str,
}

#[derive(Serialize)]
struct Records<'a> {
    records: [Record<'a>; 1],
}

/// The first `max` bytes, as Go slices strings (a cut character becomes U+FFFD).
fn cutoff(s: &str, max: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[..s.len().min(max)]).into_owned()
}

impl ServiceNowHandler {
    /// Builds the handler from the options `url`, `username`, `password`, `source`, `node`,
    /// `type`, `resource`, `metric_name`, `message_key` (templates) and `additional_info`
    /// over the `[servicenow]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("servicenow", options);
        let c = services.section("servicenow", "servicenow");
        let parse = |key: &str| -> Result<Template, AlertError> {
            Template::parse(&o.string(key)?, false).map_err(|e| AlertError::Handler {
                kind: "servicenow".into(),
                reason: e,
            })
        };
        let user = o.string_or("username", &c.string("username")?)?;
        let pass = o.string_or("password", &c.string("password")?)?;
        let additional_info = match o.get("additional_info") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    let t = match v {
                        Value::String(s) => Template::parse(s, false).map_err(|e| e.to_string()),
                        other => {
                            Template::parse(&other.to_string(), false).map_err(|e| e.to_string())
                        }
                    };
                    (k.clone(), t)
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(ServiceNowHandler {
            enabled: c.bool("enabled")?,
            url: o.string_or("url", &c.string("url")?)?,
            basic_auth: (!user.is_empty() && !pass.is_empty())
                .then(|| kapa_models::httppost::basic_auth_header(&user, &pass)),
            source: o.string_or("source", &c.string("source")?)?,
            node: parse("node")?,
            kind: parse("type")?,
            resource: parse("resource")?,
            metric_name: parse("metric_name")?,
            message_key: parse("message_key")?,
            additional_info,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for ServiceNowHandler {
    fn kind(&self) -> &'static str {
        "servicenow"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        // The templates see ID, Name, TaskName, Fields and Tags.
        let info = template_subset(event, &["ID", "Name", "TaskName", "Fields", "Tags"]);
        let info = gotmpl::Value::Map(Arc::new(info));
        let render = |t: &Template| {
            t.render(&info)
                .map_err(|e| Failure::Permanent(format!("failed to render template: {e}")))
        };
        let node = render(&self.node)?;
        let kind = render(&self.kind)?;
        let resource = render(&self.resource)?;
        let metric_name = render(&self.metric_name)?;
        let mut message_key = render(&self.message_key)?;
        if message_key.is_empty() {
            message_key = event.data.id.clone();
        }
        let additional_info = if self.additional_info.is_empty() {
            String::new()
        } else {
            let mut m = BTreeMap::new();
            for (k, t) in &self.additional_info {
                let t = t.as_ref().map_err(|e| Failure::Permanent(e.clone()))?;
                m.insert(k.clone(), render(t)?);
            }
            crate::to_go_json(&m).unwrap_or_default()
        };
        let severity = match event.data.level {
            Level::Ok | Level::Info => "5",
            Level::Warning => "4",
            Level::Critical => "1",
        };
        let source = cutoff(&self.source, 100);
        let (node, kind, resource, metric_name) = (
            cutoff(&node, 100),
            cutoff(&kind, 100),
            cutoff(&resource, 100),
            cutoff(&metric_name, 100),
        );
        let message_key = cutoff(&message_key, 1024);
        let description = cutoff(&event.data.message, 4000);
        let body = crate::to_go_json(&Records {
            records: [Record {
                source: &source,
                node: &node,
                kind: &kind,
                resource: &resource,
                metric_name: &metric_name,
                message_key: &message_key,
                severity,
                description: &description,
                additional_info: &additional_info,
            }],
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
            "failed to understand ServiceNow response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
