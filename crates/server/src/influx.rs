//! The `[[influxdb]]` clusters: built from the merged config, probed at startup in the
//! background (InfluxDB is not needed to start, unlike Kapacitor which waits up to
//! `startup-timeout` and then fails).

use std::sync::Arc;
use std::time::Duration;

use kapa_influxdb::{ClusterConfig, Clusters};

use crate::ServerError;

/// Every `[[influxdb]]` section, typed with Kapacitor's defaults for missing keys.
pub fn cluster_configs(raw: &toml::Table) -> Result<Vec<ClusterConfig>, ServerError> {
    let Some(items) = raw.get("influxdb").and_then(|v| v.as_array()) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|v| {
            v.clone()
                .try_into::<ClusterConfig>()
                .map_err(|e| ServerError::Config(format!("[[influxdb]]: {}", e.message())))
        })
        .collect()
}

/// The clusters of the config; an invalid section stops startup as in Kapacitor.
pub fn clusters(raw: &toml::Table) -> Result<Clusters, ServerError> {
    Clusters::from_configs(cluster_configs(raw)?)
        .map_err(|e| ServerError::Config(format!("invalid influxdb config: {e}")))
}

/// Pings every cluster with backoff for up to its `startup-timeout`, logging the outcome;
/// runs on its own thread and never stops the daemon.
pub fn probe_in_background(clusters: Arc<Clusters>) {
    for c in clusters.all() {
        let c = c.clone();
        let spawned = std::thread::Builder::new()
            .name("kapa-influx-probe".into())
            .spawn(move || {
                let timeout =
                    Duration::from_nanos(u64::try_from(c.config().startup_timeout).unwrap_or(0));
                match c.wait_ready(timeout) {
                    Ok(version) => tracing::info!(
                        service = "influxdb", cluster = %c.name(), version = %version,
                        "connected to InfluxDB; batch queries, influxDBOut and [stats] use it"
                    ),
                    Err(e) => tracing::warn!(
                        service = "influxdb", cluster = %c.name(), err = %e,
                        "InfluxDB did not answer within startup-timeout; batch queries and influxDBOut will keep retrying"
                    ),
                }
            });
        if let Err(e) = spawned {
            tracing::error!(service = "influxdb", err = %e, "cannot start the InfluxDB probe");
        }
    }
}
