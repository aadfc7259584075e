//! `[load] dir`: definitions kept as files. At start and on SIGHUP the loader creates or
//! updates what the directory holds and removes what it loaded before and is gone now:
//!
//! - `tasks/<id>.tick`: a TICKscript, the task id is the file name (`dbrp` statements in
//!   the script give its databases); the task is enabled, and reloaded when it existed.
//! - `tasks/<id>.yaml|.yml|.json`: a task from a template (`template-id`, `dbrps`, `vars`).
//! - `handlers/*.yaml|.yml|.json`: topic handler specs (`topic`, `id`, `kind`, ...).
//! - `templates/*.tick`: task templates (the file name is the template id). They load
//!   first, as in Kapacitor, so tasks of the same directory can be made from them.
//!
//! Loaded items are recorded in the `load_items` store (Kapacitor's keys `tasks/<id>`,
//! `handlers/<topic>/<id>`, `templates/<id>`) and refused to the API.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kapa_alert::{AlertService, TopicHandlerSpec};
use kapa_storage::LoadItemStore;
use parking_lot::RwLock;
use serde::Deserialize;

use crate::http::ApiError;
use crate::tasks::{DbrpJson, TaskOptions, TaskService, ViewOptions};
use crate::templates::TemplateOptions;

/// The ids of loaded tasks, shared with the API so it can refuse to change them.
#[derive(Debug, Default, Clone)]
pub struct LoadedTasks(Arc<RwLock<HashSet<String>>>);

impl LoadedTasks {
    /// Fails with a 403 when `id` came from the load directory.
    pub fn check(&self, id: &str) -> Result<(), ApiError> {
        if self.0.read().contains(id) {
            return Err(ApiError {
                status: axum::http::StatusCode::FORBIDDEN,
                message: format!(
                    "cannot modify task {id:?}: it was loaded from the load directory"
                ),
            });
        }
        Ok(())
    }
}

/// A task file of `tasks/*.yaml|json` (`client.TaskVars`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaskVarsFile {
    #[serde(rename = "template-id")]
    template_id: String,
    dbrps: Vec<DbrpJson>,
    vars: Option<serde_json::Value>,
}

/// What one load did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    /// Items created or updated (`tasks/<id>`, `handlers/<topic>/<id>`).
    pub loaded: Vec<String>,
    /// Items removed because their file is gone.
    pub removed: Vec<String>,
    /// One message per file that failed.
    pub errors: Vec<String>,
}

/// Loads the directory into the task and alert services.
#[derive(Debug, Clone)]
pub struct Loader {
    dir: PathBuf,
    tasks: Arc<TaskService>,
    alerts: Arc<AlertService>,
    items: LoadItemStore,
    loaded_tasks: LoadedTasks,
}

/// Files of `dir` with one of `exts`, sorted; a missing directory has none.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// Decodes a YAML or JSON file by its extension.
fn decode<T: serde::de::DeserializeOwned>(path: &Path, data: &str) -> Result<T, String> {
    match ext(path) {
        "yaml" | "yml" => serde_saphyr::from_str(data)
            .map_err(|e| format!("failed to unmarshal yaml file {:?}: {e}", path.display())),
        _ => serde_json::from_str(data)
            .map_err(|e| format!("failed to unmarshal json file {:?}: {e}", path.display())),
    }
}

impl Loader {
    /// A loader of `dir` recording its items in `items`.
    pub fn new(
        dir: impl Into<PathBuf>,
        tasks: Arc<TaskService>,
        alerts: Arc<AlertService>,
        items: LoadItemStore,
        loaded_tasks: LoadedTasks,
    ) -> Self {
        Loader {
            dir: dir.into(),
            tasks,
            alerts,
            items,
            loaded_tasks,
        }
    }

    /// Loads everything, then removes what was loaded before and has no file now. A file
    /// that fails is reported and skipped; the others still load.
    pub fn load(&self) -> LoadReport {
        let mut report = LoadReport::default();
        if !self.dir.is_dir() {
            tracing::debug!(service = "load", dir = %self.dir.display(), "skipping load... load directory does not exist");
            return report;
        }
        self.load_templates(&mut report);
        self.load_tasks(&mut report);
        self.load_handlers(&mut report);
        self.remove_missing(&mut report);
        let loaded: HashSet<String> = self
            .items
            .list("tasks/")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| k.strip_prefix("tasks/").map(str::to_string))
            .collect();
        *self.loaded_tasks.0.write() = loaded;
        for e in &report.errors {
            tracing::error!(service = "load", err = %e, "failed to load file");
        }
        report
    }

    /// Loads every file of `sub` with one of `exts` through `load`, which returns the item's
    /// key; the key is recorded, and a failure is reported without stopping the others.
    fn load_files(
        &self,
        report: &mut LoadReport,
        sub: &str,
        exts: &[&str],
        what: &str,
        load: impl Fn(&Self, &Path) -> Result<String, String>,
    ) {
        for f in files(&self.dir.join(sub), exts) {
            tracing::info!(service = "load", file = %f.display(), "loading {what}");
            match load(self, &f) {
                Ok(key) => {
                    if let Err(e) = self.items.put(&key) {
                        report.errors.push(format!("recording {key}: {e}"));
                    }
                    report.loaded.push(key);
                }
                Err(e) => report
                    .errors
                    .push(format!("failed to load file {}: {e}", f.display())),
            }
        }
    }

    fn load_templates(&self, report: &mut LoadReport) {
        self.load_files(report, "templates", &["tick"], "template", |l, f| {
            let id = stem(f);
            l.load_template(f, &id).map(|()| format!("templates/{id}"))
        });
    }

    fn load_template(&self, f: &Path, id: &str) -> Result<(), String> {
        let script = std::fs::read_to_string(f)
            .map_err(|e| format!("failed to read file {}: {e}", f.display()))?;
        let opts = TemplateOptions {
            id: Some(id.to_string()),
            template_type: None,
            script: Some(script),
        };
        if self.tasks.get_template(id, false).is_ok() {
            self.tasks
                .update_template(id, opts)
                .map_err(|e| format!("failed to update template: {}", e.message))?;
        } else {
            self.tasks
                .create_template(opts)
                .map_err(|e| format!("failed to create template: {}", e.message))?;
        }
        Ok(())
    }

    fn load_tasks(&self, report: &mut LoadReport) {
        let exts = ["tick", "yaml", "yml", "json"];
        self.load_files(report, "tasks", &exts, "task", |l, f| {
            let id = stem(f);
            l.load_task(f, &id).map(|()| format!("tasks/{id}"))
        });
    }

    fn load_task(&self, f: &Path, id: &str) -> Result<(), String> {
        let data = std::fs::read_to_string(f)
            .map_err(|e| format!("failed to read file {}: {e}", f.display()))?;
        let mut opts = TaskOptions {
            id: Some(id.to_string()),
            ..TaskOptions::default()
        };
        if ext(f) == "tick" {
            opts.script = Some(data);
        } else {
            let vars: TaskVarsFile = decode(f, &data)?;
            opts.template_id = Some(vars.template_id);
            opts.dbrps = Some(vars.dbrps);
            opts.vars = vars.vars;
        }
        let exists = self.tasks.get(id, ViewOptions::default()).is_ok();
        if exists {
            self.tasks
                .update(id, opts)
                .map_err(|e| format!("failed to update task: {}", e.message))?;
            // Reload, as Kapacitor's loader does: disable then enable.
            for status in ["disabled", "enabled"] {
                self.tasks
                    .update(
                        id,
                        TaskOptions {
                            status: Some(status.to_string()),
                            ..TaskOptions::default()
                        },
                    )
                    .map_err(|e| e.message)?;
            }
        } else {
            opts.status = Some("enabled".to_string());
            self.tasks
                .create(opts)
                .map_err(|e| format!("failed to create task: {}", e.message))?;
        }
        Ok(())
    }

    fn load_handlers(&self, report: &mut LoadReport) {
        let exts = ["yaml", "yml", "json"];
        self.load_files(report, "handlers", &exts, "handler", Self::load_handler);
    }

    fn load_handler(&self, f: &Path) -> Result<String, String> {
        let data = std::fs::read_to_string(f)
            .map_err(|e| format!("failed to read file {}: {e}", f.display()))?;
        let spec: TopicHandlerSpec = decode(f, &data)?;
        self.alerts.check_spec(&spec).map_err(|e| e.to_string())?;
        let key = format!("handlers/{}/{}", spec.topic, spec.id);
        let (topic, id) = (spec.topic.clone(), spec.id.clone());
        let result = if self.alerts.handler_spec(&topic, &id).is_some() {
            self.alerts.replace_handler(&topic, &id, spec, true)
        } else {
            self.alerts.create_handler(spec, true)
        };
        result.map_err(|e| e.to_string())?;
        Ok(key)
    }

    fn remove_missing(&self, report: &mut LoadReport) {
        let current: HashSet<&str> = report.loaded.iter().map(String::as_str).collect();
        let stored = match self.items.list("") {
            Ok(s) => s,
            Err(e) => {
                report.errors.push(format!("listing loaded items: {e}"));
                return;
            }
        };
        let mut removed = Vec::new();
        for key in stored.iter().filter(|k| !current.contains(k.as_str())) {
            let result = if let Some(id) = key.strip_prefix("tasks/") {
                self.tasks
                    .delete(id)
                    .map(|()| {
                        self.alerts
                            .delete_topics_with_prefix(&format!("main:{id}:"));
                    })
                    .map_err(|e| e.message)
            } else if let Some(id) = key.strip_prefix("templates/") {
                self.tasks.delete_template(id).map_err(|e| e.message)
            } else if let Some(rest) = key.strip_prefix("handlers/") {
                match rest.rsplit_once('/') {
                    Some((topic, id)) => self
                        .alerts
                        .delete_handler(topic, id, true)
                        .map_err(|e| e.to_string()),
                    None => Err(format!(
                        "expected id to be topicID/handlerID but it was: {rest:?}"
                    )),
                }
            } else {
                Ok(())
            };
            match result {
                Ok(()) => {
                    if let Err(e) = self.items.delete(key) {
                        report.errors.push(format!("forgetting {key}: {e}"));
                    }
                    removed.push(key.clone());
                }
                Err(e) => report.errors.push(format!("removing {key}: {e}")),
            }
        }
        report.removed = removed;
    }
}

/// Loads the directory again on every SIGHUP.
pub async fn reload_on_sighup(loader: Loader) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!(service = "load", "cannot listen for SIGHUP");
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!(
                service = "load",
                "SIGHUP received, reloading the load directory"
            );
            let l = loader.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || l.load()).await {
                tracing::error!(service = "load", err = %e, "load failed");
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = loader;
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, defaults_table};

    #[test]
    fn enabled_load_dir_must_be_absolute() {
        let mut t = defaults_table().unwrap();
        let load = t.get_mut("load").and_then(|v| v.as_table_mut()).unwrap();
        load.insert("enabled".into(), toml::Value::Boolean(true));
        load.insert("dir".into(), toml::Value::String("./load".into()));
        let err = Config::from_table(t.clone()).unwrap_err();
        assert_eq!(err.to_string(), "load: dir must be an absolute path");
        let load = t.get_mut("load").and_then(|v| v.as_table_mut()).unwrap();
        load.insert(
            "dir".into(),
            toml::Value::String("/etc/kapacitor/load".into()),
        );
        assert!(Config::from_table(t).is_ok());
    }
}
