//! The `slack` handler (`.slack()`): a message with one colored attachment posted to the
//! workspace's webhook URL (`[[slack]]`, services/slack).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client, TlsKeys};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// The workspace settings a handler posts with.
#[derive(Debug, Clone)]
struct Workspace {
    enabled: bool,
    url: String,
    token: String,
    channel: String,
    username: String,
    icon_emoji: String,
}

/// Posts each event to Slack.
#[derive(Debug)]
pub struct SlackHandler {
    /// The workspace, or Kapacitor's error when it cannot be found.
    workspace: Result<Workspace, String>,
    channel: String,
    username: String,
    icon_emoji: String,
    client: Client,
}

#[derive(Serialize)]
struct Attachment<'a> {
    fallback: &'a str,
    color: &'a str,
    text: &'a str,
    mrkdwn_in: [&'a str; 1],
}

/// Go's map[string]interface{} body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    as_user: bool,
    attachments: [Attachment<'a>; 1],
    channel: &'a str,
    icon_emoji: &'a str,
    text: &'a str,
    username: &'a str,
}

impl SlackHandler {
    /// Builds the handler from the options `workspace`, `channel`, `username`, `icon-emoji`.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("slack", options);
        let wid = o.string("workspace")?;
        let mut tls = TlsKeys::default();
        let workspace = match services.element("slack", "slack", "workspace", &wid) {
            Ok(c) => {
                tls = TlsKeys::of(&c)?;
                Ok(Workspace {
                    enabled: c.bool("enabled")?,
                    url: c.string("url")?,
                    token: c.string("token")?,
                    channel: c.string("channel")?,
                    username: c.string("username")?,
                    icon_emoji: c.string("icon-emoji")?,
                })
            }
            Err(e) => Err(e),
        };
        Ok(SlackHandler {
            workspace,
            channel: o.string("channel")?,
            username: o.string("username")?,
            icon_emoji: o.string("icon-emoji")?,
            client: Client::with_tls(&tls).map_err(|reason| AlertError::Handler {
                kind: "slack".into(),
                reason,
            })?,
        })
    }
}

fn color(level: Level) -> &'static str {
    match level {
        Level::Warning => "warning",
        Level::Critical => "danger",
        _ => "good",
    }
}

impl Deliver for SlackHandler {
    fn kind(&self) -> &'static str {
        "slack"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let w = self
            .workspace
            .as_ref()
            .map_err(|e| Failure::Permanent(e.clone()))?;
        if !w.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let or =
            |a: &'_ str, b: &'_ str| -> String { if a.is_empty() { b } else { a }.to_string() };
        let channel = or(&self.channel, &w.channel);
        let username = or(&self.username, &w.username);
        let icon_emoji = or(&self.icon_emoji, &w.icon_emoji);
        let message = event.data.message.as_str();
        let body = http::encode(&Body {
            as_user: false,
            attachments: [Attachment {
                fallback: message,
                color: color(event.data.level),
                text: message,
                mrkdwn_in: ["text"],
            }],
            channel: &channel,
            icon_emoji: &icon_emoji,
            text: "",
            username: &username,
        })?;
        let auth = format!("Bearer {}", w.token);
        let mut headers = vec![("Content-Type", "application/json")];
        if !w.token.is_empty() {
            headers.push(("Authorization", auth.as_str()));
        }
        let reply = self.client.post(&w.url, &headers, body.as_bytes())?;
        if reply.status == 200 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand Slack response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
