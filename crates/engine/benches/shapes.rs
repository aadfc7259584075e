//! Kapacitor's benchmark shapes (`integrations/benchmark_test.go`) in-process: T identical
//! tasks, P points written once, reported as point-task deliveries per second (T x P).
//!
//! Differences from Kapacitor's harness, on purpose: the points are parsed once up front (the
//! parse cost is measured on its own by `ingest/parse_only` and `kapa-bench -parse-only`), and
//! our `write_points` returns only when every task has processed the points, so there is no
//! separate drain. Task creation is not timed, as in Kapacitor.
//!
//! Combinations above `MAX_DELIVERIES` (alert: `MAX_ALERT_DELIVERIES`) per iteration are
//! skipped to keep a run on a shared 2-core machine within minutes; `KAPA_SHAPES_ALL=1` runs
//! them too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::Point;
use kapa_models::Precision;
use kapa_models::time::ManualClock;
use kapa_pipeline::{Dbrp, TaskType};

const MAX_DELIVERIES: usize = 5_000_000;
/// Alert evaluation is far slower per delivery than the other shapes (see BENCHMARKS.md).
const MAX_ALERT_DELIVERIES: usize = 50_000;

const SIMPLE: &str = "stream\n    |from()\n        .measurement('m1')\n";
const COUNT: &str = "stream\n    |from()\n        .measurement('m1')\n    |window()\n        .period(100s)\n        .every(100s)\n    |count('value')\n";
const ALERT: &str = "stream\n    |from()\n        .measurement('m1')\n    |alert()\n        .id('{{ .Name }}_{{ .TaskName }}')\n        .info(lambda: \"value\" > 10)\n        .warn(lambda: \"value\" > 20)\n        .crit(lambda: \"value\" > 30)\n";
const JOIN: &str = "var m1 = stream\n    |from()\n        .measurement('m1')\nvar m2 = stream\n    |from()\n        .measurement('m2')\nm1\n    |join(m2)\n        .as('m1', 'm2')\n        .tolerance(1s)\n    |eval(lambda: \"m1.value\" * \"m2.value\")\n        .as('value')\n";

/// Kapacitor's write body for one measurement: `m value=i <i as seconds>`, parsed once.
fn points(measurement: &str, count: usize) -> Vec<Point> {
    let mut body = String::with_capacity(count * 24);
    for i in 0..count {
        body.push_str(&format!("{measurement} value={i} {i:010}\n"));
    }
    let mut out = Vec::with_capacity(count);
    let errs =
        kapa_lineproto::Parser::new().parse_points(body.as_bytes(), Precision::Second, 0, &mut out);
    assert!(errs.is_empty(), "generated line protocol parses");
    out
}

fn master(tasks: usize, script: &str) -> Arc<TaskMaster> {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    for t in 0..tasks {
        tm.start_task(&TaskDef {
            id: format!("task_{t}"),
            task_type: TaskType::Stream,
            dbrps: vec![Dbrp {
                db: "dbname".into(),
                rp: "rpname".into(),
            }],
            script: script.into(),
            vars: HashMap::new(),
        })
        .expect("task starts");
    }
    tm
}

fn shapes(c: &mut Criterion) {
    let all = std::env::var_os("KAPA_SHAPES_ALL").is_some();
    let mut g = c.benchmark_group("shapes");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    let cases: [(&str, &str, &[&str]); 5] = [
        ("simple_match", SIMPLE, &["m1"]),
        ("simple_nomatch", SIMPLE, &["m2"]),
        ("count", COUNT, &["m1"]),
        ("alert", ALERT, &["m1"]),
        ("join", JOIN, &["m1", "m2"]),
    ];
    for p in [500usize, 5_000, 50_000] {
        for (name, script, measurements) in cases {
            let writes: Vec<Vec<Point>> = measurements.iter().map(|m| points(m, p)).collect();
            let per_task = p * writes.len();
            for t in [10usize, 100, 1000] {
                let cap = if name == "alert" {
                    MAX_ALERT_DELIVERIES
                } else {
                    MAX_DELIVERIES
                };
                if !all && t * per_task > cap {
                    continue;
                }
                g.throughput(Throughput::Elements((t * per_task) as u64));
                g.bench_with_input(
                    BenchmarkId::new(name, format!("T{t}_P{p}")),
                    &writes,
                    |b, writes| {
                        b.iter_batched(
                            || master(t, script),
                            |tm| {
                                for w in writes {
                                    tm.write_points("dbname", "rpname", w);
                                }
                                // Dropping 1,000 tasks is not part of the work being measured.
                                tm
                            },
                            BatchSize::PerIteration,
                        )
                    },
                );
            }
        }
    }
    g.finish();
}

criterion_group!(benches, shapes);
criterion_main!(benches);
