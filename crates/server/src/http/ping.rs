//! `/kapacitor/v1/ping`, InfluxDB's `/ping` (clients ping before writing), and the
//! run-time log level.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::state::AppState;

/// 204; the version is in the common headers.
pub async fn ping() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// 204 with the headers InfluxDB 1.x clients read.
pub async fn influx_ping() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        "X-Influxdb-Version",
        HeaderValue::from_static(crate::VERSION),
    );
    h.insert("X-Influxdb-Build", HeaderValue::from_static("OSS"));
    resp
}

#[derive(serde::Deserialize)]
struct LevelBody {
    level: String,
}

/// `POST /kapacitor/v1/loglevel {"level": "debug"}`.
pub async fn log_level(
    State(app): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let req: LevelBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid json: {e}")))?;
    app.log_level
        .set(&req.level)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    tracing::info!(service = "http", level = %req.level, "log level changed");
    Ok(StatusCode::NO_CONTENT)
}
