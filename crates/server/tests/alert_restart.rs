//! Alert states survive `kill -9`: the getting-started task with `.stateChangesOnly()` does
//! not re-fire its CRITICAL after a restart, and the recovery names the level it left.
//! Deleting the task forgets the state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::{Value, json};

const SECOND: i64 = 1_000_000_000;

fn script(log: &Path) -> String {
    format!(
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .stateChangesOnly()\n        .log('{}')\n",
        log.display()
    )
}

fn create(s: &Server, log: &Path) {
    let body = json!({
        "id": "cpu_alert",
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script(log),
        "status": "enabled",
    });
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
}

fn write(s: &Server, idle: f64, sec: i64) {
    let line = format!("cpu,host=serverA usage_idle={idle} {sec}");
    let r = s.post("/write?db=telegraf&rp=autogen&precision=s", &line);
    assert_eq!(r.status, 204, "{}", r.body);
}

/// The alert log's events once it has `n` lines.
fn wait_lines(log: &Path, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= n {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "alert log has {} lines, want {n}: {text}",
            lines.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn summary(e: &Value) -> (String, String, i64) {
    (
        e["level"].as_str().unwrap().to_string(),
        e["previousLevel"].as_str().unwrap().to_string(),
        e["duration"].as_i64().unwrap(),
    )
}

fn lvl(level: &str, previous: &str, duration: i64) -> (String, String, i64) {
    (level.to_string(), previous.to_string(), duration)
}

#[test]
fn state_changes_only_alert_continues_after_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let log = tmp.path().join("alerts.log");
    let mut s = Server::start_in(tmp.path());
    create(&s, &log);

    write(&s, 50.0, 100);
    let events = wait_lines(&log, 1);
    assert_eq!(summary(&events[0]), lvl("CRITICAL", "OK", 0));
    // The state is committed by a background writer a moment after the event.
    std::thread::sleep(Duration::from_secs(1));
    s.kill9();

    let mut s = Server::start_in(tmp.path());
    write(&s, 40.0, 110);
    write(&s, 95.0, 130);
    let events = wait_lines(&log, 2);
    // Points are processed in order: the OK being second means the low point sent nothing.
    assert_eq!(events.len(), 2);
    assert_eq!(summary(&events[1]), lvl("OK", "CRITICAL", 30 * SECOND));
    assert_eq!(events[1]["id"], "cpu:nil");
    assert_eq!(events[1]["time"], "1970-01-01T00:02:10Z");

    write(&s, 30.0, 140);
    assert_eq!(summary(&wait_lines(&log, 3)[2]), lvl("CRITICAL", "OK", 0));
    std::thread::sleep(Duration::from_secs(1));

    // Deleting the task deletes its state: the same task created again fires anew.
    assert_eq!(s.delete("/kapacitor/v1/tasks/cpu_alert").status, 204);
    std::thread::sleep(Duration::from_secs(1));
    s.kill9();
    let mut s = Server::start_in(tmp.path());
    create(&s, &log);
    write(&s, 30.0, 150);
    assert_eq!(summary(&wait_lines(&log, 4)[3]), lvl("CRITICAL", "OK", 0));
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn persist_topics_false_keeps_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let conf = tmp.path().join("kapacitor.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("[alert]\n  persist-topics = false\n");
    std::fs::write(&conf, text).unwrap();
    let log = tmp.path().join("alerts.log");
    let mut s = Server::start_in(tmp.path());
    create(&s, &log);
    write(&s, 50.0, 100);
    wait_lines(&log, 1);
    assert_eq!(s.stop(), Some(0));

    let mut s = Server::start_in(tmp.path());
    write(&s, 40.0, 110);
    let events = wait_lines(&log, 2);
    assert_eq!(summary(&events[1]), lvl("CRITICAL", "OK", 0));
    assert_eq!(s.stop(), Some(0));
}
