//! The alert event model: levels, the `alert.Data` JSON handlers send, and the sink
//! that receives events (topics and handlers live in the alert crate).

use kapa_models::SeriesResult;
use serde::{Deserialize, Serialize};

use kapa_pipeline::nodes::HandlerSpec;

/// Alert levels, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    /// OK
    #[default]
    Ok = 0,
    /// INFO
    Info = 1,
    /// WARNING
    Warning = 2,
    /// CRITICAL
    Critical = 3,
}

impl Level {
    /// The text form used in JSON and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
        }
    }
    /// Level from its index 0..=3.
    pub fn from_index(i: usize) -> Level {
        match i {
            1 => Level::Info,
            2 => Level::Warning,
            3 => Level::Critical,
            _ => Level::Ok,
        }
    }
    /// Parses a level name, case-insensitively.
    pub fn parse(s: &str) -> Option<Level> {
        match s.to_ascii_uppercase().as_str() {
            "OK" => Some(Level::Ok),
            "INFO" => Some(Level::Info),
            "WARNING" => Some(Level::Warning),
            "CRITICAL" => Some(Level::Critical),
            _ => None,
        }
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Level::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid level {s:?}")))
    }
}

/// The JSON body that the log, post, tcp and exec handlers send (`alert.Data`), fields in
/// Kapacitor's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertData {
    /// Event id.
    pub id: String,
    /// Rendered message.
    pub message: String,
    /// Rendered details.
    pub details: String,
    /// Event time, RFC 3339 with nanoseconds.
    pub time: String,
    /// Duration of the current non-OK state, in ns.
    pub duration: i64,
    /// Level.
    pub level: Level,
    /// The data that triggered the event.
    pub data: SeriesResult,
    /// Level of the previous event of this id.
    #[serde(rename = "previousLevel")]
    pub previous_level: Level,
    /// False with `.noRecoveries()`.
    pub recoverable: bool,
}

/// An alert event with the context handlers and topics need.
#[derive(Debug, Clone)]
pub struct AlertEvent {
    /// The handler payload.
    pub data: AlertData,
    /// Event time in ns.
    pub time: i64,
    /// Task that raised it.
    pub task_name: String,
    /// Measurement name.
    pub name: String,
    /// Group id text.
    pub group: String,
    /// Point tags.
    pub tags: Vec<(String, String)>,
    /// Alert category (`.category()`).
    pub category: String,
}

/// Where alert nodes deliver their events: topics with handlers.
pub trait AlertSink: Send + Sync + std::fmt::Debug {
    /// Opens (or replaces) a topic with the handlers an alert node declares.
    fn open_topic(&self, topic: &str, handlers: &[HandlerSpec]) -> Result<(), String>;
    /// Publishes one event to a topic.
    fn publish(&self, topic: &str, event: &AlertEvent);
    /// Publishes an event the caller already shares; sinks that queue events keep the
    /// `Arc` instead of copying the event.
    fn publish_shared(&self, topic: &str, event: &std::sync::Arc<AlertEvent>) {
        self.publish(topic, event);
    }
    /// Closes a topic opened by `open_topic` (the task stopped).
    fn close_topic(&self, topic: &str);
    /// The handlers that `global = true` services add to an alert node whose own handlers
    /// are `existing`, and whether one of them forces `stateChangesOnly`.
    fn global_handlers(&self, _existing: &[HandlerSpec]) -> (Vec<HandlerSpec>, bool) {
        (Vec::new(), false)
    }
    /// The last state of an event in a topic, kept across restarts, so that a new group
    /// of an alert node continues where the event left off.
    fn restore(&self, _topic: &str, _id: &str) -> Option<RestoredEvent> {
        None
    }
    /// Records whether event `event_id` of the alert node `owner` (its anonymous topic
    /// name) is non-OK, for the node's `.inhibit(category, tag_names...)`.
    fn update_inhibitor(
        &self,
        _owner: &str,
        _category: &str,
        _tag_names: &[String],
        _event_id: &str,
        _tags: &[(String, String)],
        _active: bool,
    ) {
    }
    /// Whether an event of `category` with `tags` is inhibited by a non-OK alert.
    fn is_inhibited(&self, _category: &str, _tags: &[(String, String)]) -> bool {
        false
    }
    /// Forgets the inhibitors of an alert node (its task stopped).
    fn remove_inhibitors(&self, _owner: &str) {}
}

/// The last known state of an alert event, as a sink restores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoredEvent {
    /// Level of the last event.
    pub level: Level,
    /// Time of the last event, ns.
    pub time: i64,
    /// Duration of the non-OK state at that event, ns.
    pub duration: i64,
}

/// A sink that drops every event (engine tests, replays without handlers).
#[derive(Debug, Default)]
pub struct NullAlertSink;

impl AlertSink for NullAlertSink {
    fn open_topic(&self, _topic: &str, _handlers: &[HandlerSpec]) -> Result<(), String> {
        Ok(())
    }
    fn publish(&self, _topic: &str, _event: &AlertEvent) {}
    fn close_topic(&self, _topic: &str) {}
}
