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
//! - `ticks = [s, ...]`: at each of these times (seconds after the start, in order with the
//!   input's points) the clock is set and time-driven nodes (barrier, stats, deadman) tick.
//! - `[[task]]` tables (`id`, `dbrp = "db.rp"`, `script`): more tasks started before the
//!   scenario's own (for kapacitorLoopback); `endpoint_task` names the one serving `endpoint`.
//! - `posts`: the JSON array of bodies an httpPost node must send to `{{POST_URL}}`.
//! - In scripts, `{{DATA}}` is the absolute path of `tests/conformance/data`.
//! - `daemon_skip = "why"`: not run through the daemon (output times come from the wall clock).
//! - `pending = "why"`: a known difference, reported but not failing; a pending scenario that
//!   conforms is reported too, so the marker gets removed (other agents fixing the nodes
//!   should not have their build broken by it).

// A test harness: failing loudly on a broken scenario file is what it is for.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kapa_engine::{
    AlertData, AlertEvent, AlertSink, EngineConfig, ServerInfo, TaskDef, TaskMaster,
};
use kapa_models::time::{Clock, ManualClock};
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
    ticks: Vec<i64>,
    tasks: Vec<(String, Dbrp, String)>,
    endpoint_task: Option<String>,
    posts: Option<Value>,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/data")
}

/// A local HTTP server that answers 200 and keeps every request body (httpPost targets).
fn post_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let kept = kept.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                loop {
                    let mut len = 0usize;
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    kept.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                    if conn.write_all(ok).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, bodies)
}

fn dbrp_of(s: &str) -> Dbrp {
    let (db, rp) = s.split_once('.').unwrap_or((s, "autogen"));
    Dbrp {
        db: db.into(),
        rp: rp.into(),
    }
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
        ticks: v
            .get("ticks")
            .and_then(|x| x.as_array())
            .map(|a| a.iter().filter_map(|t| t.as_integer()).collect())
            .unwrap_or_default(),
        tasks: v
            .get("task")
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .map(|t| {
                        let get = |k: &str| {
                            t.get(k).and_then(|x| x.as_str()).unwrap_or_else(|| {
                                panic!("{}: [[task]] without {k}", path.display())
                            })
                        };
                        (get("id").into(), dbrp_of(get("dbrp")), get("script").into())
                    })
                    .collect()
            })
            .unwrap_or_default(),
        endpoint_task: opt("endpoint_task"),
        posts: json("posts"),
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
            || sc.stats.is_some()
            || sc.posts.is_some(),
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
    let clock = Arc::new(ManualClock::new(ZERO));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
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
    let (post_url, posted) = post_sink();
    let dir = data_dir();
    let fill = |script: &str| {
        script
            .replace("{{DATA}}", &dir.display().to_string())
            .replace("{{POST_URL}}", &post_url)
    };
    let mut tasks = sc.tasks.clone();
    tasks.push((name.clone(), dbrp_of("dbname.rpname"), sc.script.clone()));
    for (id, dbrp, script) in &tasks {
        if let Err(e) = tm.start_task(&TaskDef {
            id: id.clone(),
            task_type: TaskType::Stream,
            dbrps: vec![dbrp.clone()],
            script: fill(script),
            vars: HashMap::new(),
        }) {
            return vec![format!("task {id} does not start: {e}")];
        }
    }
    // As Kapacitor's replay clock: the wall clock is at each point's time when it arrives,
    // and the ticks due by then come first.
    let mut ticks = sc.ticks.iter().map(|t| ZERO + t * 1_000_000_000).peekable();
    for (db, rp, p) in read_srpl(&dir.join(&sc.input)) {
        while let Some(t) = ticks.next_if(|t| *t <= p.time) {
            clock.set(t.max(clock.now()));
            tm.tick();
        }
        if p.time > clock.now() {
            clock.set(p.time);
        }
        tm.write_points(&db, &rp, std::slice::from_ref(&p));
    }
    for t in ticks {
        clock.set(t.max(clock.now()));
        tm.tick();
    }
    let name = sc.endpoint_task.clone().unwrap_or(name);

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
    if let Some(want) = &sc.posts {
        let want = want.as_array().cloned().unwrap_or_default();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        // httpPost sends from the task's thread before the write returns; the sink's
        // threads may still be storing the last body.
        while posted.lock().unwrap().len() < want.len() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let got: Vec<Value> = posted
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap_or(Value::String(b.clone())))
            .collect();
        if got != want {
            diffs.push(format!(
                "posts\n    want {}\n    got  {}",
                Value::Array(want),
                Value::Array(got)
            ));
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
