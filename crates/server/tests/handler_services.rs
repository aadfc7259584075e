//! Handler services through the real binary: `.slack()` with a `[[slack]]` section,
//! a `global` teams service forcing stateChangesOnly, and the service-tests API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use common::Server;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// Answers every request 200 and sends (request line, body) on the channel.
fn http_sink() -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut r = BufReader::new(&stream);
            let mut first = String::new();
            r.read_line(&mut first).unwrap();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            (&stream)
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .unwrap();
            if tx
                .send((
                    first.trim_end().to_string(),
                    String::from_utf8(body).unwrap(),
                ))
                .is_err()
            {
                return;
            }
        }
    });
    (addr, rx)
}

fn start(extra_conf: &str) -> (Server, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let mut conf = std::fs::read_to_string(tmp.path().join("kapacitor.conf")).unwrap();
    conf.push_str(extra_conf);
    std::fs::write(tmp.path().join("kapacitor.conf"), conf).unwrap();
    (Server::start_in(tmp.path()), tmp)
}

fn define(s: &Server, script: &str) {
    let body = json!({
        "id": "cpu_alert",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script,
        "status": "enabled",
    });
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
}

fn write(s: &Server, line: &str) {
    let r = s.post("/write?db=telegraf&rp=autogen", line);
    assert_eq!(r.status, 204, "{}", r.body);
}

#[test]
fn slack_handler_posts_to_the_configured_workspace() {
    let (addr, rx) = http_sink();
    let (s, _tmp) = start(&format!(
        "[[slack]]\n  enabled = true\n  url = \"http://{addr}/services/T/B/X\"\n  channel = \"#alerts\"\n"
    ));
    define(
        &s,
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .id('cpu')\n        .crit(lambda: \"usage_idle\" < 70)\n        .slack()\n            .channel('#ops')\n",
    );
    write(&s, "cpu,host=a usage_idle=50 1000000000");
    let (line, body) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(line, "POST /services/T/B/X HTTP/1.1");
    assert_eq!(
        body,
        "{\"as_user\":false,\"attachments\":[{\"fallback\":\"cpu is CRITICAL\",\"color\":\"danger\",\"text\":\"cpu is CRITICAL\",\"mrkdwn_in\":[\"text\"]}],\"channel\":\"#ops\",\"icon_emoji\":\"\",\"text\":\"\",\"username\":\"kapacitor\"}\n"
    );
}

#[test]
fn global_teams_handles_every_alert_with_state_changes_only() {
    let (addr, rx) = http_sink();
    let (s, _tmp) = start(&format!(
        "[teams]\n  enabled = true\n  channel-url = \"http://{addr}/teams\"\n  global = true\n  state-changes-only = true\n"
    ));
    define(
        &s,
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .id('cpu')\n        .crit(lambda: \"usage_idle\" < 70)\n",
    );
    // CRITICAL, CRITICAL again (suppressed by stateChangesOnly), then OK.
    write(&s, "cpu,host=a usage_idle=50 1000000000");
    write(&s, "cpu,host=a usage_idle=40 2000000000");
    write(&s, "cpu,host=a usage_idle=90 3000000000");
    let (line, first) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(line, "POST /teams HTTP/1.1");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["title"], "CRITICAL: [cpu]");
    let (_, second) = rx.recv_timeout(WAIT).unwrap();
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(second["title"], "OK: [cpu]");
    assert!(
        rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "the repeated CRITICAL was sent"
    );
}

#[test]
fn service_tests_list_show_and_run() {
    let (addr, rx) = http_sink();
    let (s, _tmp) = start(&format!(
        "[[slack]]\n  enabled = true\n  url = \"http://{addr}/hook\"\n  channel = \"#alerts\"\n"
    ));
    let r = s.get("/kapacitor/v1/service-tests");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        v["link"],
        json!({"rel": "self", "href": "/kapacitor/v1/service-tests"})
    );
    let names: Vec<&str> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"slack") && names.contains(&"smtp"),
        "{names:?}"
    );
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let r = s.get("/kapacitor/v1/service-tests?pattern=sl*");
    assert_eq!(
        r.body,
        "{\"link\":{\"rel\":\"self\",\"href\":\"/kapacitor/v1/service-tests\"},\"services\":[{\"link\":{\"rel\":\"self\",\"href\":\"/kapacitor/v1/service-tests/slack\"},\"name\":\"slack\",\"options\":{\"workspace\":\"\",\"channel\":\"#alerts\",\"message\":\"test slack message\",\"level\":\"CRITICAL\",\"username\":\"\",\"icon-emoji\":\"\"}}]}\n"
    );
    let r = s.get("/kapacitor/v1/service-tests/slack");
    assert_eq!(r.json()["options"]["message"], "test slack message");

    let r = s.post(
        "/kapacitor/v1/service-tests/slack",
        "{\"channel\":\"#t\",\"message\":\"hello\"}",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"success": true, "message": ""}));
    let (line, body) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(line, "POST /hook HTTP/1.1");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["channel"], "#t");
    assert_eq!(body["attachments"][0]["text"], "hello");

    // A disabled service fails the test with Kapacitor's reason.
    let r = s.post("/kapacitor/v1/service-tests/teams", "{}");
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "service is not enabled"})
    );

    let r = s.post("/kapacitor/v1/service-tests/nope", "{}");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("service \"nope\" not found"));
    let r = s.post("/kapacitor/v1/service-tests/slack", "{\"channel\": 5}");
    assert_eq!(r.status, 400, "{}", r.body);
    let r = s.get("/kapacitor/v1/service-tests?pattern=[");
    assert_eq!(r.status, 400, "{}", r.body);
}

#[test]
fn invalid_slack_section_stops_startup() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let conf_path = tmp.path().join("kapacitor.conf");
    let mut conf = std::fs::read_to_string(&conf_path).unwrap();
    conf.push_str("[[slack]]\n  enabled = true\n  url = \"\"\n");
    std::fs::write(&conf_path, conf).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kapacitord"))
        .arg("-config")
        .arg(&conf_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kapacitord kept running with an invalid [[slack]] section");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let log = std::fs::read_to_string(tmp.path().join("kapacitord.log")).unwrap_or_default();
    assert!(
        stderr.contains("slack: must specify url") || log.contains("slack: must specify url"),
        "{stderr}{log}"
    );
}
