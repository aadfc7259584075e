//! Windows: `window(10s) + mean` and the sliding `window(1m).every(1s) + mean`, grouped by host
//! over 1,000 hosts (points/s on one core), and
//! the memory a window holds: 10,000 groups x 1-minute windows of 1 point/s, reported as bytes
//! per buffered point and per group.

use std::collections::HashMap;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::ManualClock;
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::{Dbrp, TaskType};

const S: i64 = 1_000_000_000;

fn master(script: &str) -> Arc<TaskMaster> {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    tm.start_task(&TaskDef {
        id: "t".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "db".into(),
            rp: "autogen".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    })
    .expect("task starts");
    tm
}

/// One point per host for second `sec`.
fn second(hosts: usize, sec: i64) -> Vec<Point> {
    (0..hosts)
        .map(|h| {
            let mut tags = Tags::with_capacity(1);
            tags.insert("host", format!("host{h:05}").into());
            let mut fields = Fields::with_capacity(1);
            fields.insert(
                "usage_idle",
                FieldValue::Float(50.0 + (h % 40) as f64 + sec as f64 * 0.01),
            );
            Point {
                name: "cpu".into(),
                tags,
                fields,
                time: sec * S,
            }
        })
        .collect()
}

fn throughput(c: &mut Criterion) {
    const HOSTS: usize = 1_000;
    let data: Vec<Vec<Point>> = (0..100).map(|s| second(HOSTS, s)).collect();
    let mut g = c.benchmark_group("window");
    g.throughput(Throughput::Elements((HOSTS * data.len()) as u64));
    g.bench_function("window10s_mean_by_host_1000_hosts", |b| {
        b.iter_batched(
            || master("stream|from().measurement('cpu').groupBy('host')|window().period(10s).every(10s)|mean('usage_idle')"),
            |tm| {
                for batch in &data {
                    tm.write_points("db", "autogen", batch);
                }
                tm
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // A sliding window (60 points per group, emitted every second): the reducer reads the
    // window's buffer in place instead of a copy per emission.
    g.bench_function("window1m_every1s_mean_by_host_1000_hosts", |b| {
        b.iter_batched(
            || master("stream|from().measurement('cpu').groupBy('host')|window().period(1m).every(1s)|mean('usage_idle')"),
            |tm| {
                for batch in &data {
                    tm.write_points("db", "autogen", batch);
                }
                tm
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn memory(_c: &mut Criterion) {
    const GROUPS: usize = 10_000;
    let tm =
        master("stream|from().measurement('cpu').groupBy('host')|window().period(1m).every(1m)");
    let first = second(GROUPS, 0);
    let one = allocation_counter::measure(|| tm.write_points("db", "autogen", &first));
    let rest: Vec<Vec<Point>> = (1..59).map(|s| second(GROUPS, s)).collect();
    let more = allocation_counter::measure(|| {
        for batch in &rest {
            tm.write_points("db", "autogen", batch);
        }
    });
    let points = (GROUPS * rest.len()) as f64;
    let per_point = more.bytes_current as f64 / points;
    let per_group = one.bytes_current as f64 / GROUPS as f64 - per_point;
    println!(
        "window memory: {GROUPS} groups x 59 buffered points: {per_point:.1} bytes per buffered point, {per_group:.1} bytes per group (first point excluded)"
    );
}

criterion_group!(benches, throughput, memory);
criterion_main!(benches);
