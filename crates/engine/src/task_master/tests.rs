//! Task master behaviour, driven in-process with points written as the HTTP API would.

use std::collections::HashMap;
use std::sync::Arc;

use kapa_models::time::{ManualClock, SECOND};
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::nodes::HandlerSpec;
use kapa_pipeline::{Dbrp, TaskType};
use parking_lot::Mutex;

use super::*;
use crate::alert_event::{AlertEvent, Level};

#[derive(Debug, Default)]
pub(super) struct Capture {
    opened: Mutex<Vec<(String, Vec<HandlerSpec>)>>,
    pub(super) events: Mutex<Vec<(String, AlertEvent)>>,
    closed: Mutex<Vec<String>>,
}

impl AlertSink for Capture {
    fn open_topic(&self, topic: &str, handlers: &[HandlerSpec]) -> Result<(), String> {
        self.opened
            .lock()
            .push((topic.to_string(), handlers.to_vec()));
        Ok(())
    }
    fn publish(&self, topic: &str, event: &AlertEvent) {
        self.events.lock().push((topic.to_string(), event.clone()));
    }
    fn close_topic(&self, topic: &str) {
        self.closed.lock().push(topic.to_string());
    }
}

const T0: i64 = 31_536_000 * SECOND; // 1971-01-01T00:00:00Z, as Kapacitor's tests

pub(super) fn master() -> (Arc<TaskMaster>, Arc<Capture>) {
    let cap = Arc::new(Capture::default());
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(T0)),
        alerts: cap.clone(),
        server: ServerInfo {
            hostname: "localhost".into(),
            cluster_id: "c1".into(),
            server_id: "s1".into(),
        },
        topic_prefix: "main".into(),
    });
    (tm, cap)
}

fn def(id: &str, script: &str) -> TaskDef {
    TaskDef {
        id: id.into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "db".into(),
            rp: "rp".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    }
}

fn pt(name: &str, tags: &[(&str, &str)], fields: &[(&str, f64)], sec: i64) -> Point {
    Point {
        name: name.into(),
        tags: Tags::from_pairs(
            tags.iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        ),
        fields: Fields::from_pairs(
            fields
                .iter()
                .map(|(k, v)| ((*k).into(), FieldValue::Float(*v)))
                .collect(),
        ),
        time: T0 + sec * SECOND,
    }
}

#[test]
fn guide_stream_alert_fires_on_low_idle() {
    let (tm, cap) = master();
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" <  70)\n        .log('/tmp/alerts.log')\n";
    tm.start_task(&def("cpu_alert", script)).unwrap();
    let opened = cap.opened.lock().clone();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].0, "main:cpu_alert:alert2");
    assert_eq!(opened[0].1[0].kind, "log");

    let pts = vec![
        pt("cpu", &[("host", "a")], &[("usage_idle", 95.0)], 1),
        pt("cpu", &[("host", "a")], &[("usage_idle", 50.0)], 2),
        pt("mem", &[("host", "a")], &[("usage_idle", 10.0)], 3),
        pt("cpu", &[("host", "a")], &[("usage_idle", 40.0)], 4),
        pt("cpu", &[("host", "a")], &[("usage_idle", 90.0)], 5),
    ];
    tm.write_points("db", "rp", &pts);
    let events = cap.events.lock().clone();
    let levels: Vec<Level> = events.iter().map(|(_, e)| e.data.level).collect();
    assert_eq!(levels, vec![Level::Critical, Level::Critical, Level::Ok]);
    let first = &events[0].1.data;
    assert_eq!(first.id, "cpu:nil");
    assert_eq!(first.message, "cpu:nil is CRITICAL");
    assert_eq!(first.time, "1971-01-01T00:00:02Z");
    assert_eq!(first.previous_level, Level::Ok);
    assert_eq!(first.duration, 0);
    assert!(first.recoverable);
    assert_eq!(
        serde_json::to_string(&first.data).unwrap(),
        r#"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_idle"],"values":[["1971-01-01T00:00:02Z",50]]}]}"#
    );
    assert!(
        first
            .details
            .starts_with("{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;cpu_alert&#34;"),
        "{}",
        first.details
    );
    assert_eq!(events[1].1.data.duration, 2 * SECOND);
    assert_eq!(events[2].1.data.previous_level, Level::Critical);
    assert_eq!(events[2].1.data.duration, 3 * SECOND);

    let dot = tm.task_dot("cpu_alert", false).unwrap();
    assert!(
        dot.starts_with("digraph cpu_alert {\ngraph [throughput="),
        "{dot}"
    );
    assert!(dot.contains("stream0 -> from1 [processed=\"4\"];"), "{dot}");
    assert!(dot.contains("from1 -> alert2 [processed=\"4\"];"), "{dot}");
    assert!(
        dot.contains("alert2 [alerts_inhibited=\"0\" alerts_triggered=\"3\" avg_exec_time_ns="),
        "{dot}"
    );
    let stats = tm.task_stats("cpu_alert").unwrap();
    assert_eq!(stats["node-stats"]["alert2"]["crits_triggered"], 2);
    assert_eq!(stats["node-stats"]["alert2"]["oks_triggered"], 1);
    assert_eq!(stats["node-stats"]["stream0"]["collected"], 4);

    assert!(tm.stop_task("cpu_alert"));
    assert_eq!(
        cap.closed.lock().clone(),
        vec!["main:cpu_alert:alert2".to_string()]
    );
    assert!(!tm.is_executing("cpu_alert"));
}

#[test]
fn non_matching_task_is_not_touched() {
    let (tm, _) = master();
    tm.start_task(&def("t", "stream|from().measurement('cpu')|httpOut('out')"))
        .unwrap();
    tm.write_points("db", "rp", &[pt("mem", &[], &[("v", 1.0)], 1)]);
    tm.write_points("other", "rp", &[pt("cpu", &[], &[("v", 1.0)], 1)]);
    let stats = tm.task_stats("t").unwrap();
    assert_eq!(stats["node-stats"]["stream0"]["collected"], 0);
    assert_eq!(tm.http_out("t", "out").unwrap().series, None);
}

#[test]
fn http_out_keeps_latest_per_group() {
    let (tm, _) = master();
    tm.start_task(&def(
        "t",
        "stream|from().measurement('cpu').groupBy('host')|httpOut('out')",
    ))
    .unwrap();
    tm.write_points(
        "db",
        "rp",
        &[
            pt("cpu", &[("host", "a")], &[("v", 1.0)], 1),
            pt("cpu", &[("host", "b")], &[("v", 2.0)], 2),
            pt("cpu", &[("host", "a")], &[("v", 3.0)], 3),
        ],
    );
    let res = tm.http_out("t", "out").unwrap();
    assert_eq!(
        serde_json::to_string(&res).unwrap(),
        r#"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["1971-01-01T00:00:03Z",3]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","v"],"values":[["1971-01-01T00:00:02Z",2]]}]}"#
    );
    assert!(tm.http_out("t", "nope").is_none());
}

#[test]
fn state_changes_only_suppresses_repeats() {
    let (tm, cap) = master();
    let s = "stream|from().measurement('cpu')|alert().warn(lambda: \"v\" > 10).crit(lambda: \"v\" > 20).stateChangesOnly().log('/dev/null')";
    tm.start_task(&def("t", s)).unwrap();
    let vals = [15.0, 16.0, 25.0, 26.0, 15.0, 5.0, 4.0];
    let pts: Vec<Point> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| pt("cpu", &[], &[("v", *v)], i as i64))
        .collect();
    tm.write_points("db", "rp", &pts);
    let levels: Vec<Level> = cap
        .events
        .lock()
        .iter()
        .map(|(_, e)| e.data.level)
        .collect();
    assert_eq!(
        levels,
        vec![Level::Warning, Level::Critical, Level::Warning, Level::Ok]
    );
}

#[test]
fn reset_lambda_holds_level() {
    let (tm, cap) = master();
    let s = "stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 90).critReset(lambda: \"v\" < 50).log('/dev/null')";
    tm.start_task(&def("t", s)).unwrap();
    let vals = [95.0, 80.0, 60.0, 40.0];
    let pts: Vec<Point> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| pt("cpu", &[], &[("v", *v)], i as i64))
        .collect();
    tm.write_points("db", "rp", &pts);
    let levels: Vec<Level> = cap
        .events
        .lock()
        .iter()
        .map(|(_, e)| e.data.level)
        .collect();
    assert_eq!(
        levels,
        vec![Level::Critical, Level::Critical, Level::Critical, Level::Ok]
    );
}

#[test]
fn id_and_message_templates_with_groups() {
    let (tm, cap) = master();
    let s = r#"stream|from().measurement('cpu').groupBy('host')
        |alert()
          .id('{{ .Name }}/{{ index .Tags "host" }}')
          .message('{{ .ID }} is {{ .Level }} value={{ index .Fields "v" }} group={{ .Group }}')
          .crit(lambda: "v" > 1)
          .levelTag('level').idField('alert_id')
          .log('/dev/null')
        |httpOut('out')"#;
    tm.start_task(&def("t", s)).unwrap();
    tm.write_points(
        "db",
        "rp",
        &[pt("cpu", &[("host", "h1")], &[("v", 2.5)], 1)],
    );
    let events = cap.events.lock().clone();
    assert_eq!(events[0].1.data.id, "cpu/h1");
    assert_eq!(
        events[0].1.data.message,
        "cpu/h1 is CRITICAL value=2.5 group=host=h1"
    );
    let out = serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap();
    assert_eq!(
        out,
        r#"{"series":[{"name":"cpu","tags":{"host":"h1","level":"CRITICAL"},"columns":["time","alert_id","v"],"values":[["1971-01-01T00:00:01Z","cpu/h1",2.5]]}]}"#
    );
}

#[test]
fn eval_where_default_delete() {
    let (tm, _) = master();
    let s = r#"stream|from().measurement('cpu')
        |default().field('extra', 1.0).tag('dc', 'eu')
        |where(lambda: "usage_idle" < 90)
        |eval(lambda: 100.0 - "usage_idle", lambda: "used" * 2.0).as('used', 'double').keep('used', 'double', 'extra')
        |delete().field('extra')
        |httpOut('out')"#;
    tm.start_task(&def("t", s)).unwrap();
    tm.write_points(
        "db",
        "rp",
        &[
            pt("cpu", &[], &[("usage_idle", 95.0)], 1),
            pt("cpu", &[], &[("usage_idle", 70.0)], 2),
        ],
    );
    let out = serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap();
    assert_eq!(
        out,
        r#"{"series":[{"name":"cpu","tags":{"dc":"eu"},"columns":["time","double","used"],"values":[["1971-01-01T00:00:02Z",60,30]]}]}"#
    );
}

#[test]
fn sigma_dynamic_threshold() {
    let (tm, cap) = master();
    let s = "stream|from().measurement('cpu')|alert().crit(lambda: sigma(\"usage_idle\") > 3).log('/dev/null')";
    tm.start_task(&def("t", s)).unwrap();
    let mut pts: Vec<Point> = (0..50)
        .map(|i| pt("cpu", &[], &[("usage_idle", 90.0 + (i % 3) as f64)], i))
        .collect();
    pts.push(pt("cpu", &[], &[("usage_idle", 10.0)], 60));
    tm.write_points("db", "rp", &pts);
    let events = cap.events.lock().clone();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.data.level, Level::Critical);
    assert_eq!(events[0].1.data.time, "1971-01-01T00:01:00Z");
}

#[test]
fn validation_errors_carry_positions() {
    let (tm, _) = master();
    let err = tm
        .validate(&def("t", "stream\n    |from()\n        .measurment('cpu')"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3 char 10: no method or property \"measurment\" on *pipeline.FromNode"
    );
    let err = tm
        .validate(&def(
            "t",
            "stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 1)|log('x')",
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 64: error calling func \"log\" on obj *pipeline.AlertNode: wrong number of arguments: got 1 exp 0"
    );
    let err = tm
        .validate(&def("t", "stream|from().measurement(\"cpu\")"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 15: cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?"
    );
    let err = tm
        .validate(&def("t", "stream|from()|alert().where(lambda: TRUE)"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 23: no property method \"where\" on *pipeline.AlertNode, but chaining method does exist. Use '|' operator instead: 'node|where(..)'."
    );
    let err = tm
        .validate(&def("t", "stream|from()|crit(lambda: TRUE)"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 15: no method or property \"crit\" on *pipeline.FromNode"
    );
    let dot = tm.validate(&def("t", "stream|from()|alert()")).unwrap();
    assert_eq!(dot, "digraph t {\nstream0 -> from1;\nfrom1 -> alert2;\n}");
}

#[test]
fn restart_replaces_task() {
    let (tm, _) = master();
    tm.start_task(&def("t", "stream|from().measurement('cpu')|httpOut('a')"))
        .unwrap();
    tm.start_task(&def("t", "stream|from().measurement('mem')|httpOut('b')"))
        .unwrap();
    tm.write_points(
        "db",
        "rp",
        &[
            pt("cpu", &[], &[("v", 1.0)], 1),
            pt("mem", &[], &[("v", 2.0)], 2),
        ],
    );
    assert!(tm.http_out("t", "a").is_none());
    assert_eq!(
        tm.http_out("t", "b").unwrap().series.unwrap()[0].name,
        "mem"
    );
    assert_eq!(tm.executing_tasks(), 1);
}

fn run_values(script: &str, vals: &[f64]) -> serde_json::Value {
    let (tm, _) = master();
    tm.start_task(&def("t", script)).unwrap();
    let pts: Vec<Point> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| pt("m", &[], &[("v", *v)], i as i64))
        .collect();
    for p in &pts {
        tm.write_points("db", "rp", std::slice::from_ref(p));
    }
    serde_json::to_value(tm.http_out("t", "out").unwrap()).unwrap()
}

#[test]
fn derivative_per_second_and_non_negative() {
    let out = run_values(
        "stream|from().measurement('m')|derivative('v').as('d')|window().period(10s).every(10s)|httpOut('out')",
        &[1.0, 3.0, 2.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    let vals: Vec<f64> = out["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_f64().unwrap())
        .collect();
    assert_eq!(vals[..4], [2.0, -1.0, 4.0, -6.0]);
    let out = run_values(
        "stream|from().measurement('m')|derivative('v').nonNegative().unit(2s)|httpOut('out')",
        &[1.0, 3.0, 2.0, 6.0],
    );
    // The last emitted point: (6-2)/(1s/2s) = 8; the drop 3 -> 2 was not emitted.
    assert_eq!(out["series"][0]["values"][0][1], 8);
}

#[test]
fn state_duration_and_count() {
    let out = run_values(
        "stream|from().measurement('m')|stateDuration(lambda: \"v\" > 5).unit(1s)|stateCount(lambda: \"v\" > 5)|window().period(10s).every(10s)|httpOut('out')",
        &[6.0, 7.0, 8.0, 1.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    let rows = out["series"][0]["values"].as_array().unwrap();
    let cols: Vec<&str> = out["series"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(cols, vec!["time", "state_count", "state_duration", "v"]);
    let counts: Vec<i64> = rows
        .iter()
        .take(5)
        .map(|r| r[1].as_i64().unwrap())
        .collect();
    let durs: Vec<f64> = rows
        .iter()
        .take(5)
        .map(|r| r[2].as_f64().unwrap())
        .collect();
    assert_eq!(counts, vec![1, 2, 3, -1, 1]);
    assert_eq!(durs, vec![0.0, 1.0, 2.0, -1.0, 0.0]);
}

#[test]
fn change_detect_sample_and_shift() {
    let out = run_values(
        "stream|from().measurement('m')|changeDetect('v')|window().periodCount(3).everyCount(3)|httpOut('out')",
        &[1.0, 1.0, 2.0, 2.0, 2.0, 3.0],
    );
    let vals: Vec<f64> = out["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_f64().unwrap())
        .collect();
    assert_eq!(vals, vec![1.0, 2.0, 3.0]);
    let out = run_values(
        "stream|from().measurement('m')|sample(2)|window().periodCount(3).everyCount(3)|httpOut('out')",
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    );
    let vals: Vec<f64> = out["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_f64().unwrap())
        .collect();
    assert_eq!(vals, vec![1.0, 3.0, 5.0]);
    let out = run_values(
        "stream|from().measurement('m')|shift(-1s)|httpOut('out')",
        &[1.0, 2.0],
    );
    assert_eq!(out["series"][0]["values"][0][0], "1971-01-01T00:00:00Z");
}

#[test]
fn window_batches_reach_alert_and_group_by_regroups() {
    let (tm, cap) = master();
    let s = "stream|from().measurement('cpu')|window().period(2s).every(2s)|groupBy('host')|alert().crit(lambda: \"v\" > 5).log('/dev/null')";
    tm.start_task(&def("t", s)).unwrap();
    let pts = [
        pt("cpu", &[("host", "a")], &[("v", 1.0)], 0),
        pt("cpu", &[("host", "b")], &[("v", 9.0)], 1),
        pt("cpu", &[("host", "a")], &[("v", 2.0)], 2),
        pt("cpu", &[("host", "a")], &[("v", 3.0)], 4),
    ];
    for p in &pts {
        tm.write_points("db", "rp", std::slice::from_ref(p));
    }
    // The first window [0s, 2s) is regrouped by host; it is flushed when the next window arrives.
    let events = cap.events.lock().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].1.data.id, "cpu:host=b");
    assert_eq!(events[0].1.data.time, "1971-01-01T00:00:01Z");
    let data = serde_json::to_string(&events[0].1.data.data).unwrap();
    assert_eq!(
        data,
        r#"{"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","v"],"values":[["1971-01-01T00:00:01Z",9]]}]}"#
    );
}

#[test]
fn barrier_idle_closes_windows_and_deletes_groups() {
    let clock = Arc::new(ManualClock::new(T0));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: Arc::new(crate::NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let s = "stream|from().measurement('cpu')|barrier().idle(5s).delete(TRUE)|window().period(10s).every(10s)|log()|httpOut('out')";
    tm.start_task(&def("t", s)).unwrap();
    // Without delete, the flushed window stays visible on httpOut.
    let keep = "stream|from().measurement('cpu')|barrier().idle(5s)|window().period(10s).every(10s)|httpOut('out')";
    tm.start_task(&def("k", keep)).unwrap();
    tm.write_points(
        "db",
        "rp",
        &[
            pt("cpu", &[], &[("v", 1.0)], 0),
            pt("cpu", &[], &[("v", 2.0)], 1),
        ],
    );
    tm.tick();
    assert_eq!(tm.http_out("t", "out").unwrap().series, None);
    // Idle for 12s of wall time: the barrier (at 12s) closes the window [0s, 10s).
    clock.set(T0 + 12 * SECOND);
    tm.tick();
    // With delete, httpOut forgets the deleted group's series, as Kapacitor's does.
    assert_eq!(tm.http_out("t", "out").unwrap().series, None);
    // The window passes on its flushed batch and the deletion (not the barrier).
    assert_eq!(
        tm.task_stats("t").unwrap()["node-stats"]["log4"]["collected"],
        2
    );
    let out = serde_json::to_string(&tm.http_out("k", "out").unwrap()).unwrap();
    assert_eq!(
        out,
        r#"{"series":[{"name":"cpu","columns":["time","v"],"values":[["1971-01-01T00:00:00Z",1],["1971-01-01T00:00:01Z",2]]}]}"#
    );
    let stats = tm.task_stats("t").unwrap();
    assert_eq!(stats["node-stats"]["barrier2"]["working_cardinality"], 0);
    assert_eq!(stats["node-stats"]["window3"]["working_cardinality"], 0);
    // The group was deleted, so later data starts a new group: 2 points, the barrier,
    // the deletion, and this point went out.
    tm.write_points("db", "rp", &[pt("cpu", &[], &[("v", 3.0)], 2)]);
    assert_eq!(
        tm.task_stats("t").unwrap()["node-stats"]["barrier2"]["emitted"],
        5
    );
}

#[test]
fn barrier_needs_idle_or_period() {
    let (tm, _) = master();
    let err = tm
        .validate(&def("t", "stream|from()|barrier()"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid barrier node barrier2: barrier node must have either a non zero idle or a non zero period"
    );
}

#[test]
fn deadman_fires_when_data_stops_and_recovers() {
    let clock = Arc::new(ManualClock::new(T0));
    let cap = Arc::new(Capture::default());
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: cap.clone(),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let s = "stream|from().measurement('cpu')|deadman(0.0, 10s).log('/dev/null')";
    tm.start_task(&def("t", s)).unwrap();
    let dot = tm.validate(&def("t", s)).unwrap();
    assert_eq!(
        dot,
        "digraph t {\nstream0 -> from1;\nstats2 -> derivative3;\nderivative3 -> alert4;\n}"
    );
    let write = |sec: i64| tm.write_points("db", "rp", &[pt("cpu", &[], &[("v", 1.0)], sec)]);
    write(0);
    write(1);
    tm.tick();
    for t in [10, 20] {
        clock.set(T0 + t * SECOND);
        tm.tick();
    }
    let events = cap.events.lock().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0].1.data;
    assert_eq!(e.level, Level::Critical);
    assert_eq!(e.id, "nil:from1 for task 't'");
    assert_eq!(
        e.message,
        "nil:from1 for task 't' is dead: 0.000 points/10s."
    );
    assert_eq!(e.time, "1971-01-01T00:00:20Z");
    write(21);
    write(22);
    clock.set(T0 + 30 * SECOND);
    tm.tick();
    let events = cap.events.lock().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].1.data.level, Level::Ok);
    assert_eq!(
        events[1].1.data.message,
        "nil:from1 for task 't' is alive: 2.000 points/10s."
    );
}

#[test]
fn trickle_turns_windows_back_into_points() {
    let out = run_values(
        "stream|from().measurement('m')|window().periodCount(2).everyCount(2)|trickle()|httpOut('out')",
        &[1.0, 2.0],
    );
    // httpOut keeps the latest point of the group: the second point of the window.
    assert_eq!(
        out["series"][0]["values"],
        serde_json::json!([["1971-01-01T00:00:01Z", 2]])
    );
}

#[test]
fn kapacitor_loopback_feeds_other_tasks_and_refuses_loops() {
    let (tm, _) = master();
    let writer = "stream|from().measurement('cpu')|eval(lambda: \"v\" * 2.0).as('v2')|kapacitorLoopback().database('loop').retentionPolicy('autogen').measurement('cpu2').tag('via', 'loopback')";
    tm.start_task(&def("w", writer)).unwrap();
    let mut reader = def("r", "stream|from().measurement('cpu2')|httpOut('out')");
    reader.dbrps = vec![Dbrp {
        db: "loop".into(),
        rp: "autogen".into(),
    }];
    tm.start_task(&reader).unwrap();
    tm.write_points(
        "db",
        "rp",
        &[pt("cpu", &[("host", "a")], &[("v", 21.0)], 1)],
    );
    let out = serde_json::to_string(&tm.http_out("r", "out").unwrap()).unwrap();
    assert_eq!(
        out,
        r#"{"series":[{"name":"cpu2","tags":{"host":"a","via":"loopback"},"columns":["time","v2"],"values":[["1971-01-01T00:00:01Z",42]]}]}"#
    );
    assert_eq!(
        tm.task_stats("w").unwrap()["node-stats"]["kapacitor_loopback3"]["points_written"],
        1
    );
    let looping =
        "stream|from().measurement('cpu')|kapacitorLoopback().database('db').retentionPolicy('rp')";
    let err = tm.start_task(&def("l", looping)).unwrap_err();
    assert_eq!(err.to_string(), "loop detected on dbrp: {db rp}");
}

#[test]
fn engine_wide_idle_expiry_closes_and_forgets_groups() {
    let clock = Arc::new(ManualClock::new(T0));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: Arc::new(crate::NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    tm.set_group_idle_expiry(30 * SECOND);
    let s = "stream|from().measurement('cpu').groupBy('host')|window().period(10s).every(10s)|httpOut('out')";
    tm.start_task(&def("t", s)).unwrap();
    tm.write_points(
        "db",
        "rp",
        &[
            pt("cpu", &[("host", "a")], &[("v", 1.0)], 0),
            pt("cpu", &[("host", "b")], &[("v", 2.0)], 0),
        ],
    );
    clock.set(T0 + 20 * SECOND);
    tm.write_points(
        "db",
        "rp",
        &[pt("cpu", &[("host", "b")], &[("v", 3.0)], 20)],
    );
    clock.set(T0 + 31 * SECOND);
    tm.tick();
    // Group a idled 31s: its window was flushed by the barrier, then the group was forgotten.
    let stats = tm.task_stats("t").unwrap();
    assert_eq!(stats["node-stats"]["window2"]["working_cardinality"], 1);
    assert_eq!(stats["node-stats"]["from1"]["working_cardinality"], 0);
    let out = serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap();
    assert_eq!(
        out,
        r#"{"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","v"],"values":[["1971-01-01T00:00:00Z",2]]}]}"#
    );
}
