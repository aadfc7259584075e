//! `/kapacitor/v1/replays`: list, create, and GET/DELETE one.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::recordings::{Params, blocking, list_params};
use super::{ApiError, MAX_BODY, json_ok, parse_json, read_body};
use crate::replay::{LiveBatchOptions, LiveQueryOptions, ReplayOptions};
use crate::state::AppState;

/// `GET /replays`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let opts = list_params(&params)?;
    let svc = app.replays.clone();
    let replays = blocking(move || svc.list(&opts)).await?;
    Ok(json_ok(&json!({ "replays": replays })))
}

/// `POST /replays`.
pub async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: ReplayOptions = parse_json(&body)?;
    let svc = app.replays.clone();
    let replay = blocking(move || svc.create(opts)).await?;
    Ok(json_ok(&replay))
}

/// `POST /replays/batch`.
pub async fn batch(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: LiveBatchOptions = parse_json(&body)?;
    let svc = app.replays.clone();
    let replay = blocking(move || svc.create_batch(opts)).await?;
    Ok(json_ok(&replay))
}

/// `POST /replays/query`.
pub async fn query(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: LiveQueryOptions = parse_json(&body)?;
    let svc = app.replays.clone();
    let replay = blocking(move || svc.create_query(opts)).await?;
    Ok(json_ok(&replay))
}

/// `GET /replays/{id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let svc = app.replays.clone();
    let replay = blocking(move || svc.get(&id)).await?;
    Ok(json_ok(&replay))
}

/// `DELETE /replays/{id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let svc = app.replays.clone();
    blocking(move || svc.delete(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
