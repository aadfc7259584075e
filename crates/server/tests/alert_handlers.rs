//! Alert handlers through the real binary: `[[httppost]]` endpoints and tcp handlers
//! receive the event, and `/debug/vars` reports each handler's delivery counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use common::Server;
use serde_json::{Value, json};

/// Accepts one HTTP request, answers 200 and sends (headers, body) on the channel.
fn http_once(listener: TcpListener) -> mpsc::Receiver<(Vec<String>, String)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut r = BufReader::new(&stream);
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let line = line.trim_end().to_string();
            if line.is_empty() {
                break;
            }
            headers.push(line);
        }
        let len: usize = headers
            .iter()
            .find_map(|h| {
                let (k, v) = h.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        (&stream)
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        let _ = tx.send((headers, String::from_utf8(body).unwrap()));
    });
    rx
}

#[test]
fn post_endpoint_and_tcp_handlers_deliver_and_report_stats() {
    let http = TcpListener::bind("127.0.0.1:0").unwrap();
    let http_addr = http.local_addr().unwrap();
    let posts = http_once(http);
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp_addr = tcp.local_addr().unwrap();

    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let mut conf = std::fs::read_to_string(tmp.path().join("kapacitor.conf")).unwrap();
    conf.push_str(&format!(
        "[[httppost]]\n  endpoint = \"hook\"\n  url = \"http://{http_addr}/alert\"\n  [httppost.headers]\n    X-Source = \"config\"\n  [httppost.basic-auth]\n    username = \"u\"\n    password = \"p\"\n"
    ));
    std::fs::write(tmp.path().join("kapacitor.conf"), conf).unwrap();
    let s = Server::start_in(tmp.path());

    let script = format!(
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .id('cpu')\n        .crit(lambda: \"usage_idle\" < 70)\n        .post()\n            .endpoint('hook')\n            .header('a', 'b')\n        .tcp('{tcp_addr}')\n"
    );
    let body = json!({
        "id": "cpu_alert",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script,
        "status": "enabled",
    });
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/write?db=telegraf&rp=autogen",
        "cpu,host=a usage_idle=50 1000000000",
    );
    assert_eq!(r.status, 204, "{}", r.body);

    let (headers, body) = posts.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(
        headers[0].starts_with("POST /alert HTTP/1.1"),
        "{headers:?}"
    );
    let has = |h: &str| headers.iter().any(|l| l.eq_ignore_ascii_case(h));
    assert!(has("authorization: Basic dTpw"), "{headers:?}");
    assert!(has("x-source: config"), "{headers:?}");
    assert!(has("a: b"), "{headers:?}");
    assert!(has("content-type: application/json"), "{headers:?}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["id"], "cpu");
    assert_eq!(v["level"], "CRITICAL");
    assert_eq!(v["time"], "1970-01-01T00:00:01Z");
    assert!(body.ends_with("}\n"));

    let (mut conn, _) = tcp.accept().unwrap();
    let mut line = String::new();
    conn.read_to_string(&mut line).unwrap();
    assert!(line.ends_with("}\n\n"), "{line:?}");
    let tv: Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(tv, v, "tcp and post send the same alert data");

    // The counters are updated once the handler threads finish.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let stats = loop {
        let vars = s.get("/kapacitor/v1/debug/vars").json();
        let k = &vars["kapacitor"];
        let post = &k["alert_handler:main:cpu_alert:alert2:0:post"];
        let tcp = &k["alert_handler:main:cpu_alert:alert2:1:tcp"];
        if post["values"]["sent"] == 1 && tcp["values"]["sent"] == 1 {
            break (post.clone(), tcp.clone());
        }
        assert!(std::time::Instant::now() < deadline, "{vars}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        stats.0["values"],
        json!({"dropped": 0, "failed": 0, "queue_length": 0, "retried": 0, "sent": 1})
    );
    assert_eq!(stats.0["name"], "alert_handler");
    assert_eq!(stats.0["tags"]["topic"], "main:cpu_alert:alert2");
    assert_eq!(stats.0["tags"]["kind"], "post");
    assert_eq!(stats.1["tags"]["handler"], "1");
}

#[test]
fn disabled_handler_kinds_are_skipped_and_refused() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let s = Server::start_in_with(tmp.path(), &["-disable-handlers", "exec,tcp"]);
    let ran = tmp.path().join("exec-ran");
    let log = tmp.path().join("alerts.log");
    let script = format!(
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .exec('/usr/bin/touch', '{}')\n        .log('{}')\n",
        ran.display(),
        log.display()
    );
    let body = json!({
        "id": "cpu_alert", "type": "stream", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script, "status": "enabled",
    });
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/write?db=telegraf&rp=autogen",
        "cpu usage_idle=50 1000000000",
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // The enabled handler delivers; the disabled one never runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("CRITICAL")) {
        assert!(std::time::Instant::now() < deadline, "no alert logged");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Only the log handler was attached: the topic has no exec worker at all.
    let vars = s.get("/kapacitor/v1/debug/vars").json();
    let keys: Vec<&String> = vars["kapacitor"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("alert_handler:main:cpu_alert:"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(":log"), "{keys:?}");
    assert!(!ran.exists(), "the disabled exec handler ran");
    // A topic handler of a disabled kind is refused.
    let r = s.post(
        "/kapacitor/v1/alerts/topics/cpu/handlers",
        &json!({"id": "sock", "kind": "tcp", "options": {"address": "127.0.0.1:1"}}).to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("disabled"), "{}", r.body);
}
