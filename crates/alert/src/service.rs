//! The alert service: topics with their handlers and the latest event state per event id.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapa_engine::{AlertEvent, AlertSink, Level};
use kapa_pipeline::nodes::HandlerSpec;
use parking_lot::{Mutex, RwLock};

use crate::AlertError;
use crate::delivery::{DeliveryConfig, HandlerStats, Worker};
use crate::handlers;
use crate::httppost::{self, Endpoints};
use kapa_models::httppost::HttpPostEndpoint;

/// Settings of the alert service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceConfig {
    /// Queues and retries of the handlers.
    pub delivery: DeliveryConfig,
    /// The `[[httppost]]` endpoints.
    pub httppost: Vec<HttpPostEndpoint>,
}

#[derive(Debug, Default)]
struct Topic {
    handlers: Vec<Worker>,
    /// Latest level per event id.
    levels: HashMap<String, Level>,
}

/// Topics and handlers; implements the engine's `AlertSink`.
#[derive(Debug, Default)]
pub struct AlertService {
    topics: RwLock<HashMap<String, Topic>>,
    /// Workers of closed or replaced topics still delivering their queues.
    retired: Mutex<Vec<Worker>>,
    delivery: DeliveryConfig,
    endpoints: Endpoints,
}

impl AlertService {
    /// A service with the default settings and no `[[httppost]]` endpoints.
    pub fn new() -> Arc<Self> {
        Arc::new(AlertService::default())
    }

    /// A service with `cfg`; fails on an invalid `[[httppost]]` section.
    pub fn with_config(cfg: ServiceConfig) -> Result<Arc<Self>, AlertError> {
        Ok(Arc::new(AlertService {
            topics: RwLock::default(),
            retired: Mutex::default(),
            delivery: cfg.delivery,
            endpoints: httppost::compile(&cfg.httppost)?,
        }))
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

    /// Counters of every handler of the open topics, by topic then position.
    pub fn handler_stats(&self) -> Vec<HandlerStats> {
        let topics = self.topics.read();
        let mut out: Vec<HandlerStats> = topics
            .values()
            .flat_map(|t| t.handlers.iter().map(Worker::stats))
            .collect();
        out.sort_by(|a, b| a.topic.cmp(&b.topic).then(a.index.cmp(&b.index)));
        out
    }

    /// Waits until every handler, of open and of closed topics, has delivered (or given
    /// up on) everything queued; false if `timeout` passed first.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let retired_idle = self.retired.lock().iter().all(|w| w.wait_idle(deadline));
        let topics = self.topics.read();
        retired_idle
            && topics
                .values()
                .flat_map(|t| t.handlers.iter())
                .all(|w| w.wait_idle(deadline))
    }

    /// Closes workers taken out of service and keeps those still delivering.
    fn retire(&self, workers: Vec<Worker>) {
        for w in &workers {
            w.close();
        }
        let mut retired = self.retired.lock();
        retired.retain(|w| !w.finished());
        retired.extend(workers);
    }
}

impl AlertSink for AlertService {
    fn open_topic(&self, topic: &str, specs: &[HandlerSpec]) -> Result<(), String> {
        let handlers = specs
            .iter()
            .map(|s| handlers::create(s, &self.endpoints))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let workers = handlers
            .into_iter()
            .enumerate()
            .map(|(i, h)| Worker::spawn(topic, i, h, &self.delivery))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("failed to start alert handler: {e}"))?;
        let old = {
            let mut topics = self.topics.write();
            let t = topics.entry(topic.to_string()).or_default();
            std::mem::replace(&mut t.handlers, workers)
        };
        // The replaced workers finish their queues in the background.
        self.retire(old);
        Ok(())
    }

    fn publish(&self, topic: &str, event: &AlertEvent) {
        {
            let topics = self.topics.read();
            if let Some(t) = topics.get(topic)
                && !t.handlers.is_empty()
            {
                let shared = Arc::new(event.clone());
                for h in &t.handlers {
                    h.push(shared.clone());
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
        let removed = self.topics.write().remove(topic);
        if let Some(t) = removed {
            self.retire(t.handlers);
        }
    }
}
