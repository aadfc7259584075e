//! The task service: validation, persistence and the enable/disable lifecycle through
//! the engine, with Kapacitor's rules and error texts (`services/task_store`).

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use kapa_engine::{TaskDef, TaskMaster};
use kapa_pipeline::{Dbrp, TaskType};
use kapa_storage::{DbrpRecord, TaskRecord, TaskStore};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::ApiError;
use crate::vars;

const ENABLED: &str = "enabled";
const DISABLED: &str = "disabled";

/// Fields of a task in list answers when none are asked for (Kapacitor's `allTaskFields`).
const ALL_FIELDS: &[&str] = &[
    "link",
    "id",
    "type",
    "dbrps",
    "script",
    "dot",
    "status",
    "executing",
    "error",
    "stats",
    "created",
    "modified",
    "last-enabled",
    "vars",
];

static VALID_ID: LazyLock<regex::Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    regex::Regex::new(r"^[-\._\p{L}0-9]+$").expect("static regex")
});

/// Whether a user-chosen id is acceptable (`^[-\._\p{L}0-9]+$`).
pub fn valid_id(id: &str) -> bool {
    VALID_ID.is_match(id)
}

/// A database / retention policy pair in API JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DbrpJson {
    /// Database.
    #[serde(default)]
    pub db: String,
    /// Retention policy.
    #[serde(default)]
    pub rp: String,
}

/// The body of a create (POST) or update (PATCH); absent fields stay unchanged on update.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskOptions {
    /// Id (new id on update).
    pub id: Option<String>,
    /// Template id.
    #[serde(rename = "template-id")]
    pub template_id: Option<String>,
    /// `stream` or `batch` (the script decides in the end, as in Kapacitor).
    #[serde(rename = "type")]
    pub task_type: Option<String>,
    /// Explicit DBRPs.
    pub dbrps: Option<Vec<DbrpJson>>,
    /// The TICKscript.
    pub script: Option<String>,
    /// `enabled` or `disabled`.
    pub status: Option<String>,
    /// Vars.
    pub vars: Option<Value>,
}

/// How to render a task.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewOptions {
    /// `dot-view=labels`.
    pub labels: bool,
    /// `script-format=raw`.
    pub raw_script: bool,
}

/// List parameters.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Shell glob on ids; empty matches all.
    pub pattern: String,
    /// Fields to return; empty means all.
    pub fields: Vec<String>,
    /// Skip this many matches.
    pub offset: usize,
    /// Return at most this many; negative means no limit.
    pub limit: i64,
    /// Rendering.
    pub view: ViewOptions,
}

/// `{"rel": "self", "href": ...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Always `self`.
    pub rel: &'static str,
    /// Path of the resource.
    pub href: String,
}

/// A task as the API shows it (field order of Kapacitor's `client.Task`).
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// Self link.
    pub link: Link,
    /// Id.
    pub id: String,
    /// Template id.
    #[serde(rename = "template-id")]
    pub template_id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub task_type: String,
    /// DBRPs.
    pub dbrps: Vec<DbrpJson>,
    /// The script, formatted unless raw was asked for.
    pub script: String,
    /// Vars.
    pub vars: Value,
    /// DOT graph (with live stats while executing).
    pub dot: String,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Whether the engine runs it.
    pub executing: bool,
    /// Last error.
    pub error: String,
    /// Execution statistics.
    pub stats: Value,
    /// RFC 3339 creation time.
    pub created: String,
    /// RFC 3339 modification time.
    pub modified: String,
    /// RFC 3339 time the task was last enabled (Go's zero time when never).
    #[serde(rename = "last-enabled")]
    pub last_enabled: String,
}

/// Tasks: the store plus the engine.
#[derive(Debug)]
pub struct TaskService {
    pub(crate) store: TaskStore,
    pub(crate) engine: Arc<TaskMaster>,
    // Serialises changes so that check-then-write sequences do not interleave.
    pub(crate) changes: Mutex<()>,
    /// Task templates (`crate::templates`); none in unit tests without storage.
    pub(crate) templates: Option<kapa_storage::JsonTable<kapa_storage::TemplateRecord>>,
}

fn store_err(e: kapa_storage::StorageError) -> ApiError {
    ApiError::internal(e.to_string())
}

/// Formats a time as Go does, the zero time for 0.
pub fn format_time(ns: i64) -> String {
    if ns == 0 {
        "0001-01-01T00:00:00Z".to_string()
    } else {
        kapa_models::time::format_rfc3339(ns)
    }
}

fn to_pipeline_dbrps(d: &[DbrpRecord]) -> Vec<Dbrp> {
    d.iter()
        .map(|d| Dbrp {
            db: d.db.clone(),
            rp: d.rp.clone(),
        })
        .collect()
}

fn from_pipeline_dbrps(d: Vec<Dbrp>) -> Vec<DbrpRecord> {
    d.into_iter()
        .map(|d| DbrpRecord { db: d.db, rp: d.rp })
        .collect()
}

fn from_json_dbrps(d: &[DbrpJson]) -> Vec<DbrpRecord> {
    d.iter()
        .map(|d| DbrpRecord {
            db: d.db.clone(),
            rp: d.rp.clone(),
        })
        .collect()
}

fn parse_script(script: &str) -> Result<kapa_tick::Program, ApiError> {
    kapa_tick::parse(script).map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))
}

fn type_of(program: &kapa_tick::Program) -> Result<TaskType, ApiError> {
    kapa_pipeline::task_type_from_program(program)
        .ok_or_else(|| ApiError::bad_request("invalid task type: unknown TaskType 0"))
}

/// Go's JSON decoder rejects unknown enum texts while decoding: "invalid JSON".
fn check_enums(opts: &TaskOptions) -> Result<(), ApiError> {
    let type_ok = opts
        .task_type
        .as_deref()
        .is_none_or(|t| TaskType::parse(t).is_some());
    let status_ok = opts
        .status
        .as_deref()
        .is_none_or(|s| s == ENABLED || s == DISABLED);
    if type_ok && status_ok {
        Ok(())
    } else {
        Err(ApiError::bad_request("invalid JSON"))
    }
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "task ID must contain only letters, numbers, '-', '.' and '_'. {id:?}"
        )))
    }
}

impl TaskService {
    /// A service over a store and an engine.
    pub fn new(store: TaskStore, engine: Arc<TaskMaster>) -> Self {
        TaskService {
            store,
            engine,
            changes: Mutex::new(()),
            templates: None,
        }
    }

    /// Keeps templates in this table.
    pub fn with_templates(
        mut self,
        templates: kapa_storage::JsonTable<kapa_storage::TemplateRecord>,
    ) -> Self {
        self.templates = Some(templates);
        self
    }

    fn now(&self) -> i64 {
        self.engine.clock().now()
    }

    fn def_of(rec: &TaskRecord) -> Result<TaskDef, String> {
        let task_type = TaskType::parse(&rec.task_type)
            .ok_or_else(|| format!("invalid task type {:?}", rec.task_type))?;
        Ok(TaskDef {
            id: rec.id.clone(),
            task_type,
            dbrps: to_pipeline_dbrps(&rec.dbrps),
            script: rec.script.clone(),
            vars: vars::to_engine(&rec.vars)?,
        })
    }

    fn validate(&self, rec: &TaskRecord) -> Result<String, String> {
        let def = Self::def_of(rec)?;
        self.engine.validate(&def).map_err(|e| e.to_string())
    }

    /// Starts a task; its error field is saved either way.
    fn start(&self, rec: &mut TaskRecord) -> Result<(), String> {
        let result = Self::def_of(rec)
            .and_then(|def| self.engine.start_task(&def).map_err(|e| e.to_string()));
        let error = result.as_ref().err().cloned().unwrap_or_default();
        if rec.error != error {
            rec.error = error;
            if let Err(e) = self.store.put(rec) {
                tracing::error!(service = "task_store", task = %rec.id, err = %e, "failed to save task error");
            }
        }
        result
    }

    /// Starts every enabled task (at startup). A task that fails keeps its error.
    pub fn start_enabled(&self) -> Result<(), ApiError> {
        let _guard = self.changes.lock();
        for mut rec in self.store.list().map_err(store_err)? {
            if rec.status != ENABLED {
                continue;
            }
            tracing::debug!(service = "task_store", task = %rec.id, "starting enabled task");
            match self.start(&mut rec) {
                Ok(()) => tracing::info!(service = "task_store", task = %rec.id, "started task"),
                Err(e) => tracing::error!(
                    service = "task_store", task = %rec.id, err = %e, "failed to start enabled task"
                ),
            }
        }
        Ok(())
    }

    /// Stops every running task (at shutdown).
    pub fn stop_all(&self) {
        let _guard = self.changes.lock();
        if let Ok(list) = self.store.list() {
            for rec in list {
                self.engine.stop_task(&rec.id);
            }
        }
    }

    /// (number of tasks, number of enabled tasks).
    pub fn counts(&self) -> (usize, usize) {
        match self.store.list() {
            Ok(list) => {
                let enabled = list.iter().filter(|t| t.status == ENABLED).count();
                (list.len(), enabled)
            }
            Err(_) => (0, 0),
        }
    }

    /// `POST /tasks`.
    pub fn create(&self, opts: TaskOptions) -> Result<TaskView, ApiError> {
        let _guard = self.changes.lock();
        let id = match opts.id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        check_id(&id)?;
        check_enums(&opts)?;
        if self.store.get(&id).map_err(store_err)?.is_some() {
            return Err(ApiError::bad_request(format!("task {id} already exists")));
        }
        let template = match opts.template_id.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(self.template_for_task(t)?),
            None => None,
        };
        let script = match &template {
            Some(t) => t.script.clone(),
            None => opts.script.clone().unwrap_or_default(),
        };
        if script.is_empty() {
            return Err(ApiError::bad_request("must provide TICKscript"));
        }
        let explicit = from_json_dbrps(opts.dbrps.as_deref().unwrap_or_default());
        let status = if opts.status.as_deref() == Some(ENABLED) {
            ENABLED
        } else {
            DISABLED
        };
        let vars = vars::normalize(opts.vars.as_ref().unwrap_or(&Value::Null))
            .map_err(ApiError::bad_request)?;
        let program = parse_script(&script)?;
        let task_type = type_of(&program)?;
        let now = self.now();
        let mut rec = TaskRecord {
            id,
            template_id: template.map(|t| t.id).unwrap_or_default(),
            task_type: task_type.as_str().to_string(),
            dbrps: explicit.clone(),
            script,
            vars,
            status: status.to_string(),
            error: String::new(),
            created: now,
            modified: now,
            last_enabled: if status == ENABLED { now } else { 0 },
        };
        self.validate(&rec)
            .map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))?;
        let implicit = kapa_pipeline::dbrps_from_program(&program);
        if implicit.is_empty() && explicit.is_empty() {
            return Err(ApiError::bad_request("must specify dbrp"));
        }
        if !implicit.is_empty() && !explicit.is_empty() {
            return Err(ApiError::bad_request(
                "cannot specify dbrp in both implicitly and explicitly",
            ));
        }
        if !implicit.is_empty() {
            rec.dbrps = from_pipeline_dbrps(implicit);
        }
        self.store.put(&rec).map_err(store_err)?;
        if status == ENABLED {
            self.start(&mut rec).map_err(ApiError::internal)?;
        }
        Ok(self.view(&rec, ViewOptions::default()))
    }

    /// `PATCH /tasks/{id}`.
    pub fn update(&self, id: &str, opts: TaskOptions) -> Result<TaskView, ApiError> {
        let _guard = self.changes.lock();
        let original = self
            .store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("task does not exist, cannot update"))?;
        check_enums(&opts)?;
        let mut updated = original.clone();
        if let Some(new_id) = opts.id.as_deref().filter(|i| !i.is_empty()) {
            check_id(new_id)?;
            updated.id = new_id.to_string();
        }
        let template = opts.template_id.as_deref().filter(|t| !t.is_empty());
        let template =
            match template.or(Some(original.template_id.as_str()).filter(|t| !t.is_empty())) {
                Some(t) => Some(self.template_for_task(t)?),
                None => None,
            };
        let mut opts = opts;
        if let Some(t) = &template {
            // A template task's script is the template's.
            updated.template_id = t.id.clone();
            opts.script = Some(t.script.clone());
        }
        let explicit = from_json_dbrps(opts.dbrps.as_deref().unwrap_or_default());
        if let Some(script) = opts.script.as_deref().filter(|s| !s.is_empty()) {
            let old = parse_script(&original.script)?;
            let new = parse_script(script)?;
            if !kapa_pipeline::dbrps_from_program(&old).is_empty()
                && kapa_pipeline::dbrps_from_program(&new).is_empty()
                && explicit.is_empty()
            {
                return Err(ApiError::bad_request("must specify dbrp"));
            }
            updated.script = script.to_string();
        }
        let program = parse_script(&updated.script)?;
        let implicit = kapa_pipeline::dbrps_from_program(&program);
        if !implicit.is_empty() && !explicit.is_empty() {
            return Err(ApiError::bad_request(
                "cannot specify dbrp in implicitly and explicitly",
            ));
        } else if !implicit.is_empty() {
            updated.dbrps = from_pipeline_dbrps(implicit);
        } else if !explicit.is_empty() {
            updated.dbrps = explicit;
        }
        if let Some(status) = opts.status.as_deref() {
            updated.status = status.to_string();
        }
        let status_changed = updated.status != original.status;
        if let Some(v) = opts
            .vars
            .as_ref()
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
        {
            updated.vars = vars::normalize(v).map_err(ApiError::bad_request)?;
        }
        updated.task_type = type_of(&program)?.as_str().to_string();
        self.validate(&updated)
            .map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))?;
        let now = self.now();
        updated.modified = now;
        if status_changed && updated.status == ENABLED {
            updated.last_enabled = now;
        }

        if updated.id != original.id {
            if self.store.get(&updated.id).map_err(store_err)?.is_some() {
                return Err(ApiError::internal(
                    "failed to create new task during ID change: task already exists",
                ));
            }
            self.store.put(&updated).map_err(store_err)?;
            self.store.delete(&original.id).map_err(store_err)?;
            self.engine.stop_task(&original.id);
            if updated.status == ENABLED {
                self.start(&mut updated).map_err(ApiError::internal)?;
            }
        } else {
            self.store.put(&updated).map_err(|e| {
                ApiError::internal(format!("failed to replace task definition: {e}"))
            })?;
            // As in Kapacitor, only a status change starts or stops the task: a new script
            // runs after a reload (disable + enable), which `kapacitor define` does unless
            // `-no-reload` is given.
            if updated.status == ENABLED && status_changed {
                self.start(&mut updated).map_err(ApiError::internal)?;
            } else if status_changed {
                self.engine.stop_task(&original.id);
            }
        }
        Ok(self.view(&updated, ViewOptions::default()))
    }

    /// `DELETE /tasks/{id}`: stops, then removes. Absent tasks are not an error.
    pub fn delete(&self, id: &str) -> Result<(), ApiError> {
        let _guard = self.changes.lock();
        if self.store.get(id).map_err(store_err)?.is_none() {
            return Ok(());
        }
        self.engine.stop_task(id);
        self.store.delete(id).map_err(store_err)?;
        Ok(())
    }

    /// Validates a task record (templates check their tasks with it).
    pub(crate) fn validate_record(&self, rec: &TaskRecord) -> Result<String, String> {
        self.validate(rec)
    }

    /// Starts a task record, saving its error (templates reload their tasks with it).
    pub(crate) fn start_record(&self, rec: &mut TaskRecord) -> Result<(), String> {
        self.start(rec)
    }

    /// What the engine needs to run a stored task (recordings and replays).
    pub fn task_def(&self, id: &str) -> Result<TaskDef, ApiError> {
        let rec = self
            .store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no task exists"))?;
        Self::def_of(&rec).map_err(ApiError::internal)
    }

    /// `GET /tasks/{id}`.
    pub fn get(&self, id: &str, view: ViewOptions) -> Result<TaskView, ApiError> {
        let rec = self
            .store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no task exists"))?;
        Ok(self.view(&rec, view))
    }

    /// `GET /tasks`: one map per task with the asked fields (keys sorted, like Go maps).
    pub fn list(&self, opts: &ListOptions) -> Result<Vec<BTreeMap<String, Value>>, ApiError> {
        let mut fields: Vec<String> = if opts.fields.is_empty() {
            ALL_FIELDS.iter().map(|f| f.to_string()).collect()
        } else {
            let mut f = opts.fields.clone();
            f.extend(["id".to_string(), "link".to_string()]);
            f
        };
        fields.dedup();
        if let Some(bad) = fields.iter().find(|f| !ALL_FIELDS.contains(&f.as_str())) {
            return Err(ApiError::bad_request(format!("unsupported field {bad:?}")));
        }
        let matcher = if opts.pattern.is_empty() {
            None
        } else {
            Some(glob::Pattern::new(&opts.pattern).map_err(|_| {
                ApiError::bad_request(format!(
                    "failed to list tasks with pattern {:?}: syntax error in pattern",
                    opts.pattern
                ))
            })?)
        };
        let glob_opts = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        let limit = usize::try_from(opts.limit).unwrap_or(usize::MAX);
        let records = self.store.list().map_err(store_err)?;
        let selected = records
            .iter()
            .filter(|r| {
                matcher
                    .as_ref()
                    .is_none_or(|m| m.matches_with(&r.id, glob_opts))
            })
            .skip(opts.offset)
            .take(limit);
        let mut out = Vec::new();
        for rec in selected {
            let view = serde_json::to_value(self.view(rec, opts.view)).unwrap_or(Value::Null);
            let mut entry = BTreeMap::new();
            let executing = view
                .get("executing")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            for f in &fields {
                // Kapacitor leaves stats nil for tasks that are not executing.
                let value = if f == "stats" && !executing {
                    Value::Null
                } else {
                    view.get(f.as_str()).cloned().unwrap_or(Value::Null)
                };
                entry.insert(f.clone(), value);
            }
            out.push(entry);
        }
        Ok(out)
    }

    fn view(&self, rec: &TaskRecord, opts: ViewOptions) -> TaskView {
        self.view_in(rec, opts, &self.engine)
    }

    /// `GET /tasks/{id}?replay-id=`: the task as the replay's own engine runs it.
    pub fn get_in_replay(
        &self,
        id: &str,
        view: ViewOptions,
        engine: &TaskMaster,
    ) -> Result<TaskView, ApiError> {
        let rec = self
            .store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no task exists"))?;
        Ok(self.view_in(&rec, view, engine))
    }

    fn view_in(&self, rec: &TaskRecord, opts: ViewOptions, engine: &TaskMaster) -> TaskView {
        let executing = engine.is_executing(&rec.id);
        let script = if opts.raw_script {
            rec.script.clone()
        } else {
            kapa_tick::format_script(&rec.script).unwrap_or_else(|_| rec.script.clone())
        };
        let (mut dot, error) = match self.validate(rec) {
            Ok(dot) => (dot, rec.error.clone()),
            Err(e) => (String::new(), e),
        };
        let mut stats = json!({});
        if executing {
            if let Some(live) = engine.task_dot(&rec.id, opts.labels) {
                dot = live;
            }
            if let Some(s) = engine.task_stats(&rec.id) {
                stats = s;
            }
        }
        TaskView {
            link: Link {
                rel: "self",
                href: format!("{}/tasks/{}", crate::http::BASE, rec.id),
            },
            id: rec.id.clone(),
            template_id: rec.template_id.clone(),
            task_type: rec.task_type.clone(),
            dbrps: rec
                .dbrps
                .iter()
                .map(|d| DbrpJson {
                    db: d.db.clone(),
                    rp: d.rp.clone(),
                })
                .collect(),
            script,
            vars: if rec.vars.is_object() {
                rec.vars.clone()
            } else {
                json!({})
            },
            dot,
            status: rec.status.clone(),
            executing,
            error,
            stats,
            created: format_time(rec.created),
            modified: format_time(rec.modified),
            last_enabled: format_time(rec.last_enabled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("cpu_alert"));
        assert!(valid_id("a-b.c_d9"));
        assert!(valid_id("überwachung"));
        assert!(!valid_id("a b"));
        assert!(!valid_id("a/b"));
        assert!(!valid_id(""));
    }

    #[test]
    fn zero_time_is_gos() {
        assert_eq!(format_time(0), "0001-01-01T00:00:00Z");
        assert_eq!(format_time(1_500_000_000), "1970-01-01T00:00:01.5Z");
    }

    #[test]
    fn globs_follow_go_path_match() {
        let opts = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        let p = glob::Pattern::new("cpu*").unwrap();
        assert!(p.matches_with("cpu_alert", opts));
        assert!(!p.matches_with("mem", opts));
        assert!(glob::Pattern::new("t?").unwrap().matches_with("t1", opts));
        assert!(
            glob::Pattern::new("[ab]x")
                .unwrap()
                .matches_with("bx", opts)
        );
    }
}
