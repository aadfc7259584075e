//! `/kapacitor/v1/recordings`: list, `stream` (start), and GET/DELETE one.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{ApiError, MAX_BODY, json_ok, parse_json, read_body};
use crate::recording::{BatchOptions, ListParams, QueryOptions, StreamOptions};
use crate::state::AppState;

pub(super) type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
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

/// `pattern`, `fields`, `offset`, `limit` as Kapacitor's list endpoints read them.
pub(super) fn list_params(params: &[(String, String)]) -> Result<ListParams, ApiError> {
    Ok(ListParams {
        pattern: param(params, "pattern").to_string(),
        fields: params
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v.clone())
            .collect(),
        offset: usize::try_from(int_param(params, "offset", 0)?).unwrap_or(0),
        limit: int_param(params, "limit", 100)?,
    })
}

/// Runs store work off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("operation failed: {e}")))?
}

/// `GET /recordings`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let opts = list_params(&params)?;
    let svc = app.recordings.clone();
    let recordings = blocking(move || svc.list(&opts)).await?;
    Ok(json_ok(&json!({ "recordings": recordings })))
}

/// `POST /recordings/stream`.
pub async fn stream(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: StreamOptions = parse_json(&body)?;
    let svc = app.recordings.clone();
    let rec = blocking(move || svc.record_stream(opts)).await?;
    Ok(json_ok(&rec))
}

/// `POST /recordings/batch`.
pub async fn batch(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: BatchOptions = parse_json(&body)?;
    let svc = app.recordings.clone();
    let rec = blocking(move || svc.record_batch(opts)).await?;
    Ok(json_ok(&rec))
}

/// `POST /recordings/query`.
pub async fn query(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let opts: QueryOptions = parse_json(&body)?;
    let svc = app.recordings.clone();
    let rec = blocking(move || svc.record_query(opts)).await?;
    Ok(json_ok(&rec))
}

/// `GET /recordings/{id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let svc = app.recordings.clone();
    let rec = blocking(move || svc.get(&id)).await?;
    Ok(json_ok(&rec))
}

/// `DELETE /recordings/{id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let svc = app.recordings.clone();
    blocking(move || svc.delete(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
