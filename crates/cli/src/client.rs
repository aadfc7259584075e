//! Typed calls to Kapacitor's HTTP API (`/kapacitor/v1/...`) with the JSON shapes and query
//! strings Kapacitor's own Go client sends.

use std::collections::BTreeMap;
use std::io::ErrorKind;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::dbrp::Dbrp;
use crate::gofmt::json_body;

const TASKS_PATH: &str = "/kapacitor/v1/tasks";
const USER_AGENT: &str = "KapacitorClient";

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The `-url` is not an http(s) URL (Kapacitor's message).
    #[error("Unsupported protocol scheme: {0}, your address must start with http:// or https://")]
    Scheme(String),
    /// Nothing answered at the server address.
    #[error(
        "failed to connect to Kapacitor at {url}: {detail}\n\
         Check that kapacitord is running and reachable there; the address is set with \
         -url or the KAPACITOR_URL environment variable."
    )]
    Connect {
        /// Server URL as configured.
        url: String,
        /// What the network layer reported.
        detail: String,
    },
    /// The server answered with `{"error": "..."}`; printed as is, like Kapacitor does.
    #[error("{0}")]
    Server(String),
    /// The server answered with an unexpected status and no error message.
    #[error("invalid response: code {code}: body: {body}")]
    InvalidResponse {
        /// HTTP status.
        code: u16,
        /// Raw body.
        body: String,
    },
    /// A successful answer whose JSON could not be read.
    #[error("failed to decode JSON: {0}")]
    Decode(String),
    /// Any other transport failure.
    #[error("{0}")]
    Transport(String),
}

impl ApiError {
    /// True when the server could not be reached at all.
    pub fn is_connect(&self) -> bool {
        matches!(self, ApiError::Connect { .. } | ApiError::Scheme(_))
    }
}

/// Go decodes JSON `null` into the zero value; so do we.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A `{"rel":..,"href":..}` resource link.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Link {
    /// Relation, normally `self`.
    #[serde(deserialize_with = "null_default")]
    pub rel: String,
    /// Path of the resource.
    #[serde(deserialize_with = "null_default")]
    pub href: String,
}

/// A template variable as the API returns it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct Var {
    /// `bool`, `int`, `float`, `string`, `regex`, `duration`, `lambda`, `list` or `star`.
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub kind: String,
    /// The value; its JSON type follows `kind`.
    pub value: Value,
    /// Free text.
    #[serde(deserialize_with = "null_default")]
    pub description: String,
}

/// A task with its read-only attributes (`GET /tasks/{id}` or an element of `GET /tasks`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct Task {
    /// Self link.
    #[serde(deserialize_with = "null_default")]
    pub link: Link,
    /// Task ID.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Template the task was made from, if any.
    #[serde(rename = "template-id", deserialize_with = "null_default")]
    pub template_id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub kind: String,
    /// Databases and retention policies the task reads.
    #[serde(deserialize_with = "null_default")]
    pub dbrps: Vec<Dbrp>,
    /// TICKscript.
    #[serde(deserialize_with = "null_default")]
    pub script: String,
    /// Template vars, sorted by name.
    #[serde(deserialize_with = "null_default")]
    pub vars: BTreeMap<String, Var>,
    /// Graphviz DOT of the pipeline with stats.
    #[serde(deserialize_with = "null_default")]
    pub dot: String,
    /// `enabled` or `disabled`.
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    /// Whether the task is running.
    #[serde(deserialize_with = "null_default")]
    pub executing: bool,
    /// Last error of the task.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// RFC 3339 creation time.
    pub created: Option<String>,
    /// RFC 3339 modification time.
    pub modified: Option<String>,
    /// RFC 3339 time the task was last enabled (zero time when never).
    #[serde(rename = "last-enabled")]
    pub last_enabled: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaskList {
    #[serde(deserialize_with = "null_default")]
    tasks: Vec<Task>,
}

/// The body of a task create (`POST`) or update (`PATCH`); empty fields are left out, as
/// Go's `omitempty` does, so an update only touches what was given.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TaskOptions {
    /// Task ID (create only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Template ID.
    #[serde(rename = "template-id", skip_serializing_if = "String::is_empty")]
    pub template_id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Databases and retention policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dbrps: Vec<Dbrp>,
    /// TICKscript text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub script: String,
    /// `enabled` or `disabled`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Template vars (`{name: {type, value, description}}`).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub vars: serde_json::Map<String, Value>,
}

/// A JSON object whose members keep the given order (Go encodes struct fields in order);
/// empty `id` members are left out, as Go's `omitempty` does.
#[derive(Debug, Clone)]
pub struct Ordered(pub Vec<(&'static str, Value)>);

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let members: Vec<_> = self
            .0
            .iter()
            .filter(|(k, v)| !(*k == "id" && v.as_str() == Some("")))
            .collect();
        let mut map = s.serialize_map(Some(members.len()))?;
        for (k, v) in members {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Options of a task listing (`GET /tasks`).
#[derive(Debug, Clone, Default)]
pub struct ListTasks<'a> {
    /// Shell glob on the task ID; empty matches all.
    pub pattern: &'a str,
    /// Fields to return besides `id` and `link`.
    pub fields: &'a [&'a str],
    /// Index of the first task.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
}

/// Escapes a query component like Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Escapes a path like Go's `url.URL.EscapedPath`.
pub fn path_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Builds a query string like Go's `url.Values.Encode`: keys sorted, values in given order.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    let mut sorted: Vec<(usize, &(&str, &str))> = pairs.iter().enumerate().collect();
    sorted.sort_by(|a, b| a.1.0.cmp(b.1.0).then(a.0.cmp(&b.0)));
    sorted
        .iter()
        .map(|(_, (k, v))| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Splits `scheme://authority/...` and keeps `scheme://authority`; API paths replace any path.
fn origin(url: &str) -> Result<String, ApiError> {
    let scheme = match url.split_once(':') {
        Some((s, _))
            if s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            s.to_ascii_lowercase()
        }
        _ => String::new(),
    };
    if scheme != "http" && scheme != "https" {
        return Err(ApiError::Scheme(scheme));
    }
    let rest = url[scheme.len() + 1..].trim_start_matches('/');
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Ok(format!("{scheme}://{}", &rest[..end]))
}

/// A client of one Kapacitor server.
pub struct Client {
    url: String,
    origin: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client for the server at `url` (`http://host:port`).
    pub fn new(url: &str) -> Result<Self, ApiError> {
        let origin = origin(url)?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            .build();
        Ok(Self {
            url: url.to_string(),
            origin,
            agent: config.into(),
        })
    }

    /// The path of a task resource.
    pub fn task_link(id: &str) -> String {
        format!("{TASKS_PATH}/{id}")
    }

    /// One request; a non-2xx answer is Kapacitor's error.
    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<String>,
    ) -> Result<(u16, String), ApiError> {
        let mut url = format!("{}{}", self.origin, path_escape(path));
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            ("POST", b) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_default()),
            ("PUT", b) => self
                .agent
                .put(&url)
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_default()),
            (_, b) => self
                .agent
                .patch(&url)
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_default()),
        };
        let mut resp = result.map_err(|e| self.transport_error(e))?;
        let code = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| self.transport_error(e))?;
        if !(200..300).contains(&code) {
            return Err(error_from_body(code, text));
        }
        Ok((code, text))
    }

    fn transport_error(&self, e: ureq::Error) -> ApiError {
        let connect = |detail: String| ApiError::Connect {
            url: self.url.clone(),
            detail,
        };
        match e {
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused => connect("connection refused".to_string()),
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::NotConnected
                | ErrorKind::AddrNotAvailable
                | ErrorKind::TimedOut
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkUnreachable => connect(io.to_string()),
                // Name resolution failures come from the OS without a specific kind.
                _ if io.to_string().contains("lookup address") => connect(io.to_string()),
                _ => ApiError::Transport(io.to_string()),
            },
            ureq::Error::HostNotFound => connect("host not found".to_string()),
            ureq::Error::ConnectionFailed => connect("connection failed".to_string()),
            ureq::Error::Timeout(t) => connect(format!("timeout: {t}")),
            ureq::Error::TlsRequired => ApiError::Transport(
                "https URLs are not supported by this build of kapacitor".to_string(),
            ),
            other => ApiError::Transport(other.to_string()),
        }
    }

    /// `GET /tasks/{id}` with Kapacitor's default view options.
    pub fn task(&self, link: &str, replay_id: &str) -> Result<Task, ApiError> {
        let mut pairs = vec![("dot-view", "attributes"), ("script-format", "formatted")];
        if !replay_id.is_empty() {
            pairs.push(("replay-id", replay_id));
        }
        let (_, body) = self.send("GET", link, &encode_query(&pairs), None)?;
        serde_json::from_str(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `GET /tasks` with a pattern, fields and paging.
    pub fn list_tasks(&self, opt: &ListTasks<'_>) -> Result<Vec<Task>, ApiError> {
        let offset = opt.offset.to_string();
        let limit = if opt.limit == 0 { 100 } else { opt.limit }.to_string();
        let mut pairs = vec![
            ("dot-view", "attributes"),
            ("script-format", "formatted"),
            ("pattern", opt.pattern),
        ];
        pairs.extend(opt.fields.iter().map(|f| ("fields", *f)));
        pairs.push(("offset", &offset));
        pairs.push(("limit", &limit));
        let (_, body) = self.send("GET", TASKS_PATH, &encode_query(&pairs), None)?;
        let list: TaskList =
            serde_json::from_str(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(list.tasks)
    }

    /// `POST /tasks`.
    pub fn create_task(&self, opt: &TaskOptions) -> Result<(), ApiError> {
        let body = json_body(opt).map_err(|e| ApiError::Transport(e.to_string()))?;
        self.send("POST", TASKS_PATH, "", Some(body)).map(|_| ())
    }

    /// `PATCH /tasks/{id}`: only the fields set in `opt` change.
    pub fn update_task(&self, link: &str, opt: &TaskOptions) -> Result<(), ApiError> {
        let body = json_body(opt).map_err(|e| ApiError::Transport(e.to_string()))?;
        self.send("PATCH", link, "", Some(body)).map(|_| ())
    }

    /// `DELETE /tasks/{id}`.
    pub fn delete_task(&self, link: &str) -> Result<(), ApiError> {
        self.send("DELETE", link, "", None).map(|_| ())
    }

    /// `GET` of any API path; the answer as JSON (templates, recordings, replays).
    pub fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, ApiError> {
        let (_, body) = self.send("GET", path, &encode_query(query), None)?;
        serde_json::from_str(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `POST` (or `PATCH` when `patch`) of a JSON body to any API path; the answer as JSON.
    pub fn send_json<T: Serialize>(
        &self,
        path: &str,
        body: &T,
        patch: bool,
    ) -> Result<Value, ApiError> {
        let body = json_body(body).map_err(|e| ApiError::Transport(e.to_string()))?;
        let method = if patch { "PATCH" } else { "POST" };
        let (_, text) = self.send(method, path, "", Some(body))?;
        serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `DELETE` of any API path.
    pub fn delete_path(&self, path: &str) -> Result<(), ApiError> {
        self.send("DELETE", path, "", None).map(|_| ())
    }
    /// `GET /service-tests?pattern=`.
    pub fn list_service_tests(&self, pattern: &str) -> Result<ServiceTests, ApiError> {
        let query = encode_query(&[("pattern", pattern)]);
        let (_, body) = self.send("GET", "/kapacitor/v1/service-tests", &query, None)?;
        serde_json::from_str(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `POST` to a service test link with the default options (`null`).
    pub fn do_service_test(&self, link: &str) -> Result<ServiceTestResult, ApiError> {
        let (_, body) = self.send("POST", link, "", Some("null".to_string()))?;
        serde_json::from_str(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }
}

/// One testable service.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServiceTest {
    /// Link to run its test.
    #[serde(default)]
    pub link: Link,
    /// Service name.
    pub name: String,
}

/// `GET /service-tests`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServiceTests {
    /// The services, sorted by name.
    #[serde(default)]
    pub services: Vec<ServiceTest>,
}

/// The outcome of a service test.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServiceTestResult {
    /// Whether the test passed.
    #[serde(default)]
    pub success: bool,
    /// Why it failed.
    #[serde(default)]
    pub message: String,
}

/// Turns a non-2xx answer into Kapacitor's error: the `error` member (matched without regard
/// to case, as Go's decoder does), else the code and raw body.
fn error_from_body(code: u16, body: String) -> ApiError {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&body) {
        let msg = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("error"))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("");
        if !msg.is_empty() {
            return ApiError::Server(msg.to_string());
        }
    }
    ApiError::InvalidResponse { code, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_path_and_checks_scheme() {
        assert_eq!(
            origin("http://localhost:9092").unwrap(),
            "http://localhost:9092"
        );
        assert_eq!(origin("HTTP://h:1/some/path?x").unwrap(), "http://h:1");
        assert_eq!(
            origin("localhost:9092").unwrap_err().to_string(),
            "Unsupported protocol scheme: localhost, your address must start with http:// or https://"
        );
        assert_eq!(
            origin("/tmp/x").unwrap_err().to_string(),
            "Unsupported protocol scheme: , your address must start with http:// or https://"
        );
    }

    #[test]
    fn query_like_go_values_encode() {
        assert_eq!(
            encode_query(&[("pattern", "*_alert"), ("fields", "link"), ("limit", "100")]),
            "fields=link&limit=100&pattern=%2A_alert"
        );
        assert_eq!(query_escape("a b/c"), "a+b%2Fc");
        assert_eq!(
            path_escape("/kapacitor/v1/tasks/é x"),
            "/kapacitor/v1/tasks/%C3%A9%20x"
        );
    }

    #[test]
    fn server_errors() {
        let e = error_from_body(404, r#"{"error":"no task exists"}"#.to_string());
        assert_eq!(e.to_string(), "no task exists");
        let e = error_from_body(500, r#"{"Error":"boom"}"#.to_string());
        assert_eq!(e.to_string(), "boom");
        let e = error_from_body(502, "bad gateway".to_string());
        assert_eq!(
            e.to_string(),
            "invalid response: code 502: body: bad gateway"
        );
    }

    #[test]
    fn task_decodes_nulls_as_zero_values() {
        let t: Task = serde_json::from_str(
            r#"{"id":"a","dbrps":null,"vars":null,"error":null,"executing":true}"#,
        )
        .unwrap();
        assert_eq!(t.id, "a");
        assert!(t.dbrps.is_empty());
        assert!(t.executing);
    }

    #[test]
    fn options_omit_empty_fields() {
        let o = TaskOptions {
            script: "stream".to_string(),
            ..Default::default()
        };
        assert_eq!(json_body(&o).unwrap(), "{\"script\":\"stream\"}\n");
        let o = TaskOptions {
            id: "t".to_string(),
            kind: "batch".to_string(),
            dbrps: vec![Dbrp {
                db: "d".to_string(),
                rp: "r".to_string(),
            }],
            status: "disabled".to_string(),
            ..Default::default()
        };
        assert_eq!(
            json_body(&o).unwrap(),
            "{\"id\":\"t\",\"type\":\"batch\",\"dbrps\":[{\"db\":\"d\",\"rp\":\"r\"}],\"status\":\"disabled\"}\n"
        );
    }
}
