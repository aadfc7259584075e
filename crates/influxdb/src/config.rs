//! One `[[influxdb]]` section, with every key and Kapacitor's defaults.

use std::collections::BTreeMap;

use kapa_models::duration::deserialize_go as de_duration;
use serde::Deserialize;

/// TLS options of a cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsOptions {
    /// `ssl-ca`: PEM file of the CA to trust (in addition to the system roots).
    pub ca: String,
    /// `ssl-cert`: client certificate PEM file.
    pub cert: String,
    /// `ssl-key`: client key PEM file.
    pub key: String,
    /// `insecure-skip-verify`.
    pub insecure_skip_verify: bool,
}

/// One `[[influxdb]]` element (`services/influxdb/config.go`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case")]
pub struct ClusterConfig {
    /// Use this cluster.
    pub enabled: bool,
    /// Name tasks refer to with `.cluster()`.
    pub name: String,
    /// The default cluster.
    pub default: bool,
    /// Server URLs; requests go to the first that answers.
    pub urls: Vec<String>,
    /// Basic auth user.
    pub username: String,
    /// Basic auth password.
    pub password: String,
    /// Token (`Authorization: Token ...`), for InfluxDB 2.x/3.x compatibility APIs.
    pub token: String,
    /// JWT shared secret (not supported here; see docs/batch-and-influxdb.md).
    pub http_shared_secret: bool,
    /// CA file.
    pub ssl_ca: String,
    /// Client certificate file.
    pub ssl_cert: String,
    /// Client key file.
    pub ssl_key: String,
    /// Skip TLS verification.
    pub insecure_skip_verify: bool,
    /// Request timeout in ns (0: none).
    #[serde(deserialize_with = "de_duration")]
    pub timeout: i64,
    /// How long startup waits for InfluxDB, ns.
    #[serde(deserialize_with = "de_duration")]
    pub startup_timeout: i64,
    /// No subscriptions.
    pub disable_subscriptions: bool,
    /// `cluster` or `server`.
    pub subscription_mode: String,
    /// `http`, `https` or `udp`.
    pub subscription_protocol: String,
    /// How often subscriptions are checked, ns.
    #[serde(deserialize_with = "de_duration")]
    pub subscriptions_sync_interval: i64,
    /// Path of subscription URLs.
    pub subscription_path: String,
    /// Host name put in subscription URLs.
    pub kapacitor_hostname: String,
    /// Port put in subscription URLs (0: the HTTP port).
    pub http_port: i64,
    /// Bind address of UDP subscription listeners.
    pub udp_bind: String,
    /// UDP buffer, packets.
    pub udp_buffer: i64,
    /// UDP socket read buffer, bytes.
    pub udp_read_buffer: i64,
    /// `gzip` or `none`, for writes.
    pub compression: String,
    /// db -> rps to subscribe to (empty: all).
    pub subscriptions: BTreeMap<String, Vec<String>>,
    /// db -> rps never subscribed to.
    pub excluded_subscriptions: BTreeMap<String, Vec<String>>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            enabled: true,
            name: "default".into(),
            default: false,
            urls: vec!["http://localhost:8086".into()],
            username: String::new(),
            password: String::new(),
            token: String::new(),
            http_shared_secret: false,
            ssl_ca: String::new(),
            ssl_cert: String::new(),
            ssl_key: String::new(),
            insecure_skip_verify: false,
            timeout: 0,
            startup_timeout: 5 * 60 * 1_000_000_000,
            disable_subscriptions: false,
            subscription_mode: "cluster".into(),
            subscription_protocol: "http".into(),
            subscriptions_sync_interval: 60 * 1_000_000_000,
            subscription_path: String::new(),
            kapacitor_hostname: String::new(),
            http_port: 0,
            udp_bind: String::new(),
            udp_buffer: 1000,
            udp_read_buffer: 0,
            compression: "gzip".into(),
            subscriptions: BTreeMap::new(),
            excluded_subscriptions: BTreeMap::from([(
                "_kapacitor".to_string(),
                vec!["autogen".to_string()],
            )]),
        }
    }
}

impl ClusterConfig {
    /// The TLS options.
    pub fn tls(&self) -> TlsOptions {
        TlsOptions {
            ca: self.ssl_ca.clone(),
            cert: self.ssl_cert.clone(),
            key: self.ssl_key.clone(),
            insecure_skip_verify: self.insecure_skip_verify,
        }
    }

    /// Kapacitor's checks of one section.
    pub fn validate(&self) -> Result<(), crate::InfluxError> {
        let err = |m: String| Err(crate::InfluxError::Config(m));
        if self.name.is_empty() {
            return err("influxdb cluster must be given a name".into());
        }
        if !self.enabled {
            return Ok(());
        }
        if self.urls.is_empty() {
            return err(format!(
                "must specify at least one InfluxDB URL for cluster {:?}",
                self.name
            ));
        }
        for u in &self.urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return err(format!(
                    "invalid URL {u:?}: must start with http:// or https://"
                ));
            }
        }
        if !matches!(self.subscription_mode.as_str(), "cluster" | "server") {
            return err(format!(
                "invalid subscription-mode {:?}, must be 'cluster' or 'server'",
                self.subscription_mode
            ));
        }
        if !matches!(
            self.subscription_protocol.as_str(),
            "http" | "https" | "udp"
        ) {
            return err(format!(
                "invalid subscription protocol, must be one of 'udp', 'http' or 'https', got {:?}",
                self.subscription_protocol
            ));
        }
        if !matches!(self.compression.as_str(), "gzip" | "none" | "") {
            return err(format!(
                "invalid compression {:?}, must be 'gzip' or 'none'",
                self.compression
            ));
        }
        if self.timeout < 0 || self.startup_timeout < 0 {
            return err("timeouts must not be negative".into());
        }
        Ok(())
    }
}
