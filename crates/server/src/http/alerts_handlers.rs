//! `/kapacitor/v1/alerts/topics/{topic}/handlers[/{id}]`: topic handler specs, created,
//! replaced (`PUT`), patched (`PATCH`, RFC 6902 JSON Patch) and deleted through the alert
//! service. Handlers of TICKscripts (anonymous topics) have no spec and are not listed.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kapa_alert::{AlertError, TopicHandlerSpec};
use serde::Serialize;
use serde_json::{Map, Value};

use super::alerts_topics::{Link, param, self_href, topics_path};
use super::{ApiError, MAX_BODY, json_ok, read_body};
use crate::json_patch;
use crate::state::AppState;

type Params = Query<Vec<(String, String)>>;

#[derive(Debug, Serialize)]
struct HandlerJson {
    link: Link,
    id: String,
    kind: String,
    options: Map<String, Value>,
    #[serde(rename = "match")]
    match_expr: String,
}

fn handler_json(spec: TopicHandlerSpec) -> HandlerJson {
    HandlerJson {
        link: Link::new(
            "self",
            format!("{}/{}/handlers/{}", topics_path(), spec.topic, spec.id),
        ),
        id: spec.id,
        kind: spec.kind,
        options: spec.options,
        match_expr: spec.match_expr,
    }
}

/// Status and text for an error of the service, with Kapacitor's prefix for the action.
fn service_error(prefix: &str, e: AlertError) -> ApiError {
    match e {
        AlertError::InvalidSpec(_)
        | AlertError::InvalidOption { .. }
        | AlertError::UnknownKind(_)
        | AlertError::Handler { .. } => ApiError::bad_request(format!("invalid handler spec: {e}")),
        AlertError::LoadedSpec(_) => ApiError {
            status: StatusCode::FORBIDDEN,
            message: e.to_string(),
        },
        other => ApiError::internal(format!("{prefix}: {other}")),
    }
}

/// Runs alert-service work on a blocking thread (it may write the store or join threads).
async fn blocking<T: Send + 'static>(
    app: &Arc<AppState>,
    f: impl FnOnce(&kapa_alert::AlertService) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let alerts = app.alerts.clone();
    tokio::task::spawn_blocking(move || f(&alerts))
        .await
        .map_err(|e| ApiError::internal(format!("handler operation failed: {e}")))?
}

fn spec_from_json(topic: &str, body: &[u8], prefix: &str) -> Result<TopicHandlerSpec, ApiError> {
    let mut spec: TopicHandlerSpec =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("{prefix}{e}")))?;
    spec.topic = topic.to_string();
    Ok(spec)
}

/// `GET /alerts/topics/{topic}/handlers?pattern=`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    Path(topic): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let specs = app
        .alerts
        .handler_specs(&topic, param(&params, "pattern"))
        .map_err(|e| ApiError::bad_request(format!("invalid pattern: {e}")))?;
    #[derive(Serialize)]
    struct Handlers {
        link: Link,
        topic: String,
        handlers: Vec<HandlerJson>,
    }
    Ok(json_ok(&Handlers {
        link: Link::new("self", self_href(&uri)),
        topic,
        handlers: specs.into_iter().map(handler_json).collect(),
    }))
}

/// `POST /alerts/topics/{topic}/handlers`.
pub async fn create(
    State(app): State<Arc<AppState>>,
    Path(topic): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    let spec = spec_from_json(&topic, &body, "invalid handler json: ")?;
    blocking(&app, move |alerts| {
        alerts
            .check_spec(&spec)
            .map_err(|e| service_error("failed to create handler", e))?;
        alerts
            .create_handler(spec.clone(), false)
            .map_err(|e| service_error("failed to create handler", e))?;
        Ok(json_ok(&handler_json(spec)))
    })
    .await
}

fn existing(
    alerts: &kapa_alert::AlertService,
    topic: &str,
    id: &str,
) -> Result<TopicHandlerSpec, ApiError> {
    alerts
        .handler_spec(topic, id)
        .map(|(s, _)| s)
        .ok_or_else(|| ApiError::not_found(format!("unknown handler: {id:?}")))
}

/// `GET /alerts/topics/{topic}/handlers/{id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path((topic, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(json_ok(&handler_json(existing(&app.alerts, &topic, &id)?)))
}

fn replace(
    alerts: &kapa_alert::AlertService,
    topic: &str,
    id: &str,
    spec: TopicHandlerSpec,
) -> Result<Response, ApiError> {
    alerts
        .check_spec(&spec)
        .map_err(|e| service_error("failed to update handler", e))?;
    alerts
        .replace_handler(topic, id, spec.clone(), false)
        .map_err(|e| service_error("failed to update handler", e))?;
    Ok(json_ok(&handler_json(spec)))
}

/// `PUT /alerts/topics/{topic}/handlers/{id}`: replaces the spec.
pub async fn put(
    State(app): State<Arc<AppState>>,
    Path((topic, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    blocking(&app, move |alerts| {
        existing(alerts, &topic, &id)?;
        let spec = spec_from_json(&topic, &body, "failed to unmarshal JSON: ")?;
        replace(alerts, &topic, &id, spec)
    })
    .await
}

/// `PATCH /alerts/topics/{topic}/handlers/{id}`: applies a JSON Patch to the spec.
pub async fn patch(
    State(app): State<Arc<AppState>>,
    Path((topic, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body = read_body(&headers, body, MAX_BODY).await?;
    blocking(&app, move |alerts| {
        let old = existing(alerts, &topic, &id)?;
        let ops = json_patch::decode(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid patch json: {e}")))?;
        let doc = serde_json::to_value(&old)
            .map_err(|e| ApiError::internal(format!("failed to marshal JSON: {e}")))?;
        let patched = json_patch::apply(&doc, &ops)
            .map_err(|e| ApiError::bad_request(format!("failed to apply patch: {e}")))?;
        let mut spec: TopicHandlerSpec = serde_json::from_value(patched)
            .map_err(|e| ApiError::internal(format!("failed to unmarshal patched json: {e}")))?;
        spec.topic = topic.clone();
        replace(alerts, &topic, &id, spec)
    })
    .await
}

/// `DELETE /alerts/topics/{topic}/handlers/{id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path((topic, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    blocking(&app, move |alerts| {
        alerts
            .delete_handler(&topic, &id, false)
            .map_err(|e| service_error("failed to delete handler", e))?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}
