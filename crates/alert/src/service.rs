//! The alert service: topics with their handlers and the latest event state per event id.

use std::collections::HashMap;

use kapa_engine::{AlertEvent, AlertSink, Level};
use kapa_pipeline::nodes::HandlerSpec;
use parking_lot::RwLock;

use crate::handlers::{self, Handler};

#[derive(Debug, Default)]
struct Topic {
    handlers: Vec<Box<dyn Handler>>,
    /// Latest level per event id.
    levels: HashMap<String, Level>,
}

/// Topics and handlers; implements the engine's `AlertSink`.
#[derive(Debug, Default)]
pub struct AlertService {
    topics: RwLock<HashMap<String, Topic>>,
}

impl AlertService {
    /// An empty service.
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(AlertService::default())
    }

    /// The latest level of an event in a topic.
    pub fn event_level(&self, topic: &str, id: &str) -> Option<Level> {
        self.topics.read().get(topic)?.levels.get(id).copied()
    }

    /// Names of the topics that exist.
    pub fn topic_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.topics.read().keys().cloned().collect();
        names.sort();
        names
    }
}

impl AlertSink for AlertService {
    fn open_topic(&self, topic: &str, specs: &[HandlerSpec]) -> Result<(), String> {
        let handlers = specs
            .iter()
            .map(handlers::create)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let mut topics = self.topics.write();
        let t = topics.entry(topic.to_string()).or_default();
        t.handlers = handlers;
        Ok(())
    }

    fn publish(&self, topic: &str, event: &AlertEvent) {
        {
            let topics = self.topics.read();
            if let Some(t) = topics.get(topic) {
                for h in &t.handlers {
                    h.handle(event);
                }
            }
        }
        let mut topics = self.topics.write();
        topics
            .entry(topic.to_string())
            .or_default()
            .levels
            .insert(event.data.id.clone(), event.data.level);
    }

    fn close_topic(&self, topic: &str) {
        self.topics.write().remove(topic);
    }
}
