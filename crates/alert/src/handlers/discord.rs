//! The `discord` handler (`.discord()`): a webhook message with one embed
//! (`[[discord]]`, services/discord).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client, TlsKeys};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

#[derive(Debug, Clone)]
struct Workspace {
    enabled: bool,
    url: String,
    timestamp: bool,
    username: String,
    avatar_url: String,
}

/// Posts each event to a Discord webhook.
#[derive(Debug)]
pub struct DiscordHandler {
    workspace: Result<Workspace, String>,
    username: String,
    avatar_url: String,
    embed_title: Template,
    client: Client,
}

#[derive(Serialize)]
struct Embed<'a> {
    color: u32,
    title: &'a str,
    description: &'a str,
    timestamp: &'a str,
}

/// Go's map body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    avatar_url: &'a str,
    embeds: [Embed<'a>; 1],
    username: &'a str,
}

impl DiscordHandler {
    /// Builds the handler from the options `workspace`, `username`, `avatar-url` and
    /// `embed-title` (a template over the event's template data).
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("discord", options);
        let mut tls = TlsKeys::default();
        let workspace =
            match services.element("discord", "discord", "workspace", &o.string("workspace")?) {
                Ok(c) => {
                    tls = TlsKeys::of(&c)?;
                    Ok(Workspace {
                        enabled: c.bool("enabled")?,
                        url: c.string("url")?,
                        timestamp: c.bool("timestamp")?,
                        username: c.string("username")?,
                        avatar_url: c.string("avatar-url")?,
                    })
                }
                Err(e) => Err(e),
            };
        let embed_title =
            Template::parse(&o.string("embed-title")?, false).map_err(|e| AlertError::Handler {
                kind: "discord".into(),
                reason: e,
            })?;
        Ok(DiscordHandler {
            workspace,
            username: o.string("username")?,
            avatar_url: o.string("avatar-url")?,
            embed_title,
            client: Client::with_tls(&tls).map_err(|reason| AlertError::Handler {
                kind: "discord".into(),
                reason,
            })?,
        })
    }
}

/// Go's `time.RFC3339` (seconds, `Z`) in UTC.
fn rfc3339(ns: i64) -> String {
    let (y, mo, d, h, mi, s, _, _) = kapa_models::time::civil(ns);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

impl Deliver for DiscordHandler {
    fn kind(&self) -> &'static str {
        "discord"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let title = self
            .embed_title
            .render(&template_data(event))
            .map_err(|e| {
                Failure::Permanent(format!("failed to evaluate embedTitle template: {e}"))
            })?;
        let w = self
            .workspace
            .as_ref()
            .map_err(|e| Failure::Permanent(e.clone()))?;
        if !w.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let color = match event.data.level {
            Level::Critical => 0xF9_5F53,
            Level::Warning => 0xF4_8D38,
            _ => 0x7A_65F2,
        };
        let ts = if w.timestamp {
            rfc3339(event.time)
        } else {
            String::new()
        };
        let or = |a: &str, b: &str| -> String { if a.is_empty() { b } else { a }.to_string() };
        let username = or(&self.username, &w.username);
        let avatar_url = or(&self.avatar_url, &w.avatar_url);
        let body = http::encode(&Body {
            avatar_url: &avatar_url,
            embeds: [Embed {
                color,
                title: &title,
                description: &event.data.message,
                timestamp: &ts,
            }],
            username: &username,
        })?;
        let reply = self.client.post(
            &w.url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 204 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand Discord response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
