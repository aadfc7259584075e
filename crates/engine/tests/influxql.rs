//! The InfluxQL function nodes end to end through the task master: Kapacitor's
//! TestStream_InfluxQL_{Float,Integer,String,Boolean} tables (a 10s window of serverA's cpu
//! points, then each function, read back from httpOut as exact JSON), and the stream,
//! transformation and error behaviour of influxql.go.

use std::collections::HashMap;
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::ManualClock;
use kapa_models::{Point, Precision};
use kapa_pipeline::{Dbrp, TaskType};

/// 1971-01-01T00:00:00Z, the zero of Kapacitor's test clock.
const ZERO: i64 = 31_536_000 * 1_000_000_000;

fn master() -> Arc<TaskMaster> {
    TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(ZERO)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    })
}

/// Line protocol with times in seconds, re-based so the first point is at ZERO (as
/// Kapacitor's replays are).
fn points(lp: &str) -> Vec<Point> {
    let mut out: Vec<Point> = lp
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            kapa_lineproto::parse_line(l.as_bytes(), Precision::Second, 0)
                .expect("test line protocol")
        })
        .collect();
    let first = out.first().map(|p| p.time).unwrap_or(0);
    for p in &mut out {
        p.time = p.time - first + ZERO;
    }
    out
}

/// Starts `script`, writes the points one at a time and returns the task master.
fn run_task(script: &str, lp: &str) -> Arc<TaskMaster> {
    let tm = master();
    tm.start_task(&TaskDef {
        id: "t".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "dbname".into(),
            rp: "rpname".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    })
    .unwrap_or_else(|e| panic!("{e}\n{script}"));
    for p in points(lp) {
        tm.write_points("dbname", "rpname", std::slice::from_ref(&p));
    }
    tm
}

/// The httpOut JSON after running `script` over `lp`.
fn run(script: &str, lp: &str, endpoint: &str) -> String {
    let tm = run_task(script, lp);
    let result = tm.http_out("t", endpoint).expect("the httpOut endpoint");
    serde_json::to_string(&result).expect("JSON")
}

/// Kapacitor's TestStream_InfluxQL_* recording: serverA's values are
/// 98 91 95 93 92 95 92 96 93 95 | 96 95, one per second; serverB, serverC and disk points
/// are filtered out by the script.
const RECORDING: &str = "
cpu,type=idle,host=serverA value=98 1
cpu,type=idle,host=serverB value=97 1
disk,type=sda,host=serverB value=39 1
cpu,type=idle,host=serverA value=91 2
cpu,type=idle,host=serverB value=91 2
cpu,type=idle,host=serverA value=95 3
cpu,type=idle,host=serverB value=95 3
cpu,type=idle,host=serverA value=93 4
cpu,type=idle,host=serverB value=93 4
cpu,type=idle,host=serverA value=92 5
cpu,type=idle,host=serverB value=92 5
cpu,type=idle,host=serverA value=95 6
cpu,type=idle,host=serverB value=95 6
cpu,type=idle,host=serverC value=95 6
cpu,type=idle,host=serverA value=92 7
cpu,type=idle,host=serverB value=92 7
cpu,type=idle,host=serverA value=96 8
cpu,type=idle,host=serverB value=96 8
cpu,type=idle,host=serverA value=93 9
cpu,type=idle,host=serverB value=93 9
disk,type=sda,host=serverB value=42 9
cpu,type=idle,host=serverA value=95 10
cpu,type=idle,host=serverB value=95 10
cpu,type=idle,host=serverA value=96 11
cpu,type=idle,host=serverB value=96 11
cpu,type=idle,host=serverA value=95 12
cpu,type=idle,host=serverB value=95 12
";

/// The recording with integer values.
fn integer_recording() -> String {
    RECORDING
        .lines()
        .map(|l| match l.rsplit_once(' ') {
            Some((head, t)) => format!("{head}i {t}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The recording with string values.
fn string_recording() -> String {
    RECORDING
        .lines()
        .map(|l| {
            match l
                .split_once("value=")
                .and_then(|(a, b)| b.split_once(' ').map(|(v, t)| (a, v, t)))
            {
                Some((a, v, t)) => format!("{a}value=\"{v}\" {t}"),
                None => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kapacitor's TestStream_InfluxQL_Boolean recording (serverA: f t t t f f f f t t | t f f).
const BOOL_RECORDING: &str = "
cpu,type=idle,host=serverA value=false 1
cpu,type=idle,host=serverB value=true 1
disk,type=sda,host=serverB value=false 1
cpu,type=idle,host=serverA value=true 2
cpu,type=idle,host=serverB value=true 2
cpu,type=idle,host=serverA value=true 3
cpu,type=idle,host=serverB value=false 3
cpu,type=idle,host=serverA value=true 4
cpu,type=idle,host=serverB value=false 4
cpu,type=idle,host=serverA value=false 5
cpu,type=idle,host=serverB value=true 5
cpu,type=idle,host=serverA value=false 6
cpu,type=idle,host=serverB value=false 6
cpu,type=idle,host=serverC value=true 6
cpu,type=idle,host=serverA value=false 7
cpu,type=idle,host=serverB value=true 7
cpu,type=idle,host=serverA value=false 8
cpu,type=idle,host=serverB value=false 8
cpu,type=idle,host=serverA value=true 9
cpu,type=idle,host=serverB value=false 9
disk,type=sda,host=serverB value=true 9
cpu,type=idle,host=serverA value=true 10
cpu,type=idle,host=serverB value=false 10
cpu,type=idle,host=serverA value=false 11
cpu,type=idle,host=serverB value=true 11
cpu,type=idle,host=serverA value=false 12
cpu,type=idle,host=serverB value=true 12
";

fn influxql_script(call: &str, point_times: bool) -> String {
    format!(
        "stream
    |from()
        .measurement('cpu')
        .where(lambda: \"host\" == 'serverA')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |{call}{}
    |httpOut('out')
",
        if point_times {
            "\n        .usePointTimes()"
        } else {
            ""
        }
    )
}

fn t(s: u32) -> String {
    format!("1971-01-01T00:00:{s:02}Z")
}

/// One series of cpu/serverA with a single value column.
fn series(tags: &str, col: &str, values: &[(u32, &str)]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|(s, v)| format!("[\"{}\",{v}]", t(*s)))
        .collect();
    format!(
        "{{\"series\":[{{\"name\":\"cpu\",\"tags\":{tags},\"columns\":[\"time\",\"{col}\"],\"values\":[{}]}}]}}",
        values.join(",")
    )
}

const HOST: &str = r#"{"host":"serverA"}"#;
const HOST_TYPE: &str = r#"{"host":"serverA","type":"idle"}"#;

/// (call, usePointTimes, expected) for one data type.
type Case = (&'static str, bool, String);

fn check(recording: &str, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for (call, pt, want) in cases {
        let got = run(&influxql_script(call, pt), recording, "out");
        if got != want {
            failures.push(format!(
                "{call} (usePointTimes {pt}):\n  want {want}\n  got  {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn top_bottom(col: &str, rows: &[(u32, &str)]) -> String {
    let values: Vec<String> = rows
        .iter()
        .map(|(s, v)| format!("[\"{}\",{v},\"idle\"]", t(*s)))
        .collect();
    format!(
        "{{\"series\":[{{\"name\":\"cpu\",\"tags\":{HOST},\"columns\":[\"time\",\"{col}\",\"type\"],\"values\":[{}]}}]}}",
        values.join(",")
    )
}

/// The cases shared by the float and integer tables (Kapacitor expects the same numbers).
fn numeric_cases() -> Vec<Case> {
    let distinct = [
        (10, "98"),
        (10, "91"),
        (10, "95"),
        (10, "93"),
        (10, "92"),
        (10, "96"),
    ];
    vec![
        ("sum('value')", false, series(HOST, "sum", &[(10, "940")])),
        (
            "count('value')",
            false,
            series(HOST, "count", &[(10, "10")]),
        ),
        (
            "distinct('value')",
            false,
            series(HOST, "distinct", &distinct),
        ),
        ("mean('value')", false, series(HOST, "mean", &[(10, "94")])),
        (
            "median('value')",
            false,
            series(HOST, "median", &[(10, "94")]),
        ),
        ("mode('value')", false, series(HOST, "mode", &[(10, "95")])),
        ("min('value')", true, series(HOST_TYPE, "min", &[(1, "91")])),
        (
            "min('value')",
            false,
            series(HOST_TYPE, "min", &[(10, "91")]),
        ),
        ("max('value')", true, series(HOST_TYPE, "max", &[(0, "98")])),
        (
            "max('value')",
            false,
            series(HOST_TYPE, "max", &[(10, "98")]),
        ),
        (
            "spread('value')",
            false,
            series(HOST, "spread", &[(10, "7")]),
        ),
        (
            "stddev('value')",
            false,
            series(HOST, "stddev", &[(10, "2.160246899469287")]),
        ),
        (
            "first('value')",
            true,
            series(HOST_TYPE, "first", &[(0, "98")]),
        ),
        (
            "first('value')",
            false,
            series(HOST_TYPE, "first", &[(10, "98")]),
        ),
        (
            "last('value')",
            true,
            series(HOST_TYPE, "last", &[(9, "95")]),
        ),
        (
            "last('value')",
            false,
            series(HOST_TYPE, "last", &[(10, "95")]),
        ),
        (
            "percentile('value', 50.0)",
            false,
            series(HOST_TYPE, "percentile", &[(10, "93")]),
        ),
        (
            "top(2, 'value')",
            true,
            top_bottom("top", &[(0, "98"), (7, "96")]),
        ),
        (
            "top(2, 'value')",
            false,
            top_bottom("top", &[(10, "98"), (10, "96")]),
        ),
        (
            "bottom(3, 'value')",
            true,
            top_bottom("bottom", &[(1, "91"), (4, "92"), (6, "92")]),
        ),
        (
            "bottom(3, 'value')",
            false,
            top_bottom("bottom", &[(10, "91"), (10, "92"), (10, "92")]),
        ),
    ]
}

#[test]
fn stream_influxql_float() {
    check(RECORDING, numeric_cases());
}

#[test]
fn stream_influxql_integer() {
    check(&integer_recording(), numeric_cases());
}

#[test]
fn stream_influxql_string() {
    let distinct = [
        (10, "\"98\""),
        (10, "\"91\""),
        (10, "\"95\""),
        (10, "\"93\""),
        (10, "\"92\""),
        (10, "\"96\""),
    ];
    check(
        &string_recording(),
        vec![
            (
                "count('value')",
                false,
                series(HOST, "count", &[(10, "10")]),
            ),
            (
                "distinct('value')",
                false,
                series(HOST, "distinct", &distinct),
            ),
            (
                "first('value')",
                true,
                series(HOST_TYPE, "first", &[(0, "\"98\"")]),
            ),
            (
                "first('value')",
                false,
                series(HOST_TYPE, "first", &[(10, "\"98\"")]),
            ),
            (
                "last('value')",
                true,
                series(HOST_TYPE, "last", &[(9, "\"95\"")]),
            ),
            (
                "last('value')",
                false,
                series(HOST_TYPE, "last", &[(10, "\"95\"")]),
            ),
        ],
    );
}

#[test]
fn stream_influxql_boolean() {
    check(
        BOOL_RECORDING,
        vec![
            (
                "count('value')",
                false,
                series(HOST, "count", &[(10, "10")]),
            ),
            (
                "distinct('value')",
                false,
                series(HOST, "distinct", &[(10, "false"), (10, "true")]),
            ),
            (
                "first('value')",
                true,
                series(HOST_TYPE, "first", &[(0, "false")]),
            ),
            (
                "first('value')",
                false,
                series(HOST_TYPE, "first", &[(10, "false")]),
            ),
            (
                "last('value')",
                true,
                series(HOST_TYPE, "last", &[(9, "true")]),
            ),
            (
                "last('value')",
                false,
                series(HOST_TYPE, "last", &[(10, "true")]),
            ),
        ],
    );
}

#[test]
fn recordings_are_what_kapacitor_replays() {
    assert!(integer_recording().contains("cpu,type=idle,host=serverA value=98i 1"));
    assert!(string_recording().contains("cpu,type=idle,host=serverA value=\"98\" 1"));
}

/// Kapacitor's TestStream_HoltWinters recording (serverA's packets, one per second).
const PACKETS: &str = "
packets,host=serverA value=1000 1
packets,host=serverA value=1001 2
packets,host=serverA value=1002 3
packets,host=serverA value=1003 4
packets,host=serverA value=1004 5
packets,host=serverA value=1006 6
packets,host=serverA value=1007 7
packets,host=serverA value=1007 8
packets,host=serverA value=1008 9
packets,host=serverA value=1009 10
packets,host=serverA value=1010 11
packets,host=serverA value=1011 12
";

fn holt_winters_script(call: &str) -> String {
    format!(
        "stream
    |from()
        .measurement('packets')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |{call}
    |where(lambda: \"host\" == 'serverA')
    |httpOut('out')
"
    )
}

#[test]
fn stream_holt_winters_forecast() {
    let got = run(
        &holt_winters_script("holtWinters('value', 3, 0, 1s)"),
        PACKETS,
        "out",
    );
    let want = r#"{"series":[{"name":"packets","tags":{"host":"serverA"},"columns":["time","holtWinters"],"values":[["1971-01-01T00:00:10Z",1009.324690106368],["1971-01-01T00:00:11Z",1009.7524349889708],["1971-01-01T00:00:12Z",1010.105056042826]]}]}"#;
    assert_eq!(got, want);
}

#[test]
fn stream_holt_winters_with_fit_is_named_holt_winters() {
    let got = run(
        &holt_winters_script("holtWintersWithFit('value', 3, 0, 1s)"),
        PACKETS,
        "out",
    );
    let want = concat!(
        r#"{"series":[{"name":"packets","tags":{"host":"serverA"},"columns":["time","holtWinters"],"values":["#,
        r#"["1971-01-01T00:00:00Z",1000],["1971-01-01T00:00:01Z",1000.7349380776699],"#,
        r#"["1971-01-01T00:00:02Z",1001.8935462884633],["1971-01-01T00:00:03Z",1003.1750039651934],"#,
        r#"["1971-01-01T00:00:04Z",1004.4245269000132],["1971-01-01T00:00:05Z",1005.5685498251902],"#,
        r#"["1971-01-01T00:00:06Z",1006.5782508658309],["1971-01-01T00:00:07Z",1007.4488388165385],"#,
        r#"["1971-01-01T00:00:08Z",1008.1877681696025],["1971-01-01T00:00:09Z",1008.8080773333872],"#,
        r#"["1971-01-01T00:00:10Z",1009.324690106368],["1971-01-01T00:00:11Z",1009.7524349889708],"#,
        r#"["1971-01-01T00:00:12Z",1010.105056042826]]}]}"#
    );
    assert_eq!(got, want);
    // An explicit name is kept.
    let got = run(
        &holt_winters_script("holtWintersWithFit('value', 1, 0, 1s).as('hw')"),
        PACKETS,
        "out",
    );
    assert!(got.contains(r#""columns":["time","hw"]"#), "{got}");
}

#[test]
fn stream_transformations_per_point() {
    let script = |call: &str| {
        format!(
            "stream\n    |from()\n        .measurement('packets')\n    |{call}\n    |window()\n        .period(10s)\n        .every(10s)\n    |httpOut('out')\n"
        )
    };
    let data = "
packets value=1000 1
packets value=1001 2
packets value=1006 3
packets value=1009 10
packets value=1010 11
packets value=1011 12
";
    let rows = |col: &str, vals: &[(u32, &str)]| {
        let v: Vec<String> = vals
            .iter()
            .map(|(s, v)| format!("[\"{}\",{v}]", t(*s)))
            .collect();
        format!(
            "{{\"series\":[{{\"name\":\"packets\",\"columns\":[\"time\",\"{col}\"],\"values\":[{}]}}]}}",
            v.join(",")
        )
    };
    // The first transformed point (not the first input point) opens the 10s window.
    assert_eq!(
        run(&script("difference('value')"), data, "out"),
        rows("difference", &[(1, "1"), (2, "5"), (9, "3"), (10, "1")])
    );
    assert_eq!(
        run(&script("elapsed('value', 1s)"), data, "out"),
        rows("elapsed", &[(1, "1"), (2, "1"), (9, "7"), (10, "1")])
    );
    assert_eq!(
        run(&script("cumulativeSum('value')"), data, "out"),
        rows(
            "cumulativeSum",
            &[(0, "1000"), (1, "2001"), (2, "3007"), (9, "4016")]
        )
    );
    assert_eq!(
        run(&script("movingAverage('value', 2)"), data, "out"),
        rows(
            "movingAverage",
            &[(1, "1000.5"), (2, "1003.5"), (9, "1007.5"), (10, "1009.5")]
        )
    );
}

#[test]
fn stream_transformation_state_is_per_group_and_keeps_only_group_tags() {
    let script = "stream
    |from()
        .measurement('m')
        .groupBy('host')
    |difference('value')
        .as('d')
    |httpOut('out')
";
    let data = "
m,host=a,rack=r1 value=1 0
m,host=b,rack=r1 value=10 0
m,host=a,rack=r1 value=4 1
m,host=b,rack=r2 value=7 1
";
    assert_eq!(
        run(script, data, "out"),
        concat!(
            r#"{"series":[{"name":"m","tags":{"host":"a"},"columns":["time","d"],"values":[["1971-01-01T00:00:01Z",3]]},"#,
            r#"{"name":"m","tags":{"host":"b"},"columns":["time","d"],"values":[["1971-01-01T00:00:01Z",-3]]}]}"#
        )
    );
}

#[test]
fn batch_transformations_start_afresh_with_every_batch() {
    let script = "stream
    |from()
        .measurement('m')
    |window()
        .period(3s)
        .every(3s)
    |cumulativeSum('value')
    |httpOut('out')
";
    let data = "
m,host=a value=1i 0
m,host=a value=2i 1
m,host=a value=3i 2
m,host=a value=4i 3
m,host=a value=5i 4
m,host=a value=6i 5
m,host=a value=7i 6
";
    // The second window [3s, 6s): 4, 4+5, 4+5+6; the point tags are gone (group tags only).
    assert_eq!(
        run(script, data, "out"),
        r#"{"series":[{"name":"m","columns":["time","cumulativeSum"],"values":[["1971-01-01T00:00:03Z",4],["1971-01-01T00:00:04Z",9],["1971-01-01T00:00:05Z",15]]}]}"#
    );
}

#[test]
fn stream_reducers_emit_when_the_time_moves_on() {
    let script =
        "stream\n    |from()\n        .measurement('m')\n    |sum('value')\n    |httpOut('out')\n";
    let tm = run_task(
        script,
        "m,host=a value=1 0\nm,host=b value=2 0\nm,host=a value=5 1",
    );
    // Both points of 00:00:00 went into one sum; the 00:00:01 one waits for a later time.
    assert_eq!(
        serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap(),
        r#"{"series":[{"name":"m","columns":["time","sum"],"values":[["1971-01-01T00:00:00Z",3]]}]}"#
    );
    let late = points("m value=0 0\nm value=1 2");
    tm.write_points("dbname", "rpname", &late[1..]);
    assert_eq!(
        serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap(),
        r#"{"series":[{"name":"m","columns":["time","sum"],"values":[["1971-01-01T00:00:01Z",5]]}]}"#
    );
}

#[test]
fn stream_selectors_carry_the_selected_point() {
    let script = "stream\n    |from()\n        .measurement('m')\n    |max('value')\n        .as('m')\n    |httpOut('out')\n";
    let data = "
m,host=a value=1,other=\"x\" 0
m,host=b value=3,other=\"y\" 0
m,host=c value=2 0
m,host=a value=1 1
";
    assert_eq!(
        run(script, data, "out"),
        r#"{"series":[{"name":"m","tags":{"host":"b"},"columns":["time","m","other"],"values":[["1971-01-01T00:00:00Z",3,"y"]]}]}"#
    );
}

#[test]
fn stream_top_emits_a_batch_with_the_point_tags() {
    let script = "stream\n    |from()\n        .measurement('m')\n    |top(2, 'value')\n        .usePointTimes()\n    |httpOut('out')\n";
    let data = "
m,host=a value=1 0
m,host=b value=3 0
m,host=c value=2 0
m,host=a value=1 1
";
    assert_eq!(
        run(script, data, "out"),
        r#"{"series":[{"name":"m","columns":["time","host","top"],"values":[["1971-01-01T00:00:00Z","b",3],["1971-01-01T00:00:00Z","c",2]]}]}"#
    );
}

#[test]
fn sum_with_point_times_is_at_the_epoch_as_in_kapacitor() {
    // Kapacitor seeds sum with a point at time 0 and the sum keeps that time.
    let got = run(&influxql_script("sum('value')", true), RECORDING, "out");
    assert_eq!(
        got,
        series(HOST, "sum", &[(10, "940")]).replace(&t(10), "1970-01-01T00:00:00Z")
    );
    // count's time is "none", so the batch time is used.
    let got = run(&influxql_script("count('value')", true), RECORDING, "out");
    assert_eq!(got, series(HOST, "count", &[(10, "10")]));
}

#[test]
fn percentile_out_of_range_emits_nothing() {
    let got = run(
        &influxql_script("percentile('value', 1.0)", false),
        RECORDING,
        "out",
    );
    assert_eq!(got, r#"{"series":null}"#);
}

fn window_script(call: &str) -> String {
    format!(
        "stream\n    |from()\n        .measurement('m')\n    |window()\n        .period(10s)\n        .every(10s)\n    |{call}\n    |httpOut('out')\n"
    )
}

#[test]
fn points_without_the_field_or_of_another_type_are_skipped_without_errors() {
    let data = "
m other=1 0
m value=1 1
m other=2 2
m value=3 3
m value=\"x\" 4
m value=0 10
";
    let tm = run_task(&window_script("mean('value')"), data);
    assert_eq!(
        serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap(),
        r#"{"series":[{"name":"m","columns":["time","mean"],"values":[["1971-01-01T00:00:10Z",2]]}]}"#
    );
    // Kapacitor only logs these; the node counts no error.
    let stats = tm.task_stats("t").unwrap();
    assert_eq!(stats["node-stats"]["mean3"]["errors"], 0, "{stats}");
    assert_eq!(stats["node-stats"]["mean3"]["emitted"], 1, "{stats}");
}

#[test]
fn a_window_without_the_field_counts_zero_and_averages_nothing() {
    let data = "m other=1 0\nm other=2 1\nm other=0 10";
    assert_eq!(
        run(&window_script("count('value')"), data, "out"),
        r#"{"series":[{"name":"m","columns":["time","count"],"values":[["1971-01-01T00:00:10Z",0]]}]}"#
    );
    assert_eq!(
        run(&window_script("mean('value')"), data, "out"),
        r#"{"series":null}"#
    );
}

#[test]
fn a_function_that_does_not_apply_to_the_type_emits_nothing() {
    let data = "m value=\"a\" 0\nm value=\"b\" 1\nm value=\"c\" 10";
    let tm = run_task(&window_script("mean('value')"), data);
    assert_eq!(
        serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap(),
        r#"{"series":null}"#
    );
    assert_eq!(
        tm.task_stats("t").unwrap()["node-stats"]["mean3"]["errors"],
        0
    );
    // The same task works for numbers.
    let data = "m value=1i 0\nm value=2i 1\nm value=0i 10";
    assert_eq!(
        run(&window_script("mean('value')"), data, "out"),
        r#"{"series":[{"name":"m","columns":["time","mean"],"values":[["1971-01-01T00:00:10Z",1.5]]}]}"#
    );
}

#[test]
fn each_window_is_realized_for_its_own_type() {
    let data = "m value=1 0\nm value=2 1\nm value=3i 10\nm value=4i 11\nm value=0 20";
    let tm = run_task(&window_script("sum('value')"), data);
    assert_eq!(
        serde_json::to_string(&tm.http_out("t", "out").unwrap()).unwrap(),
        r#"{"series":[{"name":"m","columns":["time","sum"],"values":[["1971-01-01T00:00:20Z",7]]}]}"#
    );
}

#[test]
fn working_cardinality_counts_groups() {
    let script = "stream\n    |from()\n        .measurement('m')\n        .groupBy('host')\n    |last('value')\n    |httpOut('out')\n";
    let tm = run_task(
        script,
        "m,host=a value=1 0\nm,host=b value=1 0\nm,host=c value=1 1",
    );
    let stats = tm.task_stats("t").unwrap();
    assert_eq!(
        stats["node-stats"]["last2"]["working_cardinality"], 3,
        "{stats}"
    );
}

#[test]
fn an_empty_window_counts_and_sums_zero() {
    // A 1s window every 5s: the window emitted at 5s holds no point.
    let script = |call: &str| {
        format!(
            "stream\n    |from()\n        .measurement('m')\n    |window()\n        .period(1s)\n        .every(5s)\n    |{call}\n    |httpOut('out')\n"
        )
    };
    let data = "m value=1 0\nm value=2 3\nm value=3 5";
    assert_eq!(
        run(&script("count('value')"), data, "out"),
        r#"{"series":[{"name":"m","columns":["time","count"],"values":[["1971-01-01T00:00:05Z",0]]}]}"#
    );
    assert_eq!(
        run(&script("sum('value')"), data, "out"),
        r#"{"series":[{"name":"m","columns":["time","sum"],"values":[["1971-01-01T00:00:05Z",0]]}]}"#
    );
    assert_eq!(
        run(&script("max('value')"), data, "out"),
        r#"{"series":null}"#
    );
}

#[test]
fn group_tags_include_missing_dimensions_as_empty() {
    let script = "stream\n    |from()\n        .measurement('m')\n        .groupBy('host', 'rack')\n    |count('value')\n    |httpOut('out')\n";
    assert_eq!(
        run(script, "m,host=a value=1 0\nm,host=a value=2 1", "out"),
        r#"{"series":[{"name":"m","tags":{"host":"a","rack":""},"columns":["time","count"],"values":[["1971-01-01T00:00:00Z",1]]}]}"#
    );
}
