//! Topic handlers defined by specs: match expressions, `publish` and `aggregate`, specs
//! kept across restarts, inhibitors, and an alert storm through the durable store.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapa_alert::{AlertError, AlertService, ServiceConfig, TopicHandlerSpec};
use kapa_engine::{AlertData, AlertEvent, AlertSink, Level};
use kapa_models::SeriesResult;
use kapa_storage::Storage;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

fn event(id: &str, level: Level, host: &str, sec: i64) -> AlertEvent {
    AlertEvent {
        data: AlertData {
            id: id.into(),
            message: format!("{id} is {}", level.as_str()),
            details: String::new(),
            time: String::new(),
            duration: 0,
            level,
            data: SeriesResult {
                series: None,
                error: None,
            },
            previous_level: Level::Ok,
            recoverable: true,
        },
        time: sec * 1_000_000_000,
        task_name: "cpu_alert".into(),
        name: "cpu".into(),
        group: "nil".into(),
        tags: vec![("host".into(), host.into())],
        category: String::new(),
    }
}

fn spec(topic: &str, id: &str, kind: &str, options: Value, m: &str) -> TopicHandlerSpec {
    TopicHandlerSpec {
        id: id.into(),
        topic: topic.into(),
        kind: kind.into(),
        options: options.as_object().cloned().unwrap_or_default(),
        match_expr: m.into(),
    }
}

fn log_spec(topic: &str, id: &str, path: &Path, m: &str) -> TopicHandlerSpec {
    spec(topic, id, "log", json!({ "path": path, "mode": 0o600 }), m)
}

/// The (id, level) of every line of a log handler's file.
fn logged(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn wait_for_lines(path: &Path, n: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = logged(path);
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn match_expression_selects_events_per_handler() {
    let dir = tempfile::tempdir().unwrap();
    let (all, changed, crit_a) = (
        dir.path().join("all.log"),
        dir.path().join("changed.log"),
        dir.path().join("crit_a.log"),
    );
    let svc = AlertService::new();
    svc.create_handler(log_spec("cpu", "all", &all, ""), false)
        .unwrap();
    svc.create_handler(log_spec("cpu", "changed", &changed, "changed()"), false)
        .unwrap();
    svc.create_handler(
        log_spec(
            "cpu",
            "crit_a",
            &crit_a,
            "level() == CRITICAL AND \"host\" == 'a' AND name() == 'cpu' AND taskName() == 'cpu_alert' AND alertDuration() >= 0s",
        ),
        false,
    )
    .unwrap();
    svc.publish("cpu", &event("e1", Level::Critical, "a", 1));
    svc.publish("cpu", &event("e1", Level::Critical, "a", 2));
    svc.publish("cpu", &event("e2", Level::Critical, "b", 3));
    svc.publish("cpu", &event("e1", Level::Ok, "a", 4));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(logged(&all).len(), 4);
    assert_eq!(
        logged(&changed),
        vec![
            ("e1".into(), "CRITICAL".into()),
            ("e2".into(), "CRITICAL".into()),
            ("e1".into(), "OK".into())
        ]
    );
    assert_eq!(
        logged(&crit_a),
        vec![
            ("e1".into(), "CRITICAL".into()),
            ("e1".into(), "CRITICAL".into())
        ]
    );
}

#[test]
fn invalid_specs_are_refused_before_anything_is_installed() {
    let svc = AlertService::new();
    let bad_match = log_spec("cpu", "x", Path::new("/tmp/x.log"), "level() ==");
    let err = svc.check_spec(&bad_match).unwrap_err();
    assert!(
        err.to_string().starts_with("invalid match expression:"),
        "{err}"
    );
    let unknown_fn = log_spec("cpu", "x", Path::new("/tmp/x.log"), "nosuch() == 1");
    assert!(svc.check_spec(&unknown_fn).is_err());
    assert!(svc.create_handler(bad_match, false).is_err());
    assert!(svc.handler_specs("cpu", "").unwrap().is_empty());

    let s = log_spec("cpu", "x", Path::new("/tmp/x.log"), "");
    svc.create_handler(s.clone(), false).unwrap();
    assert_eq!(svc.create_handler(s, false), Err(AlertError::SpecExists));
    let err = svc
        .check_spec(&spec("cpu", "p", "publish", json!({"topics": ["cpu"]}), ""))
        .unwrap_err();
    assert!(err.to_string().contains("own topic"), "{err}");
}

#[test]
fn publish_republishes_and_stops_loops() {
    let dir = tempfile::tempdir().unwrap();
    let (a_log, b_log) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let svc = AlertService::new();
    svc.create_handler(
        spec("a", "to-b", "publish", json!({"topics": ["b"]}), ""),
        false,
    )
    .unwrap();
    // b publishes back to a: the event must not go round forever.
    svc.create_handler(
        spec("b", "to-a", "publish", json!({"topics": ["a"]}), ""),
        false,
    )
    .unwrap();
    svc.create_handler(log_spec("a", "log", &a_log, ""), false)
        .unwrap();
    svc.create_handler(log_spec("b", "log", &b_log, ""), false)
        .unwrap();
    svc.publish("a", &event("e", Level::Warning, "h", 1));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(logged(&a_log), vec![("e".into(), "WARNING".into())]);
    assert_eq!(logged(&b_log), vec![("e".into(), "WARNING".into())]);
    assert_eq!(svc.topic_summary("b").unwrap().collected, 1);
    assert_eq!(svc.topic_summary("a").unwrap().level, Level::Warning);
}

#[test]
fn aggregate_publishes_one_summary_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agg.log");
    let svc = AlertService::new();
    svc.create_handler(
        spec(
            "cpu",
            "agg",
            "aggregate",
            json!({"interval": "200ms", "topic": "cpu-agg", "id": "cpu-summary",
                   "message": "{{.Count}} events in {{.Interval}}"}),
            "level() >= WARNING",
        ),
        false,
    )
    .unwrap();
    svc.create_handler(log_spec("cpu-agg", "log", &out, ""), false)
        .unwrap();
    svc.publish("cpu", &event("e1", Level::Warning, "a", 1));
    svc.publish("cpu", &event("e2", Level::Critical, "b", 2));
    svc.publish("cpu", &event("e3", Level::Ok, "c", 3));
    let got = wait_for_lines(&out, 1);
    assert_eq!(got, vec![("cpu-summary".into(), "CRITICAL".into())]);
    let ev = svc.event("cpu-agg", "cpu-summary").unwrap();
    assert_eq!(ev.message, "2 events in 200ms");
    assert_eq!(ev.details, "e1 is WARNING\ne2 is CRITICAL");
    assert_eq!(ev.time, 2_000_000_000);
}

#[test]
fn inhibitors_follow_the_level_of_their_events() {
    let svc = AlertService::new();
    let tags = vec![("host".to_string(), "a".to_string())];
    let names = vec!["host".to_string()];
    assert!(!svc.is_inhibited("system", &tags));
    svc.update_inhibitor("main:t:alert2", "system", &names, "cluster", &tags, true);
    assert!(svc.is_inhibited("system", &tags));
    assert!(!svc.is_inhibited("system", &[("host".into(), "b".into())]));
    svc.update_inhibitor("main:t:alert2", "system", &names, "cluster", &tags, false);
    assert!(!svc.is_inhibited("system", &tags));
}

#[test]
fn specs_and_levels_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kapacitor.db");
    let out = dir.path().join("out.log");
    let open = |storage: &Storage| {
        let svc =
            AlertService::with_store(ServiceConfig::default(), Arc::new(storage.topic_states()))
                .unwrap();
        let failed = svc
            .restore_specs(Arc::new(storage.handler_specs()))
            .unwrap();
        assert!(failed.is_empty());
        svc
    };
    {
        let storage = Storage::open(&db).unwrap();
        let svc = open(&storage);
        svc.create_handler(log_spec("cpu", "log", &out, "changed()"), false)
            .unwrap();
        svc.create_handler(
            spec("cpu", "fwd", "publish", json!({"topics": ["ops"]}), ""),
            true,
        )
        .unwrap();
        svc.publish("cpu", &event("e1", Level::Critical, "a", 1));
        assert!(svc.wait_idle(WAIT));
        assert!(svc.flush_states(WAIT));
    }
    let storage = Storage::open(&db).unwrap();
    let svc = open(&storage);
    let ids: Vec<String> = svc
        .handler_specs("cpu", "")
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec!["fwd", "log"]);
    assert!(svc.handler_spec("cpu", "fwd").unwrap().1);
    assert_eq!(svc.topic_summary("cpu").unwrap().level, Level::Critical);
    // The restored level makes a repeated CRITICAL unchanged: changed() stays false.
    svc.publish("cpu", &event("e1", Level::Critical, "a", 2));
    svc.publish("cpu", &event("e1", Level::Ok, "a", 3));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(
        logged(&out),
        vec![("e1".into(), "CRITICAL".into()), ("e1".into(), "OK".into())]
    );
    assert_eq!(svc.event("ops", "e1").unwrap().level, Level::Ok);
    // Loaded specs are refused to the API but not to the loader.
    let s = svc.handler_spec("cpu", "fwd").unwrap().0;
    assert!(matches!(
        svc.delete_handler("cpu", "fwd", false),
        Err(AlertError::LoadedSpec(_))
    ));
    svc.replace_handler("cpu", "fwd", s, true).unwrap();
    svc.delete_handler("cpu", "fwd", true).unwrap();
    svc.delete_handler("cpu", "log", false).unwrap();
    assert!(storage.handler_specs().list_all().unwrap().is_empty());
}

#[test]
fn alert_storm_of_ten_thousand_ids_is_stored_and_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kapacitor.db");
    let out = dir.path().join("storm.log");
    let storage = Storage::open(&db).unwrap();
    let mut cfg = ServiceConfig::default();
    cfg.delivery.queue_capacity = 30_000;
    let svc = AlertService::with_store(cfg, Arc::new(storage.topic_states())).unwrap();
    svc.restore_specs(Arc::new(storage.handler_specs()))
        .unwrap();
    svc.create_handler(log_spec("storm", "log", &out, "changed()"), false)
        .unwrap();
    const N: usize = 10_000;
    for level in [Level::Critical, Level::Ok] {
        for i in 0..N {
            svc.publish("storm", &event(&format!("host{i}"), level, "h", 1));
        }
    }
    assert!(svc.wait_idle(Duration::from_secs(120)));
    assert!(svc.flush_states(Duration::from_secs(120)));
    assert_eq!(logged(&out).len(), 2 * N);
    let stored = storage.topic_states().list("storm").unwrap();
    assert_eq!(stored.len(), N);
    assert!(stored.iter().all(|s| s.level == "OK"));
    assert_eq!(svc.state_write_failures(), 0);
}
