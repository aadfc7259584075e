//! Batch tasks: query nodes found by the scheduler, injected results, stats and DOT.

use std::collections::HashMap;

use kapa_influxdb::{QueryBatch, QueryPoint};
use kapa_models::time::SECOND;
use kapa_models::{FieldValue, Fields, Tags};
use kapa_pipeline::TaskType;

use super::tests::master;
use super::*;

fn batch_def(id: &str, script: &str) -> TaskDef {
    TaskDef {
        id: id.into(),
        task_type: TaskType::Batch,
        dbrps: vec![],
        script: script.into(),
        vars: HashMap::new(),
    }
}

fn series(host: &str, values: &[(i64, f64)]) -> QueryBatch {
    let tags = Tags::from_pairs(vec![("host".into(), host.into())]);
    QueryBatch {
        name: "cpu".into(),
        tags: tags.clone(),
        tmax: values.iter().map(|v| v.0).max().unwrap_or(0),
        points: values
            .iter()
            .map(|(t, v)| QueryPoint {
                time: *t,
                fields: Fields::from_pairs(vec![("mean".into(), FieldValue::Float(*v))]),
                tags: tags.clone(),
            })
            .collect(),
    }
}

#[test]
fn batch_task_exposes_its_query_and_runs_injected_batches() {
    let (tm, cap) = master();
    tm.start_task(&batch_def(
        "cpu_alert_batch",
        "batch|query('SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".cpu')
            .period(5m).every(5m).groupBy(time(1m), 'host')
          |alert().crit(lambda: \"mean\" < 70).log('/tmp/x.log')",
    ))
    .unwrap();
    let sources = tm.batch_sources();
    assert_eq!(sources.len(), 1);
    let src = &sources[0];
    assert_eq!(
        (src.task.as_str(), src.node_name.as_str()),
        ("cpu_alert_batch", "query1")
    );
    assert_eq!(src.spec.period, 300 * SECOND);
    let mut q = src.query.clone();
    q.set_range(0, 300 * SECOND);
    assert_eq!(
        q.to_string(),
        "SELECT mean(usage_idle) FROM telegraf.autogen.cpu WHERE time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:05:00Z' GROUP BY time(1m, 0s), host"
    );
    let batches = crate::to_batches(
        vec![
            series("a", &[(60 * SECOND, 50.0), (120 * SECOND, 90.0)]),
            series("b", &[(60 * SECOND, 95.0)]),
        ],
        300 * SECOND,
        q.is_grouped_by_time(),
        false,
    );
    assert_eq!(
        batches[0].tmax,
        120 * SECOND,
        "grouped by time: last point time"
    );
    assert_eq!(batches[0].group.id.as_str(), "host=a");
    tm.deliver_batches(src, &batches);
    let events = cap.events.lock();
    assert_eq!(events.len(), 1, "only host a has a mean below 70");
    assert_eq!(events[0].1.data.id, "cpu:host=a");
    drop(events);

    src.failed(true);
    src.failed(false);
    let stats = tm.task_stats("cpu_alert_batch").unwrap();
    let q = &stats["node-stats"]["query1"];
    assert_eq!(q["batches_queried"], 2);
    assert_eq!(q["points_queried"], 3);
    assert_eq!(q["query_errors"], 1);
    assert_eq!(q["connect_errors"], 1);
    assert_eq!(q["errors"], 2);
    let dot = tm.task_dot("cpu_alert_batch", false).unwrap();
    assert!(dot.contains("batches/s"), "{dot}");
    assert!(dot.contains("batches_queried=\"2\""), "{dot}");
    assert!(dot.contains("query1 -> alert2 [processed=\"2\"]"), "{dot}");

    assert!(src.is_live());
    tm.stop_task("cpu_alert_batch");
    assert!(!src.is_live());
    // A late run of a stopped task is ignored.
    tm.deliver_batches(src, &batches);
    assert!(tm.batch_sources().is_empty());
}

#[test]
fn ungrouped_batches_end_at_the_query_stop() {
    let b = crate::to_batches(vec![series("a", &[(5, 1.0)])], 100, false, true);
    assert_eq!(b[0].tmax, 100);
    assert!(b[0].group.dims.by_name);
    assert_eq!(b[0].group.dims.tags, vec![smol_str::SmolStr::new("host")]);
    let empty = crate::to_batches(vec![series("a", &[])], 100, true, false);
    assert_eq!(empty[0].tmax, 100);
}

#[test]
fn bad_queries_are_refused_at_define_time() {
    let (tm, _) = master();
    let err = tm
        .validate(&batch_def("t", "batch|query('SELECT FROM').every(1m)"))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("failed to parse InfluxQL query"),
        "{err}"
    );
    let err = tm
        .validate(&batch_def(
            "t",
            "batch|query('SELECT v FROM m').every(1m).fill('sideways')",
        ))
        .unwrap_err();
    assert_eq!(err.to_string(), "unexpected fill option sideways");
    let err = tm
        .validate(&batch_def(
            "t",
            "batch|query('SELECT v FROM m').cron('* *')",
        ))
        .unwrap_err();
    assert!(err.to_string().contains("5 to 7 fields"), "{err}");
    assert!(
        tm.validate(&batch_def(
            "t",
            "batch|query('SELECT v FROM m').cron('*/5 * * * *')"
        ))
        .is_ok()
    );
}

#[test]
fn influxdb_out_needs_a_configured_cluster() {
    let (tm, _) = master();
    let err = tm
        .start_task(&def_stream(
            "stream|from().measurement('cpu')|influxDBOut().database('db')",
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "influxdb_out2: no default InfluxDB cluster is configured"
    );
}

fn def_stream(script: &str) -> TaskDef {
    TaskDef {
        id: "t".into(),
        task_type: TaskType::Stream,
        dbrps: vec![kapa_pipeline::Dbrp {
            db: "db".into(),
            rp: "rp".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    }
}
