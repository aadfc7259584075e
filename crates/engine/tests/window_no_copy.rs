//! Emitting a window does not copy it: a reducer reads the window's buffer in place, so the
//! heap work per emission does not grow with the number of points the window holds.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::{ManualClock, SECOND};
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::{Dbrp, TaskType};

const T0: i64 = 31_536_000 * SECOND;

fn point(i: i64) -> Point {
    let mut fields = Fields::new();
    fields.insert("v", FieldValue::Float(i as f64));
    let mut tags = Tags::new();
    tags.insert("host", "a".into());
    Point {
        name: "m".into(),
        tags,
        fields,
        time: T0 + i * SECOND,
    }
}

/// Heap allocations per written point once a sliding window of `period` seconds, emitted
/// every second, is full.
fn allocations_per_point(func: &str, period: i64) -> u64 {
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(T0)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let script = format!(
        "stream|from().measurement('m')|window().period({period}s).every(1s)|{func}|httpOut('o')"
    );
    tm.start_task(&TaskDef {
        id: "t".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "db".into(),
            rp: "rp".into(),
        }],
        script,
        vars: HashMap::new(),
    })
    .unwrap();
    for i in 0..period + 10 {
        tm.write_points("db", "rp", &[point(i)]);
    }
    let pts: Vec<Point> = (period + 10..period + 110).map(point).collect();
    let info = allocation_counter::measure(|| {
        for p in &pts {
            tm.write_points("db", "rp", std::slice::from_ref(p));
        }
    });
    // The window really emitted: the last mean is over the last `period` points.
    assert!(tm.http_out("t", "o").unwrap().series.is_some());
    info.count_total / pts.len() as u64
}

#[test]
fn reducing_a_sliding_window_does_not_copy_it() {
    for func in [
        "mean('v')",
        "max('v')",
        "count('v')",
        "percentile('v', 90.0)",
    ] {
        let small = allocations_per_point(func, 10);
        let large = allocations_per_point(func, 1000);
        eprintln!(
            "{func}: {small} allocations per point (10-point window), {large} (1000-point window)"
        );
        // Copying the window would cost at least one allocation per buffered point
        // (1000 here) on every emission.
        assert!(
            large < small + 50,
            "{func}: {large} allocations per point with a 1000-point window, {small} with 10"
        );
    }
}
