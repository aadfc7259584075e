//! The alert service: topics with their handlers and the latest event state per event id,
//! optionally kept in a durable store so that alert states survive a restart.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapa_engine::{AlertEvent, AlertSink, Level, RestoredEvent};
use kapa_pipeline::nodes::HandlerSpec;
use kapa_storage::EventStateRecord;
use parking_lot::{Mutex, RwLock};

use crate::AlertError;
use crate::delivery::{DeliveryConfig, HandlerStats, Worker};
use crate::handlers;
use crate::httppost::{self, Endpoints};
use crate::state_writer::{StateStore, StateWriter};
use kapa_models::httppost::HttpPostEndpoint;

/// Settings of the alert service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceConfig {
    /// Queues and retries of the handlers.
    pub delivery: DeliveryConfig,
    /// The `[[httppost]]` endpoints.
    pub httppost: Vec<HttpPostEndpoint>,
    /// The configuration sections of the other handler services.
    pub services: handlers::HandlerServices,
}

#[derive(Debug, Default)]
struct Topic {
    handlers: Vec<Worker>,
    /// Latest state per event id.
    events: HashMap<String, EventState>,
}

/// What the service remembers of the last event of an id.
#[derive(Debug, Clone, PartialEq)]
struct EventState {
    level: Level,
    time: i64,
    duration: i64,
    message: String,
}

impl EventState {
    fn record(&self, id: &str) -> EventStateRecord {
        EventStateRecord {
            id: id.to_string(),
            level: self.level.as_str().to_string(),
            time: self.time,
            duration: self.duration,
            message: self.message.clone(),
        }
    }
}

/// Topics and handlers; implements the engine's `AlertSink`.
#[derive(Debug, Default)]
pub struct AlertService {
    topics: RwLock<HashMap<String, Topic>>,
    /// Workers of closed or replaced topics still delivering their queues.
    retired: Mutex<Vec<Worker>>,
    delivery: DeliveryConfig,
    endpoints: Endpoints,
    services: handlers::HandlerServices,
    /// Persists event states when the service has a store.
    writer: Option<StateWriter>,
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
            services: cfg.services,
            writer: None,
        }))
    }

    /// A service with `cfg` whose event states are loaded from `store` and written back to it
    /// on every event (`[alert] persist-topics`); fails on an invalid `[[httppost]]` section or
    /// an unreadable store.
    pub fn with_store(
        cfg: ServiceConfig,
        store: Arc<dyn StateStore>,
    ) -> Result<Arc<Self>, AlertError> {
        let mut topics: HashMap<String, Topic> = HashMap::new();
        for (topic, rec) in store.load().map_err(AlertError::Storage)? {
            // A level this build cannot read is skipped rather than failing startup.
            let Some(level) = Level::parse(&rec.level) else {
                tracing::warn!(service = "alert", topic = %topic, event = %rec.id, level = %rec.level, "ignoring stored event state with an unknown level");
                continue;
            };
            let state = EventState {
                level,
                time: rec.time,
                duration: rec.duration,
                message: rec.message,
            };
            topics
                .entry(topic)
                .or_default()
                .events
                .insert(rec.id, state);
        }
        let writer = StateWriter::spawn(store)
            .map_err(|e| AlertError::Storage(format!("starting the state writer: {e}")))?;
        Ok(Arc::new(AlertService {
            topics: RwLock::new(topics),
            retired: Mutex::default(),
            delivery: cfg.delivery,
            endpoints: httppost::compile(&cfg.httppost)?,
            services: cfg.services,
            writer: Some(writer),
        }))
    }

    /// The handler services' configuration (service tests use it).
    pub fn services(&self) -> &handlers::HandlerServices {
        &self.services
    }

    /// The latest level of an event in a topic.
    pub fn event_level(&self, topic: &str, id: &str) -> Option<Level> {
        Some(self.topics.read().get(topic)?.events.get(id)?.level)
    }

    /// Removes a topic with its handlers and its event states, also from the store (the
    /// task that owned it was deleted).
    pub fn delete_topic(&self, topic: &str) {
        let removed = self.topics.write().remove(topic);
        if let Some(t) = removed {
            self.retire(t.handlers);
        }
        if let Some(w) = &self.writer {
            w.delete_topic(topic);
        }
    }

    /// Deletes every topic whose name starts with `prefix` (`main:<task>:` for a task's
    /// anonymous topics).
    pub fn delete_topics_with_prefix(&self, prefix: &str) {
        let names: Vec<String> = self
            .topics
            .read()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        for name in names {
            self.delete_topic(&name);
        }
    }

    /// Waits until every event state recorded so far is committed to the store; false if
    /// `timeout` passed first. True at once without a store.
    pub fn flush_states(&self, timeout: Duration) -> bool {
        self.writer.as_ref().is_none_or(|w| w.flush(timeout))
    }

    /// Store commits that failed since start.
    pub fn state_write_failures(&self) -> u64 {
        self.writer.as_ref().map_or(0, StateWriter::failures)
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
            .map(|s| handlers::create(s, &self.endpoints, &self.services))
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
        let state = EventState {
            level: event.data.level,
            time: event.time,
            duration: event.data.duration,
            message: event.data.message.clone(),
        };
        if let Some(w) = &self.writer {
            w.put(topic, state.record(&event.data.id));
        }
        self.topics
            .write()
            .entry(topic.to_string())
            .or_default()
            .events
            .insert(event.data.id.clone(), state);
    }

    fn close_topic(&self, topic: &str) {
        let old = {
            let mut topics = self.topics.write();
            if self.writer.is_some() {
                // Persisted states outlive the task run, as Kapacitor restores them when the
                // task starts again.
                match topics.get_mut(topic) {
                    Some(t) if t.events.is_empty() => topics.remove(topic).map(|t| t.handlers),
                    Some(t) => Some(std::mem::take(&mut t.handlers)),
                    None => None,
                }
            } else {
                topics.remove(topic).map(|t| t.handlers)
            }
        };
        if let Some(handlers) = old {
            self.retire(handlers);
        }
    }

    fn global_handlers(&self, existing: &[HandlerSpec]) -> (Vec<HandlerSpec>, bool) {
        self.services.global_handlers(existing)
    }

    fn restore(&self, topic: &str, id: &str) -> Option<RestoredEvent> {
        let topics = self.topics.read();
        let s = topics.get(topic)?.events.get(id)?;
        Some(RestoredEvent {
            level: s.level,
            time: s.time,
            duration: s.duration,
        })
    }
}
