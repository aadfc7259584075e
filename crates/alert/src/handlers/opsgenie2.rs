//! The `opsgenie2` handler (`.opsGenie2()`): OpsGenie's v2 alerts API, creating alerts and
//! adding a note (or closing) on recovery (`[opsgenie2]`, services/opsgenie2).

use std::collections::BTreeMap;

use kapa_engine::{AlertEvent, Level};
use serde_json::{Map, Value, json};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to OpsGenie.
#[derive(Debug)]
pub struct OpsGenie2Handler {
    enabled: bool,
    url: String,
    api_key: String,
    recovery_action: String,
    teams: Vec<String>,
    recipients: Vec<String>,
    client: Client,
}

impl OpsGenie2Handler {
    /// Builds the handler from the options `teams-list`, `recipients-list` and
    /// `recovery_action` over the `[opsgenie2]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("opsgenie2", options);
        let c = services.section("opsgenie2", "opsgenie2");
        let or_cfg = |list: Vec<String>, key: &str| -> Result<Vec<String>, AlertError> {
            if list.is_empty() {
                c.strings(key)
            } else {
                Ok(list)
            }
        };
        Ok(OpsGenie2Handler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            api_key: c.string("api-key")?,
            recovery_action: o
                .string_or("recovery_action", &c.string_or("recovery_action", "notes")?)?,
            teams: or_cfg(o.strings("teams-list")?, "teams")?,
            recipients: or_cfg(o.strings("recipients-list")?, "recipients")?,
            client: Client::new(None, false),
        })
    }
}

/// Go's base64.URLEncoding (URL alphabet, padded).
pub(crate) fn base64_url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Deliver for OpsGenie2Handler {
    fn kind(&self) -> &'static str {
        "opsgenie2"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent(
                "failed to prepare API request: service is not enabled".into(),
            ));
        }
        let d = &event.data;
        let alias = base64_url(d.id.as_bytes());
        let (url, body) = if d.level == Level::Ok {
            let url = http::join_path(&self.url, &[&alias, &self.recovery_action]);
            let url = match url.split_once('?') {
                Some((u, _)) => format!("{u}?identifierType=alias"),
                None => format!("{url}?identifierType=alias"),
            };
            (url, json!({ "note": d.message }))
        } else {
            let priority = match d.level {
                Level::Info => "P5",
                Level::Warning => "P3",
                _ => "P1",
            };
            let mut details: BTreeMap<String, String> = BTreeMap::new();
            details.insert("Monitoring Tool".into(), "Kapacitor".into());
            details.insert("Level".into(), d.level.as_str().into());
            if let Some(row) = d.data.series.iter().flatten().next() {
                for (k, v) in &row.tags {
                    details.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
                details.insert("Kapacitor Task Name".into(), row.name.clone());
            }
            let mut responders: Vec<Value> = self
                .teams
                .iter()
                .map(|t| json!({"name": t, "type": "team"}))
                .collect();
            responders.extend(
                self.recipients
                    .iter()
                    .map(|u| json!({"type": "user", "username": u})),
            );
            let mut body = json!({
                "alias": alias,
                "description": crate::to_go_json(&d.data).unwrap_or_default(),
                "details": details,
                "entity": d.id,
                "message": d.message,
                "note": "",
                "priority": priority,
            });
            if !responders.is_empty() {
                body["responders"] = Value::Array(responders);
            }
            (self.url.clone(), body)
        };
        let body = http::encode(&body)?;
        let auth = format!("GenieKey {}", self.api_key);
        let reply = self
            .client
            .post(
                &url,
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body.as_bytes(),
            )
            .map_err(|f| match f {
                Failure::Transient {
                    reason,
                    retry_after,
                } => Failure::Transient {
                    reason: format!("failed to execute API request: {reason}"),
                    retry_after,
                },
                Failure::Permanent(r) => {
                    Failure::Permanent(format!("failed to execute API request: {r}"))
                }
            })?;
        if reply.status == 202 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand OpsGenie response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(format!(
            "opsgenie error: {}",
            reply.json_field("message", fallback)
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_url_padded() {
        assert_eq!(super::base64_url(b"cpu:nil"), "Y3B1Om5pbA==");
        assert_eq!(super::base64_url(b"ab?"), "YWI_");
        assert_eq!(super::base64_url(b""), "");
    }
}
