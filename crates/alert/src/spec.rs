//! Topic handler specs (`{id, topic, kind, options, match}`): what the API, the CLI and the
//! load directory define, validated with Kapacitor's rules and texts.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::AlertError;

static VALID_HANDLER_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[-\._\p{L}0-9]+$").ok());
static VALID_TOPIC_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[-:\._\p{L}0-9]+$").ok());

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(s))
}

/// Whether `topic` is a valid topic id (`^[-:\._\p{L}0-9]+$`).
pub fn valid_topic_id(topic: &str) -> bool {
    matches(&VALID_TOPIC_ID, topic)
}

/// One handler of a topic as defined through the API (anonymous TICKscript handlers have
/// no spec). Field order is Kapacitor's JSON order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TopicHandlerSpec {
    /// Handler id, unique within the topic.
    #[serde(default)]
    pub id: String,
    /// Topic the handler listens on.
    #[serde(default)]
    pub topic: String,
    /// Handler kind.
    #[serde(default)]
    pub kind: String,
    /// Kind-specific options.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub options: Map<String, Value>,
    /// The match lambda; empty matches every event.
    #[serde(default, rename = "match")]
    pub match_expr: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

impl TopicHandlerSpec {
    /// Kapacitor's `HandlerSpec.Validate` (its texts, including quoting the id in the topic
    /// message).
    pub fn validate(&self) -> Result<(), AlertError> {
        if !valid_topic_id(&self.topic) {
            return Err(AlertError::InvalidSpec(format!(
                "handler topic must contain only letters, numbers, '-', '.' and '_'. {:?}",
                self.id
            )));
        }
        if !matches(&VALID_HANDLER_ID, &self.id) {
            return Err(AlertError::InvalidSpec(format!(
                "handler ID must contain only letters, numbers, '-', '.' and '_'. {:?}",
                self.id
            )));
        }
        if self.kind.is_empty() {
            return Err(AlertError::InvalidSpec(
                "handler Kind must not be empty".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(topic: &str, id: &str, kind: &str) -> TopicHandlerSpec {
        TopicHandlerSpec {
            id: id.into(),
            topic: topic.into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_texts() {
        assert!(spec("main:cpu:alert2", "ü-1.x_y", "log").validate().is_ok());
        assert_eq!(
            spec("bad topic", "a", "log")
                .validate()
                .unwrap_err()
                .to_string(),
            "handler topic must contain only letters, numbers, '-', '.' and '_'. \"a\""
        );
        assert_eq!(
            spec("t", "a:b", "log").validate().unwrap_err().to_string(),
            "handler ID must contain only letters, numbers, '-', '.' and '_'. \"a:b\""
        );
        assert_eq!(
            spec("t", "a", "").validate().unwrap_err().to_string(),
            "handler Kind must not be empty"
        );
    }

    #[test]
    fn json_shape_and_null_options() {
        let s: TopicHandlerSpec =
            serde_json::from_str(r#"{"id":"x","kind":"log","options":null,"match":"changed()"}"#)
                .unwrap();
        assert_eq!(s.match_expr, "changed()");
        assert!(s.options.is_empty());
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"id":"x","topic":"","kind":"log","options":{},"match":"changed()"}"#
        );
    }
}
