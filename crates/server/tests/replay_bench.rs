//! Replay throughput: a 1,000,000-point gzip recording through `window` + `mean`, grouped
//! by host. Prints points/s; run with
//! `cargo test --release -p kapa-server --test replay_bench -- --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::ManualClock;
use kapa_pipeline::{Dbrp, TaskType};
use kapa_server::replay::{RunOptions, run_stream};
use kapa_server::srpl::SrplWriter;

const POINTS: usize = 1_000_000;
const HOSTS: usize = 100;

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn replay_one_million_points_through_window_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.srpl");
    let mut w = SrplWriter::create(&path).unwrap();
    let mut pts = Vec::new();
    let mut body = String::new();
    for i in 0..POINTS {
        body.clear();
        // 100 hosts, one point per host every 10ms of data time.
        body.push_str(&format!(
            "cpu,host=h{},region=eu usage_idle={} {}\n",
            i % HOSTS,
            (i % 97) as f64,
            1_500_000_000_000_000_000_i64 + (i / HOSTS) as i64 * 10_000_000
        ));
        pts.clear();
        kapa_lineproto::parse_points(
            body.as_bytes(),
            kapa_models::Precision::Nanosecond,
            0,
            &mut pts,
        );
        w.write("telegraf", "autogen", &pts[0]).unwrap();
    }
    let size = w.finish().unwrap();

    // Reading and parsing alone, to tell the file's share from the engine's.
    let t = Instant::now();
    let mut read = 0usize;
    kapa_server::srpl::read::<String>(&path, |_, _, p| {
        read += p.len();
        Ok(())
    })
    .unwrap();
    let read_secs = t.elapsed().as_secs_f64();
    assert_eq!(read, POINTS);
    println!(
        "read+parse alone: {read_secs:.2}s ({:.0} points/s)",
        read as f64 / read_secs
    );

    let clock = Arc::new(ManualClock::new(0));
    let tm = TaskMaster::new(EngineConfig {
        clock: clock.clone(),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "bench".into(),
    });
    let def = TaskDef {
        id: "bench".into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "telegraf".into(),
            rp: "autogen".into(),
        }],
        script: "stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n    |window()\n        .period(10s)\n        .every(10s)\n    |mean('usage_idle')\n".into(),
        vars: Default::default(),
    };
    tm.start_task(&def).unwrap();
    let start = Instant::now();
    let n = run_stream(
        &tm,
        &clock,
        &path,
        RunOptions {
            recording_time: false,
            real_clock: false,
            zero: 1_600_000_000_000_000_000,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(n, POINTS as u64);
    let stats = tm.task_stats("bench").unwrap();
    assert_eq!(stats["node-stats"]["from1"]["collected"], POINTS as u64);
    println!(
        "replayed {n} points ({:.1} MB gzip) through window+mean in {secs:.2}s: {:.0} points/s",
        size as f64 / 1e6,
        n as f64 / secs
    );
}
