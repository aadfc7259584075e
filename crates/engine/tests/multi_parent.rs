//! join, union, combine and flatten end to end through the task master: Kapacitor's own
//! integration tests restated (their recordings, their expected results), then edge cases.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::{ManualClock, SECOND};
use kapa_models::{FieldValue, Fields, Point, Precision, Tags};
use kapa_pipeline::{Dbrp, TaskType};
use serde_json::{Value, json};

/// 1971-01-01T00:00:00Z, where Kapacitor's tests start their recordings.
const T0: i64 = 31_536_000 * SECOND;

fn master() -> Arc<TaskMaster> {
    TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(T0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    })
}

fn def(id: &str, script: &str) -> TaskDef {
    TaskDef {
        id: id.into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "dbname".into(),
            rp: "rpname".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    }
}

fn start(script: &str) -> Arc<TaskMaster> {
    let tm = master();
    tm.start_task(&def("t", script)).unwrap();
    tm
}

/// A point at `ms` milliseconds after T0 with float fields.
fn pt(name: &str, tags: &[(&str, &str)], fields: &[(&str, f64)], ms: i64) -> Point {
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
        time: T0 + ms * 1_000_000,
    }
}

fn write(tm: &TaskMaster, points: &[Point]) {
    for p in points {
        tm.write_points("dbname", "rpname", std::slice::from_ref(p));
    }
}

/// Replays one of Kapacitor's recordings, re-based so its first point is at T0.
fn replay(tm: &TaskMaster, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/data")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut points = Vec::new();
    for chunk in lines.chunks_exact(3) {
        let p = kapa_lineproto::parse_line(chunk[2].as_bytes(), Precision::Second, 0).unwrap();
        points.push((chunk[0].to_string(), chunk[1].to_string(), p));
    }
    let first = points[0].2.time;
    for (db, rp, mut p) in points {
        p.time = p.time - first + T0;
        tm.write_points(&db, &rp, std::slice::from_ref(&p));
    }
}

/// The httpOut result as JSON; `sorted` orders the series (Kapacitor's tests compare sets).
fn out(tm: &TaskMaster, endpoint: &str, sorted: bool) -> Value {
    let r = tm.http_out("t", endpoint).unwrap();
    let mut v: Value = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    if sorted {
        sort_series(&mut v);
    }
    v
}

fn sort_series(v: &mut Value) {
    if let Some(s) = v.get_mut("series").and_then(Value::as_array_mut) {
        s.sort_by_key(|r| r.to_string());
    }
}

fn sorted(mut v: Value) -> Value {
    sort_series(&mut v);
    v
}

/// A statistic of the node whose name starts with `node` (a kind, or a full name).
fn node_stat(tm: &TaskMaster, node: &str, stat: &str) -> Value {
    let stats = tm.task_stats("t").unwrap();
    let nodes = stats["node-stats"].as_object().unwrap();
    let mut found = nodes.iter().filter(|(k, _)| k.starts_with(node));
    let (_, v) = found.next().unwrap();
    assert!(found.next().is_none(), "several {node} nodes");
    v[stat].clone()
}

// ---------------------------------------------------------------------------------------
// Kapacitor's integration tests (integrations/streamer_test.go), restated.
// ---------------------------------------------------------------------------------------

const ERRORS_VIEWS: &str = "var errorCounts = stream
    |from()
        .measurement('errors')
        .groupBy('service')
    |window()
        .period(10s)
        .every(10s)
        .align()
    |sum('value')

var viewCounts = stream
    |from()
        .measurement('views')
        .groupBy('service')
    |window()
        .period(10s)
        .every(10s)
        .align()
    |sum('value')
";

#[test]
fn kapacitor_stream_join() {
    let script = format!(
        "{ERRORS_VIEWS}
errorCounts
    |join(viewCounts)
        .as('errors', 'views')
        .streamName('error_view')
    |eval(lambda: \"errors.sum\" / \"views.sum\")
        .as('error_percent')
        .keep()
    |httpOut('TestStream_Join')
"
    );
    let tm = start(&script);
    replay(&tm, "TestStream_Join.srpl");
    let cols = json!(["time", "error_percent", "errors.sum", "views.sum"]);
    let row = |service: &str, e: i64, v: i64| {
        json!({"name": "error_view", "tags": {"service": service}, "columns": cols,
               "values": [["1971-01-01T00:00:10Z", 0.01, e, v]]})
    };
    let want =
        json!({"series": [row("cartA", 47, 4700), row("login", 45, 4500), row("front", 32, 3200)]});
    assert_eq!(out(&tm, "TestStream_Join", true), sorted(want));
}

#[test]
fn kapacitor_stream_join_delimiter_empty() {
    let script = format!(
        "{ERRORS_VIEWS}
errorCounts
    |join(viewCounts)
        .as('errors', 'views')
        .delimiter('')
        .streamName('error_view')
    |eval(lambda: \"errorssum\" / \"viewssum\")
        .as('error_percent')
        .keep()
    |httpOut('TestStream_Join')
"
    );
    let tm = start(&script);
    replay(&tm, "TestStream_Join.srpl");
    let v = out(&tm, "TestStream_Join", true);
    assert_eq!(
        v["series"][0]["columns"],
        json!(["time", "error_percent", "errorssum", "viewssum"])
    );
    assert_eq!(v["series"][0]["tags"], json!({"service": "cartA"}));
    assert_eq!(
        v["series"][0]["values"],
        json!([["1971-01-01T00:00:10Z", 0.01, 47, 4700]])
    );
}

#[test]
fn kapacitor_stream_join_tolerance() {
    let tm = start(
        "var errorCounts = stream
    |from()
        .measurement('errors')
        .groupBy('service')

var viewCounts = stream
    |from()
        .measurement('views')
        .groupBy('service')

errorCounts
    |join(viewCounts)
        .as('errors', 'views')
        .tolerance(2s)
        .streamName('error_view')
    |window()
        .period(10s)
        .every(10s)
    |httpOut('TestStream_JoinTolerance')
",
    );
    replay(&tm, "TestStream_JoinTolerance.srpl");
    let cols = json!(["time", "errors.value", "views.value"]);
    let want = json!({"series": [
        {"name": "error_view", "tags": {"service": "cartA"}, "columns": cols, "values": [
            ["1971-01-01T00:00:00Z", 7, 700], ["1971-01-01T00:00:02Z", 9, 900],
            ["1971-01-01T00:00:04Z", 3, 300], ["1971-01-01T00:00:06Z", 11, 1100],
            ["1971-01-01T00:00:06Z", 12, 1200], ["1971-01-01T00:00:08Z", 6, 600]]},
        {"name": "error_view", "tags": {"service": "login"}, "columns": cols, "values": [
            ["1971-01-01T00:00:00Z", 9, 900], ["1971-01-01T00:00:02Z", 5, 500],
            ["1971-01-01T00:00:04Z", 9, 900], ["1971-01-01T00:00:04Z", 2, 200],
            ["1971-01-01T00:00:06Z", 7, 700], ["1971-01-01T00:00:08Z", 10, 1000]]},
        {"name": "error_view", "tags": {"service": "front"}, "columns": cols, "values": [
            ["1971-01-01T00:00:00Z", 2, 200], ["1971-01-01T00:00:02Z", 9, 900],
            ["1971-01-01T00:00:04Z", 7, 700], ["1971-01-01T00:00:06Z", 5, 500],
            ["1971-01-01T00:00:06Z", 4, 400], ["1971-01-01T00:00:08Z", 6, 600],
            ["1971-01-01T00:00:08Z", 4, 400]]}]});
    assert_eq!(out(&tm, "TestStream_JoinTolerance", true), sorted(want));
}

fn join_fill_script(fill: &str, default: &str) -> String {
    format!(
        "var errorCounts = stream
    |from()
        .measurement('errors')
        .groupBy('service')

var viewCounts = stream
    |from()
        .measurement('views')
        .groupBy('service')

errorCounts
    |join(viewCounts)
        .as('errors', 'views')
        .fill({fill})
        .streamName('error_view')
    {default}
    |eval(lambda:  \"errors.value\" + \"views.value\")
        .as('error_percent')
    |window()
        .period(10s)
        .every(10s)
    |count('error_percent')
    |httpOut('TestStream_Join_Fill')
"
    )
}

fn join_fill_want() -> Value {
    let row = |service: &str, n: i64| {
        json!({"name": "error_view", "tags": {"service": service}, "columns": ["time", "count"],
               "values": [["1971-01-01T00:00:10Z", n]]})
    };
    sorted(json!({"series": [row("cartA", 7), row("login", 7), row("front", 8)]}))
}

#[test]
fn kapacitor_stream_join_fill_num() {
    let tm = start(&join_fill_script("0.0", ""));
    replay(&tm, "TestStream_Join_Fill.srpl");
    assert_eq!(out(&tm, "TestStream_Join_Fill", true), join_fill_want());
}

#[test]
fn kapacitor_stream_join_fill_null() {
    let tm = start(&join_fill_script(
        "'null'",
        "|default()
        .field('errors.value', 0.0)
        .field('views.value', 0.0)",
    ));
    replay(&tm, "TestStream_Join_Fill.srpl");
    assert_eq!(out(&tm, "TestStream_Join_Fill", true), join_fill_want());
}

#[test]
fn kapacitor_stream_join_n() {
    let tm = start(
        "var cpu = stream
    |from()
        .measurement('cpu')
        .where(lambda: \"cpu\" == 'total')
var mem = stream
    |from()
        .measurement('memory')
        .where(lambda: \"type\" == 'free')
var disk = stream
    |from()
        .measurement('disk')
        .where(lambda: \"device\" == 'sda')

cpu
    |join(mem, disk)
        .as('cpu', 'mem', 'disk')
        .streamName('magic')
        .fill(0.0)
    |window()
        .period(10s)
        .every(10s)
    |count('cpu.value')
    |httpOut('TestStream_JoinN')
",
    );
    replay(&tm, "TestStream_JoinN.srpl");
    let want = json!({"series": [{"name": "magic", "columns": ["time", "count"],
        "values": [["1971-01-01T00:00:10Z", 10]]}]});
    assert_eq!(out(&tm, "TestStream_JoinN", false), want);
}

#[test]
fn kapacitor_stream_join_on() {
    let tm = start(
        "var errorsByServiceDC = stream
    |from()
        .measurement('errors')
        .groupBy('dc', 'service')
    |window()
        .period(10s)
        .every(10s)
        .align()
    |sum('value')

var errorsByServiceGlobal = stream
    |from()
        .measurement('errors')
        .groupBy('service')
    |window()
        .period(10s)
        .every(10s)
        .align()
    |sum('value')

errorsByServiceGlobal
    |join(errorsByServiceDC)
        .as('service', 'dc')
        .on('service')
        .streamName('dc_error_percent')
    |eval(lambda: \"dc.sum\" / \"service.sum\")
        .keep()
        .as('value')
    |httpOut('TestStream_JoinOn')
",
    );
    replay(&tm, "TestStream_JoinOn.srpl");
    let cols = json!(["time", "dc.sum", "service.sum", "value"]);
    let row = |dc: &str, service: &str, d: i64, s: i64| {
        json!({"name": "dc_error_percent", "tags": {"dc": dc, "service": service}, "columns": cols,
               "values": [["1971-01-01T00:00:10Z", d, s, d as f64 / s as f64]]})
    };
    let want = json!({"series": [
        row("A", "cartA", 15, 47), row("B", "cartA", 32, 47),
        row("A", "login", 15, 45), row("B", "login", 23, 45), row("C", "login", 7, 45),
        row("A", "front", 19, 32), row("B", "front", 13, 32)]});
    assert_eq!(out(&tm, "TestStream_JoinOn", true), sorted(want));
}

#[test]
fn kapacitor_stream_join_on_across_measurement() {
    let tm = start(
        "var building = stream
    |from()
        .measurement('building_power')
        .groupBy('building')

var floor = stream
    |from()
        .measurement('floor_power')
        .groupBy('building', 'floor')

building
    |join(floor)
        .as('building', 'floor')
        .on('building')
        .streamName('power_floor_percentage')
    |eval(lambda: \"floor.value\" / \"building.value\")
        .as('value')
    |httpOut('TestStream_JoinOn_AcrossMeasurement')
",
    );
    replay(&tm, "TestStream_JoinOn_AcrossMeasurement.srpl");
    let row = |b: &str, f: &str, v: f64| {
        json!({"name": "power_floor_percentage", "tags": {"building": b, "floor": f},
               "columns": ["time", "value"], "values": [["1971-01-01T00:00:00Z", v]]})
    };
    let want = json!({"series": [
        row("shack", "1", 7.0 / 30.0), row("shack", "2", 11.0 / 30.0), row("shack", "3", 12.0 / 30.0),
        row("hut", "1", 19.0 / 40.0), row("hut", "2", 21.0 / 40.0)]});
    assert_eq!(
        out(&tm, "TestStream_JoinOn_AcrossMeasurement", true),
        sorted(want)
    );
}

#[test]
fn kapacitor_stream_join_on_fill_num() {
    let tm = start(
        "var maintlock = stream
    |from()
        .measurement('maintlock')
        .groupBy('host')

stream
    |from()
        .measurement('disk')
        .groupBy('host', 'path')
    |join(maintlock)
        .as('disk', 'maintlock')
        .on('host')
        .fill(0.0)
        .tolerance(1s)
        .streamName('disk')
    |default()
        .field('maintlock.count', 0)
    |window()
        .period(4s)
        .every(4s)
    |httpOut('TestStream_JoinOn_Fill')
",
    );
    replay(&tm, "TestStream_JoinOn_Fill.srpl");
    let cols = json!(["time", "disk.used_percent", "maintlock.count"]);
    let want = json!({"series": [
        {"name": "disk", "tags": {"host": "A", "path": "/"}, "columns": cols, "values": [
            ["1971-01-01T00:00:00Z", 50, 0], ["1971-01-01T00:00:01Z", 60, 0],
            ["1971-01-01T00:00:02Z", 70, 0], ["1971-01-01T00:00:03Z", 80, 1]]},
        {"name": "disk", "tags": {"host": "A", "path": "/tmp"}, "columns": cols, "values": [
            ["1971-01-01T00:00:00Z", 40, 0], ["1971-01-01T00:00:01Z", 30, 0],
            ["1971-01-01T00:00:02Z", 20, 0], ["1971-01-01T00:00:03Z", 10, 1]]}]});
    assert_eq!(out(&tm, "TestStream_JoinOn_Fill", true), sorted(want));
}

#[test]
fn kapacitor_stream_union() {
    let tm = start(
        "var cpuT = stream
    |from()
        .measurement('cpu')
        .where(lambda: \"cpu\" == 'total')
var cpu0 = stream
    |from()
        .measurement('cpu')
        .where(lambda: \"cpu\" == '0')
var cpu1 = stream
    |from()
        .measurement('cpu')
        .where(lambda: \"cpu\" == '1')

cpuT
    |union(cpu0, cpu1)
        .rename('cpu_all')
    |window()
        .period(10s)
        .every(10s)
    |count('value')
    |httpOut('TestStream_Union')
",
    );
    replay(&tm, "TestStream_Union.srpl");
    let want = json!({"series": [{"name": "cpu_all", "columns": ["time", "count"],
        "values": [["1971-01-01T00:00:10Z", 20]]}]});
    assert_eq!(out(&tm, "TestStream_Union", false), want);
}

#[test]
fn kapacitor_stream_combine_filtered() {
    let tm = start(
        "stream
    |from()
        .measurement('request_latency')
        .groupBy('dc')
    |combine(lambda: \"service\" == 'auth', lambda: TRUE)
        .as('auth', 'other')
        .tolerance(1s)
        .delimiter('.')
    |groupBy('other.service','dc')
    |eval(lambda: \"auth.value\" / \"other.value\")
        .as('ratio')
    |httpOut('TestStream_Combine')
",
    );
    replay(&tm, "TestStream_Combine.srpl");
    let row = |dc: &str, other: &str, r: f64| {
        json!({"name": "request_latency", "tags": {"dc": dc, "other.service": other, "auth.service": "auth"},
               "columns": ["time", "ratio"], "values": [["1971-01-01T00:00:00Z", r]]})
    };
    let want = json!({"series": [
        row("A", "log", 1.1666666666666667), row("A", "cart", 0.875),
        row("B", "log", 1.1538461538461537), row("B", "cart", 0.8823529411764706)]});
    assert_eq!(out(&tm, "TestStream_Combine", true), sorted(want));
}

#[test]
fn kapacitor_stream_combine_all_triples() {
    let tm = start(
        "stream
    |from()
        .measurement('request_latency')
        .groupBy('dc')
    |combine(lambda: TRUE, lambda: TRUE, lambda: TRUE)
        .as('first', 'second', 'third')
        .tolerance(1s)
        .delimiter('.')
    |groupBy('first.service', 'second.service', 'third.service', 'dc')
    |eval(lambda: \"first.value\" + \"second.value\" + \"third.value\")
        .as('sum')
    |httpOut('TestStream_Combine')
",
    );
    replay(&tm, "TestStream_Combine.srpl");
    let row = |dc: &str, sum: i64| {
        json!({"name": "request_latency",
               "tags": {"dc": dc, "first.service": "auth", "second.service": "log", "third.service": "cart"},
               "columns": ["time", "sum"], "values": [["1971-01-01T00:00:00Z", sum]]})
    };
    let want = json!({"series": [row("A", 2100), row("B", 2250)]});
    assert_eq!(out(&tm, "TestStream_Combine", true), sorted(want));
}

#[test]
fn kapacitor_stream_flatten() {
    for (drop, suffix) in [("", ".value"), (".dropOriginalFieldName()", "")] {
        let tm = start(&format!(
            "stream
    |from()
        .measurement('request_latency')
        .groupBy('dc')
    |flatten()
        .on('service', 'host')
        .tolerance(1s)
        {drop}
    |httpOut('TestStream_Flatten')
"
        ));
        replay(&tm, "TestStream_Flatten.srpl");
        let cols: Vec<String> = std::iter::once("time".to_string())
            .chain(
                [
                    "auth.server01",
                    "auth.server02",
                    "cart.server01",
                    "cart.server02",
                    "log.server01",
                    "log.server02",
                ]
                .iter()
                .map(|c| format!("{c}{suffix}")),
            )
            .collect();
        let want = json!({"series": [
            {"name": "request_latency", "tags": {"dc": "A"}, "columns": cols,
             "values": [["1971-01-01T00:00:00Z", 700, 702, 800, 802, 600, 602]]},
            {"name": "request_latency", "tags": {"dc": "B"}, "columns": cols,
             "values": [["1971-01-01T00:00:00Z", 750, 752, 850, 852, 650, 652]]}]});
        assert_eq!(
            out(&tm, "TestStream_Flatten", true),
            sorted(want),
            "drop: {drop:?}"
        );
    }
}

#[test]
fn kapacitor_stream_shift_join() {
    let tm = start(
        "var period  = 5s

var data  = stream
    |from()
        .measurement('cpu')
        .where(lambda: \"host\" == 'serverA')

var past = data
    |window()
        .period(period)
        .every(period)
        .align()
    |count('value')
    |shift(period)

var current = data
    |window()
        .period(period)
        .every(period)
        .align()
    |count('value')

past
    |join(current)
        .as('past', 'current')
    |eval(lambda: \"current.count\" - \"past.count\")
        .keep()
        .as('diff')
    |httpOut('TestStream_Shift')
",
    );
    replay(&tm, "TestStream_Shift.srpl");
    let want = json!({"series": [{"name": "cpu", "columns": ["time", "current.count", "diff", "past.count"],
        "values": [["1971-01-01T00:00:10Z", 5, 1, 4]]}]});
    assert_eq!(out(&tm, "TestStream_Shift", false), want);
}

#[test]
fn kapacitor_cardinality_of_join_combine_flatten() {
    let tm = start(
        "var s1 = stream
    |from()
        .measurement('cpu')
        .groupBy('host')

var s2 = stream
    |from()
        .measurement('cpu')
        .groupBy('cpu')

s2|join(s1)
   .as('s1','s2')
",
    );
    replay(&tm, "TestStream_Cardinality.srpl");
    assert_eq!(node_stat(&tm, "join", "collected"), json!(180));
    assert_eq!(node_stat(&tm, "join", "emitted"), json!(0));
    assert_eq!(node_stat(&tm, "join", "working_cardinality"), json!(10));

    for (node, script) in [
        (
            "combine",
            "stream|from().measurement('cpu').groupBy('cpu','host')|combine(lambda: TRUE, lambda: TRUE).as('total','true')",
        ),
        (
            "flatten",
            "stream|from().measurement('cpu').groupBy('host','cpu')|flatten().on('host','cpu')",
        ),
    ] {
        let tm = start(script);
        replay(&tm, "TestStream_Cardinality.srpl");
        assert_eq!(node_stat(&tm, node, "collected"), json!(90), "{node}");
        assert_eq!(
            node_stat(&tm, node, "working_cardinality"),
            json!(9),
            "{node}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Edge cases.
// ---------------------------------------------------------------------------------------

/// Keeps every emitted point: a count window emitting on each point with all of them.
const COLLECT: &str = "|window().periodCount(1000).everyCount(1)";

const AB: &str = "var a = stream|from().measurement('a')\nvar b = stream|from().measurement('b')\n";

fn rows(tm: &TaskMaster, endpoint: &str) -> Value {
    out(tm, endpoint, false)["series"][0]["values"].clone()
}

fn ts(ms: i64) -> String {
    kapa_models::time::format_rfc3339(T0 + ms * 1_000_000)
}

/// a: 0, 1, 2, 3 s; b: 0, 2, 3 s (b misses 1 s).
fn a_b_with_gap() -> Vec<Point> {
    vec![
        pt("a", &[], &[("v", 1.0)], 0),
        pt("b", &[], &[("v", 10.0)], 0),
        pt("a", &[], &[("v", 2.0)], 1000),
        pt("a", &[], &[("v", 3.0)], 2000),
        pt("b", &[], &[("v", 30.0)], 2000),
        pt("a", &[], &[("v", 4.0)], 3000),
        pt("b", &[], &[("v", 40.0)], 3000),
    ]
}

#[test]
fn inner_join_drops_a_time_one_parent_missed() {
    let tm = start(&format!("{AB}a|join(b).as('a', 'b'){COLLECT}|httpOut('j')"));
    write(&tm, &a_b_with_gap());
    assert_eq!(
        out(&tm, "j", false),
        json!({"series": [{"name": "a", "columns": ["time", "a.v", "b.v"], "values": [
            [ts(0), 1, 10], [ts(2000), 3, 30], [ts(3000), 4, 40]]}]})
    );
}

#[test]
fn outer_join_fills_the_missing_parent_once_every_parent_moved_on() {
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill(0.0){COLLECT}|httpOut('j')"
    ));
    let pts = a_b_with_gap();
    // Up to a@2s: the 1 s set waits, b has not passed it.
    write(&tm, &pts[..4]);
    assert_eq!(rows(&tm, "j"), json!([[ts(0), 1, 10]]));
    // b@2s passes 1 s: the filled 1 s set goes, then the complete 2 s one.
    write(&tm, &pts[4..5]);
    assert_eq!(
        rows(&tm, "j"),
        json!([[ts(0), 1, 10], [ts(1000), 2, 0], [ts(2000), 3, 30]])
    );
    write(&tm, &pts[5..]);
    assert_eq!(
        rows(&tm, "j"),
        json!([
            [ts(0), 1, 10],
            [ts(1000), 2, 0],
            [ts(2000), 3, 30],
            [ts(3000), 4, 40]
        ])
    );
}

#[test]
fn null_fill_leaves_the_missing_fields_out() {
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill('null'){COLLECT}|httpOut('j')"
    ));
    write(&tm, &a_b_with_gap());
    assert_eq!(
        rows(&tm, "j"),
        json!([
            [ts(0), 1, 10],
            [ts(1000), 2, null],
            [ts(2000), 3, 30],
            [ts(3000), 4, 40]
        ])
    );
    // The filled point itself has only the present parent's field.
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill('null')|httpOut('j')"
    ));
    write(&tm, &a_b_with_gap()[..5]);
    let v = out(&tm, "j", false);
    assert_eq!(v["series"][0]["columns"], json!(["time", "a.v", "b.v"]));
    assert_eq!(v["series"][0]["values"], json!([[ts(2000), 3, 30]]));
}

#[test]
fn integer_fill_fills_integers() {
    // 3 / 2 is 1 only in integer arithmetic.
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill(3)|eval(lambda: \"b.v\" / 2).as('half'){COLLECT}|httpOut('j')"
    ));
    write(&tm, &a_b_with_gap()[..5]);
    assert_eq!(rows(&tm, "j"), json!([[ts(1000), 1]]));
}

#[test]
fn fill_names_the_missing_fields_after_the_present_ones() {
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill(-1.5)|httpOut('j')"
    ));
    write(
        &tm,
        &[
            pt("a", &[], &[("x", 1.0), ("y", 2.0)], 0),
            pt("a", &[], &[("x", 3.0), ("y", 4.0)], 1000),
            pt("b", &[], &[("z", 9.0)], 1000),
        ],
    );
    // Only the last emitted point is kept: the joined one at 1 s.
    assert_eq!(
        out(&tm, "j", false),
        json!({"series": [{"name": "a", "columns": ["time", "a.x", "a.y", "b.z"], "values": [[ts(1000), 3, 4, 9]]}]})
    );
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').fill(-1.5){COLLECT}|httpOut('j')"
    ));
    write(
        &tm,
        &[
            pt("a", &[], &[("x", 1.0), ("y", 2.0)], 0),
            pt("b", &[], &[("z", 9.0)], 1000),
            pt("a", &[], &[("x", 3.0), ("y", 4.0)], 1000),
        ],
    );
    let v = out(&tm, "j", false);
    assert_eq!(
        v["series"][0]["columns"],
        json!(["time", "a.x", "a.y", "b.x", "b.y"])
    );
    assert_eq!(
        v["series"][0]["values"][0],
        json!([ts(0), 1, 2, -1.5, -1.5])
    );
}

#[test]
fn tolerance_rounds_times_half_up() {
    let tm = start(&format!(
        "{AB}a|join(b).as('a', 'b').tolerance(1s){COLLECT}|httpOut('j')"
    ));
    write(
        &tm,
        &[
            pt("a", &[], &[("v", 1.0)], 1400),
            pt("b", &[], &[("v", 10.0)], 600),
            pt("a", &[], &[("v", 2.0)], 2500),
            pt("b", &[], &[("v", 20.0)], 3400),
            // 4.499 s rounds to 4 s, 4.5 s to 5 s: no partner.
            pt("a", &[], &[("v", 3.0)], 4499),
            pt("b", &[], &[("v", 30.0)], 4500),
            pt("a", &[], &[("v", 4.0)], 5200),
        ],
    );
    assert_eq!(
        rows(&tm, "j"),
        json!([[ts(1000), 1, 10], [ts(3000), 2, 20], [ts(5000), 4, 30]])
    );
}

#[test]
fn groups_join_independently_and_a_silent_group_waits_alone() {
    let script = "var a = stream|from().measurement('a').groupBy('host')
var b = stream|from().measurement('b').groupBy('host')
a|join(b).as('a', 'b').fill(0.0)|httpOut('j')";
    let tm = start(script);
    let h = |host: &'static str| [("host", host), ("extra", "dropped")];
    write(
        &tm,
        &[
            pt("a", &h("A"), &[("v", 1.0)], 0),
            pt("b", &h("A"), &[("v", 10.0)], 0),
            // Group B appears later.
            pt("a", &h("B"), &[("v", 2.0)], 1000),
            pt("b", &h("B"), &[("v", 20.0)], 1000),
            // A's b side falls silent: A's 2 s set waits however far B goes.
            pt("a", &h("A"), &[("v", 3.0)], 2000),
            pt("a", &h("B"), &[("v", 4.0)], 3000),
            pt("b", &h("B"), &[("v", 40.0)], 3000),
        ],
    );
    let row = |host: &str, t: i64, a: i64, b: i64| json!({"name": "a", "tags": {"host": host}, "columns": ["time", "a.v", "b.v"], "values": [[ts(t), a, b]]});
    assert_eq!(
        out(&tm, "j", true),
        sorted(json!({"series": [row("A", 0, 1, 10), row("B", 3000, 4, 40)]}))
    );
    assert_eq!(node_stat(&tm, "join", "working_cardinality"), json!(2));
}

#[test]
fn name_defaults_to_the_first_parent_and_stream_name_overrides_it() {
    for (props, name) in [("", "b"), (".streamName('both')", "both")] {
        let tm = start(&format!("{AB}b|join(a).as('b', 'a'){props}|httpOut('j')"));
        write(
            &tm,
            &[
                pt("a", &[], &[("v", 1.0)], 0),
                pt("b", &[], &[("v", 2.0)], 0),
            ],
        );
        assert_eq!(
            out(&tm, "j", false),
            json!({"series": [{"name": name, "columns": ["time", "a.v", "b.v"], "values": [[ts(0), 1, 2]]}]})
        );
    }
}

#[test]
fn two_points_of_one_parent_at_one_time_go_to_successive_sets() {
    let tm = start(&format!("{AB}a|join(b).as('a', 'b'){COLLECT}|httpOut('j')"));
    write(
        &tm,
        &[
            pt("a", &[], &[("v", 1.0)], 0),
            pt("a", &[], &[("v", 2.0)], 0),
            pt("b", &[], &[("v", 10.0)], 0),
            pt("b", &[], &[("v", 20.0)], 0),
        ],
    );
    assert_eq!(rows(&tm, "j"), json!([[ts(0), 1, 10], [ts(0), 2, 20]]));
}

#[test]
fn joined_windows_join_point_by_point() {
    let script = "var a = stream|from().measurement('a')|window().period(2s).every(2s).align()
var b = stream|from().measurement('b')|window().period(2s).every(2s).align()
a|join(b).as('a', 'b')|httpOut('j')";
    let pts = [
        pt("a", &[], &[("v", 1.0)], 0),
        pt("b", &[], &[("v", 10.0)], 0),
        pt("a", &[], &[("v", 2.0)], 1000),
        pt("a", &[], &[("v", 5.0)], 2000),
        pt("b", &[], &[("v", 50.0)], 2000),
    ];
    let tm = start(script);
    write(&tm, &pts);
    // b has no point at 1 s: an inner join drops that row.
    assert_eq!(
        out(&tm, "j", false),
        json!({"series": [{"name": "a", "columns": ["time", "a.v", "b.v"], "values": [[ts(0), 1, 10]]}]})
    );
    let tm = start(&script.replace(".as('a', 'b')", ".as('a', 'b').fill(0.0)"));
    write(&tm, &pts);
    assert_eq!(rows(&tm, "j"), json!([[ts(0), 1, 10], [ts(1000), 2, 0]]));
}

#[test]
fn join_on_pairs_one_point_with_each_more_specific_one() {
    let script = "var total = stream|from().measurement('total').groupBy('building')
var floor = stream|from().measurement('floor').groupBy('building', 'floor')
total|join(floor).as('total', 'floor').on('building')|eval(lambda: \"floor.v\" / \"total.v\").as('share')|httpOut('j')";
    let tm = start(script);
    write(
        &tm,
        &[
            // The specific points arrive first and wait for their match.
            pt(
                "floor",
                &[("building", "x"), ("floor", "1")],
                &[("v", 1.0)],
                0,
            ),
            pt(
                "floor",
                &[("building", "x"), ("floor", "2")],
                &[("v", 3.0)],
                0,
            ),
            pt("total", &[("building", "x")], &[("v", 4.0)], 0),
            pt("total", &[("building", "y")], &[("v", 10.0)], 0),
            pt(
                "floor",
                &[("building", "y"), ("floor", "1")],
                &[("v", 5.0)],
                0,
            ),
        ],
    );
    let row = |b: &str, f: &str, v: f64| json!({"name": "total", "tags": {"building": b, "floor": f}, "columns": ["time", "share"], "values": [[ts(0), v]]});
    assert_eq!(
        out(&tm, "j", true),
        sorted(json!({"series": [row("x", "1", 0.25), row("x", "2", 0.75), row("y", "1", 0.5)]}))
    );
}

#[test]
fn union_waits_for_every_parent_then_merges_in_time_order() {
    let tm = start(&format!(
        "{AB}a|union(b).rename('ab'){COLLECT}|httpOut('u')"
    ));
    write(
        &tm,
        &[
            pt("a", &[], &[("v", 1.0)], 1000),
            pt("a", &[], &[("v", 2.0)], 2000),
        ],
    );
    assert_eq!(out(&tm, "u", false), json!({"series": null}));
    write(&tm, &[pt("b", &[], &[("v", 0.0)], 0)]);
    assert_eq!(rows(&tm, "u"), json!([[ts(0), 0]]));
    // b moving on releases a's points up to b's time.
    write(&tm, &[pt("b", &[], &[("v", 5.0)], 5000)]);
    let v = out(&tm, "u", false);
    assert_eq!(v["series"][0]["name"], json!("ab"));
    assert_eq!(
        v["series"][0]["values"],
        json!([[ts(0), 0], [ts(1000), 1], [ts(2000), 2]])
    );
}

#[test]
fn union_keeps_names_without_rename() {
    let tm = start(&format!("{AB}a|union(b)|httpOut('u')"));
    write(
        &tm,
        &[
            pt("a", &[], &[("v", 1.0)], 0),
            pt("b", &[], &[("v", 2.0)], 1000),
            pt("a", &[], &[("v", 3.0)], 2000),
        ],
    );
    assert_eq!(
        out(&tm, "u", false),
        json!({"series": [{"name": "b", "columns": ["time", "v"], "values": [[ts(1000), 2]]}]})
    );
}

fn services(ms: i64) -> Vec<Point> {
    ["x", "y", "z"]
        .iter()
        .enumerate()
        .map(|(i, s)| pt("m", &[("s", s)], &[("v", i as f64 + 1.0)], ms))
        .collect()
}

#[test]
fn combine_prefixes_fields_and_non_group_tags() {
    let script = format!(
        "stream|from().measurement('m')|combine(lambda: \"s\" == 'x', lambda: TRUE).as('p', 'q').tolerance(1s){COLLECT}|httpOut('c')"
    );
    let tm = start(&script);
    let mut pts = vec![
        pt("m", &[("s", "x")], &[("v", 1.0)], 200),
        pt("m", &[("s", "y")], &[("v", 2.0)], 400),
        pt("m", &[("s", "z")], &[("v", 3.0)], -300),
    ];
    pts.push(pt("m", &[("s", "x")], &[("v", 9.0)], 2000));
    write(&tm, &pts);
    assert_eq!(
        out(&tm, "c", false),
        json!({"series": [{"name": "m", "columns": ["time", "p.s", "p.v", "q.s", "q.v"], "values": [
            [ts(0), "x", 1, "y", 2], [ts(0), "x", 1, "z", 3]]}]})
    );
}

#[test]
fn combine_refuses_more_combinations_than_max() {
    let tm = start(
        "stream|from().measurement('m')|combine(lambda: TRUE, lambda: TRUE).as('p', 'q').max(2)|httpOut('c')",
    );
    let mut pts = services(0);
    pts.push(pt("m", &[("s", "x")], &[("v", 1.0)], 1000));
    write(&tm, &pts);
    assert_eq!(out(&tm, "c", false), json!({"series": null}));
    assert_eq!(node_stat(&tm, "combine", "errors"), json!(1));
    // Three choose two is three: a max of three is enough.
    let tm = start(&format!(
        "stream|from().measurement('m')|combine(lambda: TRUE, lambda: TRUE).as('p', 'q').max(3){COLLECT}|httpOut('c')"
    ));
    let mut pts = services(0);
    pts.push(pt("m", &[("s", "x")], &[("v", 1.0)], 1000));
    write(&tm, &pts);
    assert_eq!(rows(&tm, "c").as_array().unwrap().len(), 3);
}

#[test]
fn combine_and_join_settings_are_checked_before_the_task_starts() {
    let tm = master();
    let err = tm
        .start_task(&def(
            "t",
            "stream|from()|combine(lambda: TRUE, lambda: TRUE).as('p')",
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid combine node combine2: number of prefixes specified by combine.as() must match the number of combine expressions"
    );
    let err = tm
        .start_task(&def(
            "t",
            "stream|from()|combine(lambda: TRUE, lambda: TRUE).as('p.x', 'q')",
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid combine node combine2: cannot use name p.x as field prefix, it contains the delimiter character ."
    );
    let err = tm
        .start_task(&def(
            "t",
            "stream|from()|combine(lambda: TRUE, lambda: TRUE)",
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid combine node combine2: a call to combine.as() is required to specify the output stream prefixes."
    );
    // An empty delimiter is allowed for a join, and deleteAll is a property.
    tm.start_task(&def(
        "t",
        &format!("{AB}a|join(b).as('a', 'b').delimiter('').deleteAll(TRUE)|httpOut('j')"),
    ))
    .unwrap();
}

#[test]
fn flatten_skips_a_point_missing_an_on_tag() {
    let tm = start("stream|from().measurement('m')|flatten().on('s')|httpOut('f')");
    write(
        &tm,
        &[
            pt("m", &[("s", "x")], &[("v", 1.0)], 0),
            pt("m", &[], &[("v", 2.0)], 0),
            pt("m", &[("s", "y")], &[("v", 3.0), ("w", 4.0)], 0),
            pt("m", &[("s", "x")], &[("v", 5.0)], 1000),
        ],
    );
    assert_eq!(
        out(&tm, "f", false),
        json!({"series": [{"name": "m", "columns": ["time", "x.v", "y.v", "y.w"], "values": [[ts(0), 1, 3, 4]]}]})
    );
}

#[test]
fn flatten_of_a_window_flattens_each_time_of_the_batch() {
    let tm = start(
        "stream|from().measurement('m')|window().period(2s).every(2s).align()|flatten().on('s').delimiter('_')|httpOut('f')",
    );
    write(
        &tm,
        &[
            pt("m", &[("s", "x")], &[("v", 1.0)], 0),
            pt("m", &[("s", "y")], &[("v", 2.0)], 0),
            pt("m", &[("s", "x")], &[("v", 3.0)], 1000),
            pt("m", &[("s", "y")], &[("v", 4.0)], 1000),
            pt("m", &[("s", "x")], &[("v", 5.0)], 2000),
        ],
    );
    assert_eq!(
        out(&tm, "f", false),
        json!({"series": [{"name": "m", "columns": ["time", "x_v", "y_v"], "values": [[ts(0), 1, 2], [ts(1000), 3, 4]]}]})
    );
}

#[test]
fn union_of_three_emits_equal_times_argument_parents_first() {
    let tm = start(&format!(
        "{AB}var c = stream|from().measurement('c')\na|union(b, c){COLLECT}|httpOut('u')"
    ));
    write(
        &tm,
        &[
            pt("c", &[], &[("v", 3.0)], 0),
            pt("a", &[], &[("v", 1.0)], 0),
            pt("b", &[], &[("v", 2.0)], 0),
            pt("a", &[], &[("v", 4.0)], 1000),
        ],
    );
    // As Kapacitor links them, the node union is called on comes last among equal times.
    assert_eq!(rows(&tm, "u"), json!([[ts(0), 2], [ts(0), 3], [ts(0), 1]]));
}

#[test]
fn a_deleted_group_is_forgotten_and_can_come_back() {
    let clock = Arc::new(ManualClock::new(T0));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let script =
        "var a = stream|from().measurement('a').groupBy('host')|barrier().idle(5s).delete(TRUE)
var b = stream|from().measurement('b').groupBy('host')|barrier().idle(5s).delete(TRUE)
a|join(b).as('a', 'b').fill(0.0)|httpOut('j')";
    tm.start_task(&def("t", script)).unwrap();
    let join = "join";
    write(
        &tm,
        &[
            pt("a", &[("host", "A")], &[("v", 1.0)], 0),
            pt("b", &[("host", "A")], &[("v", 10.0)], 0),
            pt("a", &[("host", "A")], &[("v", 2.0)], 1000),
        ],
    );
    assert_eq!(node_stat(&tm, join, "working_cardinality"), json!(1));
    // Both sides idle: their barriers flush the group, then it is deleted everywhere.
    clock.set(T0 + 6 * SECOND);
    tm.tick();
    assert_eq!(node_stat(&tm, join, "working_cardinality"), json!(0));
    assert_eq!(out(&tm, "j", false), json!({"series": null}));
    write(
        &tm,
        &[
            pt("a", &[("host", "A")], &[("v", 3.0)], 10_000),
            pt("b", &[("host", "A")], &[("v", 30.0)], 10_000),
        ],
    );
    assert_eq!(
        out(&tm, "j", false),
        json!({"series": [{"name": "a", "tags": {"host": "A"}, "columns": ["time", "a.v", "b.v"],
            "values": [[ts(10_000), 3, 30]]}]})
    );
}

#[test]
fn combine_of_a_window_combines_each_time() {
    let tm = start(&format!(
        "stream|from().measurement('m')|window().period(2s).every(2s).align()|combine(lambda: \"s\" == 'x', lambda: \"s\" == 'y').as('x', 'y'){COLLECT}|httpOut('c')"
    ));
    write(
        &tm,
        &[
            pt("m", &[("s", "x")], &[("v", 1.0)], 0),
            pt("m", &[("s", "y")], &[("v", 2.0)], 0),
            pt("m", &[("s", "y")], &[("v", 3.0)], 1000),
            pt("m", &[("s", "x")], &[("v", 4.0)], 1000),
            pt("m", &[("s", "x")], &[("v", 5.0)], 2000),
        ],
    );
    assert_eq!(
        out(&tm, "c", false),
        json!({"series": [{"name": "m", "columns": ["time", "x.s", "x.v", "y.s", "y.v"], "values": [
            [ts(0), "x", 1, "y", 2], [ts(1000), "x", 4, "y", 3]]}]})
    );
}

/// A master on a manual clock, with the task `t` started.
fn start_clocked(script: &str) -> (Arc<TaskMaster>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    tm.start_task(&def("t", script)).unwrap();
    (tm, clock)
}

#[test]
fn a_barrier_moves_only_the_head_of_the_parent_that_sent_it() {
    let (tm, clock) = start_clocked(
        "var a = stream|from().measurement('a').groupBy('host')|barrier().idle(5s)
var b = stream|from().measurement('b').groupBy('host')
a|join(b).as('a', 'b').fill(0.0)|httpOut('j')",
    );
    write(
        &tm,
        &[
            pt("a", &[("host", "A")], &[("v", 1.0)], 0),
            pt("b", &[("host", "A")], &[("v", 10.0)], 0),
            pt("a", &[("host", "A")], &[("v", 2.0)], 1000),
        ],
    );
    let first = json!({"series": [{"name": "a", "tags": {"host": "A"},
        "columns": ["time", "a.v", "b.v"], "values": [[ts(0), 1, 10]]}]});
    assert_eq!(out(&tm, "j", false), first);
    // Only `a` is idle: its barrier cannot tell that `b` has nothing more for time 1s.
    clock.set(T0 + 6 * SECOND);
    tm.tick();
    assert_eq!(out(&tm, "j", false), first);
    // Once `b` moves past 1s as well, the set at 1s is filled and sent.
    write(&tm, &[pt("b", &[("host", "A")], &[("v", 30.0)], 2000)]);
    assert_eq!(
        out(&tm, "j", false),
        json!({"series": [{"name": "a", "tags": {"host": "A"},
            "columns": ["time", "a.v", "b.v"], "values": [[ts(1000), 2, 0]]}]})
    );
}

#[test]
fn a_barrier_of_one_union_parent_releases_the_other_parents_messages() {
    let (tm, clock) = start_clocked(
        "var a = stream|from().measurement('a')|barrier().idle(5s)
var b = stream|from().measurement('b')
a|union(b)|httpOut('u')",
    );
    write(
        &tm,
        &[
            pt("a", &[], &[("v", 1.0)], 0),
            pt("b", &[], &[("v", 2.0)], 1000),
            pt("b", &[], &[("v", 3.0)], 2000),
        ],
    );
    // `a` is at 0s: nothing of `b` after that can go yet.
    assert_eq!(
        out(&tm, "u", false),
        json!({"series": [{"name": "a", "columns": ["time", "v"], "values": [[ts(0), 1]]}]})
    );
    // a's barrier at 6s says it is past 2s: b's queued points follow, in order.
    clock.set(T0 + 6 * SECOND);
    tm.tick();
    assert_eq!(
        out(&tm, "u", false),
        json!({"series": [{"name": "b", "columns": ["time", "v"], "values": [[ts(2000), 3]]}]})
    );
    // The barrier itself waits in a's queue until b is past 6s too.
    assert_eq!(node_stat(&tm, "union", "emitted"), json!(3));
    write(&tm, &[pt("b", &[], &[("v", 4.0)], 7000)]);
    assert_eq!(node_stat(&tm, "union", "emitted"), json!(4));
}
