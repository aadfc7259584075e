//! Handlers against real listeners on 127.0.0.1: the exact bytes sent, retries of
//! transient failures, and the bounded queues.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use kapa_alert::{AlertService, DeliveryConfig, HandlerStats, RetryPolicy, ServiceConfig};
use kapa_engine::{AlertData, AlertEvent, AlertSink, Level};
use kapa_models::httppost::HttpPostEndpoint;
use kapa_models::{Row, SeriesResult};
use kapa_pipeline::nodes::HandlerSpec;
use serde_json::{Map, Value, json};

const WAIT: Duration = Duration::from_secs(20);

fn event(id: &str, level: Level) -> AlertEvent {
    let mut tags = Map::new();
    tags.insert("host".into(), Value::String("a".into()));
    AlertEvent {
        data: AlertData {
            id: id.into(),
            message: format!("{id} is {}", level.as_str()),
            details: "{&#34;Name&#34;:&#34;cpu&#34;}".into(),
            time: "1971-01-01T00:00:02Z".into(),
            duration: 0,
            level,
            data: SeriesResult {
                series: Some(vec![Row {
                    name: "cpu".into(),
                    tags,
                    columns: vec!["time".into(), "usage_idle".into()],
                    values: vec![vec![
                        Value::String("1971-01-01T00:00:02Z".into()),
                        Value::from(50),
                    ]],
                }]),
                error: None,
            },
            previous_level: Level::Ok,
            recoverable: true,
        },
        time: 31_536_002_000_000_000,
        task_name: "cpu_alert".into(),
        name: "cpu".into(),
        group: "nil".into(),
        tags: vec![],
        category: String::new(),
    }
}

/// What Kapacitor's json.Encoder writes for `event("cpu:nil", CRITICAL)`.
const CRIT_JSON: &str = r#"{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"{\u0026#34;Name\u0026#34;:\u0026#34;cpu\u0026#34;}","time":"1971-01-01T00:00:02Z","duration":0,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_idle"],"values":[["1971-01-01T00:00:02Z",50]]}]},"previousLevel":"OK","recoverable":true}"#;

fn spec(kind: &str, options: Value) -> HandlerSpec {
    let Value::Object(options) = options else {
        panic!("options must be an object")
    };
    HandlerSpec {
        kind: kind.into(),
        options,
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 100,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        max_elapsed: Duration::from_secs(30),
    }
}

fn service(capacity: usize, httppost: Vec<HttpPostEndpoint>) -> Arc<AlertService> {
    AlertService::with_config(ServiceConfig {
        delivery: DeliveryConfig {
            queue_capacity: capacity,
            retry: fast_retries(),
        },
        httppost,
        ..Default::default()
    })
    .unwrap()
}

fn stats(svc: &AlertService) -> HandlerStats {
    svc.handler_stats().into_iter().next().unwrap()
}

/// A request as the test server saw it.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Request {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap().to_string();
    let path = parts.next().unwrap().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    Request {
        method,
        path,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

fn respond(mut stream: &TcpStream, status: &str, extra: &str, body: &str) {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
    .unwrap();
}

/// An HTTP server answering each request with the next of `answers` (status, extra
/// header lines); every request is sent on the returned channel.
fn http_server(answers: Vec<(&'static str, &'static str)>) -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, extra) in answers {
            let (stream, _) = listener.accept().unwrap();
            let req = read_request(&stream);
            respond(&stream, status, extra, "");
            if tx.send(req).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

#[test]
fn log_handler_appends_go_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.log");
    let svc = AlertService::new();
    let s = spec(
        "log",
        json!({"path": path.to_string_lossy(), "mode": 0o600}),
    );
    svc.open_topic("main:cpu_alert:alert2", &[s]).unwrap();
    svc.publish("main:cpu_alert:alert2", &event("cpu:nil", Level::Critical));
    svc.publish("main:cpu_alert:alert2", &event("cpu:nil", Level::Ok));
    assert!(svc.wait_idle(WAIT));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], CRIT_JSON);
    assert!(lines[1].contains(r#""level":"OK""#));
    assert_eq!(
        svc.event_level("main:cpu_alert:alert2", "cpu:nil"),
        Some(Level::Ok)
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let st = stats(&svc);
    assert_eq!((st.kind.as_str(), st.sent, st.failed), ("log", 2, 0));
    svc.close_topic("main:cpu_alert:alert2");
    assert!(svc.topic_names().is_empty());
    assert!(svc.handler_stats().is_empty());
}

#[test]
fn log_handler_follows_a_rotated_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.log");
    let rotated = dir.path().join("alerts.log.1");
    let svc = AlertService::new();
    let s = spec("log", json!({"path": path.to_string_lossy()}));
    svc.open_topic("main:t:alert2", &[s]).unwrap();
    svc.publish("main:t:alert2", &event("a", Level::Critical));
    assert!(svc.wait_idle(WAIT));
    std::fs::rename(&path, &rotated).unwrap();
    // The handler keeps its file open for at most a second before opening the path again.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    svc.publish("main:t:alert2", &event("b", Level::Critical));
    assert!(svc.wait_idle(WAIT));
    let old = std::fs::read_to_string(&rotated).unwrap();
    let new = std::fs::read_to_string(&path).unwrap();
    assert_eq!((old.lines().count(), new.lines().count()), (1, 1));
    assert!(new.contains(r#""id":"b""#), "{new}");
}

#[test]
fn unknown_handler_kind_and_missing_options_are_errors() {
    let svc = AlertService::new();
    let err = svc
        .open_topic("t", &[spec("nosuchkind", json!({}))])
        .unwrap_err();
    assert_eq!(
        err,
        "the \"nosuchkind\" alert handler is not implemented yet in this build of Kapacitor"
    );
    let err = svc.open_topic("t", &[spec("log", json!({}))]).unwrap_err();
    assert_eq!(
        err,
        "invalid option \"path\" for log handler: a file path is required"
    );
    let err = svc.open_topic("t", &[spec("post", json!({}))]).unwrap_err();
    assert_eq!(
        err,
        "failed to create post handler: An appropriately formatted url must be specified if an endpoint is not specified"
    );
    let err = svc.open_topic("t", &[spec("tcp", json!({}))]).unwrap_err();
    assert_eq!(
        err,
        "invalid option \"address\" for tcp handler: an address such as host:port is required"
    );
    let err = svc
        .open_topic(
            "t",
            &[spec("exec", json!({"prog": "/bin/true", "args": [1]}))],
        )
        .unwrap_err();
    assert_eq!(
        err,
        "invalid option \"args\" for exec handler: must be a list of strings"
    );
    assert!(svc.topic_names().is_empty());
}

#[test]
fn tcp_sends_the_json_line_and_a_newline_per_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let svc = service(100, vec![]);
    svc.open_topic("t", &[spec("tcp", json!({ "address": addr }))])
        .unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    svc.publish("t", &event("cpu:nil", Level::Ok));
    let mut got = Vec::new();
    for _ in 0..2 {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = String::new();
        conn.read_to_string(&mut buf).unwrap();
        got.push(buf);
    }
    assert_eq!(got[0], format!("{CRIT_JSON}\n\n"));
    assert!(got[1].ends_with("\"recoverable\":true}\n\n"));
    assert!(got[1].contains(r#""level":"OK""#));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(stats(&svc).sent, 2);
}

#[test]
fn tcp_endpoint_down_then_up_loses_nothing() {
    // Reserve a port, then close it so connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let svc = service(100, vec![]);
    svc.open_topic(
        "t",
        &[spec(
            "tcp",
            json!({ "address": format!("127.0.0.1:{port}") }),
        )],
    )
    .unwrap();
    svc.publish("t", &event("a", Level::Critical));
    svc.publish("t", &event("b", Level::Critical));
    let deadline = std::time::Instant::now() + WAIT;
    while stats(&svc).retried < 2 {
        assert!(std::time::Instant::now() < deadline, "no retry seen");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(stats(&svc).sent, 0);
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = String::new();
        conn.read_to_string(&mut buf).unwrap();
        let v: Value = serde_json::from_str(buf.trim_end()).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids, ["a", "b"], "in order, none lost");
    assert!(svc.wait_idle(WAIT));
    let st = stats(&svc);
    assert_eq!((st.sent, st.failed, st.dropped), (2, 0, 0));
    assert!(st.retried >= 2);
}

#[test]
fn post_sends_json_with_headers() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(100, vec![]);
    let s = spec(
        "post",
        json!({
            "url": format!("http://{addr}/alerts?x=1"),
            "headers": {"a": "b", "X-Team": "ops"},
        }),
    );
    svc.open_topic("t", &[s]).unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    let req = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/alerts?x=1");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("a"), Some("b"));
    assert_eq!(req.header("x-team"), Some("ops"));
    assert_eq!(req.header("user-agent"), Some("Go-http-client/1.1"));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.header("host"), Some(addr.as_str()));
    assert_eq!(req.body, format!("{CRIT_JSON}\n"));
    assert!(svc.wait_idle(WAIT));
    let st = stats(&svc);
    assert_eq!(
        (st.kind.as_str(), st.sent, st.failed, st.retried),
        ("post", 1, 0, 0)
    );
}

#[test]
fn post_to_an_endpoint_uses_its_url_auth_headers_and_template() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let endpoint = HttpPostEndpoint {
        endpoint: "ops".into(),
        url: format!("http://{addr}/hook/{{{{ .Level }}}}"),
        headers: [("X-From".to_string(), "config".to_string()), ("a".to_string(), "config".to_string())]
            .into_iter()
            .collect(),
        basic_auth: Some(("user".into(), "pass".into())),
        alert_template: "{{ .ID }} {{ .Level }} {{ .Duration }} {{ .Time }} {{ range .Data.Series }}{{ .Name }}{{ end }} {{ json .Recoverable }}".into(),
        ..Default::default()
    };
    let svc = service(100, vec![endpoint]);
    let s = spec(
        "post",
        json!({"endpoint": "ops", "headers": {"a": "tick"}, "url": "http://ignored.invalid/"}),
    );
    svc.open_topic("t", &[s]).unwrap();
    svc.publish("t", &event("cpu:nil", Level::Warning));
    let req = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(req.path, "/hook/WARNING");
    assert_eq!(req.header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(req.header("x-from"), Some("config"));
    assert_eq!(req.header("a"), Some("tick"), "the script's header wins");
    assert_eq!(
        req.header("content-type"),
        None,
        "templates set no content type"
    );
    assert_eq!(
        req.body,
        "cpu:nil WARNING 0s 1971-01-01 00:00:02 +0000 UTC cpu true\n"
    );
}

#[test]
fn post_retries_5xx_and_429_then_delivers() {
    let (addr, rx) = http_server(vec![
        ("503 Service Unavailable", ""),
        ("429 Too Many Requests", "Retry-After: 0\r\n"),
        ("200 OK", ""),
    ]);
    let svc = service(100, vec![]);
    svc.open_topic(
        "t",
        &[spec("post", json!({ "url": format!("http://{addr}/") }))],
    )
    .unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    for _ in 0..3 {
        let req = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(
            req.body,
            format!("{CRIT_JSON}\n"),
            "the same body each time"
        );
    }
    assert!(svc.wait_idle(WAIT));
    let st = stats(&svc);
    assert_eq!((st.sent, st.failed, st.retried), (1, 0, 2));
}

#[test]
fn post_4xx_is_dropped_without_retry() {
    let (addr, rx) = http_server(vec![("400 Bad Request", ""), ("200 OK", "")]);
    let svc = service(100, vec![]);
    svc.open_topic(
        "t",
        &[spec(
            "post",
            json!({ "url": format!("http://{addr}/"), "capture-response": true }),
        )],
    )
    .unwrap();
    svc.publish("t", &event("first", Level::Critical));
    svc.publish("t", &event("second", Level::Critical));
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let req = rx.recv_timeout(WAIT).unwrap();
            let v: Value = serde_json::from_str(&req.body).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        ids,
        ["first", "second"],
        "the rejected event is not sent again"
    );
    assert!(svc.wait_idle(WAIT));
    let st = stats(&svc);
    assert_eq!((st.sent, st.failed, st.retried), (1, 1, 0));
}

#[test]
fn full_queue_drops_the_oldest_and_keeps_the_newest() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (got_tx, got_rx) = mpsc::channel::<String>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        for i in 0.. {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let req = read_request(&stream);
            let v: Value = serde_json::from_str(&req.body).unwrap();
            if got_tx.send(v["id"].as_str().unwrap().to_string()).is_err() {
                return;
            }
            if i == 0 {
                // Hold the first delivery so the queue fills up behind it.
                let _ = release_rx.recv();
            }
            respond(&stream, "200 OK", "", "");
        }
    });
    let svc = service(2, vec![]);
    svc.open_topic(
        "t",
        &[spec("post", json!({ "url": format!("http://{addr}/") }))],
    )
    .unwrap();
    svc.publish("t", &event("e1", Level::Critical));
    assert_eq!(got_rx.recv_timeout(WAIT).unwrap(), "e1");
    for id in ["e2", "e3", "e4", "e5", "e6"] {
        svc.publish("t", &event(id, Level::Critical));
    }
    let st = stats(&svc);
    assert_eq!((st.dropped, st.queue_length), (3, 2));
    release_tx.send(()).unwrap();
    let rest: Vec<String> = (0..2).map(|_| got_rx.recv_timeout(WAIT).unwrap()).collect();
    assert_eq!(rest, ["e5", "e6"]);
    assert!(svc.wait_idle(WAIT));
    let st = stats(&svc);
    assert_eq!(
        (st.sent, st.dropped, st.failed, st.queue_length),
        (3, 3, 0, 0)
    );
}

#[test]
fn exec_writes_the_json_to_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdin.json");
    let svc = service(100, vec![]);
    let s = spec(
        "exec",
        json!({"prog": "/bin/sh", "args": ["-c", format!("cat > {}", out.display())]}),
    );
    svc.open_topic("t", &[s]).unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{CRIT_JSON}\n")
    );
    let st = stats(&svc);
    assert_eq!((st.kind.as_str(), st.sent, st.failed), ("exec", 1, 0));
}

#[test]
fn exec_failure_is_counted_and_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let svc = service(100, vec![]);
    let s = spec(
        "exec",
        json!({"prog": "/bin/sh", "args": ["-c", format!("echo run >> {}; echo oops >&2; exit 3", runs.display())]}),
    );
    svc.open_topic("t", &[s]).unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    assert!(svc.wait_idle(WAIT));
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run\n");
    let st = stats(&svc);
    assert_eq!((st.sent, st.failed, st.retried), (0, 1, 0));
}

#[test]
fn closing_a_topic_still_delivers_what_was_queued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let svc = service(100, vec![]);
    svc.open_topic("t", &[spec("log", json!({"path": path.to_string_lossy()}))])
        .unwrap();
    for i in 0..50 {
        svc.publish("t", &event(&format!("e{i}"), Level::Critical));
    }
    svc.close_topic("t");
    assert!(svc.topic_names().is_empty());
    assert!(svc.wait_idle(WAIT), "closed topics are waited for too");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 50);
}

#[test]
fn retries_are_bounded_and_bad_addresses_are_not_retried() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let svc = AlertService::with_config(ServiceConfig {
        delivery: DeliveryConfig {
            queue_capacity: 10,
            retry: RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(2),
                max_elapsed: Duration::from_secs(30),
            },
        },
        httppost: vec![],
        ..Default::default()
    })
    .unwrap();
    svc.open_topic(
        "t",
        &[
            spec("tcp", json!({ "address": format!("127.0.0.1:{port}") })),
            spec("tcp", json!({ "address": "no-port-here" })),
        ],
    )
    .unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    assert!(svc.wait_idle(WAIT));
    let st = svc.handler_stats();
    assert_eq!(
        (st[0].sent, st[0].failed, st[0].retried),
        (0, 1, 2),
        "3 attempts, then given up"
    );
    assert_eq!((st[1].sent, st[1].failed, st[1].retried), (0, 1, 0));
    assert_eq!((st[0].index, st[1].index), (0, 1));
}
