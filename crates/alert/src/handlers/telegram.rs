//! The `telegram` handler (`.telegram()`): the bot API's `sendMessage` (`[telegram]`,
//! services/telegram).

use kapa_engine::AlertEvent;
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event's message to a chat.
#[derive(Debug)]
pub struct TelegramHandler {
    enabled: bool,
    url: String,
    chat_id: String,
    parse_mode: String,
    disable_web_page_preview: bool,
    disable_notification: bool,
    client: Client,
}

/// Go's map body, keys sorted; absent keys are left out.
#[derive(Serialize)]
struct Body<'a> {
    chat_id: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    disable_notification: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    disable_web_page_preview: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    parse_mode: &'a str,
    text: &'a str,
}

impl TelegramHandler {
    /// Builds the handler from the options `chat-id`, `parse-mode`,
    /// `disable-web-page-preview`, `disable-notification` over the `[telegram]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("telegram", options);
        let c = services.section("telegram", "telegram");
        // The bot URL is the configured url with the token appended, then /sendMessage.
        let base = format!("{}{}", c.string("url")?, c.string("token")?);
        Ok(TelegramHandler {
            enabled: c.bool("enabled")?,
            url: http::join_path(&base, &["sendMessage"]),
            chat_id: o.string_or("chat-id", &c.string("chat-id")?)?,
            parse_mode: o.string_or("parse-mode", &c.string("parse-mode")?)?,
            disable_web_page_preview: o.bool("disable-web-page-preview")?
                || c.bool("disable-web-page-preview")?,
            disable_notification: o.bool("disable-notification")?
                || c.bool("disable-notification")?,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for TelegramHandler {
    fn kind(&self) -> &'static str {
        "telegram"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let pm = self.parse_mode.to_lowercase();
        if !self.parse_mode.is_empty() && pm != "markdown" && pm != "html" {
            return Err(Failure::Permanent(format!(
                "parseMode {} is not valid, please use 'Markdown' or 'HTML'",
                self.parse_mode
            )));
        }
        let body = http::encode(&Body {
            chat_id: &self.chat_id,
            disable_notification: self.disable_notification,
            disable_web_page_preview: self.disable_web_page_preview,
            parse_mode: &self.parse_mode,
            text: &event.data.message,
        })?;
        let reply = self.client.post(
            &self.url,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        if reply.status == 200 {
            return Ok(());
        }
        #[derive(serde::Deserialize)]
        struct Response {
            #[serde(default)]
            description: String,
            #[serde(default)]
            error_code: i64,
        }
        let reason = match serde_json::from_str::<Response>(&reply.body) {
            Ok(r) => format!(
                "sendMessage error ({}) description: {}",
                r.error_code, r.description
            ),
            Err(e) => format!(
                "failed to understand Telegram response (err: {e}). code: {} content: {}",
                reply.status, reply.body
            ),
        };
        Err(reply.failure(reason))
    }
}
