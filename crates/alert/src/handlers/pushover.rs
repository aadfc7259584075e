//! The `pushover` handler (`.pushover()`): a form POST to Pushover's messages API with a
//! priority by level (`[pushover]`, services/pushover).

use kapa_engine::{AlertEvent, Level};
use serde_json::{Map, Value};

use super::http::Client;
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to Pushover.
#[derive(Debug)]
pub struct PushoverHandler {
    enabled: bool,
    url: String,
    token: String,
    user_key: String,
    device: String,
    title: String,
    link: String,
    link_title: String,
    sound: String,
    client: Client,
}

impl PushoverHandler {
    /// Builds the handler from the options `user-key`, `device`, `title`, `url`,
    /// `url-title` and `sound` over the `[pushover]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("pushover", options);
        let c = services.section("pushover", "pushover");
        Ok(PushoverHandler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            token: c.string("token")?,
            user_key: o.string_or("user-key", &c.string("user-key")?)?,
            device: o.string("device")?,
            title: o.string("title")?,
            link: o.string("url")?,
            link_title: o.string("url-title")?,
            sound: o.string("sound")?,
            client: Client::new(None, false),
        })
    }
}

/// Go's url.QueryEscape.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Deliver for PushoverHandler {
    fn kind(&self) -> &'static str {
        "pushover"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let priority = match event.data.level {
            Level::Ok => "-2",
            Level::Info => "-1",
            Level::Warning => "0",
            Level::Critical => "1",
        };
        // url.Values.Encode: keys sorted, empty optional values left out.
        let mut form: Vec<(&str, &str)> = vec![
            ("device", &self.device),
            ("message", &event.data.message),
            ("priority", priority),
            ("sound", &self.sound),
            ("title", &self.title),
            ("token", &self.token),
            ("url", &self.link),
            ("url_title", &self.link_title),
            ("user", &self.user_key),
        ];
        form.retain(|(k, v)| !v.is_empty() || matches!(*k, "message" | "token" | "user"));
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", query_escape(v)))
            .collect::<Vec<_>>()
            .join("&");
        let reply = self.client.post(
            &self.url,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )?;
        if reply.status == 200 {
            return Ok(());
        }
        let errors: Vec<String> = serde_json::from_str::<Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("errors").cloned())
            .and_then(|e| serde_json::from_value(e).ok())
            .unwrap_or_default();
        let fallback = format!(
            "failed to understand Pushover response. code: {} content: {}",
            reply.status,
            errors.join(", ")
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
