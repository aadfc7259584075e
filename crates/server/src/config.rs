//! Configuration: the embedded defaults (all of Kapacitor's sections), the user's file
//! merged over them, and typed views of the sections this server uses.
//!
//! Unknown sections and keys in a user's file are kept (and reported as warnings) so
//! that any existing `kapacitor.conf` loads.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Table, Value};

use crate::ServerError;
use crate::env::EnvMap;
use kapa_models::duration::deserialize_go as de_duration;

/// The default configuration, with comments, as `kapacitord config` prints it.
pub const DEFAULTS: &str = include_str!("../config/defaults.toml");

/// `[http]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct HttpConfig {
    /// Listen address; `:9092` means every interface.
    pub bind_address: String,
    /// Require authentication (not supported yet).
    pub auth_enabled: bool,
    /// Log every request.
    pub log_enabled: bool,
    /// Log write bodies.
    pub write_tracing: bool,
    /// Serve pprof endpoints.
    pub pprof_enabled: bool,
    /// Serve HTTPS (not supported yet).
    pub https_enabled: bool,
    /// Certificate for HTTPS.
    pub https_certificate: String,
    /// Private key for HTTPS.
    pub https_private_key: String,
    /// How long shutdown waits for open requests, ns.
    #[serde(deserialize_with = "de_duration")]
    pub shutdown_timeout: i64,
    /// JWT secret.
    pub shared_secret: String,
}

/// `[storage]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct StorageConfig {
    /// The database file (named after Kapacitor's BoltDB file; it is a redb file here).
    pub boltdb: String,
}

/// `[replay]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct ReplayConfig {
    /// Where recordings live.
    pub dir: String,
}

/// `[task]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct TaskConfig {
    /// Old task.db directory (migration only).
    pub dir: String,
    /// Snapshot interval, ns.
    #[serde(deserialize_with = "de_duration")]
    pub snapshot_interval: i64,
}

/// `[logging]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct LoggingConfig {
    /// A path, `STDOUT` or `STDERR`.
    pub file: String,
    /// `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub level: String,
}

/// `[load]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct LoadConfig {
    /// Load definitions from `dir` at startup.
    pub enabled: bool,
    /// Directory with `tasks/`, `templates/`, `handlers/`.
    pub dir: String,
}

/// `[alert]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct AlertConfig {
    /// Persist topic state.
    pub persist_topics: bool,
    /// Events buffered per handler.
    pub topic_buffer_length: i64,
}

/// One `[[influxdb]]` element.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct InfluxDbConfig {
    /// Use this cluster.
    pub enabled: bool,
    /// Name referenced by tasks.
    pub name: String,
    /// The default cluster.
    pub default: bool,
    /// Server URLs.
    pub urls: Vec<String>,
    /// Request timeout, ns.
    #[serde(deserialize_with = "de_duration")]
    pub timeout: i64,
    /// No subscriptions.
    pub disable_subscriptions: bool,
}

/// The typed configuration plus the full merged table.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
pub struct Config {
    /// This host's name.
    pub hostname: String,
    /// Metadata directory.
    #[serde(rename = "data_dir")]
    pub data_dir: String,
    /// Skip stored config overrides.
    pub skip_config_overrides: bool,
    /// Retention policy for writes without one.
    pub default_retention_policy: String,
    /// `[http]`.
    pub http: HttpConfig,
    /// `[storage]`.
    pub storage: StorageConfig,
    /// `[replay]`.
    pub replay: ReplayConfig,
    /// `[task]`.
    pub task: TaskConfig,
    /// `[logging]`.
    pub logging: LoggingConfig,
    /// `[load]`.
    pub load: LoadConfig,
    /// `[alert]`.
    pub alert: AlertConfig,
    /// `[[influxdb]]`.
    pub influxdb: Vec<InfluxDbConfig>,
    /// Every section and key, including those this server does not use yet.
    #[serde(skip)]
    pub raw: Table,
}

impl Config {
    /// Typed view of a merged table.
    pub fn from_table(table: Table) -> Result<Config, ServerError> {
        let mut cfg: Config = Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| ServerError::Config(e.message().to_string()))?;
        cfg.raw = table;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ServerError> {
        if self.hostname.is_empty() {
            return Err(ServerError::Config("must configure valid hostname".into()));
        }
        if self.data_dir.is_empty() {
            return Err(ServerError::Config("must configure valid data dir".into()));
        }
        if self.storage.boltdb.is_empty() {
            return Err(ServerError::Config(
                "storage: must specify storage 'boltdb' path".into(),
            ));
        }
        if self.load.enabled && !std::path::Path::new(&self.load.dir).is_absolute() {
            return Err(ServerError::Config(
                "load: dir must be an absolute path".into(),
            ));
        }
        Ok(())
    }
}

/// The defaults as a table.
pub fn defaults_table() -> Result<Table, ServerError> {
    DEFAULTS
        .parse::<Table>()
        .map_err(|e| ServerError::Config(format!("embedded defaults: {e}")))
}

/// Reads and parses a user's configuration file.
pub fn read_file(path: &Path) -> Result<Table, ServerError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServerError::Config(format!("open config {}: {e}", path.display())))?;
    text.parse::<Table>()
        .map_err(|e| ServerError::Config(format!("parse config {}: {e}", path.display())))
}

/// Merges `user` over `base` (the defaults). Arrays of tables are replaced, each new
/// element completed from the first default element. Keys unknown to the defaults are
/// kept and named in `warnings`, except inside free-form maps (tables empty by default).
pub fn merge(base: &mut Table, user: Table, warnings: &mut Vec<String>) {
    merge_at(base, user, "", warnings);
}

fn merge_at(base: &mut Table, user: Table, path: &str, warnings: &mut Vec<String>) {
    let free_map = base.is_empty() && !path.is_empty();
    for (key, uv) in user {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let Some(bv) = base.get_mut(&key) else {
            if !free_map {
                warnings.push(here);
            }
            base.insert(key, uv);
            continue;
        };
        match (bv, uv) {
            (Value::Table(b), Value::Table(u)) => merge_at(b, u, &here, warnings),
            (bv @ Value::Array(_), Value::Table(u)) if is_table_array(bv) => {
                let merged = complete_elements(bv, vec![Value::Table(u)], &here, warnings);
                *bv = merged;
            }
            (bv @ Value::Array(_), Value::Array(u)) if is_table_array(bv) => {
                let merged = complete_elements(bv, u, &here, warnings);
                *bv = merged;
            }
            (bv, uv) => *bv = uv,
        }
    }
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.first().is_some_and(Value::is_table))
}

fn complete_elements(
    template: &Value,
    user: Vec<Value>,
    path: &str,
    warnings: &mut Vec<String>,
) -> Value {
    let first = match template {
        Value::Array(a) => a
            .first()
            .and_then(Value::as_table)
            .cloned()
            .unwrap_or_default(),
        _ => Table::new(),
    };
    let out = user
        .into_iter()
        .map(|el| match el {
            Value::Table(t) => {
                let mut base = first.clone();
                merge_at(&mut base, t, path, warnings);
                Value::Table(base)
            }
            other => other,
        })
        .collect();
    Value::Array(out)
}

/// Where the configuration comes from (§5.2): `-config`, `KAPACITOR_CONFIG_PATH`,
/// `~/.kapacitor/kapacitor.conf`, `/etc/kapacitor/kapacitor.conf`; `None` means defaults.
pub fn find_config_path(flag: Option<&str>, env: &EnvMap, home: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = env.get("KAPACITOR_CONFIG_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let mut candidates = Vec::new();
    if let Some(home) = home {
        candidates.push(home.join(".kapacitor").join("kapacitor.conf"));
    }
    candidates.push(PathBuf::from("/etc/kapacitor/kapacitor.conf"));
    candidates.into_iter().find(|p| {
        std::fs::metadata(p)
            .map(|m| m.is_file() && m.len() > 0)
            .unwrap_or(false)
    })
}

/// Without a configuration file the default directories may not be writable (no root):
/// then every default path moves under `~/.kapacitor`. Returns the new data dir if moved.
pub fn relocate_defaults_if_unwritable(table: &mut Table, home: Option<&Path>) -> Option<PathBuf> {
    let data_dir = table.get("data_dir").and_then(Value::as_str)?.to_string();
    if dir_is_writable(Path::new(&data_dir)) {
        return None;
    }
    let base = home?.join(".kapacitor");
    let set = |table: &mut Table, section: &str, key: &str, value: PathBuf| {
        if let Some(Value::Table(t)) = table.get_mut(section) {
            t.insert(key.into(), Value::String(value.display().to_string()));
        }
    };
    table.insert("data_dir".into(), Value::String(base.display().to_string()));
    set(table, "replay", "dir", base.join("replay"));
    set(table, "task", "dir", base.join("tasks"));
    set(table, "storage", "boltdb", base.join("kapacitor.db"));
    set(table, "load", "dir", base.join("load"));
    Some(base)
}

fn dir_is_writable(dir: &Path) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let probe = dir.join(format!(".kapacitord-probe-{}", std::process::id()));
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

/// Sets a string value at `section.key` (top level when `section` is empty).
pub fn set_string(table: &mut Table, section: &str, key: &str, value: &str) {
    let target = if section.is_empty() {
        Some(table)
    } else {
        match table
            .entry(section.to_string())
            .or_insert_with(|| Value::Table(Table::new()))
        {
            Value::Table(t) => Some(t),
            _ => None,
        }
    };
    if let Some(t) = target {
        t.insert(key.to_string(), Value::String(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(user: &str) -> (Config, Vec<String>) {
        let mut base = defaults_table().unwrap();
        let mut warnings = Vec::new();
        merge(&mut base, user.parse().unwrap(), &mut warnings);
        (Config::from_table(base).unwrap(), warnings)
    }

    #[test]
    fn defaults_have_every_section() {
        let t = defaults_table().unwrap();
        let sections = t
            .values()
            .filter(|v| v.is_table() || is_table_array(v))
            .count();
        assert_eq!(sections, 56);
        let cfg = Config::from_table(t).unwrap();
        assert_eq!(cfg.hostname, "localhost");
        assert_eq!(cfg.http.bind_address, ":9092");
        assert_eq!(cfg.http.shutdown_timeout, 10_000_000_000);
        assert_eq!(cfg.storage.boltdb, "/var/lib/kapacitor/kapacitor.db");
        assert_eq!(cfg.replay.dir, "/var/lib/kapacitor/replay");
        assert_eq!(cfg.task.snapshot_interval, 60_000_000_000);
        assert_eq!(cfg.logging.file, "STDERR");
        assert_eq!(cfg.alert.topic_buffer_length, 5000);
        assert_eq!(cfg.influxdb.len(), 1);
        assert_eq!(cfg.influxdb[0].urls, vec!["http://localhost:8086"]);
        assert!(cfg.influxdb[0].enabled);
    }

    #[test]
    fn sample_like_file_with_unknown_sections_loads() {
        let user = r#"
hostname = "myhost"
data_dir = "/tmp/k"
mystery = 1

[http]
  bind-address = ":9999"
  brand-new-key = "x"

[logging]
  file = "/tmp/k.log"
  level = "DEBUG"

[[influxdb]]
  enabled = false
  name = "localhost"
  urls = ["http://db:8086"]
  timeout = 0
  [influxdb.subscriptions]
    telegraf = ["autogen"]

[kubernetes]
  enabled = false

[udf.functions.pyavg]
  prog = "/usr/bin/python2"
  args = ["-u", "avg.py"]

[future-section]
  anything = true
"#;
        let (cfg, warnings) = loaded(user);
        assert_eq!(cfg.hostname, "myhost");
        assert_eq!(cfg.http.bind_address, ":9999");
        assert_eq!(cfg.http.shutdown_timeout, 10_000_000_000, "default kept");
        assert_eq!(cfg.logging.level, "DEBUG");
        assert_eq!(cfg.influxdb.len(), 1);
        assert!(!cfg.influxdb[0].enabled);
        assert_eq!(cfg.influxdb[0].name, "localhost");
        assert_eq!(cfg.influxdb[0].timeout, 0);
        let raw_influx = cfg.raw["influxdb"][0].as_table().unwrap();
        assert_eq!(
            raw_influx["startup-timeout"].as_str(),
            Some("5m0s"),
            "completed from defaults"
        );
        assert_eq!(
            raw_influx["subscriptions"]["telegraf"][0].as_str(),
            Some("autogen")
        );
        assert!(
            cfg.raw["kubernetes"].is_array(),
            "single table becomes an array element"
        );
        assert_eq!(cfg.raw["future-section"]["anything"].as_bool(), Some(true));
        assert_eq!(
            warnings,
            vec!["future-section", "http.brand-new-key", "mystery"]
        );
    }

    #[test]
    fn invalid_values_are_errors() {
        let mut base = defaults_table().unwrap();
        let mut w = Vec::new();
        merge(&mut base, r#"hostname = """#.parse().unwrap(), &mut w);
        let err = Config::from_table(base).unwrap_err();
        assert_eq!(err.to_string(), "must configure valid hostname");
    }

    #[test]
    fn lookup_order() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let mut env = EnvMap::new();
        assert_eq!(
            find_config_path(Some("/x.conf"), &env, Some(home)),
            Some("/x.conf".into())
        );
        env.insert("KAPACITOR_CONFIG_PATH".into(), "/y.conf".into());
        assert_eq!(
            find_config_path(None, &env, Some(home)),
            Some("/y.conf".into())
        );
        env.clear();
        let user_conf = home.join(".kapacitor/kapacitor.conf");
        std::fs::create_dir_all(user_conf.parent().unwrap()).unwrap();
        std::fs::write(&user_conf, "").unwrap();
        let found = find_config_path(None, &env, Some(home));
        assert_ne!(
            found.as_deref(),
            Some(user_conf.as_path()),
            "empty files are skipped"
        );
        std::fs::write(&user_conf, "hostname = \"h\"\n").unwrap();
        assert_eq!(find_config_path(None, &env, Some(home)), Some(user_conf));
    }

    #[test]
    fn relocates_unwritable_defaults_under_home() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = defaults_table().unwrap();
        // A path below a regular file can never be created.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        set_string(
            &mut t,
            "",
            "data_dir",
            &blocker.join("sub").display().to_string(),
        );
        let moved = relocate_defaults_if_unwritable(&mut t, Some(dir.path())).unwrap();
        assert_eq!(moved, dir.path().join(".kapacitor"));
        let cfg = Config::from_table(t).unwrap();
        assert_eq!(
            cfg.storage.boltdb,
            moved.join("kapacitor.db").display().to_string()
        );
        assert_eq!(cfg.replay.dir, moved.join("replay").display().to_string());
        assert_eq!(cfg.data_dir, moved.display().to_string());
    }
}
