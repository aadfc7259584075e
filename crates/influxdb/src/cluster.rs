//! Named InfluxDB clusters from `[[influxdb]]`, one of them the default.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::InfluxError;
use crate::client::{Client, ClientConfig, WriteTarget};
use crate::config::ClusterConfig;
use crate::result::{QueryBatch, Response, result_to_batches};

/// One configured cluster and its client.
#[derive(Debug)]
pub struct Cluster {
    config: ClusterConfig,
    client: Client,
}

impl Cluster {
    /// Builds the client of a section.
    pub fn new(config: ClusterConfig) -> Result<Cluster, InfluxError> {
        config.validate()?;
        let client = Client::new(&ClientConfig {
            urls: config.urls.clone(),
            username: config.username.clone(),
            password: config.password.clone(),
            token: config.token.clone(),
            timeout: Duration::from_nanos(config.timeout.max(0) as u64),
            tls: config.tls(),
            gzip: config.compression != "none",
        })?;
        Ok(Cluster { config, client })
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Its configuration.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Its HTTP client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs one InfluxQL query (databases named in the query) and returns its series as
    /// batches, as a batch task's query node receives them.
    pub fn query(&self, q: &str) -> Result<Vec<QueryBatch>, InfluxError> {
        let resp = self.client.query("", "", q)?;
        let mut out = Vec::new();
        for r in &resp.results {
            out.extend(result_to_batches(r)?);
        }
        Ok(out)
    }

    /// Runs any statement (SHOW, CREATE...) and returns the raw answer; statement errors
    /// are returned as errors.
    pub fn execute(&self, db: &str, q: &str) -> Result<Response, InfluxError> {
        let resp = self.client.query(db, "", q)?;
        if let Some(e) = resp.results.iter().find_map(|r| r.error.clone()) {
            return Err(InfluxError::Result(e));
        }
        Ok(resp)
    }

    /// Writes a line-protocol body.
    pub fn write(&self, target: &WriteTarget, body: &[u8]) -> Result<(), InfluxError> {
        self.client.write(target, body)
    }

    /// Pings until InfluxDB answers or `timeout` passes, waiting 100ms doubling to 10s
    /// between tries; returns the version or the last error.
    pub fn wait_ready(&self, timeout: Duration) -> Result<String, InfluxError> {
        let deadline = Instant::now() + timeout;
        let mut wait = Duration::from_millis(100);
        loop {
            match self.client.ping() {
                Ok(v) => return Ok(v),
                Err(e) if Instant::now() + wait >= deadline => return Err(e),
                Err(_) => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

/// Every enabled cluster, with the default one.
#[derive(Debug, Default)]
pub struct Clusters {
    clusters: Vec<Arc<Cluster>>,
    default: Option<usize>,
}

impl Clusters {
    /// Builds the clusters of the enabled sections and picks the default as Kapacitor does:
    /// the one marked `default`, or the only enabled one.
    pub fn from_configs(configs: Vec<ClusterConfig>) -> Result<Clusters, InfluxError> {
        let mut clusters: Vec<Arc<Cluster>> = Vec::new();
        let mut default = None;
        for c in configs {
            c.validate()?;
            if !c.enabled {
                continue;
            }
            if clusters.iter().any(|k| k.name() == c.name) {
                return Err(InfluxError::Config(format!(
                    "duplicate name {:?} for influxdb configs",
                    c.name
                )));
            }
            if c.default {
                if let Some(d) = default {
                    let first: &Arc<Cluster> = &clusters[d];
                    return Err(InfluxError::Config(format!(
                        "more than one InfluxDB default was specified: {} {}",
                        first.name(),
                        c.name
                    )));
                }
                default = Some(clusters.len());
            }
            clusters.push(Arc::new(Cluster::new(c)?));
        }
        if default.is_none() {
            match clusters.len() {
                0 => {}
                1 => default = Some(0),
                _ => {
                    return Err(InfluxError::Config(
                        "at least one of the enabled InfluxDB clusters must be marked as default."
                            .into(),
                    ));
                }
            }
        }
        Ok(Clusters { clusters, default })
    }

    /// The cluster named `name`, or the default one for an empty name.
    pub fn get(&self, name: &str) -> Option<Arc<Cluster>> {
        if name.is_empty() {
            return self.default_cluster();
        }
        self.clusters.iter().find(|c| c.name() == name).cloned()
    }

    /// The default cluster.
    pub fn default_cluster(&self) -> Option<Arc<Cluster>> {
        self.default.map(|d| self.clusters[d].clone())
    }

    /// Every cluster.
    pub fn all(&self) -> &[Arc<Cluster>] {
        &self.clusters
    }

    /// True when no cluster is enabled.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The error a task gets for an unknown `.cluster()` name.
    pub fn unknown(name: &str) -> InfluxError {
        if name.is_empty() {
            InfluxError::Config("no default InfluxDB cluster is configured".into())
        } else {
            InfluxError::Config(format!("unknown InfluxDB cluster {name:?}"))
        }
    }
}
