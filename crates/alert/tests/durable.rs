//! Durable alert state: the service writes every event's state through its store, loads
//! them back on start, keeps them when a topic closes and forgets them when it is deleted.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kapa_alert::{AlertService, ServiceConfig, StateStore};
use kapa_engine::{AlertData, AlertEvent, AlertSink, Level, RestoredEvent};
use kapa_models::SeriesResult;
use kapa_storage::{EventStateRecord, Storage, TopicStateOp};

const WAIT: Duration = Duration::from_secs(10);
const SECOND: i64 = 1_000_000_000;
const TOPIC: &str = "main:cpu_alert:alert2";

fn event(id: &str, level: Level, sec: i64, duration: i64) -> AlertEvent {
    AlertEvent {
        data: AlertData {
            id: id.into(),
            message: format!("{id} is {}", level.as_str()),
            details: String::new(),
            time: String::new(),
            duration: duration * SECOND,
            level,
            data: SeriesResult {
                series: None,
                error: None,
            },
            previous_level: Level::Ok,
            recoverable: true,
        },
        time: sec * SECOND,
        task_name: "cpu_alert".into(),
        name: "cpu".into(),
        group: "nil".into(),
        tags: vec![],
        category: String::new(),
    }
}

fn record(id: &str, level: &str, sec: i64, duration: i64) -> EventStateRecord {
    EventStateRecord {
        id: id.into(),
        level: level.into(),
        time: sec * SECOND,
        duration: duration * SECOND,
        message: format!("{id} is {level}"),
        details: String::new(),
    }
}

fn service(storage: &Storage) -> Arc<AlertService> {
    AlertService::with_store(ServiceConfig::default(), Arc::new(storage.topic_states())).unwrap()
}

#[test]
fn states_survive_a_restart_of_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kapacitor.db");
    {
        let storage = Storage::open(&path).unwrap();
        let svc = service(&storage);
        svc.publish(TOPIC, &event("cpu:nil", Level::Warning, 10, 0));
        svc.publish(TOPIC, &event("cpu:nil", Level::Critical, 20, 10));
        svc.publish(TOPIC, &event("cpu:b", Level::Ok, 21, 0));
        svc.publish("ops", &event("cpu:nil", Level::Info, 22, 0));
        assert!(svc.flush_states(WAIT));
        assert_eq!(
            storage.topic_states().list(TOPIC).unwrap(),
            vec![
                record("cpu:b", "OK", 21, 0),
                record("cpu:nil", "CRITICAL", 20, 10)
            ]
        );
    }
    let storage = Storage::open(&path).unwrap();
    let svc = service(&storage);
    assert_eq!(
        svc.restore(TOPIC, "cpu:nil"),
        Some(RestoredEvent {
            level: Level::Critical,
            time: 20 * SECOND,
            duration: 10 * SECOND
        })
    );
    assert_eq!(svc.event_level("ops", "cpu:nil"), Some(Level::Info));
    assert_eq!(svc.restore(TOPIC, "cpu:zz"), None);
    assert_eq!(svc.topic_names(), vec!["main:cpu_alert:alert2", "ops"]);
    assert_eq!(svc.state_write_failures(), 0);
}

#[test]
fn close_keeps_states_and_delete_forgets_them() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path().join("k.db")).unwrap();
    let svc = service(&storage);
    svc.open_topic(TOPIC, &[]).unwrap();
    svc.publish(TOPIC, &event("cpu:nil", Level::Critical, 1, 0));
    svc.publish("main:other:alert2", &event("x", Level::Critical, 1, 0));
    svc.close_topic(TOPIC);
    assert_eq!(
        svc.restore(TOPIC, "cpu:nil").map(|r| r.level),
        Some(Level::Critical)
    );

    // A topic that never had an event does not linger after it closes.
    svc.open_topic("main:empty:alert2", &[]).unwrap();
    svc.close_topic("main:empty:alert2");
    assert!(!svc.topic_names().contains(&"main:empty:alert2".to_string()));

    svc.delete_topics_with_prefix("main:cpu_alert:");
    assert_eq!(svc.restore(TOPIC, "cpu:nil"), None);
    assert!(svc.flush_states(WAIT));
    assert!(storage.topic_states().list(TOPIC).unwrap().is_empty());
    assert_eq!(
        storage
            .topic_states()
            .list("main:other:alert2")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn without_a_store_close_forgets_the_topic() {
    let svc = AlertService::new();
    svc.publish(TOPIC, &event("cpu:nil", Level::Critical, 1, 0));
    assert_eq!(
        svc.restore(TOPIC, "cpu:nil").map(|r| r.level),
        Some(Level::Critical)
    );
    svc.close_topic(TOPIC);
    assert_eq!(svc.restore(TOPIC, "cpu:nil"), None);
    assert!(svc.flush_states(WAIT));
}

/// A store that records each committed batch and can be told to fail.
#[derive(Debug, Default)]
struct Recording {
    initial: Vec<(String, EventStateRecord)>,
    batches: Mutex<Vec<Vec<TopicStateOp>>>,
    fail: bool,
}

impl StateStore for Recording {
    fn load(&self) -> Result<Vec<(String, EventStateRecord)>, String> {
        Ok(self.initial.clone())
    }
    fn apply(&self, ops: &[TopicStateOp]) -> Result<(), String> {
        if self.fail {
            return Err("disk full".into());
        }
        self.batches.lock().unwrap().push(ops.to_vec());
        Ok(())
    }
}

#[test]
fn pending_changes_coalesce_per_event_and_keep_order_with_deletes() {
    let store = Arc::new(Recording::default());
    let svc = AlertService::with_store(ServiceConfig::default(), store.clone()).unwrap();
    for i in 0..500 {
        svc.publish(TOPIC, &event("cpu:nil", Level::Critical, i, i));
    }
    svc.publish(TOPIC, &event("cpu:nil", Level::Ok, 600, 0));
    assert!(svc.flush_states(WAIT));
    let batches = store.batches.lock().unwrap().clone();
    let puts: Vec<&TopicStateOp> = batches.iter().flatten().collect();
    // Each committed batch holds at most one put per event id; the last one wins.
    assert!(batches.iter().all(|b| b.len() == 1), "{batches:?}");
    assert!(puts.len() <= 501);
    assert_eq!(
        puts.last().copied(),
        Some(&TopicStateOp::Put {
            topic: TOPIC.into(),
            state: record("cpu:nil", "OK", 600, 0)
        })
    );

    svc.publish(TOPIC, &event("cpu:nil", Level::Critical, 700, 0));
    svc.delete_topic(TOPIC);
    svc.publish(TOPIC, &event("cpu:nil", Level::Warning, 800, 0));
    assert!(svc.flush_states(WAIT));
    let batches = store.batches.lock().unwrap().clone();
    let tail: Vec<TopicStateOp> = batches.into_iter().flatten().skip(puts.len()).collect();
    // Whatever the batching, the delete comes after the earlier put and before the later.
    let last = tail.last().cloned();
    assert_eq!(
        last,
        Some(TopicStateOp::Put {
            topic: TOPIC.into(),
            state: record("cpu:nil", "WARNING", 800, 0)
        })
    );
    assert!(tail.contains(&TopicStateOp::DeleteTopic(TOPIC.into())));
}

#[test]
fn failed_commits_are_counted_and_do_not_block_flush() {
    let store = Arc::new(Recording {
        initial: vec![
            (TOPIC.into(), record("cpu:nil", "WARNING", 3, 1)),
            (TOPIC.into(), record("cpu:odd", "PURPLE", 3, 1)),
        ],
        fail: true,
        ..Default::default()
    });
    let svc = AlertService::with_store(ServiceConfig::default(), store).unwrap();
    assert_eq!(
        svc.restore(TOPIC, "cpu:nil"),
        Some(RestoredEvent {
            level: Level::Warning,
            time: 3 * SECOND,
            duration: SECOND
        })
    );
    assert_eq!(svc.restore(TOPIC, "cpu:odd"), None);
    svc.publish(TOPIC, &event("cpu:nil", Level::Critical, 5, 3));
    assert!(svc.flush_states(WAIT));
    assert_eq!(svc.state_write_failures(), 1);
    // The in-memory state is still current.
    assert_eq!(svc.event_level(TOPIC, "cpu:nil"), Some(Level::Critical));
}

/// Figures for the report (`cargo test -p kapa-alert --release --test durable -- --ignored
/// --nocapture`): the cost of one committed redb transaction, and of publishing with a store.
#[test]
#[ignore = "prints timings"]
fn measure_commit_and_publish_cost() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path().join("k.db")).unwrap();
    let store = storage.topic_states();
    let n = 200;
    let start = Instant::now();
    for i in 0..n {
        store
            .put(TOPIC, &record(&format!("id{}", i % 10), "CRITICAL", i, 0))
            .unwrap();
    }
    let per_commit = start.elapsed() / n as u32;
    let svc = service(&storage);
    let events: Vec<AlertEvent> = (0..100_000)
        .map(|i| {
            event(
                &format!("id{}", i % 100),
                Level::from_index((i % 4) as usize),
                i,
                0,
            )
        })
        .collect();
    let start = Instant::now();
    for e in &events {
        svc.publish(TOPIC, e);
    }
    let publish = start.elapsed();
    assert!(svc.flush_states(WAIT));
    let total = start.elapsed();
    let plain = AlertService::new();
    let start = Instant::now();
    for e in &events {
        plain.publish(TOPIC, e);
    }
    let without = start.elapsed();
    println!(
        "one put per commit (immediate durability): {per_commit:?}; 100k publishes with store: {publish:?} (all committed after {total:?}); without store: {without:?}"
    );
}
