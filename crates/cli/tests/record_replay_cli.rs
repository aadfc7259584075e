//! `record`, `replay`, `list recordings|replays` and `define-template` against a fake server:
//! the exact requests, the polling until done, what is printed and the exit codes.

#![allow(clippy::unwrap_used)]

mod fake_server;

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use fake_server::FakeServer;

fn kapacitor(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kapacitor"))
        .args(args)
        .env("KAPACITOR_URL", url)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn replay_json(status: &str, error: &str) -> String {
    format!(
        r#"{{"link":{{"rel":"self","href":"/kapacitor/v1/replays/r1"}},"id":"r1","task":"cpu_alert","recording":"rec","recording-time":false,"clock":"fast","date":"2016-05-04T17:44:00Z","error":"{error}","status":"{status}","progress":0,"stats":{{}}}}"#
    )
}

#[test]
fn replay_posts_then_polls_until_finished_and_prints_the_id() {
    let polls = AtomicUsize::new(0);
    let server = FakeServer::start(move |req| match req.method.as_str() {
        "POST" => (200, replay_json("running", "")),
        _ => {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            (
                200,
                replay_json(if n < 1 { "running" } else { "finished" }, ""),
            )
        }
    });
    let out = kapacitor(
        &server.url,
        &[
            "replay",
            "-recording",
            "rec",
            "-task",
            "cpu_alert",
            "-real-clock",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "r1\n");
    let lines = server.lines();
    assert_eq!(
        lines[0],
        "POST /kapacitor/v1/replays {\"task\":\"cpu_alert\",\"recording\":\"rec\",\"recording-time\":false,\"clock\":\"real\"}\n"
    );
    assert_eq!(
        lines[1..],
        [
            "GET /kapacitor/v1/replays/r1",
            "GET /kapacitor/v1/replays/r1"
        ]
    );
}

#[test]
fn failed_replay_prints_the_id_and_the_error() {
    let server = FakeServer::start(|req| match req.method.as_str() {
        "POST" => (200, replay_json("running", "")),
        _ => (200, replay_json("failed", "boom")),
    });
    let out = kapacitor(
        &server.url,
        &["replay", "-recording", "rec", "-task", "cpu_alert"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout), "r1\n");
    assert_eq!(text(&out.stderr), "boom\n");
}

#[test]
fn record_stream_no_wait_prints_the_id_at_once() {
    let server = FakeServer::start(|_| {
        (
            200,
            r#"{"link":{"rel":"self","href":"/kapacitor/v1/recordings/x"},"id":"x","type":"stream","size":0,"date":"2016-05-04T17:44:00Z","error":"","status":"running","progress":0}"#.into(),
        )
    });
    let out = kapacitor(
        &server.url,
        &[
            "record",
            "stream",
            "-task",
            "cpu_alert",
            "-duration",
            "20s",
            "-recording-id",
            "x",
            "-no-wait",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "x\n");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "/kapacitor/v1/recordings/stream");
    let body: serde_json::Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(body["id"], "x");
    assert_eq!(body["task"], "cpu_alert");
    let stop = kapa_models::time::parse_rfc3339(body["stop"].as_str().unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    // stop = the time of the call + 20s.
    assert!(stop > now && stop <= now + 20_000_000_000, "{stop} {now}");
}

#[test]
fn usage_errors() {
    let url = "http://127.0.0.1:1";
    let out = kapacitor(url, &["record", "stream", "-task", "cpu_alert"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).ends_with("both task and duration are required\n"));
    let out = kapacitor(url, &["record", "batch", "-task", "t"]);
    assert!(text(&out.stderr).ends_with("must set one of start or past flags.\n"));
    let out = kapacitor(
        url,
        &[
            "record",
            "batch",
            "-task",
            "t",
            "-past",
            "1h",
            "-start",
            "2016-01-01T00:00:00Z",
        ],
    );
    assert!(text(&out.stderr).ends_with("cannot set both start and past flags.\n"));
    let out = kapacitor(url, &["record", "nope"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr),
        "Unknown record type \"nope\", expected 'stream', 'batch' or 'query'\n"
    );
    let out = kapacitor(url, &["replay", "-task", "t"]);
    assert!(text(&out.stderr).ends_with("must pass recording ID\n"));
    let out = kapacitor(url, &["replay-live", "nope"]);
    assert_eq!(
        text(&out.stderr),
        "Unknown replay-live type \"nope\", expected 'batch' or 'query'\n"
    );
    let out = kapacitor(url, &["show-template"]);
    assert_eq!(out.status.code(), Some(2));
    let out = kapacitor(url, &["define-template"]);
    assert_eq!(out.status.code(), Some(2));
    // The server is not there: connect error.
    let out = kapacitor(url, &["replay", "-task", "t", "-recording", "r"]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn list_recordings_and_replays_layouts() {
    let server = FakeServer::start(|req| {
        if req.target.starts_with("/kapacitor/v1/recordings") {
            (200, r#"{"recordings":[{"link":{"rel":"self","href":"/kapacitor/v1/recordings/rec"},"id":"rec","type":"stream","size":1600000,"date":"2016-05-04T17:44:00Z","status":"finished"}]}"#.into())
        } else {
            (
                200,
                format!(r#"{{"replays":[{}]}}"#, replay_json("finished", "")),
            )
        }
    });
    let out = kapacitor(&server.url, &["list", "recordings"]);
    assert_eq!(
        text(&out.stdout),
        "ID  Type    Status    Size      Date                   \nrec stream  finished  1.6 MB    04 May 16 17:44 UTC    \n"
    );
    assert_eq!(
        server.lines()[0],
        "GET /kapacitor/v1/recordings?fields=type&fields=size&fields=date&fields=status&limit=100&offset=0&pattern="
    );
    let out = kapacitor(&server.url, &["list", "replays", "r*"]);
    assert_eq!(
        text(&out.stdout),
        "ID Task      Recording Status   Clock   Date                   \nr1 cpu_alert rec       finished fast    04 May 16 17:44 UTC    \n"
    );
}
