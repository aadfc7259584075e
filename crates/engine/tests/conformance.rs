//! The conformance corpus: each `tests/conformance/stream/*.toml` file is one scenario (a
//! TICKscript, one of Kapacitor's input recordings, the expected httpOut JSON), run in-process
//! as Kapacitor's own integration tests run: points re-based so the first one is at
//! 1971-01-01T00:00:00Z, delivered in order, then the httpOut endpoint is read.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::ManualClock;
use kapa_models::{Point, Precision};
use kapa_pipeline::{Dbrp, TaskType};

/// 1971-01-01T00:00:00Z, the zero of Kapacitor's test clock.
const ZERO: i64 = 31_536_000 * 1_000_000_000;

struct Scenario {
    path: PathBuf,
    script: String,
    input: String,
    endpoint: String,
    expected: serde_json::Value,
    ignore_order: bool,
}

fn load(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap();
    let v: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_else(|| panic!("{}: missing {k}", path.display())).to_string();
    Scenario {
        path: path.to_path_buf(),
        script: s("script"),
        input: s("input"),
        endpoint: s("endpoint"),
        expected: serde_json::from_str(&s("expected")).unwrap_or_else(|e| panic!("{}: expected: {e}", path.display())),
        ignore_order: v.get("ignore_order").and_then(|x| x.as_bool()).unwrap_or(false),
    }
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

fn sort_series(v: &mut serde_json::Value) {
    if let Some(series) = v.get_mut("series").and_then(|s| s.as_array_mut()) {
        series.sort_by_key(|r| serde_json::to_string(r).unwrap_or_default());
    }
}

fn run(sc: &Scenario) -> serde_json::Value {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(ZERO)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let name = sc.path.file_stem().and_then(|s| s.to_str()).unwrap_or("test").to_string();
    tm.start_task(&TaskDef {
        id: name.clone(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp { db: "dbname".into(), rp: "rpname".into() }],
        script: sc.script.clone(),
        vars: HashMap::new(),
    })
    .unwrap_or_else(|e| panic!("{}: {e}", sc.path.display()));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/data").join(&sc.input);
    for (db, rp, p) in read_srpl(&data) {
        tm.write_points(&db, &rp, std::slice::from_ref(&p));
    }
    let got = tm.http_out(&name, &sc.endpoint).unwrap_or_else(|| panic!("{}: no httpOut {}", sc.path.display(), sc.endpoint));
    serde_json::to_value(got).unwrap()
}

#[test]
fn stream_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/stream");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in &files {
        let sc = load(f);
        let mut got = run(&sc);
        let mut want = sc.expected.clone();
        if sc.ignore_order {
            sort_series(&mut got);
            sort_series(&mut want);
        }
        if got != want {
            failures.push(format!("{}:\n  want {want}\n  got  {got}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} scenarios differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}
