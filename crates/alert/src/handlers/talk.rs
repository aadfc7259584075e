//! The `talk` handler (`.talk()`): a Talk (jianliao) webhook message with the event id as
//! title (`[talk]`, services/talk).

use kapa_engine::AlertEvent;
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;

/// Sends each event to Talk.
#[derive(Debug)]
pub struct TalkHandler {
    enabled: bool,
    url: String,
    author_name: String,
    client: Client,
}

/// Go's map body, keys sorted.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "authorName")]
    author_name: &'a str,
    text: &'a str,
    title: &'a str,
}

impl TalkHandler {
    /// Builds the handler from the `[talk]` section (it has no options).
    pub(crate) fn from_options(
        _options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let c = services.section("talk", "talk");
        Ok(TalkHandler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            author_name: c.string("author_name")?,
            client: Client::new(None, false),
        })
    }
}

impl Deliver for TalkHandler {
    fn kind(&self) -> &'static str {
        "talk"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let body = http::encode(&Body {
            author_name: &self.author_name,
            text: &event.data.message,
            title: &event.data.id,
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
            "failed to understand Talk response. code: {} content: {}",
            reply.status, reply.body
        );
        Err(reply.failure(reply.json_field("error", fallback)))
    }
}
