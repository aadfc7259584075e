//! The smtp handler against a real SMTP server (Python aiosmtpd on 127.0.0.1): envelope,
//! From/To/Subject headers and the HTML body.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{WAIT, event, run, service, spec};
use kapa_engine::Level;
use serde_json::{Value, json};

/// Receives mail and appends one JSON line per message to a file.
const SINK: &str = r#"
import sys, json, time, email
from email import policy
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "from": msg["From"], "to": msg["To"], "subject": msg["Subject"],
                "content_type": msg.get_content_type(), "body": msg.get_content()}) + "\n")
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
while True:
    time.sleep(1)
"#;

/// The SMTP sink process, stopped on drop.
struct SmtpSink {
    child: Child,
    port: u16,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sink() -> Option<SmtpSink> {
    if Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .map(|s| !s.success())
        .unwrap_or(true)
    {
        println!("SKIP: Python aiosmtpd is not installed (scripts/test installs it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mail.jsonl");
    // A kernel-picked port, released for the sink to bind.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("python3")
        .args(["-c", SINK, &port.to_string(), out.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Some(SmtpSink {
        child,
        port,
        out,
        _dir: dir,
    })
}

fn mails(sink: &SmtpSink, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = std::fs::read_to_string(&sink.out).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn email_has_from_to_subject_and_html_details() {
    let Some(sink) = start_sink() else { return };
    let svc = service(
        json!({"smtp": {"enabled": true, "host": "127.0.0.1", "port": sink.port,
        "from": "kapacitor@example.com", "to": ["oncall@example.com"], "no-verify": false}}),
    );
    run(
        &svc,
        spec(
            "smtp",
            json!({"to": ["a@example.com"], "to-field": ["{{ index .Tags \"host\" }}@example.com"]}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    let m = mails(&sink, 1);
    assert_eq!(m.len(), 1, "{m:?}");
    let m = &m[0];
    assert_eq!(m["mail_from"], "kapacitor@example.com");
    assert_eq!(m["rcpt_tos"], json!(["a@example.com", "a@example.com"]));
    assert_eq!(m["from"], "kapacitor@example.com");
    assert_eq!(m["subject"], "cpu:nil is CRITICAL");
    assert_eq!(m["content_type"], "text/html");
    assert_eq!(
        m["body"].as_str().unwrap().trim_end(),
        "{&#34;Name&#34;:&#34;cpu&#34;}"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
}

#[test]
fn email_without_handler_recipients_uses_the_configured_ones() {
    let Some(sink) = start_sink() else { return };
    let svc = service(
        json!({"smtp": {"enabled": true, "host": "127.0.0.1", "port": sink.port,
        "from": "kapacitor@example.com", "to": ["oncall@example.com", "ops@example.com"]}}),
    );
    run(
        &svc,
        spec("smtp", json!({})),
        &[event("cpu:nil", Level::Warning)],
    );
    let m = mails(&sink, 1);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        m[0]["rcpt_tos"],
        json!(["oncall@example.com", "ops@example.com"])
    );
    assert_eq!(m[0]["to"], "oncall@example.com, ops@example.com");
    assert_eq!(m[0]["subject"], "cpu:nil is WARNING");
}

#[test]
fn disabled_smtp_and_no_recipients_are_permanent_failures() {
    let svc = service(
        json!({"smtp": {"enabled": false, "host": "127.0.0.1", "port": 1, "from": "k@example.com", "to": ["a@example.com"]}}),
    );
    run(
        &svc,
        spec("smtp", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (0, 1, 0));
    let svc = service(
        json!({"smtp": {"enabled": true, "host": "127.0.0.1", "port": 1, "from": "k@example.com"}}),
    );
    run(
        &svc,
        spec("smtp", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (0, 1, 0));
}
