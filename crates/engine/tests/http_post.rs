//! The httpPost node against a real HTTP listener on 127.0.0.1: method, path, headers and
//! exact bodies (row JSON and row templates), `[[httppost]]` endpoints, URL templates,
//! `.codeField()` with the answered status, and failures (code 0).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, LazyLock, Mutex};

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::Precision;
use kapa_models::httppost::HttpPostEndpoint;
use kapa_models::time::ManualClock;
use kapa_pipeline::{Dbrp, TaskType};
use serde_json::Value;

const ZERO: i64 = 31_536_000 * 1_000_000_000;

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

struct Server {
    port: u16,
    requests: Mutex<Vec<Request>>,
}

/// One listener for the whole file: `[[httppost]]` endpoints are set once per process.
static SERVER: LazyLock<Arc<Server>> = LazyLock::new(|| {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Arc::new(Server {
        port: listener.local_addr().unwrap().port(),
        requests: Mutex::new(Vec::new()),
    });
    let s = server.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let s = s.clone();
            std::thread::spawn(move || serve(&s, conn));
        }
    });
    kapa_models::httppost::set_endpoints(vec![
        HttpPostEndpoint {
            endpoint: "test".into(),
            url: format!("http://127.0.0.1:{}/endpoint", server.port),
            headers: BTreeMap::from([("my".to_string(), "header".to_string()), ("x-over".to_string(), "endpoint".to_string())]),
            basic_auth: Some(("user".into(), "pass".into())),
            ..Default::default()
        },
        HttpPostEndpoint {
            endpoint: "templated".into(),
            url: format!("http://127.0.0.1:{}/templated/{{{{.Name}}}}", server.port),
            row_template: r#"{{.Name}} host={{index .Tags "host"}} type={{index .Tags "type"}}{{range .Values}} {{index . "time"}} {{index . "value"}}{{end}}"#.into(),
            ..Default::default()
        },
    ]);
    server
});

/// Answers requests on one connection (kept alive) until it closes; `/status/N` answers N
/// with a body, `/slow` answers after 3s.
fn serve(s: &Server, conn: TcpStream) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
        }
        let len: usize = headers
            .get("content-length")
            .map_or(0, |l| l.parse().unwrap());
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        let code: u16 = path
            .strip_prefix("/status/")
            .map_or(200, |c| c.parse().unwrap_or(200));
        if path == "/slow" {
            std::thread::sleep(std::time::Duration::from_secs(3));
        }
        s.requests.lock().unwrap().push(Request {
            method,
            path,
            headers,
            body: String::from_utf8(body).unwrap(),
        });
        let answer = format!("went {code}");
        let resp = format!(
            "HTTP/1.1 {code} X\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if conn.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

fn requests(prefix: &str) -> Vec<Request> {
    SERVER
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path.starts_with(prefix))
        .cloned()
        .collect()
}

fn engine() -> Arc<TaskMaster> {
    LazyLock::force(&SERVER);
    TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(ZERO)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    })
}

fn start(tm: &TaskMaster, id: &str, script: &str) -> Result<(), String> {
    tm.start_task(&TaskDef {
        id: id.into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "dbname".into(),
            rp: "rpname".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    })
    .map_err(|e| e.to_string())
}

fn write(tm: &TaskMaster, line: &str) {
    let mut p = kapa_lineproto::parse_line(line.as_bytes(), Precision::Second, 0).unwrap();
    p.time += ZERO;
    tm.write_points("dbname", "rpname", std::slice::from_ref(&p));
}

fn out(tm: &TaskMaster, id: &str) -> Value {
    serde_json::from_str(&serde_json::to_string(&tm.http_out(id, "out").unwrap()).unwrap()).unwrap()
}

fn port() -> u16 {
    SERVER.port
}

#[test]
fn http_post_url_posts_each_point_as_row_json_and_passes_it_on() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('cpu').groupBy('host')\n|httpPost('http://127.0.0.1:{}/plain')\n|httpOut('out')\n",
        port()
    );
    start(&tm, "plain", &s).unwrap();
    write(&tm, "cpu,host=serverA,type=idle value=97.1 0");
    write(&tm, "cpu,host=serverA,type=idle value=92.6 1");
    let got = requests("/plain");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].headers["content-type"], "application/json");
    assert_eq!(
        got[0].body,
        "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"serverA\",\"type\":\"idle\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1971-01-01T00:00:00Z\",97.1]]}]}\n"
    );
    assert_eq!(
        got[1].body,
        "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"serverA\",\"type\":\"idle\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1971-01-01T00:00:01Z\",92.6]]}]}\n"
    );
    let want: Value = serde_json::from_str(
        r#"{"series":[{"name":"cpu","tags":{"host":"serverA","type":"idle"},"columns":["time","value"],"values":[["1971-01-01T00:00:01Z",92.6]]}]}"#,
    )
    .unwrap();
    assert_eq!(out(&tm, "plain"), want);
}

#[test]
fn http_post_endpoint_sends_its_headers_auth_and_node_headers() {
    let tm = engine();
    let s = "stream\n|from().measurement('cpu')\n|httpPost()\n.endpoint('test')\n.header('x-over', 'node')\n.header('extra', 'yes')\n|httpOut('out')\n";
    start(&tm, "endpoint", s).unwrap();
    write(&tm, "cpu,host=serverA value=1i 0");
    let got = requests("/endpoint");
    assert_eq!(got.len(), 1);
    let h = &got[0].headers;
    assert_eq!(h["my"], "header");
    assert_eq!(h["x-over"], "node");
    assert_eq!(h["extra"], "yes");
    assert_eq!(h["authorization"], "Basic dXNlcjpwYXNz");
    assert_eq!(
        got[0].body,
        "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"serverA\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1971-01-01T00:00:00Z\",1]]}]}\n"
    );
}

#[test]
fn http_post_row_template_renders_the_body_and_url() {
    let tm = engine();
    let s = "stream\n|from().measurement('cpu')\n|httpPost()\n.endpoint('templated')\n|httpOut('out')\n";
    start(&tm, "templated", s).unwrap();
    write(&tm, "cpu,host=serverA,type=idle value=97.1 0");
    write(&tm, "cpu,host=serverA,type=idle value=95.8 5");
    let got = requests("/templated");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].path, "/templated/cpu");
    assert!(!got[0].headers.contains_key("content-type"));
    assert_eq!(
        got[0].body,
        "cpu host=serverA type=idle 1971-01-01 00:00:00 +0000 UTC 97.1"
    );
    assert_eq!(
        got[1].body,
        "cpu host=serverA type=idle 1971-01-01 00:00:05 +0000 UTC 95.8"
    );
}

#[test]
fn http_post_code_field_holds_the_status_or_zero() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('cpu')\n|httpPost('http://127.0.0.1:{}/status/{{{{index .Tags \"code\"}}}}')\n.codeField('code')\n.captureResponse()\n|httpOut('out')\n",
        port()
    );
    start(&tm, "codes", &s).unwrap();
    for (code, t) in [(201, 0), (404, 1), (500, 2)] {
        write(&tm, &format!("cpu,code={code} value=1 {t}"));
        let v = out(&tm, "codes");
        assert_eq!(
            v["series"][0]["columns"],
            serde_json::json!(["time", "code", "value"])
        );
        assert_eq!(v["series"][0]["values"][0][1], serde_json::json!(code));
    }
    assert_eq!(
        requests("/status/")
            .iter()
            .filter(|r| r.path.starts_with("/status/404"))
            .count(),
        1
    );

    // Nothing listens on a port just released: no answer is code 0.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = format!(
        "stream\n|from().measurement('cpu')\n|httpPost('http://127.0.0.1:{closed}/x')\n.codeField('status')\n|httpOut('out')\n"
    );
    start(&tm, "refused", &s).unwrap();
    write(&tm, "cpu value=1 0");
    assert_eq!(
        out(&tm, "refused")["series"][0]["values"][0],
        serde_json::json!(["1971-01-01T00:00:00Z", 0, 1])
    );
}

#[test]
fn http_post_timeout_gives_code_zero() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('cpu')\n|httpPost('http://127.0.0.1:{}/slow')\n.timeout(200ms)\n.codeField('code')\n|httpOut('out')\n",
        port()
    );
    start(&tm, "slow", &s).unwrap();
    write(&tm, "cpu value=1 0");
    assert_eq!(
        out(&tm, "slow")["series"][0]["values"][0][1],
        serde_json::json!(0)
    );
}

#[test]
fn http_post_batches_post_one_row() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('cpu').groupBy('host')\n|window().period(2s).every(2s)\n|httpPost('http://127.0.0.1:{}/batch')\n.codeField('code')\n|httpOut('out')\n",
        port()
    );
    start(&tm, "batch", &s).unwrap();
    write(&tm, "cpu,host=a,type=idle value=1 0");
    write(&tm, "cpu,host=a,type=busy value=2 1");
    write(&tm, "cpu,host=a,type=idle value=3 2");
    let got = requests("/batch");
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].body,
        "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"type\",\"value\"],\"values\":[[\"1971-01-01T00:00:00Z\",\"idle\",1],[\"1971-01-01T00:00:01Z\",\"busy\",2]]}]}\n"
    );
    let v = out(&tm, "batch");
    assert_eq!(
        v["series"][0]["columns"],
        serde_json::json!(["time", "code", "type", "value"])
    );
    assert_eq!(
        v["series"][0]["values"][1],
        serde_json::json!(["1971-01-01T00:00:01Z", 200, "busy", 2])
    );
}

#[test]
fn http_post_invalid_nodes_are_refused() {
    let tm = engine();
    let s = |node: &str| format!("stream\n|from()\n|{node}\n|httpOut('out')\n");
    let e = start(&tm, "none", &s("httpPost()")).unwrap_err();
    assert!(e.contains("must provide url or endpoint"), "{e}");
    let e = start(&tm, "two", &s("httpPost('http://a', 'http://b')")).unwrap_err();
    assert!(
        e.contains("httpPost expects 0 or 1 arguments, got 2"),
        "{e}"
    );
    let e = start(&tm, "both", &s("httpPost('http://a').endpoint('test')")).unwrap_err();
    assert!(
        e.contains("only one endpoint and url may be specified"),
        "{e}"
    );
    let e = start(
        &tm,
        "auth",
        &s("httpPost('http://a').header('Authenticate', 'x')"),
    )
    .unwrap_err();
    assert!(e.contains("cannot set 'authenticate' header"), "{e}");
    assert_eq!(
        start(&tm, "nosuch", &s("httpPost().endpoint('nosuch')")).unwrap_err(),
        "http_post2: endpoint 'nosuch' does not exist"
    );
}
