//! The alert service: topics with their handlers and the latest event state per event id,
//! optionally kept in a durable store so that alert states survive a restart.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use kapa_engine::{AlertEvent, AlertSink, Level, RestoredEvent};
use kapa_pipeline::nodes::HandlerSpec;
use kapa_storage::EventStateRecord;
use parking_lot::{Mutex, RwLock};

use crate::AlertError;
use crate::aggregate::{AggregateConfig, Aggregator};
use crate::delivery::{DeliveryConfig, HandlerStats, Worker};
use crate::handlers;
use crate::httppost::{self, Endpoints};
use crate::inhibit::Inhibitors;
use crate::matching::Matcher;
use crate::spec::TopicHandlerSpec;
use crate::spec_store::SpecStore;
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

/// Topics are never chained deeper than this by `publish` and `aggregate` handlers.
const MAX_PUBLISH_DEPTH: usize = 16;

#[derive(Debug, Default)]
struct Topic {
    /// Anonymous handlers of the alert node that owns the topic (TICKscript).
    handlers: Vec<Worker>,
    /// Handlers defined by specs (API, load directory), by id.
    specs: BTreeMap<String, SpecHandler>,
    /// Latest state per event id.
    events: HashMap<String, EventState>,
    /// Events collected since start.
    collected: i64,
}

impl Topic {
    /// Every delivery worker: the anonymous ones, then those of specs.
    fn workers(&self) -> impl Iterator<Item = &Worker> {
        self.handlers
            .iter()
            .chain(self.specs.values().filter_map(|h| match &h.action {
                Action::Deliver(w) => Some(w),
                _ => None,
            }))
    }

    fn level(&self) -> Level {
        self.events
            .values()
            .map(|e| e.level)
            .max()
            .unwrap_or(Level::Ok)
    }
}

/// A handler created from a spec.
#[derive(Debug)]
struct SpecHandler {
    spec: TopicHandlerSpec,
    /// Defined by a file of the load directory.
    loaded: bool,
    matcher: Option<Matcher>,
    action: Action,
}

/// What a spec handler does with a matching event.
#[derive(Debug)]
enum Action {
    /// Queues it to a delivery worker.
    Deliver(Worker),
    /// Re-publishes it to other topics (`publish`).
    Publish(Vec<String>),
    /// Collects it for a summary event (`aggregate`).
    Aggregate(Aggregator),
}

/// What the service remembers of the last event of an id.
#[derive(Debug, Clone, PartialEq)]
struct EventState {
    level: Level,
    time: i64,
    duration: i64,
    message: String,
    details: String,
}

/// A topic as the API lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSummary {
    /// Topic id.
    pub id: String,
    /// Highest level over its events.
    pub level: Level,
    /// Events collected since start.
    pub collected: i64,
}

/// The state of one event of a topic, as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    /// Event id.
    pub id: String,
    /// Last message.
    pub message: String,
    /// Last details.
    pub details: String,
    /// Time of the last event, ns.
    pub time: i64,
    /// Duration of the non-OK state, ns.
    pub duration: i64,
    /// Last level.
    pub level: Level,
}

impl EventState {
    fn record(&self, id: &str) -> EventStateRecord {
        EventStateRecord {
            id: id.to_string(),
            level: self.level.as_str().to_string(),
            time: self.time,
            duration: self.duration,
            message: self.message.clone(),
            details: self.details.clone(),
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
    /// Persists handler specs once `restore_specs` attached a store.
    spec_store: OnceLock<Arc<dyn SpecStore>>,
    /// The active inhibitors of alert nodes.
    inhibitors: Inhibitors,
    /// This service, for the threads of aggregate handlers.
    me: Weak<AlertService>,
}

impl AlertService {
    /// A service with the default settings and no `[[httppost]]` endpoints.
    pub fn new() -> Arc<Self> {
        Arc::new_cyclic(|me| AlertService {
            me: me.clone(),
            ..AlertService::default()
        })
    }

    /// A service with `cfg`; fails on an invalid `[[httppost]]` section.
    pub fn with_config(cfg: ServiceConfig) -> Result<Arc<Self>, AlertError> {
        let endpoints = httppost::compile(&cfg.httppost)?;
        Ok(Arc::new_cyclic(|me| AlertService {
            delivery: cfg.delivery,
            endpoints,
            services: cfg.services,
            me: me.clone(),
            ..AlertService::default()
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
                details: rec.details,
            };
            topics
                .entry(topic)
                .or_default()
                .events
                .insert(rec.id, state);
        }
        let writer = StateWriter::spawn(store)
            .map_err(|e| AlertError::Storage(format!("starting the state writer: {e}")))?;
        let endpoints = httppost::compile(&cfg.httppost)?;
        Ok(Arc::new_cyclic(|me| AlertService {
            topics: RwLock::new(topics),
            delivery: cfg.delivery,
            endpoints,
            services: cfg.services,
            writer: Some(writer),
            me: me.clone(),
            ..AlertService::default()
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
    ///
    /// Handlers defined by specs stay: the topic then remains, without events.
    pub fn delete_topic(&self, topic: &str) {
        let removed = {
            let mut topics = self.topics.write();
            match topics.get_mut(topic) {
                Some(t) if !t.specs.is_empty() => {
                    t.events.clear();
                    Some(std::mem::take(&mut t.handlers))
                }
                Some(_) => topics.remove(topic).map(|t| t.handlers),
                None => None,
            }
        };
        if let Some(handlers) = removed {
            self.retire(handlers);
        }
        if let Some(w) = &self.writer {
            w.delete_topic(topic);
        }
    }

    /// Whether a topic exists (it has events or handlers).
    pub fn has_topic(&self, topic: &str) -> bool {
        self.topics.read().contains_key(topic)
    }

    /// The topics whose id matches the glob `pattern` (all when empty) and whose level is
    /// at least `min_level`, sorted by id.
    pub fn topic_summaries(
        &self,
        pattern: &str,
        min_level: Level,
    ) -> Result<Vec<TopicSummary>, AlertError> {
        let glob = compile_pattern(pattern)?;
        let topics = self.topics.read();
        let mut out: Vec<TopicSummary> = topics
            .iter()
            .filter(|(id, _)| glob.as_ref().is_none_or(|g| g.matches(id)))
            .map(|(id, t)| TopicSummary {
                id: id.clone(),
                level: t.level(),
                collected: t.collected,
            })
            .filter(|t| t.level >= min_level)
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// One topic, if it exists.
    pub fn topic_summary(&self, topic: &str) -> Option<TopicSummary> {
        let topics = self.topics.read();
        let t = topics.get(topic)?;
        Some(TopicSummary {
            id: topic.to_string(),
            level: t.level(),
            collected: t.collected,
        })
    }

    /// The events of a topic at `min_level` or above, sorted by id (none for an unknown topic).
    pub fn events(&self, topic: &str, min_level: Level) -> Vec<EventView> {
        let topics = self.topics.read();
        let Some(t) = topics.get(topic) else {
            return Vec::new();
        };
        let mut out: Vec<EventView> = t
            .events
            .iter()
            .filter(|(_, e)| e.level >= min_level)
            .map(|(id, e)| view(id, e))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// One event of a topic.
    pub fn event(&self, topic: &str, id: &str) -> Option<EventView> {
        let topics = self.topics.read();
        topics.get(topic)?.events.get(id).map(|e| view(id, e))
    }

    /// Attaches the spec store and creates the handler of every stored spec. A spec whose
    /// handler cannot be built (a kind missing from this build, say) is logged and kept in
    /// the store; its error is returned with it.
    pub fn restore_specs(
        &self,
        store: Arc<dyn SpecStore>,
    ) -> Result<Vec<(TopicHandlerSpec, AlertError)>, AlertError> {
        let specs = store.load().map_err(AlertError::Storage)?;
        let _ = self.spec_store.set(store);
        let mut failed = Vec::new();
        for (spec, loaded) in specs {
            if let Err(e) = self.install(spec.clone(), loaded) {
                tracing::error!(service = "alert", topic = %spec.topic, handler = %spec.id, err = %e, "failed to restore topic handler");
                failed.push((spec, e));
            }
        }
        Ok(failed)
    }

    /// The spec of one handler, with whether it came from the load directory.
    pub fn handler_spec(&self, topic: &str, id: &str) -> Option<(TopicHandlerSpec, bool)> {
        let topics = self.topics.read();
        let h = topics.get(topic)?.specs.get(id)?;
        Some((h.spec.clone(), h.loaded))
    }

    /// The specs of a topic whose id matches the glob `pattern` (all when empty), by id.
    pub fn handler_specs(
        &self,
        topic: &str,
        pattern: &str,
    ) -> Result<Vec<TopicHandlerSpec>, AlertError> {
        let glob = compile_pattern(pattern)?;
        let topics = self.topics.read();
        Ok(topics
            .get(topic)
            .map(|t| {
                t.specs
                    .values()
                    .filter(|h| glob.as_ref().is_none_or(|g| g.matches(&h.spec.id)))
                    .map(|h| h.spec.clone())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Validates a spec and builds its handler without installing it (an invalid match or
    /// options are refused before anything is stored).
    pub fn check_spec(&self, spec: &TopicHandlerSpec) -> Result<(), AlertError> {
        spec.validate()?;
        Matcher::compile(&spec.match_expr)?;
        match spec.kind.as_str() {
            "publish" => publish_topics(spec).map(|_| ()),
            "aggregate" => AggregateConfig::from_options(&spec.options).map(|_| ()),
            _ => {
                handlers::create(&pipeline_spec(spec), &self.endpoints, &self.services).map(|_| ())
            }
        }
    }

    /// Creates a handler from a spec; an existing id in the topic is refused.
    pub fn create_handler(&self, spec: TopicHandlerSpec, loaded: bool) -> Result<(), AlertError> {
        spec.validate()?;
        if self.handler_spec(&spec.topic, &spec.id).is_some() {
            return Err(AlertError::SpecExists);
        }
        self.store_spec(&spec, loaded)?;
        self.install(spec, loaded)
    }

    /// Replaces the handler `topic`/`id` with `spec` (whose topic or id may differ).
    /// Handlers from the load directory are refused unless `loaded` (the loader itself).
    pub fn replace_handler(
        &self,
        topic: &str,
        id: &str,
        spec: TopicHandlerSpec,
        loaded: bool,
    ) -> Result<(), AlertError> {
        spec.validate()?;
        let Some((_, was_loaded)) = self.handler_spec(topic, id) else {
            return Err(AlertError::NoSuchSpec);
        };
        if was_loaded && !loaded {
            return Err(AlertError::LoadedSpec(id.to_string()));
        }
        let moved = spec.topic != topic || spec.id != id;
        if moved && self.handler_spec(&spec.topic, &spec.id).is_some() {
            return Err(AlertError::SpecExists);
        }
        // Build first: a spec that cannot work leaves the old handler in place.
        let handler = self.build(spec.clone(), loaded)?;
        self.store_spec(&spec, loaded)?;
        if moved {
            self.remove_spec(topic, id)?;
        }
        self.insert(handler);
        Ok(())
    }

    /// Deletes a handler; deleting a missing one is not an error (as in Kapacitor).
    /// Handlers from the load directory are refused unless `loaded`.
    pub fn delete_handler(&self, topic: &str, id: &str, loaded: bool) -> Result<(), AlertError> {
        if let Some((_, true)) = self.handler_spec(topic, id)
            && !loaded
        {
            return Err(AlertError::LoadedSpec(id.to_string()));
        }
        self.remove_spec(topic, id)
    }

    /// The ids (topic, handler) of the handlers that came from the load directory.
    pub fn loaded_handlers(&self) -> Vec<(String, String)> {
        let topics = self.topics.read();
        topics
            .iter()
            .flat_map(|(t, topic)| {
                topic
                    .specs
                    .values()
                    .filter(|h| h.loaded)
                    .map(move |h| (t.clone(), h.spec.id.clone()))
            })
            .collect()
    }

    fn store_spec(&self, spec: &TopicHandlerSpec, loaded: bool) -> Result<(), AlertError> {
        match self.spec_store.get() {
            Some(store) => store.put(spec, loaded).map_err(AlertError::Storage),
            None => Ok(()),
        }
    }

    fn remove_spec(&self, topic: &str, id: &str) -> Result<(), AlertError> {
        if let Some(store) = self.spec_store.get() {
            store.delete(topic, id).map_err(AlertError::Storage)?;
        }
        let removed = {
            let mut topics = self.topics.write();
            let removed = topics.get_mut(topic).and_then(|t| t.specs.remove(id));
            if let Some(t) = topics.get(topic)
                && t.specs.is_empty()
                && t.handlers.is_empty()
                && t.events.is_empty()
            {
                topics.remove(topic);
            }
            removed
        };
        // Dropped outside the lock: an aggregator's thread may be publishing.
        self.discard(removed);
        Ok(())
    }

    fn install(&self, spec: TopicHandlerSpec, loaded: bool) -> Result<(), AlertError> {
        let handler = self.build(spec, loaded)?;
        self.insert(handler);
        Ok(())
    }

    fn insert(&self, handler: SpecHandler) {
        let old = {
            let mut topics = self.topics.write();
            let t = topics.entry(handler.spec.topic.clone()).or_default();
            t.specs.insert(handler.spec.id.clone(), handler)
        };
        self.discard(old);
    }

    fn discard(&self, handler: Option<SpecHandler>) {
        if let Some(h) = handler
            && let Action::Deliver(w) = h.action
        {
            self.retire(vec![w]);
        }
    }

    fn build(&self, spec: TopicHandlerSpec, loaded: bool) -> Result<SpecHandler, AlertError> {
        let matcher = Matcher::compile(&spec.match_expr)?;
        let action = match spec.kind.as_str() {
            "publish" => Action::Publish(publish_topics(&spec)?),
            "aggregate" => {
                let cfg = AggregateConfig::from_options(&spec.options)?;
                let me = self.me.clone();
                let source = spec.topic.clone();
                Action::Aggregate(Aggregator::spawn(
                    cfg,
                    Box::new(move |topic, event| {
                        if let Some(svc) = me.upgrade() {
                            svc.publish_chain(
                                topic,
                                &Arc::new(event.clone()),
                                &mut vec![source.clone()],
                            );
                        }
                    }),
                )?)
            }
            _ => {
                let h = handlers::create(&pipeline_spec(&spec), &self.endpoints, &self.services)?;
                // Spec workers are numbered after the anonymous ones in the statistics.
                let index = 1000
                    + self
                        .topics
                        .read()
                        .get(&spec.topic)
                        .map_or(0, |t| t.specs.len());
                Action::Deliver(
                    Worker::spawn(&spec.topic, index, h, &self.delivery).map_err(|e| {
                        AlertError::Handler {
                            kind: spec.kind.clone(),
                            reason: format!("failed to start alert handler: {e}"),
                        }
                    })?,
                )
            }
        };
        Ok(SpecHandler {
            spec,
            loaded,
            matcher,
            action,
        })
    }

    /// Publishes to `topic` and to the topics its `publish` handlers name; `chain` holds
    /// the topics this event already went through, so a cycle stops instead of looping.
    fn publish_chain(&self, topic: &str, event: &Arc<AlertEvent>, chain: &mut Vec<String>) {
        if chain.iter().any(|t| t == topic) || chain.len() >= MAX_PUBLISH_DEPTH {
            tracing::warn!(service = "alert", topic = %topic, chain = ?chain, "not publishing: the event already went through this topic (publish loop)");
            return;
        }
        let mut forward: Vec<String> = Vec::new();
        let state = EventState {
            level: event.data.level,
            time: event.time,
            duration: event.data.duration,
            message: event.data.message.clone(),
            details: event.data.details.clone(),
        };
        if let Some(w) = &self.writer {
            w.put(topic, state.record(&event.data.id));
        }
        {
            let mut topics = self.topics.write();
            let t = topics.entry(topic.to_string()).or_default();
            t.collected += 1;
            let previous = t
                .events
                .insert(event.data.id.clone(), state)
                .map_or(Level::Ok, |s| s.level);
            if !t.handlers.is_empty() || !t.specs.is_empty() {
                let shared = event.clone();
                for h in &t.handlers {
                    h.push(shared.clone());
                }
                for h in t.specs.values() {
                    if h.matcher
                        .as_ref()
                        .is_some_and(|m| !m.matches(event, previous))
                    {
                        continue;
                    }
                    match &h.action {
                        Action::Deliver(w) => w.push(shared.clone()),
                        Action::Aggregate(a) => a.push(shared.clone()),
                        Action::Publish(targets) => forward.extend(targets.iter().cloned()),
                    }
                }
            }
        }
        if forward.is_empty() {
            return;
        }
        chain.push(topic.to_string());
        for target in &forward {
            self.publish_chain(target, event, chain);
        }
        chain.pop();
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
            .flat_map(|t| t.workers().map(Worker::stats))
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
                .flat_map(|t| t.workers())
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
            .filter(|s| {
                // A disabled kind is left out; the task runs with its other handlers.
                let off = self.services.is_disabled(&s.kind);
                if off {
                    tracing::warn!(service = "alert", topic = %topic, kind = %s.kind, "skipping disabled alert handler");
                }
                !off
            })
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
        self.publish_chain(topic, &Arc::new(event.clone()), &mut Vec::new());
    }

    fn publish_shared(&self, topic: &str, event: &Arc<AlertEvent>) {
        self.publish_chain(topic, event, &mut Vec::new());
    }

    fn close_topic(&self, topic: &str) {
        let old = {
            let mut topics = self.topics.write();
            if self.writer.is_some() {
                // Persisted states outlive the task run, as Kapacitor restores them when the
                // task starts again.
                match topics.get_mut(topic) {
                    Some(t) if t.events.is_empty() && t.specs.is_empty() => {
                        topics.remove(topic).map(|t| t.handlers)
                    }
                    Some(t) => Some(std::mem::take(&mut t.handlers)),
                    None => None,
                }
            } else {
                match topics.get_mut(topic) {
                    Some(t) if !t.specs.is_empty() => {
                        t.events.clear();
                        Some(std::mem::take(&mut t.handlers))
                    }
                    Some(_) => topics.remove(topic).map(|t| t.handlers),
                    None => None,
                }
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

    fn update_inhibitor(
        &self,
        owner: &str,
        category: &str,
        tag_names: &[String],
        event_id: &str,
        tags: &[(String, String)],
        active: bool,
    ) {
        self.inhibitors
            .update(owner, category, tag_names, event_id, tags, active);
    }

    fn is_inhibited(&self, category: &str, tags: &[(String, String)]) -> bool {
        self.inhibitors.is_inhibited(category, tags)
    }

    fn remove_inhibitors(&self, owner: &str) {
        self.inhibitors.remove_owner(owner);
    }
}

fn view(id: &str, e: &EventState) -> EventView {
    EventView {
        id: id.to_string(),
        message: e.message.clone(),
        details: e.details.clone(),
        time: e.time,
        duration: e.duration,
        level: e.level,
    }
}

/// A glob as Go's `path.Match` reads it; empty is "everything".
fn compile_pattern(pattern: &str) -> Result<Option<glob::Pattern>, AlertError> {
    if pattern.is_empty() {
        return Ok(None);
    }
    glob::Pattern::new(pattern)
        .map(Some)
        .map_err(|_| AlertError::InvalidPattern(pattern.to_string()))
}

/// The kind and options of a spec as the handler constructors take them.
fn pipeline_spec(spec: &TopicHandlerSpec) -> HandlerSpec {
    HandlerSpec {
        kind: spec.kind.clone(),
        options: spec.options.clone(),
    }
}

/// The `topics` option of a `publish` handler.
fn publish_topics(spec: &TopicHandlerSpec) -> Result<Vec<String>, AlertError> {
    let invalid = |reason: &str| AlertError::InvalidOption {
        kind: "publish".into(),
        option: "topics".into(),
        reason: reason.into(),
    };
    let Some(serde_json::Value::Array(list)) = spec.options.get("topics") else {
        return Err(invalid("must be a list of topics"));
    };
    let mut topics = Vec::with_capacity(list.len());
    for v in list {
        match v.as_str() {
            Some(t) if crate::spec::valid_topic_id(t) => topics.push(t.to_string()),
            _ => return Err(invalid("must be a list of valid topic ids")),
        }
    }
    if topics.contains(&spec.topic) {
        return Err(invalid("must not contain the handler's own topic"));
    }
    Ok(topics)
}
