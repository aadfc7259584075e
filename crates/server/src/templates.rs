//! Task templates (`/kapacitor/v1/templates`): a template is a TICKscript with vars; tasks
//! created with `template-id` take its script and supply the vars. Updating a template
//! updates, and reloads, every task made from it.

use std::collections::BTreeMap;

use kapa_pipeline::TaskType;
use kapa_storage::{JsonTable, TemplateRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::ApiError;
use crate::recording::{ListParams, select};
use crate::tasks::{Link, TaskService, format_time, valid_id};
use crate::template_vars::{placeholders, template_vars};

/// Fields of a template in list answers.
const ALL_FIELDS: &[&str] = &[
    "link", "id", "type", "script", "vars", "dot", "error", "created", "modified",
];

/// A template as the API shows it (field order of Kapacitor's `client.Template`).
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    /// Self link.
    pub link: Link,
    /// Id.
    pub id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub template_type: String,
    /// The script, formatted unless raw was asked for.
    pub script: String,
    /// Declared vars with their defaults (`null`: required).
    pub vars: Value,
    /// DOT graph.
    pub dot: String,
    /// Compile error, if any.
    pub error: String,
    /// RFC 3339 creation time.
    pub created: String,
    /// RFC 3339 modification time.
    pub modified: String,
}

/// The body of `POST /templates` and `PATCH /templates/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateOptions {
    /// Id (new id on update).
    pub id: Option<String>,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub template_type: Option<String>,
    /// The TICKscript.
    pub script: Option<String>,
}

fn store_err(e: kapa_storage::StorageError) -> ApiError {
    ApiError::internal(e.to_string())
}

impl TaskService {
    fn template_table(&self) -> Result<&JsonTable<TemplateRecord>, ApiError> {
        self.templates
            .as_ref()
            .ok_or_else(|| ApiError::internal("templates are not available"))
    }

    /// The template a task names, with Kapacitor's error when it is missing.
    pub(crate) fn template_for_task(&self, id: &str) -> Result<TemplateRecord, ApiError> {
        self.template_table()?
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| {
                ApiError::bad_request(format!("unknown template {id}: err: no template exists"))
            })
    }

    /// Compiles a template with placeholder values for its required vars; the DOT graph.
    fn check_template(&self, t: &TemplateRecord) -> Result<String, String> {
        let program = kapa_tick::parse(&t.script).map_err(|e| e.to_string())?;
        let task_type = TaskType::parse(&t.task_type)
            .ok_or_else(|| format!("invalid task type {:?}", t.task_type))?;
        let def = kapa_engine::TaskDef {
            id: t.id.clone(),
            task_type,
            dbrps: Vec::new(),
            script: t.script.clone(),
            vars: placeholders(&program),
        };
        self.engine.validate(&def).map_err(|e| e.to_string())
    }

    fn template_type(opts: &TemplateOptions, script: &str) -> Result<String, ApiError> {
        if let Some(t) = opts.template_type.as_deref().filter(|t| !t.is_empty()) {
            return TaskType::parse(t)
                .map(|t| t.as_str().to_string())
                .ok_or_else(|| ApiError::bad_request("invalid JSON"));
        }
        let program = kapa_tick::parse(script)
            .map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))?;
        kapa_pipeline::task_type_from_program(&program)
            .map(|t| t.as_str().to_string())
            .ok_or_else(|| ApiError::bad_request("invalid task type: unknown TaskType 0"))
    }

    /// `POST /templates`.
    pub fn create_template(&self, opts: TemplateOptions) -> Result<TemplateView, ApiError> {
        let _guard = self.changes.lock();
        let table = self.template_table()?;
        let id = match opts.id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        if !valid_id(&id) {
            return Err(ApiError::bad_request(format!(
                "template ID must contain only letters, numbers, '-', '.' and '_'. {id:?}"
            )));
        }
        if table.get(&id).map_err(store_err)?.is_some() {
            return Err(ApiError::bad_request(format!(
                "template {id} already exists"
            )));
        }
        let script = opts.script.clone().unwrap_or_default();
        if script.is_empty() {
            return Err(ApiError::bad_request("must provide TICKscript"));
        }
        let now = self.engine.clock().now();
        let rec = TemplateRecord {
            id: id.clone(),
            task_type: Self::template_type(&opts, &script)?,
            script,
            created: now,
            modified: now,
        };
        self.check_template(&rec)
            .map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))?;
        table.put(&id, &rec).map_err(store_err)?;
        Ok(self.template_view(&rec, false))
    }

    /// `PATCH /templates/{id}`: the new script goes to every task made from the template;
    /// enabled ones are reloaded. If a task rejects it, nothing changes.
    pub fn update_template(
        &self,
        id: &str,
        opts: TemplateOptions,
    ) -> Result<TemplateView, ApiError> {
        let _guard = self.changes.lock();
        let table = self.template_table()?;
        let original = table
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no template exists"))?;
        let mut updated = original.clone();
        if let Some(new_id) = opts.id.as_deref().filter(|i| !i.is_empty()) {
            if !valid_id(new_id) {
                return Err(ApiError::bad_request(format!(
                    "template ID must contain only letters, numbers, '-', '.' and '_'. {new_id:?}"
                )));
            }
            if new_id != id && table.get(new_id).map_err(store_err)?.is_some() {
                return Err(ApiError::bad_request(format!(
                    "template {new_id} already exists"
                )));
            }
            updated.id = new_id.to_string();
        }
        if let Some(script) = opts.script.as_deref().filter(|s| !s.is_empty()) {
            updated.script = script.to_string();
        }
        if opts.template_type.as_deref().is_some_and(|t| !t.is_empty()) || opts.script.is_some() {
            updated.task_type = Self::template_type(&opts, &updated.script)?;
        }
        self.check_template(&updated)
            .map_err(|e| ApiError::bad_request(format!("invalid TICKscript: {e}")))?;
        updated.modified = self.engine.clock().now();

        // Check every task with the new script before changing anything.
        let tasks: Vec<_> = self
            .store
            .list()
            .map_err(store_err)?
            .into_iter()
            .filter(|t| t.template_id == id)
            .collect();
        let mut new_tasks = Vec::new();
        for t in &tasks {
            let mut nt = t.clone();
            nt.script = updated.script.clone();
            nt.task_type = updated.task_type.clone();
            nt.template_id = updated.id.clone();
            nt.modified = updated.modified;
            self.validate_record(&nt).map_err(|e| {
                ApiError::bad_request(format!("error reloading associated task {}: {e}", t.id))
            })?;
            new_tasks.push(nt);
        }
        if updated.id != id {
            table.delete(id).map_err(store_err)?;
        }
        table.put(&updated.id, &updated).map_err(store_err)?;
        for mut nt in new_tasks {
            self.store.put(&nt).map_err(store_err)?;
            if nt.status == "enabled" {
                self.engine.stop_task(&nt.id);
                self.start_record(&mut nt).map_err(|e| {
                    ApiError::internal(format!("error reloading associated task {}: {e}", nt.id))
                })?;
            }
        }
        Ok(self.template_view(&updated, false))
    }

    /// `DELETE /templates/{id}`; absent ones are no error. Tasks made from it stay.
    pub fn delete_template(&self, id: &str) -> Result<(), ApiError> {
        let _guard = self.changes.lock();
        self.template_table()?.delete(id).map_err(store_err)?;
        Ok(())
    }

    /// `GET /templates/{id}`.
    pub fn get_template(&self, id: &str, raw_script: bool) -> Result<TemplateView, ApiError> {
        let rec = self
            .template_table()?
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no template exists"))?;
        Ok(self.template_view(&rec, raw_script))
    }

    /// `GET /templates`.
    pub fn list_templates(
        &self,
        params: &ListParams,
        raw_script: bool,
    ) -> Result<Vec<BTreeMap<String, Value>>, ApiError> {
        let items = self
            .template_table()?
            .list()
            .map_err(store_err)?
            .iter()
            .map(|t| (t.id.clone(), self.template_view(t, raw_script)))
            .collect();
        select("templates", items, params, ALL_FIELDS)
    }

    fn template_view(&self, t: &TemplateRecord, raw_script: bool) -> TemplateView {
        let (dot, error) = match self.check_template(t) {
            Ok(dot) => (dot, String::new()),
            Err(e) => (String::new(), e),
        };
        let vars = kapa_tick::parse(&t.script)
            .map(|p| template_vars(&p))
            .unwrap_or_else(|_| serde_json::json!({}));
        TemplateView {
            link: Link {
                rel: "self",
                href: format!("{}/templates/{}", crate::http::BASE, t.id),
            },
            id: t.id.clone(),
            template_type: t.task_type.clone(),
            script: if raw_script {
                t.script.clone()
            } else {
                kapa_tick::format_script(&t.script).unwrap_or_else(|_| t.script.clone())
            },
            vars,
            dot,
            error,
            created: format_time(t.created),
            modified: format_time(t.modified),
        }
    }
}
