//! A benchmark kept as an ignored test (timings are never pass/fail): alerts that fire on
//! every point, delivered by the log handler to a file, measured end to end (engine
//! evaluation, publishing, the handler's thread writing the lines).
//!
//! `cargo test --release -p kapa-alert --test log_throughput -- --ignored --nocapture`

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapa_alert::{AlertService, DeliveryConfig, ServiceConfig};
use kapa_engine::{EngineConfig, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::{ManualClock, SECOND};
use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::{Dbrp, TaskType};

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn fired_alerts_to_the_log_handler_per_second() {
    const N: usize = 300_000;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("alerts.log");
    let alerts = AlertService::with_config(ServiceConfig {
        delivery: DeliveryConfig {
            queue_capacity: N,
            ..DeliveryConfig::default()
        },
        ..ServiceConfig::default()
    })
    .unwrap();
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(0)),
        alerts: alerts.clone(),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    });
    let script = format!(
        "stream|from().measurement('cpu').groupBy('host')|alert().crit(lambda: \"usage_idle\" < 70).log('{}')",
        log.display()
    );
    tm.start_task(&TaskDef {
        id: "cpu_alert".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "db".into(),
            rp: "rp".into(),
        }],
        script,
        vars: HashMap::new(),
    })
    .unwrap();
    let points: Vec<Point> = (0..N)
        .map(|i| {
            let mut tags = Tags::new();
            tags.insert("host", format!("h{}", i % 100).into());
            let mut fields = Fields::new();
            fields.insert("usage_idle", FieldValue::Float(10.0));
            Point {
                name: "cpu".into(),
                tags,
                fields,
                time: i as i64 * SECOND,
            }
        })
        .collect();
    let start = Instant::now();
    for chunk in points.chunks(1000) {
        tm.write_points("db", "rp", chunk);
    }
    let evaluated = start.elapsed();
    assert!(alerts.wait_idle(Duration::from_secs(120)));
    let delivered = start.elapsed();
    let lines = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(lines, N, "every fired event reached the file");
    println!(
        "{N} fired alerts: evaluated and published in {:.0} ms ({:.0} events/s); written by the log handler in {:.0} ms ({:.0} events/s end to end)",
        evaluated.as_secs_f64() * 1e3,
        N as f64 / evaluated.as_secs_f64(),
        delivered.as_secs_f64() * 1e3,
        N as f64 / delivered.as_secs_f64()
    );
}
