//! The `hipchat` handler (`.hipChat()`): a room notification through HipChat's v2 API
//! (`[hipchat]`, services/hipchat; HipChat itself is discontinued).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event's message to a room.
#[derive(Debug)]
pub struct HipChatHandler {
    enabled: bool,
    url: String,
    client: Client,
}

/// Go's map body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    color: &'a str,
    from: &'a str,
    message: &'a str,
    notify: bool,
}

impl HipChatHandler {
    /// Builds the handler from the options `room` and `token` over the `[hipchat]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("hipchat", options);
        let c = services.section("hipchat", "hipchat");
        let room = o.string_or("room", &c.string("room")?)?;
        let token = o.string_or("token", &c.string("token")?)?;
        let url = http::join_path(&c.string("url")?, &[&room, "notification"]);
        let url = format!(
            "{}?auth_token={}",
            url.split('?').next().unwrap_or_default(),
            super::pushover::query_escape(&token)
        );
        Ok(HipChatHandler {
            enabled: c.bool("enabled")?,
            url,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for HipChatHandler {
    fn kind(&self) -> &'static str {
        "hipchat"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let color = match event.data.level {
            Level::Warning => "yellow",
            Level::Critical => "red",
            _ => "green",
        };
        let body = http::encode(&Body {
            color,
            from: "kapacitor",
            message: &event.data.message,
            notify: true,
        })?;
        let reply = self.client.post(
            &self.url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 || reply.status == 204 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand HipChat response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
