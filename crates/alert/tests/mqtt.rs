//! The mqtt handler against a real broker (Debian mosquitto on 127.0.0.1), read back with
//! mosquitto_sub: topic, payload, QoS and the retained flag.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;

use common::{WAIT, event, run, service, spec};
use kapa_engine::{AlertSink, Level};
use serde_json::json;

/// A child process stopped on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args([
            "-c",
            &format!("command -v {cmd} >/dev/null || test -x /usr/sbin/{cmd}"),
        ])
        .status()
        .is_ok_and(|s| s.success())
}

/// A mosquitto broker on a kernel-picked loopback port.
fn broker() -> Option<(Proc, u16, tempfile::TempDir)> {
    broker_with("")
}

/// A broker whose listener has the extra `listener_conf` lines (TLS settings).
fn broker_with(listener_conf: &str) -> Option<(Proc, u16, tempfile::TempDir)> {
    if !have("mosquitto") || !have("mosquitto_sub") {
        println!("SKIP: mosquitto is not installed (scripts/test installs it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = dir.path().join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "listener {port} 127.0.0.1\n{listener_conf}allow_anonymous true\npersistence false\n"
        ),
    )
    .unwrap();
    let bin = if have("/usr/sbin/mosquitto") {
        "/usr/sbin/mosquitto"
    } else {
        "mosquitto"
    };
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = Proc(child);
    // Ready when it accepts connections.
    let deadline = std::time::Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "mosquitto did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some((p, port, dir))
}

/// Subscribes to `#` and sends each message as "topic qos retained payload".
fn subscribe(port: u16, count: usize) -> (Proc, mpsc::Receiver<String>) {
    subscribe_with(port, count, &[])
}

fn subscribe_with(port: u16, count: usize, extra: &[&str]) -> (Proc, mpsc::Receiver<String>) {
    // Line-buffered, so its SUBACK debug line arrives before any message.
    let mut child = Command::new("stdbuf")
        .args([
            "-oL",
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-t",
            "#",
            "-q",
            "2",
            "-d",
        ])
        .args(["-C", &count.to_string(), "-F", "MSG %t %q %r %p"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out: ChildStdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if line.contains("SUBACK") {
                let _ = ready_tx.send(());
            }
            if let Some(m) = line.strip_prefix("MSG ") {
                let _ = tx.send(m.to_string());
            }
        }
    });
    ready_rx
        .recv_timeout(WAIT)
        .expect("mosquitto_sub did not subscribe");
    (Proc(child), rx)
}

#[test]
fn publishes_message_with_topic_qos_and_retained_flag() {
    let Some((_broker, port, _dir)) = broker() else {
        return;
    };
    let (_sub, rx) = subscribe(port, 2);
    let svc = service(
        json!({"mqtt": [{"enabled": true, "name": "default", "default": true,
        "url": format!("tcp://127.0.0.1:{port}"), "client-id": "", "username": "", "password": ""}]}),
    );
    run(
        &svc,
        spec("mqtt", json!({"topic": "alerts/cpu", "qos": 1})),
        &[event("cpu:nil", Level::Critical)],
    );
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap(),
        "alerts/cpu 1 0 cpu:nil is CRITICAL"
    );
    let svc2 = service(json!({"mqtt": [{"enabled": true, "name": "b",
        "url": format!("tcp://127.0.0.1:{port}"), "client-id": "kap2"}]}));
    run(
        &svc2,
        spec(
            "mqtt",
            json!({"broker-name": "b", "topic-template": "alerts/{{ .TaskName }}/{{ index .Tags \"host\" }}", "qos": "exactly-once"}),
        ),
        &[event("cpu:nil", Level::Warning)],
    );
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap(),
        "alerts/cpu_alert/a 2 0 cpu:nil is WARNING"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
    assert_eq!(svc2.handler_stats()[0].sent, 1);
}

#[test]
fn retained_message_reaches_a_later_subscriber() {
    let Some((_broker, port, _dir)) = broker() else {
        return;
    };
    let svc = service(json!({"mqtt": [{"enabled": true, "name": "default",
        "url": format!("tcp://127.0.0.1:{port}")}]}));
    run(
        &svc,
        spec("mqtt", json!({"topic": "alerts/last", "retained": true})),
        &[event("cpu:nil", Level::Critical)],
    );
    let (_sub, rx) = subscribe(port, 1);
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap(),
        "alerts/last 0 1 cpu:nil is CRITICAL"
    );
}

#[test]
fn unknown_or_disabled_broker_fails_permanently() {
    let svc = service(
        json!({"mqtt": [{"enabled": false, "name": "default", "url": "tcp://127.0.0.1:1"}]}),
    );
    run(
        &svc,
        spec("mqtt", json!({"topic": "t"})),
        &[event("cpu:nil", Level::Critical)],
    );
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (0, 1, 0));
}

#[test]
fn publishes_over_tls_to_an_ssl_broker() {
    let certs = tempfile::tempdir().unwrap();
    if !common::certificates(certs.path()) {
        println!("SKIP: the openssl CLI is needed to make test certificates");
        return;
    }
    let p = |f: &str| certs.path().join(f).to_str().unwrap().to_string();
    let Some((_broker, port, _dir)) = broker_with(&format!(
        "cafile {}\ncertfile {}\nkeyfile {}\n",
        p("ca.pem"),
        p("server.pem"),
        p("server.key")
    )) else {
        return;
    };
    let ca = p("ca.pem");
    let (_sub, rx) = subscribe_with(port, 1, &["--cafile", &ca]);
    let svc = service(json!({"mqtt": [{"enabled": true, "name": "secure",
        "url": format!("ssl://127.0.0.1:{port}"), "ssl-ca": ca}]}));
    run(
        &svc,
        spec("mqtt", json!({"topic": "alerts/tls", "qos": 1})),
        &[event("cpu:nil", Level::Critical)],
    );
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap(),
        "alerts/tls 1 0 cpu:nil is CRITICAL"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);

    // Without the CA the broker's certificate is refused (and retried as a connection error).
    let svc = service(json!({"mqtt": [{"enabled": true, "name": "untrusted",
        "url": format!("ssl://127.0.0.1:{port}")}]}));
    svc.open_topic("t", &[spec("mqtt", json!({"topic": "x"}))])
        .unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    let deadline = std::time::Instant::now() + WAIT;
    while svc.handler_stats()[0].retried == 0 {
        assert!(std::time::Instant::now() < deadline, "no failed attempt");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(svc.handler_stats()[0].sent, 0);
}
