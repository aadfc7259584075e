//! `/kapacitor/v1/service-tests`: list the testable handler services with their default
//! options, show one, and run a test with options merged over the defaults.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kapa_alert::service_tests::{self, TestOptions};
use serde::Serialize;

use super::{ApiError, BASE, read_body};
use crate::state::AppState;

/// Largest accepted test body.
const BODY_LIMIT: usize = 1 << 20;

#[derive(Serialize)]
struct Link {
    rel: &'static str,
    href: String,
}

fn link(href: String) -> Link {
    Link { rel: "self", href }
}

#[derive(Serialize)]
struct ServiceTest {
    link: Link,
    name: String,
    options: TestOptions,
}

#[derive(Serialize)]
struct ServiceTests {
    link: Link,
    services: Vec<ServiceTest>,
}

#[derive(Serialize)]
struct TestResult {
    success: bool,
    message: String,
}

fn service_test(name: &str, options: TestOptions) -> ServiceTest {
    ServiceTest {
        link: link(format!("{BASE}/service-tests/{name}")),
        name: name.to_string(),
        options,
    }
}

/// A 200 with json.Encoder's output (compact, Go escaping, newline), as this endpoint
/// answers in Kapacitor.
fn json_ok<T: Serialize>(value: &T) -> Response {
    use axum::response::IntoResponse;
    let mut body = kapa_alert::to_go_json(value)
        .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
    body.push('\n');
    (axum::http::StatusCode::OK, body).into_response()
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("service {name:?} not found"))
}

/// `GET /service-tests?pattern=`: the services whose name matches the glob (default `*`).
pub async fn list(
    State(state): State<Arc<AppState>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let pattern = params
        .iter()
        .find(|(k, _)| k == "pattern")
        .map_or("", |(_, v)| v.as_str());
    let pattern = if pattern.is_empty() { "*" } else { pattern };
    let matcher = glob::Pattern::new(pattern)
        .map_err(|_| ApiError::bad_request("bad pattern: syntax error in pattern"))?;
    let opts = glob::MatchOptions {
        require_literal_separator: true,
        ..Default::default()
    };
    let services = state.alerts.services();
    let list = service_tests::SERVICE_TESTS
        .iter()
        .filter(|n| matcher.matches_with(n, opts))
        .filter_map(|n| service_tests::test_options(services, n).map(|o| service_test(n, o)))
        .collect();
    Ok(json_ok(&ServiceTests {
        link: link(format!("{BASE}/service-tests")),
        services: list,
    }))
}

/// `GET /service-tests/{service}`: the default options of one service.
pub async fn get(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let name = name.trim_end_matches('/');
    if name.is_empty() {
        return Err(ApiError::bad_request("must provide service name"));
    }
    let options = service_tests::test_options(state.alerts.services(), name)
        .ok_or_else(|| not_found(name))?;
    Ok(json_ok(&service_test(name, options)))
}

/// `POST /service-tests/{service}`: runs the test; a failed test is still a 200 with
/// `success: false` and the reason.
pub async fn run(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let name = name.trim_end_matches('/').to_string();
    if name.is_empty() {
        return Err(ApiError::bad_request("must provide service name"));
    }
    let defaults = service_tests::test_options(state.alerts.services(), &name)
        .ok_or_else(|| not_found(&name))?;
    let raw = read_body(&headers, body, BODY_LIMIT).await?;
    let text = String::from_utf8_lossy(&raw);
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("failed to decode JSON body:EOF"));
    }
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| ApiError::bad_request(format!("failed to decode JSON body:{e}")))?;
    let options = service_tests::merge_options(&defaults, &value).map_err(ApiError::bad_request)?;
    let alerts = state.alerts.clone();
    // Tests talk to the network with blocking clients.
    let result = tokio::task::spawn_blocking(move || {
        service_tests::run_test(alerts.services(), &name, &options)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(json_ok(&match result {
        Ok(()) => TestResult {
            success: true,
            message: String::new(),
        },
        Err(message) => TestResult {
            success: false,
            message,
        },
    }))
}
