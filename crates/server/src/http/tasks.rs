//! `/kapacitor/v1/tasks` and `/kapacitor/v1/tasks/{id}`: query parameters and bodies in,
//! JSON out; the rules live in the task service.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::{ApiError, MAX_BODY, json_ok, parse_json, read_body};
use crate::state::AppState;
use crate::tasks::{ListOptions, TaskOptions, TaskService, ViewOptions};

type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn view_options(params: &[(String, String)]) -> Result<ViewOptions, ApiError> {
    let labels = match param(params, "dot-view") {
        "" | "attributes" => false,
        "labels" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "invalid dot-view parameter {other:?}"
            )));
        }
    };
    let raw_script = match param(params, "script-format") {
        "" | "formatted" => false,
        "raw" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "invalid script-format parameter {other:?}"
            )));
        }
    };
    Ok(ViewOptions { labels, raw_script })
}

fn int_param(params: &[(String, String)], name: &str, default: i64) -> Result<i64, ApiError> {
    match param(params, name) {
        "" => Ok(default),
        s => s.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "invalid {name} parameter {s:?} must be an integer: strconv.ParseInt: parsing {s:?}: invalid syntax"
            ))
        }),
    }
}

/// Runs task-service work on a blocking thread (it touches the store and the engine).
async fn blocking<T: Send + 'static>(
    app: &Arc<AppState>,
    f: impl FnOnce(&TaskService) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let tasks = app.tasks.clone();
    tokio::task::spawn_blocking(move || f(&tasks))
        .await
        .map_err(|e| ApiError::internal(format!("task operation failed: {e}")))?
}

/// `GET /tasks`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let opts = ListOptions {
        pattern: param(&params, "pattern").to_string(),
        fields: params
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v.clone())
            .collect(),
        offset: usize::try_from(int_param(&params, "offset", 0)?).unwrap_or(0),
        limit: int_param(&params, "limit", 100)?,
        view: view_options(&params)?,
    };
    #[derive(Serialize)]
    struct Tasks {
        tasks: Vec<std::collections::BTreeMap<String, serde_json::Value>>,
    }
    let tasks = blocking(&app, move |t| t.list(&opts)).await?;
    Ok(json_ok(&Tasks { tasks }))
}

/// `POST /tasks`.
pub async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: TaskOptions = parse_json(&body)?;
    let task = blocking(&app, move |t| t.create(opts)).await?;
    Ok(json_ok(&task))
}

/// `GET /tasks/{id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let view = view_options(&params)?;
    let replay = param(&params, "replay-id").to_string();
    if !replay.is_empty() {
        // In the context of a running replay: its isolated engine's state and stats.
        let engine = app
            .replays
            .engine_of(&replay)
            .ok_or_else(|| ApiError::not_found(format!("replay {replay} is not running")))?;
        let task = blocking(&app, move |t| t.get_in_replay(&id, view, &engine)).await?;
        return Ok(json_ok(&task));
    }
    let task = blocking(&app, move |t| t.get(&id, view)).await?;
    Ok(json_ok(&task))
}

/// `PATCH /tasks/{id}`.
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    app.loaded_tasks.check(&id)?;
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: TaskOptions = parse_json(&body)?;
    let task = blocking(&app, move |t| t.update(&id, opts)).await?;
    Ok(json_ok(&task))
}

/// `DELETE /tasks/{id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    app.loaded_tasks.check(&id)?;
    let prefix = format!("main:{id}:");
    blocking(&app, move |t| t.delete(&id)).await?;
    // The task's anonymous topics and their stored event states go with it.
    app.alerts.delete_topics_with_prefix(&prefix);
    Ok(StatusCode::NO_CONTENT)
}
