//! In-process ingest: parse a line-protocol body, route it, run `from` + an `alert` that
//! does not fire (the getting-started task). Reports points/s on one core.

use std::collections::HashMap;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::Precision;
use kapa_models::time::ManualClock;
use kapa_pipeline::{Dbrp, TaskType};

const LINES: usize = 10_000;

fn body() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..LINES {
        s.push_str(&format!(
            "cpu,cpu=cpu-total,host=server{:02} usage_idle={}.5,usage_user={}.25 {}\n",
            i % 16,
            80 + i % 15,
            i % 10,
            1_600_000_000_000_000_000i64 + i as i64 * 1_000_000
        ));
    }
    s.into_bytes()
}

fn master(tasks: usize, measurement: &str) -> Arc<TaskMaster> {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    for t in 0..tasks {
        let script = format!(
            "stream|from().measurement('{measurement}')|alert().crit(lambda: \"usage_idle\" < 70).log('/dev/null')"
        );
        tm.start_task(&TaskDef {
            id: format!("t{t}"),
            task_type: TaskType::Stream,
            dbrps: vec![Dbrp {
                db: "db".into(),
                rp: "autogen".into(),
            }],
            script,
            vars: HashMap::new(),
        })
        .expect("task starts");
    }
    tm
}

fn bench(c: &mut Criterion) {
    let body = body();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(LINES as u64));

    let mut points = Vec::with_capacity(LINES);
    let mut parser = kapa_lineproto::Parser::new();
    g.bench_function("parse_only", |b| {
        b.iter(|| {
            points.clear();
            let errs = parser.parse_points(&body, Precision::Nanosecond, 0, &mut points);
            assert!(errs.is_empty());
        })
    });

    let tm = master(1, "cpu");
    g.bench_function("parse_route_from_alert_1_task", |b| {
        b.iter(|| {
            points.clear();
            parser.parse_points(&body, Precision::Nanosecond, 0, &mut points);
            tm.write_points("db", "autogen", &points);
        })
    });

    let tm = master(1000, "other");
    g.bench_function("parse_route_1000_nonmatching_tasks", |b| {
        b.iter(|| {
            points.clear();
            parser.parse_points(&body, Precision::Nanosecond, 0, &mut points);
            tm.write_points("db", "autogen", &points);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
