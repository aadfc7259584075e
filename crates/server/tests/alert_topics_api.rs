//! The topics API against the real daemon: topic handler specs created, listed, patched,
//! replaced and deleted; topics and events with Kapacitor's JSON and links; specs and
//! levels kept across a restart; inhibition between two tasks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Server, error_json};
use serde_json::{Value, json};

const TOPICS: &str = "/kapacitor/v1/alerts/topics";

fn create_task(s: &Server, id: &str, script: &str) {
    let body = json!({
        "id": id,
        "type": "stream",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": script,
        "status": "enabled",
    });
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
}

fn write(s: &Server, line: &str) {
    let r = s.post("/write?db=telegraf&rp=autogen&precision=s", line);
    assert_eq!(r.status, 204, "{}", r.body);
}

/// The (id, level) of each line of an alert log once it has `n` lines.
fn wait_lines(log: &Path, n: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<(String, String)> = text
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["level"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        if lines.len() >= n {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "{} lines, want {n}: {text}",
            lines.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn cpu_script() -> &'static str {
    "stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n    |alert()\n        .id('cpu:{{ index .Tags \"host\" }}')\n        .crit(lambda: \"usage_idle\" < 70)\n        .topic('cpu')\n"
}

#[test]
fn handler_and_topic_lifecycle_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let log = tmp.path().join("handler.log");
    let mut s = Server::start_in(tmp.path());
    create_task(&s, "cpu_alert", cpu_script());

    // Create: the topic comes from the path.
    let spec = json!({"id": "log1", "kind": "log", "options": {"path": log}, "match": "changed()"});
    let r = s.post(&format!("{TOPICS}/cpu/handlers"), &spec.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({
            "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics/cpu/handlers/log1"},
            "id": "log1", "kind": "log", "options": {"path": log}, "match": "changed()"
        })
    );
    let r = s.post(&format!("{TOPICS}/cpu/handlers"), &spec.to_string());
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json(),
        error_json("failed to create handler: handler spec already exists")
    );
    let bad = json!({"id": "bad", "kind": "log", "options": {"path": log}, "match": "level() =="});
    let r = s.post(&format!("{TOPICS}/cpu/handlers"), &bad.to_string());
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid handler spec: invalid match expression")
    );
    let bad = json!({"id": "a b", "kind": "log"});
    let r = s.post(&format!("{TOPICS}/cpu/handlers"), &bad.to_string());
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        error_json(
            "invalid handler spec: handler ID must contain only letters, numbers, '-', '.' and '_'. \"a b\""
        )
    );

    write(
        &s,
        "cpu,host=a usage_idle=50 10\ncpu,host=b usage_idle=90 10",
    );
    write(&s, "cpu,host=a usage_idle=40 20");
    // changed(): the repeated CRITICAL of host a is not delivered.
    assert_eq!(
        wait_lines(&log, 1),
        vec![("cpu:a".to_string(), "CRITICAL".to_string())]
    );

    let r = s.get(&format!("{TOPICS}?min-level=WARNING"));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({
            "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics?min-level=WARNING"},
            "topics": [{
                "link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics/cpu"},
                "id": "cpu", "level": "CRITICAL", "collected": 2,
                "events-link": {"rel": "events", "href": "/kapacitor/v1/alerts/topics/cpu/events"},
                "handlers-link": {"rel": "handlers", "href": "/kapacitor/v1/alerts/topics/cpu/handlers"}
            }]
        })
    );
    let r = s.get(&format!("{TOPICS}?pattern=nomatch*"));
    assert_eq!(r.json()["topics"], json!([]));
    let r = s.get(&format!("{TOPICS}?pattern=%5B"));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        error_json("invalid pattern: syntax error in pattern")
    );
    let r = s.get(&format!("{TOPICS}?min-level=BOGUS"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), error_json("unknown alert level 'BOGUS'"));
    let r = s.get(&format!("{TOPICS}/nope"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), error_json("unknown topic: \"nope\""));

    let r = s.get(&format!("{TOPICS}/cpu/events/cpu:a"));
    assert_eq!(r.status, 200);
    let ev = r.json();
    assert_eq!(
        ev["link"]["href"],
        "/kapacitor/v1/alerts/topics/cpu/events/cpu:a"
    );
    assert_eq!(ev["state"]["level"], "CRITICAL");
    assert_eq!(ev["state"]["message"], "cpu:a is CRITICAL");
    assert_eq!(ev["state"]["time"], "1970-01-01T00:00:20Z");
    assert_eq!(ev["state"]["duration"], "10s");
    assert!(ev["state"]["details"].as_str().unwrap().contains("&#34;"));
    let r = s.get(&format!("{TOPICS}/cpu/events/zz"));
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        error_json("unknown event \"zz\" in topic \"cpu\"")
    );
    // Only host a is CRITICAL; host b never fired (OK events are not sent).
    let r = s.get(&format!("{TOPICS}/cpu/events?min-level=CRITICAL"));
    let events = r.json()["events"].clone();
    let ids: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["cpu:a"]);
    assert_eq!(r.json()["topic"], "cpu");

    // PATCH with a JSON Patch, then PUT a replacement.
    let log2 = tmp.path().join("handler2.log");
    let patch = json!([{"op": "replace", "path": "/options/path", "value": log2}, {"op": "replace", "path": "/match", "value": ""}]);
    let r = s.patch(&format!("{TOPICS}/cpu/handlers/log1"), &patch.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["options"]["path"], json!(log2));
    let r = s.patch(
        &format!("{TOPICS}/cpu/handlers/log1"),
        "[{\"op\":\"remove\",\"path\":\"/nope\"}]",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("failed to apply patch: ")
    );
    let r = s.patch(&format!("{TOPICS}/cpu/handlers/missing"), "[]");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), error_json("unknown handler: \"missing\""));
    let put = json!({"id": "log1", "kind": "log", "options": {"path": log2}, "match": "level() == CRITICAL"});
    let r = s.put(&format!("{TOPICS}/cpu/handlers/log1"), &put.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["match"], "level() == CRITICAL");

    let r = s.get(&format!("{TOPICS}/cpu/handlers"));
    assert_eq!(r.json()["topic"], "cpu");
    assert_eq!(r.json()["handlers"].as_array().unwrap().len(), 1);
    // The TICKscript's anonymous topic has no listed handlers.
    assert_eq!(s.stop(), Some(0));

    // After a restart the spec and the level are back.
    let mut s = Server::start_in(tmp.path());
    let r = s.get(&format!("{TOPICS}/cpu/handlers/log1"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["match"], "level() == CRITICAL");
    assert_eq!(s.get(&format!("{TOPICS}/cpu")).json()["level"], "CRITICAL");
    write(&s, "cpu,host=b usage_idle=10 30");
    assert_eq!(
        wait_lines(&log2, 1),
        vec![("cpu:b".to_string(), "CRITICAL".to_string())]
    );

    assert_eq!(s.delete(&format!("{TOPICS}/cpu/handlers/log1")).status, 204);
    assert_eq!(s.get(&format!("{TOPICS}/cpu/handlers/log1")).status, 404);
    assert_eq!(s.delete(&format!("{TOPICS}/cpu")).status, 204);
    assert_eq!(s.get(&format!("{TOPICS}/cpu")).status, 404);
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn inhibitor_drops_events_of_its_category_with_equal_tags() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let (host_log, svc_log) = (tmp.path().join("host.log"), tmp.path().join("svc.log"));
    let mut s = Server::start_in(tmp.path());
    create_task(
        &s,
        "host_down",
        &format!(
            "stream\n    |from()\n        .measurement('up')\n        .groupBy('host')\n    |alert()\n        .crit(lambda: \"value\" == 0)\n        .inhibit('service', 'host')\n        .log('{}')\n",
            host_log.display()
        ),
    );
    create_task(
        &s,
        "svc_down",
        &format!(
            "stream\n    |from()\n        .measurement('svc')\n        .groupBy('host')\n    |alert()\n        .id('svc:{{{{ index .Tags \"host\" }}}}')\n        .crit(lambda: \"value\" == 0)\n        .category('service')\n        .log('{}')\n",
            svc_log.display()
        ),
    );
    write(&s, "up,host=a value=0 10");
    wait_lines(&host_log, 1);
    write(&s, "svc,host=a value=0 11\nsvc,host=b value=0 11");
    // Host a is down: its service alert is inhibited; host b's goes through.
    assert_eq!(
        wait_lines(&svc_log, 1),
        vec![("svc:b".to_string(), "CRITICAL".to_string())]
    );
    write(&s, "up,host=a value=1 12");
    wait_lines(&host_log, 2);
    write(&s, "svc,host=a value=0 13");
    let lines = wait_lines(&svc_log, 2);
    assert_eq!(lines[1], ("svc:a".to_string(), "CRITICAL".to_string()));
    let r = s.get("/kapacitor/v1/tasks/svc_down");
    let dot = r.json()["dot"].as_str().unwrap().to_string();
    assert!(dot.contains("alerts_inhibited=\"1\""), "{dot}");
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn alert_storm_through_the_write_path_is_stored_and_delivered() {
    const N: usize = 10_000;
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let conf = tmp.path().join("kapacitor.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    // Room for the whole storm in the handler's queue: nothing may be dropped.
    text.push_str("[alert]\n  persist-topics = true\n  topic-buffer-length = 30000\n");
    std::fs::write(&conf, text).unwrap();
    let log = tmp.path().join("storm.log");
    let mut s = Server::start_in(tmp.path());
    create_task(&s, "cpu_alert", cpu_script());
    let spec = json!({"id": "log", "kind": "log", "options": {"path": log}, "match": "changed()"});
    let r = s.post(&format!("{TOPICS}/cpu/handlers"), &spec.to_string());
    assert_eq!(r.status, 200, "{}", r.body);

    // Every host turns CRITICAL in one write, then OK in the next.
    for idle in [10, 90] {
        let body: String = (0..N)
            .map(|i| format!("cpu,host=h{i} usage_idle={idle} {}\n", 10 + idle))
            .collect();
        write(&s, &body);
    }
    let lines = wait_lines(&log, 2 * N);
    assert_eq!(lines.len(), 2 * N);
    assert_eq!(lines.iter().filter(|(_, l)| l == "OK").count(), N);
    let t = s.get(&format!("{TOPICS}/cpu")).json();
    assert_eq!(t["collected"], 2 * N as i64);
    let vars = s.get("/kapacitor/v1/debug/vars").json();
    assert_eq!(
        vars["kapacitor"]["topics:cpu"]["values"]["collected"],
        2 * N as i64
    );
    assert_eq!(vars["kapacitor"]["topics:cpu"]["tags"]["id"], "cpu");
    assert_eq!(t["level"], "OK");
    assert_eq!(s.stop(), Some(0));

    // Every state was committed: all 10,000 events are back, OK, after a restart.
    let mut s = Server::start_in(tmp.path());
    let events = s.get(&format!("{TOPICS}/cpu/events")).json();
    let events = events["events"].as_array().unwrap();
    assert_eq!(events.len(), N);
    assert!(events.iter().all(|e| e["state"]["level"] == "OK"));
    assert_eq!(s.stop(), Some(0));
}
