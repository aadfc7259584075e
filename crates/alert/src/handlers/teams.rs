//! The `teams` handler (`.teams()`): a Microsoft MessageCard posted to the channel's
//! webhook URL (`[teams]`, services/teams).

use kapa_engine::{AlertEvent, Level};
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::Client;
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Kapacitor cuts the card summary after this many bytes.
const SUMMARY_CUTOFF: usize = 70;

/// Posts each event to a Teams channel.
#[derive(Debug)]
pub struct TeamsHandler {
    enabled: bool,
    channel_url: String,
    client: Client,
}

#[derive(Serialize)]
struct Card<'a> {
    #[serde(rename = "@type")]
    card_type: &'a str,
    #[serde(rename = "@context")]
    context: &'a str,
    title: &'a str,
    text: &'a str,
    summary: &'a str,
    #[serde(rename = "themeColor")]
    theme_color: &'a str,
}

impl TeamsHandler {
    /// Builds the handler from the option `channel-url` (default: the configured one).
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("teams", options);
        let c = services.section("teams", "teams");
        Ok(TeamsHandler {
            enabled: c.bool("enabled")?,
            channel_url: o.string_or("channel-url", &c.string("channel-url")?)?,
            client: Client::new(None, false),
        })
    }
}

/// Title and summary as Kapacitor builds them from the topic and event id.
fn title_summary(level: Level, topic: &str, id: &str, message: &str) -> (String, String) {
    let level = level.as_str();
    let (title, summary) = if id.is_empty() && topic.is_empty() {
        (level.to_string(), format!("{level}: {message}"))
    } else {
        let title = format!("{level}: [{}]", if id.is_empty() { topic } else { id });
        let summary = format!("{title} - {message}");
        (title, summary)
    };
    // Go slices bytes; a cut inside a character becomes U+FFFD in its JSON.
    let cut = &summary.as_bytes()[..summary.len().min(SUMMARY_CUTOFF)];
    (title, format!("{}...", String::from_utf8_lossy(cut)))
}

impl Deliver for TeamsHandler {
    fn kind(&self) -> &'static str {
        "teams"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let d = &event.data;
        let (title, summary) = title_summary(d.level, "", &d.id, &d.message);
        let color = match d.level {
            Level::Warning => "FFA533",
            Level::Critical => "CC4A31",
            _ => "34CC25",
        };
        // json.Marshal: no trailing newline.
        let body = crate::to_go_json(&Card {
            card_type: "MessageCard",
            context: "http://schema.org/extensions",
            title: &title,
            text: &d.message,
            summary: &summary,
            theme_color: color,
        })
        .map_err(|e| Failure::Permanent(format!("error marshaling card struct: {e}")))?;
        let reply = self.client.post(
            &self.channel_url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 || reply.status == 204 {
            return Ok(());
        }
        let fallback = format!(
            "failed to understand Teams response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_cut_at_70_bytes() {
        let (t, s) = title_summary(Level::Critical, "", "cpu:nil", &"x".repeat(100));
        assert_eq!(t, "CRITICAL: [cpu:nil]");
        assert_eq!(s.len(), 73);
        assert!(s.ends_with("xx..."));
    }
}
