//! `GET /kapacitor/v1/tasks/{id}/{endpoint}`: the latest result of a task's httpOut node.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::state::AppState;

/// The handler.
pub async fn serve(
    State(app): State<Arc<AppState>>,
    Path((id, endpoint)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = app
        .engine
        .http_out(&id, &endpoint)
        // Kapacitor falls through to its task route, which finds no task "id/endpoint".
        .ok_or_else(|| ApiError::not_found("no task exists"))?;
    let body = serde_json::to_string(&result).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((StatusCode::OK, body).into_response())
}
