//! The `post` handler: HTTP POST of the `alert.Data` JSON (or an endpoint's alert
//! template) to a URL or a `[[httppost]]` endpoint.

use std::sync::Arc;
use std::time::Duration;

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::options::Options;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::httppost::{Endpoint, Endpoints, UrlTemplate};

/// Request timeout when the handler sets none (Kapacitor waits forever).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Response bytes kept for `.captureResponse()`.
const CAPTURE_LIMIT: u64 = 64 * 1024;

/// Posts each event.
pub struct PostHandler {
    endpoint: Arc<Endpoint>,
    headers: Vec<(String, String)>,
    capture_response: bool,
    agent: ureq::Agent,
}

impl std::fmt::Debug for PostHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostHandler")
            .field("endpoint", &self.endpoint)
            .field("headers", &self.headers)
            .field("capture_response", &self.capture_response)
            .finish_non_exhaustive()
    }
}

fn handler_err(reason: impl Into<String>) -> AlertError {
    AlertError::Handler {
        kind: "post".into(),
        reason: reason.into(),
    }
}

impl PostHandler {
    /// Builds the handler from the topic-handler options `url`, `endpoint`, `headers`,
    /// `capture-response`, `timeout` and `skip-ssl-verification`.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        endpoints: &Endpoints,
    ) -> Result<Self, AlertError> {
        let o = Options::new("post", options);
        let url = o.string("url")?;
        let name = o.string("endpoint")?;
        let endpoint = match endpoints.get(&name) {
            Some(e) => e.clone(),
            None if url.is_empty() => {
                return Err(handler_err(
                    "An appropriately formatted url must be specified if an endpoint is not specified",
                ));
            }
            None => Arc::new(Endpoint::from_url(&url).map_err(handler_err)?),
        };
        let timeout = match o.duration("timeout")? {
            t if t > 0 => Duration::from_nanos(t.unsigned_abs()),
            _ => DEFAULT_TIMEOUT,
        };
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(o.bool("skip-ssl-verification")?)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            // Headers as Go's client sends them: its User-Agent and no Accept.
            .user_agent("Go-http-client/1.1")
            .accept("")
            .build()
            .new_agent();
        Ok(PostHandler {
            endpoint,
            headers: o.string_map("headers")?,
            capture_response: o.bool("capture-response")?,
            agent,
        })
    }

    /// Request headers in Go's order: basic auth, the endpoint's, the handler's (which
    /// replace an endpoint header of the same name), then Content-Type.
    fn request_headers(&self, content_type: Option<&str>) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some((user, pass)) = &self.endpoint.basic_auth {
            headers.push((
                "Authorization".into(),
                kapa_models::httppost::basic_auth_header(user, pass),
            ));
        }
        headers.extend(self.endpoint.headers.iter().cloned());
        let mut set = |k: &str, v: &str| {
            headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
            headers.push((k.to_string(), v.to_string()));
        };
        for (k, v) in &self.headers {
            set(k, v);
        }
        if let Some(ct) = content_type {
            set("Content-Type", ct);
        }
        headers
    }
}

/// Seconds of a `Retry-After` header (the HTTP-date form is left to the backoff).
fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn classify(e: ureq::Error) -> Failure {
    let reason = format!("failed to POST alert data: {e}");
    match e {
        ureq::Error::Io(_)
        | ureq::Error::Timeout(_)
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Protocol(_)
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::BodyStalled => Failure::transient(reason),
        _ => Failure::Permanent(reason),
    }
}

impl Deliver for PostHandler {
    fn kind(&self) -> &'static str {
        "post"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let needs_data = self.endpoint.alert_template.is_some()
            || matches!(self.endpoint.url, UrlTemplate::Template(_));
        let data = needs_data.then(|| crate::template::alert_data(event));
        let (body, content_type) = match (&self.endpoint.alert_template, &data) {
            (Some(t), Some(d)) => (
                t.render(d).map_err(|e| {
                    Failure::Permanent(format!("failed to execute alert template: {e}"))
                })?,
                None,
            ),
            _ => {
                let mut json = crate::to_go_json(&event.data).map_err(|e| {
                    Failure::Permanent(format!("failed to marshal alert data json: {e}"))
                })?;
                json.push('\n');
                (json, Some("application/json"))
            }
        };
        let url = match (&self.endpoint.url, &data) {
            (UrlTemplate::Template(t), Some(d)) => t.render(d).map_err(|e| {
                Failure::Permanent(format!(
                    "failed to create HTTP request: failed to execute url template: {e}"
                ))
            })?,
            (UrlTemplate::Plain(u), _) => u.clone(),
            (UrlTemplate::Template(_), None) => String::new(),
        };
        let mut req = self.agent.post(&url);
        for (k, v) in self.request_headers(content_type) {
            req = req.header(k, v);
        }
        let mut resp = req.send(body.as_bytes()).map_err(classify)?;
        let code = resp.status().as_u16();
        if (200..300).contains(&code) {
            return Ok(());
        }
        let detail = if self.capture_response {
            resp.body_mut()
                .with_config()
                .limit(CAPTURE_LIMIT)
                .read_to_string()
                .unwrap_or_else(|e| e.to_string())
        } else {
            "unknown error, use .captureResponse() to capture the HTTP response".to_string()
        };
        let reason = format!("POST returned non 2xx status code {code}: {detail}");
        if code == 429 || code >= 500 {
            Err(Failure::Transient {
                reason,
                retry_after: retry_after(&resp),
            })
        } else {
            Err(Failure::Permanent(reason))
        }
    }
}
