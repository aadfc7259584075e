//! Recordings and replays through the real daemon: the getting-started flow (record the
//! stream for a task, replay it, same alerts as live), Kapacitor-made gzip recordings and
//! Kapacitor's plain-text test fixtures found in the replay dir, and the API's errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::Server;
use serde_json::{Value, json};

const SECOND: i64 = 1_000_000_000;

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

fn rfc3339(ns: i64) -> String {
    kapa_models::time::format_rfc3339(ns)
}

fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Polls the alert log until it has `n` lines (generous deadline).
fn wait_lines(path: &Path, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let lines = read_lines(path);
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls a recording or replay until it is no longer running.
fn wait_done(s: &Server, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        if v["status"] != "running" || Instant::now() > deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn define(s: &Server, id: &str, script: &str, status: &str) {
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": id, "type": "stream", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                "script": script, "status": status})
        .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn cpu_alert(log: &Path) -> String {
    format!(
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .log('{}')\n",
        log.display()
    )
}

fn summary(events: &[Value]) -> Vec<(String, String, Value)> {
    events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["level"].as_str().unwrap().to_string(),
                e["data"]["series"][0]["values"][0][1].clone(),
            )
        })
        .collect()
}

/// The points of the guide flow: idle drops below 70 twice, plus noise the recording
/// must leave out (another database, another measurement).
fn write_stream(s: &Server, base: i64) {
    let idle = [95.0, 60.0, 65.0, 90.0, 50.0, 99.0];
    let mut body = String::new();
    for (i, v) in idle.iter().enumerate() {
        body.push_str(&format!(
            "cpu,host=a usage_idle={v} {}\n",
            base + i as i64 * SECOND
        ));
        body.push_str(&format!(
            "mem,host=a free=1i {}\n",
            base + i as i64 * SECOND
        ));
    }
    let r = s.post_bytes("/write?db=telegraf&rp=autogen", body.as_bytes(), &[]);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = s.post_bytes(
        "/write?db=other&rp=autogen",
        b"cpu,host=z usage_idle=1 1000000000\n",
        &[],
    );
    assert_eq!(r.status, 204, "{}", r.body);
}

#[test]
fn record_stream_then_replay_gives_the_live_alerts() {
    let s = Server::start();
    let replay_log = s.dir.join("replay-alerts.log");
    let live_log = s.dir.join("live-alerts.log");
    define(&s, "cpu_alert", &cpu_alert(&replay_log), "disabled");

    let stop = now_ns() + 2 * SECOND;
    let r = s.post(
        "/kapacitor/v1/recordings/stream",
        &json!({"id": "rec1", "task": "cpu_alert", "stop": rfc3339(stop)}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["id"], "rec1");
    assert_eq!(v["type"], "stream");
    assert_eq!(v["status"], "running");
    assert_eq!(v["link"]["href"], "/kapacitor/v1/recordings/rec1");
    let base = now_ns() - 10 * SECOND;
    write_stream(&s, base);

    let rec = wait_done(&s, "/kapacitor/v1/recordings/rec1");
    assert_eq!(rec["status"], "finished", "{rec}");
    assert_eq!(rec["progress"], 1.0);
    assert!(rec["size"].as_i64().unwrap() > 0);
    let file = s.dir.join("replay/rec1.srpl");
    assert!(!s.dir.join("replay/rec1.srpl.tmp").exists());
    // Kapacitor's format: gzip, three lines per point, nanosecond times.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap()),
        &mut text,
    )
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        6 * 3,
        "only cpu points of telegraf.autogen: {text}"
    );
    assert_eq!(lines[0], "telegraf");
    assert_eq!(lines[1], "autogen");
    assert_eq!(lines[2], format!("cpu,host=a usage_idle=95 {base}"));

    let r = s.get("/kapacitor/v1/recordings");
    let list = r.json();
    assert_eq!(list["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(list["recordings"][0]["id"], "rec1");

    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"id": "rp1", "task": "cpu_alert", "recording": "rec1"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["clock"], "fast");
    let replay = wait_done(&s, "/kapacitor/v1/replays/rp1");
    assert_eq!(replay["status"], "finished", "{replay}");
    assert_eq!(replay["task"], "cpu_alert");
    assert_eq!(replay["recording"], "rec1");
    assert_eq!(replay["recording-time"], false);
    assert_eq!(
        replay["stats"]["node-stats"]["alert2"]["crits_triggered"], 3,
        "{replay}"
    );
    let replayed = wait_lines(&replay_log, 5);
    // The live task never ran.
    assert_eq!(
        s.get("/kapacitor/v1/tasks/cpu_alert").json()["executing"],
        false
    );
    // Times are moved to the replay's start, gaps kept.
    let t0 = kapa_models::time::parse_rfc3339(replayed[0]["time"].as_str().unwrap()).unwrap();
    let t1 = kapa_models::time::parse_rfc3339(replayed[1]["time"].as_str().unwrap()).unwrap();
    assert!(t0 > base + 5 * SECOND, "rebased to now");
    assert_eq!(t1 - t0, SECOND);

    // Now live: the same points give the same alerts.
    let r = s.patch(
        "/kapacitor/v1/tasks/cpu_alert",
        &json!({"script": cpu_alert(&live_log), "status": "enabled"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    write_stream(&s, base);
    let live = wait_lines(&live_log, 5);
    assert_eq!(summary(&replayed), summary(&live));
    assert_eq!(
        summary(&live)
            .iter()
            .map(|(_, l, _)| l.as_str())
            .collect::<Vec<_>>(),
        ["CRITICAL", "CRITICAL", "OK", "CRITICAL", "OK"]
    );

    // -rec-time keeps the recorded times.
    let kept = s.dir.join("kept.log");
    let r = s.patch(
        "/kapacitor/v1/tasks/cpu_alert",
        &json!({"script": cpu_alert(&kept), "status": "disabled"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"id": "rp2", "task": "cpu_alert", "recording": "rec1", "recording-time": true, "clock": "real"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        wait_done(&s, "/kapacitor/v1/replays/rp2")["status"],
        "finished"
    );
    let events = wait_lines(&kept, 5);
    assert_eq!(events[0]["time"], rfc3339(base + SECOND));
    assert_eq!(summary(&events), summary(&live));

    let r = s.get("/kapacitor/v1/replays?fields=status");
    let list = r.json();
    assert_eq!(list["replays"].as_array().unwrap().len(), 2);
    assert_eq!(
        list["replays"][0],
        json!({"id": "rp1", "link": {"rel": "self", "href": "/kapacitor/v1/replays/rp1"}, "status": "finished"})
    );

    assert_eq!(s.delete("/kapacitor/v1/replays/rp1").status, 204);
    assert_eq!(s.get("/kapacitor/v1/replays/rp1").status, 404);
    assert_eq!(s.delete("/kapacitor/v1/recordings/rec1").status, 204);
    assert!(!file.exists());
    let r = s.get("/kapacitor/v1/recordings/rec1");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("no recording exists"));
}

fn gzip_file(path: &Path, text: &str) {
    let f = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
}

/// Makes one file of the replay dir at the given path.
type MakeFile<'a> = &'a dyn Fn(&Path);

/// A server whose replay dir holds the given files before it starts.
fn server_with_recordings(files: &[(&str, MakeFile<'_>)]) -> (tempfile::TempDir, Server) {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let dir: PathBuf = tmp.path().join("replay");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, make) in files {
        make(&dir.join(name));
    }
    let s = Server::start_in(tmp.path());
    (tmp, s)
}

#[test]
fn kapacitor_gzip_recording_in_the_replay_dir_replays() {
    let text = "telegraf\nautogen\ncpu,host=a usage_idle=50 1500000000000000000\n\
                telegraf\nautogen\ncpu,host=a usage_idle=90 1500000001000000000\n";
    let (_tmp, s) =
        server_with_recordings(&[("0d9d2b0e-kapa.srpl", &|p: &Path| gzip_file(p, text))]);
    let log = s.dir.join("alerts.log");
    define(&s, "cpu_alert", &cpu_alert(&log), "disabled");
    let rec = s.get("/kapacitor/v1/recordings/0d9d2b0e-kapa").json();
    assert_eq!(rec["status"], "finished", "{rec}");
    assert_eq!(rec["type"], "stream");
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"task": "cpu_alert", "recording": "0d9d2b0e-kapa", "recording-time": true})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a random uuid");
    let done = wait_done(&s, &format!("/kapacitor/v1/replays/{id}"));
    assert_eq!(done["status"], "finished", "{done}");
    let events = wait_lines(&log, 2);
    assert_eq!(events[0]["time"], "2017-07-14T02:40:00Z");
    assert_eq!(events[0]["level"], "CRITICAL");
    assert_eq!(events[1]["level"], "OK");
}

#[test]
fn kapacitor_test_fixture_replays_like_kapacitor() {
    let fixture = Path::new("/work/shared/kapacitor-testdata/TestStream_Alert.srpl");
    if !fixture.exists() {
        println!(
            "skipped: Kapacitor's fixtures are not at {}",
            fixture.display()
        );
        return;
    }
    let (_tmp, s) = server_with_recordings(&[("TestStream_Alert", &|p: &Path| {
        std::fs::copy(fixture, p.with_extension("srpl")).unwrap();
    })]);
    let log = s.dir.join("alerts.log");
    // Kapacitor's TestStream_Alert script, with the log handler instead of post.
    let script = format!(
        "stream\n\t|from()\n\t\t.measurement('cpu')\n\t\t.where(lambda: \"host\" == 'serverA')\n\t\t.groupBy('host')\n\t|window()\n\t\t.period(10s)\n\t\t.every(10s)\n\t|count('value')\n\t|alert()\n\t\t.id('kapacitor/{{{{ .Name }}}}/{{{{ index .Tags \"host\" }}}}')\n\t\t.info(lambda: \"count\" > 6.0)\n\t\t.warn(lambda: \"count\" > 7.0)\n\t\t.crit(lambda: \"count\" > 8.0)\n\t\t.log('{}')\n",
        log.display()
    );
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": "t", "dbrps": [{"db": "dbname", "rp": "rpname"}], "script": script})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"id": "fx", "task": "t", "recording": "TestStream_Alert", "recording-time": true})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        wait_done(&s, "/kapacitor/v1/replays/fx")["status"],
        "finished"
    );
    let events = wait_lines(&log, 1);
    // Kapacitor's test replays this fixture with its first point moved to 1971-01-01 and
    // expects one CRITICAL with count 10, ten seconds after the first point (an unaligned
    // window starts at the first point). With the recorded times the first point is at
    // second 1, so the same alert comes at second 11.
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["id"], "kapacitor/cpu/serverA");
    assert_eq!(events[0]["message"], "kapacitor/cpu/serverA is CRITICAL");
    assert_eq!(events[0]["time"], "1970-01-01T00:00:11Z");
    assert_eq!(
        events[0]["data"]["series"][0]["values"][0],
        json!(["1970-01-01T00:00:11Z", 10])
    );
}

#[test]
fn bad_requests_get_kapacitor_style_errors() {
    let s = Server::start();
    let r = s.post(
        "/kapacitor/v1/recordings/stream",
        &json!({"task": "nope", "stop": rfc3339(now_ns())}).to_string(),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("no task exists"));
    let r = s.post("/kapacitor/v1/recordings/stream", "{");
    assert_eq!(r.json(), common::error_json("invalid JSON"));
    define(
        &s,
        "cpu_alert",
        &cpu_alert(&s.dir.join("a.log")),
        "disabled",
    );
    let r = s.post(
        "/kapacitor/v1/recordings/stream",
        &json!({"task": "cpu_alert", "stop": "tomorrow"}).to_string(),
    );
    assert_eq!(r.status, 400);
    let r = s.post(
        "/kapacitor/v1/recordings/stream",
        &json!({"id": "a b", "task": "cpu_alert", "stop": rfc3339(now_ns())}).to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"task": "cpu_alert", "recording": "missing"}).to_string(),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("no recording exists"));
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"task": "cpu_alert", "recording": "x", "clock": "slow"}).to_string(),
    );
    assert_eq!(r.json(), common::error_json("invalid JSON"));
    assert_eq!(s.get("/kapacitor/v1/replays/none").status, 404);
    assert_eq!(s.delete("/kapacitor/v1/replays/none").status, 204);
    assert_eq!(s.delete("/kapacitor/v1/recordings/none").status, 204);
}

#[test]
fn kapacitor_batch_fixture_replays() {
    let fixture = Path::new("/work/shared/kapacitor-testdata/TestBatch_SimpleMR.0.brpl");
    if !fixture.exists() {
        println!(
            "skipped: Kapacitor's fixtures are not at {}",
            fixture.display()
        );
        return;
    }
    let (_tmp, s) = server_with_recordings(&[("TestBatch_SimpleMR.0.brpl", &|p: &Path| {
        std::fs::copy(fixture, p).unwrap();
    })]);
    let rec = s.get("/kapacitor/v1/recordings/TestBatch_SimpleMR").json();
    assert_eq!(rec["type"], "batch", "{rec}");
    let log = s.dir.join("alerts.log");
    let script = format!(
        "batch\n    |query('''SELECT mean(\"value\") FROM \"telegraf\".\"default\".cpu_usage_idle WHERE \"host\" = 'serverA' ''')\n        .period(10s)\n        .every(10s)\n        .groupBy(time(2s), 'cpu')\n    |count('mean')\n    |alert()\n        .id('{{{{ index .Tags \"cpu\" }}}}')\n        .crit(lambda: \"count\" > 0)\n        .log('{}')\n",
        log.display()
    );
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": "b", "dbrps": [{"db": "telegraf", "rp": "default"}], "script": script})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"id": "bx", "task": "b", "recording": "TestBatch_SimpleMR", "recording-time": true})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let done = wait_done(&s, "/kapacitor/v1/replays/bx");
    assert_eq!(done["status"], "finished", "{done}");
    // Every recorded batch gives one count, stamped with the batch's last point (the
    // fixture has no tmax) and keeping the recorded 2015 times.
    let text = std::fs::read_to_string(fixture).unwrap();
    let batches: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events = wait_lines(&log, batches.len());
    assert_eq!(events.len(), batches.len(), "{events:?}");
    let mut expected: Vec<(String, String, i64)> = batches
        .iter()
        .map(|b| {
            let pts = b["points"].as_array().unwrap();
            (
                b["tags"]["cpu"].as_str().unwrap().to_string(),
                pts.last().unwrap()["time"].as_str().unwrap().to_string(),
                pts.len() as i64,
            )
        })
        .collect();
    let mut got: Vec<(String, String, i64)> = events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["time"].as_str().unwrap().to_string(),
                e["data"]["series"][0]["values"][0][1].as_i64().unwrap(),
            )
        })
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
}

#[test]
fn a_running_replay_shows_its_own_task_state() {
    // Two points 8s apart on the real clock: the replay runs for 8 seconds.
    let text = "telegraf\nautogen\ncpu,host=a usage_idle=50 1500000000000000000\n\
                telegraf\nautogen\ncpu,host=a usage_idle=90 1500000008000000000\n";
    let (_tmp, s) = server_with_recordings(&[("slow.srpl", &|p: &Path| gzip_file(p, text))]);
    define(
        &s,
        "cpu_alert",
        &cpu_alert(&s.dir.join("a.log")),
        "disabled",
    );
    let r = s.post(
        "/kapacitor/v1/replays",
        &json!({"id": "slow", "task": "cpu_alert", "recording": "slow", "clock": "real"})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let t = s.get("/kapacitor/v1/tasks/cpu_alert?replay-id=slow").json();
    assert_eq!(t["executing"], true, "{t}");
    // The first point goes in at once, the second 8 seconds later.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut collected = Value::Null;
    while Instant::now() < deadline && collected != 1 {
        let t = s.get("/kapacitor/v1/tasks/cpu_alert?replay-id=slow").json();
        collected = t["stats"]["node-stats"]["from1"]["collected"].clone();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(collected, 1);
    // Half of the recording is replayed: the replay says so while it runs.
    let mut progress = Value::Null;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && progress != 0.5 {
        let r = s.get("/kapacitor/v1/replays/slow").json();
        assert_eq!(r["status"], "running", "{r}");
        progress = r["progress"].clone();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(progress, 0.5);
    // The live task is untouched.
    assert_eq!(
        s.get("/kapacitor/v1/tasks/cpu_alert").json()["executing"],
        false
    );
    assert_eq!(
        wait_done(&s, "/kapacitor/v1/replays/slow")["status"],
        "finished"
    );
    let r = s.get("/kapacitor/v1/tasks/cpu_alert?replay-id=slow");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("replay slow is not running"));
}
