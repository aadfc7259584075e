//! `/kapacitor/v1/templates` and `/kapacitor/v1/templates/{id}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::recordings::{Params, blocking, list_params};
use super::{ApiError, MAX_BODY, json_ok, parse_json, read_body};
use crate::state::AppState;
use crate::templates::TemplateOptions;

fn raw_script(params: &[(String, String)]) -> Result<bool, ApiError> {
    match params
        .iter()
        .find(|(k, _)| k == "script-format")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
    {
        "" | "formatted" => Ok(false),
        "raw" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "invalid script-format parameter {other:?}"
        ))),
    }
}

/// `GET /templates`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let opts = list_params(&params)?;
    let raw = raw_script(&params)?;
    let tasks = app.tasks.clone();
    let templates = blocking(move || tasks.list_templates(&opts, raw)).await?;
    Ok(json_ok(&json!({ "templates": templates })))
}

/// `POST /templates`.
pub async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: TemplateOptions = parse_json(&body)?;
    let tasks = app.tasks.clone();
    let t = blocking(move || tasks.create_template(opts)).await?;
    Ok(json_ok(&t))
}

/// `GET /templates/{id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let raw = raw_script(&params)?;
    let tasks = app.tasks.clone();
    let t = blocking(move || tasks.get_template(&id, raw)).await?;
    Ok(json_ok(&t))
}

/// `PATCH /templates/{id}`.
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: TemplateOptions = parse_json(&body)?;
    let tasks = app.tasks.clone();
    let t = blocking(move || tasks.update_template(&id, opts)).await?;
    Ok(json_ok(&t))
}

/// `DELETE /templates/{id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tasks = app.tasks.clone();
    blocking(move || tasks.delete_template(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
