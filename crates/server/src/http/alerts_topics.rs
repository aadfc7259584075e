//! `/kapacitor/v1/alerts/topics`, `/alerts/topics/{topic}` and its events: topic states as
//! Kapacitor's JSON (`link`, `id`, `level`, `collected`, `events-link`, `handlers-link`).

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kapa_alert::{EventView, TopicSummary};
use kapa_engine::Level;
use serde::Serialize;

use super::{ApiError, BASE, json_ok};
use crate::state::AppState;

type Params = Query<Vec<(String, String)>>;

/// `{"rel": ..., "href": ...}`.
#[derive(Debug, Serialize)]
pub(crate) struct Link {
    rel: &'static str,
    href: String,
}

impl Link {
    pub(crate) fn new(rel: &'static str, href: String) -> Link {
        Link { rel, href }
    }
}

pub(crate) fn topics_path() -> String {
    format!("{BASE}/alerts/topics")
}

pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The request's path and query, as Go's `r.URL.String()` gives them for self links.
pub(crate) fn self_href(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string())
}

/// Kapacitor's `alert.ParseLevel`: case-insensitive, empty is OK.
fn min_level(params: &[(String, String)]) -> Result<Level, ApiError> {
    let s = param(params, "min-level");
    if s.is_empty() {
        return Ok(Level::Ok);
    }
    Level::parse(s).ok_or_else(|| {
        ApiError::bad_request(format!("unknown alert level '{}'", s.to_ascii_uppercase()))
    })
}

#[derive(Debug, Serialize)]
struct TopicJson {
    link: Link,
    id: String,
    level: &'static str,
    collected: i64,
    #[serde(rename = "events-link")]
    events_link: Link,
    #[serde(rename = "handlers-link")]
    handlers_link: Link,
}

fn topic_json(t: TopicSummary) -> TopicJson {
    let base = format!("{}/{}", topics_path(), t.id);
    TopicJson {
        link: Link::new("self", base.clone()),
        level: t.level.as_str(),
        collected: t.collected,
        events_link: Link::new("events", format!("{base}/events")),
        handlers_link: Link::new("handlers", format!("{base}/handlers")),
        id: t.id,
    }
}

#[derive(Debug, Serialize)]
struct EventStateJson {
    message: String,
    details: String,
    time: String,
    duration: String,
    level: &'static str,
}

#[derive(Debug, Serialize)]
struct EventJson {
    link: Link,
    id: String,
    state: EventStateJson,
}

fn event_json(topic: &str, e: EventView) -> EventJson {
    EventJson {
        link: Link::new("self", format!("{}/{topic}/events/{}", topics_path(), e.id)),
        state: EventStateJson {
            message: e.message,
            details: e.details,
            time: kapa_models::time::format_rfc3339(e.time),
            duration: kapa_models::duration::format_go(e.duration),
            level: e.level.as_str(),
        },
        id: e.id,
    }
}

/// `GET /alerts/topics?min-level=&pattern=`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let level = min_level(&params)?;
    let topics = app
        .alerts
        .topic_summaries(param(&params, "pattern"), level)
        .map_err(|e| ApiError::bad_request(format!("invalid pattern: {e}")))?;
    #[derive(Serialize)]
    struct Topics {
        link: Link,
        topics: Vec<TopicJson>,
    }
    Ok(json_ok(&Topics {
        link: Link::new("self", self_href(&uri)),
        topics: topics.into_iter().map(topic_json).collect(),
    }))
}

/// `GET /alerts/topics/{topic}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(topic): Path<String>,
) -> Result<Response, ApiError> {
    let t = app
        .alerts
        .topic_summary(&topic)
        .ok_or_else(|| ApiError::not_found(format!("unknown topic: {topic:?}")))?;
    Ok(json_ok(&topic_json(t)))
}

/// `DELETE /alerts/topics/{topic}`: its events go; handlers defined by specs stay.
pub async fn delete(State(app): State<Arc<AppState>>, Path(topic): Path<String>) -> Response {
    app.alerts.delete_topic(&topic);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /alerts/topics/{topic}/events?min-level=`.
pub async fn events(
    State(app): State<Arc<AppState>>,
    Path(topic): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let level = min_level(&params)?;
    #[derive(Serialize)]
    struct Events {
        link: Link,
        topic: String,
        events: Vec<EventJson>,
    }
    let events = app.alerts.events(&topic, level);
    Ok(json_ok(&Events {
        link: Link::new("self", format!("{}/{topic}/events", topics_path())),
        events: events.into_iter().map(|e| event_json(&topic, e)).collect(),
        topic,
    }))
}

/// `GET /alerts/topics/{topic}/events/{event}`.
pub async fn event(
    State(app): State<Arc<AppState>>,
    Path((topic, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let e = app
        .alerts
        .event(&topic, &id)
        .ok_or_else(|| ApiError::not_found(format!("unknown event {id:?} in topic {topic:?}")))?;
    Ok(json_ok(&event_json(&topic, e)))
}
