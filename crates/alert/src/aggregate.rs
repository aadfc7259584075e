//! The topic-only `aggregate` handler: collects the matching events of a topic over
//! `interval` and then publishes one event summarizing them to another topic.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kapa_engine::{AlertData, AlertEvent, GoTemplate, Level, TemplateKind};
use kapa_models::SeriesResult;
use parking_lot::{Condvar, Mutex};
use serde_json::{Map, Value};

use crate::AlertError;

/// Kapacitor's defaults for the aggregated event.
const DEFAULT_ID: &str = "aggregate";
const DEFAULT_MESSAGE: &str = "Received {{.Count}} events in the last {{.Interval}}.";

/// The options of an aggregate handler.
#[derive(Debug, Clone)]
pub(crate) struct AggregateConfig {
    /// Id of the published event.
    pub id: String,
    /// Collection period, ns.
    pub interval: i64,
    /// Topic the summary goes to.
    pub topic: String,
    /// Message template over `.Count` and `.Interval`.
    pub message: String,
}

impl AggregateConfig {
    /// Reads `id`, `interval`, `topic`, `message`.
    pub(crate) fn from_options(map: &Map<String, Value>) -> Result<Self, AlertError> {
        let interval = duration_option(map, "interval")?;
        if interval <= 0 {
            return Err(invalid("interval", "must be a positive duration"));
        }
        let topic = string_option(map, "topic")?;
        if topic.is_empty() {
            return Err(invalid("topic", "must not be empty"));
        }
        let id = string_option(map, "id")?;
        let message = string_option(map, "message")?;
        let cfg = AggregateConfig {
            id: if id.is_empty() { DEFAULT_ID.into() } else { id },
            interval,
            topic,
            message: if message.is_empty() {
                DEFAULT_MESSAGE.into()
            } else {
                message
            },
        };
        // A bad template is refused when the handler is created, not at the first interval.
        GoTemplate::parse("message", &cfg.message, TemplateKind::Text)
            .map_err(|e| invalid("message", &e))?;
        Ok(cfg)
    }
}

fn invalid(option: &str, reason: &str) -> AlertError {
    AlertError::InvalidOption {
        kind: "aggregate".into(),
        option: option.into(),
        reason: reason.into(),
    }
}

fn string_option(map: &Map<String, Value>, key: &str) -> Result<String, AlertError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(invalid(key, "must be a string")),
    }
}

/// A Go duration string (`10s`) or an integer of ns, as mapstructure decodes it.
fn duration_option(map: &Map<String, Value>, key: &str) -> Result<i64, AlertError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| invalid(key, "must be a duration")),
        Some(Value::String(s)) => {
            kapa_models::duration::parse_go(s).map_err(|_| invalid(key, "must be a duration"))
        }
        Some(_) => Err(invalid(key, "must be a duration")),
    }
}

/// Where the aggregator sends its summary event.
pub(crate) type PublishFn = Box<dyn Fn(&str, &AlertEvent) + Send + Sync>;

#[derive(Default)]
struct State {
    events: Vec<Arc<AlertEvent>>,
    stop: bool,
}

/// A running aggregator: a queue and a thread that flushes it every interval.
pub(crate) struct Aggregator {
    shared: Arc<(Mutex<State>, Condvar)>,
    thread: Option<JoinHandle<()>>,
    /// Target topic, for loop detection.
    pub(crate) target: String,
}

impl std::fmt::Debug for Aggregator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregator")
            .field("target", &self.target)
            .finish()
    }
}

impl Aggregator {
    /// Starts the flushing thread.
    pub(crate) fn spawn(cfg: AggregateConfig, publish: PublishFn) -> Result<Self, AlertError> {
        let tmpl = GoTemplate::parse("message", &cfg.message, TemplateKind::Text).map_err(|e| {
            AlertError::Handler {
                kind: "aggregate".into(),
                reason: e,
            }
        })?;
        let shared: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let s = shared.clone();
        let target = cfg.topic.clone();
        let thread = std::thread::Builder::new()
            .name("alert-aggregate".into())
            .spawn(move || run(&s, &cfg, &tmpl, &publish))
            .map_err(|e| AlertError::Handler {
                kind: "aggregate".into(),
                reason: e.to_string(),
            })?;
        Ok(Aggregator {
            shared,
            thread: Some(thread),
            target,
        })
    }

    /// Adds an event to the current interval.
    pub(crate) fn push(&self, event: Arc<AlertEvent>) {
        self.shared.0.lock().events.push(event);
    }
}

impl Drop for Aggregator {
    fn drop(&mut self) {
        self.shared.0.lock().stop = true;
        self.shared.1.notify_all();
        if let Some(t) = self.thread.take()
            // The thread itself may drop the last service handle while publishing; it
            // then stops by itself and must not join itself.
            && t.thread().id() != std::thread::current().id()
        {
            let _ = t.join();
        }
    }
}

fn run(
    shared: &(Mutex<State>, Condvar),
    cfg: &AggregateConfig,
    tmpl: &GoTemplate,
    publish: &PublishFn,
) {
    let interval = Duration::from_nanos(cfg.interval.unsigned_abs());
    let mut next = Instant::now() + interval;
    loop {
        let events = {
            let mut st = shared.0.lock();
            while !st.stop && Instant::now() < next {
                shared.1.wait_until(&mut st, next);
            }
            if st.stop {
                return;
            }
            std::mem::take(&mut st.events)
        };
        next += interval;
        if events.is_empty() {
            continue;
        }
        match summarize(cfg, tmpl, &events) {
            Ok(event) => publish(&cfg.topic, &event),
            Err(e) => {
                tracing::error!(service = "alert", handler = "aggregate", err = %e, "failed to render aggregate message");
            }
        }
    }
}

/// The summary event: highest level, latest time, longest duration, the messages joined
/// by newlines as details.
fn summarize(
    cfg: &AggregateConfig,
    tmpl: &GoTemplate,
    events: &[Arc<AlertEvent>],
) -> Result<AlertEvent, String> {
    let mut level = Level::Ok;
    let mut time = i64::MIN;
    let mut duration = 0;
    let mut details = Vec::with_capacity(events.len());
    for e in events {
        level = level.max(e.data.level);
        time = time.max(e.time);
        duration = duration.max(e.data.duration);
        details.push(e.data.message.as_str());
    }
    let mut data = BTreeMap::new();
    data.insert(Arc::from("Count"), gotmpl::Value::Int(events.len() as i64));
    data.insert(
        Arc::from("Interval"),
        gotmpl::Value::String(Arc::from(kapa_models::duration::format_go(cfg.interval))),
    );
    let message = tmpl.render(&gotmpl::Value::Map(Arc::new(data)))?;
    Ok(AlertEvent {
        data: AlertData {
            id: cfg.id.clone(),
            message,
            details: details.join("\n"),
            time: kapa_models::time::format_rfc3339(time),
            duration,
            level,
            data: SeriesResult {
                series: None,
                error: None,
            },
            previous_level: Level::Ok,
            recoverable: true,
        },
        time,
        task_name: String::new(),
        name: String::new(),
        group: String::new(),
        tags: Vec::new(),
        category: String::new(),
    })
}
