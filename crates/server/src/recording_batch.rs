//! Batch and query recordings: the task's queries (or one query) are run against InfluxDB
//! and the results saved as `.brpl` (batches) or `.srpl` (the points of a `stream` query
//! recording).

use std::sync::Arc;

use kapa_engine::{
    Batch, EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster, schedule, to_batches,
};
use kapa_influxdb::Clusters;
use kapa_influxdb::influxql::{Query, Source};
use kapa_models::Point;
use kapa_models::time::SystemClock;

/// More runs than this for one query node is a mistake (a tiny `every` over years).
const MAX_RUNS: usize = 100_000;

/// Runs every query node of a batch task over `[start, stop]` as its schedule would have:
/// each run at `t` queries `[t - offset - period, t - offset)`. One list of batches per
/// query node, in node order.
pub fn query_task(
    def: &TaskDef,
    clusters: &Clusters,
    start: i64,
    stop: i64,
) -> Result<Vec<Vec<Batch>>, String> {
    // An isolated task master only to find the task's query nodes.
    let tm = TaskMaster::new(EngineConfig {
        clock: Arc::new(SystemClock),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "record".into(),
    });
    tm.start_task(def)
        .map_err(|e| format!("invalid task {}: {e}", def.id))?;
    let sources = tm.batch_sources();
    let mut out = Vec::with_capacity(sources.len());
    let result = (|| {
        for src in &sources {
            let cluster = clusters
                .get(&src.spec.cluster)
                .ok_or_else(|| Clusters::unknown(&src.spec.cluster).to_string())?;
            let sched = schedule::Schedule::from_spec(&src.spec)?;
            let mut batches = Vec::new();
            let mut next = sched.first(start);
            let mut runs = 0;
            while let Some(t) = next.filter(|t| *t <= stop) {
                runs += 1;
                if runs > MAX_RUNS {
                    return Err(format!(
                        "query node {} would run more than {MAX_RUNS} times between start and stop",
                        src.node_name
                    ));
                }
                let (s, e) = schedule::run_range(&src.spec, t);
                let mut q = src.query.clone();
                q.set_range(s, e);
                let results = cluster
                    .query(&q.to_string())
                    .map_err(|err| format!("query {}: {err}", q))?;
                batches.extend(to_batches(
                    results,
                    e,
                    q.is_grouped_by_time(),
                    src.spec.group_by_measurement,
                ));
                next = sched.next(t);
            }
            out.push(batches);
        }
        Ok(())
    })();
    tm.stop_task(&def.id);
    result.map(|()| out)
}

/// Runs one query; its results as the batches of one source.
pub fn query_once(clusters: &Clusters, cluster: &str, text: &str) -> Result<Vec<Batch>, String> {
    let q = Query::parse(text).map_err(|e| format!("invalid query: {e}"))?;
    let cluster = clusters
        .get(cluster)
        .ok_or_else(|| Clusters::unknown(cluster).to_string())?;
    // The query runs as given: it carries its own time range.
    let results = cluster
        .query(text)
        .map_err(|e| format!("query {text}: {e}"))?;
    let stop = kapa_models::time::Clock::now(&SystemClock);
    Ok(to_batches(results, stop, q.is_grouped_by_time(), false))
}

/// The database and retention policy a query reads (its first measurement source).
pub fn query_dbrp(text: &str) -> Result<(String, String), String> {
    let q = Query::parse(text).map_err(|e| format!("invalid query: {e}"))?;
    for s in &q.statement().sources {
        if let Source::Measurement {
            database,
            retention_policy,
            ..
        } = s
        {
            if database.is_empty() {
                return Err("a stream query recording needs a fully qualified measurement (\"db\".\"rp\".\"name\")".into());
            }
            return Ok((database.clone(), retention_policy.clone()));
        }
    }
    Err("the query has no measurement".into())
}

/// The points of batches, as a stream recording stores them.
pub fn batch_points(b: &Batch) -> impl Iterator<Item = Point> + '_ {
    b.points.iter().map(|p| Point {
        name: b.name.clone(),
        tags: p.tags.clone(),
        fields: p.fields.clone(),
        time: p.time,
    })
}
