//! Large writes that reach several tasks run the tasks on several cores; every task must
//! end up exactly where a one-point-at-a-time run leaves it.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::{ManualClock, SECOND};
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::{Dbrp, TaskType};

const T0: i64 = 31_536_000 * SECOND;

const TASKS: &[(&str, &str)] = &[
    (
        "mean",
        "stream|from().measurement('cpu').groupBy('host')|window().period(10s).every(10s)|mean('v')|httpOut('o')",
    ),
    (
        "max",
        "stream|from().measurement('cpu').groupBy('host')|window().period(30s).every(5s)|max('v')|httpOut('o')",
    ),
    (
        "mem",
        "stream|from().measurement('mem').groupBy(*)|window().period(10s).every(10s)|count('v')|httpOut('o')",
    ),
    (
        "all",
        "stream|from().groupBy('host')|derivative('v').unit(1s)|window().period(20s).every(20s)|sum('v')|httpOut('o')",
    ),
    (
        "crit",
        "stream|from().measurement('cpu').groupBy('host')|alert().crit(lambda: \"v\" > 90).stateChangesOnly()|window().period(100s).every(100s)|httpOut('o')",
    ),
];

fn master() -> Arc<TaskMaster> {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(T0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    for (id, script) in TASKS {
        tm.start_task(&TaskDef {
            id: (*id).into(),
            task_type: TaskType::Stream,
            dbrps: vec![Dbrp {
                db: "db".into(),
                rp: "rp".into(),
            }],
            script: (*script).into(),
            vars: HashMap::new(),
        })
        .unwrap();
    }
    tm
}

/// 200 seconds of 20 hosts, cpu and mem interleaved in runs.
fn data() -> Vec<Point> {
    let mut out = Vec::new();
    for s in 0..200i64 {
        for m in ["cpu", "mem"] {
            for h in 0..20 {
                let mut tags = Tags::new();
                tags.insert("host", format!("h{h}").into());
                let mut fields = Fields::new();
                fields.insert("v", FieldValue::Float(((s * 7 + h * 13) % 100) as f64));
                out.push(Point {
                    name: m.into(),
                    tags,
                    fields,
                    time: T0 + s * SECOND + h,
                });
            }
        }
    }
    out
}

fn outputs(tm: &TaskMaster) -> Vec<String> {
    TASKS
        .iter()
        .map(|(id, _)| serde_json::to_string(&tm.http_out(id, "o").unwrap()).unwrap())
        .collect()
}

#[test]
fn parallel_writes_give_the_sequential_results() {
    let points = data();
    let sequential = master();
    for p in &points {
        sequential.write_points("db", "rp", std::slice::from_ref(p));
    }
    let parallel = master();
    for chunk in points.chunks(4000) {
        parallel.write_points("db", "rp", chunk);
    }
    let want = outputs(&sequential);
    assert!(want.iter().all(|o| o.contains("values")), "{want:?}");
    assert_eq!(outputs(&parallel), want);
    for (id, _) in TASKS {
        let a = sequential.task_stats(id).unwrap();
        let b = parallel.task_stats(id).unwrap();
        for (node, stats) in a["node-stats"].as_object().unwrap() {
            assert_eq!(
                stats["emitted"], b["node-stats"][node]["emitted"],
                "{id} {node}"
            );
        }
    }
}
