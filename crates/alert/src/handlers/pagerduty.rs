//! The `pagerduty` handler (`.pagerDuty()`): PagerDuty's v1 generic events API
//! (`[pagerduty]`, services/pagerduty).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Triggers and resolves PagerDuty incidents.
#[derive(Debug)]
pub struct PagerDutyHandler {
    enabled: bool,
    url: String,
    service_key: String,
    client_url: String,
    client: Client,
}

/// Go's map[string]string body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    client: &'a str,
    client_url: &'a str,
    description: &'a str,
    details: &'a str,
    event_type: &'a str,
    incident_key: &'a str,
    service_key: &'a str,
}

impl PagerDutyHandler {
    /// Builds the handler from the option `service-key` over the `[pagerduty]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("pagerduty", options);
        let c = services.section("pagerduty", "pagerduty");
        Ok(PagerDutyHandler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            service_key: o.string_or("service-key", &c.string("service-key")?)?,
            client_url: services.external_url().to_string(),
            client: Client::new(None, false),
        })
    }
}

impl Deliver for PagerDutyHandler {
    fn kind(&self) -> &'static str {
        "pagerduty"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let event_type = match event.data.level {
            Level::Warning | Level::Critical => "trigger",
            Level::Info => {
                return Err(Failure::Permanent(
                    "AlertLevel 'info' is currently ignored by the PagerDuty service".into(),
                ));
            }
            Level::Ok => "resolve",
        };
        let body = http::encode(&Body {
            client: "kapacitor",
            client_url: &self.client_url,
            description: &event.data.message,
            details: &event.data.details,
            event_type,
            incident_key: &event.data.id,
            service_key: &self.service_key,
        })?;
        let reply = self.client.post(
            &self.url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand PagerDuty response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("message", fallback)))
    }
}
