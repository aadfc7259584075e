//! The `bigpanda` handler (`.bigPanda()`): BigPanda's alerts API v2 with the event's tags
//! (and, by `auto-attributes`, fields) as attributes (`[bigpanda]`, services/bigpanda).

use kapa_engine::{AlertEvent, Level};
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to BigPanda.
#[derive(Debug)]
pub struct BigPandaHandler {
    enabled: bool,
    url: String,
    token: String,
    app_key: String,
    host: String,
    primary_property: String,
    secondary_property: String,
    attributes: Map<String, Value>,
    auto_tags: bool,
    auto_fields: bool,
    client: Client,
}

impl BigPandaHandler {
    /// Builds the handler from the options `app-key`, `host`, `primary-property`,
    /// `secondary-property` and `attributes` over the `[bigpanda]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("bigpanda", options);
        let c = services.section("bigpanda", "bigpanda");
        let auto = c.string("auto-attributes")?;
        let has = |w: &str| auto.split(',').any(|a| a.trim() == w);
        Ok(BigPandaHandler {
            enabled: c.bool("enabled")?,
            url: o.string_or("url", &c.string("url")?)?,
            token: c.string("token")?,
            app_key: o.string_or("app-key", &c.string("app-key")?)?,
            host: o.string("host")?,
            primary_property: o.string("primary-property")?,
            secondary_property: o.string("secondary-property")?,
            attributes: match o.get("attributes") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            },
            auto_tags: has("tags"),
            auto_fields: has("fields"),
            client: Client::new(None, c.bool("insecure-skip-verify")?),
        })
    }
}

/// Go's html.UnescapeString for the entities Kapacitor's templates produce.
fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Deliver for BigPandaHandler {
    fn kind(&self) -> &'static str {
        "bigpanda"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let d = &event.data;
        let status = match d.level {
            Level::Ok | Level::Info => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        // Go's map: keys sorted by serde_json's map.
        let mut body = Map::new();
        if self.auto_tags {
            for (k, v) in &event.tags {
                body.insert(k.clone(), Value::String(v.clone()));
            }
        }
        if self.auto_fields {
            for (k, v) in crate::template::fields(event) {
                body.insert(k.to_string(), crate::template::to_json(&v));
            }
        }
        for (k, v) in &self.attributes {
            body.insert(k.clone(), v.clone());
        }
        if !d.message.is_empty() {
            body.insert("description".into(), Value::String(d.message.clone()));
        }
        let details = html_unescape(&d.details);
        // The default details (the event's JSON) are left out.
        if !details.is_empty() && !details.starts_with('{') {
            body.insert("details".into(), Value::String(details));
        }
        if !d.id.is_empty() {
            body.insert("check".into(), Value::String(d.id.clone()));
        }
        body.insert(
            "task".into(),
            Value::String(format!("{}:{}", event.task_name, event.name)),
        );
        body.insert(
            "timestamp".into(),
            Value::from(event.time.div_euclid(1_000_000_000)),
        );
        body.insert("status".into(), Value::String(status.into()));
        body.insert("app_key".into(), Value::String(self.app_key.clone()));
        for (k, v) in [
            ("host", &self.host),
            ("primary_property", &self.primary_property),
            ("secondary_property", &self.secondary_property),
        ] {
            if !v.is_empty() {
                body.insert(k.into(), Value::String(v.clone()));
            }
        }
        let body = http::encode(&Value::Object(body))?;
        let auth = format!("Bearer {}", self.token);
        let reply = self.client.post(
            &self.url,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )?;
        if reply.status == 201 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand BigPanda response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
