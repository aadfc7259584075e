//! The conformance corpus: each `tests/conformance/stream/*.toml` file is one scenario (a
//! TICKscript, one of Kapacitor's input recordings, and what Kapacitor's own test expects),
//! run in-process as Kapacitor's integration tests run: points re-based so the first one is at
//! 1971-01-01T00:00:00Z and delivered in order, then the results are read.
//!
//! Keys of a scenario file:
//! - `input`: a `.srpl` file in `tests/conformance/data/`; `script`: the TICKscript.
//! - `endpoint` + `expected`: an httpOut endpoint and the JSON it must serve at the end;
//!   `ignore_order = true` compares its series as a set.
//! - `alerts`: the JSON array of `alert.Data` bodies the alert handlers must receive, in order
//!   (`alerts_ignore_data = true` blanks `data` on both sides); `alert_count`: just how many.
//! - `stats`: the `node-stats` object the task must report (`avg_exec_time_ns` is ignored).
//! - `pending = "why"`: a known difference, reported but not failing; a pending scenario that
//!   conforms is reported too, so the marker gets removed (other agents fixing the nodes
//!   should not have their build broken by it).

// A test harness: failing loudly on a broken scenario file is what it is for.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kapa_engine::{
    AlertData, AlertEvent, AlertSink, EngineConfig, ServerInfo, TaskDef, TaskMaster,
};
use kapa_models::time::ManualClock;
use kapa_models::{Point, Precision};
use kapa_pipeline::nodes::HandlerSpec;
use kapa_pipeline::{Dbrp, TaskType};
use serde_json::Value;

/// 1971-01-01T00:00:00Z, the zero of Kapacitor's test clock.
const ZERO: i64 = 31_536_000 * 1_000_000_000;

struct Scenario {
    path: PathBuf,
    script: String,
    input: String,
    endpoint: Option<String>,
    expected: Option<Value>,
    ignore_order: bool,
    alerts: Option<Value>,
    alerts_ignore_data: bool,
    alert_count: Option<usize>,
    stats: Option<Value>,
    pending: Option<String>,
}

fn load(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap();
    let v: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let opt = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let req = |k: &str| opt(k).unwrap_or_else(|| panic!("{}: missing {k}", path.display()));
    let json = |k: &str| {
        opt(k).map(|s| {
            serde_json::from_str(&s).unwrap_or_else(|e| panic!("{}: {k}: {e}", path.display()))
        })
    };
    let flag = |k: &str| v.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
    let sc = Scenario {
        path: path.to_path_buf(),
        script: req("script"),
        input: req("input"),
        endpoint: opt("endpoint"),
        expected: json("expected"),
        ignore_order: flag("ignore_order"),
        alerts: json("alerts"),
        alerts_ignore_data: flag("alerts_ignore_data"),
        alert_count: v
            .get("alert_count")
            .and_then(|x| x.as_integer())
            .map(|n| n as usize),
        stats: json("stats"),
        pending: opt("pending"),
    };
    assert_eq!(
        sc.endpoint.is_some(),
        sc.expected.is_some(),
        "{}: endpoint and expected go together",
        path.display()
    );
    assert!(
        sc.expected.is_some()
            || sc.alerts.is_some()
            || sc.alert_count.is_some()
            || sc.stats.is_some(),
        "{}: nothing to check",
        path.display()
    );
    sc
}

/// Reads a `.srpl` test recording: (db, rp, point) triples, times in seconds, re-based.
fn read_srpl(path: &Path) -> Vec<(String, String, Point)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for chunk in lines.chunks(3) {
        if chunk.len() < 3 {
            break;
        }
        let p = kapa_lineproto::parse_line(chunk[2].as_bytes(), Precision::Second, 0)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push((chunk[0].to_string(), chunk[1].to_string(), p));
    }
    if let Some(first) = out.first().map(|(_, _, p)| p.time) {
        for (_, _, p) in &mut out {
            p.time = p.time - first + ZERO;
        }
    }
    out
}

/// Records what alert nodes send to the topics of their handlers.
#[derive(Debug, Default)]
struct Capture {
    topics: Mutex<Vec<String>>,
    events: Mutex<Vec<AlertData>>,
}

impl AlertSink for Capture {
    fn open_topic(&self, topic: &str, _handlers: &[HandlerSpec]) -> Result<(), String> {
        self.topics.lock().unwrap().push(topic.to_string());
        Ok(())
    }
    fn publish(&self, topic: &str, event: &AlertEvent) {
        if self.topics.lock().unwrap().iter().any(|t| t == topic) {
            self.events.lock().unwrap().push(event.data.clone());
        }
    }
    fn close_topic(&self, _topic: &str) {}
}

/// Our JSON as the expected JSON is read: serde_json's float parsing is not always exact, so
/// both sides go through it from their text (Go and the expected files print shortest floats).
fn reparsed(v: &Value) -> Value {
    serde_json::from_str(&v.to_string()).unwrap()
}

fn sort_series(v: &mut Value) {
    if let Some(series) = v.get_mut("series").and_then(|s| s.as_array_mut()) {
        series.sort_by_key(|r| serde_json::to_string(r).unwrap_or_default());
    }
}

fn without_exec_time(mut v: Value) -> Value {
    if let Some(nodes) = v.as_object_mut() {
        for stats in nodes.values_mut() {
            if let Some(m) = stats.as_object_mut() {
                m.remove("avg_exec_time_ns");
            }
        }
    }
    v
}

/// Runs a scenario; returns the differences found (empty when it conforms).
fn check(sc: &Scenario) -> Vec<String> {
    let capture = Arc::new(Capture::default());
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(ZERO)),
        alerts: capture.clone(),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let name = sc
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("test")
        .to_string();
    if let Err(e) = tm.start_task(&TaskDef {
        id: name.clone(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "dbname".into(),
            rp: "rpname".into(),
        }],
        script: sc.script.clone(),
        vars: HashMap::new(),
    }) {
        return vec![format!("task does not start: {e}")];
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/data")
        .join(&sc.input);
    for (db, rp, p) in read_srpl(&data) {
        tm.write_points(&db, &rp, std::slice::from_ref(&p));
    }

    let mut diffs = Vec::new();
    if let (Some(endpoint), Some(expected)) = (&sc.endpoint, &sc.expected) {
        match tm.http_out(&name, endpoint) {
            None => diffs.push(format!("no httpOut {endpoint}")),
            Some(got) => {
                let mut got = reparsed(&serde_json::to_value(got).unwrap());
                let mut want = expected.clone();
                if sc.ignore_order {
                    sort_series(&mut got);
                    sort_series(&mut want);
                }
                if got != want {
                    diffs.push(format!("httpOut\n    want {want}\n    got  {got}"));
                }
            }
        }
    }
    let events = capture.events.lock().unwrap().clone();
    if let Some(n) = sc.alert_count
        && events.len() != n
    {
        diffs.push(format!("alert count: want {n}, got {}", events.len()));
    }
    if let Some(want) = &sc.alerts {
        let mut got = reparsed(&serde_json::to_value(&events).unwrap());
        let mut want = want.clone();
        if sc.alerts_ignore_data {
            for v in [&mut got, &mut want] {
                for ev in v.as_array_mut().into_iter().flatten() {
                    ev["data"] = serde_json::json!({"series": null});
                }
            }
        }
        let (g, w) = (
            got.as_array().cloned().unwrap_or_default(),
            want.as_array().cloned().unwrap_or_default(),
        );
        if g.len() != w.len() {
            diffs.push(format!(
                "alerts: want {} events, got {}:\n    got {got}",
                w.len(),
                g.len()
            ));
        } else {
            for (i, (g, w)) in g.iter().zip(&w).enumerate() {
                if g != w {
                    diffs.push(format!("alert #{}\n    want {w}\n    got  {g}", i + 1));
                }
            }
        }
    }
    if let Some(want) = &sc.stats {
        let got = tm
            .task_stats(&name)
            .and_then(|s| s.get("node-stats").map(reparsed))
            .unwrap_or(Value::Null);
        let (got, want) = (without_exec_time(got), without_exec_time(want.clone()));
        if got != want {
            diffs.push(format!("node stats\n    want {want}\n    got  {got}"));
        }
    }
    diffs
}

#[test]
fn stream_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/stream");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    assert!(!files.is_empty());
    let (mut failures, mut pending, mut fixed) = (Vec::new(), Vec::new(), Vec::new());
    for f in &files {
        let sc = load(f);
        let diffs = check(&sc);
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        match (&sc.pending, diffs.is_empty()) {
            (None, true) => {}
            (None, false) => failures.push(format!("{name}:\n  {}", diffs.join("\n  "))),
            (Some(_), true) => fixed.push(name.to_string()),
            (Some(why), false) => {
                pending.push(format!("{name} ({why}):\n  {}", diffs.join("\n  ")))
            }
        }
    }
    eprintln!("{} scenarios, {} pending:", files.len(), pending.len());
    for p in &pending {
        eprintln!("PENDING {p}");
    }
    for f in &fixed {
        eprintln!("CONFORMS NOW, remove the `pending` marker of {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
