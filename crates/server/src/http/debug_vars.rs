//! `GET /kapacitor/v1/debug/vars`: Go expvar-style JSON with the server identity, task
//! counts and the `kapacitor` statistics map (ingress counts per db/rp/measurement, and
//! the delivery counters of each alert handler).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kapa_models::Point;
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::state::AppState;

/// Points received, by (database, retention policy, measurement).
#[derive(Debug, Default)]
pub struct IngressStats(Mutex<BTreeMap<(String, String, String), u64>>);

impl IngressStats {
    /// Counts written points.
    pub fn record(&self, db: &str, rp: &str, points: &[Point]) {
        // Writes come in runs of one measurement: count runs, not points, in the map.
        let mut per_measurement: BTreeMap<&str, u64> = BTreeMap::new();
        let mut rest = points;
        while let Some(first) = rest.first() {
            let run = rest.iter().take_while(|p| p.name == first.name).count();
            *per_measurement.entry(first.name.as_str()).or_default() += run as u64;
            rest = &rest[run..];
        }
        let mut map = self.0.lock();
        for (m, n) in per_measurement {
            *map.entry((db.to_string(), rp.to_string(), m.to_string()))
                .or_default() += n;
        }
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> Vec<((String, String, String), u64)> {
        self.0.lock().iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

/// The handler.
pub async fn debug_vars(State(app): State<Arc<AppState>>) -> Response {
    let (num_tasks, num_enabled) = app.tasks.counts();
    let id = &app.identity;
    let mut stats = serde_json::Map::new();
    for ((db, rp, m), n) in app.ingress.snapshot() {
        stats.insert(
            format!("ingress:{db}:{rp}:{m}"),
            json!({
                "name": "ingress",
                "tags": {
                    "cluster_id": id.cluster_id,
                    "database": db,
                    "host": id.hostname,
                    "measurement": m,
                    "retention_policy": rp,
                    "server_id": id.server_id,
                    "task_master": "main",
                },
                "values": { "points_received": n },
            }),
        );
    }
    for h in app.alerts.handler_stats() {
        stats.insert(
            format!("alert_handler:{}:{}:{}", h.topic, h.index, h.kind),
            json!({
                "name": "alert_handler",
                "tags": {
                    "cluster_id": id.cluster_id,
                    "handler": h.index.to_string(),
                    "host": id.hostname,
                    "kind": h.kind,
                    "server_id": id.server_id,
                    "task_master": "main",
                    "topic": h.topic,
                },
                "values": {
                    "dropped": h.dropped,
                    "failed": h.failed,
                    "queue_length": h.queue_length,
                    "retried": h.retried,
                    "sent": h.sent,
                },
            }),
        );
    }
    // Kapacitor's per-topic statistic (`topics`, tag `id`, value `collected`).
    if let Ok(topics) = app.alerts.topic_summaries("", kapa_engine::Level::Ok) {
        for t in topics {
            stats.insert(
                format!("topics:{}", t.id),
                json!({
                    "name": "topics",
                    "tags": {
                        "cluster_id": id.cluster_id,
                        "host": id.hostname,
                        "id": t.id,
                        "server_id": id.server_id,
                    },
                    "values": { "collected": t.collected },
                }),
            );
        }
    }
    let cmdline: Vec<String> = std::env::args().collect();
    // Go's expvar writes one "key": value per line, keys sorted.
    let vars: BTreeMap<&str, Value> = BTreeMap::from([
        ("cluster_id", json!(id.cluster_id)),
        ("cmdline", json!(cmdline)),
        ("host", json!(id.hostname)),
        ("kapacitor", Value::Object(stats)),
        ("num_enabled_tasks", json!(num_enabled)),
        ("num_subscriptions", json!(crate::subscriptions::count())),
        ("num_tasks", json!(num_tasks)),
        ("platform", json!("OSS")),
        ("product", json!("kapacitor")),
        ("server_id", json!(id.server_id)),
        ("version", json!(crate::VERSION)),
    ]);
    let body = vars
        .iter()
        .map(|(k, v)| format!("{}: {}", json!(k), v))
        .collect::<Vec<_>>()
        .join(",\n");
    (StatusCode::OK, format!("{{\n{body}\n}}\n")).into_response()
}
