//! The `opsgenie` handler (`.opsGenie()`): OpsGenie's v1 JSON alert API, with recoveries
//! sent to the recovery URL (`[opsgenie]`, services/opsgenie).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to OpsGenie (API v1).
#[derive(Debug)]
pub struct OpsGenieHandler {
    enabled: bool,
    url: String,
    recovery_url: String,
    api_key: String,
    teams: Vec<String>,
    recipients: Vec<String>,
    client: Client,
}

#[derive(Serialize)]
struct Details<'a> {
    #[serde(rename = "Level")]
    level: &'a str,
    #[serde(rename = "Monitoring Tool")]
    tool: &'a str,
}

/// Go's map body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    alias: &'a str,
    #[serde(rename = "apiKey")]
    api_key: &'a str,
    description: String,
    details: Details<'a>,
    entity: &'a str,
    message: &'a str,
    monitoring_tool: &'a str,
    note: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    recipients: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    teams: &'a [String],
}

impl OpsGenieHandler {
    /// Builds the handler from the options `teams-list` and `recipients-list` over the
    /// `[opsgenie]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("opsgenie", options);
        let c = services.section("opsgenie", "opsgenie");
        let or_cfg = |list: Vec<String>, key: &str| -> Result<Vec<String>, AlertError> {
            if list.is_empty() {
                c.strings(key)
            } else {
                Ok(list)
            }
        };
        Ok(OpsGenieHandler {
            enabled: c.bool("enabled")?,
            url: format!("{}/", c.string("url")?),
            recovery_url: format!("{}/", c.string("recovery_url")?),
            api_key: c.string("api-key")?,
            teams: or_cfg(o.strings("teams-list")?, "teams")?,
            recipients: or_cfg(o.strings("recipients-list")?, "recipients")?,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for OpsGenieHandler {
    fn kind(&self) -> &'static str {
        "opsgenie"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let d = &event.data;
        let recovery = d.level == Level::Ok;
        let message_type = if recovery {
            "RECOVERY"
        } else {
            d.level.as_str()
        };
        let body = http::encode(&Body {
            alias: &d.id,
            api_key: &self.api_key,
            description: crate::to_go_json(&d.data).unwrap_or_default(),
            details: Details {
                level: message_type,
                tool: "Kapacitor",
            },
            entity: &d.id,
            message: &d.message,
            monitoring_tool: "kapacitor",
            note: if recovery { &d.message } else { "" },
            recipients: &self.recipients,
            teams: &self.teams,
        })?;
        let url = if recovery {
            &self.recovery_url
        } else {
            &self.url
        };
        let reply = self.client.post(
            url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand OpsGenie response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("message", fallback)))
    }
}
