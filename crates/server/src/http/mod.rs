//! The HTTP API: the router, the common headers, the JSON error type, and body reading
//! (gzip and size caps) shared by the handlers.

mod alerts_handlers;
mod alerts_topics;
mod debug_vars;
mod http_out;
mod ping;
mod recordings;
mod replays;
mod service_tests;
pub(crate) mod sideload;
mod tasks;
mod templates;
mod write;

use std::io::Read;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};

use crate::state::AppState;

pub use debug_vars::IngressStats;

/// Largest accepted request body, after decompression (InfluxDB's default).
pub const MAX_BODY: usize = 25 * 1024 * 1024;

/// Base path of the API.
pub const BASE: &str = "/kapacitor/v1";
const PREVIEW: &str = "/kapacitor/v1preview";

/// An API failure: a status and the message sent as `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
}

impl ApiError {
    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
    /// 413.
    pub fn too_large() -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "request body too large".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = pretty(&serde_json::json!({ "error": self.message }));
        (self.status, body).into_response()
    }
}

/// JSON indented with four spaces, as Kapacitor's `MarshalJSON(v, true)`.
pub fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    match value.serialize(&mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\":{:?}}}", e.to_string()),
    }
}

/// A 200 response with a pretty JSON body.
pub fn json_ok<T: serde::Serialize>(value: &T) -> Response {
    (StatusCode::OK, pretty(value)).into_response()
}

/// Reads a whole body, gunzipping it when `Content-Encoding: gzip`; both the raw and
/// the decompressed sizes are capped at `limit` (413 beyond).
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let raw = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            ApiError::too_large()
        } else {
            ApiError::bad_request(format!("reading body: {e}"))
        }
    })?;
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    if !gzip {
        return Ok(raw.to_vec());
    }
    let mut out = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(raw.as_ref()).take(limit as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("gzip: {e}")))?;
    if out.len() > limit {
        return Err(ApiError::too_large());
    }
    Ok(out)
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Parses a JSON request body, answering `invalid JSON` as Kapacitor does.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request("invalid JSON"))
}

async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}

/// `POST /kapacitor/v1/subscriptions`: re-links the InfluxDB subscriptions now.
async fn sync_subscriptions() -> StatusCode {
    crate::subscriptions::trigger();
    StatusCode::NO_CONTENT
}

async fn no_content() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// `X-Kapacitor-Version`, `Request-Id` and a JSON content type on every response.
async fn common_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "X-Kapacitor-Version",
        HeaderValue::from_static(crate::VERSION),
    );
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("Request-Id", id);
    }
    if !h.contains_key(header::CONTENT_TYPE)
        || h[header::CONTENT_TYPE] == "text/plain; charset=utf-8"
    {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    resp
}

/// Requests under `/kapacitor/v1preview/` are served by the `/kapacitor/v1/` routes.
pub fn rewrite_preview(mut req: Request) -> Request {
    let path = req.uri().path();
    if let Some(rest) = path.strip_prefix(PREVIEW) {
        let pq = req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("");
        let query = pq.find('?').map(|i| &pq[i..]).unwrap_or("");
        let new = format!("{BASE}{rest}{query}");
        if let Ok(uri) = new.parse() {
            *req.uri_mut() = uri;
        }
    }
    req
}

fn with_404(m: MethodRouter<Arc<AppState>>) -> MethodRouter<Arc<AppState>> {
    // Kapacitor answers an unregistered method with its JSON 404, not 405.
    m.fallback(not_found)
}

/// The API router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            &format!("{BASE}/ping"),
            with_404(get(ping::ping).head(ping::ping)),
        )
        .route(
            "/ping",
            with_404(get(ping::influx_ping).head(ping::influx_ping)),
        )
        .route(
            &format!("{BASE}/write"),
            with_404(post(write::write).options(no_content)),
        )
        .route("/write", with_404(post(write::write).options(no_content)))
        .route(&format!("{BASE}/loglevel"), with_404(post(ping::log_level)))
        .route(
            &format!("{BASE}/sideload/reload"),
            with_404(post(sideload::reload)),
        )
        .route(
            &format!("{BASE}/subscriptions"),
            with_404(post(sync_subscriptions)),
        )
        .route(
            &format!("{BASE}/debug/vars"),
            with_404(get(debug_vars::debug_vars)),
        )
        .route(
            &format!("{BASE}/tasks"),
            with_404(get(tasks::list).post(tasks::create)),
        )
        .route(
            &format!("{BASE}/tasks/{{id}}"),
            with_404(
                get(tasks::get)
                    .patch(tasks::update)
                    .delete(tasks::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/tasks/{{id}}/{{*endpoint}}"),
            with_404(get(http_out::serve)),
        )
        .route(
            &format!("{BASE}/alerts/topics"),
            with_404(get(alerts_topics::list)),
        )
        .route(
            &format!("{BASE}/alerts/topics/{{topic}}"),
            with_404(
                get(alerts_topics::get)
                    .delete(alerts_topics::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/alerts/topics/{{topic}}/events"),
            with_404(get(alerts_topics::events).options(no_content)),
        )
        .route(
            &format!("{BASE}/alerts/topics/{{topic}}/events/{{event}}"),
            with_404(get(alerts_topics::event).options(no_content)),
        )
        .route(
            &format!("{BASE}/alerts/topics/{{topic}}/handlers"),
            with_404(
                get(alerts_handlers::list)
                    .post(alerts_handlers::create)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/alerts/topics/{{topic}}/handlers/{{id}}"),
            with_404(
                get(alerts_handlers::get)
                    .put(alerts_handlers::put)
                    .patch(alerts_handlers::patch)
                    .delete(alerts_handlers::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/templates"),
            with_404(get(templates::list).post(templates::create)),
        )
        .route(
            &format!("{BASE}/templates/{{id}}"),
            with_404(
                get(templates::get)
                    .patch(templates::update)
                    .delete(templates::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/recordings"),
            with_404(get(recordings::list)),
        )
        .route(
            &format!("{BASE}/recordings/stream"),
            with_404(post(recordings::stream)),
        )
        .route(
            &format!("{BASE}/recordings/batch"),
            with_404(post(recordings::batch)),
        )
        .route(
            &format!("{BASE}/recordings/query"),
            with_404(post(recordings::query)),
        )
        .route(
            &format!("{BASE}/recordings/{{id}}"),
            with_404(
                get(recordings::get)
                    .delete(recordings::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/replays"),
            with_404(get(replays::list).post(replays::create)),
        )
        .route(
            &format!("{BASE}/replays/batch"),
            with_404(post(replays::batch)),
        )
        .route(
            &format!("{BASE}/replays/query"),
            with_404(post(replays::query)),
        )
        .route(
            &format!("{BASE}/replays/{{id}}"),
            with_404(
                get(replays::get)
                    .delete(replays::delete)
                    .options(no_content),
            ),
        )
        .route(
            &format!("{BASE}/service-tests"),
            with_404(get(service_tests::list)),
        )
        .route(
            &format!("{BASE}/service-tests/{{service}}"),
            with_404(get(service_tests::get).post(service_tests::run)),
        )
        .fallback(any(not_found))
        .layer(middleware::from_fn(common_headers))
        .with_state(state)
}
