//! The `victorops` handler (`.victorOps()`): VictorOps' REST integration at
//! `<url>/<api-key>/<routing-key>` (`[victorops]`, services/victorops).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to VictorOps.
#[derive(Debug)]
pub struct VictorOpsHandler {
    enabled: bool,
    url: String,
    json_data: bool,
    client: Client,
}

/// Go's map body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    data: Data<'a>,
    entity_id: &'a str,
    message_type: &'a str,
    monitoring_tool: &'a str,
    state_message: &'a str,
    timestamp: i64,
}

/// `data`: the result itself with `json-data`, else its JSON as a string.
#[derive(Serialize)]
#[serde(untagged)]
enum Data<'a> {
    Json(&'a kapa_models::SeriesResult),
    Text(String),
}

impl VictorOpsHandler {
    /// Builds the handler from the option `routing-key` over the `[victorops]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("victorops", options);
        let c = services.section("victorops", "victorops");
        let routing_key = o.string_or("routing-key", &c.string("routing-key")?)?;
        let api_key = c.string("api-key")?;
        Ok(VictorOpsHandler {
            enabled: c.bool("enabled")?,
            url: http::join_path(&c.string("url")?, &[&api_key, &routing_key]),
            json_data: c.bool("json-data")?,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for VictorOpsHandler {
    fn kind(&self) -> &'static str {
        "victorops"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let d = &event.data;
        let message_type = match d.level {
            Level::Ok => "RECOVERY",
            l => l.as_str(),
        };
        let data = if self.json_data {
            Data::Json(&d.data)
        } else {
            Data::Text(crate::to_go_json(&d.data).unwrap_or_default())
        };
        let body = http::encode(&Body {
            data,
            entity_id: &d.id,
            message_type,
            monitoring_tool: "kapacitor",
            state_message: &d.message,
            timestamp: event.time.div_euclid(1_000_000_000),
        })?;
        let reply = self.client.post(
            &self.url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 {
            return Ok(());
        }
        if reply.status == 404 {
            return Err(Failure::Permanent("URL or API key not found: 404".into()));
        }
        let fallback = format!(
            "failed to understand VictorOps response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("message", fallback)))
    }
}
