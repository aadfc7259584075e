//! Runs the kapa-bench binary for about a second against a tiny in-test HTTP server that
//! answers every `/write` with 204, and checks the shape of both reports.
#![allow(clippy::unwrap_used)] // Helpers outside #[test] fns unwrap too.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Serves keep-alive HTTP/1.1: reads each request's headers and Content-Length body, counts
/// the lines of `/write` bodies, answers 204.
fn server() -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let lines = Arc::new(AtomicU64::new(0));
    let counter = lines.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut out = conn.try_clone().unwrap();
                let mut r = BufReader::new(conn);
                loop {
                    let mut request_line = String::new();
                    if r.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut len = 0usize;
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    assert!(
                        request_line
                            .starts_with("POST /write?db=telegraf&rp=autogen&precision=ns "),
                        "{request_line}"
                    );
                    counter.fetch_add(
                        body.iter().filter(|b| **b == b'\n').count() as u64,
                        Ordering::Relaxed,
                    );
                    if out
                        .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (port, lines)
}

fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kapa-bench"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_report_against_a_tiny_server() {
    let (port, lines) = server();
    let url = format!("http://127.0.0.1:{port}/write");
    let pid = std::process::id().to_string();
    let text = bench(&[
        "-url",
        &url,
        "-duration",
        "1s",
        "-rate",
        "2000",
        "-batch",
        "100",
        "-connections",
        "2",
        "-pid",
        &pid,
    ]);
    let labels: Vec<&str> = text
        .lines()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "target",
            "points",
            "throughput",
            "write latency",
            "peak RSS"
        ],
        "{text}"
    );
    assert!(
        text.starts_with(&format!("target          {url}\n")),
        "{text}"
    );
    // A fixed rate of 2,000 points/s for 1 s in batches of 100 is 20 requests.
    assert!(text.contains("points          2000 in "), "{text}");
    assert!(text.contains("(20 requests, 0 errors)"), "{text}");
    assert!(text.contains(&format!(" kB (pid {pid})")), "{text}");
    assert_eq!(lines.load(Ordering::Relaxed), 2000);
}

#[test]
fn json_report_with_comparison() {
    let (a, _) = server();
    let (b, _) = server();
    let text = bench(&[
        "-url",
        &format!("http://127.0.0.1:{a}/write"),
        "-compare-url",
        &format!("http://127.0.0.1:{b}/write"),
        "-duration",
        "500ms",
        "-batch",
        "10",
        "-connections",
        "1",
        "-json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    for t in targets {
        assert_eq!(t["errors"], 0);
        assert!(t["points"].as_u64().unwrap() > 0);
        assert_eq!(
            t["points"].as_u64().unwrap(),
            t["requests"].as_u64().unwrap() * 10
        );
        for k in ["p50", "p99", "p999"] {
            assert!(t["write_latency_us"][k].is_u64(), "{k}: {t}");
        }
        assert!(t["e2e_latency_us"].is_null());
    }
    assert!(v["ratio"].as_f64().unwrap() > 0.0);
}

#[test]
fn parse_only_report() {
    let text = bench(&["-parse-only", "-duration", "200ms", "-batch", "100"]);
    assert!(text.starts_with("parse-only      "), "{text}");
    assert!(
        text.contains(" points/s on one thread, ")
            && text.ends_with(" errors)\n")
            && text.contains(", 0 errors)"),
        "{text}"
    );
}

#[test]
fn bad_flag_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_kapa-bench"))
        .args(["-bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("kapa-bench: flag provided but not defined: -bogus\n")
    );
}
