//! Calls to the alert topics API (`/kapacitor/v1/alerts/topics/...`) as Kapacitor's Go
//! client makes them, and the JSON shapes it reads.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{ApiError, Client, encode_query};

const TOPICS_PATH: &str = "/kapacitor/v1/alerts/topics";

/// `{"rel", "href"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Link {
    /// The resource path.
    #[serde(default)]
    pub href: String,
}

/// One topic of `GET /alerts/topics`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Topic {
    /// Self link.
    #[serde(default)]
    pub link: Link,
    /// Topic id.
    #[serde(default)]
    pub id: String,
    /// Highest level of its events.
    #[serde(default)]
    pub level: String,
    /// Events collected.
    #[serde(default)]
    pub collected: i64,
}

#[derive(Debug, Deserialize)]
struct Topics {
    #[serde(default)]
    topics: Vec<Topic>,
}

/// The state of one event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventState {
    /// Last message.
    #[serde(default)]
    pub message: String,
    /// RFC 3339 time of the last event.
    #[serde(default)]
    pub time: String,
    /// Last level.
    #[serde(default)]
    pub level: String,
}

/// One event of a topic.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TopicEvent {
    /// Event id.
    #[serde(default)]
    pub id: String,
    /// Its state.
    #[serde(default)]
    pub state: EventState,
}

#[derive(Debug, Deserialize)]
struct TopicEvents {
    #[serde(default)]
    events: Vec<TopicEvent>,
}

/// One handler of a topic.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TopicHandler {
    /// Self link.
    #[serde(default)]
    pub link: Link,
    /// Handler id.
    #[serde(default)]
    pub id: String,
    /// Handler kind.
    #[serde(default)]
    pub kind: String,
    /// Options.
    #[serde(default)]
    pub options: Option<Map<String, Value>>,
    /// Match expression.
    #[serde(default, rename = "match")]
    pub match_expr: String,
}

#[derive(Debug, Deserialize)]
struct TopicHandlers {
    #[serde(default)]
    handlers: Vec<TopicHandler>,
}

/// A handler spec as `define-topic-handler` reads it from a file and sends it
/// (`client.TopicHandlerOptions`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TopicHandlerOptions {
    /// Topic.
    #[serde(default)]
    pub topic: String,
    /// Handler id.
    #[serde(default)]
    pub id: String,
    /// Handler kind.
    #[serde(default)]
    pub kind: String,
    /// Options.
    #[serde(default)]
    pub options: Option<Map<String, Value>>,
    /// Match expression.
    #[serde(default, rename = "match")]
    pub match_expr: String,
}

fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Decode(e.to_string()))
}

impl Client {
    /// The path of a topic.
    pub fn topic_link(id: &str) -> String {
        format!("{TOPICS_PATH}/{id}")
    }

    /// The path of a topic's handlers.
    pub fn topic_handlers_link(topic: &str) -> String {
        format!("{TOPICS_PATH}/{topic}/handlers")
    }

    /// The path of one handler.
    pub fn topic_handler_link(topic: &str, id: &str) -> String {
        format!("{TOPICS_PATH}/{topic}/handlers/{id}")
    }

    /// `GET /alerts/topics?min-level=OK&pattern=`.
    pub fn list_topics(&self, pattern: &str) -> Result<Vec<Topic>, ApiError> {
        let q = encode_query(&[("min-level", "OK"), ("pattern", pattern)]);
        let (_, body) = self.send("GET", TOPICS_PATH, &q, None)?;
        Ok(decode::<Topics>(&body)?.topics)
    }

    /// `GET /alerts/topics/{id}`.
    pub fn topic(&self, link: &str) -> Result<Topic, ApiError> {
        let (_, body) = self.send("GET", link, "", None)?;
        decode(&body)
    }

    /// `GET /alerts/topics/{id}/events?min-level=OK`.
    pub fn list_topic_events(&self, topic: &str) -> Result<Vec<TopicEvent>, ApiError> {
        let q = encode_query(&[("min-level", "OK")]);
        let link = format!("{}/events", Self::topic_link(topic));
        let (_, body) = self.send("GET", &link, &q, None)?;
        Ok(decode::<TopicEvents>(&body)?.events)
    }

    /// `GET /alerts/topics/{id}/handlers?pattern=`.
    pub fn list_topic_handlers(
        &self,
        topic: &str,
        pattern: &str,
    ) -> Result<Vec<TopicHandler>, ApiError> {
        let q = encode_query(&[("pattern", pattern)]);
        let (_, body) = self.send("GET", &Self::topic_handlers_link(topic), &q, None)?;
        Ok(decode::<TopicHandlers>(&body)?.handlers)
    }

    /// `GET /alerts/topics/{topic}/handlers/{id}`.
    pub fn topic_handler(&self, link: &str) -> Result<TopicHandler, ApiError> {
        let (_, body) = self.send("GET", link, "", None)?;
        decode(&body)
    }

    /// `POST /alerts/topics/{topic}/handlers`.
    pub fn create_topic_handler(&self, o: &TopicHandlerOptions) -> Result<(), ApiError> {
        let body = crate::gofmt::json_body(o).map_err(|e| ApiError::Transport(e.to_string()))?;
        self.send("POST", &Self::topic_handlers_link(&o.topic), "", Some(body))
            .map(|_| ())
    }

    /// `PUT /alerts/topics/{topic}/handlers/{id}`.
    pub fn replace_topic_handler(
        &self,
        link: &str,
        o: &TopicHandlerOptions,
    ) -> Result<(), ApiError> {
        let body = crate::gofmt::json_body(o).map_err(|e| ApiError::Transport(e.to_string()))?;
        self.send("PUT", link, "", Some(body)).map(|_| ())
    }

    /// `DELETE` of a topic or handler link.
    pub fn delete_link(&self, link: &str) -> Result<(), ApiError> {
        self.send("DELETE", link, "", None).map(|_| ())
    }
}
