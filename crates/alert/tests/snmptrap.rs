//! The snmptrap handler against a real trap receiver (Debian snmptrapd on 127.0.0.1):
//! the trap OID and the data varbinds as snmptrapd decodes them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{WAIT, event, run, service, spec};
use kapa_engine::Level;
use serde_json::json;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn snmptrapd() -> Option<&'static str> {
    ["/usr/sbin/snmptrapd", "/usr/bin/snmptrapd"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

#[test]
fn trap_carries_the_trap_oid_and_templated_varbinds() {
    let Some(bin) = snmptrapd() else {
        println!("SKIP: snmptrapd is not installed (scripts/test installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("snmptrapd.conf");
    std::fs::write(
        &conf,
        "authCommunity log kapacitor\ndisableAuthorization no\n",
    )
    .unwrap();
    let log = dir.path().join("traps.log");
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["-f", "-n", "-On", "-C", "-c"])
        .arg(&conf)
        .arg("-Lf")
        .arg(&log)
        .arg(format!("udp:127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Proc(child);
    // Ready once it has written its start line.
    let deadline = Instant::now() + WAIT;
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("NET-SNMP version")
    {
        assert!(Instant::now() < deadline, "snmptrapd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let svc = service(
        json!({"snmptrap": {"enabled": true, "addr": format!("127.0.0.1:{port}"),
        "community": "kapacitor", "retries": 1}}),
    );
    run(
        &svc,
        spec(
            "snmptrap",
            json!({"trap-oid": "1.3.6.1.4.1.1234.1", "data-list": [
                {"oid": "1.3.6.1.4.1.1234.1.1", "type": "s", "value": "{{ .Message }}"},
                {"oid": "1.3.6.1.4.1.1234.1.2", "type": "i", "value": "{{ index .Fields \"usage_idle\" }}"},
                {"oid": "1.3.6.1.4.1.1234.1.3", "type": "c", "value": "7"}]}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
    let deadline = Instant::now() + WAIT;
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(".1.3.6.1.4.1.1234.1.3") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains(".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.1234.1"),
        "{text}"
    );
    assert!(
        text.contains(".1.3.6.1.2.1.1.3.0 = Timeticks: (1000)"),
        "{text}"
    );
    assert!(
        text.contains(".1.3.6.1.4.1.1234.1.1 = STRING: \"cpu:nil is CRITICAL\""),
        "{text}"
    );
    assert!(
        text.contains(".1.3.6.1.4.1.1234.1.2 = INTEGER: 50"),
        "{text}"
    );
    assert!(
        text.contains(".1.3.6.1.4.1.1234.1.3 = Counter64: 7"),
        "{text}"
    );
}
