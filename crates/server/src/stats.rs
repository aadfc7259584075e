//! `[stats]`: every `stats-interval`, this server's statistics become points of the
//! `database`/`retention-policy` (default `_kapacitor.autogen`): written into this
//! server's own stream as Kapacitor does (so tasks can read them) and, when an InfluxDB
//! cluster is configured and answers, to its default cluster too.
//!
//! Measurements, as Kapacitor's `GetStatsData`: `kapacitor` (no tags: task counts, uptime),
//! `ingress` (points received per db/rp/measurement), `nodes` (every node's statistics per
//! running task), `alert_handler` (delivery counters) and `runtime` (no tags: process
//! memory and threads in Go's memstats names).

use std::sync::Arc;
use std::time::Duration;

use kapa_influxdb::{BufferedWriter, Clusters, WriteTarget, WriterOptions};
use kapa_models::{FieldValue, Fields, Point, Tags};
use parking_lot::{Condvar, Mutex};
use serde::Deserialize;
use smol_str::SmolStr;

use crate::state::AppState;
use kapa_models::duration::deserialize_go as de_duration;

/// `[stats]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct StatsConfig {
    /// Write statistics.
    pub enabled: bool,
    /// Interval, ns.
    #[serde(deserialize_with = "de_duration")]
    pub stats_interval: i64,
    /// Database.
    pub database: String,
    /// Retention policy.
    pub retention_policy: String,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig {
            enabled: true,
            stats_interval: 10_000_000_000,
            database: "_kapacitor".into(),
            retention_policy: "autogen".into(),
        }
    }
}

impl StatsConfig {
    /// The `[stats]` section of the merged config.
    pub fn from_raw(raw: &toml::Table) -> Result<StatsConfig, crate::ServerError> {
        let Some(v) = raw.get("stats") else {
            return Ok(StatsConfig::default());
        };
        let c: StatsConfig = v.clone().try_into().map_err(|e: toml::de::Error| {
            crate::ServerError::Config(format!("[stats]: {}", e.message()))
        })?;
        if c.enabled && c.stats_interval <= 0 {
            return Err(crate::ServerError::Config(
                "[stats]: stats-interval must be greater than 0".into(),
            ));
        }
        Ok(c)
    }
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    Tags::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| (SmolStr::new(k), SmolStr::new(v)))
            .collect(),
    )
}

fn int_fields(pairs: Vec<(String, i64)>) -> Fields {
    Fields::from_pairs(
        pairs
            .into_iter()
            .map(|(k, v)| (SmolStr::new(k), FieldValue::Int(v)))
            .collect(),
    )
}

/// Seconds since the stats module was first used (the daemon's start, near enough).
fn uptime_seconds() -> f64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

/// Resident memory (bytes) and threads of this process, from /proc.
fn process_memory() -> (i64, i64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:") * 1024, field("Threads:"))
}

/// The statistics at `now` as points.
pub fn collect(app: &AppState, now: i64) -> Vec<Point> {
    let id = &app.identity;
    let base = [
        ("cluster_id", id.cluster_id.as_str()),
        ("host", id.hostname.as_str()),
        ("server_id", id.server_id.as_str()),
    ];
    let mut out = Vec::new();
    let (num_tasks, num_enabled) = app.tasks.counts();
    let mut global = int_fields(vec![
        ("num_enabled_tasks".into(), num_enabled as i64),
        (
            "num_subscriptions".into(),
            crate::subscriptions::count() as i64,
        ),
        ("num_tasks".into(), num_tasks as i64),
    ]);
    global.insert("uptime", FieldValue::Float(uptime_seconds()));
    out.push(Point {
        name: "kapacitor".into(),
        tags: Tags::new(),
        fields: global,
        time: now,
    });
    for ((db, rp, m), n) in app.ingress.snapshot() {
        let mut t = base.to_vec();
        t.extend([
            ("database", db.as_str()),
            ("measurement", m.as_str()),
            ("retention_policy", rp.as_str()),
            ("task_master", "main"),
        ]);
        out.push(Point {
            name: "ingress".into(),
            tags: tags(&t),
            fields: int_fields(vec![("points_received".into(), n as i64)]),
            time: now,
        });
    }
    for task in app.engine.executing_ids() {
        let (Some(stats), Some(task_type)) =
            (app.engine.task_stats(&task), app.engine.task_type(&task))
        else {
            continue;
        };
        let Some(nodes) = stats.get("node-stats").and_then(|n| n.as_object()) else {
            continue;
        };
        for (node, values) in nodes {
            let kind = node.trim_end_matches(|c: char| c.is_ascii_digit());
            let mut t = base.to_vec();
            t.extend([
                ("kind", kind),
                ("node", node.as_str()),
                ("task", task.as_str()),
                ("type", task_type.as_str()),
            ]);
            let fields: Vec<(String, i64)> = values
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| v.as_i64().map(|i| (k.clone(), i)))
                        .collect()
                })
                .unwrap_or_default();
            if fields.is_empty() {
                continue;
            }
            out.push(Point {
                name: "nodes".into(),
                tags: tags(&t),
                fields: int_fields(fields),
                time: now,
            });
        }
    }
    for h in app.alerts.handler_stats() {
        let index = h.index.to_string();
        let mut t = base.to_vec();
        t.extend([
            ("handler", index.as_str()),
            ("kind", h.kind.as_str()),
            ("task_master", "main"),
            ("topic", h.topic.as_str()),
        ]);
        out.push(Point {
            name: "alert_handler".into(),
            tags: tags(&t),
            fields: int_fields(vec![
                ("dropped".into(), h.dropped as i64),
                ("failed".into(), h.failed as i64),
                ("queue_length".into(), h.queue_length as i64),
                ("retried".into(), h.retried as i64),
                ("sent".into(), h.sent as i64),
            ]),
            time: now,
        });
    }
    let (rss, threads) = process_memory();
    // There is no Go heap: the memory fields all carry the resident set size.
    out.push(Point {
        name: "runtime".into(),
        tags: Tags::new(),
        fields: int_fields(vec![
            ("Alloc".into(), rss),
            ("HeapAlloc".into(), rss),
            ("HeapInUse".into(), rss),
            ("NumGoroutine".into(), threads),
            ("Sys".into(), rss),
        ]),
        time: now,
    });
    out
}

struct Shared {
    stop: Mutex<bool>,
    cv: Condvar,
}

/// The running stats service.
pub struct StatsService {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for StatsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatsService")
    }
}

impl StatsService {
    /// Starts reporting; `None` when `[stats]` is disabled.
    pub fn start(
        cfg: StatsConfig,
        app: Arc<AppState>,
        clusters: Arc<Clusters>,
    ) -> Option<StatsService> {
        uptime_seconds();
        if !cfg.enabled {
            return None;
        }
        let shared = Arc::new(Shared {
            stop: Mutex::new(false),
            cv: Condvar::new(),
        });
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kapa-stats".into())
            .spawn(move || run(&s, &cfg, &app, &clusters))
            .map_err(
                |e| tracing::error!(service = "stats", err = %e, "cannot start the stats service"),
            )
            .ok();
        Some(StatsService { shared, thread })
    }

    /// Stops reporting; queued points get a short grace to reach InfluxDB.
    pub fn stop(mut self) {
        *self.shared.stop.lock() = true;
        self.shared.cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(shared: &Shared, cfg: &StatsConfig, app: &AppState, clusters: &Clusters) {
    let interval = Duration::from_nanos(cfg.stats_interval.max(1) as u64);
    let target = WriteTarget {
        database: cfg.database.clone(),
        retention_policy: cfg.retention_policy.clone(),
        ..WriteTarget::default()
    };
    // The writer is created once the default cluster has answered a ping, so a config
    // without a reachable InfluxDB produces no write errors.
    let mut writer: Option<BufferedWriter> = None;
    loop {
        {
            let mut stop = shared.stop.lock();
            if !*stop {
                let _ = shared.cv.wait_for(&mut stop, interval);
            }
            if *stop {
                break;
            }
        }
        let now = app.engine.clock().now();
        let points = collect(app, now);
        app.engine
            .write_points(&cfg.database, &cfg.retention_policy, &points);
        if writer.is_none()
            && let Some(c) = clusters.default_cluster()
            && c.client().ping().is_ok()
        {
            writer = Some(BufferedWriter::start(
                c,
                WriterOptions {
                    setup: Some((
                        String::new(),
                        format!("CREATE DATABASE \"{}\"", cfg.database.replace('"', "\\\"")),
                    )),
                    name: "stats".into(),
                    max_queued_points: 50_000,
                    ..WriterOptions::default()
                },
            ));
        }
        if let Some(w) = &writer {
            w.push(target.clone(), points);
        }
    }
    if let Some(w) = writer {
        w.close(Duration::from_secs(2));
    }
}
