//! Alert nodes continue restored event states: a sink that remembers the last event of an
//! id (as the durable alert service does across restarts) seeds the level, the level last
//! sent and the trigger times of a new group.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kapa_engine::{
    AlertEvent, AlertSink, EngineConfig, Level, RestoredEvent, ServerInfo, TaskDef, TaskMaster,
};
use kapa_models::time::ManualClock;
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::nodes::HandlerSpec;
use kapa_pipeline::{Dbrp, TaskType};

const SECOND: i64 = 1_000_000_000;
const T0: i64 = 31_536_000 * SECOND;

#[derive(Debug, Default)]
struct Remembering {
    states: Mutex<HashMap<(String, String), RestoredEvent>>,
    restores: Mutex<Vec<(String, String)>>,
    events: Mutex<Vec<(String, AlertEvent)>>,
}

impl AlertSink for Remembering {
    fn open_topic(&self, _topic: &str, _handlers: &[HandlerSpec]) -> Result<(), String> {
        Ok(())
    }
    fn publish(&self, topic: &str, event: &AlertEvent) {
        self.events
            .lock()
            .unwrap()
            .push((topic.to_string(), event.clone()));
    }
    fn close_topic(&self, _topic: &str) {}
    fn restore(&self, topic: &str, id: &str) -> Option<RestoredEvent> {
        let key = (topic.to_string(), id.to_string());
        self.restores.lock().unwrap().push(key.clone());
        self.states.lock().unwrap().get(&key).copied()
    }
}

fn master(sink: Arc<Remembering>) -> Arc<TaskMaster> {
    TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(T0)),
        alerts: sink,
        server: ServerInfo {
            hostname: "localhost".into(),
            cluster_id: "c".into(),
            server_id: "s".into(),
        },
        topic_prefix: "main".into(),
    })
}

fn def(script: &str) -> TaskDef {
    TaskDef {
        id: "cpu_alert".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "telegraf".into(),
            rp: "autogen".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    }
}

fn cpu(idle: f64, sec: i64) -> Point {
    Point {
        name: "cpu".into(),
        tags: Tags::from_pairs(vec![("host".into(), "a".into())]),
        fields: Fields::from_pairs(vec![("usage_idle".into(), FieldValue::Float(idle))]),
        time: T0 + sec * SECOND,
    }
}

const GUIDE: &str = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .stateChangesOnly()\n        .log('/tmp/alerts.log')\n";

fn levels(sink: &Remembering) -> Vec<(Level, Level, i64)> {
    sink.events
        .lock()
        .unwrap()
        .iter()
        .map(|(_, e)| (e.data.level, e.data.previous_level, e.data.duration))
        .collect()
}

#[test]
fn restored_critical_is_not_refired_and_recovery_names_it() {
    let sink = Arc::new(Remembering::default());
    // The event went CRITICAL at 10s and was last sent at 40s (duration 30s).
    sink.states.lock().unwrap().insert(
        ("main:cpu_alert:alert2".into(), "cpu:nil".into()),
        RestoredEvent {
            level: Level::Critical,
            time: T0 + 40 * SECOND,
            duration: 30 * SECOND,
        },
    );
    let tm = master(sink.clone());
    tm.start_task(&def(GUIDE)).unwrap();

    tm.write_points("telegraf", "autogen", &[cpu(50.0, 100), cpu(40.0, 101)]);
    assert_eq!(levels(&sink), vec![]);
    assert_eq!(
        *sink.restores.lock().unwrap(),
        vec![("main:cpu_alert:alert2".to_string(), "cpu:nil".to_string())]
    );

    tm.write_points("telegraf", "autogen", &[cpu(90.0, 110)]);
    assert_eq!(
        levels(&sink),
        vec![(Level::Ok, Level::Critical, 100 * SECOND)]
    );
    let events = sink.events.lock().unwrap();
    assert_eq!(events[0].0, "main:cpu_alert:alert2");
    assert_eq!(events[0].1.data.message, "cpu:nil is OK");
}

#[test]
fn restored_warning_escalates_and_ok_state_starts_fresh() {
    let sink = Arc::new(Remembering::default());
    sink.states.lock().unwrap().insert(
        ("main:cpu_alert:alert2".into(), "cpu:nil".into()),
        RestoredEvent {
            level: Level::Warning,
            time: T0 + 5 * SECOND,
            duration: 0,
        },
    );
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .warn(lambda: \"usage_idle\" < 80)\n        .crit(lambda: \"usage_idle\" < 70)\n        .stateChangesOnly()\n        .log('/tmp/alerts.log')\n";
    let tm = master(sink.clone());
    tm.start_task(&def(script)).unwrap();
    tm.write_points(
        "telegraf",
        "autogen",
        &[cpu(75.0, 10), cpu(60.0, 20), cpu(95.0, 30)],
    );
    assert_eq!(
        levels(&sink),
        vec![
            (Level::Critical, Level::Warning, 15 * SECOND),
            (Level::Ok, Level::Critical, 25 * SECOND),
        ]
    );

    // A restored OK state is the same as no state: the first CRITICAL fires.
    let sink = Arc::new(Remembering::default());
    sink.states.lock().unwrap().insert(
        ("main:cpu_alert:alert2".into(), "cpu:nil".into()),
        RestoredEvent {
            level: Level::Ok,
            time: T0,
            duration: 0,
        },
    );
    let tm = master(sink.clone());
    tm.start_task(&def(GUIDE)).unwrap();
    tm.write_points("telegraf", "autogen", &[cpu(50.0, 1), cpu(50.0, 2)]);
    assert_eq!(levels(&sink), vec![(Level::Critical, Level::Ok, 0)]);
}

#[test]
fn named_topic_state_is_used_without_handlers() {
    let sink = Arc::new(Remembering::default());
    sink.states.lock().unwrap().insert(
        ("cpu".into(), "cpu:nil".into()),
        RestoredEvent {
            level: Level::Critical,
            time: T0,
            duration: 0,
        },
    );
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .stateChangesOnly()\n        .topic('cpu')\n";
    let tm = master(sink.clone());
    tm.start_task(&def(script)).unwrap();
    tm.write_points("telegraf", "autogen", &[cpu(50.0, 1), cpu(90.0, 2)]);
    assert_eq!(
        levels(&sink),
        vec![(Level::Ok, Level::Critical, 2 * SECOND)]
    );
}
