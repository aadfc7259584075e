//! Helpers of the handler tests: a sample event, a service with handler sections, and an
//! HTTP server on 127.0.0.1 that records each request.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use kapa_alert::{AlertService, DeliveryConfig, HandlerServices, RetryPolicy, ServiceConfig};
use kapa_engine::{AlertData, AlertEvent, AlertSink, Level};
use kapa_models::{Row, SeriesResult};
use kapa_pipeline::nodes::HandlerSpec;
use serde_json::{Map, Value};

/// Generous deadline for deliveries.
pub const WAIT: Duration = Duration::from_secs(20);

/// The event's `data` as Go's json.Marshal writes it.
pub const RESULT_JSON: &str = r#"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_idle"],"values":[["1971-01-01T00:00:02Z",50]]}]}"#;

/// An event of `cpu_alert` with tag host=a at 1971-01-01T00:00:02Z.
pub fn event(id: &str, level: Level) -> AlertEvent {
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
        tags: vec![("host".into(), "a".into())],
        category: String::new(),
    }
}

/// A handler spec.
pub fn spec(kind: &str, options: Value) -> HandlerSpec {
    let Value::Object(options) = options else {
        panic!("options must be an object")
    };
    HandlerSpec {
        kind: kind.into(),
        options,
    }
}

/// A service with fast retries and the given service sections.
pub fn service(sections: Value) -> Arc<AlertService> {
    let Value::Object(sections) = sections else {
        panic!("sections must be an object")
    };
    AlertService::with_config(ServiceConfig {
        delivery: DeliveryConfig {
            queue_capacity: 100,
            retry: RetryPolicy {
                max_attempts: 5,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(100),
                max_elapsed: Duration::from_secs(30),
            },
        },
        httppost: vec![],
        services: HandlerServices::new(sections, "http://localhost:9092".into()),
    })
    .unwrap()
}

/// Opens a topic with one handler, publishes `events` and waits for their delivery.
pub fn run(svc: &AlertService, handler: HandlerSpec, events: &[AlertEvent]) {
    svc.open_topic("main:cpu_alert:alert2", &[handler]).unwrap();
    for e in events {
        svc.publish("main:cpu_alert:alert2", e);
    }
    assert!(svc.wait_idle(WAIT), "handler did not finish");
}

/// A request as the test server saw it.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    /// A header value by name.
    pub fn header(&self, name: &str) -> Option<&str> {
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

/// An HTTP server answering each request with the next of `answers` (status line, body);
/// every request is sent on the returned channel. The thread ends with the answers.
pub fn http_server(
    answers: Vec<(&'static str, &'static str)>,
) -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, body) in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let req = read_request(&stream);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            if tx.send(req).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

/// A CA and a server certificate for 127.0.0.1, made with the openssl CLI.
pub fn certificates(dir: &std::path::Path) -> bool {
    let run = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let made = run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=kapa-test-ca",
    ]) && run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]) && run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
    ]);
    // mosquitto started as root reads them as its own unprivileged user.
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    for f in ["ca.pem", "server.pem", "server.key"] {
        let _ = std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644));
    }
    made
}
