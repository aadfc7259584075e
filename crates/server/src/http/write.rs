//! `POST /write` and `/kapacitor/v1/write`: line protocol ingest.
//!
//! Valid lines are processed even when others are bad; then the answer is 400
//! `partial write: <errors> dropped=N`, as InfluxDB 1.x answers.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use kapa_models::Precision;

use super::{ApiError, MAX_BODY, read_body};
use crate::state::AppState;

/// Retention policy used when neither the request nor `default-retention-policy` names
/// one: InfluxDB writes such points to its default policy, `autogen`.
const FALLBACK_RP: &str = "autogen";

/// The handler.
pub async fn write(
    State(app): State<Arc<AppState>>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // Read the body before any early error, so the client's keep-alive connection stays usable.
    let body = read_body(&headers, body, MAX_BODY).await;
    let db = param("db");
    if db.is_empty() {
        return Err(ApiError::bad_request("database is required"));
    }
    let precision =
        Precision::parse(&param("precision")).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut rp = param("rp");
    if rp.is_empty() {
        rp = if app.default_rp.is_empty() {
            FALLBACK_RP.to_string()
        } else {
            app.default_rp.clone()
        };
    }
    let body = body?;
    let outcome = tokio::task::spawn_blocking(move || ingest(&app, &db, &rp, precision, &body))
        .await
        .map_err(|e| ApiError::internal(format!("write failed: {e}")))?;
    outcome.map(|()| StatusCode::NO_CONTENT)
}

/// Parses and processes a body; runs on a blocking thread since the engine works synchronously.
fn ingest(
    app: &AppState,
    db: &str,
    rp: &str,
    precision: Precision,
    body: &[u8],
) -> Result<(), ApiError> {
    let now = app.engine.clock().now();
    let mut points = Vec::new();
    // A large body is parsed on every core, so one client connection can use them all.
    let errors = kapa_lineproto::parse_points_parallel(
        body,
        precision,
        now,
        kapa_models::available_cores(),
        &mut points,
    );
    if !points.is_empty() {
        app.engine.write_points(db, rp, &points);
        app.ingress.record(db, rp, &points);
    }
    if errors.is_empty() {
        return Ok(());
    }
    let text = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if points.is_empty() {
        return Err(ApiError::bad_request(text));
    }
    Err(ApiError::bad_request(format!(
        "partial write: {text} dropped={}",
        errors.len()
    )))
}
