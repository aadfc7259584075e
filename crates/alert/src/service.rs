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

#[cfg(test)]
mod tests {
    use super::*;
    use kapa_engine::AlertData;
    use kapa_models::{Row, SeriesResult};
    use serde_json::{Map, Value};

    fn event(level: Level) -> AlertEvent {
        let mut tags = Map::new();
        tags.insert("host".into(), Value::String("a".into()));
        AlertEvent {
            data: AlertData {
                id: "cpu:nil".into(),
                message: "cpu:nil is CRITICAL".into(),
                details: "{&#34;Name&#34;:&#34;cpu&#34;}".into(),
                time: "1971-01-01T00:00:02Z".into(),
                duration: 0,
                level,
                data: SeriesResult {
                    series: Some(vec![Row {
                        name: "cpu".into(),
                        tags,
                        columns: vec!["time".into(), "usage_idle".into()],
                        values: vec![vec![
                            Value::String("1971-01-01T00:00:02Z".into()),
                            Value::from(50),
                        ]],
                    }]),
                    error: None,
                },
                previous_level: Level::Ok,
                recoverable: true,
            },
            time: 0,
            task_name: "cpu_alert".into(),
            name: "cpu".into(),
            group: "nil".into(),
            tags: vec![],
            category: String::new(),
        }
    }

    #[test]
    fn log_handler_appends_go_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.log");
        let svc = AlertService::new();
        let mut options = Map::new();
        options.insert("path".into(), Value::String(path.to_string_lossy().into()));
        let spec = HandlerSpec {
            kind: "log".into(),
            options,
        };
        svc.open_topic("main:cpu_alert:alert2", &[spec]).unwrap();
        svc.publish("main:cpu_alert:alert2", &event(Level::Critical));
        svc.publish("main:cpu_alert:alert2", &event(Level::Ok));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            r#"{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"{\u0026#34;Name\u0026#34;:\u0026#34;cpu\u0026#34;}","time":"1971-01-01T00:00:02Z","duration":0,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_idle"],"values":[["1971-01-01T00:00:02Z",50]]}]},"previousLevel":"OK","recoverable":true}"#
        );
        assert!(lines[1].contains(r#""level":"OK""#));
        assert_eq!(
            svc.event_level("main:cpu_alert:alert2", "cpu:nil"),
            Some(Level::Ok)
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        svc.close_topic("main:cpu_alert:alert2");
        assert!(svc.topic_names().is_empty());
    }

    #[test]
    fn unknown_handler_kind_is_an_error() {
        let svc = AlertService::new();
        let spec = HandlerSpec {
            kind: "slack".into(),
            options: Map::new(),
        };
        let err = svc.open_topic("t", &[spec]).unwrap_err();
        assert_eq!(
            err,
            "the \"slack\" alert handler is not implemented yet in this build of Kapacitor"
        );
    }

    #[test]
    fn log_handler_requires_a_path() {
        let svc = AlertService::new();
        let spec = HandlerSpec {
            kind: "log".into(),
            options: Map::new(),
        };
        let err = svc.open_topic("t", &[spec]).unwrap_err();
        assert_eq!(
            err,
            "invalid option \"path\" for log handler: a file path is required"
        );
    }
}
